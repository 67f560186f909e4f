/**
 * Workload 2: add 1,000 IPv4 addresses to one link (`10.(20 + i/256).(i%256).1/24 dev va`,
 * each its own subnet, so each also gets its prefix and local routes) and list them —
 * netns-kit, `ip -batch`, `ip` spawned per address (a sample), `ip -j addr show` as a
 * process, and the npm `netlink` package (64 in flight).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Address, Link } from '../../dist/index.js';
import { batchFile, dropNamespace, ipAsync, ipBatch, ipToFile } from '../lib/env.mjs';
import { measure, npmSocket, nsNamed, pooled, release } from '../lib/inproc.mjs';
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
export async function nkList(name, n) {
  const ns = await nsNamed(name);
  const va = await Link.get(ns, 'va');
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
export async function npmList(name, n) {
  const sock = await npmSocket(name);
  const index = (await Link.get(await nsNamed(name), 'va')).index;
  let count = 0;
  const us = await measure(async () => (count = (await sock.getAddresses({ family: 2, index })).filter((a) => a.data.index === index).length));
  if (count !== n + 1) throw new Error(`getAddresses: ${count}, expected ${n + 1}`);
  return us;
}
export { release };

// ---- orchestrator ---------------------------------------------------------------------------

export async function run(ctx) {
  const N = ctx.scale(1000);
  const SAMPLE = ctx.scale(50);
  const W = 'addresses';
  const opAdd = `add ${N.toLocaleString('en')} to one link`;
  const opList = `list ${N.toLocaleString('en')}`;
  const { results, nk, npm } = ctx;
  const rec = (op, impl, us, n, opts) => results.record(W, op, impl, us, n, opts);
  const nkNs = await routeNamespace('adnk');
  const ipNs = await routeNamespace('adip');
  const npmNs = await routeNamespace('adnpm');
  const add = batchFile('addr-add', Array.from({ length: N }, (_, i) => `addr add ${addr(i)}/24 dev va`));
  const flush = batchFile('addr-flush', ['addr flush dev va', 'addr add 192.168.0.1/24 dev va']);
  try {
    for (const rep of ctx.repetitions(W)) {
      rec(opAdd, 'netns-kit Address.add ×N (Promise.all)', await nk.call(self, 'nkAdd', nkNs.ns.name, N), N, { ref: true });
      rec(opList, 'netns-kit Address.list', await nk.call(self, 'nkList', nkNs.ns.name, N), N, { ref: true });
      await nk.call(self, 'nkFlush', nkNs.ns.name);

      rec(opAdd, 'ip -batch (one process)', await ipBatch(add, ipNs.ns), N);
      if (ctx.dumpFloor) {
        // the same dump, timed inside a C program: 64 KiB per recv, nothing decoded (every
        // IPv4 address of the namespace: va's and lo's, where Address.list asks for va's)
        const out = JSON.parse(execFileSync(ctx.dumpFloor, [`/run/netns/${ipNs.ns.name}`, 'addresses'], { encoding: 'utf8' }));
        if (out.count < N) throw new Error(`dump-floor: ${out.count} addresses, expected ≥ ${N}`);
        rec(opList, 'kernel floor (C dump, 64 KiB receives, nothing decoded)', { us: out.us, cpuUs: out.cpuUs }, N);
      }
      const l = await ipToFile(['-j', '-4', 'addr', 'show', 'dev', 'va'], ipNs.ns, 'addr');
      const shown = JSON.parse(readFileSync(l.path, 'utf8'))[0].addr_info.length;
      if (shown !== N + 1) throw new Error(`ip -j addr show: ${shown}`);
      rec(opList, 'ip -j -4 addr show dev va (whole process, output to a file)', l, N);
      await ipBatch(flush, ipNs.ns);
      const [one] = await timed(async () => {
        for (let i = 0; i < SAMPLE; i++) await ipAsync(['addr', 'add', `${addr(i)}/24`, 'dev', 'va'], ipNs.ns);
      });
      rec(opAdd, 'ip addr add (a process per address)', one, SAMPLE, { note: `${SAMPLE} sampled` });
      await ipBatch(flush, ipNs.ns);

      rec(opAdd, 'npm netlink newAddress (64 in flight)', await npm.call(self, 'npmAdd', npmNs.ns.name, N), N);
      rec(opList, 'npm netlink getAddresses', await npm.call(self, 'npmList', npmNs.ns.name, N), N);
      await ipBatch(flush, npmNs.ns);
    }
  } finally {
    await nk.call(self, 'release', nkNs.ns.name).catch(() => undefined);
    await npm.call(self, 'release', npmNs.ns.name).catch(() => undefined);
    for (const x of [nkNs, ipNs, npmNs]) await dropNamespace(x.ns);
  }
}
