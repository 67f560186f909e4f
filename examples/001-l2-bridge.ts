/**
 * SCENARIOS 001 steps 1–3: layer 2 — three namespaces on one Linux bridge, their neighbour
 * (ARP) tables and the bridge's forwarding database.
 *
 *   brctl addbr br0; brctl addif br0 veth1 …       (br0 lives in a "host" namespace made here)
 *   ns1 192.168.1.1/24, ns2 192.168.1.2/24, ns3 192.168.1.3/24
 *   ip neigh show dev eth0; ip neigh del 192.168.1.2 dev eth0; traffic re-learns it
 *   bridge -statistics fdb show br br0              (learnt MAC → port, permanent entries, ageing)
 *
 * Run: `npm run examples && sudo node dist-examples/001-l2-bridge.js`
 */
import { Address, Bridge, Link, type Namespace, Neighbor, VethPair } from 'netns-kit';
import { tcpEcho, tcpEchoServer, udpEcho, udpEchoServer } from 'netns-kit/testing';
import { type ExampleOptions, type ExampleResult, runAsProgram, runExample } from './lib/example.js';

/** One namespace on the bridge. */
interface Member {
  ns: Namespace;
  eth0: Link;
  port: Link;
  ip: string;
}

/** What this example reports besides its checks. */
export interface L2BridgeResult extends ExampleResult {
  /** each member: its address, eth0 MAC and bridge port name. */
  members: { ip: string; mac: string; port: string }[];
  /** ns1's neighbour table (IPv4) after the first traffic: [ip, mac, state]. */
  neighbours: [string, string | undefined, string][];
  /** ns1's neighbour table right after `ip neigh del 192.168.1.2 dev eth0`. */
  afterDelete: string[];
  /** the entry for 192.168.1.2 once traffic re-learnt it. */
  relearnt: [string, string | undefined, string] | undefined;
  /** learnt (dynamic) FDB entries of br0: [mac, port]. */
  learnt: [string, string | undefined][];
  /** permanent FDB entries of br0 for the ports' own MACs: [mac, port]. */
  permanent: [string, string | undefined][];
}

/** Builds the bridge, proves it, shows the tables, removes it. */
export function l2Bridge(options: ExampleOptions = {}): Promise<L2BridgeResult> {
  return runExample(options, async ({ sandbox, log, step, table, check }) => {
    step('brctl addbr br0 (in a namespace standing in for the host)');
    const host = await sandbox.namespace('host');
    const br = await Bridge.create(host, { name: 'br0', stp: false, up: true });

    step('three namespaces, each joined to br0 by a veth pair (brctl addif br0 vethN)');
    const members: Member[] = [];
    for (const n of [1, 2, 3]) {
      const ns = await sandbox.namespace(`ns${n}`);
      const pair = await VethPair.create(host, { name: `veth${n}`, up: true, peer: { name: 'eth0', namespace: ns } });
      await br.addPort(pair.local);
      const eth0 = pair.peer;
      await Address.add(eth0, `192.168.1.${n}/24`);
      await eth0.up();
      await (await Link.get(ns, 'lo')).up();
      members.push({ ns, eth0, port: pair.local, ip: `192.168.1.${n}` });
    }
    table([['namespace', 'eth0 address', 'eth0 MAC', 'bridge port'], ...members.map((m) => [m.ns.name, `${m.ip}/24`, m.eth0.address, m.port.name])]);
    const [m1, m2, m3] = members as [Member, Member, Member];

    step('ns1 talks to ns2 and ns3 across the bridge');
    const servers = [await tcpEchoServer(m2.ns, 7000), await tcpEchoServer(m3.ns, 7000), await udpEchoServer(m3.ns, 7000)];
    sandbox.defer(() => Promise.all(servers.map((s) => s.close())));
    check(await tcpEcho(m1.ns, m2.ip, 7000, 'ns1 → ns2'));
    check(await tcpEcho(m1.ns, m3.ip, 7000, 'ns1 → ns3'));
    check(await udpEcho(m1.ns, m3.ip, 7000, 'ns1 → ns3 (udp)'));

    const neighTable = async (): Promise<[string, string | undefined, string][]> =>
      (await Neighbor.list(m1.ns, { link: m1.eth0, family: 4 })).map((n) => [n.address, n.lladdr, n.stateNames.join(',')] as [string, string | undefined, string]).sort();
    step('ip neigh show dev eth0 (in ns1)');
    const neighbours = await neighTable();
    table([['ip', 'lladdr', 'state'], ...neighbours]);

    step(`ip neigh del ${m2.ip} dev eth0 (clear it from ns1's ARP cache)`);
    await Neighbor.remove(m1.ns, { address: m2.ip, link: m1.eth0 });
    const afterDelete = (await neighTable()).map((n) => n[0]);
    log(`  left: ${afterDelete.join(', ') || '(none)'}`);
    check(await tcpEcho(m1.ns, m2.ip, 7000, 'ns1 → ns2 again'));
    const relearnt = (await neighTable()).find((n) => n[0] === m2.ip);
    log(`  re-learnt: ${relearnt ? `${relearnt[0]} lladdr ${relearnt[1]} ${relearnt[2]}` : 'no'}`);

    step('bridge -statistics fdb show br br0');
    const fdb = await br.fdb();
    table([
      ['mac', 'dev', 'state', 'flags', 'vlan', 'used', 'updated'],
      ...fdb.map((e) => [e.mac, e.device, e.state, e.flags.join(','), e.vlan, e.usedSeconds === undefined ? undefined : `${e.usedSeconds}s`, e.updatedSeconds === undefined ? undefined : `${e.updatedSeconds}s`]),
    ]);
    const learnt = fdb.filter((e) => e.state === 'dynamic').map((e) => [e.mac, e.device] as [string, string | undefined]).sort();
    // the ports' own MACs (the host ends of the veths); `self` entries are the devices' own multicast filters
    const permanent = fdb.filter((e) => e.state === 'permanent' && !e.flags.includes('self')).map((e) => [e.mac, e.device] as [string, string | undefined]).sort();
    return {
      members: members.map((m) => ({ ip: m.ip, mac: m.eth0.address!, port: m.port.name })),
      neighbours,
      afterDelete,
      relearnt,
      learnt,
      permanent,
    };
  });
}

runAsProgram(import.meta.url, l2Bridge);
