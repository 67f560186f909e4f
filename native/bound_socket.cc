// A socket bound (and, for streams, listening) inside a network namespace, made on a
// short-lived helper thread that entered it: servers a process runs inside containers (the
// embedded DNS resolver on 127.0.0.11:53). Node can adopt a bound fd (dgram bind({ fd }),
// net.Server listen({ fd })) but cannot bind a raw fd itself.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common.h"

namespace nk {
namespace {

// openBoundSocket(nsFd, family 4|6, stream, address, port, backlog): Promise<number>
Napi::Value OpenBoundSocket(const Napi::CallbackInfo& info) {
  int nsFd = info[0].As<Napi::Number>().Int32Value();
  int family = info[1].As<Napi::Number>().Int32Value() == 6 ? AF_INET6 : AF_INET;
  bool stream = info[2].As<Napi::Boolean>().Value();
  std::string address = info[3].As<Napi::String>().Utf8Value();
  int port = info[4].As<Napi::Number>().Int32Value();
  int backlog = info[5].As<Napi::Number>().Int32Value();
  return RunOnFreshThread(
      info.Env(), nsFd,
      [=](TaskResult& r) {
        sockaddr_storage ss;
        std::memset(&ss, 0, sizeof ss);
        socklen_t len;
        void* where;
        if (family == AF_INET) {
          auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
          sin->sin_port = htons(static_cast<uint16_t>(port));
          where = &sin->sin_addr;
          len = sizeof(sockaddr_in);
        } else {
          auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
          sin6->sin6_port = htons(static_cast<uint16_t>(port));
          where = &sin6->sin6_addr;
          len = sizeof(sockaddr_in6);
        }
        ss.ss_family = static_cast<sa_family_t>(family);
        if (inet_pton(family, address.c_str(), where) != 1) {
          r.err = EINVAL;
          r.syscall = "inet_pton";
          r.path = address;
          return;
        }
        int fd = socket(family, (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
          r.err = errno;
          r.syscall = "socket";
          return;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        const char* step = nullptr;
        if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) step = "bind";
        else if (stream && listen(fd, backlog) != 0) step = "listen";
        if (step != nullptr) {
          r.err = errno;
          r.syscall = step;
          r.path = address + ":" + std::to_string(port);
          close(fd);
          return;
        }
        r.fd = fd;
      },
      TakeFd);
}

// netnsCookie(nsFd): Promise<string> — the namespace's cookie (SO_NETNS_COOKIE, Linux 5.14+), a
// 64-bit number unique for the namespace's lifetime and never reused until reboot (its inode
// number is reused at once). Read from a socket made inside it on a helper thread.
Napi::Value NetnsCookie(const Napi::CallbackInfo& info) {
  int nsFd = info[0].As<Napi::Number>().Int32Value();
  return RunOnFreshThread(
      info.Env(), nsFd,
      [](TaskResult& r) {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
          r.err = errno;
          r.syscall = "socket";
          return;
        }
        uint64_t cookie = 0;
        socklen_t len = sizeof cookie;
        if (getsockopt(fd, SOL_SOCKET, 71 /* SO_NETNS_COOKIE */, &cookie, &len) != 0) {
          r.err = errno;
          r.syscall = "getsockopt(SO_NETNS_COOKIE)";
        } else {
          r.data = std::to_string(cookie);
        }
        close(fd);
      },
      [](Napi::Env env, TaskResult& r) { return Napi::String::New(env, r.data); });
}

}  // namespace

void InitBoundSocket(Napi::Env env, Napi::Object exports) {
  exports.Set("openBoundSocket", Napi::Function::New(env, OpenBoundSocket, "openBoundSocket"));
  exports.Set("netnsCookie", Napi::Function::New(env, NetnsCookie, "netnsCookie"));
}

}  // namespace nk
