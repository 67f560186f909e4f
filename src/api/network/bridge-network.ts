/**
 * BridgeNetwork: a Docker-style bridge network (`docker network create | connect |
 * disconnect | inspect | rm`), built only on the public classes (Bridge, VethPair, Address,
 * Route, Link, Namespace).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { NetnsKitError, ValidationError } from '../../errors.js';
import { Ipv4Pool, ipv4ToNumber } from './ipv4-pool.js';
import { parseCidr, parseMac } from '../../util/ip.js';
import { validateIfname, validateInt, validateOptions } from '../../util/validate.js';
import { Address } from '../ip/address.js';
import { Bridge } from '../link/bridge.js';
import { Link } from '../link/link.js';
import { Namespace } from '../namespace/namespace.js';
import { Route } from '../ip/route.js';
import { VethPair } from '../link/veth.js';

/** Docker's default bridge subnet. */
export const DEFAULT_BRIDGE_SUBNET = '172.17.0.0/16';

/** Options of {@link BridgeNetwork.create} (`docker network create [--subnet S] [--gateway G] NAME`). */
export interface BridgeNetworkOptions {
  /** the network's name, as in `docker network create NAME` (default `bridge`, Docker's default network). */
  name?: string;
  /** IPv4 subnet (default {@link DEFAULT_BRIDGE_SUBNET}, `172.17.0.0/16`); /8 to /30, no host bits. */
  subnet?: string;
  /** the gateway address, held by the bridge (default: the subnet's first address, `172.17.0.1`). */
  gateway?: string;
  /** the bridge device's name (default `br-<first 12 characters of the id>`, like Docker's custom networks). */
  bridgeName?: string;
  /** MTU of the bridge and of every veth pair (default: the kernel's, 1500). */
  mtu?: number;
  /** what publishes ports (`docker run -p`); without one, {@link ConnectOptions.publish} is refused. */
  portPublisher?: PortPublisher;
}

/** Options of {@link BridgeNetwork.connect} (`docker network connect [--ip IP] NETWORK CONTAINER`). */
export interface ConnectOptions {
  /** the container's address (`--ip`); default: the lowest free address of the subnet. */
  ip?: string;
  /**
   * the interface name inside the container; default `eth0`, or — when the namespace
   * already has an `eth0` (it is on another network) — the next free `ethN`, as Docker does.
   */
  ifname?: string;
  /** the container interface's MAC; default derived from the IP like Docker's (`02:42:ac:11:00:02` for 172.17.0.2). */
  mac?: string;
  /** add `default via <gateway>` in the container; default: yes, unless it already has an IPv4 default route. */
  defaultRoute?: boolean;
  /** the container's name in {@link BridgeNetwork.inspect} (default: the namespace's name or path). */
  name?: string;
  /** ports to publish (`-p 8080:80`); needs {@link BridgeNetworkOptions.portPublisher}. */
  publish?: PortMapping[];
}

/** A published port, like `docker run -p [HOSTIP:]HOSTPORT:CONTAINERPORT[/PROTO]`. */
export interface PortMapping {
  /** the port inside the container. */
  containerPort: number;
  /** the port on the host side (default: the same as containerPort). */
  hostPort?: number;
  /** `tcp` (default) or `udp`. */
  protocol?: 'tcp' | 'udp';
  /** the host address to publish on (default: all). */
  hostIp?: string;
}

/**
 * The seam for port publishing (a later issue). Docker publishes a port with NAT rules in
 * the kernel's firewall (DNAT from the host port to `container-ip:port`, plus a userland
 * proxy for traffic from the host itself); netns-kit does not program nf_tables yet. An
 * implementation receives each mapping after the endpoint is fully connected, and is asked
 * to undo it on disconnect (and when a later step of connect fails).
 */
export interface PortPublisher {
  /** Publishes `mapping` (with defaults filled in) for `endpoint` of `network`. */
  publish(network: BridgeNetwork, endpoint: NetworkEndpoint, mapping: PublishedPort): Promise<void>;
  /** Removes what {@link PortPublisher.publish} did for this mapping. */
  unpublish(network: BridgeNetwork, endpoint: NetworkEndpoint, mapping: PublishedPort): Promise<void>;
}

/** A published port as recorded on an endpoint: a {@link PortMapping} with its defaults filled in. */
export interface PublishedPort {
  /** the port inside the container. */
  containerPort: number;
  /** the port on the host side. */
  hostPort: number;
  /** `tcp` or `udp`. */
  protocol: 'tcp' | 'udp';
  /** the host address to publish on (undefined: all). */
  hostIp?: string;
}

/** One container's attachment to a network (what `docker network inspect` lists under Containers). */
export interface NetworkEndpoint {
  /** endpoint id: 64 hex digits (Docker's EndpointID). */
  readonly id: string;
  /** the container's name (Docker's Name). */
  readonly name: string;
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
  /** whether connect added `default via <gateway>` in the container. */
  readonly defaultRoute: boolean;
  /** published ports. */
  readonly ports: readonly PublishedPort[];
}

/** A container of {@link NetworkInspect}, read back from the kernel. */
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
  /** published ports. */
  ports: PublishedPort[];
}

/** What {@link BridgeNetwork.inspect} returns: `docker network inspect NAME`, read from the kernel. */
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
  /** the gateway address is on the bridge now. */
  gatewayOnBridge: boolean;
  /** the containers (Containers), in connection order. */
  containers: EndpointInspect[];
}

/** Options of {@link BridgeNetwork.remove}. */
export interface RemoveOptions {
  /** disconnect the remaining containers first instead of refusing with EBUSY. */
  force?: boolean;
}

const CREATE_KEYS = ['name', 'subnet', 'gateway', 'bridgeName', 'mtu', 'portPublisher'] as const;
const CONNECT_KEYS = ['ip', 'ifname', 'mac', 'defaultRoute', 'name', 'publish'] as const;

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
  return randomBytes(32).toString('hex');
}

/** Docker's MAC for an IPv4 address: 02:42 followed by the four address bytes. */
export function macForIpv4(ip: string): string {
  const n = ipv4ToNumber(ip);
  return ['02', '42', n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((x) => (typeof x === 'string' ? x : x.toString(16).padStart(2, '0'))).join(':');
}

function checkPorts(v: unknown): PublishedPort[] {
  if (!Array.isArray(v)) throw new ValidationError('publish', v, 'expected an array of { containerPort, hostPort?, protocol?, hostIp? }');
  return v.map((m, i) => {
    const o = validateOptions<PortMapping>(m, ['containerPort', 'hostPort', 'protocol', 'hostIp'], `publish[${i}]`);
    const containerPort = validateInt(o.containerPort, `publish[${i}].containerPort`, 1, 65535);
    const hostPort = o.hostPort === undefined ? containerPort : validateInt(o.hostPort, `publish[${i}].hostPort`, 1, 65535);
    const protocol = o.protocol ?? 'tcp';
    if (protocol !== 'tcp' && protocol !== 'udp') throw new ValidationError(`publish[${i}].protocol`, protocol, 'expected "tcp" or "udp"');
    const out: PublishedPort = { containerPort, hostPort, protocol };
    if (o.hostIp !== undefined) out.hostIp = parseCidr(o.hostIp, `publish[${i}].hostIp`).address;
    return out;
  });
}

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
 * ```
 *
 * What {@link BridgeNetwork.connect} does, in order: takes an address (lowest free, or the
 * one asked for), creates a veth pair whose container end is made directly inside the
 * container's namespace under its final name (`eth0`), with Docker's MAC for the address;
 * enslaves the host end (`vethXXXXXXX`) to the bridge and sets it up; gives the container
 * end its address, sets `lo` and it up, adds `default via <gateway>`. If any step fails,
 * the pair is deleted and the address given back.
 *
 * The network's bookkeeping (addresses, endpoints) lives in this object: a network is
 * managed by the process that created it. Forwarding is not switched on in the bridge's
 * namespace, so two networks in the same namespace cannot reach each other (Docker blocks
 * that with firewall rules); a container connected to both reaches both.
 */
export class BridgeNetwork {
  /** The network's name. */
  readonly name: string;
  /** The network's id: 64 hex digits. */
  readonly id: string;
  /** The namespace the bridge lives in. */
  readonly namespace: Namespace;
  /** The bridge (a snapshot taken at creation). */
  readonly bridge: Bridge;
  /** The subnet, e.g. `172.17.0.0/16`. */
  readonly subnet: string;
  /** The gateway address, e.g. `172.17.0.1` (on the bridge). */
  readonly gateway: string;
  /** The subnet's prefix length. */
  readonly prefixLength: number;
  /** MTU of the bridge and the veth pairs, when one was given. */
  readonly mtu: number | undefined;
  private readonly pool: Ipv4Pool;
  private readonly publisher: PortPublisher | undefined;
  private readonly eps: NetworkEndpoint[] = [];
  private removed = false;

  private constructor(init: {
    name: string;
    id: string;
    namespace: Namespace;
    bridge: Bridge;
    pool: Ipv4Pool;
    gateway: string;
    mtu: number | undefined;
    publisher: PortPublisher | undefined;
  }) {
    this.name = init.name;
    this.id = init.id;
    this.namespace = init.namespace;
    this.bridge = init.bridge;
    this.pool = init.pool;
    this.subnet = init.pool.subnet;
    this.prefixLength = init.pool.prefixLength;
    this.gateway = init.gateway;
    this.mtu = init.mtu;
    this.publisher = init.publisher;
  }

  /**
   * Creates the network (`docker network create`): a bridge in `host` (up, STP off) with
   * the gateway address. Fails with EEXIST when the bridge name is taken; the bridge is
   * removed again if the address cannot be added.
   */
  static async create(host: Namespace, options: BridgeNetworkOptions = {}): Promise<BridgeNetwork> {
    if (!(host instanceof Namespace)) throw new ValidationError('host', host, 'expected a Namespace');
    const o = validateOptions<BridgeNetworkOptions>(options, CREATE_KEYS);
    const name = o.name ?? 'bridge';
    if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
      throw new ValidationError('name', name, 'a network name starts with a letter or digit and holds only letters, digits, "_", "." and "-"');
    }
    const pool = new Ipv4Pool(o.subnet ?? DEFAULT_BRIDGE_SUBNET);
    const gateway = o.gateway === undefined ? pool.firstAddress : pool.reserve(o.gateway, 'gateway');
    if (o.gateway === undefined) pool.reserve(gateway, 'gateway');
    const id = newId();
    const bridgeName = validateIfname(o.bridgeName ?? `br-${id.slice(0, 12)}`, 'bridgeName');
    const mtu = o.mtu === undefined ? undefined : validateInt(o.mtu, 'mtu', 68, 65535);
    const pub = o.portPublisher;
    if (pub !== undefined && (typeof pub !== 'object' || pub === null || typeof pub.publish !== 'function' || typeof pub.unpublish !== 'function')) {
      throw new ValidationError('portPublisher', pub, 'expected an object with publish() and unpublish()');
    }
    const bridge = await Bridge.create(host, { name: bridgeName, stp: false, up: true, ...(mtu !== undefined ? { mtu } : {}) });
    try {
      await Address.add(bridge, `${gateway}/${pool.prefixLength}`, { broadcast: '+' });
    } catch (e) {
      await bridge.delete().catch(() => undefined); // leave nothing half-made
      throw e;
    }
    return new BridgeNetwork({ name, id, namespace: host, bridge, pool, gateway, mtu, publisher: pub });
  }

  /** The connected containers, in connection order. */
  get endpoints(): readonly NetworkEndpoint[] {
    return this.eps;
  }

  /** Addresses still free for containers. */
  get freeAddresses(): number {
    return this.pool.size - this.pool.inUse;
  }

  /** The endpoint of a container namespace on this network, if it is connected. */
  endpoint(container: Namespace): NetworkEndpoint | undefined {
    return this.eps.find((e) => e.namespace.equals(container));
  }

  /**
   * Connects a container namespace (`docker network connect NETWORK CONTAINER`) and returns
   * its endpoint. Refuses (before changing anything) a namespace already on this network
   * (EEXIST), an address outside the subnet (ValidationError) or in use (EADDRINUSE), a
   * full subnet (ENOSPC), and published ports without a port publisher (ENOTSUP).
   */
  async connect(container: Namespace, options: ConnectOptions = {}): Promise<NetworkEndpoint> {
    this.checkNotRemoved();
    if (!(container instanceof Namespace)) throw new ValidationError('container', container, 'expected a Namespace');
    const o = validateOptions<ConnectOptions>(options, CONNECT_KEYS);
    if (o.ifname !== undefined) validateIfname(o.ifname, 'ifname');
    if (o.mac !== undefined) parseMac(o.mac, 'mac');
    if (o.defaultRoute !== undefined && typeof o.defaultRoute !== 'boolean') throw new ValidationError('defaultRoute', o.defaultRoute, 'expected true or false');
    if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0)) throw new ValidationError('name', o.name, 'expected a non-empty string');
    const ports = o.publish === undefined ? [] : checkPorts(o.publish);
    if (ports.length > 0 && this.publisher === undefined) {
      throw new NetnsKitError(
        `connect ${container.label} to network ${this.name}: publishing ports (docker run -p) needs NAT rules in the kernel's firewall, which netns-kit does not program yet; pass a portPublisher to BridgeNetwork.create`,
        'ENOTSUP',
        95,
      );
    }
    if (container.equals(this.namespace)) {
      throw new ValidationError('container', container.label, `the namespace of network ${this.name}'s bridge cannot be a container on it`);
    }
    return withNamespaceLock(container, async () => {
      const what = `connect ${container.label} to network ${this.name}`;
      if (this.endpoint(container)) throw new NetnsKitError(`${what}: it is already connected (endpoint ${this.endpoint(container)!.ifname})`, 'EEXIST', 17);
      let ip: string;
      try {
        ip = o.ip === undefined ? this.pool.allocate() : this.pool.reserve(o.ip, 'ip');
      } catch (e) {
        if (e instanceof NetnsKitError && !(e instanceof ValidationError)) {
          const hint = e.code === 'ENOSPC' ? ` (the gateway ${this.gateway} and ${this.eps.length} container(s) use them; disconnect one or use a larger subnet)` : '';
          throw new NetnsKitError(`${what}: ${e.message}${hint}`, e.code, e.errno, { cause: e });
        }
        throw e;
      }
      try {
        return await this.attach(container, o, ip, ports);
      } catch (e) {
        this.pool.release(ip);
        throw e;
      }
    });
  }

  private async attach(container: Namespace, o: ConnectOptions, ip: string, ports: PublishedPort[]): Promise<NetworkEndpoint> {
    const ifname = o.ifname ?? (await this.freeEthName(container));
    const mac = o.mac ?? macForIpv4(ip);
    const id = newId();
    const pair = await VethPair.create(this.namespace, {
      name: `veth${id.slice(0, 7)}`,
      ...(this.mtu !== undefined ? { mtu: this.mtu } : {}),
      peer: { name: ifname, namespace: container, address: mac },
    });
    const published: PublishedPort[] = [];
    let endpoint: NetworkEndpoint | undefined;
    try {
      await this.bridge.addPort(pair.local);
      await pair.local.up();
      const eth = pair.peer;
      await Address.add(eth, `${ip}/${this.prefixLength}`, { broadcast: '+' });
      await (await Link.get(container, 'lo')).up();
      await eth.up();
      const defaultRoute = o.defaultRoute ?? !(await Route.list(container, { family: 4 })).some((r) => r.to === 'default');
      if (defaultRoute) await Route.add(container, { to: 'default', via: this.gateway, dev: eth });
      endpoint = {
        id,
        name: o.name ?? container.label,
        namespace: container,
        ifname,
        ifindex: eth.index,
        hostIfname: pair.local.name,
        hostIfindex: pair.local.index,
        mac,
        ip,
        prefixLength: this.prefixLength,
        defaultRoute,
        ports: published,
      };
      for (const p of ports) {
        await this.publisher!.publish(this, endpoint, p);
        published.push(p);
      }
    } catch (e) {
      if (endpoint) for (const p of published.reverse()) await this.publisher!.unpublish(this, endpoint, p).catch(() => undefined);
      await pair.delete().catch(() => undefined); // leave nothing half-made (the container end goes with it)
      throw e;
    }
    this.eps.push(endpoint);
    return endpoint;
  }

  /** `eth0`, or the lowest `ethN` the namespace does not have yet. */
  private async freeEthName(container: Namespace): Promise<string> {
    const names = new Set((await Link.list(container)).map((l) => l.name));
    for (let i = 0; ; i++) if (!names.has(`eth${i}`)) return `eth${i}`;
  }

  /**
   * Disconnects a container (`docker network disconnect NETWORK CONTAINER`): unpublishes
   * its ports, deletes its veth pair (the container's interface, its address and routes go
   * with it) and frees its address. Accepts the namespace, the endpoint, or the endpoint's
   * id or name. ENOENT when it is not connected. A pair already gone (the container's
   * namespace was deleted) is fine.
   */
  async disconnect(target: Namespace | NetworkEndpoint | string): Promise<void> {
    this.checkNotRemoved();
    const ep = this.find(target);
    if (!ep) {
      const label = target instanceof Namespace ? target.label : typeof target === 'string' ? target : (target as NetworkEndpoint)?.name;
      throw new NetnsKitError(`disconnect ${label} from network ${this.name}: it is not connected`, 'ENOENT', 2);
    }
    let failure: unknown;
    for (const p of [...ep.ports].reverse()) {
      try {
        await this.publisher!.unpublish(this, ep, p);
      } catch (e) {
        failure ??= e;
      }
    }
    try {
      const host = await Link.get(this.namespace, ep.hostIfname);
      if (host.index === ep.hostIfindex) await host.delete();
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENODEV') throw e;
    }
    this.eps.splice(this.eps.indexOf(ep), 1);
    this.pool.release(ep.ip);
    if (failure) throw failure;
  }

  private find(target: Namespace | NetworkEndpoint | string): NetworkEndpoint | undefined {
    if (target instanceof Namespace) return this.endpoint(target);
    if (typeof target === 'string') return this.eps.find((e) => e.id === target || e.name === target);
    if (target && typeof target === 'object') return this.eps.find((e) => e === target || e.id === (target as NetworkEndpoint).id);
    throw new ValidationError('target', target, 'expected a Namespace, an endpoint, or an endpoint id or name');
  }

  /**
   * `docker network inspect`: the network's configuration and each container's endpoint,
   * with MAC and address read back from the kernel (so it shows what is really there).
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
        if (!ep.namespace.isClosed) {
          try {
            const eth = await Link.get(ep.namespace, ep.ifindex);
            macAddress = eth.address;
            const a = (await Address.list(ep.namespace, { link: eth, family: 4 })).find((x) => x.address === ep.ip);
            ipv4Address = a ? a.cidr : '';
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
      gatewayOnBridge,
      containers,
    };
  }

  /**
   * Removes the network (`docker network rm`): deletes the bridge. Refuses with EBUSY while
   * containers are connected, unless `force` (then they are disconnected first).
   */
  async remove(options: RemoveOptions = {}): Promise<void> {
    const o = validateOptions<RemoveOptions>(options, ['force']);
    if (this.removed) return;
    if (this.eps.length > 0 && !o.force) {
      throw new NetnsKitError(
        `remove network ${this.name}: it has active endpoints (${this.eps.map((e) => e.name).join(', ')}); disconnect them, or pass { force: true }`,
        'EBUSY',
        16,
      );
    }
    for (const ep of [...this.eps]) await this.disconnect(ep);
    try {
      await this.bridge.delete();
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENODEV') throw e;
    }
    this.removed = true;
  }

  private checkNotRemoved(): void {
    if (this.removed) throw new NetnsKitError(`network ${this.name} has been removed`, 'ENOENT', 2);
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
      endpoints: this.eps.map((e) => ({ ...e, namespace: e.namespace.label })),
    };
  }
}
