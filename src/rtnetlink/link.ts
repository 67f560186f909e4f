/**
 * Link family (RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK / RTM_SETLINK): struct ifinfomsg and
 * the IFLA_* attributes (linux/if_link.h).
 *
 * IFLA_LINKINFO's kind-specific data (IFLA_INFO_DATA, IFLA_INFO_SLAVE_DATA) is decoded with
 * the schema of its kind (see link-kind-registry.ts) and kept raw for kinds without one; encoding a
 * typed `data` object uses the schema of `kind` (a Buffer is written as is).
 * @internal
 * @module
 */
import { ParseError, ValidationError } from '../errors.js';
import { type Assert, type AttrsOf, type CustomField, defineSchema, defineStruct, type RawAttr, type SameAttributes, type Struct, structField } from '../netlink/attributes.js';
import type { NlMessage } from '../netlink/message.js';
import type { NlWriter } from '../netlink/writer.js';
import { BridgeAfSpec, type BridgeAfSpecAttributes, type BridgePortAttributes, BridgePortAttrs } from './bridge.js';
import { AF_BRIDGE } from './constants.js';
import { countersField, u32ArrayField, u64ArrayField } from './fields.js';
import { type LinkKindData, type LinkSlaveData, linkKindSchema, linkSlaveSchema } from './link-kind-registry.js';

/** struct ifinfomsg */
export const IfInfoMsg: Struct<IfInfoHeader> = defineStruct('ifinfomsg', [
  ['family', 'u8'],
  ['_pad', 'pad1'],
  ['type', 'u16'],
  ['index', 's32'],
  ['flags', 'u32'],
  ['change', 'u32'],
] as const);
/** Decoded struct ifinfomsg. */
export interface IfInfoHeader {
  /** address family (AF_UNSPEC, AF_BRIDGE for bridge port messages). */
  family: number;
  /** ARPHRD_* device type. */
  type: number;
  /** interface index. */
  index: number;
  /** IFF_* flags. */
  flags: number;
  /** IFF_* flags to change (requests). */
  change: number;
}

/** IFLA_INFO_* (inside IFLA_LINKINFO) with the kind-specific data kept raw. */
export const LinkInfo = defineSchema('IFLA_INFO', {
  1: { name: 'kind', type: 'string' },
  2: { name: 'data', type: 'binary' },
  3: { name: 'xstats', type: 'binary' },
  4: { name: 'slaveKind', type: 'string' },
  5: { name: 'slaveData', type: 'binary' },
});

/** IFLA_LINKINFO decoded: `data` / `slaveData` are typed objects when the kind is known, else bytes. */
export interface LinkInfoAttributes {
  /** IFLA_INFO_KIND: `veth`, `bridge`, `vxlan`, … */
  kind?: string;
  /** IFLA_INFO_DATA, decoded with the kind's schema (bytes for kinds netns-kit does not know). */
  data?: LinkKindData | Buffer;
  /** IFLA_INFO_XSTATS (kind-specific statistics), raw. */
  xstats?: Buffer;
  /** IFLA_INFO_SLAVE_KIND: the master's kind when the link is enslaved (`bridge`, `bond`, `vrf`). */
  slaveKind?: string;
  /** IFLA_INFO_SLAVE_DATA (e.g. IFLA_BRPORT_* of a bridge port), decoded with the master kind's schema. */
  slaveData?: LinkSlaveData | Buffer;
  /** attributes not known to the schema. */
  unknown?: RawAttr[];
}

/**
 * Kind data a schema cannot read (a kernel that sends an attribute with another size than
 * the UAPI header this was written from) stays raw bytes instead of failing the whole link:
 * one unusual device must not break `ip link`-style listings.
 */
function decodeKindData(s: { decode(b: Buffer, start: number, end: number): object }, data: Buffer): object {
  try {
    return s.decode(data, 0, data.length);
  } catch (e) {
    if (e instanceof ParseError) return data;
    throw e;
  }
}

function decodeLinkInfo(data: Buffer): LinkInfoAttributes {
  const raw = LinkInfo.decode(data, 0, data.length);
  const out: LinkInfoAttributes = raw;
  if (raw.kind !== undefined && raw.data !== undefined) {
    const s = linkKindSchema(raw.kind);
    if (s) out.data = decodeKindData(s, raw.data) as LinkKindData | Buffer;
  }
  if (raw.slaveKind !== undefined && raw.slaveData !== undefined) {
    const s = linkSlaveSchema(raw.slaveKind);
    if (s) out.slaveData = decodeKindData(s, raw.slaveData) as LinkSlaveData | Buffer;
  }
  return out;
}

function encodeKindData(w: NlWriter, type: number, kind: string | undefined, data: object, slave: boolean): void {
  if (Buffer.isBuffer(data)) {
    w.attr(type, data);
    return;
  }
  const s = kind === undefined ? undefined : slave ? linkSlaveSchema(kind) : linkKindSchema(kind);
  if (!s) {
    throw new ValidationError(slave ? 'linkinfo.slaveKind' : 'linkinfo.kind', kind, `netns-kit has no attribute schema for this kind: pass ${slave ? 'slaveData' : 'data'} as a Buffer`);
  }
  const n = w.beginNested(type, false);
  s.encode(w, data);
  w.endNested(n);
}

const linkInfoField: CustomField<LinkInfoAttributes> & { name: 'linkinfo' } = {
  name: 'linkinfo',
  type: 'custom',
  decode: (data) => decodeLinkInfo(data),
  encode(w, type, v) {
    const n = w.beginNested(type, false);
    if (v.kind !== undefined) w.attrString(1, v.kind);
    if (v.data !== undefined) encodeKindData(w, 2, v.kind, v.data, false);
    if (v.xstats !== undefined) w.attr(3, v.xstats);
    if (v.slaveKind !== undefined) w.attrString(4, v.slaveKind);
    if (v.slaveData !== undefined) encodeKindData(w, 5, v.slaveKind ?? v.kind, v.slaveData, true);
    for (const a of v.unknown ?? []) w.attr(a.type | a.flags, a.data);
    w.endNested(n);
  },
};

/** Counter names of struct rtnl_link_stats64 / rtnl_link_stats, in order. */
export const LINK_STATS_FIELDS = [
  'rxPackets',
  'txPackets',
  'rxBytes',
  'txBytes',
  'rxErrors',
  'txErrors',
  'rxDropped',
  'txDropped',
  'multicast',
  'collisions',
  'rxLengthErrors',
  'rxOverErrors',
  'rxCrcErrors',
  'rxFrameErrors',
  'rxFifoErrors',
  'rxMissedErrors',
  'txAbortedErrors',
  'txCarrierErrors',
  'txFifoErrors',
  'txHeartbeatErrors',
  'txWindowErrors',
  'rxCompressed',
  'txCompressed',
  'rxNohandler',
  'rxOtherhostDropped',
] as const;
/**
 * Interface counters (struct rtnl_link_stats64, `ip -s link`); counters an older kernel does not send are absent.
 * @category Links
 */
export interface LinkStats {
  /** packets received. */
  rxPackets?: number;
  /** packets sent. */
  txPackets?: number;
  /** bytes received. */
  rxBytes?: number;
  /** bytes sent. */
  txBytes?: number;
  /** bad packets received. */
  rxErrors?: number;
  /** packet transmit problems. */
  txErrors?: number;
  /** received packets dropped (no space, …). */
  rxDropped?: number;
  /** transmit packets dropped. */
  txDropped?: number;
  /** multicast packets received. */
  multicast?: number;
  /** collisions. */
  collisions?: number;
  /** receive length errors. */
  rxLengthErrors?: number;
  /** receiver ring buffer overflows. */
  rxOverErrors?: number;
  /** received packets with CRC errors. */
  rxCrcErrors?: number;
  /** received frame alignment errors. */
  rxFrameErrors?: number;
  /** receiver FIFO overruns. */
  rxFifoErrors?: number;
  /** packets missed by the host. */
  rxMissedErrors?: number;
  /** transmissions aborted. */
  txAbortedErrors?: number;
  /** carrier errors on transmit. */
  txCarrierErrors?: number;
  /** transmit FIFO errors. */
  txFifoErrors?: number;
  /** heartbeat errors. */
  txHeartbeatErrors?: number;
  /** late collisions. */
  txWindowErrors?: number;
  /** compressed packets received. */
  rxCompressed?: number;
  /** compressed packets sent. */
  txCompressed?: number;
  /** packets dropped for lack of a protocol handler. */
  rxNohandler?: number;
  /** packets dropped for another host's MAC. */
  rxOtherhostDropped?: number;
}

/** struct ifla_cacheinfo (IFLA_INET6_CACHEINFO), times in milliseconds. */
export const Inet6CacheInfo = defineStruct('ifla_cacheinfo', [
  ['maxReasmLen', 'u32'],
  ['tstamp', 'u32'],
  ['reachableTime', 'u32'],
  ['retransTime', 'u32'],
] as const);

/** IFLA_INET_* (inside IFLA_AF_SPEC / AF_INET). */
export const InetAfSpec = defineSchema('IFLA_INET', {
  1: u32ArrayField('conf'),
});
/** Decoded IFLA_INET_* attributes: IPv4 per-device settings in IFLA_AF_SPEC. */
export interface InetAfSpecAttributes {
  /** IFLA_INET_CONF. */
  conf?: number[];
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type InetAfSpecAttributesMatchesSchema = Assert<SameAttributes<InetAfSpecAttributes, AttrsOf<typeof InetAfSpec>>>;
/** struct ifla_cacheinfo (IFLA_INET6_CACHEINFO), times in milliseconds. */
export interface Inet6CacheInfoValue {
  /** ifla_cacheinfo.max_reasm_len (u32). */
  maxReasmLen: number;
  /** ifla_cacheinfo.tstamp (u32). */
  tstamp: number;
  /** ifla_cacheinfo.reachable_time (u32). */
  reachableTime: number;
  /** ifla_cacheinfo.retrans_time (u32). */
  retransTime: number;
}
type Inet6CacheInfoValueMatchesStruct = Assert<SameAttributes<Inet6CacheInfoValue, ReturnType<typeof Inet6CacheInfo.decode>>>;

/** IFLA_INET6_* (inside IFLA_AF_SPEC / AF_INET6). */
export const Inet6AfSpec = defineSchema('IFLA_INET6', {
  1: { name: 'flags', type: 'u32' },
  2: u32ArrayField('conf', true),
  3: u64ArrayField('stats'),
  5: structField('cacheinfo', Inet6CacheInfo),
  6: u64ArrayField('icmp6stats'),
  7: { name: 'token', type: 'ip' },
  8: { name: 'addrGenMode', type: 'u8' },
  9: { name: 'raMtu', type: 'u32' },
});
/** Decoded IFLA_INET6_* attributes: IPv6 per-device state in IFLA_AF_SPEC. */
export interface Inet6AfSpecAttributes {
  /** IFLA_INET6_FLAGS (u32). */
  flags?: number;
  /** IFLA_INET6_CONF. */
  conf?: number[];
  /** IFLA_INET6_STATS. */
  stats?: number[];
  /** IFLA_INET6_CACHEINFO. */
  cacheinfo?: Inet6CacheInfoValue;
  /** IFLA_INET6_ICMP6STATS. */
  icmp6stats?: number[];
  /** IFLA_INET6_TOKEN (IP address). */
  token?: string;
  /** IFLA_INET6_ADDR_GEN_MODE (u8). */
  addrGenMode?: number;
  /** IFLA_INET6_RA_MTU (u32). */
  raMtu?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type Inet6AfSpecAttributesMatchesSchema = Assert<SameAttributes<Inet6AfSpecAttributes, AttrsOf<typeof Inet6AfSpec>>>;

/** IFLA_AF_SPEC in AF_UNSPEC link messages: one nest per address family. */
export const AfSpec = defineSchema('IFLA_AF_SPEC', {
  2: { name: 'inet', type: 'nested', schema: InetAfSpec },
  10: { name: 'inet6', type: 'nested', schema: Inet6AfSpec },
});
/** Decoded IFLA_AF_SPEC: per-address-family data, one nest per family. */
export interface AfSpecAttributes {
  /** the AF_INET (2) nest: IFLA_INET_*. */
  inet?: InetAfSpecAttributes;
  /** the AF_INET6 (10) nest: IFLA_INET6_*. */
  inet6?: Inet6AfSpecAttributes;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type AfSpecAttributesMatchesSchema = Assert<SameAttributes<AfSpecAttributes, AttrsOf<typeof AfSpec>>>;

/** IFLA_PROP_LIST: alternative names. */
export const PropList = defineSchema('IFLA_PROP_LIST', {
  53: { name: 'altIfname', type: 'string', multi: true },
});
/** Decoded IFLA_PROP_LIST (alternative names). */
export interface PropListAttributes {
  /** IFLA_ALT_IFNAME (53, string), repeated: the alternative names. */
  altIfname?: string[];
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type PropListAttributesMatchesSchema = Assert<SameAttributes<PropListAttributes, AttrsOf<typeof PropList>>>;

/** IFLA_XDP_* (attached XDP programs). */
export const XdpAttrs = defineSchema('IFLA_XDP', {
  1: { name: 'fd', type: 's32' },
  2: { name: 'attached', type: 'u8' },
  3: { name: 'flags', type: 'u32' },
  4: { name: 'progId', type: 'u32' },
  5: { name: 'drvProgId', type: 'u32' },
  6: { name: 'skbProgId', type: 'u32' },
  7: { name: 'hwProgId', type: 'u32' },
  8: { name: 'expectedFd', type: 's32' },
});
/** Decoded IFLA_XDP_* attributes (attached XDP programs). */
export interface XdpAttributes {
  /** IFLA_XDP_FD (s32). */
  fd?: number;
  /** IFLA_XDP_ATTACHED (u8). */
  attached?: number;
  /** IFLA_XDP_FLAGS (u32). */
  flags?: number;
  /** IFLA_XDP_PROG_ID (u32). */
  progId?: number;
  /** IFLA_XDP_DRV_PROG_ID (u32). */
  drvProgId?: number;
  /** IFLA_XDP_SKB_PROG_ID (u32). */
  skbProgId?: number;
  /** IFLA_XDP_HW_PROG_ID (u32). */
  hwProgId?: number;
  /** IFLA_XDP_EXPECTED_FD (s32). */
  expectedFd?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type XdpAttributesMatchesSchema = Assert<SameAttributes<XdpAttributes, AttrsOf<typeof XdpAttrs>>>;

/** IFLA_PROTO_DOWN_REASON_* */
export const ProtoDownReason = defineSchema('IFLA_PROTO_DOWN_REASON', {
  1: { name: 'mask', type: 'u32' },
  2: { name: 'value', type: 'u32' },
});
/** Decoded IFLA_PROTO_DOWN_REASON_* attributes. */
export interface ProtoDownReasonAttributes {
  /** IFLA_PROTO_DOWN_REASON_MASK (u32). */
  mask?: number;
  /** IFLA_PROTO_DOWN_REASON_VALUE (u32). */
  value?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type ProtoDownReasonAttributesMatchesSchema = Assert<SameAttributes<ProtoDownReasonAttributes, AttrsOf<typeof ProtoDownReason>>>;

const LINK_FIELDS = {
  1: { name: 'address', type: 'mac' },
  2: { name: 'broadcast', type: 'mac' },
  3: { name: 'ifname', type: 'string' },
  4: { name: 'mtu', type: 'u32' },
  5: { name: 'link', type: 'u32' },
  6: { name: 'qdisc', type: 'string' },
  7: countersField('stats', LINK_STATS_FIELDS, 4),
  8: { name: 'cost', type: 'binary' },
  9: { name: 'priority', type: 'binary' },
  10: { name: 'master', type: 'u32' },
  11: { name: 'wireless', type: 'binary' },
  // NLA_F_NESTED matters: without it br_setlink reads IFLA_PROTINFO as a bare u8 port state
  12: { name: 'protinfo', type: 'nested', schema: BridgePortAttrs, nestedFlag: true },
  13: { name: 'txqlen', type: 'u32' },
  14: { name: 'map', type: 'binary' },
  15: { name: 'weight', type: 'u32' },
  16: { name: 'operstate', type: 'u8' },
  17: { name: 'linkmode', type: 'u8' },
  18: linkInfoField,
  19: { name: 'netNsPid', type: 'u32' },
  20: { name: 'ifalias', type: 'string' },
  21: { name: 'numVf', type: 'u32' },
  22: { name: 'vfinfoList', type: 'binary' },
  23: countersField('stats64', LINK_STATS_FIELDS, 8),
  24: { name: 'vfPorts', type: 'binary' },
  25: { name: 'portSelf', type: 'binary' },
  26: { name: 'afSpec', type: 'nested', schema: AfSpec },
  27: { name: 'group', type: 'u32' },
  28: { name: 'netNsFd', type: 'u32' },
  29: { name: 'extMask', type: 'u32' },
  30: { name: 'promiscuity', type: 'u32' },
  31: { name: 'numTxQueues', type: 'u32' },
  32: { name: 'numRxQueues', type: 'u32' },
  33: { name: 'carrier', type: 'u8' },
  34: { name: 'physPortId', type: 'binary' },
  35: { name: 'carrierChanges', type: 'u32' },
  36: { name: 'physSwitchId', type: 'binary' },
  37: { name: 'linkNetnsid', type: 's32' },
  38: { name: 'physPortName', type: 'string' },
  39: { name: 'protoDown', type: 'u8' },
  40: { name: 'gsoMaxSegs', type: 'u32' },
  41: { name: 'gsoMaxSize', type: 'u32' },
  43: { name: 'xdp', type: 'nested', schema: XdpAttrs },
  44: { name: 'event', type: 'u32' },
  45: { name: 'newNetnsid', type: 's32' },
  46: { name: 'targetNetnsid', type: 's32' },
  47: { name: 'carrierUpCount', type: 'u32' },
  48: { name: 'carrierDownCount', type: 'u32' },
  49: { name: 'newIfindex', type: 's32' },
  50: { name: 'minMtu', type: 'u32' },
  51: { name: 'maxMtu', type: 'u32' },
  52: { name: 'propList', type: 'nested', schema: PropList },
  53: { name: 'altIfname', type: 'string' },
  54: { name: 'permAddress', type: 'mac' },
  55: { name: 'protoDownReason', type: 'nested', schema: ProtoDownReason },
  56: { name: 'parentDevName', type: 'string' },
  57: { name: 'parentDevBusName', type: 'string' },
  58: { name: 'groMaxSize', type: 'u32' },
  59: { name: 'tsoMaxSize', type: 'u32' },
  60: { name: 'tsoMaxSegs', type: 'u32' },
  61: { name: 'allmulti', type: 'u32' },
  62: { name: 'devlinkPort', type: 'binary' },
  63: { name: 'gsoIpv4MaxSize', type: 'u32' },
  64: { name: 'groIpv4MaxSize', type: 'u32' },
} as const;

/** IFLA_* attributes. */
export const LinkAttrs = defineSchema('IFLA', LINK_FIELDS);

/**
 * The same attributes in AF_BRIDGE link messages (`bridge link`, `bridge vlan`), where
 * IFLA_AF_SPEC holds IFLA_BRIDGE_* directly instead of one nest per family.
 */
export const BridgeFamilyLinkAttrs = defineSchema('IFLA', {
  ...LINK_FIELDS,
  26: { name: 'bridgeAfSpec', type: 'nested', schema: BridgeAfSpec },
});

/** Decoded IFLA_* attributes of a link message; `bridgeAfSpec` only in AF_BRIDGE messages. */
export interface LinkAttributes {
  /** IFLA_ADDRESS (link-layer address). */
  address?: string;
  /** IFLA_BROADCAST (link-layer address). */
  broadcast?: string;
  /** IFLA_IFNAME (string). */
  ifname?: string;
  /** IFLA_MTU (u32). */
  mtu?: number;
  /** IFLA_LINK (u32). */
  link?: number;
  /** IFLA_QDISC (string). */
  qdisc?: string;
  /** IFLA_STATS. */
  stats?: LinkStats;
  /** IFLA_COST (raw bytes). */
  cost?: Buffer;
  /** IFLA_PRIORITY (raw bytes). */
  priority?: Buffer;
  /** IFLA_MASTER (u32). */
  master?: number;
  /** IFLA_WIRELESS (raw bytes). */
  wireless?: Buffer;
  /** IFLA_PROTINFO (nested). NLA_F_NESTED matters: without it br_setlink reads IFLA_PROTINFO as a bare u8 port state */
  protinfo?: BridgePortAttributes;
  /** IFLA_TXQLEN (u32). */
  txqlen?: number;
  /** IFLA_MAP (raw bytes). */
  map?: Buffer;
  /** IFLA_WEIGHT (u32). */
  weight?: number;
  /** IFLA_OPERSTATE (u8). */
  operstate?: number;
  /** IFLA_LINKMODE (u8). */
  linkmode?: number;
  /** IFLA_LINKINFO. */
  linkinfo?: LinkInfoAttributes;
  /** IFLA_NET_NS_PID (u32). */
  netNsPid?: number;
  /** IFLA_IFALIAS (string). */
  ifalias?: string;
  /** IFLA_NUM_VF (u32). */
  numVf?: number;
  /** IFLA_VFINFO_LIST (raw bytes). */
  vfinfoList?: Buffer;
  /** IFLA_STATS64. */
  stats64?: LinkStats;
  /** IFLA_VF_PORTS (raw bytes). */
  vfPorts?: Buffer;
  /** IFLA_PORT_SELF (raw bytes). */
  portSelf?: Buffer;
  /** IFLA_AF_SPEC (nested). */
  afSpec?: AfSpecAttributes;
  /** IFLA_GROUP (u32). */
  group?: number;
  /** IFLA_NET_NS_FD (u32). */
  netNsFd?: number;
  /** IFLA_EXT_MASK (u32). */
  extMask?: number;
  /** IFLA_PROMISCUITY (u32). */
  promiscuity?: number;
  /** IFLA_NUM_TX_QUEUES (u32). */
  numTxQueues?: number;
  /** IFLA_NUM_RX_QUEUES (u32). */
  numRxQueues?: number;
  /** IFLA_CARRIER (u8). */
  carrier?: number;
  /** IFLA_PHYS_PORT_ID (raw bytes). */
  physPortId?: Buffer;
  /** IFLA_CARRIER_CHANGES (u32). */
  carrierChanges?: number;
  /** IFLA_PHYS_SWITCH_ID (raw bytes). */
  physSwitchId?: Buffer;
  /** IFLA_LINK_NETNSID (s32). */
  linkNetnsid?: number;
  /** IFLA_PHYS_PORT_NAME (string). */
  physPortName?: string;
  /** IFLA_PROTO_DOWN (u8). */
  protoDown?: number;
  /** IFLA_GSO_MAX_SEGS (u32). */
  gsoMaxSegs?: number;
  /** IFLA_GSO_MAX_SIZE (u32). */
  gsoMaxSize?: number;
  /** IFLA_XDP (nested). */
  xdp?: XdpAttributes;
  /** IFLA_EVENT (u32). */
  event?: number;
  /** IFLA_NEW_NETNSID (s32). */
  newNetnsid?: number;
  /** IFLA_TARGET_NETNSID (s32). */
  targetNetnsid?: number;
  /** IFLA_CARRIER_UP_COUNT (u32). */
  carrierUpCount?: number;
  /** IFLA_CARRIER_DOWN_COUNT (u32). */
  carrierDownCount?: number;
  /** IFLA_NEW_IFINDEX (s32). */
  newIfindex?: number;
  /** IFLA_MIN_MTU (u32). */
  minMtu?: number;
  /** IFLA_MAX_MTU (u32). */
  maxMtu?: number;
  /** IFLA_PROP_LIST (nested). */
  propList?: PropListAttributes;
  /** IFLA_ALT_IFNAME (string). */
  altIfname?: string;
  /** IFLA_PERM_ADDRESS (link-layer address). */
  permAddress?: string;
  /** IFLA_PROTO_DOWN_REASON (nested). */
  protoDownReason?: ProtoDownReasonAttributes;
  /** IFLA_PARENT_DEV_NAME (string). */
  parentDevName?: string;
  /** IFLA_PARENT_DEV_BUS_NAME (string). */
  parentDevBusName?: string;
  /** IFLA_GRO_MAX_SIZE (u32). */
  groMaxSize?: number;
  /** IFLA_TSO_MAX_SIZE (u32). */
  tsoMaxSize?: number;
  /** IFLA_TSO_MAX_SEGS (u32). */
  tsoMaxSegs?: number;
  /** IFLA_ALLMULTI (u32). */
  allmulti?: number;
  /** IFLA_DEVLINK_PORT (62, raw bytes). */
  devlinkPort?: Buffer;
  /** IFLA_GSO_IPV4_MAX_SIZE (63, u32). */
  gsoIpv4MaxSize?: number;
  /** IFLA_GRO_IPV4_MAX_SIZE (64, u32). */
  groIpv4MaxSize?: number;
  /** IFLA_AF_SPEC of an AF_BRIDGE message (`bridge link`, `bridge vlan`), decoded as IFLA_BRIDGE_*. */
  bridgeAfSpec?: BridgeAfSpecAttributes;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type LinkAttributesMatchesSchema = Assert<SameAttributes<LinkAttributes, AttrsOf<typeof LinkAttrs> & { bridgeAfSpec?: BridgeAfSpecAttributes }>>;

/** A decoded link message. */
export interface LinkMessage {
  /** struct ifinfomsg: family, type (ARPHRD_*), index, flags (IFF_*), change. */
  header: IfInfoHeader;
  /** the IFLA_* attributes. */
  attrs: LinkAttributes;
}

/** Decodes an RTM_NEWLINK / RTM_DELLINK message. */
export function decodeLinkMessage(m: NlMessage): LinkMessage {
  const header = IfInfoMsg.decode(m.buf, m.start, m.end);
  const start = m.start + IfInfoMsg.size;
  if (header.family === AF_BRIDGE) {
    // AF_SPEC carries IFLA_BRIDGE_* here instead of one nest per family.
    return { header, attrs: BridgeFamilyLinkAttrs.decode(m.buf, start, m.end) as LinkAttributes };
  }
  return { header, attrs: LinkAttrs.decode(m.buf, start, m.end) };
}

/** Encodes an ifinfomsg and attributes. */
export function encodeLinkMessage(w: NlWriter, header: Partial<IfInfoHeader>, attrs: Partial<LinkAttributes> = {}): void {
  IfInfoMsg.encode(w, header);
  LinkAttrs.encode(w, attrs);
}

/** Operational states (IF_OPER_*), as `ip link` names them. */
export const OPERSTATES: readonly OperState[] = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'];
/**
 * An operational state (IF_OPER_*), as `ip link` prints it.
 * @category Links
 */
export type OperState = 'unknown' | 'notpresent' | 'down' | 'lowerlayerdown' | 'testing' | 'dormant' | 'up';

/** IFLA_EXT_MASK bits (RTEXT_FILTER_*). */
export const RTEXT_FILTER_VF = 1 << 0;
export const RTEXT_FILTER_BRVLAN = 1 << 1;
export const RTEXT_FILTER_BRVLAN_COMPRESSED = 1 << 2;
export const RTEXT_FILTER_SKIP_STATS = 1 << 3;
export const RTEXT_FILTER_MRP = 1 << 4;
export const RTEXT_FILTER_CFM_CONFIG = 1 << 5;
export const RTEXT_FILTER_CFM_STATUS = 1 << 6;
export const RTEXT_FILTER_MST = 1 << 7;
