/**
 * Workload 2: add 1,000 IPv4 addresses to one link (`10.(20 + i/256).(i%256).1/24 dev va`,
 * each its own subnet, so each also gets its prefix and local routes) — netns-kit,
 * `ip -batch`, `ip` spawned per address (a sample), and the npm `netlink` package (64 in
 * flight) — and list 10,000 such addresses of one link: netns-kit, the kernel floor
 * (bench/dump-floor.c), `ip -j addr show` as a process, npm `netlink`.
 *
 * The lists read a link with 10,000 addresses, not the 1,000 just added: a dump of 1,000
 * addresses takes the kernel ~0.1 ms, less than what any call from JavaScript costs apart
 * from the data (a request, a wakeup, promises), so at that size the floor row measured the
 * fixed costs, not the dump. At 10,000 the floor is ~3 ms of kernel work. The lists run in
 * workers of their own (ctx.lists), as in the routes workload (see there).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Address, Link } from '../../dist/index.js';
import { batchFile, dropNamespace, ipAsync, ipBatch, ipToFile } from '../lib/env.mjs';
import { measure, npmSocket, nsNamed, pooled, release, WARM_LISTS } from '../lib/inproc.mjs';
import { timed } from '../lib/measure.mjs';
import { routeNamespace } from './setup.mjs';

const self = fileURLToPath(import.meta.url);
const addr = (i) => `10.${20 + (i >> 8)}.${i & 255}.1`;

// ---- inside the workers ---------------------------------------------------------------------

export async function nkAdd(name, n) {
  const ns = await nsNamed(name);
  const va = await Link.get(ns, 'va');
  const list = Array.from({ length: n }, (_, i) => `${addr(i)}/24`);
  return measure(() => Promise.all(list.map((a) => Address.add(va, a))));
}
export async function nkList(name, n, warm = 0) {
  const ns = await nsNamed(name);
  const va = await Link.get(ns, 'va');
  for (let i = 0; i < warm; i++) await Address.list(ns, { link: va, family: 4 }); // the warm-up repetition: JIT
  let count = 0;
  const us = await measure(async () => (count = (await Address.list(ns, { link: va, family: 4 })).length));
  if (count !== n + 1) throw new Error(`Address.list: ${count}, expected ${n + 1}`);
  return us;
}
export async function nkFlush(name) {
  const ns = await nsNamed(name);
  const va = await Link.get(ns, 'va');
  await Promise.all((await Address.list(ns, { link: va, family: 4 })).filter((a) => a.address !== '192.168.0.1').map((a) => a.remove()));
}
export async function npmAdd(name, n) {
  const sock = await npmSocket(name);
  const index = (await Link.get(await nsNamed(name), 'va')).index;
  const bytes = (i) => Buffer.from([10, 20 + (i >> 8), i & 255, 1]);
  return measure(() => pooled(n, 64, (i) => sock.newAddress({ family: 2, prefixlen: 24, index }, { local: bytes(i), address: bytes(i) }, { flags: 0x600 })));
}
export async function npmList(name, n, warm = 0) {
  const sock = await npmSocket(name);
  const index = (await Link.get(await nsNamed(name), 'va')).index;
  for (let i = 0; i < warm; i++) await sock.getAddresses({ family: 2, index });
  let count = 0;
  const us = await measure(async () => (count = (await sock.getAddresses({ family: 2, index })).filter((a) => a.data.index === index).length));
  if (count !== n + 1) throw new Error(`getAddresses: ${count}, expected ${n + 1}`);
  return us;
}
export { release };

// ---- orchestrator ---------------------------------------------------------------------------

export async function run(ctx) {
  const N = ctx.scale(1000);
  const NL = ctx.scale(10000);
  const SAMPLE = ctx.scale(50);
  const W = 'addresses';
  const opAdd = `add ${N.toLocaleString('en')} to one link`;
  const opList = `list ${NL.toLocaleString('en')}`;
  const { results, nk, npm } = ctx;
  const rec = (op, impl, us, n, opts) => results.record(W, op, impl, us, n, opts);
  const nkNs = await routeNamespace('adnk');
  const ipNs = await routeNamespace('adip');
  const npmNs = await routeNamespace('adnpm');
  const listNs = await routeNamespace('adls');
  const add = batchFile('addr-add', Array.from({ length: N }, (_, i) => `addr add ${addr(i)}/24 dev va`));
  const flush = batchFile('addr-flush', ['addr flush dev va', 'addr add 192.168.0.1/24 dev va']);
  // the lists read one link with NL addresses, added once (untimed; ~4 s with ip -batch)
  await ipBatch(batchFile('addr-list', Array.from({ length: NL }, (_, i) => `addr add ${addr(i)}/24 dev va`)), listNs.ns);
  const warm = (rep) => (rep < 0 ? WARM_LISTS : 1);
  try {
    for (const rep of ctx.repetitions(W)) {
      rec(opAdd, 'netns-kit Address.add ×N (Promise.all)', await nk.call(self, 'nkAdd', nkNs.ns.name, N), N, { ref: true });
      await nk.call(self, 'nkFlush', nkNs.ns.name);
      rec(opAdd, 'ip -batch (one process)', await ipBatch(add, ipNs.ns), N);
      await ipBatch(flush, ipNs.ns);
      const [one] = await timed(async () => {
        for (let i = 0; i < SAMPLE; i++) await ipAsync(['addr', 'add', `${addr(i)}/24`, 'dev', 'va'], ipNs.ns);
      });
      rec(opAdd, 'ip addr add (a process per address)', one, SAMPLE, { note: `${SAMPLE} sampled` });
      await ipBatch(flush, ipNs.ns);
      rec(opAdd, 'npm netlink newAddress (64 in flight)', await npm.call(self, 'npmAdd', npmNs.ns.name, N), N);
      await ipBatch(flush, npmNs.ns);

      const ls = listNs.ns.name;
      rec(opList, 'netns-kit Address.list', await ctx.lists.nk.call(self, 'nkList', ls, NL, warm(rep)), NL, { ref: true });
      if (ctx.dumpFloor) {
        // the same dump, timed inside a C program: 64 KiB per recv, nothing decoded (every
        // IPv4 address of the namespace: va's and lo's, where Address.list asks for va's)
        const out = JSON.parse(execFileSync(ctx.dumpFloor, [`/run/netns/${ls}`, 'addresses'], { encoding: 'utf8' }));
        if (out.count < NL) throw new Error(`dump-floor: ${out.count} addresses, expected ≥ ${NL}`);
        rec(opList, 'kernel floor (C dump, 64 KiB receives, nothing decoded)', { us: out.us, cpuUs: out.cpuUs }, NL);
      }
      const l = await ipToFile(['-j', '-4', 'addr', 'show', 'dev', 'va'], listNs.ns, 'addr');
      const shown = JSON.parse(readFileSync(l.path, 'utf8'))[0].addr_info.length;
      if (shown !== NL + 1) throw new Error(`ip -j addr show: ${shown}`);
      rec(opList, 'ip -j -4 addr show dev va (whole process, output to a file)', l, NL);
      rec(opList, 'npm netlink getAddresses', await ctx.lists.npm.call(self, 'npmList', ls, NL, warm(rep)), NL);
    }
  } finally {
    await nk.call(self, 'release', nkNs.ns.name).catch(() => undefined);
    await npm.call(self, 'release', npmNs.ns.name).catch(() => undefined);
    await ctx.lists.nk.call(self, 'release', listNs.ns.name).catch(() => undefined);
    await ctx.lists.npm.call(self, 'release', listNs.ns.name).catch(() => undefined);
    for (const x of [nkNs, ipNs, npmNs, listNs]) await dropNamespace(x.ns);
  }
}
