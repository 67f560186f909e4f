/**
 * Workload 5: add 1,000 permanent IPv4 neighbour entries on one link
 * (`192.168.(i/250).(i%250+2) lladdr 02:00:00:00:HH:LL dev va nud permanent`) and list them —
 * netns-kit, `ip -batch`, `ip` spawned per entry (a sample), `ip -j neigh show` as a
 * process, and the npm `netlink` package (64 in flight).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Address, Neighbor, Link } from '../../dist/index.js';
import { batchFile, dropNamespace, ipAsync, ipBatch, ipToFile } from '../lib/env.mjs';
import { measure, npmSocket, nsNamed, pooled, release } from '../lib/inproc.mjs';
import { timed } from '../lib/measure.mjs';
import { routeNamespace } from './setup.mjs';

const self = fileURLToPath(import.meta.url);
const ip4 = (i) => [192, 168, 100 + Math.floor(i / 250), (i % 250) + 2];
const addrText = (i) => ip4(i).join('.');
const mac = (i) => `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;

// ---- inside the workers ---------------------------------------------------------------------

export async function nkAdd(name, n) {
  const ns = await nsNamed(name);
  const va = await Link.get(ns, 'va');
  const entries = Array.from({ length: n }, (_, i) => ({ address: addrText(i), lladdr: mac(i), link: va }));
  return measure(() => Promise.all(entries.map((e) => Neighbor.add(ns, e))));
}
export async function nkList(name, n) {
  const ns = await nsNamed(name);
  const va = await Link.get(ns, 'va');
  let count = 0;
  const us = await measure(async () => (count = (await Neighbor.list(ns, { link: va, family: 4 })).length));
  if (count < n) throw new Error(`Neighbor.list: ${count}, expected ${n}`);
  return us;
}
export async function npmAdd(name, n) {
  const sock = await npmSocket(name);
  const ifindex = (await Link.get(await nsNamed(name), 'va')).index;
  const lladdr = (i) => Buffer.from([2, 0, 0, 0, (i >> 8) & 255, i & 255]);
  return measure(() =>
    pooled(n, 64, (i) => sock.newNeighbor({ family: 2, ifindex, state: { permanent: true } }, { dst: Buffer.from(ip4(i)), lladdr: lladdr(i) }, { flags: 0x600 })),
  );
}
export async function npmList(name, n) {
  const sock = await npmSocket(name);
  const ifindex = (await Link.get(await nsNamed(name), 'va')).index;
  let count = 0;
  const us = await measure(async () => (count = (await sock.getNeighbors({ family: 2, ifindex })).filter((x) => x.data.ifindex === ifindex).length));
  if (count < n) throw new Error(`getNeighbors: ${count}`);
  return us;
}
export { release };

// ---- orchestrator ---------------------------------------------------------------------------

export async function run(ctx) {
  const N = ctx.scale(1000);
  const SAMPLE = ctx.scale(50);
  const W = 'neighbours';
  const opAdd = `add ${N.toLocaleString('en')}`;
  const opList = `list ${N.toLocaleString('en')}`;
  const { results, nk, npm } = ctx;
  const rec = (op, impl, us, n, opts) => results.record(W, op, impl, us, n, opts);
  const nkNs = await routeNamespace('nbnk');
  const ipNs = await routeNamespace('nbip');
  const npmNs = await routeNamespace('nbnpm');
  for (const x of [nkNs, ipNs, npmNs]) await Address.add(x.va, '192.168.100.1/16');
  const add = batchFile('neigh-add', Array.from({ length: N }, (_, i) => `neigh add ${addrText(i)} lladdr ${mac(i)} dev va nud permanent`));
  try {
    for (const rep of ctx.repetitions(W)) {
      rec(opAdd, 'netns-kit Neighbor.add ×N (Promise.all)', await nk.call(self, 'nkAdd', nkNs.ns.name, N), N, { ref: true });
      rec(opList, 'netns-kit Neighbor.list', await nk.call(self, 'nkList', nkNs.ns.name, N), N, { ref: true });
      await ipAsync(['neigh', 'flush', 'dev', 'va', 'nud', 'permanent'], nkNs.ns);

      rec(opAdd, 'ip -batch (one process)', await ipBatch(add, ipNs.ns), N);
      const l = await ipToFile(['-j', '-4', 'neigh', 'show', 'dev', 'va'], ipNs.ns, 'neigh');
      if (JSON.parse(readFileSync(l.path, 'utf8')).length < N) throw new Error('ip -j neigh show: wrong count');
      rec(opList, 'ip -j -4 neigh show dev va (whole process, output to a file)', l, N);
      await ipAsync(['neigh', 'flush', 'dev', 'va', 'nud', 'permanent'], ipNs.ns);
      const [one] = await timed(async () => {
        for (let i = 0; i < SAMPLE; i++) await ipAsync(['neigh', 'add', addrText(i), 'lladdr', mac(i), 'dev', 'va', 'nud', 'permanent'], ipNs.ns);
      });
      rec(opAdd, 'ip neigh add (a process per entry)', one, SAMPLE, { note: `${SAMPLE} sampled` });
      await ipAsync(['neigh', 'flush', 'dev', 'va', 'nud', 'permanent'], ipNs.ns);

      rec(opAdd, 'npm netlink newNeighbor (64 in flight)', await npm.call(self, 'npmAdd', npmNs.ns.name, N), N);
      rec(opList, 'npm netlink getNeighbors', await npm.call(self, 'npmList', npmNs.ns.name, N), N);
      await ipAsync(['neigh', 'flush', 'dev', 'va', 'nud', 'permanent'], npmNs.ns);
    }
  } finally {
    await nk.call(self, 'release', nkNs.ns.name).catch(() => undefined);
    await npm.call(self, 'release', npmNs.ns.name).catch(() => undefined);
    for (const x of [nkNs, ipNs, npmNs]) await dropNamespace(x.ns);
  }
}
