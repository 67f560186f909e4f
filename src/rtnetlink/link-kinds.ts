/**
 * Kind-specific link data (IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA inside IFLA_LINKINFO), one
 * schema per kind, registered into the registry link.ts uses to decode and encode them
 * (link-kind-registry.ts):
 * veth (VETH_INFO_PEER), macvlan / macvtap (IFLA_MACVLAN_*), tun (IFLA_TUN_*), vlan
 * (IFLA_VLAN_*), vrf (IFLA_VRF_*), bond (IFLA_BOND_*), ipvlan (IFLA_IPVLAN_*); bridge and
 * vxlan live in their own files. dummy and wireguard carry no IFLA_INFO_DATA.
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { type Assert, type AttrsOf, type CustomField, defineSchema, defineStruct, type RawAttr, type SameAttributes, Schema, structField } from '../netlink/attributes.js';
import { formatIp, parseIp } from '../util/ip.js';
import { type BridgeAttributes, BridgeAttrs, type BridgePortAttributes, BridgePortAttrs } from './bridge.js';
import { be16Field } from './fields.js';
import { type IfInfoHeader, IfInfoMsg, type LinkAttributes, LinkAttrs } from './link.js';
import { registerLinkKind, registerLinkSlaveKind } from './link-kind-registry.js';
import { type VxlanAttributes, VxlanAttrs } from './vxlan.js';

// ---- veth -------------------------------------------------------------------------------

/** VETH_INFO_PEER: the peer's own ifinfomsg and IFLA_* attributes. */
export interface VethPeer {
  /** the peer's ifinfomsg (all zero when creating: the kernel picks the index). */
  header?: Partial<IfInfoHeader>;
  /** the peer's attributes (ifname, address, mtu, netNsFd, …). */
  attrs?: Partial<LinkAttributes>;
}

const vethPeerField: CustomField<VethPeer> & { name: 'peer' } = {
  name: 'peer',
  type: 'custom',
  decode(data) {
    const header = IfInfoMsg.decode(data, 0, data.length);
    return { header, attrs: LinkAttrs.decode(data, IfInfoMsg.size, data.length) };
  },
  encode(w, type, v) {
    const n = w.beginNested(type, false);
    IfInfoMsg.encode(w, v.header ?? {});
    LinkAttrs.encode(w, v.attrs ?? {});
    w.endNested(n);
  },
};

/** VETH_INFO_* (kind `veth`). */
export interface VethInfoAttributes {
  /** VETH_INFO_PEER (only in requests: the kernel does not report it). */
  peer?: VethPeer;
}
export const VethInfo: Schema<VethInfoAttributes> = new Schema<VethInfoAttributes>('VETH_INFO', { 1: vethPeerField });

// ---- macvlan / macvtap ------------------------------------------------------------------

/** IFLA_MACVLAN_* (kinds `macvlan` and `macvtap`). */
export const MacvlanAttrs = defineSchema('IFLA_MACVLAN', {
  1: { name: 'mode', type: 'u32' },
  2: { name: 'flags', type: 'u16' },
  3: { name: 'macaddrMode', type: 'u32' },
  4: { name: 'macaddr', type: 'mac' },
  5: { name: 'macaddrData', type: 'binary' },
  6: { name: 'macaddrCount', type: 'u32' },
  7: { name: 'bcQueueLen', type: 'u32' },
  8: { name: 'bcQueueLenUsed', type: 'u32' },
  9: { name: 'bcCutoff', type: 's32' },
});
/** Decoded IFLA_MACVLAN_* attributes (kinds `macvlan`, `macvtap`). */
export interface MacvlanAttributes {
  /** IFLA_MACVLAN_MODE (u32). */
  mode?: number;
  /** IFLA_MACVLAN_FLAGS (u16). */
  flags?: number;
  /** IFLA_MACVLAN_MACADDR_MODE (u32). */
  macaddrMode?: number;
  /** IFLA_MACVLAN_MACADDR (link-layer address). */
  macaddr?: string;
  /** IFLA_MACVLAN_MACADDR_DATA (raw bytes). */
  macaddrData?: Buffer;
  /** IFLA_MACVLAN_MACADDR_COUNT (u32). */
  macaddrCount?: number;
  /** IFLA_MACVLAN_BC_QUEUE_LEN (u32). */
  bcQueueLen?: number;
  /** IFLA_MACVLAN_BC_QUEUE_LEN_USED (u32). */
  bcQueueLenUsed?: number;
  /** IFLA_MACVLAN_BC_CUTOFF (9, s32). */
  bcCutoff?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type MacvlanAttributesMatchesSchema = Assert<SameAttributes<MacvlanAttributes, AttrsOf<typeof MacvlanAttrs>>>;

/** MACVLAN_MODE_* by name. */
export const MACVLAN_MODES = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 } as const;
/** MACVLAN_FLAG_NOPROMISC */
export const MACVLAN_FLAG_NOPROMISC = 1;
/** MACVLAN_FLAG_NODST */
export const MACVLAN_FLAG_NODST = 2;

// ---- ipvlan -----------------------------------------------------------------------------

/** IFLA_IPVLAN_* (kinds `ipvlan` / `ipvtap`). */
export const IpvlanAttrs = defineSchema('IFLA_IPVLAN', {
  1: { name: 'mode', type: 'u16' },
  2: { name: 'flags', type: 'u16' },
});
/** Decoded IFLA_IPVLAN_* attributes (kinds `ipvlan`, `ipvtap`). */
export interface IpvlanAttributes {
  /** IFLA_IPVLAN_MODE (u16). */
  mode?: number;
  /** IFLA_IPVLAN_FLAGS (u16). */
  flags?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type IpvlanAttributesMatchesSchema = Assert<SameAttributes<IpvlanAttributes, AttrsOf<typeof IpvlanAttrs>>>;

// ---- tun --------------------------------------------------------------------------------

/** IFLA_TUN_* (kind `tun`; reported by the kernel, which refuses to create tun over rtnetlink). */
export const TunAttrs = defineSchema('IFLA_TUN', {
  1: { name: 'owner', type: 'u32' },
  2: { name: 'group', type: 'u32' },
  3: { name: 'type', type: 'u8' },
  4: { name: 'pi', type: 'u8' },
  5: { name: 'vnetHdr', type: 'u8' },
  6: { name: 'persist', type: 'u8' },
  7: { name: 'multiQueue', type: 'u8' },
  8: { name: 'numQueues', type: 'u32' },
  9: { name: 'numDisabledQueues', type: 'u32' },
});
/** Decoded IFLA_TUN_* attributes (kind `tun`). */
export interface TunAttributes {
  /** IFLA_TUN_OWNER (u32). */
  owner?: number;
  /** IFLA_TUN_GROUP (u32). */
  group?: number;
  /** IFLA_TUN_TYPE (u8). */
  type?: number;
  /** IFLA_TUN_PI (u8). */
  pi?: number;
  /** IFLA_TUN_VNET_HDR (u8). */
  vnetHdr?: number;
  /** IFLA_TUN_PERSIST (u8). */
  persist?: number;
  /** IFLA_TUN_MULTI_QUEUE (u8). */
  multiQueue?: number;
  /** IFLA_TUN_NUM_QUEUES (u32). */
  numQueues?: number;
  /** IFLA_TUN_NUM_DISABLED_QUEUES (u32). */
  numDisabledQueues?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type TunAttributesMatchesSchema = Assert<SameAttributes<TunAttributes, AttrsOf<typeof TunAttrs>>>;

/** IFF_* flags of TUNSETIFF (linux/if_tun.h). */
export const IFF_TUN = 0x0001;
export const IFF_TAP = 0x0002;
export const IFF_NAPI = 0x0010;
export const IFF_NAPI_FRAGS = 0x0020;
export const IFF_NO_CARRIER = 0x0040;
export const IFF_NO_PI = 0x1000;
export const IFF_ONE_QUEUE = 0x2000;
export const IFF_VNET_HDR = 0x4000;
export const IFF_TUN_EXCL = 0x8000;
export const IFF_MULTI_QUEUE = 0x0100;

// ---- vlan -------------------------------------------------------------------------------

/** struct ifla_vlan_flags */
export const VlanFlags = defineStruct('ifla_vlan_flags', [
  ['flags', 'u32'],
  ['mask', 'u32'],
] as const);
/** struct ifla_vlan_qos_mapping */
export const VlanQosMapping = defineStruct('ifla_vlan_qos_mapping', [
  ['from', 'u32'],
  ['to', 'u32'],
] as const);
/** IFLA_VLAN_QOS_* */
export const VlanQos = defineSchema('IFLA_VLAN_QOS', {
  1: { ...structField('mapping', VlanQosMapping), multi: true },
});
/** Decoded IFLA_VLAN_QOS_* (an ingress or egress priority map). */
export interface VlanQosAttributes {
  /** IFLA_VLAN_QOS_MAPPING, repeated. */
  mapping?: VlanQosMappingValue[];
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type VlanQosAttributesMatchesSchema = Assert<SameAttributes<VlanQosAttributes, AttrsOf<typeof VlanQos>>>;
/** struct ifla_vlan_qos_mapping: one priority mapping. */
export interface VlanQosMappingValue {
  /** ifla_vlan_qos_mapping.from (u32). */
  from: number;
  /** ifla_vlan_qos_mapping.to (u32). */
  to: number;
}
type VlanQosMappingValueMatchesStruct = Assert<SameAttributes<VlanQosMappingValue, ReturnType<typeof VlanQosMapping.decode>>>;
/** struct ifla_vlan_flags (IFLA_VLAN_FLAGS). */
export interface VlanFlagsValue {
  /** ifla_vlan_flags.flags (u32). */
  flags: number;
  /** ifla_vlan_flags.mask (u32). */
  mask: number;
}
type VlanFlagsValueMatchesStruct = Assert<SameAttributes<VlanFlagsValue, ReturnType<typeof VlanFlags.decode>>>;

/** IFLA_VLAN_* (kind `vlan`). */
export const VlanAttrs = defineSchema('IFLA_VLAN', {
  1: { name: 'id', type: 'u16' },
  2: structField('flags', VlanFlags),
  3: { name: 'egressQos', type: 'nested', schema: VlanQos },
  4: { name: 'ingressQos', type: 'nested', schema: VlanQos },
  5: be16Field('protocol'),
});
/** Decoded IFLA_VLAN_* attributes (kind `vlan`). */
export interface VlanAttributes {
  /** IFLA_VLAN_ID (u16). */
  id?: number;
  /** IFLA_VLAN_FLAGS. */
  flags?: VlanFlagsValue;
  /** IFLA_VLAN_EGRESS_QOS (nested). */
  egressQos?: VlanQosAttributes;
  /** IFLA_VLAN_INGRESS_QOS (nested). */
  ingressQos?: VlanQosAttributes;
  /** IFLA_VLAN_PROTOCOL. */
  protocol?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type VlanAttributesMatchesSchema = Assert<SameAttributes<VlanAttributes, AttrsOf<typeof VlanAttrs>>>;

/** VLAN_FLAG_* (ifla_vlan_flags.flags). */
export const VLAN_FLAG_REORDER_HDR = 0x1;
export const VLAN_FLAG_GVRP = 0x2;
export const VLAN_FLAG_LOOSE_BINDING = 0x4;
export const VLAN_FLAG_MVRP = 0x8;
export const VLAN_FLAG_BRIDGE_BINDING = 0x10;
/** ETH_P_8021Q / ETH_P_8021AD */
export const ETH_P_8021Q = 0x8100;
export const ETH_P_8021AD = 0x88a8;

// ---- vrf --------------------------------------------------------------------------------

/** IFLA_VRF_* (kind `vrf`). */
export const VrfAttrs = defineSchema('IFLA_VRF', {
  1: { name: 'table', type: 'u32' },
});
/** Decoded IFLA_VRF_* attributes (kind `vrf`). */
export interface VrfAttributes {
  /** IFLA_VRF_TABLE (u32). */
  table?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type VrfAttributesMatchesSchema = Assert<SameAttributes<VrfAttributes, AttrsOf<typeof VrfAttrs>>>;
/** IFLA_VRF_PORT_* (slave kind `vrf`). */
export const VrfPortAttrs = defineSchema('IFLA_VRF_PORT', {
  1: { name: 'table', type: 'u32' },
});
/** Decoded IFLA_VRF_PORT_* attributes (slave kind `vrf`). */
export interface VrfPortAttributes {
  /** IFLA_VRF_PORT_TABLE (u32). */
  table?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type VrfPortAttributesMatchesSchema = Assert<SameAttributes<VrfPortAttributes, AttrsOf<typeof VrfPortAttrs>>>;

// ---- bond -------------------------------------------------------------------------------

/** IFLA_BOND_ARP_IP_TARGET: a nest of IPv4 addresses, attribute types 0, 1, 2, … */
const arpTargetsField: CustomField<string[]> & { name: 'arpIpTarget' } = {
  name: 'arpIpTarget',
  type: 'custom',
  decode(data) {
    const out: string[] = [];
    let off = 0;
    while (off + 4 <= data.length) {
      const len = data.readUInt16LE(off);
      if (len < 4 || off + len > data.length) throw new ParseError(`IFLA_BOND_ARP_IP_TARGET entry of ${len} bytes`, off);
      if (len === 8) out.push(formatIp(data.subarray(off + 4, off + 8)));
      off += (len + 3) & ~3;
    }
    return out;
  },
  encode(w, type, v) {
    const n = w.beginNested(type, false);
    v.forEach((a, i) => w.attr(i, parseIp(a, `arpIpTarget[${i}]`)));
    w.endNested(n);
  },
};

/** IFLA_BOND_AD_INFO_* */
export const BondAdInfo = defineSchema('IFLA_BOND_AD_INFO', {
  1: { name: 'aggregator', type: 'u16' },
  2: { name: 'numPorts', type: 'u16' },
  3: { name: 'actorKey', type: 'u16' },
  4: { name: 'partnerKey', type: 'u16' },
  5: { name: 'partnerMac', type: 'mac' },
});
/** Decoded IFLA_BOND_AD_INFO_* (802.3ad aggregator state). */
export interface BondAdInfoAttributes {
  /** IFLA_BOND_AD_INFO_AGGREGATOR (u16). */
  aggregator?: number;
  /** IFLA_BOND_AD_INFO_NUM_PORTS (u16). */
  numPorts?: number;
  /** IFLA_BOND_AD_INFO_ACTOR_KEY (u16). */
  actorKey?: number;
  /** IFLA_BOND_AD_INFO_PARTNER_KEY (u16). */
  partnerKey?: number;
  /** IFLA_BOND_AD_INFO_PARTNER_MAC (link-layer address). */
  partnerMac?: string;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type BondAdInfoAttributesMatchesSchema = Assert<SameAttributes<BondAdInfoAttributes, AttrsOf<typeof BondAdInfo>>>;

/** IFLA_BOND_* (kind `bond`). */
export const BondAttrs = defineSchema('IFLA_BOND', {
  1: { name: 'mode', type: 'u8' },
  2: { name: 'activeSlave', type: 'u32' },
  3: { name: 'miimon', type: 'u32' },
  4: { name: 'updelay', type: 'u32' },
  5: { name: 'downdelay', type: 'u32' },
  6: { name: 'useCarrier', type: 'u8' },
  7: { name: 'arpInterval', type: 'u32' },
  8: arpTargetsField,
  9: { name: 'arpValidate', type: 'u32' },
  10: { name: 'arpAllTargets', type: 'u32' },
  11: { name: 'primary', type: 'u32' },
  12: { name: 'primaryReselect', type: 'u8' },
  13: { name: 'failOverMac', type: 'u8' },
  14: { name: 'xmitHashPolicy', type: 'u8' },
  15: { name: 'resendIgmp', type: 'u32' },
  16: { name: 'numPeerNotif', type: 'u8' },
  17: { name: 'allSlavesActive', type: 'u8' },
  18: { name: 'minLinks', type: 'u32' },
  19: { name: 'lpInterval', type: 'u32' },
  20: { name: 'packetsPerSlave', type: 'u32' },
  21: { name: 'adLacpRate', type: 'u8' },
  22: { name: 'adSelect', type: 'u8' },
  23: { name: 'adInfo', type: 'nested', schema: BondAdInfo },
  24: { name: 'adActorSysPrio', type: 'u16' },
  25: { name: 'adUserPortKey', type: 'u16' },
  26: { name: 'adActorSystem', type: 'mac' },
  27: { name: 'tlbDynamicLb', type: 'u8' },
  28: { name: 'peerNotifDelay', type: 'u32' },
  29: { name: 'adLacpActive', type: 'u8' },
  30: { name: 'missedMax', type: 'u8' },
  31: { name: 'nsIp6Target', type: 'binary' },
  32: { name: 'coupledControl', type: 'u8' },
});
/** Decoded IFLA_BOND_* attributes (kind `bond`). */
export interface BondAttributes {
  /** IFLA_BOND_MODE (u8). */
  mode?: number;
  /** IFLA_BOND_ACTIVE_SLAVE (u32). */
  activeSlave?: number;
  /** IFLA_BOND_MIIMON (u32). */
  miimon?: number;
  /** IFLA_BOND_UPDELAY (u32). */
  updelay?: number;
  /** IFLA_BOND_DOWNDELAY (u32). */
  downdelay?: number;
  /** IFLA_BOND_USE_CARRIER (u8). */
  useCarrier?: number;
  /** IFLA_BOND_ARP_INTERVAL (u32). */
  arpInterval?: number;
  /** IFLA_BOND_ARP_IP_TARGET. */
  arpIpTarget?: string[];
  /** IFLA_BOND_ARP_VALIDATE (u32). */
  arpValidate?: number;
  /** IFLA_BOND_ARP_ALL_TARGETS (u32). */
  arpAllTargets?: number;
  /** IFLA_BOND_PRIMARY (u32). */
  primary?: number;
  /** IFLA_BOND_PRIMARY_RESELECT (u8). */
  primaryReselect?: number;
  /** IFLA_BOND_FAIL_OVER_MAC (u8). */
  failOverMac?: number;
  /** IFLA_BOND_XMIT_HASH_POLICY (u8). */
  xmitHashPolicy?: number;
  /** IFLA_BOND_RESEND_IGMP (u32). */
  resendIgmp?: number;
  /** IFLA_BOND_NUM_PEER_NOTIF (u8). */
  numPeerNotif?: number;
  /** IFLA_BOND_ALL_SLAVES_ACTIVE (u8). */
  allSlavesActive?: number;
  /** IFLA_BOND_MIN_LINKS (u32). */
  minLinks?: number;
  /** IFLA_BOND_LP_INTERVAL (u32). */
  lpInterval?: number;
  /** IFLA_BOND_PACKETS_PER_SLAVE (u32). */
  packetsPerSlave?: number;
  /** IFLA_BOND_AD_LACP_RATE (u8). */
  adLacpRate?: number;
  /** IFLA_BOND_AD_SELECT (u8). */
  adSelect?: number;
  /** IFLA_BOND_AD_INFO (nested). */
  adInfo?: BondAdInfoAttributes;
  /** IFLA_BOND_AD_ACTOR_SYS_PRIO (u16). */
  adActorSysPrio?: number;
  /** IFLA_BOND_AD_USER_PORT_KEY (u16). */
  adUserPortKey?: number;
  /** IFLA_BOND_AD_ACTOR_SYSTEM (link-layer address). */
  adActorSystem?: string;
  /** IFLA_BOND_TLB_DYNAMIC_LB (u8). */
  tlbDynamicLb?: number;
  /** IFLA_BOND_PEER_NOTIF_DELAY (u32). */
  peerNotifDelay?: number;
  /** IFLA_BOND_AD_LACP_ACTIVE (u8). */
  adLacpActive?: number;
  /** IFLA_BOND_MISSED_MAX (u8). */
  missedMax?: number;
  /** IFLA_BOND_NS_IP6_TARGET (raw bytes). */
  nsIp6Target?: Buffer;
  /** IFLA_BOND_COUPLED_CONTROL (u8). */
  coupledControl?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type BondAttributesMatchesSchema = Assert<SameAttributes<BondAttributes, AttrsOf<typeof BondAttrs>>>;

/** Bond modes (BOND_MODE_*) by name, as `ip link add type bond mode NAME` takes them. */
export const BOND_MODES = {
  'balance-rr': 0,
  'active-backup': 1,
  'balance-xor': 2,
  broadcast: 3,
  '802.3ad': 4,
  'balance-tlb': 5,
  'balance-alb': 6,
} as const;

/** IFLA_BOND_SLAVE_* (slave kind `bond`). */
export const BondSlaveAttrs = defineSchema('IFLA_BOND_SLAVE', {
  1: { name: 'state', type: 'u8' },
  2: { name: 'miiStatus', type: 'u8' },
  3: { name: 'linkFailureCount', type: 'u32' },
  4: { name: 'permHwaddr', type: 'mac' },
  5: { name: 'queueId', type: 'u16' },
  6: { name: 'adAggregatorId', type: 'u16' },
  7: { name: 'adActorOperPortState', type: 'u8' },
  8: { name: 'adPartnerOperPortState', type: 'u16' },
  9: { name: 'prio', type: 's32' },
  10: { name: 'actorPortPrio', type: 'u16' },
});
/** Decoded IFLA_BOND_SLAVE_* attributes (slave kind `bond`). */
export interface BondSlaveAttributes {
  /** IFLA_BOND_SLAVE_STATE (u8). */
  state?: number;
  /** IFLA_BOND_SLAVE_MII_STATUS (u8). */
  miiStatus?: number;
  /** IFLA_BOND_SLAVE_LINK_FAILURE_COUNT (u32). */
  linkFailureCount?: number;
  /** IFLA_BOND_SLAVE_PERM_HWADDR (link-layer address). */
  permHwaddr?: string;
  /** IFLA_BOND_SLAVE_QUEUE_ID (u16). */
  queueId?: number;
  /** IFLA_BOND_SLAVE_AD_AGGREGATOR_ID (u16). */
  adAggregatorId?: number;
  /** IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE (u8). */
  adActorOperPortState?: number;
  /** IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE (u16). */
  adPartnerOperPortState?: number;
  /** IFLA_BOND_SLAVE_PRIO (s32). */
  prio?: number;
  /** IFLA_BOND_SLAVE_ACTOR_PORT_PRIO (u16). */
  actorPortPrio?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type BondSlaveAttributesMatchesSchema = Assert<SameAttributes<BondSlaveAttributes, AttrsOf<typeof BondSlaveAttrs>>>;

// ---- registry ---------------------------------------------------------------------------

declare module './link-kind-registry.js' {
  interface LinkKindDataMap {
    /** veth: VETH_INFO_*. */
    veth: VethInfoAttributes;
    /** bridge: IFLA_BR_*. */
    bridge: BridgeAttributes;
    /** vxlan: IFLA_VXLAN_*. */
    vxlan: VxlanAttributes;
    /** macvlan and macvtap: IFLA_MACVLAN_*. */
    macvlan: MacvlanAttributes;
    /** ipvlan and ipvtap: IFLA_IPVLAN_*. */
    ipvlan: IpvlanAttributes;
    /** tun and tap: IFLA_TUN_*. */
    tun: TunAttributes;
    /** vlan: IFLA_VLAN_*. */
    vlan: VlanAttributes;
    /** vrf: IFLA_VRF_*. */
    vrf: VrfAttributes;
    /** bond: IFLA_BOND_*. */
    bond: BondAttributes;
  }
  interface LinkSlaveDataMap {
    /** a bridge port: IFLA_BRPORT_*. */
    bridge: BridgePortAttributes;
    /** a bond slave: IFLA_BOND_SLAVE_*. */
    bond: BondSlaveAttributes;
    /** a vrf port: IFLA_VRF_PORT_*. */
    vrf: VrfPortAttributes;
  }
}

export type { LinkKindData, LinkSlaveData } from './link-kind-registry.js';

for (const [kind, schema] of [
  ['veth', VethInfo],
  ['bridge', BridgeAttrs],
  ['vxlan', VxlanAttrs],
  ['macvlan', MacvlanAttrs],
  ['macvtap', MacvlanAttrs],
  ['ipvlan', IpvlanAttrs],
  ['ipvtap', IpvlanAttrs],
  ['tun', TunAttrs],
  ['vlan', VlanAttrs],
  ['vrf', VrfAttrs],
  ['bond', BondAttrs],
] as const) registerLinkKind(kind, schema as Schema<object>);
for (const [kind, schema] of [
  ['bridge', BridgePortAttrs],
  ['bond', BondSlaveAttrs],
  ['vrf', VrfPortAttrs],
] as const) registerLinkSlaveKind(kind, schema as Schema<object>);
