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
import { type AttrsOf, type CustomField, defineSchema, defineStruct, structField } from '../netlink/attributes.js';
import { formatMac, parseMac } from '../util/ip.js';
import { be16Field } from './fields.js';

/** A bridge or port identifier (struct ifla_bridge_id): priority and MAC address. */
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
/** Decoded IFLA_BR_* attributes. */
export type BridgeAttributes = AttrsOf<typeof BridgeAttrs>;

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
/** Decoded IFLA_BRPORT_* attributes. */
export type BridgePortAttributes = AttrsOf<typeof BridgePortAttrs>;

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
/** Decoded IFLA_BRIDGE_* attributes. */
export type BridgeAfSpecAttributes = AttrsOf<typeof BridgeAfSpec>;

/** Bridge port STP states (BR_STATE_*), by value. */
export const BRIDGE_PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'] as const;
