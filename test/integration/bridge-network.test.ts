/**
 * BridgeNetwork: SCENARIOS.md 000 step 7 (Docker's bridge mode) and 003 step 5
 * (`docker network create | connect | disconnect | inspect`), with real traffic, in
 * namespaces the tests create ("host" included), cross-checked with `ip -j`.
 */
import { describe, expect, it } from 'vitest';
import { Address, BridgeNetwork, NetnsKitError, Route, ValidationError, type Namespace, type NetworkEndpoint, type PortPublisher, type PublishedPort, Link } from '../../src/index.js';
import { tcpEcho, tcpEchoServer, udpEcho, udpEchoServer, type EchoServer } from '../../src/testing/index.js';
import { ipJson, rootSkip, tempNamespace, useTempNamespaces } from '../helpers/env.js';
import { eventually } from '../helpers/traffic.js';

const names = async (ns: Namespace): Promise<string[]> => (await Link.list(ns)).map((l) => l.name).sort();

describe.skipIf(!!rootSkip)('BridgeNetwork', () => {
  useTempNamespaces();

  it('docker network create + connect: Docker defaults (172.17.0.0/16, gateway .1, eth0, 02:42:ac:11:00:02, default route), as ip sees them', async () => {
    const host = await tempNamespace('host');
    const c1 = await tempNamespace('c1');
    const net = await BridgeNetwork.create(host);
    expect([net.name, net.subnet, net.gateway, net.id]).toEqual(['bridge', '172.17.0.0/16', '172.17.0.1', expect.stringMatching(/^[0-9a-f]{64}$/)]);
    expect(net.bridge.name).toBe(`br-${net.id.slice(0, 12)}`);
    const brAddr = ipJson(['addr', 'show', 'dev', net.bridge.name], host)[0];
    expect(brAddr.addr_info.map((a: any) => `${a.local}/${a.prefixlen}`)).toContain('172.17.0.1/16');

    const ep = await net.connect(c1);
    expect(ep).toMatchObject({ ifname: 'eth0', ip: '172.17.0.2', prefixLength: 16, mac: '02:42:ac:11:00:02', defaultRoute: true, name: c1.name });
    expect(ep.hostIfname).toMatch(/^veth[0-9a-f]{7}$/);
    // in the container: lo + eth0, both up, address, default route via the gateway
    expect(await names(c1)).toEqual(['eth0', 'lo']);
    const eth0 = ipJson(['addr', 'show', 'dev', 'eth0'], c1)[0];
    expect(eth0).toMatchObject({ ifindex: ep.ifindex, address: '02:42:ac:11:00:02', operstate: 'UP' });
    expect(eth0.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => [a.local, a.prefixlen, a.broadcast])).toEqual([['172.17.0.2', 16, '172.17.255.255']]);
    expect(ipJson(['link', 'show', 'dev', 'lo'], c1)[0].flags).toContain('UP');
    expect(ipJson(['-4', 'route', 'show', 'default'], c1)).toEqual([expect.objectContaining({ dst: 'default', gateway: '172.17.0.1', dev: 'eth0' })]);
    // on the host: the veth is a port of br-<id>
    expect(ipJson(['link', 'show', 'master', net.bridge.name], host).map((l: any) => l.ifname)).toEqual([ep.hostIfname]);

    const info = await net.inspect();
    expect(info).toMatchObject({ name: 'bridge', id: net.id, driver: 'bridge', namespace: host.name, bridge: net.bridge.name, bridgeUp: true, subnet: '172.17.0.0/16', gateway: '172.17.0.1', gatewayOnBridge: true });
    expect(info.containers).toEqual([
      { name: c1.name, endpointId: ep.id, namespace: c1.name, ifname: 'eth0', hostIfname: ep.hostIfname, attached: true, macAddress: '02:42:ac:11:00:02', ipv4Address: '172.17.0.2/16', ipv6Address: '', aliases: [], ports: [] },
    ]);

    // traffic: container → gateway (a server in the host namespace), gateway → container
    const gw = await tcpEchoServer(host, 8000);
    const srv = await tcpEchoServer(c1, 80);
    try {
      expect((await tcpEcho(c1, '172.17.0.1', 8000, 'to the gateway')).ok).toBe(true);
      expect((await tcpEcho(host, '172.17.0.2', 80, 'to the container')).ok).toBe(true);
    } finally {
      await Promise.all([gw.close(), srv.close()]);
    }
  });

  it('20 containers on one network all reach each other and the gateway (TCP), and the gateway over UDP', async () => {
    const host = await tempNamespace('host');
    const net = await BridgeNetwork.create(host, { name: 'twenty', subnet: '10.20.0.0/24' });
    const containers = await Promise.all(Array.from({ length: 20 }, () => tempNamespace('c')));
    const eps = await Promise.all(containers.map((c) => net.connect(c)));
    expect(new Set(eps.map((e) => e.ip)).size).toBe(20);
    expect(eps.map((e) => e.ip).sort((a, b) => Number(a.split('.')[3]) - Number(b.split('.')[3]))).toEqual(Array.from({ length: 20 }, (_, i) => `10.20.0.${i + 2}`));
    expect(ipJson(['link', 'show', 'master', net.bridge.name], host)).toHaveLength(20);

    const servers: EchoServer[] = [...(await Promise.all(containers.map((c) => tcpEchoServer(c, 7000)))), await tcpEchoServer(host, 7000), await udpEchoServer(host, 7000)];
    try {
      const results = await Promise.all(
        eps.flatMap((from) => [
          ...eps.filter((to) => to !== from).map((to) => tcpEcho(from.namespace, to.ip, 7000, `${from.ip}->${to.ip}`)),
          tcpEcho(from.namespace, net.gateway, 7000, `${from.ip}->gateway`),
          udpEcho(from.namespace, net.gateway, 7000, `${from.ip}->gateway/udp`),
        ]),
      );
      expect(results).toHaveLength(20 * 19 + 40);
      expect(results.filter((r) => !r.ok)).toEqual([]);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });

  it('IP reuse after disconnect; --ip; addresses in use, outside the subnet, network, broadcast and gateway are refused', async () => {
    const host = await tempNamespace('host');
    const [a, b, c, d, e] = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((t) => tempNamespace(t)));
    const net = await BridgeNetwork.create(host, { name: 'reuse', subnet: '192.168.2.0/24', gateway: '192.168.2.254' });
    expect((await net.connect(a!)).ip).toBe('192.168.2.1');
    const eb = await net.connect(b!);
    expect(eb.ip).toBe('192.168.2.2');
    expect((await net.connect(c!)).ip).toBe('192.168.2.3');

    await net.disconnect(b!);
    expect(await names(b!)).toEqual(['lo']); // its eth0 went with the pair
    expect((await Link.list(host)).map((l) => l.name)).not.toContain(eb.hostIfname);
    expect(net.endpoints.map((x) => x.name)).toEqual([a!.name, c!.name]);
    expect((await net.connect(d!)).ip).toBe('192.168.2.2'); // reused

    await expect(net.connect(e!, { ip: '192.168.2.3' })).rejects.toMatchObject({ code: 'EADDRINUSE', message: expect.stringContaining('192.168.2.3 is already in use') });
    for (const [ip, why] of [
      ['10.0.0.5', /not in 192.168.2.0\/24/],
      ['192.168.2.0', /network address/],
      ['192.168.2.255', /broadcast address/],
      ['300.1.1.1', /not an IPv4 or IPv6 address/],
    ] as const) {
      const err = await net.connect(e!, { ip }).catch((x) => x);
      expect(err).toBeInstanceOf(ValidationError);
      expect([err.field, err.message]).toEqual(['ip', expect.stringMatching(why)]);
    }
    await expect(net.connect(e!, { ip: '192.168.2.254' })).rejects.toMatchObject({ code: 'EADDRINUSE' }); // the gateway
    expect(await names(e!)).toEqual(['lo']); // nothing was made
    expect((await net.connect(e!, { ip: '192.168.2.200' })).ip).toBe('192.168.2.200');
    expect((await net.connect(b!)).ip).toBe('192.168.2.4');
    expect(net.freeAddresses).toBe(254 - 1 - 5);
  });

  it('a full subnet is refused with ENOSPC and a clear message; nothing is left behind; a disconnect makes room', async () => {
    const host = await tempNamespace('host');
    const net = await BridgeNetwork.create(host, { name: 'tiny', subnet: '10.30.0.0/29' }); // 6 usable: gateway + 5
    const cs = await Promise.all(Array.from({ length: 6 }, () => tempNamespace('c')));
    for (const c of cs.slice(0, 5)) await net.connect(c);
    expect(net.freeAddresses).toBe(0);
    const hostLinks = await names(host);
    const err = await net.connect(cs[5]!).catch((x) => x);
    expect(err).toBeInstanceOf(NetnsKitError);
    expect(err.code).toBe('ENOSPC');
    expect(err.message).toBe(
      `connect ${cs[5]!.name} to network tiny: no free address in 10.30.0.0/29: all 6 usable addresses are in use (the gateway 10.30.0.1 and 5 container(s) use them; disconnect one or use a larger subnet)`,
    );
    expect(await names(cs[5]!)).toEqual(['lo']);
    expect(await names(host)).toEqual(hostLinks);
    await net.disconnect(cs[2]!);
    expect((await net.connect(cs[5]!)).ip).toBe('10.30.0.4');
  });

  it('two networks in one namespace are isolated until a namespace joins both (eth0 + eth1, one default route)', async () => {
    const host = await tempNamespace('host');
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((t) => tempNamespace(t)));
    const net1 = await BridgeNetwork.create(host, { name: 'front', subnet: '10.1.0.0/24' });
    const net2 = await BridgeNetwork.create(host, { name: 'back', subnet: '10.2.0.0/24' });
    expect(net1.bridge.name).not.toBe(net2.bridge.name);
    const ea = await net1.connect(a!);
    const eb = await net2.connect(b!);
    const servers = await Promise.all([a!, b!].map((n) => tcpEchoServer(n, 7000)));
    try {
      const across = await tcpEcho(a!, eb.ip, 7000, 'a->b', { timeoutMs: 1500 });
      expect(across.ok).toBe(false);
      expect((await tcpEcho(b!, ea.ip, 7000, 'b->a', { timeoutMs: 1500 })).ok).toBe(false);

      const c1 = await net1.connect(c!);
      const c2 = await net2.connect(c!);
      expect([c1.ifname, c1.defaultRoute, c2.ifname, c2.defaultRoute]).toEqual(['eth0', true, 'eth1', false]);
      expect((await Route.list(c!, { family: 4 })).filter((r) => r.to === 'default').map((r) => r.via)).toEqual(['10.1.0.1']);
      expect((await tcpEcho(c!, ea.ip, 7000, 'c->a')).ok).toBe(true);
      expect((await tcpEcho(c!, eb.ip, 7000, 'c->b')).ok).toBe(true);
      // c does not route between them (no forwarding): a and b stay apart
      expect((await tcpEcho(a!, eb.ip, 7000, 'a->b', { timeoutMs: 1500 })).ok).toBe(false);
      const ia = await net1.inspect();
      const ib = await net2.inspect();
      expect(ia.containers.map((x) => [x.namespace, x.ifname, x.ipv4Address])).toEqual([[a!.name, 'eth0', '10.1.0.2/24'], [c!.name, 'eth0', '10.1.0.3/24']]);
      expect(ib.containers.map((x) => [x.namespace, x.ifname, x.ipv4Address])).toEqual([[b!.name, 'eth0', '10.2.0.2/24'], [c!.name, 'eth1', '10.2.0.3/24']]);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });

  it('connecting one namespace to several networks at once picks eth0, eth1, eth2 without a clash', async () => {
    const host = await tempNamespace('host');
    const c = await tempNamespace('c');
    const nets = await Promise.all([1, 2, 3].map((i) => BridgeNetwork.create(host, { name: `n${i}`, subnet: `10.4${i}.0.0/24` })));
    const eps = await Promise.all(nets.map((n) => n.connect(c)));
    expect(eps.map((e) => e.ifname).sort()).toEqual(['eth0', 'eth1', 'eth2']);
    expect(eps.filter((e) => e.defaultRoute)).toHaveLength(1);
  });

  it('errors: connected twice, the bridge namespace itself, bad options, taken bridge name, rm with endpoints; disconnect is idempotent', async () => {
    const host = await tempNamespace('host');
    const c = await tempNamespace('c');
    const net = await BridgeNetwork.create(host, { name: 'errs', subnet: '10.50.0.0/24', bridgeName: 'br-errs' });
    await net.connect(c, { ifname: 'ens3', mac: '02:00:00:00:00:09', name: 'web' });
    expect(ipJson(['link', 'show', 'dev', 'ens3'], c)[0].address).toBe('02:00:00:00:00:09');
    await expect(net.connect(c)).rejects.toMatchObject({ code: 'EEXIST', message: expect.stringContaining('already connected') });
    await expect(net.connect(host)).rejects.toMatchObject({ code: 'EINVAL', field: 'container' });
    await expect(net.connect(c, { bogus: 1 } as never)).rejects.toMatchObject({ field: 'options.bogus' });
    await expect(net.connect(c, { ifname: 'this-name-is-too-long' })).rejects.toMatchObject({ field: 'ifname' });
    await expect(net.connect(c, { publish: [{ containerPort: 80, hostPort: 8080 }] })).rejects.toMatchObject({ code: 'ENOTSUP', message: expect.stringContaining('portPublisher') });
    await expect(BridgeNetwork.create(host, { bridgeName: 'br-errs', subnet: '10.51.0.0/24' })).rejects.toMatchObject({ code: 'EEXIST' });
    for (const [opts, field] of [
      [{ subnet: '10.0.0.1/24' }, 'subnet'],
      [{ subnet: '10.0.0.0/31' }, 'subnet'],
      [{ subnet: 'fd00::/64' }, 'subnet'],
      [{ subnet: '10.0.0.0/24', gateway: '10.0.1.1' }, 'gateway'],
      [{ name: 'bad name' }, 'name'],
      [{ mtu: 10 }, 'mtu'],
    ] as const) {
      await expect(BridgeNetwork.create(host, opts as never)).rejects.toMatchObject({ code: 'EINVAL', field });
    }
    expect((await Link.list(host, { kind: 'bridge' })).map((l) => l.name)).toEqual(['br-errs']); // nothing half-made
    await expect(net.remove()).rejects.toMatchObject({ code: 'EBUSY', message: expect.stringContaining('web') });
    await expect(net.disconnect('nope')).resolves.toBe(false); // idempotent: not connected is success
    await expect(net.disconnect('web')).resolves.toBe(true);
    await expect(net.disconnect('web')).resolves.toBe(false);
    await net.remove();
    expect((await Link.list(host, { kind: 'bridge' }))).toEqual([]);
    await expect(net.connect(c)).rejects.toMatchObject({ code: 'ENOENT', message: 'network errs has been removed' });
  });

  it('remove({ force }) disconnects everything; a container whose namespace was deleted disconnects cleanly', async () => {
    const host = await tempNamespace('host');
    const a = await tempNamespace('a');
    const b = await tempNamespace('b');
    const net = await BridgeNetwork.create(host, { subnet: '10.60.0.0/24' });
    const ea = await net.connect(a);
    const eb = await net.connect(b);
    await b.delete(); // the container is gone: its veth pair goes with it (the kernel cleans up a moment later)
    await eventually(async () => !(await Link.list(host)).some((l) => l.name === eb.hostIfname), 'the deleted namespace\'s veth pair to go');
    expect((await net.inspect()).containers.find((x) => x.namespace === b.name)).toMatchObject({ attached: false, ipv4Address: '', macAddress: undefined });
    await net.disconnect(b);
    expect(net.endpoints).toEqual([ea]);
    await net.remove({ force: true });
    expect(await names(a)).toEqual(['lo']);
    expect(await names(host)).toEqual(['lo']);
  });

  it('port publishing seam: the publisher gets each mapping after the endpoint is up, and undoes it on disconnect; a failing publish undoes the connect', async () => {
    const host = await tempNamespace('host');
    const c = await tempNamespace('c');
    const calls: string[] = [];
    let fail = false;
    const publisher: PortPublisher = {
      async publish(network, ep: NetworkEndpoint, m: PublishedPort) {
        // the endpoint is complete when publish runs: address on the container's interface, default route
        expect(network.subnet).toBe('10.70.0.0/24');
        expect((await Address.list(ep.namespace, { link: ep.ifindex, family: 4 })).map((a) => a.cidr)).toEqual([`${ep.ip}/24`]);
        expect((await Route.list(ep.namespace, { family: 4 })).some((r) => r.to === 'default')).toBe(true);
        if (fail && m.hostPort === 9090) throw new Error('port 9090 is taken');
        calls.push(`publish ${m.protocol} ${m.hostIp ?? '*'}:${m.hostPort} -> ${ep.ip}:${m.containerPort}`);
      },
      async unpublish(_network, ep, m) {
        calls.push(`unpublish ${m.protocol} ${m.hostPort} -> ${ep.ip}:${m.containerPort}`);
      },
    };
    const net = await BridgeNetwork.create(host, { subnet: '10.70.0.0/24', portPublisher: publisher });
    const ep = await net.connect(c, { publish: [{ containerPort: 8080, hostPort: 8999 }, { containerPort: 53, protocol: 'udp', hostIp: '127.0.0.1' }] });
    expect(ep.ports).toEqual([
      { containerPort: 8080, hostPort: 8999, protocol: 'tcp' },
      { containerPort: 53, hostPort: 53, protocol: 'udp', hostIp: '127.0.0.1' },
    ]);
    expect((await net.inspect()).containers[0]!.ports).toEqual(ep.ports);
    await net.disconnect(c);
    expect(calls).toEqual(['publish tcp *:8999 -> 10.70.0.2:8080', 'publish udp 127.0.0.1:53 -> 10.70.0.2:53', 'unpublish udp 53 -> 10.70.0.2:53', 'unpublish tcp 8999 -> 10.70.0.2:8080']);

    calls.length = 0;
    fail = true;
    await expect(net.connect(c, { publish: [{ containerPort: 80 }, { containerPort: 81, hostPort: 9090 }] })).rejects.toThrow('port 9090 is taken');
    expect(calls).toEqual(['publish tcp *:80 -> 10.70.0.2:80', 'unpublish tcp 80 -> 10.70.0.2:80']);
    expect(await names(c)).toEqual(['lo']);
    expect(net.endpoints).toEqual([]);
    expect((await net.connect(c)).ip).toBe('10.70.0.2'); // the address came back
    await expect(net.connect(c, { publish: [{ containerPort: 0 }] } as never)).rejects.toMatchObject({ field: 'publish[0].containerPort' });
  });
});
