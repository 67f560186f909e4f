/**
 * `netns-kit demo`: a Docker-style bridge network with two containers, built in throwaway
 * namespaces, shown as tables, proven with real traffic, and removed — the README's
 * "see it work" command. Nothing of the machine's own namespace is changed.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { BridgeNetwork } from '../api/network/bridge-network.js';
import { Route } from '../api/ip/route.js';
import { Sandbox } from '../testing/sandbox.js';
import { type EchoResult, tcpEcho, tcpEchoServer, udpEcho, udpEchoServer } from '../testing/traffic.js';
import { takeOption, UsageError } from './args.js';
import { routeJson } from './ip-json.js';
import { routeText } from './ip-text.js';
import { table } from './table.js';
import { Link } from '../api/link/link.js';

/** Runs the demo; resolves with the exit code (0: every check passed). */
export async function demo(args: string[], out: (line: string) => void): Promise<number> {
  const rest = [...args];
  const prefix = takeOption(rest, '--prefix', true, 'demo');
  if (rest.length > 0) throw new UsageError(`demo: unexpected argument "${rest[0]}"`, "Try 'netns-kit demo --help'.");
  const started = Date.now();
  const sandbox = Sandbox.create({
    prefix: typeof prefix === 'string' ? prefix : `nk-demo-${randomBytes(2).toString('hex')}-`,
    handleSignals: true,
    log: (l) => out(`  ${l}`),
  });
  const checks: (EchoResult & { what: string })[] = [];
  try {
    out('netns-kit demo: a Docker-style bridge network, built over rtnetlink in throwaway namespaces');
    out(`(namespaces ${sandbox.prefix}*; this machine's own network is not touched)\n`);

    out('1. docker network create — a bridge holding the gateway address, in a namespace standing in for the Docker host');
    const host = await sandbox.namespace('host');
    const network = await BridgeNetwork.create(host);
    for (const line of table([
      ['NETWORK', 'DRIVER', 'SUBNET', 'GATEWAY', 'BRIDGE', 'NAMESPACE'],
      [network.name, 'bridge', network.subnet, network.gateway, network.bridge.name, host.name],
    ])) out(line);

    out('\n2. docker run ×2 — two containers (namespaces) connected to it');
    const c1 = await sandbox.namespace('c1');
    const c2 = await sandbox.namespace('c2');
    await network.connect(c1, { name: 'c1' });
    await network.connect(c2, { name: 'c2' });
    const inspect = await network.inspect();
    for (const line of table([
      ['CONTAINER', 'NAMESPACE', 'IFACE', 'IPV4 ADDRESS', 'MAC ADDRESS', 'HOST VETH', 'ON BRIDGE'],
      ...inspect.containers.map((c) => [c.name, c.namespace, c.ifname, c.ipv4Address, c.macAddress, c.hostIfname, c.attached ? 'yes' : 'no']),
    ])) out(line);

    out(`\n3. what the kernel reports now — links of ${host.name} (ip link):`);
    const hostLinks = await Link.list(host);
    const names = new Map(hostLinks.map((l) => [l.index, l.name]));
    for (const line of table([
      ['IFINDEX', 'NAME', 'KIND', 'STATE', 'MASTER', 'MAC'],
      ...hostLinks.map((l) => [l.index, l.displayName, l.kind, l.operstate.toUpperCase(), l.masterIndex === undefined ? undefined : names.get(l.masterIndex), l.address]),
    ])) out(line);
    out(`  routes of c1 (ip route):`);
    const c1Names = new Map((await Link.list(c1)).map((l) => [l.index, l.name]));
    for (const r of await Route.list(c1, { family: 4 })) for (const line of routeText(routeJson(r, c1Names, false))) out(`    ${line}`);

    out('\n4. traffic — real packets, sockets created inside the namespaces');
    const [ip1, ip2] = network.endpoints.map((e) => e.ip) as [string, string];
    const servers = await Promise.all([tcpEchoServer(c2, 8080), udpEchoServer(c1, 5353), tcpEchoServer(host, 80)]);
    sandbox.defer(() => Promise.all(servers.map((s) => s.close())));
    checks.push({ what: 'c1 → c2', ...(await tcpEcho(c1, ip2, 8080, 'hello c2')) });
    checks.push({ what: 'c2 → c1', ...(await udpEcho(c2, ip1, 5353, 'hello c1')) });
    checks.push({ what: 'c1 → gateway', ...(await tcpEcho(c1, network.gateway, 80, 'hello gateway')) });
    checks.push({ what: 'c2 → gateway', ...(await tcpEcho(c2, network.gateway, 80, 'hello gateway')) });
    for (const line of table([
      ['OK', 'FROM → TO', 'PROTO', 'ADDRESS', 'SENT', 'RECEIVED'],
      ...checks.map((c) => [c.ok ? '✔' : '✘', c.what, c.protocol, c.to, JSON.stringify(c.sent), c.ok ? JSON.stringify(c.received) : (c.error ?? JSON.stringify(c.received))]),
    ])) out(line);
  } finally {
    out('\n5. teardown (docker network rm, docker rm): deleting the namespaces removes their links');
    await sandbox.dispose();
  }
  const failed = checks.filter((c) => !c.ok).length;
  out(`\n${failed === 0 ? `All ${checks.length} checks passed` : `${failed} of ${checks.length} checks FAILED`} in ${Date.now() - started} ms. No process was spawned.`);
  return failed === 0 ? 0 : 1;
}
