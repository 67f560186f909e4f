/**
 * Workload 1: create 200 veth pairs (both ends in one namespace), then tear them down —
 * one by one (a sample of 20: each deletion waits for RCU grace periods in the kernel,
 * ~20 ms) and all at once by the library's bulk path, Link.deleteGroup (RTM_DELLINK with
 * IFLA_GROUP, what `ip link delete group N` sends: the kernel unregisters them together).
 * The 20 deleted one by one are deleted concurrently (Promise.all; netns-kit sends each on a
 * parallel sender thread) and compared with 20 `ip link del` processes run at once.
 * VethPair.createMany (the batch path: nothing read back) is measured beside it.
 * Peers: `ip -batch`, `ip` spawned per pair. npm `netlink` has no typed IFLA_LINKINFO (it
 * takes raw bytes), so it is not measured here.
 */
import { fileURLToPath } from 'node:url';
import { Link, VethPair } from '../../dist/index.js';
import { batchFile, dropNamespace, ipAsync, ipBatch, ipTimedCpu, tempNamespace } from '../lib/env.mjs';
import { measure, nsNamed, release } from '../lib/inproc.mjs';
import { timed } from '../lib/measure.mjs';

const self = fileURLToPath(import.meta.url);
const BULK = 7;
const SINGLE = 8;

// ---- inside the netns-kit worker ----------------------------------------------------------

export async function nkCreate(name, from, n, group) {
  const ns = await nsNamed(name);
  return measure(() =>
    Promise.all(Array.from({ length: n }, (_, k) => VethPair.create(ns, { name: `va${from + k}`, group, peer: { name: `vb${from + k}`, group } }))),
  );
}
export async function nkCreateMany(name, from, n, group) {
  const ns = await nsNamed(name);
  return measure(() => VethPair.createMany(ns, Array.from({ length: n }, (_, k) => ({ name: `va${from + k}`, group, peer: { name: `vb${from + k}`, group } }))));
}
export async function nkDeleteGroup(name, group) {
  const ns = await nsNamed(name);
  return measure(() => Link.deleteGroup(ns, group));
}
export async function nkDeleteEach(name, from, n) {
  const ns = await nsNamed(name);
  return measure(() => Promise.all(Array.from({ length: n }, (_, k) => Link.delete(ns, `va${from + k}`))));
}
export { release };

// ---- orchestrator ---------------------------------------------------------------------------

export async function run(ctx) {
  const N = ctx.scale(200);
  const ONE = ctx.scale(20);
  const SPAWN = ctx.scale(10);
  const W = 'veth pairs';
  const opCreate = `create ${N}`;
  const opBulk = `bulk teardown ${N}`;
  const opEach = `delete ${ONE} concurrently`;
  const { results, nk } = ctx;
  const rec = (op, impl, us, n, opts) => results.record(W, op, impl, us, n, opts);
  results.notApplicable(W, opCreate, 'npm netlink', 'no typed IFLA_LINKINFO (veth peers are raw bytes)');

  const nkNs = await tempNamespace('vethnk');
  const ipNs = await tempNamespace('vethip');
  const create = batchFile('veth-create', Array.from({ length: N }, (_, i) => `link add va${i} group ${BULK} type veth peer name vb${i} group ${BULK}`));
  const createOne = batchFile('veth-create1', Array.from({ length: ONE }, (_, i) => `link add va${N + i} group ${SINGLE} type veth peer name vb${N + i} group ${SINGLE}`));
  const delOne = batchFile('veth-del1', Array.from({ length: ONE }, (_, i) => `link del va${N + i}`));
  try {
    for (const rep of ctx.repetitions(W)) {
      const name = nkNs.name;
      rec(opCreate, 'netns-kit VethPair.create ×N (Promise.all)', await nk.call(self, 'nkCreate', name, 0, N, BULK), N, { ref: true });
      rec(opBulk, 'netns-kit Link.deleteGroup', await nk.call(self, 'nkDeleteGroup', name, BULK), N, { ref: true, note: 'one RTM_DELLINK with IFLA_GROUP' });
      // the batch path: no NLM_F_ECHO, no read-back, most commands without an ACK of their own
      rec(opCreate, 'netns-kit VethPair.createMany', await nk.call(self, 'nkCreateMany', name, 0, N, BULK), N, { note: 'no snapshots returned' });
      await nk.call(self, 'nkDeleteGroup', name, BULK);
      await nk.call(self, 'nkCreate', name, N, ONE, SINGLE);
      rec(opEach, `netns-kit Link.delete ×${ONE} (Promise.all)`, await nk.call(self, 'nkDeleteEach', name, N, ONE), ONE, { ref: true, note: `${ONE} pairs, parallel senders` });

      rec(opCreate, 'ip -batch (one process)', await ipBatch(create, ipNs), N);
      rec(opBulk, 'ip link delete group N (one process)', (await timed(() => ipAsync(['link', 'delete', 'group', String(BULK)], ipNs)))[0], N);
      await ipBatch(createOne, ipNs);
      rec(opEach, 'ip -batch (one process)', await ipBatch(delOne, ipNs), ONE, { note: `${ONE} pairs` });
      // the peer a user would run: a process per deletion, all at once
      await ipBatch(createOne, ipNs);
      const [procs, runs] = await timed(() => Promise.all(Array.from({ length: ONE }, (_, i) => ipTimedCpu(['link', 'del', `va${N + i}`], ipNs))));
      const procCpu = runs.some((r) => r.cpuUs === undefined) ? undefined : runs.reduce((a, r) => a + r.cpuUs, 0);
      rec(opEach, `ip link del ×${ONE} (concurrent processes)`, procs, ONE, { cpuUs: procCpu, note: `${ONE} pairs, ${ONE} processes at once` });

      // a process per pair: a sample
      const [c1] = await timed(async () => {
        for (let i = 0; i < SPAWN; i++) await ipAsync(['link', 'add', `vc${i}`, 'type', 'veth', 'peer', 'name', `vd${i}`], ipNs);
      });
      rec(opCreate, 'ip link add (a process per pair)', c1, SPAWN, { note: `${SPAWN} pairs sampled` });
      const [d1] = await timed(async () => {
        for (let i = 0; i < SPAWN; i++) await ipAsync(['link', 'del', `vc${i}`], ipNs);
      });
      rec(opEach, 'ip link del (a process per pair)', d1, SPAWN, { note: `${SPAWN} pairs sampled` });
    }
  } finally {
    await nk.call(self, 'release', nkNs.name).catch(() => undefined);
    await dropNamespace(nkNs);
    await dropNamespace(ipNs);
  }
}
