// Shared helpers for the netns-kit addon: system errors and one-shot helper threads.
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
};

using Work = std::function<void(TaskResult&)>;
using Finish = std::function<Napi::Value(Napi::Env, TaskResult&)>;

// Runs `work` on a new, short-lived native thread (never libuv's shared pool).
// When nsFd >= 0 the thread first enters that network namespace with setns();
// the thread exits afterwards, so a thread that changed namespace is never reused.
// Returns a Promise resolved on the main thread with finish(result), or rejected
// with a SysError when result.err != 0.
Napi::Value RunOnFreshThread(Napi::Env env, int nsFd, Work work, Finish finish);

// A Finish that hands result.fd to JavaScript as a number (ownership passes with it).
Napi::Value TakeFd(Napi::Env env, TaskResult& r);

}  // namespace nk
