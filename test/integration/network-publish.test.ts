/**
 * NetworkFirewall: Docker's `-p` forms, `docker port`, outbound NAT, isolation, internal
 * networks and icc=false with real traffic. A "host" namespace (the test's) holds the
 * bridge; a "client" namespace plays the outside world, joined to the host by a veth pair
 * (host 10.99.0.1, client 10.99.0.2). Rules are compared with `nft -j list ruleset` in the
 * host namespace.
 */
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { Address, BridgeNetwork, NetworkFirewall, PortConflictError, VethPair, type Namespace } from '../../src/index.js';
import { tcpEcho, udpEcho, udpEchoServer } from '../../src/testing/index.js';
import { rootSkip, tempNamespace, toolEnv, useTempNamespaces } from '../helpers/env.js';

/** A TCP server in `ns` answering each connection with the address it came from (what the server sees). */
export async function whoServer(ns: Namespace, port: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = ns.run(() =>
    net
      .createServer((s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
        s.end(`${s.remoteAddress?.replace(/^::ffff:/, '')} on ${s.localPort}`);
      })
      .listen(port),
  );
  await new Promise<void>((resolve, reject) => {
    if (server.listening) resolve();
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Connects from inside `ns` and returns what the server said (or the error text). */
export async function who(ns: Namespace, host: string, port: number, timeoutMs = 3000): Promise<string> {
  const fd = await ns.openSocket(host.includes(':') ? 10 : 2, 1);
  const s = new net.Socket({ fd });
  return new Promise((resolve) => {
    let out = '';
    s.connect(port, host);
    const t = setTimeout(() => {
      s.destroy();
      resolve('timeout');
    }, timeoutMs);
    s.on('data', (d) => (out += d.toString()));
    s.on('end', () => {
      clearTimeout(t);
      resolve(out);
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(t);
      resolve(e.code ?? e.message);
    });
  });
}

/** A UDP server in `ns` answering each datagram with the address it came from. */
async function udpWho(ns: Namespace, port: number): Promise<{ close(): Promise<void> }> {
  const lookup = (a: string, _f: unknown, cb: (e: null, a: string, f: number) => void): void => cb(null, a, net.isIP(a));
  let bound!: Promise<void>;
  const sock = ns.run(() => {
    const s = dgram.createSocket({ type: 'udp4', lookup: lookup as never });
    bound = new Promise<void>((r) => s.once('listening', () => r()));
    s.bind(port);
    return s;
  });
  await bound;
  sock.on('message', (m, rinfo) => sock.send(`${rinfo.address} on ${port}`, rinfo.port, rinfo.address));
  return { close: () => new Promise<void>((r) => sock.close(() => r())) };
}

export function nftJson(ns: Namespace): any[] {
  return JSON.parse(execFileSync('ip', ['netns', 'exec', ns.name!, 'nft', '-j', 'list', 'ruleset'], { env: toolEnv }).toString()).nftables;
}
export function nft(ns: Namespace, ...args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns.name!, 'nft', ...args], { env: toolEnv }).toString();
}

/** The host with an uplink to a client namespace: host 10.99.0.1/24 — client 10.99.0.2/24. */
export async function world(): Promise<{ host: Namespace; client: Namespace }> {
  const host = await tempNamespace('host');
  const client = await tempNamespace('client');
  const pair = await VethPair.create(host, { name: 'uplink', peer: { name: 'eth0', namespace: client } });
  await Address.add(pair.local, '10.99.0.1/24');
  await Address.add(pair.peer, '10.99.0.2/24');
  await pair.local.up();
  await pair.peer.up();
  await (await host.link('lo')).up();
  await (await client.link('lo')).up();
  return { host, client };
}

describe.skipIf(!!rootSkip)('NetworkFirewall: publishing, NAT, isolation', () => {
  useTempNamespaces();

  it('-p 8080:80: from the client through the host address, from the host (its address and 127.0.0.1), hairpin from the container itself and a neighbour; outbound masquerade; docker port', async () => {
    const { host, client } = await world();
    const fw = new NetworkFirewall();
    try {
      const nw = await BridgeNetwork.create(host, { name: 'web', subnet: '10.31.0.0/24', extensions: [fw] });
      const c1 = await tempNamespace('c1');
      const c2 = await tempNamespace('c2');
      const ep = await nw.connect(c1, { publish: ['8080:80', '5353:53/udp'] });
      await nw.connect(c2);
      expect(ep.ports).toEqual([
        { containerPort: 80, hostPort: 8080, protocol: 'tcp' },
        { containerPort: 53, hostPort: 5353, protocol: 'udp' },
      ]);
      expect((await nw.ports(c1)).map((l) => l.text)).toEqual(['53/udp -> 0.0.0.0:5353', '80/tcp -> 0.0.0.0:8080']);
      const srv = await whoServer(c1, 80);
      const usrv = await udpWho(c1, 53);
      const out = await whoServer(client, 9000);
      try {
        // from the outside world: the container sees the client's own address (no SNAT inbound)
        expect(await who(client, '10.99.0.1', 8080)).toBe('10.99.0.2 on 80');
        const u = await udpEcho(client, '10.99.0.1', 5353, 'ping');
        expect(u.received).toBe('10.99.0.2 on 53');
        // from the host namespace: its uplink address, and 127.0.0.1 (masqueraded to the gateway)
        expect(await who(host, '10.99.0.1', 8080)).toBe('10.99.0.1 on 80');
        expect(await who(host, '127.0.0.1', 8080)).toBe('10.31.0.1 on 80');
        expect((await udpEcho(host, '127.0.0.1', 5353, 'x')).received).toBe('10.31.0.1 on 53');
        // hairpin: the container to its own published port, and its neighbour
        expect(await who(c1, '10.99.0.1', 8080)).toBe('10.31.0.1 on 80');
        expect(await who(c2, '10.99.0.1', 8080)).toBe('10.31.0.1 on 80');
        // outbound: the client sees the host's address
        expect(await who(c1, '10.99.0.2', 9000)).toBe('10.99.0.1 on 9000');
        // the client cannot reach the container directly (only published ports)
        execFileSync('ip', ['netns', 'exec', client.name!, 'ip', 'route', 'add', '10.31.0.0/24', 'via', '10.99.0.1'], { env: toolEnv });
        expect(await who(client, '10.31.0.2', 80, 1000)).toBe('timeout');
      } finally {
        await Promise.all([srv.close(), usrv.close(), out.close()]);
      }
      // rules are ours only, in table inet netns-kit
      const tables = nftJson(host).filter((o) => o.table).map((o) => `${o.table.family} ${o.table.name}`);
      expect(tables.sort()).toEqual(['bridge netns-kit', 'inet netns-kit']);
      const elems = nftJson(host).find((o) => o.map?.name === 'ports4any').map.elem;
      expect(elems).toHaveLength(2);
      await nw.disconnect(c1);
      expect(nftJson(host).find((o) => o.map?.name === 'ports4any').map.elem).toBeUndefined();
      await nw.remove({ force: true });
      expect(nftJson(host).filter((o) => o.table)).toEqual([]);
    } finally {
      fw.close();
    }
  });

  it('conflicting publishes are refused before anything is written', async () => {
    const { host } = await world();
    const fw = new NetworkFirewall();
    try {
      const nw = await BridgeNetwork.create(host, { name: 'c', subnet: '10.32.0.0/24', extensions: [fw] });
      const [a, b] = [await tempNamespace('a'), await tempNamespace('b')];
      await nw.connect(a, { publish: ['8080:80'] });
      const before = nft(host, 'list', 'ruleset');
      const links = (await host.links()).length;
      await expect(nw.connect(b, { publish: ['8080:81'] })).rejects.toBeInstanceOf(PortConflictError);
      await expect(nw.connect(b, { publish: ['10.99.0.1:8080:81'] })).rejects.toThrow(/Bind for 10.99.0.1:8080\/tcp failed: port is already allocated/);
      await expect(nw.connect(b, { publish: ['9000:80', '9000:81'] })).rejects.toBeInstanceOf(PortConflictError);
      expect(nft(host, 'list', 'ruleset')).toBe(before);
      expect((await host.links()).length).toBe(links);
      expect((await b.links()).map((l) => l.name)).toEqual(['lo']);
      // UDP on the same port is another socket: allowed
      await nw.connect(b, { publish: ['8080:80/udp'] });
      await nw.remove({ force: true });
    } finally {
      fw.close();
    }
  });
});
