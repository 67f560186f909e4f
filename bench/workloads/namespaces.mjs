/**
 * Workload 6: create and delete 100 named namespaces (`/run/netns/NAME`, as `ip netns add`
 * makes them) — netns-kit (Namespace.create / ns.delete), `ip netns add` + `ip netns del`
 * spawned per namespace, and `ip -batch` with `netns add` / `netns del` lines. The npm
 * `netlink` package has no namespace support. (Deleting a namespace returns once its name
 * is gone; the kernel frees it in the background — alike for every implementation.)
 */
import { fileURLToPath } from 'node:url';
import { Namespace } from '../../dist/index.js';
import { PREFIX, batchFile, ipAsync, ipBatch, track, untrack } from '../lib/env.mjs';
import { measure } from '../lib/inproc.mjs';
import { timed } from '../lib/measure.mjs';

const self = fileURLToPath(import.meta.url);

// ---- inside the netns-kit worker ----------------------------------------------------------

/** Creates n namespaces (all at once), then deletes them (all at once); returns [µs create, µs delete]. */
export async function nkCycle(names) {
  let made = [];
  const create = await measure(async () => (made = await Promise.all(names.map((n) => Namespace.create(n)))));
  const del = await measure(() => Promise.all(made.map((ns) => ns.delete())));
  return [create, del];
}

// ---- orchestrator ---------------------------------------------------------------------------

export async function run(ctx) {
  const N = ctx.scale(100);
  const W = 'namespaces';
  const op = `create + delete ${N}`;
  const { results, nk } = ctx;
  const rec = (o, impl, us, n, opts) => results.record(W, o, impl, us, n, opts);
  results.notApplicable(W, op, 'npm netlink', 'no namespace support');
  let round = 0;
  for (const rep of ctx.repetitions(W)) {
    const names = (tag) => Array.from({ length: N }, (_, i) => `${PREFIX}${tag}${round}x${i}`);
    round++;
    const a = names('nk');
    a.forEach(track);
    const [mc, md] = await nk.call(self, 'nkCycle', a);
    a.forEach(untrack);
    const [c, d] = [mc.us, md.us];
    rec(op, 'netns-kit Namespace.create + ns.delete ×N (Promise.all)', { us: c + d, cpuUs: mc.cpuUs + md.cpuUs }, N, { ref: true, extra: { 'create µs': c / N, 'delete µs': d / N } });

    const b = names('ip');
    b.forEach(track);
    const [c1] = await timed(async () => {
      for (const n of b) await ipAsync(['netns', 'add', n]);
    });
    const [d1] = await timed(async () => {
      for (const n of b) await ipAsync(['netns', 'del', n]);
    });
    b.forEach(untrack);
    rec(op, 'ip netns add + ip netns del (a process each)', c1 + d1, N, { extra: { 'create µs': c1 / N, 'delete µs': d1 / N } });

    const bb = names('ib');
    bb.forEach(track);
    const addF = batchFile('netns-add', bb.map((n) => `netns add ${n}`));
    const delF = batchFile('netns-del', bb.map((n) => `netns del ${n}`));
    const { us: c2, cpuUs: cc2 } = await ipBatch(addF);
    const { us: d2, cpuUs: cd2 } = await ipBatch(delF);
    bb.forEach(untrack);
    rec(op, 'ip -batch netns add / netns del (two processes)', { us: c2 + d2, cpuUs: cc2 === undefined ? undefined : cc2 + cd2 }, N, { extra: { 'create µs': c2 / N, 'delete µs': d2 / N } });
  }
}
