/**
 * SCENARIOS.md 000 step 5, 001 steps 1–2 and 4, with IPv6 variants: real traffic between
 * namespaces these tests create (and only between them).
 *
 * How the two-router TTL is checked (001 step 4): Node cannot read a datagram's TTL
 * (no IP_RECVTTL in dgram), so the receiving namespace opens a raw IPPROTO_UDP socket,
 * which gets a copy of every UDP packet delivered there *with its IPv4 header*: a
 * datagram sent with TTL 64 must show TTL 62. Independently, a datagram sent with TTL 2
 * must die at the second router (its `Ip InHdrErrors` counter goes up, and the sender
 * counts an ICMP time-exceeded) while one sent with TTL 3 arrives with TTL 1 and the TTL-2
 * one never does. IPv6 raw sockets do not deliver the header, so the IPv6 variant uses
 * only the second method, with the sender's hop limit set through its
 * `net.ipv6.conf.eth0.hop_limit` sysctl.
 */
import { describe, expect, it } from 'vitest';
import { Address, type Link, type Namespace, Neighbor, Route, Sysctl } from '../../src/index.js';
import { ipJson, rootSkip, tempNamespace, useTempNamespaces } from '../helpers/env.js';
import { testBridge, testSetMaster, testVeth } from '../helpers/links.js';
import { echo, eventually, RawUdpReceiver, sendUdp, snmpCounter, tcpEchoServer } from '../helpers/traffic.js';

describe.skipIf(!!rootSkip)('SCENARIOS: addresses, routes and neighbours with traffic', () => {
  useTempNamespaces();

  it('000 step 5: a veth pair with 10.0.0.1/24 and 10.0.0.2/24 carries TCP both ways; IPv6 too', async () => {
    const ns1 = await tempNamespace('s5');
    const ns2 = await tempNamespace('s5');
    const [a, b] = await testVeth(ns1, 'veth0', ns2, 'veth1');
    await Promise.all([
      Address.add(a, '10.0.0.1/24'),
      Address.add(b, '10.0.0.2/24'),
      Address.add(a, 'fd00::1/64', { flags: ['nodad'] }),
      Address.add(b, 'fd00::2/64', { flags: ['nodad'] }),
    ]);
    const s2 = await tcpEchoServer(ns2, 7000);
    const s1 = await tcpEchoServer(ns1, 7001);
    try {
      expect(await echo(ns1, '10.0.0.2', 7000, 'hello from ns1')).toBe('hello from ns1');
      expect(await echo(ns2, '10.0.0.1', 7001, 'hello from ns2')).toBe('hello from ns2');
      expect(await echo(ns1, 'fd00::2', 7000, 'hello over IPv6')).toBe('hello over IPv6');
    } finally {
      await Promise.all([s1.close(), s2.close()]);
    }
    // the traffic taught ns1 the peer's MAC, in both tables
    const learned = await Neighbor.list(ns1, { link: a });
    expect(learned.find((n) => n.address === '10.0.0.2')!.lladdr).toBe(b.address);
    expect(learned.find((n) => n.address === 'fd00::2')!.lladdr).toBe(b.address);
    expect(ipJson<{ dst: string; lladdr: string }[]>(['neigh', 'show', 'dev', 'veth0'], ns1).find((n) => n.dst === '10.0.0.2')!.lladdr).toBe(b.address);
  });

  it('001 steps 1–2: three namespaces on one bridge reach each other; a deleted neighbour entry is re-learned', async () => {
    const host = await tempNamespace('l2');
    const br = await testBridge(host, 'br0');
    const members: { ns: Namespace; eth0: Link; ip: string }[] = [];
    for (const n of [1, 2, 3]) {
      const ns = await tempNamespace('l2');
      const [eth0, port] = await testVeth(ns, 'eth0', host, `port${n}`);
      await testSetMaster(port, br);
      await Address.add(eth0, `192.168.1.${n}/24`);
      members.push({ ns, eth0, ip: `192.168.1.${n}` });
    }
    const [m1, m2, m3] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];
    const servers = [await tcpEchoServer(m2.ns, 7000), await tcpEchoServer(m3.ns, 7000)];
    try {
      expect(await echo(m1.ns, m2.ip, 7000, 'to ns2')).toBe('to ns2');
      expect(await echo(m1.ns, m3.ip, 7000, 'to ns3')).toBe('to ns3');
      // `ip neigh show dev eth0` in ns1
      const neigh = await Neighbor.list(m1.ns, { link: m1.eth0, family: 4 });
      expect(neigh.map((n) => [n.address, n.lladdr]).sort()).toEqual([
        [m2.ip, m2.eth0.address],
        [m3.ip, m3.eth0.address],
      ]);
      const ip = ipJson<{ dst: string; lladdr: string }[]>(['-4', 'neigh', 'show', 'dev', 'eth0'], m1.ns);
      expect(ip.map((n) => [n.dst, n.lladdr]).sort()).toEqual(neigh.map((n) => [n.address, n.lladdr]).sort());
      // `ip neigh del 192.168.1.2 dev eth0`
      await Neighbor.remove(m1.ns, { address: m2.ip, link: m1.eth0 });
      expect((await Neighbor.list(m1.ns, { link: m1.eth0, family: 4 })).map((n) => n.address)).toEqual([m3.ip]);
      expect(ipJson<{ dst: string }[]>(['-4', 'neigh', 'show', 'dev', 'eth0'], m1.ns).map((n) => n.dst)).toEqual([m3.ip]);
      // traffic re-learns it
      expect(await echo(m1.ns, m2.ip, 7000, 'again')).toBe('again');
      const again = (await Neighbor.list(m1.ns, { link: m1.eth0, family: 4 })).find((n) => n.address === m2.ip);
      expect(again!.lladdr).toBe(m2.eth0.address);
      expect(again!.stateNames.some((s) => ['reachable', 'stale', 'delay', 'probe'].includes(s))).toBe(true);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });

  /**
   * Two "VMs" (namespaces vm1, vm2), each with a bridge br0 holding the gateway address
   * and one "container" namespace behind it; the VMs are joined on 172.16.0.0/24 and route
   * each other's container subnet; forwarding is on in both.
   */
  async function twoRouters(v6: boolean): Promise<{ c1: Namespace; c2: Namespace; vm1: Namespace; vm2: Namespace; c1eth0: Link }> {
    const [vm1, vm2, c1, c2] = await Promise.all(['vm', 'vm', 'ct', 'ct'].map((t) => tempNamespace(t)));
    const nets = v6
      ? { c1: 'fd01::2/64', gw1: 'fd01::1/64', r1: 'fd12::1/64', r2: 'fd12::2/64', gw2: 'fd02::1/64', c2: 'fd02::2/64', n1: 'fd01::/64', n2: 'fd02::/64', h1: 'fd12::1', h2: 'fd12::2', d1: 'fd01::1', d2: 'fd02::1' }
      : { c1: '192.168.1.2/24', gw1: '192.168.1.1/24', r1: '172.16.0.1/24', r2: '172.16.0.2/24', gw2: '192.168.2.1/24', c2: '192.168.2.2/24', n1: '192.168.1.0/24', n2: '192.168.2.0/24', h1: '172.16.0.1', h2: '172.16.0.2', d1: '192.168.1.1', d2: '192.168.2.1' };
    const opts = v6 ? { flags: ['nodad' as const] } : {};
    const br1 = await testBridge(vm1!, 'br0');
    const br2 = await testBridge(vm2!, 'br0');
    const [c1eth0, c1port] = await testVeth(c1!, 'eth0', vm1!, 'c1port');
    const [c2eth0, c2port] = await testVeth(c2!, 'eth0', vm2!, 'c2port');
    const [r1, r2] = await testVeth(vm1!, 'tovm2', vm2!, 'tovm1');
    await testSetMaster(c1port, br1);
    await testSetMaster(c2port, br2);
    await Promise.all([
      Address.add(c1eth0, nets.c1, opts),
      Address.add(br1, nets.gw1, opts),
      Address.add(r1, nets.r1, opts),
      Address.add(r2, nets.r2, opts),
      Address.add(br2, nets.gw2, opts),
      Address.add(c2eth0, nets.c2, opts),
    ]);
    await Promise.all([
      Route.add(c1!, { to: 'default', via: nets.d1 }),
      Route.add(c2!, { to: 'default', via: nets.d2 }),
      Route.add(vm1!, { to: nets.n2, via: nets.h2 }),
      Route.add(vm2!, { to: nets.n1, via: nets.h1 }),
    ]);
    const key = v6 ? 'net.ipv6.conf.all.forwarding' : 'net.ipv4.ip_forward';
    await Promise.all([Sysctl.of(vm1!).set(key, 1), Sysctl.of(vm2!).set(key, 1)]);
    return { c1: c1!, c2: c2!, vm1: vm1!, vm2: vm2!, c1eth0 };
  }

  it('001 step 4: across two routers — routes resolve, TCP works, TTL 64 arrives as 62, TTL 2 dies at the second router', async () => {
    const { c1, c2, vm1, vm2, c1eth0 } = await twoRouters(false);
    const r = await Route.get(c1, '192.168.2.2');
    expect([r.via, r.src, r.linkIndex]).toEqual(['192.168.1.1', '192.168.1.2', c1eth0.index]);
    const hop = await Route.get(vm1, '192.168.2.2');
    expect([hop.via, (await hop.getLink()).name]).toEqual(['172.16.0.2', 'tovm2']);
    expect(ipJson<{ gateway: string; dev: string }[]>(['route', 'get', '192.168.2.2'], vm1)[0]).toMatchObject({ gateway: '172.16.0.2', dev: 'tovm2' });

    const server = await tcpEchoServer(c2, 7000);
    try {
      expect(await echo(c1, '192.168.2.2', 7000, 'across two routers')).toBe('across two routers');
    } finally {
      await server.close();
    }

    const rx = await RawUdpReceiver.open(c2, 4);
    try {
      await sendUdp(c1, '192.168.2.2', 9999, 'ttl64', 64);
      const [p64] = await rx.collectUntil(9999, 'ttl64');
      expect(p64!.ttl).toBe(62);

      const hdrErrors = await snmpCounter(vm2, 'Ip', 'InHdrErrors');
      const timeExceeded = await snmpCounter(c1, 'Icmp', 'InTimeExcds');
      await sendUdp(c1, '192.168.2.2', 9999, 'ttl2', 2);
      await eventually(async () => (await snmpCounter(vm2, 'Ip', 'InHdrErrors')) === hdrErrors + 1, 'the second router to drop the TTL-2 packet');
      await eventually(async () => (await snmpCounter(c1, 'Icmp', 'InTimeExcds')) === timeExceeded + 1, 'the ICMP time-exceeded back at the sender');
      expect(await snmpCounter(vm1, 'Ip', 'InHdrErrors')).toBe(0); // the first router forwarded it
      await sendUdp(c1, '192.168.2.2', 9999, 'ttl3', 3);
      const seen = await rx.collectUntil(9999, 'ttl3');
      expect(seen.map((p) => [p.payload, p.ttl])).toEqual([['ttl3', 1]]);
    } finally {
      rx.close();
    }
  });

  it('001 step 4 over IPv6: routes resolve, TCP works, hop limit 2 dies at the second router, 3 arrives', async () => {
    const { c1, c2, vm2, c1eth0 } = await twoRouters(true);
    const r = await Route.get(c1, 'fd02::2');
    expect([r.via, r.src, r.linkIndex]).toEqual(['fd01::1', 'fd01::2', c1eth0.index]);

    const server = await tcpEchoServer(c2, 7000);
    try {
      expect(await echo(c1, 'fd02::2', 7000, 'v6 across two routers')).toBe('v6 across two routers');
    } finally {
      await server.close();
    }

    const rx = await RawUdpReceiver.open(c2, 6);
    try {
      const hdrErrors = await snmpCounter(vm2, 'Ip6', 'InHdrErrors');
      await Sysctl.of(c1).set('net.ipv6.conf.eth0.hop_limit', 2);
      await sendUdp(c1, 'fd02::2', 9999, 'hl2');
      await eventually(async () => (await snmpCounter(vm2, 'Ip6', 'InHdrErrors')) === hdrErrors + 1, 'the second router to drop the hop-limit-2 packet');
      await Sysctl.of(c1).set('net.ipv6.conf.eth0.hop_limit', 3);
      await sendUdp(c1, 'fd02::2', 9999, 'hl3');
      const seen = await rx.collectUntil(9999, 'hl3');
      expect(seen.map((p) => p.payload)).toEqual(['hl3']);
    } finally {
      rx.close();
    }
  });
});
