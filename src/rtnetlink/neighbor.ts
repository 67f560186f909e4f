/**
 * Neighbour family (RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH): struct ndmsg, the NDA_*
 * attributes, NUD_* states and NTF_* flags (linux/neighbour.h). The bridge FDB uses the
 * same messages with family AF_BRIDGE.
 * @internal
 * @module
 */
import { type AttributesInputOf, type AttributesOf, defineAttributes, type Schema, structField } from '../netlink/attributes.js';
import { defineStruct, type Struct, type StructFieldsOf } from '../netlink/struct.js';
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

const NDA_CACHEINFO_FIELDS = {
  /** nda_cacheinfo.confirmed (u32). */
  confirmed: 'u32',
  /** nda_cacheinfo.used (u32). */
  used: 'u32',
  /** nda_cacheinfo.updated (u32). */
  updated: 'u32',
  /** nda_cacheinfo.refcnt (u32). */
  refcnt: 'u32',
} as const;
/**
 * struct nda_cacheinfo (NDA_CACHEINFO), times in 1/100 s.
 * @interface
 */
export type NdaCacheInfoValue = StructFieldsOf<typeof NDA_CACHEINFO_FIELDS>;
/** struct nda_cacheinfo: ages in 1/100 s (USER_HZ) since confirmed / used / updated. */
export const NdaCacheInfo: Struct<NdaCacheInfoValue> = defineStruct('nda_cacheinfo', NDA_CACHEINFO_FIELDS);

const NDA_FIELDS = {
  /** NDA_DST (IP address). */
  dst: { nla: 1, type: 'ip' },
  /** NDA_LLADDR (link-layer address). */
  lladdr: { nla: 2, type: 'mac' },
  /** NDA_CACHEINFO. */
  cacheinfo: { nla: 3, ...structField('cacheinfo', NdaCacheInfo) },
  /** NDA_PROBES (u32). */
  probes: { nla: 4, type: 'u32' },
  /** NDA_VLAN (u16). */
  vlan: { nla: 5, type: 'u16' },
  /** NDA_PORT (be16). */
  port: { nla: 6, type: 'be16' },
  /** NDA_VNI (u32). */
  vni: { nla: 7, type: 'u32' },
  /** NDA_IFINDEX (u32). */
  ifindex: { nla: 8, type: 'u32' },
  /** NDA_MASTER (u32). */
  master: { nla: 9, type: 'u32' },
  /** NDA_LINK_NETNSID (s32). */
  linkNetnsid: { nla: 10, type: 's32' },
  /** NDA_SRC_VNI (u32). */
  srcVni: { nla: 11, type: 'u32' },
  /** NDA_PROTOCOL (u8). */
  protocol: { nla: 12, type: 'u8' },
  /** NDA_NH_ID (u32). */
  nhId: { nla: 13, type: 'u32' },
  /** NDA_FDB_EXT_ATTRS (raw bytes). */
  fdbExtAttrs: { nla: 14, type: 'binary' },
  /** NDA_FLAGS_EXT (u32). */
  flagsExt: { nla: 15, type: 'u32' },
  /** NDA_NDM_STATE_MASK (u16). */
  ndmStateMask: { nla: 16, type: 'u16' },
  /** NDA_NDM_FLAGS_MASK (u8). */
  ndmFlagsMask: { nla: 17, type: 'u8' },
} as const;
/**
 * Decoded NDA_* attributes of a neighbour or FDB message.
 * @interface
 */
export type NeighAttributes = AttributesOf<typeof NDA_FIELDS>;
/** NDA_* attributes. */
export const NeighAttrs: Schema<NeighAttributes, NeighAttributesInput> = defineAttributes('NDA', NDA_FIELDS);
/** NDA_* attributes as a request carries them (addresses as text or bytes). */
export type NeighAttributesInput = AttributesInputOf<typeof NDA_FIELDS>;

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
export function encodeNeighMessage(w: NlWriter, header: Partial<NdMsgHeader>, attrs: NeighAttributesInput = {}): void {
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
