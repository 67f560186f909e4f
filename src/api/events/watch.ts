/**
 * Watcher: a namespace's rtnetlink events (`ip monitor`) as an async iterator and an
 * EventEmitter, on a dedicated socket subscribed to the kernel's multicast groups.
 *
 * ```ts
 * for await (const ev of Watcher.open(ns, ['link', 'address'])) {
 *   if (ev.kind === 'link') console.log(ev.type, ev.link.name, ev.link.operstate);
 * }
 * ```
 *
 * **Snapshot + changes without a gap** (`snapshot: true`): the watcher subscribes first,
 * then dumps the current objects on the same socket, then streams. The kernel queues
 * notifications and dump replies on that one socket in the order it produced them, so:
 * notifications received before the dump's first reply are older than everything the dump
 * reads and are dropped; notifications received after it are applied, in order, on top of
 * the dumped objects (a `new` replaces the object with the same key, a `del` removes it).
 * The snapshot delivered is therefore the state as of the last event received when the
 * dump ended, with no duplicates; every later change follows as an event. If events are
 * lost (overflow) or the kernel marks a dump inconsistent during this, the snapshot is
 * taken again.
 * @module
 */
import { NetlinkError, NetnsKitError, ValidationError } from '../../errors.js';
import { NetlinkConnection } from '../../netlink/connection.js';
import type { NlMessage } from '../../netlink/message.js';
import { validateInt, validateOptions } from '../../util/validate.js';
import {
  type AddressEvent,
  type ChangeType,
  eventKey,
  KIND_SPECS,
  type KindSpec,
  type LinkEvent,
  type NeighborEvent,
  type NetconfEvent,
  type NsidEvent,
  type ObjectEvent,
  type OverflowEvent,
  type RouteEvent,
  type SyncEvent,
  validateFamilies,
  validateKinds,
  type WatchEvent,
  type WatchFamily,
  type WatchKind,
} from './events.js';
import { EventStream } from './event-stream.js';
import type { Namespace } from '../namespace/namespace.js';

/**
 * Open watchers. A watcher stays alive until it is closed, even unref()'d and unreferenced:
 * a `for await` loop or listeners waiting for its events are not references the garbage
 * collector sees, and collecting it would end them silently. (An idle connection or a
 * Namespace, by contrast, is collected when dropped — see docs/lifecycle.md.)
 */
const openWatchers = new Set<Watcher>();

/**
 * Options of {@link Watcher.open}.
 * @category Events
 */
export interface WatchOptions {
  /** IP families for addresses, routes and netconf (default both: `['inet', 'inet6']`). */
  families?: WatchFamily[];
  /** First deliver the current objects (a snapshot between `sync` events), then changes,
   *  with no gap between them (see the module documentation). Default false. */
  snapshot?: boolean;
  /**
   * What to do when the kernel drops events because the socket buffer is full (ENOBUFS):
   * - `'error'` (default): the watcher fails with an ENOBUFS error (the iterator throws it
   *   after the events received before it; `error` is emitted) and closes;
   * - `'event'`: an `overflow` event is delivered and watching continues — call
   *   {@link Watcher.resync} to get a fresh snapshot;
   * - `'resync'`: an `overflow` event, then a fresh snapshot (between `sync` events), then
   *   changes again.
   */
  overflow?: 'error' | 'event' | 'resync';
  /** The socket's receive buffer in bytes (default 8 MiB): how many events the kernel
   *  holds for a reader that is behind before it drops them. */
  receiveBuffer?: number;
  /** Events buffered for the iterator before reading pauses (default 1024). While reading
   *  is paused the kernel buffers events; when its buffer is full it drops them (overflow). */
  highWater?: number;
  /** Keep the process alive while the watcher is open (default true; see {@link Watcher.unref}). */
  ref?: boolean;
}

const WATCH_OPTION_KEYS = ['families', 'snapshot', 'overflow', 'receiveBuffer', 'highWater', 'ref'] as const;

/**
 * The events a {@link Watcher} emits, with their arguments.
 * @category Events
 */
export interface WatcherEventMap {
  /** Every delivered event (object events, `overflow`, `sync`). */
  event: [WatchEvent];
  /** A link event. */
  link: [LinkEvent];
  /** An address event. */
  address: [AddressEvent];
  /** A route event. */
  route: [RouteEvent];
  /** A neighbour event. */
  neighbor: [NeighborEvent];
  /** A netconf event. */
  netconf: [NetconfEvent];
  /** An nsid event. */
  nsid: [NsidEvent];
  /** Events were lost (not with `overflow: 'error'`). */
  overflow: [OverflowEvent];
  /** A snapshot begins or ends. */
  sync: [SyncEvent];
  /** The watcher failed (it is closed afterwards). */
  error: [Error];
  /** The watcher is subscribed. */
  ready: [];
  /** The watcher closed (after `error`, close(), the end of iteration, or the namespace closing). */
  close: [];
}

/** Listener names that carry object events: attaching one before iterating means "emitter only". */
const OBJECT_EVENT_NAMES = new Set<string | symbol>(['event', 'link', 'address', 'route', 'neighbor', 'netconf', 'nsid']);

/** Times a snapshot is retaken after an overflow or an interrupted dump before giving up. */
const MAX_SYNC_ATTEMPTS = 8;

interface SyncRun {
  /** the first reply of this attempt's dumps has arrived. */
  started: boolean;
  /** events received since then, in order. */
  buffered: ObjectEvent[];
  overflowed: boolean;
}

/**
 * Counters of a watcher.
 * @category Events
 */
export interface WatcherStats {
  /** Object events delivered (snapshot objects included). */
  events: number;
  /** Overflows the kernel reported (also those absorbed by a snapshot being retaken). */
  overflows: number;
  /** Snapshots delivered. */
  snapshots: number;
  /** Snapshot attempts retaken because of an overflow or an interrupted dump. */
  snapshotRetries: number;
  /** Events waiting for the iterator. */
  buffered: number;
}

/**
 * Events of one namespace, from a dedicated netlink socket: iterate it with `for await`, or
 * listen to it as an EventEmitter (`'event'`, or per kind: `'link'`, `'address'`, …, and
 * `'overflow'`, `'sync'`, `'error'`, `'close'`).
 *
 * - Events are buffered for the iterator from the moment the watcher is made, unless it is
 *   used as an EventEmitter only: attaching an object-event listener (`event` or a kind)
 *   before iterating stops that buffering. When `highWater` events wait for the iterator,
 *   reading pauses (the kernel then buffers, and drops when full: an overflow).
 * - `break`/`return` from the loop, {@link Watcher.close}, or closing/deleting the
 *   namespace closes the socket.
 * - Changes made after {@link Watcher.ready} resolves are always seen.
  * @category Events
 */
export class Watcher extends EventStream<WatchEvent, WatcherEventMap> {
  /** The namespace watched. */
  readonly namespace: Namespace;
  /** The kinds watched. */
  readonly kinds: readonly WatchKind[];
  /** The IP families watched (for addresses, routes, netconf). */
  readonly families: readonly WatchFamily[];
  /** Resolves once the socket is subscribed: every change after that is reported. Rejects
   *  if the socket cannot be opened (the error is also delivered like any failure). */
  readonly ready: Promise<void>;

  private conn: NetlinkConnection | undefined;
  private paused = false;
  private refd: boolean;
  private sync: SyncRun | undefined;
  private syncTail: Promise<void> = Promise.resolve();
  private syncsQueued = 0;
  private readonly specs: KindSpec[];
  private readonly byType = new Map<number, [KindSpec, ChangeType]>();
  private readonly familySet: ReadonlySet<WatchFamily>;
  private readonly overflowMode: 'error' | 'event' | 'resync';
  private readonly counters = { events: 0, overflows: 0, snapshots: 0, snapshotRetries: 0 };
  private readonly opening: Promise<void>;

  /**
   * Watches changes in `namespace` (`ip monitor`): links, addresses, routes, neighbours,
   * netconf, nsids (default: every kind), on a dedicated socket. Iterate it
   * (`for await (const ev of Watcher.open(ns, ['link']))`) or listen to it (`.on('link', …)`);
   * see {@link WatchOptions} (snapshot first, overflow handling). Closed by `break`,
   * `close()`, or closing the namespace.
   */
  static open(namespace: Namespace, kinds?: WatchKind | WatchKind[], options?: WatchOptions): Watcher {
    return new Watcher(namespace, kinds, options);
  }

  /** @internal Use {@link Watcher.open}. */
  constructor(namespace: Namespace, kinds?: WatchKind | WatchKind[], options?: WatchOptions) {
    const opts = validateOptions<WatchOptions>(options, WATCH_OPTION_KEYS);
    const highWater = opts.highWater === undefined ? 1024 : validateInt(opts.highWater, 'highWater', 1, 2 ** 31 - 1);
    super(OBJECT_EVENT_NAMES, highWater, Math.floor(highWater / 4));
    this.kinds = validateKinds(kinds);
    this.familySet = validateFamilies(opts.families, 'families');
    this.families = [...this.familySet];
    if (opts.overflow !== undefined && !['error', 'event', 'resync'].includes(opts.overflow)) {
      throw new ValidationError('overflow', opts.overflow, "expected 'error', 'event' or 'resync'");
    }
    this.overflowMode = opts.overflow ?? 'error';
    if (opts.receiveBuffer !== undefined) validateInt(opts.receiveBuffer, 'receiveBuffer', 1024, 2 ** 31 - 1);
    if (opts.snapshot !== undefined && typeof opts.snapshot !== 'boolean') throw new ValidationError('snapshot', opts.snapshot, 'expected a boolean');
    if (opts.ref !== undefined && typeof opts.ref !== 'boolean') throw new ValidationError('ref', opts.ref, 'expected a boolean');
    this.refd = opts.ref ?? true;
    this.namespace = namespace;
    this.specs = this.kinds.map((k) => KIND_SPECS[k]);
    for (const s of this.specs) {
      this.byType.set(s.newType, [s, 'new']);
      this.byType.set(s.delType, [s, 'del']);
    }
    const nsFd = namespace.fd; // throws EBADF now if the namespace is closed
    namespace._track(this);
    openWatchers.add(this); // alive until closed, like a Node socket (see openWatchers)
    const groups = [...new Set(this.specs.flatMap((s) => s.groups(this.familySet)))];
    this.opening = this.open(nsFd, groups, opts.receiveBuffer, opts.snapshot === true);
    this.ready = this.opening.then(() => {
      if (this.error !== undefined) throw this.error;
    });
    this.ready.catch(() => undefined);
  }

  /** Counters. */
  get stats(): WatcherStats {
    return { ...this.counters, buffered: this.bufferedCount };
  }

  /** The socket's file descriptor (diagnostics), or -1 when not open. */
  get fd(): number {
    return this.conn && !this.conn.isClosed ? this.conn.fd : -1;
  }

  /** Lets the process exit while this watcher is open (like `timer.unref()`). */
  unref(): this {
    if (this.refd) {
      this.refd = false;
      this.conn?.unref();
    }
    return this;
  }

  /** Undoes {@link Watcher.unref}. */
  ref(): this {
    if (!this.refd) {
      this.refd = true;
      if (this.conn && !this.isClosed) this.conn.ref();
    }
    return this;
  }

  /**
   * Takes a fresh snapshot: a `sync` `begin` event, the current objects (`new`, with
   * `snapshot: true`), a `sync` `end` event, then changes again (see the module
   * documentation for why nothing is missed). Resolves when the snapshot has been
   * delivered. Use it after an `overflow` event when `overflow: 'event'`.
   */
  resync(): Promise<void> {
    if (this.isClosed) return Promise.reject(this.closedError('resync'));
    return this.ready.then(() => this.requestSync('requested'));
  }

  /** @internal Closes the watcher for its namespace, once any open in progress has settled
   *  (so the namespace fd is not closed while a helper thread still uses it). */
  async _closeForNamespace(): Promise<void> {
    this.close();
    await this.opening.catch(() => undefined);
  }

  // ---- internals ----------------------------------------------------------------------

  private async open(nsFd: number, groups: number[], receiveBuffer: number | undefined, snapshot: boolean): Promise<void> {
    let conn: NetlinkConnection;
    try {
      conn = await NetlinkConnection.open({ nsFd, groups, receiveBuffer });
    } catch (e) {
      this.fail(e);
      return;
    }
    if (this.isClosed) {
      conn.close();
      return;
    }
    this.conn = conn;
    conn.onNotification = (m) => this.onNotification(m);
    conn.onOverflow = () => this.onOverflow();
    if (this.refd) conn.ref();
    if (this.paused) conn.pause();
    this.safeEmit('ready');
    if (snapshot) this.requestSync('initial').catch(() => undefined);
  }

  private get label(): string {
    return `watch ${this.kinds.join(', ')} in ${this.namespace.label}`;
  }

  private closedError(what: string): NetnsKitError {
    return new NetnsKitError(`${this.label}: cannot ${what}, the watcher is closed`, 'ECANCELED', 125);
  }

  private onNotification(m: NlMessage): void {
    const hit = this.byType.get(m.type);
    if (hit === undefined || this.isClosed) return;
    let ev: ObjectEvent | undefined;
    try {
      ev = hit[0].decode(this.namespace, m, hit[1], false, this.familySet);
    } catch (e) {
      this.fail(e);
      return;
    }
    if (ev === undefined) return;
    const s = this.sync;
    if (s !== undefined) {
      // Before the dump's first reply: older than the dump, superseded by it.
      if (s.started) s.buffered.push(ev);
      return;
    }
    this.deliver(ev);
  }

  private onOverflow(): void {
    if (this.isClosed) return;
    this.counters.overflows++;
    if (this.sync !== undefined) {
      this.sync.overflowed = true; // the snapshot being taken is retaken
      return;
    }
    if (this.overflowMode === 'error') {
      this.fail(new NetnsKitError(
        `${this.label}: the kernel dropped events because the socket's receive buffer was full (ENOBUFS); ` +
          `what was seen may no longer match the kernel — watch with { overflow: 'resync' } (or 'event' and call resync()) ` +
          'to get a fresh snapshot, or read events faster / raise receiveBuffer',
        'ENOBUFS',
        105,
      ));
      return;
    }
    this.deliver({ kind: 'overflow', count: this.counters.overflows });
    if (this.overflowMode === 'resync' && this.syncsQueued === 0) this.requestSync('overflow').catch(() => undefined);
  }

  /** Queues a snapshot after any running one. */
  private requestSync(reason: SyncEvent['reason']): Promise<void> {
    this.syncsQueued++;
    const run = this.syncTail.then(() => {
      this.syncsQueued--;
      return this.takeSnapshot(reason);
    });
    this.syncTail = run.catch(() => undefined);
    return run;
  }

  private async takeSnapshot(reason: SyncEvent['reason']): Promise<void> {
    const conn = this.conn;
    if (this.isClosed || conn === undefined) throw this.closedError('take a snapshot');
    const s: SyncRun = { started: false, buffered: [], overflowed: false };
    this.sync = s;
    this.deliver({ kind: 'sync', phase: 'begin', reason });
    const onMessage = (): void => {
      s.started = true;
    };
    for (let attempt = 1; ; attempt++) {
      s.started = false;
      s.buffered = [];
      s.overflowed = false;
      const state = new Map<string, ObjectEvent>();
      let interrupted = false;
      try {
        for (const spec of this.specs) {
          for (const d of spec.dumps(this.familySet)) {
            const info = { operation: d.operation, object: `in ${this.namespace.label}` };
            for await (const m of conn.dump(d.type, 0, d.body, info, { highWater: Infinity, onMessage })) {
              const ev = spec.decode(this.namespace, m, 'new', true, this.familySet);
              if (ev !== undefined) state.set(eventKey(ev), ev);
            }
          }
        }
      } catch (e) {
        if (this.isClosed || this.sync !== s) throw this.closedError('take a snapshot');
        if (e instanceof NetlinkError && e.code === 'EINTR') interrupted = true;
        else {
          this.fail(e);
          throw e;
        }
      }
      if (this.isClosed || this.sync !== s) throw this.closedError('take a snapshot');
      if (s.overflowed || interrupted) {
        this.counters.snapshotRetries++;
        if (attempt < MAX_SYNC_ATTEMPTS) continue;
        const err = new NetnsKitError(
          `${this.label}: no consistent snapshot after ${attempt} attempts: ` +
            (s.overflowed ? 'events kept overflowing the receive buffer during the dump (raise receiveBuffer)' : 'the kernel kept marking the dump inconsistent'),
          s.overflowed ? 'ENOBUFS' : 'EINTR',
          s.overflowed ? 105 : 4,
        );
        this.fail(err);
        throw err;
      }
      for (const ev of s.buffered) {
        const key = eventKey(ev);
        if (ev.type === 'del') {
          state.delete(key);
          continue;
        }
        const prev = state.get(key);
        const spec = KIND_SPECS[ev.kind];
        const next = prev !== undefined && spec.merge ? spec.merge(prev, ev) : ev;
        state.set(key, { ...next, snapshot: true });
      }
      this.sync = undefined;
      this.counters.snapshots++;
      for (const spec of this.specs) for (const ev of state.values()) if (ev.kind === spec.kind) this.deliver(ev);
      this.deliver({ kind: 'sync', phase: 'end', reason });
      return;
    }
  }

  private deliver(ev: WatchEvent): void {
    if (this.isClosed) return;
    if (ev.kind !== 'sync' && ev.kind !== 'overflow') this.counters.events++;
    this.enqueue(ev);
    this.safeEmit(ev.kind, ev);
    this.safeEmit('event', ev);
  }

  /** @internal */
  protected override onFull(): void {
    if (this.paused) return;
    this.paused = true;
    this.conn?.pause();
  }

  /** @internal */
  protected override onDrained(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.conn && !this.isClosed) this.conn.resume();
  }

  /** @internal */
  protected override release(): void {
    this.sync = undefined;
    const conn = this.conn;
    this.conn = undefined;
    if (conn) {
      conn.onNotification = undefined;
      conn.onOverflow = undefined;
      conn.close();
    }
    this.namespace._untrack(this);
    openWatchers.delete(this);
  }
}
