/**
 * Workload 3: add 10,000 IPv4 routes `10.X.Y.0/24 via 192.168.0.2 dev va`, list them, delete
 * them — netns-kit (each route its own call, and the bulk calls), the kernel's own cost (C:
 * one route per sendmsg, waiting for each ACK), `ip -batch`, `ip` spawned per route (a
 * sample), `ip -j route show` as a process, and the npm `netlink` package (64 requests in
 * flight: it has no window, and its receive buffer overflows with many more).
 *
 * The lists run in workers of their own (ctx.lists), not in the worker that has just added
 * 10,000 routes, where the adds' garbage (promises, requests, route options) could be
 * collected during the list and be charged to it. Each timed list follows one untimed list,
 * as the floor's timed dump follows an untimed one (caches, the receive blocks, V8's young
 * generation grown back after the worker sat idle). A list still pays for all of its own
 * garbage, including that of the list before it (10,000 routes).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Route, Link } from '../../dist/index.js';
import { batchFile, dropNamespace, ipAsync, ipBatch, ipToFile } from '../lib/env.mjs';
import { measure, npmSocket, nsNamed, pooled, release, WARM_LISTS } from '../lib/inproc.mjs';
import { timed } from '../lib/measure.mjs';
import { routeNamespace } from './setup.mjs';

const self = fileURLToPath(import.meta.url);
const GW = '192.168.0.2';

/**
 * The i-th route's prefix (10.100.0.0/24, 10.100.1.0/24, … 10.254.255.0/24; past those 39,680,
 * /26s from 10.0.0.0 up to 10.99.255.192 for the scale curve's 100,000).
 */
export const prefix = (i) => (i < 39680 ? `10.${100 + (i >> 8)}.${i & 255}.0/24` : ((j) => `10.${j >> 10}.${(j >> 2) & 255}.${(j & 3) << 6}/26`)(i - 39680));

// ---- inside the netns-kit workers (nkList in the lists worker) ---------------------------------

async function nkRoutes(name, n) {
  const ns = await nsNamed(name);
  const va = await Link.get(ns, 'va');
  return { ns, routes: Array.from({ length: n }, (_, i) => ({ to: prefix(i), via: GW, dev: va })) };
}

export async function nkAdd(name, n) {
  const { ns, routes } = await nkRoutes(name, n);
  return measure(() => Promise.all(routes.map((r) => Route.add(ns, r))), 'route-add');
}
export async function nkList(name, n, warm = 0) {
  const ns = await nsNamed(name);
  for (let i = 0; i < warm; i++) await Route.list(ns, { family: 4 }); // the warm-up repetition: JIT
  let count = 0;
  const us = await measure(async () => (count = (await Route.list(ns, { family: 4 })).length), 'route-list');
  if (count !== n + 1) throw new Error(`Route.list: ${count} routes, expected ${n + 1}`);
  return us;
}
export async function nkRemove(name, n) {
  const { ns, routes } = await nkRoutes(name, n);
  return measure(() => Promise.all(routes.map((r) => Route.remove(ns, r))));
}
export async function nkAddMany(name, n) {
  const { ns, routes } = await nkRoutes(name, n);
  return measure(() => Route.addMany(ns, routes), 'route-addMany');
}
export async function nkRemoveMany(name, n) {
  const { ns, routes } = await nkRoutes(name, n);
  return measure(() => Route.removeMany(ns, routes));
}

// ---- inside the npm netlink worker --------------------------------------------------------

const dst = (i) => Buffer.from([10, 100 + (i >> 8), i & 255, 0]);
const gw = Buffer.from([192, 168, 0, 2]);

export async function npmAdd(name, n) {
  const sock = await npmSocket(name);
  const oif = (await Link.get(await nsNamed(name), 'va')).index;
  const hdr = { family: 2, dstLen: 24, table: 254, protocol: 'BOOT', scope: 'UNIVERSE', type: 'UNICAST' };
  return measure(() => pooled(n, 64, (i) => sock.newRoute(hdr, { dst: dst(i), gateway: gw, oif }, { flags: 0x600 /* CREATE | EXCL */ })));
}
export async function npmList(name, n, warm = 0) {
  const sock = await npmSocket(name);
  for (let i = 0; i < warm; i++) await sock.getRoutes({ family: 2, table: 254 });
  let count = 0;
  const us = await measure(async () => (count = (await sock.getRoutes({ family: 2, table: 254 })).length));
  if (count < n) throw new Error(`getRoutes: ${count} routes`);
  return us;
}
export async function npmRemove(name, n) {
  const sock = await npmSocket(name);
  const oif = (await Link.get(await nsNamed(name), 'va')).index;
  const hdr = { family: 2, dstLen: 24, table: 254, scope: 'NOWHERE' };
  return measure(() => pooled(n, 64, (i) => sock.delRoute(hdr, { dst: dst(i), gateway: gw, oif })));
}

export { release };

// ---- orchestrator ---------------------------------------------------------------------------

export async function run(ctx) {
  const N = ctx.scale(10000);
  const SAMPLE = ctx.scale(50);
  const W = 'routes';
  const opAdd = `add ${N.toLocaleString('en')}`;
  const opList = `list ${N.toLocaleString('en')}`;
  const opDel = `delete ${N.toLocaleString('en')}`;
  const { results, nk, npm } = ctx;

  const nkNs = await routeNamespace('rtnk');
  const ipNs = await routeNamespace('rtip');
  const npmNs = await routeNamespace('rtnpm');
  const cNs = await routeNamespace('rtc');
  const addFile = batchFile('routes-add', Array.from({ length: N }, (_, i) => `route add ${prefix(i)} via ${GW} dev va`));
  const delFile = batchFile('routes-del', Array.from({ length: N }, (_, i) => `route del ${prefix(i)} via ${GW} dev va`));
  const rec = (op, impl, us, n, opts) => results.record(W, op, impl, us, n, opts);

  try {
    for (const rep of ctx.repetitions(W)) {
      const name = nkNs.ns.name;
      rec(opAdd, 'netns-kit Route.add ×N (Promise.all)', await nk.call(self, 'nkAdd', name, N), N, { ref: true });
      rec(opList, 'netns-kit Route.list', await ctx.lists.nk.call(self, 'nkList', name, N, rep < 0 ? WARM_LISTS : 1), N, { ref: true });
      rec(opDel, 'netns-kit Route.remove ×N (Promise.all)', await nk.call(self, 'nkRemove', name, N), N, { ref: true });
      rec(opAdd, 'netns-kit Route.addMany', await nk.call(self, 'nkAddMany', name, N), N);
      rec(opDel, 'netns-kit Route.removeMany', await nk.call(self, 'nkRemoveMany', name, N), N);

      if (ctx.kernelCost) {
        const out = JSON.parse(execFileSync(ctx.kernelCost, [`/run/netns/${cNs.ns.name}`, String(N), GW, String(cNs.va.index)], { encoding: 'utf8' }));
        rec(opAdd, 'kernel cost (C: 1 route/sendmsg, wait for each ACK)', { us: out.addUs * N, cpuUs: out.addCpuUs * N }, N);
        rec(opDel, 'kernel cost (C: 1 route/sendmsg, wait for each ACK)', { us: out.delUs * N, cpuUs: out.delCpuUs * N }, N);
      }

      rec(opAdd, 'ip -batch (one process)', await ipBatch(addFile, ipNs.ns), N);
      if (ctx.dumpFloor) {
        // the same dump, timed inside a C program: 64 KiB per recv, nothing decoded
        const out = JSON.parse(execFileSync(ctx.dumpFloor, [`/run/netns/${ipNs.ns.name}`, 'routes'], { encoding: 'utf8' }));
        if (out.count < N) throw new Error(`dump-floor: ${out.count} routes, expected ≥ ${N}`);
        rec(opList, 'kernel floor (C dump, 64 KiB receives, nothing decoded)', { us: out.us, cpuUs: out.cpuUs }, N);
      }
      const listJ = await ipToFile(['-j', 'route', 'show'], ipNs.ns, 'routes');
      if (JSON.parse(readFileSync(listJ.path, 'utf8')).length !== N + 1) throw new Error('ip -j route show: wrong count');
      rec(opList, 'ip -j route show (whole process, output to a file)', listJ, N);
      rec(opList, 'ip -j route show (spawned by Node, stdout read)', (await timed(() => ipAsync(['-j', 'route', 'show'], ipNs.ns)))[0], N, {
        note: 'ip writes once per route: every write wakes the reader',
      });
      rec(opList, 'ip route show (whole process, text to a file)', await ipToFile(['route', 'show'], ipNs.ns, 'routes-text'), N);
      rec(opDel, 'ip -batch (one process)', await ipBatch(delFile, ipNs.ns), N);

      // a process per route: a sample (10,000 processes take ~1 min)
      const [addOne] = await timed(async () => {
        for (let i = 0; i < SAMPLE; i++) await ipAsync(['route', 'add', prefix(i), 'via', GW, 'dev', 'va'], ipNs.ns);
      });
      rec(opAdd, 'ip route add (a process per route)', addOne, SAMPLE, { note: `${SAMPLE} routes sampled` });
      const [delOne] = await timed(async () => {
        for (let i = 0; i < SAMPLE; i++) await ipAsync(['route', 'del', prefix(i), 'via', GW, 'dev', 'va'], ipNs.ns);
      });
      rec(opDel, 'ip route del (a process per route)', delOne, SAMPLE, { note: `${SAMPLE} routes sampled` });

      const npmName = npmNs.ns.name;
      rec(opAdd, 'npm netlink newRoute (64 in flight)', await npm.call(self, 'npmAdd', npmName, N), N);
      rec(opList, 'npm netlink getRoutes', await ctx.lists.npm.call(self, 'npmList', npmName, N, rep < 0 ? WARM_LISTS : 1), N);
      rec(opDel, 'npm netlink delRoute (64 in flight)', await npm.call(self, 'npmRemove', npmName, N), N);
    }
  } finally {
    await nk.call(self, 'release', nkNs.ns.name).catch(() => undefined);
    await npm.call(self, 'release', npmNs.ns.name).catch(() => undefined);
    await ctx.lists.nk.call(self, 'release', nkNs.ns.name).catch(() => undefined);
    await ctx.lists.npm.call(self, 'release', npmNs.ns.name).catch(() => undefined);
    for (const x of [nkNs, ipNs, npmNs, cNs]) await dropNamespace(x.ns);
  }
}
