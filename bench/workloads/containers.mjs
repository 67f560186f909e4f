/**
 * Workload 7: connect 50 containers (namespaces that exist already) to a bridge network, as
 * a container runtime's network plugin does for each: a veth pair in the host, the host end
 * enslaved to br0 and up, the other end moved into the container and renamed eth0 (one
 * message), an address, eth0 up, a default route via the bridge. netns-kit connects all 50
 * concurrently; `ip -batch` needs one process for the host and one per container; `ip`
 * spawned per command is sampled. npm `netlink` has no typed veth creation (n/a).
 * Teardown (not timed): Link.deleteGroup / `ip link delete group` on the host ends.
 */
import { fileURLToPath } from 'node:url';
import { Address, Bridge, Link, Route, VethPair } from '../../dist/index.js';
import { batchFile, dropNamespace, ipAsync, ipBatch, tempNamespace } from '../lib/env.mjs';
import { measure, nsNamed, release } from '../lib/inproc.mjs';
import { timed } from '../lib/measure.mjs';

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
  } finally {
    await nk.call(self, 'release', host.name).catch(() => undefined);
    for (const c of nkC) await nk.call(self, 'release', c.name).catch(() => undefined);
    for (const c of [...nkC, ...ipC, host]) await dropNamespace(c);
  }
}
