/**
 * Bridges (linux/if_link.h, linux/if_bridge.h): IFLA_BR_* (IFLA_INFO_DATA of kind `bridge`),
 * registered with the port attributes (IFLA_BRPORT_*, ../bridge-port.ts) as the bridge's
 * IFLA_INFO_SLAVE_DATA.
 *
 * Times are in the kernel's clock_t unit (USER_HZ = 100 per second: `forwardDelay: 1500` is
 * 15 s), exactly as `ip -d link` prints them; the public Bridge class converts to seconds.
 * @internal
 * @module
 */
import { type AttributesInputOf, type AttributesOf, defineAttributes, type Schema, structField } from '../../netlink/attributes.js';
import { defineStruct, type Struct, type StructFieldsOf } from '../../netlink/struct.js';
import { bridgeIdField, type BridgePortAttributes, BridgePortAttrs } from '../bridge-port.js';
import { be16Field } from '../fields.js';
import { registerLinkKind, registerLinkSlaveKind } from '../link-kind-registry.js';

const BR_BOOLOPT_MULTI_FIELDS = {
  /** br_boolopt_multi.optval (u32). */
  optval: 'u32',
  /** br_boolopt_multi.optmask (u32). */
  optmask: 'u32',
} as const;
/**
 * struct br_boolopt_multi (IFLA_BR_MULTI_BOOLOPT): option bits and which of them are set.
 * @interface
 */
export type BrBooloptMultiValue = StructFieldsOf<typeof BR_BOOLOPT_MULTI_FIELDS>;
/** struct br_boolopt_multi (IFLA_BR_MULTI_BOOLOPT): bit per BR_BOOLOPT_* option. */
export const BrBooloptMulti: Struct<BrBooloptMultiValue> = defineStruct('br_boolopt_multi', BR_BOOLOPT_MULTI_FIELDS);

/** BR_BOOLOPT_* bit numbers. */
export const BR_BOOLOPT_NO_LL_LEARN = 0;
export const BR_BOOLOPT_MCAST_VLAN_SNOOPING = 1;
export const BR_BOOLOPT_MST_ENABLE = 2;

const IFLA_BR_FIELDS = {
  /** IFLA_BR_FORWARD_DELAY (u32). */
  forwardDelay: { nla: 1, type: 'u32' },
  /** IFLA_BR_HELLO_TIME (u32). */
  helloTime: { nla: 2, type: 'u32' },
  /** IFLA_BR_MAX_AGE (u32). */
  maxAge: { nla: 3, type: 'u32' },
  /** IFLA_BR_AGEING_TIME (u32). */
  ageingTime: { nla: 4, type: 'u32' },
  /** IFLA_BR_STP_STATE (u32). */
  stpState: { nla: 5, type: 'u32' },
  /** IFLA_BR_PRIORITY (u16). */
  priority: { nla: 6, type: 'u16' },
  /** IFLA_BR_VLAN_FILTERING (u8). */
  vlanFiltering: { nla: 7, type: 'u8' },
  /** IFLA_BR_VLAN_PROTOCOL. */
  vlanProtocol: { nla: 8, ...be16Field('vlanProtocol') },
  /** IFLA_BR_GROUP_FWD_MASK (u16). */
  groupFwdMask: { nla: 9, type: 'u16' },
  /** IFLA_BR_ROOT_ID. */
  rootId: { nla: 10, ...bridgeIdField('rootId') },
  /** IFLA_BR_BRIDGE_ID. */
  bridgeId: { nla: 11, ...bridgeIdField('bridgeId') },
  /** IFLA_BR_ROOT_PORT (u16). */
  rootPort: { nla: 12, type: 'u16' },
  /** IFLA_BR_ROOT_PATH_COST (u32). */
  rootPathCost: { nla: 13, type: 'u32' },
  /** IFLA_BR_TOPOLOGY_CHANGE (u8). */
  topologyChange: { nla: 14, type: 'u8' },
  /** IFLA_BR_TOPOLOGY_CHANGE_DETECTED (u8). */
  topologyChangeDetected: { nla: 15, type: 'u8' },
  /** IFLA_BR_HELLO_TIMER (u64). */
  helloTimer: { nla: 16, type: 'u64' },
  /** IFLA_BR_TCN_TIMER (u64). */
  tcnTimer: { nla: 17, type: 'u64' },
  /** IFLA_BR_TOPOLOGY_CHANGE_TIMER (u64). */
  topologyChangeTimer: { nla: 18, type: 'u64' },
  /** IFLA_BR_GC_TIMER (u64). */
  gcTimer: { nla: 19, type: 'u64' },
  /** IFLA_BR_GROUP_ADDR (link-layer address). */
  groupAddr: { nla: 20, type: 'mac' },
  /** IFLA_BR_FDB_FLUSH (flag). */
  fdbFlush: { nla: 21, type: 'flag' },
  /** IFLA_BR_MCAST_ROUTER (u8). */
  mcastRouter: { nla: 22, type: 'u8' },
  /** IFLA_BR_MCAST_SNOOPING (u8). */
  mcastSnooping: { nla: 23, type: 'u8' },
  /** IFLA_BR_MCAST_QUERY_USE_IFADDR (u8). */
  mcastQueryUseIfaddr: { nla: 24, type: 'u8' },
  /** IFLA_BR_MCAST_QUERIER (u8). */
  mcastQuerier: { nla: 25, type: 'u8' },
  /** IFLA_BR_MCAST_HASH_ELASTICITY (u32). */
  mcastHashElasticity: { nla: 26, type: 'u32' },
  /** IFLA_BR_MCAST_HASH_MAX (u32). */
  mcastHashMax: { nla: 27, type: 'u32' },
  /** IFLA_BR_MCAST_LAST_MEMBER_CNT (u32). */
  mcastLastMemberCnt: { nla: 28, type: 'u32' },
  /** IFLA_BR_MCAST_STARTUP_QUERY_CNT (u32). */
  mcastStartupQueryCnt: { nla: 29, type: 'u32' },
  /** IFLA_BR_MCAST_LAST_MEMBER_INTVL (u64). */
  mcastLastMemberIntvl: { nla: 30, type: 'u64' },
  /** IFLA_BR_MCAST_MEMBERSHIP_INTVL (u64). */
  mcastMembershipIntvl: { nla: 31, type: 'u64' },
  /** IFLA_BR_MCAST_QUERIER_INTVL (u64). */
  mcastQuerierIntvl: { nla: 32, type: 'u64' },
  /** IFLA_BR_MCAST_QUERY_INTVL (u64). */
  mcastQueryIntvl: { nla: 33, type: 'u64' },
  /** IFLA_BR_MCAST_QUERY_RESPONSE_INTVL (u64). */
  mcastQueryResponseIntvl: { nla: 34, type: 'u64' },
  /** IFLA_BR_MCAST_STARTUP_QUERY_INTVL (u64). */
  mcastStartupQueryIntvl: { nla: 35, type: 'u64' },
  /** IFLA_BR_NF_CALL_IPTABLES (u8). */
  nfCallIptables: { nla: 36, type: 'u8' },
  /** IFLA_BR_NF_CALL_IP6TABLES (u8). */
  nfCallIp6tables: { nla: 37, type: 'u8' },
  /** IFLA_BR_NF_CALL_ARPTABLES (u8). */
  nfCallArptables: { nla: 38, type: 'u8' },
  /** IFLA_BR_VLAN_DEFAULT_PVID (u16). */
  vlanDefaultPvid: { nla: 39, type: 'u16' },
  /** IFLA_BR_VLAN_STATS_ENABLED (u8). */
  vlanStatsEnabled: { nla: 41, type: 'u8' },
  /** IFLA_BR_MCAST_STATS_ENABLED (u8). */
  mcastStatsEnabled: { nla: 42, type: 'u8' },
  /** IFLA_BR_MCAST_IGMP_VERSION (u8). */
  mcastIgmpVersion: { nla: 43, type: 'u8' },
  /** IFLA_BR_MCAST_MLD_VERSION (u8). */
  mcastMldVersion: { nla: 44, type: 'u8' },
  /** IFLA_BR_VLAN_STATS_PER_PORT (u8). */
  vlanStatsPerPort: { nla: 45, type: 'u8' },
  /** IFLA_BR_MULTI_BOOLOPT. */
  multiBoolopt: { nla: 46, ...structField('multiBoolopt', BrBooloptMulti) },
  /** IFLA_BR_MCAST_QUERIER_STATE (raw bytes). */
  mcastQuerierState: { nla: 47, type: 'binary' },
  /** IFLA_BR_FDB_N_LEARNED (48, u32). */
  fdbNLearned: { nla: 48, type: 'u32' },
  /** IFLA_BR_FDB_MAX_LEARNED (49, u32). */
  fdbMaxLearned: { nla: 49, type: 'u32' },
} as const;
/**
 * Decoded IFLA_BR_* attributes (kind `bridge`); times in centiseconds.
 * @interface
 */
export type BridgeAttributes = AttributesOf<typeof IFLA_BR_FIELDS>;
/** IFLA_BR_* (kind `bridge`). */
export const BridgeAttrs: Schema<BridgeAttributes, AttributesInputOf<typeof IFLA_BR_FIELDS>> = defineAttributes('IFLA_BR', IFLA_BR_FIELDS);

declare module '../link-kind-registry.js' {
  interface LinkKindDataMap {
    /** bridge: IFLA_BR_*. */
    bridge: BridgeAttributes;
  }
  interface LinkSlaveDataMap {
    /** a bridge port: IFLA_BRPORT_*. */
    bridge: BridgePortAttributes;
  }
}

registerLinkKind('bridge', BridgeAttrs as Schema<object>);
registerLinkSlaveKind('bridge', BridgePortAttrs as Schema<object>);
