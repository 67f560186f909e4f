/**
 * Input checks of Address / Route / Neighbor / sysctl: every bad input is refused with a
 * ValidationError naming the field, before any request is made (the fake namespace
 * records requests and has no fd).
 */
import { describe, expect, it } from 'vitest';
import { Address, Neighbor, Route, ValidationError, sysctlPath } from '../../src/index.js';
import { Sysctl } from '../../src/api/namespace/sysctl.js';
import { Link } from '../../src/api/link/link.js';
import { parseCidr, parseDestination, sameFamily } from '../../src/util/ip.js';
import { fakeNamespace } from '../helpers/fake-namespace.js';

async function refused(p: () => Promise<unknown>, field: string | RegExp, message?: RegExp): Promise<void> {
  const ns = fakeNamespace();
  const err = await p.call(ns).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a ValidationError').toBeInstanceOf(ValidationError);
  const v = err as ValidationError;
  if (typeof field === 'string') expect(v.field).toBe(field);
  else expect(v.field).toMatch(field);
  expect(v.code).toBe('EINVAL');
  if (message) expect(v.message).toMatch(message);
}

describe('prefixes and families (util/ip)', () => {
  it.each(['10.0.0.300/24', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/', '1.2.3.4::/64', '::1.2.3/64'])('parseCidr refuses %j', (s) => {
    expect(() => parseCidr(s)).toThrow(ValidationError);
  });
  it('route destinations: default, networks; host bits refused with the network named', () => {
    expect(parseDestination('default')).toEqual({ bytes: undefined, prefixLength: 0, family: undefined });
    expect(parseDestination('10.1.0.0/16').family).toBe(4);
    expect(parseDestination('2001:db8::/32').family).toBe(6);
    expect(parseDestination('10.1.2.3').prefixLength).toBe(32);
    expect(() => parseDestination('10.1.2.3/16')).toThrow(/host bits are set; the network is 10\.1\.0\.0\/16/);
    expect(() => parseDestination('2001:db8::1/64')).toThrow(/2001:db8::\/64/);
  });
  it('sameFamily names both fields', () => {
    expect(sameFamily([['a', '10.0.0.1', 4], ['b', undefined, undefined]])).toBe(4);
    expect(sameFamily([])).toBeUndefined();
    expect(() => sameFamily([['to', '10.0.0.0/8', 4], ['src', 'fd00::1', 6]])).toThrow(/invalid src "fd00::1": is IPv6 but to "10.0.0.0\/8" is IPv4/);
  });
});

describe('Address input', () => {
  const ns = fakeNamespace();
  it.each([
    [() => Address.add(ns, 3, '10.0.0.300/24'), 'address'],
    [() => Address.add(ns, 3, '10.0.0.1/33'), 'address'],
    [() => Address.add(ns, 3, 'fd00::1/129'), 'address'],
    [() => Address.add(ns, 3, 'fd00::1/64', { peer: '10.0.0.2' }), 'peer'],
    [() => Address.add(ns, 3, 'fd00::1/64', { broadcast: '+' }), 'broadcast'],
    [() => Address.add(ns, 3, '10.0.0.1/24', { broadcast: 'fd00::ff' }), 'broadcast'],
    [() => Address.add(ns, 3, 'fd00::1/64', { label: 'x:1' }), 'label'],
    [() => Address.add(ns, 3, '10.0.0.1/24', { label: 'a-very-long-label-here' }), 'label'],
    [() => Address.add(ns, 3, '10.0.0.1/24', { flags: ['nodad'] }), 'flags'],
    [() => Address.add(ns, 3, '10.0.0.1/24', { flags: ['secondary' as 'nodad'] }), 'flags'],
    [() => Address.add(ns, 3, '10.0.0.1/24', { scope: 'galaxy' }), 'scope'],
    [() => Address.add(ns, 3, '10.0.0.1/24', { validLifetime: 10, preferredLifetime: 20 }), 'preferredLifetime'],
    [() => Address.add(ns, 3, '10.0.0.1/24', { validLifetime: 0 }), 'validLifetime'],
    [() => Address.add(ns, 3, '10.0.0.1/24', { validLifetime: -1 }), 'validLifetime'],
    [() => Address.add(ns, 3, '10.0.0.1/24', { validLifetime: 'always' as 'forever' }), 'validLifetime'],
    [() => Address.add(ns, 3, '10.0.0.1/24', { brd: '+' } as object), 'options.brd'],
    [() => Address.add(ns, 'bad/name', '10.0.0.1/24'), 'link'],
    [() => Address.add('eth0' as unknown as Link, '10.0.0.1/24'), 'link'],
    [() => Address.remove(ns, 3, '10.0.0.1/40'), 'address'],
    [() => Address.list(ns, { family: 5 as 4 }), 'family'],
    [() => Address.flush(ns, { scope: 'x' }), 'scope'],
  ] as [() => Promise<unknown>, string][])('refuses case %#', async (fn, field) => {
    await refused(fn, field);
    expect(ns.sent).toEqual([]);
  });

  it('refuses a Link of another namespace', async () => {
    const other = fakeNamespace();
    const l = new Link(other, { header: { family: 0, type: 1, index: 3, flags: 0, change: 0 }, attrs: { ifname: 'eth0' } });
    await refused(() => Address.list(ns, { link: l }), 'link', /is in namespace fake, not in fake/);
  });
});

describe('Route input', () => {
  const ns = fakeNamespace();
  it.each([
    [{ to: '10.0.0.1/24' }, 'to'],
    [{ to: '10.0.0.0/33' }, 'to'],
    [{ to: 'defualt' }, 'to'],
    [{ to: '10.0.0.0/24', via: '10.0.0.256' }, 'via'],
    [{ to: '10.0.0.0/24', src: 'fd00::1' }, 'src'],
    [{ to: '2001:db8::/64', via: '10.0.0.1' }, 'via'],
    [{ to: '2001:db8::/64', nexthops: [{ via: '10.0.0.1' }] }, 'nexthops[0].via'],
    [{ to: '10.0.0.0/24', from: '10.1.0.0/16' }, 'from'],
    [{ to: '10.0.0.0/24', family: 6 }, 'family'],
    [{ to: '10.0.0.0/24', via: '10.0.0.1', nexthops: [{ via: '10.0.0.2' }] }, 'nexthops'],
    [{ to: '10.0.0.0/24', nexthops: [] }, 'nexthops'],
    [{ to: '10.0.0.0/24', nexthops: [{ via: '10.0.0.2', weight: 0 }] }, 'nexthops[0].weight'],
    [{ to: '10.0.0.0/24', nexthops: [{ via: '10.0.0.2', weight: 257 }] }, 'nexthops[0].weight'],
    [{ to: '10.0.0.0/24', nexthops: [{ gw: '10.0.0.2' }] }, 'nexthops[0].gw'],
    [{ to: '10.0.0.0/24', table: 0 }, 'table'],
    [{ to: '10.0.0.0/24', table: 'mian' }, 'table'],
    [{ to: '10.0.0.0/24', table: 2 ** 32 }, 'table'],
    [{ to: '10.0.0.0/24', type: 'drop' }, 'type'],
    [{ to: '10.0.0.0/24', scope: 300 }, 'scope'],
    [{ to: '10.0.0.0/24', protocol: 'ospf3' }, 'protocol'],
    [{ to: '10.0.0.0/24', metric: -1 }, 'metric'],
    [{ to: '10.0.0.0/24', metrics: { mtuu: 1 } }, 'metrics.mtuu'],
    [{ to: '10.0.0.0/24', metrics: { mtu: 1.5 } }, 'metrics.mtu'],
    [{ to: '10.0.0.0/24', lock: ['speed'] }, 'lock'],
    [{ to: '10.0.0.0/24', pref: 'high' }, 'pref'],
    [{ to: '2001:db8::/64', pref: 'urgent' }, 'pref'],
    [{ to: '10.0.0.0/24', expires: 10 }, 'expires'],
    [{ to: '10.0.0.0/24', onlink: 'yes' }, 'onlink'],
    [{ to: '10.0.0.0/24', gateway: '10.0.0.1' }, 'route.gateway'],
    [{ to: '10.0.0.0/24', dev: 'way-too-long-name' }, 'dev'],
  ] as [object, string][])('refuses %j', async (route, field) => {
    await refused(() => Route.add(ns, route as never), field);
    expect(ns.sent).toEqual([]);
  });

  it('refuses a missing route object and bad lookups', async () => {
    await refused(() => Route.add(ns, undefined as never), 'route');
    await refused(() => Route.get(ns, '10.0.0.0/24'), 'to');
    await refused(() => Route.get(ns, '10.0.0.1', { from: 'fd00::1' }), 'from');
    await refused(() => Route.get(ns, '10.0.0.1', { iif: 3 }), 'from');
    await refused(() => Route.get(ns, '10.0.0.1', { sport: 70000 }), 'sport');
    await refused(() => Route.list(ns, { table: 'nope' }), 'table');
    await refused(() => Route.list(ns, { family: 5 as 4 }), 'family');
    expect(ns.sent).toEqual([]);
  });
});

describe('Neighbor input', () => {
  const ns = fakeNamespace();
  it.each([
    [{ address: '10.0.0.300', link: 3 }, 'address'],
    [{ address: '10.0.0.3', link: 3, lladdr: 'zz:00:00:00:00:01' }, 'lladdr'],
    [{ address: '10.0.0.3', link: 3, lladdr: '02:00:00:00:01' }, 'lladdr'],
    [{ address: '10.0.0.3', link: 3, lladdr: '02:00:00:00:00:01:02' }, 'lladdr'],
    [{ address: '10.0.0.3', link: 3, lladdr: '0200.0000.0001' }, 'lladdr'],
    [{ address: '10.0.0.3', link: 3, state: 'happy' }, 'state'],
    [{ address: '10.0.0.3', link: 3, router: true }, 'router'],
    [{ address: '10.0.0.3', link: 3, proxy: true, lladdr: '02:00:00:00:00:01' }, 'lladdr'],
    [{ address: '10.0.0.3', link: 3, proxy: true, state: 'stale' }, 'state'],
    [{ address: '10.0.0.3', link: 3, mac: '02:00:00:00:00:01' }, 'entry.mac'],
    [{ address: '10.0.0.3' }, 'link'],
    [{ address: '10.0.0.3', link: 3, protocol: 256 }, 'protocol'],
  ] as [object, string][])('refuses %j', async (entry, field) => {
    await refused(() => Neighbor.add(ns, entry as never), field);
    expect(ns.sent).toEqual([]);
  });
  it('refuses bad removal and list filters', async () => {
    await refused(() => Neighbor.remove(ns, { address: 'fe80::1::1', link: 3 }), 'address');
    await refused(() => Neighbor.list(ns, { states: ['busy' as 'stale'] }), 'states');
    await refused(() => Neighbor.flush(ns, { states: 'stale' as never }), 'states');
    expect(ns.sent).toEqual([]);
  });
});

describe('sysctl keys and values', () => {
  it.each([
    ['net.ipv4.ip_forward', '/proc/sys/net/ipv4/ip_forward'],
    ['net.ipv4.conf.all.rp_filter', '/proc/sys/net/ipv4/conf/all/rp_filter'],
    ['net/ipv4/conf/eth0.100/forwarding', '/proc/sys/net/ipv4/conf/eth0.100/forwarding'],
    ['net.ipv6.conf.veth-a_1.disable_ipv6', '/proc/sys/net/ipv6/conf/veth-a_1/disable_ipv6'],
  ])('maps %j to %j', (k, p) => {
    expect(sysctlPath(k)).toBe(p);
  });
  it.each([
    '',
    'net',
    'kernel.hostname',
    'vm.swappiness',
    'net..ipv4',
    'net.ipv4.ip_forward ',
    'net/ipv4/../../../etc/passwd',
    'net/./ipv4/ip_forward',
    'net/ipv4/conf/a b/forwarding',
    '/proc/sys/net/ipv4/ip_forward',
    'net.ipv4.conf.eth0:1.forwarding',
    'net.ipv4.ip_forward\n',
    'net/ipv4/ip_forward/',
    42,
  ])('refuses key %j', (k) => {
    expect(() => sysctlPath(k)).toThrow(ValidationError);
  });
  it('refuses bad values before touching the namespace', async () => {
    const s = new Sysctl(fakeNamespace()); // its fd getter throws if reached
    for (const v of [1.5, NaN, 'a\nb', [], [1, 'x'], {}, null]) {
      await expect(s.set('net.ipv4.ip_forward', v as never)).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(s.get('kernel.panic')).rejects.toBeInstanceOf(ValidationError);
  });
});
