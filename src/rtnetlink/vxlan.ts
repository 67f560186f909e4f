/**
 * VXLAN attributes (IFLA_VXLAN_*, IFLA_INFO_DATA of kind `vxlan`, linux/if_link.h).
 * Ports and the flow label are big-endian, written without NLA_F_NET_BYTEORDER as iproute2 does.
 * @internal
 * @module
 */
import { type Assert, type AttrsOf, defineSchema, defineStruct, type RawAttr, type SameAttributes, structField } from '../netlink/attributes.js';
import { be16Field, be32Field, flagU8Field } from './fields.js';

/** struct ifla_vxlan_port_range: UDP source port range, both big-endian. */
export const VxlanPortRange = defineStruct('ifla_vxlan_port_range', [
  ['low', 'be16'],
  ['high', 'be16'],
] as const);

/** IFLA_VXLAN_* */
export const VxlanAttrs = defineSchema('IFLA_VXLAN', {
  1: { name: 'id', type: 'u32' },
  2: { name: 'group', type: 'ip' },
  3: { name: 'link', type: 'u32' },
  4: { name: 'local', type: 'ip' },
  5: { name: 'ttl', type: 'u8' },
  6: { name: 'tos', type: 'u8' },
  7: { name: 'learning', type: 'u8' },
  8: { name: 'ageing', type: 'u32' },
  9: { name: 'limit', type: 'u32' },
  10: structField('portRange', VxlanPortRange),
  11: { name: 'proxy', type: 'u8' },
  12: { name: 'rsc', type: 'u8' },
  13: { name: 'l2miss', type: 'u8' },
  14: { name: 'l3miss', type: 'u8' },
  15: be16Field('port'),
  16: { name: 'group6', type: 'ip' },
  17: { name: 'local6', type: 'ip' },
  18: { name: 'udpCsum', type: 'u8' },
  19: { name: 'udpZeroCsum6Tx', type: 'u8' },
  20: { name: 'udpZeroCsum6Rx', type: 'u8' },
  21: { name: 'remcsumTx', type: 'u8' },
  22: { name: 'remcsumRx', type: 'u8' },
  23: { name: 'gbp', type: 'flag' },
  24: { name: 'remcsumNopartial', type: 'flag' },
  25: { name: 'collectMetadata', type: 'u8' },
  26: be32Field('label'),
  27: { name: 'gpe', type: 'flag' },
  28: flagU8Field('ttlInherit'),
  29: { name: 'df', type: 'u8' },
  30: { name: 'vnifilter', type: 'u8' },
  31: { name: 'localbypass', type: 'u8' },
  32: { name: 'labelPolicy', type: 'u32' },
  33: { name: 'reservedBits', type: 'binary' },
});
/** struct ifla_vxlan_port_range (IFLA_VXLAN_PORT_RANGE), host order. */
export interface VxlanPortRangeValue {
  /** ifla_vxlan_port_range.low (be16). */
  low: number;
  /** ifla_vxlan_port_range.high (be16). */
  high: number;
}
type VxlanPortRangeValueMatchesStruct = Assert<SameAttributes<VxlanPortRangeValue, ReturnType<typeof VxlanPortRange.decode>>>;
/** Decoded IFLA_VXLAN_* attributes (kind `vxlan`). */
export interface VxlanAttributes {
  /** IFLA_VXLAN_ID (u32). */
  id?: number;
  /** IFLA_VXLAN_GROUP (IP address). */
  group?: string;
  /** IFLA_VXLAN_LINK (u32). */
  link?: number;
  /** IFLA_VXLAN_LOCAL (IP address). */
  local?: string;
  /** IFLA_VXLAN_TTL (u8). */
  ttl?: number;
  /** IFLA_VXLAN_TOS (u8). */
  tos?: number;
  /** IFLA_VXLAN_LEARNING (u8). */
  learning?: number;
  /** IFLA_VXLAN_AGEING (u32). */
  ageing?: number;
  /** IFLA_VXLAN_LIMIT (u32). */
  limit?: number;
  /** IFLA_VXLAN_PORT_RANGE. */
  portRange?: VxlanPortRangeValue;
  /** IFLA_VXLAN_PROXY (u8). */
  proxy?: number;
  /** IFLA_VXLAN_RSC (u8). */
  rsc?: number;
  /** IFLA_VXLAN_L2MISS (u8). */
  l2miss?: number;
  /** IFLA_VXLAN_L3MISS (u8). */
  l3miss?: number;
  /** IFLA_VXLAN_PORT. */
  port?: number;
  /** IFLA_VXLAN_GROUP6 (IP address). */
  group6?: string;
  /** IFLA_VXLAN_LOCAL6 (IP address). */
  local6?: string;
  /** IFLA_VXLAN_UDP_CSUM (u8). */
  udpCsum?: number;
  /** IFLA_VXLAN_UDP_ZERO_CSUM6_TX (u8). */
  udpZeroCsum6Tx?: number;
  /** IFLA_VXLAN_UDP_ZERO_CSUM6_RX (u8). */
  udpZeroCsum6Rx?: number;
  /** IFLA_VXLAN_REMCSUM_TX (u8). */
  remcsumTx?: number;
  /** IFLA_VXLAN_REMCSUM_RX (u8). */
  remcsumRx?: number;
  /** IFLA_VXLAN_GBP (flag). */
  gbp?: boolean;
  /** IFLA_VXLAN_REMCSUM_NOPARTIAL (flag). */
  remcsumNopartial?: boolean;
  /** IFLA_VXLAN_COLLECT_METADATA (u8). */
  collectMetadata?: number;
  /** IFLA_VXLAN_LABEL. */
  label?: number;
  /** IFLA_VXLAN_GPE (flag). */
  gpe?: boolean;
  /** IFLA_VXLAN_TTL_INHERIT. */
  ttlInherit?: boolean;
  /** IFLA_VXLAN_DF (u8). */
  df?: number;
  /** IFLA_VXLAN_VNIFILTER (u8). */
  vnifilter?: number;
  /** IFLA_VXLAN_LOCALBYPASS (31, u8). */
  localbypass?: number;
  /** IFLA_VXLAN_LABEL_POLICY (32, u32). */
  labelPolicy?: number;
  /** IFLA_VXLAN_RESERVED_BITS (33, raw bytes). */
  reservedBits?: Buffer;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type VxlanAttributesMatchesSchema = Assert<SameAttributes<VxlanAttributes, AttrsOf<typeof VxlanAttrs>>>;

/** VXLAN_DF_* values of IFLA_VXLAN_DF. */
export const VXLAN_DF = ['unset', 'set', 'inherit'] as const;
