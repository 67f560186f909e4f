/**
 * Bulk paths (issue 7): Route.addMany / removeMany (per-route failures, not a transaction),
 * thousands of concurrent Route.add calls sent as commands (each still gets its own
 * error), Route.iterate (streamed dump), Link.deleteGroup and the veth `group` option.
 * Everything happens in throwaway namespaces.
 */
import { describe, expect, it } from 'vitest';
import { Address, BulkError, Link, type Namespace, NetlinkError, Route, ValidationError, VethPair } from '../../src/index.js';
import { ipJson, rootSkip, tempNamespace, useTempNamespaces } from '../helpers/env.js';

const prefix = (i: number): string => `10.${100 + (i >> 8)}.${i & 255}.0/24`;

describe.skipIf(!!rootSkip)('bulk paths', () => {
  useTempNamespaces();

  /** A namespace with veth va/vb (up) and 192.168.0.1/24 on va. */
  async function setup(): Promise<{ ns: Namespace; va: Link }> {
    const ns = await tempNamespace('bulk');
    await VethPair.create(ns, { name: 'va', up: true, peer: { name: 'vb', up: true } });
    const va = await Link.get(ns, 'va');
    await Address.add(va, '192.168.0.1/24');
    return { ns, va };
  }
  const count = (ns: Namespace): number => ipJson<unknown[]>(['-4', 'route', 'show', 'proto', 'boot'], ns).length;

  it('Route.addMany adds 3000 routes (link by name, looked up once) and removeMany removes them', async () => {
    const { ns } = await setup();
    const routes = Array.from({ length: 3000 }, (_, i) => ({ to: prefix(i), via: '192.168.0.2', dev: 'va' }));
    await Route.addMany(ns, routes);
    expect(count(ns)).toBe(3000);
    const r = ipJson<{ dst: string; gateway: string; dev: string }[]>(['-4', 'route', 'show', '10.100.7.0/24'], ns);
    expect(r).toMatchObject([{ dst: '10.100.7.0/24', gateway: '192.168.0.2', dev: 'va' }]);
    await Route.removeMany(ns, routes);
    expect(count(ns)).toBe(0);
  });

  it('Route.addMany: failures are listed by index in a BulkError, the other routes are added', async () => {
    const { ns, va } = await setup();
    await Route.add(ns, { to: prefix(5), via: '192.168.0.2', dev: va });
    const routes = Array.from({ length: 20 }, (_, i) => ({ to: prefix(i), via: i === 9 ? '172.16.0.1' : '192.168.0.2', dev: va }));
    const err = (await Route.addMany(ns, routes).catch((e: unknown) => e)) as BulkError;
    expect(err).toBeInstanceOf(BulkError);
    expect(err.total).toBe(20);
    expect(err.failures.map((f) => f.index)).toEqual([5, 9]);
    const [exists, unreachable] = err.failures.map((f) => f.error as NetlinkError);
    expect(exists).toBeInstanceOf(NetlinkError);
    expect(exists!.code).toBe('EEXIST');
    expect(exists!.message).toMatch(/^add route 10\.100\.5\.0\/24 via 192\.168\.0\.2 dev va in \S+: /);
    expect(unreachable!.code).toBe('ENETUNREACH');
    expect(unreachable!.object).toMatch(/^10\.100\.9\.0\/24 via 172\.16\.0\.1 dev va in /);
    expect(err.code).toBe('EEXIST');
    expect(count(ns)).toBe(19); // 18 of the call and the one added before
  });

  it('Route.addMany validates everything first: a bad route sends nothing', async () => {
    const { ns, va } = await setup();
    const routes = [{ to: prefix(0), via: '192.168.0.2', dev: va }, { to: '10.1.2.3/8', dev: va }];
    const err = (await Route.addMany(ns, routes).catch((e: unknown) => e)) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.field).toBe('routes[1].to');
    expect(count(ns)).toBe(0);
  });

  it('2000 concurrent Route.add calls: each failure rejects its own call with its own route named', async () => {
    const { ns, va } = await setup();
    await Route.add(ns, { to: prefix(500), via: '192.168.0.2', dev: va });
    const conn = await ns.connection();
    const before = conn.stats.datagrams;
    const out = await Promise.all(
      Array.from({ length: 2000 }, (_, i) =>
        Route.add(ns, { to: prefix(i), via: '192.168.0.2', dev: va }).then(
          () => 'ok',
          (e: NetlinkError) => `${e.code} ${e.object}`,
        ),
      ),
    );
    out.forEach((v, i) => expect(v).toBe(i === 500 ? `EEXIST 10.101.244.0/24 via 192.168.0.2 dev va in ${ns.name}` : 'ok'));
    // commands: the kernel answered a handful of datagrams, not 2000 ACKs
    expect(conn.stats.datagrams - before).toBeLessThan(100);
    expect(count(ns)).toBe(2000);
  });

  it('Route.iterate streams what Route.list returns, and an early break leaves the connection usable', async () => {
    const { ns, va } = await setup();
    await Route.addMany(ns, Array.from({ length: 1500 }, (_, i) => ({ to: prefix(i), via: '192.168.0.2', dev: va })));
    const listed = (await Route.list(ns, { family: 4 })).map((r) => r.to);
    const streamed: string[] = [];
    for await (const r of Route.iterate(ns, { family: 4 })) streamed.push(r.to);
    expect(streamed).toEqual(listed);
    expect(streamed).toHaveLength(1501);
    let n = 0;
    for await (const r of Route.iterate(ns)) {
      expect(r.family).toBe(4);
      if (++n === 10) break;
    }
    expect((await Route.list(ns, { family: 4 })).length).toBe(1501);
    // a numbered table that was never used has no routes (as in Route.list)
    const none: Route[] = [];
    for await (const r of Route.iterate(ns, { table: 4242 })) none.push(r);
    expect(none).toEqual([]);
  });

  it('Link.deleteGroup removes every veth pair of a group in one request; the others stay', async () => {
    const ns = await tempNamespace('grp');
    const pairs = await Promise.all(
      Array.from({ length: 30 }, (_, i) => VethPair.create(ns, { name: `ga${i}`, group: i < 25 ? 7 : 8, peer: { name: `gb${i}`, group: i < 25 ? 7 : 8 } })),
    );
    expect(pairs[0]!.local.group).toBe(7);
    expect(pairs[0]!.peer.group).toBe(7);
    expect(pairs[29]!.peer.group).toBe(8);
    await Link.deleteGroup(ns, 7);
    expect((await Link.list(ns)).map((l) => l.name).sort()).toEqual(['gb25', 'gb26', 'gb27', 'gb28', 'gb29', 'ga25', 'ga26', 'ga27', 'ga28', 'ga29', 'lo'].sort());
    await expect(Link.deleteGroup(ns, 7)).rejects.toMatchObject({ code: 'ENODEV', message: expect.stringMatching(/^delete links of group 7 in /) });
    await expect(Link.deleteGroup(ns, 0)).rejects.toBeInstanceOf(ValidationError);
    // a group holding a link that cannot be deleted: nothing is deleted
    await (await Link.get(ns, 'lo')).set({ group: 8 });
    await expect(Link.deleteGroup(ns, 8)).rejects.toMatchObject({ code: 'EOPNOTSUPP' });
    expect((await Link.list(ns)).length).toBe(11);
  });

  it('VethPair.create reads a named peer in the same round trip, and still reports a taken name', async () => {
    const ns = await tempNamespace('vpeer');
    const conn = await ns.connection();
    const before = conn.stats;
    const p = await VethPair.create(ns, { name: 'pa', peer: { name: 'pb' } });
    const after = conn.stats;
    expect(after.requests - before.requests).toBe(2);
    expect(after.sends - before.sends).toBe(1);
    expect(p.peer.index).toBe(p.local.parentIndex);
    expect(p.peer.name).toBe('pb');
    await expect(VethPair.create(ns, { name: 'pc', peer: { name: 'pb' } })).rejects.toMatchObject({ code: 'EEXIST' });
    expect((await Link.list(ns)).map((l) => l.name).sort()).toEqual(['lo', 'pa', 'pb']);
  });
});
