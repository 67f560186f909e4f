// netns-kit native addon entry point. Everything the kernel is asked lives in TypeScript;
// this addon only does what JavaScript cannot: netlink sockets polled by libuv, setns()
// on helper threads, mounts for named namespaces, and the TUNSETIFF ioctl for tun/tap.
#include <dlfcn.h>
#include <napi.h>

#include <mutex>

namespace nk {
void InitNetns(Napi::Env env, Napi::Object exports);
void InitNetlinkSocket(Napi::Env env, Napi::Object exports);
void InitTun(Napi::Env env, Napi::Object exports);
void InitLock(Napi::Env env, Napi::Object exports);
void InitBoundSocket(Napi::Env env, Napi::Object exports);
}  // namespace nk

// Helper and writer threads may outlive the environment that started them (a worker that is
// terminated); Node unloads an addon when the last environment that loaded it goes away, which
// would unmap code those threads still run. Pin this library in memory for the process's life.
static void PinLibrary() {
  static std::once_flag once;
  std::call_once(once, [] {
    Dl_info info;
    if (dladdr(reinterpret_cast<void*>(&PinLibrary), &info) != 0 && info.dli_fname != nullptr) {
      dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);  // the handle is never closed
    }
  });
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  PinLibrary();
  nk::InitNetns(env, exports);
  nk::InitNetlinkSocket(env, exports);
  nk::InitTun(env, exports);
  nk::InitLock(env, exports);
  nk::InitBoundSocket(env, exports);
  return exports;
}

NODE_API_MODULE(netns_kit, Init)
