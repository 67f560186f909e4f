/**
 * Bonding (IFLA_BOND_*, IFLA_INFO_DATA of kind `bond`) and bond slaves (IFLA_BOND_SLAVE_*,
 * IFLA_INFO_SLAVE_DATA), linux/if_link.h.
 * @internal
 * @module
 */
import { ParseError } from '../../errors.js';
import { type AttributesInputOf, type AttributesOf, type CustomField, defineAttributes, type Schema } from '../../netlink/attributes.js';
import { formatIp, parseIp } from '../../util/ip.js';
import { registerLinkKind, registerLinkSlaveKind } from '../link-kind-registry.js';

/** IFLA_BOND_ARP_IP_TARGET: a nest of IPv4 addresses, attribute types 0, 1, 2, … */
const arpTargetsField: CustomField<string[]> & { name: 'arpIpTarget' } = {
  name: 'arpIpTarget',
  type: 'custom',
  decode(data) {
    const out: string[] = [];
    let off = 0;
    while (off + 4 <= data.length) {
      const len = data.readUInt16LE(off);
      if (len < 4 || off + len > data.length) throw new ParseError(`IFLA_BOND_ARP_IP_TARGET entry of ${len} bytes`, off);
      if (len === 8) out.push(formatIp(data.subarray(off + 4, off + 8)));
      off += (len + 3) & ~3;
    }
    return out;
  },
  encode(w, type, v) {
    const n = w.beginNested(type, false);
    v.forEach((a, i) => w.attr(i, parseIp(a, `arpIpTarget[${i}]`)));
    w.endNested(n);
  },
};

const IFLA_BOND_AD_INFO_FIELDS = {
  /** IFLA_BOND_AD_INFO_AGGREGATOR (u16). */
  aggregator: { nla: 1, type: 'u16' },
  /** IFLA_BOND_AD_INFO_NUM_PORTS (u16). */
  numPorts: { nla: 2, type: 'u16' },
  /** IFLA_BOND_AD_INFO_ACTOR_KEY (u16). */
  actorKey: { nla: 3, type: 'u16' },
  /** IFLA_BOND_AD_INFO_PARTNER_KEY (u16). */
  partnerKey: { nla: 4, type: 'u16' },
  /** IFLA_BOND_AD_INFO_PARTNER_MAC (link-layer address). */
  partnerMac: { nla: 5, type: 'mac' },
} as const;
/**
 * Decoded IFLA_BOND_AD_INFO_* (802.3ad aggregator state).
 * @interface
 */
export type BondAdInfoAttributes = AttributesOf<typeof IFLA_BOND_AD_INFO_FIELDS>;
/** IFLA_BOND_AD_INFO_* */
export const BondAdInfo: Schema<BondAdInfoAttributes, AttributesInputOf<typeof IFLA_BOND_AD_INFO_FIELDS>> = defineAttributes('IFLA_BOND_AD_INFO', IFLA_BOND_AD_INFO_FIELDS);

const IFLA_BOND_FIELDS = {
  /** IFLA_BOND_MODE (u8). */
  mode: { nla: 1, type: 'u8' },
  /** IFLA_BOND_ACTIVE_SLAVE (u32). */
  activeSlave: { nla: 2, type: 'u32' },
  /** IFLA_BOND_MIIMON (u32). */
  miimon: { nla: 3, type: 'u32' },
  /** IFLA_BOND_UPDELAY (u32). */
  updelay: { nla: 4, type: 'u32' },
  /** IFLA_BOND_DOWNDELAY (u32). */
  downdelay: { nla: 5, type: 'u32' },
  /** IFLA_BOND_USE_CARRIER (u8). */
  useCarrier: { nla: 6, type: 'u8' },
  /** IFLA_BOND_ARP_INTERVAL (u32). */
  arpInterval: { nla: 7, type: 'u32' },
  /** IFLA_BOND_ARP_IP_TARGET. */
  arpIpTarget: { nla: 8, ...arpTargetsField },
  /** IFLA_BOND_ARP_VALIDATE (u32). */
  arpValidate: { nla: 9, type: 'u32' },
  /** IFLA_BOND_ARP_ALL_TARGETS (u32). */
  arpAllTargets: { nla: 10, type: 'u32' },
  /** IFLA_BOND_PRIMARY (u32). */
  primary: { nla: 11, type: 'u32' },
  /** IFLA_BOND_PRIMARY_RESELECT (u8). */
  primaryReselect: { nla: 12, type: 'u8' },
  /** IFLA_BOND_FAIL_OVER_MAC (u8). */
  failOverMac: { nla: 13, type: 'u8' },
  /** IFLA_BOND_XMIT_HASH_POLICY (u8). */
  xmitHashPolicy: { nla: 14, type: 'u8' },
  /** IFLA_BOND_RESEND_IGMP (u32). */
  resendIgmp: { nla: 15, type: 'u32' },
  /** IFLA_BOND_NUM_PEER_NOTIF (u8). */
  numPeerNotif: { nla: 16, type: 'u8' },
  /** IFLA_BOND_ALL_SLAVES_ACTIVE (u8). */
  allSlavesActive: { nla: 17, type: 'u8' },
  /** IFLA_BOND_MIN_LINKS (u32). */
  minLinks: { nla: 18, type: 'u32' },
  /** IFLA_BOND_LP_INTERVAL (u32). */
  lpInterval: { nla: 19, type: 'u32' },
  /** IFLA_BOND_PACKETS_PER_SLAVE (u32). */
  packetsPerSlave: { nla: 20, type: 'u32' },
  /** IFLA_BOND_AD_LACP_RATE (u8). */
  adLacpRate: { nla: 21, type: 'u8' },
  /** IFLA_BOND_AD_SELECT (u8). */
  adSelect: { nla: 22, type: 'u8' },
  /** IFLA_BOND_AD_INFO (nested). */
  adInfo: { nla: 23, type: 'nested', schema: BondAdInfo },
  /** IFLA_BOND_AD_ACTOR_SYS_PRIO (u16). */
  adActorSysPrio: { nla: 24, type: 'u16' },
  /** IFLA_BOND_AD_USER_PORT_KEY (u16). */
  adUserPortKey: { nla: 25, type: 'u16' },
  /** IFLA_BOND_AD_ACTOR_SYSTEM (link-layer address). */
  adActorSystem: { nla: 26, type: 'mac' },
  /** IFLA_BOND_TLB_DYNAMIC_LB (u8). */
  tlbDynamicLb: { nla: 27, type: 'u8' },
  /** IFLA_BOND_PEER_NOTIF_DELAY (u32). */
  peerNotifDelay: { nla: 28, type: 'u32' },
  /** IFLA_BOND_AD_LACP_ACTIVE (u8). */
  adLacpActive: { nla: 29, type: 'u8' },
  /** IFLA_BOND_MISSED_MAX (u8). */
  missedMax: { nla: 30, type: 'u8' },
  /** IFLA_BOND_NS_IP6_TARGET (raw bytes). */
  nsIp6Target: { nla: 31, type: 'binary' },
  /** IFLA_BOND_COUPLED_CONTROL (u8). */
  coupledControl: { nla: 32, type: 'u8' },
} as const;
/**
 * Decoded IFLA_BOND_* attributes (kind `bond`).
 * @interface
 */
export type BondAttributes = AttributesOf<typeof IFLA_BOND_FIELDS>;
/** IFLA_BOND_* (kind `bond`). */
export const BondAttrs: Schema<BondAttributes, AttributesInputOf<typeof IFLA_BOND_FIELDS>> = defineAttributes('IFLA_BOND', IFLA_BOND_FIELDS);

/** Bond modes (BOND_MODE_*) by name, as `ip link add type bond mode NAME` takes them. */
export const BOND_MODES = {
  'balance-rr': 0,
  'active-backup': 1,
  'balance-xor': 2,
  broadcast: 3,
  '802.3ad': 4,
  'balance-tlb': 5,
  'balance-alb': 6,
} as const;

const IFLA_BOND_SLAVE_FIELDS = {
  /** IFLA_BOND_SLAVE_STATE (u8). */
  state: { nla: 1, type: 'u8' },
  /** IFLA_BOND_SLAVE_MII_STATUS (u8). */
  miiStatus: { nla: 2, type: 'u8' },
  /** IFLA_BOND_SLAVE_LINK_FAILURE_COUNT (u32). */
  linkFailureCount: { nla: 3, type: 'u32' },
  /** IFLA_BOND_SLAVE_PERM_HWADDR (link-layer address). */
  permHwaddr: { nla: 4, type: 'mac' },
  /** IFLA_BOND_SLAVE_QUEUE_ID (u16). */
  queueId: { nla: 5, type: 'u16' },
  /** IFLA_BOND_SLAVE_AD_AGGREGATOR_ID (u16). */
  adAggregatorId: { nla: 6, type: 'u16' },
  /** IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE (u8). */
  adActorOperPortState: { nla: 7, type: 'u8' },
  /** IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE (u16). */
  adPartnerOperPortState: { nla: 8, type: 'u16' },
  /** IFLA_BOND_SLAVE_PRIO (s32). */
  prio: { nla: 9, type: 's32' },
  /** IFLA_BOND_SLAVE_ACTOR_PORT_PRIO (u16). */
  actorPortPrio: { nla: 10, type: 'u16' },
} as const;
/**
 * Decoded IFLA_BOND_SLAVE_* attributes (slave kind `bond`).
 * @interface
 */
export type BondSlaveAttributes = AttributesOf<typeof IFLA_BOND_SLAVE_FIELDS>;
/** IFLA_BOND_SLAVE_* (slave kind `bond`). */
export const BondSlaveAttrs: Schema<BondSlaveAttributes, AttributesInputOf<typeof IFLA_BOND_SLAVE_FIELDS>> = defineAttributes('IFLA_BOND_SLAVE', IFLA_BOND_SLAVE_FIELDS);

declare module '../link-kind-registry.js' {
  interface LinkKindDataMap {
    /** bond: IFLA_BOND_*. */
    bond: BondAttributes;
  }
  interface LinkSlaveDataMap {
    /** a bond slave: IFLA_BOND_SLAVE_*. */
    bond: BondSlaveAttributes;
  }
}

registerLinkKind('bond', BondAttrs as Schema<object>);
registerLinkSlaveKind('bond', BondSlaveAttrs as Schema<object>);
