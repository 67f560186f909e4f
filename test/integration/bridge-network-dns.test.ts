/**
 * The embedded DNS of BridgeNetwork (Docker's 127.0.0.11): real DNS queries from inside
 * container namespaces — busybox nslookup reading the resolv.conf the resolver wrote, and
 * raw UDP/TCP queries — answered from the network's containers, forwarded to an upstream
 * server running in a namespace the test made, or SERVFAIL when the upstream is silent.
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../src/binding/native.js';
import { BridgeNetwork, DnsResolver, type Namespace } from '../../src/index.js';
import { buildReply, parseQuestion } from '../../src/api/network/dns.js';
import { rootSkip, skipReason, tempNamespace, useTempNamespaces } from '../helpers/env.js';
import { AF_INET } from '../helpers/traffic.js';

const run = promisify(execFile);
const SOCK_DGRAM = 2;
const SOCK_STREAM = 1;
let busybox = true;
try {
  await run('busybox', ['true']);
} catch {
  busybox = false;
}
const etcDirs: string[] = [];
afterAll(() => {
  for (const d of etcDirs) rmSync(d, { recursive: true, force: true });
});

/** What `ip netns exec` shows a program as /etc/resolv.conf: /etc/netns/NAME/resolv.conf. */
function writeResolvConf(ns: Namespace, text: string): void {
  const dir = `/etc/netns/${ns.name}`;
  mkdirSync(dir, { recursive: true });
  etcDirs.push(dir);
  writeFileSync(`${dir}/resolv.conf`, text);
}

async function nslookup(ns: Namespace, name: string, type = 'a'): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'exec', ns.name!, 'busybox', 'nslookup', `-type=${type}`, name]).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
  const after = stdout.split(/\n\s*\n/).slice(1).join('\n');
  return [...after.matchAll(/Address:\s*(\S+)/g)].map((m) => m[1]!);
}

function query(name: string, type: number, id = 0x1234): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const head = Buffer.from([id >> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const tail = Buffer.from([0, type >> 8, type & 255, 0, 1]);
  return Buffer.concat([head, ...labels, tail]);
}
/** Answer addresses (A only) and rcode of a reply. */
function decode(reply: Buffer): { id: number; rcode: number; aa: boolean; a: string[] } {
  const q = parseQuestion(Buffer.concat([reply.subarray(0, 4), Buffer.from([0, 1]), reply.subarray(6)]))!;
  const a: string[] = [];
  let o = q.end;
  for (let i = 0; i < reply.readUInt16BE(6); i++) {
    const type = reply.readUInt16BE(o + 2);
    const len = reply.readUInt16BE(o + 10);
    if (type === 1) a.push([...reply.subarray(o + 12, o + 12 + len)].join('.'));
    o += 12 + len;
  }
  return { id: reply.readUInt16BE(0), rcode: reply.readUInt16BE(2) & 15, aa: (reply.readUInt16BE(2) & 0x0400) !== 0, a };
}

async function udpQuery(ns: Namespace, msg: Buffer, timeoutMs = 5000): Promise<{ reply?: Buffer; ms: number }> {
  const fd = await ns.openSocket(AF_INET, SOCK_DGRAM);
  const s = dgram.createSocket('udp4');
  const t0 = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const done = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      s.close();
      resolve({ ...(reply ? { reply } : {}), ms: Date.now() - t0 });
    };
    s.on('message', (m) => done(m));
    s.on('error', () => done(undefined));
    s.bind({ fd }, () => s.send(msg, 53, '127.0.0.11'));
  });
}

async function tcpQuery(ns: Namespace, msg: Buffer): Promise<Buffer> {
  const fd = await ns.openSocket(AF_INET, SOCK_STREAM);
  const s = new net.Socket({ fd });
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    s.on('error', reject);
    s.connect(53, '127.0.0.11', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length);
      s.write(Buffer.concat([len, msg]));
    });
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        s.destroy();
        resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      }
    });
  });
}

/** A tiny upstream DNS server inside `ns`: `outside.example` → 192.0.2.7, anything else NXDOMAIN; silent when told. */
async function upstream(ns: Namespace, address: string, port: number, silent = false): Promise<{ close(): Promise<void>; asked: string[] }> {
  const fd = await ns.withFd((nsFd) => native.openBoundSocket(nsFd, 4, false, address, port, 0));
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind({ fd }, r));
  const asked: string[] = [];
  s.on('message', (m, r) => {
    const q = parseQuestion(m)!;
    asked.push(q.name);
    if (silent) return;
    const reply = q.name === 'outside.example' && q.type === 1 ? buildReply(m, q.end, 0, 1, [Buffer.from([192, 0, 2, 7])], 60, false) : buildReply(m, q.end, 3, 0, [], 0, false);
    s.send(reply, r.port, r.address);
  });
  return { asked, close: () => new Promise((r) => s.close(() => r())) };
}

describe.skipIf(!!rootSkip)('BridgeNetwork: embedded DNS', () => {
  useTempNamespaces();

  it.skipIf(!busybox && !!skipReason('busybox is not installed: nslookup tests need busybox-static'))(
    'containers find each other by name, alias and name.network (A and AAAA) with nslookup; other names go to the upstream',
    async () => {
      const host = await tempNamespace('host');
      const [web, client] = [await tempNamespace('web'), await tempNamespace('client')];
      const up = await upstream(host, '10.140.0.1', 5353);
      const dns = new DnsResolver({ upstreams: ['10.140.0.1:5353'], timeoutMs: 1000 });
      try {
        const n = await BridgeNetwork.create(host, { name: 'app', subnet: '10.140.0.0/24', subnetV6: 'fd00:140::/64', extensions: [dns] });
        const ew = await n.connect(web, { name: 'web', aliases: ['www'] });
        await n.connect(client, { name: 'client' });
        expect(dns.resolvConf()).toBe('# netns-kit embedded DNS; upstream: 10.140.0.1:5353\nnameserver 127.0.0.11\noptions ndots:0\n');
        writeResolvConf(client, dns.resolvConf());
        expect(await nslookup(client, 'web')).toEqual([ew.ip]);
        expect(await nslookup(client, 'www')).toEqual([ew.ip]);
        expect(await nslookup(client, 'web.app')).toEqual([ew.ip]);
        expect(await nslookup(client, 'web', 'aaaa')).toEqual([ew.ip6]);
        expect(await nslookup(client, 'outside.example')).toEqual(['192.0.2.7']);
        expect(up.asked).toContain('outside.example');
        expect(up.asked).not.toContain('web');
        expect(await dns.lookup(client, 'WEB')).toEqual([ew.ip]);
        await n.remove({ force: true });
      } finally {
        await dns.close();
        await up.close();
      }
    },
  );

  it('raw UDP and TCP queries from a container; SERVFAIL after the timeout when the upstream is silent; the resolver goes with disconnect', async () => {
    const host = await tempNamespace('host');
    const [a, b] = [await tempNamespace('a'), await tempNamespace('b')];
    const silent = await upstream(host, '10.141.0.1', 5353, true);
    const dns = new DnsResolver({ upstreams: ['10.141.0.1:5353'], timeoutMs: 300 });
    try {
      const n = await BridgeNetwork.create(host, { name: 'raw', subnet: '10.141.0.0/24', extensions: [dns] });
      const ea = await n.connect(a, { name: 'alpha' });
      await n.connect(b, { name: 'beta' });
      const r1 = decode((await udpQuery(b, query('alpha', 1, 0x4242))).reply!);
      expect(r1).toEqual({ id: 0x4242, rcode: 0, aa: true, a: [ea.ip] });
      const r2 = decode(await tcpQuery(b, query('alpha.raw', 1, 0x0101)));
      expect(r2).toEqual({ id: 0x0101, rcode: 0, aa: true, a: [ea.ip] });
      const { reply, ms } = await udpQuery(b, query('nowhere.example', 1));
      expect(decode(reply!).rcode).toBe(2); // SERVFAIL
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(silent.asked).toEqual(['nowhere.example']);
      expect(dns.stats).toMatchObject({ answered: 2, failed: 1 });
      await n.disconnect(b);
      await expect(tcpQuery(b, query('alpha', 1))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      // a restarted process: the old resolver's sockets are gone; a new one serves the reopened network's containers
      await dns.close();
      await expect(tcpQuery(a, query('alpha', 1))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      const dns2 = new DnsResolver();
      const reopened = await BridgeNetwork.open(host, 'raw', { extensions: [dns2] });
      try {
        await dns2.serve(reopened);
        expect(decode(await tcpQuery(a, query('alpha', 1, 7)))).toEqual({ id: 7, rcode: 0, aa: true, a: [ea.ip] });
        await reopened.remove({ force: true });
      } finally {
        await dns2.close();
      }
      await n.remove({ force: true });
    } finally {
      await dns.close();
      await silent.close();
    }
  });
});
