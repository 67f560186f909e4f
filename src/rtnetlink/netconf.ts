/**
 * Netconf family (RTM_NEWNETCONF / RTM_DELNETCONF / RTM_GETNETCONF): struct netconfmsg and
 * the NETCONFA_* attributes (linux/netconf.h). The kernel announces per-device and global
 * IPv4/IPv6 settings (forwarding, rp_filter, proxy_ndp, …) with it, e.g. when a sysctl under
 * `net.ipv4.conf.*` changes or a device appears — what `ip monitor netconf` prints.
 * @internal
 * @module
 */
import { type AttributesInputOf, type AttributesOf, defineAttributes, type Schema } from '../netlink/attributes.js';
import { defineStruct } from '../netlink/struct.js';
import type { NlMessage } from '../netlink/message.js';
import type { NlWriter } from '../netlink/writer.js';

/** struct netconfmsg: one byte, padded to 4 as the kernel aligns the attributes after it. */
export const NetconfMsg = defineStruct('netconfmsg', [
  ['family', 'u8'],
  ['_pad1', 'pad1'],
  ['_pad2', 'pad2'],
] as const);
export type NetconfHeader = ReturnType<typeof NetconfMsg.decode>;

const NETCONFA_FIELDS = {
  /** NETCONFA_IFINDEX (s32). */
  ifindex: { nla: 1, type: 's32' },
  /** NETCONFA_FORWARDING (s32). */
  forwarding: { nla: 2, type: 's32' },
  /** NETCONFA_RP_FILTER (s32). */
  rpFilter: { nla: 3, type: 's32' },
  /** NETCONFA_MC_FORWARDING (s32). */
  mcForwarding: { nla: 4, type: 's32' },
  /** NETCONFA_PROXY_NEIGH (s32). */
  proxyNeigh: { nla: 5, type: 's32' },
  /** NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN (s32). */
  ignoreRoutesWithLinkdown: { nla: 6, type: 's32' },
  /** NETCONFA_INPUT (s32). */
  input: { nla: 7, type: 's32' },
  /** NETCONFA_BC_FORWARDING (s32). */
  bcForwarding: { nla: 8, type: 's32' },
} as const;
/**
 * Decoded NETCONFA_* attributes.
 * @interface
 */
export type NetconfAttributes = AttributesOf<typeof NETCONFA_FIELDS>;
/** NETCONFA_* attributes. */
export const NetconfAttrs: Schema<NetconfAttributes, NetconfAttributesInput> = defineAttributes('NETCONFA', NETCONFA_FIELDS);
/** NETCONFA_* attributes as a request carries them (addresses as text or bytes). */
export type NetconfAttributesInput = AttributesInputOf<typeof NETCONFA_FIELDS>;

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
export function encodeNetconfMessage(w: NlWriter, header: Partial<NetconfHeader>, attrs: NetconfAttributesInput = {}): void {
  NetconfMsg.encode(w, header);
  NetconfAttrs.encode(w, attrs);
}
