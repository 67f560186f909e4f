/**
 * Large dumps through one connection: a dump many kernel chunks and receive batches long read
 * whole (and lazily decoded routes), requests answered while a dump streams, back-pressure
 * from a slow consumer (the native receive loop hands JavaScript at most 512 KiB per wakeup,
 * then reading pauses), close() in the middle of a dump, and no descriptor or thread left.
 */
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Address, Link, NetlinkError, Route, VethPair } from '../../src/index.js';
import type { Namespace } from '../../src/index.js';
import { NetlinkConnection } from '../../src/netlink/index.js';
import { AF_INET, RTM_GETLINK, RTM_GETROUTE } from '../../src/rtnetlink/constants.js';
import { IfInfoMsg, LinkAttrs } from '../../src/rtnetlink/link.js';
import { RouteAttrs, RtMsg } from '../../src/rtnetlink/route.js';
import { fdCount, rootSkip, tempNamespace, useTempNamespaces } from '../helpers/env.js';

const N = 20_000; // ~1.2 MB of dump: ~40 kernel chunks of 32 KiB, three receive batches of at most 512 KiB
const prefix = (i: number): string => `10.${100 + (i >> 8)}.${i & 255}.0/24`;
const threads = (): number => readdirSync('/proc/self/task').length;
const routeBody = (w: Parameters<typeof RtMsg.encode>[0]): void => {
  RtMsg.encode(w, { family: AF_INET });
  RouteAttrs.encode(w, { table: 100 });
};

async function bigTable(tag: string): Promise<Namespace> {
  const ns = await tempNamespace(tag);
  await VethPair.create(ns, { name: 'va', up: true, peer: { name: 'vb', up: true } });
  const va = await Link.get(ns, 'va');
  await Address.add(va, '192.168.0.1/24');
  await Route.addMany(ns, Array.from({ length: N }, (_, i) => ({ to: prefix(i), via: '192.168.0.2', dev: va, table: 100 })));
  return ns;
}

describe.skipIf(!!rootSkip)('large dumps', () => {
  useTempNamespaces();

  it('reads a dump larger than many buffers whole and in order, with requests answered in between', async () => {
    const ns = await bigTable('dmbig');
    const routes = await Route.list(ns, { family: 4, table: 100 });
    expect(routes.length).toBe(N);
    expect(routes.map((r) => r.to).sort()).toEqual(Array.from({ length: N }, (_, i) => prefix(i)).sort());
    expect(routes.every((r) => r.via === '192.168.0.2' && r.table === 100)).toBe(true);
    // a request and a second dump while a dump streams: every answer reaches its own caller
    const conn = await ns.connection();
    let streamed = 0;
    const other: Promise<unknown>[] = [];
    for await (const _ of conn.dump(RTM_GETROUTE, 0, routeBody, { operation: 'dump routes' }, { highWater: 256 })) {
      if (streamed++ % 2000 === 0) {
        other.push(Link.get(ns, 'va').then((l) => l.name));
        other.push(conn.dumpAll(RTM_GETLINK, 0, (w) => IfInfoMsg.encode(w, {}), { operation: 'dump links' }).then((ms) => ms.map((m) => LinkAttrs.decode(m.buf, m.start + IfInfoMsg.size, m.end).ifname).sort()));
      }
    }
    expect(streamed).toBe(N);
    for (const x of await Promise.all(other)) expect(['va', ['lo', 'va', 'vb'].join()]).toContain(Array.isArray(x) ? x.join() : x);
    expect(conn.stats.strayReplies).toBe(0);
    // after the dump the main thread reads again: a plain request still works
    expect((await Link.get(ns, 'vb')).name).toBe('vb');
  });

  it('a slow consumer holds reading back (bounded buffering), and gets everything', async () => {
    const ns = await bigTable('dmslow');
    const conn = await ns.connection();
    let received = 0;
    let consumed = 0;
    let ahead = 0;
    let atFirstPause = 0;
    const high = 64;
    for await (const _ of conn.dump(RTM_GETROUTE, 0, routeBody, { operation: 'dump routes' }, { highWater: high, onMessage: () => received++ })) {
      consumed++;
      if (consumed % 1000 === 0) {
        await sleep(20); // reading is paused: it must not run ahead while we sleep
        ahead = Math.max(ahead, received - consumed);
        if (consumed === 1000) atFirstPause = received;
      }
    }
    expect(consumed).toBe(N);
    // what is read but not consumed stays bounded (one receive batch of at most 512 KiB,
    // ~8,700 routes, then reading pauses): the kernel has not finished the dump while the
    // consumer sleeps at its first thousand routes
    expect(atFirstPause).toBeLessThan(N / 2);
    expect(ahead).toBeLessThan(12_000);
    expect(received).toBe(N + 1); // and NLMSG_DONE
  });

  it('close() in the middle of a dump fails it with ECANCELED at once and leaves no descriptor or thread', async () => {
    const ns = await bigTable('dmclose');
    await sleep(50);
    const fds = fdCount();
    const tasks = threads();
    for (let k = 0; k < 5; k++) {
      const conn = await NetlinkConnection.open({ nsFd: ns.fd });
      let n = 0;
      const err = await (async () => {
        for await (const _ of conn.dump(RTM_GETROUTE, 0, routeBody, { operation: 'dump routes' }, { highWater: 128 })) {
          if (++n === 300 + k * 1000) conn.close();
        }
      })().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(NetlinkError);
      expect((err as NetlinkError).code).toBe('ECANCELED');
      expect(n).toBeLessThan(N);
    }
    // the writer thread leaves; the socket is closed
    for (let i = 0; i < 100 && (fdCount() > fds || threads() > tasks); i++) await sleep(20);
    expect(fdCount()).toBe(fds);
    expect(threads()).toBeLessThanOrEqual(tasks);
  });

  it('a dump asked for while earlier changes are still being sent is answered after them', async () => {
    // a datagram that is one dump request is sent from the main thread only when the writer
    // thread has nothing queued or in hand: otherwise it would overtake the changes
    const ns = await tempNamespace('dmorder');
    await VethPair.create(ns, { name: 'va', up: true, peer: { name: 'vb', up: true } });
    const va = await Link.get(ns, 'va');
    await Address.add(va, '192.168.0.1/24');
    for (let round = 0; round < 3; round++) {
      const n = 3000;
      const routes = Array.from({ length: n }, (_, i) => ({ to: prefix(round * n + i), via: '192.168.0.2', dev: va, table: 100 + round }));
      const added = Promise.all(routes.map((r) => Route.add(ns, r)));
      await new Promise((r) => setImmediate(r)); // the adds are flushed to the writer thread
      const listed = await Route.list(ns, { family: 4, table: 100 + round });
      await added;
      expect(listed.length).toBe(n);
    }
  });

  it('dumpMap: a map that throws rejects the dump; the rest is read and dropped, the next dump works', async () => {
    const ns = await bigTable('dmmap');
    const conn = await ns.connection();
    let mapped = 0;
    const err = await conn
      .dumpMap(RTM_GETROUTE, 0, routeBody, { operation: 'dump routes' }, () => {
        if (++mapped === 100) throw new Error('map failed');
        return mapped;
      })
      .then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).toBe('map failed');
    const again = await conn.dumpMap(RTM_GETROUTE, 0, routeBody, { operation: 'dump routes' }, (m) => m.type);
    expect(again.length).toBe(N);
    expect(conn.stats.strayReplies).toBe(0);
  });

  it('many dumps on many connections leave no descriptor behind', async () => {
    const ns = await tempNamespace('dmfd');
    await Route.list(ns); // the namespace's own connection, opened before counting
    await sleep(50);
    const fds = fdCount();
    for (let k = 0; k < 50; k++) {
      const conn = await NetlinkConnection.open({ nsFd: ns.fd });
      for (let j = 0; j < 4; j++) expect((await conn.dumpAll(RTM_GETLINK, 0, (w) => IfInfoMsg.encode(w, {}), { operation: 'dump links' })).length).toBe(1);
      conn.close();
    }
    for (let i = 0; i < 100 && fdCount() > fds; i++) await sleep(20);
    expect(fdCount()).toBe(fds);
  });
});
