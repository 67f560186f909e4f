// Advisory file locks for state shared between processes (network records, IPAM).
// flock() can wait for as long as another process holds the lock, so it runs on a
// short-lived helper thread (RunOnFreshThread): the main thread never blocks. The lock
// belongs to the open file description; the caller owns the returned fd and releases
// the lock by closing it (or by exiting: the kernel drops it with the last fd).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "common.h"

namespace nk {
namespace {

// lockFile(path, exclusive, wait): Promise<number> — an fd holding flock(LOCK_EX or LOCK_SH)
// on path (created 0600 if missing). wait=false uses LOCK_NB and rejects with EWOULDBLOCK.
Napi::Value LockFile(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>().Utf8Value();
  bool exclusive = info[1].As<Napi::Boolean>().Value();
  bool wait = info.Length() < 3 || info[2].As<Napi::Boolean>().Value();
  return RunOnFreshThread(
      info.Env(), -1,
      [=](TaskResult& r) {
        int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
          r.err = errno;
          r.syscall = "open";
          r.path = path;
          return;
        }
        int op = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
        int rc;
        do rc = flock(fd, op);
        while (rc != 0 && errno == EINTR);
        if (rc != 0) {
          r.err = errno;
          r.syscall = "flock";
          r.path = path;
          close(fd);
          return;
        }
        r.fd = fd;
      },
      TakeFd);
}

}  // namespace

void InitLock(Napi::Env env, Napi::Object exports) {
  exports.Set("lockFile", Napi::Function::New(env, LockFile, "lockFile"));
}

}  // namespace nk
