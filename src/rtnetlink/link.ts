/**
 * Link family (RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK / RTM_SETLINK): struct ifinfomsg and
 * the IFLA_* attributes (linux/if_link.h).
 * @internal
 * @module
 */
import { type AttrsOf, defineSchema, defineStruct } from '../netlink/attributes.js';
import type { NlMessage } from '../netlink/message.js';
import type { NlWriter } from '../netlink/writer.js';

/** struct ifinfomsg */
export const IfInfoMsg = defineStruct('ifinfomsg', [
  ['family', 'u8'],
  ['_pad', 'pad1'],
  ['type', 'u16'],
  ['index', 's32'],
  ['flags', 'u32'],
  ['change', 'u32'],
] as const);
export type IfInfoHeader = ReturnType<typeof IfInfoMsg.decode>;

/** IFLA_INFO_* (inside IFLA_LINKINFO). Kind-specific data stays raw here; kinds decode it. */
export const LinkInfo = defineSchema('IFLA_INFO', {
  1: { name: 'kind', type: 'string' },
  2: { name: 'data', type: 'binary' },
  3: { name: 'xstats', type: 'binary' },
  4: { name: 'slaveKind', type: 'string' },
  5: { name: 'slaveData', type: 'binary' },
});

/** IFLA_* attributes. */
export const LinkAttrs = defineSchema('IFLA', {
  1: { name: 'address', type: 'mac' },
  2: { name: 'broadcast', type: 'mac' },
  3: { name: 'ifname', type: 'string' },
  4: { name: 'mtu', type: 'u32' },
  5: { name: 'link', type: 'u32' },
  6: { name: 'qdisc', type: 'string' },
  7: { name: 'stats', type: 'binary' },
  10: { name: 'master', type: 'u32' },
  13: { name: 'txqlen', type: 'u32' },
  16: { name: 'operstate', type: 'u8' },
  17: { name: 'linkmode', type: 'u8' },
  18: { name: 'linkinfo', type: 'nested', schema: LinkInfo },
  19: { name: 'netNsPid', type: 'u32' },
  20: { name: 'ifalias', type: 'string' },
  23: { name: 'stats64', type: 'binary' },
  26: { name: 'afSpec', type: 'binary' },
  27: { name: 'group', type: 'u32' },
  28: { name: 'netNsFd', type: 'u32' },
  29: { name: 'extMask', type: 'u32' },
  30: { name: 'promiscuity', type: 'u32' },
  31: { name: 'numTxQueues', type: 'u32' },
  32: { name: 'numRxQueues', type: 'u32' },
  33: { name: 'carrier', type: 'u8' },
  35: { name: 'carrierChanges', type: 'u32' },
  37: { name: 'linkNetnsid', type: 's32' },
  39: { name: 'protoDown', type: 'u8' },
  40: { name: 'gsoMaxSegs', type: 'u32' },
  41: { name: 'gsoMaxSize', type: 'u32' },
  45: { name: 'newNetnsid', type: 's32' },
  46: { name: 'targetNetnsid', type: 's32' },
  47: { name: 'carrierUpCount', type: 'u32' },
  48: { name: 'carrierDownCount', type: 'u32' },
  49: { name: 'newIfindex', type: 's32' },
  50: { name: 'minMtu', type: 'u32' },
  51: { name: 'maxMtu', type: 'u32' },
  54: { name: 'permAddress', type: 'mac' },
  58: { name: 'groMaxSize', type: 'u32' },
  61: { name: 'allmulti', type: 'u32' },
});
export type LinkAttributes = AttrsOf<typeof LinkAttrs>;

/** A decoded link message. */
export interface LinkMessage {
  header: IfInfoHeader;
  attrs: LinkAttributes;
}

/** Decodes an RTM_NEWLINK / RTM_DELLINK message. */
export function decodeLinkMessage(m: NlMessage): LinkMessage {
  const header = IfInfoMsg.decode(m.buf, m.start, m.end);
  const attrs = LinkAttrs.decode(m.buf, m.start + IfInfoMsg.size, m.end);
  return { header, attrs };
}

/** Encodes an ifinfomsg and attributes. */
export function encodeLinkMessage(w: NlWriter, header: Partial<IfInfoHeader>, attrs: Partial<LinkAttributes> = {}): void {
  IfInfoMsg.encode(w, header);
  LinkAttrs.encode(w, attrs);
}

/** Operational states (IF_OPER_*), as `ip link` names them. */
export const OPERSTATES = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'] as const;
export type OperState = (typeof OPERSTATES)[number];
