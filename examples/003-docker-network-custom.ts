/**
 * SCENARIOS 003 step 5 (and 000 step 7's custom bridge): `docker network create | connect |
 * inspect | disconnect` with BridgeNetwork — subnet and gateway bookkeeping, a container on
 * two networks, host-side veths enslaved to br-<id>.
 *
 *   docker network create --subnet 172.18.0.0/16 custom        (next to the default "bridge")
 *   docker run --name web …            → web on bridge (eth0)
 *   docker network connect custom web  → web also on custom (eth1)
 *   docker run --name db --network custom …
 *   docker network inspect bridge custom
 *   docker network disconnect custom web
 *
 * Port mapping (`-p 8999:8080`) is NAT in the kernel's firewall, not done by netns-kit yet:
 * BridgeNetwork has a seam for it (PortPublisher) and says so when asked without one.
 * Run: `npm run examples && sudo node dist-examples/003-docker-network-custom.js`
 */
import { BridgeNetwork, type NetworkInspect, Link } from 'netns-kit';
import { tcpEcho, tcpEchoServer } from 'netns-kit/testing';
import { type ExampleOptions, type ExampleResult, runAsProgram, runExample } from './lib/example.js';

/** What this example reports besides its checks. */
export interface DockerCustomNetworkResult extends ExampleResult {
  /** `docker network inspect bridge` and `… custom` while web is on both. */
  inspect: { bridge: NetworkInspect; custom: NetworkInspect };
  /** host-side veths enslaved to each bridge (`ip link show master br-<id>`). */
  ports: { bridge: string[]; custom: string[] };
  /** the error for `-p 8999:8080` without a port publisher. */
  publishError: string;
  /** custom's containers after `docker network disconnect custom web`. */
  afterDisconnect: string[];
}

function printInspect(log: (l: string) => void, i: NetworkInspect): void {
  log(`  ${i.name}: Id ${i.id.slice(0, 12)}…  Driver ${i.driver}  bridge ${i.bridge}  Subnet ${i.subnet}  Gateway ${i.gateway}`);
  for (const c of i.containers) log(`    ${c.name.padEnd(4)} ${c.ifname}  ${c.ipv4Address.padEnd(15)}  ${c.macAddress}  (host side ${c.hostIfname})`);
}

/** Builds the two networks and containers, proves them, removes everything. */
export function dockerNetworkCustom(options: ExampleOptions = {}): Promise<DockerCustomNetworkResult> {
  return runExample(options, async ({ sandbox, log, step, check, blocked }) => {
    const host = await sandbox.namespace('dockerhost');
    step('the default network "bridge" (172.17.0.0/16) and docker network create --subnet 172.18.0.0/16 custom');
    const bridge = await BridgeNetwork.create(host);
    const custom = await BridgeNetwork.create(host, { name: 'custom', subnet: '172.18.0.0/16' });
    log(`  bridge → ${bridge.bridge.name} ${bridge.gateway}/${bridge.prefixLength};  custom → ${custom.bridge.name} ${custom.gateway}/${custom.prefixLength}`);

    step('docker run --name web (bridge), docker network connect custom web, docker run --name db --network custom');
    const web = await sandbox.namespace('web');
    const db = await sandbox.namespace('db');
    await bridge.connect(web, { name: 'web' });
    const webCustom = await custom.connect(web, { name: 'web' });
    const dbEp = await custom.connect(db, { name: 'db' });
    log(`  web: eth0 on bridge, ${webCustom.ifname} on custom (default route stays on bridge: ${!webCustom.defaultRoute})`);

    step('docker network inspect bridge custom');
    const inspect = { bridge: await bridge.inspect(), custom: await custom.inspect() };
    printInspect(log, inspect.bridge);
    printInspect(log, inspect.custom);
    const ports = {
      bridge: (await Link.list(host, { master: bridge.bridge })).map((l) => l.name),
      custom: (await Link.list(host, { master: custom.bridge })).map((l) => l.name),
    };
    log(`  ip link show master ${bridge.bridge.name}: ${ports.bridge.join(' ')}`);
    log(`  ip link show master ${custom.bridge.name}: ${ports.custom.join(' ')}`);

    step('web reaches db over custom; db cannot reach the "bridge" network');
    const dbServer = await tcpEchoServer(db, 5432);
    const webServer = await tcpEchoServer(web, 80);
    sandbox.defer(() => Promise.all([dbServer.close(), webServer.close()]));
    check(await tcpEcho(web, dbEp.ip, 5432, 'web → db on custom'));
    check(await tcpEcho(db, webCustom.ip, 80, 'db → web on custom'));
    blocked(await tcpEcho(db, bridge.endpoint(web)!.ip, 80, 'db → web on bridge', { timeoutMs: 1000 }));

    step('docker run -p 8999:8080 …');
    const extra = await sandbox.namespace('app');
    const publishError = await custom.connect(extra, { publish: [{ hostPort: 8999, containerPort: 8080 }] }).then(
      () => 'published',
      (e: Error) => e.message,
    );
    log(`  ${publishError}`);

    step('docker network disconnect custom web');
    await custom.disconnect(web);
    const afterDisconnect = (await custom.inspect()).containers.map((c) => c.name);
    log(`  custom now has: ${afterDisconnect.join(', ')}; web has ${(await Link.list(web)).map((l) => l.name).join(', ')}`);
    blocked(await tcpEcho(web, dbEp.ip, 5432, 'web → db after disconnect', { timeoutMs: 1000 }));
    return { inspect, ports, publishError, afterDisconnect };
  });
}

runAsProgram(import.meta.url, dockerNetworkCustom);
