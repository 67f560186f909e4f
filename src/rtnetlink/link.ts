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
import { type AttributesInputOf, type AttributesOf, type CustomField, defineAttributes, type InputOf, defineStruct, type RawAttr, type Schema, type Struct, structField, type StructFieldsOf } from '../netlink/attributes.js';
import type { NlMessage } from '../netlink/message.js';
import type { NlWriter } from '../netlink/writer.js';
import { BridgeAfSpec, BridgePortAttrs } from './kinds/bridge.js';
import { AF_BRIDGE } from './constants.js';
import { countersField, u32ArrayField, u64ArrayField } from './fields.js';
import { type LinkKindData, type LinkSlaveData, linkKindSchema, linkSlaveSchema } from './link-kind-registry.js';

const IFINFOMSG_FIELDS = {
  /** address family (AF_UNSPEC, AF_BRIDGE for bridge port messages). */
  family: 'u8',
  _pad: 'pad1',
  /** ARPHRD_* device type. */
  type: 'u16',
  /** interface index. */
  index: 's32',
  /** IFF_* flags. */
  flags: 'u32',
  /** IFF_* flags to change (requests). */
  change: 'u32',
} as const;
/**
 * Decoded struct ifinfomsg.
 * @interface
 */
export type IfInfoHeader = StructFieldsOf<typeof IFINFOMSG_FIELDS>;
/** struct ifinfomsg */
export const IfInfoMsg: Struct<IfInfoHeader> = defineStruct('ifinfomsg', IFINFOMSG_FIELDS);

/** IFLA_INFO_* (inside IFLA_LINKINFO) with the kind-specific data kept raw. */
export const LinkInfo = defineAttributes('IFLA_INFO', {
  kind: { nla: 1, type: 'string' },
  data: { nla: 2, type: 'binary' },
  xstats: { nla: 3, type: 'binary' },
  slaveKind: { nla: 4, type: 'string' },
  slaveData: { nla: 5, type: 'binary' },
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

/** The counters of struct rtnl_link_stats64 / rtnl_link_stats in memory order, by their C member name. */
const LINK_STATS = {
  /** packets received. */
  rxPackets: 'rx_packets',
  /** packets sent. */
  txPackets: 'tx_packets',
  /** bytes received. */
  rxBytes: 'rx_bytes',
  /** bytes sent. */
  txBytes: 'tx_bytes',
  /** bad packets received. */
  rxErrors: 'rx_errors',
  /** packet transmit problems. */
  txErrors: 'tx_errors',
  /** received packets dropped (no space, …). */
  rxDropped: 'rx_dropped',
  /** transmit packets dropped. */
  txDropped: 'tx_dropped',
  /** multicast packets received. */
  multicast: 'multicast',
  /** collisions. */
  collisions: 'collisions',
  /** receive length errors. */
  rxLengthErrors: 'rx_length_errors',
  /** receiver ring buffer overflows. */
  rxOverErrors: 'rx_over_errors',
  /** received packets with CRC errors. */
  rxCrcErrors: 'rx_crc_errors',
  /** received frame alignment errors. */
  rxFrameErrors: 'rx_frame_errors',
  /** receiver FIFO overruns. */
  rxFifoErrors: 'rx_fifo_errors',
  /** packets missed by the host. */
  rxMissedErrors: 'rx_missed_errors',
  /** transmissions aborted. */
  txAbortedErrors: 'tx_aborted_errors',
  /** carrier errors on transmit. */
  txCarrierErrors: 'tx_carrier_errors',
  /** transmit FIFO errors. */
  txFifoErrors: 'tx_fifo_errors',
  /** heartbeat errors. */
  txHeartbeatErrors: 'tx_heartbeat_errors',
  /** late collisions. */
  txWindowErrors: 'tx_window_errors',
  /** compressed packets received. */
  rxCompressed: 'rx_compressed',
  /** compressed packets sent. */
  txCompressed: 'tx_compressed',
  /** packets dropped for lack of a protocol handler. */
  rxNohandler: 'rx_nohandler',
  /** packets dropped for another host's MAC. */
  rxOtherhostDropped: 'rx_otherhost_dropped',
} as const;
/**
 * Interface counters (struct rtnl_link_stats64, `ip -s link`); counters an older kernel does not send are absent.
 * @interface
 */
export type LinkStats = { -readonly [K in keyof typeof LINK_STATS]?: number };
/** Counter names of struct rtnl_link_stats64 / rtnl_link_stats, in order. */
export const LINK_STATS_FIELDS = Object.keys(LINK_STATS) as readonly (keyof LinkStats)[];

const IFLA_CACHEINFO_FIELDS = {
  /** ifla_cacheinfo.max_reasm_len (u32). */
  maxReasmLen: 'u32',
  /** ifla_cacheinfo.tstamp (u32). */
  tstamp: 'u32',
  /** ifla_cacheinfo.reachable_time (u32). */
  reachableTime: 'u32',
  /** ifla_cacheinfo.retrans_time (u32). */
  retransTime: 'u32',
} as const;
/**
 * struct ifla_cacheinfo (IFLA_INET6_CACHEINFO), times in milliseconds.
 * @interface
 */
export type Inet6CacheInfoValue = StructFieldsOf<typeof IFLA_CACHEINFO_FIELDS>;
/** struct ifla_cacheinfo (IFLA_INET6_CACHEINFO), times in milliseconds. */
export const Inet6CacheInfo: Struct<Inet6CacheInfoValue> = defineStruct('ifla_cacheinfo', IFLA_CACHEINFO_FIELDS);

const IFLA_INET_FIELDS = {
  /** IFLA_INET_CONF. */
  conf: { nla: 1, ...u32ArrayField('conf') },
} as const;
/**
 * Decoded IFLA_INET_* attributes: IPv4 per-device settings in IFLA_AF_SPEC.
 * @interface
 */
export type InetAfSpecAttributes = AttributesOf<typeof IFLA_INET_FIELDS>;
/** IFLA_INET_* (inside IFLA_AF_SPEC / AF_INET). */
export const InetAfSpec: Schema<InetAfSpecAttributes, AttributesInputOf<typeof IFLA_INET_FIELDS>> = defineAttributes('IFLA_INET', IFLA_INET_FIELDS);

const IFLA_INET6_FIELDS = {
  /** IFLA_INET6_FLAGS (u32). */
  flags: { nla: 1, type: 'u32' },
  /** IFLA_INET6_CONF. */
  conf: { nla: 2, ...u32ArrayField('conf', true) },
  /** IFLA_INET6_STATS. */
  stats: { nla: 3, ...u64ArrayField('stats') },
  /** IFLA_INET6_CACHEINFO. */
  cacheinfo: { nla: 5, ...structField('cacheinfo', Inet6CacheInfo) },
  /** IFLA_INET6_ICMP6STATS. */
  icmp6stats: { nla: 6, ...u64ArrayField('icmp6stats') },
  /** IFLA_INET6_TOKEN (IP address). */
  token: { nla: 7, type: 'ip' },
  /** IFLA_INET6_ADDR_GEN_MODE (u8). */
  addrGenMode: { nla: 8, type: 'u8' },
  /** IFLA_INET6_RA_MTU (u32). */
  raMtu: { nla: 9, type: 'u32' },
} as const;
/**
 * Decoded IFLA_INET6_* attributes: IPv6 per-device state in IFLA_AF_SPEC.
 * @interface
 */
export type Inet6AfSpecAttributes = AttributesOf<typeof IFLA_INET6_FIELDS>;
/** IFLA_INET6_* (inside IFLA_AF_SPEC / AF_INET6). */
export const Inet6AfSpec: Schema<Inet6AfSpecAttributes, AttributesInputOf<typeof IFLA_INET6_FIELDS>> = defineAttributes('IFLA_INET6', IFLA_INET6_FIELDS);

const IFLA_AF_SPEC_FIELDS = {
  /** the AF_INET (2) nest: IFLA_INET_*. */
  inet: { nla: 2, type: 'nested', schema: InetAfSpec },
  /** the AF_INET6 (10) nest: IFLA_INET6_*. */
  inet6: { nla: 10, type: 'nested', schema: Inet6AfSpec },
} as const;
/**
 * Decoded IFLA_AF_SPEC: per-address-family data, one nest per family.
 * @interface
 */
export type AfSpecAttributes = AttributesOf<typeof IFLA_AF_SPEC_FIELDS>;
/** IFLA_AF_SPEC in AF_UNSPEC link messages: one nest per address family. */
export const AfSpec: Schema<AfSpecAttributes, AttributesInputOf<typeof IFLA_AF_SPEC_FIELDS>> = defineAttributes('IFLA_AF_SPEC', IFLA_AF_SPEC_FIELDS);

const IFLA_PROP_LIST_FIELDS = {
  /** IFLA_ALT_IFNAME (53, string), repeated: the alternative names. */
  altIfname: { nla: 53, type: 'string', multi: true },
} as const;
/**
 * Decoded IFLA_PROP_LIST (alternative names).
 * @interface
 */
export type PropListAttributes = AttributesOf<typeof IFLA_PROP_LIST_FIELDS>;
/** IFLA_PROP_LIST: alternative names. */
export const PropList: Schema<PropListAttributes, AttributesInputOf<typeof IFLA_PROP_LIST_FIELDS>> = defineAttributes('IFLA_PROP_LIST', IFLA_PROP_LIST_FIELDS);

const IFLA_XDP_FIELDS = {
  /** IFLA_XDP_FD (s32). */
  fd: { nla: 1, type: 's32' },
  /** IFLA_XDP_ATTACHED (u8). */
  attached: { nla: 2, type: 'u8' },
  /** IFLA_XDP_FLAGS (u32). */
  flags: { nla: 3, type: 'u32' },
  /** IFLA_XDP_PROG_ID (u32). */
  progId: { nla: 4, type: 'u32' },
  /** IFLA_XDP_DRV_PROG_ID (u32). */
  drvProgId: { nla: 5, type: 'u32' },
  /** IFLA_XDP_SKB_PROG_ID (u32). */
  skbProgId: { nla: 6, type: 'u32' },
  /** IFLA_XDP_HW_PROG_ID (u32). */
  hwProgId: { nla: 7, type: 'u32' },
  /** IFLA_XDP_EXPECTED_FD (s32). */
  expectedFd: { nla: 8, type: 's32' },
} as const;
/**
 * Decoded IFLA_XDP_* attributes (attached XDP programs).
 * @interface
 */
export type XdpAttributes = AttributesOf<typeof IFLA_XDP_FIELDS>;
/** IFLA_XDP_* (attached XDP programs). */
export const XdpAttrs: Schema<XdpAttributes, AttributesInputOf<typeof IFLA_XDP_FIELDS>> = defineAttributes('IFLA_XDP', IFLA_XDP_FIELDS);

const IFLA_PROTO_DOWN_REASON_FIELDS = {
  /** IFLA_PROTO_DOWN_REASON_MASK (u32). */
  mask: { nla: 1, type: 'u32' },
  /** IFLA_PROTO_DOWN_REASON_VALUE (u32). */
  value: { nla: 2, type: 'u32' },
} as const;
/**
 * Decoded IFLA_PROTO_DOWN_REASON_* attributes.
 * @interface
 */
export type ProtoDownReasonAttributes = AttributesOf<typeof IFLA_PROTO_DOWN_REASON_FIELDS>;
/** IFLA_PROTO_DOWN_REASON_* */
export const ProtoDownReason: Schema<ProtoDownReasonAttributes, AttributesInputOf<typeof IFLA_PROTO_DOWN_REASON_FIELDS>> = defineAttributes('IFLA_PROTO_DOWN_REASON', IFLA_PROTO_DOWN_REASON_FIELDS);

const LINK_FIELDS = {
  /** IFLA_ADDRESS (link-layer address). */
  address: { nla: 1, type: 'mac' },
  /** IFLA_BROADCAST (link-layer address). */
  broadcast: { nla: 2, type: 'mac' },
  /** IFLA_IFNAME (string). */
  ifname: { nla: 3, type: 'string' },
  /** IFLA_MTU (u32). */
  mtu: { nla: 4, type: 'u32' },
  /** IFLA_LINK (u32). */
  link: { nla: 5, type: 'u32' },
  /** IFLA_QDISC (string). */
  qdisc: { nla: 6, type: 'string' },
  /** IFLA_STATS. */
  stats: { nla: 7, ...countersField<LinkStats>('stats', LINK_STATS_FIELDS, 4) },
  /** IFLA_COST (raw bytes). */
  cost: { nla: 8, type: 'binary' },
  /** IFLA_PRIORITY (raw bytes). */
  priority: { nla: 9, type: 'binary' },
  /** IFLA_MASTER (u32). */
  master: { nla: 10, type: 'u32' },
  /** IFLA_WIRELESS (raw bytes). */
  wireless: { nla: 11, type: 'binary' },
  /** IFLA_PROTINFO (nested). NLA_F_NESTED matters: without it br_setlink reads IFLA_PROTINFO as a bare u8 port state. */
  protinfo: { nla: 12, type: 'nested', schema: BridgePortAttrs, nestedFlag: true },
  /** IFLA_TXQLEN (u32). */
  txqlen: { nla: 13, type: 'u32' },
  /** IFLA_MAP (raw bytes). */
  map: { nla: 14, type: 'binary' },
  /** IFLA_WEIGHT (u32). */
  weight: { nla: 15, type: 'u32' },
  /** IFLA_OPERSTATE (u8). */
  operstate: { nla: 16, type: 'u8' },
  /** IFLA_LINKMODE (u8). */
  linkmode: { nla: 17, type: 'u8' },
  /** IFLA_LINKINFO. */
  linkinfo: { nla: 18, ...linkInfoField },
  /** IFLA_NET_NS_PID (u32). */
  netNsPid: { nla: 19, type: 'u32' },
  /** IFLA_IFALIAS (string). */
  ifalias: { nla: 20, type: 'string' },
  /** IFLA_NUM_VF (u32). */
  numVf: { nla: 21, type: 'u32' },
  /** IFLA_VFINFO_LIST (raw bytes). */
  vfinfoList: { nla: 22, type: 'binary' },
  /** IFLA_STATS64. */
  stats64: { nla: 23, ...countersField<LinkStats>('stats64', LINK_STATS_FIELDS, 8) },
  /** IFLA_VF_PORTS (raw bytes). */
  vfPorts: { nla: 24, type: 'binary' },
  /** IFLA_PORT_SELF (raw bytes). */
  portSelf: { nla: 25, type: 'binary' },
  /** IFLA_AF_SPEC (nested). */
  afSpec: { nla: 26, type: 'nested', schema: AfSpec },
  /** IFLA_GROUP (u32). */
  group: { nla: 27, type: 'u32' },
  /** IFLA_NET_NS_FD (u32). */
  netNsFd: { nla: 28, type: 'u32' },
  /** IFLA_EXT_MASK (u32). */
  extMask: { nla: 29, type: 'u32' },
  /** IFLA_PROMISCUITY (u32). */
  promiscuity: { nla: 30, type: 'u32' },
  /** IFLA_NUM_TX_QUEUES (u32). */
  numTxQueues: { nla: 31, type: 'u32' },
  /** IFLA_NUM_RX_QUEUES (u32). */
  numRxQueues: { nla: 32, type: 'u32' },
  /** IFLA_CARRIER (u8). */
  carrier: { nla: 33, type: 'u8' },
  /** IFLA_PHYS_PORT_ID (raw bytes). */
  physPortId: { nla: 34, type: 'binary' },
  /** IFLA_CARRIER_CHANGES (u32). */
  carrierChanges: { nla: 35, type: 'u32' },
  /** IFLA_PHYS_SWITCH_ID (raw bytes). */
  physSwitchId: { nla: 36, type: 'binary' },
  /** IFLA_LINK_NETNSID (s32). */
  linkNetnsid: { nla: 37, type: 's32' },
  /** IFLA_PHYS_PORT_NAME (string). */
  physPortName: { nla: 38, type: 'string' },
  /** IFLA_PROTO_DOWN (u8). */
  protoDown: { nla: 39, type: 'u8' },
  /** IFLA_GSO_MAX_SEGS (u32). */
  gsoMaxSegs: { nla: 40, type: 'u32' },
  /** IFLA_GSO_MAX_SIZE (u32). */
  gsoMaxSize: { nla: 41, type: 'u32' },
  /** IFLA_XDP (nested). */
  xdp: { nla: 43, type: 'nested', schema: XdpAttrs },
  /** IFLA_EVENT (u32). */
  event: { nla: 44, type: 'u32' },
  /** IFLA_NEW_NETNSID (s32). */
  newNetnsid: { nla: 45, type: 's32' },
  /** IFLA_TARGET_NETNSID (s32). */
  targetNetnsid: { nla: 46, type: 's32' },
  /** IFLA_CARRIER_UP_COUNT (u32). */
  carrierUpCount: { nla: 47, type: 'u32' },
  /** IFLA_CARRIER_DOWN_COUNT (u32). */
  carrierDownCount: { nla: 48, type: 'u32' },
  /** IFLA_NEW_IFINDEX (s32). */
  newIfindex: { nla: 49, type: 's32' },
  /** IFLA_MIN_MTU (u32). */
  minMtu: { nla: 50, type: 'u32' },
  /** IFLA_MAX_MTU (u32). */
  maxMtu: { nla: 51, type: 'u32' },
  /** IFLA_PROP_LIST (nested). */
  propList: { nla: 52, type: 'nested', schema: PropList },
  /** IFLA_ALT_IFNAME (string). */
  altIfname: { nla: 53, type: 'string' },
  /** IFLA_PERM_ADDRESS (link-layer address). */
  permAddress: { nla: 54, type: 'mac' },
  /** IFLA_PROTO_DOWN_REASON (nested). */
  protoDownReason: { nla: 55, type: 'nested', schema: ProtoDownReason },
  /** IFLA_PARENT_DEV_NAME (string). */
  parentDevName: { nla: 56, type: 'string' },
  /** IFLA_PARENT_DEV_BUS_NAME (string). */
  parentDevBusName: { nla: 57, type: 'string' },
  /** IFLA_GRO_MAX_SIZE (u32). */
  groMaxSize: { nla: 58, type: 'u32' },
  /** IFLA_TSO_MAX_SIZE (u32). */
  tsoMaxSize: { nla: 59, type: 'u32' },
  /** IFLA_TSO_MAX_SEGS (u32). */
  tsoMaxSegs: { nla: 60, type: 'u32' },
  /** IFLA_ALLMULTI (u32). */
  allmulti: { nla: 61, type: 'u32' },
  /** IFLA_DEVLINK_PORT (62, raw bytes). */
  devlinkPort: { nla: 62, type: 'binary' },
  /** IFLA_GSO_IPV4_MAX_SIZE (63, u32). */
  gsoIpv4MaxSize: { nla: 63, type: 'u32' },
  /** IFLA_GRO_IPV4_MAX_SIZE (64, u32). */
  groIpv4MaxSize: { nla: 64, type: 'u32' },
} as const;

/** IFLA_* attributes. */
export const LinkAttrs = defineAttributes('IFLA', LINK_FIELDS);
/** IFLA_* attributes as a request carries them (addresses as text or bytes). */
export type LinkAttributesInput = InputOf<typeof LinkAttrs>;

/** IFLA_AF_SPEC as AF_BRIDGE link messages carry it. */
const BRIDGE_AF_SPEC_FIELD = {
  /** IFLA_AF_SPEC of an AF_BRIDGE message (`bridge link`, `bridge vlan`), decoded as IFLA_BRIDGE_*. */
  bridgeAfSpec: { nla: 26, type: 'nested', schema: BridgeAfSpec },
} as const;
const { afSpec: _afSpec, ...LINK_FIELDS_BUT_AF_SPEC } = LINK_FIELDS;

/**
 * The same attributes in AF_BRIDGE link messages (`bridge link`, `bridge vlan`), where
 * IFLA_AF_SPEC holds IFLA_BRIDGE_* directly instead of one nest per family.
 */
export const BridgeFamilyLinkAttrs = defineAttributes('IFLA', { ...LINK_FIELDS_BUT_AF_SPEC, ...BRIDGE_AF_SPEC_FIELD });

/**
 * Decoded IFLA_* attributes of a link message; `bridgeAfSpec` only in AF_BRIDGE messages.
 * @interface
 */
export type LinkAttributes = AttributesOf<typeof LINK_FIELDS & typeof BRIDGE_AF_SPEC_FIELD>;

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
export function encodeLinkMessage(w: NlWriter, header: Partial<IfInfoHeader>, attrs: LinkAttributesInput = {}): void {
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
