/**
 * Workload 4: list 100,000 routes, streamed (Route.iterate: one route at a time, bounded
 * memory) — with the RSS growth of a fresh process doing it — against Route.list (all in
 * one array), `ip -j route show` / `ip route show` as processes, and npm `netlink`'s
 * getRoutes (all in one array). The routes (10.X.Y.Z/26 via 192.168.0.2 dev va) are added
 * once with Route.addMany (not timed).
 */
import { fileURLToPath } from 'node:url';
import { Route, Link } from '../../dist/index.js';
import { dropNamespace, ipToFile, startWorker } from '../lib/env.mjs';
import { measure, npmSocket, nsNamed, release } from '../lib/inproc.mjs';
import { timed } from '../lib/measure.mjs';
import { routeNamespace } from './setup.mjs';

const self = fileURLToPath(import.meta.url);
const prefix = (i) => `10.${i >> 10}.${(i >> 2) & 255}.${(i & 3) << 6}/26`;

// ---- inside the workers ---------------------------------------------------------------------

export async function nkSetup(name, n) {
  const ns = await nsNamed(name);
  const va = await Link.get(ns, 'va');
  await Route.addMany(ns, Array.from({ length: n }, (_, i) => ({ to: prefix(i), via: '192.168.0.2', dev: va })));
}

/** Runs `op` and reports [µs, RSS growth in MB]: the peak RSS during it (sampled, and the process's high-water mark) minus the RSS before. */
async function withRss(op) {
  const base = process.memoryUsage.rss();
  let peak = base;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const m = await measure(() => op(sample));
  sample();
  peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
  return [m, (peak - base) / (1024 * 1024)];
}

export async function nkIterate(name, n) {
  const ns = await nsNamed(name);
  await ns.connection();
  let count = 0;
  const [us, mb] = await withRss(async (sample) => {
    for await (const r of Route.iterate(ns, { family: 4 })) {
      if (r.via !== undefined) count++;
      if ((count & 4095) === 0) sample();
    }
  });
  if (count !== n) throw new Error(`Route.iterate: ${count} routes with a gateway, expected ${n}`);
  return [us, mb];
}
export async function nkList(name, n) {
  const ns = await nsNamed(name);
  await ns.connection();
  let count = 0;
  const [us, mb] = await withRss(async () => (count = (await Route.list(ns, { family: 4 })).length));
  if (count !== n + 1) throw new Error(`Route.list: ${count}`);
  return [us, mb];
}
export async function npmList(name, n) {
  const sock = await npmSocket(name);
  let count = 0;
  const [us, mb] = await withRss(async () => (count = (await sock.getRoutes({ family: 2, table: 254 })).length));
  if (count < n) throw new Error(`getRoutes: ${count}`);
  return [us, mb];
}
export { release };

// ---- orchestrator ---------------------------------------------------------------------------

export async function run(ctx) {
  const N = ctx.scale(100000);
  const W = 'routes, streamed';
  const op = `list ${N.toLocaleString('en')}`;
  const { results, nk, npm } = ctx;
  const rec = (impl, us, opts) => results.record(W, op, impl, us, N, opts);
  const x = await routeNamespace('rs');
  const name = x.ns.name;
  try {
    const [setup] = await timed(() => nk.call(self, 'nkSetup', name, N));
    ctx.progress(`${N} routes added with Route.addMany in ${(setup / 1e6).toFixed(2)} s`);
    for (const rep of ctx.repetitions(W)) {
      // speed in the long-lived workers, memory in a fresh process (its RSS is not yet grown)
      const fresh = async (label, fn) => {
        const w = startWorker(label);
        try {
          return await w.call(self, fn, name, N);
        } finally {
          await w.call(self, 'release', name).catch(() => undefined);
          await w.stop();
        }
      };
      // RSS in fresh processes: in 3 repetitions (a process start costs ~0.5 s)
      const rss = rep >= 0 && rep < 3;
      const mem = async (label, fn) => (rss ? { 'RSS growth MB': (await fresh(label, fn))[1] } : {});
      const [it] = await nk.call(self, 'nkIterate', name, N);
      rec('netns-kit Route.iterate (streamed)', it, { ref: true, extra: await mem('netns-kit (fresh)', 'nkIterate') });
      const [li] = await nk.call(self, 'nkList', name, N);
      rec('netns-kit Route.list (one array)', li, { extra: await mem('netns-kit (fresh)', 'nkList') });
      rec('ip -j route show (whole process, output to a file)', await ipToFile(['-j', 'route', 'show'], x.ns, 'routes100k'));
      rec('ip route show (whole process, text to a file)', await ipToFile(['route', 'show'], x.ns, 'routes100k-text'));
      const [np] = await npm.call(self, 'npmList', name, N);
      rec('npm netlink getRoutes (one array)', np, { extra: await mem('npm netlink (fresh)', 'npmList') });
    }
  } finally {
    await nk.call(self, 'release', name).catch(() => undefined);
    await npm.call(self, 'release', name).catch(() => undefined);
    await dropNamespace(x.ns);
  }
}
