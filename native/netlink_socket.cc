// NetlinkSocket: a netlink socket (already created, possibly inside another namespace)
// whose receive side is polled by libuv on the main thread and whose send side runs on
// a dedicated writer thread, so the main thread never waits for the kernel (rtnl_lock,
// slow device teardown) nor blocks in recv.
//
// JavaScript sees:  new NetlinkSocket(fd, onData)
//   onData(buffer, 0, 0)          one or more whole datagrams from the kernel, each padded to 4 bytes
//   onData(undefined, errno, 0)   a receive error (ENOBUFS: the kernel dropped messages)
//   onData(undefined, errno, id)  sending batch `id` failed with errno
//   send(buffer, id), setOption(level, name, int), getOption(level, name), ref(), unref(),
//   pause(), resume(), close(),
//   portId, fd, stats()
#include <linux/netlink.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <vector>

#include "common.h"

namespace nk {
namespace {

constexpr size_t kMinSpare = 64 * 1024;         // room kept free before each receive
constexpr size_t kCopyBelow = 16 * 1024;        // smaller deliveries are copied, larger handed over
constexpr size_t kMaxPerWakeup = 4 * 1024 * 1024;
constexpr int kMaxDatagramsPerWakeup = 1024;

struct Batch {
  std::vector<uint8_t> data;
  uint32_t id;
};

struct Failure {
  uint32_t id;
  int err;
};

struct Core {
  int fd = -1;
  uint32_t portId = 0;
  napi_env env = nullptr;
  Napi::FunctionReference onData;
  Napi::AsyncContext* asyncContext = nullptr;
  uv_poll_t poll;
  uv_async_t async;
  int openHandles = 0;
  bool closed = false;
  bool paused = false;  // JS called pause(): do not restart polling by ourselves

  // receive buffer (main thread only)
  uint8_t* buf = nullptr;
  size_t cap = 0;

  // writer thread
  pthread_t writer;
  bool writerStarted = false;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Batch> queue;
  bool stopping = false;
  std::vector<Failure> failures;

  // counters
  double datagrams = 0, bytes = 0, foreignDropped = 0, overflows = 0;
};

void* WriterMain(void* arg) {
  Core* c = static_cast<Core*>(arg);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  std::unique_lock<std::mutex> lk(c->mu);
  for (;;) {
    c->cv.wait(lk, [c] { return c->stopping || !c->queue.empty(); });
    if (c->stopping) break;
    std::deque<Batch> work;
    work.swap(c->queue);
    lk.unlock();
    std::vector<Failure> failed;
    for (Batch& b : work) {
      ssize_t n;
      do n = sendto(c->fd, b.data.data(), b.data.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
      while (n < 0 && errno == EINTR);
      if (n < 0) failed.push_back({b.id, errno});
    }
    lk.lock();
    if (!failed.empty()) {
      c->failures.insert(c->failures.end(), failed.begin(), failed.end());
      uv_async_send(&c->async);
    }
  }
  return nullptr;
}

// Stops reading for good when JavaScript can no longer run (the environment is being torn
// down: a natural exit or a terminated worker while the socket was open). Calling into JS
// then would fail, and node-addon-api turns that failure into a fatal error.
void StopForTeardown(Core* c) {
  if (!c->closed) uv_poll_stop(&c->poll);
}

// Calls onData(buffer, err, id). Returns false when JavaScript cannot run any more.
bool Deliver(Core* c, napi_value buffer, int err, uint32_t id) {
  napi_env env = c->env;
  napi_value args[3], global, fn, result;
  if (buffer != nullptr) {
    args[0] = buffer;
  } else if (napi_get_undefined(env, &args[0]) != napi_ok) {
    return false;
  }
  if (napi_create_int32(env, err, &args[1]) != napi_ok || napi_create_uint32(env, id, &args[2]) != napi_ok ||
      napi_get_global(env, &global) != napi_ok || napi_get_reference_value(env, c->onData, &fn) != napi_ok ||
      fn == nullptr) {
    return false;
  }
  napi_status st = napi_make_callback(env, *c->asyncContext, global, fn, 3, args, &result);
  if (st == napi_ok) return true;
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_value e;
    napi_get_and_clear_last_exception(env, &e);
    napi_fatal_exception(env, e);  // an exception thrown by onData: report it as uncaught
    return true;
  }
  StopForTeardown(c);
  return false;
}

void EnsureSpare(Core* c, size_t used, size_t need) {
  if (c->cap - used >= need) return;
  size_t cap = c->cap ? c->cap : kMinSpare * 2;
  while (cap - used < need) cap *= 2;
  c->buf = static_cast<uint8_t*>(std::realloc(c->buf, cap));
  if (c->buf == nullptr) std::abort();
  c->cap = cap;
}

void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
  Core* c = static_cast<Core*>(handle->data);
  if (c->closed) return;
  Napi::HandleScope scope(Napi::Env(c->env));
  if (status < 0) {
    // libuv turns POLLERR into an error and stops the handle. On a netlink socket POLLERR
    // means sk_err is set: ENOBUFS when the kernel dropped multicast messages while nobody
    // was reading (e.g. while paused). Read (and clear) that error, report it, and go on
    // polling and reading what is still queued, as recvmsg() would after returning it.
    int err = 0;
    socklen_t len = sizeof err;
    bool cleared = getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0;
    if (!cleared) err = errno;
    if (err == 0) err = -status;
    if (err == ENOBUFS) c->overflows++;
    if (cleared && !c->paused) uv_poll_start(&c->poll, UV_READABLE, OnReadable);
    if (!Deliver(c, nullptr, err, 0)) return;  // JavaScript is gone (teardown)
    if (!cleared || c->closed || c->paused) return;
  }
  size_t used = 0;
  int count = 0;
  int recvErr = 0;
  while (count < kMaxDatagramsPerWakeup && used < kMaxPerWakeup) {
    EnsureSpare(c, used, kMinSpare);
    sockaddr_nl from{};
    iovec iov{c->buf + used, c->cap - used};
    msghdr mh{};
    mh.msg_name = &from;
    mh.msg_namelen = sizeof from;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    // Peek with MSG_TRUNC: learn the datagram's true size (and usually get its bytes).
    ssize_t n = recvmsg(c->fd, &mh, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      recvErr = errno;
      if (errno == ENOBUFS) c->overflows++;
      break;
    }
    size_t len = static_cast<size_t>(n);
    if (len > c->cap - used) {
      // Larger than the room we had: grow, then read it for real, whole.
      EnsureSpare(c, used, len + 4);
      iov = {c->buf + used, len};
      mh.msg_namelen = sizeof from;
      do n = recvmsg(c->fd, &mh, MSG_DONTWAIT);
      while (n < 0 && errno == EINTR);
    } else {
      // Already have the bytes: consume the datagram without copying it again.
      do n = recv(c->fd, nullptr, 0, MSG_DONTWAIT | MSG_TRUNC);
      while (n < 0 && errno == EINTR);
    }
    if (n < 0) {
      recvErr = errno;
      break;
    }
    if (from.nl_pid != 0) {  // not from the kernel: ignore
      c->foreignDropped++;
      continue;
    }
    c->datagrams++;
    c->bytes += static_cast<double>(len);
    size_t padded = (len + 3) & ~static_cast<size_t>(3);
    std::memset(c->buf + used + len, 0, padded - len);
    used += padded;
    count++;
  }
  if (used > 0) {
    // Raw N-API calls: they fail (instead of aborting) when the environment is shutting down.
    napi_value out = nullptr;
    napi_status st;
    if (used <= kCopyBelow) {
      st = napi_create_buffer_copy(c->env, used, c->buf, nullptr, &out);
    } else {
      st = napi_create_external_buffer(c->env, used, c->buf, [](napi_env, void* p, void*) { std::free(p); }, nullptr, &out);
      if (st == napi_ok) {
        c->buf = nullptr;  // now owned by the Buffer
        c->cap = 0;
      }
    }
    if (st != napi_ok) {
      bool pending = false;
      if (napi_is_exception_pending(c->env, &pending) == napi_ok && pending) {
        napi_value e;
        napi_get_and_clear_last_exception(c->env, &e);
      }
      StopForTeardown(c);
      return;
    }
    if (!Deliver(c, out, 0, 0)) return;
  }
  if (recvErr != 0 && !c->closed) Deliver(c, nullptr, recvErr, 0);
}

void OnAsync(uv_async_t* handle) {
  Core* c = static_cast<Core*>(handle->data);
  std::vector<Failure> failed;
  {
    std::lock_guard<std::mutex> lk(c->mu);
    failed.swap(c->failures);
  }
  if (c->closed) return;
  Napi::HandleScope scope(Napi::Env(c->env));
  for (const Failure& f : failed) {
    if (c->closed) break;
    if (!Deliver(c, nullptr, f.err, f.id)) break;
  }
}

void OnHandleClosed(uv_handle_t* handle) {
  Core* c = static_cast<Core*>(handle->data);
  if (--c->openHandles == 0) {
    std::free(c->buf);
    delete c;
  }
}

// Stops everything; safe to call twice and from a finalizer.
void CloseCore(Core* c) {
  if (c->closed) return;
  c->closed = true;
  uv_poll_stop(&c->poll);
  if (c->writerStarted) {
    {
      std::lock_guard<std::mutex> lk(c->mu);
      c->stopping = true;
    }
    c->cv.notify_all();
    pthread_join(c->writer, nullptr);
  }
  close(c->fd);
  c->fd = -1;
  c->onData.Reset();
  delete c->asyncContext;
  c->asyncContext = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&c->poll), OnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&c->async), OnHandleClosed);
}

class NetlinkSocket : public Napi::ObjectWrap<NetlinkSocket> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NetlinkSocket",
                       {
                           InstanceMethod<&NetlinkSocket::Send>("send"),
                           InstanceMethod<&NetlinkSocket::SetOption>("setOption"),
                           InstanceMethod<&NetlinkSocket::GetOption>("getOption"),
                           InstanceMethod<&NetlinkSocket::Ref>("ref"),
                           InstanceMethod<&NetlinkSocket::Unref>("unref"),
                           InstanceMethod<&NetlinkSocket::Pause>("pause"),
                           InstanceMethod<&NetlinkSocket::Resume>("resume"),
                           InstanceMethod<&NetlinkSocket::Close>("close"),
                           InstanceMethod<&NetlinkSocket::Stats>("stats"),
                           InstanceAccessor<&NetlinkSocket::PortId>("portId"),
                           InstanceAccessor<&NetlinkSocket::Fd>("fd"),
                       });
  }

  // new NetlinkSocket(fd, onData): takes ownership of fd (closed on close() or on failure).
  explicit NetlinkSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NetlinkSocket>(info) {
    Napi::Env env = info.Env();
    int fd = info[0].As<Napi::Number>().Int32Value();
    Napi::Function onData = info[1].As<Napi::Function>();
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    socklen_t len = sizeof sa;
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
      int err = errno;
      close(fd);
      SysError(env, err, "bind").ThrowAsJavaScriptException();
      return;
    }
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    core_ = new Core();
    core_->fd = fd;
    core_->portId = sa.nl_pid;
    core_->env = env;
    core_->onData = Napi::Persistent(onData);
    core_->asyncContext = new Napi::AsyncContext(env, "netns-kit:netlink");
    int rc = uv_poll_init(loop, &core_->poll, fd);
    if (rc != 0) {
      close(fd);
      core_->onData.Reset();
      delete core_->asyncContext;
      delete core_;
      core_ = nullptr;
      SysError(env, -rc, "uv_poll_init").ThrowAsJavaScriptException();
      return;
    }
    core_->poll.data = core_;
    uv_async_init(loop, &core_->async, OnAsync);
    core_->async.data = core_;
    core_->openHandles = 2;
    uv_unref(reinterpret_cast<uv_handle_t*>(&core_->async));
    uv_unref(reinterpret_cast<uv_handle_t*>(&core_->poll));  // idle sockets do not keep the process alive
    uv_poll_start(&core_->poll, UV_READABLE, OnReadable);
    if (pthread_create(&core_->writer, nullptr, WriterMain, core_) == 0) {
      core_->writerStarted = true;
    } else {
      int err = errno;
      CloseCore(core_);
      core_ = nullptr;
      SysError(env, err, "pthread_create").ThrowAsJavaScriptException();
    }
  }

  ~NetlinkSocket() override {
    if (core_ != nullptr) CloseCore(core_);
  }

 private:
  bool Open(Napi::Env env) {
    if (core_ != nullptr && !core_->closed) return true;
    SysError(env, EBADF, "netlink socket is closed").ThrowAsJavaScriptException();
    return false;
  }

  // send(buffer, id): queues one datagram (one or more netlink messages) for the writer thread.
  Napi::Value Send(const Napi::CallbackInfo& info) {
    if (!Open(info.Env())) return info.Env().Undefined();
    auto buf = info[0].As<Napi::Buffer<uint8_t>>();
    uint32_t id = info[1].As<Napi::Number>().Uint32Value();
    Batch b{std::vector<uint8_t>(buf.Data(), buf.Data() + buf.Length()), id};
    {
      std::lock_guard<std::mutex> lk(core_->mu);
      core_->queue.push_back(std::move(b));
    }
    core_->cv.notify_one();
    return info.Env().Undefined();
  }

  Napi::Value SetOption(const Napi::CallbackInfo& info) {
    if (!Open(info.Env())) return info.Env().Undefined();
    int level = info[0].As<Napi::Number>().Int32Value();
    int name = info[1].As<Napi::Number>().Int32Value();
    int value = info[2].As<Napi::Number>().Int32Value();
    if (setsockopt(core_->fd, level, name, &value, sizeof value) != 0) {
      SysError(info.Env(), errno, "setsockopt").ThrowAsJavaScriptException();
    }
    return info.Env().Undefined();
  }

  Napi::Value GetOption(const Napi::CallbackInfo& info) {
    if (!Open(info.Env())) return info.Env().Undefined();
    int level = info[0].As<Napi::Number>().Int32Value();
    int name = info[1].As<Napi::Number>().Int32Value();
    int value = 0;
    socklen_t len = sizeof value;
    if (getsockopt(core_->fd, level, name, &value, &len) != 0) {
      SysError(info.Env(), errno, "getsockopt").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    return Napi::Number::New(info.Env(), value);
  }

  Napi::Value Ref(const Napi::CallbackInfo& info) {
    if (core_ != nullptr && !core_->closed) uv_ref(reinterpret_cast<uv_handle_t*>(&core_->poll));
    return info.Env().Undefined();
  }

  Napi::Value Unref(const Napi::CallbackInfo& info) {
    if (core_ != nullptr && !core_->closed) uv_unref(reinterpret_cast<uv_handle_t*>(&core_->poll));
    return info.Env().Undefined();
  }

  // pause()/resume(): stop/start reading. While paused the kernel keeps messages queued
  // (and produces no further dump chunks): back-pressure for slow dump consumers.
  Napi::Value Pause(const Napi::CallbackInfo& info) {
    if (core_ != nullptr && !core_->closed) {
      core_->paused = true;
      uv_poll_stop(&core_->poll);
    }
    return info.Env().Undefined();
  }

  Napi::Value Resume(const Napi::CallbackInfo& info) {
    if (core_ != nullptr && !core_->closed) {
      core_->paused = false;
      uv_poll_start(&core_->poll, UV_READABLE, OnReadable);
    }
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (core_ != nullptr) {
      CloseCore(core_);
      core_ = nullptr;
    }
    return info.Env().Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Object o = Napi::Object::New(info.Env());
    if (core_ != nullptr) {
      o.Set("datagrams", core_->datagrams);
      o.Set("bytes", core_->bytes);
      o.Set("foreignDropped", core_->foreignDropped);
      o.Set("overflows", core_->overflows);
    }
    return o;
  }

  Napi::Value PortId(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), core_ ? core_->portId : 0);
  }

  Napi::Value Fd(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), core_ && !core_->closed ? core_->fd : -1);
  }

  Core* core_ = nullptr;
};

}  // namespace

void InitNetlinkSocket(Napi::Env env, Napi::Object exports) {
  exports.Set("NetlinkSocket", NetlinkSocket::Define(env));
}

}  // namespace nk
