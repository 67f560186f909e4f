/**
 * Concurrency: many namespaces configured at once from one process, many requests in flight
 * on one connection, two processes configuring the same namespaces at once, and dumps
 * interrupted (NLM_F_DUMP_INTR) by another process changing the table. Every answer is
 * checked against what was asked for (values unique per namespace / per link, so a reply
 * delivered to the wrong request shows) and against `ip -j`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Address, Namespace, NetlinkError, Route, VethPair, Link } from '../../src/index.js';
import { AF_INET, RTM_GETADDR, RTM_GETROUTE } from '../../src/rtnetlink/constants.js';
import { IfAddrMsg } from '../../src/rtnetlink/address.js';
import { RouteAttrs, RtMsg } from '../../src/rtnetlink/route.js';
import { ipJson, rootSkip, skipReason, tempNamespace, toolEnv, useTempNamespaces } from '../helpers/env.js';

const distSkip = existsSync(fileURLToPath(new URL('../../dist/index.js', import.meta.url)))
  ? undefined
  : skipReason('dist/ is not built (npm run build:ts): the second process imports the built library');

interface IpLink { ifname: string; mtu: number; ifindex: number; address: string }
interface IpAddr { ifname: string; addr_info: { family: string; local: string; prefixlen: number }[] }
interface IpRoute { dst: string; gateway?: string; dev?: string; metric?: number }

describe.skipIf(!!rootSkip)('concurrency', () => {
  useTempNamespaces();

  it('50 namespaces configured concurrently (links, addresses, routes): every answer is the right one, and ip -j agrees', async () => {
    const N = 50;
    const spaces = await Promise.all(Array.from({ length: N }, (_, i) => tempNamespace(`c${i}-`)));
    const results = await Promise.all(
      spaces.map(async (ns, i) => {
        const mtu = 1280 + i;
        const pair = await VethPair.create(ns, { name: `a${i}`, mtu, peer: { name: `b${i}` }, up: true });
        await pair.peer.up();
        await Promise.all([Address.add(pair.local, `10.${i}.0.1/24`), Address.add(pair.peer, `10.${i}.0.2/24`)]);
        await Promise.all([
          Route.add(ns, { to: `172.16.${i}.0/24`, via: `10.${i}.0.2`, metric: 100 + i }),
          Route.add(ns, { to: `172.17.${i}.0/24`, dev: `a${i}`, table: 1000 + i }),
        ]);
        const [links, addrs, routes, table] = await Promise.all([
          Link.list(ns),
          Address.list(ns, { family: 4 }),
          Route.list(ns),
          Route.list(ns, { table: 1000 + i }),
        ]);
        return { pair, links, addrs, routes, table };
      }),
    );
    for (let i = 0; i < N; i++) {
      const ns = spaces[i]!;
      const { pair, links, addrs, routes, table } = results[i]!;
      // what the library answered
      expect([pair.local.name, pair.local.mtu, pair.peer.name, pair.peer.mtu]).toEqual([`a${i}`, 1280 + i, `b${i}`, 1280 + i]);
      expect(links.map((l) => `${l.name}/${l.mtu}`).sort()).toEqual([`a${i}/${1280 + i}`, `b${i}/${1280 + i}`, 'lo/65536']);
      expect(addrs.map((a) => a.cidr).sort()).toEqual([`10.${i}.0.1/24`, `10.${i}.0.2/24`]);
      expect(routes.find((r) => r.to === `172.16.${i}.0/24`)).toMatchObject({ via: `10.${i}.0.2`, metric: 100 + i });
      expect(table.map((r) => r.to)).toEqual([`172.17.${i}.0/24`]);
      // what the kernel says (ip -j), including indexes the library reported
      const ipLinks = ipJson<IpLink[]>(['link', 'show'], ns);
      for (const l of links) expect(ipLinks.find((x) => x.ifname === l.name)).toMatchObject({ ifindex: l.index, mtu: l.mtu });
      const ipAddrs = ipJson<IpAddr[]>(['-4', 'addr', 'show'], ns).flatMap((x) => x.addr_info.map((a) => `${a.local}/${a.prefixlen} ${x.ifname}`));
      expect(ipAddrs.sort()).toEqual([`10.${i}.0.1/24 a${i}`, `10.${i}.0.2/24 b${i}`]);
      const ipRoutes = ipJson<IpRoute[]>(['route', 'show', 'table', String(1000 + i)], ns);
      expect(ipRoutes.map((r) => `${r.dst} ${r.dev}`)).toEqual([`172.17.${i}.0/24 a${i}`]);
      expect((await ns.connection()).stats.strayReplies).toBe(0);
    }
  });

  it('1,000 requests in flight on one connection: each reply goes to its own request', async () => {
    const ns = await tempNamespace('cm');
    const pairs = await Promise.all(Array.from({ length: 20 }, (_, i) => VethPair.create(ns, { name: `x${i}`, mtu: 1400 + i, peer: { name: `y${i}`, mtu: 2400 + i } })));
    const want = new Map<string, number>();
    for (const p of pairs) {
      want.set(p.local.name, p.local.mtu!);
      want.set(p.peer.name, p.peer.mtu!);
    }
    const byIndex = new Map(pairs.flatMap((p) => [[p.local.index, p.local.name], [p.peer.index, p.peer.name]] as [number, string][]));
    const asks = Array.from({ length: 1000 }, (_, k) => {
      const p = pairs[(k * 7) % pairs.length]!;
      const l = k % 2 ? p.local : p.peer;
      return k % 3 ? { ref: l.name as string | number, name: l.name } : { ref: l.index, name: l.name };
    });
    const got = await Promise.all(asks.map((a) => Link.get(ns, a.ref)));
    got.forEach((l, k) => {
      expect(l.name).toBe(asks[k]!.name);
      expect(l.mtu).toBe(want.get(l.name));
      expect(byIndex.get(l.index)).toBe(l.name);
    });
    const conn = await ns.connection();
    expect(conn.stats.strayReplies).toBe(0);
    expect(conn.stats.inFlight).toBe(0);
  });

  it.skipIf(!!distSkip)('two processes configuring the same namespaces at once both get their own answers', async () => {
    const spaces = await Promise.all(Array.from({ length: 10 }, (_, i) => tempNamespace(`cp${i}-`)));
    const child = spawn(process.execPath, [fileURLToPath(new URL('../fixtures/second-process.mjs', import.meta.url)), ...spaces.map((s) => s.name!)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    // the parent does the same kind of work in the same namespaces meanwhile
    const problems: string[] = [];
    await Promise.all(
      spaces.map(async (ns, i) => {
        const mtu = 1500 + i;
        const pair = await VethPair.create(ns, { name: 'p0', mtu, peer: { name: 'p1' }, up: true });
        await pair.peer.up();
        await Address.add(ns, 'p0', `10.201.${i}.1/24`);
        await Route.add(ns, { to: `10.211.${i}.0/24`, via: `10.201.${i}.2`, table: 300 + i });
        for (let k = 0; k < 20; k++) {
          const [l, a, r] = await Promise.all([Link.get(ns, 'p0'), Address.list(ns, { link: 'p0', family: 4 }), Route.list(ns, { table: 300 + i })]);
          if (l.mtu !== mtu) problems.push(`${ns.name}: p0 mtu ${l.mtu}`);
          if (a.map((x) => x.cidr).join() !== `10.201.${i}.1/24`) problems.push(`${ns.name}: addresses ${a.map((x) => x.cidr)}`);
          if (r.map((x) => x.to).join() !== `10.211.${i}.0/24`) problems.push(`${ns.name}: routes ${r.map((x) => x.to)}`);
        }
      }),
    );
    expect(await exited).toBe(0);
    const child1 = JSON.parse(out.trim()) as { ok: boolean; problems: string[]; strayReplies: number };
    expect(child1, err).toMatchObject({ ok: true, problems: [], strayReplies: 0 });
    expect(problems).toEqual([]);
    for (const [i, ns] of spaces.entries()) {
      const links = ipJson<IpLink[]>(['link', 'show'], ns).map((l) => `${l.ifname}/${l.mtu}`).sort();
      expect(links).toEqual([`c0/${1300 + i}`, `c1/${1300 + i}`, 'lo/65536', `p0/${1500 + i}`, `p1/${1500 + i}`]);
      expect((await ns.connection()).stats.strayReplies).toBe(0);
    }
  });

  it('NLM_F_DUMP_INTR while another process changes the tables: dumpAll retries, a streaming dump reports EINTR', async () => {
    const ns = await tempNamespace('ci');
    const pair = await VethPair.create(ns, { name: 'd0', peer: { name: 'd1' }, up: true });
    await pair.peer.up();
    await Address.add(ns, 'd0', '10.0.0.1/16');
    const ROUTES = 10_000;
    const ADDRS = 4_000;
    await Promise.all(Array.from({ length: ROUTES }, (_, i) => Route.add(ns, { to: `10.${100 + (i >> 8)}.${i & 255}.0/24`, via: '10.0.0.2', table: 100 })));
    await Promise.all(Array.from({ length: ADDRS }, (_, i) => Address.add(ns, 'd1', `10.${200 + (i >> 8)}.${i & 255}.1/32`)));
    // another process keeps changing both tables
    const changer = spawn('sh', ['-c', [
      'while true; do',
      `ip -n ${ns.name} route add 10.250.0.0/24 via 10.0.0.2 table 100; ip -n ${ns.name} route del 10.250.0.0/24 table 100;`,
      `ip -n ${ns.name} addr add 10.251.0.1/32 dev d0; ip -n ${ns.name} addr del 10.251.0.1/32 dev d0;`,
      'done',
    ].join(' ')], { stdio: 'ignore', env: toolEnv });
    const conn = await ns.connection();
    const addrBody = (w: Parameters<typeof IfAddrMsg.encode>[0]): void => IfAddrMsg.encode(w, { family: AF_INET });
    const routeBody = (w: Parameters<typeof RtMsg.encode>[0]): void => {
      RtMsg.encode(w, { family: AF_INET });
      RouteAttrs.encode(w, { table: 100 });
    };
    const tally = {
      addrStream: { whole: 0, eintr: 0 },
      routeStream: { whole: 0, eintr: 0 },
      addrDumpAll: { whole: 0, eintrAfterRetries: 0, attempts: 0 },
    };
    try {
      for (let k = 0; k < 15; k++) {
        // streaming: documented to end with an EINTR NetlinkError after the last message when marked
        for (const [which, type, body] of [['addrStream', RTM_GETADDR, addrBody], ['routeStream', RTM_GETROUTE, routeBody]] as const) {
          let n = 0;
          try {
            for await (const _ of conn.dump(type, 0, body, { operation: `dump ${which}` })) n++;
            tally[which].whole++;
            // a whole dump is consistent: the big table plus at most the changer's one entry
            const base = which === 'addrStream' ? ADDRS + 1 : ROUTES; // + 10.0.0.1
            expect(n - base).toBeGreaterThanOrEqual(0);
            expect(n - base).toBeLessThanOrEqual(1);
          } catch (e) {
            expect(e).toBeInstanceOf(NetlinkError);
            expect((e as NetlinkError).code).toBe('EINTR');
            expect((e as Error).message).toMatch(/NLM_F_DUMP_INTR/);
            expect(n).toBeGreaterThan(0); // the messages were delivered first
            tally[which].eintr++;
          }
        }
        // dumpAll: documented to retry (up to 5 times), then throw EINTR
        const before = conn.stats.dumps;
        try {
          const all = await conn.dumpAll(RTM_GETADDR, 0, addrBody, { operation: 'dump addresses' });
          expect(all.length - (ADDRS + 1)).toBeGreaterThanOrEqual(0);
          expect(all.length - (ADDRS + 1)).toBeLessThanOrEqual(1);
          tally.addrDumpAll.whole++;
        } catch (e) {
          expect((e as NetlinkError).code).toBe('EINTR');
          expect(conn.stats.dumps - before).toBe(6);
          tally.addrDumpAll.eintrAfterRetries++;
        }
        tally.addrDumpAll.attempts += conn.stats.dumps - before;
      }
    } finally {
      changer.kill();
      await new Promise((r) => changer.once('exit', r));
    }
    console.log(`[concurrency] dumps while another process changes the tables: ${JSON.stringify(tally)}`);
    // The kernel marks address dumps (inet_base_seq); IPv4 route dumps resume by position and
    // are never marked. Whichever happened was the documented outcome (asserted above).
    if (tally.addrStream.eintr === 0) console.log('[concurrency] no address dump was interrupted in this run');
    expect(tally.addrDumpAll.whole + tally.addrDumpAll.eintrAfterRetries).toBe(15);
  });
});
