/**
 * Bridge attributes (linux/if_link.h, linux/if_bridge.h): IFLA_BR_* (IFLA_INFO_DATA of kind
 * `bridge`), IFLA_BRPORT_* (IFLA_INFO_SLAVE_DATA of a bridge port, and IFLA_PROTINFO in
 * AF_BRIDGE messages) and IFLA_BRIDGE_* (IFLA_AF_SPEC of AF_BRIDGE messages).
 *
 * Times are in the kernel's clock_t unit (USER_HZ = 100 per second: `forwardDelay: 1500` is
 * 15 s), exactly as `ip -d link` prints them; the public Bridge class converts to seconds.
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { type Assert, type AttrsOf, type CustomField, defineSchema, defineStruct, type RawAttr, type SameAttributes, structField } from '../netlink/attributes.js';
import { formatMac, parseMac } from '../util/ip.js';
import { be16Field } from './fields.js';

/**
 * A bridge or port identifier (struct ifla_bridge_id): priority and MAC address.
 * @category Links
 */
export interface BridgeId {
  /** the 16-bit priority (0x8000 = 32768 by default). */
  priority: number;
  /** the bridge's MAC address part. */
  address: string;
}

function bridgeIdField<N extends string>(name: N): CustomField<BridgeId> & { name: N } {
  return {
    name,
    type: 'custom',
    decode(data) {
      if (data.length < 8) throw new ParseError(`${name} has ${data.length} bytes, struct ifla_bridge_id needs 8`, 0);
      return { priority: data.readUInt16BE(0), address: formatMac(data.subarray(2, 8)) };
    },
    encode(w, type, v) {
      const b = Buffer.alloc(8);
      b.writeUInt16BE(v.priority & 0xffff, 0);
      parseMac(v.address, name).copy(b, 2);
      w.attr(type, b);
    },
  };
}

/** struct br_boolopt_multi (IFLA_BR_MULTI_BOOLOPT): bit per BR_BOOLOPT_* option. */
export const BrBooloptMulti = defineStruct('br_boolopt_multi', [
  ['optval', 'u32'],
  ['optmask', 'u32'],
] as const);

/** BR_BOOLOPT_* bit numbers. */
export const BR_BOOLOPT_NO_LL_LEARN = 0;
export const BR_BOOLOPT_MCAST_VLAN_SNOOPING = 1;
export const BR_BOOLOPT_MST_ENABLE = 2;

/** IFLA_BR_* (kind `bridge`). */
export const BridgeAttrs = defineSchema('IFLA_BR', {
  1: { name: 'forwardDelay', type: 'u32' },
  2: { name: 'helloTime', type: 'u32' },
  3: { name: 'maxAge', type: 'u32' },
  4: { name: 'ageingTime', type: 'u32' },
  5: { name: 'stpState', type: 'u32' },
  6: { name: 'priority', type: 'u16' },
  7: { name: 'vlanFiltering', type: 'u8' },
  8: be16Field('vlanProtocol'),
  9: { name: 'groupFwdMask', type: 'u16' },
  10: bridgeIdField('rootId'),
  11: bridgeIdField('bridgeId'),
  12: { name: 'rootPort', type: 'u16' },
  13: { name: 'rootPathCost', type: 'u32' },
  14: { name: 'topologyChange', type: 'u8' },
  15: { name: 'topologyChangeDetected', type: 'u8' },
  16: { name: 'helloTimer', type: 'u64' },
  17: { name: 'tcnTimer', type: 'u64' },
  18: { name: 'topologyChangeTimer', type: 'u64' },
  19: { name: 'gcTimer', type: 'u64' },
  20: { name: 'groupAddr', type: 'mac' },
  21: { name: 'fdbFlush', type: 'flag' },
  22: { name: 'mcastRouter', type: 'u8' },
  23: { name: 'mcastSnooping', type: 'u8' },
  24: { name: 'mcastQueryUseIfaddr', type: 'u8' },
  25: { name: 'mcastQuerier', type: 'u8' },
  26: { name: 'mcastHashElasticity', type: 'u32' },
  27: { name: 'mcastHashMax', type: 'u32' },
  28: { name: 'mcastLastMemberCnt', type: 'u32' },
  29: { name: 'mcastStartupQueryCnt', type: 'u32' },
  30: { name: 'mcastLastMemberIntvl', type: 'u64' },
  31: { name: 'mcastMembershipIntvl', type: 'u64' },
  32: { name: 'mcastQuerierIntvl', type: 'u64' },
  33: { name: 'mcastQueryIntvl', type: 'u64' },
  34: { name: 'mcastQueryResponseIntvl', type: 'u64' },
  35: { name: 'mcastStartupQueryIntvl', type: 'u64' },
  36: { name: 'nfCallIptables', type: 'u8' },
  37: { name: 'nfCallIp6tables', type: 'u8' },
  38: { name: 'nfCallArptables', type: 'u8' },
  39: { name: 'vlanDefaultPvid', type: 'u16' },
  41: { name: 'vlanStatsEnabled', type: 'u8' },
  42: { name: 'mcastStatsEnabled', type: 'u8' },
  43: { name: 'mcastIgmpVersion', type: 'u8' },
  44: { name: 'mcastMldVersion', type: 'u8' },
  45: { name: 'vlanStatsPerPort', type: 'u8' },
  46: structField('multiBoolopt', BrBooloptMulti),
  47: { name: 'mcastQuerierState', type: 'binary' },
  48: { name: 'fdbNLearned', type: 'u32' },
  49: { name: 'fdbMaxLearned', type: 'u32' },
});
/** struct br_boolopt_multi (IFLA_BR_MULTI_BOOLOPT): option bits and which of them are set. */
export interface BrBooloptMultiValue {
  /** br_boolopt_multi.optval (u32). */
  optval: number;
  /** br_boolopt_multi.optmask (u32). */
  optmask: number;
}
type BrBooloptMultiValueMatchesStruct = Assert<SameAttributes<BrBooloptMultiValue, ReturnType<typeof BrBooloptMulti.decode>>>;
/** Decoded IFLA_BR_* attributes (kind `bridge`); times in centiseconds. */
export interface BridgeAttributes {
  /** IFLA_BR_FORWARD_DELAY (u32). */
  forwardDelay?: number;
  /** IFLA_BR_HELLO_TIME (u32). */
  helloTime?: number;
  /** IFLA_BR_MAX_AGE (u32). */
  maxAge?: number;
  /** IFLA_BR_AGEING_TIME (u32). */
  ageingTime?: number;
  /** IFLA_BR_STP_STATE (u32). */
  stpState?: number;
  /** IFLA_BR_PRIORITY (u16). */
  priority?: number;
  /** IFLA_BR_VLAN_FILTERING (u8). */
  vlanFiltering?: number;
  /** IFLA_BR_VLAN_PROTOCOL. */
  vlanProtocol?: number;
  /** IFLA_BR_GROUP_FWD_MASK (u16). */
  groupFwdMask?: number;
  /** IFLA_BR_ROOT_ID. */
  rootId?: BridgeId;
  /** IFLA_BR_BRIDGE_ID. */
  bridgeId?: BridgeId;
  /** IFLA_BR_ROOT_PORT (u16). */
  rootPort?: number;
  /** IFLA_BR_ROOT_PATH_COST (u32). */
  rootPathCost?: number;
  /** IFLA_BR_TOPOLOGY_CHANGE (u8). */
  topologyChange?: number;
  /** IFLA_BR_TOPOLOGY_CHANGE_DETECTED (u8). */
  topologyChangeDetected?: number;
  /** IFLA_BR_HELLO_TIMER (u64). */
  helloTimer?: number;
  /** IFLA_BR_TCN_TIMER (u64). */
  tcnTimer?: number;
  /** IFLA_BR_TOPOLOGY_CHANGE_TIMER (u64). */
  topologyChangeTimer?: number;
  /** IFLA_BR_GC_TIMER (u64). */
  gcTimer?: number;
  /** IFLA_BR_GROUP_ADDR (link-layer address). */
  groupAddr?: string;
  /** IFLA_BR_FDB_FLUSH (flag). */
  fdbFlush?: boolean;
  /** IFLA_BR_MCAST_ROUTER (u8). */
  mcastRouter?: number;
  /** IFLA_BR_MCAST_SNOOPING (u8). */
  mcastSnooping?: number;
  /** IFLA_BR_MCAST_QUERY_USE_IFADDR (u8). */
  mcastQueryUseIfaddr?: number;
  /** IFLA_BR_MCAST_QUERIER (u8). */
  mcastQuerier?: number;
  /** IFLA_BR_MCAST_HASH_ELASTICITY (u32). */
  mcastHashElasticity?: number;
  /** IFLA_BR_MCAST_HASH_MAX (u32). */
  mcastHashMax?: number;
  /** IFLA_BR_MCAST_LAST_MEMBER_CNT (u32). */
  mcastLastMemberCnt?: number;
  /** IFLA_BR_MCAST_STARTUP_QUERY_CNT (u32). */
  mcastStartupQueryCnt?: number;
  /** IFLA_BR_MCAST_LAST_MEMBER_INTVL (u64). */
  mcastLastMemberIntvl?: number;
  /** IFLA_BR_MCAST_MEMBERSHIP_INTVL (u64). */
  mcastMembershipIntvl?: number;
  /** IFLA_BR_MCAST_QUERIER_INTVL (u64). */
  mcastQuerierIntvl?: number;
  /** IFLA_BR_MCAST_QUERY_INTVL (u64). */
  mcastQueryIntvl?: number;
  /** IFLA_BR_MCAST_QUERY_RESPONSE_INTVL (u64). */
  mcastQueryResponseIntvl?: number;
  /** IFLA_BR_MCAST_STARTUP_QUERY_INTVL (u64). */
  mcastStartupQueryIntvl?: number;
  /** IFLA_BR_NF_CALL_IPTABLES (u8). */
  nfCallIptables?: number;
  /** IFLA_BR_NF_CALL_IP6TABLES (u8). */
  nfCallIp6tables?: number;
  /** IFLA_BR_NF_CALL_ARPTABLES (u8). */
  nfCallArptables?: number;
  /** IFLA_BR_VLAN_DEFAULT_PVID (u16). */
  vlanDefaultPvid?: number;
  /** IFLA_BR_VLAN_STATS_ENABLED (u8). */
  vlanStatsEnabled?: number;
  /** IFLA_BR_MCAST_STATS_ENABLED (u8). */
  mcastStatsEnabled?: number;
  /** IFLA_BR_MCAST_IGMP_VERSION (u8). */
  mcastIgmpVersion?: number;
  /** IFLA_BR_MCAST_MLD_VERSION (u8). */
  mcastMldVersion?: number;
  /** IFLA_BR_VLAN_STATS_PER_PORT (u8). */
  vlanStatsPerPort?: number;
  /** IFLA_BR_MULTI_BOOLOPT. */
  multiBoolopt?: BrBooloptMultiValue;
  /** IFLA_BR_MCAST_QUERIER_STATE (raw bytes). */
  mcastQuerierState?: Buffer;
  /** IFLA_BR_FDB_N_LEARNED (48, u32). */
  fdbNLearned?: number;
  /** IFLA_BR_FDB_MAX_LEARNED (49, u32). */
  fdbMaxLearned?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type BridgeAttributesMatchesSchema = Assert<SameAttributes<BridgeAttributes, AttrsOf<typeof BridgeAttrs>>>;

/** IFLA_BRPORT_* (slave kind `bridge`; IFLA_PROTINFO of AF_BRIDGE messages). */
export const BridgePortAttrs = defineSchema('IFLA_BRPORT', {
  1: { name: 'state', type: 'u8' },
  2: { name: 'priority', type: 'u16' },
  3: { name: 'cost', type: 'u32' },
  4: { name: 'mode', type: 'u8' },
  5: { name: 'guard', type: 'u8' },
  6: { name: 'protect', type: 'u8' },
  7: { name: 'fastLeave', type: 'u8' },
  8: { name: 'learning', type: 'u8' },
  9: { name: 'unicastFlood', type: 'u8' },
  10: { name: 'proxyarp', type: 'u8' },
  11: { name: 'learningSync', type: 'u8' },
  12: { name: 'proxyarpWifi', type: 'u8' },
  13: bridgeIdField('rootId'),
  14: bridgeIdField('bridgeId'),
  15: { name: 'designatedPort', type: 'u16' },
  16: { name: 'designatedCost', type: 'u16' },
  17: { name: 'id', type: 'u16' },
  18: { name: 'no', type: 'u16' },
  19: { name: 'topologyChangeAck', type: 'u8' },
  20: { name: 'configPending', type: 'u8' },
  21: { name: 'messageAgeTimer', type: 'u64' },
  22: { name: 'forwardDelayTimer', type: 'u64' },
  23: { name: 'holdTimer', type: 'u64' },
  24: { name: 'flush', type: 'flag' },
  25: { name: 'multicastRouter', type: 'u8' },
  27: { name: 'mcastFlood', type: 'u8' },
  28: { name: 'mcastToUcast', type: 'u8' },
  29: { name: 'vlanTunnel', type: 'u8' },
  30: { name: 'bcastFlood', type: 'u8' },
  31: { name: 'groupFwdMask', type: 'u16' },
  32: { name: 'neighSuppress', type: 'u8' },
  33: { name: 'isolated', type: 'u8' },
  34: { name: 'backupPort', type: 'u32' },
  35: { name: 'mrpRingOpen', type: 'u8' },
  36: { name: 'mrpInOpen', type: 'u8' },
  37: { name: 'mcastEhtHostsLimit', type: 'u32' },
  38: { name: 'mcastEhtHostsCnt', type: 'u32' },
  39: { name: 'locked', type: 'u8' },
  40: { name: 'mab', type: 'u8' },
  41: { name: 'mcastNGroups', type: 'u32' },
  42: { name: 'mcastMaxGroups', type: 'u32' },
  43: { name: 'neighVlanSuppress', type: 'u8' },
  44: { name: 'backupNhid', type: 'u32' },
});
/** Decoded IFLA_BRPORT_* attributes: a bridge port's settings and STP state. */
export interface BridgePortAttributes {
  /** IFLA_BRPORT_STATE (u8). */
  state?: number;
  /** IFLA_BRPORT_PRIORITY (u16). */
  priority?: number;
  /** IFLA_BRPORT_COST (u32). */
  cost?: number;
  /** IFLA_BRPORT_MODE (u8). */
  mode?: number;
  /** IFLA_BRPORT_GUARD (u8). */
  guard?: number;
  /** IFLA_BRPORT_PROTECT (u8). */
  protect?: number;
  /** IFLA_BRPORT_FAST_LEAVE (u8). */
  fastLeave?: number;
  /** IFLA_BRPORT_LEARNING (u8). */
  learning?: number;
  /** IFLA_BRPORT_UNICAST_FLOOD (u8). */
  unicastFlood?: number;
  /** IFLA_BRPORT_PROXYARP (u8). */
  proxyarp?: number;
  /** IFLA_BRPORT_LEARNING_SYNC (u8). */
  learningSync?: number;
  /** IFLA_BRPORT_PROXYARP_WIFI (u8). */
  proxyarpWifi?: number;
  /** IFLA_BRPORT_ROOT_ID. */
  rootId?: BridgeId;
  /** IFLA_BRPORT_BRIDGE_ID. */
  bridgeId?: BridgeId;
  /** IFLA_BRPORT_DESIGNATED_PORT (u16). */
  designatedPort?: number;
  /** IFLA_BRPORT_DESIGNATED_COST (u16). */
  designatedCost?: number;
  /** IFLA_BRPORT_ID (u16). */
  id?: number;
  /** IFLA_BRPORT_NO (u16). */
  no?: number;
  /** IFLA_BRPORT_TOPOLOGY_CHANGE_ACK (u8). */
  topologyChangeAck?: number;
  /** IFLA_BRPORT_CONFIG_PENDING (u8). */
  configPending?: number;
  /** IFLA_BRPORT_MESSAGE_AGE_TIMER (u64). */
  messageAgeTimer?: number;
  /** IFLA_BRPORT_FORWARD_DELAY_TIMER (u64). */
  forwardDelayTimer?: number;
  /** IFLA_BRPORT_HOLD_TIMER (u64). */
  holdTimer?: number;
  /** IFLA_BRPORT_FLUSH (flag). */
  flush?: boolean;
  /** IFLA_BRPORT_MULTICAST_ROUTER (u8). */
  multicastRouter?: number;
  /** IFLA_BRPORT_MCAST_FLOOD (u8). */
  mcastFlood?: number;
  /** IFLA_BRPORT_MCAST_TO_UCAST (u8). */
  mcastToUcast?: number;
  /** IFLA_BRPORT_VLAN_TUNNEL (u8). */
  vlanTunnel?: number;
  /** IFLA_BRPORT_BCAST_FLOOD (u8). */
  bcastFlood?: number;
  /** IFLA_BRPORT_GROUP_FWD_MASK (u16). */
  groupFwdMask?: number;
  /** IFLA_BRPORT_NEIGH_SUPPRESS (u8). */
  neighSuppress?: number;
  /** IFLA_BRPORT_ISOLATED (u8). */
  isolated?: number;
  /** IFLA_BRPORT_BACKUP_PORT (u32). */
  backupPort?: number;
  /** IFLA_BRPORT_MRP_RING_OPEN (u8). */
  mrpRingOpen?: number;
  /** IFLA_BRPORT_MRP_IN_OPEN (u8). */
  mrpInOpen?: number;
  /** IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT (u32). */
  mcastEhtHostsLimit?: number;
  /** IFLA_BRPORT_MCAST_EHT_HOSTS_CNT (u32). */
  mcastEhtHostsCnt?: number;
  /** IFLA_BRPORT_LOCKED (u8). */
  locked?: number;
  /** IFLA_BRPORT_MAB (40, u8). */
  mab?: number;
  /** IFLA_BRPORT_MCAST_NGROUPS (41, u32). */
  mcastNGroups?: number;
  /** IFLA_BRPORT_MCAST_MAX_GROUPS (42, u32). */
  mcastMaxGroups?: number;
  /** IFLA_BRPORT_NEIGH_VLAN_SUPPRESS (43, u8). */
  neighVlanSuppress?: number;
  /** IFLA_BRPORT_BACKUP_NHID (44, u32). */
  backupNhid?: number;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type BridgePortAttributesMatchesSchema = Assert<SameAttributes<BridgePortAttributes, AttrsOf<typeof BridgePortAttrs>>>;

/** struct bridge_vlan_info */
export const BridgeVlanInfo = defineStruct('bridge_vlan_info', [
  ['flags', 'u16'],
  ['vid', 'u16'],
] as const);

/** BRIDGE_VLAN_INFO_* flags. */
export const BRIDGE_VLAN_INFO_MASTER = 1 << 0;
export const BRIDGE_VLAN_INFO_PVID = 1 << 1;
export const BRIDGE_VLAN_INFO_UNTAGGED = 1 << 2;
export const BRIDGE_VLAN_INFO_RANGE_BEGIN = 1 << 3;
export const BRIDGE_VLAN_INFO_RANGE_END = 1 << 4;
export const BRIDGE_VLAN_INFO_BRENTRY = 1 << 5;

/** IFLA_BRIDGE_* (IFLA_AF_SPEC of AF_BRIDGE link messages). Note IFLA_BRIDGE_FLAGS is type 0. */
export const BridgeAfSpec = defineSchema('IFLA_BRIDGE', {
  0: { name: 'flags', type: 'u16' },
  1: { name: 'mode', type: 'u16' },
  2: { ...structField('vlanInfo', BridgeVlanInfo), multi: true },
  3: { name: 'vlanTunnelInfo', type: 'binary', multi: true },
  4: { name: 'mrp', type: 'binary' },
  5: { name: 'cfm', type: 'binary' },
  6: { name: 'mst', type: 'binary' },
});
/** struct bridge_vlan_info (IFLA_BRIDGE_VLAN_INFO). */
export interface BridgeVlanInfoValue {
  /** bridge_vlan_info.flags (u16). */
  flags: number;
  /** bridge_vlan_info.vid (u16). */
  vid: number;
}
type BridgeVlanInfoValueMatchesStruct = Assert<SameAttributes<BridgeVlanInfoValue, ReturnType<typeof BridgeVlanInfo.decode>>>;
/** Decoded IFLA_BRIDGE_* attributes (IFLA_AF_SPEC of AF_BRIDGE link messages). */
export interface BridgeAfSpecAttributes {
  /** IFLA_BRIDGE_FLAGS (u16). */
  flags?: number;
  /** IFLA_BRIDGE_MODE (u16). */
  mode?: number;
  /** IFLA_BRIDGE_VLAN_INFO, repeated. */
  vlanInfo?: BridgeVlanInfoValue[];
  /** IFLA_BRIDGE_VLAN_TUNNEL_INFO (raw bytes), repeated. */
  vlanTunnelInfo?: Buffer[];
  /** IFLA_BRIDGE_MRP (raw bytes). */
  mrp?: Buffer;
  /** IFLA_BRIDGE_CFM (raw bytes). */
  cfm?: Buffer;
  /** IFLA_BRIDGE_MST (raw bytes). */
  mst?: Buffer;
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}
type BridgeAfSpecAttributesMatchesSchema = Assert<SameAttributes<BridgeAfSpecAttributes, AttrsOf<typeof BridgeAfSpec>>>;

/** Bridge port STP states (BR_STATE_*), by value. */
export const BRIDGE_PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'] as const;
