// Network namespace primitives: create/delete named namespaces the way iproute2 does,
// open sockets and files inside a namespace from a helper thread, and run
// synchronous JavaScript on the main thread inside a namespace with a guaranteed return.
#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/sockios.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "common.h"

namespace nk {
namespace {

int ArgInt(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }
std::string ArgStr(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::String>().Utf8Value(); }

void Fail(TaskResult& r, const char* syscall, const std::string& path = "") {
  r.err = errno;
  r.syscall = syscall;
  r.path = path;
}

// openSocket(nsFd, domain, type, protocol): Promise<number>
// The socket is created by a helper thread that entered nsFd first, so it belongs to
// that namespace for its whole life. SOCK_CLOEXEC and SOCK_NONBLOCK are always set.
Napi::Value OpenSocket(const Napi::CallbackInfo& info) {
  int nsFd = ArgInt(info, 0), domain = ArgInt(info, 1), type = ArgInt(info, 2), proto = ArgInt(info, 3);
  return RunOnFreshThread(
      info.Env(), nsFd,
      [=](TaskResult& r) {
        r.fd = socket(domain, type | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
        if (r.fd < 0) Fail(r, "socket");
      },
      [](Napi::Env env, TaskResult& r) { return Napi::Number::New(env, r.fd); });
}

// socketNamespace(fd): number — an fd for the network namespace a socket belongs to (SIOCGSKNS).
Napi::Value SocketNamespace(const Napi::CallbackInfo& info) {
  int fd = ArgInt(info, 0);
  int nsfd = ioctl(fd, SIOCGSKNS);
  if (nsfd < 0) {
    SysError(info.Env(), errno, "ioctl(SIOCGSKNS)").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  fcntl(nsfd, F_SETFD, FD_CLOEXEC);
  return Napi::Number::New(info.Env(), nsfd);
}

// namespaceType(fd): number — the CLONE_NEW* type of a namespace fd (NS_GET_NSTYPE), e.g.
// CLONE_NEWNET; throws EINVAL/ENOTTY when fd is not a namespace.
Napi::Value NamespaceType(const Napi::CallbackInfo& info) {
  int type = ioctl(ArgInt(info, 0), NS_GET_NSTYPE);
  if (type < 0) {
    SysError(info.Env(), errno, "ioctl(NS_GET_NSTYPE)").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  return Napi::Number::New(info.Env(), type);
}

// Makes runDir a shared mount point (bind-mounting it onto itself first if it is not a
// mount point), as `ip netns add` does, so namespace mounts propagate between mount
// namespaces. Serialised with flock() on the directory so two creators never stack mounts.
bool PrepareRunDir(const std::string& runDir, TaskResult& r) {
  if (mkdir(runDir.c_str(), 0755) != 0 && errno != EEXIST) {
    Fail(r, "mkdir", runDir);
    return false;
  }
  int lock = open(runDir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock < 0) {
    Fail(r, "open", runDir);
    return false;
  }
  bool ok = true;
  if (flock(lock, LOCK_EX) != 0) {
    Fail(r, "flock", runDir);
    ok = false;
  }
  bool madeMount = false;
  while (ok && mount("", runDir.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
    if (errno != EINVAL || madeMount) {
      Fail(r, "mount(MS_SHARED)", runDir);
      ok = false;
      break;
    }
    if (mount(runDir.c_str(), runDir.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0) {
      Fail(r, "mount(MS_BIND)", runDir);
      ok = false;
      break;
    }
    madeMount = true;
  }
  close(lock);  // releases the flock
  return ok;
}

// Creating and deleting named namespaces runs on two pools of reusable threads (one each, so a
// deletion never waits behind creations): a thread per call would cost more than the kernel's
// own work here (thread start and exit), and creations beyond the number of CPUs only contend
// for the same kernel locks (every new namespace registers its loopback under rtnl_lock).
int PoolSize() {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 2 ? 2 : n > 8 ? 8 : static_cast<int>(n);
}
ThreadPool* CreatePool() {
  static ThreadPool* pool = NewThreadPool(PoolSize(), 1000);
  return pool;
}
ThreadPool* DeletePool() {
  static ThreadPool* pool = NewThreadPool(PoolSize(), 1000);
  return pool;
}

// createNamespace(runDir, name, homeFd): Promise<{ fd, dev, ino }>
// 1. prepare runDir (once per burst of creations on a pool thread); 2. create runDir/name
// exclusively (EEXIST names the path); 3. unshare(CLONE_NEWNET) and bind-mount
// /proc/thread-self/ns/net onto the file; 4. open the file: an fd (close-on-exec) on the new
// namespace, with its device and inode; 5. setns() the thread back into homeFd (the caller
// keeps it open for the life of the process; -1 or a failing setns: the thread leaves the
// pool instead, a thread inside the new namespace would keep it alive). On any failure after
// step 2 the file is removed again.
Napi::Value CreateNamespace(const Napi::CallbackInfo& info) {
  std::string runDir = ArgStr(info, 0), name = ArgStr(info, 1);
  int home = ArgInt(info, 2);
  return RunOnPool(
      info.Env(), CreatePool(),
      [runDir, name, home](TaskResult& r) {
        PoolThreadState* pt = CurrentPoolThread();
        if (pt == nullptr || pt->prepared != runDir) {
          if (!PrepareRunDir(runDir, r)) return;
          if (pt != nullptr) pt->prepared = runDir;
        }
        std::string path = runDir + "/" + name;
        int fd = open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
        if (fd < 0) {
          Fail(r, "open", path);
          return;
        }
        close(fd);
        if (unshare(CLONE_NEWNET) != 0) {
          Fail(r, "unshare(CLONE_NEWNET)", path);
          unlink(path.c_str());
          return;
        }
        if (mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
          Fail(r, "mount(MS_BIND)", path);
          unlink(path.c_str());
        } else {
          struct stat st;
          r.fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
          if (r.fd < 0 || fstat(r.fd, &st) != 0) {
            Fail(r, r.fd < 0 ? "open" : "fstat", path);
            umount2(path.c_str(), MNT_DETACH);
            unlink(path.c_str());
          } else {
            r.dev = static_cast<double>(st.st_dev);
            r.ino = static_cast<double>(st.st_ino);
          }
        }
        // leave the new namespace: a thread inside it would keep it alive
        if (pt != nullptr && (home < 0 || setns(home, CLONE_NEWNET) != 0)) pt->retire = true;
      },
      [](Napi::Env env, TaskResult& r) {
        Napi::Object o = Napi::Object::New(env);
        o.Set("fd", Napi::Number::New(env, r.fd));
        o.Set("dev", Napi::Number::New(env, r.dev));
        o.Set("ino", Napi::Number::New(env, r.ino));
        return o;
      });
}

// deleteNamespace(path): Promise<void> — detach-unmount, then unlink, like `ip netns delete`.
// A file that is not a mount point (a stale leftover) is still removed.
Napi::Value DeleteNamespace(const Napi::CallbackInfo& info) {
  std::string path = ArgStr(info, 0);
  return RunOnPool(info.Env(), DeletePool(), [path](TaskResult& r) {
    if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL) {
      Fail(r, "umount2", path);
      return;
    }
    if (unlink(path.c_str()) != 0) Fail(r, "unlink", path);
  }, nullptr);
}

// openIn(nsFd, path, flags): Promise<number> — opens path from a helper thread inside the
// namespace (nsFd -1: the caller's) and returns the fd, close-on-exec. For /proc/sys/net and
// /proc/thread-self/net, whose contents are those of the namespace of the task that opens
// them: the open file keeps that namespace's view, so JavaScript reads and writes it
// afterwards with fs. flags: O_RDONLY, O_WRONLY or O_RDWR (nothing that creates files).
Napi::Value OpenIn(const Napi::CallbackInfo& info) {
  int nsFd = ArgInt(info, 0);
  std::string path = ArgStr(info, 1);
  int flags = ArgInt(info, 2) & O_ACCMODE;
  return RunOnFreshThread(
      info.Env(), nsFd,
      [path, flags](TaskResult& r) {
        r.fd = open(path.c_str(), flags | O_CLOEXEC | O_NOCTTY);
        if (r.fd < 0) Fail(r, "open", path);
      },
      [](Napi::Env env, TaskResult& r) { return Napi::Number::New(env, r.fd); });
}

// runIn(nsFd, fn): calls fn() on the main thread inside the namespace and always switches
// back before returning, also when fn throws. If switching back fails the process is in
// an unknown namespace; continuing would silently configure the wrong one, so it aborts.
Napi::Value RunIn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int nsFd = ArgInt(info, 0);
  Napi::Function fn = info[1].As<Napi::Function>();
  int saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (saved < 0) {
    SysError(env, errno, "open", "/proc/thread-self/ns/net").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (setns(nsFd, CLONE_NEWNET) != 0) {
    int err = errno;
    close(saved);
    SysError(env, err, "setns").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Value result = fn.Call(env.Undefined(), {});
  if (setns(saved, CLONE_NEWNET) != 0) {
    Napi::Error::Fatal("netns-kit runIn", "could not return the main thread to its network namespace");
  }
  close(saved);
  return result;  // empty when fn threw: the pending exception propagates
}

}  // namespace

void InitNetns(Napi::Env env, Napi::Object exports) {
  exports.Set("openSocket", Napi::Function::New(env, OpenSocket, "openSocket"));
  exports.Set("socketNamespace", Napi::Function::New(env, SocketNamespace, "socketNamespace"));
  exports.Set("namespaceType", Napi::Function::New(env, NamespaceType, "namespaceType"));
  exports.Set("createNamespace", Napi::Function::New(env, CreateNamespace, "createNamespace"));
  exports.Set("deleteNamespace", Napi::Function::New(env, DeleteNamespace, "deleteNamespace"));
  exports.Set("openIn", Napi::Function::New(env, OpenIn, "openIn"));
  exports.Set("runIn", Napi::Function::New(env, RunIn, "runIn"));
}

}  // namespace nk
