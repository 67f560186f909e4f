import { describe, expect, it } from 'vitest';
import { Address, NetlinkError, Route, VethPair } from '../../src/index.js';
import { NetlinkConnection } from '../../src/netlink/index.js';
import { NLM_F_CREATE, NLM_F_EXCL } from '../../src/netlink/constants.js';
import { AF_INET, RTM_DELLINK, RTM_GETLINK, RTM_GETROUTE, RTM_NEWADDR, RTM_NEWLINK, RTNLGRP_IPV4_IFADDR } from '../../src/rtnetlink/constants.js';
import { RouteAttrs, RtMsg } from '../../src/rtnetlink/route.js';
import { encodeAddrMessage } from '../../src/rtnetlink/address.js';
import { IfInfoMsg, LinkAttrs } from '../../src/rtnetlink/link.js';
import { fdCount, rootSkip, tempNamespace, useTempNamespaces } from '../helpers/env.js';

const dumpLinks = (w: Parameters<Parameters<NetlinkConnection['request']>[2] & object>[0]): void => IfInfoMsg.encode(w, {});

describe.skipIf(!!rootSkip)('NetlinkConnection', () => {
  useTempNamespaces();

  it('pipelines 100 concurrent link dumps on one connection, all answered correctly', async () => {
    const ns = await tempNamespace('pipe');
    const conn = await ns.connection();
    const results = await Promise.all(
      Array.from({ length: 100 }, () => conn.dumpAll(RTM_GETLINK, 0, dumpLinks, { operation: 'dump links' })),
    );
    for (const r of results) expect(r.map((m) => LinkAttrs.decode(m.buf, m.start + IfInfoMsg.size, m.end).ifname)).toEqual(['lo']);
    expect(conn.stats.strayReplies).toBe(0);
  });

  it('mixes requests and dumps in flight; each reply reaches its own request', async () => {
    const ns = await tempNamespace('mix');
    const conn = await ns.connection();
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      if (i % 3 === 0) ops.push(conn.dumpAll(RTM_GETLINK, 0, dumpLinks, { operation: 'dump' }).then((r) => r.length));
      else
        ops.push(
          conn
            .request(RTM_GETLINK, 0, (w) => {
              IfInfoMsg.encode(w, {});
              LinkAttrs.encode(w, { ifname: i % 2 ? 'lo' : `nope${i}` });
            }, { operation: 'get link', object: i % 2 ? 'lo' : `nope${i}` })
            .then((r) => LinkAttrs.decode(r[0]!.buf, r[0]!.start + IfInfoMsg.size, r[0]!.end).ifname, (e: NetlinkError) => `${e.code}:${e.object}`),
        );
    }
    const out = await Promise.all(ops);
    out.forEach((v, i) => {
      if (i % 3 === 0) expect(v).toBe(1);
      else expect(v).toBe(i % 2 ? 'lo' : `ENODEV:nope${i}`);
    });
  });

  it('kernel errors carry errno name, operation, object and the extended-ACK message', async () => {
    const ns = await tempNamespace('err');
    const conn = await ns.connection();
    const err = await conn
      .request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, (w) => {
        IfInfoMsg.encode(w, {});
        LinkAttrs.encode(w, { ifname: 'x0', linkinfo: { kind: 'no-such-kind' } });
      }, { operation: 'create link', object: 'x0', describeAttribute: (t) => LinkAttrs.describe(t) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    const e = err as NetlinkError;
    expect(e.code).toBe('EOPNOTSUPP');
    expect(e.errno).toBe(95);
    expect(e.kernelMessage).toBe('Unknown device type');
    expect(e.message).toBe('create link x0: Unknown device type (EOPNOTSUPP)');
  });

  it('points at the offending attribute when the kernel gives an offset', async () => {
    const ns = await tempNamespace('offs');
    const conn = await ns.connection();
    // a 20-byte interface name: the kernel's policy rejects IFLA_IFNAME with an offset
    const err = (await conn
      .request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, (w) => {
        IfInfoMsg.encode(w, {});
        w.attrString(3, 'x'.repeat(20));
      }, { operation: 'create link', describeAttribute: (t) => LinkAttrs.describe(t) })
      .catch((e: unknown) => e)) as NetlinkError;
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('ERANGE'); // NLA_STRING longer than the policy allows
    expect(err.attribute?.offset).toBe(32); // nlmsghdr (16) + ifinfomsg (16)
    expect(err.attribute?.type).toBe(3);
    expect(err.attribute?.name).toBe('IFLA[3] (ifname)');
  });

  it('streams a dump through an async iterator and survives an early break', async () => {
    const ns = await tempNamespace('stream');
    const conn = await ns.connection();
    let n = 0;
    for await (const m of conn.dump(RTM_GETLINK, 0, dumpLinks, { operation: 'dump links' })) {
      expect(m.type).toBe(RTM_NEWLINK);
      n++;
      break;
    }
    expect(n).toBe(1);
    // the connection is still usable: the rest of the dump was drained
    expect((await conn.dumpAll(RTM_GETLINK, 0, dumpLinks, { operation: 'dump' })).length).toBe(1);
  });

  it('absorbs the kernel dump race (stale EINVAL in sk_err) without failing any request', async () => {
    // netlink_recvmsg() checks cb_running without cb_mutex; netlink_dump() then returns
    // -EINVAL into sk_err when the dump has meanwhile finished. That happens when our writer
    // thread starts a slow dump that ends in its first chunk (here: 5,000 routes walked, none
    // matching the filter) while the main thread is reading ACKs. Nothing is lost, so no
    // request may fail because of it.
    const ns = await tempNamespace('race');
    const pair = await VethPair.create(ns, { name: 'r0', peer: { name: 'r1' }, up: true });
    await Address.add(pair.local, '192.168.0.1/24');
    await Promise.all(Array.from({ length: 5000 }, (_, i) => Route.add(ns, { to: `10.${i >> 8}.${i & 255}.0/24`, via: '192.168.0.2' })));
    const conn = await ns.connection();
    const get = (): Promise<unknown> => conn.request(RTM_GETLINK, 0, (w) => IfInfoMsg.encode(w, { index: 1 }), { operation: 'get link' });
    const failures: unknown[] = [];
    for (let round = 0; round < 60; round++) {
      const ops: Promise<unknown>[] = Array.from({ length: 300 }, get);
      await null; // the GETs leave in their own datagram; their ACKs are being read...
      ops.push(conn.dumpAll(RTM_GETROUTE, 0, (w) => {
        RtMsg.encode(w, { family: AF_INET });
        RouteAttrs.encode(w, { oif: 1 }); // ...while this dump walks every route and matches none
      }, { operation: 'dump routes' }));
      ops.push(...Array.from({ length: 300 }, get));
      for (const r of await Promise.allSettled(ops)) if (r.status === 'rejected') failures.push(r.reason);
    }
    expect(failures).toEqual([]);
    console.log(`[info] stale-EINVAL dump races absorbed in this run: ${conn.stats.dumpRaces}`);
  });

  it('close() fails everything in flight with ECANCELED and releases the socket', async () => {
    const fds = fdCount();
    const conn = await NetlinkConnection.open();
    expect(fdCount()).toBe(fds + 1);
    const p = conn.dumpAll(RTM_GETLINK, 0, dumpLinks, { operation: 'dump' });
    const q = conn.dumpAll(RTM_GETLINK, 0, dumpLinks, { operation: 'dump' });
    conn.close();
    await expect(p).rejects.toMatchObject({ code: 'ECANCELED' });
    await expect(q).rejects.toMatchObject({ code: 'ECANCELED' });
    await expect(conn.request(RTM_GETLINK, 0, dumpLinks, { operation: 'get' })).rejects.toMatchObject({ code: 'ECANCELED' });
    expect(fdCount()).toBe(fds);
  });

  it('keeps more requests than the window queued and answers them all', async () => {
    const ns = await tempNamespace('win');
    const conn = await NetlinkConnection.open({ nsFd: ns.fd, window: 8 });
    try {
      const all = await Promise.all(
        Array.from({ length: 500 }, () =>
          conn.request(RTM_GETLINK, 0, (w) => {
            IfInfoMsg.encode(w, { index: 1 });
          }, { operation: 'get link' }),
        ),
      );
      expect(all.every((r) => r.length === 1)).toBe(true);
      expect(conn.stats.inFlight).toBe(0);
    } finally {
      conn.close();
    }
  });

  it('a body writer that throws rejects only its own request', async () => {
    const conn = await NetlinkConnection.open();
    try {
      const bad = conn.request(RTM_GETLINK, 0, () => {
        throw new TypeError('bad body');
      }, { operation: 'get' });
      const good = conn.request(RTM_GETLINK, 0, (w) => IfInfoMsg.encode(w, { index: 1 }), { operation: 'get' });
      await expect(bad).rejects.toThrow('bad body');
      expect((await good).length).toBe(1);
    } finally {
      conn.close();
    }
  });

  it('on an event socket, a notification carrying another socket\'s sequence number is not taken as a reply', async () => {
    const ns = await tempNamespace('seq');
    const other = await NetlinkConnection.open({ nsFd: ns.fd });
    const events = await NetlinkConnection.open({ nsFd: ns.fd, groups: [RTNLGRP_IPV4_IFADDR] });
    const seen: number[] = [];
    events.onNotification = (m) => seen.push(m.seq);
    try {
      // other's request #1 adds an address: the kernel's notification reaches `events` with
      // seq 1 and other's port id, queued before the reply to `events`' own request #1
      await other.request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, (w) =>
        encodeAddrMessage(w, { family: AF_INET, prefixlen: 32, index: 1 }, { local: '10.1.1.1', address: '10.1.1.1' }), { operation: 'add address', object: '10.1.1.1/32' });
      const replies = await events.request(RTM_GETLINK, 0, (w) => IfInfoMsg.encode(w, { index: 1 }), { operation: 'get link', object: 'lo' });
      expect(replies.length).toBe(1);
      expect(LinkAttrs.decode(replies[0]!.buf, replies[0]!.start + IfInfoMsg.size, replies[0]!.end).ifname).toBe('lo');
      expect(seen).toContain(1);
    } finally {
      other.close();
      events.close();
    }
  });

  describe('commands (no ACK of their own)', () => {
    // RTM_NEWLINK on lo without changes succeeds and answers nothing; RTM_DELLINK of a
    // missing index fails with ENODEV.
    const touchLo = (w: Parameters<Parameters<NetlinkConnection['request']>[2] & object>[0]): void => IfInfoMsg.encode(w, { index: 1 });
    const delMissing = (index: number) => (w: Parameters<Parameters<NetlinkConnection['request']>[2] & object>[0]): void => IfInfoMsg.encode(w, { index });

    it('each of 3000 commands gets its own outcome, and far fewer datagrams come back', async () => {
      const ns = await tempNamespace('quiet');
      const conn = await ns.connection();
      const before = conn.stats.datagrams;
      const out = await Promise.all(
        Array.from({ length: 3000 }, (_, i) =>
          i % 97 === 5
            ? conn.command(RTM_DELLINK, 0, delMissing(100000 + i), { operation: 'delete link', object: `#${100000 + i}` }).then(
                () => 'ok',
                (e: NetlinkError) => `${e.code}:${e.object}`,
              )
            : conn.command(RTM_NEWLINK, 0, touchLo, { operation: 'touch lo' }).then((r) => (r === undefined ? 'ok' : 'replies')),
        ),
      );
      out.forEach((v, i) => expect(v).toBe(i % 97 === 5 ? `ENODEV:#${100000 + i}` : 'ok'));
      // one ACK per datagram sent plus one error per failure, instead of one per request
      const failures = out.filter((v) => v !== 'ok').length;
      expect(conn.stats.datagrams - before).toBeLessThan(failures + 200);
      expect(conn.stats.inFlight).toBe(0);
    });

    it('mixes commands, requests and dumps in one tick', async () => {
      const ns = await tempNamespace('quietmix');
      const conn = await ns.connection();
      const ops: Promise<string>[] = [];
      for (let i = 0; i < 300; i++) {
        if (i % 10 === 0) ops.push(conn.dumpAll(RTM_GETLINK, 0, dumpLinks, { operation: 'dump' }).then((r) => `dump:${r.length}`));
        else if (i % 10 === 1) ops.push(conn.request(RTM_GETLINK, 0, touchLo, { operation: 'get' }).then((r) => `get:${r.length}`));
        else if (i % 10 === 2)
          ops.push(conn.command(RTM_DELLINK, 0, delMissing(200000 + i), { operation: 'delete link' }).then(() => 'ok', (e: NetlinkError) => e.code!));
        else ops.push(conn.command(RTM_NEWLINK, 0, touchLo, { operation: 'touch lo' }).then(() => 'ok'));
      }
      const out = await Promise.all(ops);
      out.forEach((v, i) => expect(v).toBe(i % 10 === 0 ? 'dump:1' : i % 10 === 1 ? 'get:1' : i % 10 === 2 ? 'ENODEV' : 'ok'));
    });

    it('a command alone (the last of its datagram asks for the ACK) and one before a dump settle', async () => {
      const ns = await tempNamespace('quietone');
      const conn = await ns.connection();
      expect(await conn.command(RTM_NEWLINK, 0, touchLo, { operation: 'touch lo' })).toBeUndefined();
      const q = conn.command(RTM_NEWLINK, 0, touchLo, { operation: 'touch lo' });
      const d = conn.dumpAll(RTM_GETLINK, 0, dumpLinks, { operation: 'dump' });
      expect(await q).toBeUndefined();
      expect((await d).length).toBe(1);
      const e = (await conn.command(RTM_DELLINK, 0, delMissing(4242), { operation: 'delete link', object: '#4242' }).catch((x: unknown) => x)) as NetlinkError;
      expect(e).toBeInstanceOf(NetlinkError);
      expect(e.message).toBe('delete link #4242: no such device (ENODEV)');
    });

    it('commandMany: 5000 commands through a window of 16, failures by index, later requests after them', async () => {
      const ns = await tempNamespace('many');
      const conn = await NetlinkConnection.open({ nsFd: ns.fd, window: 16 });
      try {
        const order: string[] = [];
        const many = conn
          .commandMany(
            RTM_NEWLINK,
            0,
            5000,
            (i, w) => {
              if (i === 4000) throw new TypeError('bad body 4000');
              IfInfoMsg.encode(w, { index: i % 1000 === 7 ? 300000 + i : 1 });
            },
            (i) => ({ operation: 'touch link', object: `#${i % 1000 === 7 ? 300000 + i : 1}` }),
          )
          .then((f) => {
            order.push('many');
            return f;
          });
        // issued after commandMany: written after all of its commands
        const after = conn.request(RTM_GETLINK, 0, touchLo, { operation: 'get' }).then((r) => {
          order.push('after');
          return r;
        });
        const failures = await many;
        expect((await after).length).toBe(1);
        expect(order).toEqual(['many', 'after']);
        expect(failures.map((f) => f.index)).toEqual([7, 1007, 2007, 3007, 4000, 4007]);
        const e = failures[0]!.error as NetlinkError;
        expect(e).toBeInstanceOf(NetlinkError);
        expect(e.message).toBe('touch link #300007: no such device (ENODEV)');
        expect((failures[4]!.error as Error).message).toBe('bad body 4000');
        expect(conn.stats.inFlight).toBe(0);
        expect(await conn.commandMany(RTM_NEWLINK, 0, 0, () => undefined, () => ({ operation: 'x' }))).toEqual([]);
      } finally {
        conn.close();
      }
    });

    it('commandMany on a closed connection fails every command with ECANCELED', async () => {
      const conn = await NetlinkConnection.open();
      conn.close();
      const f = await conn.commandMany(RTM_NEWLINK, 0, 3, (_i, w) => IfInfoMsg.encode(w, { index: 1 }), (i) => ({ operation: 'touch', object: `${i}` }));
      expect(f.map((x) => [x.index, (x.error as NetlinkError).code])).toEqual([
        [0, 'ECANCELED'],
        [1, 'ECANCELED'],
        [2, 'ECANCELED'],
      ]);
    });

    it('the default window follows the receive buffer the kernel granted', async () => {
      const ns = await tempNamespace('quietwin');
      const small = await NetlinkConnection.open({ nsFd: ns.fd, receiveBuffer: 64 * 1024 });
      const big = await NetlinkConnection.open({ nsFd: ns.fd });
      try {
        // SO_RCVBUFFORCE as root: 64 KiB asked, 128 KiB granted → 4 KiB per request → 32
        const win = (c: NetlinkConnection): number => (c as unknown as { window: number }).window;
        expect(win(small)).toBe(32);
        expect(win(big)).toBe(4096);
        // 1000 ACKs of ~832 bytes of buffer each would not fit 128 KiB at once: the window keeps them apart
        const all = await Promise.all(Array.from({ length: 1000 }, () => small.request(RTM_NEWLINK, 0, touchLo, { operation: 'touch lo' })));
        expect(all.every((r) => r.length === 0)).toBe(true);
        expect(small.stats.overflows).toBe(0);
      } finally {
        small.close();
        big.close();
      }
    });
  });
});
