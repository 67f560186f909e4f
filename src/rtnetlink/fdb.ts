/**
 * Forwarding database entries (RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH with family
 * AF_BRIDGE, what `bridge fdb` sends): struct ndmsg and the NDA_* attributes as the bridge,
 * vxlan and device FDBs use them (linux/neighbour.h).
 * @internal
 * @module
 */
import { type AttrsOf, defineSchema, defineStruct, type Struct } from '../netlink/attributes.js';
import type { NlMessage } from '../netlink/message.js';
import { be16Field, structField } from './fields.js';

/** struct ndmsg */
export const NdMsg: Struct<NdMsgHeader> = defineStruct('ndmsg', [
  ['family', 'u8'],
  ['_pad1', 'pad1'],
  ['_pad2', 'pad2'],
  ['ifindex', 's32'],
  ['state', 'u16'],
  ['flags', 'u8'],
  ['type', 'u8'],
] as const);
/** Decoded struct ndmsg. */
export interface NdMsgHeader {
  /** address family (AF_BRIDGE for FDB entries). */
  family: number;
  /** the device the entry is on. */
  ifindex: number;
  /** NUD_* state bits. */
  state: number;
  /** NTF_* flag bits. */
  flags: number;
  /** neighbour type (unused by the FDB). */
  type: number;
}

/** struct nda_cacheinfo: ages in clock_t (USER_HZ = 100 per second). */
export const NdaCacheInfo = defineStruct('nda_cacheinfo', [
  ['confirmed', 'u32'],
  ['used', 'u32'],
  ['updated', 'u32'],
  ['refcnt', 'u32'],
] as const);

/** NFEA_* (NDA_FDB_EXT_ATTRS). */
export const FdbExtAttrs = defineSchema('NFEA', {
  1: { name: 'activityNotify', type: 'u8' },
  2: { name: 'dontRefresh', type: 'flag' },
});

/** NDA_* as used by FDB entries. */
export const FdbAttrs = defineSchema('NDA', {
  1: { name: 'dst', type: 'ip' },
  2: { name: 'lladdr', type: 'mac' },
  3: structField('cacheinfo', NdaCacheInfo),
  4: { name: 'probes', type: 'u32' },
  5: { name: 'vlan', type: 'u16' },
  6: be16Field('port'),
  7: { name: 'vni', type: 'u32' },
  8: { name: 'ifindex', type: 'u32' },
  9: { name: 'master', type: 'u32' },
  10: { name: 'linkNetnsid', type: 's32' },
  11: { name: 'srcVni', type: 'u32' },
  12: { name: 'protocol', type: 'u8' },
  13: { name: 'nhId', type: 'u32' },
  14: { name: 'fdbExtAttrs', type: 'nested', schema: FdbExtAttrs, nestedFlag: true },
  15: { name: 'flagsExt', type: 'u32' },
  16: { name: 'ndmStateMask', type: 'u16' },
  17: { name: 'ndmFlagsMask', type: 'u8' },
});
/** Decoded NDA_* attributes of an FDB entry. */
export type FdbAttributes = AttrsOf<typeof FdbAttrs>;

/** A decoded FDB message. */
export interface FdbMessage {
  /** struct ndmsg: family, ifindex, state (NUD_*), flags (NTF_*), type. */
  header: NdMsgHeader;
  /** the NDA_* attributes. */
  attrs: FdbAttributes;
}

/** Decodes an AF_BRIDGE RTM_NEWNEIGH / RTM_DELNEIGH message. */
export function decodeFdbMessage(m: NlMessage): FdbMessage {
  return {
    header: NdMsg.decode(m.buf, m.start, m.end),
    attrs: FdbAttrs.decode(m.buf, m.start + NdMsg.size, m.end),
  };
}

// ndm_flags (NTF_*)
export const NTF_USE = 1 << 0;
export const NTF_SELF = 1 << 1;
export const NTF_MASTER = 1 << 2;
export const NTF_PROXY = 1 << 3;
export const NTF_EXT_LEARNED = 1 << 4;
export const NTF_OFFLOADED = 1 << 5;
export const NTF_STICKY = 1 << 6;
export const NTF_ROUTER = 1 << 7;
// NDA_FLAGS_EXT (NTF_EXT_*)
export const NTF_EXT_MANAGED = 1 << 0;
export const NTF_EXT_LOCKED = 1 << 1;

// ndm_state (NUD_*)
export const NUD_INCOMPLETE = 0x01;
export const NUD_REACHABLE = 0x02;
export const NUD_STALE = 0x04;
export const NUD_DELAY = 0x08;
export const NUD_PROBE = 0x10;
export const NUD_FAILED = 0x20;
export const NUD_NOARP = 0x40;
export const NUD_PERMANENT = 0x80;
export const NUD_NONE = 0x00;
