/**
 * Name resolution between containers, as Docker's embedded DNS does it, without NAT and
 * without a helper process: the process that connects a container serves DNS from a UDP and
 * a TCP socket opened inside the container's namespace on a loopback address (Docker's
 * `127.0.0.11:53`). It answers A/AAAA for the names and aliases of the containers on the
 * networks the container shares with them (`web`, `web.mynet`), and forwards every other
 * question to upstream servers (from inside the container's namespace, with a timeout).
 *
 * The DNS messages are hand-written: a resolver that answers A/AAAA needs to read one
 * question and write address records, and forwarded answers are relayed byte for byte with
 * only their id changed — a general DNS message library would bring a dependency for code
 * that never runs.
 * @module
 */
import type dgram from 'node:dgram';
import { close } from 'node:fs';
import type net from 'node:net';
import { native } from '../../binding/native.js';
import { SystemError, ValidationError } from '../../errors.js';
import { cryptoModule, dgramModule, netModule } from '../../util/builtins.js';
import { parseIp } from '../../util/ip.js';
import { validateInt, validateOptions } from '../../util/validate.js';
import type { BridgeNetwork, NetworkEndpoint, NetworkExtension } from './bridge-network.js';
import type { Namespace } from '../namespace/namespace.js';
import type { EndpointRecord } from './state.js';

/** Docker's embedded DNS address. */
export const DEFAULT_DNS_ADDRESS = '127.0.0.11';

/** Options of {@link DnsResolver}. */
export interface DnsResolverOptions {
  /** servers asked for names that are not containers: `10.0.0.53`, `10.0.0.53:5353`, `[fd00::53]:53`. None: such names get SERVFAIL. */
  upstreams?: string[];
  /** how long to wait for one upstream before trying the next (default 2000 ms). */
  timeoutMs?: number;
  /** the loopback address served inside each container (default `127.0.0.11`). */
  address?: string;
  /** the port (default 53). */
  port?: number;
  /** TTL of the answers about containers (default 600 s, like Docker). */
  ttl?: number;
  /** `search` domains written by {@link DnsResolver.resolvConf}. */
  search?: string[];
  /** `options` written by {@link DnsResolver.resolvConf} (default `['ndots:0']`, like Docker). */
  options?: string[];
}

/** Counters of a {@link DnsResolver}. */
export interface DnsStats {
  /** questions received (UDP and TCP). */
  queries: number;
  /** answered from the networks' containers. */
  answered: number;
  /** forwarded to an upstream and answered by it. */
  forwarded: number;
  /** answered SERVFAIL (no upstream answered in time) or dropped as malformed. */
  failed: number;
}

interface Upstream {
  host: string;
  port: number;
  family: 4 | 6;
}

interface Served {
  ns: Namespace;
  udp: dgram.Socket;
  tcp: net.Server;
  /** networks (and the endpoint on each) that put this server there. */
  on: Map<BridgeNetwork, string>;
  forward: Partial<Record<4 | 6, Promise<dgram.Socket>>>;
  conns: Set<net.Socket>;
}

const T_A = 1;
const T_AAAA = 28;
const RCODE_SERVFAIL = 2;
const RCODE_NOTIMP = 4;

function parseUpstream(s: unknown, i: number): Upstream {
  const field = `upstreams[${i}]`;
  if (typeof s !== 'string') throw new ValidationError(field, s, 'expected "ADDRESS", "ADDRESS:PORT" or "[V6]:PORT"');
  let host = s;
  let port = 53;
  const m6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  const m4 = /^([\d.]+):(\d+)$/.exec(s);
  if (m6) [host, port] = [m6[1]!, m6[2] ? Number(m6[2]) : 53];
  else if (m4) [host, port] = [m4[1]!, Number(m4[2])];
  const b = parseIp(host, field);
  validateInt(port, field, 1, 65535);
  return { host, port, family: b.length === 4 ? 4 : 6 };
}

/** Reads the question of a DNS query: the name (lower case, no trailing dot), type, class and where it ends. */
export function parseQuestion(msg: Buffer): { name: string; type: number; klass: number; end: number } | undefined {
  if (msg.length < 12 || msg.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let o = 12;
  for (;;) {
    if (o >= msg.length) return undefined;
    const len = msg[o]!;
    if (len === 0) {
      o++;
      break;
    }
    if (len > 63 || o + 1 + len > msg.length) return undefined; // no compression in a question
    labels.push(msg.toString('latin1', o + 1, o + 1 + len));
    o += 1 + len;
  }
  if (o + 4 > msg.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(o), klass: msg.readUInt16BE(o + 2), end: o + 4 };
}

/** A reply to `query` (whose question ends at `qend`) with `rcode` and address records. */
export function buildReply(query: Buffer, qend: number, rcode: number, type: number, addresses: Buffer[], ttl: number, authoritative = true): Buffer {
  const answers = addresses.map((a) => {
    const rr = Buffer.alloc(12 + a.length);
    rr.writeUInt16BE(0xc00c, 0); // the question's name
    rr.writeUInt16BE(type, 2);
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(a.length, 10);
    a.copy(rr, 12);
    return rr;
  });
  const head = Buffer.from(query.subarray(0, qend));
  const qflags = query.readUInt16BE(2);
  head.writeUInt16BE(0x8000 | (qflags & 0x7800) | (authoritative ? 0x0400 : 0) | (qflags & 0x0100) | 0x0080 | rcode, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(answers.length, 6);
  head.writeUInt16BE(0, 8);
  head.writeUInt16BE(0, 10);
  return Buffer.concat([head, ...answers]);
}

/**
 * Docker's embedded DNS for {@link BridgeNetwork}s, as a {@link NetworkExtension}: give it to
 * `BridgeNetwork.create(host, { extensions: [dns] })` (or `open`), and every container
 * connected through that handle gets a resolver on `127.0.0.11:53`; write
 * {@link DnsResolver.resolvConf} into the container's `/etc/resolv.conf`.
 *
 * ```ts
 * const dns = new DnsResolver({ upstreams: ['10.0.0.53'] });
 * const net = await BridgeNetwork.create(host, { name: 'app', extensions: [dns] });
 * await net.connect(web, { name: 'web', aliases: ['www'] });
 * await net.connect(client, { name: 'client' });   // in client: `nslookup web` → web's address
 * ```
 *
 * The sockets belong to this process: they close with {@link DnsResolver.close}, when the
 * container disconnects, or when the process exits. After a restart, {@link DnsResolver.serve}
 * serves the containers of a reopened network again.
 */
export class DnsResolver implements NetworkExtension {
  /** The extension's name in records: `dns`. */
  readonly name = 'dns';
  /** Counters. */
  readonly stats: DnsStats = { queries: 0, answered: 0, forwarded: 0, failed: 0 };
  private readonly upstreams: Upstream[];
  private readonly timeoutMs: number;
  private readonly address: string;
  private readonly port: number;
  private readonly ttl: number;
  private readonly search: string[];
  private readonly options: string[];
  private readonly served = new Map<string, Served>();
  private readonly reloaded = new Map<BridgeNetwork, number>();

  constructor(options: DnsResolverOptions = {}) {
    const o = validateOptions<DnsResolverOptions>(options, ['upstreams', 'timeoutMs', 'address', 'port', 'ttl', 'search', 'options']);
    if (o.upstreams !== undefined && !Array.isArray(o.upstreams)) throw new ValidationError('upstreams', o.upstreams, 'expected an array');
    this.upstreams = (o.upstreams ?? []).map(parseUpstream);
    this.timeoutMs = validateInt(o.timeoutMs ?? 2000, 'timeoutMs', 1, 60_000);
    this.address = o.address ?? DEFAULT_DNS_ADDRESS;
    if (parseIp(this.address, 'address').length !== 4) throw new ValidationError('address', this.address, 'expected an IPv4 address (a loopback one, like 127.0.0.11)');
    this.port = validateInt(o.port ?? 53, 'port', 1, 65535);
    this.ttl = validateInt(o.ttl ?? 600, 'ttl', 0, 2 ** 31 - 1);
    for (const [f, v] of [['search', o.search], ['options', o.options]] as const) {
      if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || /\s/.test(x)))) throw new ValidationError(f, v, 'expected an array of words');
    }
    this.search = o.search ?? [];
    this.options = o.options ?? ['ndots:0'];
  }

  /** The `/etc/resolv.conf` a runtime writes into containers served by this resolver. */
  resolvConf(): string {
    const lines = ['# netns-kit embedded DNS' + (this.upstreams.length ? `; upstream: ${this.upstreams.map((u) => `${u.host}:${u.port}`).join(' ')}` : '')];
    lines.push(`nameserver ${this.address}`);
    if (this.search.length) lines.push(`search ${this.search.join(' ')}`);
    if (this.options.length) lines.push(`options ${this.options.join(' ')}`);
    return lines.join('\n') + '\n';
  }

  /** Serves `endpoint`'s namespace (called by BridgeNetwork.connect). */
  async connect(network: BridgeNetwork, endpoint: NetworkEndpoint): Promise<unknown> {
    await this.attach(network, endpoint);
    return { address: this.address, port: this.port };
  }

  /** Stops serving an endpoint's namespace once no network of this resolver needs it. */
  async disconnect(network: BridgeNetwork, endpoint: NetworkEndpoint | EndpointRecord): Promise<void> {
    const ns = endpoint.namespace as Namespace | EndpointRecord['namespace'];
    const key = 'identity' in ns ? `${ns.identity.dev}:${ns.identity.ino}` : `${ns.dev}:${ns.ino}`;
    const s = this.served.get(key);
    if (!s) return;
    s.on.delete(network);
    if (s.on.size === 0) await this.shut(key, s);
  }

  /** Stops serving every container of a removed network. */
  async removed(network: BridgeNetwork): Promise<void> {
    for (const [key, s] of [...this.served]) {
      s.on.delete(network);
      if (s.on.size === 0) await this.shut(key, s);
    }
    this.reloaded.delete(network);
  }

  /** Serves every container of `network` not served yet (after this process reopened it). */
  async serve(network: BridgeNetwork): Promise<void> {
    for (const ep of network.endpoints) await this.attach(network, ep);
  }

  /** The addresses this resolver answers for `name` (family 4: A, 6: AAAA) as seen from `from`. */
  async lookup(from: Namespace, name: string, family: 4 | 6 = 4): Promise<string[]> {
    const s = this.served.get(`${from.identity.dev}:${from.identity.ino}`);
    if (!s) return [];
    return (await this.find(s, name.toLowerCase().replace(/\.$/, ''), family)).map((e) => (family === 4 ? e.ip : e.ip6!));
  }

  /** Closes every socket. */
  async close(): Promise<void> {
    await Promise.all([...this.served].map(([k, s]) => this.shut(k, s)));
  }

  private async attach(network: BridgeNetwork, ep: NetworkEndpoint): Promise<void> {
    const key = `${ep.namespace.identity.dev}:${ep.namespace.identity.ino}`;
    const have = this.served.get(key);
    if (have) {
      have.on.set(network, ep.id);
      return;
    }
    const ns = ep.namespace;
    const open = async (stream: boolean): Promise<number> => {
      try {
        return await ns.withFd((fd) => native.openBoundSocket(fd, 4, stream, this.address, this.port, 128));
      } catch (e) {
        throw SystemError.from(e, `serve DNS on ${this.address}:${this.port} in ${ns.label}`);
      }
    };
    const udpFd = await open(false);
    let tcpFd: number;
    try {
      tcpFd = await open(true);
    } catch (e) {
      closeFd(udpFd);
      throw e;
    }
    const udp = dgramModule().createSocket('udp4');
    await new Promise<void>((r) => udp.bind({ fd: udpFd }, r));
    const conns = new Set<net.Socket>();
    const s: Served = { ns, udp, tcp: netModule().createServer(), on: new Map([[network, ep.id]]), forward: {}, conns };
    udp.on('error', () => undefined);
    udp.on('message', (msg, rinfo) => {
      void this.answer(s, msg).then((reply) => reply && udp.send(reply, rinfo.port, rinfo.address));
    });
    s.tcp.on('connection', (c) => this.onTcp(s, c));
    s.tcp.on('error', () => undefined);
    await new Promise<void>((r) => s.tcp.listen({ fd: tcpFd }, r));
    this.served.set(key, s);
  }

  private onTcp(s: Served, c: net.Socket): void {
    s.conns.add(c);
    c.on('close', () => s.conns.delete(c));
    c.on('error', () => c.destroy());
    c.setTimeout(10_000, () => c.destroy());
    let buf = Buffer.alloc(0);
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void this.answer(s, Buffer.from(msg)).then((reply) => {
          if (!reply || c.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length);
          c.write(Buffer.concat([len, reply]));
        });
      }
    });
  }

  /** The endpoints answering to `name` on the networks this namespace is served for. */
  private async find(s: Served, name: string, family: 4 | 6, reload = true): Promise<NetworkEndpoint[]> {
    const out: NetworkEndpoint[] = [];
    for (const n of s.on.keys()) {
      for (const e of n.endpoints) {
        if (family === 6 && !e.ip6) continue;
        const names = [e.name, ...e.aliases].map((x) => x.toLowerCase());
        if (names.some((x) => x === name || `${x}.${n.name.toLowerCase()}` === name)) out.push(e);
      }
    }
    if (out.length === 0 && reload) {
      // maybe a container connected by another process: re-read the networks (at most once a second each)
      let again = false;
      for (const n of s.on.keys()) {
        const last = this.reloaded.get(n) ?? 0;
        if (Date.now() - last < 1000) continue;
        this.reloaded.set(n, Date.now());
        await n.reload().catch(() => undefined);
        again = true;
      }
      if (again) return this.find(s, name, family, false);
    }
    return out;
  }

  private async answer(s: Served, msg: Buffer): Promise<Buffer | undefined> {
    this.stats.queries++;
    const q = parseQuestion(msg);
    if (!q || (msg.readUInt16BE(2) & 0x8000) !== 0) {
      this.stats.failed++;
      return undefined;
    }
    const opcode = (msg.readUInt16BE(2) >> 11) & 15;
    if (opcode !== 0) return buildReply(msg, q.end, RCODE_NOTIMP, 0, [], 0);
    if (q.klass === 1 && (q.type === T_A || q.type === T_AAAA)) {
      const family = q.type === T_A ? 4 : 6;
      const hits = await this.find(s, q.name, family);
      if (hits.length > 0) {
        this.stats.answered++;
        return buildReply(msg, q.end, 0, q.type, hits.map((e) => parseIp(family === 4 ? e.ip : e.ip6!)), this.ttl);
      }
      // a container without an address of that family: NOERROR, no records (NODATA)
      if (family === 6 && (await this.find(s, q.name, 4, false)).length > 0) {
        this.stats.answered++;
        return buildReply(msg, q.end, 0, q.type, [], this.ttl);
      }
    }
    const reply = await this.forward(s, msg);
    if (reply) {
      this.stats.forwarded++;
      return reply;
    }
    this.stats.failed++;
    return buildReply(msg, q.end, RCODE_SERVFAIL, 0, [], 0, false);
  }

  /** Asks the upstreams in turn (from inside the container), each for `timeoutMs`; the answer with the query's id, or undefined. */
  private async forward(s: Served, msg: Buffer): Promise<Buffer | undefined> {
    for (const u of this.upstreams) {
      let sock: dgram.Socket;
      try {
        sock = await (s.forward[u.family] ??= this.forwardSocket(s, u.family));
      } catch {
        continue;
      }
      const id = cryptoModule().randomInt(0, 65536);
      const out = Buffer.from(msg);
      out.writeUInt16BE(id, 0);
      const reply = await new Promise<Buffer | undefined>((resolve) => {
        const timer = setTimeout(() => done(undefined), this.timeoutMs);
        const onMsg = (m: Buffer, r: dgram.RemoteInfo): void => {
          if (m.length >= 12 && m.readUInt16BE(0) === id && r.port === u.port && sameHost(r.address, u.host)) done(m);
        };
        const done = (m: Buffer | undefined): void => {
          clearTimeout(timer);
          sock.off('message', onMsg);
          resolve(m);
        };
        sock.on('message', onMsg);
        sock.send(out, u.port, u.host, (e) => e && done(undefined));
      });
      if (reply) {
        const back = Buffer.from(reply);
        back.writeUInt16BE(msg.readUInt16BE(0), 0);
        return back;
      }
    }
    return undefined;
  }

  private async forwardSocket(s: Served, family: 4 | 6): Promise<dgram.Socket> {
    const fd = await s.ns.withFd((nsFd) => native.openBoundSocket(nsFd, family, false, family === 4 ? '0.0.0.0' : '::', 0, 0));
    const sock = dgramModule().createSocket(family === 4 ? 'udp4' : 'udp6');
    sock.on('error', () => undefined);
    sock.setMaxListeners(0);
    await new Promise<void>((r) => sock.bind({ fd }, r));
    return sock;
  }

  private async shut(key: string, s: Served): Promise<void> {
    this.served.delete(key);
    for (const c of s.conns) c.destroy();
    const closing: Promise<void>[] = [
      new Promise((r) => s.udp.close(() => r())),
      new Promise((r) => s.tcp.close(() => r())),
    ];
    for (const f of Object.values(s.forward)) closing.push(f.then((x) => new Promise<void>((r) => x.close(() => r()))).catch(() => undefined));
    await Promise.all(closing);
  }
}

function sameHost(a: string, b: string): boolean {
  return a === b || parseIp(a).equals(parseIp(b));
}

function closeFd(fd: number): void {
  close(fd, () => undefined);
}
