import { describe, expect, it } from 'vitest';
import { Address,
  type AddressEvent,
  eventKey,
  type LinkEvent,
  Neighbor,
  type NeighborEvent,
  NetnsKitError,
  type Namespace,
  Route,
  type RouteEvent,
  type WatchEvent,
  Watcher, Link, waitFor } from '../../src/index.js';
import { AF_UNSPEC, RTM_NEWLINK } from '../../src/rtnetlink/constants.js';
import { IfInfoMsg, LinkAttrs } from '../../src/rtnetlink/link.js';
import { fdCount, rootSkip, sh, tempNamespace, useTempNamespaces } from '../helpers/env.js';
import { ipBatch, ipn, Mirror, readUntil, show } from '../helpers/events.js';
import { testVeth } from '../helpers/links.js';

/** Sets the alias of `lo` `count` times (each change is one RTM_NEWLINK notification: the
 *  kernel only announces alias changes of links that are up, so `lo` must be up). */
/** A route watcher in resync mode with a paused consumer (highWater 1), synced, after `adds`
 *  blackhole routes 10.(100+i/256).(i%256).0/24 were added behind its back. */
async function pausedRouteWatcher(tag: string, receiveBuffer: number, adds: number): Promise<{ ns: Namespace; w: Watcher; m: Mirror }> {
  const ns = await tempNamespace(tag);
  const w = Watcher.open(ns, ['route'], { receiveBuffer, highWater: 1, overflow: 'resync', snapshot: true, families: ['inet'] });
  const m = new Mirror();
  await readUntil(w, (e) => {
    if (e.length) m.apply(e[e.length - 1]!);
    return m.synced;
  });
  const pending: Promise<void>[] = [];
  for (let i = 0; i < adds; i++) pending.push(Route.add(ns, { to: `10.${100 + (i >> 8)}.${i & 255}.0/24`, type: 'blackhole' }));
  await Promise.all(pending);
  return { ns, w, m };
}

async function floodLinkChanges(ns: Namespace, count: number, tag = 'a'): Promise<void> {
  const conn = await ns.connection();
  const ops: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    ops.push(conn.request(RTM_NEWLINK, 0, (w) => {
      IfInfoMsg.encode(w, { family: AF_UNSPEC, index: 1 });
      LinkAttrs.encode(w, { ifalias: `${tag}${i}` });
    }, { operation: 'set alias', object: 'lo' }));
  }
  await Promise.all(ops);
}

const linkEv = (evs: WatchEvent[], type: 'new' | 'del', name: string, pred: (e: LinkEvent) => boolean = () => true): boolean =>
  evs.some((e) => e.kind === 'link' && e.type === type && e.link.name === name && pred(e));

/** A consumer's view of links (index → name/alias/operstate) compared with a fresh dump. */
async function linksNow(ns: Namespace): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const l of await Link.list(ns)) out[`link:${l.index}`] = `${l.name}|${l.alias ?? ''}|${l.operstate}|${l.flags}`;
  return out;
}
function linksOf(m: Mirror): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, ev] of m.state) if (ev.kind === 'link') out[k] = `${ev.link.name}|${ev.link.alias ?? ''}|${ev.link.operstate}|${ev.link.flags}`;
  return out;
}

describe.skipIf(!!rootSkip)('ns.watch: events', () => {
  useTempNamespaces();

  it('reports a veth pair created, set up, and deleted as typed link events', async () => {
    const ns = await tempNamespace('wl');
    const w = Watcher.open(ns, ['link']);
    await w.ready;
    ipn(ns, 'link', 'add', 'wa', 'type', 'veth', 'peer', 'name', 'wb');
    let evs = await readUntil(w, (e) => linkEv(e, 'new', 'wa') && linkEv(e, 'new', 'wb'));
    const created = evs.find((e) => e.kind === 'link' && e.link.name === 'wa') as LinkEvent;
    expect(created.link.kind).toBe('veth');
    expect(created.snapshot).toBe(false);
    expect(created.link.namespace).toBe(ns);
    const wa = await Link.get(ns, 'wa');
    expect(created.link.index).toBe(wa.index);
    expect(created.link.address).toBe(wa.address);

    ipn(ns, 'link', 'set', 'wa', 'up');
    ipn(ns, 'link', 'set', 'wb', 'up');
    evs = await readUntil(w, (e) => linkEv(e, 'new', 'wa', (x) => x.link.operstate === 'up') && linkEv(e, 'new', 'wb', (x) => x.link.operstate === 'up'));
    expect(evs.every((e) => e.kind === 'link')).toBe(true);

    ipn(ns, 'link', 'del', 'wa');
    evs = await readUntil(w, (e) => linkEv(e, 'del', 'wa') && linkEv(e, 'del', 'wb'));
    const del = evs.find((e) => e.kind === 'link' && e.type === 'del' && e.link.name === 'wa') as LinkEvent;
    expect(del.link.index).toBe(wa.index);
    w.close();
  });

  it('reports netconf changes (a sysctl written inside the namespace) and nsid assignment/removal', async () => {
    const ns = await tempNamespace('wn');
    const other = await tempNamespace('wo');
    const w = Watcher.open(ns, ['netconf', 'nsid']);
    await w.ready;
    sh('ip', ['netns', 'exec', ns.name!, 'sysctl', '-qw', 'net.ipv4.conf.all.forwarding=1']);
    let evs = await readUntil(w, (e) => e.some((x) => x.kind === 'netconf' && x.netconf.device === 'all' && x.netconf.forwarding === true));
    const nc = evs.find((x) => x.kind === 'netconf' && x.netconf.device === 'all')!;
    expect(nc.kind === 'netconf' && nc.netconf.family).toBe('inet');

    const id = await ns.setNsid(other, 'auto');
    evs = await readUntil(w, (e) => e.some((x) => x.kind === 'nsid' && x.type === 'new' && x.nsid === id));
    await other.delete();
    evs = await readUntil(w, (e) => e.some((x) => x.kind === 'nsid' && x.type === 'del' && x.nsid === id));
    w.close();
  });

  it('works as an EventEmitter: per-kind and "event" listeners, no buffering for an iterator nobody uses', async () => {
    const ns = await tempNamespace('we');
    const w = Watcher.open(ns, ['link', 'netconf']);
    const links: string[] = [];
    const all: string[] = [];
    let closed = 0;
    w.on('link', (ev) => links.push(`${ev.type} ${ev.link.name}`));
    w.on('event', (ev) => all.push(ev.kind));
    w.on('close', () => closed++);
    await w.ready;
    ipn(ns, 'link', 'add', 'ea', 'type', 'veth', 'peer', 'name', 'eb');
    ipn(ns, 'link', 'del', 'ea');
    const done = new Promise<void>((resolve) => w.on('link', (ev) => ev.type === 'del' && ev.link.name === 'eb' && resolve()));
    await done;
    expect(links).toContain('new ea');
    expect(links).toContain('del ea');
    expect(all).toContain('netconf');
    expect(w.stats.buffered).toBe(0);
    w.close();
    w.close();
    expect(closed).toBe(1);
  });

  it('snapshot: true delivers the current objects between sync events, then changes', async () => {
    const ns = await tempNamespace('ws');
    ipn(ns, 'link', 'add', 'sa', 'type', 'veth', 'peer', 'name', 'sb');
    const w = Watcher.open(ns, ['link', 'nsid', 'netconf'], { snapshot: true });
    const m = new Mirror();
    const first = await readUntil(w, (e) => e.some((x) => x.kind === 'sync' && x.phase === 'end'));
    first.forEach((e) => m.apply(e));
    expect(first[0]).toEqual({ kind: 'sync', phase: 'begin', reason: 'initial' });
    expect(first.filter((e) => e.kind === 'link').every((e) => e.kind === 'link' && e.snapshot && e.type === 'new')).toBe(true);
    expect(Object.keys(linksOf(m)).length).toBe(3);
    expect(linksOf(m)).toEqual(await linksNow(ns));
    expect([...m.state.keys()].some((k) => k === 'netconf:inet:-1')).toBe(true); // net.ipv4.conf.all
    ipn(ns, 'link', 'set', 'sa', 'up');
    const more = await readUntil(w, (e) => linkEv(e, 'new', 'sa', (x) => x.link.isUp));
    expect(more.every((e) => e.kind !== 'sync')).toBe(true);
    w.close();
  });

  it('snapshot taken while links are being created and removed: snapshot + later events equal a fresh dump', async () => {
    const ns = await tempNamespace('wg');
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) lines.push(`link add g${i}a type veth peer name g${i}b`);
    for (let i = 0; i < 60; i += 3) lines.push(`link del g${i}a`);
    for (let i = 1; i < 60; i += 3) lines.push(`link set g${i}a up`);
    lines.unshift('link set lo up');
    lines.push('link set lo alias end'); // the last change (announced: lo is up)
    const w = Watcher.open(ns, ['link'], { snapshot: true });
    const m = new Mirror();
    await w.ready;
    // the dump request is on its way; the changes happen between its first reply and the rest
    await new Promise((r) => setImmediate(r));
    ipBatch(ns, lines);
    await readUntil(w, (evs) => {
      const ev = evs[evs.length - 1];
      if (ev) m.apply(ev);
      return m.synced && linksOf(m)['link:1']?.split('|')[1] === 'end';
    });
    expect(linksOf(m)).toEqual(await linksNow(ns));
    expect(Object.keys(linksOf(m)).length).toBe(1 + 2 * 40);
    w.close();
  });

  it('snapshot + events stay equal to a dump while changes race the snapshot', async () => {
    const ns = await tempNamespace('wr');
    ipn(ns, 'link', 'set', 'lo', 'up');
    const w = Watcher.open(ns, ['link'], { snapshot: true });
    const m = new Mirror();
    await w.ready;
    const changes = floodLinkChanges(ns, 500, 'r'); // in flight while the dump runs
    // read until the last alias has been seen
    await readUntil(w, (evs) => {
      const ev = evs[evs.length - 1];
      if (ev) m.apply(ev);
      return m.synced && linksOf(m)['link:1']?.split('|')[1] === 'r499';
    });
    await changes;
    expect(linksOf(m)).toEqual(await linksNow(ns));
    w.close();
  });
});

describe.skipIf(!!rootSkip)('ns.watch: addresses, routes, neighbours', () => {
  useTempNamespaces();

  const addrEv = (evs: WatchEvent[], type: 'new' | 'del', cidr: string): AddressEvent | undefined =>
    evs.find((e): e is AddressEvent => e.kind === 'address' && e.type === type && e.address.cidr === cidr);
  const routeEv = (evs: WatchEvent[], type: 'new' | 'del', to: string): RouteEvent | undefined =>
    evs.find((e): e is RouteEvent => e.kind === 'route' && e.type === type && e.route.to === to);
  const neighEv = (evs: WatchEvent[], type: 'new' | 'del', address: string): NeighborEvent | undefined =>
    evs.find((e): e is NeighborEvent => e.kind === 'neighbor' && e.type === type && e.neighbor.address === address);

  it('address added and removed (IPv4 and IPv6), decoded like Address.list', async () => {
    const a = await tempNamespace('aa');
    const b = await tempNamespace('ab');
    const [va] = await testVeth(a, 'va', b, 'vb');
    const w = Watcher.open(a, ['address']);
    await w.ready;
    await Address.add(va, '10.7.0.1/24');
    await Address.add(va, 'fd00:7::1/64', { flags: ['nodad'] });
    let evs = await readUntil(w, (e) => !!addrEv(e, 'new', '10.7.0.1/24') && !!addrEv(e, 'new', 'fd00:7::1/64'));
    const v4 = addrEv(evs, 'new', '10.7.0.1/24')!;
    expect(v4.address.linkIndex).toBe(va.index);
    expect(v4.address.family).toBe(4);
    const listed = (await Address.list(a, { link: va, family: 4 }))[0]!;
    expect(v4.address.toJSON()).toEqual(listed.toJSON());
    await Address.remove(va, '10.7.0.1/24');
    evs = await readUntil(w, (e) => !!addrEv(e, 'del', '10.7.0.1/24'));
    expect(eventKey(addrEv(evs, 'del', '10.7.0.1/24')!)).toBe(eventKey(v4));
    w.close();
  });

  it('route added, replaced and removed; the prefix route of an address; a families filter', async () => {
    const a = await tempNamespace('ra');
    const b = await tempNamespace('rb');
    const [va] = await testVeth(a, 'va', b, 'vb');
    const w = Watcher.open(a, ['route'], { families: ['inet'] });
    await w.ready;
    await Address.add(va, '10.8.0.1/24');
    await Route.add(a, { to: '10.99.0.0/16', via: '10.8.0.2', metric: 7 });
    let evs = await readUntil(w, (e) => !!routeEv(e, 'new', '10.8.0.0/24') && !!routeEv(e, 'new', '10.99.0.0/16'));
    const r = routeEv(evs, 'new', '10.99.0.0/16')!;
    expect([r.route.via, r.route.linkIndex, r.route.metric, r.route.tableName]).toEqual(['10.8.0.2', va.index, 7, 'main']);
    await Route.replace(a, { to: '10.99.0.0/16', via: '10.8.0.3', metric: 7 });
    evs = await readUntil(w, (e) => e.some((x) => x.kind === 'route' && x.route.to === '10.99.0.0/16' && x.route.via === '10.8.0.3'));
    const replaced = evs.find((x): x is RouteEvent => x.kind === 'route' && x.route.via === '10.8.0.3')!;
    expect(eventKey(replaced)).toBe(eventKey(r)); // same route, new gateway
    await Route.add(a, { to: 'fd00:99::/64', dev: va }); // IPv6: filtered out
    await Route.remove(a, { to: '10.99.0.0/16', metric: 7 });
    evs = await readUntil(w, (e) => !!routeEv(e, 'del', '10.99.0.0/16'));
    expect(evs.some((e) => e.kind === 'route' && e.route.family === 6)).toBe(false);
    w.close();
  });

  it('neighbour added, changed and removed', async () => {
    const a = await tempNamespace('na');
    const b = await tempNamespace('nb');
    const [va] = await testVeth(a, 'va', b, 'vb');
    const w = Watcher.open(a, 'neighbor');
    await w.ready;
    await Neighbor.add(a, { address: '10.9.0.2', link: va, lladdr: '02:00:00:00:00:02', state: 'permanent' });
    let evs = await readUntil(w, (e) => !!neighEv(e, 'new', '10.9.0.2'));
    const n = neighEv(evs, 'new', '10.9.0.2')!;
    expect([n.neighbor.lladdr, n.neighbor.linkIndex, n.neighbor.stateNames]).toEqual(['02:00:00:00:00:02', va.index, ['permanent']]);
    await Neighbor.replace(a, { address: '10.9.0.2', link: va, lladdr: '02:00:00:00:00:03', state: 'permanent' });
    evs = await readUntil(w, (e) => e.some((x) => x.kind === 'neighbor' && x.neighbor.lladdr === '02:00:00:00:00:03'));
    await Neighbor.remove(a, { address: '10.9.0.2', link: va });
    evs = await readUntil(w, (e) => !!neighEv(e, 'del', '10.9.0.2'));
    w.close();
  });

  it('a snapshot of every kind equals the lists; later changes follow', async () => {
    const a = await tempNamespace('sa');
    const b = await tempNamespace('sb');
    const [va] = await testVeth(a, 'va', b, 'vb');
    await Address.add(va, '10.10.0.1/24');
    await Route.add(a, { to: '10.11.0.0/16', via: '10.10.0.2', table: 100 });
    await Neighbor.add(a, { address: '10.10.0.9', link: va, lladdr: '02:00:00:00:00:09' });
    const w = Watcher.open(a, undefined, { snapshot: true });
    const m = new Mirror();
    await readUntil(w, (e) => {
      if (e.length) m.apply(e[e.length - 1]!);
      return m.synced;
    });
    // IPv4 only: IPv6 keeps changing by itself after a link comes up (DAD, MLD neighbours),
    // so a later list may differ from the snapshot for good reasons
    const keys = (kind: string): string[] => [...m.state.keys()].filter((k) => k.startsWith(`${kind}:4:`)).sort();
    const listKeys = <T>(kind: 'address' | 'route' | 'neighbor', objs: T[]): string[] =>
      objs.map((o) => eventKey({ kind, type: 'new', snapshot: true, [kind]: o } as never)).filter((k) => k.startsWith(`${kind}:4:`)).sort();
    expect(keys('address')).toEqual(listKeys('address', await Address.list(a)));
    expect(keys('route')).toEqual(listKeys('route', await Route.list(a, { table: 'all' })));
    expect(keys('neighbor')).toEqual(listKeys('neighbor', await Neighbor.list(a)));
    expect(keys('route')).toContain('route:4:100:10.11.0.0/16::0:0');
    expect([...m.state.keys()].some((k) => k.startsWith(`address:6:${va.index}:fe80:`))).toBe(true);
    await Address.add(va, '10.12.0.1/24');
    await readUntil(w, (e) => !!addrEv(e, 'new', '10.12.0.1/24'));
    w.close();
  });
});

describe.skipIf(!!rootSkip)('ns.watch: lifetime', () => {
  useTempNamespaces();

  it('break closes the socket; closing the namespace ends the iteration and closes the socket', async () => {
    const ns = await tempNamespace('wc');
    const before = fdCount();
    const w = Watcher.open(ns, ['link']);
    await w.ready;
    expect(w.fd).toBeGreaterThan(0);
    ipn(ns, 'link', 'set', 'lo', 'up');
    for await (const ev of w) {
      expect(ev.kind).toBe('link');
      break;
    }
    expect(w.isClosed).toBe(true);
    expect(w.fd).toBe(-1);
    expect(fdCount()).toBe(before);

    const w2 = Watcher.open(ns, ['link', 'netconf']);
    await w2.ready;
    const pending = w2.next();
    let closeEvents = 0;
    w2.on('close', () => closeEvents++);
    await ns.close();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(w2.isClosed).toBe(true);
    expect(closeEvents).toBe(1);
  });

  it('deleting the namespace closes its watchers; watching a closed namespace is refused', async () => {
    const ns = await tempNamespace('wd');
    const w = Watcher.open(ns, ['link']);
    await w.ready;
    await ns.delete();
    expect(w.isClosed).toBe(true);
    expect(() => Watcher.open(ns, ['link'])).toThrow(/closed/);
  });

  it('closing before the socket is open leaves nothing behind', async () => {
    const ns = await tempNamespace('wq');
    await ns.connection(); // the namespace's own socket, opened once
    const before = fdCount();
    const ws: Watcher[] = [];
    for (let i = 0; i < 50; i++) {
      const w = Watcher.open(ns, ['link']);
      w.close();
      ws.push(w);
    }
    await Promise.all(ws.map((w) => w.ready));
    expect(fdCount()).toBe(before);
  });

  it('1,000 watch/close cycles (iterate+break, close, snapshot, waitFor) leave the fd count unchanged', async () => {
    const ns = await tempNamespace('wk');
    await ns.connection();
    const lo = await Link.get(ns, 'lo');
    const before = fdCount();
    for (let i = 0; i < 1000; i++) {
      switch (i % 4) {
        case 0: {
          const w = Watcher.open(ns, ['link', 'netconf', 'nsid']);
          await w.ready;
          w.close();
          break;
        }
        case 1: {
          for await (const ev of Watcher.open(ns, ['link'], { snapshot: true })) {
            expect(ev.kind).toBe('sync');
            break;
          }
          break;
        }
        case 2: {
          const w = Watcher.open(ns);
          await w.ready;
          await ns.connection(); // nothing else open
          w.return();
          break;
        }
        case 3:
          expect((await waitFor(lo, (l) => l.index === 1)).name).toBe('lo');
          break;
      }
    }
    expect(fdCount()).toBe(before);
  });
});

describe.skipIf(!!rootSkip)('ns.watch: overflow', () => {
  useTempNamespaces();

  it("overflow: 'error' — a paused consumer gets the events read before, then an ENOBUFS error naming the fix", async () => {
    const ns = await tempNamespace('wx');
    ipn(ns, 'link', 'set', 'lo', 'up');
    const w = Watcher.open(ns, ['link'], { receiveBuffer: 64 * 1024, highWater: 1 });
    await w.ready;
    const it = w[Symbol.asyncIterator]();
    await floodLinkChanges(ns, 3000); // the consumer is not reading
    let n = 0;
    const err = await (async () => {
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) return undefined;
          n++;
        }
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(NetnsKitError);
    expect((err as NetnsKitError).code).toBe('ENOBUFS');
    expect((err as Error).message).toMatch(/dropped events.*receive buffer was full.*resync/);
    expect(n).toBeLessThan(3000); // (under load the kernel may overflow before anything was read)
    expect(w.isClosed).toBe(true);
    expect(w.error).toBe(err);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it("overflow: 'resync' — overflow reported, then a fresh snapshot; the consumer's state equals a fresh dump", async () => {
    const ns = await tempNamespace('wy');
    ipn(ns, 'link', 'set', 'lo', 'up');
    ipn(ns, 'link', 'add', 'ya', 'type', 'veth', 'peer', 'name', 'yb');
    const w = Watcher.open(ns, ['link'], { receiveBuffer: 64 * 1024, highWater: 1, overflow: 'resync', snapshot: true });
    const m = new Mirror();
    await readUntil(w, (e) => {
      if (e.length) m.apply(e[e.length - 1]!);
      return m.synced;
    });
    await floodLinkChanges(ns, 3000); // consumer paused
    ipn(ns, 'link', 'del', 'ya'); // a deletion lost in the flood must not survive in the mirror
    const evs = await readUntil(w, (e) => {
      if (e.length) m.apply(e[e.length - 1]!);
      return m.overflows > 0 && m.synced;
    });
    expect(evs.some((e) => e.kind === 'overflow')).toBe(true);
    expect(evs.some((e) => e.kind === 'sync' && e.phase === 'begin' && e.reason === 'overflow')).toBe(true);
    expect(linksOf(m)).toEqual(await linksNow(ns));
    expect(linksOf(m)['link:1']).toMatch(/^lo\|a2999\|/);
    expect(w.stats.overflows).toBeGreaterThan(0);
    w.close();
  });

  it("overflow: 'event' — an overflow event, and resync() gives a snapshot equal to a fresh dump", async () => {
    const ns = await tempNamespace('wz');
    ipn(ns, 'link', 'set', 'lo', 'up');
    const w = Watcher.open(ns, ['link'], { receiveBuffer: 64 * 1024, highWater: 1, overflow: 'event' });
    const m = new Mirror();
    await w.ready;
    await floodLinkChanges(ns, 3000);
    await readUntil(w, (e) => {
      if (e.length) m.apply(e[e.length - 1]!);
      return m.overflows > 0;
    });
    const resynced = w.resync();
    await readUntil(w, (e) => {
      if (e.length) m.apply(e[e.length - 1]!);
      return m.synced;
    });
    await resynced;
    expect(linksOf(m)).toEqual(await linksNow(ns));
    w.close();
    await expect(w.resync()).rejects.toThrow(/closed/);
  });
  it('a flood of thousands of route changes while the consumer is paused: overflow reported, resync equals a fresh dump', async () => {
    const { ns, w, m } = await pausedRouteWatcher('wf', 64 * 1024, 3000);
    // the consumer is paused: 4,000 changes (3,000 routes added, 1,000 of them removed again)
    const dels: Promise<void>[] = [];
    for (let i = 0; i < 3000; i += 3) dels.push(Route.remove(ns, { to: `10.${100 + (i >> 8)}.${i & 255}.0/24`, type: 'blackhole' }));
    await Promise.all(dels);
    await Route.add(ns, { to: '10.250.0.0/16', type: 'blackhole' }); // the last change
    await readUntil(w, (e) => {
      if (e.length) m.apply(e[e.length - 1]!);
      return m.overflows > 0 && m.synced && m.state.has('route:4:254:10.250.0.0/16::0:0');
    });
    const fresh = (await Route.list(ns, { table: 'all', family: 4 })).map((r) => eventKey({ kind: 'route', type: 'new', snapshot: true, route: r })).sort();
    const got = [...m.state.keys()].sort();
    expect(got.filter((k) => !fresh.includes(k))).toEqual([]);
    expect(fresh.filter((k) => !got.includes(k))).toEqual([]);
    expect(fresh.filter((k) => k.includes(':254:10.1')).length).toBe(2000);
    expect(w.stats.overflows).toBeGreaterThan(0);
    expect(w.stats.snapshots).toBeGreaterThanOrEqual(2);
    w.close();
  });

  it('a receive buffer smaller than one dump chunk (16 KiB, 60 routes): the snapshot is delivered in every overflow mode, no overflow storm', async () => {
    const ns = await tempNamespace('wsmall');
    for (let i = 0; i < 60; i++) await Route.add(ns, { to: `10.77.${i}.0/24`, type: 'blackhole' });
    for (const overflow of ['error', 'event', 'resync'] as const) {
      const w = Watcher.open(ns, ['route'], { snapshot: true, receiveBuffer: 16384, overflow, families: ['inet'] });
      // before: the kernel could never queue the next chunk; every wakeup failed with ENOBUFS
      // (~650,000 in 3 s) and neither the snapshot nor an error ever came
      const events = await readUntil(w, (e) => e.some((x) => x.kind === 'sync' && x.phase === 'end'), 10_000).catch((e: Error) => {
        throw new Error(`${overflow}: ${e.message.slice(0, 300)} (overflows: ${w.stats.overflows})`);
      });
      expect(events.filter((e) => e.kind === 'route' && e.route.to.startsWith('10.77.')).length, overflow).toBe(60);
      expect(w.stats.overflows, overflow).toBe(0);
      w.close();
    }
  });

  it('a real overflow with a 16 KiB buffer in resync mode: a snapshot equal to a fresh dump, or a typed error — never a busy loop', async () => {
    const { ns, w, m } = await pausedRouteWatcher('wsmall2', 16384, 2000);
    await Route.add(ns, { to: '10.250.0.0/16', type: 'blackhole' }); // the last change
    let failure: unknown;
    try {
      await readUntil(w, (e) => {
        if (e.length) m.apply(e[e.length - 1]!);
        return m.overflows > 0 && m.synced && m.state.has('route:4:254:10.250.0.0/16::0:0');
      });
    } catch (e) {
      failure = w.error ?? e;
    }
    if (failure !== undefined) {
      // the only acceptable failure: a typed error that says the buffer is too small
      expect(failure).toBeInstanceOf(NetnsKitError);
      expect((failure as NetnsKitError).code).toBe('ENOBUFS');
      expect((failure as Error).message).toMatch(/receiveBuffer/);
    } else {
      const fresh = (await Route.list(ns, { table: 'all', family: 4 })).map((r) => eventKey({ kind: 'route', type: 'new', snapshot: true, route: r })).sort();
      expect([...m.state.keys()].sort()).toEqual(fresh);
    }
    expect(w.stats.overflows).toBeLessThan(1000); // before: hundreds of thousands
    w.close();
  });
});

// keep `show` referenced for debugging failed runs
void show;
