/**
 * Bridge ports (linux/if_link.h, linux/if_bridge.h): IFLA_BRPORT_* (IFLA_INFO_SLAVE_DATA of a
 * bridge port, and IFLA_PROTINFO in AF_BRIDGE messages), IFLA_BRIDGE_* (IFLA_AF_SPEC of
 * AF_BRIDGE messages: `bridge link`, `bridge vlan`), struct bridge_vlan_info, and struct
 * ifla_bridge_id (also used by the bridge itself, kinds/bridge.ts).
 *
 * Times are in the kernel's clock_t unit (USER_HZ = 100 per second), exactly as `ip -d link`
 * prints them; the public classes convert to seconds.
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { type AttributesInputOf, type AttributesOf, type CustomField, defineAttributes, type Schema, structField } from '../netlink/attributes.js';
import { defineStruct, type Struct, type StructFieldsOf } from '../netlink/struct.js';
import { formatMac, parseMac } from '../util/ip.js';

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

/** A struct ifla_bridge_id field (be16 priority, then the MAC address). @internal */
export function bridgeIdField<N extends string>(name: N): CustomField<BridgeId> & { name: N } {
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

const IFLA_BRPORT_FIELDS = {
  /** IFLA_BRPORT_STATE (u8). */
  state: { nla: 1, type: 'u8' },
  /** IFLA_BRPORT_PRIORITY (u16). */
  priority: { nla: 2, type: 'u16' },
  /** IFLA_BRPORT_COST (u32). */
  cost: { nla: 3, type: 'u32' },
  /** IFLA_BRPORT_MODE (u8). */
  mode: { nla: 4, type: 'u8' },
  /** IFLA_BRPORT_GUARD (u8). */
  guard: { nla: 5, type: 'u8' },
  /** IFLA_BRPORT_PROTECT (u8). */
  protect: { nla: 6, type: 'u8' },
  /** IFLA_BRPORT_FAST_LEAVE (u8). */
  fastLeave: { nla: 7, type: 'u8' },
  /** IFLA_BRPORT_LEARNING (u8). */
  learning: { nla: 8, type: 'u8' },
  /** IFLA_BRPORT_UNICAST_FLOOD (u8). */
  unicastFlood: { nla: 9, type: 'u8' },
  /** IFLA_BRPORT_PROXYARP (u8). */
  proxyarp: { nla: 10, type: 'u8' },
  /** IFLA_BRPORT_LEARNING_SYNC (u8). */
  learningSync: { nla: 11, type: 'u8' },
  /** IFLA_BRPORT_PROXYARP_WIFI (u8). */
  proxyarpWifi: { nla: 12, type: 'u8' },
  /** IFLA_BRPORT_ROOT_ID. */
  rootId: { nla: 13, ...bridgeIdField('rootId') },
  /** IFLA_BRPORT_BRIDGE_ID. */
  bridgeId: { nla: 14, ...bridgeIdField('bridgeId') },
  /** IFLA_BRPORT_DESIGNATED_PORT (u16). */
  designatedPort: { nla: 15, type: 'u16' },
  /** IFLA_BRPORT_DESIGNATED_COST (u16). */
  designatedCost: { nla: 16, type: 'u16' },
  /** IFLA_BRPORT_ID (u16). */
  id: { nla: 17, type: 'u16' },
  /** IFLA_BRPORT_NO (u16). */
  no: { nla: 18, type: 'u16' },
  /** IFLA_BRPORT_TOPOLOGY_CHANGE_ACK (u8). */
  topologyChangeAck: { nla: 19, type: 'u8' },
  /** IFLA_BRPORT_CONFIG_PENDING (u8). */
  configPending: { nla: 20, type: 'u8' },
  /** IFLA_BRPORT_MESSAGE_AGE_TIMER (u64). */
  messageAgeTimer: { nla: 21, type: 'u64' },
  /** IFLA_BRPORT_FORWARD_DELAY_TIMER (u64). */
  forwardDelayTimer: { nla: 22, type: 'u64' },
  /** IFLA_BRPORT_HOLD_TIMER (u64). */
  holdTimer: { nla: 23, type: 'u64' },
  /** IFLA_BRPORT_FLUSH (flag). */
  flush: { nla: 24, type: 'flag' },
  /** IFLA_BRPORT_MULTICAST_ROUTER (u8). */
  multicastRouter: { nla: 25, type: 'u8' },
  /** IFLA_BRPORT_MCAST_FLOOD (u8). */
  mcastFlood: { nla: 27, type: 'u8' },
  /** IFLA_BRPORT_MCAST_TO_UCAST (u8). */
  mcastToUcast: { nla: 28, type: 'u8' },
  /** IFLA_BRPORT_VLAN_TUNNEL (u8). */
  vlanTunnel: { nla: 29, type: 'u8' },
  /** IFLA_BRPORT_BCAST_FLOOD (u8). */
  bcastFlood: { nla: 30, type: 'u8' },
  /** IFLA_BRPORT_GROUP_FWD_MASK (u16). */
  groupFwdMask: { nla: 31, type: 'u16' },
  /** IFLA_BRPORT_NEIGH_SUPPRESS (u8). */
  neighSuppress: { nla: 32, type: 'u8' },
  /** IFLA_BRPORT_ISOLATED (u8). */
  isolated: { nla: 33, type: 'u8' },
  /** IFLA_BRPORT_BACKUP_PORT (u32). */
  backupPort: { nla: 34, type: 'u32' },
  /** IFLA_BRPORT_MRP_RING_OPEN (u8). */
  mrpRingOpen: { nla: 35, type: 'u8' },
  /** IFLA_BRPORT_MRP_IN_OPEN (u8). */
  mrpInOpen: { nla: 36, type: 'u8' },
  /** IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT (u32). */
  mcastEhtHostsLimit: { nla: 37, type: 'u32' },
  /** IFLA_BRPORT_MCAST_EHT_HOSTS_CNT (u32). */
  mcastEhtHostsCnt: { nla: 38, type: 'u32' },
  /** IFLA_BRPORT_LOCKED (u8). */
  locked: { nla: 39, type: 'u8' },
  /** IFLA_BRPORT_MAB (40, u8). */
  mab: { nla: 40, type: 'u8' },
  /** IFLA_BRPORT_MCAST_NGROUPS (41, u32). */
  mcastNGroups: { nla: 41, type: 'u32' },
  /** IFLA_BRPORT_MCAST_MAX_GROUPS (42, u32). */
  mcastMaxGroups: { nla: 42, type: 'u32' },
  /** IFLA_BRPORT_NEIGH_VLAN_SUPPRESS (43, u8). */
  neighVlanSuppress: { nla: 43, type: 'u8' },
  /** IFLA_BRPORT_BACKUP_NHID (44, u32). */
  backupNhid: { nla: 44, type: 'u32' },
} as const;
/**
 * Decoded IFLA_BRPORT_* attributes: a bridge port's settings and STP state.
 * @interface
 */
export type BridgePortAttributes = AttributesOf<typeof IFLA_BRPORT_FIELDS>;
/** IFLA_BRPORT_* (slave kind `bridge`; IFLA_PROTINFO of AF_BRIDGE messages). */
export const BridgePortAttrs: Schema<BridgePortAttributes, AttributesInputOf<typeof IFLA_BRPORT_FIELDS>> = defineAttributes('IFLA_BRPORT', IFLA_BRPORT_FIELDS);

const BRIDGE_VLAN_INFO_FIELDS = {
  /** bridge_vlan_info.flags (u16). */
  flags: 'u16',
  /** bridge_vlan_info.vid (u16). */
  vid: 'u16',
} as const;
/**
 * struct bridge_vlan_info (IFLA_BRIDGE_VLAN_INFO).
 * @interface
 */
export type BridgeVlanInfoValue = StructFieldsOf<typeof BRIDGE_VLAN_INFO_FIELDS>;
/** struct bridge_vlan_info */
export const BridgeVlanInfo: Struct<BridgeVlanInfoValue> = defineStruct('bridge_vlan_info', BRIDGE_VLAN_INFO_FIELDS);

/** BRIDGE_VLAN_INFO_* flags. */
export const BRIDGE_VLAN_INFO_MASTER = 1 << 0;
export const BRIDGE_VLAN_INFO_PVID = 1 << 1;
export const BRIDGE_VLAN_INFO_UNTAGGED = 1 << 2;
export const BRIDGE_VLAN_INFO_RANGE_BEGIN = 1 << 3;
export const BRIDGE_VLAN_INFO_RANGE_END = 1 << 4;
export const BRIDGE_VLAN_INFO_BRENTRY = 1 << 5;

const IFLA_BRIDGE_FIELDS = {
  /** IFLA_BRIDGE_FLAGS (u16). */
  flags: { nla: 0, type: 'u16' },
  /** IFLA_BRIDGE_MODE (u16). */
  mode: { nla: 1, type: 'u16' },
  /** IFLA_BRIDGE_VLAN_INFO, repeated. */
  vlanInfo: { nla: 2, ...structField('vlanInfo', BridgeVlanInfo), multi: true },
  /** IFLA_BRIDGE_VLAN_TUNNEL_INFO (raw bytes), repeated. */
  vlanTunnelInfo: { nla: 3, type: 'binary', multi: true },
  /** IFLA_BRIDGE_MRP (raw bytes). */
  mrp: { nla: 4, type: 'binary' },
  /** IFLA_BRIDGE_CFM (raw bytes). */
  cfm: { nla: 5, type: 'binary' },
  /** IFLA_BRIDGE_MST (raw bytes). */
  mst: { nla: 6, type: 'binary' },
} as const;
/**
 * Decoded IFLA_BRIDGE_* attributes (IFLA_AF_SPEC of AF_BRIDGE link messages).
 * @interface
 */
export type BridgeAfSpecAttributes = AttributesOf<typeof IFLA_BRIDGE_FIELDS>;
/** IFLA_BRIDGE_* (IFLA_AF_SPEC of AF_BRIDGE link messages). Note IFLA_BRIDGE_FLAGS is type 0. */
export const BridgeAfSpec: Schema<BridgeAfSpecAttributes, AttributesInputOf<typeof IFLA_BRIDGE_FIELDS>> = defineAttributes('IFLA_BRIDGE', IFLA_BRIDGE_FIELDS);

/** Bridge port STP states (BR_STATE_*), by value. */
export const BRIDGE_PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'] as const;
