/**
 * Workload 8: the CNI plugin as a runtime runs it — one process per call, so start-up counts.
 * Whole-process times, each call started with `nsenter --net=HOST` (the same start-up for
 * every implementation) in a throwaway host namespace, the container namespaces made
 * beforehand:
 *  - ADD alone, no masquerade: `netns-kit-bridge` vs the reference `bridge` (which runs
 *    `host-local` as a second process);
 *  - ADD + DEL with ipMasq and one published port: `netns-kit-bridge` (nf_tables in-process)
 *    vs the reference chain `bridge`(ipMasq) + `portmap` (iptables), as a runtime calls it
 *    (ADD bridge, ADD portmap, DEL portmap, DEL bridge).
 * Skipped, with the reason, when the reference plugins are not installed.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropNamespace, tempNamespace } from '../lib/env.mjs';
import { timed } from '../lib/measure.mjs';
import { CNI_DIR as REF, cniCall as call, takeCpu } from '../lib/runtimes.mjs';

const OURS = fileURLToPath(new URL('../../dist/cni/bin.js', import.meta.url));

export async function run(ctx) {
  const W = 'CNI plugin (a process per call)';
  const opAdd = 'ADD, bridge + host-local, no masquerade';
  const opChain = 'ADD + DEL, ipMasq + 1 published port';
  const { results } = ctx;
  if (!existsSync(join(REF, 'bridge')) || !existsSync(join(REF, 'host-local')) || !existsSync(join(REF, 'portmap'))) {
    for (const op of [opAdd, opChain]) results.notApplicable(W, op, 'reference plugins', `not installed in ${REF} (containernetworking-plugins)`);
    return;
  }
  chmodSync(OURS, 0o755);
  const N = ctx.scale(20);
  const dir = mkdtempSync(join(tmpdir(), 'nk-bench-cni-'));
  const host = await tempNamespace('cnih');
  const conts = [];
  for (let i = 0; i < N; i++) conts.push(await tempNamespace(`cnic${i}`));
  const conf = (type, masq) => ({
    cniVersion: '1.0.0',
    name: `bench-${type}`,
    type,
    bridge: type === 'bridge' ? 'cnib-ref' : 'cnib-nk',
    isGateway: true,
    ipMasq: masq,
    ipam: { type: 'host-local', ranges: [[{ subnet: type === 'bridge' ? '10.77.0.0/16' : '10.78.0.0/16' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: dir },
  });
  const mappings = [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }];
  let round = 0;
  try {
    for (const rep of ctx.repetitions(W)) {
      void rep;
      const id = (i) => `b${round}x${i}`;
      round++;
      // ADD alone (the DELs after are not timed)
      for (const [impl, plugin, type, ref] of [
        ['netns-kit-bridge (in-process host-local)', OURS, 'netns-kit-bridge', true],
        ['reference bridge + host-local (2 processes)', join(REF, 'bridge'), 'bridge', false],
      ]) {
        const c = conf(type, false);
        let us = 0;
        let cpu = 0;
        for (let i = 0; i < N; i++) {
          takeCpu();
          const [t] = await timed(() => call(host.name, plugin, 'ADD', c, id(i), `/run/netns/${conts[i].name}`));
          us += t;
          cpu += takeCpu();
          await call(host.name, plugin, 'DEL', c, id(i), `/run/netns/${conts[i].name}`);
        }
        results.record(W, opAdd, impl, { us, cpuUs: cpu || undefined }, N, { ref, note: 'nsenter + the plugin, per call' });
      }
      // ADD + DEL with masquerade and a published port
      {
        const c = { ...conf('netns-kit-bridge', true), runtimeConfig: { portMappings: mappings } };
        let us = 0;
        takeCpu();
        for (let i = 0; i < N; i++) {
          const ns = `/run/netns/${conts[i].name}`;
          const [t] = await timed(async () => {
            await call(host.name, OURS, 'ADD', c, id(i), ns);
            await call(host.name, OURS, 'DEL', c, id(i), ns);
          });
          us += t;
        }
        results.record(W, opChain, 'netns-kit-bridge (nf_tables in-process): 2 processes', { us, cpuUs: takeCpu() || undefined }, N, { ref: true });
      }
      {
        const c = conf('bridge', true);
        let us = 0;
        takeCpu();
        for (let i = 0; i < N; i++) {
          const ns = `/run/netns/${conts[i].name}`;
          const [t] = await timed(async () => {
            const r = await call(host.name, join(REF, 'bridge'), 'ADD', c, id(i), ns);
            const pm = { cniVersion: '1.0.0', name: c.name, type: 'portmap', capabilities: { portMappings: true }, runtimeConfig: { portMappings: mappings }, prevResult: r };
            await call(host.name, join(REF, 'portmap'), 'ADD', pm, id(i), ns);
            await call(host.name, join(REF, 'portmap'), 'DEL', pm, id(i), ns);
            await call(host.name, join(REF, 'bridge'), 'DEL', c, id(i), ns);
          });
          us += t;
        }
        results.record(W, opChain, 'reference bridge + host-local + portmap (iptables): 6 processes', { us, cpuUs: takeCpu() || undefined }, N);
      }
    }
  } finally {
    for (const c of [...conts, host]) await dropNamespace(c);
    rmSync(dir, { recursive: true, force: true });
  }
}
