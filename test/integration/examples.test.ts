/**
 * Every example of examples/ runs here and its connectivity results are asserted (not
 * just its exit code): each is called as a function with this run's namespace prefix, so
 * whatever it leaves behind would be found. One is also run as a program and interrupted
 * with SIGINT mid-way: it must remove its namespaces and exit 130.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dockerNetworkModes } from '../../examples/000-docker-network-modes.js';
import { vethPair } from '../../examples/000-veth-pair.js';
import { l2Bridge } from '../../examples/001-l2-bridge.js';
import { l3Routed } from '../../examples/001-l3-routed.js';
import { bridgeInNamespace } from '../../examples/003-bridge-in-namespace.js';
import { dockerNetworkCustom } from '../../examples/003-docker-network-custom.js';
import type { ExampleResult } from '../../examples/lib/example.js';
import { PREFIX, rootSkip } from '../helpers/env.js';

let n = 0;
const left = (prefix: string): string[] => readdirSync('/run/netns').filter((x) => x.startsWith(prefix));

/** Runs an example with its own prefix; checks that every exchange went as it must and nothing is left. */
async function run<T extends ExampleResult>(example: (o: { prefix: string; log: (l: string) => void }) => Promise<T>): Promise<T & { output: string[] }> {
  const prefix = `${PREFIX}ex${n++}-`;
  const output: string[] = [];
  const r = await example({ prefix, log: (l) => output.push(l) });
  expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  expect(r.blocked.filter((c) => c.ok)).toEqual([]);
  for (const c of r.checks) expect(c.received).toBe(c.sent);
  expect(left(prefix)).toEqual([]);
  return { ...r, output };
}

describe.skipIf(!!rootSkip)('examples', () => {
  it('000-veth-pair: lo down then up, veth moved into ns0/ns1, TCP+UDP both ways, rename to eth0', async () => {
    const r = await run(vethPair);
    expect(r.checks.map((c) => [c.protocol, c.to, c.sent])).toEqual([
      ['tcp', '127.0.0.1:7000', 'lo is up'],
      ['tcp', '10.0.0.2:8080', 'hello from ns0'],
      ['udp', '10.0.0.2:8080', 'udp from ns0'],
      ['tcp', '10.0.0.1:8080', 'hello from ns1'],
      ['tcp', '10.0.0.2:8080', 'hello again, now from eth0'],
    ]);
    expect(r.blocked.map((c) => [c.to, c.error])).toEqual([['127.0.0.1:7000', expect.stringContaining('ENETUNREACH')]]);
    expect(r.kernelNames).toEqual(['veth0', 'veth1']);
    expect(r.existsError).toMatch(/Cannot create namespace file "\/run\/netns\/.*ns0": File exists \(EEXIST\)/);
    expect(r.bridgeMoveError).toMatch(/cannot be moved.*\(EINVAL\)/);
    expect(r.links).toEqual({ host: ['lo', 'br0'], ns0: ['lo', 'eth0'], ns1: ['lo', 'veth1'] });
    expect(r.output.at(-1)).toMatch(/^ {2}removed namespaces /);
  });

  it('000-docker-network-modes: bridge, none, container, host (read only)', async () => {
    const r = await run(dockerNetworkModes);
    expect(r.bridge).toEqual([
      { name: 'web', ip: '172.17.0.2', mac: '02:42:ac:11:00:02' },
      { name: 'db', ip: '172.17.0.3', mac: '02:42:ac:11:00:03' },
    ]);
    expect(r.checks.map((c) => [c.protocol, c.to])).toEqual([
      ['tcp', '172.17.0.3:5432'],
      ['tcp', '172.17.0.1:8000'],
      ['udp', '172.17.0.1:8000'],
      ['tcp', '127.0.0.1:80'],
      ['tcp', '127.0.0.1:9000'],
      ...(r.host.loUp ? [['tcp', expect.stringMatching(/^127\.0\.0\.1:\d+$/)]] : []),
    ]);
    expect(r.blocked.map((c) => [c.to, c.error])).toEqual([['172.17.0.3:5432', expect.stringContaining('ENETUNREACH')]]);
    expect(r.noneLinks).toEqual(['lo']);
    expect(r.containerShared).toEqual({ sameNamespace: true, links: ['lo', 'eth0'] });
    expect(r.host.isProcessNamespace).toBe(true);
    expect(r.host.links).toBeGreaterThan(0);
  });

  it('001-l2-bridge: three namespaces on br0; neighbour table, delete, re-learn; FDB learnt MAC → port', async () => {
    const r = await run(l2Bridge);
    expect(r.checks).toHaveLength(4);
    const [m1, m2, m3] = r.members;
    expect(r.neighbours.map(([ip, mac]) => [ip, mac])).toEqual([
      [m2!.ip, m2!.mac],
      [m3!.ip, m3!.mac],
    ]);
    expect(r.afterDelete).toEqual([m3!.ip]);
    expect(r.relearnt?.slice(0, 2)).toEqual([m2!.ip, m2!.mac]);
    // each namespace's MAC was learnt on its own port
    expect(r.learnt).toEqual(expect.arrayContaining(r.members.map((m) => [m.mac, m.port])));
    expect(r.permanent.map((p) => p[1]).sort()).toEqual([m1!.port, m2!.port, m3!.port]);
  });

  it('001-l3-routed: two routers; TCP/UDP across; TTL 64 arrives as 62', async () => {
    const r = await run(l3Routed);
    expect(r.checks.map((c) => c.to)).toEqual(['192.168.2.2:7000', '192.168.2.3:7000', '192.168.1.2:7000']);
    expect(r.routeGet).toEqual({ c1: ['192.168.1.1', 'eth0'], vm1: ['172.16.0.2', 'to-vm2'] });
    expect(r.ttl).toEqual({ sent: 64, arrived: 62, source: '192.168.1.2' });
  });

  it('003-bridge-in-namespace: ip a fields, addr add/delete, veth ns1↔ns2, bridge in its own namespace', async () => {
    const r = await run(bridgeInNamespace);
    expect(r.checks.map((c) => c.to)).toEqual(['192.168.0.12:7000', '192.168.0.14:7000', '192.168.0.13:7000']);
    expect(r.ipA).toMatchObject({ mtu: 1500, qdisc: 'noqueue', state: 'up', qlen: 1000, brd: 'ff:ff:ff:ff:ff:ff', mac: expect.stringMatching(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/) });
    expect(r.ipA.flags).toEqual(expect.arrayContaining(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']));
    expect(r.ipA.addresses).toContainEqual({ cidr: '192.168.0.11/24', scope: 'global', valid: 'forever', preferred: 'forever' });
    expect(r.addedThenDeleted).toEqual([['192.168.0.11/24', '192.168.0.100/24'], ['192.168.0.11/24']]);
    expect(r.bridgeNamespace).toEqual([
      ['lo', undefined],
      ['br', undefined],
      ['bridge-ns3', 'br'],
      ['bridge-ns4', 'br'],
    ]);
    expect([r.ns3Links, r.ns4Links]).toEqual([
      ['lo', 'ns3-bridge'],
      ['lo', 'ns4-bridge'],
    ]);
  });

  it('003-docker-network-custom: create/connect/inspect/disconnect, a container on two networks, br-<id> ports', async () => {
    const r = await run(dockerNetworkCustom);
    const { bridge, custom } = r.inspect;
    expect([bridge.subnet, bridge.gateway, custom.subnet, custom.gateway]).toEqual(['172.17.0.0/16', '172.17.0.1', '172.18.0.0/16', '172.18.0.1']);
    expect(bridge.bridge).toBe(`br-${bridge.id.slice(0, 12)}`);
    expect(bridge.containers.map((c) => [c.name, c.ifname, c.ipv4Address, c.macAddress])).toEqual([['web', 'eth0', '172.17.0.2/16', '02:42:ac:11:00:02']]);
    expect(custom.containers.map((c) => [c.name, c.ifname, c.ipv4Address, c.macAddress])).toEqual([
      ['web', 'eth1', '172.18.0.2/16', '02:42:ac:12:00:02'],
      ['db', 'eth0', '172.18.0.3/16', '02:42:ac:12:00:03'],
    ]);
    expect(r.ports.bridge).toEqual(bridge.containers.map((c) => c.hostIfname));
    expect(r.ports.custom.sort()).toEqual(custom.containers.map((c) => c.hostIfname).sort());
    expect(r.checks.map((c) => c.to)).toEqual(['172.18.0.3:5432', '172.18.0.2:80']);
    expect(r.blocked.map((c) => c.to)).toEqual(['172.17.0.2:80', '172.18.0.3:5432']);
    expect(r.publishError).toMatch(/pass a portPublisher/);
    expect(r.afterDisconnect).toEqual(['db']);
  });

  it('an example run as a program removes everything on Ctrl-C (SIGINT) and exits 130', async () => {
    const prefix = `${PREFIX}sig-`;
    const child = spawn(process.execPath, ['dist-examples/001-l3-routed.js'], { env: { ...process.env, NETNS_KIT_EXAMPLE_PREFIX: prefix }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (d) => {
        out += d;
        // interrupt once the topology exists (namespaces, bridges, veths, routes)
        if (out.includes('== traffic across both routers') && !child.killed) child.kill('SIGINT');
      });
      child.stderr.on('data', (d) => (out += d));
      child.on('exit', (c) => resolve(c));
    });
    expect(out).toContain('SIGINT: removing what was made');
    expect(out).toMatch(/removed namespaces .*vm1/);
    expect(code).toBe(130);
    expect(left(prefix)).toEqual([]);
  });

  it('an example run as a program prints its report and exits 0', async () => {
    const prefix = `${PREFIX}prog-`;
    const child = spawn(process.execPath, ['dist-examples/000-veth-pair.js'], { env: { ...process.env, NETNS_KIT_EXAMPLE_PREFIX: prefix }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(out).toContain('6/6 connectivity checks as expected');
    expect(code).toBe(0);
    expect(left(prefix)).toEqual([]);
  });
});
