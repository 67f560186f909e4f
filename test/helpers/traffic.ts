/**
 * Test traffic between namespaces the tests made: a TCP echo server created inside a
 * namespace, a TCP client whose socket lives in another, UDP datagrams with a chosen TTL,
 * a raw-socket receiver that sees each IP packet (IPv4: with its header, so the TTL it
 * arrived with), and the kernel's SNMP counters of a namespace.
 */
import dgram from 'node:dgram';
import { closeSync, read } from 'node:fs';
import net from 'node:net';
import { native } from '../../src/binding/native.js';
import type { Namespace } from '../../src/index.js';

export const AF_INET = 2;
export const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_RAW = 3;
const IPPROTO_UDP = 17;

/** A TCP echo server listening on `port` (all addresses) inside `ns`. */
export function echoServer(ns: Namespace, port: number): net.Server {
  // listen() without a host is synchronous: the socket is made while inside ns
  return ns.run(() => net.createServer((s) => s.pipe(s)).listen(port));
}

/** Closes a server. */
export function closeServer(s: net.Server): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}

/** Connects from inside `ns` to host:port, sends `text`, returns what comes back (socket closed after). */
export async function echo(ns: Namespace, host: string, port: number, text: string, timeoutMs = 15_000): Promise<string> {
  const fd = await ns.openSocket(host.includes(':') ? AF_INET6 : AF_INET, SOCK_STREAM);
  const sock = new net.Socket({ fd });
  return new Promise<string>((resolve, reject) => {
    let got = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`echo via ${host}:${port} from ${ns.label}: no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.connect(port, host, () => sock.write(text));
    sock.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length) sock.end();
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}

/** Sends one UDP datagram from inside `ns`, with `ttl` as IP TTL (IPv4; IPv6 uses the link's hop_limit). */
export async function sendUdp(ns: Namespace, host: string, port: number, payload: string, ttl?: number): Promise<void> {
  const v6 = host.includes(':');
  const fd = await ns.openSocket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM);
  const s = dgram.createSocket(v6 ? 'udp6' : 'udp4');
  s.bind({ fd });
  try {
    if (ttl !== undefined) s.setTTL(ttl);
    await new Promise<void>((resolve, reject) => s.send(payload, port, host, (e) => (e ? reject(e) : resolve())));
  } finally {
    s.close();
  }
}

/** A packet seen by a raw receiver. */
export interface SeenPacket {
  /** IPv4 TTL (undefined for IPv6: its raw sockets do not deliver the header). */
  ttl: number | undefined;
  /** UDP destination port. */
  port: number;
  /** UDP payload as text. */
  payload: string;
}

/**
 * A raw IPPROTO_UDP socket inside `ns`: receives a copy of every UDP packet delivered
 * locally in that namespace (whether or not a UDP socket listens). Read with fs.read on
 * the non-blocking fd, retrying while it has nothing (EAGAIN).
 */
export class RawUdpReceiver {
  private constructor(
    private readonly fd: number,
    private readonly v6: boolean,
  ) {}

  static async open(ns: Namespace, family: 4 | 6): Promise<RawUdpReceiver> {
    return new RawUdpReceiver(await ns.openSocket(family === 6 ? AF_INET6 : AF_INET, SOCK_RAW, IPPROTO_UDP), family === 6);
  }

  private readOnce(): Promise<Buffer | undefined> {
    const buf = Buffer.alloc(65536);
    return new Promise((resolve, reject) =>
      read(this.fd, buf, 0, buf.length, null, (e, n) => {
        if (e && (e.code === 'EAGAIN' || e.code === 'EWOULDBLOCK')) resolve(undefined);
        else if (e) reject(e);
        else resolve(buf.subarray(0, n));
      }),
    );
  }

  private parse(b: Buffer): SeenPacket | undefined {
    let udp = b;
    let ttl: number | undefined;
    if (!this.v6) {
      const ihl = (b[0]! & 0x0f) * 4;
      ttl = b[8];
      udp = b.subarray(ihl);
    }
    if (udp.length < 8) return undefined;
    return { ttl, port: udp.readUInt16BE(2), payload: udp.subarray(8).toString() };
  }

  /** Every packet to `port` until one whose payload is `until` (inclusive); throws after `timeoutMs`. */
  async collectUntil(port: number, until: string, timeoutMs = 15_000): Promise<SeenPacket[]> {
    const out: SeenPacket[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const b = await this.readOnce();
      if (b) {
        const p = this.parse(b);
        if (p && p.port === port) {
          out.push(p);
          if (p.payload === until) return out;
        }
        continue;
      }
      if (Date.now() > deadline) throw new Error(`no UDP packet "${until}" to port ${port} within ${timeoutMs} ms (saw ${JSON.stringify(out)})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** One counter of a namespace's /proc/net/snmp (IPv4: `Ip`, `Icmp`, …) or /proc/net/snmp6 (`Ip6InHdrErrors`, …). */
export async function snmpCounter(ns: Namespace, group: string, name: string): Promise<number> {
  // thread-self: the helper thread that entered ns reads its own namespace's view
  if (group === 'Ip6' || group === 'Icmp6') {
    const text = await native.readFileIn(ns.fd, '/proc/thread-self/net/snmp6');
    const line = text.split('\n').find((l) => l.split(/\s+/)[0] === `${group}${name}`);
    if (!line) throw new Error(`no ${group}${name} in snmp6`);
    return Number(line.split(/\s+/)[1]);
  }
  const text = await native.readFileIn(ns.fd, '/proc/thread-self/net/snmp');
  const lines = text.split('\n').filter((l) => l.startsWith(`${group}:`));
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1);
  const i = names.indexOf(name);
  if (i < 0) throw new Error(`no ${group} ${name} in snmp`);
  return Number(values[i]);
}

/** Polls until `fn` is truthy (waiting for the kernel to do something); throws after `ms`. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
