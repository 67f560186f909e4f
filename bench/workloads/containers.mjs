/**
 * Workload 7: connect 50 containers (namespaces that exist already) to a bridge network, as
 * a container runtime's network plugin does for each: a veth pair in the host, the host end
 * enslaved to br0 and up, the other end moved into the container and renamed eth0 (one
 * message), an address, eth0 up, a default route via the bridge. netns-kit connects all 50
 * concurrently; `ip -batch` needs one process for the host and one per container; `ip`
 * spawned per command is sampled. npm `netlink` has no typed veth creation (n/a).
 * Teardown (not timed): Link.deleteGroup / `ip link delete group` on the host ends.
 *
 * Then what container runtimes run (see runtimes() below): BridgeNetwork connect + disconnect
 * against the reference CNI `bridge` + `host-local` plugins and Podman's `netavark
 * setup/teardown`, each called as a runtime calls it (bench/lib/runtimes.mjs), for 1 and 20
 * containers; a peer whose program is missing is skipped with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Address, Bridge, BridgeNetwork, Link, NetworkFirewall, Route, VethPair } from '../../dist/index.js';
import { batchFile, dropNamespace, ip, ipAsync, ipBatch, tempNamespace } from '../lib/env.mjs';
import { measure, nsNamed, release } from '../lib/inproc.mjs';
import { timed } from '../lib/measure.mjs';
import { CNI_DIR, cniCall, cniMissing, netavarkCall, netavarkMissing, netavarkOptions, takeCpu } from '../lib/runtimes.mjs';

const self = fileURLToPath(import.meta.url);
const NK_GROUP = 11;
const IP_GROUP = 12;
const ipOf = (i) => `10.88.${(i + 2) >> 8}.${(i + 2) & 255}`;

// ---- inside the netns-kit worker ----------------------------------------------------------

export async function nkConnect(hostName, containerNames) {
  const host = await nsNamed(hostName);
  const containers = await Promise.all(containerNames.map((n) => nsNamed(n)));
  const br = await Link.get(host, 'br0');
  const connect = async (c, i) => {
    const { local, peer } = await VethPair.create(host, { name: `vn${i}`, group: NK_GROUP, peer: { name: `cn${i}` } });
    await local.set({ master: br, up: true });
    const eth0 = await peer.moveTo(c, { name: 'eth0' });
    await Address.add(eth0, `${ipOf(i)}/16`);
    await eth0.up();
    await Route.add(c, { to: 'default', via: '10.88.0.1' });
  };
  return measure(() => Promise.all(containers.map(connect)));
}
/** The same, with the container end created directly inside the container (VETH_INFO_PEER carries its namespace): no move. */
export async function nkConnectInside(hostName, containerNames) {
  const host = await nsNamed(hostName);
  const containers = await Promise.all(containerNames.map((n) => nsNamed(n)));
  const br = await Link.get(host, 'br0');
  const connect = async (c, i) => {
    const { local, peer } = await VethPair.create(host, { name: `vn${i}`, group: NK_GROUP, peer: { name: 'eth0', namespace: c } });
    await local.set({ master: br, up: true });
    await Address.add(peer, `${ipOf(i)}/16`);
    await peer.up();
    await Route.add(c, { to: 'default', via: '10.88.0.1' });
  };
  return measure(() => Promise.all(containers.map(connect)));
}
export async function nkTeardown(hostName) {
  await Link.deleteGroup(await nsNamed(hostName), NK_GROUP);
}
export async function nkCheck(containerName) {
  const c = await nsNamed(containerName);
  const r = await Route.get(c, '10.88.0.1');
  if ((await r.getLink()).name !== 'eth0') throw new Error(`${containerName}: no route via eth0`);
}
export { release };

// BridgeNetwork (what a runtime would use): one network per host namespace, in a state
// directory of its own; connect then disconnect containers, all at once or one after another
const nets = new Map(); // host name -> { net, fw, stateDir }
export async function nkNetCreate(hostName, subnet, firewall) {
  const host = await nsNamed(hostName);
  const stateDir = mkdtempSync(join(tmpdir(), 'netns-kit-bench-state-'));
  const fw = firewall ? new NetworkFirewall({ restore: false }) : undefined;
  const net = await BridgeNetwork.create(host, { name: 'bench', subnet, stateDir, ...(fw ? { extensions: [fw] } : {}) });
  nets.set(hostName, { net, fw, stateDir });
}
/** Connects, then disconnects, the containers: { us, cpuUs, connectUs, disconnectUs, connect: {us, cpuUs}, disconnect: {us, cpuUs} } (all at once, or in order when `sequential`). */
export async function nkNetCycle(hostName, containerNames, sequential, check, label) {
  const { net } = nets.get(hostName);
  const cs = await Promise.all(containerNames.map((n) => nsNamed(n)));
  const each = async (fn) => {
    if (!sequential) return Promise.all(cs.map(fn));
    for (const c of cs) await fn(c);
  };
  const a = await measure(() => each((c) => net.connect(c)), label && `${label}-connect`);
  if (check) {
    const c = cs[cs.length - 1];
    const r = await Route.get(c, '1.1.1.1');
    if ((await r.getLink()).name !== 'eth0') throw new Error(`${c.name}: default route not via eth0`);
  }
  const d = await measure(() => each((c) => net.disconnect(c)), label && `${label}-disconnect`);
  return { us: a.us + d.us, cpuUs: a.cpuUs + d.cpuUs, connectUs: a.us, disconnectUs: d.us, connect: a, disconnect: d };
}
export async function nkNetRemove(hostName) {
  const s = nets.get(hostName);
  nets.delete(hostName);
  if (!s) return;
  await s.net.remove({ force: true });
  s.fw?.close();
  rmSync(s.stateDir, { recursive: true, force: true });
}

// ---- orchestrator ---------------------------------------------------------------------------

export async function run(ctx) {
  const N = ctx.scale(50);
  const SPAWN = Math.min(N, ctx.scale(10));
  const W = 'containers on a bridge';
  const op = `connect ${N} (veth, move+rename, address, up, route)`;
  const opIn = `connect ${N}, eth0 created inside (no move)`;
  const { results, nk } = ctx;
  const rec = (impl, us, n, opts) => results.record(W, op, impl, us, n, opts);
  const recIn = (impl, us, n, opts) => results.record(W, opIn, impl, us, n, opts);
  results.notApplicable(W, op, 'npm netlink', 'no typed IFLA_LINKINFO (veth peers are raw bytes)');

  const host = await tempNamespace('host');
  await Bridge.create(host, { name: 'br0', up: true });
  await Address.add(await Link.get(host, 'br0'), '10.88.0.1/16');
  const nkC = [];
  const ipC = [];
  for (let i = 0; i < N; i++) nkC.push(await tempNamespace(`c${i}k`));
  for (let i = 0; i < N; i++) ipC.push(await tempNamespace(`c${i}i`));
  const hostBatch = batchFile(
    'containers-host',
    ipC.flatMap((c, i) => [
      `link add vi${i} group ${IP_GROUP} type veth peer name ci${i}`,
      `link set vi${i} master br0 up`,
      `link set dev ci${i} netns ${c.name} name eth0`,
    ]),
  );
  const hostInside = batchFile(
    'containers-host-inside',
    ipC.flatMap((c, i) => [`link add vi${i} group ${IP_GROUP} type veth peer name eth0 netns ${c.name}`, `link set vi${i} master br0 up`]),
  );
  const inside = ipC.map((c, i) => batchFile(`containers-c${i}`, [`addr add ${ipOf(i)}/16 dev eth0`, 'link set eth0 up', 'route add default via 10.88.0.1']));
  try {
    for (const rep of ctx.repetitions(W, { warmup: 0 })) {
      rec('netns-kit (all containers at once)', await nk.call(self, 'nkConnect', host.name, nkC.map((c) => c.name)), N, { ref: true, note: 'per container: 7 requests' });
      if (rep <= 0) await nk.call(self, 'nkCheck', nkC[N - 1].name);
      await nk.call(self, 'nkTeardown', host.name);

      recIn('netns-kit (VethPair peer.namespace)', await nk.call(self, 'nkConnectInside', host.name, nkC.map((c) => c.name)), N, {
        ref: true,
        note: 'per container: 6 requests',
      });
      await nk.call(self, 'nkTeardown', host.name);

      const [b] = await timed(async () => {
        await ipBatch(hostBatch, host);
        await Promise.all(ipC.map((c, i) => ipBatch(inside[i], c)));
      });
      rec('ip -batch (host batch, then one batch per container, in parallel)', b, N, { note: `${N + 1} processes` });
      await ipAsync(['link', 'delete', 'group', String(IP_GROUP)], host);

      const [bi] = await timed(async () => {
        await ipBatch(hostInside, host);
        await Promise.all(ipC.map((c, i) => ipBatch(inside[i], c)));
      });
      recIn('ip -batch (`peer name eth0 netns C`)', bi, N, { note: `${N + 1} processes` });
      await ipAsync(['link', 'delete', 'group', String(IP_GROUP)], host);

      const [s] = await timed(async () => {
        for (let i = 0; i < SPAWN; i++) {
          const c = ipC[i];
          await ipAsync(['link', 'add', `vi${i}`, 'group', String(IP_GROUP), 'type', 'veth', 'peer', 'name', `ci${i}`], host);
          await ipAsync(['link', 'set', `vi${i}`, 'master', 'br0', 'up'], host);
          await ipAsync(['link', 'set', 'dev', `ci${i}`, 'netns', c.name, 'name', 'eth0'], host);
          await ipAsync(['addr', 'add', `${ipOf(i)}/16`, 'dev', 'eth0'], c);
          await ipAsync(['link', 'set', 'eth0', 'up'], c);
          await ipAsync(['route', 'add', 'default', 'via', '10.88.0.1'], c);
        }
      });
      rec('ip, a process per command (6 per container)', s, SPAWN, { note: `${SPAWN} containers sampled` });
      await ipAsync(['link', 'delete', 'group', String(IP_GROUP)], host);
    }
    await runtimes(ctx, nkC);
  } finally {
    await nk.call(self, 'release', host.name).catch(() => undefined);
    for (const c of nkC) await nk.call(self, 'release', c.name).catch(() => undefined);
    for (const c of [...nkC, ...ipC, host]) await dropNamespace(c);
  }
}

/**
 * What container runtimes run, against BridgeNetwork connect + disconnect: 1 container, then
 * 20 (ADD all, then DEL all), on a network in a host namespace of each implementation's own,
 * the containers being the namespaces `conts` (left as found).
 *  - no NAT: BridgeNetwork vs the reference CNI `bridge` + `host-local` (ipMasq off);
 *  - outbound NAT: BridgeNetwork + NetworkFirewall (nf_tables) vs CNI `bridge` with ipMasq
 *    (iptables) vs Podman's `netavark setup/teardown` (iptables driver).
 * The processes are called one after another, as a runtime starting containers in turn does.
 */
async function runtimes(ctx, conts) {
  const W = 'containers: runtimes (ADD + DEL)';
  const { results, nk } = ctx;
  const sizes = [1, ctx.scale(20)];
  const op = (n, nat) => `${n === 1 ? '1 container' : `${n} containers`}, ${nat ? 'outbound NAT' : 'no NAT'}`;
  const cniGone = cniMissing('bridge', 'host-local');
  const navGone = netavarkMissing();
  for (const n of sizes) {
    if (cniGone) for (const nat of [false, true]) results.notApplicable(W, op(n, nat), 'reference CNI bridge + host-local', cniGone);
    if (navGone) results.notApplicable(W, op(n, true), 'netavark setup / teardown', navGone);
  }
  if (cniGone) ctx.progress(`containers: CNI peers skipped: ${cniGone}`);
  if (navGone) ctx.progress(`containers: netavark skipped: ${navGone}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'nk-bench-cni-'));
  const navDir = mkdtempSync(join(tmpdir(), 'nk-bench-netavark-'));
  const hosts = {};
  for (const k of ['nk', 'nkFw', 'cni', 'cniMasq', 'nav']) hosts[k] = await tempNamespace(`rt${k}`);
  const conf = (masq) => ({
    cniVersion: '1.0.0',
    name: masq ? 'bench-masq' : 'bench',
    type: 'bridge',
    bridge: 'cni0',
    isGateway: true,
    ipMasq: masq,
    ipam: { type: 'host-local', ranges: [[{ subnet: masq ? '10.76.0.0/16' : '10.77.0.0/16' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir },
  });
  const path = (c) => `/run/netns/${c.name}`;
  const hasEth0 = (c) => {
    if (!/inet /.test(ip(['-4', 'addr', 'show', 'dev', 'eth0'], c))) throw new Error(`${c.name}: eth0 has no address`);
  };
  const PEER_REPS = Math.min(ctx.reps, 3);
  let round = 0;
  try {
    await nk.call(self, 'nkNetCreate', hosts.nk.name, '10.89.0.0/16', false);
    await nk.call(self, 'nkNetCreate', hosts.nkFw.name, '10.90.0.0/16', true);
    for (const rep of ctx.repetitions(W)) {
      // the warm-up (JIT, page cache of the programs) connects one container
      for (const n of rep < 0 ? [1] : sizes) {
        const cs = conts.slice(0, n);
        const names = cs.map((c) => c.name);
        const check = rep <= 0;
        // 20 containers through processes take ~15 s a repetition: the first PEER_REPS only
        const peers = n === 1 || rep < PEER_REPS;
        const peerNote = n > 1 && PEER_REPS < ctx.reps ? `; ${PEER_REPS} of ${ctx.reps} repetitions` : '';
        const extra = (m) => ({ 'ADD µs': m.connectUs / n, 'DEL µs': m.disconnectUs / n });
        const many = n > 1 ? ' (all at once)' : '';
        let m = await nk.call(self, 'nkNetCycle', hosts.nk.name, names, false, check);
        results.record(W, op(n, false), `netns-kit BridgeNetwork connect + disconnect${many}`, m, n, { ref: true, extra: extra(m) });
        if (n > 1) {
          m = await nk.call(self, 'nkNetCycle', hosts.nk.name, names, true, false);
          results.record(W, op(n, false), 'netns-kit BridgeNetwork, one container after another', m, n, { extra: extra(m) });
        }
        m = await nk.call(self, 'nkNetCycle', hosts.nkFw.name, names, false, check);
        results.record(W, op(n, true), `netns-kit BridgeNetwork + NetworkFirewall (nf_tables)${many}`, m, n, { ref: true, extra: extra(m) });
        if (n > 1) {
          m = await nk.call(self, 'nkNetCycle', hosts.nkFw.name, names, true, false);
          results.record(W, op(n, true), 'netns-kit BridgeNetwork + NetworkFirewall, one after another', m, n, { extra: extra(m) });
        }
        // the reference CNI plugins: ADD each container, then DEL each
        if (!cniGone && peers) {
          for (const masq of [false, true]) {
            const c = conf(masq);
            const host = masq ? hosts.cniMasq.name : hosts.cni.name;
            const id = (i) => `b${round}x${i}`;
            takeCpu();
            const [add] = await timed(async () => {
              for (let i = 0; i < n; i++) await cniCall(host, join(CNI_DIR, 'bridge'), 'ADD', c, id(i), path(cs[i]));
            });
            if (check) hasEth0(cs[n - 1]);
            const [del] = await timed(async () => {
              for (let i = 0; i < n; i++) await cniCall(host, join(CNI_DIR, 'bridge'), 'DEL', c, id(i), path(cs[i]));
            });
            round++;
            const impl = masq ? 'reference CNI bridge (ipMasq: iptables) + host-local' : 'reference CNI bridge + host-local';
            results.record(W, op(n, masq), impl, { us: add + del, cpuUs: takeCpu() || undefined }, n, { note: `nsenter + bridge + host-local per call${peerNote}`, extra: { 'ADD µs': add / n, 'DEL µs': del / n } });
          }
        }
        // netavark: the addresses come from Podman's IPAM, given as static_ips
        if (!navGone && peers) {
          const opts = cs.map((c, i) =>
            netavarkOptions({ containerId: `b${round}x${i}`.padEnd(12, '0'), name: c.name, network: 'bench', bridge: 'podman0', subnet: '10.88.0.0/16', gateway: '10.88.0.1', ip: `10.88.${(i + 2) >> 8}.${(i + 2) & 255}` }),
          );
          round++;
          takeCpu();
          const [add] = await timed(async () => {
            for (let i = 0; i < n; i++) await netavarkCall(hosts.nav.name, navDir, 'setup', path(cs[i]), opts[i]);
          });
          if (check) hasEth0(cs[n - 1]);
          const [del] = await timed(async () => {
            for (let i = 0; i < n; i++) await netavarkCall(hosts.nav.name, navDir, 'teardown', path(cs[i]), opts[i]);
          });
          results.record(W, op(n, true), 'netavark setup / teardown (iptables)', { us: add + del, cpuUs: takeCpu() || undefined }, n, {
            note: `nsenter + netavark (+ iptables) per call; the first setup makes the bridge and chains, the last teardown removes them${peerNote}`,
            extra: { 'ADD µs': add / n, 'DEL µs': del / n },
          });
        }
      }
    }
  } finally {
    for (const h of [hosts.nk, hosts.nkFw]) {
      await nk.call(self, 'nkNetRemove', h.name).catch(() => undefined);
      await nk.call(self, 'release', h.name).catch(() => undefined);
    }
    for (const h of Object.values(hosts)) await dropNamespace(h);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(navDir, { recursive: true, force: true });
  }
}
