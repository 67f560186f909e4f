/**
 * VXLAN attributes (IFLA_VXLAN_*, IFLA_INFO_DATA of kind `vxlan`, linux/if_link.h).
 * Ports and the flow label are big-endian, written without NLA_F_NET_BYTEORDER as iproute2 does.
 * @internal
 * @module
 */
import { type AttrsOf, defineSchema, defineStruct, structField } from '../netlink/attributes.js';
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
/** Decoded IFLA_VXLAN_* attributes. */
export type VxlanAttributes = AttrsOf<typeof VxlanAttrs>;

/** VXLAN_DF_* values of IFLA_VXLAN_DF. */
export const VXLAN_DF = ['unset', 'set', 'inherit'] as const;
