/**
 * Helpers for the functions workloads run inside a worker process (see worker.mjs):
 * namespaces opened by name (once per worker), npm `netlink` sockets living in them, and
 * measurement (µs, after collecting the heap so earlier garbage is not charged).
 */
import { createRequire } from 'node:module';
import { Namespace } from '../../dist/index.js';
import { timed } from './measure.mjs';

/**
 * Untimed lists a lists worker (ctx.lists, see run.mjs) runs in its warm-up repetition before
 * the timed one: such a worker calls list once per repetition, and its code (the receive
 * loop, framing, the listed objects) would otherwise still be compiled during the timed
 * lists, where the other rows' code was warmed by thousands of calls.
 */
export const WARM_LISTS = 5;

const open = new Map();

/** The Namespace called `name`, opened once per worker. */
export async function nsNamed(name) {
  let ns = open.get(name);
  if (!ns) {
    ns = await Namespace.open(name);
    open.set(name, ns);
  }
  return ns;
}

const sockets = new Map();
const require = createRequire(import.meta.url);

/** An npm `netlink` rtnetlink socket created inside namespace `name` (with ns.run, so it stays there). */
export async function npmSocket(name) {
  let s = sockets.get(name);
  if (!s) {
    const { createRtNetlink } = require('netlink');
    const ns = await nsNamed(name);
    s = ns.run(() => createRtNetlink());
    sockets.set(name, s);
  }
  return s;
}

/** Closes what this worker opened in namespace `name` (before the orchestrator deletes it). */
export async function release(name) {
  sockets.get(name)?.socket.close();
  sockets.delete(name);
  const ns = open.get(name);
  open.delete(name);
  await ns?.close();
}

/**
 * Times fn: { us: wall-clock µs, cpuUs: CPU µs of this whole process (user + system, every
 * thread: the main thread, netns-kit's writer thread — whose system time is the kernel
 * handling the requests — and libuv's pool) }.
 */
export async function measure(fn, label) {
  const profiling = label !== undefined && PROFILE_DIR !== undefined;
  if (profiling) await startProfile();
  const c0 = process.cpuUsage();
  const [us] = await timed(fn);
  const c = process.cpuUsage(c0);
  if (profiling) await stopProfile(label);
  return { us, cpuUs: c.user + c.system };
}

// ---- CPU profiles (npm run bench -- --cpu-prof) -------------------------------------------
// With NETNS_KIT_BENCH_PROFILE=DIR, each labelled measurement writes DIR/LABEL-N.cpuprofile
// (the same format as node --cpu-prof; open it in Chrome DevTools), covering only the
// measured operation.

const PROFILE_DIR = process.env.NETNS_KIT_BENCH_PROFILE;
let session;
let profiles = 0;

async function startProfile() {
  if (!session) {
    const { Session } = await import('node:inspector/promises');
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
  }
  await session.post('Profiler.start');
}

async function stopProfile(label) {
  const { profile } = await session.post('Profiler.stop');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(PROFILE_DIR, { recursive: true });
  writeFileSync(`${PROFILE_DIR}/${label}-${process.pid}-${profiles++}.cpuprofile`, JSON.stringify(profile));
}

/** Runs `fn(i)` for i in [0, n) with at most `limit` promises pending (npm netlink has no window of its own). */
export async function pooled(n, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}
