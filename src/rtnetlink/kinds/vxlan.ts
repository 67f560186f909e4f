/**
 * VXLAN attributes (IFLA_VXLAN_*, IFLA_INFO_DATA of kind `vxlan`, linux/if_link.h).
 * Ports and the flow label are big-endian, written without NLA_F_NET_BYTEORDER as iproute2 does.
 * @internal
 * @module
 */
import { type AttributesInputOf, type AttributesOf, defineAttributes, type Schema, structField } from '../../netlink/attributes.js';
import { defineStruct, type Struct, type StructFieldsOf } from '../../netlink/struct.js';
import { be16Field, be32Field, flagU8Field } from '../fields.js';
import { registerLinkKind } from '../link-kind-registry.js';

const IFLA_VXLAN_PORT_RANGE_FIELDS = {
  /** ifla_vxlan_port_range.low (be16). */
  low: 'be16',
  /** ifla_vxlan_port_range.high (be16). */
  high: 'be16',
} as const;
/**
 * struct ifla_vxlan_port_range (IFLA_VXLAN_PORT_RANGE), host order.
 * @interface
 */
export type VxlanPortRangeValue = StructFieldsOf<typeof IFLA_VXLAN_PORT_RANGE_FIELDS>;
/** struct ifla_vxlan_port_range: UDP source port range, both big-endian. */
export const VxlanPortRange: Struct<VxlanPortRangeValue> = defineStruct('ifla_vxlan_port_range', IFLA_VXLAN_PORT_RANGE_FIELDS);

const IFLA_VXLAN_FIELDS = {
  /** IFLA_VXLAN_ID (u32). */
  id: { nla: 1, type: 'u32' },
  /** IFLA_VXLAN_GROUP (IP address). */
  group: { nla: 2, type: 'ip' },
  /** IFLA_VXLAN_LINK (u32). */
  link: { nla: 3, type: 'u32' },
  /** IFLA_VXLAN_LOCAL (IP address). */
  local: { nla: 4, type: 'ip' },
  /** IFLA_VXLAN_TTL (u8). */
  ttl: { nla: 5, type: 'u8' },
  /** IFLA_VXLAN_TOS (u8). */
  tos: { nla: 6, type: 'u8' },
  /** IFLA_VXLAN_LEARNING (u8). */
  learning: { nla: 7, type: 'u8' },
  /** IFLA_VXLAN_AGEING (u32). */
  ageing: { nla: 8, type: 'u32' },
  /** IFLA_VXLAN_LIMIT (u32). */
  limit: { nla: 9, type: 'u32' },
  /** IFLA_VXLAN_PORT_RANGE. */
  portRange: { nla: 10, ...structField('portRange', VxlanPortRange) },
  /** IFLA_VXLAN_PROXY (u8). */
  proxy: { nla: 11, type: 'u8' },
  /** IFLA_VXLAN_RSC (u8). */
  rsc: { nla: 12, type: 'u8' },
  /** IFLA_VXLAN_L2MISS (u8). */
  l2miss: { nla: 13, type: 'u8' },
  /** IFLA_VXLAN_L3MISS (u8). */
  l3miss: { nla: 14, type: 'u8' },
  /** IFLA_VXLAN_PORT. */
  port: { nla: 15, ...be16Field('port') },
  /** IFLA_VXLAN_GROUP6 (IP address). */
  group6: { nla: 16, type: 'ip' },
  /** IFLA_VXLAN_LOCAL6 (IP address). */
  local6: { nla: 17, type: 'ip' },
  /** IFLA_VXLAN_UDP_CSUM (u8). */
  udpCsum: { nla: 18, type: 'u8' },
  /** IFLA_VXLAN_UDP_ZERO_CSUM6_TX (u8). */
  udpZeroCsum6Tx: { nla: 19, type: 'u8' },
  /** IFLA_VXLAN_UDP_ZERO_CSUM6_RX (u8). */
  udpZeroCsum6Rx: { nla: 20, type: 'u8' },
  /** IFLA_VXLAN_REMCSUM_TX (u8). */
  remcsumTx: { nla: 21, type: 'u8' },
  /** IFLA_VXLAN_REMCSUM_RX (u8). */
  remcsumRx: { nla: 22, type: 'u8' },
  /** IFLA_VXLAN_GBP (flag). */
  gbp: { nla: 23, type: 'flag' },
  /** IFLA_VXLAN_REMCSUM_NOPARTIAL (flag). */
  remcsumNopartial: { nla: 24, type: 'flag' },
  /** IFLA_VXLAN_COLLECT_METADATA (u8). */
  collectMetadata: { nla: 25, type: 'u8' },
  /** IFLA_VXLAN_LABEL. */
  label: { nla: 26, ...be32Field('label') },
  /** IFLA_VXLAN_GPE (flag). */
  gpe: { nla: 27, type: 'flag' },
  /** IFLA_VXLAN_TTL_INHERIT. */
  ttlInherit: { nla: 28, ...flagU8Field('ttlInherit') },
  /** IFLA_VXLAN_DF (u8). */
  df: { nla: 29, type: 'u8' },
  /** IFLA_VXLAN_VNIFILTER (u8). */
  vnifilter: { nla: 30, type: 'u8' },
  /** IFLA_VXLAN_LOCALBYPASS (31, u8). */
  localbypass: { nla: 31, type: 'u8' },
  /** IFLA_VXLAN_LABEL_POLICY (32, u32). */
  labelPolicy: { nla: 32, type: 'u32' },
  /** IFLA_VXLAN_RESERVED_BITS (33, raw bytes). */
  reservedBits: { nla: 33, type: 'binary' },
} as const;
/**
 * Decoded IFLA_VXLAN_* attributes (kind `vxlan`).
 * @interface
 */
export type VxlanAttributes = AttributesOf<typeof IFLA_VXLAN_FIELDS>;
/** IFLA_VXLAN_* */
export const VxlanAttrs: Schema<VxlanAttributes, AttributesInputOf<typeof IFLA_VXLAN_FIELDS>> = defineAttributes('IFLA_VXLAN', IFLA_VXLAN_FIELDS);

/** VXLAN_DF_* values of IFLA_VXLAN_DF. */
export const VXLAN_DF = ['unset', 'set', 'inherit'] as const;

declare module '../link-kind-registry.js' {
  interface LinkKindDataMap {
    /** vxlan: IFLA_VXLAN_*. */
    vxlan: VxlanAttributes;
  }
}

registerLinkKind('vxlan', VxlanAttrs as Schema<object>);
