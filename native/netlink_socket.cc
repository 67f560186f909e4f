// NetlinkSocket: a netlink socket (already created, possibly inside another namespace)
// whose receive side is polled by libuv on the main thread and whose send side runs on
// a dedicated writer thread, so the main thread never waits for the kernel (rtnl_lock,
// slow device teardown) nor blocks in recv.
//
// JavaScript sees:  new NetlinkSocket(fd, onData)
//   onData(buffer, 0, 0)          one or more whole datagrams from the kernel, each padded to 4 bytes
//   onData(undefined, errno, 0)   a receive error (ENOBUFS: the kernel dropped messages)
//   onData(undefined, errno, id)  sending batch `id` failed with errno
//   onData(undefined, EMSGSIZE, 0) the kernel could not queue a message although the receive
//                                 buffer was empty: the buffer is smaller than one message
//                                 (a dump chunk), and a running dump cannot go on
//
// Slow requests: the kernel handles a netlink message inside the sendto() that carries it,
// so a request that waits in the kernel outside rtnl_lock (RTM_DELLINK of a veth or bridge
// waits ~15 ms in netdev_run_todo for RCU grace periods and device references) holds up
// every batch behind it on the one writer thread. sendParallel(buffer, id) sends a datagram
// from a small pool of sender threads instead (started on demand, at most kMaxParallel,
// each leaving after kParallelIdle without work), all on this same socket: the kernel lets
// several senders of one socket run at once, and replies still arrive here, matched by
// sequence number. Ordering: a parallel datagram is sent only after every send() queued
// before it has been handled by the kernel; later send()s do not wait for it, and parallel
// datagrams complete in any order among themselves.
//
// Lifetime: the Core is shared by the JavaScript object, the writer thread, the parallel
// senders and the two libuv handles, and freed by the last of them. close() (or the
// finalizer) never waits for a sender: it tells them to stop (checked between batches) and,
// if one is inside sendto(), leaves closing the fd to the last one to return. While ref()'d
// the socket cannot be collected.
//   send(buffer, id), sendNow(buffer, id), sendParallel(buffer, id), setOption(level, name, int), getOption(level, name), ref(), unref(),
//   pause(), resume(), close(),
//   portId, fd, stats()
#include <linux/netlink.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <chrono>
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
constexpr size_t kMaxPerWakeup = 512 * 1024;  // then JavaScript sees the batch (and may pause: back-pressure)
constexpr int kMaxDatagramsPerWakeup = 1024;
constexpr int kMaxParallel = 32;                          // parallel sender threads per socket
constexpr std::chrono::milliseconds kParallelIdle{1000};  // an idle parallel sender leaves after this

struct Batch {
  std::vector<uint8_t> data;
  uint32_t id;
  uint64_t after = 0;  // a parallel batch: sent once this many serial batches are done
};

struct Failure {
  uint32_t id;
  int err;
};

struct Core {
  std::atomic<int> refs{0};  // owners: the libuv handles (1, until both closed), the writer and each parallel sender
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
  int inCallback = 0;   // depth of onData calls on the stack (close() from inside one defers freeing them)
  size_t recvLimit = kMinSpare;  // bytes offered to one receive (see UpdateRecvLimit)

  // receive buffer (main thread only)
  uint8_t* buf = nullptr;
  size_t cap = 0;

  // writer thread (fields below mu are shared with it and guarded by mu)
  bool writerStarted = false;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Batch> queue;
  std::atomic<bool> stopping{false};
  int sending = 0;              // threads between taking a batch and finishing it
  bool senderClosesFd = false;  // close() came while one was sending: the last to finish closes the fd
  std::vector<Failure> failures;
  // serial progress, for parallel batches (guarded by mu)
  uint64_t serialQueued = 0;  // serial batches queued so far
  uint64_t serialDone = 0;    // serial batches the writer has finished
  std::atomic<int> doneWaiters{0};  // parallel senders waiting for serialDone (read unlocked by the writer)
  std::condition_variable doneCv;
  // parallel senders (guarded by mu)
  std::deque<Batch> parQueue;
  std::condition_variable parCv;
  int parThreads = 0;  // running
  int parIdle = 0;     // waiting for work

  // counters
  double datagrams = 0, bytes = 0, foreignDropped = 0, overflows = 0, dumpRaces = 0;
};

// Receive blocks. What one wakeup reads is handed to JavaScript without a copy when it is
// large (an external Buffer), so the next wakeup needs another block. Fresh memory is
// expensive here: malloc serves blocks this large with mmap, every page then faults when
// the kernel copies a datagram into it, and free() unmaps it again (a TLB shootdown on
// every CPU the process ran on) — on a small VM more than the dump itself (a list of
// 1,000 addresses took 2.5× as long). So a block whose Buffer is collected goes back to a
// small process-wide pool (its pages stay mapped) for the next wakeup of any socket, up to
// kPoolMaxBytes; beyond that it is freed. Each block starts with a header holding its size.
constexpr size_t kBlockHeader = 16;
constexpr size_t kPoolMaxBytes = 4 * 1024 * 1024;

struct BlockPool {
  std::mutex mu;  // blocks come back on the thread of the environment that collected them
  std::vector<uint8_t*> blocks;
  size_t bytes = 0;
};

BlockPool& Pool() {
  static BlockPool* pool = new BlockPool();  // never destroyed: a finalizer may run at exit
  return *pool;
}

size_t& BlockCap(uint8_t* data) {
  return *reinterpret_cast<size_t*>(data - kBlockHeader);
}

// A block of `cap` bytes keeping the contents of `data` (or a new one when data is null).
uint8_t* BlockGrow(uint8_t* data, size_t cap) {
  void* h = std::realloc(data != nullptr ? data - kBlockHeader : nullptr, cap + kBlockHeader);
  if (h == nullptr) std::abort();
  uint8_t* d = static_cast<uint8_t*>(h) + kBlockHeader;
  BlockCap(d) = cap;
  return d;
}

uint8_t* BlockTake() {
  BlockPool& p = Pool();
  std::lock_guard<std::mutex> lk(p.mu);
  if (p.blocks.empty()) return nullptr;
  uint8_t* d = p.blocks.back();
  p.blocks.pop_back();
  p.bytes -= BlockCap(d);
  return d;
}

void BlockFree(uint8_t* data) {
  if (data == nullptr) return;
  size_t cap = BlockCap(data);
  {
    BlockPool& p = Pool();
    std::lock_guard<std::mutex> lk(p.mu);
    if (p.bytes + cap <= kPoolMaxBytes) {
      p.blocks.push_back(data);
      p.bytes += cap;
      return;
    }
  }
  std::free(data - kBlockHeader);
}

void Release(Core* c) {
  if (c->refs.fetch_sub(1) == 1) {
    BlockFree(c->buf);
    delete c;
  }
}

// A sender thread leaves (mu held): the last one out after a close() that came while one
// was inside sendto() closes the fd.
void ExitSender(Core* c, std::unique_lock<std::mutex>& lk) {
  bool closeFd = c->senderClosesFd && c->sending == 0;
  if (closeFd) c->senderClosesFd = false;
  lk.unlock();
  if (closeFd) close(c->fd);
  Release(c);
}

// Sends one datagram to the kernel (which handles it before returning); 0 or the errno.
int SendToKernel(Core* c, const uint8_t* data, size_t len) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t n;
  do n = sendto(c->fd, data, len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
  while (n < 0 && errno == EINTR && !c->stopping);
  return n < 0 ? errno : 0;
}

int SendToKernel(Core* c, const Batch& b) { return SendToKernel(c, b.data.data(), b.data.size()); }

void* WriterMain(void* arg) {
  Core* c = static_cast<Core*>(arg);
  std::unique_lock<std::mutex> lk(c->mu);
  for (;;) {
    c->cv.wait(lk, [c] { return c->stopping.load() || !c->queue.empty(); });
    if (c->stopping) break;
    std::deque<Batch> work;
    work.swap(c->queue);
    c->sending++;
    lk.unlock();
    std::vector<Failure> failed;
    size_t done = 0;
    for (Batch& b : work) {
      if (c->stopping) break;  // closed: what is left is dropped, nobody waits for it
      if (int err = SendToKernel(c, b)) failed.push_back({b.id, err});
      if (++done < work.size() && c->doneWaiters.load() > 0) {  // a racy peek: a waiter missed here is woken below
        std::lock_guard<std::mutex> g(c->mu);
        c->serialDone += done;
        done = 0;
        c->doneCv.notify_all();
      }
    }
    lk.lock();
    c->serialDone += done;
    if (c->doneWaiters.load() > 0) c->doneCv.notify_all();
    c->sending--;
    if (c->stopping) break;  // the async handle may be closing: report nothing
    if (!failed.empty()) {
      c->failures.insert(c->failures.end(), failed.begin(), failed.end());
      uv_async_send(&c->async);
    }
  }
  ExitSender(c, lk);
  return nullptr;
}

// A parallel sender: takes batches from parQueue until it has none for kParallelIdle.
void* ParallelMain(void* arg) {
  Core* c = static_cast<Core*>(arg);
  std::unique_lock<std::mutex> lk(c->mu);
  for (;;) {
    if (c->parQueue.empty() && !c->stopping) {
      c->parIdle++;
      c->parCv.wait_for(lk, kParallelIdle, [c] { return c->stopping.load() || !c->parQueue.empty(); });
      c->parIdle--;
    }
    if (c->stopping || c->parQueue.empty()) break;
    Batch b = std::move(c->parQueue.front());
    c->parQueue.pop_front();
    c->doneWaiters++;
    c->doneCv.wait(lk, [&] { return c->stopping.load() || c->serialDone >= b.after; });
    c->doneWaiters--;
    if (c->stopping) break;
    c->sending++;
    lk.unlock();
    int err = SendToKernel(c, b);
    lk.lock();
    c->sending--;
    if (c->stopping) break;
    if (err != 0) {
      c->failures.push_back({b.id, err});
      uv_async_send(&c->async);
    }
  }
  c->parThreads--;
  ExitSender(c, lk);
  return nullptr;
}

// The kernel sizes each dump chunk after the largest buffer a receive offered (up to
// ~32 KiB), but only queues a chunk while the socket's buffer has room for it (rmem <
// rcvbuf). A chunk bigger than the buffer can never be queued: the dump stalls and every
// receive reports ENOBUFS. So a receive offers at most a quarter of the buffer (a chunk
// then takes at most half of it, with the kernel's rounding): large datagrams are still
// read whole, by a second receive sized to them.
void UpdateRecvLimit(Core* c) {
  int rcvbuf = 0;
  socklen_t len = sizeof rcvbuf;
  if (getsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len) != 0 || rcvbuf <= 0) return;
  size_t quarter = static_cast<size_t>(rcvbuf) / 4, p = 4096;
  while (p * 2 <= quarter) p *= 2;
  size_t limit = p - 512;
  c->recvLimit = limit < kMinSpare ? limit : kMinSpare;
}

// Stops reading for good when JavaScript can no longer run (the environment is being torn
// down: a natural exit or a terminated worker while the socket was open). Calling into JS
// then would fail, and node-addon-api turns that failure into a fatal error.
void StopForTeardown(Core* c) {
  if (!c->closed) uv_poll_stop(&c->poll);
}

// Drops the references to onData and the async context (main thread, not inside onData).
void ReleaseJs(Core* c) {
  c->onData.Reset();
  delete c->asyncContext;
  c->asyncContext = nullptr;
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
  if (c->asyncContext == nullptr || c->onData.IsEmpty()) return false;
  if (napi_create_int32(env, err, &args[1]) != napi_ok || napi_create_uint32(env, id, &args[2]) != napi_ok ||
      napi_get_global(env, &global) != napi_ok || napi_get_reference_value(env, c->onData, &fn) != napi_ok ||
      fn == nullptr) {
    return false;
  }
  c->inCallback++;
  napi_status st = napi_make_callback(env, *c->asyncContext, global, fn, 3, args, &result);
  if (--c->inCallback == 0 && c->closed) ReleaseJs(c);  // close() was called from onData
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
  if (c->buf == nullptr) {  // the last one was handed to JavaScript: take a warm one (used is 0)
    c->buf = BlockTake();
    c->cap = c->buf != nullptr ? BlockCap(c->buf) : 0;
  }
  if (c->cap - used >= need) return;
  size_t cap = c->cap ? c->cap : kMinSpare * 2;
  while (cap - used < need) cap *= 2;
  c->buf = BlockGrow(c->buf, cap);
  c->cap = cap;
}

// kDumpRace — EINVAL from recvmsg()/SO_ERROR is not an error of ours. netlink_recvmsg()
// checks nlk->cb_running without cb_mutex and, if it looks set, calls netlink_dump(), which
// returns -EINVAL when it finds (under the mutex) that the dump already finished, and stores
// that in sk_err. Our writer thread starts dumps (netlink_dump_start runs the first, possibly
// only, chunk) while the main thread reads, so the unlocked check can be stale. No message
// is lost: the error is counted (stats().dumpRaces) and reading goes on.
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
    if (err == ENOBUFS) {
      c->overflows++;
      char probe;
      ssize_t q;
      do q = recv(c->fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
      while (q < 0 && errno == EINTR);
      if (q < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) err = EMSGSIZE;  // see the read loop
    }
    if (cleared && !c->paused && uv_poll_start(&c->poll, UV_READABLE, OnReadable) != 0) cleared = false;  // report, stop
    if (cleared && err == EINVAL) {
      c->dumpRaces++;  // see kDumpRace below: nothing was lost, keep reading
    } else {
      if (!Deliver(c, nullptr, err, 0)) return;  // JavaScript is gone (teardown)
    }
    if (!cleared || c->closed || c->paused) return;
  }
  size_t used = 0;
  int count = 0;
  int recvErr = 0;
  int races = 0;
  // An error the kernel set after our peek (sk_err: a dropped notification, or ENOBUFS from
  // the dump chunk the peek itself asked for) is returned, and cleared, by the receive that
  // was to consume the datagram we already hold. Note it, and consume again: giving up
  // there would leave the datagram queued and every later wakeup would fail the same way
  // (a busy loop that never delivers).
  auto consumeError = [&](int err) {
    if (err == ENOBUFS) c->overflows++;
    recvErr = err;
  };
  while (count < kMaxDatagramsPerWakeup && used < kMaxPerWakeup) {
    EnsureSpare(c, used, kMinSpare);
    sockaddr_nl from{};
    size_t offer = c->cap - used < c->recvLimit ? c->cap - used : c->recvLimit;
    iovec iov{c->buf + used, offer};
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
      if (errno == EINVAL && races++ < 8) {
        c->dumpRaces++;  // kDumpRace: a stale sk_err, nothing lost; read on
        continue;
      }
      recvErr = errno;
      if (errno == ENOBUFS) {
        c->overflows++;
        // ENOBUFS while nothing is queued: the kernel refused a message into an empty
        // buffer (only a dump chunk can be refused so), so the buffer is too small.
        char probe;
        ssize_t q;
        do q = recv(c->fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
        while (q < 0 && errno == EINTR);
        if (q < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) recvErr = EMSGSIZE;
      }
      break;
    }
    size_t len = static_cast<size_t>(n);
    bool whole = len <= offer;
    for (int tries = 0;; tries++) {
      if (!whole) {
        // Larger than the room we offered: grow, then read it for real, whole.
        EnsureSpare(c, used, len + 4);
        iov = {c->buf + used, len};
        mh.msg_namelen = sizeof from;
        n = recvmsg(c->fd, &mh, MSG_DONTWAIT);
      } else {
        // Already have the bytes: consume the datagram without copying it again.
        n = recv(c->fd, nullptr, 0, MSG_DONTWAIT | MSG_TRUNC);
      }
      if (n >= 0 || tries >= 16) break;
      if (errno == EINTR) continue;
      if (errno == EINVAL && races++ < 8) {
        c->dumpRaces++;  // kDumpRace
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      consumeError(errno);
    }
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) recvErr = errno;
      break;
    }
    if (from.nl_pid != 0) {  // not from the kernel: ignore
      c->foreignDropped++;
      if (recvErr != 0) break;
      continue;
    }
    c->datagrams++;
    c->bytes += static_cast<double>(len);
    size_t padded = (len + 3) & ~static_cast<size_t>(3);
    std::memset(c->buf + used + len, 0, padded - len);
    used += padded;
    count++;
    if (recvErr != 0) break;  // the error came after this datagram: deliver both, in order
  }
  if (used > 0) {
    // Raw N-API calls: they fail (instead of aborting) when the environment is shutting down.
    napi_value out = nullptr;
    napi_status st;
    if (used <= kCopyBelow) {
      st = napi_create_buffer_copy(c->env, used, c->buf, nullptr, &out);
    } else {
      st = napi_create_external_buffer(c->env, used, c->buf, [](napi_env, void* p, void*) { BlockFree(static_cast<uint8_t*>(p)); }, nullptr, &out);
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
  if (--c->openHandles == 0) Release(c);
}

// Stops everything without waiting for anything; safe to call twice, from a finalizer and
// from inside onData. The writer stops at its next check; if it is inside sendto() now
// (behind rtnl_lock, say) it closes the fd when that returns, otherwise the fd is closed here.
void CloseCore(Core* c) {
  if (c->closed) return;
  c->closed = true;
  bool closeFdHere = true;
  {
    std::lock_guard<std::mutex> lk(c->mu);
    c->stopping = true;
    c->queue.clear();
    c->parQueue.clear();
    if (c->sending > 0) {
      c->senderClosesFd = true;
      closeFdHere = false;
    }
  }
  c->cv.notify_all();
  c->parCv.notify_all();
  c->doneCv.notify_all();
  // uv_close stops polling (removes the fd from epoll) while the fd is still open
  uv_close(reinterpret_cast<uv_handle_t*>(&c->poll), OnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&c->async), OnHandleClosed);
  if (closeFdHere) close(c->fd);
  if (c->inCallback == 0) ReleaseJs(c);  // else when the callback returns (Deliver)
}

class NetlinkSocket : public Napi::ObjectWrap<NetlinkSocket> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NetlinkSocket",
                       {
                           InstanceMethod<&NetlinkSocket::Send>("send"),
                           InstanceMethod<&NetlinkSocket::SendNow>("sendNow"),
                           InstanceMethod<&NetlinkSocket::SendParallel>("sendParallel"),
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
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      close(fd);
      SysError(env, EINVAL, "napi_get_uv_event_loop").ThrowAsJavaScriptException();
      return;
    }
    // The callback is held by this object (a hidden property) and only weakly by the Core:
    // an unref()'d socket nobody refers to can be collected, and its finalizer closes it.
    info.This().As<Napi::Object>().DefineProperty(Napi::PropertyDescriptor::Value("_onData", onData, napi_default));
    Core* c = new Core();
    c->fd = fd;
    c->portId = sa.nl_pid;
    c->env = env;
    c->onData = Napi::Persistent(onData);
    c->onData.Unref();
    c->asyncContext = new Napi::AsyncContext(env, "netns-kit:netlink");
    int rc = uv_poll_init(loop, &c->poll, fd);
    if (rc != 0) {
      close(fd);
      ReleaseJs(c);
      delete c;
      SysError(env, -rc, "uv_poll_init").ThrowAsJavaScriptException();
      return;
    }
    c->poll.data = c;
    c->refs = 1;  // the handles' share
    rc = uv_async_init(loop, &c->async, OnAsync);
    if (rc != 0) {
      c->closed = true;
      c->openHandles = 1;
      uv_close(reinterpret_cast<uv_handle_t*>(&c->poll), OnHandleClosed);
      close(fd);
      ReleaseJs(c);
      SysError(env, -rc, "uv_async_init").ThrowAsJavaScriptException();
      return;
    }
    c->async.data = c;
    c->openHandles = 2;
    uv_unref(reinterpret_cast<uv_handle_t*>(&c->async));
    uv_unref(reinterpret_cast<uv_handle_t*>(&c->poll));  // idle sockets do not keep the process alive
    UpdateRecvLimit(c);
    rc = uv_poll_start(&c->poll, UV_READABLE, OnReadable);
    int err = rc != 0 ? -rc : 0;
    const char* step = "uv_poll_start";
    if (err == 0) {
      pthread_attr_t attr;
      pthread_attr_init(&attr);
      pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
      pthread_t tid;
      c->refs++;  // the writer's share, released when it exits
      err = pthread_create(&tid, &attr, WriterMain, c);
      pthread_attr_destroy(&attr);
      if (err == 0) c->writerStarted = true;
      else c->refs--;
      step = "pthread_create";
    }
    if (err != 0) {
      CloseCore(c);
      SysError(env, err, step).ThrowAsJavaScriptException();
      return;
    }
    core_ = c;
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
      core_->serialQueued++;
    }
    core_->cv.notify_one();
    return info.Env().Undefined();
  }

  // sendNow(buffer, id): sends one datagram from this (the main) thread when no sender is
  // busy and nothing is queued for the writer — the order of datagrams is kept — and returns
  // true; otherwise queues it like send() and returns false. For a dump request: the kernel
  // builds the dump's first chunk inside this sendto, as it builds every later chunk inside
  // the main thread's recvmsg, and the reply is then waiting when the event loop polls —
  // no hand-over to the writer thread and back (two thread wakeups, which cost more than
  // a small dump itself). A failure is reported like the writer's (onData(undefined, errno, id)).
  Napi::Value SendNow(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Open(env)) return env.Undefined();
    auto buf = info[0].As<Napi::Buffer<uint8_t>>();
    uint32_t id = info[1].As<Napi::Number>().Uint32Value();
    Core* c = core_;
    {
      std::lock_guard<std::mutex> lk(c->mu);
      if (!c->queue.empty() || c->sending > 0) {
        c->queue.push_back(Batch{std::vector<uint8_t>(buf.Data(), buf.Data() + buf.Length()), id});
        c->serialQueued++;
        c->cv.notify_one();
        return Napi::Boolean::New(env, false);
      }
      c->serialQueued++;
      c->sending++;
    }
    int err = SendToKernel(c, buf.Data(), buf.Length());  // not stopping: closing happens on this thread
    {
      std::lock_guard<std::mutex> lk(c->mu);
      c->sending--;
      c->serialDone++;
      if (c->doneWaiters.load() > 0) c->doneCv.notify_all();
      if (err != 0) {
        c->failures.push_back({id, err});
        uv_async_send(&c->async);
      }
    }
    return Napi::Boolean::New(env, true);
  }

  // sendParallel(buffer, id): queues one datagram for a parallel sender (see the top of the
  // file), starting one when every running sender is busy and fewer than kMaxParallel run.
  Napi::Value SendParallel(const Napi::CallbackInfo& info) {
    if (!Open(info.Env())) return info.Env().Undefined();
    auto buf = info[0].As<Napi::Buffer<uint8_t>>();
    uint32_t id = info[1].As<Napi::Number>().Uint32Value();
    Core* c = core_;
    bool spawn = false;
    {
      std::lock_guard<std::mutex> lk(c->mu);
      c->parQueue.push_back(Batch{std::vector<uint8_t>(buf.Data(), buf.Data() + buf.Length()), id, c->serialQueued});
      if (c->parQueue.size() > static_cast<size_t>(c->parIdle) && c->parThreads < kMaxParallel) {
        c->parThreads++;
        c->refs++;  // the sender's share, released when it exits
        spawn = true;
      }
    }
    c->parCv.notify_one();
    if (spawn) {
      pthread_attr_t attr;
      pthread_attr_init(&attr);
      pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
      pthread_t tid;
      int err = pthread_create(&tid, &attr, ParallelMain, c);
      pthread_attr_destroy(&attr);
      if (err != 0) {
        std::lock_guard<std::mutex> lk(c->mu);
        c->parThreads--;
        c->refs--;
        // a running sender will take it; with none running, report the batch as failed
        if (c->parThreads == 0 && !c->parQueue.empty()) {
          for (const Batch& q : c->parQueue) c->failures.push_back({q.id, err});
          c->parQueue.clear();
          uv_async_send(&c->async);
        }
      }
    }
    return info.Env().Undefined();
  }

  Napi::Value SetOption(const Napi::CallbackInfo& info) {
    if (!Open(info.Env())) return info.Env().Undefined();
    int level = info[0].As<Napi::Number>().Int32Value();
    int name = info[1].As<Napi::Number>().Int32Value();
    int value = info[2].As<Napi::Number>().Int32Value();
    if (setsockopt(core_->fd, level, name, &value, sizeof value) != 0) {
      SysError(info.Env(), errno, "setsockopt").ThrowAsJavaScriptException();
    } else if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_RCVBUFFORCE)) {
      UpdateRecvLimit(core_);
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

  // ref(): keeps the process alive and this object from being collected (like a Node
  // handle); unref(): neither.
  Napi::Value Ref(const Napi::CallbackInfo& info) {
    if (core_ != nullptr && !core_->closed) {
      uv_ref(reinterpret_cast<uv_handle_t*>(&core_->poll));
      if (!strong_) {
        strong_ = true;
        Napi::ObjectWrap<NetlinkSocket>::Ref();
      }
    }
    return info.Env().Undefined();
  }

  Napi::Value Unref(const Napi::CallbackInfo& info) {
    if (core_ != nullptr && !core_->closed) uv_unref(reinterpret_cast<uv_handle_t*>(&core_->poll));
    Weaken();
    return info.Env().Undefined();
  }

  void Weaken() {
    if (strong_) {
      strong_ = false;
      Napi::ObjectWrap<NetlinkSocket>::Unref();
    }
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
      int rc = uv_poll_start(&core_->poll, UV_READABLE, OnReadable);
      if (rc != 0) SysError(info.Env(), -rc, "uv_poll_start").ThrowAsJavaScriptException();
    }
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (core_ != nullptr) {
      CloseCore(core_);
      core_ = nullptr;
    }
    Weaken();
    return info.Env().Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Object o = Napi::Object::New(info.Env());
    if (core_ != nullptr) {
      o.Set("datagrams", core_->datagrams);
      o.Set("bytes", core_->bytes);
      o.Set("foreignDropped", core_->foreignDropped);
      o.Set("overflows", core_->overflows);
      o.Set("dumpRaces", core_->dumpRaces);
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
  bool strong_ = false;  // ref()'d: not collectable
};

}  // namespace

void InitNetlinkSocket(Napi::Env env, Napi::Object exports) {
  exports.Set("NetlinkSocket", NetlinkSocket::Define(env));
}

}  // namespace nk
