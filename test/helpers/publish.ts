/**
 * Helpers of the publishing tests: servers that answer with the address a connection came
 * from (what NAT did to it), a client for them, `nft` in a test namespace, and the "world":
 * a host namespace with an uplink to a client namespace.
 */
import { execFile, execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { Address, Link, VethPair, type Namespace } from '../../src/index.js';
import { tempNamespace, toolEnv } from './env.js';

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
export async function udpWho(ns: Namespace, port: number): Promise<{ close(): Promise<void> }> {
  const lookup = (a: string, _f: unknown, cb: (e: null, a: string, f: number) => void): void => cb(null, a, net.isIP(a));
  let bound!: Promise<void>;
  const sock = ns.run(() => {
    const s = dgram.createSocket({ type: 'udp4', lookup: lookup as never });
    bound = new Promise<void>((r) => s.once('listening', () => r()));
    s.bind(port);
    return s;
  });
  await bound;
  sock.on('message', (_m, rinfo) => sock.send(`${rinfo.address} on ${port}`, rinfo.port, rinfo.address));
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
  await (await Link.get(host, 'lo')).up();
  await (await Link.get(client, 'lo')).up();
  return { host, client };
}


/** Runs the CLI (dist/cli/bin.js) as a process. */
export function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/cli/bin.js', ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
