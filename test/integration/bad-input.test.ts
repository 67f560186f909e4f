/**
 * Bad input across the public API is refused BEFORE any system call, with a ValidationError
 * (code EINVAL) naming the field.
 *
 * "Before any system call" is checked with a tripwire armed around each call, in a real
 * namespace with real links (so the same call with good input does reach the kernel):
 *  - every function of the native addon (sockets, setns helper threads, mounts, sysctl
 *    files, tun ioctls, runIn) is wrapped and counted;
 *  - Node's fs functions the library uses (open/stat/readdir/… sync and promise forms) are
 *    wrapped and counted when called from src/ (`syncBuiltinESMExports` makes the library's
 *    named imports see the wrappers);
 *  - NetlinkConnection.open/request/dump/dumpAll are wrapped and counted, and the namespace
 *    connection's own counters (requests, dumps, sendmsg batches, datagrams received) must
 *    not move.
 * Positive controls prove the tripwire sees each path (a good call moves the counters).
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { native } from '../../src/binding/native.js';
import { Address, Bridge, Fdb, Link, Macvlan, Namespace, Neighbor, Route, Tun, ValidationError, VethPair, Vrf, Vxlan, Sysctl } from '../../src/index.js';
import { NetlinkConnection } from '../../src/netlink/index.js';
import { rootSkip, uniqueName } from '../helpers/env.js';

const require = createRequire(import.meta.url);
const fs = require('node:fs') as Record<string, unknown>;
const fsp = require('node:fs/promises') as Record<string, unknown>;

/** Calls that reach the system, by path (`native.openSocket`, `fs.openSync`, `conn.request`). */
const calls: string[] = [];
const restore: (() => void)[] = [];

function wrap(obj: Record<string, unknown>, key: string, label: string, onlyFromSrc: boolean): void {
  const orig = obj[key];
  if (typeof orig !== 'function') return;
  const f = orig as (...a: unknown[]) => unknown;
  obj[key] = function (this: unknown, ...args: unknown[]) {
    if (!onlyFromSrc || /\/src\/(api|netlink|util|binding|rtnetlink)\//.test(new Error().stack ?? '')) calls.push(label);
    return f.apply(this, args);
  };
  restore.push(() => {
    obj[key] = orig;
  });
}

function armTripwire(): void {
  for (const k of Object.keys(native)) if (k !== 'NetlinkSocket') wrap(native as unknown as Record<string, unknown>, k, `native.${k}`, false);
  for (const k of ['openSync', 'closeSync', 'fstatSync', 'statSync', 'readdirSync', 'readFileSync', 'writeFileSync', 'readlinkSync', 'mkdirSync', 'unlinkSync']) {
    wrap(fs, k, `fs.${k}`, true);
  }
  for (const k of ['open', 'stat', 'readdir', 'readFile', 'writeFile', 'unlink', 'mkdir']) wrap(fsp, k, `fs/promises.${k}`, true);
  syncBuiltinESMExports();
  const proto = NetlinkConnection.prototype as unknown as Record<string, unknown>;
  for (const k of ['request', 'dump', 'dumpAll', 'dumpMap']) wrap(proto, k, `conn.${k}`, false);
  wrap(NetlinkConnection as unknown as Record<string, unknown>, 'open', 'NetlinkConnection.open', false);
}

function disarmTripwire(): void {
  while (restore.length) restore.pop()!();
  syncBuiltinESMExports();
}

type Case = [label: string, call: () => unknown, field: string];

describe.skipIf(!!rootSkip)('bad input is refused before any system call', () => {
  let ns: Namespace;
  let ns2: Namespace;
  let va: Link;
  let br: Bridge;
  let conn: NetlinkConnection;
  let otherLink: Link;

  beforeAll(async () => {
    ns = await Namespace.create(uniqueName('bad'));
    ns2 = await Namespace.create(uniqueName('bad2'));
    await VethPair.create(ns, { name: 'va', peer: { name: 'vb' } });
    await VethPair.create(ns, { name: 'vc', peer: { name: 'vd' } });
    br = await Bridge.create(ns, { name: 'br0' });
    await br.addPort('vc');
    await Vxlan.create(ns, { name: 'vx0', vni: 7, dstPort: 4789, local: '10.0.0.1' });
    await Address.add(ns, 'va', '10.0.0.1/24');
    va = await Link.get(ns, 'va');
    otherLink = await Link.get(ns2, 'lo');
    conn = await ns.connection();
    await ns2.connection();
    armTripwire();
  });
  afterAll(async () => {
    disarmTripwire();
    await ns?.delete();
    await ns2?.delete();
  });

  const long16 = 'x'.repeat(16);
  const mac = '02:00:00:00:00:05';
  const cases = (): Case[] => [
    // ---- interface names
    ['Link.create empty name', () => Link.create(ns, { kind: 'dummy', name: '' }), 'name'],
    ['VethPair 16-byte name', () => VethPair.create(ns, { name: long16 }), 'name'],
    ['veth peer name with /', () => VethPair.create(ns, { name: 'ok0', peer: { name: 'a/b' } }), 'peer.name'],
    ['Bridge name with a space', () => Bridge.create(ns, { name: 'br 0' }), 'name'],
    ['rename to .', () => va.rename('.'), 'name'],
    ['rename to ..', () => va.rename('..'), 'name'],
    ['link lookup with a newline', () => Link.get(ns, 'eth\n0'), 'name'],
    ['moveTo name of 16 UTF-8 bytes', () => va.moveTo(ns2, { name: 'é'.repeat(8) }), 'name'],
    ['Tun name with :', () => Tun.create(ns, { name: 'tun:0' }), 'name'],
    ['Macvlan name with a tab', () => Macvlan.create(ns, { name: 'mv\t0', parent: 'va' }), 'name'],
    ['Address.add link name with a space', () => Address.add(ns, 'bad name', '10.0.0.1/24'), 'link'],
    ['Route dev of 16 bytes', () => Route.add(ns, { to: '10.9.0.0/16', dev: long16 }), 'dev'],
    ['Link.get index 0', () => Link.get(ns, 0), 'index'],
    ['Link.get index -1', () => Link.get(ns, -1), 'index'],
    ['Link.get index 1.5', () => Link.get(ns, 1.5), 'index'],
    ['ns.link(null)', () => Link.get(ns, null as unknown as string), 'name'],
    ['links filter master bad name', () => Link.list(ns, { master: 'bad/name' }), 'filter.master'],
    ['a Link of another namespace', () => Address.add(ns, otherLink as unknown as string, '10.0.0.9/24'), 'link'],
    // ---- namespace names
    ['Namespace.create ../../etc', () => Namespace.create('../../etc'), 'name'],
    ['Namespace.create a/b', () => Namespace.create('a/b'), 'name'],
    ['Namespace.create with NUL', () => Namespace.create('a\0b'), 'name'],
    ['Namespace.create 256 bytes', () => Namespace.create('x'.repeat(256)), 'name'],
    ['Namespace.create empty', () => Namespace.create(''), 'name'],
    ['Namespace.create number', () => Namespace.create(42 as unknown as string), 'name'],
    ['Namespace.open ..', () => Namespace.open('..'), 'name'],
    ['Namespace.remove .', () => Namespace.remove('.'), 'name'],
    ['Namespace.openPath empty', () => Namespace.openPath(''), 'path'],
    ['Namespace.openPath with NUL', () => Namespace.openPath('/proc/1/ns/net\0x'), 'path'],
    ['Namespace.openPid 0', () => Namespace.openPid(0), 'pid'],
    ['Namespace.openPid -5', () => Namespace.openPid(-5), 'pid'],
    ['Namespace.identify "1"', () => Namespace.identify('1' as unknown as number), 'pid'],
    // ---- CIDRs and addresses
    ['address 10.0.0.300/24', () => Address.add(va, '10.0.0.300/24'), 'address'],
    ['address /33', () => Address.add(va, '10.0.0.1/33'), 'address'],
    ['IPv6 address /129', () => Address.add(va, 'fd00::1/129'), 'address'],
    ['IPv4 address with IPv6 peer', () => Address.add(va, '10.0.0.1/24', { peer: 'fd00::2' }), 'peer'],
    ['address number', () => Address.add(va, 42 as unknown as string), 'address'],
    ['address remove /-1', () => Address.remove(va, '10.0.0.1/-1'), 'address'],
    ['route to /33', () => Route.add(ns, { to: '10.0.0.0/33', dev: 'va' }), 'to'],
    ['route to with host bits', () => Route.add(ns, { to: '10.0.0.1/24', dev: 'va' }), 'to'],
    ['IPv4 route with IPv6 src', () => Route.add(ns, { to: '10.8.0.0/16', dev: 'va', src: 'fd00::1' }), 'src'],
    ['IPv6 route via IPv4', () => Route.add(ns, { to: 'fd00:8::/64', via: '10.0.0.2' }), 'via'],
    ['route get 10.0.0.256', () => Route.get(ns, '10.0.0.256'), 'to'],
    ['route via 1.2.3', () => Route.add(ns, { to: 'default', via: '1.2.3' }), 'via'],
    ['nexthop via zz', () => Route.add(ns, { to: '10.7.0.0/16', nexthops: [{ via: '10.0.0.2' }, { via: 'zz' }] }), 'nexthops[1].via'],
    ['neighbour 10.0.0.1.1', () => Neighbor.add(ns, { address: '10.0.0.1.1', lladdr: mac, link: 'va' }), 'address'],
    ['fdb dst 10.0.0.999', () => Fdb.add(ns, { mac, device: 'vx0', dst: '10.0.0.999' }), 'dst'],
    ['vxlan local v4, remote v6', () => Vxlan.create(ns, { name: 'vx1', vni: 1, local: '10.0.0.1', remote: 'fd00::1' }), 'remote'],
    // ---- MACs
    ['setAddress 5 bytes', () => va.setAddress('02:00:00:00:00'), 'address'],
    ['set address zz', () => va.set({ address: 'zz:zz:zz:zz:zz:zz' }), 'address'],
    ['veth MAC of 7 bytes', () => VethPair.create(ns, { name: 'v9', address: '02:00:00:00:00:00:00' }), 'address'],
    ['neighbour lladdr 02-00', () => Neighbor.add(ns, { address: '10.0.0.5', lladdr: '02-00', link: 'va' }), 'lladdr'],
    ['fdb mac not-a-mac', () => Fdb.add(ns, { mac: 'not-a-mac', device: 'br0' }), 'mac'],
    ['bridge fdbAdd 1:2:3', () => br.fdbAdd('vc', '1:2:3'), 'mac'],
    ['bridge group address 5 bytes', () => Bridge.create(ns, { name: 'br9', groupAddress: '01:80:c2:00:00' }), 'groupAddress'],
    // ---- MTUs
    ['setMtu 70000', () => va.setMtu(70000), 'mtu'],
    ['setMtu 0', () => va.setMtu(0), 'mtu'],
    ['veth mtu 67', () => VethPair.create(ns, { name: 'v9', mtu: 67 }), 'mtu'],
    ['bridge mtu 1e6', () => Bridge.create(ns, { name: 'br9', mtu: 1e6 }), 'mtu'],
    ['setMtu 1500.5', () => va.setMtu(1500.5), 'mtu'],
    ['setMtu "1500"', () => va.setMtu('1500' as unknown as number), 'mtu'],
    ['veth peer mtu -1', () => VethPair.create(ns, { name: 'v9', peer: { mtu: -1 } }), 'peer.mtu'],
    ['Link.create mtu NaN', () => Link.create(ns, { kind: 'dummy', name: 'd9', mtu: NaN }), 'mtu'],
    // ---- route tables and other route fields
    ['route table 2^32', () => Route.add(ns, { to: '10.6.0.0/16', dev: 'va', table: 2 ** 32 }), 'table'],
    ['route table unknown name', () => Route.add(ns, { to: '10.6.0.0/16', dev: 'va', table: 'nosuchtable' }), 'table'],
    ['route list table -1', () => Route.list(ns, { table: -1 }), 'table'],
    ['route table 1.5', () => Route.add(ns, { to: '10.6.0.0/16', dev: 'va', table: 1.5 }), 'table'],
    ['route metric -1', () => Route.add(ns, { to: '10.6.0.0/16', dev: 'va', metric: -1 }), 'metric'],
    ['route scope galaxy', () => Route.add(ns, { to: '10.6.0.0/16', dev: 'va', scope: 'galaxy' }), 'scope'],
    ['route type teleport', () => Route.add(ns, { to: '10.6.0.0/16', dev: 'va', type: 'teleport' as 'unicast' }), 'type'],
    ['route protocol 256', () => Route.add(ns, { to: '10.6.0.0/16', dev: 'va', protocol: 256 }), 'protocol'],
    ['nexthop weight 0', () => Route.add(ns, { to: '10.5.0.0/16', nexthops: [{ via: '10.0.0.2', weight: 0 }] }), 'nexthops[0].weight'],
    ['vrf table "main"', () => Vrf.create(ns, { name: 'vrf0', table: 'main' as unknown as number }), 'table'],
    // ---- sysctl keys
    ['sysctl net/../../etc/shadow', () => Sysctl.of(ns).get('net/../../etc/shadow'), 'key'],
    ['sysctl net.ipv4/../../../etc/passwd', () => Sysctl.of(ns).set('net.ipv4/../../../etc/passwd', 1), 'key'],
    ['sysctl kernel.hostname', () => Sysctl.of(ns).get('kernel.hostname'), 'key'],
    ['sysctl absolute path', () => Sysctl.of(ns).get('/proc/sys/net/ipv4/ip_forward'), 'key'],
    ['sysctl key with NUL', () => Sysctl.of(ns).getInt('net.ipv4.conf.all.forwarding\0'), 'key'],
    ['sysctl key with a space', () => Sysctl.of(ns).get('net.ipv4.conf.a b.forwarding'), 'key'],
    ['sysctl value with a newline', () => Sysctl.of(ns).set('net.ipv4.ip_forward', '1\n0'), 'value'],
    ['sysctl value NaN', () => Sysctl.of(ns).set('net.ipv4.ip_forward', NaN), 'value'],
    // ---- unknown option keys
    ['VethPair peerName', () => VethPair.create(ns, { name: 'v9', peerName: 'x' } as object), 'options.peerName'],
    ['Bridge stpp', () => Bridge.create(ns, { name: 'br9', stpp: true } as object), 'options.stpp'],
    ['link.set mtuu', () => va.set({ mtuu: 1500 } as object), 'changes.mtuu'],
    ['Route gateway', () => Route.add(ns, { to: 'default', gateway: '10.0.0.1' } as unknown as { to: string }), 'route.gateway'],
    ['Neighbor nud', () => Neighbor.add(ns, { address: '10.0.0.5', lladdr: mac, link: 'va', nud: 'permanent' } as unknown as { address: string; link: string }), 'entry.nud'],
    ['Address.list dev', () => Address.list(ns, { dev: 'va' } as object), 'options.dev'],
    ['links type', () => Link.list(ns, { type: 'veth' } as object), 'filter.type'],
    ['Fdb.list br', () => Fdb.list(ns, { br: 'br0' } as object), 'filter.br'],
    ['moveTo newName', () => va.moveTo(ns2, { newName: 'x' } as object), 'options.newName'],
    ['Vxlan id', () => Vxlan.create(ns, { name: 'vx9', vni: 5, id: 5 } as unknown as { name: string; vni: number }), 'options.id'],
    ['Tun type', () => Tun.create(ns, { name: 't9', type: 'tap' } as object), 'options.type'],
    ['addPort learn', () => br.addPort('vd', { learn: true } as object), 'options.learn'],
    ['veth peer nmae', () => VethPair.create(ns, { name: 'v9', peer: { nmae: 'x' } as object }), 'peer.nmae'],
    // ---- wrong types from JavaScript callers
    ['VethPair options a string', () => VethPair.create(ns, 'veth0' as unknown as object), 'options'],
    ['Bridge stp "yes"', () => Bridge.create(ns, { name: 'br9', stp: 'yes' as unknown as boolean }), 'stp'],
    ['link.set up 1', () => va.set({ up: 1 as unknown as boolean }), 'up'],
    ['Route.add null', () => Route.add(ns, null as unknown as { to: string }), 'route'],
    ['Address options an array', () => Address.add(va, '10.0.0.1/24', [] as object), 'options'],
    ['Vxlan vni "42"', () => Vxlan.create(ns, { name: 'vx9', vni: '42' as unknown as number }), 'vni'],
    ['Vxlan vni 2^24', () => Vxlan.create(ns, { name: 'vx9', vni: 2 ** 24 }), 'vni'],
    ['route to {}', () => Route.add(ns, { to: {} as unknown as string }), 'to'],
    ['neighbour states a string', () => Neighbor.list(ns, { states: 'reachable' as unknown as [] }), 'states'],
    ['run(42)', () => ns.run(42 as unknown as () => void), 'fn'],
    ['run(async)', () => ns.run(async () => 1), 'fn'],
    ['openSocket domain "2"', () => ns.openSocket('2' as unknown as number, 1), 'domain'],
    ['setNsid -2', () => ns.setNsid(ns2, -2), 'nsid'],
    ['getNsid of a string', () => ns.getNsid('ns2' as unknown as Namespace), 'target'],
    ['setNsid of a string', () => ns.setNsid('ns2' as unknown as Namespace, 3), 'target'],
    ['moveTo a string', () => va.moveTo('ns2' as unknown as Namespace), 'target'],
    ['Link.create kind "bad kind!"', () => Link.create(ns, { kind: 'bad kind!' }), 'kind'],
    ['Macvlan mode bogus', () => Macvlan.create(ns, { name: 'mv9', parent: 'va', mode: 'bogus' as 'bridge' }), 'mode'],
    ['Tun mode tuntap', () => Tun.create(ns, { name: 't9', mode: 'tuntap' as 'tun' }), 'mode'],
    ['Tun owner -2', () => Tun.create(ns, { name: 't9', owner: -2 }), 'owner'],
    ['fdb vlan 4095', () => Fdb.add(ns, { mac, device: 'br0', vlan: 4095 }), 'vlan'],
    ['bridge priority 65536', () => Bridge.create(ns, { name: 'br9', priority: 65536 }), 'priority'],
    ['port cost 0', () => br.setPortOptions('vc', { cost: 0 }), 'cost'],
    ['port state melting', () => br.setPortOptions('vc', { state: 'melting' as 'forwarding' }), 'state'],
    ['address label of 16 bytes', () => Address.add(va, '10.0.0.1/24', { label: 'va' + 'x'.repeat(14) }), 'label'],
    ['Link.create data a number', () => Link.create(ns, { kind: 'dummy', name: 'd9', data: 5 as unknown as Buffer }), 'data'],
    ['Link.create namespace a string', () => Link.create(ns, { kind: 'dummy', name: 'd9', namespace: 'ns2' as unknown as Namespace }), 'namespace'],
    ['Route.list family 5', () => Route.list(ns, { family: 5 as 4 }), 'family'],
    ['Neighbor.remove without address', () => Neighbor.remove(ns, { link: 'va' } as unknown as { address: string; link: string }), 'address'],
    ['Bridge.create options a number', () => Bridge.create(ns, 7 as unknown as object), 'options'],
  ];

  it('positive controls: a good call of each kind moves the tripwire', async () => {
    const before = calls.length;
    await Link.get(ns, 'va');
    expect(calls.slice(before)).toContain('conn.request');
    let at = calls.length;
    await Sysctl.of(ns).get('net.ipv4.ip_forward');
    expect(calls.slice(at)).toContain('native.openIn');
    at = calls.length;
    const h = await Namespace.open(ns.name!);
    expect(calls.slice(at)).toContain('fs.openSync');
    expect(calls.slice(at)).toContain('native.namespaceType');
    at = calls.length;
    await h.close();
    expect(calls.slice(at)).toContain('fs.closeSync');
    at = calls.length;
    await Namespace.list();
    expect(calls.slice(at)).toContain('fs/promises.readdir');
    at = calls.length;
    await Route.list(ns);
    expect(calls.slice(at)).toContain('conn.dumpMap');
    expect(calls.slice(at)).toContain('conn.dump');
    at = calls.length;
    await Link.list(ns);
    expect(calls.slice(at)).toContain('conn.dumpAll');
    at = calls.length;
    ns.run(() => 1);
    expect(calls.slice(at)).toContain('native.runIn');
  });

  it('every bad input: ValidationError naming the field, no system call, no netlink traffic', async () => {
    const table = cases();
    expect(table.length).toBeGreaterThanOrEqual(60);
    const failures: string[] = [];
    for (const [label, call, field] of table) {
      const seen = calls.length;
      const s0 = conn.stats;
      let err: unknown;
      try {
        await call();
      } catch (e) {
        err = e;
      }
      await new Promise((r) => setImmediate(r)); // a request queued for the next flush would be counted now
      const s1 = conn.stats;
      const made = calls.slice(seen);
      if (!(err instanceof ValidationError)) failures.push(`${label}: expected a ValidationError, got ${err === undefined ? 'success' : String(err)}`);
      else if (err.field !== field) failures.push(`${label}: field ${JSON.stringify(err.field)}, expected ${JSON.stringify(field)} (${err.message})`);
      else if (err.code !== 'EINVAL') failures.push(`${label}: code ${err.code}`);
      if (made.length > 0) failures.push(`${label}: reached the system: ${made.join(', ')}`);
      if (s1.requests !== s0.requests || s1.dumps !== s0.dumps || s1.sends !== s0.sends || s1.datagrams !== s0.datagrams) {
        failures.push(`${label}: netlink traffic ${JSON.stringify(s0)} → ${JSON.stringify(s1)}`);
      }
    }
    console.log(`[bad-input] ${table.length} bad inputs checked, ${failures.length} problem(s)`);
    expect(failures).toEqual([]);
  });

  it('the namespace and its links are unchanged afterwards', async () => {
    const names = (await Link.list(ns)).map((l) => l.name).sort();
    expect(names).toEqual(['br0', 'lo', 'va', 'vb', 'vc', 'vd', 'vx0']);
    expect((await Address.list(ns, { link: 'va', family: 4 })).map((a) => a.cidr)).toEqual(['10.0.0.1/24']);
    expect((await Namespace.list()).some((e) => e.name.includes('etc') || e.name === 'a')).toBe(false);
  });
});
