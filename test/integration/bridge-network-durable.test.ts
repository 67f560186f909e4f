/**
 * BridgeNetwork durable across processes and crashes: a network made by one process is
 * opened, listed, changed and removed by another; two processes connecting 50 containers
 * each never hand out one address twice; after a SIGKILL in the middle of connecting,
 * check() reports and gc() repairs, leaving live containers alone. Records live in this
 * run's own state directory (NETNS_KIT_STATE_DIR, set by the global setup).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Address, BridgeNetwork, Link, Namespace, VethPair, type NetworkExtension } from '../../src/index.js';
import { tcpEcho, tcpEchoServer } from '../../src/testing/index.js';
import { namespaceCookie } from '../../src/api/network/state.js';
import { fdCount, ipJson, rootSkip, tempNamespace, uniqueName, useTempNamespaces } from '../helpers/env.js';

const worker = fileURLToPath(new URL('../fixtures/network-worker.mjs', import.meta.url));

interface Child {
  lines: Record<string, unknown>[];
  done: Promise<number | null>;
  kill(): void;
  onLine(fn: (l: Record<string, unknown>) => void): void;
}
function runWorker(args: string[]): Child {
  const child = spawn(process.execPath, [worker, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Record<string, unknown>[] = [];
  const listeners: ((l: Record<string, unknown>) => void)[] = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = JSON.parse(buf.slice(0, i)) as Record<string, unknown>;
      buf = buf.slice(i + 1);
      lines.push(l);
      for (const f of listeners) f(l);
    }
  });
  return {
    lines,
    done: new Promise((r) => child.on('close', (code) => r(code))),
    kill: () => child.kill('SIGKILL'),
    onLine: (f) => listeners.push(f),
  };
}
const many = (n: number, tag: string): Promise<Namespace[]> => Promise.all(Array.from({ length: n }, () => tempNamespace(tag)));

describe.skipIf(!!rootSkip)('BridgeNetwork: durable state', () => {
  useTempNamespaces();

  it('another process opens, lists, inspects, disconnects and removes a network it did not make; records go with the network', async () => {
    const host = await tempNamespace('host');
    const [a, b] = await many(2, 'c');
    const net = uniqueName('net');
    const child = runWorker(['create', host.name!, net, '10.130.0.0/24', a!.name!, b!.name!]);
    expect(await child.done).toBe(0);
    expect(child.lines.at(-1)).toEqual({ ok: true });
    expect(await BridgeNetwork.list(host)).toEqual([expect.objectContaining({ name: net, subnet: '10.130.0.0/24', containers: 2, present: true })]);
    const [c] = await many(1, 'c');
    await Promise.all([a!, b!, c!].map((x) => x.connection())); // their sockets are the test's own: not counted as leaks
    expect(existsSync(`${process.env.NETNS_KIT_STATE_DIR}/networks/ns-${await namespaceCookie(host)}/${net}.json`)).toBe(true);
    const fds = fdCount();
    const n = await BridgeNetwork.open(host, net);
    expect(n.endpoints.map((e) => [e.namespace.identity.ino, e.ifname, e.ip, e.name])).toEqual([
      [a!.identity.ino, 'eth0', '10.130.0.2', `web-${a!.name!.slice(-6)}`],
      [b!.identity.ino, 'eth0', '10.130.0.3', `web-${b!.name!.slice(-6)}`],
    ]);
    expect(n.bridge.address).toBe(n.config.bridgeMac);
    const info = await n.inspect();
    expect(info.containers.map((c) => [c.ipv4Address, c.attached, c.aliases])).toEqual([['10.130.0.2/24', true, ['web']], ['10.130.0.3/24', true, ['web']]]);
    expect(await n.check()).toEqual([]);
    // our own connect continues after the other process's: .4
    expect((await n.connect(c!)).ip).toBe('10.130.0.4');
    // disconnect a container connected by the other process, by namespace and by name
    expect(await n.disconnect(a!)).toBe(true);
    expect(await n.disconnect(`web-${b!.name!.slice(-6)}`)).toBe(true);
    expect(await Link.list(a!)).toHaveLength(1);
    const again = await BridgeNetwork.open(host, net);
    expect(again.endpoints.map((e) => e.ip)).toEqual(['10.130.0.4']);
    await again.close();
    await n.remove({ force: true });
    expect(fdCount()).toBe(fds); // the namespaces open() opened were closed
    expect(await BridgeNetwork.list(host)).toEqual([]);
    expect(existsSync(`${n.stateDir}/networks/ns-${await namespaceCookie(host)}/${net}.json`)).toBe(false);
    await expect(BridgeNetwork.open(host, net)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('two real processes × 50 containers connecting at once never hand out the same address', async () => {
    const host = await tempNamespace('host');
    const cs = await many(100, 'c');
    const name = uniqueName('net');
    const net = await BridgeNetwork.create(host, { name, subnet: '10.131.0.0/24' });
    const p1 = runWorker(['connect', host.name!, name, ...cs.slice(0, 50).map((c) => c.name!)]);
    const p2 = runWorker(['connect', host.name!, name, ...cs.slice(50).map((c) => c.name!)]);
    expect([await p1.done, await p2.done]).toEqual([0, 0]);
    const ips = [...p1.lines, ...p2.lines].filter((l) => l.done).map((l) => l.ip as string);
    expect(ips).toHaveLength(100);
    expect(new Set(ips).size).toBe(100);
    // the kernel agrees: 100 distinct addresses inside the containers, 100 ports on the bridge
    const inKernel = await Promise.all(cs.map(async (c) => (await Address.list(c, { family: 4 })).filter((x) => x.address.startsWith('10.131.')).map((x) => x.address)));
    expect(inKernel.every((x) => x.length === 1)).toBe(true);
    expect(new Set(inKernel.flat()).size).toBe(100);
    expect(ipJson(['link', 'show', 'master', net.bridge.name], host)).toHaveLength(100);
    await net.reload();
    expect(net.endpoints).toHaveLength(100);
    expect(await net.check()).toEqual([]);
    await net.remove({ force: true });
    expect(ipJson(['link', 'show', 'type', 'veth'], host)).toEqual([]);
  });

  it('after a SIGKILL mid-way through 50 connects, check() reports the interrupted ones and gc() removes them, leaving live containers alone', async () => {
    const host = await tempNamespace('host');
    const cs = await many(50, 'c');
    const name = uniqueName('net');
    const seen: string[] = [];
    const ext: NetworkExtension = { name: 'witness', async disconnect(_n, ep) { seen.push(ep.name); } };
    const net = await BridgeNetwork.create(host, { name, subnet: '10.132.0.0/24', extensions: [ext] });
    const child = runWorker(['connect', host.name!, name, ...cs.map((c) => c.name!)]);
    await new Promise<void>((resolve) =>
      child.onLine(() => {
        if (child.lines.filter((l) => l.done).length >= 5) {
          child.kill();
          resolve();
        }
      }),
    );
    await child.done;
    await net.reload();
    const live = net.endpoints.map((e) => e.id);
    expect(live.length).toBeGreaterThanOrEqual(5);
    expect(live.length).toBeLessThan(50);
    const issues = await net.check();
    const interrupted = issues.filter((i) => i.kind === 'interrupted-connect');
    expect(interrupted.length).toBeGreaterThan(0);
    expect(issues.every((i) => i.kind === 'interrupted-connect' || i.kind === 'unknown-port')).toBe(true);
    expect(interrupted[0]!.message).toMatch(/interrupted: process \d+ is gone; its address is reserved for nothing/);
    // a container whose namespace is deleted, and a veth someone left on the bridge
    const victim = net.endpoints[0]!;
    // (its name is gone; the namespace itself lives on while something holds it — here our handle — so its veth stays)
    await cs.find((c) => c.equals(victim.namespace))!.delete();
    const stray = await VethPair.create(host, { name: 'vethstray', peer: { name: 'vethstray-p' } });
    await net.bridge.addPort(stray.local);
    const issues2 = await net.check();
    expect(issues2.filter((i) => i.kind === 'namespace-gone').map((i) => [i.endpoint, i.link])).toEqual([[victim.id, victim.hostIfname]]);
    expect(issues2.find((i) => i.kind === 'namespace-gone')!.message).toContain(`but its veth ${victim.hostIfname} is still there`);
    expect(issues2.some((i) => i.kind === 'unknown-port' && i.link === 'vethstray')).toBe(true);

    const repaired = await net.gc();
    expect(repaired.length).toBe(issues2.length);
    expect(seen).toContain(victim.name); // extensions are told about the vanished container
    expect((await Link.list(host)).some((l) => l.name === victim.hostIfname || l.name === 'vethstray')).toBe(false);
    expect(await net.check()).toEqual([]);
    // live endpoints untouched: same ids, veths still ports of the bridge, traffic flows
    expect(net.endpoints.map((e) => e.id)).toEqual(live.filter((id) => id !== victim.id));
    const ports = ipJson(['link', 'show', 'master', net.bridge.name], host).map((l: any) => l.ifname).sort();
    expect(ports).toEqual(net.endpoints.map((e) => e.hostIfname).sort());
    const [e1, e2] = net.endpoints;
    const srv = await tcpEchoServer(e2!.namespace, 80);
    try {
      expect((await tcpEcho(e1!.namespace, e2!.ip, 80, 'live')).ok).toBe(true);
    } finally {
      await srv.close();
    }
    // the interrupted containers have nothing left of the network, and can be connected again
    const connected = new Set(net.endpoints.map((e) => e.namespace.identity.ino));
    const rest = cs.filter((c) => !c.isClosed && !connected.has(c.identity.ino));
    for (const c of rest) expect((await Link.list(c)).filter((l) => l.name !== 'lo')).toEqual([]);
    await Promise.all(rest.map((c) => net.connect(c)));
    expect(new Set(net.endpoints.map((e) => e.ip)).size).toBe(net.endpoints.length);
    await net.remove({ force: true });
  });

  it('disconnect is idempotent: twice, or after the container namespace is gone, is success', async () => {
    const host = await tempNamespace('host');
    const [a] = await many(1, 'c');
    const net = await BridgeNetwork.create(host, { subnet: '10.133.0.0/24' });
    await net.connect(a!);
    await a!.delete();
    expect(await net.disconnect(a!)).toBe(true);
    expect(await net.disconnect(a!)).toBe(false);
    expect(net.endpoints).toEqual([]);
    expect(await net.check()).toEqual([]);
    await net.remove();
  });
});

void Namespace;
