// Shared helpers for the netns-kit addon: system errors, one-shot helper threads and the
// pools of reusable threads that create and delete named namespaces.
#pragma once

#include <napi.h>

#include <functional>
#include <string>

namespace nk {

// A JavaScript Error carrying what a person needs to act on a failed syscall:
// `errno` (positive number), `code` ("EEXIST"), `syscall` and optionally `path`.
Napi::Error SysError(Napi::Env env, int err, const char* syscall, const std::string& path = "");

// What a helper-thread operation produced.
struct TaskResult {
  int err = 0;                  // errno of the failing step, 0 on success
  const char* syscall = "";     // the failing step
  std::string path;             // the path the failing step used, if any
  int fd = -1;                  // an fd produced by the operation
  std::string data;             // bytes read by the operation
  double dev = 0, ino = 0;      // device and inode of a file the operation made
};

using Work = std::function<void(TaskResult&)>;
using Finish = std::function<Napi::Value(Napi::Env, TaskResult&)>;

// Runs `work` on a new, short-lived native thread (never libuv's shared pool).
// When nsFd >= 0 the thread first enters that network namespace with setns();
// the thread exits afterwards, so a thread that changed namespace is never reused.
// Returns a Promise resolved on the main thread with finish(result), or rejected
// with a SysError when result.err != 0.
Napi::Value RunOnFreshThread(Napi::Env env, int nsFd, Work work, Finish finish);

// A set of reusable native threads (never libuv's shared pool) for short kernel work whose
// thread ends every task in the namespace it started it in. Threads start on demand while
// every running one is busy, at most `max` of them, and leave after `idle` without work.
// One pool per kind of work, so work of one kind never waits behind another kind's.
class ThreadPool;
ThreadPool* NewThreadPool(int max, int idleMs);

// Runs `work` on a thread of `pool` (no setns first: a work that changes the thread's network
// namespace must return it to where it was, or set CurrentPoolThread()->retire so the thread
// exits afterwards). Same promise as RunOnFreshThread.
Napi::Value RunOnPool(Napi::Env env, ThreadPool* pool, Work work, Finish finish);

// Pool-thread state for the task running now (nullptr on a fresh thread). `prepared` lasts
// while the thread goes from one queued task to the next without waiting (a burst); it is
// cleared whenever the thread waits for work.
struct PoolThreadState {
  std::string prepared;  // what the work prepared during this burst (for netns: the run dir)
  bool retire = false;   // leave after this task (its namespace could not be restored)
};
PoolThreadState* CurrentPoolThread();

// A Finish that hands result.fd to JavaScript as a number (ownership passes with it).
Napi::Value TakeFd(Napi::Env env, TaskResult& r);

}  // namespace nk
