import { describe, expect, it } from 'vitest';
import { Address, NetlinkError, Route } from '../../src/index.js';
import { ipJson, rootSkip, tempNamespace, useTempNamespaces } from '../helpers/env.js';
import { testVeth } from '../helpers/links.js';
import { eventually } from '../helpers/traffic.js';
import type { Namespace } from '../../src/index.js';

interface IpAddrInfo {
  family: string;
  local: string;
  prefixlen: number;
  address?: string;
  broadcast?: string;
  scope: string;
  label?: string;
  valid_life_time: number;
  preferred_life_time: number;
  [flag: string]: unknown;
}

/** `ip -j addr show dev DEV` → addr_info. */
function ipAddrs(ns: Namespace, dev: string): IpAddrInfo[] {
  return ipJson<{ addr_info: IpAddrInfo[] }[]>(['addr', 'show', 'dev', dev], ns)[0]?.addr_info ?? [];
}

describe.skipIf(!!rootSkip)('Address', () => {
  useTempNamespaces();

  async function pair(): Promise<{ a: Namespace; b: Namespace; eth0: import('../../src/index.js').Link; peer: import('../../src/index.js').Link }> {
    const a = await tempNamespace('ad');
    const b = await tempNamespace('ad');
    const [eth0, peer] = await testVeth(a, 'eth0', b, 'eth0');
    return { a, b, eth0, peer };
  }

  it('adds and deletes a second address, as `ip addr add/del 192.168.0.100/24 dev eth0` (SCENARIOS 003 step 2)', async () => {
    const { a, eth0 } = await pair();
    await Address.add(eth0, '192.168.0.11/24');
    await Address.add(eth0, '192.168.0.100/24');
    const mine = (await Address.list(a, { link: eth0, family: 4 })).map((x) => [x.cidr, x.secondary]);
    expect(mine).toEqual([
      ['192.168.0.11/24', false],
      ['192.168.0.100/24', true],
    ]);
    const ip = ipAddrs(a, 'eth0').filter((x) => x.family === 'inet');
    expect(ip.map((x) => `${x.local}/${x.prefixlen}`)).toEqual(['192.168.0.11/24', '192.168.0.100/24']);
    expect(ip[1]!.secondary).toBe(true);
    await Address.remove(eth0, '192.168.0.100/24');
    expect((await Address.list(a, { link: eth0, family: 4 })).map((x) => x.cidr)).toEqual(['192.168.0.11/24']);
    expect(ipAddrs(a, 'eth0').filter((x) => x.family === 'inet').map((x) => x.local)).toEqual(['192.168.0.11']);
  });

  it('matches `ip -j addr` field by field: broadcast (brd +), label, scope, lifetimes, flags', async () => {
    const { a, eth0 } = await pair();
    await Address.add(eth0, '10.1.0.1/24', { broadcast: '+', label: 'eth0:web', validLifetime: 100, preferredLifetime: 50, flags: ['noprefixroute'] });
    await Address.add(a, 'eth0', '10.2.0.1/16', { scope: 'link', broadcast: '10.2.255.254' });
    const list = await Address.list(a, { link: eth0, family: 4 });
    const ip = ipAddrs(a, 'eth0').filter((x) => x.family === 'inet');
    expect(list.map((x) => [x.address, x.prefixLength, x.broadcast, x.scopeName, x.label])).toEqual(
      ip.map((x) => [x.local, x.prefixlen, x.broadcast, x.scope, x.label]),
    );
    const web = list.find((x) => x.address === '10.1.0.1');
    expect(web!.validLifetime).toBeLessThanOrEqual(100);
    expect(web!.validLifetime).toBeGreaterThan(0);
    expect(web!.preferredLifetime).toBeLessThanOrEqual(50);
    expect(web!.flagNames).toContain('noprefixroute');
    const ipWeb = ip.find((x) => x.local === '10.1.0.1')!;
    expect(ipWeb.noprefixroute).toBe(true);
    expect(ipWeb.dynamic).toBe(true); // a finite lifetime
    expect(list.find((x) => x.address === '10.2.0.1')!.validLifetime).toBe('forever');
    // noprefixroute: no 10.1.0.0/24 route; the other address has its prefix route
    const routes = (await Route.list(a, { family: 4 })).map((r) => r.to);
    expect(routes).not.toContain('10.1.0.0/24');
    expect(routes).toContain('10.2.0.0/16');
  });

  it('peer addresses, the prefix-route metric, and scope host on 127.0.0.0/8', async () => {
    const { a, eth0 } = await pair();
    await Address.add(eth0, '10.9.9.1/32', { peer: '10.9.9.2' });
    await Address.add(eth0, '10.3.0.1/24', { metric: 77 });
    await Address.add(a, 'lo', '127.0.0.2/8');
    const [p2p, metric] = await Address.list(a, { link: eth0, family: 4 });
    expect([p2p!.address, p2p!.peer, p2p!.prefixLength]).toEqual(['10.9.9.1', '10.9.9.2', 32]);
    const ip = ipAddrs(a, 'eth0').find((x) => x.local === '10.9.9.1');
    expect(ip!.address).toBe('10.9.9.2');
    expect(metric!.metric).toBe(77);
    expect((await Route.list(a, { family: 4 })).find((r) => r.to === '10.3.0.0/24')!.metric).toBe(77);
    const lo = await Address.list(a, { link: 'lo', family: 4 });
    expect(lo.map((x) => [x.cidr, x.scopeName])).toEqual([['127.0.0.2/8', 'host']]);
  });

  it('replace updates lifetimes of an existing address; add refuses it with EEXIST naming it', async () => {
    const { a, eth0 } = await pair();
    await Address.add(eth0, '10.4.0.1/24', { validLifetime: 1000, preferredLifetime: 1000 });
    const err = await Address.add(eth0, '10.4.0.1/24').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EEXIST');
    expect((err as Error).message).toMatch(/^add address 10\.4\.0\.1\/24 dev eth0 in \S+: .*\(EEXIST\)$/);
    await Address.replace(eth0, '10.4.0.1/24', { validLifetime: 'forever' });
    const [x] = await Address.list(a, { link: eth0, family: 4 });
    expect([x!.validLifetime, x!.preferredLifetime]).toEqual(['forever', 'forever']);
    expect(ipAddrs(a, 'eth0')[0]!.valid_life_time).toBe(4294967295);
  });

  it('removing an address the link does not have fails with EADDRNOTAVAIL; a bare address removes any prefix length', async () => {
    const { a, eth0 } = await pair();
    const err = await Address.remove(eth0, '10.5.0.1/24').catch((e: unknown) => e);
    expect((err as NetlinkError).code).toBe('EADDRNOTAVAIL');
    expect((err as Error).message).toMatch(/^remove address 10\.5\.0\.1\/24 dev eth0/);
    await Address.add(eth0, '10.5.0.1/20');
    await Address.add(eth0, 'fd05::1/56', { flags: ['nodad'] });
    await Address.remove(eth0, '10.5.0.1');
    await Address.remove(eth0, 'fd05::1');
    expect((await Address.list(a, { link: eth0 })).map((x) => x.address).filter((s) => !s.startsWith('fe80'))).toEqual([]);
  });

  it('lists by link and family with kernel-side filtering; flush empties one link and family', async () => {
    const { a, eth0 } = await pair();
    const [other] = await testVeth(a, 'eth1', await tempNamespace('ad'), 'x');
    await Promise.all([
      Address.add(eth0, '10.6.0.1/24'),
      Address.add(eth0, '10.6.0.2/24'),
      Address.add(eth0, 'fd06::1/64', { flags: ['nodad'] }),
      Address.add(other!, '10.7.0.1/24'),
    ]);
    const all = await Address.list(a);
    // lo is down, so it has no 127.0.0.1; IPv4 comes first, then IPv6
    expect(all.filter((x) => x.family === 4).map((x) => x.address)).toEqual(['10.6.0.1', '10.6.0.2', '10.7.0.1']);
    expect(all.findIndex((x) => x.family === 6)).toBe(3);
    expect((await Address.list(a, { link: other!, family: 4 })).map((x) => x.address)).toEqual(['10.7.0.1']);
    const v6 = await Address.list(a, { link: eth0, family: 6 });
    expect(v6.every((x) => x.family === 6 && x.linkIndex === eth0.index)).toBe(true);
    expect(v6.map((x) => x.address)).toContain('fd06::1');
    // cross-check against ip -j for the whole namespace
    const ipAll = ipJson<{ ifname: string; addr_info: IpAddrInfo[] }[]>(['addr', 'show'], a).flatMap((l) => l.addr_info.map((x) => `${l.ifname} ${x.local}/${x.prefixlen}`));
    const ours = await Promise.all(all.map(async (x) => `${(await x.getLink()).name} ${x.cidr}`));
    expect(ours.sort()).toEqual(ipAll.sort());

    expect(await Address.flush(a, { link: eth0, family: 4 })).toBe(2);
    expect(await Address.list(a, { link: eth0, family: 4 })).toEqual([]);
    expect((await Address.list(a, { link: eth0, family: 6 })).map((x) => x.address)).toContain('fd06::1');
    expect((await Address.list(a, { link: other!, family: 4 })).length).toBe(1);
    expect(ipAddrs(a, 'eth0').filter((x) => x.family === 'inet')).toEqual([]);
  });

  it('IPv6: an address is tentative until DAD ends; nodad skips it; a duplicate ends dadfailed', async () => {
    const { a, b, eth0, peer } = await pair();
    await Address.add(eth0, 'fd07::1/64');
    const [fresh] = (await Address.list(a, { link: eth0, family: 6 })).filter((x) => x.address === 'fd07::1');
    expect(fresh!.tentative).toBe(true);
    expect(ipAddrs(a, 'eth0').find((x) => x.local === 'fd07::1')!.tentative).toBe(true);
    await eventually(async () => (await Address.list(a, { link: eth0, family: 6 })).find((x) => x.address === 'fd07::1' && !x.tentative), 'DAD to finish');

    await Address.add(peer, 'fd07::2/64', { flags: ['nodad'] });
    const [quick] = (await Address.list(b, { link: peer, family: 6 })).filter((x) => x.address === 'fd07::2');
    expect([quick!.tentative, quick!.flagNames]).toEqual([false, ['nodad', 'permanent']]);

    // the peer already owns fd07::2: our DAD probe for it gets an answer
    await Address.add(eth0, 'fd07::2/64');
    const failed = await eventually(
      async () => (await Address.list(a, { link: eth0, family: 6 })).find((x) => x.address === 'fd07::2' && x.dadFailed),
      'DAD to fail',
    );
    expect(failed.flagNames).toContain('dadfailed');
    expect(ipAddrs(a, 'eth0').find((x) => x.local === 'fd07::2')!.dadfailed).toBe(true);
  });

  it('decodes what the kernel reports for its own link-local and loopback addresses', async () => {
    const { a, eth0 } = await pair();
    const ll = await eventually(async () => (await Address.list(a, { link: eth0, family: 6 })).find((x) => x.scopeName === 'link'), 'a link-local address');
    expect(ll.address.startsWith('fe80::')).toBe(true);
    expect(ll.protocolName).toBe('kernel_ll');
    expect(ll.permanent).toBe(true);
  });
});
