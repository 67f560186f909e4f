/**
 * Golden bytes for every link kind's attribute encoding. Each expected string is derived by
 * hand from the UAPI layout (linux/if_link.h, linux/veth.h): struct nlattr is
 * { u16 nla_len (unpadded); u16 nla_type }, payload padded to 4 bytes, host order
 * (little-endian) except fields the UAPI declares __be16/__be32 — written, as iproute2 does,
 * without NLA_F_NET_BYTEORDER. Every encoding is also decoded back (round trip).
 */
import { describe, expect, it } from 'vitest';
import { bridgeAttributes } from '../../src/api/link/bridge.js';
import { bridgePortAttributes } from '../../src/api/link/bridge-port.js';
import { bondAttributes } from '../../src/api/link/bond.js';
import { vlanAttributes } from '../../src/api/link/vlan.js';
import { macvlanData } from '../../src/api/link/macvlan.js';
import { vxlanAttributes } from '../../src/api/link/vxlan.js';
import { ValidationError } from '../../src/errors.js';
import type { Namespace } from '../../src/api/namespace/namespace.js';
import { NlWriter } from '../../src/netlink/writer.js';
import { IfInfoMsg, type LinkAttributes, LinkAttrs } from '../../src/rtnetlink/link.js';
import { BridgeAttrs } from '../../src/rtnetlink/kinds/bridge.js';
import { BridgePortAttrs } from '../../src/rtnetlink/bridge-port.js';
import { BondAttrs, MacvlanAttrs, TunAttrs, VethInfo, VlanAttrs, VrfAttrs } from '../../src/rtnetlink/kinds/index.js';
import { VxlanAttrs } from '../../src/rtnetlink/kinds/vxlan.js';

/** hex of what `fn` writes; spaces and comments in expected strings are for reading only. */
function bytes(fn: (w: NlWriter) => void): string {
  const w = new NlWriter(16);
  fn(w);
  return w.toBuffer().toString('hex');
}
const h = (s: string): string => s.replace(/#[^\n]*/g, '').replace(/\s+/g, '');

/** IFLA_LINKINFO { IFLA_INFO_KIND kind, IFLA_INFO_DATA data } as LinkAttrs writes it. */
function linkinfo(attrs: Partial<LinkAttributes>): string {
  return bytes((w) => LinkAttrs.encode(w, attrs));
}
function decodeAttrs(hex: string): LinkAttributes {
  const b = Buffer.from(hex, 'hex');
  return LinkAttrs.decode(b, 0, b.length);
}
const noNs = undefined as unknown as Namespace; // index-only options never touch the namespace

describe('veth (VETH_INFO_PEER)', () => {
  const expected = h(`
    0a00 0300 7665746830 00 0000          # IFLA_IFNAME "veth0" (len 10, padded to 12)
    3c00 1200                             # IFLA_LINKINFO, len 4 + 12 + 44 = 60
      0900 0100 7665746800 000000         #   IFLA_INFO_KIND "veth" (len 9 → 12)
      2c00 0200                           #   IFLA_INFO_DATA, len 4 + 40 = 44
        2800 0100                         #     VETH_INFO_PEER, len 4 + 16 + 12 + 8 = 40
          00 00 0000 00000000 01000000 01000000  # ifinfomsg of the peer: flags/change IFF_UP
          0a00 0300 7665746831 00 0000    #       IFLA_IFNAME "veth1"
          0800 1c00 07000000              #       IFLA_NET_NS_FD 7
    `);

  it('encodes the peer as an ifinfomsg plus IFLA attributes inside IFLA_INFO_DATA', () => {
    const got = linkinfo({
      ifname: 'veth0',
      linkinfo: { kind: 'veth', data: { peer: { header: { flags: 1, change: 1 }, attrs: { ifname: 'veth1', netNsFd: 7 } } } },
    });
    expect(got).toBe(expected);
  });

  it('decodes it back', () => {
    const d = decodeAttrs(expected);
    expect(d.ifname).toBe('veth0');
    expect(d.linkinfo?.kind).toBe('veth');
    const data = d.linkinfo?.data as { peer: { header: Record<string, number>; attrs: LinkAttributes } };
    expect(data.peer.header).toEqual({ family: 0, type: 0, index: 0, flags: 1, change: 1 });
    expect(data.peer.attrs.ifname).toBe('veth1');
    expect(data.peer.attrs.netNsFd).toBe(7);
  });

  it('a kernel-named pair carries an empty peer (ifinfomsg only)', () => {
    const got = linkinfo({ linkinfo: { kind: 'veth', data: { peer: {} } } });
    expect(got).toBe(h(`
      2800 1200                            # IFLA_LINKINFO, len 4 + 12 + 24 = 40
        0900 0100 7665746800 000000        #   IFLA_INFO_KIND "veth"
        1800 0200                          #   IFLA_INFO_DATA, len 4 + 20
          1400 0100                        #     VETH_INFO_PEER, len 4 + 16
            00000000 00000000 00000000 00000000  # an all-zero ifinfomsg
    `));
    expect(VethInfo.describe(1)).toBe('VETH_INFO[1] (peer)');
  });
});

describe('bridge (IFLA_BR_*)', () => {
  it('encodes options in attribute order with clock_t times and a big-endian vlan protocol', () => {
    const data = bridgeAttributes({
      forwardDelay: 4, // 400 centiseconds
      stp: false,
      priority: 0x1000,
      vlanFiltering: true,
      vlanProtocol: '802.1ad',
      multicastSnooping: false,
      defaultPvid: 10,
      noLinkLocalLearn: true,
    });
    const got = bytes((w) => BridgeAttrs.encode(w, data));
    const expected = h(`
      0800 0100 90010000   # IFLA_BR_FORWARD_DELAY 400
      0800 0500 00000000   # IFLA_BR_STP_STATE 0
      0600 0600 0010 0000  # IFLA_BR_PRIORITY 0x1000 (u16)
      0500 0700 01 000000  # IFLA_BR_VLAN_FILTERING 1 (u8)
      0600 0800 88a8 0000  # IFLA_BR_VLAN_PROTOCOL ETH_P_8021AD, __be16, no NLA_F_NET_BYTEORDER
      0500 1700 00 000000  # IFLA_BR_MCAST_SNOOPING 0
      0600 2700 0a00 0000  # IFLA_BR_VLAN_DEFAULT_PVID 10
      0c00 2e00 01000000 01000000  # IFLA_BR_MULTI_BOOLOPT {optval, optmask} bit BR_BOOLOPT_NO_LL_LEARN
    `);
    expect(got).toBe(expected);
    const back = BridgeAttrs.decode(Buffer.from(got, 'hex'), 0, got.length / 2);
    expect(back).toEqual({ ...data });
  });

  it('wraps as IFLA_LINKINFO kind "bridge"', () => {
    expect(linkinfo({ ifname: 'br0', linkinfo: { kind: 'bridge', data: bridgeAttributes({ ageingTime: 300 }) } })).toBe(h(`
      0800 0300 62723000                # IFLA_IFNAME "br0"
      1c00 1200                         # IFLA_LINKINFO
        0b00 0100 627269646765 00 00    #   IFLA_INFO_KIND "bridge" (len 11 → 12)
        0c00 0200 0800 0400 30750000    #   IFLA_INFO_DATA { IFLA_BR_AGEING_TIME 30000 }
    `));
  });

  it('decodes struct ifla_bridge_id', () => {
    const b = Buffer.from(h('0c00 0b00 8000 020000000001'), 'hex');
    expect(BridgeAttrs.decode(b, 0, b.length).bridgeId).toEqual({ priority: 0x8000, address: '02:00:00:00:00:01' });
  });

  it('refuses bad options before encoding', () => {
    expect(() => bridgeAttributes({ priority: 70000 })).toThrow(ValidationError);
    expect(() => bridgeAttributes({ forwardDelay: -1 })).toThrow(/forwardDelay/);
    expect(() => bridgeAttributes({ defaultPvid: 4095 })).toThrow(/defaultPvid/);
    expect(() => bridgeAttributes({ vlanProtocol: '802.1x' as '802.1Q' })).toThrow(/vlanProtocol/);
    expect(() => bridgeAttributes({ stp: 'yes' as unknown as boolean })).toThrow(/stp/);
  });
});

describe('bridge port (IFLA_BRPORT_* as IFLA_INFO_SLAVE_DATA)', () => {
  it('encodes port options under slave kind "bridge"', () => {
    const data = bridgePortAttributes({ state: 'forwarding', priority: 5, cost: 10, hairpin: true, learning: false, flood: true });
    const got = linkinfo({ linkinfo: { slaveKind: 'bridge', slaveData: data } });
    expect(got).toBe(h(`
      4400 1200                         # IFLA_LINKINFO, len 4 + 12 + 52 = 68
        0b00 0400 627269646765 00 00    #   IFLA_INFO_SLAVE_KIND "bridge"
        3400 0500                       #   IFLA_INFO_SLAVE_DATA, len 4 + 6 × 8 = 52
          0500 0100 03 000000           #     IFLA_BRPORT_STATE BR_STATE_FORWARDING
          0600 0200 0500 0000           #     IFLA_BRPORT_PRIORITY 5 (u16)
          0800 0300 0a000000            #     IFLA_BRPORT_COST 10
          0500 0400 01 000000           #     IFLA_BRPORT_MODE 1 (hairpin)
          0500 0800 00 000000           #     IFLA_BRPORT_LEARNING 0
          0500 0900 01 000000           #     IFLA_BRPORT_UNICAST_FLOOD 1
    `));
    const back = decodeAttrs(got).linkinfo;
    expect(back?.slaveKind).toBe('bridge');
    expect(back?.slaveData).toEqual({ state: 3, priority: 5, cost: 10, mode: 1, learning: 0, unicastFlood: 1 });
  });

  it('refuses out-of-range port options', () => {
    expect(() => bridgePortAttributes({ priority: 64 })).toThrow(/priority/);
    expect(() => bridgePortAttributes({ cost: 0 })).toThrow(/cost/);
    expect(() => bridgePortAttributes({ state: 'up' as 'forwarding' })).toThrow(/state/);
  });

  it('encodes IFLA_BRPORT_* in IFLA_PROTINFO with NLA_F_NESTED (`bridge link set`) and decodes it', () => {
    const got = bytes((w) => LinkAttrs.encode(w, { protinfo: { state: 3, learning: 1 } }));
    // type 12 | NLA_F_NESTED (0x8000) = 0x800c: without the flag br_setlink reads a bare u8 state
    expect(got).toBe(h('1400 0c80  0500 0100 03000000  0500 0800 01000000'));
    expect(decodeAttrs(got).protinfo).toEqual({ state: 3, learning: 1 });
    expect(BridgePortAttrs.describe(8)).toBe('IFLA_BRPORT[8] (learning)');
  });
});

describe('vxlan (IFLA_VXLAN_*)', () => {
  it('encodes id, addresses, ports (big-endian), flags and label', async () => {
    const data = await vxlanAttributes(
      noNs,
      { vni: 42, remote: '10.0.0.2', device: 3, local: '10.0.0.1', ttl: 64, learning: false, srcPortRange: [1000, 2000], dstPort: 4789, udpChecksum: true, gbp: true, flowLabel: 0x12345, df: 'inherit' },
      true,
    );
    const got = bytes((w) => VxlanAttrs.encode(w, data));
    expect(got).toBe(h(`
      0800 0100 2a000000    # IFLA_VXLAN_ID 42
      0800 0200 0a000002    # IFLA_VXLAN_GROUP 10.0.0.2 (4 address bytes)
      0800 0300 03000000    # IFLA_VXLAN_LINK 3
      0800 0400 0a000001    # IFLA_VXLAN_LOCAL 10.0.0.1
      0500 0500 40 000000   # IFLA_VXLAN_TTL 64
      0500 0700 00 000000   # IFLA_VXLAN_LEARNING 0
      0800 0a00 03e8 07d0   # IFLA_VXLAN_PORT_RANGE { __be16 low 1000, __be16 high 2000 }
      0600 0f00 12b5 0000   # IFLA_VXLAN_PORT __be16 4789
      0500 1200 01 000000   # IFLA_VXLAN_UDP_CSUM 1
      0400 1700             # IFLA_VXLAN_GBP (flag)
      0800 1a00 00012345    # IFLA_VXLAN_LABEL __be32 0x12345
      0500 1d00 02 000000   # IFLA_VXLAN_DF VXLAN_DF_INHERIT
    `));
    const back = VxlanAttrs.decode(Buffer.from(got, 'hex'), 0, got.length / 2);
    expect(back).toEqual({ id: 42, group: '10.0.0.2', link: 3, local: '10.0.0.1', ttl: 64, learning: 0, portRange: { low: 1000, high: 2000 }, port: 4789, udpCsum: 1, gbp: true, label: 0x12345, df: 2 });
  });

  it('puts IPv6 endpoints in GROUP6 / LOCAL6 and ttl inherit as a flag', async () => {
    const data = await vxlanAttributes(noNs, { vni: 1, group: 'ff05::1', local: 'fd00::1', ttl: 'inherit', dstPort: 8472 }, true);
    expect(bytes((w) => VxlanAttrs.encode(w, data))).toBe(h(`
      0800 0100 01000000
      0600 0f00 2118 0000                                  # PORT 8472
      1400 1000 ff050000000000000000000000000001           # GROUP6
      1400 1100 fd000000000000000000000000000001           # LOCAL6
      0400 1c00                                            # TTL_INHERIT
    `));
  });

  it('reads IFLA_VXLAN_TTL_INHERIT as the kernel reports it (u8 0/1), not as presence', () => {
    const off = Buffer.from(h('0500 1c00 00 000000'), 'hex');
    const on = Buffer.from(h('0500 1c00 01 000000'), 'hex');
    expect(VxlanAttrs.decode(off, 0, off.length).ttlInherit).toBe(false);
    expect(VxlanAttrs.decode(on, 0, on.length).ttlInherit).toBe(true);
    expect(VxlanAttrs.decode(Buffer.from('04001c00', 'hex'), 0, 4).ttlInherit).toBe(true);
  });

  it('defaults the destination port to 4789 and validates', async () => {
    expect((await vxlanAttributes(noNs, { vni: 7 }, true)).port).toBe(4789);
    await expect(vxlanAttributes(noNs, {}, true)).rejects.toThrow(/vni/);
    await expect(vxlanAttributes(noNs, { vni: 1 << 24 }, true)).rejects.toThrow(/vni/);
    await expect(vxlanAttributes(noNs, { vni: 1, remote: '239.1.1.1' }, true)).rejects.toThrow(/unicast/);
    await expect(vxlanAttributes(noNs, { vni: 1, group: '10.0.0.1' }, true)).rejects.toThrow(/multicast/);
    await expect(vxlanAttributes(noNs, { vni: 1, srcPortRange: [2000, 1000] }, true)).rejects.toThrow(/srcPortRange/);
  });
});

describe('macvlan / macvtap (IFLA_MACVLAN_*)', () => {
  it('encodes mode, flags and broadcast queue length', () => {
    const data = macvlanData({ parent: 1, mode: 'bridge', noPromisc: true, bcQueueLen: 100 });
    const got = bytes((w) => MacvlanAttrs.encode(w, data));
    expect(got).toBe(h(`
      0800 0100 04000000    # IFLA_MACVLAN_MODE MACVLAN_MODE_BRIDGE
      0600 0200 0100 0000   # IFLA_MACVLAN_FLAGS MACVLAN_FLAG_NOPROMISC (u16)
      0800 0700 64000000    # IFLA_MACVLAN_BC_QUEUE_LEN 100
    `));
    expect(MacvlanAttrs.decode(Buffer.from(got, 'hex'), 0, got.length / 2)).toEqual({ mode: 4, flags: 1, bcQueueLen: 100 });
    expect(() => macvlanData({ parent: 1, mode: 'switch' as 'bridge' })).toThrow(/mode/);
  });

  it('uses the same schema for kind "macvtap"', () => {
    const got = linkinfo({ link: 2, linkinfo: { kind: 'macvtap', data: { mode: 2 } } });
    expect(got).toBe(h(`
      0800 0500 02000000                       # IFLA_LINK 2 (lower device)
      1c00 1200
        0c00 0100 6d6163767461 70 00           #   IFLA_INFO_KIND "macvtap" (len 12)
        0c00 0200 0800 0100 02000000           #   IFLA_INFO_DATA { IFLA_MACVLAN_MODE VEPA }
    `));
    expect(decodeAttrs(got).linkinfo?.data).toEqual({ mode: 2 });
  });
});

describe('tun (IFLA_TUN_*)', () => {
  it('encodes and decodes the attributes the kernel reports', () => {
    const got = bytes((w) => TunAttrs.encode(w, { owner: 1000, type: 2, pi: 0, vnetHdr: 1, persist: 1 }));
    expect(got).toBe(h(`
      0800 0100 e8030000    # IFLA_TUN_OWNER 1000
      0500 0300 02 000000   # IFLA_TUN_TYPE IFF_TAP
      0500 0400 00 000000   # IFLA_TUN_PI 0
      0500 0500 01 000000   # IFLA_TUN_VNET_HDR 1
      0500 0600 01 000000   # IFLA_TUN_PERSIST 1
    `));
    expect(TunAttrs.decode(Buffer.from(got, 'hex'), 0, got.length / 2)).toEqual({ owner: 1000, type: 2, pi: 0, vnetHdr: 1, persist: 1 });
  });
});

describe('vlan (IFLA_VLAN_*)', () => {
  it('encodes id, flags, qos map and a big-endian protocol', () => {
    const data = vlanAttributes({ id: 100, protocol: '802.1Q', reorderHdr: true, egressQos: [[1, 2]] });
    const got = bytes((w) => VlanAttrs.encode(w, data));
    expect(got).toBe(h(`
      0600 0100 6400 0000            # IFLA_VLAN_ID 100 (u16)
      0c00 0200 01000000 01000000    # IFLA_VLAN_FLAGS { flags REORDER_HDR, mask REORDER_HDR }
      1000 0300                      # IFLA_VLAN_EGRESS_QOS
        0c00 0100 01000000 02000000  #   IFLA_VLAN_QOS_MAPPING { from 1, to 2 }
      0600 0500 8100 0000            # IFLA_VLAN_PROTOCOL ETH_P_8021Q, __be16
    `));
    expect(VlanAttrs.decode(Buffer.from(got, 'hex'), 0, got.length / 2)).toEqual({
      id: 100,
      flags: { flags: 1, mask: 1 },
      egressQos: { mapping: [{ from: 1, to: 2 }] },
      protocol: 0x8100,
    });
    expect(() => vlanAttributes({ id: 4095 })).toThrow(/id/);
  });
});

describe('vrf, bond, dummy, wireguard', () => {
  it('vrf: IFLA_VRF_TABLE', () => {
    expect(bytes((w) => VrfAttrs.encode(w, { table: 10 }))).toBe(h('0800 0100 0a000000'));
  });

  it('bond: mode, miimon, ARP targets as a nest of indexed addresses, policies', () => {
    const data = bondAttributes({ mode: 'active-backup', miimon: 100, arpIpTargets: ['10.0.0.1', '10.0.0.2'], minLinks: 1, xmitHashPolicy: 'layer3+4', lacpRate: 'fast' });
    const got = bytes((w) => BondAttrs.encode(w, data));
    expect(got).toBe(h(`
      0500 0100 01 000000   # IFLA_BOND_MODE active-backup (u8)
      0800 0300 64000000    # IFLA_BOND_MIIMON 100
      1400 0800             # IFLA_BOND_ARP_IP_TARGET
        0800 0000 0a000001  #   [0] 10.0.0.1
        0800 0100 0a000002  #   [1] 10.0.0.2
      0500 0e00 01 000000   # IFLA_BOND_XMIT_HASH_POLICY layer3+4
      0800 1200 01000000    # IFLA_BOND_MIN_LINKS 1
      0500 1500 01 000000   # IFLA_BOND_AD_LACP_RATE fast
    `));
    expect(BondAttrs.decode(Buffer.from(got, 'hex'), 0, got.length / 2)).toEqual({
      mode: 1, miimon: 100, arpIpTarget: ['10.0.0.1', '10.0.0.2'], xmitHashPolicy: 1, minLinks: 1, adLacpRate: 1,
    });
    expect(() => bondAttributes({ mode: 'fast' as 'broadcast' })).toThrow(/mode/);
    expect(() => bondAttributes({ arpIpTargets: ['fd00::1'] })).toThrow(/arpIpTargets\[0\]/);
  });

  it('dummy and wireguard: IFLA_LINKINFO with only IFLA_INFO_KIND', () => {
    expect(linkinfo({ ifname: 'd0', linkinfo: { kind: 'dummy' } })).toBe(h(`
      0700 0300 643000 00              # IFLA_IFNAME "d0"
      1000 1200 0a00 0100 64756d6d79 00 0000   # IFLA_LINKINFO { IFLA_INFO_KIND "dummy" }
    `));
    // "wireguard" + NUL = 10 bytes: nla_len 14, padded to 16; the nest is 4 + 16 = 20
    expect(linkinfo({ linkinfo: { kind: 'wireguard' } })).toBe(h('1400 1200 0e00 0100 77697265677561726400 0000'));
  });

  it('refuses typed data for kinds without a schema, but passes raw bytes through', () => {
    expect(() => linkinfo({ linkinfo: { kind: 'geneve', data: { id: 1 } as never } })).toThrow(/no attribute schema/);
    const raw = Buffer.from(h('0800 0100 05000000'), 'hex');
    const got = linkinfo({ linkinfo: { kind: 'geneve', data: raw } });
    // "geneve" + NUL = 7 bytes: nla_len 11 → 12; the nest is 4 + 12 + 12 = 28
    expect(got).toBe(h('1c00 1200  0b00 0100 67656e65766500 00  0c00 0200 0800 0100 05000000'));
    expect(decodeAttrs(got).linkinfo?.data).toEqual(raw); // unknown kind: kept raw
  });
});

describe('ifinfomsg of a set request', () => {
  it('sets flags and change (ip link set X up)', () => {
    expect(bytes((w) => IfInfoMsg.encode(w, { family: 0, index: 5, flags: 1, change: 1 }))).toBe(h('00 00 0000 05000000 01000000 01000000'));
  });
});
