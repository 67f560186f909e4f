/**
 * SCENARIOS 000 steps 1–6: two namespaces joined by a veth pair.
 *
 *   ip netns add ns0; ip netns add ns1            (a third one, "host", stands in for the machine)
 *   ip link add type veth                          → veth0, veth1 (names chosen by the kernel)
 *   ip link set veth0 netns ns0; ip link set veth1 netns ns1
 *   ip netns exec ns0 ip addr add 10.0.0.1/24 dev veth0; … 10.0.0.2/24 dev veth1; up
 *   ip netns exec ns0 ip link set veth0 name eth0
 *   TCP + UDP echo both ways, from code running inside the namespaces.
 *
 * Run: `npm run examples && sudo node dist-examples/000-veth-pair.js`
 */
import { Address, Bridge, Namespace, VethPair, Link } from 'netns-kit';
import { tcpEcho, tcpEchoServer, udpEcho, udpEchoServer } from 'netns-kit/testing';
import { type ExampleOptions, type ExampleResult, runAsProgram, runExample } from './lib/example.js';

/** What this example reports besides its checks. */
export interface VethPairResult extends ExampleResult {
  /** the names the kernel chose for `ip link add type veth`. */
  kernelNames: string[];
  /** the error `ip netns add` gives for a name that exists. */
  existsError: string;
  /** the error for moving a bridge to another namespace. */
  bridgeMoveError: string;
  /** link names in each namespace at the end (`ip -n NS link`). */
  links: { host: string[]; ns0: string[]; ns1: string[] };
}

/** Builds the topology, proves it with traffic, removes it. */
export function vethPair(options: ExampleOptions = {}): Promise<VethPairResult> {
  return runExample(options, async ({ sandbox, log, step, table, check, blocked }) => {
    step('ip netns add: three namespaces (host, ns0, ns1)');
    const host = await sandbox.namespace('host');
    const ns0 = await sandbox.namespace('ns0');
    const ns1 = await sandbox.namespace('ns1');
    const ours = (await Namespace.list()).filter((n) => n.name.startsWith(sandbox.prefix));
    log(`  ip netns list → ${ours.map((n) => n.name).join(', ')}`);
    const existsError = await Namespace.create(ns0.name!).then(
      async (n) => {
        await n.delete();
        return 'no error';
      },
      (e: Error) => e.message,
    );
    log(`  ip netns add ${ns0.name} again → ${existsError}`);

    step('a new namespace has only lo, DOWN: 127.0.0.1 answers only once lo is up');
    const [lo] = await Link.list(ns0);
    log(`  ${lo!.name}: state ${lo!.operstate}, flags <${lo!.flagNames.join(',')}>`);
    const loServer = await tcpEchoServer(ns0, 7000);
    sandbox.defer(() => loServer.close());
    blocked(await tcpEcho(ns0, '127.0.0.1', 7000, 'lo is down', { timeoutMs: 1000 }));
    await lo!.up();
    check(await tcpEcho(ns0, '127.0.0.1', 7000, 'lo is up'));

    step('ip link add type veth (in host) → names chosen by the kernel');
    const pair = await VethPair.create(host);
    const kernelNames = [pair.local.name, pair.peer.name].sort();
    log(`  created ${kernelNames.join(' and ')} (peers of each other)`);

    step(`ip link set ${kernelNames[0]} netns ns0; ip link set ${kernelNames[1]} netns ns1`);
    const [first, second] = [pair.local, pair.peer].sort((a, b) => a.name.localeCompare(b.name));
    const v0 = await first!.moveTo(ns0);
    const v1 = await second!.moveTo(ns1);
    log(`  host now has: ${(await Link.list(host)).map((l) => l.name).join(', ')} (moved devices vanish)`);
    const br = await Bridge.create(host, { name: 'br0' });
    const bridgeMoveError = await br.moveTo(ns0).then(
      () => 'no error',
      (e: Error) => e.message,
    );
    log(`  ip link set br0 netns ns0 → ${bridgeMoveError}`);

    step('ip addr add 10.0.0.1/24 dev veth0 (ns0), 10.0.0.2/24 dev veth1 (ns1); set up');
    await Address.add(v0, '10.0.0.1/24');
    await Address.add(v1, '10.0.0.2/24');
    await v0.up();
    await v1.up();
    await (await Link.get(ns1, 'lo')).up();
    const s1 = await tcpEchoServer(ns1, 8080);
    const u1 = await udpEchoServer(ns1, 8080);
    const s0 = await tcpEchoServer(ns0, 8080);
    sandbox.defer(() => Promise.all([s1.close(), u1.close(), s0.close()]));
    check(await tcpEcho(ns0, '10.0.0.2', 8080, 'hello from ns0'));
    check(await udpEcho(ns0, '10.0.0.2', 8080, 'udp from ns0'));
    check(await tcpEcho(ns1, '10.0.0.1', 8080, 'hello from ns1'));

    step('ip link set veth0 down; ip link set dev veth0 name eth0; ip link set eth0 up');
    await v0.down();
    await v0.rename('eth0');
    await v0.up();
    const eth0 = await Link.get(ns0, 'eth0');
    log(`  ns0: ${eth0.name} (index ${eth0.index}, same device), peer ${(await eth0.peer([ns1])).name} in ${ns1.name}`);
    check(await tcpEcho(ns0, '10.0.0.2', 8080, 'hello again, now from eth0'));

    const links = { host: (await Link.list(host)).map((l) => l.name), ns0: (await Link.list(ns0)).map((l) => l.name), ns1: (await Link.list(ns1)).map((l) => l.name) };
    step('ip -n NS -br addr');
    const rows: string[][] = [['namespace', 'link', 'state', 'addresses']];
    for (const ns of [ns0, ns1]) {
      const addrs = await Address.list(ns, { family: 4 });
      for (const l of await Link.list(ns)) rows.push([ns.name!, l.displayName, l.operstate, addrs.filter((a) => a.linkIndex === l.index).map((a) => a.cidr).join(' ')]);
    }
    table(rows);
    return { kernelNames, existsError, bridgeMoveError, links };
  });
}

runAsProgram(import.meta.url, vethPair);
