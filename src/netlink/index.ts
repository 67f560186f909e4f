/**
 * netns-kit/netlink: the low level, and the extension point. The netlink message codec —
 * {@link Schema} / {@link defineSchema} for attribute sets, {@link Struct} /
 * {@link defineStruct} for fixed headers, {@link NlWriter} to build messages — the
 * {@link NetlinkConnection} that sends them (batched, with the kernel's extended ACKs turned
 * into typed errors), and every rtnetlink attribute set netns-kit decodes, as one documented
 * interface per set (`LinkAttributes`, `RouteAttributes`, …).
 *
 * Build on it to speak a netlink family netns-kit does not cover, or to register the
 * IFLA_INFO_DATA schema of a link kind it does not know ({@link registerLinkKind}):
 *
 * ```ts
 * import { Namespace } from 'netns-kit';
 * import { defineSchema, type NlMessage } from 'netns-kit/netlink';
 * const conn = await Namespace.host().connection();       // a NetlinkConnection
 * ```
 * @module netns-kit/netlink
 */
export {
  NetlinkConnection,
  type ConnectionOptions,
  type ConnectionStats,
  type DumpOptions,
  type RequestInfo,
  type RequestOptions,
  type BodyWriter,
  type CommandFailure,
  type DatagramMessage,
  type DatagramReply,
  type DatagramResult,
} from './connection.js';
export type { NlMessage, ExtAck } from './message.js';
export { NlWriter } from './writer.js';
// Decoded attributes: one documented interface per rtnetlink attribute set.
export type {
  IfInfoHeader,
  LinkAttributes,
  LinkMessage,
  PropListAttributes,
  ProtoDownReasonAttributes,
  XdpAttributes,
} from '../rtnetlink/link.js';
export type { LinkInfoAttributes } from '../rtnetlink/link-info.js';
export type {
  AfSpecAttributes,
  Inet6AfSpecAttributes,
  Inet6CacheInfoValue,
  InetAfSpecAttributes,
} from '../rtnetlink/link-af-spec.js';
export type {
  LinkKindData,
  LinkSlaveData,
  VethInfoAttributes,
  VethPeer,
  MacvlanAttributes,
  IpvlanAttributes,
  TunAttributes,
  VlanAttributes,
  VlanFlagsValue,
  VlanQosAttributes,
  VlanQosMappingValue,
  VrfAttributes,
  VrfPortAttributes,
  BondAttributes,
  BondAdInfoAttributes,
  BondSlaveAttributes,
} from '../rtnetlink/kinds/index.js';
export type { BrBooloptMultiValue, BridgeAttributes } from '../rtnetlink/kinds/bridge.js';
export type { BridgeAfSpecAttributes, BridgePortAttributes, BridgeVlanInfoValue } from '../rtnetlink/bridge-port.js';
export type { VxlanAttributes, VxlanPortRangeValue } from '../rtnetlink/kinds/vxlan.js';
export type { AddrAttributes, IfaCacheInfoValue } from '../rtnetlink/address.js';
export type { NexthopAttributes, RouteAttributes, RtaCacheInfoValue, RtNexthop } from '../rtnetlink/route.js';
export type { RouteMetricsValue } from '../rtnetlink/route-metrics.js';
export type { NeighAttributes, NdaCacheInfoValue } from '../rtnetlink/neighbor.js';
export type { NetconfAttributes } from '../rtnetlink/netconf.js';
export type { NsidAttributes } from '../rtnetlink/nsid.js';
export {
  type AttributeDef,
  type AttributeDefs,
  type AttributesInputOf,
  type AttributesOf,
  type AttrsOf,
  type CustomField,
  type DecodedOf,
  defineAttributes,
  defineSchema,
  type DefInput,
  type DefValue,
  type Field,
  type FieldBase,
  type FieldDefs,
  forEachAttr,
  type InputOf,
  type InputValueOf,
  type NamedField,
  type NestedField,
  type NestedFieldOf,
  type NestedInputFieldOf,
  type RawAttr,
  type RepeatedField,
  type ScalarField,
  type ScalarFieldOf,
  Schema,
  type UnknownAttrs,
  type ValueOf,
} from './attributes.js';
export {
  defineStruct,
  Struct,
  type StructDefs,
  type StructFieldDefs,
  type StructFieldsOf,
  type StructOf,
  type StructType,
  type StructValueKeys,
} from './struct.js';
export type { ScalarType, ScalarValue } from './scalars.js';
export {
  type LinkKindDataMap,
  type LinkSlaveDataMap,
  registerLinkKind,
  registerLinkSlaveKind,
  linkKindSchema,
  linkSlaveSchema,
} from '../rtnetlink/link-kind-registry.js';
export type { RouteSpec, NexthopSpec } from '../rtnetlink/requests/route.js';
