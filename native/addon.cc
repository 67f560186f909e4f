// netns-kit native addon entry point. Everything the kernel is asked lives in TypeScript;
// this addon only does what JavaScript cannot: netlink sockets polled by libuv, setns()
// on helper threads, mounts for named namespaces, and the TUNSETIFF ioctl for tun/tap.
#include <napi.h>

namespace nk {
void InitNetns(Napi::Env env, Napi::Object exports);
void InitNetlinkSocket(Napi::Env env, Napi::Object exports);
void InitTun(Napi::Env env, Napi::Object exports);
void InitLock(Napi::Env env, Napi::Object exports);
void InitBoundSocket(Napi::Env env, Napi::Object exports);
}  // namespace nk

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  nk::InitNetns(env, exports);
  nk::InitNetlinkSocket(env, exports);
  nk::InitTun(env, exports);
  nk::InitLock(env, exports);
  nk::InitBoundSocket(env, exports);
  return exports;
}

NODE_API_MODULE(netns_kit, Init)
