/**
 * Route family (RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE): struct rtmsg, the RTA_*
 * attributes, RTA_METRICS (RTAX_*), RTA_MULTIPATH (an array of struct rtnexthop, each
 * followed by its own attributes), RTA_VIA (struct rtvia), RTA_CACHEINFO (linux/rtnetlink.h).
 * The metrics are in route-metrics.ts, the constants and names in route-constants.ts.
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { type AttributesInputOf, type AttributesOf, type CustomField, defineAttributes, type Schema, structField } from '../netlink/attributes.js';
import { defineStruct, type Struct, type StructFieldsOf } from '../netlink/struct.js';
import type { NlMessage } from '../netlink/message.js';
import { align4, type NlWriter } from '../netlink/writer.js';
import { AF_INET, AF_INET6, formatIp, parseIp } from '../util/ip.js';
import { RouteMetrics } from './route-metrics.js';

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
