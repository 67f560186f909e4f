/**
 * The bench's environment: throwaway namespaces with a unique per-run prefix (removed at the
 * end, on error and on Ctrl-C, and swept at the next start if a run was killed), the peers
 * (`ip` spawned per operation, `ip -batch FILE`, the npm `netlink` package), and small helpers.
 * The bench may spawn processes (the library never does): the peers ARE processes.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Namespace, Link } from '../../dist/index.js';

/** Namespaces of this run start with `nkb<pid base 36>-`: a killed run's leftovers are recognisable. */
export const PREFIX = `nkb${process.pid.toString(36)}-`;

const live = new Map(); // name -> Namespace (or null when made by ip)
let counter = 0;

/** A unique namespace name for this run. */
export function uniqueName(tag) {
  return `${PREFIX}${tag}${(counter++).toString(36)}`;
}

/** Creates a throwaway namespace (netns-kit), removed by cleanup() if still there. */
export async function tempNamespace(tag) {
  const name = uniqueName(tag);
  live.set(name, null);
  const ns = await Namespace.create(name);
  live.set(name, ns);
  return ns;
}

/** Registers a namespace name a peer creates (ip netns add), so cleanup() removes it if it is left. */
export function track(name) {
  if (!live.has(name)) live.set(name, null);
}

/** Forgets a namespace that was deleted. */
export function untrack(name) {
  live.delete(name);
}

/** Deletes a throwaway namespace now. */
export async function dropNamespace(ns) {
  live.delete(ns.name);
  await ns.delete().catch(() => undefined);
}

/** Removes every namespace of this run that is still there. */
export async function cleanup() {
  const names = [...live.keys()];
  live.clear();
  await Promise.all(
    names.map(async (name) => {
      await Namespace.remove(name).catch(() => undefined);
    }),
  );
  return names.length;
}

/** Synchronous last resort (process 'exit'): `ip netns del` for whatever is left. */
function cleanupSync() {
  for (const name of live.keys()) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  live.clear();
}

/** Removes namespaces left by bench runs whose process is gone (a run killed with SIGKILL). */
export function sweepLeftovers() {
  let names = [];
  try {
    names = readdirSync('/run/netns');
  } catch {
    return 0;
  }
  let removed = 0;
  for (const n of names) {
    const m = /^nkb([0-9a-z]+)-/.exec(n);
    if (!m) continue;
    const pid = parseInt(m[1], 36);
    if (pid === process.pid) continue;
    try {
      process.kill(pid, 0);
      continue; // that run is still going
    } catch {
      /* gone */
    }
    spawnSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
    removed++;
  }
  return removed;
}

/** Cleans up on Ctrl-C / SIGTERM / exit. */
export function installCleanupHandlers() {
  let stopping = false;
  const onSignal = (sig) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${sig}: removing the bench's namespaces…\n`);
    cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', cleanupSync);
}

// ---- peers ----------------------------------------------------------------------------

const workDir = mkdtempSync(join(tmpdir(), 'netns-kit-bench-'));
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));

/** Runs `ip ARGS…` (inside `ns` when given) and returns its stdout; throws on failure. */
export function ip(args, ns) {
  const full = ns ? ['-n', typeof ns === 'string' ? ns : ns.name, ...args] : args;
  return execFileSync('ip', full, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
}

/**
 * Spawns `ip ARGS…` without blocking the event loop and resolves with its stdout (read
 * whole): the measured cost of "a process per operation" or "a process that lists".
 */
export function ipAsync(args, ns) {
  const full = ns ? ['-n', typeof ns === 'string' ? ns : ns.name, ...args] : args;
  return new Promise((resolve, reject) => {
    const child = spawn('ip', full, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => (err += b));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`ip ${full.join(' ')}: exit ${code}: ${err.trim()}`))));
  });
}

/**
 * Runs `ip ARGS…` with stdout going to a file (the process's own cost: no reader in the
 * way); resolves with { us, cpuUs, path } (see ipTimedCpu).
 */
export async function ipToFile(args, ns, name) {
  const path = join(workDir, `${name}.out`);
  return { ...(await ipTimedCpu(args, ns, path)), path };
}

/**
 * Runs `ip ARGS…` under bench/cpu-time.c (compiled at start; see setCpuTimer) and resolves
 * with { us: wall µs, cpuUs: the ip process's user + system CPU µs }; stdout goes to
 * `stdoutPath` (default /dev/null).
 */
export async function ipTimedCpu(args, ns, stdoutPath) {
  const full = ns ? ['-n', typeof ns === 'string' ? ns : ns.name, ...args] : args;
  const tf = join(workDir, `cpu-${timeRuns++}.txt`);
  const cmd = cpuTimer ? [cpuTimer, [tf, 'ip', ...full]] : ['ip', full];
  const fd = openSync(stdoutPath ?? '/dev/null', 'w');
  const t0 = process.hrtime.bigint();
  await new Promise((resolve, reject) => {
    const child = spawn(cmd[0], cmd[1], { stdio: ['ignore', fd, 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ip ${full.join(' ')}: exit ${code}: ${err.trim()}`))));
  }).finally(() => closeSync(fd));
  const us = Number(process.hrtime.bigint() - t0) / 1e3;
  if (!cpuTimer) return { us };
  const [u, s] = readFileSync(tf, 'utf8').trim().split(/\s+/).map(Number);
  return { us, cpuUs: u + s };
}
let cpuTimer;
let timeRuns = 0;
/** The compiled cpu-time program (undefined: CPU of processes is not reported). */
export function setCpuTimer(path) {
  cpuTimer = path;
}
/** The cpu-time program set by setCpuTimer, for workloads timing other processes (undefined if none). */
export function cpuTimerPath() {
  return cpuTimer;
}

/** Writes an `ip -batch` file; returns its path. */
export function batchFile(name, lines) {
  const path = join(workDir, `${name}.batch`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** Runs `ip [-n NS] -batch FILE` as one process; resolves with { us, cpuUs } (see ipTimedCpu). */
export function ipBatch(path, ns) {
  return ipTimedCpu(['-batch', path], ns);
}

/** The ifindex of a link in a namespace (setup helper). */
export async function ifindex(ns, name) {
  return (await Link.get(ns, name)).index;
}

export { workDir };

// ---- worker processes -------------------------------------------------------------------

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const workerPath = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const workers = new Set();

/**
 * Starts a worker process (see worker.mjs). `call(module, fn, ...args)` runs an exported
 * function of a workload module inside it; `stop()` ends it.
 */
export function startWorker(label) {
  const child = fork(workerPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map();
  let next = 0;
  let dead;
  child.on('message', ({ id, result, error }) => {
    const w = waiting.get(id);
    waiting.delete(id);
    if (!w) return;
    if (error !== undefined) w.reject(new Error(`[${label} worker] ${error}`));
    else w.resolve(result);
  });
  child.on('exit', (code, signal) => {
    dead = new Error(`[${label} worker] exited (${signal ?? code})`);
    for (const w of waiting.values()) w.reject(dead);
    waiting.clear();
    workers.delete(child);
  });
  workers.add(child);
  return {
    label,
    call(module, fn, ...args) {
      if (dead) return Promise.reject(dead);
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ id, module, fn, args });
      });
    },
    stop() {
      if (child.connected) child.disconnect();
      return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}

/** Stops every worker still running. */
export async function stopWorkers() {
  await Promise.all([...workers].map((c) => new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', resolve);
    if (c.connected) c.disconnect();
    else c.kill();
  })));
}
