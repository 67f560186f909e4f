/**
 * VRF devices (IFLA_VRF_*, IFLA_INFO_DATA of kind `vrf`) and their ports (IFLA_VRF_PORT_*,
 * IFLA_INFO_SLAVE_DATA), linux/if_link.h.
 * @internal
 * @module
 */
import { type AttributesInputOf, type AttributesOf, defineAttributes, type Schema } from '../../netlink/attributes.js';
import { registerLinkKind, registerLinkSlaveKind } from '../link-kind-registry.js';

const IFLA_VRF_FIELDS = {
  /** IFLA_VRF_TABLE (u32). */
  table: { nla: 1, type: 'u32' },
} as const;
/**
 * Decoded IFLA_VRF_* attributes (kind `vrf`).
 * @interface
 */
export type VrfAttributes = AttributesOf<typeof IFLA_VRF_FIELDS>;
/** IFLA_VRF_* (kind `vrf`). */
export const VrfAttrs: Schema<VrfAttributes, AttributesInputOf<typeof IFLA_VRF_FIELDS>> = defineAttributes('IFLA_VRF', IFLA_VRF_FIELDS);
const IFLA_VRF_PORT_FIELDS = {
  /** IFLA_VRF_PORT_TABLE (u32). */
  table: { nla: 1, type: 'u32' },
} as const;
/**
 * Decoded IFLA_VRF_PORT_* attributes (slave kind `vrf`).
 * @interface
 */
export type VrfPortAttributes = AttributesOf<typeof IFLA_VRF_PORT_FIELDS>;
/** IFLA_VRF_PORT_* (slave kind `vrf`). */
export const VrfPortAttrs: Schema<VrfPortAttributes, AttributesInputOf<typeof IFLA_VRF_PORT_FIELDS>> = defineAttributes('IFLA_VRF_PORT', IFLA_VRF_PORT_FIELDS);

declare module '../link-kind-registry.js' {
  interface LinkKindDataMap {
    /** vrf: IFLA_VRF_*. */
    vrf: VrfAttributes;
  }
  interface LinkSlaveDataMap {
    /** a vrf port: IFLA_VRF_PORT_*. */
    vrf: VrfPortAttributes;
  }
}

registerLinkKind('vrf', VrfAttrs as Schema<object>);
registerLinkSlaveKind('vrf', VrfPortAttrs as Schema<object>);
