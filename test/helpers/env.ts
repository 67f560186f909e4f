/**
 * Test helpers: privilege checks with printed skip reasons, unique throwaway namespace
 * names, automatic cleanup, cross-checks with iproute2 (`ip -j`), and fd/mount counters.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, afterEach } from 'vitest';
import { Namespace } from '../../src/index.js';

/** True when running as root (integration tests need it). */
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const printed = new Set<string>();
/** Prints a skip reason once per file, so a skipped test says why. */
export function skipReason(reason: string): string {
  if (!printed.has(reason)) {
    printed.add(reason);
    console.log(`[skip] ${reason}`);
  }
  return reason;
}

/** The reason integration tests are skipped, or undefined when they can run. */
export const rootSkip = isRoot ? undefined : skipReason('integration tests need root (CAP_NET_ADMIN + CAP_SYS_ADMIN); run as root');

/** This run's namespace-name prefix (set by the global setup). */
export const PREFIX = process.env.NETNS_KIT_TEST_PREFIX ?? `nkt${process.pid.toString(36)}-`;

let counter = 0;
/** A unique namespace name for this run: `<prefix><tag><n>`. */
export function uniqueName(tag = 'ns'): string {
  return `${PREFIX}${tag}${(counter++).toString(36)}${process.pid.toString(36)}`;
}

const live = new Set<Namespace>();

/** Creates a throwaway namespace, deleted after the current test (or file for scope 'file'). */
export async function tempNamespace(tag = 'ns'): Promise<Namespace> {
  const ns = await Namespace.create(uniqueName(tag));
  live.add(ns);
  return ns;
}

/** Deletes every namespace made by tempNamespace that is still there. */
export async function cleanupNamespaces(): Promise<void> {
  const all = [...live];
  live.clear();
  await Promise.all(
    all.map(async (ns) => {
      try {
        if (!ns.isClosed) await ns.delete();
        else if (ns.name) await Namespace.remove(ns.name).catch(() => undefined);
      } catch {
        /* already deleted by the test */
      }
    }),
  );
}

/** Registers cleanup after each test and after the file. */
export function useTempNamespaces(): void {
  afterEach(cleanupNamespaces);
  afterAll(cleanupNamespaces);
}

/**
 * The environment for cross-check tools (`ip`, `bridge`): without LD_PRELOAD / ASAN_OPTIONS,
 * so a run against the sanitizer build of the addon does not sanitize iproute2 too.
 */
export const toolEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => k !== 'LD_PRELOAD' && !k.startsWith('ASAN_') && !k.startsWith('UBSAN_')),
);

/** True when this process runs with AddressSanitizer preloaded (`npm run build:debug` runs). */
export const underAsan = /libasan/.test(process.env.LD_PRELOAD ?? '');

/** Runs `ip -j …` (optionally `-n NS`) and parses its JSON: for cross-checking only. */
export function ipJson<T = any>(args: string[], ns?: Namespace | string): T {
  const name = typeof ns === 'string' ? ns : ns?.name;
  const full = name ? ['-n', name, '-j', ...args] : ['-j', ...args];
  const out = execFileSync('ip', full, { encoding: 'utf8', env: toolEnv });
  return (out.trim() ? JSON.parse(out) : []) as T;
}

/** Runs `bridge -j …` (optionally `-n NS`) and parses its JSON. */
export function bridgeJson<T = any>(args: string[], ns?: Namespace | string): T {
  const name = typeof ns === 'string' ? ns : ns?.name;
  const full = name ? ['-n', name, '-j', ...args] : ['-j', ...args];
  const out = execFileSync('bridge', full, { encoding: 'utf8', env: toolEnv });
  return (out.trim() ? JSON.parse(out) : []) as T;
}

/** Runs a command and returns its stdout (for `ip netns add` interop tests). */
export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: toolEnv });
}

/** Number of open file descriptors of this process. */
export function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/**
 * Number of mounts under /run/netns in this mount namespace whose name starts with
 * `namePrefix` (other test files create namespaces concurrently: count only your own).
 */
export function netnsMountCount(namePrefix = ''): number {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.split(' ')[4]?.startsWith(`/run/netns/${namePrefix}`)).length;
}

/** The inode naming the main thread's current network namespace (`net:[…]`). */
export function currentNetns(): string {
  return readlinkSync("/proc/thread-self/ns/net");
}

