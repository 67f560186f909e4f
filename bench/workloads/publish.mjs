/**
 * Workload 8: Docker's `-p` at scale. A BridgeNetwork with a NetworkFirewall in a throwaway
 * "host" namespace; a container on it.
 *
 * - publish 1,000 ports: NetworkFirewall.publishAll (one nf_tables transaction of 1,000 map
 *   elements) vs `nft -f` adding the same 1,000 elements to the same map (one process, one
 *   transaction) vs `iptables -t nat -A DOCKER … -j DNAT` one rule per process (Docker's
 *   iptables way; sampled: the first 100 rules, each process re-reads the whole table).
 *   CPU per mapping: the worker's CPU time / 1,000.
 * - connect one container publishing 32 ports (`30000-30031:1000-1031`, veth and addresses
 *   included) when the namespace has no published port vs 1,000 already (another container's):
 *   the goal is the same cost within 1.2× (one transaction of 32 elements either way).
 * - the same 32 ports published on a container already connected (NetworkFirewall.publishAll
 *   alone: the nf_tables part, without the veth and the network's record).
 * Teardown (not timed): unpublish / disconnect / `nft flush map` / iptables -F.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BridgeNetwork, NetworkFirewall } from '../../dist/index.js';
import { tempNamespace, workDir } from '../lib/env.mjs';
import { measure, nsNamed } from '../lib/inproc.mjs';
import { timed } from '../lib/measure.mjs';

const self = fileURLToPath(import.meta.url);
const N = 1000;
const ports = (n, base) => Array.from({ length: n }, (_, i) => ({ containerPort: base + i, hostPort: base + i, protocol: 'tcp' }));

// ---- inside the netns-kit worker ----------------------------------------------------------

let state;
export async function nkSetup(hostName, cName, fillName, bigName) {
  const host = await nsNamed(hostName);
  const stateDir = mkdtempSync(join(tmpdir(), 'netns-kit-bench-state-'));
  const fw = new NetworkFirewall({ restore: false });
  const net = await BridgeNetwork.create(host, { name: 'bench', subnet: '10.60.0.0/24', stateDir, extensions: [fw] });
  const ep = await net.connect(await nsNamed(cName));
  state = { host, fw, net, ep, stateDir, fill: await nsNamed(fillName), big: await nsNamed(bigName) };
  return ep.ip;
}
export async function nkPublish1000() {
  const { fw, net, ep } = state;
  const list = ports(N, 10000);
  const m = await measure(() => fw.publishAll(net, ep, list), 'publish-1000');
  await fw.unpublishAll(net, ep, list);
  return m;
}
export async function nkConnect32() {
  const { net, big } = state;
  const m = await measure(() => net.connect(big, { publish: ['30000-30031:1000-1031'] }), 'connect-32');
  await net.disconnect(big);
  return m;
}
export async function nkPublish32() {
  const { fw, net, ep } = state;
  const list = ports(32, 40000);
  const m = await measure(() => fw.publishAll(net, ep, list), 'publish-32');
  await fw.unpublishAll(net, ep, list);
  return m;
}
export async function nkFill(on) {
  const { net, fill } = state;
  if (on) await net.connect(fill, { publish: [`20000-${20000 + N - 1}:20000-${20000 + N - 1}`] });
  else await net.disconnect(fill);
}
export async function nkTeardown() {
  const { net, fw, stateDir } = state;
  await net.remove({ force: true });
  fw.close();
  rmSync(stateDir, { recursive: true, force: true });
  state = undefined;
}

// ---- orchestrator ---------------------------------------------------------------------------

function run1(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err.trim()}`))));
  });
}
const inNs = (ns, cmd, ...args) => run1('ip', ['netns', 'exec', ns.name, cmd, ...args]);

export async function run(ctx) {
  const W = 'publish ports (nf_tables NAT)';
  const { results, nk } = ctx;
  const opPub = `publish ${N} ports (map elements)`;
  const opConn = 'connect 1 container with 32 published ports';
  const op32 = 'publish 32 ports of a connected container (one transaction)';
  const SAMPLE = ctx.quick ? 20 : 100;
  results.notApplicable(W, opPub, 'npm netlink', 'no nf_tables support');
  const host = await tempNamespace('host');
  const ipt = await tempNamespace('ipt');
  const c = await tempNamespace('c');
  const fill = await tempNamespace('fill');
  const big = await tempNamespace('big');
  const ip = await nk.call(self, 'nkSetup', host.name, c.name, fill.name, big.name);
  const nftFile = join(workDir, 'publish.nft');
  writeFileSync(nftFile, `add element inet netns-kit ports4any { ${ports(N, 10000).map((p) => `tcp . ${p.hostPort} : ${ip} . ${p.containerPort}`).join(', ')} }\n`);
  try {
    await inNs(ipt, 'iptables', '-t', 'nat', '-N', 'DOCKER');
    for (const rep of ctx.repetitions(W)) {
      results.record(W, opPub, 'netns-kit NetworkFirewall.publishAll (1 transaction)', await nk.call(self, 'nkPublish1000'), N, { ref: true, note: 'CPU column: worker CPU per mapping' });
      const [t] = await timed(() => inNs(host, 'nft', '-f', nftFile));
      results.record(W, opPub, 'nft -f (same elements, 1 process)', t, N, { note: 'includes process start (ip netns exec nft)' });
      await inNs(host, 'nft', 'flush', 'map', 'inet', 'netns-kit', 'ports4any');
      const [ti] = await timed(async () => {
        for (let i = 0; i < SAMPLE; i++) await inNs(ipt, 'iptables', '-t', 'nat', '-A', 'DOCKER', '!', '-i', 'br0', '-p', 'tcp', '--dport', String(10000 + i), '-j', 'DNAT', '--to-destination', `${ip}:${10000 + i}`);
      });
      results.record(W, opPub, `iptables -A … -j DNAT, 1 process per rule (first ${SAMPLE} sampled)`, ti, SAMPLE, { note: 'Docker iptables; per rule cost grows with the table' });
      await inNs(ipt, 'iptables', '-t', 'nat', '-F', 'DOCKER');

      results.record(W, opConn, 'netns-kit, no mapping exists', await nk.call(self, 'nkConnect32'), 1, { ref: true, note: 'whole connect: veth, addresses, routes, record + 1 transaction of 32 elements' });
      results.record(W, op32, 'netns-kit, no mapping exists', await nk.call(self, 'nkPublish32'), 1, { ref: true, note: 'NetworkFirewall.publishAll alone' });
      await nk.call(self, 'nkFill', true);
      results.record(W, opConn, `netns-kit, ${N} mappings exist`, await nk.call(self, 'nkConnect32'), 1, { note: 'goal: within 1.2× of none' });
      results.record(W, op32, `netns-kit, ${N} mappings exist`, await nk.call(self, 'nkPublish32'), 1, { note: 'goal: within 1.2× of none' });
      await nk.call(self, 'nkFill', false);
      if (rep < 0) ctx.progress('publish warm-up done');
    }
  } finally {
    await nk.call(self, 'nkTeardown').catch(() => undefined);
  }
}
