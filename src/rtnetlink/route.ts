/**
 * Route family (RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE): struct rtmsg, the RTA_*
 * attributes, RTA_METRICS (RTAX_*), RTA_MULTIPATH (an array of struct rtnexthop, each
 * followed by its own attributes), RTA_VIA (struct rtvia), RTA_CACHEINFO, and the names of
 * route types, protocols, scopes and tables (linux/rtnetlink.h).
 * @internal
 * @module
 */
import { ParseError, ValidationError } from '../errors.js';
import { type AttributesInputOf, type AttributesOf, type CustomField, defineAttributes, defineStruct, type Schema, type Struct, structField, type StructFieldsOf } from '../netlink/attributes.js';
import type { NlMessage } from '../netlink/message.js';
import { align4, type NlWriter } from '../netlink/writer.js';
import { AF_INET, AF_INET6, formatIp, parseIp } from '../util/ip.js';

/** struct rtmsg */
export const RtMsg = defineStruct('rtmsg', [
  ['family', 'u8'],
  ['dstLen', 'u8'],
  ['srcLen', 'u8'],
  ['tos', 'u8'],
  ['table', 'u8'],
  ['protocol', 'u8'],
  ['scope', 'u8'],
  ['type', 'u8'],
  ['flags', 'u32'],
] as const);
export type RtMsgHeader = ReturnType<typeof RtMsg.decode>;

const RTA_CACHEINFO_FIELDS = {
  /** rta_cacheinfo.clntref (u32). */
  clntref: 'u32',
  /** rta_cacheinfo.lastuse (u32). */
  lastuse: 'u32',
  /** rta_cacheinfo.expires (s32). */
  expires: 's32',
  /** rta_cacheinfo.error (u32). */
  error: 'u32',
  /** rta_cacheinfo.used (u32). */
  used: 'u32',
  /** rta_cacheinfo.id (u32). */
  id: 'u32',
  /** rta_cacheinfo.ts (u32). */
  ts: 'u32',
  /** rta_cacheinfo.tsage (u32). */
  tsage: 'u32',
} as const;
/**
 * struct rta_cacheinfo (RTA_CACHEINFO).
 * @interface
 */
export type RtaCacheInfoValue = StructFieldsOf<typeof RTA_CACHEINFO_FIELDS>;
/** struct rta_cacheinfo */
export const RtaCacheInfo: Struct<RtaCacheInfoValue> = defineStruct('rta_cacheinfo', RTA_CACHEINFO_FIELDS);

/** RTAX_* (inside RTA_METRICS): every route metric, with its `ip route` keyword. */
const RTAX_FIELDS = {
  /** RTAX_LOCK: bit mask of locked metrics, 1 << RTAX_* (e.g. 4 = `mtu lock`). */
  lock: { nla: 1, type: 'u32' },
  /** RTAX_MTU: path MTU (`mtu`). */
  mtu: { nla: 2, type: 'u32' },
  /** RTAX_WINDOW: TCP window clamp (`window`). */
  window: { nla: 3, type: 'u32' },
  /** RTAX_RTT: initial RTT estimate in ms (`rtt`). */
  rtt: { nla: 4, type: 'u32' },
  /** RTAX_RTTVAR: initial RTT variance in ms (`rttvar`). */
  rttvar: { nla: 5, type: 'u32' },
  /** RTAX_SSTHRESH: initial slow-start threshold (`ssthresh`). */
  ssthresh: { nla: 6, type: 'u32' },
  /** RTAX_CWND: congestion window clamp (`cwnd`). */
  cwnd: { nla: 7, type: 'u32' },
  /** RTAX_ADVMSS: advertised MSS (`advmss`). */
  advmss: { nla: 8, type: 'u32' },
  /** RTAX_REORDERING: reordering metric (`reordering`). */
  reordering: { nla: 9, type: 'u32' },
  /** RTAX_HOPLIMIT: hop limit / TTL of packets using the route (`hoplimit`). */
  hoplimit: { nla: 10, type: 'u32' },
  /** RTAX_INITCWND: initial congestion window (`initcwnd`). */
  initcwnd: { nla: 11, type: 'u32' },
  /** RTAX_FEATURES: RTAX_FEATURE_* bits (`features`, e.g. 1 = ecn). */
  features: { nla: 12, type: 'u32' },
  /** RTAX_RTO_MIN: minimum retransmission timeout in ms (`rto_min`). */
  rtoMin: { nla: 13, type: 'u32' },
  /** RTAX_INITRWND: initial receive window (`initrwnd`). */
  initrwnd: { nla: 14, type: 'u32' },
  /** RTAX_QUICKACK: quick ACK (`quickack`, 0 or 1). */
  quickack: { nla: 15, type: 'u32' },
  /** RTAX_CC_ALGO: congestion control algorithm (`congctl`). */
  ccAlgo: { nla: 16, type: 'string' },
  /** RTAX_FASTOPEN_NO_COOKIE: TCP fast open without a cookie (`fastopen_no_cookie`, 0 or 1). */
  fastopenNoCookie: { nla: 17, type: 'u32' },
} as const;
/**
 * Decoded RTAX_* route metrics (RTA_METRICS).
 * @interface
 */
export type RouteMetricsValue = AttributesOf<typeof RTAX_FIELDS>;
/** RTAX_* (inside RTA_METRICS). `lock` is a bit mask of locked metrics (1 << RTAX_*). */
export const RouteMetrics: Schema<RouteMetricsValue, AttributesInputOf<typeof RTAX_FIELDS>> = defineAttributes('RTAX', RTAX_FIELDS);

/** A route metric's name (every RTAX_* but the `lock` mask). */
export type RouteMetricKey = Exclude<keyof typeof RTAX_FIELDS, 'lock'>;
/** The RTAX_* number of each metric name (for `lock` masks). */
export const RTAX = Object.fromEntries(
  Object.entries(RTAX_FIELDS)
    .filter(([name]) => name !== 'lock')
    .map(([name, f]) => [name, f.nla]),
) as Record<RouteMetricKey, number>;

/**
 * RTA_VIA: struct rtvia { __kernel_sa_family_t family; u8 addr[]; } — decoded as the address
 * text, encoded from the text or the 4 or 16 address bytes.
 */
export const viaField: CustomField<string, string | Uint8Array> & { name: 'via' } = {
  name: 'via',
  type: 'custom',
  decode(data: Buffer): string {
    if (data.length < 2) throw new ParseError('rtvia shorter than its family field', 0);
    const family = data.readUInt16LE(0);
    const addr = data.subarray(2);
    if ((family === AF_INET && addr.length === 4) || (family === AF_INET6 && addr.length === 16)) return formatIp(addr);
    throw new ParseError(`rtvia family ${family} with a ${addr.length}-byte address`, 0);
  },
  encode(w: NlWriter, type: number, v: string | Uint8Array): void {
    const addr = typeof v === 'string' ? parseIp(v, 'via') : v;
    const b = Buffer.alloc(2 + addr.length);
    b.writeUInt16LE(addr.length === 4 ? AF_INET : AF_INET6, 0);
    b.set(addr, 2);
    w.attr(type, b);
  },
};

const RTNH_FIELDS = {
  /** RTA_GATEWAY (IP address). */
  gateway: { nla: 5, type: 'ip' },
  /** RTA_FLOW (u32). */
  flow: { nla: 11, type: 'u32' },
  /** RTA_VIA. */
  via: { nla: 18, ...viaField },
  /** RTA_NEWDST (raw bytes). */
  newdst: { nla: 19, type: 'binary' },
  /** RTA_ENCAP_TYPE (u16). */
  encapType: { nla: 21, type: 'u16' },
  /** RTA_ENCAP (raw bytes). */
  encap: { nla: 22, type: 'binary' },
} as const;
/**
 * Decoded RTA_* attributes of one path of a multipath route (after its struct rtnexthop).
 * @interface
 */
export type NexthopAttributes = AttributesOf<typeof RTNH_FIELDS>;
/** Attributes that may follow a struct rtnexthop inside RTA_MULTIPATH. */
export const NexthopAttrs: Schema<NexthopAttributes, NexthopAttributesInput> = defineAttributes('RTA(nexthop)', RTNH_FIELDS);
/** The attributes of one path as a request carries them (addresses as text or bytes). */
export type NexthopAttributesInput = AttributesInputOf<typeof RTNH_FIELDS>;

/** One struct rtnexthop with its attributes. `hops` is weight − 1. */
export interface RtNexthop<A extends object = NexthopAttributes> {
  /** RTNH_F_* flags. */
  flags: number;
  /** rtnh_hops: the weight minus one. */
  hops: number;
  /** output interface index. */
  ifindex: number;
  /** the attributes after the struct (gateway, via, …). */
  attrs: A;
}

/** Size of struct rtnexthop. */
export const RTNH_SIZE = 8;

/** RTA_MULTIPATH: an array of struct rtnexthop, each followed by its attributes. */
export const multipathField: CustomField<RtNexthop[], RtNexthop<NexthopAttributesInput>[]> & { name: 'multipath' } = {
  name: 'multipath',
  type: 'custom',
  decode(data: Buffer): RtNexthop[] {
    const out: RtNexthop[] = [];
    let off = 0;
    while (off + RTNH_SIZE <= data.length) {
      const len = data.readUInt16LE(off);
      if (len < RTNH_SIZE) throw new ParseError(`rtnexthop length ${len} is below its 8-byte header`, off);
      if (off + len > data.length) throw new ParseError(`rtnexthop of ${len} bytes runs past RTA_MULTIPATH`, off);
      out.push({
        flags: data[off + 2]!,
        hops: data[off + 3]!,
        ifindex: data.readInt32LE(off + 4),
        attrs: NexthopAttrs.decode(data, off + RTNH_SIZE, off + len),
      });
      off += align4(len);
    }
    return out;
  },
  encode(w: NlWriter, type: number, hops: RtNexthop<NexthopAttributesInput>[]): void {
    const s = w.beginNested(type);
    for (const nh of hops) {
      w.pad();
      const start = w.offset;
      w.u16(0).u8(nh.flags).u8(nh.hops).s32(nh.ifindex);
      NexthopAttrs.encode(w, nh.attrs);
      w.pad();
      w.buf.writeUInt16LE(w.offset - start, start);
    }
    w.endNested(s);
  },
};

/** RTA_SPORT / RTA_DPORT: a port in network byte order, sent without NLA_F_NET_BYTEORDER (as iproute2). */
function portField<const N extends string>(name: N): CustomField<number> & { name: N } {
  return {
    name,
    type: 'custom',
    decode(data: Buffer): number {
      if (data.length < 2) throw new ParseError(`${name} has ${data.length} bytes, needs 2`, 0);
      return data.readUInt16BE(0);
    },
    encode(w: NlWriter, type: number, v: number): void {
      const b = Buffer.alloc(2);
      b.writeUInt16BE(v & 0xffff, 0);
      w.attr(type, b);
    },
  };
}

const RTA_FIELDS = {
  /** RTA_DST (IP address). */
  dst: { nla: 1, type: 'ip' },
  /** RTA_SRC (IP address). */
  src: { nla: 2, type: 'ip' },
  /** RTA_IIF (u32). */
  iif: { nla: 3, type: 'u32' },
  /** RTA_OIF (u32). */
  oif: { nla: 4, type: 'u32' },
  /** RTA_GATEWAY (IP address). */
  gateway: { nla: 5, type: 'ip' },
  /** RTA_PRIORITY (u32). */
  priority: { nla: 6, type: 'u32' },
  /** RTA_PREFSRC (IP address). */
  prefsrc: { nla: 7, type: 'ip' },
  /** RTA_METRICS (nested). */
  metrics: { nla: 8, type: 'nested', schema: RouteMetrics },
  /** RTA_MULTIPATH. */
  multipath: { nla: 9, ...multipathField },
  /** RTA_FLOW (u32). */
  flow: { nla: 11, type: 'u32' },
  /** RTA_CACHEINFO. */
  cacheinfo: { nla: 12, ...structField('cacheinfo', RtaCacheInfo) },
  /** RTA_TABLE (u32). */
  table: { nla: 15, type: 'u32' },
  /** RTA_MARK (u32). */
  mark: { nla: 16, type: 'u32' },
  /** RTA_MFC_STATS (raw bytes). */
  mfcStats: { nla: 17, type: 'binary' },
  /** RTA_VIA. */
  via: { nla: 18, ...viaField },
  /** RTA_NEWDST (raw bytes). */
  newdst: { nla: 19, type: 'binary' },
  /** RTA_PREF (u8). */
  pref: { nla: 20, type: 'u8' },
  /** RTA_ENCAP_TYPE (u16). */
  encapType: { nla: 21, type: 'u16' },
  /** RTA_ENCAP (raw bytes). */
  encap: { nla: 22, type: 'binary' },
  /** RTA_EXPIRES (u32). */
  expires: { nla: 23, type: 'u32' },
  /** RTA_PAD (raw bytes). */
  pad: { nla: 24, type: 'binary' },
  /** RTA_UID (u32). */
  uid: { nla: 25, type: 'u32' },
  /** RTA_TTL_PROPAGATE (u8). */
  ttlPropagate: { nla: 26, type: 'u8' },
  /** RTA_IP_PROTO (u8). */
  ipProto: { nla: 27, type: 'u8' },
  /** RTA_SPORT. */
  sport: { nla: 28, ...portField('sport') },
  /** RTA_DPORT. */
  dport: { nla: 29, ...portField('dport') },
  /** RTA_NH_ID (u32). */
  nhId: { nla: 30, type: 'u32' },
  /** RTA_FLOWLABEL (31, be32). */
  flowlabel: { nla: 31, type: 'be32' },
} as const;
/**
 * Decoded RTA_* attributes of a route message.
 * @interface
 */
export type RouteAttributes = AttributesOf<typeof RTA_FIELDS>;
/** RTA_* attributes. */
export const RouteAttrs: Schema<RouteAttributes, AttributesInputOf<typeof RTA_FIELDS>> = defineAttributes('RTA', RTA_FIELDS);
/** RTA_* attributes as a request carries them (addresses as text or bytes). */
export type RouteAttributesInput = AttributesInputOf<typeof RTA_FIELDS>;

/** A decoded route message. */
export interface RouteMessage {
  header: RtMsgHeader;
  attrs: RouteAttributes;
}

/** Decodes an RTM_NEWROUTE / RTM_DELROUTE message. */
export function decodeRouteMessage(m: NlMessage): RouteMessage {
  const header = RtMsg.decode(m.buf, m.start, m.end);
  const attrs = RouteAttrs.decode(m.buf, m.start + RtMsg.size, m.end);
  return { header, attrs };
}

/** Encodes an rtmsg and attributes. */
export function encodeRouteMessage(w: NlWriter, header: Partial<RtMsgHeader>, attrs: RouteAttributesInput = {}): void {
  RtMsg.encode(w, header);
  RouteAttrs.encode(w, attrs);
}

// ---- constants and names ------------------------------------------------------------

// rtm_type (RTN_*)
export const RTN_UNSPEC = 0;
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
export const RTN_BROADCAST = 3;
export const RTN_ANYCAST = 4;
export const RTN_MULTICAST = 5;
export const RTN_BLACKHOLE = 6;
export const RTN_UNREACHABLE = 7;
export const RTN_PROHIBIT = 8;
export const RTN_THROW = 9;
export const RTN_NAT = 10;
export const RTN_XRESOLVE = 11;

/**
 * A route type name, as `ip route` prints it: `unicast`, `local`, `broadcast`, `anycast`,
 * `multicast`, `blackhole`, `unreachable`, `prohibit`, `throw`, `nat`, `xresolve` (and
 * `unspec` for 0).
  * @category Addresses & routes
 */
export type RouteTypeName =
  | 'unspec'
  | 'unicast'
  | 'local'
  | 'broadcast'
  | 'anycast'
  | 'multicast'
  | 'blackhole'
  | 'unreachable'
  | 'prohibit'
  | 'throw'
  | 'nat'
  | 'xresolve';

/** Route type names by RTN_* number. */
export const ROUTE_TYPES: readonly RouteTypeName[] = [
  'unspec',
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
  'xresolve',
];

// rtm_protocol (RTPROT_*)
export const RTPROT_UNSPEC = 0;
export const RTPROT_REDIRECT = 1;
export const RTPROT_KERNEL = 2;
export const RTPROT_BOOT = 3;
export const RTPROT_STATIC = 4;

/** Route protocol names by RTPROT_* number (iproute2's rt_protos). */
export const ROUTE_PROTOCOLS: Record<number, string> = {
  0: 'unspec',
  1: 'redirect',
  2: 'kernel',
  3: 'boot',
  4: 'static',
  8: 'gated',
  9: 'ra',
  10: 'mrt',
  11: 'zebra',
  12: 'bird',
  13: 'dnrouted',
  14: 'xorp',
  15: 'ntk',
  16: 'dhcp',
  17: 'mrouted',
  18: 'keepalived',
  42: 'babel',
  99: 'openr',
  186: 'bgp',
  187: 'isis',
  188: 'ospf',
  189: 'rip',
  192: 'eigrp',
};

// rtm_scope / ifa_scope (RT_SCOPE_*)
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_SITE = 200;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;

/** Scope names by RT_SCOPE_* number, as iproute2 prints them (0 is `global`). */
export const SCOPES: Record<number, string> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };

// tables (RT_TABLE_*)
export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_COMPAT = 252;
export const RT_TABLE_DEFAULT = 253;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

/** Table names by number (`ip route show table main|local|default`). */
export const TABLES: Record<number, string> = { 253: 'default', 254: 'main', 255: 'local' };

// rtm_flags (RTM_F_*) and rtnh_flags (RTNH_F_*)
export const RTM_F_NOTIFY = 0x100;
export const RTM_F_CLONED = 0x200;
export const RTM_F_EQUALIZE = 0x400;
export const RTM_F_PREFIX = 0x800;
export const RTM_F_LOOKUP_TABLE = 0x1000;
export const RTM_F_FIB_MATCH = 0x2000;
export const RTM_F_OFFLOAD = 0x4000;
export const RTM_F_TRAP = 0x8000;
export const RTM_F_OFFLOAD_FAILED = 0x20000000;

export const RTNH_F_DEAD = 1;
export const RTNH_F_PERVASIVE = 2;
export const RTNH_F_ONLINK = 4;
export const RTNH_F_OFFLOAD = 8;
export const RTNH_F_LINKDOWN = 16;
export const RTNH_F_UNRESOLVED = 32;
export const RTNH_F_TRAP = 64;

/** Names of route / nexthop flags as `ip route` prints them. */
export const ROUTE_FLAG_NAMES: [number, string][] = [
  [RTNH_F_DEAD, 'dead'],
  [RTNH_F_PERVASIVE, 'pervasive'],
  [RTNH_F_ONLINK, 'onlink'],
  [RTNH_F_OFFLOAD, 'offload'],
  [RTNH_F_LINKDOWN, 'linkdown'],
  [RTNH_F_UNRESOLVED, 'unresolved'],
  [RTNH_F_TRAP, 'trap'],
  [RTM_F_NOTIFY, 'notify'],
  [RTM_F_CLONED, 'cloned'],
  [RTM_F_PREFIX, 'prefix'],
  [RTM_F_OFFLOAD, 'rt_offload'],
  [RTM_F_TRAP, 'rt_trap'],
  [RTM_F_OFFLOAD_FAILED, 'rt_offload_failed'],
];

// RTA_PREF (IPv6 router preference, ICMPV6_ROUTER_PREF_*)
/** RTA_PREF values by name. */
export const ROUTER_PREFS = { low: 3, medium: 0, high: 1 } as const;

// ---- name <-> number ------------------------------------------------------------------

function byName(table: Record<number, string>, v: unknown, field: string, max: number, what: string): number {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= max) return v;
    throw new ValidationError(field, v, `expected a ${what} name or a number from 0 to ${max}`);
  }
  if (typeof v === 'string') {
    for (const [n, name] of Object.entries(table)) if (name === v) return Number(n);
    if (/^\d+$/.test(v) && Number(v) <= max) return Number(v);
  }
  throw new ValidationError(field, v, `expected a ${what} name (${Object.values(table).join(', ')}) or a number from 0 to ${max}`);
}

/** A scope name (`global`, `site`, `link`, `host`, `nowhere`; `universe` = global) or number → RT_SCOPE_*. */
export function scopeNumber(v: unknown, field = 'scope'): number {
  return v === 'universe' ? RT_SCOPE_UNIVERSE : byName(SCOPES, v, field, 255, 'scope');
}
/** The name of a scope number, or the number as text. */
export function scopeName(n: number): string {
  return SCOPES[n] ?? String(n);
}

/** A route protocol name (`boot`, `static`, `kernel`, `bgp`, …) or number → RTPROT_*. */
export function protocolNumber(v: unknown, field = 'protocol'): number {
  return byName(ROUTE_PROTOCOLS, v, field, 255, 'protocol');
}
/** The name of a route protocol number, or the number as text. */
export function protocolName(n: number): string {
  return ROUTE_PROTOCOLS[n] ?? String(n);
}

/** A table name (`main`, `local`, `default`) or number (1 … 2^32-1) → table id. */
export function tableNumber(v: unknown, field = 'table'): number {
  const n = byName(TABLES, v, field, 0xffffffff, 'table');
  if (n === 0) throw new ValidationError(field, v, 'table 0 (unspec) is not a table');
  return n;
}
/** The name of a table id, or the number as text. */
export function tableName(n: number): string {
  return TABLES[n] ?? String(n);
}

/** A route type name (`unicast`, `local`, `blackhole`, `unreachable`, `prohibit`, …) → RTN_*. */
export function routeTypeNumber(v: unknown, field = 'type'): number {
  const i = typeof v === 'string' ? ROUTE_TYPES.indexOf(v as RouteTypeName) : -1;
  if (i <= 0) throw new ValidationError(field, v, `expected a route type (${ROUTE_TYPES.slice(1).join(', ')})`);
  return i;
}
/** The name of an RTN_* number, or the number as text. */
export function routeTypeName(n: number): string {
  return ROUTE_TYPES[n] ?? String(n);
}
