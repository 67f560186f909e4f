#include "common.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <cstring>

namespace nk {

Napi::Error SysError(Napi::Env env, int err, const char* syscall, const std::string& path) {
  std::string msg = std::string(uv_err_name(-err)) + ": " + std::strerror(err) + ", " + syscall;
  if (!path.empty()) msg += " '" + path + "'";
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("code", Napi::String::New(env, uv_err_name(-err)));
  e.Set("syscall", Napi::String::New(env, syscall));
  if (!path.empty()) e.Set("path", Napi::String::New(env, path));
  return e;
}

namespace {

struct Task {
  Napi::Promise::Deferred deferred;
  Napi::ThreadSafeFunction tsfn;
  Work work;
  Finish finish;
  TaskResult result;
  int nsFd = -1;  // our own dup, closed by the thread
};

void Settle(Napi::Env env, Napi::Function, Task* task) {
  if (env != nullptr) {
    Napi::HandleScope scope(env);
    if (task->result.err != 0) {
      task->deferred.Reject(SysError(env, task->result.err, task->result.syscall, task->result.path).Value());
    } else {
      Napi::Value v = task->finish ? task->finish(env, task->result) : env.Undefined();
      if (env.IsExceptionPending()) {
        task->deferred.Reject(env.GetAndClearPendingException().Value());
      } else {
        task->deferred.Resolve(v);
      }
    }
  } else if (task->result.fd >= 0) {
    close(task->result.fd);  // environment is gone: nobody will own the fd
  }
  delete task;
}

void* ThreadMain(void* arg) {
  Task* task = static_cast<Task*>(arg);
  if (task->nsFd >= 0) {
    if (setns(task->nsFd, CLONE_NEWNET) != 0) {
      task->result.err = errno;
      task->result.syscall = "setns";
    }
    close(task->nsFd);
    task->nsFd = -1;
  }
  if (task->result.err == 0) task->work(task->result);
  Napi::ThreadSafeFunction tsfn = task->tsfn;  // task may be freed once the call is queued
  tsfn.BlockingCall(task, Settle);
  tsfn.Release();
  return nullptr;
}

}  // namespace

Napi::Value TakeFd(Napi::Env env, TaskResult& r) {
  int fd = r.fd;
  r.fd = -1;  // ownership passes to JavaScript
  return Napi::Number::New(env, fd);
}

Napi::Value RunOnFreshThread(Napi::Env env, int nsFd, Work work, Finish finish) {
  auto deferred = Napi::Promise::Deferred::New(env);
  int dupFd = -1;
  if (nsFd >= 0) {
    dupFd = fcntl(nsFd, F_DUPFD_CLOEXEC, 0);
    if (dupFd < 0) {
      deferred.Reject(SysError(env, errno, "dup").Value());
      return deferred.Promise();
    }
  }
  Task* task = new Task{deferred, Napi::ThreadSafeFunction(), std::move(work), std::move(finish), TaskResult(), dupFd};
  task->tsfn = Napi::ThreadSafeFunction::New(env, Napi::Function(), "netns-kit:helper-thread", 0, 1);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t tid;
  int rc = pthread_create(&tid, &attr, ThreadMain, task);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    task->tsfn.Release();
    if (dupFd >= 0) close(dupFd);
    Napi::Promise p = deferred.Promise();
    deferred.Reject(SysError(env, rc, "pthread_create").Value());
    delete task;
    return p;
  }
  return deferred.Promise();
}

}  // namespace nk
