/**
 * IFLA_AF_SPEC of AF_UNSPEC link messages (linux/if_link.h): per-address-family device state,
 * IFLA_INET_* (IPv4) and IFLA_INET6_* (IPv6, with struct ifla_cacheinfo). The AF_BRIDGE form
 * (IFLA_BRIDGE_*) is in kinds/bridge.ts.
 * @internal
 * @module
 */
import { type AttributesInputOf, type AttributesOf, defineAttributes, type Schema, structField } from '../netlink/attributes.js';
import { defineStruct, type Struct, type StructFieldsOf } from '../netlink/struct.js';
import { u32ArrayField, u64ArrayField } from './fields.js';

const IFLA_CACHEINFO_FIELDS = {
  /** ifla_cacheinfo.max_reasm_len (u32). */
  maxReasmLen: 'u32',
  /** ifla_cacheinfo.tstamp (u32). */
  tstamp: 'u32',
  /** ifla_cacheinfo.reachable_time (u32). */
  reachableTime: 'u32',
  /** ifla_cacheinfo.retrans_time (u32). */
  retransTime: 'u32',
} as const;
/**
 * struct ifla_cacheinfo (IFLA_INET6_CACHEINFO), times in milliseconds.
 * @interface
 */
export type Inet6CacheInfoValue = StructFieldsOf<typeof IFLA_CACHEINFO_FIELDS>;
/** struct ifla_cacheinfo (IFLA_INET6_CACHEINFO), times in milliseconds. */
export const Inet6CacheInfo: Struct<Inet6CacheInfoValue> = defineStruct('ifla_cacheinfo', IFLA_CACHEINFO_FIELDS);

const IFLA_INET_FIELDS = {
  /** IFLA_INET_CONF. */
  conf: { nla: 1, ...u32ArrayField('conf') },
} as const;
/**
 * Decoded IFLA_INET_* attributes: IPv4 per-device settings in IFLA_AF_SPEC.
 * @interface
 */
export type InetAfSpecAttributes = AttributesOf<typeof IFLA_INET_FIELDS>;
/** IFLA_INET_* (inside IFLA_AF_SPEC / AF_INET). */
export const InetAfSpec: Schema<InetAfSpecAttributes, AttributesInputOf<typeof IFLA_INET_FIELDS>> = defineAttributes('IFLA_INET', IFLA_INET_FIELDS);

const IFLA_INET6_FIELDS = {
  /** IFLA_INET6_FLAGS (u32). */
  flags: { nla: 1, type: 'u32' },
  /** IFLA_INET6_CONF. */
  conf: { nla: 2, ...u32ArrayField('conf', true) },
  /** IFLA_INET6_STATS. */
  stats: { nla: 3, ...u64ArrayField('stats') },
  /** IFLA_INET6_CACHEINFO. */
  cacheinfo: { nla: 5, ...structField('cacheinfo', Inet6CacheInfo) },
  /** IFLA_INET6_ICMP6STATS. */
  icmp6stats: { nla: 6, ...u64ArrayField('icmp6stats') },
  /** IFLA_INET6_TOKEN (IP address). */
  token: { nla: 7, type: 'ip' },
  /** IFLA_INET6_ADDR_GEN_MODE (u8). */
  addrGenMode: { nla: 8, type: 'u8' },
  /** IFLA_INET6_RA_MTU (u32). */
  raMtu: { nla: 9, type: 'u32' },
} as const;
/**
 * Decoded IFLA_INET6_* attributes: IPv6 per-device state in IFLA_AF_SPEC.
 * @interface
 */
export type Inet6AfSpecAttributes = AttributesOf<typeof IFLA_INET6_FIELDS>;
/** IFLA_INET6_* (inside IFLA_AF_SPEC / AF_INET6). */
export const Inet6AfSpec: Schema<Inet6AfSpecAttributes, AttributesInputOf<typeof IFLA_INET6_FIELDS>> = defineAttributes('IFLA_INET6', IFLA_INET6_FIELDS);

const IFLA_AF_SPEC_FIELDS = {
  /** the AF_INET (2) nest: IFLA_INET_*. */
  inet: { nla: 2, type: 'nested', schema: InetAfSpec },
  /** the AF_INET6 (10) nest: IFLA_INET6_*. */
  inet6: { nla: 10, type: 'nested', schema: Inet6AfSpec },
} as const;
/**
 * Decoded IFLA_AF_SPEC: per-address-family data, one nest per family.
 * @interface
 */
export type AfSpecAttributes = AttributesOf<typeof IFLA_AF_SPEC_FIELDS>;
/** IFLA_AF_SPEC in AF_UNSPEC link messages: one nest per address family. */
export const AfSpec: Schema<AfSpecAttributes, AttributesInputOf<typeof IFLA_AF_SPEC_FIELDS>> = defineAttributes('IFLA_AF_SPEC', IFLA_AF_SPEC_FIELDS);
