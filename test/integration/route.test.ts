import { describe, expect, it } from 'vitest';
import { Address, type Link, type Namespace, NetlinkError, Route } from '../../src/index.js';
import { ipJson, rootSkip, sh, tempNamespace, useTempNamespaces } from '../helpers/env.js';
import { testVeth } from '../helpers/links.js';

interface IpRoute {
  type?: string;
  dst: string;
  gateway?: string;
  via?: { family: string; host: string };
  dev?: string;
  table?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
  flags: string[];
  nexthops?: { gateway: string; dev: string; weight: number; flags: string[] }[];
  metrics?: unknown[];
  pref?: string;
  expires?: number;
}

/** `ip -j [-6] route show …` */
function ipRoutes(ns: Namespace, args: string[] = [], family: 4 | 6 = 4): IpRoute[] {
  return ipJson<IpRoute[]>([family === 6 ? '-6' : '-4', 'route', 'show', ...args], ns);
}

describe.skipIf(!!rootSkip)('Route', () => {
  useTempNamespaces();

  /** ns with eth0 10.0.0.1/24 + fd00::1/64 (nodad), its peer 10.0.0.2 / fd00::2 in another namespace. */
  async function setup(): Promise<{ ns: Namespace; peerNs: Namespace; eth0: Link }> {
    const ns = await tempNamespace('rt');
    const peerNs = await tempNamespace('rt');
    const [eth0, peer] = await testVeth(ns, 'eth0', peerNs, 'eth0');
    await Promise.all([
      Address.add(eth0, '10.0.0.1/24'),
      Address.add(eth0, 'fd00::1/64', { flags: ['nodad'] }),
      Address.add(peer, '10.0.0.2/24'),
      Address.add(peer, 'fd00::2/64', { flags: ['nodad'] }),
    ]);
    return { ns, peerNs, eth0 };
  }

  it('adds, lists and removes routes like `ip route`; the result matches `ip -j route show`', async () => {
    const { ns, eth0 } = await setup();
    await Route.add(ns, { to: 'default', via: '10.0.0.2' });
    await Route.add(ns, { to: '10.9.0.0/16', via: '10.0.0.2', dev: eth0, metric: 5, protocol: 'static' });
    await Route.add(ns, { to: '10.8.0.0/16', dev: 'eth0', src: '10.0.0.1' });
    const ours = await Route.list(ns, { family: 4 });
    const ip = ipRoutes(ns);
    expect(ours.map((r) => r.to)).toEqual(ip.map((r) => r.dst));
    for (const [r, i] of ours.map((r, k) => [r, ip[k]!] as const)) {
      expect([r.via, (await r.getLink()).name, r.metric, r.src, r.scopeName === 'global' ? undefined : r.scopeName]).toEqual([
        i.gateway,
        i.dev,
        i.metric,
        i.prefsrc,
        i.scope,
      ]);
      expect(r.protocolName === 'boot' ? undefined : r.protocolName).toBe(i.protocol);
    }
    expect(ours.find((r) => r.to === '10.8.0.0/16')!.scopeName).toBe('link'); // no gateway: scope link, as iproute2
    await Route.remove(ns, { to: '10.9.0.0/16' });
    const [dflt] = (await Route.list(ns, { family: 4 })).filter((r) => r.to === 'default');
    await dflt!.remove();
    expect(ipRoutes(ns).map((r) => r.dst)).toEqual(['10.0.0.0/24', '10.8.0.0/16']);
  });

  it('tables: main by default, numbered (small and > 255), local, all; an unused table lists empty', async () => {
    const { ns } = await setup();
    await Route.add(ns, { to: '10.20.0.0/16', via: '10.0.0.2', table: 100 });
    await Route.add(ns, { to: '10.21.0.0/16', via: '10.0.0.2', table: 100000 });
    await Route.add(ns, { to: '10.0.0.77', type: 'local', dev: 'eth0', table: 'local' });
    expect((await Route.list(ns, { table: 100 })).map((r) => [r.to, r.table])).toEqual([['10.20.0.0/16', 100]]);
    expect((await Route.list(ns, { table: 100000 })).map((r) => [r.to, r.table, r.tableName])).toEqual([['10.21.0.0/16', 100000, '100000']]);
    expect(ipRoutes(ns, ['table', '100000']).map((r) => r.dst)).toEqual(['10.21.0.0/16']);
    expect((await Route.list(ns, { family: 4 })).map((r) => r.to)).toEqual(['10.0.0.0/24']);
    const local = await Route.list(ns, { family: 4, table: 'local' });
    expect(local.find((r) => r.to === '10.0.0.77/32')!.type).toBe('local');
    expect(local.find((r) => r.to === '10.0.0.77/32')!.scopeName).toBe('host');
    const all = await Route.list(ns, { table: 'all' });
    expect(new Set(all.map((r) => r.tableName))).toEqual(new Set(['main', 'local', '100', '100000']));
    const ipAll = [...ipRoutes(ns, ['table', 'all']), ...ipRoutes(ns, ['table', 'all'], 6)];
    expect(all.length).toBe(ipAll.length);
    expect(await Route.list(ns, { table: 4242 })).toEqual([]);
    await Route.remove(ns, { to: '10.21.0.0/16', table: 100000 });
    expect(await Route.list(ns, { table: 100000 })).toEqual([]);
  });

  it('types blackhole, unreachable, prohibit, throw', async () => {
    const { ns } = await setup();
    await Route.add(ns, { to: '10.66.0.0/16', type: 'blackhole' });
    await Route.add(ns, { to: '10.67.0.0/16', type: 'unreachable' });
    await Route.add(ns, { to: '10.68.0.0/16', type: 'prohibit' });
    await Route.add(ns, { to: '10.69.0.0/16', type: 'throw', table: 7 });
    await Route.add(ns, { to: 'fd66::/64', type: 'blackhole' });
    const byTo = new Map((await Route.list(ns, { table: 'all' })).map((r) => [r.to, r.type]));
    expect([byTo.get('10.66.0.0/16'), byTo.get('10.67.0.0/16'), byTo.get('10.68.0.0/16'), byTo.get('10.69.0.0/16'), byTo.get('fd66::/64')]).toEqual([
      'blackhole',
      'unreachable',
      'prohibit',
      'throw',
      'blackhole',
    ]);
    expect(ipRoutes(ns).filter((r) => r.type).map((r) => [r.type, r.dst])).toEqual([
      ['blackhole', '10.66.0.0/16'],
      ['unreachable', '10.67.0.0/16'],
      ['prohibit', '10.68.0.0/16'],
    ]);
    const err = await Route.get(ns, '10.67.1.1').catch((e: unknown) => e);
    expect((err as NetlinkError).code).toBe('EHOSTUNREACH');
    expect(await Route.list(ns, { family: 4, type: 'prohibit' })).toHaveLength(1);
    await Route.remove(ns, { to: '10.66.0.0/16', type: 'blackhole' });
    expect(ipRoutes(ns).some((r) => r.dst === '10.66.0.0/16')).toBe(false);
  });

  it('replace swaps the gateway, append adds a second route to the same destination', async () => {
    const { ns, eth0 } = await setup();
    await Route.add(ns, { to: '10.30.0.0/16', via: '10.0.0.2' });
    await Route.replace(ns, { to: '10.30.0.0/16', via: '10.0.0.3' });
    expect(ipRoutes(ns).filter((r) => r.dst === '10.30.0.0/16').map((r) => r.gateway)).toEqual(['10.0.0.3']);
    await Route.replace(ns, { to: '10.31.0.0/16', dev: eth0 }); // replace creates
    await Route.append(ns, { to: '10.30.0.0/16', via: '10.0.0.4' });
    expect((await Route.list(ns, { family: 4 })).filter((r) => r.to === '10.30.0.0/16').map((r) => r.via)).toEqual(['10.0.0.3', '10.0.0.4']);
  });

  it('multipath ECMP with weights, IPv4 and IPv6, as `ip route add … nexthop via … weight …`', async () => {
    const { ns, eth0 } = await setup();
    await Route.add(ns, { to: '10.40.0.0/16', nexthops: [{ via: '10.0.0.2', weight: 3 }, { via: '10.0.0.3', dev: eth0 }] });
    await Route.add(ns, { to: 'fd40::/64', nexthops: [{ via: 'fd00::2', dev: 'eth0', weight: 2 }, { via: 'fd00::3', dev: 'eth0' }] });
    const [v4] = (await Route.list(ns, { family: 4 })).filter((r) => r.to === '10.40.0.0/16');
    expect(v4!.nexthops!.map((n) => [n.via, n.linkIndex, n.weight])).toEqual([
      ['10.0.0.2', eth0.index, 3],
      ['10.0.0.3', eth0.index, 1],
    ]);
    expect(ipRoutes(ns).find((r) => r.dst === '10.40.0.0/16')!.nexthops!.map((n) => [n.gateway, n.dev, n.weight])).toEqual([
      ['10.0.0.2', 'eth0', 3],
      ['10.0.0.3', 'eth0', 1],
    ]);
    const [v6] = (await Route.list(ns, { family: 6 })).filter((r) => r.to === 'fd40::/64');
    expect(v6!.nexthops!.map((n) => [n.via, n.weight])).toEqual([
      ['fd00::2', 2],
      ['fd00::3', 1],
    ]);
    expect(ipRoutes(ns, [], 6).find((r) => r.dst === 'fd40::/64')!.nexthops!.map((n) => [n.gateway, n.weight])).toEqual([
      ['fd00::2', 2],
      ['fd00::3', 1],
    ]);
    const hit = await Route.get(ns, '10.40.1.1');
    expect(['10.0.0.2', '10.0.0.3']).toContain(hit.via);
    await v4!.remove();
    expect((await Route.list(ns, { family: 4 })).some((r) => r.to === '10.40.0.0/16')).toBe(false);
  });

  it('onlink gateways, metrics with lock, and an IPv6 gateway for an IPv4 route (RTA_VIA)', async () => {
    const { ns, eth0 } = await setup();
    const err = await Route.add(ns, { to: '10.50.0.0/16', via: '192.0.2.1', dev: eth0 }).catch((e: unknown) => e);
    expect((err as NetlinkError).code).toBe('ENETUNREACH');
    await Route.add(ns, { to: '10.50.0.0/16', via: '192.0.2.1', dev: eth0, onlink: true, metrics: { mtu: 1400, advmss: 1360 }, lock: ['mtu'] });
    const [r] = (await Route.list(ns, { family: 4 })).filter((x) => x.to === '10.50.0.0/16');
    expect([r!.onlink, r!.flagNames, r!.metrics]).toEqual([true, ['onlink'], { mtu: 1400, advmss: 1360, lock: 4 }]);
    const ip = ipRoutes(ns).find((x) => x.dst === '10.50.0.0/16')!;
    expect(ip.flags).toEqual(['onlink']);
    expect(ip.metrics).toEqual([{ mtu: 1400, advmss: 1360 }]);
    // iproute2's JSON leaves out the lock; its text shows it
    expect(sh('ip', ['-n', ns.name!, 'route', 'show', '10.50.0.0/16'])).toMatch(/mtu lock 1400 advmss 1360/);

    await Route.add(ns, { to: '10.51.0.0/16', via: 'fd00::2', dev: eth0 });
    const [v] = (await Route.list(ns, { family: 4 })).filter((x) => x.to === '10.51.0.0/16');
    expect(v!.via).toBe('fd00::2');
    expect(ipRoutes(ns).find((x) => x.dst === '10.51.0.0/16')!.via).toEqual({ family: 'inet6', host: 'fd00::2' });
  });

  it('errors: EEXIST names the route; an off-link gateway is ENETUNREACH with the kernel message; removing a missing route is ESRCH', async () => {
    const { ns } = await setup();
    await Route.add(ns, { to: '10.60.0.0/16', via: '10.0.0.2', table: 60 });
    const dup = await Route.add(ns, { to: '10.60.0.0/16', via: '10.0.0.2', table: 60 }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(NetlinkError);
    expect((dup as NetlinkError).code).toBe('EEXIST');
    expect((dup as Error).message).toMatch(/^add route 10\.60\.0\.0\/16 via 10\.0\.0\.2 table 60 in \S+: .*\(EEXIST\)$/);
    const unreach = await Route.add(ns, { to: '10.61.0.0/16', via: '10.5.0.2' }).catch((e: unknown) => e);
    expect((unreach as NetlinkError).code).toBe('ENETUNREACH');
    expect((unreach as NetlinkError).kernelMessage).toBe('Nexthop has invalid gateway');
    expect((unreach as Error).message).toBe(`add route 10.61.0.0/16 via 10.5.0.2 in ${ns.name}: Nexthop has invalid gateway (ENETUNREACH)`);
    const v6 = await Route.add(ns, { to: 'fd61::/64', via: 'fd05::2' }).catch((e: unknown) => e);
    expect(v6).toBeInstanceOf(NetlinkError);
    expect((v6 as NetlinkError).code).toBe('EHOSTUNREACH'); // IPv6 answers this way, without an extended-ACK text
    expect((v6 as Error).message).toMatch(/^add route fd61::\/64 via fd05::2 in /);
    const missing = await Route.remove(ns, { to: '10.62.0.0/16' }).catch((e: unknown) => e);
    expect((missing as NetlinkError).code).toBe('ESRCH');
    expect(ipRoutes(ns, ['table', '60']).length).toBe(1);
  });

  it('get asks the kernel: gateway, source and device; fibMatch returns the matching entry; no route is ENETUNREACH', async () => {
    const { ns, eth0 } = await setup();
    await Route.add(ns, { to: '192.168.2.0/24', via: '10.0.0.2' });
    const r = await Route.get(ns, '192.168.2.2');
    expect([r.to, r.via, r.src, r.linkIndex, r.table]).toEqual(['192.168.2.2/32', '10.0.0.2', '10.0.0.1', eth0.index, 254]);
    expect((await r.getLink()).name).toBe('eth0');
    const ip = ipJson<{ dst: string; gateway: string; dev: string; prefsrc: string }[]>(['route', 'get', '192.168.2.2'], ns)[0]!;
    expect([ip.dst, ip.gateway, ip.dev, ip.prefsrc]).toEqual(['192.168.2.2', r.via, 'eth0', r.src]);
    const fib = await Route.get(ns, '192.168.2.2', { fibMatch: true });
    expect([fib.to, fib.via, fib.protocolName]).toEqual(['192.168.2.0/24', '10.0.0.2', 'boot']);
    const direct = await Route.get(ns, '10.0.0.2', { oif: eth0, mark: 7, uid: 0 });
    expect([direct.via, direct.src]).toEqual([undefined, '10.0.0.1']);
    const none = await Route.get(ns, '203.0.113.1').catch((e: unknown) => e);
    expect((none as NetlinkError).code).toBe('ENETUNREACH');
    expect((none as Error).message).toMatch(/^get route to 203\.0\.113\.1 in \S+: /);
    const six = await Route.get(ns, 'fd00::2');
    expect([six.family, six.src, six.linkIndex]).toEqual([6, 'fd00::1', eth0.index]);
    // input route: a packet arriving on eth0 from 10.0.0.2, for a local address
    const input = await Route.get(ns, '10.0.0.1', { from: '10.0.0.2', iif: 'eth0' });
    expect([input.type, input.iifIndex]).toEqual(['local', eth0.index]);
  });

  it('lists by device, protocol and family in the kernel; IPv6 routes with preference and expiry', async () => {
    const { ns, eth0 } = await setup();
    const [eth1] = await testVeth(ns, 'eth1', await tempNamespace('rt'), 'x');
    await Address.add(eth1!, '10.1.0.1/24');
    await Route.add(ns, { to: '10.70.0.0/16', via: '10.1.0.2', protocol: 'bgp' });
    await Route.add(ns, { to: 'fd70::/64', via: 'fd00::2', pref: 'high', expires: 600, metric: 50 });
    expect((await Route.list(ns, { family: 4, dev: eth1! })).map((r) => r.to)).toEqual(['10.1.0.0/24', '10.70.0.0/16']);
    expect((await Route.list(ns, { dev: 'eth1' })).every((r) => r.linkIndex === eth1!.index)).toBe(true);
    expect((await Route.list(ns, { protocol: 'bgp' })).map((r) => r.to)).toEqual(['10.70.0.0/16']);
    expect((await Route.list(ns, { family: 4, protocol: 'kernel' })).map((r) => r.to)).toEqual(['10.0.0.0/24', '10.1.0.0/24']);
    const [v6] = (await Route.list(ns, { family: 6, dev: eth0 })).filter((r) => r.to === 'fd70::/64');
    expect([v6!.via, v6!.pref, v6!.metric]).toEqual(['fd00::2', 'high', 50]);
    expect(v6!.expires).toBeGreaterThan(500);
    expect(v6!.expires).toBeLessThanOrEqual(600);
    const ip = ipRoutes(ns, [], 6).find((r) => r.dst === 'fd70::/64')!;
    expect([ip.gateway, ip.pref, ip.metric]).toEqual(['fd00::2', 'high', 50]);
    expect(ip.expires).toBeGreaterThan(500);
    await Route.add(ns, { to: 'default', via: 'fd00::2' });
    expect((await Route.list(ns, { family: 6 })).find((r) => r.to === 'default')!.via).toBe('fd00::2');
    expect(ipRoutes(ns, [], 6).find((r) => r.dst === 'default')!.gateway).toBe('fd00::2');
  });
});
