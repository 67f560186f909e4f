/**
 * SCENARIOS 000 step 7: Docker's four network modes, built with netns-kit.
 *
 *   bridge     docker run …                      a namespace + veth to a bridge holding 172.17.0.1/16
 *   none       docker run --network none         a namespace with only lo
 *   container  docker run --network container:A  a second program in A's namespace, talking to A over 127.0.0.1
 *   host       docker run --network host         the initial namespace itself — only READ here, never changed
 *
 * The "Docker host" of bridge mode is a namespace this example creates, not the machine.
 * Run: `npm run examples && sudo node dist-examples/000-docker-network-modes.js`
 */
import net from 'node:net';
import { Address, BridgeNetwork, Namespace, Route, Link } from 'netns-kit';
import { tcpEcho, tcpEchoServer, udpEcho, udpEchoServer } from 'netns-kit/testing';
import { type ExampleOptions, type ExampleResult, runAsProgram, runExample } from './lib/example.js';

/** What this example reports besides its checks. */
export interface DockerModesResult extends ExampleResult {
  /** bridge mode: each container's eth0 address and MAC. */
  bridge: { name: string; ip: string; mac: string }[];
  /** none mode: the links of the namespace (only `lo`). */
  noneLinks: string[];
  /** container mode: the second program's handle is the same namespace and sees the same links. */
  containerShared: { sameNamespace: boolean; links: string[] };
  /** host mode: what was read from the initial namespace (nothing was changed there). */
  host: { isProcessNamespace: boolean; links: number; addresses: number; loUp: boolean };
}

/** Builds the four modes, proves each with traffic, removes everything. */
export function dockerNetworkModes(options: ExampleOptions = {}): Promise<DockerModesResult> {
  return runExample(options, async ({ sandbox, log, step, table, check, blocked }) => {
    // ---- bridge -------------------------------------------------------------------
    step('bridge mode: docker run (twice) on the default network 172.17.0.0/16');
    const dockerHost = await sandbox.namespace('dockerhost');
    const network = await BridgeNetwork.create(dockerHost); // name "bridge", 172.17.0.0/16, gateway 172.17.0.1
    log(`  bridge ${network.bridge.name} in ${dockerHost.name} holds ${network.gateway}/${network.prefixLength}`);
    const web = await sandbox.namespace('web');
    const db = await sandbox.namespace('db');
    const eps = [await network.connect(web, { name: 'web' }), await network.connect(db, { name: 'db' })];
    table([['container', 'namespace', 'iface', 'ip', 'mac', 'host veth'], ...eps.map((e) => [e.name, e.namespace.name, e.ifname, `${e.ip}/${e.prefixLength}`, e.mac, e.hostIfname])]);
    const dbRoutes = await Route.list(db, { family: 4 });
    log(`  routes in db: ${dbRoutes.map((r) => (r.via ? `${r.to} via ${r.via}` : `${r.to} dev eth0`)).join('; ')}`);
    const dbServer = await tcpEchoServer(db, 5432);
    const gwServer = await tcpEchoServer(dockerHost, 8000);
    const gwUdp = await udpEchoServer(dockerHost, 8000);
    sandbox.defer(() => Promise.all([dbServer.close(), gwServer.close(), gwUdp.close()]));
    check(await tcpEcho(web, eps[1]!.ip, 5432, 'web → db'));
    check(await tcpEcho(web, network.gateway, 8000, 'web → gateway'));
    check(await udpEcho(db, network.gateway, 8000, 'db → gateway (udp)'));

    // ---- none ---------------------------------------------------------------------
    step('none mode: docker run --network none → only lo');
    const none = await sandbox.namespace('none');
    await (await Link.get(none, 'lo')).up();
    const noneLinks = (await Link.list(none)).map((l) => l.name);
    log(`  links: ${noneLinks.join(', ')}; routes: ${(await Route.list(none, { family: 4 })).length}`);
    const noneServer = await tcpEchoServer(none, 80);
    sandbox.defer(() => noneServer.close());
    check(await tcpEcho(none, '127.0.0.1', 80, 'loopback works'));
    blocked(await tcpEcho(none, eps[1]!.ip, 5432, 'no way out', { timeoutMs: 1000 }));

    // ---- container ----------------------------------------------------------------
    step('container mode: docker run --network container:web → a second program in web\'s namespace');
    // The first program (web) listens on its loopback; the second one joins web's namespace
    // through its own handle, as `--network container:web` does, and talks to it over 127.0.0.1.
    const first = await tcpEchoServer(web, 9000);
    sandbox.defer(() => first.close());
    const second = await Namespace.open(web.name!);
    sandbox.defer(() => second.close());
    const containerShared = { sameNamespace: second.equals(web), links: (await Link.list(second)).map((l) => l.name) };
    const secondAddrs = (await Address.list(second, { family: 4 })).map((a) => a.cidr);
    log(`  second handle: same namespace as web: ${containerShared.sameNamespace}; sees ${containerShared.links.join(', ')} with ${secondAddrs.join(', ')}`);
    check(await tcpEcho(second, '127.0.0.1', 9000, 'second program → first over 127.0.0.1'));

    // ---- host ---------------------------------------------------------------------
    step('host mode: docker run --network host → the initial namespace (read only)');
    const hostNs = Namespace.host();
    const self = await Namespace.openPid(process.pid);
    const isProcessNamespace = self.equals(hostNs);
    await self.close();
    const hostLinks = await Link.list(hostNs);
    const hostAddrs = await Address.list(hostNs);
    const lo = hostLinks.find((l) => l.name === 'lo');
    const host = { isProcessNamespace, links: hostLinks.length, addresses: hostAddrs.length, loUp: lo?.isUp ?? false };
    log(`  this process is in it: ${isProcessNamespace}; ${host.links} links, ${host.addresses} addresses (read, not changed)`);
    if (host.loUp) {
      // a host-mode program is an ordinary program: plain sockets, no namespace switching;
      // it listens on 127.0.0.1 only, on a port the kernel picks
      const server = net.createServer((s) => s.pipe(s)).listen(0, '127.0.0.1');
      await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
      sandbox.defer(() => new Promise((resolve) => server.close(resolve)));
      check(await tcpEcho(hostNs, '127.0.0.1', (server.address() as net.AddressInfo).port, 'host mode over the host loopback'));
    } else {
      log('  lo is down in the initial namespace: not testing host-mode traffic (and not changing it)');
    }
    return { bridge: eps.map((e) => ({ name: e.name, ip: e.ip, mac: e.mac })), noneLinks, containerShared, host };
  });
}

runAsProgram(import.meta.url, dockerNetworkModes);
