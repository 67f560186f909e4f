/**
 * Slow requests in parallel (RequestOptions.parallel; Link.delete uses it): concurrent
 * deletions all succeed and leave nothing, failures stay typed and named, the ordering rule
 * holds (a parallel request is sent after every request issued before it was handled),
 * close() with parallel requests in flight cancels them, and neither fds nor sender threads
 * are left behind. Correctness only: speed is measured in bench/.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Link, NetlinkError, VethPair } from '../../src/index.js';
import { NetlinkConnection } from '../../src/netlink/index.js';
import { NLM_F_CREATE, NLM_F_EXCL } from '../../src/netlink/constants.js';
import { RTM_DELLINK, RTM_NEWLINK } from '../../src/rtnetlink/constants.js';
import { IfInfoMsg, LinkAttrs } from '../../src/rtnetlink/link.js';
import { fdCount, ipJson, rootSkip, tempNamespace, useTempNamespaces } from '../helpers/env.js';

const threadCount = (): number => readdirSync('/proc/self/task').length;

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe.skipIf(!!rootSkip)('slow requests in parallel', () => {
  useTempNamespaces();

  it('20 concurrent Link.delete all succeed, nothing is left, and fds and sender threads return to the start', async () => {
    const ns = await tempNamespace('pdel');
    const N = 20;
    await Promise.all(Array.from({ length: N }, (_, k) => VethPair.create(ns, { name: `pa${k}`, peer: { name: `pb${k}` } })));
    const conn = await ns.connection();
    const fds = fdCount();
    const threads = threadCount();
    const before = conn.stats.parallelSends;
    const results = await Promise.allSettled(Array.from({ length: N }, (_, k) => Link.delete(ns, `pa${k}`)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(conn.stats.parallelSends - before).toBe(N);
    expect(ipJson<{ ifname: string }[]>(['link', 'show'], ns).map((l) => l.ifname)).toEqual(['lo']);
    expect(fdCount()).toBe(fds);
    // idle parallel senders leave after a second
    expect(await until(() => threadCount() <= threads, 5000)).toBe(true);
    // the connection goes on working
    expect((await Link.list(ns)).map((l) => l.name)).toEqual(['lo']);
  });

  it('a link deleted twice at once: one deletion succeeds, the other fails with a typed, named ENODEV', async () => {
    const ns = await tempNamespace('pdup');
    const N = 8;
    const pairs = await Promise.all(Array.from({ length: N }, (_, k) => VethPair.create(ns, { name: `da${k}`, peer: { name: `db${k}` } })));
    const results = await Promise.allSettled(pairs.flatMap((p) => [p.local.delete(), p.local.delete()]));
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(N);
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(errors.length).toBe(N);
    for (const e of errors) {
      expect(e).toBeInstanceOf(NetlinkError);
      const err = e as NetlinkError;
      expect(err.code).toBe('ENODEV');
      expect(err.operation).toBe('delete link');
      expect(err.object).toMatch(/^da\d/);
      expect(err.message).toMatch(/^delete link da\d.*\(ENODEV\)$/);
    }
    expect(ipJson<{ ifname: string }[]>(['link', 'show'], ns).map((l) => l.ifname)).toEqual(['lo']);
  });

  it('a parallel request is sent after the requests issued before it were handled (same tick, not awaited)', async () => {
    const ns = await tempNamespace('pord');
    const conn = await ns.connection();
    for (let round = 0; round < 5; round++) {
      const name = `br${round}`;
      // create (serial writer) then delete by name (parallel) in the same tick: the delete
      // must find the bridge the create made
      const create = conn.command(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, (w) => {
        IfInfoMsg.encode(w, {});
        LinkAttrs.encode(w, { ifname: name, linkinfo: { kind: 'bridge' } });
      }, { operation: 'create link', object: name });
      const del = conn.command(RTM_DELLINK, 0, (w) => {
        IfInfoMsg.encode(w, {});
        LinkAttrs.encode(w, { ifname: name });
      }, { operation: 'delete link', object: name }, { parallel: true });
      await Promise.all([create, del]);
    }
    expect(ipJson<{ ifname: string }[]>(['link', 'show'], ns).map((l) => l.ifname)).toEqual(['lo']);
  });

  it('close() with parallel requests in flight cancels them and releases the socket', async () => {
    const ns = await tempNamespace('pcls');
    await Promise.all(Array.from({ length: 6 }, (_, k) => VethPair.create(ns, { name: `ca${k}`, peer: { name: `cb${k}` } })));
    const fds = fdCount();
    const threads = threadCount();
    const conn = await NetlinkConnection.open({ nsFd: ns.fd });
    const links = (await Link.list(ns)).filter((l) => l.name.startsWith('ca'));
    const dels = links.map((l) =>
      conn.command(RTM_DELLINK, 0, (w) => IfInfoMsg.encode(w, { index: l.index }), { operation: 'delete link', object: l.name }, { parallel: true }),
    );
    conn.close();
    const results = await Promise.allSettled(dels);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const e = (r as PromiseRejectedResult).reason as NetlinkError;
      expect(e).toBeInstanceOf(NetlinkError);
      expect(e.code).toBe('ECANCELED');
    }
    // a sender inside sendto() closes the fd when the kernel returns
    expect(await until(() => fdCount() === fds, 5000)).toBe(true);
    expect(await until(() => threadCount() <= threads, 5000)).toBe(true);
  });
});
