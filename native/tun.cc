// TUN/TAP devices. The kernel refuses to create them over rtnetlink ("tun/tap creation via
// rtnetlink is not supported"), so this is the one ioctl path: a helper thread enters the
// namespace, opens /dev/net/tun (the device belongs to the namespace of that open), asks
// for the device with TUNSETIFF, sets owner/group, makes it persistent and closes the fd.
// If any step fails before TUNSETPERSIST, closing the fd removes the half-made device.
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common.h"

namespace nk {
namespace {

// createTun(nsFd, name, flags, owner, group): Promise<string> — the device's name.
// name may be "" (the kernel picks tunN/tapN) or a pattern with %d; flags are IFF_TUN or
// IFF_TAP plus IFF_NO_PI / IFF_VNET_HDR / IFF_MULTI_QUEUE; owner/group -1 leave them unset.
Napi::Value CreateTun(const Napi::CallbackInfo& info) {
  int nsFd = info[0].As<Napi::Number>().Int32Value();
  std::string name = info[1].As<Napi::String>().Utf8Value();
  int flags = info[2].As<Napi::Number>().Int32Value();
  int64_t owner = info[3].As<Napi::Number>().Int64Value();
  int64_t group = info[4].As<Napi::Number>().Int64Value();
  return RunOnFreshThread(
      info.Env(), nsFd,
      [=](TaskResult& r) {
        int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
          r.err = errno;
          r.syscall = "open";
          r.path = "/dev/net/tun";
          return;
        }
        struct ifreq ifr;
        std::memset(&ifr, 0, sizeof ifr);
        std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
        ifr.ifr_flags = static_cast<short>(flags);
        const char* step = nullptr;
        if (ioctl(fd, TUNSETIFF, &ifr) != 0) step = "ioctl(TUNSETIFF)";
        else if (owner >= 0 && ioctl(fd, TUNSETOWNER, static_cast<unsigned long>(owner)) != 0) step = "ioctl(TUNSETOWNER)";
        else if (group >= 0 && ioctl(fd, TUNSETGROUP, static_cast<unsigned long>(group)) != 0) step = "ioctl(TUNSETGROUP)";
        else if (ioctl(fd, TUNSETPERSIST, 1UL) != 0) step = "ioctl(TUNSETPERSIST)";
        if (step != nullptr) {
          r.err = errno;
          r.syscall = step;
          r.path = name;
        } else {
          r.data.assign(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));
        }
        close(fd);  // a non-persistent device (failure above) disappears with its last fd
      },
      [](Napi::Env env, TaskResult& r) { return Napi::String::New(env, r.data); });
}

}  // namespace

void InitTun(Napi::Env env, Napi::Object exports) {
  exports.Set("createTun", Napi::Function::New(env, CreateTun, "createTun"));
}

}  // namespace nk
