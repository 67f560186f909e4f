/**
 * The native addon's lifecycle: close() never waits for the writer thread, closing from inside
 * the socket's own callback, results that arrive after the JavaScript environment is gone,
 * Namespace.host() when first called inside run(), handles dropped without close() (finalizers),
 * `await using`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { native } from '../../src/binding/native.js';
import { Link, Namespace, type NetlinkError } from '../../src/index.js';
import { NetlinkConnection } from '../../src/netlink/index.js';
import { fdCount, ipJson, rootSkip, tempNamespace, uniqueName, useTempNamespaces } from '../helpers/env.js';

const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname;

function node(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { encoding: 'utf8' }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

/** RTM_NEWROUTE for a blackhole route 10.(i>>8).(i&255).0/24 (needs no device), no ACK asked. */
function blackholeRoute(i: number, seq: number): Buffer {
  const b = Buffer.alloc(16 + 12 + 8);
  b.writeUInt32LE(b.length, 0);
  b.writeUInt16LE(24 /* RTM_NEWROUTE */, 4);
  b.writeUInt16LE(0x1 | 0x400 | 0x200 /* REQUEST | CREATE | EXCL */, 6);
  b.writeUInt32LE(seq, 8);
  b.writeUInt8(2 /* AF_INET */, 16);
  b.writeUInt8(24, 17); // dst_len
  b.writeUInt8(254 /* RT_TABLE_MAIN */, 20);
  b.writeUInt8(4 /* RTPROT_STATIC */, 21);
  b.writeUInt8(0 /* RT_SCOPE_UNIVERSE */, 22);
  b.writeUInt8(6 /* RTN_BLACKHOLE */, 23);
  b.writeUInt16LE(8, 28);
  b.writeUInt16LE(1 /* RTA_DST */, 30);
  b.writeUInt8(10, 32);
  b.writeUInt8((i >> 8) & 255, 33);
  b.writeUInt8(i & 255, 34);
  return b;
}

const settle = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!!rootSkip)('addon lifecycle', () => {
  useTempNamespaces();

  it('close() returns while the writer thread is still inside sendto(); the writer closes the fd when it is done', async () => {
    const ns = await tempNamespace('busy');
    // One datagram of 20,000 route additions: the kernel handles them all inside one sendto().
    const total = 20_000;
    const big = Buffer.concat(Array.from({ length: total }, (_, i) => blackholeRoute(i, i + 1)));
    const fd = await native.openSocket(ns.fd, 16 /* AF_NETLINK */, 3 /* SOCK_RAW */, 0);
    const sock = new native.NetlinkSocket(fd, () => undefined);
    sock.setOption(1 /* SOL_SOCKET */, 32 /* SO_SNDBUFFORCE */, big.length * 2);
    const watcher = await NetlinkConnection.open({ nsFd: ns.fd });
    const countRoutes = (): Promise<number> =>
      watcher
        .dumpAll(26 /* RTM_GETROUTE */, 0, (w) => w.u8(2).u8(0).u8(0).u8(0).u8(254).u8(0).u8(0).u8(0).u32(0), { operation: 'dump routes' })
        .then((m) => m.length, (e: NetlinkError) => (e.code === 'ENOENT' ? 0 : Promise.reject(e))); // no main table yet
    const socketId = readlinkSync(`/proc/self/fd/${fd}`); // socket:[inode] (a number alone may be reused)
    const stillOpen = (): boolean => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === socketId;
      } catch {
        return false;
      }
    };
    sock.send(big, 1);
    let during = 0;
    while (during === 0) during = await countRoutes(); // the writer is inside sendto()
    expect(during).toBeLessThan(total);
    sock.close(); // before: joined the writer, i.e. waited for all 20,000 routes
    const fdOpenAfterClose = stillOpen();
    const routesAtClose = await countRoutes();
    expect(fdOpenAfterClose).toBe(true); // the writer still owns it
    expect(routesAtClose).toBeLessThan(total);
    let open = true;
    for (let i = 0; i < 3000 && open; i++) {
      await settle();
      open = stillOpen();
    }
    expect(open).toBe(false); // closed by the writer once the kernel was done
    watcher.close();
  });

  it('closing a connection from inside its own data callback, 500 times: no crash, no fd left', async () => {
    const ns = await tempNamespace('cbclose');
    const base = fdCount();
    for (let i = 0; i < 500; i++) {
      const fd = await native.openSocket(ns.fd, 16, 3, 0);
      let closedInside = false;
      await new Promise<void>((resolve) => {
        const sock = new native.NetlinkSocket(fd, (data) => {
          if (data && !closedInside) {
            closedInside = true;
            sock.close(); // frees nothing the call still uses
            sock.close();
            resolve();
          }
        });
        // RTM_GETLINK for lo (index 1), answered with the link and an ACK
        const req = Buffer.alloc(32);
        req.writeUInt32LE(32, 0);
        req.writeUInt16LE(18, 4);
        req.writeUInt16LE(0x1 | 0x4, 6);
        req.writeUInt32LE(1, 8);
        req.writeInt32LE(1, 20);
        sock.ref(); // a request in flight: keep it (an unref()'d socket nobody holds may be collected)
        sock.send(req, 1);
      });
    }
    await settle();
    expect(fdCount()).toBe(base);
    // and through NetlinkConnection: close() from onNotification
    const conn = await NetlinkConnection.open({ nsFd: ns.fd, groups: [5 /* RTNLGRP_IPV4_IFADDR */] });
    const got = new Promise<void>((resolve) => {
      conn.onNotification = () => {
        conn.close();
        resolve();
      };
    });
    execFileSync('ip', ['-n', ns.name!, 'addr', 'add', '10.9.9.9/32', 'dev', 'lo']);
    await got;
    expect(conn.isClosed).toBe(true);
  });

  it('results that arrive after a worker was terminated do not leak their fds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nk-fifo-'));
    const fifo = join(dir, 'f');
    execFileSync('mkfifo', [fifo]);
    try {
      const base = fdCount();
      const worker = new Worker(fixture('teardown-worker.mjs'), { workerData: { fifo, count: 8 } });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      await settle(50); // the helper threads are blocked in open() of the FIFO
      await worker.terminate();
      const w = openSync(fifo, 'w'); // unblocks every open: the results find no environment
      closeSync(w);
      let n = fdCount();
      for (let i = 0; i < 100 && n > base; i++) {
        await settle();
        n = fdCount();
      }
      expect(n).toBe(base); // before: 8 fds (the FIFO's read ends) stayed open for good
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Namespace.host() first called inside run() is still the namespace the process was loaded in', async () => {
    const ns = await tempNamespace('hostrun');
    const out = JSON.parse(await node([fixture('host-inside-run.mjs'), ns.name!])) as { initial: string; host: string; inside: string };
    expect(out.host).toBe(out.initial);
    expect(out.inside).not.toBe(out.initial);
  });

  it('Namespaces and connections dropped without close() are collected: fds and threads released', async () => {
    const ns = await tempNamespace('drop');
    const out = JSON.parse(await node(['--expose-gc', fixture('dropped-handles.mjs'), ns.name!])) as Record<'before' | 'open' | 'after', { fds: number; threads: number }>;
    expect(out.open.fds).toBeGreaterThan(out.before.fds + 30); // they were open (20 × namespace fd + 2 sockets)
    expect(out.after).toEqual(out.before);
  });

  it('namespaces are made and deleted by a few pooled threads that return home and leave when idle', async () => {
    const prefix = uniqueName('pool');
    const out = JSON.parse(await node([fixture('namespace-pool.mjs'), prefix, '24'])) as {
      before: { threads: number; fds: number };
      during: { threads: number; insideCreated: number };
      after: { threads: number; fds: number };
      distinct: number;
    };
    expect(out.distinct).toBe(24);
    expect(out.during.insideCreated).toBe(0); // no thread stays in a namespace it made
    expect(out.during.threads - out.before.threads).toBeLessThanOrEqual(8); // 24 creations, at most 8 creating threads
    expect(out.after).toEqual(out.before); // idle threads left; no namespace fd stays open
    expect(readdirSync('/run/netns').filter((n) => n.startsWith(prefix))).toEqual([]);
  });

  it('await using: a created namespace is deleted, an opened one and a connection are closed', async () => {
    const base = fdCount();
    const name = uniqueName('using');
    let conn: NetlinkConnection | undefined;
    let opened: Namespace | undefined;
    {
      await using ns = await Namespace.create(name);
      await using again = await Namespace.open(name);
      await using c = await NetlinkConnection.open({ nsFd: ns.fd });
      conn = c;
      opened = again;
      expect((await Link.list(ns)).map((l) => l.name)).toEqual(['lo']);
    }
    expect(conn.isClosed).toBe(true);
    expect(opened.isClosed).toBe(true);
    expect(readdirSync('/run/netns')).not.toContain(name);
    await settle();
    expect(fdCount()).toBe(base);
  });
});
