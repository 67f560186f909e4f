/**
 * NamespaceWatcher: named namespaces appearing and disappearing in /run/netns, like
 * `ip netns monitor`, from inotify (Node's fs.watch) — no process spawned.
 *
 * ```ts
 * for await (const ev of NamespaceWatcher.open()) console.log(ev.type, ev.name); // add blue / remove blue
 * ```
 * @module
 */
import { closeSync, constants as fsConstants, type FSWatcher, openSync, statSync, watch as fsWatch } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { SystemError, ValidationError } from '../../errors.js';
import { validateOptions } from '../../util/validate.js';
import { EventStream } from './event-stream.js';
import { isNetnsFd, NETNS_RUN_DIR } from '../namespace/namespace.js';

/**
 * A named namespace appeared (`add`) or was removed (`remove`).
 * @category Events
 */
export interface NamespaceEvent {
  /** `add`: the name exists (and is a mounted namespace, see {@link NamespaceWatcher});
   *  `remove`: the name is gone. */
  type: 'add' | 'remove';
  /** The namespace's name (its file name). */
  name: string;
  /** Its path, e.g. `/run/netns/blue`. */
  path: string;
  /** True for the names present when watching began (`snapshot: true`). */
  snapshot: boolean;
}

/**
 * Options of {@link NamespaceWatcher.open}.
 * @category Events
 */
export interface NamespaceWatchOptions {
  /** The directory of named namespaces (default `/run/netns`; Docker uses `/var/run/docker/netns`). */
  directory?: string;
  /** First report the names already there, as `add` events with `snapshot: true` (default false). */
  snapshot?: boolean;
  /** Keep the process alive while watching (default true). */
  ref?: boolean;
}

/**
 * The events a {@link NamespaceWatcher} emits.
 * @category Events
 */
export interface NamespaceWatcherEventMap {
  /** Every event. */
  event: [NamespaceEvent];
  /** A name appeared. */
  add: [NamespaceEvent];
  /** A name went away. */
  remove: [NamespaceEvent];
  /** Watching failed (it is closed afterwards). */
  error: [Error];
  /** Watching has begun: later changes are reported. */
  ready: [];
  /** Watching stopped. */
  close: [];
}

/** Delays (ms) between checks that a new file has become a mounted namespace (about 2 s in all). */
const MOUNT_CHECK_DELAYS = [1, 2, 5, 10, 20, 50, 100, 200, 400, 600, 600];

const EVENT_NAMES = new Set<string | symbol>(['event', 'add', 'remove']);

/**
 * Named namespaces added to and removed from a directory (`/run/netns`), like
 * `ip netns monitor`. Iterate it or listen to `add` / `remove` (see {@link EventStream}).
 *
 * - `add` is reported once the new file is a mounted network namespace, so
 *   `Namespace.open(ev.name)` works at once (a file that never becomes one is reported
 *   after about 2 s anyway, as `ip netns list` shows it);
 * - a name deleted and created again is reported as `remove` then `add`;
 * - the directory may not exist yet: its closest existing parent is watched until it is
 *   created (and again if it is removed).
  * @category Events
 */
export class NamespaceWatcher extends EventStream<NamespaceEvent, NamespaceWatcherEventMap> {
  /** The directory watched. */
  readonly directory: string;
  /** Resolves once watching has begun (the names there are known): every later change is reported. */
  readonly ready: Promise<void>;

  private fsw: FSWatcher | undefined;
  private watchingDir = false;
  private refd: boolean;
  /** names reported present → identity (dev:ino) of what was there. */
  private readonly known = new Map<string, string>();
  /** names that appeared but are not yet mounted namespaces → their check timer. */
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** names fs.watch reported since the last scan. */
  private touched = new Set<string>();
  private scanning = false;
  private rescan = false;

  /**
   * Watches named namespaces being added and removed (`ip netns monitor`):
   * `for await (const ev of NamespaceWatcher.open()) console.log(ev.type, ev.name)`.
   */
  static open(options?: NamespaceWatchOptions): NamespaceWatcher {
    return new NamespaceWatcher(options);
  }

  /** @internal Use {@link NamespaceWatcher.open}. */
  constructor(options?: NamespaceWatchOptions) {
    super(EVENT_NAMES);
    const opts = validateOptions<NamespaceWatchOptions>(options, ['directory', 'snapshot', 'ref']);
    if (opts.directory !== undefined && (typeof opts.directory !== 'string' || opts.directory.length === 0 || opts.directory.includes('\0'))) {
      throw new ValidationError('directory', opts.directory, 'expected a directory path');
    }
    if (opts.snapshot !== undefined && typeof opts.snapshot !== 'boolean') throw new ValidationError('snapshot', opts.snapshot, 'expected a boolean');
    if (opts.ref !== undefined && typeof opts.ref !== 'boolean') throw new ValidationError('ref', opts.ref, 'expected a boolean');
    this.directory = resolvePath(opts.directory ?? NETNS_RUN_DIR);
    this.refd = opts.ref ?? true;
    this.ready = this.start(opts.snapshot === true);
    this.ready.catch(() => undefined);
  }

  /** The names currently known to be present. */
  get names(): string[] {
    return [...this.known.keys()].sort();
  }

  /** Lets the process exit while watching. */
  unref(): this {
    this.refd = false;
    this.fsw?.unref();
    for (const t of this.pending.values()) t.unref();
    return this;
  }

  /** Undoes {@link NamespaceWatcher.unref}. */
  ref(): this {
    this.refd = true;
    this.fsw?.ref();
    for (const t of this.pending.values()) t.ref();
    return this;
  }

  // ---- internals ----------------------------------------------------------------------

  private async start(snapshot: boolean): Promise<void> {
    try {
      this.attach();
      await this.scan(snapshot ? 'snapshot' : 'initial');
    } catch (e) {
      this.fail(e);
      throw e;
    }
    if (!this.isClosed) this.safeEmit('ready');
  }

  /** Watches the directory, or its closest existing parent when it does not exist. */
  private attach(): void {
    this.fsw?.close();
    this.fsw = undefined;
    let target = this.directory;
    for (;;) {
      try {
        this.fsw = fsWatch(target, { persistent: this.refd }, (_type, file) => this.onChange(target, file));
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(target) === target) throw SystemError.from(e, `watch ${target}`);
        target = dirname(target);
      }
    }
    this.watchingDir = target === this.directory;
    this.fsw.on('error', (e) => {
      // the watched directory went away (or inotify failed): look again
      if (this.isClosed) return;
      try {
        this.attach();
        this.kick();
      } catch (err) {
        this.fail(err ?? e);
      }
    });
  }

  private onChange(target: string, file: string | Buffer | null): void {
    if (this.isClosed) return;
    if (target === this.directory && file) this.touched.add(String(file));
    this.kick();
  }

  private kick(): void {
    if (this.isClosed) return;
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    this.scan('change').catch((e) => this.fail(e));
  }

  private async scan(mode: 'initial' | 'snapshot' | 'change'): Promise<void> {
    this.scanning = true;
    try {
      do {
        this.rescan = false;
        const touched = this.touched;
        this.touched = new Set();
        if (!this.watchingDir && exists(this.directory)) this.attach();
        let names: string[] = [];
        try {
          names = await readdir(this.directory);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code !== 'ENOENT' && code !== 'ENOTDIR') throw SystemError.from(e, `list ${this.directory}`);
          if (this.watchingDir) this.attach(); // the directory was removed: wait for it again
        }
        if (this.isClosed) return;
        this.reconcile(new Set(names), touched, mode);
      } while (this.rescan && !this.isClosed);
    } finally {
      this.scanning = false;
    }
  }

  private reconcile(now: Set<string>, touched: Set<string>, mode: 'initial' | 'snapshot' | 'change'): void {
    for (const [name, id] of this.known) {
      // gone, or replaced by another file of the same name since it was reported
      if (!now.has(name) || (touched.has(name) && identity(this.pathOf(name)) !== id)) {
        this.known.delete(name);
        this.emitEvent('remove', name, false);
      }
    }
    for (const [name, timer] of this.pending) {
      if (!now.has(name)) {
        clearTimeout(timer);
        this.pending.delete(name);
      }
    }
    for (const name of [...now].sort()) {
      if (this.known.has(name) || this.pending.has(name)) continue;
      if (mode === 'change') this.check(name, 0);
      else {
        this.known.set(name, identity(this.pathOf(name)));
        if (mode === 'snapshot') this.emitEvent('add', name, true);
      }
    }
  }

  /** Reports `name` once it is a mounted namespace (or after the last check). */
  private check(name: string, attempt: number): void {
    this.pending.delete(name);
    if (this.isClosed) return;
    const path = this.pathOf(name);
    if (!exists(path)) return; // removed meanwhile; the next scan says so
    if (isNetnsPath(path) || attempt >= MOUNT_CHECK_DELAYS.length) {
      this.known.set(name, identity(path));
      this.emitEvent('add', name, false);
      return;
    }
    const timer = setTimeout(() => this.check(name, attempt + 1), MOUNT_CHECK_DELAYS[attempt]);
    if (!this.refd) timer.unref();
    this.pending.set(name, timer);
  }

  private pathOf(name: string): string {
    return `${this.directory}/${name}`;
  }

  private emitEvent(type: 'add' | 'remove', name: string, snapshot: boolean): void {
    const ev: NamespaceEvent = { type, name, path: this.pathOf(name), snapshot };
    this.enqueue(ev);
    this.safeEmit(type, ev);
    this.safeEmit('event', ev);
  }

  /** @internal */
  protected override release(): void {
    this.fsw?.close();
    this.fsw = undefined;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** `dev:ino` of what a path shows (a mounted namespace shows the namespace's own inode). */
function identity(path: string): string {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return '';
  }
}

function isNetnsPath(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    return isNetnsFd(fd);
  } finally {
    closeSync(fd);
  }
}
