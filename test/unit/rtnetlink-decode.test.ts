/**
 * Decoding RTM_NEWADDR / RTM_NEWROUTE / RTM_NEWNEIGH messages into Address / Route /
 * Neighbor (the `fromMessage` used by list() and by event listeners), and refusing
 * malformed ones with a ParseError.
 */
import { describe, expect, it } from 'vitest';
import { Address, Neighbor, ParseError, Route } from '../../src/index.js';
import { NlWriter } from '../../src/netlink/writer.js';
import { encodeAddrMessage, IFA_F_DADFAILED, IFA_F_NOPREFIXROUTE, IFA_F_PERMANENT, IFA_F_TENTATIVE } from '../../src/rtnetlink/address.js';
import { RTM_NEWADDR, RTM_NEWNEIGH, RTM_NEWROUTE } from '../../src/rtnetlink/constants.js';
import { encodeNeighMessage, NTF_ROUTER, NUD_REACHABLE, NUD_STALE } from '../../src/rtnetlink/neighbor.js';
import { encodeRouteMessage } from '../../src/rtnetlink/route.js';
import { RTNH_F_LINKDOWN, RTNH_F_ONLINK } from '../../src/rtnetlink/route-constants.js';
import { asMessage, fakeNamespace } from '../helpers/fake-namespace.js';

const ns = fakeNamespace();
const build = (fn: (w: NlWriter) => void): Buffer => {
  const w = new NlWriter(64);
  fn(w);
  return w.toBuffer();
};

describe('Address.fromMessage', () => {
  it('decodes an IPv4 address with broadcast, label and finite lifetimes', () => {
    const body = build((w) =>
      encodeAddrMessage(w, { family: 2, prefixlen: 24, flags: 0x80, scope: 0, index: 4 }, {
        address: '10.0.0.1',
        local: '10.0.0.1',
        broadcast: '10.0.0.255',
        label: 'eth0',
        cacheinfo: { preferred: 50, valid: 100, created: 1234, updated: 1300 },
        flags: IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE,
        rtPriority: 20,
      }),
    );
    const a = Address.fromMessage(ns, asMessage(RTM_NEWADDR, body));
    expect(a.toJSON()).toEqual({
      family: 'inet',
      local: '10.0.0.1',
      prefixlen: 24,
      ifindex: 4,
      peer: undefined,
      broadcast: '10.0.0.255',
      anycast: undefined,
      scope: 'global',
      label: 'eth0',
      flags: ['permanent', 'noprefixroute'],
      validLifetime: 100,
      preferredLifetime: 50,
      metric: 20,
      protocol: undefined,
    });
    expect(a.cidr).toBe('10.0.0.1/24');
    expect([a.created, a.updated]).toEqual([1234, 1300]);
  });

  it('decodes an IPv6 address: IFA_ADDRESS alone is the local address; forever lifetimes; DAD state', () => {
    const body = build((w) =>
      encodeAddrMessage(w, { family: 10, prefixlen: 64, flags: IFA_F_TENTATIVE | IFA_F_DADFAILED, scope: 253, index: 2 }, {
        address: 'fe80::1',
        cacheinfo: { preferred: 0xffffffff, valid: 0xffffffff, created: 1, updated: 1 },
        proto: 3,
      }),
    );
    const a = Address.fromMessage(ns, asMessage(RTM_NEWADDR, body));
    expect([a.family, a.address, a.peer, a.scopeName, a.validLifetime, a.preferredLifetime]).toEqual([6, 'fe80::1', undefined, 'link', 'forever', 'forever']);
    expect([a.tentative, a.dadFailed, a.protocolName]).toEqual([true, true, 'kernel_ll']);
  });

  it('decodes a point-to-point address: IFA_LOCAL is ours, IFA_ADDRESS the peer', () => {
    const body = build((w) => encodeAddrMessage(w, { family: 2, prefixlen: 32, index: 2 }, { address: '10.1.1.2', local: '10.1.1.1' }));
    const a = Address.fromMessage(ns, asMessage(RTM_NEWADDR, body));
    expect([a.address, a.peer]).toEqual(['10.1.1.1', '10.1.1.2']);
  });

  it('refuses a truncated header or a short IFA_CACHEINFO', () => {
    expect(() => Address.fromMessage(ns, asMessage(RTM_NEWADDR, Buffer.alloc(6)))).toThrow(ParseError);
    const bad = build((w) => {
      encodeAddrMessage(w, { family: 2, prefixlen: 8, index: 1 });
      w.attr(6, Buffer.alloc(8));
    });
    expect(() => Address.fromMessage(ns, asMessage(RTM_NEWADDR, bad))).toThrow(/ifa_cacheinfo needs 16 bytes/);
  });
});

describe('Address.listed (a dump entry, decoded on first use)', () => {
  it('reads the same fields as Address.fromMessage', () => {
    const body = build((w) =>
      encodeAddrMessage(w, { family: 2, prefixlen: 24, index: 4 }, { address: '10.0.0.1', local: '10.0.0.1', label: 'eth0', cacheinfo: { preferred: 5, valid: 9, created: 1, updated: 2 } }),
    );
    const m = asMessage(RTM_NEWADDR, body);
    expect(Address.listed(ns, m).toJSON()).toEqual(Address.fromMessage(ns, m).toJSON());
  });

  it('refuses a short header, another family or broken attribute framing at once; a bad attribute when first read', () => {
    expect(() => Address.listed(ns, asMessage(RTM_NEWADDR, Buffer.alloc(6)))).toThrow(/ifaddrmsg needs 8 bytes/);
    const mctp = build((w) => encodeAddrMessage(w, { family: 45, prefixlen: 0, index: 1 }));
    expect(() => Address.listed(ns, asMessage(RTM_NEWADDR, mctp))).toThrow(/not an IPv4 or IPv6 address message \(family 45\)/);
    const framing = build((w) => {
      encodeAddrMessage(w, { family: 2, prefixlen: 8, index: 1 });
      w.attr(3, Buffer.from('eth0\0'));
    });
    framing.writeUInt16LE(64, 8); // the label's length runs past the message
    expect(() => Address.listed(ns, asMessage(RTM_NEWADDR, framing))).toThrow(ParseError);
    const cacheinfo = build((w) => {
      encodeAddrMessage(w, { family: 2, prefixlen: 8, index: 1 });
      w.attr(6, Buffer.alloc(8));
    });
    const a = Address.listed(ns, asMessage(RTM_NEWADDR, cacheinfo));
    expect(() => a.address).toThrow(/ifa_cacheinfo needs 16 bytes/);
  });
});

describe('Route.fromMessage', () => {
  it('decodes a multipath route with weights, flags and a gateway per path', () => {
    const body = build((w) =>
      encodeRouteMessage(w, { family: 2, dstLen: 16, table: 254, protocol: 3, scope: 0, type: 1 }, {
        dst: '10.7.0.0',
        table: 254,
        priority: 20,
        multipath: [
          { flags: RTNH_F_ONLINK, hops: 1, ifindex: 3, attrs: { gateway: '10.0.0.2' } },
          { flags: RTNH_F_LINKDOWN, hops: 0, ifindex: 4, attrs: { via: 'fe80::1' } },
        ],
      }),
    );
    const r = Route.fromMessage(ns, asMessage(RTM_NEWROUTE, body));
    expect([r.to, r.type, r.tableName, r.protocolName, r.scopeName, r.metric, r.via, r.linkIndex]).toEqual(['10.7.0.0/16', 'unicast', 'main', 'boot', 'global', 20, undefined, undefined]);
    expect(r.nexthops).toEqual([
      { via: '10.0.0.2', linkIndex: 3, weight: 2, flags: RTNH_F_ONLINK, flagNames: ['onlink'] },
      { via: 'fe80::1', linkIndex: 4, weight: 1, flags: RTNH_F_LINKDOWN, flagNames: ['linkdown'] },
    ]);
  });

  it('decodes default routes, metrics, IPv6 preference and expiry, big table ids', () => {
    const body = build((w) =>
      encodeRouteMessage(w, { family: 10, dstLen: 0, table: 0, protocol: 9, type: 1 }, {
        table: 100000,
        gateway: 'fe80::1',
        oif: 2,
        metrics: { mtu: 1400, lock: 4 },
        pref: 1,
        cacheinfo: { clntref: 0, lastuse: 0, expires: 29900, error: 0, used: 0, id: 0, ts: 0, tsage: 0 },
      }),
    );
    const r = Route.fromMessage(ns, asMessage(RTM_NEWROUTE, body));
    expect([r.family, r.to, r.table, r.tableName, r.protocolName, r.via, r.linkIndex, r.pref, r.expires]).toEqual([6, 'default', 100000, '100000', 'ra', 'fe80::1', 2, 'high', 299]);
    expect(r.metrics).toEqual({ mtu: 1400, lock: 4 });
  });

  it('refuses a nexthop whose length runs past RTA_MULTIPATH, or is below its header', () => {
    const mk = (len: number): Buffer =>
      build((w) => {
        encodeRouteMessage(w, { family: 2, dstLen: 8 }, { dst: '10.0.0.0' });
        const b = Buffer.alloc(8);
        b.writeUInt16LE(len, 0);
        w.attr(9, b);
      });
    expect(() => Route.fromMessage(ns, asMessage(RTM_NEWROUTE, mk(40)))).toThrow(/runs past RTA_MULTIPATH/);
    expect(() => Route.fromMessage(ns, asMessage(RTM_NEWROUTE, mk(4)))).toThrow(/below its 8-byte header/);
  });

  it('refuses an RTA_VIA with a family that does not fit its address', () => {
    const body = build((w) => {
      encodeRouteMessage(w, { family: 2, dstLen: 0 });
      w.attr(18, Buffer.from('0a000a000001', 'hex')); // AF_INET6 with 4 bytes
    });
    expect(() => Route.fromMessage(ns, asMessage(RTM_NEWROUTE, body))).toThrow(ParseError);
  });
});

describe('Route.listed (a dump entry, decoded on first use)', () => {
  const multipath = (): Buffer =>
    build((w) =>
      encodeRouteMessage(w, { family: 2, dstLen: 16, table: 254, protocol: 3, scope: 0, type: 1 }, {
        dst: '10.7.0.0',
        table: 254,
        priority: 20,
        metrics: { mtu: 1400 },
        multipath: [
          { flags: RTNH_F_ONLINK, hops: 1, ifindex: 3, attrs: { gateway: '10.0.0.2' } },
          { flags: 0, hops: 0, ifindex: 4, attrs: { gateway: '10.0.0.3' } },
        ],
      }),
    );

  it('reads the same fields as Route.fromMessage', () => {
    const eager = Route.fromMessage(ns, asMessage(RTM_NEWROUTE, multipath()));
    const lazy = Route.listed(ns, asMessage(RTM_NEWROUTE, multipath()));
    expect(lazy).toBeInstanceOf(Route);
    expect(lazy.namespace).toBe(ns);
    expect(lazy.toJSON()).toEqual(eager.toJSON());
    expect(lazy.attributes).toEqual(eager.attributes);
    expect([lazy.family, lazy.tos, lazy.flags, lazy.iifIndex, lazy.onlink, lazy.flagNames]).toEqual([eager.family, eager.tos, eager.flags, eager.iifIndex, eager.onlink, eager.flagNames]);
  });

  it('checks the family and the attribute framing at once, the contents on first use', () => {
    const other = build((w) => encodeRouteMessage(w, { family: 28, dstLen: 20 }));
    expect(() => Route.listed(ns, asMessage(RTM_NEWROUTE, other))).toThrow(/not an IPv4 or IPv6 route/);
    const overrun = build((w) => encodeRouteMessage(w, { family: 2, dstLen: 8 }, { dst: '10.0.0.0' }));
    overrun.writeUInt16LE(200, 12); // RTA_DST claims more bytes than the message has
    expect(() => Route.listed(ns, asMessage(RTM_NEWROUTE, overrun))).toThrow(ParseError);
    expect(() => Route.listed(ns, asMessage(RTM_NEWROUTE, Buffer.alloc(8)))).toThrow(ParseError);
    const badVia = build((w) => {
      encodeRouteMessage(w, { family: 2, dstLen: 0 });
      w.attr(18, Buffer.from('0a000a000001', 'hex')); // AF_INET6 with 4 bytes
    });
    const r = Route.listed(ns, asMessage(RTM_NEWROUTE, badVia));
    expect(() => r.via).toThrow(ParseError);
  });

  it('releases the message once decoded', () => {
    const r = Route.listed(ns, asMessage(RTM_NEWROUTE, multipath()));
    expect((r as unknown as { buf: unknown }).buf).toBeDefined();
    expect(r.to).toBe('10.7.0.0/16');
    expect((r as unknown as { buf: unknown }).buf).toBeUndefined();
  });
});

describe('Neighbor.fromMessage', () => {
  it('decodes state, flags, MAC and cache ages', () => {
    const body = build((w) =>
      encodeNeighMessage(w, { family: 10, ifindex: 3, state: NUD_REACHABLE, flags: NTF_ROUTER }, {
        dst: 'fd00::7',
        lladdr: '02:00:00:00:00:07',
        cacheinfo: { confirmed: 10, used: 20, updated: 30, refcnt: 1 },
        probes: 2,
      }),
    );
    const n = Neighbor.fromMessage(ns, asMessage(RTM_NEWNEIGH, body));
    expect(n.toJSON()).toEqual({ dst: 'fd00::7', ifindex: 3, lladdr: '02:00:00:00:00:07', state: ['reachable'], flags: ['router'], probes: 2 });
    expect([n.router, n.proxy, n.confirmedAgo, n.usedAgo, n.updatedAgo, n.refcnt]).toEqual([true, false, 10, 20, 30, 1]);
  });

  it('names combined and empty states', () => {
    const body = build((w) => encodeNeighMessage(w, { family: 2, ifindex: 3, state: NUD_STALE | NUD_REACHABLE }, { dst: '10.0.0.1' }));
    expect(Neighbor.fromMessage(ns, asMessage(RTM_NEWNEIGH, body)).stateNames).toEqual(['reachable', 'stale']);
    const none = build((w) => encodeNeighMessage(w, { family: 2, ifindex: 3, state: 0 }, { dst: '10.0.0.1' }));
    expect(Neighbor.fromMessage(ns, asMessage(RTM_NEWNEIGH, none)).stateNames).toEqual(['none']);
  });

  it('refuses other families (an AF_BRIDGE FDB entry on the same multicast group; IPMR routes; unknown addresses)', () => {
    const fdb = build((w) => encodeNeighMessage(w, { family: 7, ifindex: 3, state: 0x80, flags: 2 }, { lladdr: '02:00:00:00:00:07' }));
    expect(() => Neighbor.fromMessage(ns, asMessage(RTM_NEWNEIGH, fdb))).toThrow(/family 7; AF_BRIDGE is the FDB/);
    const ipmr = build((w) => encodeRouteMessage(w, { family: 128, dstLen: 32 }, { dst: '239.1.1.1' }));
    expect(() => Route.fromMessage(ns, asMessage(RTM_NEWROUTE, ipmr))).toThrow(ParseError);
    const mctp = build((w) => encodeAddrMessage(w, { family: 45, prefixlen: 0, index: 1 }));
    expect(() => Address.fromMessage(ns, asMessage(RTM_NEWADDR, mctp))).toThrow(ParseError);
  });

  it('refuses a truncated ndmsg', () => {
    expect(() => Neighbor.fromMessage(ns, asMessage(RTM_NEWNEIGH, Buffer.alloc(10)))).toThrow(ParseError);
  });
});
