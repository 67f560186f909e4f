/**
 * Netconf family (RTM_NEWNETCONF / RTM_DELNETCONF / RTM_GETNETCONF): struct netconfmsg and
 * the NETCONFA_* attributes (linux/netconf.h). The kernel announces per-device and global
 * IPv4/IPv6 settings (forwarding, rp_filter, proxy_ndp, …) with it, e.g. when a sysctl under
 * `net.ipv4.conf.*` changes or a device appears — what `ip monitor netconf` prints.
 * @internal
 * @module
 */
import { type Assert, type AttrsOf, defineSchema, defineStruct, type RawAttr, type SameAttributes } from '../netlink/attributes.js';
import type { NlMessage } from '../netlink/message.js';
import type { NlWriter } from '../netlink/writer.js';

/** struct netconfmsg: one byte, padded to 4 as the kernel aligns the attributes after it. */
export const NetconfMsg = defineStruct('netconfmsg', [
  ['family', 'u8'],
  ['_pad1', 'pad1'],
  ['_pad2', 'pad2'],
] as const);
export type NetconfHeader = ReturnType<typeof NetconfMsg.decode>;

/** NETCONFA_* attributes. */
export const NetconfAttrs = defineSchema('NETCONFA', {
  1: { name: 'ifindex', type: 's32' },
  2: { name: 'forwarding', type: 's32' },
  3: { name: 'rpFilter', type: 's32' },
  4: { name: 'mcForwarding', type: 's32' },
  5: { name: 'proxyNeigh', type: 's32' },
  6: { name: 'ignoreRoutesWithLinkdown', type: 's32' },
  7: { name: 'input', type: 's32' },
  8: { name: 'bcForwarding', type: 's32' },
});
/** Decoded NETCONFA_* attributes. */
export interface NetconfAttributes {
  /** NETCONFA_IFINDEX (s32). */
  ifindex?: number;
  /** NETCONFA_FORWARDING (s32). */
  forwarding?: number;
  /** NETCONFA_RP_FILTER (s32). */
  rpFilter?: number;
  /** NETCONFA_MC_FORWARDING (s32). */
  mcForwarding?: number;
  /** NETCONFA_PROXY_NEIGH (s32). */
  proxyNeigh?: number;
  /** NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN (s32). */
  ignoreRoutesWithLinkdown?: number;
  /** NETCONFA_INPUT (s32). */
  input?: number;
  /** NETCONFA_BC_FORWARDING (s32). */
  bcForwarding?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type NetconfAttributesMatchesSchema = Assert<SameAttributes<NetconfAttributes, AttrsOf<typeof NetconfAttrs>>>;

/** NETCONFA_IFINDEX_ALL: the `all` settings (net.ipv4.conf.all.*). */
export const NETCONFA_IFINDEX_ALL = -1;
/** NETCONFA_IFINDEX_DEFAULT: the `default` settings, copied to new devices. */
export const NETCONFA_IFINDEX_DEFAULT = -2;

/** A decoded netconf message. */
export interface NetconfMessage {
  header: NetconfHeader;
  attrs: NetconfAttributes;
}

/** Decodes an RTM_NEWNETCONF / RTM_DELNETCONF message. */
export function decodeNetconfMessage(m: NlMessage): NetconfMessage {
  const header = NetconfMsg.decode(m.buf, m.start, m.end);
  const attrs = NetconfAttrs.decode(m.buf, m.start + NetconfMsg.size, m.end);
  return { header, attrs };
}

/** Encodes a netconfmsg and attributes (a dump request is the header alone). */
export function encodeNetconfMessage(w: NlWriter, header: Partial<NetconfHeader>, attrs: Partial<NetconfAttributes> = {}): void {
  NetconfMsg.encode(w, header);
  NetconfAttrs.encode(w, attrs);
}
