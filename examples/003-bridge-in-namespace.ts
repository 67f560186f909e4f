/**
 * SCENARIOS 003 steps 1–4: reading interfaces like `ip a`, adding and deleting an address,
 * a veth pair between ns1 and ns2, and a bridge living inside its own namespace "bridge"
 * that joins ns3 and ns4.
 *
 *   ip netns add ns1 ns2; ip link add veth-ns1 type veth peer name veth-ns2; move; 192.168.0.11/24, .12/24
 *   ip addr add 192.168.0.100/24 dev veth-ns1; ip addr delete 192.168.0.100/24 dev veth-ns1
 *   ip netns add ns3 ns4 bridge
 *   ip link add type veth; ip link set dev veth0 name ns3-bridge netns ns3      (move AND rename)
 *                          ip link set dev veth1 name bridge-ns3 netns bridge
 *   (same for ns4); ip netns exec bridge brctl addbr br; brctl addif br bridge-ns3 bridge-ns4
 *   ns3 192.168.0.13/24, ns4 192.168.0.14/24; ns3 ↔ ns4 through br
 *
 * The tutorial's "host" (where `ip link add` runs) is a namespace made here too.
 * Run: `npm run examples && sudo node dist-examples/003-bridge-in-namespace.js`
 */
import { Address, Bridge, Link, type Namespace, VethPair } from 'netns-kit';
import { tcpEcho, tcpEchoServer, udpEcho, udpEchoServer } from 'netns-kit/testing';
import { type ExampleOptions, type ExampleResult, runAsProgram, runExample } from './lib/example.js';

/** What this example reports besides its checks. */
export interface BridgeInNamespaceResult extends ExampleResult {
  /** `ip a` of ns1's veth-ns1 as read: flags, mtu, qdisc, state, qlen, MAC, broadcast, addresses. */
  ipA: { flags: string[]; mtu: number | undefined; qdisc: string | undefined; state: string; qlen: number | undefined; mac: string | undefined; brd: string | undefined; addresses: { cidr: string; scope: string; valid: string; preferred: string }[] };
  /** ns1's addresses on veth-ns1 after `ip addr add 192.168.0.100/24` and after deleting it again. */
  addedThenDeleted: [string[], string[]];
  /** links in the namespace "bridge": [name, master]. */
  bridgeNamespace: [string, string | undefined][];
  /** links of ns3 and ns4 (their ends were moved and renamed in one step). */
  ns3Links: string[];
  /** see ns3Links. */
  ns4Links: string[];
}

function ipALine(l: Link, addrs: Address[]): string[] {
  const out = [`${l.index}: ${l.displayName}: <${l.flagNames.filter((f) => f !== 'RUNNING').join(',')}> mtu ${l.mtu} qdisc ${l.qdisc} state ${l.operstate.toUpperCase()} qlen ${l.txqlen}`];
  out.push(`    link/ether ${l.address} brd ${l.broadcast}`);
  for (const a of addrs) {
    out.push(`    ${a.family === 4 ? 'inet' : 'inet6'} ${a.cidr}${a.broadcast ? ` brd ${a.broadcast}` : ''} scope ${a.scopeName} ${a.label ?? ''}`.trimEnd());
    out.push(`       valid_lft ${a.validLifetime}${a.validLifetime === 'forever' ? '' : 'sec'} preferred_lft ${a.preferredLifetime}${a.preferredLifetime === 'forever' ? '' : 'sec'}`);
  }
  return out;
}

/** Builds both topologies, proves them, removes everything. */
export function bridgeInNamespace(options: ExampleOptions = {}): Promise<BridgeInNamespaceResult> {
  return runExample(options, async ({ sandbox, log, step, check }) => {
    const host = await sandbox.namespace('host');

    step('ns1 ↔ ns2: ip link add veth-ns1 type veth peer name veth-ns2; move each end; addresses; up');
    const ns1 = await sandbox.namespace('ns1');
    const ns2 = await sandbox.namespace('ns2');
    const direct = await VethPair.create(host, { name: 'veth-ns1', peer: { name: 'veth-ns2' } });
    const v1 = await direct.local.moveTo(ns1);
    const v2 = await direct.peer.moveTo(ns2);
    await v1.up();
    await v2.up();
    await Address.add(v1, '192.168.0.11/24');
    await Address.add(v2, '192.168.0.12/24');
    const s2 = await tcpEchoServer(ns2, 7000);
    sandbox.defer(() => s2.close());
    check(await tcpEcho(ns1, '192.168.0.12', 7000, 'ns1 → ns2 over veth-ns1'));

    step('ip netns exec ns1 ip a show dev veth-ns1');
    const l1 = await Link.get(ns1, 'veth-ns1');
    const a1 = await Address.list(ns1, { link: l1 });
    for (const line of ipALine(l1, a1)) log(`  ${line}`);
    const ipA = {
      flags: l1.flagNames,
      mtu: l1.mtu,
      qdisc: l1.qdisc,
      state: l1.operstate,
      qlen: l1.txqlen,
      mac: l1.address,
      brd: l1.broadcast,
      addresses: a1.map((a) => ({ cidr: a.cidr, scope: a.scopeName, valid: String(a.validLifetime), preferred: String(a.preferredLifetime) })),
    };

    step('ip addr add 192.168.0.100/24 dev veth-ns1; ip addr delete 192.168.0.100/24 dev veth-ns1');
    const v4 = async (): Promise<string[]> => (await Address.list(ns1, { link: l1, family: 4 })).map((a) => a.cidr);
    await Address.add(l1, '192.168.0.100/24');
    const added = await v4();
    log(`  after add:    ${added.join(' ')}`);
    await Address.remove(l1, '192.168.0.100/24');
    const deleted = await v4();
    log(`  after delete: ${deleted.join(' ')}`);

    step('ns3, ns4 and a namespace "bridge"; each veth end moved AND renamed in one step');
    const ns3 = await sandbox.namespace('ns3');
    const ns4 = await sandbox.namespace('ns4');
    const bridgeNs = await sandbox.namespace('bridge');
    const ends: Link[] = [];
    for (const [ns, tag] of [[ns3, 'ns3'], [ns4, 'ns4']] as [Namespace, string][]) {
      const pair = await VethPair.create(host); // ip link add type veth → veth0 / veth1
      const [veth0, veth1] = [pair.local, pair.peer].sort((a, b) => a.name.localeCompare(b.name));
      log(`  ip link add type veth → ${veth0!.name}, ${veth1!.name}`);
      const inNs = await veth0!.moveTo(ns, { name: `${tag}-bridge` });
      log(`  ip link set dev ${veth0!.name} name ${tag}-bridge netns ${tag}`);
      const inBridge = await veth1!.moveTo(bridgeNs, { name: `bridge-${tag}` });
      log(`  ip link set dev ${veth1!.name} name bridge-${tag} netns bridge`);
      ends.push(inBridge);
      await inNs.up();
      await Address.add(inNs, `192.168.0.${tag === 'ns3' ? 13 : 14}/24`);
    }

    step('ip netns exec bridge: brctl addbr br; ip link set br up; brctl addif br bridge-ns3 bridge-ns4');
    const br = await Bridge.create(bridgeNs, { name: 'br', stp: false, up: true });
    for (const end of ends) {
      await end.up();
      await br.addPort(end);
    }
    const bridgeLinks = await Link.list(bridgeNs);
    const bridgeNamespace = bridgeLinks.map((l) => [l.name, bridgeLinks.find((m) => m.index === l.masterIndex)?.name] as [string, string | undefined]);
    for (const [name, master] of bridgeNamespace) log(`  ${name}${master ? ` master ${master}` : ''}`);

    step('ns3 ↔ ns4 through br');
    const s4 = await tcpEchoServer(ns4, 7000);
    const u3 = await udpEchoServer(ns3, 7000);
    sandbox.defer(() => Promise.all([s4.close(), u3.close()]));
    check(await tcpEcho(ns3, '192.168.0.14', 7000, 'ns3 → ns4 through br'));
    check(await udpEcho(ns4, '192.168.0.13', 7000, 'ns4 → ns3 through br (udp)'));

    return {
      ipA,
      addedThenDeleted: [added, deleted],
      bridgeNamespace,
      ns3Links: (await Link.list(ns3)).map((l) => l.name),
      ns4Links: (await Link.list(ns4)).map((l) => l.name),
    };
  });
}

runAsProgram(import.meta.url, bridgeInNamespace);
