/**
 * Bridge: a Linux bridge, its options, its ports and its forwarding database
 * (`ip link add type bridge`, `brctl addbr/addif/delif`, `bridge link set`, `bridge fdb`).
 * @module
 */
import { NetlinkError, NetnsKitError, ValidationError } from '../../errors.js';
import { AF_BRIDGE, AF_UNSPEC, RTM_NEWLINK, RTM_SETLINK } from '../../rtnetlink/constants.js';
import { BR_BOOLOPT_NO_LL_LEARN, type BridgeAttributes } from '../../rtnetlink/kinds/bridge.js';
import { type BridgeId, type BridgePortAttributes } from '../../rtnetlink/bridge-port.js';
import { ETH_P_8021AD, ETH_P_8021Q } from '../../rtnetlink/kinds/vlan.js';
import { IfInfoMsg, LinkAttrs } from '../../rtnetlink/link.js';
import { validateInt, validateOptions } from '../../util/validate.js';
import { Fdb, type FdbAddOptions, type FdbDeleteOptions, type FdbEntry } from './fdb.js';
import { BASIC_KEYS, type BasicLinkOptions, type BoolAttrMap, boolAttrs, boolsOf, createKind, KindLink, kindData, optBool } from './kind.js';
import { Link, type LinkLike, resolveLinkIndex } from './link.js';
import { type BridgePortOptions, type BridgePortSettings, bridgePortAttributes, bridgePortSettings, PORT_KEYS } from './bridge-port.js';
import { validateMac } from '../../rtnetlink/requests/link.js';
import type { Namespace } from '../namespace/namespace.js';

/**
 * Options of a bridge (`ip link add type bridge …`, `ip link set type bridge …`). Times are in seconds.
 * @category Links
 */
export interface BridgeOptions {
  /** spanning tree on (kernel STP) or off: `stp_state 1|0`, `brctl stp br0 on`. */
  stp?: boolean;
  /** forward delay in seconds (default 15): `forward_delay`. */
  forwardDelay?: number;
  /** hello time in seconds (default 2): `hello_time`. */
  helloTime?: number;
  /** max message age in seconds (default 20): `max_age`. */
  maxAge?: number;
  /** FDB ageing time in seconds (default 300): `ageing_time`. */
  ageingTime?: number;
  /** bridge priority 0..65535 (default 32768): `priority`. */
  priority?: number;
  /** VLAN filtering (802.1Q-aware bridge): `vlan_filtering`. */
  vlanFiltering?: boolean;
  /** VLAN protocol of a VLAN-filtering bridge: `vlan_protocol`. */
  vlanProtocol?: '802.1Q' | '802.1ad';
  /** default PVID for new ports, 0 (none) .. 4094 (default 1): `vlan_default_pvid`. */
  defaultPvid?: number;
  /** IGMP/MLD snooping (default on): `mcast_snooping`. */
  multicastSnooping?: boolean;
  /** act as IGMP/MLD querier: `mcast_querier`. */
  multicastQuerier?: boolean;
  /** link-local group forwarding mask: `group_fwd_mask`. */
  groupFwdMask?: number;
  /** STP group address: `group_address`. */
  groupAddress?: string;
  /** pass bridged IPv4 traffic to iptables: `nf_call_iptables`. */
  nfCallIptables?: boolean;
  /** pass bridged IPv6 traffic to ip6tables: `nf_call_ip6tables`. */
  nfCallIp6tables?: boolean;
  /** pass bridged ARP traffic to arptables: `nf_call_arptables`. */
  nfCallArptables?: boolean;
  /** per-VLAN statistics: `vlan_stats_enabled`. */
  vlanStats?: boolean;
  /** multicast statistics: `mcast_stats_enabled`. */
  multicastStats?: boolean;
  /** do not learn from link-local frames: `no_linklocal_learn`. */
  noLinkLocalLearn?: boolean;
}

/**
 * Options of {@link Bridge.create}.
 * @category Links
 */
export interface BridgeCreateOptions extends BridgeOptions, BasicLinkOptions {
  /** MAC address (default: random, then the lowest port's). */
  address?: string;
  /** create the bridge directly inside this namespace (a bridge cannot be moved later); a name is then required. */
  namespace?: Namespace;
}

/**
 * A bridge's options and STP status as the kernel reports them (`ip -d link show type bridge`).
 * @category Links
 */
export interface BridgeSettings {
  /** spanning tree on. */
  stp: boolean;
  /** forward delay, seconds. */
  forwardDelay: number | undefined;
  /** hello time, seconds. */
  helloTime: number | undefined;
  /** max age, seconds. */
  maxAge: number | undefined;
  /** FDB ageing time, seconds. */
  ageingTime: number | undefined;
  /** bridge priority. */
  priority: number | undefined;
  /** VLAN filtering on. */
  vlanFiltering: boolean;
  /** VLAN protocol. */
  vlanProtocol: '802.1Q' | '802.1ad' | undefined;
  /** default PVID. */
  defaultPvid: number | undefined;
  /** IGMP/MLD snooping on. */
  multicastSnooping: boolean;
  /** IGMP/MLD querier on. */
  multicastQuerier: boolean;
  /** group forwarding mask. */
  groupFwdMask: number | undefined;
  /** STP group address. */
  groupAddress: string | undefined;
  /** nf_call_iptables. */
  nfCallIptables: boolean;
  /** nf_call_ip6tables. */
  nfCallIp6tables: boolean;
  /** nf_call_arptables. */
  nfCallArptables: boolean;
  /** per-VLAN statistics on. */
  vlanStats: boolean;
  /** multicast statistics on. */
  multicastStats: boolean;
  /** no_linklocal_learn on. */
  noLinkLocalLearn: boolean;
  /** this bridge's id (priority + MAC). */
  bridgeId: BridgeId | undefined;
  /** the root bridge's id. */
  rootId: BridgeId | undefined;
  /** port number towards the root (0 when this bridge is root). */
  rootPort: number | undefined;
  /** path cost to the root. */
  rootPathCost: number | undefined;
  /** topology change flag. */
  topologyChange: boolean;
  /** garbage-collection timer, seconds. */
  gcTimer: number | undefined;
  /** the raw IFLA_BR_* attributes (times in centiseconds). */
  raw: BridgeAttributes;
}

const BRIDGE_KEYS = [
  'stp', 'forwardDelay', 'helloTime', 'maxAge', 'ageingTime', 'priority', 'vlanFiltering', 'vlanProtocol', 'defaultPvid',
  'multicastSnooping', 'multicastQuerier', 'groupFwdMask', 'groupAddress', 'nfCallIptables', 'nfCallIp6tables',
  'nfCallArptables', 'vlanStats', 'multicastStats', 'noLinkLocalLearn',
] as const;
const CREATE_KEYS = [...BRIDGE_KEYS, ...BASIC_KEYS] as const;
/** Seconds → clock_t (centiseconds). */
function centis(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v * 100 > 0xffffffff) {
    throw new ValidationError(field, v, 'expected a number of seconds ≥ 0');
  }
  return Math.round(v * 100);
}

const u8bool = optBool;

/** The bridge options that are u8 flags (besides `stp`): option name → IFLA_BR_* attribute. */
const BRIDGE_BOOLS = [
  ['vlanFiltering', 'vlanFiltering'],
  ['multicastSnooping', 'mcastSnooping'],
  ['multicastQuerier', 'mcastQuerier'],
  ['nfCallIptables', 'nfCallIptables'],
  ['nfCallIp6tables', 'nfCallIp6tables'],
  ['nfCallArptables', 'nfCallArptables'],
  ['vlanStats', 'vlanStatsEnabled'],
  ['multicastStats', 'mcastStatsEnabled'],
] as const satisfies BoolAttrMap<BridgeOptions, BridgeAttributes>;

/** Validated IFLA_BR_* attributes for the given options. @internal */
export function bridgeAttributes(o: BridgeOptions): Partial<BridgeAttributes> {
  const a = boolAttrs<BridgeOptions, BridgeAttributes>(o, BRIDGE_BOOLS);
  if (o.stp !== undefined) a.stpState = u8bool(o.stp, 'stp');
  if (o.forwardDelay !== undefined) a.forwardDelay = centis(o.forwardDelay, 'forwardDelay');
  if (o.helloTime !== undefined) a.helloTime = centis(o.helloTime, 'helloTime');
  if (o.maxAge !== undefined) a.maxAge = centis(o.maxAge, 'maxAge');
  if (o.ageingTime !== undefined) a.ageingTime = centis(o.ageingTime, 'ageingTime');
  if (o.priority !== undefined) a.priority = validateInt(o.priority, 'priority', 0, 65535);
  if (o.vlanProtocol !== undefined) {
    if (o.vlanProtocol !== '802.1Q' && o.vlanProtocol !== '802.1ad') throw new ValidationError('vlanProtocol', o.vlanProtocol, 'expected "802.1Q" or "802.1ad"');
    a.vlanProtocol = o.vlanProtocol === '802.1Q' ? ETH_P_8021Q : ETH_P_8021AD;
  }
  if (o.defaultPvid !== undefined) a.vlanDefaultPvid = validateInt(o.defaultPvid, 'defaultPvid', 0, 4094);
  if (o.groupFwdMask !== undefined) a.groupFwdMask = validateInt(o.groupFwdMask, 'groupFwdMask', 0, 0xffff);
  if (o.groupAddress !== undefined) a.groupAddr = validateMac(o.groupAddress, 'groupAddress');
  if (o.noLinkLocalLearn !== undefined) {
    const bit = 1 << BR_BOOLOPT_NO_LL_LEARN;
    a.multiBoolopt = { optval: u8bool(o.noLinkLocalLearn, 'noLinkLocalLearn') ? bit : 0, optmask: bit };
  }
  return a;
}

const sec = (v: number | undefined): number | undefined => (v === undefined ? undefined : v / 100);

/**
 * A Linux bridge (a {@link Link} of kind `bridge`).
 *
 * ```ts
 * const br = await Bridge.create(ns, { name: 'br0', stp: false, up: true });
 * await br.addPort(await Link.get(ns, 'veth0'));          // brctl addif br0 veth0
 * await br.fdb();                                     // bridge fdb show br br0
 * ```
  * @category Links
 */
export class Bridge extends KindLink {
  static override readonly kinds = ['bridge'];
  static override readonly description = 'a bridge';

  /** The bridge's options and STP status, from this snapshot. */
  get settings(): BridgeSettings {
    const raw = kindData<BridgeAttributes>(this);
    const boolopt = raw.multiBoolopt;
    const flags = boolsOf<BridgeOptions, BridgeAttributes>(raw, BRIDGE_BOOLS) as Record<(typeof BRIDGE_BOOLS)[number][0], boolean>;
    return {
      ...flags,
      stp: (raw.stpState ?? 0) !== 0,
      forwardDelay: sec(raw.forwardDelay),
      helloTime: sec(raw.helloTime),
      maxAge: sec(raw.maxAge),
      ageingTime: sec(raw.ageingTime),
      priority: raw.priority,
      vlanProtocol: raw.vlanProtocol === ETH_P_8021Q ? '802.1Q' : raw.vlanProtocol === ETH_P_8021AD ? '802.1ad' : undefined,
      defaultPvid: raw.vlanDefaultPvid,
      groupFwdMask: raw.groupFwdMask,
      groupAddress: raw.groupAddr,
      noLinkLocalLearn: boolopt ? (boolopt.optval & (1 << BR_BOOLOPT_NO_LL_LEARN)) !== 0 : false,
      bridgeId: raw.bridgeId,
      rootId: raw.rootId,
      rootPort: raw.rootPort,
      rootPathCost: raw.rootPathCost,
      topologyChange: raw.topologyChange === 1,
      gcTimer: sec(raw.gcTimer),
      raw,
    };
  }

  /** Creates a bridge with options in one message (`ip link add br0 type bridge stp_state 0 …`, `brctl addbr`). */
  static async create(ns: Namespace, opts: BridgeCreateOptions = {}): Promise<Bridge> {
    const o = validateOptions<BridgeCreateOptions>(opts, CREATE_KEYS);
    const data = bridgeAttributes(o);
    try {
      return Bridge.from(await createKind(ns, o, 'bridge', data));
    } catch (e) {
      throw explainVlanError(e, o);
    }
  }




  /** Changes bridge options (`ip link set br0 type bridge …`). */
  async setOptions(opts: BridgeOptions): Promise<void> {
    const o = validateOptions<BridgeOptions>(opts, BRIDGE_KEYS);
    const data = bridgeAttributes(o);
    await this.changeLinkInfo({ kind: 'bridge', data }, 'set bridge options').catch((e: unknown) => {
      throw explainVlanError(e, o);
    });
  }

  /** Flushes the bridge's dynamic FDB entries (`ip link set br0 type bridge fdb_flush`). */
  async flushFdb(): Promise<void> {
    await this.changeLinkInfo({ kind: 'bridge', data: { fdbFlush: true } }, 'flush fdb of');
  }

  // ---- ports ------------------------------------------------------------------------

  /** The bridge's ports (`ip link show master br0`, `brctl show`), filtered by the kernel. */
  ports(): Promise<Link[]> {
    return Link.list(this.namespace, { master: this.index });
  }

  /**
   * Adds a port (`brctl addif br0 veth0`, `ip link set veth0 master br0`), then applies port
   * options if given; if they are refused the port is removed again.
   */
  async addPort(port: LinkLike, options?: BridgePortOptions): Promise<void> {
    const portAttrs = options === undefined ? undefined : bridgePortAttributes(validateOptions<BridgePortOptions>(options, PORT_KEYS));
    const index = await resolveLinkIndex(this.namespace, port, 'port');
    const conn = await this.namespace.connection();
    const object = `${describe(port)} to ${this.label}`;
    await conn.request(
      RTM_NEWLINK,
      0,
      (w) => {
        IfInfoMsg.encode(w, { family: AF_UNSPEC, index });
        LinkAttrs.encode(w, { master: this.index });
      },
      { operation: 'add bridge port', object, describeAttribute: (t) => LinkAttrs.describe(t) },
    );
    if (portAttrs && Object.keys(portAttrs).length > 0) {
      try {
        await this.writePortOptions(index, describe(port), portAttrs);
      } catch (e) {
        await this.releasePort(index, describe(port)).catch(() => undefined);
        throw e;
      }
    }
  }

  /** Removes a port (`brctl delif br0 veth0`); ENOENT if it is not a port of this bridge. */
  async removePort(port: LinkLike): Promise<void> {
    const p = await this.requirePort(port);
    await this.releasePort(p.index, p.name);
  }

  /** A port's options and STP status (`bridge -d link show dev X`). */
  async portSettings(port: LinkLike): Promise<BridgePortSettings> {
    const p = await this.requirePort(port);
    const d = p.linkInfo?.slaveData;
    return bridgePortSettings((d && !Buffer.isBuffer(d) ? d : {}) as BridgePortAttributes);
  }

  /** Changes a port's options (`bridge link set dev X learning off hairpin on cost 10 …`). */
  async setPortOptions(port: LinkLike, options: BridgePortOptions): Promise<void> {
    const attrs = bridgePortAttributes(validateOptions<BridgePortOptions>(options, PORT_KEYS));
    const p = await this.requirePort(port);
    await this.writePortOptions(p.index, p.name, attrs);
  }

  // ---- FDB --------------------------------------------------------------------------

  /**
   * The bridge's forwarding database, like `bridge fdb show br br0`: learnt (`dynamic`),
   * `static` and `permanent` entries with their port, VLAN and ages, plus the ports' own
   * (`self`) entries.
   */
  fdb(filter: { port?: LinkLike } = {}): Promise<FdbEntry[]> {
    const f = validateOptions<{ port?: LinkLike }>(filter, ['port'], 'filter');
    return Fdb.list(this.namespace, { bridge: this.index, device: f.port });
  }

  /**
   * Adds an entry to the bridge's FDB for a port (`bridge fdb add MAC dev PORT master
   * [static|dynamic] [vlan N]`). Default state `static`; `master` is implied.
   */
  async fdbAdd(port: LinkLike, mac: string, options: Omit<FdbAddOptions, 'mac' | 'device'> = {}): Promise<void> {
    await Fdb.add(this.namespace, { state: 'static', master: true, ...options, mac, device: port });
  }

  /** Removes an entry from the bridge's FDB (`bridge fdb del MAC dev PORT master [vlan N]`). */
  async fdbDelete(port: LinkLike, mac: string, options: Omit<FdbDeleteOptions, 'mac' | 'device'> = {}): Promise<void> {
    await Fdb.delete(this.namespace, { master: true, ...options, mac, device: port });
  }

  // ---- helpers ----------------------------------------------------------------------

  private async requirePort(port: LinkLike): Promise<Link> {
    const p = port instanceof Link ? await port.refresh() : await Link.get(this.namespace, port);
    if (!p.namespace.equals(this.namespace)) throw new ValidationError('port', p.name, `link ${p.name} is not in ${this.namespace.label}`);
    if (p.masterIndex !== this.index) {
      throw new NetnsKitError(`link ${p.name} in ${this.namespace.label} is not a port of bridge ${this.name}`, 'ENOENT', 2);
    }
    return p;
  }

  private async releasePort(index: number, name: string): Promise<void> {
    const conn = await this.namespace.connection();
    await conn.request(
      RTM_NEWLINK,
      0,
      (w) => {
        IfInfoMsg.encode(w, { family: AF_UNSPEC, index });
        LinkAttrs.encode(w, { master: 0 });
      },
      { operation: 'remove bridge port', object: `${name} from ${this.label}` },
    );
  }

  /**
   * `bridge link set`: RTM_SETLINK, family AF_BRIDGE, IFLA_PROTINFO (NLA_F_NESTED). Not
   * IFLA_INFO_SLAVE_DATA via RTM_NEWLINK: that path ends with a NETDEV_CHANGE event which
   * makes the bridge re-enable a port just set to `disabled`.
   */
  private async writePortOptions(index: number, name: string, attrs: Partial<BridgePortAttributes>): Promise<void> {
    const conn = await this.namespace.connection();
    await conn.request(
      RTM_SETLINK,
      0,
      (w) => {
        IfInfoMsg.encode(w, { family: AF_BRIDGE, index });
        LinkAttrs.encode(w, { protinfo: attrs });
      },
      { operation: 'set bridge port options', object: `${name} of ${this.label}`, describeAttribute: (t) => LinkAttrs.describe(t) },
    );
  }
}

/** EOPNOTSUPP without a kernel message for VLAN options: the kernel lacks CONFIG_BRIDGE_VLAN_FILTERING. */
function explainVlanError(e: unknown, o: BridgeOptions): unknown {
  if (!(e instanceof NetlinkError) || e.code !== 'EOPNOTSUPP' || e.kernelMessage !== undefined || o.vlanFiltering !== true) return e;
  return new NetlinkError({
    errno: e.errno ?? 95,
    operation: e.operation,
    object: e.object,
    attribute: e.attribute,
    message: `${e.operation} ${e.object}: VLAN filtering is not available: this kernel has no bridge VLAN filtering support (CONFIG_BRIDGE_VLAN_FILTERING) (EOPNOTSUPP)`,
  });
}

function describe(ref: LinkLike): string {
  return ref instanceof Link ? ref.name : typeof ref === 'number' ? `#${ref}` : ref;
}
