/**
 * Namespace id family (RTM_NEWNSID / RTM_GETNSID): struct rtgenmsg and NETNSA_* attributes.
 * An nsid is how one namespace names another (what `ip netns set NAME ID` assigns and
 * what `ip link` shows as `link-netnsid`).
 * @internal
 * @module
 */
import { type AttributesInputOf, type AttributesOf, defineAttributes, type Schema } from '../netlink/attributes.js';
import { defineStruct } from '../netlink/struct.js';

/** struct rtgenmsg, padded to 4 bytes as the kernel parses it. */
export const RtGenMsg = defineStruct('rtgenmsg', [
  ['family', 'u8'],
  ['_pad1', 'pad1'],
  ['_pad2', 'pad2'],
] as const);

const NETNSA_FIELDS = {
  /** NETNSA_NSID (s32). */
  nsid: { nla: 1, type: 's32' },
  /** NETNSA_PID (u32). */
  pid: { nla: 2, type: 'u32' },
  /** NETNSA_FD (u32). */
  fd: { nla: 3, type: 'u32' },
  /** NETNSA_TARGET_NSID (s32). */
  targetNsid: { nla: 4, type: 's32' },
  /** NETNSA_CURRENT_NSID (s32). */
  currentNsid: { nla: 5, type: 's32' },
} as const;
/**
 * Decoded NETNSA_* attributes.
 * @interface
 */
export type NsidAttributes = AttributesOf<typeof NETNSA_FIELDS>;
export const NsidAttrs: Schema<NsidAttributes, AttributesInputOf<typeof NETNSA_FIELDS>> = defineAttributes('NETNSA', NETNSA_FIELDS);

/** NETNSA_NSID_NOT_ASSIGNED */
export const NSID_NOT_ASSIGNED = -1;
