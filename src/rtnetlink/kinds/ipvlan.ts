/**
 * ipvlan and ipvtap (IFLA_IPVLAN_*, IFLA_INFO_DATA of kinds `ipvlan` and `ipvtap`, linux/if_link.h).
 * @internal
 * @module
 */
import { type AttributesInputOf, type AttributesOf, defineAttributes, type Schema } from '../../netlink/attributes.js';
import { registerLinkKind } from '../link-kind-registry.js';

const IFLA_IPVLAN_FIELDS = {
  /** IFLA_IPVLAN_MODE (u16). */
  mode: { nla: 1, type: 'u16' },
  /** IFLA_IPVLAN_FLAGS (u16). */
  flags: { nla: 2, type: 'u16' },
} as const;
/**
 * Decoded IFLA_IPVLAN_* attributes (kinds `ipvlan`, `ipvtap`).
 * @interface
 */
export type IpvlanAttributes = AttributesOf<typeof IFLA_IPVLAN_FIELDS>;
/** IFLA_IPVLAN_* (kinds `ipvlan` / `ipvtap`). */
export const IpvlanAttrs: Schema<IpvlanAttributes, AttributesInputOf<typeof IFLA_IPVLAN_FIELDS>> = defineAttributes('IFLA_IPVLAN', IFLA_IPVLAN_FIELDS);

declare module '../link-kind-registry.js' {
  interface LinkKindDataMap {
    /** ipvlan and ipvtap: IFLA_IPVLAN_*. */
    ipvlan: IpvlanAttributes;
  }
}

registerLinkKind('ipvlan', IpvlanAttrs as Schema<object>);
registerLinkKind('ipvtap', IpvlanAttrs as Schema<object>);
