/**
 * Waiting for a state: `waitFor(link, l => l.operstate === 'up')`,
 * `waitFor(ns, 'link', l => l.name === 'eth0')`, `waitForNamespace('blue')`. A wait subscribes first, then checks the
 * current state (a snapshot on the same socket, see {@link Watcher}), then each change, so
 * it cannot miss the moment the state starts to hold. It resolves with the object that
 * satisfied the predicate; it rejects with a {@link TimeoutError} naming what was awaited
 * and the last state seen, or an {@link AbortError} when its signal aborts; either way the
 * socket and the timer are gone when the promise settles.
 * @module
 */
import { AbortError, type ErrnoCode, NetnsKitError, TimeoutError, ValidationError } from '../../errors.js';
import { validateOptions } from '../../util/validate.js';
import { eventObject, type ObjectEvent, type WatchKind, type WatchObjectMap } from './events.js';
import { Address } from '../ip/address.js';
import { Link } from '../link/link.js';
import { Namespace, NETNS_RUN_DIR } from '../namespace/namespace.js';
import { validateNamespaceName } from '../../util/validate.js';
import { NamespaceWatcher } from './namespace-watch.js';
import { Watcher } from './watch.js';

/**
 * Options of {@link waitFor} and {@link waitForNamespace}.
 * @category Events
 */
export interface WaitOptions {
  /** Give up after this many milliseconds (TimeoutError, code `ETIMEDOUT`). Default: no limit. */
  timeoutMs?: number;
  /** Give up when this signal aborts (AbortError, code `ABORT_ERR`). */
  signal?: AbortSignal;
  /** Words for error messages, instead of the predicate's source text. */
  description?: string;
}

const WAIT_OPTION_KEYS = ['timeoutMs', 'signal', 'description'] as const;

/** @internal What a wait looks for. */
export interface WaitSpec<T> {
  kind: WatchKind;
  /** e.g. `link veth0 (#4) in ns1` — completed with the predicate's description. */
  subject: string;
  /** The object of the event, if the event is about what is awaited. */
  pick: (ev: ObjectEvent) => T | undefined;
  predicate: (obj: T) => unknown;
  /** The awaited object must exist: its absence from the snapshot, or its removal, rejects
   *  with this code (e.g. ENODEV for a link). */
  mustExist?: { code: ErrnoCode; errno: number };
  /** Short text of an object for the timeout message ("last seen: …"), for waits on one object. */
  describe?: (obj: T) => string;
}

/** Source text of a predicate, on one line and shortened. */
function predicateText(fn: (...a: never[]) => unknown): string {
  const text = String(fn).replace(/\s+/g, ' ').trim();
  return text.length > 120 ? text.slice(0, 117) + '...' : text;
}

/** @internal Checks waitFor's options. */
export function validateWaitOptions(options: unknown): WaitOptions {
  const opts = validateOptions<WaitOptions>(options, WAIT_OPTION_KEYS);
  if (opts.timeoutMs !== undefined) {
    const t = opts.timeoutMs;
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || t > 2 ** 31 - 1) {
      throw new ValidationError('timeoutMs', t, 'expected a number of milliseconds from 0 to 2147483647');
    }
  }
  if (opts.signal !== undefined) {
    const s: unknown = opts.signal;
    if (s === null || typeof s !== 'object' || !('aborted' in s) || typeof s.aborted !== 'boolean' || !('addEventListener' in s) || typeof s.addEventListener !== 'function') {
      throw new ValidationError('signal', opts.signal, 'expected an AbortSignal');
    }
  }
  if (opts.description !== undefined && typeof opts.description !== 'string') {
    throw new ValidationError('description', opts.description, 'expected a string');
  }
  return opts;
}

/** @internal Runs a wait (see the module documentation). */
export function waitUntil<T>(ns: Namespace, spec: WaitSpec<T>, options?: WaitOptions): Promise<T> {
  let opts: WaitOptions;
  try {
    opts = validateWaitOptions(options);
    if (typeof spec.predicate !== 'function') throw new ValidationError('predicate', spec.predicate, 'expected a function');
  } catch (e) {
    return Promise.reject(e);
  }
  const text = opts.description ?? predicateText(spec.predicate as (...a: never[]) => unknown);
  let last: T | undefined;
  let present = false;
  const lastSeen = (): string => (spec.describe === undefined || last === undefined ? '' : `; last seen: ${spec.describe(last)}`);
  return guarded<T>(`${spec.subject} to satisfy ${text}`, opts, lastSeen, (finish) => {
    const gone = (how: string): NetnsKitError =>
      new NetnsKitError(`${spec.subject} ${how} while waiting for it to satisfy ${text}`, spec.mustExist!.code, spec.mustExist!.errno);
    const watcher = new Watcher(ns, [spec.kind], { snapshot: true, overflow: 'resync' });
    watcher.on('event', (ev) => {
      if (ev.kind === 'sync') {
        if (ev.phase === 'begin') present = false;
        else if (spec.mustExist && !present) finish(gone('does not exist'));
        return;
      }
      if (ev.kind === 'overflow') return;
      const obj = spec.pick(ev);
      if (obj === undefined) return;
      if (ev.type === 'del') {
        if (spec.mustExist) finish(gone('was removed'));
        return;
      }
      present = true;
      last = obj;
      let ok: unknown;
      try {
        ok = spec.predicate(obj);
      } catch (e) {
        finish(e);
        return;
      }
      if (ok) finish(undefined, obj);
    });
    watcher.on('error', (e) => finish(e));
    watcher.on('close', () => finish(new NetnsKitError(`stopped waiting for ${spec.subject}: the namespace was closed`, 'ECANCELED', 125)));
    return () => watcher.close();
  });
}

/**
 * @internal Runs `start` until it calls `finish`, under the timeout and the abort signal of
 * `opts`. `start` returns its cleanup, which always runs before the promise settles; the
 * timer and the abort listener are removed too. `what` names what is awaited in errors.
 */
export function guarded<T>(
  what: string,
  opts: WaitOptions,
  lastSeen: () => string,
  start: (finish: (err: unknown, value?: T) => void) => () => void,
): Promise<T> {
  const signal = opts.signal;
  if (signal?.aborted) return Promise.reject(new AbortError(`aborted waiting for ${what}`, { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let cleanup: (() => void) | undefined;
    const finish = (err: unknown, value?: T): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      try {
        cleanup?.();
      } catch {
        /* cleanup is best effort: the outcome below is what matters */
      }
      if (err !== undefined) reject(err);
      else resolve(value as T);
    };
    const onAbort = (): void => finish(new AbortError(`aborted waiting for ${what}`, { cause: signal?.reason }));
    try {
      const c = start(finish);
      if (settled) c();
      else cleanup = c;
    } catch (e) {
      finish(e);
      return;
    }
    if (settled) return;
    if (opts.timeoutMs !== undefined) {
      const ms = opts.timeoutMs;
      timer = setTimeout(() => finish(new TimeoutError(`timed out after ${ms} ms waiting for ${what}${lastSeen()}`)), ms);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Short JSON of an object with toJSON (for messages). */
export function describeObject(obj: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(obj) ?? String(obj);
  } catch {
    text = String(obj);
  }
  return text.length > 300 ? text.slice(0, 297) + '...' : text;
}

/**
 * Waits until some object of `kind` in `ns` satisfies `predicate` (current state first, then
 * changes) and resolves with it: `await waitFor(ns, 'link', (l) => l.name === 'eth0')`,
 * `await waitFor(ns, 'address', (a) => a.address === 'fd00::1' && !a.tentative)`.
 * Rejects with TimeoutError / AbortError (see {@link WaitOptions}).
 * @category Events
 */
export function waitFor<K extends WatchKind>(
  ns: Namespace,
  kind: K,
  predicate: (obj: WatchObjectMap[K]) => unknown,
  options?: WaitOptions,
): Promise<WatchObjectMap[K]>;
/**
 * Waits until this link satisfies `predicate` (checked on the current state first, then on
 * every change) and resolves with that snapshot of it:
 * `await waitFor(veth, (l) => l.operstate === 'up', { timeoutMs: 2000 })`.
 * Rejects with ENODEV if the link does not exist or is removed meanwhile, TimeoutError
 * (ETIMEDOUT, naming the link, the predicate and the last state seen) or AbortError
 * (ABORT_ERR). Leaves no socket or timer behind.
 */
export function waitFor(link: Link, predicate: (link: Link) => unknown, options?: WaitOptions): Promise<Link>;
/**
 * Waits until this address satisfies `predicate` (checked on the current state first,
 * then on every change) and resolves with that snapshot of it — e.g. for IPv6 duplicate
 * address detection to finish: `await waitFor(addr, (a) => !a.tentative, { timeoutMs: 5000 })`.
 * Rejects with EADDRNOTAVAIL if the address does not exist or is removed meanwhile,
 * TimeoutError (ETIMEDOUT) or AbortError (ABORT_ERR). Leaves no socket or timer behind.
 */
export function waitFor(address: Address, predicate: (address: Address) => unknown, options?: WaitOptions): Promise<Address>;
export function waitFor(target: Namespace | Link | Address, ...rest: unknown[]): Promise<unknown> {
  if (target instanceof Namespace) {
    const [kind, predicate, options] = rest as [WatchKind, (obj: unknown) => unknown, WaitOptions | undefined];
    return waitForKind(target, kind, predicate, options);
  }
  const [predicate, options] = rest as [(obj: Link | Address) => unknown, WaitOptions | undefined];
  if (target instanceof Link) return waitForLink(target, predicate, options);
  if (target instanceof Address) return waitForAddress(target, predicate, options);
  return Promise.reject(new ValidationError('target', target, 'expected a Namespace, a Link or an Address'));
}

/** A namespace-level wait: any object of `kind` satisfying the predicate. */
function waitForKind<K extends WatchKind>(
  ns: Namespace,
  kind: K,
  predicate: (obj: WatchObjectMap[K]) => unknown,
  options?: WaitOptions,
): Promise<WatchObjectMap[K]> {
  return waitUntil<WatchObjectMap[K]>(ns, {
    kind,
    subject: `a ${kind} in ${ns.label}`,
    pick: (ev) => (ev.kind === kind ? (eventObject(ev) as WatchObjectMap[K]) : undefined),
    predicate,
  }, options);
}

function waitForLink(link: Link, predicate: (link: Link) => unknown, options?: WaitOptions): Promise<Link> {
  const index = link.index;
  return waitUntil<Link>(link.namespace, {
    kind: 'link',
    subject: `link ${link.name} (#${index}) in ${link.namespace.label}`,
    pick: (ev) => (ev.kind === 'link' && ev.link.index === index ? ev.link : undefined),
    predicate,
    mustExist: { code: 'ENODEV', errno: 19 },
    describe: describeObject,
  }, options);
}

function waitForAddress(addr: Address, predicate: (address: Address) => unknown, options?: WaitOptions): Promise<Address> {
  const { family, linkIndex, address, prefixLength } = addr;
  return waitUntil<Address>(addr.namespace, {
    kind: 'address',
    subject: `address ${addr.cidr} on link #${linkIndex} in ${addr.namespace.label}`,
    pick: (ev) =>
      ev.kind === 'address' &&
      ev.address.family === family &&
      ev.address.linkIndex === linkIndex &&
      ev.address.address === address &&
      ev.address.prefixLength === prefixLength
        ? ev.address
        : undefined,
    predicate,
    mustExist: { code: 'EADDRNOTAVAIL', errno: 99 },
    describe: describeObject,
  }, options);
}

/**
 * Waits until the named namespace exists (checking now first), then opens it:
 * `const ns = await waitForNamespace('blue', { timeoutMs: 5000 })`.
 * Rejects with TimeoutError / AbortError (see {@link WaitOptions}).
 * @category Events
 */
export function waitForNamespace(name: string, options?: WaitOptions): Promise<Namespace> {
  let opts: WaitOptions;
  try {
    validateNamespaceName(name);
    opts = validateWaitOptions(options);
  } catch (e) {
    return Promise.reject(e);
  }
  return guarded<Namespace>(`namespace "${name}" to appear in ${NETNS_RUN_DIR}`, opts, () => '', (finish) => {
    let done = false;
    let retry: NodeJS.Timeout | undefined;
    const watcher = new NamespaceWatcher({ snapshot: true });
    const tryOpen = (attempt: number): void => {
      retry = undefined;
      if (done) return;
      // opened synchronously: Namespace.open does no I/O before its first await
      Namespace.open(name).then(
        (ns) => {
          if (done) void ns.close();
          else finish(undefined, ns);
        },
        (e: unknown) => {
          // present but not yet mounted (just created): look again shortly
          if (!done && (e as NetnsKitError).code === 'EINVAL' && attempt < 20) retry = setTimeout(() => tryOpen(attempt + 1), 5 * (attempt + 1));
        },
      );
    };
    watcher.on('add', (ev) => {
      if (ev.name === name) tryOpen(0);
    });
    watcher.on('error', (e) => finish(e));
    return () => {
      done = true;
      if (retry !== undefined) clearTimeout(retry);
      watcher.close();
    };
  });
}
