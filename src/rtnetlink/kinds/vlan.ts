/**
 * 802.1Q / 802.1ad VLANs (IFLA_VLAN_*, IFLA_INFO_DATA of kind `vlan`, linux/if_link.h).
 * @internal
 * @module
 */
import { type AttributesInputOf, type AttributesOf, defineAttributes, type Schema, structField } from '../../netlink/attributes.js';
import { defineStruct, type Struct, type StructFieldsOf } from '../../netlink/struct.js';
import { be16Field } from '../fields.js';
import { registerLinkKind } from '../link-kind-registry.js';

const IFLA_VLAN_FLAGS_FIELDS = {
  /** ifla_vlan_flags.flags (u32). */
  flags: 'u32',
  /** ifla_vlan_flags.mask (u32). */
  mask: 'u32',
} as const;
/**
 * struct ifla_vlan_flags (IFLA_VLAN_FLAGS).
 * @interface
 */
export type VlanFlagsValue = StructFieldsOf<typeof IFLA_VLAN_FLAGS_FIELDS>;
/** struct ifla_vlan_flags */
export const VlanFlags: Struct<VlanFlagsValue> = defineStruct('ifla_vlan_flags', IFLA_VLAN_FLAGS_FIELDS);
const IFLA_VLAN_QOS_MAPPING_FIELDS = {
  /** ifla_vlan_qos_mapping.from (u32). */
  from: 'u32',
  /** ifla_vlan_qos_mapping.to (u32). */
  to: 'u32',
} as const;
/**
 * struct ifla_vlan_qos_mapping: one priority mapping.
 * @interface
 */
export type VlanQosMappingValue = StructFieldsOf<typeof IFLA_VLAN_QOS_MAPPING_FIELDS>;
/** struct ifla_vlan_qos_mapping */
export const VlanQosMapping: Struct<VlanQosMappingValue> = defineStruct('ifla_vlan_qos_mapping', IFLA_VLAN_QOS_MAPPING_FIELDS);
const IFLA_VLAN_QOS_FIELDS = {
  /** IFLA_VLAN_QOS_MAPPING, repeated. */
  mapping: { nla: 1, ...structField('mapping', VlanQosMapping), multi: true },
} as const;
/**
 * Decoded IFLA_VLAN_QOS_* (an ingress or egress priority map).
 * @interface
 */
export type VlanQosAttributes = AttributesOf<typeof IFLA_VLAN_QOS_FIELDS>;
/** IFLA_VLAN_QOS_* */
export const VlanQos: Schema<VlanQosAttributes, AttributesInputOf<typeof IFLA_VLAN_QOS_FIELDS>> = defineAttributes('IFLA_VLAN_QOS', IFLA_VLAN_QOS_FIELDS);

const IFLA_VLAN_FIELDS = {
  /** IFLA_VLAN_ID (u16). */
  id: { nla: 1, type: 'u16' },
  /** IFLA_VLAN_FLAGS. */
  flags: { nla: 2, ...structField('flags', VlanFlags) },
  /** IFLA_VLAN_EGRESS_QOS (nested). */
  egressQos: { nla: 3, type: 'nested', schema: VlanQos },
  /** IFLA_VLAN_INGRESS_QOS (nested). */
  ingressQos: { nla: 4, type: 'nested', schema: VlanQos },
  /** IFLA_VLAN_PROTOCOL. */
  protocol: { nla: 5, ...be16Field('protocol') },
} as const;
/**
 * Decoded IFLA_VLAN_* attributes (kind `vlan`).
 * @interface
 */
export type VlanAttributes = AttributesOf<typeof IFLA_VLAN_FIELDS>;
/** IFLA_VLAN_* (kind `vlan`). */
export const VlanAttrs: Schema<VlanAttributes, AttributesInputOf<typeof IFLA_VLAN_FIELDS>> = defineAttributes('IFLA_VLAN', IFLA_VLAN_FIELDS);

/** VLAN_FLAG_* (ifla_vlan_flags.flags). */
export const VLAN_FLAG_REORDER_HDR = 0x1;
export const VLAN_FLAG_GVRP = 0x2;
export const VLAN_FLAG_LOOSE_BINDING = 0x4;
export const VLAN_FLAG_MVRP = 0x8;
export const VLAN_FLAG_BRIDGE_BINDING = 0x10;
/** ETH_P_8021Q / ETH_P_8021AD */
export const ETH_P_8021Q = 0x8100;
export const ETH_P_8021AD = 0x88a8;

declare module '../link-kind-registry.js' {
  interface LinkKindDataMap {
    /** vlan: IFLA_VLAN_*. */
    vlan: VlanAttributes;
  }
}

registerLinkKind('vlan', VlanAttrs as Schema<object>);
