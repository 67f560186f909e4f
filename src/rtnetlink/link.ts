/**
 * Link family (RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK / RTM_SETLINK): struct ifinfomsg and
 * the IFLA_* attributes (linux/if_link.h).
 *
 * IFLA_LINKINFO's kind-specific data (IFLA_INFO_DATA, IFLA_INFO_SLAVE_DATA) is decoded with
 * the schema of its kind (link-info.ts, link-kind-registry.ts); the counters are in link-stats.ts,
 * IFLA_AF_SPEC in link-af-spec.ts.
 * @internal
 * @module
 */
import { type AttributesInputOf, type AttributesOf, checkAttributes, defineAttributes, type InputOf, type Schema } from '../netlink/attributes.js';
import { NLA_TYPE_MASK } from '../netlink/constants.js';
import { decodeScalar } from '../netlink/scalars.js';
import { defineStruct, type Struct, type StructFieldsOf } from '../netlink/struct.js';
import type { NlMessage } from '../netlink/message.js';
import type { NlWriter } from '../netlink/writer.js';
import { BridgeAfSpec, BridgePortAttrs } from './bridge-port.js';
import { AF_BRIDGE } from './constants.js';
import { countersField } from './fields.js';
import { AfSpec } from './link-af-spec.js';
import { linkInfoField } from './link-info.js';
import { LINK_STATS_FIELDS, type LinkStats } from './link-stats.js';

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
  return { header, attrs: decodeLinkAttrs(header, m) };
}

function decodeLinkAttrs(header: IfInfoHeader, m: NlMessage): LinkAttributes {
  const start = m.start + IfInfoMsg.size;
  if (header.family === AF_BRIDGE) {
    // AF_SPEC carries IFLA_BRIDGE_* here instead of one nest per family.
    return BridgeFamilyLinkAttrs.decode(m.buf, start, m.end) as LinkAttributes;
  }
  return LinkAttrs.decode(m.buf, start, m.end);
}

/**
 * What a link snapshot reads at once: a few top-level attributes, and the kind from
 * IFLA_LINKINFO (the same values the full decode gives them).
 */
export interface LinkSummary {
  ifname?: string;
  kind?: string;
  operstate?: number;
  mtu?: number;
  address?: string;
  broadcast?: string;
  master?: number;
  link?: number;
  linkNetnsid?: number;
}

/** IFLA_INFO_KIND inside an IFLA_LINKINFO nest at buf[start, end), framing checked by the caller's walk. */
function linkKindIn(buf: Buffer, start: number, end: number): string | undefined {
  checkAttributes(buf, start, end);
  let kind: string | undefined;
  for (let off = start; off + 4 <= end; off += (buf.readUInt16LE(off) + 3) & ~3) {
    if ((buf.readUInt16LE(off + 2) & NLA_TYPE_MASK) === 1) kind = decodeScalar('string', 'kind', buf, off + 4, off + buf.readUInt16LE(off)) as string;
  }
  return kind;
}

/** The scalar fields of a {@link LinkSummary}, with their attribute numbers and types from the IFLA schema. */
const SUMMARY_SCALARS = (['address', 'broadcast', 'ifname', 'mtu', 'link', 'master', 'operstate', 'linkNetnsid'] as const).map((name) => ({ name, ...LINK_FIELDS[name] }));
/** The same, by attribute number. */
const SUMMARY_BY_NLA: ((typeof SUMMARY_SCALARS)[number] | undefined)[] = [];
for (const f of SUMMARY_SCALARS) SUMMARY_BY_NLA[f.nla] = f;

/** The {@link LinkSummary} of the attributes at buf[start, end): their framing is checked, only the summary's are decoded. */
export function summarizeLinkAttrs(buf: Buffer, start: number, end: number): LinkSummary {
  checkAttributes(buf, start, end);
  const s: Record<string, unknown> = {};
  for (let off = start; off + 4 <= end; ) {
    const len = buf.readUInt16LE(off);
    const type = buf.readUInt16LE(off + 2) & NLA_TYPE_MASK;
    const f = SUMMARY_BY_NLA[type];
    if (f !== undefined) s[f.name] = decodeScalar(f.type, f.name, buf, off + 4, off + len);
    else if (type === LINK_FIELDS.linkinfo.nla) s.kind = linkKindIn(buf, off + 4, off + len);
    off += (len + 3) & ~3;
  }
  return s as LinkSummary;
}

/**
 * A link message whose header and {@link LinkSummary} are decoded at once and whose
 * attributes are decoded on first use (a ParseError then, if one inside is malformed): a
 * snapshot nobody reads in full costs neither the decoding nor the garbage. Until then it
 * holds the message's buffer.
 */
export class LazyLinkMessage implements LinkMessage {
  readonly header: IfInfoHeader;
  readonly summary: LinkSummary;
  private m: NlMessage | undefined;
  private decoded: LinkAttributes | undefined;

  constructor(m: NlMessage) {
    this.header = IfInfoMsg.decode(m.buf, m.start, m.end);
    this.summary = summarizeLinkAttrs(m.buf, m.start + IfInfoMsg.size, m.end);
    this.m = m;
  }

  get attrs(): LinkAttributes {
    let a = this.decoded;
    if (a === undefined) {
      a = this.decoded = decodeLinkAttrs(this.header, this.m!);
      this.m = undefined; // the datagram's buffer is no longer held
    }
    return a;
  }
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
