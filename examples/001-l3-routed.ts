/**
 * SCENARIOS 001 step 4: layer 3 — two "VMs", each with a bridge br0 holding the gateway of
 * its subnet and two namespaces behind it, joined on 172.16.0.0/24 and routing each
 * other's subnet. A packet from 192.168.1.2 reaches 192.168.2.2 across two routers: sent
 * with TTL 64, it arrives with TTL 62.
 *
 *   vm1: br0 192.168.1.1/24 ── c1 192.168.1.2, c2 192.168.1.3     (default via 192.168.1.1)
 *   vm2: br0 192.168.2.1/24 ── c3 192.168.2.2, c4 192.168.2.3     (default via 192.168.2.1)
 *   vm1 172.16.0.1/24 ══ veth ══ vm2 172.16.0.2/24
 *   vm1: ip route add 192.168.2.0/24 via 172.16.0.2   vm2: ip route add 192.168.1.0/24 via 172.16.0.1
 *   both: sysctl -w net.ipv4.ip_forward=1
 *
 * Each "VM" is a namespace this example creates. Run:
 * `npm run examples && sudo node dist-examples/001-l3-routed.js`
 */
import { Address, BridgeNetwork, Route, VethPair, Sysctl } from 'netns-kit';
import { RawUdpReceiver, sendUdp, tcpEcho, tcpEchoServer, udpEcho, udpEchoServer } from 'netns-kit/testing';
import { type ExampleOptions, type ExampleResult, runAsProgram, runExample } from './lib/example.js';

/** What this example reports besides its checks. */
export interface L3RoutedResult extends ExampleResult {
  /** `ip route get 192.168.2.2` in c1 and in vm1: [gateway, device]. */
  routeGet: { c1: [string | undefined, string]; vm1: [string | undefined, string] };
  /** TTL the UDP datagram was sent with, and the TTL it arrived with in c3. */
  ttl: { sent: number; arrived: number | undefined; source: string | undefined };
}

/** Builds the two routed "VMs", proves it (TCP, UDP, TTL), removes everything. */
export function l3Routed(options: ExampleOptions = {}): Promise<L3RoutedResult> {
  return runExample(options, async ({ sandbox, log, step, table, check }) => {
    step('two "VMs", each a bridge br0 with two namespaces behind it');
    const vm1 = await sandbox.namespace('vm1');
    const vm2 = await sandbox.namespace('vm2');
    const net1 = await BridgeNetwork.create(vm1, { name: 'vm1net', subnet: '192.168.1.0/24', bridgeName: 'br0' });
    const net2 = await BridgeNetwork.create(vm2, { name: 'vm2net', subnet: '192.168.2.0/24', bridgeName: 'br0' });
    const c = [];
    for (const [net, tag] of [[net1, 'c1'], [net1, 'c2'], [net2, 'c3'], [net2, 'c4']] as const) {
      const ns = await sandbox.namespace(tag);
      c.push({ ns, tag, ep: await net.connect(ns, { name: tag }) });
    }
    table([['container', 'vm', 'eth0', 'default via'], ...c.map((x, i) => [x.tag, i < 2 ? 'vm1' : 'vm2', `${x.ep.ip}/24`, i < 2 ? net1.gateway : net2.gateway])]);
    const [c1, c2, c3, c4] = c as [(typeof c)[0], (typeof c)[0], (typeof c)[0], (typeof c)[0]];

    step('join the VMs on 172.16.0.0/24, route each other\'s subnet, forwarding on');
    const link = await VethPair.create(vm1, { name: 'to-vm2', up: true, peer: { name: 'to-vm1', namespace: vm2, up: true } });
    await Address.add(link.local, '172.16.0.1/24');
    await Address.add(link.peer, '172.16.0.2/24');
    await Route.add(vm1, { to: '192.168.2.0/24', via: '172.16.0.2' });
    await Route.add(vm2, { to: '192.168.1.0/24', via: '172.16.0.1' });
    await Sysctl.of(vm1).set('net.ipv4.ip_forward', 1);
    await Sysctl.of(vm2).set('net.ipv4.ip_forward', 1);
    const g1 = await Route.get(c1.ns, c3.ep.ip);
    const g2 = await Route.get(vm1, c3.ep.ip);
    const routeGet = { c1: [g1.via, (await g1.getLink()).name] as [string | undefined, string], vm1: [g2.via, (await g2.getLink()).name] as [string | undefined, string] };
    log(`  c1:  ip route get ${c3.ep.ip} → via ${routeGet.c1[0]} dev ${routeGet.c1[1]} src ${g1.src}`);
    log(`  vm1: ip route get ${c3.ep.ip} → via ${routeGet.vm1[0]} dev ${routeGet.vm1[1]}`);

    step('traffic across both routers');
    const servers = await Promise.all([tcpEchoServer(c3.ns, 7000), udpEchoServer(c4.ns, 7000), tcpEchoServer(c1.ns, 7000)]);
    sandbox.defer(() => Promise.all(servers.map((s) => s.close())));
    check(await tcpEcho(c1.ns, c3.ep.ip, 7000, 'c1 → c3 across two routers'));
    check(await udpEcho(c2.ns, c4.ep.ip, 7000, 'c2 → c4 (udp)'));
    check(await tcpEcho(c4.ns, c1.ep.ip, 7000, 'c4 → c1 (the way back)'));

    step('TTL proof: a datagram sent with TTL 64 from c1 arrives in c3 with TTL 62');
    const rx = await RawUdpReceiver.open(c3.ns, 4);
    sandbox.defer(() => rx.close());
    await sendUdp(c1.ns, c3.ep.ip, 9999, 'ttl probe', 64);
    const [seen] = await rx.collectUntil(9999, 'ttl probe');
    const ttl = { sent: 64, arrived: seen?.ttl, source: seen?.source };
    log(`  sent TTL ${ttl.sent} from ${c1.ep.ip}; arrived in c3 from ${ttl.source} with TTL ${ttl.arrived} (two routers: vm1, vm2)`);
    return { routeGet, ttl };
  });
}

runAsProgram(import.meta.url, l3Routed);
