/**
 * BridgeNetwork as Docker does it: the bugs found side by side with Docker (gateway MAC
 * moving, overlapping pools, the interface-name clash, concurrent disconnects) and the
 * `docker network create` / `daemon.json` options, with real traffic in throwaway namespaces.
 */
import { describe, expect, it } from 'vitest';
import { Address, Bridge, BridgeNetwork, Link, PoolOverlapError, Sysctl, Route, type Namespace } from '../../src/index.js';
import { tcpEcho, tcpEchoServer } from '../../src/testing/index.js';
import { ipJson, rootSkip, tempNamespace, useTempNamespaces } from '../helpers/env.js';
import { eventually } from '../helpers/traffic.js';

const names = async (ns: Namespace): Promise<string[]> => (await Link.list(ns)).map((l) => l.name).sort();
const mac = async (ns: Namespace, name: string): Promise<string | undefined> => (await Link.get(ns, name)).address;

describe.skipIf(!!rootSkip)('BridgeNetwork: Docker parity', () => {
  useTempNamespaces();

  it('the gateway MAC is fixed: it does not move when the container whose MAC the bridge borrowed disconnects', async () => {
    const host = await tempNamespace('host');
    const [a, b] = [await tempNamespace('a'), await tempNamespace('b')];
    const net = await BridgeNetwork.create(host, { subnet: '10.110.0.0/24' });
    const before = await mac(host, net.bridge.name);
    expect(before).toBe(net.config.bridgeMac);
    expect(before).toMatch(/^02:42:/);
    // a's MAC (02:42:0a:6e:00:02) is lower than b's: a bridge without a fixed MAC would take it
    await net.connect(a);
    await net.connect(b);
    expect(await mac(host, net.bridge.name)).toBe(before);
    const srv = await tcpEchoServer(host, 8000);
    try {
      expect((await tcpEcho(b, net.gateway, 8000, 'b->gw')).ok).toBe(true); // b learns the gateway's MAC
      await net.disconnect(a);
      expect(await mac(host, net.bridge.name)).toBe(before);
      // b's ARP entry for the gateway is still right: TCP goes through at once
      expect((await tcpEcho(b, net.gateway, 8000, 'b->gw again', { timeoutMs: 2000 })).ok).toBe(true);
      expect(ipJson(['neigh', 'show', net.gateway], b).map((n: any) => n.lladdr)).toEqual([before]);
    } finally {
      await srv.close();
    }
  });

  it("picks Docker's next free pool (172.17/16, 172.18/16, …, then 192.168.x.0/20) from the kernel's addresses, and refuses an overlap with a typed error", async () => {
    const host = await tempNamespace('host');
    const n1 = await BridgeNetwork.create(host, { name: 'one' });
    const n2 = await BridgeNetwork.create(host, { name: 'two' });
    expect([n1.subnet, n1.gateway, n2.subnet, n2.gateway]).toEqual(['172.17.0.0/16', '172.17.0.1', '172.18.0.0/16', '172.18.0.1']);
    // a bridge made by someone else (say Docker's docker0) holding 172.19.0.1/16: skipped
    const foreign = await Bridge.create(host, { name: 'docker0', up: true });
    await Address.add(foreign, '172.19.0.1/16');
    expect((await BridgeNetwork.create(host, { name: 'three' })).subnet).toBe('172.20.0.0/16');
    // a route in the namespace counts too
    await Route.add(host, { to: '172.21.0.0/16', dev: foreign });
    expect((await BridgeNetwork.create(host, { name: 'four' })).subnet).toBe('172.22.0.0/16');
    // explicit overlaps: with another network, and with an address on an interface
    for (const [subnet, conflict] of [['172.18.5.0/24', '172.18.0.0/16'], ['172.19.0.0/24', '172.19.0.0/16'], ['172.0.0.0/8', '172.17.0.0/16']] as const) {
      const err = await BridgeNetwork.create(host, { name: 'clash', subnet }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PoolOverlapError);
      expect(err).toMatchObject({ code: 'EADDRINUSE', subnet, conflict, message: expect.stringContaining('Pool overlaps with other one on this address space') });
    }
    expect((await Link.list(host, { kind: 'bridge' })).length).toBe(5); // nothing half-made
    // when 172.16.0.0/12 is all taken, the 192.168.0.0/16 pool cut into /20s
    await Address.add(foreign, '172.16.0.1/12');
    expect((await BridgeNetwork.create(host, { name: 'five' })).subnet).toBe('192.168.0.0/20');
    expect((await BridgeNetwork.create(host, { name: 'six' })).subnet).toBe('192.168.16.0/20');
    // a removed network's pool is free again
    await n1.remove();
    await Address.remove(foreign, '172.16.0.1/12');
    expect((await BridgeNetwork.create(host, { name: 'seven' })).subnet).toBe('172.17.0.0/16');
    // two networks of the same name in one namespace: refused
    await expect(BridgeNetwork.create(host, { name: 'two' })).rejects.toMatchObject({ code: 'EEXIST', message: expect.stringContaining('a network with that name exists') });
    for (const n of await BridgeNetwork.list(host)) await (await BridgeNetwork.open(host, n.name)).remove({ force: true });
    expect(await BridgeNetwork.list(host)).toEqual([]);
  });

  it('an interface name the container already has is refused naming the clash inside the container', async () => {
    const host = await tempNamespace('host');
    const c = await tempNamespace('c');
    const n1 = await BridgeNetwork.create(host, { name: 'n1', subnet: '10.111.0.0/24' });
    const n2 = await BridgeNetwork.create(host, { name: 'n2', subnet: '10.112.0.0/24' });
    await n1.connect(c); // eth0
    const err = (await n2.connect(c, { ifname: 'eth0' }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err).toMatchObject({ code: 'EEXIST' });
    expect(err.message).toContain('the container already has an interface named eth0');
    expect(err.message).not.toMatch(/veth[0-9a-f]{7}/);
    expect(await names(c)).toEqual(['eth0', 'lo']);
    expect(ipJson(['link', 'show', 'master', n2.bridge.name], host)).toEqual([]); // nothing half-made
    expect((await n2.connect(c, { ifname: 'eth9' })).ifname).toBe('eth9');
  });

  it('20 concurrent disconnects all succeed and leave nothing (the veths are deleted through each container\'s socket)', async () => {
    const host = await tempNamespace('host');
    const cs = await Promise.all(Array.from({ length: 20 }, () => tempNamespace('c')));
    const net = await BridgeNetwork.create(host, { subnet: '10.113.0.0/24' });
    await Promise.all(cs.map((c) => net.connect(c)));
    expect(ipJson(['link', 'show', 'master', net.bridge.name], host)).toHaveLength(20);
    expect(await Promise.all(cs.map((c) => net.disconnect(c)))).toEqual(cs.map(() => true));
    expect(ipJson(['link', 'show', 'master', net.bridge.name], host)).toEqual([]);
    for (const c of cs) expect(await names(c)).toEqual(['lo']);
    expect(net.endpoints).toEqual([]);
    expect(await Promise.all(cs.map((c) => net.disconnect(c)))).toEqual(cs.map(() => false)); // idempotent
  });

  it('dual-stack: fixed-cidr-v6, v6 gateway on the bridge, v6 addresses and default routes for both families; IPv4-only networks switch IPv6 off in the container', async () => {
    const host = await tempNamespace('host');
    const [a, b, c] = [await tempNamespace('a'), await tempNamespace('b'), await tempNamespace('c')];
    const net = await BridgeNetwork.create(host, { name: 'ds', subnet: '10.114.0.0/24', subnetV6: 'fd00:114::/64' });
    expect([net.subnetV6, net.gatewayV6]).toEqual(['fd00:114::/64', 'fd00:114::1']);
    expect(ipJson(['-6', 'addr', 'show', 'dev', net.bridge.name], host)[0].addr_info.map((x: any) => `${x.local}/${x.prefixlen}`)).toContain('fd00:114::1/64');
    expect(await Sysctl.of(host).get(`net/ipv6/conf/${net.bridge.name}/accept_ra`)).toBe('0');
    const ea = await net.connect(a);
    const eb = await net.connect(b, { ip6: 'fd00:114::99' });
    expect([ea.ip, ea.ip6, eb.ip6]).toEqual(['10.114.0.2', 'fd00:114::2', 'fd00:114::99']);
    expect(ipJson(['-6', 'route', 'show', 'default'], a)).toEqual([expect.objectContaining({ gateway: 'fd00:114::1', dev: 'eth0' })]);
    expect(ipJson(['-4', 'route', 'show', 'default'], a)).toEqual([expect.objectContaining({ gateway: '10.114.0.1', dev: 'eth0' })]);
    const srv = await tcpEchoServer(b, 80);
    try {
      expect((await tcpEcho(a, 'fd00:114::99', 80, 'a->b over v6')).ok).toBe(true);
      expect((await tcpEcho(a, eb.ip, 80, 'a->b over v4')).ok).toBe(true);
    } finally {
      await srv.close();
    }
    expect((await net.inspect()).containers[1]).toMatchObject({ ipv6Address: 'fd00:114::99/64', ipv4Address: '10.114.0.3/24' });
    // IPv4-only network: IPv6 off on the container's interface, no v6 address at all
    const v4 = await BridgeNetwork.create(host, { name: 'v4only', subnet: '10.115.0.0/24' });
    await v4.connect(c);
    expect(await Sysctl.of(c).get('net/ipv6/conf/eth0/disable_ipv6')).toBe('1');
    expect(ipJson(['-6', 'addr', 'show', 'dev', 'eth0'], c)).toEqual([]);
    expect(await Sysctl.of(a).get('net/ipv6/conf/eth0/disable_ipv6')).toBe('0');
  });

  it('bip, ip-range (fixed-cidr), default-gateway override, internal, mtu on the bridge and both veth ends', async () => {
    const host = await tempNamespace('host');
    const cs = await Promise.all([1, 2, 3, 4, 5].map(() => tempNamespace('c')));
    const bip = await BridgeNetwork.create(host, { name: 'bip', bip: '10.116.3.1/16', mtu: 1400 });
    expect([bip.subnet, bip.gateway, bip.mtu]).toEqual(['10.116.0.0/16', '10.116.3.1', 1400]);
    const e0 = await bip.connect(cs[0]!);
    expect(e0.ip).toBe('10.116.0.1'); // the lowest free: the gateway is .3.1
    expect(ipJson(['link', 'show', 'dev', bip.bridge.name], host)[0].mtu).toBe(1400);
    expect(ipJson(['link', 'show', 'dev', e0.hostIfname], host)[0].mtu).toBe(1400);
    expect(ipJson(['link', 'show', 'dev', 'eth0'], cs[0]!)[0].mtu).toBe(1400);

    const ranged = await BridgeNetwork.create(host, { name: 'ranged', subnet: '10.117.0.0/24', ipRange: '10.117.0.128/25' });
    expect((await ranged.connect(cs[1]!)).ip).toBe('10.117.0.128');
    expect((await ranged.connect(cs[2]!, { ip: '10.117.0.5' })).ip).toBe('10.117.0.5'); // --ip may be outside the range, inside the subnet
    expect((await ranged.inspect()).ipRange).toBe('10.117.0.128/25');

    const dg = await BridgeNetwork.create(host, { name: 'dg', subnet: '10.118.0.0/24', defaultGateway: '10.118.0.254' });
    await dg.connect(cs[3]!);
    expect(ipJson(['-4', 'route', 'show', 'default'], cs[3]!)).toEqual([expect.objectContaining({ gateway: '10.118.0.254' })]);

    const internal = await BridgeNetwork.create(host, { name: 'int', subnet: '10.119.0.0/24', internal: true });
    const ei = await internal.connect(cs[4]!);
    expect(ei.defaultRoute).toBe(false);
    expect(ipJson(['-4', 'route', 'show', 'default'], cs[4]!)).toEqual([]);
    expect((await internal.inspect()).internal).toBe(true);
    const srv = await tcpEchoServer(host, 8000);
    try {
      expect((await tcpEcho(cs[4]!, internal.gateway, 8000, 'internal->gw')).ok).toBe(true); // the bridge itself is reachable
    } finally {
      await srv.close();
    }
    await expect(BridgeNetwork.create(host, { name: 'bad', subnet: '10.120.0.0/24', ipRange: '10.121.0.0/25' })).rejects.toMatchObject({ field: 'ipRange' });
    await expect(BridgeNetwork.create(host, { name: 'bad', bip: '10.120.0.1/16', subnet: '10.120.0.0/16' })).rejects.toMatchObject({ field: 'bip' });
    await expect(BridgeNetwork.create(host, { name: 'bad', subnet: '10.120.0.0/24', defaultGateway: '10.9.0.1' })).rejects.toMatchObject({ field: 'defaultGateway' });
    await expect(BridgeNetwork.create(host, { name: 'bad', gatewayV6: 'fd00::1' })).rejects.toMatchObject({ field: 'gatewayV6' });
  });

  it("container sysctls: ip_unprivileged_port_start and ping_group_range as options; arp_notify makes a reused address's new MAC known at once", async () => {
    const host = await tempNamespace('host');
    const [a, b, c] = [await tempNamespace('a'), await tempNamespace('b'), await tempNamespace('c')];
    const net = await BridgeNetwork.create(host, { subnet: '10.122.0.0/24' });
    const ea = await net.connect(a, { unprivilegedPortStart: 0, pingGroupRange: [0, 2147483647], mac: '02:00:00:00:0a:01' });
    expect(await Sysctl.of(a).get('net/ipv4/ip_unprivileged_port_start')).toBe('0');
    expect((await Sysctl.of(a).get('net/ipv4/ping_group_range')).split(/\s+/)).toEqual(['0', '2147483647']);
    expect(await Sysctl.of(a).get('net/ipv4/conf/eth0/arp_notify')).toBe('1');
    await net.connect(b);
    const srv = await tcpEchoServer(a, 80);
    try {
      expect((await tcpEcho(b, ea.ip, 80, 'b->a')).ok).toBe(true);
    } finally {
      await srv.close();
    }
    expect(ipJson(['neigh', 'show', ea.ip], b).map((n: any) => n.lladdr)).toEqual(['02:00:00:00:0a:01']);
    // a goes; c comes with the same address and another MAC: its gratuitous ARP updates b's entry without b asking
    // (after the kernel's locktime, 1 s, during which a neighbour entry just confirmed is not overridden)
    await net.disconnect(a);
    await new Promise((r) => setTimeout(r, 1100));
    await net.connect(c, { ip: ea.ip, mac: '02:00:00:00:0c:01' });
    await eventually(async () => ipJson(['neigh', 'show', ea.ip], b).some((n: any) => n.lladdr === '02:00:00:00:0c:01'), "b's neighbour entry to show c's MAC", 5000);
  });
});
