/**
 * The extended link family codec (stats64, AF_SPEC, PROP_LIST, AF_BRIDGE messages, kind and
 * slave data in dumps) and the FDB codec (ndmsg + NDA_*), against hand-derived bytes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Link } from '../../src/api/link/link.js';
import { validateKind, validateLladdr, validateMac } from '../../src/rtnetlink/requests/link.js';
import type { Namespace } from '../../src/api/namespace/namespace.js';
import { ParseError, ValidationError } from '../../src/errors.js';
import { type NlMessage, parseMessages } from '../../src/netlink/message.js';
import { NlWriter } from '../../src/netlink/writer.js';
import { decodeNeighMessage, NdMsg, NeighAttrs, NTF_MASTER, NTF_SELF, NUD_NOARP, NUD_PERMANENT, NUD_REACHABLE } from '../../src/rtnetlink/neighbor.js';
import { decodeLinkMessage, IfInfoMsg, LazyLinkMessage, LinkAttrs } from '../../src/rtnetlink/link.js';
import { LINK_STATS_FIELDS } from '../../src/rtnetlink/link-stats.js';

const h = (s: string): string => s.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
function msg(hex: string, type = 16): NlMessage {
  const buf = Buffer.from(h(hex), 'hex');
  return { type, flags: 0, seq: 0, pid: 0, buf, start: 0, end: buf.length };
}
function bytes(fn: (w: NlWriter) => void): string {
  const w = new NlWriter(16);
  fn(w);
  return w.toBuffer().toString('hex');
}
/** n u64 counters 1, 2, 3, … as little-endian hex */
const counters = (n: number, width = 8): string =>
  Array.from({ length: n }, (_, i) => (i + 1).toString(16).padStart(2, '0') + '00'.repeat(width - 1)).join('');

describe('IFLA_STATS64 / IFLA_STATS', () => {
  it('decodes the 25 counters of struct rtnl_link_stats64 by name', () => {
    const m = msg(`00 00 0100 02000000 00000000 00000000   cc00 1700 ${counters(25)}`);
    const s = decodeLinkMessage(m).attrs.stats64!;
    expect(LINK_STATS_FIELDS.length).toBe(25);
    expect(s.rxPackets).toBe(1);
    expect(s.txPackets).toBe(2);
    expect(s.rxBytes).toBe(3);
    expect(s.txBytes).toBe(4);
    expect(s.rxDropped).toBe(7);
    expect(s.rxNohandler).toBe(24);
    expect(s.rxOtherhostDropped).toBe(25);
  });

  it('decodes an older kernel\'s shorter struct (23 counters) leaving the newer ones out', () => {
    const m = msg(`00 00 0100 02000000 00000000 00000000   bc00 1700 ${counters(23)}`);
    const s = decodeLinkMessage(m).attrs.stats64!;
    expect(s.txCompressed).toBe(23);
    expect(s.rxNohandler).toBeUndefined();
    expect('rxOtherhostDropped' in s).toBe(false);
  });

  it('decodes values above 2^32', () => {
    const m = msg(`00 00 0100 02000000 00000000 00000000   0c00 1700 00000000 05000000`);
    expect(decodeLinkMessage(m).attrs.stats64!.rxPackets).toBe(5 * 2 ** 32);
  });

  it('decodes the 32-bit IFLA_STATS', () => {
    const m = msg(`00 00 0100 02000000 00000000 00000000   6c00 0700 ${counters(26, 4)}`);
    const s = decodeLinkMessage(m).attrs.stats!;
    expect(s.rxPackets).toBe(1);
    expect(s.rxNohandler).toBe(24);
  });
});

describe('Link.fromMessage (a snapshot whose attributes are decoded on first use)', () => {
  const ns = { label: 'test' } as unknown as Namespace;
  const veth = bytes((w) => {
    IfInfoMsg.encode(w, { family: 0, type: 1, index: 7, flags: 0x1003 });
    LinkAttrs.encode(w, { ifname: 'va', mtu: 1400, link: 8, master: 3, linkinfo: { kind: 'veth' } });
  });

  it('has its fields at once, the same as a link made from the decoded message', () => {
    const lazy = Link.fromMessage(ns, msg(veth));
    const eager = new Link(ns, decodeLinkMessage(msg(veth)));
    const read = (l: Link) => [l.index, l.name, l.kind, l.type, l.flags, l.mtu, l.masterIndex, l.parentIndex, l.operstate, l.displayName];
    expect(read(lazy)).toEqual(read(eager));
    expect(read(lazy)).toEqual([7, 'va', 'veth', 1, 0x1003, 1400, 3, 8, 'unknown', 'va@if8']);
    expect(lazy.attributes).toEqual(eager.attributes);
  });

  it('refuses a short header, broken attribute framing or a bad summary field at once; another bad attribute when the attributes are first read', () => {
    expect(() => Link.fromMessage(ns, msg('00 00 0100 07000000'))).toThrow(ParseError);
    const overrun = Buffer.from(veth, 'hex');
    overrun.writeUInt16LE(0x400, 16); // the first attribute's length runs past the message
    expect(() => Link.fromMessage(ns, msg(overrun.toString('hex')))).toThrow(ParseError);
    // IFLA_MTU (4) with 2 bytes instead of 4: framed, but not a u32 (a field of the summary)
    expect(() => Link.fromMessage(ns, msg(`00 00 0100 07000000 00000000 00000000   0600 0400 dc05 0000`))).toThrow(ParseError);
    // IFLA_TXQLEN (13) with 2 bytes: framed, not a u32, outside the summary; found when the attributes are read
    const txq = Link.fromMessage(ns, msg(`00 00 0100 07000000 00000000 00000000   0600 0d00 0100 0000`));
    expect(txq.index).toBe(7);
    expect(() => txq.attributes).toThrow(ParseError);
  });
});

describe('IFLA_AF_SPEC, IFLA_PROP_LIST', () => {
  it('decodes per-family nests: AF_INET conf array, AF_INET6 flags / addr_gen_mode / token', () => {
    const m = msg(`
      00 00 0100 02000000 00000000 00000000
      4400 1a00                                  # IFLA_AF_SPEC, len 4 + 16 + 48 = 68
        1000 0200                                #   AF_INET
          0c00 0100 01000000 00000000            #     IFLA_INET_CONF [1, 0]
        3000 0a00                                #   AF_INET6 (len 48)
          0800 0100 00000080                     #     IFLA_INET6_FLAGS 0x80000000
          0500 0800 01 000000                    #     IFLA_INET6_ADDR_GEN_MODE 1 (none)
          1400 0700 00000000000000000000000000000001  # IFLA_INET6_TOKEN ::1
          0800 0900 dc050000                     #     IFLA_INET6_RA_MTU 1500
    `);
    const a = decodeLinkMessage(m).attrs.afSpec!;
    expect(a.inet?.conf).toEqual([1, 0]);
    expect(a.inet6).toEqual({ flags: 0x80000000, addrGenMode: 1, token: '::1', raMtu: 1500 });
  });

  it('encodes AF_SPEC as nests without NLA_F_NESTED, as iproute2 (ip link set X addrgenmode none)', () => {
    expect(bytes((w) => LinkAttrs.encode(w, { afSpec: { inet6: { addrGenMode: 1 } } }))).toBe(h(`
      1000 1a00  0c00 0a00  0500 0800 01000000
    `));
  });

  it('decodes alternative names', () => {
    const m = msg(`
      00 00 0100 02000000 00000000 00000000
      2000 3400                                  # IFLA_PROP_LIST, len 4 + 12 + 16 = 32
        0900 3500 616c743100 000000              #   IFLA_ALT_IFNAME "alt1" (len 9 → 12)
        0d00 3500 6c6f6e676e616d6500 000000      #   IFLA_ALT_IFNAME "longname" (len 13 → 16)
    `);
    const l = new Link(undefined as unknown as Namespace, decodeLinkMessage(m));
    expect(l.altNames).toEqual(['alt1', 'longname']);
  });

  it('rejects a truncated nest with a ParseError', () => {
    expect(() => decodeLinkMessage(msg('00 00 0100 02000000 00000000 00000000  0c00 1a00 0800 0200 0400'))).toThrow(ParseError);
  });
});

describe('AF_BRIDGE link messages (bridge port notifications)', () => {
  it('decodes IFLA_AF_SPEC as IFLA_BRIDGE_* (not per family) and IFLA_PROTINFO as IFLA_BRPORT_*', () => {
    const m = msg(`
      07 00 0100 03000000 00000000 00000000      # ifinfomsg family AF_BRIDGE, index 3
      0a00 0300 7665746830 00 0000                # IFLA_IFNAME "veth0"
      0800 0a00 05000000                          # IFLA_MASTER 5
      1400 0c00  0500 0100 03000000  0500 0800 01000000   # IFLA_PROTINFO { STATE 3, LEARNING 1 }
      1400 1a00                                   # IFLA_AF_SPEC
        0800 0200 0600 0100                       #   IFLA_BRIDGE_VLAN_INFO { flags PVID|UNTAGGED, vid 1 }
        0800 0200 0000 0a00                       #   IFLA_BRIDGE_VLAN_INFO { flags 0, vid 10 }
    `);
    const d = decodeLinkMessage(m);
    expect(d.header.family).toBe(7);
    expect(d.attrs.ifname).toBe('veth0');
    expect(d.attrs.master).toBe(5);
    expect(d.attrs.protinfo).toEqual({ state: 3, learning: 1 });
    expect(d.attrs.afSpec).toBeUndefined();
    expect(d.attrs.bridgeAfSpec?.vlanInfo).toEqual([
      { flags: 6, vid: 1 },
      { flags: 0, vid: 10 },
    ]);
  });
});

describe('IFLA_LINKINFO in dumps', () => {
  it('decodes a bridge port: kind veth with slave kind bridge and IFLA_BRPORT_* slave data', () => {
    const m = msg(`
      00 00 0100 04000000 43100100 00000000     # index 4, flags UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
      0700 0300 783000 00                        # IFLA_IFNAME "x0" (len 7, padded to 8)
      0800 0500 03000000                         # IFLA_LINK 3 (peer)
      0800 0a00 05000000                         # IFLA_MASTER 5
      3800 1200                                  # IFLA_LINKINFO, len 4 + 12 + 12 + 28 = 56
        0900 0100 7665746800 000000              #   KIND "veth"
        0b00 0400 627269646765 0000              #   SLAVE_KIND "bridge"
        1c00 0500                                #   SLAVE_DATA
          0500 0100 03000000                     #     STATE forwarding
          0800 0300 64000000                     #     COST 100
          0500 0800 00000000                     #     LEARNING 0
    `);
    const l = new Link(undefined as unknown as Namespace, decodeLinkMessage(m));
    expect(l.name).toBe('x0');
    expect(l.kind).toBe('veth');
    expect(l.slaveKind).toBe('bridge');
    expect(l.masterIndex).toBe(5);
    expect(l.parentIndex).toBe(3);
    expect(l.displayName).toBe('x0@if3');
    expect(l.flagNames).toEqual(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP', 'RUNNING']);
    expect(l.linkInfo?.slaveData).toEqual({ state: 3, cost: 100, learning: 0 });
  });

  it('kind data a schema cannot read stays raw instead of failing the whole link', () => {
    const m = msg(`
      00 00 0100 04000000 00000000 00000000
      2400 1200                                  # IFLA_LINKINFO, len 4 + 12 + 20
        0b00 0100 627269646765 0000              #   KIND "bridge"
        1400 0200  0500 0600 01000000  0500 0100 02000000  #   DATA: PRIORITY and FORWARD_DELAY as u8 (too short)
    `);
    const d = decodeLinkMessage(m);
    expect(d.attrs.linkinfo?.kind).toBe('bridge');
    expect(Buffer.isBuffer(d.attrs.linkinfo?.data)).toBe(true);
  });

  it('a veth whose peer is in another namespace may have the same index: IFLA_LINK_NETNSID keeps it', () => {
    const m = msg(`
      00 00 0100 02000000 00000000 00000000
      0800 0500 02000000                         # IFLA_LINK 2 (= own index)
      0800 2500 00000000                         # IFLA_LINK_NETNSID 0
    `);
    const l = new Link(undefined as unknown as Namespace, decodeLinkMessage(m));
    expect(l.parentIndex).toBe(2);
    expect(l.linkNetnsid).toBe(0);
    const lo = new Link(undefined as unknown as Namespace, decodeLinkMessage(msg('00 00 0403 01000000 49000100 00000000  0800 0500 01000000')));
    expect(lo.parentIndex).toBeUndefined(); // IFLA_LINK = own index, same namespace: no parent
  });

  it('a snapshot from the kernel decodes its attributes on first use, with the same fields as a full decode', () => {
    const fixture = JSON.parse(readFileSync(new URL('../fixtures/kernel-messages.json', import.meta.url), 'utf8')) as { datagrams: string[] };
    const links = fixture.datagrams.flatMap((hex) => parseMessages(Buffer.from(hex, 'hex'))).filter((m) => m.type === 16 /* RTM_NEWLINK */);
    expect(links.length).toBeGreaterThan(5);
    const ns = undefined as unknown as Namespace;
    for (const m of links) {
      const lazy = Link.fromMessage(ns, m);
      expect(lazy.message).toBeInstanceOf(LazyLinkMessage);
      const full = new Link(ns, decodeLinkMessage(m));
      expect(lazy.toJSON()).toEqual(full.toJSON());
      expect(lazy.attributes).toEqual(full.attributes);
      expect(lazy.attributes).toBe(lazy.attributes); // decoded once
    }
    // framing is still checked at once; a bad attribute inside is reported when first read
    expect(() => Link.fromMessage(ns, msg('00 00 0100 02000000 00000000 00000000  0800 0300 7661'))).toThrow(ParseError);
    const badNest = Link.fromMessage(ns, msg('00 00 0100 02000000 00000000 00000000  0800 0300 76610000  0c00 1a00 0800 0a00 0500 0100'));
    expect(badNest.name).toBe('va');
    expect(() => badNest.attributes).toThrow(ParseError);
  });

  it('writes IFLA_MASTER 0xffffffff ("no master") and the kind filter of a strict link dump', () => {
    expect(
      bytes((w) => {
        IfInfoMsg.encode(w, { family: 0 });
        LinkAttrs.encode(w, { master: 0xffffffff, linkinfo: { kind: 'bridge' } });
      }),
    ).toBe(h(`
      00 00 0000 00000000 00000000 00000000
      0800 0a00 ffffffff                           # IFLA_MASTER -1
      1000 1200 0b00 0100 627269646765 0000        # IFLA_LINKINFO { IFLA_INFO_KIND "bridge" }
    `));
  });
});

describe('FDB codec (ndmsg + NDA_*)', () => {
  it('encodes `bridge fdb add 02:00:00:00:00:01 dev (5) master static vlan 10`', () => {
    const got = bytes((w) => {
      NdMsg.encode(w, { family: 7, ifindex: 5, state: NUD_NOARP | NUD_REACHABLE, flags: NTF_MASTER });
      NeighAttrs.encode(w, { lladdr: '02:00:00:00:00:01', vlan: 10 });
    });
    expect(got).toBe(h(`
      07 00 0000 05000000 4200 04 00   # ndmsg: AF_BRIDGE, ifindex 5, NUD_NOARP|NUD_REACHABLE, NTF_MASTER
      0a00 0200 020000000001 0000      # NDA_LLADDR
      0600 0500 0a00 0000              # NDA_VLAN 10
    `));
  });

  it('encodes `bridge fdb append 00:00:00:00:00:00 dev (4) dst 10.0.0.2 port 4789 vni 42` (port is __be16)', () => {
    // NDA_PORT carries NLA_F_NET_BYTEORDER here (iproute2 leaves it out; the kernel masks it with nla_type())
    const got = bytes((w) => {
      NdMsg.encode(w, { family: 7, ifindex: 4, state: NUD_NOARP | NUD_PERMANENT, flags: NTF_SELF });
      NeighAttrs.encode(w, { dst: '10.0.0.2', lladdr: '00:00:00:00:00:00', port: 4789, vni: 42 });
    });
    expect(got).toBe(h(`
      07 00 0000 04000000 c000 02 00   # NUD_NOARP|NUD_PERMANENT, NTF_SELF
      0800 0100 0a000002               # NDA_DST
      0a00 0200 000000000000 0000      # NDA_LLADDR
      0600 0640 12b5 0000              # NDA_PORT 4789 big-endian, type 6 | NLA_F_NET_BYTEORDER
      0800 0700 2a000000               # NDA_VNI 42
    `));
  });

  it('encodes the strict dump request of `bridge fdb show br (5)`', () => {
    expect(
      bytes((w) => {
        NdMsg.encode(w, { family: 7 });
        NeighAttrs.encode(w, { master: 5 });
      }),
    ).toBe(h('07 00 0000 00000000 0000 00 00   0800 0900 05000000'));
  });

  it('decodes an entry with cache info (ages in clock_t)', () => {
    const m = msg(`
      07 00 0000 03000000 0200 00 00             # ifindex 3, NUD_REACHABLE, no flags (bridge master entry)
      0a00 0200 0a0b0c0d0e0f 0000                # NDA_LLADDR
      0800 0900 05000000                         # NDA_MASTER 5
      1400 0300 00000000 f4010000 2c010000 00000000   # NDA_CACHEINFO used 500, updated 300
      0600 0500 0100 0000                        # NDA_VLAN 1
    `, 28);
    const e = decodeNeighMessage(m);
    expect(e.header).toEqual({ family: 7, ifindex: 3, state: 2, flags: 0, type: 0 });
    expect(e.attrs).toEqual({ lladdr: '0a:0b:0c:0d:0e:0f', master: 5, cacheinfo: { confirmed: 0, used: 500, updated: 300, refcnt: 0 }, vlan: 1 });
  });
});

describe('link input validation helpers', () => {
  it('checks MACs, link-layer addresses and kinds', () => {
    expect(validateMac('02:42:AC:11:00:02', 'address')).toBe('02:42:ac:11:00:02');
    expect(validateMac('02-42-ac-11-00-02', 'address')).toBe('02:42:ac:11:00:02');
    expect(() => validateMac('02:42:ac:11:00', 'address')).toThrow(ValidationError);
    expect(() => validateMac('zz:42:ac:11:00:02', 'peer.address')).toThrow(/peer\.address/);
    expect(validateLladdr('0a:00:00:01', 'address')).toBe('0a:00:00:01');
    expect(validateKind('veth', 'kind')).toBe('veth');
    expect(() => validateKind('', 'kind')).toThrow(/kind/);
    expect(() => validateKind('a b', 'kind')).toThrow(/kind/);
  });
});
