/**
 * The native addon (build/Release/netns_kit.node, or a prebuilt binary in prebuilds/) and
 * its types. Only this file loads it.
 * @internal
 * @module
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AddonMissingError } from '../errors.js';

/**
 * Callback of a native netlink socket: data, a receive error, or a failed send batch.
 * `(buf, 0, 0)` datagrams; `(undefined, errno, 0)` a receive error (ENOBUFS: messages were
 * dropped; EMSGSIZE: the kernel could not queue a message into the empty receive buffer, which
 * is smaller than one dump chunk); `(undefined, errno, id)` sending batch `id` failed.
 */
export type OnData = (data: Buffer | undefined, errno: number, batchId: number) => void;

/** Counters kept by the native socket. */
export interface NativeSocketStats {
  /** datagrams received from the kernel. */
  datagrams: number;
  /** bytes received from the kernel. */
  bytes: number;
  /** datagrams dropped because their sender was not the kernel (port id ≠ 0). */
  foreignDropped: number;
  /** times the kernel reported ENOBUFS (messages lost). */
  overflows: number;
  /** stale EINVAL errors from the kernel's unlocked dump check, absorbed (nothing lost). */
  dumpRaces: number;
}

/**
 * A native netlink socket. `close()` never waits (the writer thread stops on its own); while
 * `ref()`'d it keeps the process alive and cannot be garbage-collected; an `unref()`'d one
 * nobody refers to is closed by its finalizer when collected.
 */
export interface NativeNetlinkSocket {
  send(data: Buffer, batchId: number): void;
  /**
   * Sends a datagram from the calling (main) thread when the writer thread is idle (true),
   * else queues it like send() (false). For dump requests: see NetlinkConnection.flush.
   */
  sendNow(data: Buffer, batchId: number): boolean;
  /** Sends a datagram from a parallel sender thread, after every send() queued before it was handled. */
  sendParallel(data: Buffer, batchId: number): void;
  setOption(level: number, name: number, value: number): void;
  getOption(level: number, name: number): number;
  ref(): void;
  unref(): void;
  pause(): void;
  resume(): void;
  close(): void;
  stats(): NativeSocketStats;
  readonly portId: number;
  readonly fd: number;
}

export interface NativeBinding {
  NetlinkSocket: new (fd: number, onData: OnData) => NativeNetlinkSocket;
  openSocket(nsFd: number, domain: number, type: number, protocol: number): Promise<number>;
  socketNamespace(fd: number): number;
  namespaceType(fd: number): number;
  /**
   * Creates runDir/name bind-mounting a new namespace; resolves with an fd on it (close-on-exec)
   * and its identity. The pooled thread that made it returns to homeFd (kept open by the caller
   * for the process's life; -1: the thread exits instead).
   */
  createNamespace(runDir: string, name: string, homeFd: number): Promise<{ fd: number; dev: number; ino: number }>;
  deleteNamespace(path: string): Promise<void>;
  /** Opens `path` from a helper thread inside nsFd (-1: the current namespace), O_RDONLY /
   *  O_WRONLY / O_RDWR; resolves with the fd (close-on-exec), which keeps that namespace's view
   *  of /proc/sys/net and /proc/thread-self/net. */
  openIn(nsFd: number, path: string, flags: number): Promise<number>;
  runIn<T>(nsFd: number, fn: () => T): T;
  /** Creates a persistent tun/tap device inside nsFd (TUNSETIFF); resolves with its name. */
  createTun(nsFd: number, name: string, flags: number, owner: number, group: number): Promise<string>;
  /**
   * Opens (creating, mode 0600) `path` and takes flock(LOCK_EX, or LOCK_SH when !exclusive) on a
   * helper thread; resolves with the fd that holds the lock (close it to release). wait=false
   * rejects with EWOULDBLOCK instead of waiting.
   */
  lockFile(path: string, exclusive: boolean, wait?: boolean): Promise<number>;
  /**
   * A socket made inside nsFd on a helper thread, bound to address:port (SO_REUSEADDR) and,
   * when stream, listening; resolves with its fd (non-blocking, close-on-exec).
   */
  openBoundSocket(nsFd: number, family: 4 | 6, stream: boolean, address: string, port: number, backlog: number): Promise<number>;
  /** The namespace's SO_NETNS_COOKIE as a decimal string (unique until reboot; ENOPROTOOPT before Linux 5.14). */
  netnsCookie(nsFd: number): Promise<string>;
}

const require = createRequire(import.meta.url);

/** The package root: src/binding and dist/binding are both two levels below it. */
const root = fileURLToPath(new URL('../../', import.meta.url));

/** `linux-x64 (glibc)`: what a prebuilt binary must match, for the error message. */
function platformName(): string {
  const report = process.report?.getReport?.() as { header?: { glibcVersionRuntime?: string } } | undefined;
  const libc = report?.header?.glibcVersionRuntime ? 'glibc' : 'musl';
  return `${process.platform}-${process.arch} (${libc}, Node ${process.version})`;
}

/**
 * Loads the addon: `NETNS_KIT_ADDON` (another build, e.g. the sanitizer build of
 * `npm run build:debug`), else what node-gyp-build finds — build/Release (built from
 * source), then prebuilds/<platform>-<arch>/ (shipped in the package: linux x64 and arm64,
 * glibc and musl; node-gyp-build picks musl where /etc/alpine-release exists or LIBC=musl). Neither: an {@link AddonMissingError} saying how to build it.
 */
function load(): NativeBinding {
  const override = process.env.NETNS_KIT_ADDON;
  if (override) return require(resolve(override)) as NativeBinding;
  const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
  let path: string;
  try {
    path = nodeGypBuild.resolve(root);
  } catch (e) {
    throw new AddonMissingError(platformName(), 'npm rebuild netns-kit', { cause: e });
  }
  return require(path) as NativeBinding;
}

let loaded: NativeBinding | undefined;

/**
 * The addon, loaded on first use (not at import): importing netns-kit costs no dlopen, and
 * `netns-kit --help` or a type-only import work where the addon is missing.
 */
export const native: NativeBinding = new Proxy({} as NativeBinding, {
  get: (_t, key) => Reflect.get(binding(), key),
  set: (_t, key, value) => Reflect.set(binding(), key, value),
  has: (_t, key) => Reflect.has(binding(), key),
  ownKeys: () => Reflect.ownKeys(binding()),
  getOwnPropertyDescriptor: (_t, key) => {
    const d = Reflect.getOwnPropertyDescriptor(binding(), key);
    return d === undefined ? undefined : { ...d, configurable: true };
  },
});

function binding(): NativeBinding {
  return (loaded ??= load());
}
