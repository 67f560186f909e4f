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
import { type AttributesInputOf, type AttributesOf, type CustomField, defineAttributes, defineStruct, type Schema, type Struct, structField, type StructFieldsOf } from '../netlink/attributes.js';
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

const VETH_INFO_FIELDS = {
  /** VETH_INFO_PEER (only in requests: the kernel does not report it). */
  peer: { nla: 1, ...vethPeerField },
} as const;
/**
 * Decoded VETH_INFO_* attributes (kind `veth`).
 * @interface
 */
export type VethInfoAttributes = AttributesOf<typeof VETH_INFO_FIELDS>;
/** VETH_INFO_* (kind `veth`). */
export const VethInfo: Schema<VethInfoAttributes, AttributesInputOf<typeof VETH_INFO_FIELDS>> = defineAttributes('VETH_INFO', VETH_INFO_FIELDS);

// ---- macvlan / macvtap ------------------------------------------------------------------

const IFLA_MACVLAN_FIELDS = {
  /** IFLA_MACVLAN_MODE (u32). */
  mode: { nla: 1, type: 'u32' },
  /** IFLA_MACVLAN_FLAGS (u16). */
  flags: { nla: 2, type: 'u16' },
  /** IFLA_MACVLAN_MACADDR_MODE (u32). */
  macaddrMode: { nla: 3, type: 'u32' },
  /** IFLA_MACVLAN_MACADDR (link-layer address). */
  macaddr: { nla: 4, type: 'mac' },
  /** IFLA_MACVLAN_MACADDR_DATA (raw bytes). */
  macaddrData: { nla: 5, type: 'binary' },
  /** IFLA_MACVLAN_MACADDR_COUNT (u32). */
  macaddrCount: { nla: 6, type: 'u32' },
  /** IFLA_MACVLAN_BC_QUEUE_LEN (u32). */
  bcQueueLen: { nla: 7, type: 'u32' },
  /** IFLA_MACVLAN_BC_QUEUE_LEN_USED (u32). */
  bcQueueLenUsed: { nla: 8, type: 'u32' },
  /** IFLA_MACVLAN_BC_CUTOFF (9, s32). */
  bcCutoff: { nla: 9, type: 's32' },
} as const;
/**
 * Decoded IFLA_MACVLAN_* attributes (kinds `macvlan`, `macvtap`).
 * @interface
 */
export type MacvlanAttributes = AttributesOf<typeof IFLA_MACVLAN_FIELDS>;
/** IFLA_MACVLAN_* (kinds `macvlan` and `macvtap`). */
export const MacvlanAttrs: Schema<MacvlanAttributes, AttributesInputOf<typeof IFLA_MACVLAN_FIELDS>> = defineAttributes('IFLA_MACVLAN', IFLA_MACVLAN_FIELDS);

/** MACVLAN_MODE_* by name. */
export const MACVLAN_MODES = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 } as const;
/** MACVLAN_FLAG_NOPROMISC */
export const MACVLAN_FLAG_NOPROMISC = 1;
/** MACVLAN_FLAG_NODST */
export const MACVLAN_FLAG_NODST = 2;

// ---- ipvlan -----------------------------------------------------------------------------

const IFLA_IPVLAN_FIELDS = {
  /** IFLA_IPVLAN_MODE (u16). */
  mode: { nla: 1, type: 'u16' },
  /** IFLA_IPVLAN_FLAGS (u16). */
  flags: { nla: 2, type: 'u16' },
} as const;
/**
 * Decoded IFLA_IPVLAN_* attributes (kinds `ipvlan`, `ipvtap`).
 * @interface
 */
export type IpvlanAttributes = AttributesOf<typeof IFLA_IPVLAN_FIELDS>;
/** IFLA_IPVLAN_* (kinds `ipvlan` / `ipvtap`). */
export const IpvlanAttrs: Schema<IpvlanAttributes, AttributesInputOf<typeof IFLA_IPVLAN_FIELDS>> = defineAttributes('IFLA_IPVLAN', IFLA_IPVLAN_FIELDS);

// ---- tun --------------------------------------------------------------------------------

const IFLA_TUN_FIELDS = {
  /** IFLA_TUN_OWNER (u32). */
  owner: { nla: 1, type: 'u32' },
  /** IFLA_TUN_GROUP (u32). */
  group: { nla: 2, type: 'u32' },
  /** IFLA_TUN_TYPE (u8). */
  type: { nla: 3, type: 'u8' },
  /** IFLA_TUN_PI (u8). */
  pi: { nla: 4, type: 'u8' },
  /** IFLA_TUN_VNET_HDR (u8). */
  vnetHdr: { nla: 5, type: 'u8' },
  /** IFLA_TUN_PERSIST (u8). */
  persist: { nla: 6, type: 'u8' },
  /** IFLA_TUN_MULTI_QUEUE (u8). */
  multiQueue: { nla: 7, type: 'u8' },
  /** IFLA_TUN_NUM_QUEUES (u32). */
  numQueues: { nla: 8, type: 'u32' },
  /** IFLA_TUN_NUM_DISABLED_QUEUES (u32). */
  numDisabledQueues: { nla: 9, type: 'u32' },
} as const;
/**
 * Decoded IFLA_TUN_* attributes (kind `tun`).
 * @interface
 */
export type TunAttributes = AttributesOf<typeof IFLA_TUN_FIELDS>;
/** IFLA_TUN_* (kind `tun`; reported by the kernel, which refuses to create tun over rtnetlink). */
export const TunAttrs: Schema<TunAttributes, AttributesInputOf<typeof IFLA_TUN_FIELDS>> = defineAttributes('IFLA_TUN', IFLA_TUN_FIELDS);

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

const IFLA_VLAN_FLAGS_FIELDS = {
  /** ifla_vlan_flags.flags (u32). */
  flags: 'u32',
  /** ifla_vlan_flags.mask (u32). */
  mask: 'u32',
} as const;
/**
 * struct ifla_vlan_flags (IFLA_VLAN_FLAGS).
 * @interface
 */
export type VlanFlagsValue = StructFieldsOf<typeof IFLA_VLAN_FLAGS_FIELDS>;
/** struct ifla_vlan_flags */
export const VlanFlags: Struct<VlanFlagsValue> = defineStruct('ifla_vlan_flags', IFLA_VLAN_FLAGS_FIELDS);
const IFLA_VLAN_QOS_MAPPING_FIELDS = {
  /** ifla_vlan_qos_mapping.from (u32). */
  from: 'u32',
  /** ifla_vlan_qos_mapping.to (u32). */
  to: 'u32',
} as const;
/**
 * struct ifla_vlan_qos_mapping: one priority mapping.
 * @interface
 */
export type VlanQosMappingValue = StructFieldsOf<typeof IFLA_VLAN_QOS_MAPPING_FIELDS>;
/** struct ifla_vlan_qos_mapping */
export const VlanQosMapping: Struct<VlanQosMappingValue> = defineStruct('ifla_vlan_qos_mapping', IFLA_VLAN_QOS_MAPPING_FIELDS);
const IFLA_VLAN_QOS_FIELDS = {
  /** IFLA_VLAN_QOS_MAPPING, repeated. */
  mapping: { nla: 1, ...structField('mapping', VlanQosMapping), multi: true },
} as const;
/**
 * Decoded IFLA_VLAN_QOS_* (an ingress or egress priority map).
 * @interface
 */
export type VlanQosAttributes = AttributesOf<typeof IFLA_VLAN_QOS_FIELDS>;
/** IFLA_VLAN_QOS_* */
export const VlanQos: Schema<VlanQosAttributes, AttributesInputOf<typeof IFLA_VLAN_QOS_FIELDS>> = defineAttributes('IFLA_VLAN_QOS', IFLA_VLAN_QOS_FIELDS);

const IFLA_VLAN_FIELDS = {
  /** IFLA_VLAN_ID (u16). */
  id: { nla: 1, type: 'u16' },
  /** IFLA_VLAN_FLAGS. */
  flags: { nla: 2, ...structField('flags', VlanFlags) },
  /** IFLA_VLAN_EGRESS_QOS (nested). */
  egressQos: { nla: 3, type: 'nested', schema: VlanQos },
  /** IFLA_VLAN_INGRESS_QOS (nested). */
  ingressQos: { nla: 4, type: 'nested', schema: VlanQos },
  /** IFLA_VLAN_PROTOCOL. */
  protocol: { nla: 5, ...be16Field('protocol') },
} as const;
/**
 * Decoded IFLA_VLAN_* attributes (kind `vlan`).
 * @interface
 */
export type VlanAttributes = AttributesOf<typeof IFLA_VLAN_FIELDS>;
/** IFLA_VLAN_* (kind `vlan`). */
export const VlanAttrs: Schema<VlanAttributes, AttributesInputOf<typeof IFLA_VLAN_FIELDS>> = defineAttributes('IFLA_VLAN', IFLA_VLAN_FIELDS);

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

const IFLA_VRF_FIELDS = {
  /** IFLA_VRF_TABLE (u32). */
  table: { nla: 1, type: 'u32' },
} as const;
/**
 * Decoded IFLA_VRF_* attributes (kind `vrf`).
 * @interface
 */
export type VrfAttributes = AttributesOf<typeof IFLA_VRF_FIELDS>;
/** IFLA_VRF_* (kind `vrf`). */
export const VrfAttrs: Schema<VrfAttributes, AttributesInputOf<typeof IFLA_VRF_FIELDS>> = defineAttributes('IFLA_VRF', IFLA_VRF_FIELDS);
const IFLA_VRF_PORT_FIELDS = {
  /** IFLA_VRF_PORT_TABLE (u32). */
  table: { nla: 1, type: 'u32' },
} as const;
/**
 * Decoded IFLA_VRF_PORT_* attributes (slave kind `vrf`).
 * @interface
 */
export type VrfPortAttributes = AttributesOf<typeof IFLA_VRF_PORT_FIELDS>;
/** IFLA_VRF_PORT_* (slave kind `vrf`). */
export const VrfPortAttrs: Schema<VrfPortAttributes, AttributesInputOf<typeof IFLA_VRF_PORT_FIELDS>> = defineAttributes('IFLA_VRF_PORT', IFLA_VRF_PORT_FIELDS);

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

const IFLA_BOND_AD_INFO_FIELDS = {
  /** IFLA_BOND_AD_INFO_AGGREGATOR (u16). */
  aggregator: { nla: 1, type: 'u16' },
  /** IFLA_BOND_AD_INFO_NUM_PORTS (u16). */
  numPorts: { nla: 2, type: 'u16' },
  /** IFLA_BOND_AD_INFO_ACTOR_KEY (u16). */
  actorKey: { nla: 3, type: 'u16' },
  /** IFLA_BOND_AD_INFO_PARTNER_KEY (u16). */
  partnerKey: { nla: 4, type: 'u16' },
  /** IFLA_BOND_AD_INFO_PARTNER_MAC (link-layer address). */
  partnerMac: { nla: 5, type: 'mac' },
} as const;
/**
 * Decoded IFLA_BOND_AD_INFO_* (802.3ad aggregator state).
 * @interface
 */
export type BondAdInfoAttributes = AttributesOf<typeof IFLA_BOND_AD_INFO_FIELDS>;
/** IFLA_BOND_AD_INFO_* */
export const BondAdInfo: Schema<BondAdInfoAttributes, AttributesInputOf<typeof IFLA_BOND_AD_INFO_FIELDS>> = defineAttributes('IFLA_BOND_AD_INFO', IFLA_BOND_AD_INFO_FIELDS);

const IFLA_BOND_FIELDS = {
  /** IFLA_BOND_MODE (u8). */
  mode: { nla: 1, type: 'u8' },
  /** IFLA_BOND_ACTIVE_SLAVE (u32). */
  activeSlave: { nla: 2, type: 'u32' },
  /** IFLA_BOND_MIIMON (u32). */
  miimon: { nla: 3, type: 'u32' },
  /** IFLA_BOND_UPDELAY (u32). */
  updelay: { nla: 4, type: 'u32' },
  /** IFLA_BOND_DOWNDELAY (u32). */
  downdelay: { nla: 5, type: 'u32' },
  /** IFLA_BOND_USE_CARRIER (u8). */
  useCarrier: { nla: 6, type: 'u8' },
  /** IFLA_BOND_ARP_INTERVAL (u32). */
  arpInterval: { nla: 7, type: 'u32' },
  /** IFLA_BOND_ARP_IP_TARGET. */
  arpIpTarget: { nla: 8, ...arpTargetsField },
  /** IFLA_BOND_ARP_VALIDATE (u32). */
  arpValidate: { nla: 9, type: 'u32' },
  /** IFLA_BOND_ARP_ALL_TARGETS (u32). */
  arpAllTargets: { nla: 10, type: 'u32' },
  /** IFLA_BOND_PRIMARY (u32). */
  primary: { nla: 11, type: 'u32' },
  /** IFLA_BOND_PRIMARY_RESELECT (u8). */
  primaryReselect: { nla: 12, type: 'u8' },
  /** IFLA_BOND_FAIL_OVER_MAC (u8). */
  failOverMac: { nla: 13, type: 'u8' },
  /** IFLA_BOND_XMIT_HASH_POLICY (u8). */
  xmitHashPolicy: { nla: 14, type: 'u8' },
  /** IFLA_BOND_RESEND_IGMP (u32). */
  resendIgmp: { nla: 15, type: 'u32' },
  /** IFLA_BOND_NUM_PEER_NOTIF (u8). */
  numPeerNotif: { nla: 16, type: 'u8' },
  /** IFLA_BOND_ALL_SLAVES_ACTIVE (u8). */
  allSlavesActive: { nla: 17, type: 'u8' },
  /** IFLA_BOND_MIN_LINKS (u32). */
  minLinks: { nla: 18, type: 'u32' },
  /** IFLA_BOND_LP_INTERVAL (u32). */
  lpInterval: { nla: 19, type: 'u32' },
  /** IFLA_BOND_PACKETS_PER_SLAVE (u32). */
  packetsPerSlave: { nla: 20, type: 'u32' },
  /** IFLA_BOND_AD_LACP_RATE (u8). */
  adLacpRate: { nla: 21, type: 'u8' },
  /** IFLA_BOND_AD_SELECT (u8). */
  adSelect: { nla: 22, type: 'u8' },
  /** IFLA_BOND_AD_INFO (nested). */
  adInfo: { nla: 23, type: 'nested', schema: BondAdInfo },
  /** IFLA_BOND_AD_ACTOR_SYS_PRIO (u16). */
  adActorSysPrio: { nla: 24, type: 'u16' },
  /** IFLA_BOND_AD_USER_PORT_KEY (u16). */
  adUserPortKey: { nla: 25, type: 'u16' },
  /** IFLA_BOND_AD_ACTOR_SYSTEM (link-layer address). */
  adActorSystem: { nla: 26, type: 'mac' },
  /** IFLA_BOND_TLB_DYNAMIC_LB (u8). */
  tlbDynamicLb: { nla: 27, type: 'u8' },
  /** IFLA_BOND_PEER_NOTIF_DELAY (u32). */
  peerNotifDelay: { nla: 28, type: 'u32' },
  /** IFLA_BOND_AD_LACP_ACTIVE (u8). */
  adLacpActive: { nla: 29, type: 'u8' },
  /** IFLA_BOND_MISSED_MAX (u8). */
  missedMax: { nla: 30, type: 'u8' },
  /** IFLA_BOND_NS_IP6_TARGET (raw bytes). */
  nsIp6Target: { nla: 31, type: 'binary' },
  /** IFLA_BOND_COUPLED_CONTROL (u8). */
  coupledControl: { nla: 32, type: 'u8' },
} as const;
/**
 * Decoded IFLA_BOND_* attributes (kind `bond`).
 * @interface
 */
export type BondAttributes = AttributesOf<typeof IFLA_BOND_FIELDS>;
/** IFLA_BOND_* (kind `bond`). */
export const BondAttrs: Schema<BondAttributes, AttributesInputOf<typeof IFLA_BOND_FIELDS>> = defineAttributes('IFLA_BOND', IFLA_BOND_FIELDS);

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

const IFLA_BOND_SLAVE_FIELDS = {
  /** IFLA_BOND_SLAVE_STATE (u8). */
  state: { nla: 1, type: 'u8' },
  /** IFLA_BOND_SLAVE_MII_STATUS (u8). */
  miiStatus: { nla: 2, type: 'u8' },
  /** IFLA_BOND_SLAVE_LINK_FAILURE_COUNT (u32). */
  linkFailureCount: { nla: 3, type: 'u32' },
  /** IFLA_BOND_SLAVE_PERM_HWADDR (link-layer address). */
  permHwaddr: { nla: 4, type: 'mac' },
  /** IFLA_BOND_SLAVE_QUEUE_ID (u16). */
  queueId: { nla: 5, type: 'u16' },
  /** IFLA_BOND_SLAVE_AD_AGGREGATOR_ID (u16). */
  adAggregatorId: { nla: 6, type: 'u16' },
  /** IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE (u8). */
  adActorOperPortState: { nla: 7, type: 'u8' },
  /** IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE (u16). */
  adPartnerOperPortState: { nla: 8, type: 'u16' },
  /** IFLA_BOND_SLAVE_PRIO (s32). */
  prio: { nla: 9, type: 's32' },
  /** IFLA_BOND_SLAVE_ACTOR_PORT_PRIO (u16). */
  actorPortPrio: { nla: 10, type: 'u16' },
} as const;
/**
 * Decoded IFLA_BOND_SLAVE_* attributes (slave kind `bond`).
 * @interface
 */
export type BondSlaveAttributes = AttributesOf<typeof IFLA_BOND_SLAVE_FIELDS>;
/** IFLA_BOND_SLAVE_* (slave kind `bond`). */
export const BondSlaveAttrs: Schema<BondSlaveAttributes, AttributesInputOf<typeof IFLA_BOND_SLAVE_FIELDS>> = defineAttributes('IFLA_BOND_SLAVE', IFLA_BOND_SLAVE_FIELDS);

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
