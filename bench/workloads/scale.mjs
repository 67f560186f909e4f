/**
 * Scale curves (`npm run bench -- --plot`): the cost per operation as the work grows, for
 * netns-kit — containers connected to one bridge network (1, 10, 100), routes added and
 * listed (1,000 and 10,000), namespaces created and deleted (10 and 100). Each size runs the
 * workload functions of the other workloads (containers, routes, namespaces) in the
 * netns-kit worker; a curve that stays flat has no hidden O(n²). run.mjs draws one SVG per
 * curve into bench/results/ (bench/lib/plot.mjs).
 */
import { fileURLToPath } from 'node:url';
import { Address, Bridge, Link } from '../../dist/index.js';
import { PREFIX, dropNamespace, tempNamespace, track, untrack } from '../lib/env.mjs';
import { routeNamespace } from './setup.mjs';

const containersFile = fileURLToPath(new URL('./containers.mjs', import.meta.url));
const routesFile = fileURLToPath(new URL('./routes.mjs', import.meta.url));
const namespacesFile = fileURLToPath(new URL('./namespaces.mjs', import.meta.url));

/** The curves run.mjs plots: workload name here → chart. */
export const CURVES = [
  { workload: 'scale: containers on one network', file: 'scale-containers.svg', title: 'Connect containers to one bridge network (all at once)', xLabel: 'containers', yLabel: 'µs per container' },
  { workload: 'scale: routes', file: 'scale-routes.svg', title: 'Routes: add (Route.add ×N, Promise.all) and list', xLabel: 'routes', yLabel: 'µs per route' },
  { workload: 'scale: namespaces', file: 'scale-namespaces.svg', title: 'Namespaces: create + delete (all at once)', xLabel: 'namespaces', yLabel: 'µs per namespace' },
];

export async function run(ctx) {
  const { results, nk } = ctx;
  const reps = (w) => ctx.repetitions(w, { warmup: 0 });
  const sizes = (xs) => (ctx.quick ? xs.slice(0, -1) : xs);

  // containers: one host with br0, up to 100 container namespaces
  {
    const W = CURVES[0].workload;
    const S = sizes([1, 10, 100]);
    const host = await tempNamespace('shost');
    await Bridge.create(host, { name: 'br0', up: true });
    await Address.add(await Link.get(host, 'br0'), '10.88.0.1/16');
    const cs = [];
    try {
      for (let i = 0; i < S[S.length - 1]; i++) cs.push(await tempNamespace(`s${i}c`));
      for (const rep of reps(W)) {
        for (const n of S) {
          const m = await nk.call(containersFile, 'nkConnect', host.name, cs.slice(0, n).map((c) => c.name));
          results.record(W, n.toLocaleString('en'), 'netns-kit connect (veth, move+rename, address, up, route)', m, n, { ref: true });
          await nk.call(containersFile, 'nkTeardown', host.name);
        }
      }
    } finally {
      await nk.call(containersFile, 'release', host.name).catch(() => undefined);
      for (const c of cs) await nk.call(containersFile, 'release', c.name).catch(() => undefined);
      for (const c of [...cs, host]) await dropNamespace(c);
    }
  }

  // routes: add, list, remove in one namespace
  {
    const W = CURVES[1].workload;
    const S = sizes([1000, 10000]);
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

  // namespaces: create and delete n at once
  {
    const W = CURVES[2].workload;
    const S = sizes([10, 100]);
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
