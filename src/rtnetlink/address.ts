/**
 * Address family (RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR): struct ifaddrmsg and the IFA_*
 * attributes (linux/if_addr.h), address flags, scopes and lifetimes.
 * @internal
 * @module
 */
import { type AttributesInputOf, type AttributesOf, defineAttributes, type Schema, structField } from '../netlink/attributes.js';
import { defineStruct, type Struct, type StructFieldsOf } from '../netlink/struct.js';
import type { NlMessage } from '../netlink/message.js';
import type { NlWriter } from '../netlink/writer.js';

/** struct ifaddrmsg */
export const IfAddrMsg = defineStruct('ifaddrmsg', [
  ['family', 'u8'],
  ['prefixlen', 'u8'],
  ['flags', 'u8'],
  ['scope', 'u8'],
  ['index', 'u32'],
] as const);
export type IfAddrHeader = ReturnType<typeof IfAddrMsg.decode>;

const IFA_CACHEINFO_FIELDS = {
  /** ifa_cacheinfo.preferred (u32). */
  preferred: 'u32',
  /** ifa_cacheinfo.valid (u32). */
  valid: 'u32',
  /** ifa_cacheinfo.created (u32). */
  created: 'u32',
  /** ifa_cacheinfo.updated (u32). */
  updated: 'u32',
} as const;
/**
 * struct ifa_cacheinfo (IFA_CACHEINFO): lifetimes in seconds, timestamps in 1/100 s since boot.
 * @interface
 */
export type IfaCacheInfoValue = StructFieldsOf<typeof IFA_CACHEINFO_FIELDS>;
/** struct ifa_cacheinfo: lifetimes in seconds (0xffffffff = forever), stamps in 1/100 s since boot. */
export const IfaCacheInfo: Struct<IfaCacheInfoValue> = defineStruct('ifa_cacheinfo', IFA_CACHEINFO_FIELDS);

/** INFINITY_LIFE_TIME: a lifetime that never ends (`forever`). */
export const INFINITY_LIFE_TIME = 0xffffffff;

const IFA_FIELDS = {
  /** IFA_ADDRESS (IP address). */
  address: { nla: 1, type: 'ip' },
  /** IFA_LOCAL (IP address). */
  local: { nla: 2, type: 'ip' },
  /** IFA_LABEL (string). */
  label: { nla: 3, type: 'string' },
  /** IFA_BROADCAST (IP address). */
  broadcast: { nla: 4, type: 'ip' },
  /** IFA_ANYCAST (IP address). */
  anycast: { nla: 5, type: 'ip' },
  /** IFA_CACHEINFO. */
  cacheinfo: { nla: 6, ...structField('cacheinfo', IfaCacheInfo) },
  /** IFA_MULTICAST (IP address). */
  multicast: { nla: 7, type: 'ip' },
  /** IFA_FLAGS (u32). */
  flags: { nla: 8, type: 'u32' },
  /** IFA_RT_PRIORITY (u32). */
  rtPriority: { nla: 9, type: 'u32' },
  /** IFA_TARGET_NETNSID (s32). */
  targetNetnsid: { nla: 10, type: 's32' },
  /** IFA_PROTO (u8). */
  proto: { nla: 11, type: 'u8' },
} as const;
/**
 * Decoded IFA_* attributes of an address message.
 * @interface
 */
export type AddrAttributes = AttributesOf<typeof IFA_FIELDS>;
/** IFA_* attributes. */
export const AddrAttrs: Schema<AddrAttributes, AddrAttributesInput> = defineAttributes('IFA', IFA_FIELDS);
/** IFA_* attributes as a request carries them (addresses as text or bytes). */
export type AddrAttributesInput = AttributesInputOf<typeof IFA_FIELDS>;

/** A decoded address message. */
export interface AddrMessage {
  header: IfAddrHeader;
  attrs: AddrAttributes;
}

/** Decodes an RTM_NEWADDR / RTM_DELADDR message. */
export function decodeAddrMessage(m: NlMessage): AddrMessage {
  const header = IfAddrMsg.decode(m.buf, m.start, m.end);
  const attrs = AddrAttrs.decode(m.buf, m.start + IfAddrMsg.size, m.end);
  return { header, attrs };
}

/** Encodes an ifaddrmsg and attributes. */
export function encodeAddrMessage(w: NlWriter, header: Partial<IfAddrHeader>, attrs: AddrAttributesInput = {}): void {
  IfAddrMsg.encode(w, header);
  AddrAttrs.encode(w, attrs);
}

// ifa_flags (IFA_F_*)
export const IFA_F_SECONDARY = 0x01;
export const IFA_F_TEMPORARY = IFA_F_SECONDARY;
export const IFA_F_NODAD = 0x02;
export const IFA_F_OPTIMISTIC = 0x04;
export const IFA_F_DADFAILED = 0x08;
export const IFA_F_HOMEADDRESS = 0x10;
export const IFA_F_DEPRECATED = 0x20;
export const IFA_F_TENTATIVE = 0x40;
export const IFA_F_PERMANENT = 0x80;
export const IFA_F_MANAGETEMPADDR = 0x100;
export const IFA_F_NOPREFIXROUTE = 0x200;
export const IFA_F_MCAUTOJOIN = 0x400;
export const IFA_F_STABLE_PRIVACY = 0x800;

/**
 * An address flag name, as `ip addr` prints it: `secondary` (IPv6: temporary), `nodad`,
 * `optimistic`, `dadfailed`, `home`, `deprecated`, `tentative`, `permanent`, `mngtmpaddr`,
 * `noprefixroute`, `autojoin`, `stable-privacy`.
  * @category Addresses & routes
 */
export type AddressFlagName =
  | 'secondary'
  | 'nodad'
  | 'optimistic'
  | 'dadfailed'
  | 'home'
  | 'deprecated'
  | 'tentative'
  | 'permanent'
  | 'mngtmpaddr'
  | 'noprefixroute'
  | 'autojoin'
  | 'stable-privacy';

/** Address flag names by IFA_F_* bit number (bit 0 = 0x01). */
export const ADDRESS_FLAG_NAMES: readonly AddressFlagName[] = [
  'secondary',
  'nodad',
  'optimistic',
  'dadfailed',
  'home',
  'deprecated',
  'tentative',
  'permanent',
  'mngtmpaddr',
  'noprefixroute',
  'autojoin',
  'stable-privacy',
];

/** The IFA_F_* bit of a flag name. */
export function addressFlagBit(name: AddressFlagName): number {
  return 1 << ADDRESS_FLAG_NAMES.indexOf(name);
}

/** Names of the bits set in an IFA_F_* word. */
export function addressFlagNames(flags: number): AddressFlagName[] {
  return ADDRESS_FLAG_NAMES.filter((_, i) => (flags & (1 << i)) !== 0);
}

// ifa_proto (IFAPROT_*)
/** Address protocol names (`ip addr … proto NAME`). */
export const ADDRESS_PROTOCOLS: Record<number, string> = { 0: 'unspec', 1: 'kernel_lo', 2: 'kernel_ra', 3: 'kernel_ll' };
