/**
 * macvlan and macvtap (IFLA_MACVLAN_*, IFLA_INFO_DATA of kinds `macvlan` and `macvtap`,
 * linux/if_link.h).
 * @internal
 * @module
 */
import { type AttributesInputOf, type AttributesOf, defineAttributes, type Schema } from '../../netlink/attributes.js';
import { registerLinkKind } from '../link-kind-registry.js';

const IFLA_MACVLAN_FIELDS = {
  /** IFLA_MACVLAN_MODE (u32). */
  mode: { nla: 1, type: 'u32' },
  /** IFLA_MACVLAN_FLAGS (u16). */
  flags: { nla: 2, type: 'u16' },
  /** IFLA_MACVLAN_MACADDR_MODE (u32). */
  macaddrMode: { nla: 3, type: 'u32' },
  /** IFLA_MACVLAN_MACADDR (link-layer address). */
  macaddr: { nla: 4, type: 'mac' },
  /** IFLA_MACVLAN_MACADDR_DATA (raw bytes). */
  macaddrData: { nla: 5, type: 'binary' },
  /** IFLA_MACVLAN_MACADDR_COUNT (u32). */
  macaddrCount: { nla: 6, type: 'u32' },
  /** IFLA_MACVLAN_BC_QUEUE_LEN (u32). */
  bcQueueLen: { nla: 7, type: 'u32' },
  /** IFLA_MACVLAN_BC_QUEUE_LEN_USED (u32). */
  bcQueueLenUsed: { nla: 8, type: 'u32' },
  /** IFLA_MACVLAN_BC_CUTOFF (9, s32). */
  bcCutoff: { nla: 9, type: 's32' },
} as const;
/**
 * Decoded IFLA_MACVLAN_* attributes (kinds `macvlan`, `macvtap`).
 * @interface
 */
export type MacvlanAttributes = AttributesOf<typeof IFLA_MACVLAN_FIELDS>;
/** IFLA_MACVLAN_* (kinds `macvlan` and `macvtap`). */
export const MacvlanAttrs: Schema<MacvlanAttributes, AttributesInputOf<typeof IFLA_MACVLAN_FIELDS>> = defineAttributes('IFLA_MACVLAN', IFLA_MACVLAN_FIELDS);

/** MACVLAN_MODE_* by name. */
export const MACVLAN_MODES = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 } as const;
/** MACVLAN_FLAG_NOPROMISC */
export const MACVLAN_FLAG_NOPROMISC = 1;
/** MACVLAN_FLAG_NODST */
export const MACVLAN_FLAG_NODST = 2;

declare module '../link-kind-registry.js' {
  interface LinkKindDataMap {
    /** macvlan and macvtap: IFLA_MACVLAN_*. */
    macvlan: MacvlanAttributes;
  }
}

registerLinkKind('macvlan', MacvlanAttrs as Schema<object>);
registerLinkKind('macvtap', MacvlanAttrs as Schema<object>);
