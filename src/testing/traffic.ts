/**
 * Real traffic between namespaces, to prove a topology works: TCP and UDP echo servers
 * listening inside a namespace, echo clients whose sockets live in another one, single UDP
 * datagrams with a chosen TTL, and a raw-socket receiver that reports the TTL each packet
 * arrived with (`ping` / `nc` / `tcpdump` without spawning them).
 *
 * Every socket is created inside its namespace: servers by {@link Namespace.run} (the
 * main thread enters the namespace just while the socket is made), clients by
 * {@link Namespace.openSocket} (a helper thread makes it; the main thread never moves).
 * @module
 */
import type dgram from 'node:dgram';
import { closeSync, read } from 'node:fs';
import type net from 'node:net';
import type { Namespace } from '../api/namespace/namespace.js';
import { ValidationError } from '../errors.js';
import { dgramModule, netModule } from '../util/builtins.js';
import { validateInt } from '../util/validate.js';

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_RAW = 3;
const IPPROTO_UDP = 17;

/**
 * The default time an echo client waits for its answer.
 * @category Testing
 */
export const DEFAULT_ECHO_TIMEOUT_MS = 5_000;

/**
 * A running echo server (TCP or UDP) inside a namespace.
 * @category Testing
 */
export interface EchoServer {
  /** `tcp` or `udp`. */
  readonly protocol: 'tcp' | 'udp';
  /** The namespace it listens in. */
  readonly namespace: Namespace;
  /** The port it listens on (the kernel's choice when 0 was asked for). */
  readonly port: number;
  /** Stops listening (and, for TCP, closes open connections). */
  close(): Promise<void>;
}

/**
 * What an echo client sent and got back: one line of a connectivity report.
 * @category Testing
 */
export interface EchoResult {
  /** `tcp` or `udp`. */
  protocol: 'tcp' | 'udp';
  /** The namespace the client socket lived in (its name, or path). */
  from: string;
  /** The server address, `host:port` (`[v6]:port` for IPv6). */
  to: string;
  /** The text sent. */
  sent: string;
  /** What came back (`''` when nothing did). */
  received: string;
  /** True when exactly what was sent came back. */
  ok: boolean;
  /** Why not, when it failed: the socket error (`connect ECONNREFUSED …`, `ENETUNREACH`, …) or a timeout. */
  error?: string;
}

/**
 * Options of {@link tcpEcho} and {@link udpEcho}.
 * @category Testing
 */
export interface EchoOptions {
  /** how long to wait for the answer (default {@link DEFAULT_ECHO_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** IPv4 TTL / IPv6 hop limit of the UDP datagram (udpEcho only). */
  ttl?: number;
}

function checkPort(port: unknown, field = 'port', min = 0): number {
  return validateInt(port, field, min, 65535);
}

function checkHost(host: unknown): string {
  if (typeof host !== 'string' || netModule().isIP(host) === 0) throw new ValidationError('host', host, 'expected an IPv4 or IPv6 address');
  return host;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** dgram's lookup, answered synchronously for IP literals: bind() then makes the socket at once (inside a namespace). */
function literalLookup(address: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  const f = netModule().isIP(address);
  if (f === 0) callback(new ValidationError('address', address, 'expected an IP address (no name resolution here)'), address, 0);
  else callback(null, address, f);
}

/**
 * Starts a TCP echo server inside `ns`, listening on `port` on every address (IPv4 and
 * IPv6); port 0 lets the kernel choose ({@link EchoServer.port}). Whatever a client sends
 * is sent back.
  * @category Testing
 */
export async function tcpEchoServer(ns: Namespace, port = 0): Promise<EchoServer> {
  checkPort(port);
  const sockets = new Set<net.Socket>();
  // listen() without a host is synchronous: the socket is made while inside ns
  const server = ns.run(() =>
    netModule()
      .createServer((s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
        s.pipe(s);
      })
      .listen(port),
  );
  await new Promise<void>((resolve, reject) => {
    if (server.listening) resolve();
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const actual = (server.address() as net.AddressInfo).port;
  return {
    protocol: 'tcp',
    namespace: ns,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts a UDP echo server inside `ns` on `port` (0: the kernel chooses), for IPv4
 * (`family` 4, the default) or IPv6 (6). Every datagram is sent back to its sender.
  * @category Testing
 */
export async function udpEchoServer(ns: Namespace, port = 0, family: 4 | 6 = 4): Promise<EchoServer> {
  checkPort(port);
  if (family !== 4 && family !== 6) throw new ValidationError('family', family, 'expected 4 or 6');
  // With a synchronous lookup, bind() creates and binds the socket before returning,
  // while the main thread is inside ns ('listening' is emitted right there, too).
  let bound!: Promise<void>;
  const sock = ns.run(() => {
    const s = dgramModule().createSocket({ type: family === 6 ? 'udp6' : 'udp4', lookup: literalLookup as never });
    bound = new Promise<void>((resolve, reject) => {
      s.once('listening', resolve);
      s.once('error', reject);
    });
    s.bind(port);
    return s;
  });
  await bound;
  sock.on('error', () => undefined);
  sock.on('message', (msg, rinfo) => sock.send(msg, rinfo.port, rinfo.address));
  return {
    protocol: 'udp',
    namespace: ns,
    port: sock.address().port,
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}

/**
 * Connects from inside `ns` to `host:port` over TCP, sends `text` and collects what comes
 * back. Network failures do not reject: they are reported in {@link EchoResult.error}
 * (so an expected failure — an isolated network — can be shown as a result too).
  * @category Testing
 */
export async function tcpEcho(ns: Namespace, host: string, port: number, text: string, options: EchoOptions = {}): Promise<EchoResult> {
  checkHost(host);
  checkPort(port, 'port', 1);
  const timeoutMs = validateInt(options.timeoutMs ?? DEFAULT_ECHO_TIMEOUT_MS, 'timeoutMs', 1, 3_600_000);
  const result: EchoResult = { protocol: 'tcp', from: ns.label, to: hostPort(host, port), sent: text, received: '', ok: false };
  const fd = await ns.openSocket(host.includes(':') ? AF_INET6 : AF_INET, SOCK_STREAM);
  const sock = new (netModule().Socket)({ fd });
  return new Promise<EchoResult>((resolve) => {
    let done = false;
    const finish = (error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      result.ok = error === undefined && result.received === text;
      if (error !== undefined) result.error = error;
      resolve(result);
    };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    sock.on('error', (e) => finish(e.message));
    sock.connect(port, host, () => sock.write(text));
    sock.on('data', (d) => {
      result.received += d.toString();
      if (result.received.length >= text.length) sock.end();
    });
    sock.on('close', () => finish());
  });
}

/**
 * Sends `text` in one UDP datagram from inside `ns` to `host:port` and waits for the echo.
 * Failures (nothing came back within the timeout, ICMP unreachable) are reported in
 * {@link EchoResult.error}, not thrown.
  * @category Testing
 */
export async function udpEcho(ns: Namespace, host: string, port: number, text: string, options: EchoOptions = {}): Promise<EchoResult> {
  checkHost(host);
  checkPort(port, 'port', 1);
  const timeoutMs = validateInt(options.timeoutMs ?? DEFAULT_ECHO_TIMEOUT_MS, 'timeoutMs', 1, 3_600_000);
  if (options.ttl !== undefined) validateInt(options.ttl, 'ttl', 1, 255);
  const result: EchoResult = { protocol: 'udp', from: ns.label, to: hostPort(host, port), sent: text, received: '', ok: false };
  const v6 = host.includes(':');
  const fd = await ns.openSocket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM);
  const sock = dgramModule().createSocket(v6 ? 'udp6' : 'udp4');
  return new Promise<EchoResult>((resolve) => {
    let done = false;
    const finish = (error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      result.ok = error === undefined && result.received === text;
      if (error !== undefined) result.error = error;
      resolve(result);
    };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    sock.on('error', (e) => finish(e.message));
    sock.on('message', (msg) => {
      result.received = msg.toString();
      finish();
    });
    sock.bind({ fd }, () => {
      if (options.ttl !== undefined) sock.setTTL(options.ttl);
      sock.send(text, port, host, (e) => {
        if (e) finish(e.message);
      });
    });
  });
}

/**
 * Sends one UDP datagram from inside `ns` to `host:port`, with `ttl` as IPv4 TTL (IPv6:
 * hop limit) when given. Resolves once the kernel took it; rejects on a send error.
  * @category Testing
 */
export async function sendUdp(ns: Namespace, host: string, port: number, payload: string, ttl?: number): Promise<void> {
  checkHost(host);
  checkPort(port, 'port', 1);
  if (ttl !== undefined) validateInt(ttl, 'ttl', 1, 255);
  const v6 = host.includes(':');
  const fd = await ns.openSocket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM);
  const s = dgramModule().createSocket(v6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve) => s.bind({ fd }, resolve));
    if (ttl !== undefined) s.setTTL(ttl);
    await new Promise<void>((resolve, reject) => s.send(payload, port, host, (e) => (e ? reject(e) : resolve())));
  } finally {
    s.close();
  }
}

/**
 * A UDP packet seen by a {@link RawUdpReceiver}.
 * @category Testing
 */
export interface SeenPacket {
  /** IPv4 TTL it arrived with (undefined for IPv6: its raw sockets do not deliver the header). */
  ttl: number | undefined;
  /** IPv4 source address (undefined for IPv6). */
  source: string | undefined;
  /** UDP destination port. */
  port: number;
  /** UDP payload as text. */
  payload: string;
}

/**
 * A raw IPPROTO_UDP socket inside a namespace: it receives a copy of every UDP packet
 * delivered locally there (whether or not a UDP socket listens), IPv4 ones with their IP
 * header — so the TTL a packet arrived with can be read (Node's dgram cannot). Reads the
 * non-blocking fd with fs.read, retrying while it has nothing (EAGAIN).
  * @category Testing
 */
export class RawUdpReceiver {
  private fd: number;
  private readonly v6: boolean;

  private constructor(fd: number, v6: boolean) {
    this.fd = fd;
    this.v6 = v6;
  }

  /** Opens a receiver inside `ns` for IPv4 (4) or IPv6 (6) packets. */
  static async open(ns: Namespace, family: 4 | 6): Promise<RawUdpReceiver> {
    if (family !== 4 && family !== 6) throw new ValidationError('family', family, 'expected 4 or 6');
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
    let source: string | undefined;
    if (!this.v6) {
      if (b.length < 20) return undefined;
      const ihl = (b[0]! & 0x0f) * 4;
      ttl = b[8];
      source = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      udp = b.subarray(ihl);
    }
    if (udp.length < 8) return undefined;
    return { ttl, source, port: udp.readUInt16BE(2), payload: udp.subarray(8).toString() };
  }

  /**
   * Every packet to `port` until one whose payload is `until` (inclusive). Rejects with a
   * message listing what was seen when none came within `timeoutMs`.
   */
  async collectUntil(port: number, until: string, timeoutMs = DEFAULT_ECHO_TIMEOUT_MS): Promise<SeenPacket[]> {
    checkPort(port, 'port', 1);
    if (this.fd < 0) throw new ValidationError('receiver', 'closed', 'the receiver is closed');
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

  /** Closes the socket (idempotent). */
  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}
