/**
 * The native addon (build/Release/netns_kit.node) and its types. Only this file loads it.
 * @internal
 * @module
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

/** Callback of a native netlink socket: data, a receive error, or a failed send batch. */
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

export interface NativeNetlinkSocket {
  send(data: Buffer, batchId: number): void;
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
  createNamespace(runDir: string, name: string): Promise<void>;
  deleteNamespace(path: string): Promise<void>;
  readFileIn(nsFd: number, path: string): Promise<string>;
  writeFileIn(nsFd: number, path: string, data: string): Promise<void>;
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
}

const require = createRequire(import.meta.url);

function load(): NativeBinding {
  // NETNS_KIT_ADDON selects another build (e.g. the sanitizer build of `npm run build:debug`).
  const override = process.env.NETNS_KIT_ADDON;
  if (override) return require(resolve(override)) as NativeBinding;
  // src/binding and dist/binding are both two levels below the package root.
  for (const p of ['../../build/Release/netns_kit.node']) {
    try {
      return require(p) as NativeBinding;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  throw new Error('netns-kit: native addon not built (run `npm install` or `npm run build`)');
}

/** The loaded addon. */
export const native: NativeBinding = load();
