/**
 * NetlinkConnection: many requests in flight on one netlink socket.
 *
 * - Every request gets a sequence number and NLM_F_ACK; replies are matched by sequence
 *   number, so any number of callers can use one connection at once.
 * - Requests made in the same tick are written into one buffer and sent with one sendmsg
 *   (the kernel processes the messages of a datagram in order, answering each).
 * - At most `window` requests wait for their ACK at once, so ACKs always fit the receive
 *   buffer; further requests queue in JavaScript. The default window follows the receive
 *   buffer the kernel granted (4 KiB of it per request in flight, at most 4096 requests).
 * - A command (a request that answers nothing on success: add, remove, set) is sent
 *   without NLM_F_ACK: the kernel handles one socket's messages strictly in order and
 *   reports every failure with an error message, so a command has succeeded once any later
 *   request is answered. The last command of each datagram asks for an ACK, so an answer
 *   follows every command. This saves the kernel one ACK and the reader one datagram per
 *   command; `commandMany` sends thousands with no promise per command.
 * - The kernel runs one dump per socket at a time (a second gets EBUSY), so dumps are
 *   queued and sent one after the other; their messages stream through an async iterator
 *   with back-pressure (reading pauses while the consumer is behind).
 * - Replies with an unknown sequence number are dropped and counted (`stats.strayReplies`),
 *   or handed to `onNotification` on an event socket.
 * - A request marked `parallel` (one the kernel is known to make wait outside rtnl_lock,
 *   such as deleting a veth or bridge) is sent in a datagram of its own by a native sender
 *   thread of its own, on the same socket, so slow requests overlap instead of queueing
 *   behind each other. It is sent once every request issued before it has been handled;
 *   requests issued after it do not wait for it, and parallel requests complete in any
 *   order among themselves (see {@link RequestOptions.parallel}).
 * @module
 */
import { native, type NativeNetlinkSocket } from '../binding/native.js';
import { NetlinkError, ParseError, SystemError } from '../errors.js';
import { AsyncQueue } from './async-queue.js';
import {
  AF_NETLINK,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_CAP_ACK,
  NETLINK_DROP_MEMBERSHIP,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  NETLINK_ROUTE,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_SNDBUF,
  SO_SNDBUFFORCE,
  SOCK_RAW,
  SOL_NETLINK,
  SOL_SOCKET,
} from './constants.js';
import { type Ack, type NlMessage, parseDone, parseError, parseMessages } from './message.js';
import { NlWriter } from './writer.js';

/** Writes a request body (family header and attributes) after the netlink header. */
export type BodyWriter = (w: NlWriter) => void;

/** What a request is, for error messages: `create link veth0: File exists (EEXIST)`. */
export interface RequestInfo {
  /** e.g. `create link`, `add route`, `dump links`. */
  operation: string;
  /** e.g. `veth0`, `10.0.0.0/24`. */
  object?: string;
  /** names an attribute type found at the kernel's error offset (family-specific). */
  describeAttribute?: (type: number) => string | undefined;
}

/** Options of one request ({@link NetlinkConnection.request}, {@link NetlinkConnection.command}). */
export interface RequestOptions {
  /**
   * Send it on a parallel sender thread (in a datagram of its own, with an ACK) instead of
   * the connection's one writer thread. For requests the kernel makes wait outside
   * rtnl_lock — deleting a veth, bridge or other device waits ~15 ms for RCU grace periods
   * and device references — so that several of them overlap, as separate processes would.
   *
   * Ordering: it is sent after every request issued on this connection before it has been
   * handled by the kernel. Requests issued after it are not held back by it (await it if
   * they depend on it), and parallel requests may complete in any order among themselves.
   */
  parallel?: boolean;
}

/** Options of {@link NetlinkConnection.open}. */
export interface ConnectionOptions {
  /** netlink protocol (default NETLINK_ROUTE). */
  protocol?: number;
  /** fd of the network namespace to open the socket in; -1 or undefined: the current one. */
  nsFd?: number;
  /** receive buffer in bytes (default 8 MiB; SO_RCVBUFFORCE when permitted). */
  receiveBuffer?: number;
  /** requests waiting for their ACK at most (default 1024). */
  window?: number;
  /** multicast groups to join (event sockets). */
  groups?: number[];
  /** strict dump filtering (NETLINK_GET_STRICT_CHK, default true). */
  strict?: boolean;
}

/** A command of {@link NetlinkConnection.commandMany} that failed. */
export interface CommandFailure {
  /** its index among the commands. */
  index: number;
  /** why (a NetlinkError naming the command, or the error its writer threw). */
  error: unknown;
}

/** One message of {@link NetlinkConnection.sendDatagram}. */
export interface DatagramMessage {
  /** nlmsg_type. */
  type: number;
  /** nlmsg_flags (NLM_F_REQUEST is added). */
  flags: number;
  /** writes the body after the netlink header. */
  body?: BodyWriter | null;
  /** what the message is, for its error. */
  info: RequestInfo;
}

/** What the kernel answered to one message of {@link NetlinkConnection.sendDatagram}. */
export interface DatagramReply {
  /** true when the kernel acknowledged it or reported its error (false: neither came, e.g. the batch was refused as a whole). */
  answered: boolean;
  /** the messages it sent with this message's sequence number before the ACK (e.g. NLM_F_ECHO). */
  replies: NlMessage[];
  /** the error the kernel reported for it (with its extended ACK). */
  error?: NetlinkError;
}

/** What {@link NetlinkConnection.sendDatagram} resolves with. */
export interface DatagramResult {
  /** the answer to each message of the datagram, in order. */
  replies: DatagramReply[];
  /** the answer to the `sync` request sent after it. */
  sync: DatagramReply;
}

/** Options of one dump. */
export interface DumpOptions {
  /** What to do when the kernel marks the dump inconsistent (NLM_F_DUMP_INTR):
   *  `throw` (default) ends the iteration with an EINTR NetlinkError after the last message;
   *  `ignore` ends it normally. */
  onInterrupted?: 'throw' | 'ignore';
  /** messages buffered before reading pauses (default 4096). */
  highWater?: number;
  /** Called synchronously for each message of this dump as it is received, including the
   *  final NLMSG_DONE, in the same order as `onNotification` calls: an event socket uses it
   *  to tell which notifications arrived before the dump's data. */
  onMessage?: (m: NlMessage) => void;
}

/** Counters of a connection. */
export interface ConnectionStats {
  /** requests sent (commands included). */
  requests: number;
  /** dumps sent. */
  dumps: number;
  /** sendmsg calls (each carries a batch of requests). */
  sends: number;
  /** requests sent on parallel sender threads ({@link RequestOptions.parallel}). */
  parallelSends: number;
  /** requests sent and waiting for their answer. */
  inFlight: number;
  /** requests and dumps waiting to be sent (window full, or a dump running). */
  queued: number;
  /** replies whose sequence number matched no request (a request that timed out or was abandoned). */
  strayReplies: number;
  /** datagrams dropped because they did not come from the kernel (port id ≠ 0). */
  foreignDropped: number;
  /** times the kernel reported ENOBUFS (messages lost). */
  overflows: number;
  /** stale EINVAL reports from the kernel's unlocked dump-running check, absorbed (nothing was lost). */
  dumpRaces: number;
  /** datagrams received from the kernel. */
  datagrams: number;
}

class Batch {
  buf: Buffer | undefined;
  constructor(readonly id: number) {}
}

class PendingRequest {
  readonly kind = 'request' as const;
  seq = 0;
  batch: Batch | undefined;
  start = 0;
  /** position in the order of requests written (commands complete by it). */
  order = 0;
  replies: NlMessage[] | undefined;
  /** sent without NLM_F_ACK (cleared when it is the one of its datagram that asks for the ACK). */
  quiet: boolean;
  /** sent on a parallel sender thread: its answer vouches for no command (see RequestOptions). */
  parallel = false;
  constructor(
    readonly info: RequestInfo,
    /** called with the replies (requests) or undefined (commands), and the command's index. */
    readonly resolve: (replies: NlMessage[] | undefined, index: number) => void,
    readonly reject: (e: unknown, index: number) => void,
    /** a command: answers nothing on success, resolved with undefined. */
    readonly command: boolean,
    /** index of a command of commandMany (-1 otherwise). */
    readonly index = -1,
  ) {
    this.quiet = command;
  }
}

interface PendingDump {
  kind: 'dump';
  seq: number;
  info: RequestInfo;
  batch: Batch | undefined;
  start: number;
  queue: AsyncQueue<NlMessage>;
  interrupted: boolean;
  onInterrupted: 'throw' | 'ignore';
  onMessage: ((m: NlMessage) => void) | undefined;
}

type Pending = PendingRequest | PendingDump;

/** A request or dump waiting for its turn. */
interface Queued {
  /** writes it; false when it is a commandMany that has more commands than the window took. */
  start: () => boolean | void;
  fail: (e: unknown) => void;
  info: RequestInfo;
}

/** A request waiting for room in the window (an object, not closures: thousands may wait). */
class QueuedRequest implements Queued {
  constructor(
    private readonly conn: NetlinkConnection,
    private readonly p: PendingRequest,
    private readonly type: number,
    private readonly flags: number,
    private readonly body: BodyWriter | null,
  ) {}
  get info(): RequestInfo {
    return this.p.info;
  }
  start(): void {
    this.conn.startRequest(this.p, this.type, this.flags, this.body);
  }
  fail(e: unknown): void {
    this.p.reject(e, this.p.index);
  }
}

/** The RequestInfo of command `index` of a commandMany: described only if an error names it. */
class LazyInfo implements RequestInfo {
  private d: RequestInfo | undefined;
  constructor(
    private readonly info: (index: number) => RequestInfo,
    private readonly index: number,
  ) {}
  private get described(): RequestInfo {
    return (this.d ??= this.info(this.index));
  }
  get operation(): string {
    return this.described.operation;
  }
  get object(): string | undefined {
    return this.described.object;
  }
  describeAttribute(type: number): string | undefined {
    return this.described.describeAttribute?.(type);
  }
}

const MAX_BATCH_BYTES = 64 * 1024;
const DEFAULT_RCVBUF = 8 * 1024 * 1024;
/** Receive-buffer bytes reserved per request in flight for the default window: an ACK or
 *  error costs ~832 bytes of buffer (skb truesize, measured on 6.x), a small reply more. */
const RCVBUF_PER_REQUEST = 4096;
const MAX_DEFAULT_WINDOW = 4096;
const MIN_DEFAULT_WINDOW = 16;

/** A netlink socket with request/response multiplexing. See the module documentation. */
export class NetlinkConnection {
  /** Called for messages that answer no request (multicast notifications), if set. */
  onNotification: ((m: NlMessage) => void) | undefined;
  /** Called when the kernel reports it dropped messages (ENOBUFS), if set; otherwise every
   *  request in flight fails with ENOBUFS, since its reply may have been lost. */
  onOverflow: (() => void) | undefined;

  private readonly sock: NativeNetlinkSocket;
  private readonly ownPort: number;
  private readonly pending = new Map<number, Pending>();
  /** requests waiting for room, from waitingHead (slots before it are cleared). */
  private waiting: (Queued | undefined)[] = [];
  private waitingHead = 0;
  private readonly dumpQueue: Queued[] = [];
  private dumpActive = false;
  private inFlight = 0;
  private seq = 0;
  private out = new NlWriter(MAX_BATCH_BYTES + 4096);
  private batch = new Batch(1);
  private flushScheduled = false;
  /** the batch being written holds one dump request and nothing else (see flush). */
  private dumpOnly = false;
  private closed = false;
  private refs = 0;
  private paused = 0;
  private window: number;
  /** commands written and not yet known to have succeeded, in order (from quietHead). */
  private quietQueue: (PendingRequest | undefined)[] = [];
  private quietHead = 0;
  /** the last command of the batch being written, if nothing answered follows it. */
  private openQuiet: PendingRequest | undefined;
  private order = 0;
  private counters = { requests: 0, dumps: 0, sends: 0, parallelSends: 0, strayReplies: 0 };
  private parallelBatchId = 0;

  private constructor(fd: number, window: number | undefined) {
    this.window = window ?? MIN_DEFAULT_WINDOW;
    try {
      // The native socket holds its callback weakly (this object holds it): a connection that
      // is idle (nothing in flight, not ref()'d) and dropped is collected, and closed by the
      // native finalizer.
      this.sock = new native.NetlinkSocket(fd, (data, errno, batchId) => this.onData(data, errno, batchId));
    } catch (e) {
      throw SystemError.from(e, 'netlink socket');
    }
    this.ownPort = this.sock.portId;
  }

  /** Opens a netlink socket (inside `nsFd` if given) and configures it. */
  static async open(opts: ConnectionOptions = {}): Promise<NetlinkConnection> {
    let fd: number;
    try {
      fd = await native.openSocket(opts.nsFd ?? -1, AF_NETLINK, SOCK_RAW, opts.protocol ?? NETLINK_ROUTE);
    } catch (e) {
      throw SystemError.from(e, 'open netlink socket');
    }
    const conn = new NetlinkConnection(fd, opts.window);
    try {
      conn.configure(opts);
    } catch (e) {
      conn.close();
      throw e;
    }
    return conn;
  }

  private configure(opts: ConnectionOptions): void {
    const s = this.sock;
    s.setOption(SOL_NETLINK, NETLINK_EXT_ACK, 1);
    s.setOption(SOL_NETLINK, NETLINK_CAP_ACK, 1);
    if (opts.strict !== false) {
      try {
        s.setOption(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
      } catch {
        /* kernels before 4.20: dumps are filtered by the caller */
      }
    }
    const rcv = opts.receiveBuffer ?? DEFAULT_RCVBUF;
    try {
      s.setOption(SOL_SOCKET, SO_RCVBUFFORCE, rcv);
    } catch {
      s.setOption(SOL_SOCKET, SO_RCVBUF, rcv);
    }
    if (opts.window === undefined) {
      // without CAP_NET_ADMIN the kernel caps the buffer at net.core.rmem_max: fit the window to it
      const granted = s.getOption(SOL_SOCKET, SO_RCVBUF);
      this.window = Math.max(MIN_DEFAULT_WINDOW, Math.min(MAX_DEFAULT_WINDOW, Math.floor(granted / RCVBUF_PER_REQUEST)));
    }
    try {
      s.setOption(SOL_SOCKET, SO_SNDBUFFORCE, MAX_BATCH_BYTES * 4);
    } catch {
      s.setOption(SOL_SOCKET, SO_SNDBUF, MAX_BATCH_BYTES * 4);
    }
    for (const g of opts.groups ?? []) this.addMembership(g);
  }

  /** This socket's netlink port id. */
  get portId(): number {
    return this.sock.portId;
  }

  /** The socket's file descriptor (for diagnostics; do not read from it). */
  get fd(): number {
    return this.sock.fd;
  }

  /** True once close() was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Joins a multicast group (RTNLGRP_*). */
  addMembership(group: number): void {
    this.sock.setOption(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group);
  }

  /** Leaves a multicast group. */
  dropMembership(group: number): void {
    this.sock.setOption(SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group);
  }

  /** Sets a socket option (level, name, int value). */
  setOption(level: number, name: number, value: number): void {
    this.sock.setOption(level, name, value);
  }

  /** Keeps the process alive while this connection is open (event sockets). */
  ref(): void {
    this.refs++;
    this.sock.ref();
  }

  /** Undoes ref(). */
  unref(): void {
    if (this.refs > 0 && --this.refs === 0 && this.pending.size === 0) this.sock.unref();
  }

  /** The connection's counters (a fresh object each time). */
  get stats(): ConnectionStats {
    const n = this.closed ? { foreignDropped: 0, overflows: 0, datagrams: 0, dumpRaces: 0 } : this.sock.stats();
    return {
      ...this.counters,
      inFlight: this.inFlight,
      queued: this.waiting.length - this.waitingHead + this.dumpQueue.length,
      foreignDropped: n.foreignDropped,
      overflows: n.overflows,
      dumpRaces: n.dumpRaces,
      datagrams: n.datagrams,
    };
  }

  /**
   * Sends one request (NLM_F_REQUEST | NLM_F_ACK | flags) and resolves with the messages
   * the kernel sent before its ACK (e.g. the object of a GET), or rejects with a
   * NetlinkError carrying the errno name and the kernel's extended-ACK message.
   */
  request(type: number, flags: number, body: BodyWriter | null, info: RequestInfo, opts?: RequestOptions): Promise<NlMessage[]> {
    if (this.closed) return Promise.reject(this.closedError(info));
    return new Promise<NlMessage[]>((resolve, reject) => {
      const p = new PendingRequest(info, resolve as (r: NlMessage[] | undefined) => void, reject, false);
      if (opts?.parallel) p.parallel = true;
      this.submit(p, type, flags, body);
    });
  }

  /**
   * Sends a command: a request that answers nothing on success (a change: add, remove,
   * set — not a GET, not NLM_F_ECHO). It is sent without NLM_F_ACK; success is known when a
   * later request on the connection is answered (see the module documentation). Resolves
   * when it has succeeded; rejects with its own NetlinkError, exactly like request().
   * With `parallel` ({@link RequestOptions.parallel}) it is sent with an ACK on a parallel
   * sender thread.
   */
  command(type: number, flags: number, body: BodyWriter | null, info: RequestInfo, opts?: RequestOptions): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError(info));
    return new Promise<void>((resolve, reject) => {
      const p = new PendingRequest(info, resolve as () => void, reject, true);
      if (opts?.parallel) {
        p.parallel = true;
        p.quiet = false;
      }
      this.submit(p, type, flags, body);
    });
  }

  /**
   * Sends `count` commands (see {@link NetlinkConnection.command}) of one type, in order,
   * as the window allows: `write(i, w)` writes the body of command `i`, `info(i)` describes
   * it (called only when it fails). Resolves when every command has been handled, with
   * the failures (empty when all succeeded); a failure does not stop the others. Requests
   * made after this call are sent after all of its commands. No promise is made per command.
   */
  commandMany(
    type: number,
    flags: number,
    count: number,
    write: (index: number, w: NlWriter) => void,
    info: (index: number) => RequestInfo,
  ): Promise<CommandFailure[]> {
    return new Promise<CommandFailure[]>((resolve) => {
      const failures: CommandFailure[] = [];
      let next = 0;
      let open = count;
      const done = (): void => {
        if (--open === 0) resolve(failures.sort((a, b) => a.index - b.index));
      };
      const fail = (error: unknown, index: number): void => {
        failures.push({ index, error });
        done();
      };
      if (count === 0) return resolve(failures);
      const fl = flags | NLM_F_REQUEST;
      const body = (w: NlWriter): void => write(next, w);
      /** writes commands while the window has room; true when all are written. */
      const start = (): boolean => {
        while (next < count && this.inFlight < this.window && !this.closed) {
          const p = new PendingRequest(new LazyInfo(info, next), done, fail, true, next);
          if (this.write(p, type, fl, body)) this.inFlight++;
          next++;
        }
        if (this.closed) {
          for (; next < count; next++) fail(this.closedError(info(next)), next);
        }
        return next === count;
      };
      if (this.closed) start();
      else if (this.waitingHead !== this.waiting.length || !start()) {
        this.waiting.push({ start, fail: (e) => { for (; next < count; next++) fail(e, next); }, info: { operation: 'commands' } });
      }
    });
  }

  /**
   * Sends `messages` as one datagram of their own (nothing else in it, whatever the window:
   * an nfnetlink batch — BEGIN, the changes, END — must arrive as one sendmsg), each with
   * its own sequence number and the flags given (NLM_F_REQUEST added), then `sync` as an
   * ordinary request. The kernel handles a datagram completely before the next one, so
   * once `sync` is answered every answer to the datagram has been received: resolves with
   * one {@link DatagramReply} per message, in order, and the answer to `sync` (`answered: false` when the kernel sent
   * nothing for it, e.g. the batch was refused as a whole). Requests written earlier are
   * sent before the datagram. The send buffer is raised to fit the datagram.
   */
  async sendDatagram(messages: readonly DatagramMessage[], sync: DatagramMessage): Promise<DatagramResult> {
    if (this.closed) throw this.closedError(sync.info);
    const w = new NlWriter(4096);
    const batch = new Batch(this.batch.id);
    // previous writes go first, in their own datagram (their Batch keeps its id)
    this.flush();
    this.batch = new Batch(batch.id + 1 > 0x7fffffff ? 1 : batch.id + 1);
    const out: DatagramReply[] = messages.map(() => ({ answered: false, replies: [] as NlMessage[] }));
    const pend: PendingRequest[] = [];
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const seq = this.nextSeq();
      const start = w.beginMessage(m.type, m.flags | NLM_F_REQUEST, seq, 0);
      m.body?.(w);
      w.endMessage(start);
      const r = out[i]!;
      const p = new PendingRequest(
        m.info,
        (replies) => {
          r.answered = true;
          r.replies = replies ?? [];
        },
        (e) => {
          r.answered = true;
          r.replies = p.replies ?? [];
          r.error = e instanceof NetlinkError ? e : new NetlinkError({ errno: 5, operation: m.info.operation, object: m.info.object, kernelMessage: String(e) });
        },
        false,
      );
      p.seq = seq;
      p.start = start;
      p.batch = batch;
      pend.push(p);
    }
    const bytes = w.toBuffer();
    batch.buf = bytes;
    if (this.pending.size === 0 && this.refs === 0) this.sock.ref();
    for (const p of pend) {
      this.pending.set(p.seq, p);
      p.order = ++this.order;
      this.inFlight++;
      this.counters.requests++;
    }
    this.fitSendBuffer(bytes.length);
    this.counters.sends++;
    this.sock.send(bytes, batch.id);
    let syncReply: DatagramReply;
    try {
      syncReply = { answered: true, replies: await this.request(sync.type, sync.flags, sync.body ?? null, sync.info) };
    } catch (e) {
      if (!(e instanceof NetlinkError)) throw e;
      syncReply = { answered: true, replies: [], error: e };
    } finally {
      // what the kernel did not answer by now, it never will
      for (let i = 0; i < pend.length; i++) {
        const p = pend[i]!;
        if (this.pending.get(p.seq) !== p) continue;
        this.complete(p, undefined);
        out[i]!.answered = false; // replies (echoes) it got are kept; no ACK or error came
      }
    }
    return { replies: out, sync: syncReply };
  }

  private sndbuf = 0;
  /** Raises SO_SNDBUF so a datagram of `bytes` can be sent (netlink refuses one larger than it). */
  private fitSendBuffer(bytes: number): void {
    const need = bytes + 4096;
    if (need <= Math.max(this.sndbuf, MAX_BATCH_BYTES * 4)) return;
    try {
      this.sock.setOption(SOL_SOCKET, SO_SNDBUFFORCE, need);
    } catch {
      this.sock.setOption(SOL_SOCKET, SO_SNDBUF, need);
    }
    this.sndbuf = need;
  }

  private submit(p: PendingRequest, type: number, flags: number, body: BodyWriter | null): void {
    if (this.inFlight < this.window && this.waitingHead === this.waiting.length) this.startRequest(p, type, flags, body);
    else this.waiting.push(new QueuedRequest(this, p, type, flags, body));
  }

  /** @internal (QueuedRequest) */
  startRequest(p: PendingRequest, type: number, flags: number, body: BodyWriter | null): void {
    if (p.parallel) {
      if (this.writeParallel(p, type, flags | NLM_F_REQUEST | NLM_F_ACK, body)) this.inFlight++;
    } else if (this.write(p, type, flags | NLM_F_REQUEST | (p.quiet ? 0 : NLM_F_ACK), body)) this.inFlight++;
  }

  /** Sends `p` in a datagram of its own on a parallel sender thread; false (and p rejected) if body() threw. */
  private writeParallel(p: PendingRequest, type: number, flags: number, body: BodyWriter | null): boolean {
    const w = new NlWriter(256);
    const seq = this.nextSeq();
    const start = w.beginMessage(type, flags, seq, 0);
    try {
      body?.(w);
    } catch (e) {
      p.reject(e, p.index);
      return false;
    }
    w.endMessage(start);
    // what was written before it is queued first: the native side sends p after it
    if (this.out.offset > 0) this.flush();
    this.parallelBatchId = (this.parallelBatchId + 1) & 0x7fffffff;
    const batch = new Batch(0x80000000 + this.parallelBatchId);
    batch.buf = w.toBuffer();
    p.seq = seq;
    p.batch = batch;
    p.start = start;
    p.order = ++this.order;
    if (this.pending.size === 0 && this.refs === 0) this.sock.ref();
    this.pending.set(seq, p);
    this.counters.requests++;
    this.counters.parallelSends++;
    this.sock.sendParallel(batch.buf, batch.id);
    return true;
  }

  /**
   * Starts a dump (NLM_F_REQUEST | NLM_F_DUMP | flags) and streams its messages.
   * Breaking out of the loop early is allowed: the rest of the dump is read and discarded.
   */
  dump(type: number, flags: number, body: BodyWriter | null, info: RequestInfo, opts: DumpOptions = {}): AsyncIterableIterator<NlMessage> {
    const high = opts.highWater ?? 4096;
    let p: PendingDump | undefined;
    const queue = new AsyncQueue<NlMessage>({
      highWater: high,
      lowWater: Math.floor(high / 4),
      onHigh: () => this.pause(),
      onLow: () => this.resume(),
      onCancel: () => {
        /* remaining messages are discarded as they arrive; the dump still ends with DONE */
      },
    });
    if (this.closed) {
      queue.fail(this.closedError(info));
      return queue;
    }
    const start = (): void => {
      p = {
        kind: 'dump',
        seq: 0,
        info,
        batch: this.batch,
        start: 0,
        queue,
        interrupted: false,
        onInterrupted: opts.onInterrupted ?? 'throw',
        onMessage: opts.onMessage,
      };
      this.dumpActive = true;
      this.counters.dumps++;
      if (!this.write(p, type, flags | NLM_F_REQUEST | NLM_F_DUMP, body)) this.nextDump();
    };
    if (this.dumpActive) this.dumpQueue.push({ start, fail: (e) => queue.fail(e), info });
    else start();
    return queue;
  }

  /**
   * Runs a dump to the end and returns all messages. When the kernel marks it inconsistent
   * (a concurrent change, NLM_F_DUMP_INTR) it is retried up to `retries` times, then an
   * EINTR NetlinkError is thrown.
   */
  dumpAll(type: number, flags: number, body: BodyWriter | null, info: RequestInfo, retries = 5): Promise<NlMessage[]> {
    return this.collect(type, flags, body, info, undefined, retries);
  }

  /**
   * {@link NetlinkConnection.dumpAll}, returning `map(m)` of each message instead, called
   * as each batch of messages arrives: the messages themselves are garbage as soon as they
   * are mapped (a list of 10,000 routes keeps 10,000 small objects alive, not twice as many).
   * A retried dump maps its messages again.
   */
  dumpMap<T>(type: number, flags: number, body: BodyWriter | null, info: RequestInfo, map: (m: NlMessage) => T, retries = 5): Promise<T[]> {
    return this.collect(type, flags, body, info, map, retries);
  }

  private async collect<T>(type: number, flags: number, body: BodyWriter | null, info: RequestInfo, map: ((m: NlMessage) => T) | undefined, retries: number): Promise<T[]> {
    for (let attempt = 0; ; attempt++) {
      let out: T[] = [];
      try {
        // in batches (one promise per datagram, not per message)
        const q = this.dump(type, flags, body, info, { highWater: Infinity }) as AsyncQueue<NlMessage>;
        try {
          for (let b = await q.nextBatch(); b !== undefined; b = await q.nextBatch()) {
            if (map !== undefined) for (const m of b) out.push(map(m));
            else if (out.length === 0) out = b as T[];
            else for (const m of b) out.push(m as T);
          }
        } catch (e) {
          void q.return(); // map threw: the rest of the dump is read and dropped
          throw e;
        }
        return out;
      } catch (e) {
        if (!(e instanceof NetlinkError) || e.code !== 'EINTR' || attempt >= retries) throw e;
      }
    }
  }

  /** Closes the connection (`await using conn = await NetlinkConnection.open()`). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /** Closes the connection (`using conn = …`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Closes the socket; everything still in flight fails with ECANCELED. Never waits: the
   * native writer thread stops on its own (finishing a send the kernel is still processing).
   * Safe from inside any callback of this connection.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const pend = [...this.pending.values()];
    const queued = [...this.waiting.slice(this.waitingHead), ...this.dumpQueue];
    this.pending.clear();
    this.waiting = [];
    this.waitingHead = 0;
    this.dumpQueue.length = 0;
    this.quietQueue = [];
    this.quietHead = 0;
    this.openQuiet = undefined;
    this.sock.close();
    for (const p of pend) this.settleError(p, this.closedError(p.info));
    for (const q of queued) q?.fail(this.closedError(q.info));
  }

  // ---- internals --------------------------------------------------------------------

  private closedError(info: RequestInfo): NetlinkError {
    return new NetlinkError({ errno: 125, code: 'ECANCELED', operation: info.operation, object: info.object, kernelMessage: 'netlink connection closed' });
  }

  private nextSeq(): number {
    do {
      this.seq = (this.seq + 1) >>> 0;
    } while (this.seq === 0 || this.pending.has(this.seq));
    return this.seq;
  }

  /** Writes the message into the current batch; false (and p rejected) if body() threw. */
  private write(p: Pending, type: number, flags: number, body: BodyWriter | null): boolean {
    // a dump is answered out of step with later requests: it cannot vouch for commands
    if (p.kind === 'dump' && this.openQuiet) this.sealQuiet();
    const seq = this.nextSeq();
    const start = this.out.beginMessage(type, flags, seq, 0);
    try {
      body?.(this.out);
    } catch (e) {
      this.out.offset = start;
      if (p.kind === 'request') p.reject(e, p.index);
      else p.queue.fail(e);
      return false;
    }
    this.out.endMessage(start);
    this.dumpOnly = start === 0 && p.kind === 'dump';
    p.seq = seq;
    p.batch = this.batch;
    p.start = start;
    if (this.pending.size === 0 && this.refs === 0) this.sock.ref();
    this.pending.set(seq, p);
    if (p.kind === 'request') {
      this.counters.requests++;
      p.order = ++this.order;
      if (p.quiet) {
        this.quietQueue.push(p);
        this.openQuiet = p;
      } else this.openQuiet = undefined;
    }
    if (this.out.offset >= MAX_BATCH_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
    return true;
  }

  /** Asks for an ACK on the last command of the batch, so an answer follows every command. */
  private sealQuiet(): void {
    const q = this.openQuiet!;
    this.openQuiet = undefined;
    q.quiet = false;
    const at = q.start + 6;
    this.out.buf.writeUInt16LE(this.out.buf.readUInt16LE(at) | NLM_F_ACK, at);
  }

  /** Commands written before request `order` have succeeded (it was answered; they were not). */
  private settleQuietBefore(order: number): void {
    // complete() may empty the queue (when nothing is pending any more): re-read it each time
    while (this.quietHead < this.quietQueue.length) {
      const p = this.quietQueue[this.quietHead]!;
      if (p.order >= order) break;
      this.quietQueue[this.quietHead++] = undefined;
      this.complete(p, undefined);
    }
    const q = this.quietQueue;
    if (this.quietHead === q.length) {
      this.quietQueue = [];
      this.quietHead = 0;
    } else if (this.quietHead > 4096 && this.quietHead * 2 > q.length) {
      this.quietQueue = q.slice(this.quietHead);
      this.quietHead = 0;
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.out.offset === 0 || this.closed) return;
    if (this.openQuiet) this.sealQuiet();
    const bytes = Buffer.from(this.out.buf.subarray(0, this.out.offset));
    this.out.offset = 0;
    const batch = this.batch;
    batch.buf = bytes;
    this.batch = new Batch(batch.id + 1 > 0x7fffffff ? 1 : batch.id + 1);
    this.counters.sends++;
    // A datagram that is one dump request is sent from this thread when the writer thread
    // is idle: the kernel builds the first chunk inside this sendto as it builds every later
    // one inside this thread's recvmsg, and the answer is waiting when the event loop polls.
    // Handing it to the writer thread costs two thread wakeups (the writer's, then this
    // thread's when the answer arrives) — more than a dump of 1,000 addresses. Other
    // requests go through the writer: they may wait for rtnl_lock or slow device work.
    if (this.dumpOnly) {
      this.dumpOnly = false;
      this.sock.sendNow(bytes, batch.id);
    } else this.sock.send(bytes, batch.id);
  }

  /** Stops reading from the socket (counted: each pause() needs a resume()). While paused
   *  the kernel keeps messages in the socket's receive buffer; multicast notifications that
   *  do not fit are dropped and reported as an overflow when reading resumes. */
  pause(): void {
    if (this.paused++ === 0 && !this.closed) this.sock.pause();
  }

  /** Undoes one pause(). */
  resume(): void {
    if (this.paused > 0 && --this.paused === 0 && !this.closed) this.sock.resume();
  }

  private onData(data: Buffer | undefined, errno: number, batchId: number): void {
    if (this.closed) return;
    if (data) {
      let msgs: NlMessage[];
      try {
        msgs = parseMessages(data);
      } catch (e) {
        // A datagram we cannot frame: every waiter could be affected; fail them clearly.
        this.failAll(e instanceof ParseError ? e : new ParseError(String(e), 0));
        return;
      }
      for (const m of msgs) this.dispatch(m);
    } else if (batchId !== 0) {
      const err = (p: Pending): NetlinkError =>
        new NetlinkError({ errno, operation: p.info.operation, object: p.info.object, kernelMessage: `sending the request failed` });
      for (const p of [...this.pending.values()]) if (p.batch?.id === batchId) this.complete(p, err(p));
    } else if (errno === 90 /* EMSGSIZE: see OnData */) {
      let rcvbuf = 0;
      try {
        rcvbuf = this.sock.getOption(SOL_SOCKET, SO_RCVBUF);
      } catch {
        /* closed */
      }
      this.failAll(new NetlinkError({
        errno: 105,
        operation: 'receive',
        kernelMessage: `the receive buffer (${rcvbuf} bytes) is too small for one message of a dump: the kernel cannot queue it even into an empty buffer; raise receiveBuffer`,
      }));
    } else if (errno === 105 /* ENOBUFS */ && this.onOverflow) {
      // the kernel may have dropped the error of a command: its success cannot be vouched for
      const lost = (p: Pending): NetlinkError =>
        new NetlinkError({ errno, operation: p.info.operation, object: p.info.object, kernelMessage: 'the kernel dropped replies (receive buffer full); the outcome is unknown' });
      for (const p of this.quietQueue.slice(this.quietHead)) if (p?.quiet) this.complete(p, lost(p));
      this.onOverflow();
    } else {
      this.failAll(new NetlinkError({
        errno,
        operation: 'receive',
        kernelMessage: errno === 105 ? 'the kernel dropped replies because the receive buffer was full' : undefined,
      }));
    }
  }

  private failAll(e: Error): void {
    for (const p of [...this.pending.values()]) {
      const err = e instanceof NetlinkError
        ? new NetlinkError({ errno: e.errno ?? 0, code: e.code, operation: p.info.operation, object: p.info.object, kernelMessage: e.kernelMessage })
        : e;
      this.complete(p, err);
    }
  }

  private dispatch(m: NlMessage): void {
    // Replies carry our port id. Multicast notifications carry the port id and sequence
    // number of the request that caused them — another socket's — so a sequence number
    // alone could match one of ours: only a message addressed to our port is a reply.
    const p = m.seq === 0 || m.pid !== this.ownPort ? undefined : this.pending.get(m.seq);
    if (p === undefined) {
      if (m.type === NLMSG_NOOP || m.type === NLMSG_OVERRUN) return;
      if (this.onNotification) this.onNotification(m);
      else this.counters.strayReplies++;
      return;
    }
    if (p.kind === 'request') {
      if (m.type !== NLMSG_ERROR) {
        (p.replies ??= []).push(m);
        return;
      }
      // everything written before p was handled first, and its failures were reported first
      // (not so for a parallel request: the writer thread may still be behind it)
      if (this.quietHead < this.quietQueue.length && !p.parallel) this.settleQuietBefore(p.order);
      const ack = this.safeAck(m, parseError);
      this.complete(p, ack.errno === 0 ? undefined : this.errorFor(p, ack));
      return;
    }
    // dump
    p.onMessage?.(m);
    if (m.type === NLMSG_DONE || m.type === NLMSG_ERROR) {
      if (m.flags & NLM_F_DUMP_INTR) p.interrupted = true;
      const ack = this.safeAck(m, m.type === NLMSG_DONE ? parseDone : parseError);
      if (ack.errno !== 0) this.complete(p, this.errorFor(p, ack));
      else if (p.interrupted && p.onInterrupted === 'throw') {
        this.complete(p, new NetlinkError({
          errno: 4,
          operation: p.info.operation,
          object: p.info.object,
          kernelMessage: 'dump interrupted: the table changed while it was read (NLM_F_DUMP_INTR); results may be inconsistent',
        }));
      } else this.complete(p, undefined);
      return;
    }
    if (m.flags & NLM_F_DUMP_INTR) p.interrupted = true;
    p.queue.push(m);
  }

  private safeAck(m: NlMessage, parse: (m: NlMessage) => Ack): Ack {
    try {
      return parse(m);
    } catch (e) {
      return { errno: 74, extAck: { message: (e as Error).message } };
    }
  }

  private errorFor(p: Pending, ack: Ack): NetlinkError {
    let attribute: NetlinkError['attribute'];
    const off = ack.extAck.offset;
    if (off !== undefined) {
      attribute = { offset: off };
      const buf = p.batch?.buf;
      const at = p.start + off;
      if (buf && at + 4 <= buf.length) {
        attribute.type = buf.readUInt16LE(at + 2) & 0x3fff;
        attribute.name = p.info.describeAttribute?.(attribute.type);
      }
    }
    return new NetlinkError({
      errno: ack.errno,
      operation: p.info.operation,
      object: p.info.object,
      kernelMessage: ack.extAck.message,
      attribute,
      missingAttribute: ack.extAck.missingType,
    });
  }

  private complete(p: Pending, err: Error | undefined): void {
    if (this.pending.get(p.seq) !== p) return;
    this.pending.delete(p.seq);
    if (this.pending.size === 0) {
      if (this.refs === 0 && !this.closed) this.sock.unref();
      if (this.quietHead > 0 || this.quietQueue.length > 0) {
        this.quietQueue = [];
        this.quietHead = 0;
      }
    }
    if (err) this.settleError(p, err);
    else if (p.kind === 'request') p.resolve(p.command ? undefined : (p.replies ?? []), p.index);
    else p.queue.end();
    if (p.kind === 'request') {
      this.inFlight--;
      this.admit();
    } else {
      this.nextDump();
    }
  }

  private settleError(p: Pending, err: unknown): void {
    if (p.kind === 'request') p.reject(err, p.index);
    else p.queue.fail(err);
  }

  /** Starts waiting requests while the window has room. */
  private admit(): void {
    while (this.inFlight < this.window && this.waitingHead < this.waiting.length && !this.closed) {
      const q = this.waiting[this.waitingHead]!;
      if (q.start() === false) break; // a commandMany with more to write: it stays first
      this.waiting[this.waitingHead++] = undefined;
    }
    if (this.waitingHead === this.waiting.length) {
      this.waiting = [];
      this.waitingHead = 0;
    } else if (this.waitingHead > 4096 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
  }

  private nextDump(): void {
    this.dumpActive = false;
    const next = this.dumpQueue.shift();
    if (next) next.start();
  }
}
