/**
 * Namespace id family (RTM_NEWNSID / RTM_GETNSID): struct rtgenmsg and NETNSA_* attributes.
 * An nsid is how one namespace names another (what `ip netns set NAME ID` assigns and
 * what `ip link` shows as `link-netnsid`).
 * @internal
 * @module
 */
import { type Assert, type AttrsOf, defineSchema, defineStruct, type RawAttr, type SameAttributes } from '../netlink/attributes.js';

/** struct rtgenmsg, padded to 4 bytes as the kernel parses it. */
export const RtGenMsg = defineStruct('rtgenmsg', [
  ['family', 'u8'],
  ['_pad1', 'pad1'],
  ['_pad2', 'pad2'],
] as const);

export const NsidAttrs = defineSchema('NETNSA', {
  1: { name: 'nsid', type: 's32' },
  2: { name: 'pid', type: 'u32' },
  3: { name: 'fd', type: 'u32' },
  4: { name: 'targetNsid', type: 's32' },
  5: { name: 'currentNsid', type: 's32' },
});
/** Decoded NETNSA_* attributes. */
export interface NsidAttributes {
  /** NETNSA_NSID (s32). */
  nsid?: number;
  /** NETNSA_PID (u32). */
  pid?: number;
  /** NETNSA_FD (u32). */
  fd?: number;
  /** NETNSA_TARGET_NSID (s32). */
  targetNsid?: number;
  /** NETNSA_CURRENT_NSID (s32). */
  currentNsid?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type NsidAttributesMatchesSchema = Assert<SameAttributes<NsidAttributes, AttrsOf<typeof NsidAttrs>>>;

/** NETNSA_NSID_NOT_ASSIGNED */
export const NSID_NOT_ASSIGNED = -1;
