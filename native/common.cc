#include "common.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>

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

// Node deletes a thread-safe function when its environment is torn down (a worker
// terminated, the process exiting) even while threads still hold it; touching it afterwards
// is a use-after-free. Its finalizer marks this flag, under a mutex the thread holds while it
// calls and releases the function.
struct TsfnGuard {
  std::mutex mu;
  bool gone = false;
};

void OnTsfnFinalized(napi_env, void* data, void*) {
  auto* holder = static_cast<std::shared_ptr<TsfnGuard>*>(data);
  {
    std::lock_guard<std::mutex> lk((*holder)->mu);
    (*holder)->gone = true;
  }
  delete holder;
}

struct Task {
  napi_deferred deferred = nullptr;
  napi_threadsafe_function tsfn = nullptr;
  std::shared_ptr<TsfnGuard> guard = std::make_shared<TsfnGuard>();
  Work work;
  Finish finish;
  TaskResult result;
  int nsFd = -1;  // our own dup, closed by the thread
};

// Frees a task whose result nobody will receive (the environment is gone): the fd it
// produced would otherwise stay open for the life of the process.
void Discard(Task* task) {
  if (task->result.fd >= 0) close(task->result.fd);
  if (task->nsFd >= 0) close(task->nsFd);
  delete task;
}

// Runs on the main thread (env != nullptr), or at environment teardown with env == nullptr
// for calls still queued: then nothing can be settled and the task is discarded.
void Settle(napi_env rawEnv, napi_value /*js_cb*/, void* /*context*/, void* data) {
  Task* task = static_cast<Task*>(data);
  if (rawEnv == nullptr) return Discard(task);
  Napi::Env env(rawEnv);
  Napi::HandleScope scope(env);
  napi_status st;
  if (task->result.err != 0) {
    if (task->result.fd >= 0) {
      close(task->result.fd);
      task->result.fd = -1;
    }
    st = napi_reject_deferred(env, task->deferred, SysError(env, task->result.err, task->result.syscall, task->result.path).Value());
  } else {
    Napi::Value v = task->finish ? task->finish(env, task->result) : env.Undefined();
    if (env.IsExceptionPending()) {
      st = napi_reject_deferred(env, task->deferred, env.GetAndClearPendingException().Value());
    } else {
      st = napi_resolve_deferred(env, task->deferred, v);
      if (st == napi_ok) task->result.fd = -1;  // JavaScript owns it now
    }
  }
  if (st != napi_ok && env.IsExceptionPending()) env.GetAndClearPendingException();
  Discard(task);  // closes the fd only if it was not handed over
}

// Hands a finished task to the main thread (Settle), or discards it when its environment is
// gone. The task may be freed when this returns.
void Post(Task* task) {
  napi_threadsafe_function tsfn = task->tsfn;  // task may be freed once the call is queued
  std::shared_ptr<TsfnGuard> guard = task->guard;
  std::lock_guard<std::mutex> lk(guard->mu);
  if (guard->gone) {
    Discard(task);  // the environment is gone: nobody will receive the result
  } else if (napi_call_threadsafe_function(tsfn, task, napi_tsfn_blocking) != napi_ok) {
    // napi_closing: the environment is being torn down; the failed call released this
    // thread's hold on tsfn, and nobody will receive the result.
    Discard(task);
  } else {
    napi_release_threadsafe_function(tsfn, napi_tsfn_release);
  }
}

// Device and inode of this thread's network namespace.
bool OwnNamespace(struct stat& st) { return stat("/proc/thread-self/ns/net", &st) == 0; }

// Runs a task on the calling helper thread (entering task->nsFd first, if given) and hands
// the result to the main thread; the task may be freed when this returns.
void Execute(Task* task) {
  if (task->nsFd >= 0) {
    // A thread starts in the namespace of the thread that created it. When that already is
    // the target, no setns() is needed — and none is made, so an unprivileged process can
    // work in its own namespace (setns needs CAP_SYS_ADMIN even for the current one).
    struct stat target, own;
    bool same = fstat(task->nsFd, &target) == 0 && OwnNamespace(own) && target.st_dev == own.st_dev && target.st_ino == own.st_ino;
    if (!same && setns(task->nsFd, CLONE_NEWNET) != 0) {
      task->result.err = errno;
      task->result.syscall = "setns";
    }
    close(task->nsFd);
    task->nsFd = -1;
  }
  if (task->result.err == 0) task->work(task->result);
  Post(task);
}

void* ThreadMain(void* arg) {
  Execute(static_cast<Task*>(arg));
  return nullptr;
}

thread_local PoolThreadState* tlPoolThread = nullptr;

// Starts a detached helper thread with the addon's stack size; 0 or the error.
int StartThread(void* (*main)(void*), void* arg) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t tid;
  int rc = pthread_create(&tid, &attr, main, arg);
  pthread_attr_destroy(&attr);
  return rc;
}

}  // namespace

class ThreadPool {
 public:
  ThreadPool(int max, int idleMs) : max_(max), idle_(idleMs) {}

  // Queues a task, starting a thread when every running one is busy (and fewer than max run).
  void Submit(Task* task) {
    std::unique_lock<std::mutex> lk(mu_);
    queue_.push_back(task);
    bool spawn = queue_.size() > static_cast<size_t>(waiting_) && threads_ < max_;
    if (spawn) threads_++;
    lk.unlock();
    cv_.notify_one();
    if (spawn) Spawn();
  }

 private:
  // Starts one more thread (threads_ already counts it). If none can start and none runs,
  // the queued tasks fail with the error: nobody else would ever take them.
  void Spawn() {
    int rc = StartThread(Main, this);
    if (rc == 0) return;
    std::deque<Task*> orphans;
    {
      std::lock_guard<std::mutex> lk(mu_);
      threads_--;
      if (threads_ == 0) orphans.swap(queue_);
    }
    for (Task* t : orphans) {
      t->result.err = rc;
      t->result.syscall = "pthread_create";
      Post(t);
    }
  }

  static void* Main(void* arg) {
    static_cast<ThreadPool*>(arg)->Run();
    return nullptr;
  }

  void Run() {
    PoolThreadState self;
    tlPoolThread = &self;
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      if (queue_.empty()) {
        self.prepared.clear();
        waiting_++;
        cv_.wait_for(lk, idle_, [this] { return !queue_.empty(); });
        waiting_--;
        if (queue_.empty()) break;
      }
      Task* task = queue_.front();
      queue_.pop_front();
      lk.unlock();
      Execute(task);
      lk.lock();
      if (self.retire) break;
    }
    // A retiring thread leaves queued work to the others, or to its replacement.
    bool replace = self.retire && !queue_.empty() && waiting_ == 0;
    if (!replace) threads_--;
    lk.unlock();
    tlPoolThread = nullptr;
    if (replace) Spawn();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task*> queue_;
  int threads_ = 0;  // running
  int waiting_ = 0;  // waiting for work
  const int max_;
  const std::chrono::milliseconds idle_;
};

ThreadPool* NewThreadPool(int max, int idleMs) { return new ThreadPool(max, idleMs); }

PoolThreadState* CurrentPoolThread() { return tlPoolThread; }

Napi::Value TakeFd(Napi::Env env, TaskResult& r) {
  int fd = r.fd;
  r.fd = -1;  // ownership passes to JavaScript
  return Napi::Number::New(env, fd);
}

namespace {

// Makes the task for a helper-thread call (its promise in *promise); nullptr after rejecting
// that promise when the task cannot be made (an fd could not be duplicated).
Task* NewTask(Napi::Env env, int nsFd, Work work, Finish finish, napi_value* promise) {
  Task* task = new Task();
  if (napi_create_promise(env, &task->deferred, promise) != napi_ok) {
    delete task;
    *promise = nullptr;
    return nullptr;  // an exception is pending
  }
  auto fail = [&](int err, const char* syscall) -> Task* {
    if (task->tsfn != nullptr) napi_release_threadsafe_function(task->tsfn, napi_tsfn_release);
    if (task->nsFd >= 0) close(task->nsFd);
    if (env.IsExceptionPending()) env.GetAndClearPendingException();
    napi_reject_deferred(env, task->deferred, SysError(env, err, syscall).Value());
    delete task;
    return nullptr;
  };
  if (nsFd >= 0) {
    task->nsFd = fcntl(nsFd, F_DUPFD_CLOEXEC, 0);
    if (task->nsFd < 0) return fail(errno, "dup");
  }
  task->work = std::move(work);
  task->finish = std::move(finish);
  napi_value name;
  if (napi_create_string_utf8(env, "netns-kit:helper-thread", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, new std::shared_ptr<TsfnGuard>(task->guard),
                                      OnTsfnFinalized, nullptr, Settle, &task->tsfn) != napi_ok) {
    task->tsfn = nullptr;
    return fail(EAGAIN, "napi_create_threadsafe_function");
  }
  return task;
}

}  // namespace

Napi::Value RunOnFreshThread(Napi::Env env, int nsFd, Work work, Finish finish) {
  napi_value promise;
  Task* task = NewTask(env, nsFd, std::move(work), std::move(finish), &promise);
  if (task == nullptr) return promise == nullptr ? env.Undefined() : Napi::Value(env, promise);
  int rc = StartThread(ThreadMain, task);
  if (rc != 0) {
    // nothing ran: settle it here, through the same path as a failed task
    task->result.err = rc;
    task->result.syscall = "pthread_create";
    Post(task);
  }
  return Napi::Value(env, promise);
}

Napi::Value RunOnPool(Napi::Env env, ThreadPool* pool, Work work, Finish finish) {
  napi_value promise;
  Task* task = NewTask(env, -1, std::move(work), std::move(finish), &promise);
  if (task == nullptr) return promise == nullptr ? env.Undefined() : Napi::Value(env, promise);
  pool->Submit(task);
  return Napi::Value(env, promise);
}

}  // namespace nk
