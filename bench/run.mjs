#!/usr/bin/env node
/**
 * netns-kit benchmark suite (`npm run bench`). Runs each workload with netns-kit and, in the
 * same run, with the peers (iproute2 spawned per operation, `ip -batch`, the npm `netlink`
 * package, and a C program measuring what the kernel itself charges), inside throwaway
 * namespaces it creates and removes. Prints a Markdown table and writes JSON to
 * bench/results/. Needs root.
 *
 *   npm run bench                       all workloads, 5 repetitions
 *   npm run bench -- --only routes,neighbours --reps 7
 *   npm run bench -- --quick            smaller sizes, 3 repetitions (a smoke test)
 *   npm run bench -- --plot             + scale curves, drawn as SVG charts into bench/results/
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanup, installCleanupHandlers, setCpuTimer, startWorker, stopWorkers, sweepLeftovers, workDir } from './lib/env.mjs';
import { Results, table } from './lib/measure.mjs';
import { goals } from './lib/goals.mjs';
import { summarize } from './lib/profile.mjs';
import { lineChart } from './lib/plot.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const WORKLOADS = ['veth', 'addresses', 'routes', 'routes-stream', 'links', 'neighbours', 'namespaces', 'containers', 'cni', 'publish'];

function parseArgs(argv) {
  const o = { reps: 5, warmup: 1, quick: false, only: WORKLOADS };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--reps') o.reps = Number(argv[++i]);
    else if (a === '--warmup') o.warmup = Number(argv[++i]);
    else if (a === '--cpu-prof') o.cpuProf = true;
    else if (a === '--plot') o.plot = true;
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench -- [--only ' + WORKLOADS.join(',') + '] [--reps N] [--warmup N] [--quick] [--cpu-prof]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (o.quick && !argv.includes('--reps')) o.reps = 3;
  for (const w of o.only) if (!WORKLOADS.includes(w) && w !== 'scale') throw new Error(`unknown workload ${w} (${WORKLOADS.join(', ')}, scale)`);
  // --plot adds the scale curves (and draws them); `--only scale` runs them without charts
  if (o.plot && !o.only.includes('scale')) o.only = [...o.only, 'scale'];
  if (!(o.reps >= 1)) throw new Error('--reps needs a number ≥ 1');
  return o;
}

/** Compiles bench/NAME.c with cc; undefined (and a warning saying what is lost) when it fails. */
function compile(name, what) {
  const out = join(workDir, name);
  try {
    execFileSync('cc', ['-O2', '-Wall', '-o', out, join(here, `${name}.c`)], { stdio: ['ignore', 'ignore', 'pipe'] });
    return out;
  } catch (e) {
    console.warn(`[bench] ${what} not measured: cc failed (${e.message.split('\n')[0]})`);
    return undefined;
  }
}

function machine() {
  const c = cpus();
  return {
    cores: c.length,
    cpu: c[0]?.model,
    kernel: release(),
    node: process.version,
    iproute2: execFileSync('ip', ['-V'], { encoding: 'utf8' }).trim(),
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    console.error('npm run bench needs root (it creates namespaces, links and routes in throwaway namespaces)');
    process.exit(1);
  }
  installCleanupHandlers();
  const swept = sweepLeftovers();
  if (swept) console.log(`[bench] removed ${swept} namespace(s) left by an earlier, killed run`);
  const results = new Results();
  const started = Date.now();
  const load0 = loadavg();
  const ctx = {
    results,
    reps: opts.reps,
    /**
     * Repetition numbers of a workload: first `warmup` untimed ones (JIT warm-up of the
     * in-process libraries, page cache for the peers), then `reps` recorded ones.
     */
    *repetitions(name, { warmup = opts.warmup } = {}) {
      for (let r = -warmup; r < opts.reps; r++) {
        results.warming = r < 0;
        yield r;
        ctx.progress(`${name} ${r < 0 ? 'warm-up' : `rep ${r + 1}/${opts.reps}`}`);
      }
      results.warming = false;
    },
    quick: opts.quick,
    kernelCost: compile('kernel-cost', 'the kernel-cost baseline'),
    dumpFloor: compile('dump-floor', 'the dump floor (a C dump that decodes nothing)'),
    scale: (n) => (opts.quick ? Math.max(1, Math.round(n / 10)) : n),
    progress: (msg) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}\n`),
  };
  setCpuTimer(compile('cpu-time', 'the CPU time of ip processes'));
  const info = machine();
  console.log(`netns-kit bench: ${info.cores} cores (${info.cpu}), Linux ${info.kernel}, Node ${info.node}, ${info.iproute2}; ${opts.reps} repetitions after ${opts.warmup} warm-up${opts.quick ? ' (quick: sizes / 10)' : ''}`);
  // in-process measurements run in worker processes: one per library (see lib/worker.mjs)
  const profDir = join(here, 'results', `profiles-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  if (opts.cpuProf) process.env.NETNS_KIT_BENCH_PROFILE = profDir; // the workers inherit it
  ctx.nk = startWorker('netns-kit');
  ctx.npm = startWorker('npm netlink');
  // the list rows (routes, addresses, links) run in workers of their own: a list then pays
  // for its own garbage, not for that of the 10,000 adds the other worker has just made
  ctx.lists = { nk: startWorker('netns-kit lists'), npm: startWorker('npm netlink lists') };
  try {
    for (const name of opts.only) {
      const w = await import(`./workloads/${name}.mjs`);
      const t0 = Date.now();
      await w.run(ctx);
      ctx.progress(`${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await stopWorkers();
    await cleanup();
  }
  const summary = results.summary();
  const md = table(summary);
  const goalLines = goals(summary, opts);
  const elapsed = (Date.now() - started) / 1000;
  console.log(`\n${md}\n`);
  if (goalLines.length) console.log(`Goals:\n${goalLines.map((g) => `- ${g.text}`).join('\n')}\n`);
  console.log(`${elapsed.toFixed(0)} s; load average ${load0.map((x) => x.toFixed(1)).join(' ')} at the start, ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end`);
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const json = { date: new Date().toISOString(), machine: info, options: opts, elapsedSeconds: elapsed, loadavg: { start: load0, end: loadavg() }, rows: summary, goals: goalLines };
  const stamp = json.date.replace(/[:.]/g, '-');
  writeFileSync(join(dir, `bench-${stamp}.json`), JSON.stringify(json, null, 2));
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(json, null, 2));
  writeFileSync(join(dir, 'latest.md'), `${md}\n`);
  console.log(`results: bench/results/bench-${stamp}.json (also latest.json, latest.md)`);
  if (opts.plot) {
    const { CURVES } = await import('./workloads/scale.mjs');
    for (const c of CURVES) {
      const rows = summary.filter((r) => r.workload === c.workload && !r.na);
      if (rows.length === 0) continue;
      const series = [];
      for (const impl of [...new Set(rows.map((r) => r.impl))]) {
        const mine = rows.filter((r) => r.impl === impl);
        series.push({ name: `${impl} (wall, under the run's load)`, points: mine.map((r) => [r.count, r.median]) });
        if (mine.every((r) => r.cpuMedian !== undefined)) series.push({ name: `${impl} (CPU)`, points: mine.map((r) => [r.count, r.cpuMedian]) });
      }
      // milliseconds when the numbers are large (150000 µs reads worse than 150 ms)
      const ms = Math.max(...series.flatMap((s) => s.points.map((p) => p[1]))) >= 10000;
      if (ms) for (const s of series) s.points = s.points.map(([x, y]) => [x, y / 1000]);
      const yLabel = ms ? c.yLabel.replace('µs', 'ms') : c.yLabel;
      writeFileSync(join(dir, c.file), lineChart({ title: c.title, xLabel: c.xLabel, yLabel, series }));
      console.log(`chart: bench/results/${c.file}`);
    }
  }
  if (opts.cpuProf) {
    try {
      console.log(`\nCPU profiles (${profDir}):\n${summarize(profDir)}`);
    } catch (e) {
      console.log(`no CPU profiles written (${e.message})`);
    }
  }
}

main().catch(async (e) => {
  console.error(e);
  await stopWorkers().catch(() => undefined);
  await cleanup().catch(() => undefined);
  process.exit(1);
});
