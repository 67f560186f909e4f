/**
 * Bridge ports: the options of one port of a bridge (`bridge link set dev X …`,
 * `ip link set X type bridge_slave …`) → IFLA_BRPORT_* attributes, and back into settings.
 * @module
 */
import { ValidationError } from '../../errors.js';
import { BRIDGE_PORT_STATES, type BridgePortAttributes } from '../../rtnetlink/bridge-port.js';
import { validateInt } from '../../util/validate.js';
import { type BoolAttrMap, boolAttrs, boolsOf } from './kind.js';

/**
 * Options of one bridge port (`bridge link set dev X …`, `ip link set X type bridge_slave …`).
 * @category Links
 */
export interface BridgePortOptions {
  /** learn source MACs on this port (default on): `learning`. */
  learning?: boolean;
  /** flood unknown unicast to this port (default on): `flood`. */
  flood?: boolean;
  /** flood unknown multicast to this port: `mcast_flood`. */
  multicastFlood?: boolean;
  /** flood broadcast to this port: `bcast_flood`. */
  broadcastFlood?: boolean;
  /** send frames back out the port they came in on: `hairpin`. */
  hairpin?: boolean;
  /** STP path cost 1..65535: `cost`. */
  cost?: number;
  /** STP port priority 0..63: `priority`. */
  priority?: number;
  /** STP port state (settable when STP is off): `state`. */
  state?: (typeof BRIDGE_PORT_STATES)[number];
  /** block STP BPDUs: `guard`. */
  bpduGuard?: boolean;
  /** do not let this port become root port: `root_block`. */
  rootBlock?: boolean;
  /** IGMP fast leave: `fastleave`. */
  fastLeave?: boolean;
  /** proxy ARP: `proxy_arp`. */
  proxyArp?: boolean;
  /** isolated port: `isolated`. */
  isolated?: boolean;
  /** ARP/ND suppression: `neigh_suppress`. */
  neighSuppress?: boolean;
  /** 802.1X locked port: `locked`. */
  locked?: boolean;
  /** MAC authentication bypass: `mab`. */
  mab?: boolean;
}

/**
 * A bridge port's options and STP status as the kernel reports them.
 * @category Links
 */
export interface BridgePortSettings {
  /** learning on. */
  learning: boolean;
  /** unknown-unicast flooding on. */
  flood: boolean;
  /** multicast flooding on. */
  multicastFlood: boolean;
  /** broadcast flooding on. */
  broadcastFlood: boolean;
  /** hairpin mode on. */
  hairpin: boolean;
  /** STP path cost. */
  cost: number | undefined;
  /** STP port priority. */
  priority: number | undefined;
  /** STP state. */
  state: (typeof BRIDGE_PORT_STATES)[number] | undefined;
  /** BPDU guard on. */
  bpduGuard: boolean;
  /** root block on. */
  rootBlock: boolean;
  /** fast leave on. */
  fastLeave: boolean;
  /** proxy ARP on. */
  proxyArp: boolean;
  /** isolated. */
  isolated: boolean;
  /** neighbour suppression on. */
  neighSuppress: boolean;
  /** locked. */
  locked: boolean;
  /** MAC authentication bypass on. */
  mab: boolean;
  /** port id. */
  id: number | undefined;
  /** port number. */
  no: number | undefined;
  /** the raw IFLA_BRPORT_* attributes. */
  raw: BridgePortAttributes;
}

/** The keys of {@link BridgePortOptions}. @internal */
export const PORT_KEYS = [
  'learning', 'flood', 'multicastFlood', 'broadcastFlood', 'hairpin', 'cost', 'priority', 'state', 'bpduGuard', 'rootBlock',
  'fastLeave', 'proxyArp', 'isolated', 'neighSuppress', 'locked', 'mab',
] as const;

/** The port options that are u8 flags: option name → IFLA_BRPORT_* attribute. */
const PORT_BOOLS = [
  ['learning', 'learning'],
  ['flood', 'unicastFlood'],
  ['multicastFlood', 'mcastFlood'],
  ['broadcastFlood', 'bcastFlood'],
  ['hairpin', 'mode'],
  ['bpduGuard', 'guard'],
  ['rootBlock', 'protect'],
  ['fastLeave', 'fastLeave'],
  ['proxyArp', 'proxyarp'],
  ['isolated', 'isolated'],
  ['neighSuppress', 'neighSuppress'],
  ['locked', 'locked'],
  ['mab', 'mab'],
] as const satisfies BoolAttrMap<BridgePortOptions, BridgePortAttributes>;

/** Validated IFLA_BRPORT_* attributes for the given port options. @internal */
export function bridgePortAttributes(o: BridgePortOptions): Partial<BridgePortAttributes> {
  const a = boolAttrs<BridgePortOptions, BridgePortAttributes>(o, PORT_BOOLS);
  if (o.cost !== undefined) a.cost = validateInt(o.cost, 'cost', 1, 65535);
  if (o.priority !== undefined) a.priority = validateInt(o.priority, 'priority', 0, 63);
  if (o.state !== undefined) {
    const i = BRIDGE_PORT_STATES.indexOf(o.state);
    if (i < 0) throw new ValidationError('state', o.state, `expected one of ${BRIDGE_PORT_STATES.join(', ')}`);
    a.state = i;
  }
  return a;
}

/** Decodes a port's IFLA_BRPORT_* attributes into settings. @internal */
export function bridgePortSettings(raw: BridgePortAttributes): BridgePortSettings {
  const flags = boolsOf<BridgePortOptions, BridgePortAttributes>(raw, PORT_BOOLS) as Record<(typeof PORT_BOOLS)[number][0], boolean>;
  return {
    ...flags,
    cost: raw.cost,
    priority: raw.priority,
    state: raw.state === undefined ? undefined : BRIDGE_PORT_STATES[raw.state],
    id: raw.id,
    no: raw.no,
    raw,
  };
}
