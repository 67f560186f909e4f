/**
 * Network namespaces: create, open, list, delete, run code inside, ids.
 * @module
 */
import { closeSync, constants as fsConstants, fstatSync, openSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { native } from '../../binding/native.js';
import { NetnsKitError, SystemError, ValidationError } from '../../errors.js';
import { NetlinkConnection } from '../../netlink/connection.js';
import { AF_UNSPEC, RTM_GETNSID, RTM_NEWNSID } from '../../rtnetlink/constants.js';
import { NsidAttrs, NSID_NOT_ASSIGNED, RtGenMsg } from '../../rtnetlink/nsid.js';
import { validateInt, validateNamespaceName } from '../../util/validate.js';

/**
 * Where named namespaces live (iproute2's NETNS_RUN_DIR; /var/run/netns is the same place).
 * @category Namespaces
 */
export const NETNS_RUN_DIR = '/run/netns';

/**
 * A named namespace as listed by {@link Namespace.list}.
 * @category Namespaces
 */
export interface NamespaceEntry {
  /** its name (the file name in /run/netns). */
  name: string;
  /** `/run/netns/NAME`. */
  path: string;
}

/**
 * An nsid: how the namespace you ask names another one (`ip netns list-id`).
 * @category Namespaces
 */
export interface NsidEntry {
  /** the id. */
  nsid: number;
  /** the named namespace it refers to, when one matches. */
  name?: string;
}

/**
 * Device and inode of a namespace's nsfs file: what makes two handles the same namespace.
 * @category Namespaces
 */
export interface NamespaceIdentity {
  /** st_dev of the nsfs file. */
  dev: number;
  /** st_ino of the nsfs file (the number in `net:[…]`). */
  ino: number;
}

function identityOfFd(fd: number): NamespaceIdentity {
  const st = fstatSync(fd);
  return { dev: st.dev, ino: st.ino };
}

/** An object with a `then` method (what run() refuses as its callback's result). */
function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

/** Throws a ValidationError unless `v` is a Namespace (JavaScript callers pass anything). @internal */
export function validateNamespaceArg(v: unknown, field: string): Namespace {
  if (!(v instanceof Namespace)) throw new ValidationError(field, v, 'expected a Namespace');
  return v;
}

/**
 * @internal Something that lives on a namespace's fd and is closed when the namespace closes
 * (a Watcher). The namespace knows only this interface, not the classes above it.
 */
export interface NamespaceResource {
  /** Closes it because its namespace is closing. */
  _closeForNamespace(): Promise<void>;
}

/**
 * The namespace the main thread is in while netns-kit is loaded (module evaluation never runs
 * inside `ns.run()`): what {@link Namespace.host} means, whenever it is first called.
 */
const HOST_PATH = '/proc/thread-self/ns/net';
/** -1 when /proc is not mounted at load (a bare mount namespace): host() then opens it on first use. */
const hostFdAtLoad = ((): number => {
  try {
    return openSync(HOST_PATH, fsConstants.O_RDONLY);
  } catch {
    return -1;
  }
})();
/** depth of run() calls on the stack (the main thread is inside another namespace). */
let runDepth = 0;

/**
 * Closes the fd of a Namespace that was garbage-collected without close(): its connection and
 * watchers are collected with it (a connection closes itself in its finalizer; a watcher that
 * keeps the process alive keeps its namespace alive too, so it is never collected open).
 */
const dropped = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    /* already closed */
  }
});

/** CLONE_NEWNET: the type NS_GET_NSTYPE reports for a network namespace. */
const CLONE_NEWNET = 0x40000000;

/** @internal True when fd is open on a network namespace. */
export function isNetnsFd(fd: number): boolean {
  try {
    return native.namespaceType(fd) === CLONE_NEWNET;
  } catch {
    return false;
  }
}

/**
 * A network namespace, held open by a file descriptor for as long as this object is open.
 *
 * ```ts
 * const blue = await Namespace.create('blue');     // ip netns add blue
 * blue.run(() => { ... });                          // synchronous code inside blue
 * await blue.delete();                              // ip netns delete blue
 * ```
 * Each Namespace lazily owns one rtnetlink connection created inside it
 * ({@link Namespace.connection}); it is closed with the namespace.
  * @category Namespaces
 */
export class Namespace {
  /** The name, for namespaces in /run/netns; undefined for the host or a /proc path. */
  readonly name: string | undefined;
  /** The path it was opened from. */
  readonly path: string;
  /** Device and inode of the namespace: equal for two handles on the same namespace. */
  readonly identity: NamespaceIdentity;

  private _fd: number;
  /** requests in flight that carry this namespace's fd number (IFLA_NET_NS_FD, NETNSA_FD). */
  private holds = 0;
  /** close() was called while holds > 0: the fd is closed when the last hold ends. */
  private closePending = false;
  private conn: Promise<NetlinkConnection> | undefined;
  private connNow: NetlinkConnection | undefined;
  private readonly resources = new Set<NamespaceResource>();
  private readonly isHost: boolean;
  /** made by {@link Namespace.create} through this handle: disposing it deletes it. */
  private created = false;
  private static hostNs: Namespace | undefined;

  private constructor(fd: number, path: string, name: string | undefined, isHost = false, identity = identityOfFd(fd)) {
    this._fd = fd;
    this.path = path;
    this.name = name;
    this.isHost = isHost;
    this.identity = identity;
    if (!isHost) dropped.register(this, fd, this);
  }

  /** The open file descriptor on the namespace (valid until close/delete). */
  get fd(): number {
    if (this._fd < 0 || this.closePending) throw new NetnsKitError(`namespace ${this.label} is closed`, 'EBADF', 9);
    return this._fd;
  }

  /** True once closed or deleted. */
  get isClosed(): boolean {
    return this._fd < 0 || this.closePending;
  }

  /**
   * Runs `fn` with this namespace's fd kept open until the promise settles, for requests that
   * carry the fd NUMBER to the kernel (IFLA_NET_NS_FD, NETNSA_FD): the message is sent later
   * by the writer thread, and a close() in between would let the number be reused by another
   * file — another namespace — so the request would act on the wrong one. A close() during
   * the request takes effect when it ends. EBADF if already closed.
   * @internal
   */
  async withFd<T>(fn: (fd: number) => Promise<T>): Promise<T> {
    const fd = this.fd;
    this.holds++;
    try {
      return await fn(fd);
    } finally {
      if (--this.holds === 0 && this.closePending) this.closeFd();
    }
  }

  private closeFd(): void {
    this.closePending = false;
    if (this._fd >= 0) {
      dropped.unregister(this);
      closeSync(this._fd);
      this._fd = -1;
    }
  }

  /** A name for messages: the namespace name, or its path. */
  get label(): string {
    return this.name ?? this.path;
  }

  // ---- opening ----------------------------------------------------------------------

  /**
   * Creates a named namespace, exactly like `ip netns add NAME`: the file
   * `/run/netns/NAME` bind-mounts a new namespace, visible to `ip netns list`.
   * Fails with EEXIST (naming the path) if the name is taken.
   */
  static async create(name: string): Promise<Namespace> {
    validateNamespaceName(name);
    const path = `${NETNS_RUN_DIR}/${name}`;
    let made: { fd: number; dev: number; ino: number };
    try {
      // the helper thread also opens the new namespace (and reads its identity): nothing is
      // left for the main thread to ask the kernel. It then returns to the host namespace
      // (hostFdAtLoad is never closed).
      made = await native.createNamespace(NETNS_RUN_DIR, name, hostFdAtLoad);
    } catch (e) {
      const err = SystemError.from(e, `Cannot create namespace file "${path}"`);
      if (err instanceof SystemError && err.code === 'EEXIST') {
        throw new SystemError(`Cannot create namespace file "${path}": File exists (EEXIST)`, 'EEXIST', 17, err.syscall, path, { cause: e });
      }
      throw err;
    }
    const ns = new Namespace(made.fd, path, name, false, { dev: made.dev, ino: made.ino });
    ns.created = true;
    return ns;
  }

  /** Opens a named namespace (`/run/netns/NAME`), including ones made by `ip netns add`. */
  static async open(name: string): Promise<Namespace> {
    validateNamespaceName(name);
    return Namespace.openAt(`${NETNS_RUN_DIR}/${name}`, name);
  }

  /** Opens a namespace by path (`/proc/PID/ns/net`, a bind mount, …). */
  static async openPath(path: string): Promise<Namespace> {
    if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
      throw new ValidationError('path', path, 'expected a file path');
    }
    return Namespace.openAt(path, undefined);
  }

  /** Opens the namespace of a process (like `ip netns exec` with a pid, or nsenter -t PID -n). */
  static async openPid(pid: number): Promise<Namespace> {
    validateInt(pid, 'pid', 1, 2 ** 22);
    return Namespace.openAt(`/proc/${pid}/ns/net`, undefined);
  }

  private static openAt(path: string, name: string | undefined): Namespace {
    let fd: number;
    try {
      fd = openSync(path, fsConstants.O_RDONLY);
    } catch (e) {
      throw SystemError.from(e, name ? `open namespace "${name}"` : `open namespace ${path}`);
    }
    if (!isNetnsFd(fd)) {
      closeSync(fd);
      throw new NetnsKitError(`${path} is not a network namespace (not mounted, or removed)`, 'EINVAL', 22);
    }
    return new Namespace(fd, path, name);
  }

  /**
   * The namespace the process was in when netns-kit was loaded: the process's "host"
   * namespace — also when first called inside {@link Namespace.run}. Always open; close() on
   * it only closes its connection.
   */
  static host(): Namespace {
    if (Namespace.hostNs) return Namespace.hostNs;
    let fd = hostFdAtLoad;
    if (fd < 0) {
      // /proc was not there at load: open it now, unless the main thread is elsewhere
      if (runDepth > 0) throw new NetnsKitError('Namespace.host(): /proc was not mounted when netns-kit was loaded; call host() outside run() first', 'ENOENT', 2);
      try {
        fd = openSync(HOST_PATH, fsConstants.O_RDONLY);
      } catch (e) {
        throw SystemError.from(e, 'open the host namespace');
      }
    }
    return (Namespace.hostNs = new Namespace(fd, HOST_PATH, undefined, true));
  }

  /** Named namespaces in /run/netns, like `ip netns list`. */
  static async list(): Promise<NamespaceEntry[]> {
    let names: string[];
    try {
      names = await readdir(NETNS_RUN_DIR);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw SystemError.from(e, `list ${NETNS_RUN_DIR}`);
    }
    return names.sort().map((name) => ({ name, path: `${NETNS_RUN_DIR}/${name}` }));
  }

  /** Names of the named namespaces a process is in, like `ip netns identify PID`. */
  static async identify(pid: number = process.pid): Promise<string[]> {
    validateInt(pid, 'pid', 1, 2 ** 22);
    let target: NamespaceIdentity;
    try {
      const st = await stat(`/proc/${pid}/ns/net`);
      target = { dev: st.dev, ino: st.ino };
    } catch (e) {
      throw SystemError.from(e, `identify pid ${pid}`);
    }
    const out: string[] = [];
    for (const entry of await Namespace.list()) {
      try {
        const st = await stat(entry.path);
        if (st.dev === target.dev && st.ino === target.ino) out.push(entry.name);
      } catch {
        /* vanished or not a namespace */
      }
    }
    return out;
  }

  // ---- using ------------------------------------------------------------------------

  /** True when both handles refer to the same namespace. */
  equals(other: Namespace): boolean {
    return this.identity.dev === other.identity.dev && this.identity.ino === other.identity.ino;
  }

  /** Process ids whose network namespace is this one, like `ip netns pids NAME`. */
  async pids(): Promise<number[]> {
    const { dev, ino } = this.identity;
    const entries = (await readdir('/proc')).filter((n) => /^\d+$/.test(n));
    const found = await Promise.all(
      entries.map(async (p) => {
        try {
          const st = await stat(`/proc/${p}/ns/net`);
          return st.dev === dev && st.ino === ino ? Number(p) : -1;
        } catch {
          return -1;
        }
      }),
    );
    return found.filter((p) => p > 0).sort((a, b) => a - b);
  }

  /**
   * Runs synchronous code with the main thread inside this namespace, then switches back,
   * also when `fn` throws (the error propagates). Sockets created synchronously by `fn`
   * stay in this namespace for their whole life.
   *
   * `fn` must be synchronous: after an `await` the code would run in the original
   * namespace. Async functions are refused; a returned Promise is an error. For socket
   * work that continues asynchronously, create the socket here (or with
   * {@link Namespace.openSocket}) and use it afterwards.
   */
  run<T>(fn: () => T): T {
    if (typeof fn !== 'function') throw new ValidationError('fn', fn, 'expected a function');
    const ctor = (fn as { constructor?: { name?: string } }).constructor?.name;
    if (ctor === 'AsyncFunction' || ctor === 'AsyncGeneratorFunction') {
      throw new ValidationError('fn', '[async function]', 'run() takes synchronous code: code after an await would run in the original namespace');
    }
    let entered = false;
    let result: T;
    try {
      result = native.runIn(this.fd, () => {
        entered = true;
        runDepth++;
        try {
          return fn();
        } finally {
          runDepth--;
        }
      });
    } catch (e) {
      if (!entered) throw SystemError.from(e, `enter namespace ${this.label}`);
      throw e;
    }
    if (isThenable(result)) {
      result.then(undefined, () => undefined);
      throw new ValidationError('fn', '[Promise]', 'run() callback returned a Promise: code after an await would run in the original namespace');
    }
    return result;
  }

  /**
   * Creates a socket that belongs to this namespace (made by a helper thread that entered
   * it; the main thread does not move). Returns the fd, non-blocking and close-on-exec:
   * hand it to `new net.Socket({ fd })`, `server.listen({ fd })` or `dgram` `bind({ fd })`.
   */
  async openSocket(domain: number, type: number, protocol = 0): Promise<number> {
    validateInt(domain, 'domain', 0, 64);
    validateInt(type, 'type', 1, 10);
    validateInt(protocol, 'protocol', 0, 65535);
    try {
      return await native.openSocket(this.fd, domain, type, protocol);
    } catch (e) {
      throw SystemError.from(e, `open socket in namespace ${this.label}`);
    }
  }

  /**
   * This namespace's rtnetlink connection (opened inside it on first use, closed with it).
   * Every class of netns-kit talks to the kernel through it.
   */
  connection(): Promise<NetlinkConnection> {
    if (!this.conn) {
      const fd = this.fd;
      this.conn = NetlinkConnection.open({ nsFd: fd });
      this.conn.catch(() => {
        this.conn = undefined;
      });
      const opening = this.conn;
      opening.then((c) => this.conn === opening && (this.connNow = c), () => undefined);
    }
    return this.conn;
  }

  /**
   * The connection when it is already open (bulk request paths use it without waiting for
   * a promise); undefined before the first {@link Namespace.connection} has finished.
   * @internal
   */
  get openConnection(): NetlinkConnection | undefined {
    const c = this.connNow;
    return c !== undefined && !c.isClosed ? c : undefined;
  }

  // ---- namespace ids ----------------------------------------------------------------

  /** The nsid this namespace uses for `target`, or undefined if none is assigned. */
  async getNsid(target: Namespace): Promise<number | undefined> {
    validateNamespaceArg(target, 'target');
    const conn = await this.connection();
    const replies = await target.withFd((fd) => conn.request(RTM_GETNSID, 0, (w) => {
      RtGenMsg.encode(w, { family: AF_UNSPEC });
      NsidAttrs.encode(w, { fd });
    }, { operation: 'get nsid of', object: target.label }));
    for (const m of replies) {
      const attrs = NsidAttrs.decode(m.buf, m.start + RtGenMsg.size, m.end);
      if (attrs.nsid !== undefined) return attrs.nsid === NSID_NOT_ASSIGNED ? undefined : attrs.nsid;
    }
    return undefined;
  }

  /**
   * Assigns, in this namespace, an nsid to `target`, like `ip netns set NAME NETNSID` run
   * in this namespace. `'auto'` lets the kernel choose. Returns the id now assigned.
   */
  async setNsid(target: Namespace, nsid: number | 'auto'): Promise<number> {
    validateNamespaceArg(target, 'target');
    const id = nsid === 'auto' ? NSID_NOT_ASSIGNED : validateInt(nsid, 'nsid', 0, 2 ** 31 - 1);
    const conn = await this.connection();
    await target.withFd((fd) => conn.request(RTM_NEWNSID, 0, (w) => {
      RtGenMsg.encode(w, { family: AF_UNSPEC });
      NsidAttrs.encode(w, { nsid: id, fd });
    }, { operation: 'set nsid of', object: `${target.label} to ${nsid}` }));
    const now = await this.getNsid(target);
    if (now === undefined) throw new NetnsKitError(`nsid of ${target.label} was not assigned`, 'EIO', 5);
    return now;
  }

  /** The nsids this namespace has assigned, with the named namespace each refers to (`ip netns list-id`). */
  async listNsids(): Promise<NsidEntry[]> {
    const conn = await this.connection();
    const msgs = await conn.dumpAll(RTM_GETNSID, 0, (w) => RtGenMsg.encode(w, { family: AF_UNSPEC }), { operation: 'dump nsids' });
    const ids = msgs
      .map((m) => NsidAttrs.decode(m.buf, m.start + RtGenMsg.size, m.end).nsid)
      .filter((n): n is number => n !== undefined && n >= 0);
    const names = new Map<number, string>();
    for (const entry of await Namespace.list()) {
      let ns: Namespace | undefined;
      try {
        ns = await Namespace.open(entry.name);
        const id = await this.getNsid(ns);
        if (id !== undefined && !names.has(id)) names.set(id, entry.name);
      } catch {
        /* not a namespace any more */
      } finally {
        await ns?.close();
      }
    }
    return ids.sort((a, b) => a - b).map((nsid) => (names.has(nsid) ? { nsid, name: names.get(nsid)! } : { nsid }));
  }

  /** @internal Something open on this namespace (a watcher) that closes with it. */
  _track(r: NamespaceResource): void {
    this.resources.add(r);
  }

  /** @internal It closed. */
  _untrack(r: NamespaceResource): void {
    this.resources.delete(r);
  }

  // ---- closing ----------------------------------------------------------------------

  /** Closes the connection, the watchers and the fd (the namespace itself stays, if named). */
  async close(): Promise<void> {
    await Promise.all([...this.resources].map((r) => r._closeForNamespace()));
    const conn = this.conn;
    this.conn = undefined;
    this.connNow = undefined;
    if (conn) {
      try {
        (await conn).close();
      } catch {
        /* never opened */
      }
    }
    if (this.isHost) return;
    if (this.holds > 0) this.closePending = this._fd >= 0;
    else this.closeFd();
  }

  /**
   * `await using ns = await Namespace.create('blue')`: at the end of the scope a namespace
   * made by {@link Namespace.create} through this handle is deleted; any other (opened,
   * {@link Namespace.host}) is only closed.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.created && this.name !== undefined && !this.isClosed) await this.delete();
    else await this.close();
  }

  /** Closes this handle and removes the named namespace, like `ip netns delete NAME`. */
  async delete(): Promise<void> {
    if (this.name === undefined) {
      throw new NetnsKitError(`namespace ${this.label} has no name in ${NETNS_RUN_DIR}: only named namespaces can be deleted`, 'EINVAL', 22);
    }
    await this.close();
    await Namespace.remove(this.name);
  }

  /** Removes a named namespace by name without opening it (`ip netns delete NAME`). */
  static async remove(name: string): Promise<void> {
    validateNamespaceName(name);
    try {
      await native.deleteNamespace(`${NETNS_RUN_DIR}/${name}`);
    } catch (e) {
      throw SystemError.from(e, `delete namespace "${name}"`);
    }
  }
}
