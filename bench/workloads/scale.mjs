/**
 * Scale curves (`npm run bench -- --plot`): the cost per operation as the work grows, for
 * netns-kit — containers connected to one BridgeNetwork and disconnected, all at once (1,
 * 10, 100, 1,000), routes added and listed (1,000, 10,000, 100,000), namespaces created and
 * deleted (10, 100, 1,000); `--quick` drops the largest size of each. Each size runs the
 * workload functions of the other workloads (containers, routes, namespaces) in the
 * netns-kit worker; a curve that stays flat has no hidden O(n²) (goals.mjs checks the
 * largest size against the smallest). run.mjs draws one SVG per curve into bench/results/
 * (bench/lib/plot.mjs).
 */
import { fileURLToPath } from 'node:url';
import { PREFIX, dropNamespace, tempNamespace, track, untrack } from '../lib/env.mjs';
import { routeNamespace } from './setup.mjs';

const containersFile = fileURLToPath(new URL('./containers.mjs', import.meta.url));
const routesFile = fileURLToPath(new URL('./routes.mjs', import.meta.url));
const namespacesFile = fileURLToPath(new URL('./namespaces.mjs', import.meta.url));

/** The curves run.mjs plots: workload name here → chart. */
export const CURVES = [
  { workload: 'scale: containers on one network', file: 'scale-containers.svg', title: 'BridgeNetwork: connect and disconnect containers (all at once)', xLabel: 'containers', yLabel: 'µs per container' },
  { workload: 'scale: routes', file: 'scale-routes.svg', title: 'Routes: add (Route.add ×N, Promise.all) and list', xLabel: 'routes', yLabel: 'µs per route' },
  { workload: 'scale: namespaces', file: 'scale-namespaces.svg', title: 'Namespaces: create + delete (all at once)', xLabel: 'namespaces', yLabel: 'µs per namespace' },
];

export async function run(ctx) {
  const { results, nk } = ctx;
  const reps = (w) => ctx.repetitions(w, { warmup: 0 });
  const sizes = (xs) => (ctx.quick ? xs.slice(0, -1) : xs);

  // routes: add, list, remove in one namespace (first: the kernel is not yet busy freeing the namespaces the other curves delete)
  {
    const W = CURVES[1].workload;
    const S = sizes([1000, 10000, 100000]);
    const r = await routeNamespace('sroutes');
    try {
      for (const rep of reps(W)) {
        for (const n of S) {
          results.record(W, n.toLocaleString('en'), 'netns-kit Route.add ×N (Promise.all)', await nk.call(routesFile, 'nkAdd', r.ns.name, n), n, { ref: true });
          results.record(W, n.toLocaleString('en'), 'netns-kit Route.list', await nk.call(routesFile, 'nkList', r.ns.name, n), n, { ref: true });
          await nk.call(routesFile, 'nkRemoveMany', r.ns.name, n);
        }
      }
    } finally {
      await nk.call(routesFile, 'release', r.ns.name).catch(() => undefined);
      await dropNamespace(r.ns);
    }
  }

  // containers: one BridgeNetwork (10.88.0.0/16) in a host namespace, up to 1,000 container namespaces
  {
    const W = CURVES[0].workload;
    const S = sizes([1, 10, 100, 1000]);
    const host = await tempNamespace('shost');
    const cs = [];
    try {
      const t0 = Date.now();
      for (let i = 0; i < S[S.length - 1]; i++) cs.push(await tempNamespace(`s${i}c`));
      ctx.progress(`scale: ${cs.length} container namespaces made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await nk.call(containersFile, 'nkNetCreate', host.name, '10.88.0.0/16', false);
      // 1,000 containers take over a minute a repetition (the record rewrite, see
      // docs/performance.md): that size runs in the first BIG repetitions only
      const BIG = Math.min(ctx.reps, 2);
      for (const rep of reps(W)) {
        for (const n of S) {
          if (n >= 1000 && rep >= BIG) continue;
          const m = await nk.call(containersFile, 'nkNetCycle', host.name, cs.slice(0, n).map((c) => c.name), false, rep === 0, `scale-${n}`);
          const key = n.toLocaleString('en');
          const note = n >= 1000 && BIG < ctx.reps ? `${BIG} of ${ctx.reps} repetitions` : undefined;
          results.record(W, key, 'netns-kit BridgeNetwork.connect ×N (Promise.all)', m.connect, n, { ref: true, note });
          results.record(W, key, 'netns-kit BridgeNetwork.disconnect ×N (Promise.all)', m.disconnect, n, { ref: true, note });
          ctx.progress(`scale: ${n} containers connected in ${(m.connectUs / 1e3).toFixed(0)} ms, disconnected in ${(m.disconnectUs / 1e3).toFixed(0)} ms`);
        }
      }
    } finally {
      await nk.call(containersFile, 'nkNetRemove', host.name).catch(() => undefined);
      await nk.call(containersFile, 'release', host.name).catch(() => undefined);
      for (const c of cs) await nk.call(containersFile, 'release', c.name).catch(() => undefined);
      for (const c of [...cs, host]) await dropNamespace(c);
    }
  }

  // namespaces: create and delete n at once
  {
    const W = CURVES[2].workload;
    const S = sizes([10, 100, 1000]);
    let round = 0;
    for (const rep of reps(W)) {
      for (const n of S) {
        const names = Array.from({ length: n }, (_, i) => `${PREFIX}sn${round}x${i}`);
        round++;
        names.forEach(track);
        const [c, d] = await nk.call(namespacesFile, 'nkCycle', names);
        names.forEach(untrack);
        results.record(W, n.toLocaleString('en'), 'netns-kit Namespace.create + ns.delete', { us: c.us + d.us, cpuUs: c.cpuUs + d.cpuUs }, n, { ref: true });
      }
    }
  }
}
