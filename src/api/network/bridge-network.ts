/**
 * BridgeNetwork: a Docker-style bridge network (`docker network create | connect |
 * disconnect | inspect | rm | ls | prune`), built only on the public classes (Bridge,
 * VethPair, Address, Route, Link, Namespace), durable across processes and crashes: the
 * kernel holds the bridge, ports, addresses and routes; a small record under
 * `/run/netns-kit/` (see `network/state.ts`) holds what it cannot.
 * @module
 */
import { NetnsKitError, ValidationError } from '../../errors.js';
import { ipv4ToNumber } from './ipv4-pool.js';
import { parseCidr, parseMac } from '../../util/ip.js';
import { validateIfname, validateInt, validateOptions } from '../../util/validate.js';
import { Address } from '../ip/address.js';
import { Bridge } from '../link/bridge.js';
import { Link } from '../link/link.js';
import { Namespace } from '../namespace/namespace.js';
import { Sysctl } from '../namespace/sysctl.js';
import { PoolOverlapError } from './errors.js';
import { type AddressPool, AddressRange, bigToIp, DEFAULT_ADDRESS_POOLS, formatPrefix, inPrefix, ipToBig, overlaps, parsePrefix, poolCandidates, type Prefix, prefixOf } from './pool.js';
import { type EndpointRecord, namespaceCookie, namespaceRecord, sameNamespace, type NetworkConfigRecord, type NetworkRecord, ownerAlive, selfOwner, stateDirOf } from './state.js';
import { type NetworkFile, NetworkStore } from './store.js';
import { Route } from '../ip/route.js';
import { Neighbor } from '../ip/neighbor.js';
import { VethPair } from '../link/veth.js';
import { dockerPortLines, expandFixed, parsePublish, type PortLine, type PortMapping, type PortRequest, type PortSpec, type PublishedPort } from './port-spec.js';

export type { PortMapping, PortSpec, PublishedPort, PortRequest, PortLine } from './port-spec.js';

/** Docker's default bridge subnet (the first of {@link DEFAULT_ADDRESS_POOLS}). */
export const DEFAULT_BRIDGE_SUBNET = '172.17.0.0/16';

/** Options of {@link BridgeNetwork.create} (`docker network create` and `daemon.json` for the default bridge). */
export interface BridgeNetworkOptions {
  /** the network's name, as in `docker network create NAME` (default `bridge`, Docker's default network). */
  name?: string;
  /**
   * IPv4 subnet (`--subnet`); default: the first of Docker's pools (`172.17.0.0/16`, `172.18.0.0/16`, …
   * `172.31.0.0/16`, then `192.168.0.0/20`, `192.168.16.0/20`, …) that overlaps nothing in the
   * bridge's namespace (addresses, routes, other networks). /8 to /30, no host bits. An explicit
   * subnet overlapping another network's or an address there is refused with {@link PoolOverlapError}.
   */
  subnet?: string;
  /** the gateway address, held by the bridge (`--gateway`; default: the subnet's first address). */
  gateway?: string;
  /** the bridge's address with prefix, like `daemon.json` `bip` (`10.20.0.1/16`): sets subnet and gateway at once. */
  bip?: string;
  /** allocate container addresses only from this sub-range of the subnet (`--ip-range`). */
  ipRange?: string;
  /** `daemon.json` `fixed-cidr`: the same as {@link BridgeNetworkOptions.ipRange}. */
  fixedCidr?: string;
  /** where the container's default route points instead of the gateway (`default-gateway`); inside the subnet. */
  defaultGateway?: string;
  /** IPv6 subnet: makes a dual-stack network (`--ipv6 --subnet fd00::/64`). /48 to /124. */
  subnetV6?: string;
  /** the IPv6 gateway on the bridge (default: the subnet's `::1`). */
  gatewayV6?: string;
  /** allocate IPv6 container addresses only from this sub-range (`--ip-range` for v6). */
  ipRangeV6?: string;
  /** `daemon.json` `fixed-cidr-v6`: the IPv6 subnet when `subnetV6` is not given, else its range. */
  fixedCidrV6?: string;
  /** IPv6 default route target instead of the v6 gateway (`default-gateway-v6`). */
  defaultGatewayV6?: string;
  /** the bridge device's name (default `br-<first 12 characters of the id>`, like Docker's custom networks). */
  bridgeName?: string;
  /** MTU of the bridge and of every veth pair, both ends (default: the kernel's, 1500). */
  mtu?: number;
  /** `--internal`: containers get no default route (and a publisher adds no outbound NAT). */
  internal?: boolean;
  /** address pools to choose a subnet from when none is given (`default-address-pools`). */
  addressPools?: readonly AddressPool[];
  /** labels (`--label`), kept in the record. */
  labels?: Record<string, string>;
  /** where the network's record lives (default `$NETNS_KIT_STATE_DIR` or `/run/netns-kit`). */
  stateDir?: string;
  /** what publishes ports (`docker run -p`); default: the first extension that is a {@link PortPublisher}; without one, {@link ConnectOptions.publish} is refused. */
  portPublisher?: PortPublisher;
  /** code that runs on every connect/disconnect/remove/gc of this network (publishing, DNS, …). */
  extensions?: readonly NetworkExtension[];
}

/** Options of {@link BridgeNetwork.open} and {@link BridgeNetwork.list}. */
export interface OpenOptions {
  /** where records live (default `$NETNS_KIT_STATE_DIR` or `/run/netns-kit`). */
  stateDir?: string;
  /** what publishes ports for connects made through this handle. */
  portPublisher?: PortPublisher;
  /** extensions run by this handle (besides those registered with {@link registerNetworkExtension}). */
  extensions?: readonly NetworkExtension[];
}

/** Options of {@link BridgeNetwork.connect} (`docker network connect [--ip IP] [--alias A] NETWORK CONTAINER`). */
export interface ConnectOptions {
  /** the container's address (`--ip`); default: the lowest free address of the range. */
  ip?: string;
  /** the container's IPv6 address on a dual-stack network (`--ip6`); default: the lowest free. */
  ip6?: string;
  /**
   * the interface name inside the container; default `eth0`, or — when the namespace
   * already has an `eth0` (it is on another network) — the next free `ethN`, as Docker does.
   */
  ifname?: string;
  /** the container interface's MAC; default derived from the IP like Docker's (`02:42:ac:11:00:02` for 172.17.0.2). */
  mac?: string;
  /** add the default route(s) in the container; default: yes, unless the network is internal or the container already has one (per family). */
  defaultRoute?: boolean;
  /** the container's name in {@link BridgeNetwork.inspect} and DNS (default: the namespace's name or path). */
  name?: string;
  /** more DNS names on this network (`--network-alias`). */
  aliases?: string[];
  /**
   * ports to publish, in Docker's `-p` text (`'80'`, `'8080:80'`, `'127.0.0.1::53/udp'`,
   * `'8000-8010:80-90'`) or as {@link PortMapping} objects; needs a port publisher
   * ({@link BridgeNetworkOptions.portPublisher}, or an extension that is one).
   */
  publish?: PortSpec[];
  /** the container's `net.ipv4.ip_unprivileged_port_start` (Docker sets 0 so non-root may bind port 80). */
  unprivilegedPortStart?: number;
  /** the container's `net.ipv4.ping_group_range` (Docker sets `[0, 2147483647]`: every group may ping). */
  pingGroupRange?: [number, number];
  /** data for extensions, by extension name (e.g. what a publisher needs). */
  extensions?: Record<string, unknown>;
}

/**
 * The seam for port publishing. An implementation receives each mapping after the endpoint
 * is fully connected, and is asked to undo it on disconnect (and when a later step of connect
 * fails). The mappings are kept in the network's record, so another process can undo them.
 */
export interface PortPublisher {
  /** Publishes `mapping` (with defaults filled in) for `endpoint` of `network`. */
  publish(network: BridgeNetwork, endpoint: NetworkEndpoint, mapping: PublishedPort): Promise<void>;
  /** Removes what {@link PortPublisher.publish} did for this mapping. */
  unpublish(network: BridgeNetwork, endpoint: NetworkEndpoint | EndpointRecord, mapping: PublishedPort): Promise<void>;
  /**
   * Optional: checks the requested mappings before anything is made (conflicts refused with a
   * typed error) and resolves them — dynamic host ports chosen, ranges expanded. Without it,
   * only fixed mappings are accepted. What it reserves is given back to
   * {@link PortPublisher.publishAll} or, when the connect fails first, to {@link PortPublisher.release}.
   */
  prepare?(network: BridgeNetwork, requests: readonly PortRequest[]): Promise<PublishedPort[]>;
  /** Optional: forgets reservations of {@link PortPublisher.prepare} when the connect failed before publishing. */
  release?(network: BridgeNetwork, ports: readonly PublishedPort[]): void;
  /** Optional: publishes all mappings of an endpoint at once (instead of {@link PortPublisher.publish} one by one); returns them as published. */
  publishAll?(network: BridgeNetwork, endpoint: NetworkEndpoint, ports: readonly PublishedPort[]): Promise<PublishedPort[]>;
  /** Optional: removes all mappings of an endpoint at once. */
  unpublishAll?(network: BridgeNetwork, endpoint: NetworkEndpoint | EndpointRecord, ports: readonly PublishedPort[]): Promise<void>;
}

/** An object that has the methods of a {@link PortPublisher}. */
function isPublisher(x: unknown): x is PortPublisher {
  return typeof x === 'object' && x !== null && typeof (x as PortPublisher).publish === 'function' && typeof (x as PortPublisher).unpublish === 'function';
}

/**
 * Code that runs at each step of a network's life, in any process that handles it: the hook
 * for port publishing, firewall rules, DNS. What {@link NetworkExtension.connect} returns is
 * stored in the endpoint's record (`extensions[name]`) and handed back to
 * {@link NetworkExtension.disconnect} — in this process or another one, after a crash too.
 */
export interface NetworkExtension {
  /** the key of this extension's data in records (e.g. `publish`). */
  readonly name: string;
  /** After the network is made; the result is stored in the network record's `config.extensions[name]`. */
  created?(network: BridgeNetwork): Promise<unknown>;
  /**
   * After an endpoint is up (address, routes); `data` is `ConnectOptions.extensions[name]`.
   * Throwing undoes the connect. The result is recorded for disconnect.
   */
  connect?(network: BridgeNetwork, endpoint: NetworkEndpoint, data: unknown): Promise<unknown>;
  /**
   * Before an endpoint's veth is deleted, or when gc removes an endpoint whose container is
   * gone or whose connect was interrupted (then `endpoint` is only the record). `data` is what
   * connect returned (undefined when connect did not run here, e.g. another process connected
   * it without this extension, or it crashed first): clean up by what the endpoint says.
   */
  disconnect?(network: BridgeNetwork, endpoint: NetworkEndpoint | EndpointRecord, data: unknown): Promise<void>;
  /** Before the bridge is deleted. */
  removed?(network: BridgeNetwork, data: unknown): Promise<void>;
  /** Adds this extension's findings to {@link BridgeNetwork.check} (e.g. rules for vanished containers). */
  check?(network: BridgeNetwork, record: NetworkRecord): Promise<NetworkIssue[]>;
  /** Repairs what its check found (called by {@link BridgeNetwork.gc}). */
  gc?(network: BridgeNetwork, record: NetworkRecord, issues: NetworkIssue[]): Promise<void>;
}

const registered: NetworkExtension[] = [];
/** Registers an extension for every network handled by this process (made, opened, listed). */
export function registerNetworkExtension(ext: NetworkExtension): void {
  checkExtension(ext, 'extension');
  if (!registered.some((e) => e.name === ext.name)) registered.push(ext);
}

/** One container's attachment to a network (what `docker network inspect` lists under Containers). */
export interface NetworkEndpoint {
  /** endpoint id: 64 hex digits (Docker's EndpointID). */
  readonly id: string;
  /** the container's name (Docker's Name). */
  readonly name: string;
  /** DNS aliases on this network. */
  readonly aliases: readonly string[];
  /** the container's namespace. */
  readonly namespace: Namespace;
  /** the interface inside the container (`eth0`). */
  readonly ifname: string;
  /** its index in the container's namespace. */
  readonly ifindex: number;
  /** the host-side veth, a port of the bridge (`veth1a2b3c4`). */
  readonly hostIfname: string;
  /** its index in the network's namespace. */
  readonly hostIfindex: number;
  /** the container interface's MAC (Docker's MacAddress). */
  readonly mac: string;
  /** the container's IPv4 address. */
  readonly ip: string;
  /** the subnet's prefix length. */
  readonly prefixLength: number;
  /** the container's IPv6 address (dual-stack networks). */
  readonly ip6?: string;
  /** whether connect added the IPv4 default route in the container. */
  readonly defaultRoute: boolean;
  /** whether connect added the IPv6 default route. */
  readonly defaultRoute6?: boolean;
  /** published ports. */
  readonly ports: readonly PublishedPort[];
}

/**
 * A container of {@link NetworkInspect}, read back from the kernel.
 * @category Networks
 */
export interface EndpointInspect {
  /** the container's name. */
  name: string;
  /** endpoint id. */
  endpointId: string;
  /** the container's namespace (name or path). */
  namespace: string;
  /** the interface inside the container. */
  ifname: string;
  /** the host-side veth. */
  hostIfname: string;
  /** the host-side veth is a port of the bridge. */
  attached: boolean;
  /** MAC of the container interface, as the kernel has it now (Docker: MacAddress). */
  macAddress: string | undefined;
  /** `ip/len` as the kernel has it now (Docker: IPv4Address), or `''` when it is gone. */
  ipv4Address: string;
  /** `ip6/len` as the kernel has it now (Docker: IPv6Address), or `''`. */
  ipv6Address: string;
  /** DNS aliases. */
  aliases: string[];
  /** published ports. */
  ports: PublishedPort[];
}

/**
 * What {@link BridgeNetwork.inspect} returns: `docker network inspect NAME`, read from the kernel.
 * @category Networks
 */
export interface NetworkInspect {
  /** the network's name (Name). */
  name: string;
  /** the network's id (Id): 64 hex digits. */
  id: string;
  /** always `bridge` (Driver). */
  driver: 'bridge';
  /** the namespace the bridge lives in (name or path; the host for Docker). */
  namespace: string;
  /** the bridge device (Options["com.docker.network.bridge.name"]). */
  bridge: string;
  /** the bridge's MAC address. */
  bridgeMac: string | undefined;
  /** the bridge is up. */
  bridgeUp: boolean;
  /** IPAM.Config[0].Subnet. */
  subnet: string;
  /** IPAM.Config[0].Gateway (as configured). */
  gateway: string;
  /** IPAM.Config[0].IPRange. */
  ipRange: string | undefined;
  /** the IPv6 subnet (EnableIPv6 when set). */
  subnetV6: string | undefined;
  /** the IPv6 gateway. */
  gatewayV6: string | undefined;
  /** Internal. */
  internal: boolean;
  /** the MTU (Options["com.docker.network.driver.mtu"]). */
  mtu: number | undefined;
  /** Labels. */
  labels: Record<string, string>;
  /** the gateway address is on the bridge now. */
  gatewayOnBridge: boolean;
  /** the containers (Containers), in connection order. */
  containers: EndpointInspect[];
}

/** One row of {@link BridgeNetwork.list} (`docker network ls`). */
export interface NetworkSummary {
  /** the network's name. */
  name: string;
  /** its id. */
  id: string;
  /** the bridge device. */
  bridge: string;
  /** IPv4 subnet. */
  subnet: string;
  /** IPv6 subnet, if dual-stack. */
  subnetV6: string | undefined;
  /** containers connected (connects still in flight not counted). */
  containers: number;
  /** the bridge exists in the kernel (false: a stale record, e.g. its namespace was deleted and reused). */
  present: boolean;
}

/** Something {@link BridgeNetwork.check} found inconsistent between the kernel and the record. */
export interface NetworkIssue {
  /** what kind of problem. */
  kind:
    | 'bridge-missing'
    | 'gateway-missing'
    | 'interrupted-connect'
    | 'namespace-gone'
    | 'veth-missing'
    | 'veth-detached'
    | 'address-missing'
    | 'unknown-port'
    | 'extension';
  /** the endpoint concerned (its id), if any. */
  endpoint?: string;
  /** the container's name, if any. */
  name?: string;
  /** the interface concerned (host side), if any. */
  link?: string;
  /** a sentence a person can act on. */
  message: string;
  /** what {@link BridgeNetwork.gc} does about it (`none`: reported only). */
  repair: 'remove-endpoint' | 'delete-link' | 'none';
}

/** Options of {@link BridgeNetwork.remove}. */
export interface RemoveOptions {
  /** disconnect the remaining containers first instead of refusing with EBUSY. */
  force?: boolean;
}

const CREATE_KEYS = [
  'name', 'subnet', 'gateway', 'bip', 'ipRange', 'fixedCidr', 'defaultGateway', 'subnetV6', 'gatewayV6', 'ipRangeV6', 'fixedCidrV6',
  'defaultGatewayV6', 'bridgeName', 'mtu', 'internal', 'addressPools', 'labels', 'stateDir', 'portPublisher', 'extensions',
] as const;
const CONNECT_KEYS = ['ip', 'ip6', 'ifname', 'mac', 'defaultRoute', 'name', 'aliases', 'publish', 'unprivilegedPortStart', 'pingGroupRange', 'extensions'] as const;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Connects to one namespace run one after another (the choice of `ethN` must see the previous one). */
const namespaceLocks = new Map<string, Promise<unknown>>();
async function withNamespaceLock<T>(ns: Namespace, fn: () => Promise<T>): Promise<T> {
  const key = `${ns.identity.dev}:${ns.identity.ino}`;
  const prev = namespaceLocks.get(key) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => undefined);
  namespaceLocks.set(key, tail);
  try {
    return await run;
  } finally {
    if (namespaceLocks.get(key) === tail) namespaceLocks.delete(key);
  }
}

function newId(): string {
  // Web Crypto (a global): node:crypto is not loaded at import
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32))).toString('hex');
}

/**
 * Docker's MAC for an IPv4 address: 02:42 followed by the four address bytes.
 * @category Networks
 */
export function macForIpv4(ip: string): string {
  const n = ipv4ToNumber(ip);
  return ['02', '42', n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((x) => (typeof x === 'string' ? x : x.toString(16).padStart(2, '0'))).join(':');
}

/** A random locally administered MAC in Docker's `02:42:…` space, fixed on the bridge so the gateway's MAC never follows a port. */
function randomBridgeMac(): string {
  return ['02', '42', ...Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(4))).toString('hex').match(/../g)!].join(':');
}

function checkExtension(ext: unknown, field: string): NetworkExtension {
  if (typeof ext !== 'object' || ext === null || typeof (ext as NetworkExtension).name !== 'string' || !(ext as NetworkExtension).name) {
    throw new ValidationError(field, ext, 'expected an object with a name and optional connect/disconnect/removed/check/gc functions');
  }
  return ext as NetworkExtension;
}

/** An address inside `p` usable for a host (not the network address, not the IPv4 broadcast). */
function hostAddress(p: Prefix, ip: unknown, field: string): bigint {
  const c = parseCidr(ip, field);
  if (c.prefixLength !== (p.family === 4 ? 32 : 128)) throw new ValidationError(field, ip, 'expected an address without a prefix length');
  if (c.family !== p.family) throw new ValidationError(field, ip, `expected an IPv${p.family} address`);
  const { n } = ipToBig(c.address);
  const r = new AddressRange(p);
  if (n === p.net) throw new ValidationError(field, ip, `${c.address} is the network address of ${formatPrefix(p)}`);
  if (!inPrefix(p, n)) throw new ValidationError(field, ip, `${c.address} is not in ${formatPrefix(p)}`);
  if (!r.usable(n)) throw new ValidationError(field, ip, `${c.address} is the broadcast address of ${formatPrefix(p)}`);
  return n;
}

function rangeIn(subnet: Prefix, v: unknown, field: string): Prefix {
  const r = parsePrefix(v, field, subnet.family);
  if (r.len < subnet.len || !inPrefix(subnet, r.net)) throw new ValidationError(field, v, `expected a range inside ${formatPrefix(subnet)}`);
  return r;
}

/** Address text → number, remembered (a connect looks at every reserved address of the network). */
const parsed = new Map<string, { family: 4 | 6; n: bigint }>();
function addressNumber(ip: string): { family: 4 | 6; n: bigint } {
  let a = parsed.get(ip);
  if (!a) {
    if (parsed.size >= 1 << 17) parsed.clear();
    a = ipToBig(ip);
    parsed.set(ip, a);
  }
  return a;
}

/** The addresses given out on a network, per family: its gateways and the reserved addresses (text). */
function usedSets(config: NetworkConfigRecord, reserved: Iterable<string>): { v4: Set<bigint>; v6: Set<bigint> } {
  const v4 = new Set<bigint>([ipToBig(config.gateway).n]);
  const v6 = new Set<bigint>();
  if (config.gatewayV6) v6.add(ipToBig(config.gatewayV6).n);
  if (config.defaultGateway) v4.add(ipToBig(config.defaultGateway).n);
  if (config.defaultGatewayV6) v6.add(ipToBig(config.defaultGatewayV6).n);
  for (const ip of reserved) {
    const a = addressNumber(ip);
    (a.family === 4 ? v4 : v6).add(a.n);
  }
  return { v4, v6 };
}

const code = (e: unknown): string | undefined => (e as { code?: string } | undefined)?.code;

/**
 * A Docker-style bridge network in a namespace of your choice: a bridge holding the
 * gateway address of a subnet, and containers (namespaces) attached to it by veth pairs.
 *
 * ```ts
 * const host = await Namespace.create('host');                          // the "Docker host"
 * const net = await BridgeNetwork.create(host, { name: 'custom', subnet: '192.168.2.0/24' });
 * const c1 = await Namespace.create('c1');
 * const ep = await net.connect(c1);               // eth0 192.168.2.2/24, default via 192.168.2.1
 * await net.inspect();                            // subnet, gateway, each container's MAC and IP
 * await net.disconnect(c1);                       // 192.168.2.2 is free again
 * await net.remove();                             // docker network rm custom
 * // in another process:
 * const again = await BridgeNetwork.open(host, 'custom');
 * ```
 *
 * What {@link BridgeNetwork.connect} does, in order: reserves an address (a file per address,
 * made with O_EXCL under the network's file lock, so two processes never hand out the same
 * one) and records the endpoint in a file of its own, creates a veth
 * pair whose container end is made directly inside the container's namespace under its
 * final name (`eth0`), with Docker's MAC for the address; enslaves the host end
 * (`vethXXXXXXX`) to the bridge and sets it up; sets the container's sysctls (`arp_notify`,
 * IPv6 off on IPv4-only networks), gives it its address(es), sets `lo` and it up (a
 * gratuitous ARP goes out), adds the default route(s); runs extensions; then marks the
 * endpoint connected in the record. If any step fails, the pair is deleted and the
 * reservation dropped; if the process dies, {@link BridgeNetwork.gc} cleans up.
 *
 * Forwarding is not switched on in the bridge's namespace, so two networks in the same
 * namespace cannot reach each other; a container connected to both reaches both.
 */
export class BridgeNetwork {
  /** The network's name. */
  readonly name: string;
  /** The network's id: 64 hex digits. */
  readonly id: string;
  /** The namespace the bridge lives in. */
  readonly namespace: Namespace;
  /** The bridge (a snapshot taken at creation or open). */
  readonly bridge: Bridge;
  /** The subnet, e.g. `172.17.0.0/16`. */
  readonly subnet: string;
  /** The gateway address, e.g. `172.17.0.1` (on the bridge). */
  readonly gateway: string;
  /** The subnet's prefix length. */
  readonly prefixLength: number;
  /** The IPv6 subnet of a dual-stack network. */
  readonly subnetV6: string | undefined;
  /** The IPv6 gateway. */
  readonly gatewayV6: string | undefined;
  /** MTU of the bridge and the veth pairs, when one was given. */
  readonly mtu: number | undefined;
  /** An internal network: containers get no default route. */
  readonly internal: boolean;
  /** The network's configuration as recorded. */
  readonly config: Readonly<NetworkConfigRecord>;
  /** The state directory its record lives in. */
  readonly stateDir: string;
  private readonly store: NetworkStore;
  private readonly v4: AddressRange;
  private readonly v6: AddressRange | undefined;
  private readonly publisher: PortPublisher | undefined;
  private readonly exts: NetworkExtension[];
  private eps: NetworkEndpoint[] = [];
  /** namespaces this handle opened itself (for endpoints made elsewhere): closed by close(). */
  private readonly opened = new Map<string, Namespace>();
  /** closes of namespaces released by disconnect, awaited by close(). */
  private closing: Promise<void>[] = [];
  private removed = false;

  private constructor(record: NetworkRecord, host: Namespace, bridge: Bridge, stateDir: string, store: NetworkStore, publisher: PortPublisher | undefined, exts: readonly NetworkExtension[]) {
    this.name = record.name;
    this.id = record.id;
    this.namespace = host;
    this.bridge = bridge;
    this.config = record.config;
    this.subnet = record.config.subnet;
    this.gateway = record.config.gateway;
    const s4 = parsePrefix(record.config.subnet, 'subnet');
    this.prefixLength = s4.len;
    this.v4 = new AddressRange(s4, record.config.ipRange ? parsePrefix(record.config.ipRange, 'ipRange') : undefined);
    if (record.config.subnetV6) {
      const s6 = parsePrefix(record.config.subnetV6, 'subnetV6');
      this.v6 = new AddressRange(s6, record.config.ipRangeV6 ? parsePrefix(record.config.ipRangeV6, 'ipRangeV6') : undefined);
    }
    this.subnetV6 = record.config.subnetV6;
    this.gatewayV6 = record.config.gatewayV6;
    this.mtu = record.config.mtu;
    this.internal = record.config.internal;
    this.stateDir = stateDir;
    this.store = store;
    const all = [...exts];
    for (const e of registered) if (!all.some((x) => x.name === e.name)) all.push(e);
    this.exts = all;
    this.publisher = publisher ?? (all.find((e) => isPublisher(e)) as PortPublisher | undefined);
  }

  /**
   * Creates the network (`docker network create`): a bridge in `host` (up, STP off, a fixed
   * MAC, `accept_ra=0`) with the gateway address(es), and its record. Fails with EEXIST when
   * the network name or the bridge name is taken, with {@link PoolOverlapError} when the
   * subnet overlaps one in use; nothing is left half-made.
   */
  static async create(host: Namespace, options: BridgeNetworkOptions = {}): Promise<BridgeNetwork> {
    if (!(host instanceof Namespace)) throw new ValidationError('host', host, 'expected a Namespace');
    const o = validateOptions<BridgeNetworkOptions>(options, CREATE_KEYS);
    const name = o.name ?? 'bridge';
    if (typeof name !== 'string' || !NAME_RE.test(name) || name.length > 200) {
      throw new ValidationError('name', name, 'a network name starts with a letter or digit and holds only letters, digits, "_", "." and "-"');
    }
    // --- validate everything before any syscall
    let subnet: Prefix | undefined;
    let gatewayN: bigint | undefined;
    if (o.bip !== undefined) {
      if (o.subnet !== undefined || o.gateway !== undefined) throw new ValidationError('bip', o.bip, 'give either bip or subnet/gateway');
      const c = parseCidr(o.bip, 'bip', { requirePrefix: true });
      if (c.family !== 4) throw new ValidationError('bip', o.bip, 'expected an IPv4 address with prefix length, like 10.20.0.1/16');
      subnet = prefixOf(c.address, c.prefixLength);
      gatewayN = ipToBig(c.address).n;
    } else if (o.subnet !== undefined) {
      subnet = parsePrefix(o.subnet, 'subnet');
      if (subnet.family !== 4) throw new ValidationError('subnet', o.subnet, 'expected an IPv4 subnet (give IPv6 as subnetV6)');
    }
    if (subnet && (subnet.len < 8 || subnet.len > 30)) {
      throw new ValidationError(o.bip !== undefined ? 'bip' : 'subnet', o.bip ?? o.subnet, 'expected a prefix length from /8 to /30 (a /31 or /32 has no room for a gateway and an endpoint)');
    }
    if (o.gateway !== undefined && subnet === undefined) throw new ValidationError('gateway', o.gateway, 'a gateway needs a subnet');
    if (subnet && o.gateway !== undefined) gatewayN = hostAddress(subnet, o.gateway, 'gateway');
    if (o.ipRange !== undefined && o.fixedCidr !== undefined && o.ipRange !== o.fixedCidr) throw new ValidationError('fixedCidr', o.fixedCidr, 'give ipRange or fixedCidr, not both');
    const ipRangeText = o.ipRange ?? o.fixedCidr;
    if (ipRangeText !== undefined && subnet === undefined) throw new ValidationError(o.ipRange !== undefined ? 'ipRange' : 'fixedCidr', ipRangeText, 'a range needs a subnet');
    const ipRange = ipRangeText === undefined ? undefined : rangeIn(subnet!, ipRangeText, o.ipRange !== undefined ? 'ipRange' : 'fixedCidr');
    if (o.defaultGateway !== undefined && subnet === undefined) throw new ValidationError('defaultGateway', o.defaultGateway, 'a default gateway needs a subnet');
    const defaultGateway = o.defaultGateway === undefined ? undefined : bigToIp(hostAddress(subnet!, o.defaultGateway, 'defaultGateway'), 4);
    // IPv6
    let subnet6: Prefix | undefined;
    const v6Text = o.subnetV6 ?? o.fixedCidrV6;
    if (v6Text !== undefined) {
      subnet6 = parsePrefix(v6Text, o.subnetV6 !== undefined ? 'subnetV6' : 'fixedCidrV6', 6);
      if (subnet6.len < 48 || subnet6.len > 124) throw new ValidationError(o.subnetV6 !== undefined ? 'subnetV6' : 'fixedCidrV6', v6Text, 'expected a prefix length from /48 to /124');
    }
    for (const f of ['gatewayV6', 'ipRangeV6', 'defaultGatewayV6'] as const) {
      if (o[f] !== undefined && subnet6 === undefined) throw new ValidationError(f, o[f], 'needs an IPv6 subnet (subnetV6)');
    }
    const gateway6N = subnet6 === undefined ? undefined : o.gatewayV6 !== undefined ? hostAddress(subnet6, o.gatewayV6, 'gatewayV6') : subnet6.net + 1n;
    const range6Text = o.ipRangeV6 ?? (o.subnetV6 !== undefined ? o.fixedCidrV6 : undefined);
    const range6 = range6Text === undefined ? undefined : rangeIn(subnet6!, range6Text, o.ipRangeV6 !== undefined ? 'ipRangeV6' : 'fixedCidrV6');
    const defaultGateway6 = o.defaultGatewayV6 === undefined ? undefined : bigToIp(hostAddress(subnet6!, o.defaultGatewayV6, 'defaultGatewayV6'), 6);
    const mtu = o.mtu === undefined ? undefined : validateInt(o.mtu, 'mtu', 68, 65535);
    if (subnet6 && mtu !== undefined && mtu < 1280) throw new ValidationError('mtu', mtu, 'IPv6 needs an MTU of at least 1280');
    if (o.internal !== undefined && typeof o.internal !== 'boolean') throw new ValidationError('internal', o.internal, 'expected true or false');
    const labels = o.labels ?? {};
    if (typeof labels !== 'object' || labels === null || Object.values(labels).some((v) => typeof v !== 'string')) throw new ValidationError('labels', labels, 'expected an object of strings');
    const pools = o.addressPools ?? DEFAULT_ADDRESS_POOLS;
    if (!Array.isArray(pools)) throw new ValidationError('addressPools', pools, 'expected an array of { base, size }');
    for (const [i, p] of pools.entries()) {
      parsePrefix(p?.base, `addressPools[${i}].base`, 4);
      validateInt(p?.size, `addressPools[${i}].size`, parsePrefix(p.base, `addressPools[${i}].base`).len, 30);
    }
    const pub = o.portPublisher;
    if (pub !== undefined && (typeof pub !== 'object' || pub === null || typeof pub.publish !== 'function' || typeof pub.unpublish !== 'function')) {
      throw new ValidationError('portPublisher', pub, 'expected an object with publish() and unpublish()');
    }
    const exts = (o.extensions ?? []).map((e, i) => checkExtension(e, `extensions[${i}]`));
    const id = newId();
    const bridgeName = validateIfname(o.bridgeName ?? `br-${id.slice(0, 12)}`, 'bridgeName');
    const stateDir = stateDirOf(o.stateDir);
    const store = await NetworkStore.of(stateDir, host);

    const record = await store.lockedHost(async () => {
      const existing = await store.head(name);
      if (existing) {
        if (await bridgePresent(host, existing.bridge)) {
          throw new NetnsKitError(`create network ${name}: a network with that name exists in ${host.label} (bridge ${existing.bridge})`, 'EEXIST', 17);
        }
        await store.delete(name); // a stale record: its bridge is gone
      }
      const taken = await takenPrefixes(host, store, !subnet);
      let chosen = subnet;
      if (chosen) {
        const hit = taken.filter((t) => t.strict && overlaps(t.prefix, chosen!)).sort((x, y) => (x.prefix.net < y.prefix.net ? -1 : x.prefix.net > y.prefix.net ? 1 : 0))[0];
        if (hit) throw new PoolOverlapError(formatPrefix(chosen), formatPrefix(hit.prefix), hit.holder);
      } else {
        for (const c of poolCandidates(pools)) {
          if (!taken.some((t) => overlaps(t.prefix, c))) {
            chosen = c;
            break;
          }
        }
        if (!chosen) throw new NetnsKitError(`create network ${name}: every address pool overlaps a subnet in use in ${host.label}; give a subnet`, 'ENOSPC', 28);
      }
      if (subnet6) {
        const hit = taken.find((t) => t.strict && overlaps(t.prefix, subnet6!));
        if (hit) throw new PoolOverlapError(formatPrefix(subnet6), formatPrefix(hit.prefix), hit.holder);
      }
      const gw = gatewayN ?? chosen.net + 1n;
      const bridgeMac = randomBridgeMac();
      const bridge = await Bridge.create(host, { name: bridgeName, stp: false, up: false, address: bridgeMac, ...(mtu !== undefined ? { mtu } : {}) });
      try {
        // Docker: no router advertisements are accepted on the bridge
        await Sysctl.of(host).set(`net/ipv6/conf/${bridgeName}/accept_ra`, 0).catch((e: unknown) => {
          if (code(e) !== 'ENOENT') throw e;
        });
        await Address.add(bridge, `${bigToIp(gw, 4)}/${chosen.len}`, { broadcast: '+' });
        if (subnet6) await Address.add(bridge, `${bigToIp(gateway6N!, 6)}/${subnet6.len}`, { flags: ['nodad'] });
        await bridge.up();
        const r: NetworkRecord = {
          version: 2,
          name,
          id,
          bridge: bridgeName,
          host: await namespaceRecord(host),
          created: new Date().toISOString(),
          config: {
            subnet: formatPrefix(chosen),
            gateway: bigToIp(gw, 4),
            internal: o.internal ?? false,
            bridgeMac,
            labels: { ...labels },
            extensions: {},
          },
          endpoints: [],
        };
        if (ipRange) r.config.ipRange = formatPrefix(ipRange);
        if (defaultGateway) r.config.defaultGateway = defaultGateway;
        if (subnet6) {
          r.config.subnetV6 = formatPrefix(subnet6);
          r.config.gatewayV6 = bigToIp(gateway6N!, 6);
          if (range6) r.config.ipRangeV6 = formatPrefix(range6);
          if (defaultGateway6) r.config.defaultGatewayV6 = defaultGateway6;
        }
        if (mtu !== undefined) r.config.mtu = mtu;
        await store.create(r);
        return r;
      } catch (e) {
        await bridge.delete().catch(() => undefined); // leave nothing half-made
        throw e;
      }
    });
    const br = await Bridge.get(host, bridgeName);
    const net = new BridgeNetwork(record, host, br, stateDir, store, pub, exts);
    for (const ext of net.exts) {
      if (!ext.created) continue;
      const data = await ext.created(net);
      if (data !== undefined) {
        await net.locked(async (h) => {
          h.config.extensions[ext.name] = data;
          await store.writeHead(h);
        });
      }
    }
    return net;
  }

  /**
   * Opens a network made by this or another process (`docker network inspect NAME` from a
   * new client): reads its record and rebuilds the endpoints from the kernel (the bridge's
   * ports, the containers' namespaces and interfaces). ENOENT when there is no such network
   * in `host`'s records or its bridge is gone.
   */
  static async open(host: Namespace, name: string, options: OpenOptions = {}): Promise<BridgeNetwork> {
    if (!(host instanceof Namespace)) throw new ValidationError('host', host, 'expected a Namespace');
    if (typeof name !== 'string' || !NAME_RE.test(name)) throw new ValidationError('name', name, 'expected a network name');
    const o = validateOptions<OpenOptions>(options, ['stateDir', 'portPublisher', 'extensions']);
    const stateDir = stateDirOf(o.stateDir);
    const store = await NetworkStore.of(stateDir, host);
    const record = await store.read(name);
    if (!record) throw new NetnsKitError(`open network ${name}: no such network in ${host.label} (records in ${store.dir})`, 'ENOENT', 2);
    let bridge: Bridge;
    try {
      bridge = await Bridge.get(host, record.bridge);
    } catch (e) {
      throw new NetnsKitError(`open network ${name}: its bridge ${record.bridge} is not in ${host.label} (a stale record; BridgeNetwork.list shows it as not present)`, 'ENOENT', 2, { cause: e });
    }
    const exts = (o.extensions ?? []).map((e, i) => checkExtension(e, `extensions[${i}]`));
    const net = new BridgeNetwork(record, host, bridge, stateDir, store, o.portPublisher, exts);
    await net.sync(record);
    return net;
  }

  /** The networks recorded for `host` (`docker network ls`), with whether each bridge exists. */
  static async list(host: Namespace, options: Pick<OpenOptions, 'stateDir'> = {}): Promise<NetworkSummary[]> {
    if (!(host instanceof Namespace)) throw new ValidationError('host', host, 'expected a Namespace');
    const store = await NetworkStore.of(stateDirOf(options.stateDir), host);
    const bridges = new Set((await Link.list(host, { kind: 'bridge' })).map((l) => l.name));
    const out: NetworkSummary[] = [];
    for (const n of await store.names()) {
      const r = await store.read(n).catch(() => undefined);
      if (!r) continue;
      out.push({
        name: r.name,
        id: r.id,
        bridge: r.bridge,
        subnet: r.config.subnet,
        subnetV6: r.config.subnetV6,
        containers: r.endpoints.filter((e) => e.state === 'connected').length,
        present: bridges.has(r.bridge),
      });
    }
    return out;
  }

  /** The connected containers, in connection order (as of this handle's last operation or {@link BridgeNetwork.reload}). */
  get endpoints(): readonly NetworkEndpoint[] {
    return this.eps;
  }

  /** Addresses of the IPv4 range still free for containers (as of the last operation). */
  get freeAddresses(): number {
    const inRange = (ip: string): boolean => inPrefix(this.v4.range, ipToBig(ip).n);
    return Number(this.v4.size) - [this.gateway, ...this.eps.map((e) => e.ip)].filter(inRange).length;
  }

  /** The endpoint of a container namespace on this network, if it is connected. */
  endpoint(container: Namespace): NetworkEndpoint | undefined {
    return this.eps.find((e) => e.namespace.equals(container));
  }

  /** Re-reads the record and the kernel: endpoints connected by other processes appear, disconnected ones go. */
  async reload(): Promise<readonly NetworkEndpoint[]> {
    this.checkNotRemoved();
    const r = await this.store.read(this.name);
    if (!r || r.id !== this.id) {
      this.removed = true;
      throw this.removedError();
    }
    await this.sync(r);
    return this.eps;
  }

  /**
   * Connects a container namespace (`docker network connect NETWORK CONTAINER`) and returns
   * its endpoint. Refuses (before changing anything) a namespace already on this network
   * (EEXIST), an interface name the container already has (EEXIST, naming it), an address
   * outside the subnet (ValidationError) or in use (EADDRINUSE), a full range (ENOSPC), and
   * published ports without a port publisher (ENOTSUP).
   */
  async connect(container: Namespace, options: ConnectOptions = {}): Promise<NetworkEndpoint> {
    this.checkNotRemoved();
    if (!(container instanceof Namespace)) throw new ValidationError('container', container, 'expected a Namespace');
    const o = validateOptions<ConnectOptions>(options, CONNECT_KEYS);
    if (o.ifname !== undefined) validateIfname(o.ifname, 'ifname');
    if (o.mac !== undefined) parseMac(o.mac, 'mac');
    if (o.defaultRoute !== undefined && typeof o.defaultRoute !== 'boolean') throw new ValidationError('defaultRoute', o.defaultRoute, 'expected true or false');
    if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0)) throw new ValidationError('name', o.name, 'expected a non-empty string');
    const aliases = o.aliases ?? [];
    if (!Array.isArray(aliases) || aliases.some((a) => typeof a !== 'string' || !/^[A-Za-z0-9]([A-Za-z0-9_.-]{0,252})$/.test(a))) {
      throw new ValidationError('aliases', aliases, 'expected an array of host names');
    }
    const ip4 = o.ip === undefined ? undefined : hostAddress(this.v4.subnet, o.ip, 'ip');
    if (o.ip6 !== undefined && !this.v6) throw new ValidationError('ip6', o.ip6, `network ${this.name} has no IPv6 subnet`);
    const ip6 = o.ip6 === undefined ? undefined : hostAddress(this.v6!.subnet, o.ip6, 'ip6');
    if (o.unprivilegedPortStart !== undefined) validateInt(o.unprivilegedPortStart, 'unprivilegedPortStart', 0, 65535);
    if (o.pingGroupRange !== undefined) {
      const g = o.pingGroupRange;
      if (!Array.isArray(g) || g.length !== 2) throw new ValidationError('pingGroupRange', g, 'expected [low, high]');
      validateInt(g[0], 'pingGroupRange[0]', 0, 2147483647);
      validateInt(g[1], 'pingGroupRange[1]', 0, 2147483647);
    }
    if (o.extensions !== undefined && (typeof o.extensions !== 'object' || o.extensions === null)) throw new ValidationError('extensions', o.extensions, 'expected an object keyed by extension name');
    const requests = o.publish === undefined ? [] : parsePublish(o.publish);
    if (requests.length > 0 && this.publisher === undefined) {
      throw new NetnsKitError(
        `connect ${container.label} to network ${this.name}: publishing ports (docker run -p) needs NAT rules in the kernel's firewall; pass a portPublisher to BridgeNetwork.create or open`,
        'ENOTSUP',
        95,
      );
    }
    if (container.equals(this.namespace)) {
      throw new ValidationError('container', container.label, `the namespace of network ${this.name}'s bridge cannot be a container on it`);
    }
    // published ports are checked (and dynamic ones chosen) before anything is made
    const pub = this.publisher;
    const ports = requests.length === 0 ? [] : pub?.prepare ? await pub.prepare(this, requests) : expandFixed(requests);
    let handed = false;
    try {
      const ep = await this.connectLocked(container, o, aliases, ip4, ip6, ports, () => void (handed = true));
      return ep;
    } finally {
      if (!handed && ports.length > 0) pub?.release?.(this, ports);
    }
  }

  private connectLocked(container: Namespace, o: ConnectOptions, aliases: string[], ip4: bigint | undefined, ip6: bigint | undefined, ports: PublishedPort[], onPublish: () => void): Promise<NetworkEndpoint> {
    return withNamespaceLock(container, async () => {
      const what = `connect ${container.label} to network ${this.name}`;
      const names = new Set((await Link.list(container)).map((l) => l.name));
      if (o.ifname !== undefined && names.has(o.ifname)) {
        throw new NetnsKitError(`${what}: the container already has an interface named ${o.ifname}; choose another ifname`, 'EEXIST', 17);
      }
      let ifname = o.ifname;
      for (let i = 0; ifname === undefined; i++) if (!names.has(`eth${i}`)) ifname = `eth${i}`;
      const id = newId();
      const hostIfname = `veth${id.slice(0, 7)}`;
      const owner = await selfOwner();
      const nsRec = await namespaceRecord(container);
      // reserve the addresses (a file each, O_EXCL) and record the endpoint, under the lock
      const reserve = async (h: NetworkFile, retried: boolean): Promise<EndpointRecord> => {
        const mine = await this.store.endpointIn(this.name, nsRec);
        if (mine && sameNamespace(mine.namespace, container, nsRec.cookie)) {
          throw new NetnsKitError(`${what}: it is already connected (endpoint ${mine.ifname}${mine.state === 'connecting' ? ', being connected' : ''})`, 'EEXIST', 17);
        }
        const pickAll = (used: { v4: Set<bigint>; v6: Set<bigint> }, final: boolean): { a4?: string; a6?: string } => {
          const pick = (range: AddressRange, used: Set<bigint>, asked: bigint | undefined, field: string): bigint | undefined => {
            if (asked !== undefined) {
              if (!used.has(asked)) return asked;
              if (!final) return undefined;
              throw new NetnsKitError(`${what}: ${bigToIp(asked, range.subnet.family)} is already in use in ${formatPrefix(range.subnet)}`, 'EADDRINUSE', 98);
            }
            const n = range.next(used);
            if (n !== undefined || !final) return n;
            const gw = ipToBig(range.subnet.family === 4 ? this.gateway : this.gatewayV6!).n;
            const gwIn = inPrefix(range.range, gw);
            const others = [...used].filter((u) => inPrefix(range.range, u) && u !== gw).length;
            const who = gwIn ? `the gateway ${bigToIp(gw, range.subnet.family)} and ${others} container(s) use them` : `${others} container(s) use them`;
            throw new NetnsKitError(
              `${what}: no free ${field}address in ${formatPrefix(range.range)}: all ${range.size} usable addresses are in use (${who}; disconnect one or use a larger subnet)`,
              'ENOSPC',
              28,
            );
          };
          const n4 = pick(this.v4, used.v4, ip4, '');
          const n6 = this.v6 ? pick(this.v6, used.v6, ip6, 'IPv6 ') : undefined;
          return { ...(n4 !== undefined ? { a4: bigToIp(n4, 4) } : {}), ...(n6 !== undefined ? { a6: bigToIp(n6, 6) } : {}) };
        };
        let got = pickAll(usedSets(h.config, await this.store.reserved(this.name)), false);
        if (got.a4 === undefined || (this.v6 && got.a6 === undefined)) {
          // taken or full: first take back reservations a crash left without an endpoint
          await this.store.repair(this.name);
          got = pickAll(usedSets(h.config, await this.store.reserved(this.name)), true);
        }
        const a4 = got.a4!;
        const e: EndpointRecord = {
          id,
          state: 'connecting',
          owner,
          name: o.name ?? container.label,
          aliases: [...aliases],
          namespace: nsRec,
          ifname: ifname!,
          hostIfname,
          mac: o.mac ?? macForIpv4(a4),
          ip: a4,
          defaultRoute: false,
          ports: [],
          extensions: {},
          seq: process.hrtime.bigint().toString(),
        };
        if (got.a6 !== undefined) e.ip6 = got.a6;
        try {
          await this.store.addEndpoint(this.name, e);
        } catch (err) {
          // the address was reserved by someone this store did not see (it forgot what it knew): look again
          if (code(err) !== 'EADDRINUSE' || retried) throw err;
          return reserve(h, true);
        }
        return { ...e };
      };
      const rec = await this.locked((h) => reserve(h, false));
      let ep: NetworkEndpoint;
      try {
        ep = await this.attach(container, o, rec, ports, onPublish);
      } catch (e) {
        await this.locked(() => this.store.dropEndpoint(this.name, rec)).catch(() => undefined);
        throw e;
      }
      this.eps.push(ep);
      return ep;
    });
  }

  /**
   * Makes a (possibly reused) address known on the segment at once. The gratuitous ARP that
   * arp_notify sends when the interface comes up races the bridge port: the host end's carrier
   * (and so the port's forwarding state) is set by the kernel's link watch work a moment later,
   * and a GARP that arrives first is dropped. So once the host end is operationally up, the
   * container resolves its gateway: that ARP request carries its address and MAC to every
   * neighbour, which update the entries they have (Docker's arp_notify, made reliable).
   */
  private async announce(container: Namespace, eth: Link, hostIndex: number): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const port = await Link.get(this.namespace, hostIndex).catch(() => undefined);
      if (port === undefined) return;
      if (port.operstate === 'up') break;
      await new Promise((r) => setTimeout(r, 2));
    }
    await Neighbor.probe(container, { address: this.gateway, link: eth }).catch(() => undefined);
  }

  private async attach(container: Namespace, o: ConnectOptions, rec: EndpointRecord, ports: PublishedPort[], onPublish: () => void): Promise<NetworkEndpoint> {
    const what = `connect ${container.label} to network ${this.name}`;
    let pair: VethPair;
    try {
      pair = await VethPair.create(this.namespace, {
        name: rec.hostIfname,
        ...(this.mtu !== undefined ? { mtu: this.mtu } : {}),
        peer: { name: rec.ifname, namespace: container, address: rec.mac },
      });
    } catch (e) {
      if (code(e) === 'EEXIST' && (await Link.list(container)).some((l) => l.name === rec.ifname)) {
        throw new NetnsKitError(`${what}: the container already has an interface named ${rec.ifname}; choose another ifname`, 'EEXIST', 17, { cause: e });
      }
      throw e;
    }
    const published: PublishedPort[] = [];
    const extData: Record<string, unknown> = {};
    let endpoint: NetworkEndpoint | undefined;
    try {
      await this.bridge.addPort(pair.local);
      await pair.local.up();
      const eth = pair.peer;
      const sys = Sysctl.of(container);
      const ifn = rec.ifname;
      // a gratuitous ARP when the interface comes up: neighbours learn a reused address at once
      await sys.set(`net/ipv4/conf/${ifn}/arp_notify`, 1);
      // IPv6 off on the container's interface of an IPv4-only network (Docker does the same)
      await sys.set(`net/ipv6/conf/${ifn}/disable_ipv6`, this.v6 ? 0 : 1).catch((e: unknown) => {
        if (code(e) !== 'ENOENT') throw e;
      });
      if (this.v6) await sys.set(`net/ipv6/conf/${ifn}/accept_ra`, 0).catch(() => undefined);
      if (o.unprivilegedPortStart !== undefined) await sys.set('net/ipv4/ip_unprivileged_port_start', o.unprivilegedPortStart);
      if (o.pingGroupRange !== undefined) await sys.set('net/ipv4/ping_group_range', o.pingGroupRange);
      await Address.add(eth, `${rec.ip}/${this.prefixLength}`, { broadcast: '+' });
      if (rec.ip6) await Address.add(eth, `${rec.ip6}/${this.v6!.subnet.len}`, { flags: ['nodad'] });
      await (await Link.get(container, 'lo')).up();
      await eth.up();
      await this.announce(container, eth, pair.local.index);
      let defaultRoute = false;
      let defaultRoute6 = false;
      if (!this.internal && o.defaultRoute !== false) {
        const routes = o.defaultRoute === true ? [] : await Route.list(container);
        if (!routes.some((r) => r.to === 'default' && r.family === 4)) {
          await Route.add(container, { to: 'default', via: this.config.defaultGateway ?? this.gateway, dev: eth, ...(this.config.defaultGateway ? { onlink: true } : {}) });
          defaultRoute = true;
        }
        if (this.v6 && !routes.some((r) => r.to === 'default' && r.family === 6)) {
          await Route.add(container, { to: 'default', via: this.config.defaultGatewayV6 ?? this.gatewayV6!, dev: eth, family: 6 });
          defaultRoute6 = true;
        }
      }
      endpoint = {
        id: rec.id,
        name: rec.name,
        aliases: rec.aliases,
        namespace: container,
        ifname: rec.ifname,
        ifindex: eth.index,
        hostIfname: pair.local.name,
        hostIfindex: pair.local.index,
        mac: rec.mac,
        ip: rec.ip,
        prefixLength: this.prefixLength,
        ...(rec.ip6 ? { ip6: rec.ip6, defaultRoute6 } : {}),
        defaultRoute,
        ports: published,
      };
      if (ports.length > 0) {
        const pub = this.publisher!;
        onPublish();
        if (pub.publishAll) published.push(...(await pub.publishAll(this, endpoint, ports)));
        else {
          for (const p of ports) {
            await pub.publish(this, endpoint, p);
            published.push(p);
          }
        }
      }
      for (const ext of this.exts) {
        if (!ext.connect) continue;
        const d = await ext.connect(this, endpoint, o.extensions?.[ext.name]);
        extData[ext.name] = d ?? null;
      }
      await this.store.locked(this.name, async () => {
        // only this connect writes its endpoint's file (the reservation made it format 2); others may only have removed it
        if (!(await this.store.hasEndpoint(this.name, rec.id))) {
          const h = await this.store.head(this.name);
          if (!h || h.id !== this.id) throw this.removedError();
          throw new NetnsKitError(`${what}: its reservation vanished from the record (a gc by another process?)`, 'ESTALE', 116);
        }
        const e: EndpointRecord = { ...rec };
        e.state = 'connected';
        delete e.owner;
        e.defaultRoute = defaultRoute;
        if (rec.ip6) e.defaultRoute6 = defaultRoute6;
        e.ports = published.map((p) => ({ ...p }));
        e.extensions = extData;
        await this.store.putEndpoint(this.name, e);
      });
    } catch (e) {
      if (endpoint) {
        for (const ext of [...this.exts].reverse()) {
          if (ext.disconnect && ext.name in extData) await ext.disconnect(this, endpoint, extData[ext.name]).catch(() => undefined);
        }
        if (published.length > 0) await this.unpublishPorts(endpoint, published).catch(() => undefined);
      }
      await pair.delete().catch(() => undefined); // leave nothing half-made (the container end goes with it)
      throw e;
    }
    return endpoint;
  }

  /**
   * Disconnects a container (`docker network disconnect NETWORK CONTAINER`): runs extensions
   * and unpublishes its ports, deletes its veth pair (the container's interface, its addresses
   * and routes go with it) and frees its addresses. Accepts the namespace, the endpoint, or
   * the endpoint's id or name; works for containers connected by another process.
   * Idempotent: a container that is not (or no longer) connected, or whose namespace was
   * deleted, is success. Resolves true when something was disconnected.
   *
   * The veth is deleted through the container namespace's own netlink socket, so concurrent
   * disconnects of different containers overlap in the kernel instead of queueing behind each
   * other's veth teardown on one socket.
   */
  async disconnect(target: Namespace | NetworkEndpoint | string): Promise<boolean> {
    this.checkNotRemoved();
    if (!(target instanceof Namespace) && typeof target !== 'string' && (typeof target !== 'object' || target === null)) {
      throw new ValidationError('target', target, 'expected a Namespace, an endpoint, or an endpoint id or name');
    }
    let ep = this.find(target);
    let rec: EndpointRecord | undefined;
    if (!ep) {
      rec = await this.recordOf(target);
      if (!rec) return false;
      ep = (await this.load(rec)) ?? undefined;
    } else {
      rec = await this.recordOf(ep);
    }
    let failure: unknown;
    const subject: NetworkEndpoint | EndpointRecord = ep ?? rec!;
    for (const ext of [...this.exts].reverse()) {
      if (!ext.disconnect) continue;
      try {
        await ext.disconnect(this, subject, rec?.extensions[ext.name]);
      } catch (e) {
        failure ??= e;
      }
    }
    try {
      await this.unpublishPorts(subject, ep?.ports ?? rec?.ports ?? []);
    } catch (e) {
      failure ??= e;
    }
    await this.deleteVeth(ep, rec);
    const id = ep?.id ?? rec!.id;
    await this.locked(async () => {
      const cur = rec ?? (await this.store.endpoint(this.name, id));
      if (cur) await this.store.dropEndpoint(this.name, cur);
    }).catch((e: unknown) => {
      if (code(e) !== 'ENOENT') throw e;
    });
    const i = this.eps.findIndex((x) => x.id === id);
    if (i >= 0) this.releaseNs(this.eps.splice(i, 1)[0]!);
    if (failure) throw failure;
    return true;
  }

  /** Undoes the publishing of `ports` (all at once when the publisher can, else one by one in reverse, the first error thrown at the end). */
  private async unpublishPorts(subject: NetworkEndpoint | EndpointRecord, ports: readonly PublishedPort[]): Promise<void> {
    const pub = this.publisher;
    if (!pub || ports.length === 0) return;
    if (pub.unpublishAll) return pub.unpublishAll(this, subject, ports);
    let failure: unknown;
    for (const p of [...ports].reverse()) {
      try {
        await pub.unpublish(this, subject, p);
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure) throw failure;
  }

  /**
   * `docker port CONTAINER`: the published ports of a container on this network (namespace,
   * endpoint, or endpoint id or name), as `80/tcp -> 0.0.0.0:32768` lines — read from the
   * record, so ports published by another process are shown. Empty when it is not connected.
   */
  async ports(target: Namespace | NetworkEndpoint | string): Promise<PortLine[]> {
    this.checkNotRemoved();
    const e = await this.recordOf(target);
    return e?.state === 'connected' ? dockerPortLines(e.ports, e.ip6 !== undefined) : [];
  }

  /** Deletes an endpoint's veth pair: from inside the container when we can (its own socket), else from the host side. */
  private async deleteVeth(ep: NetworkEndpoint | undefined, rec: EndpointRecord | undefined): Promise<void> {
    if (ep && !ep.namespace.isClosed) {
      try {
        const eth = await Link.get(ep.namespace, ep.ifindex);
        if (eth.kind === 'veth' && eth.name === ep.ifname) {
          await eth.delete();
          return;
        }
      } catch (e) {
        if (code(e) !== 'ENODEV' && code(e) !== 'ENOENT' && code(e) !== 'EBADF') throw e;
      }
    }
    const hostIfname = ep?.hostIfname ?? rec?.hostIfname;
    if (!hostIfname) return;
    try {
      const h = await Link.get(this.namespace, hostIfname);
      if (ep === undefined || h.index === ep.hostIfindex) await h.delete();
    } catch (e) {
      if (code(e) !== 'ENODEV') throw e;
    }
  }

  private find(target: Namespace | NetworkEndpoint | string): NetworkEndpoint | undefined {
    if (target instanceof Namespace) return this.endpoint(target);
    if (typeof target === 'string') return this.eps.find((e) => e.id === target || e.name === target);
    return this.eps.find((e) => e === target || e.id === (target as NetworkEndpoint).id);
  }

  /**
   * `docker network inspect`: the network's configuration and each container's endpoint,
   * with MAC and addresses read back from the kernel (so it shows what is really there).
   */
  async inspect(): Promise<NetworkInspect> {
    this.checkNotRemoved();
    const br = await this.bridge.refresh();
    const gwCidr = `${this.gateway}/${this.prefixLength}`;
    const gatewayOnBridge = (await Address.list(this.namespace, { link: br, family: 4 })).some((a) => a.cidr === gwCidr);
    const containers = await Promise.all(
      this.eps.map(async (ep): Promise<EndpointInspect> => {
        let attached = false;
        try {
          const h = await Link.get(this.namespace, ep.hostIfname);
          attached = h.index === ep.hostIfindex && h.masterIndex === br.index;
        } catch {
          /* gone */
        }
        let macAddress: string | undefined;
        let ipv4Address = '';
        let ipv6Address = '';
        if (!ep.namespace.isClosed) {
          try {
            const eth = await Link.get(ep.namespace, ep.ifindex);
            macAddress = eth.address;
            const addrs = await Address.list(ep.namespace, { link: eth });
            ipv4Address = addrs.find((x) => x.address === ep.ip)?.cidr ?? '';
            ipv6Address = ep.ip6 ? (addrs.find((x) => x.address === ep.ip6)?.cidr ?? '') : '';
          } catch {
            /* the container's interface is gone */
          }
        }
        return {
          name: ep.name,
          endpointId: ep.id,
          namespace: ep.namespace.label,
          ifname: ep.ifname,
          hostIfname: ep.hostIfname,
          attached,
          macAddress,
          ipv4Address,
          ipv6Address,
          aliases: [...ep.aliases],
          ports: ep.ports.map((p) => ({ ...p })),
        };
      }),
    );
    return {
      name: this.name,
      id: this.id,
      driver: 'bridge',
      namespace: this.namespace.label,
      bridge: br.name,
      bridgeMac: br.address,
      bridgeUp: br.isUp,
      subnet: this.subnet,
      gateway: this.gateway,
      ipRange: this.config.ipRange,
      subnetV6: this.subnetV6,
      gatewayV6: this.gatewayV6,
      internal: this.internal,
      mtu: this.mtu,
      labels: { ...this.config.labels },
      gatewayOnBridge,
      containers,
    };
  }

  /**
   * Compares the record with the kernel and reports what is inconsistent: a missing bridge or
   * gateway; connects interrupted by a process that died (addresses reserved for nothing);
   * containers whose namespace is gone; endpoints whose veth is gone or detached; bridge ports
   * nobody recorded (veths left by a crash); and what extensions find. Changes nothing.
   */
  async check(): Promise<NetworkIssue[]> {
    this.checkNotRemoved();
    const r = await this.store.read(this.name);
    if (!r) throw new NetnsKitError(`network ${this.name} has no record any more (removed by another process?)`, 'ENOENT', 2);
    return this.findIssues(r);
  }

  private async findIssues(r: NetworkRecord): Promise<NetworkIssue[]> {
    const issues: NetworkIssue[] = [];
    let br: Link | undefined;
    try {
      br = await Link.get(this.namespace, r.bridge);
    } catch {
      issues.push({ kind: 'bridge-missing', message: `the bridge ${r.bridge} is gone from ${this.namespace.label}; remove the network`, repair: 'none' });
      return issues;
    }
    const addrs = await Address.list(this.namespace, { link: br });
    if (!addrs.some((a) => a.address === r.config.gateway)) {
      issues.push({ kind: 'gateway-missing', link: r.bridge, message: `the gateway ${r.config.gateway} is not on ${r.bridge}`, repair: 'none' });
    }
    const links = await Link.list(this.namespace);
    const ports = links.filter((l) => l.masterIndex === br!.index);
    const byName = new Map(links.map((l) => [l.name, l]));
    const known = new Set<string>();
    for (const e of r.endpoints) {
      known.add(e.hostIfname);
      const base = { endpoint: e.id, name: e.name, link: e.hostIfname };
      if (e.state === 'connecting') {
        if (await ownerAlive(e.owner)) continue; // being connected right now
        issues.push({ ...base, kind: 'interrupted-connect', message: `connect of ${e.name} (${e.ip}) was interrupted: process ${e.owner?.pid} is gone; its address is reserved for nothing`, repair: 'remove-endpoint' });
        continue;
      }
      const host = byName.get(e.hostIfname);
      const ns = await openRecorded(e).catch(() => undefined);
      if (!ns) {
        issues.push({ ...base, kind: 'namespace-gone', message: `the namespace of ${e.name} (${e.namespace.path}) is gone${host ? `, but its veth ${e.hostIfname} is still there` : ''}`, repair: 'remove-endpoint' });
        continue;
      }
      try {
        if (!host) {
          issues.push({ ...base, kind: 'veth-missing', message: `the veth ${e.hostIfname} of ${e.name} is gone`, repair: 'remove-endpoint' });
          continue;
        }
        // the veth's peer must be in the recorded namespace (IFLA_LINK_NETNSID = that namespace's nsid here)
        const nsid = await this.namespace.getNsid(ns).catch(() => undefined);
        if (host.linkNetnsid !== undefined && nsid !== undefined && host.linkNetnsid !== nsid) {
          issues.push({ ...base, kind: 'namespace-gone', message: `the veth ${e.hostIfname} of ${e.name} leads to another namespace (nsid ${host.linkNetnsid}, expected ${nsid})`, repair: 'remove-endpoint' });
          continue;
        }
        if (host.masterIndex !== br.index) issues.push({ ...base, kind: 'veth-detached', message: `the veth ${e.hostIfname} of ${e.name} is not a port of ${r.bridge}`, repair: 'none' });
        const inside = await Address.list(ns).catch(() => []);
        if (!inside.some((a) => a.address === e.ip)) issues.push({ ...base, kind: 'address-missing', message: `${e.name} no longer has its address ${e.ip}`, repair: 'none' });
      } finally {
        if (!this.isOpenedHere(ns)) await ns.close();
      }
    }
    for (const p of ports) {
      if (known.has(p.name)) continue;
      issues.push({ kind: 'unknown-port', link: p.name, message: `${p.name} is a port of ${r.bridge} that no endpoint records (left by a crash?)`, repair: p.kind === 'veth' ? 'delete-link' : 'none' });
    }
    for (const ext of this.exts) {
      if (ext.check) issues.push(...(await ext.check(this, r)));
    }
    return issues;
  }

  private isOpenedHere(ns: Namespace): boolean {
    for (const x of this.opened.values()) if (x === ns) return true;
    return this.eps.some((e) => e.namespace === ns);
  }

  /**
   * Repairs what {@link BridgeNetwork.check} found (`docker network prune` for one network's
   * leftovers): deletes veths of interrupted connects, of containers whose namespace is gone
   * and unrecorded veth ports of the bridge, drops their reservations, and lets extensions
   * clean up. Live endpoints and connects in flight are left alone. Returns what it repaired.
   */
  async gc(): Promise<NetworkIssue[]> {
    this.checkNotRemoved();
    const done: NetworkIssue[] = [];
    await this.store.locked(this.name, async () => {
      const h = await this.store.head(this.name);
      if (!h || h.id !== this.id) return;
      if (h.version === 1) await this.store.migrate(h);
      const r = (await this.store.read(this.name))!;
      const issues = await this.findIssues(r);
      const drop = new Set<string>();
      for (const i of issues) {
        if (i.repair === 'none') continue;
        if (i.repair === 'remove-endpoint') {
          const e = r.endpoints.find((x) => x.id === i.endpoint)!;
          for (const ext of [...this.exts].reverse()) {
            if (ext.disconnect) await ext.disconnect(this, e, e.extensions[ext.name]).catch(() => undefined);
          }
          await this.unpublishPorts(e, e.ports).catch(() => undefined);
          await this.store.dropEndpoint(this.name, e);
          drop.add(e.id);
        }
        if (i.link) {
          try {
            await Link.delete(this.namespace, i.link);
          } catch (e) {
            if (code(e) !== 'ENODEV') throw e;
          }
        }
        done.push(i);
      }
      for (const ext of this.exts) {
        const mine = issues.filter((i) => i.kind === 'extension');
        if (ext.gc) await ext.gc(this, r, mine);
      }
      r.endpoints = r.endpoints.filter((e) => !drop.has(e.id));
      await this.store.repair(this.name); // reservations a crash left without an endpoint
      await this.sync(r);
    });
    return done;
  }

  /**
   * Removes the network (`docker network rm`): deletes the bridge and its record. Refuses with
   * EBUSY while containers are connected (by any process), unless `force` (then they are
   * disconnected first).
   */
  async remove(options: RemoveOptions = {}): Promise<void> {
    const o = validateOptions<RemoveOptions>(options, ['force']);
    if (this.removed) return;
    const r = await this.store.read(this.name);
    const live = r?.endpoints ?? [];
    if (live.length > 0 && !o.force) {
      throw new NetnsKitError(
        `remove network ${this.name}: it has active endpoints (${live.map((e) => e.name).join(', ')}); disconnect them, or pass { force: true }`,
        'EBUSY',
        16,
      );
    }
    await Promise.all(live.map((e) => this.disconnect(e.id)));
    for (const ext of [...this.exts].reverse()) {
      if (ext.removed) await ext.removed(this, r?.config.extensions[ext.name]);
    }
    try {
      await this.bridge.delete();
    } catch (e) {
      if (code(e) !== 'ENODEV') throw e;
    }
    await this.store.locked(this.name, () => this.store.delete(this.name));
    this.removed = true;
    await this.close();
  }

  /** Closes the namespaces this handle opened for endpoints made by other processes (not those you passed in). */
  async close(): Promise<void> {
    const all = [...this.opened.values()];
    this.opened.clear();
    const pending = this.closing;
    this.closing = [];
    await Promise.all([...all.map((n) => n.close()), ...pending]);
  }

  private checkNotRemoved(): void {
    if (this.removed) throw this.removedError();
  }

  /** The error of a call on a network that was removed (by this process or another). */
  private removedError(): NetnsKitError {
    return new NetnsKitError(`network ${this.name} has been removed`, 'ENOENT', 2);
  }

  /**
   * Runs `fn` under the network's lock with the network's own file, a format 1 record
   * rewritten as format 2 first; ENOENT when the network was removed.
   */
  private locked<T>(fn: (h: NetworkFile) => Promise<T>): Promise<T> {
    return this.store.locked(this.name, async () => {
      let h = await this.store.head(this.name);
      if (!h || h.id !== this.id) throw this.removedError();
      if (h.version === 1) h = await this.store.migrate(h);
      return fn(h);
    });
  }

  /**
   * The record of an endpoint (any process's, connecting or connected) by namespace, endpoint,
   * id or name: through its own file or its namespace's entry; only a name (or a namespace
   * whose cookie cannot be read) is looked for among all endpoints.
   */
  private async recordOf(target: Namespace | NetworkEndpoint | string): Promise<EndpointRecord | undefined> {
    const id = typeof target === 'string' ? target : target instanceof Namespace ? undefined : target.id;
    if (id !== undefined) {
      const e = await this.store.endpoint(this.name, id);
      if (e) return e;
    }
    const cookie = target instanceof Namespace ? await namespaceCookie(target).catch(() => undefined) : undefined;
    if (target instanceof Namespace && cookie !== undefined) {
      const e = await this.store.endpointIn(this.name, { path: target.path, dev: target.identity.dev, ino: target.identity.ino, cookie });
      if (e && matches(e, target, cookie)) return e;
    }
    if (typeof target === 'object' && (!(target instanceof Namespace) || cookie !== undefined)) {
      // found by id or namespace entry, or not recorded — unless the record is still format 1
      const h = await this.store.head(this.name);
      return h?.version === 1 ? h.endpoints!.find((e) => matches(e, target, cookie)) : undefined;
    }
    return (await this.store.read(this.name))?.endpoints.find((e) => matches(e, target, cookie));
  }

  /** Brings the endpoint list in line with a record: opens namespaces of endpoints made elsewhere, drops gone ones. */
  private async sync(r: NetworkRecord): Promise<void> {
    const want = r.endpoints.filter((e) => e.state === 'connected');
    const have = new Map(this.eps.map((e) => [e.id, e]));
    const next = await Promise.all(want.map(async (e) => have.get(e.id) ?? (await this.load(e))));
    const keep = new Set(want.map((e) => e.id));
    for (const e of this.eps) if (!keep.has(e.id)) this.releaseNs(e);
    this.eps = next.filter((e): e is NetworkEndpoint => e !== undefined);
  }

  /** An endpoint from its record and the kernel, or undefined when its namespace or interface is gone. */
  private async load(e: EndpointRecord): Promise<NetworkEndpoint | undefined> {
    const key = `${e.namespace.dev}:${e.namespace.ino}`;
    let ns = this.opened.get(key) ?? this.eps.find((x) => x.namespace.identity.dev === e.namespace.dev && x.namespace.identity.ino === e.namespace.ino)?.namespace;
    let mine = false;
    if (!ns) {
      ns = await openRecorded(e).catch(() => undefined);
      if (!ns) return undefined;
      mine = true;
    }
    try {
      const [eth, host] = await Promise.all([Link.get(ns, e.ifname), Link.get(this.namespace, e.hostIfname)]);
      if (mine) this.opened.set(key, ns);
      return {
        id: e.id,
        name: e.name,
        aliases: e.aliases,
        namespace: ns,
        ifname: e.ifname,
        ifindex: eth.index,
        hostIfname: e.hostIfname,
        hostIfindex: host.index,
        mac: e.mac,
        ip: e.ip,
        prefixLength: this.prefixLength,
        ...(e.ip6 ? { ip6: e.ip6, defaultRoute6: e.defaultRoute6 ?? false } : {}),
        defaultRoute: e.defaultRoute,
        ports: e.ports,
      };
    } catch {
      if (mine) await ns.close();
      return undefined;
    }
  }

  private releaseNs(ep: NetworkEndpoint): void {
    const key = `${ep.namespace.identity.dev}:${ep.namespace.identity.ino}`;
    if (this.opened.get(key) === ep.namespace && !this.eps.some((x) => x !== ep && x.namespace === ep.namespace)) {
      this.opened.delete(key);
      this.closing.push(ep.namespace.close().catch(() => undefined));
    }
  }

  /** The network as a plain object (configuration and endpoints, without live state). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      id: this.id,
      namespace: this.namespace.label,
      bridge: this.bridge.name,
      subnet: this.subnet,
      gateway: this.gateway,
      ...(this.subnetV6 ? { subnetV6: this.subnetV6, gatewayV6: this.gatewayV6 } : {}),
      endpoints: this.eps.map((e) => ({ ...e, namespace: e.namespace.label })),
    };
  }
}

function matches(e: EndpointRecord, target: Namespace | NetworkEndpoint | string, cookie: string | undefined): boolean {
  if (target instanceof Namespace) return sameNamespace(e.namespace, target, cookie);
  if (typeof target === 'string') return e.id === target || e.name === target;
  return e.id === target.id;
}

/** Opens a recorded container namespace and checks it is still the same one (not a reused path). */
async function openRecorded(e: EndpointRecord): Promise<Namespace> {
  const ns = await Namespace.openPath(e.namespace.path);
  const cookie = e.namespace.cookie === undefined ? undefined : await namespaceCookie(ns).catch(() => undefined);
  if (!sameNamespace(e.namespace, ns, cookie)) {
    await ns.close();
    throw new NetnsKitError(`${e.namespace.path} is another namespace now`, 'ESTALE', 116);
  }
  return ns;
}

async function bridgePresent(host: Namespace, name: string): Promise<boolean> {
  try {
    await Link.get(host, name);
    return true;
  } catch {
    return false;
  }
}

interface Taken {
  prefix: Prefix;
  holder: string;
  /** an explicit subnet is refused on it (another network, an interface address); routes count only for automatic choice */
  strict: boolean;
}

/** Subnets in use in `host`: other networks' (records), interface addresses, and (for automatic choice) routes. */
async function takenPrefixes(host: Namespace, store: NetworkStore, withRoutes: boolean): Promise<Taken[]> {
  const out: Taken[] = [];
  const links = await Link.list(host);
  const present = new Set(links.map((l) => l.name));
  const nameOf = new Map(links.map((l) => [l.index, l.name]));
  for (const n of await store.names()) {
    const r = await store.head(n).catch(() => undefined);
    if (!r || !present.has(r.bridge)) continue;
    out.push({ prefix: parsePrefix(r.config.subnet, 'subnet'), holder: `network ${r.name}`, strict: true });
    if (r.config.subnetV6) out.push({ prefix: parsePrefix(r.config.subnetV6, 'subnetV6'), holder: `network ${r.name}`, strict: true });
  }
  for (const a of await Address.list(host)) {
    if (a.family === 6 && a.address.toLowerCase().startsWith('fe80')) continue;
    if (a.family === 4 && a.address.startsWith('127.')) continue;
    if (a.family === 6 && a.address === '::1') continue;
    out.push({ prefix: prefixOf(a.address, a.prefixLength), holder: `address ${a.cidr} on ${nameOf.get(a.linkIndex) ?? a.linkIndex}`, strict: true });
  }
  if (withRoutes) {
    for (const r of await Route.list(host, { family: 4 })) {
      if (r.to === 'default' || !r.to) continue;
      try {
        const c = parseCidr(r.to, 'route');
        out.push({ prefix: prefixOf(c.address, c.prefixLength), holder: `route ${r.to}`, strict: false });
      } catch {
        /* not a prefix */
      }
    }
  }
  return out;
}
