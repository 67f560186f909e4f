/**
 * Workload: list 1,001 links — 500 veth pairs, both ends in one namespace (made untimed with
 * `ip -batch`; veth because every kernel here has it, unlike dummy), and lo — with netns-kit
 * `Link.list`, against the kernel floor (bench/dump-floor.c: the same RTM_GETLINK dump read
 * with 64 KiB receives, nothing decoded), `ip -j link show` as a process, and the npm
 * `netlink` package's getLinks. All of them read the same namespace.
 *
 * The in-process lists run in workers of their own (ctx.lists: one for netns-kit, one for
 * npm netlink), as in the routes and addresses workloads: a list then pays for its own
 * garbage — including the previous repetition's list — and for no other workload's.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Link } from '../../dist/index.js';
import { batchFile, dropNamespace, ipBatch, ipToFile, tempNamespace } from '../lib/env.mjs';
import { measure, npmSocket, nsNamed, release, WARM_LISTS } from '../lib/inproc.mjs';

const self = fileURLToPath(import.meta.url);

// ---- inside the list workers ----------------------------------------------------------------

export async function nkList(name, n, warm = 0) {
  const ns = await nsNamed(name);
  for (let i = 0; i < warm; i++) await Link.list(ns); // the warm-up repetition: JIT
  let count = 0;
  const us = await measure(async () => (count = (await Link.list(ns)).length), 'link-list');
  if (count !== n + 1) throw new Error(`Link.list: ${count} links, expected ${n + 1}`);
  return us;
}
export async function npmList(name, n, warm = 0) {
  const sock = await npmSocket(name);
  for (let i = 0; i < warm; i++) await sock.getLinks();
  let count = 0;
  const us = await measure(async () => (count = (await sock.getLinks()).length));
  if (count !== n + 1) throw new Error(`getLinks: ${count} links, expected ${n + 1}`);
  return us;
}
export { release };

// ---- orchestrator ---------------------------------------------------------------------------

export async function run(ctx) {
  const PAIRS = ctx.scale(500);
  const N = 2 * PAIRS;
  const W = 'links';
  const op = `list ${(N + 1).toLocaleString('en')}`;
  const { results } = ctx;
  const rec = (impl, us, opts) => results.record(W, op, impl, us, N + 1, opts);
  const ns = await tempNamespace('lk');
  try {
    await ipBatch(batchFile('links-add', Array.from({ length: PAIRS }, (_, i) => `link add l${i}a type veth peer name l${i}b`)), ns);
    for (const rep of ctx.repetitions(W)) {
      rec('netns-kit Link.list', await ctx.lists.nk.call(self, 'nkList', ns.name, N, rep < 0 ? WARM_LISTS : 1), { ref: true });
      if (ctx.dumpFloor) {
        const out = JSON.parse(execFileSync(ctx.dumpFloor, [`/run/netns/${ns.name}`, 'links'], { encoding: 'utf8' }));
        if (out.count !== N + 1) throw new Error(`dump-floor: ${out.count} links, expected ${N + 1}`);
        rec('kernel floor (C dump, 64 KiB receives, nothing decoded)', { us: out.us, cpuUs: out.cpuUs });
      }
      const j = await ipToFile(['-j', 'link', 'show'], ns, 'links');
      if (JSON.parse(readFileSync(j.path, 'utf8')).length !== N + 1) throw new Error('ip -j link show: wrong count');
      rec('ip -j link show (whole process, output to a file)', j);
      rec('npm netlink getLinks', await ctx.lists.npm.call(self, 'npmList', ns.name, N, rep < 0 ? WARM_LISTS : 1));
    }
  } finally {
    await ctx.lists.nk.call(self, 'release', ns.name).catch(() => undefined);
    await ctx.lists.npm.call(self, 'release', ns.name).catch(() => undefined);
    await dropNamespace(ns);
  }
}
