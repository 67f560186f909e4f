/**
 * Neighbour family (RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH): struct ndmsg, the NDA_*
 * attributes, NUD_* states and NTF_* flags (linux/neighbour.h). The bridge FDB uses the
 * same messages with family AF_BRIDGE.
 * @internal
 * @module
 */
import { type Assert, type AttrsOf, defineSchema, defineStruct, type RawAttr, type SameAttributes, structField } from '../netlink/attributes.js';
import type { NlMessage } from '../netlink/message.js';
import type { NlWriter } from '../netlink/writer.js';

/** struct ndmsg */
export const NdMsg = defineStruct('ndmsg', [
  ['family', 'u8'],
  ['_pad1', 'pad1'],
  ['_pad2', 'pad2'],
  ['ifindex', 's32'],
  ['state', 'u16'],
  ['flags', 'u8'],
  ['type', 'u8'],
] as const);
export type NdMsgHeader = ReturnType<typeof NdMsg.decode>;

/** struct nda_cacheinfo: ages in 1/100 s (USER_HZ) since confirmed / used / updated. */
export const NdaCacheInfo = defineStruct('nda_cacheinfo', [
  ['confirmed', 'u32'],
  ['used', 'u32'],
  ['updated', 'u32'],
  ['refcnt', 'u32'],
] as const);
/** struct nda_cacheinfo (NDA_CACHEINFO), times in 1/100 s. */
export interface NdaCacheInfoValue {
  /** nda_cacheinfo.confirmed (u32). */
  confirmed: number;
  /** nda_cacheinfo.used (u32). */
  used: number;
  /** nda_cacheinfo.updated (u32). */
  updated: number;
  /** nda_cacheinfo.refcnt (u32). */
  refcnt: number;
}
type NdaCacheInfoValueMatchesStruct = Assert<SameAttributes<NdaCacheInfoValue, ReturnType<typeof NdaCacheInfo.decode>>>;

/** NDA_* attributes. */
export const NeighAttrs = defineSchema('NDA', {
  1: { name: 'dst', type: 'ip' },
  2: { name: 'lladdr', type: 'mac' },
  3: structField('cacheinfo', NdaCacheInfo),
  4: { name: 'probes', type: 'u32' },
  5: { name: 'vlan', type: 'u16' },
  6: { name: 'port', type: 'be16' },
  7: { name: 'vni', type: 'u32' },
  8: { name: 'ifindex', type: 'u32' },
  9: { name: 'master', type: 'u32' },
  10: { name: 'linkNetnsid', type: 's32' },
  11: { name: 'srcVni', type: 'u32' },
  12: { name: 'protocol', type: 'u8' },
  13: { name: 'nhId', type: 'u32' },
  14: { name: 'fdbExtAttrs', type: 'binary' },
  15: { name: 'flagsExt', type: 'u32' },
  16: { name: 'ndmStateMask', type: 'u16' },
  17: { name: 'ndmFlagsMask', type: 'u8' },
});
/** Decoded NDA_* attributes of a neighbour or FDB message. */
export interface NeighAttributes {
  /** NDA_DST (IP address). */
  dst?: string;
  /** NDA_LLADDR (link-layer address). */
  lladdr?: string;
  /** NDA_CACHEINFO. */
  cacheinfo?: NdaCacheInfoValue;
  /** NDA_PROBES (u32). */
  probes?: number;
  /** NDA_VLAN (u16). */
  vlan?: number;
  /** NDA_PORT (be16). */
  port?: number;
  /** NDA_VNI (u32). */
  vni?: number;
  /** NDA_IFINDEX (u32). */
  ifindex?: number;
  /** NDA_MASTER (u32). */
  master?: number;
  /** NDA_LINK_NETNSID (s32). */
  linkNetnsid?: number;
  /** NDA_SRC_VNI (u32). */
  srcVni?: number;
  /** NDA_PROTOCOL (u8). */
  protocol?: number;
  /** NDA_NH_ID (u32). */
  nhId?: number;
  /** NDA_FDB_EXT_ATTRS (raw bytes). */
  fdbExtAttrs?: Buffer;
  /** NDA_FLAGS_EXT (u32). */
  flagsExt?: number;
  /** NDA_NDM_STATE_MASK (u16). */
  ndmStateMask?: number;
  /** NDA_NDM_FLAGS_MASK (u8). */
  ndmFlagsMask?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type NeighAttributesMatchesSchema = Assert<SameAttributes<NeighAttributes, AttrsOf<typeof NeighAttrs>>>;

/** A decoded neighbour message. */
export interface NeighMessage {
  header: NdMsgHeader;
  attrs: NeighAttributes;
}

/** Decodes an RTM_NEWNEIGH / RTM_DELNEIGH message. */
export function decodeNeighMessage(m: NlMessage): NeighMessage {
  const header = NdMsg.decode(m.buf, m.start, m.end);
  const attrs = NeighAttrs.decode(m.buf, m.start + NdMsg.size, m.end);
  return { header, attrs };
}

/** Encodes an ndmsg and attributes. */
export function encodeNeighMessage(w: NlWriter, header: Partial<NdMsgHeader>, attrs: Partial<NeighAttributes> = {}): void {
  NdMsg.encode(w, header);
  NeighAttrs.encode(w, attrs);
}

// ndm_state (NUD_*)
export const NUD_NONE = 0x00;
export const NUD_INCOMPLETE = 0x01;
export const NUD_REACHABLE = 0x02;
export const NUD_STALE = 0x04;
export const NUD_DELAY = 0x08;
export const NUD_PROBE = 0x10;
export const NUD_FAILED = 0x20;
export const NUD_NOARP = 0x40;
export const NUD_PERMANENT = 0x80;

/** Neighbour state names by NUD_* bit, as `ip neigh` prints them (lower case). */
export const NEIGH_STATES = {
  incomplete: NUD_INCOMPLETE,
  reachable: NUD_REACHABLE,
  stale: NUD_STALE,
  delay: NUD_DELAY,
  probe: NUD_PROBE,
  failed: NUD_FAILED,
  noarp: NUD_NOARP,
  permanent: NUD_PERMANENT,
} as const;
/**
 * A neighbour state name, as `ip neigh` prints it (lower case): `incomplete`, `reachable`,
 * `stale`, `delay`, `probe`, `failed`, `noarp`, `permanent`, or `none` (state 0).
  * @category Addresses & routes
 */
export type NeighStateName = 'incomplete' | 'reachable' | 'stale' | 'delay' | 'probe' | 'failed' | 'noarp' | 'permanent' | 'none';

/** Names of the NUD_* bits set in a state word (`['none']` for 0). */
export function neighStateNames(state: number): NeighStateName[] {
  if (state === 0) return ['none'];
  return (Object.keys(NEIGH_STATES) as (keyof typeof NEIGH_STATES)[]).filter((k) => (state & NEIGH_STATES[k]) !== 0);
}

// ndm_flags (NTF_*)
export const NTF_USE = 0x01;
export const NTF_SELF = 0x02;
export const NTF_MASTER = 0x04;
export const NTF_PROXY = 0x08;
export const NTF_EXT_LEARNED = 0x10;
export const NTF_OFFLOADED = 0x20;
export const NTF_STICKY = 0x40;
export const NTF_ROUTER = 0x80;
// NDA_FLAGS_EXT
export const NTF_EXT_MANAGED = 0x01;
export const NTF_EXT_LOCKED = 0x02;

/** Neighbour flag names by NTF_* bit, as `ip neigh` prints them. */
export const NEIGH_FLAG_NAMES: [number, string][] = [
  [NTF_USE, 'use'],
  [NTF_SELF, 'self'],
  [NTF_MASTER, 'master'],
  [NTF_PROXY, 'proxy'],
  [NTF_EXT_LEARNED, 'extern_learn'],
  [NTF_OFFLOADED, 'offload'],
  [NTF_STICKY, 'sticky'],
  [NTF_ROUTER, 'router'],
];
