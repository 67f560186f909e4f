/**
 * What a bridge network keeps beside the kernel, for what the kernel cannot hold: the
 * network's name and id and options (ip-range, IPv6 settings, internal, labels), each
 * container's name, aliases and namespace path, addresses reserved by a connect still in
 * flight (and by whom), and data of extensions (published ports). Everything else — the
 * bridge, its ports, the veth peers, addresses and routes — is read from the kernel.
 * The record types and namespace identities are here; the files they live in, in
 * `network/store.ts`.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { native } from '../../binding/native.js';
import { SystemError } from '../../errors.js';
import type { Namespace } from '../namespace/namespace.js';

/** Where records live unless a `stateDir` option or `NETNS_KIT_STATE_DIR` says otherwise. */
export const DEFAULT_STATE_DIR = '/run/netns-kit';

/** The state directory to use: the option, else `$NETNS_KIT_STATE_DIR`, else {@link DEFAULT_STATE_DIR}. */
export function stateDirOf(option: string | undefined): string {
  return option ?? process.env.NETNS_KIT_STATE_DIR ?? DEFAULT_STATE_DIR;
}

/** A namespace as a record stores it: a path to reopen it by, and its identity to check it is the same one. */
export interface NamespaceRecord {
  /** `/run/netns/NAME`, `/proc/PID/ns/net`, … */
  path: string;
  /** the name in /run/netns, if it has one. */
  name?: string;
  /** st_dev of the namespace file. */
  dev: number;
  /** st_ino of the namespace file (the namespace's inode number; reused by the kernel once it is gone). */
  ino: number;
  /** the namespace's cookie (SO_NETNS_COOKIE): never reused until reboot. */
  cookie?: string;
}

/** True when a recorded namespace is `ns` (inode and, when both are known, cookie). */
export function sameNamespace(r: NamespaceRecord, ns: Namespace, cookie: string | undefined): boolean {
  if (r.dev !== ns.identity.dev || r.ino !== ns.identity.ino) return false;
  return r.cookie === undefined || cookie === undefined || r.cookie === cookie;
}

/** The process that is connecting an endpoint (a reservation in flight). */
export interface OwnerRecord {
  /** its pid. */
  pid: number;
  /** its start time (clock ticks after boot, /proc/PID/stat field 22): tells a reused pid apart. */
  start: number;
}

/** A published port as recorded (a `docker run -p` mapping with defaults filled in). */
export interface PortRecord {
  /** port inside the container. */
  containerPort: number;
  /** port on the host. */
  hostPort: number;
  /** `tcp` or `udp`. */
  protocol: 'tcp' | 'udp';
  /** host address to publish on (absent: all). */
  hostIp?: string;
  /** the host port was chosen from the ephemeral range (`-p 80`). */
  dynamic?: boolean;
}

/** One container on the network, as recorded. */
export interface EndpointRecord {
  /** endpoint id: 64 hex digits. */
  id: string;
  /** `connecting`: addresses reserved, kernel objects being made by `owner`; `connected`: done. */
  state: 'connecting' | 'connected';
  /** the connecting process (only while `connecting`). */
  owner?: OwnerRecord;
  /** the container's name (DNS answers it). */
  name: string;
  /** more DNS names of the container on this network (Docker's `--network-alias`). */
  aliases: string[];
  /** the container's namespace. */
  namespace: NamespaceRecord;
  /** interface inside the container (`eth0`). */
  ifname: string;
  /** host-side veth, a port of the bridge. */
  hostIfname: string;
  /** container interface MAC. */
  mac: string;
  /** IPv4 address. */
  ip: string;
  /** IPv6 address (dual-stack networks). */
  ip6?: string;
  /** connect added the IPv4 default route. */
  defaultRoute: boolean;
  /** connect added the IPv6 default route. */
  defaultRoute6?: boolean;
  /** published ports. */
  ports: PortRecord[];
  /** data kept by extensions (keyed by extension name), e.g. the publisher's rule handles. */
  extensions: Record<string, unknown>;
  /**
   * the order of connection: the system-wide monotonic clock (ns, decimal) when its address
   * was reserved, under the network's lock (absent in a record of format 1: its array order).
   */
  seq?: string;
}

/** The network's configuration as recorded (what `create` was given, with defaults resolved). */
export interface NetworkConfigRecord {
  /** IPv4 subnet. */
  subnet: string;
  /** IPv4 gateway (on the bridge). */
  gateway: string;
  /** IPv4 sub-range containers are given addresses from (Docker's `--ip-range` / `fixed-cidr`). */
  ipRange?: string;
  /** IPv6 subnet (dual-stack). */
  subnetV6?: string;
  /** IPv6 gateway (on the bridge). */
  gatewayV6?: string;
  /** IPv6 sub-range (`fixed-cidr-v6`). */
  ipRangeV6?: string;
  /** MTU of the bridge and every veth. */
  mtu?: number;
  /** no default route in containers; no outbound NAT. */
  internal: boolean;
  /** containers' default route goes via this instead of the gateway (`default-gateway`). */
  defaultGateway?: string;
  /** IPv6 counterpart (`default-gateway-v6`). */
  defaultGatewayV6?: string;
  /** the bridge's fixed MAC. */
  bridgeMac: string;
  /** labels given at creation. */
  labels: Record<string, string>;
  /** data kept by extensions for the whole network. */
  extensions: Record<string, unknown>;
}

/**
 * The whole record of one network: its own file and, from format 2 on, one file per
 * endpoint, read together (`network/store.ts`).
 */
export interface NetworkRecord {
  /** format version on disk: 2 (one file per endpoint), or 1 (every endpoint in the network's file; rewritten as 2 on the next change). */
  version: 1 | 2;
  /** the network's name. */
  name: string;
  /** its id: 64 hex digits. */
  id: string;
  /** the bridge device's name. */
  bridge: string;
  /** the namespace the bridge lives in. */
  host: NamespaceRecord;
  /** ISO time of creation. */
  created: string;
  /** configuration. */
  config: NetworkConfigRecord;
  /** containers, in connection order. */
  endpoints: EndpointRecord[];
}

/** The record of a namespace (path + identity). */
export async function namespaceRecord(ns: Namespace): Promise<NamespaceRecord> {
  const r: NamespaceRecord = { path: ns.path, dev: ns.identity.dev, ino: ns.identity.ino };
  if (ns.name !== undefined) r.name = ns.name;
  const cookie = await namespaceCookie(ns).catch(() => undefined); // before Linux 5.14: inode only
  if (cookie !== undefined) r.cookie = cookie;
  return r;
}

let ownStart: number | undefined;
/** This process as an {@link OwnerRecord}. */
export async function selfOwner(): Promise<OwnerRecord> {
  ownStart ??= (await processStart(process.pid)) ?? 0;
  return { pid: process.pid, start: ownStart };
}

async function processStart(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count from the last ")"
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

/** True while the process that made a reservation is still running (same pid, same start time). */
export async function ownerAlive(o: OwnerRecord | undefined): Promise<boolean> {
  if (!o) return false;
  const s = await processStart(o.pid);
  return s !== undefined && s === o.start;
}

const cookies = new WeakMap<Namespace, Promise<string>>();
/**
 * The namespace's cookie (SO_NETNS_COOKIE): unique for its lifetime and not reused until
 * reboot — unlike its inode number, which the kernel hands to the next namespace at once
 * (records of a deleted namespace must never be taken for a new one's).
 */
export function namespaceCookie(ns: Namespace): Promise<string> {
  let c = cookies.get(ns);
  if (!c) {
    c = ns.withFd((fd) => native.netnsCookie(fd)).catch((e: unknown) => {
      cookies.delete(ns);
      throw SystemError.from(e, `read the cookie of namespace ${ns.label}`);
    });
    cookies.set(ns, c);
  }
  return c;
}

/** The directory of one host namespace's networks: `<stateDir>/networks/ns-<cookie>`. */
export async function hostDir(stateDir: string, host: Namespace): Promise<string> {
  return join(stateDir, 'networks', `ns-${await namespaceCookie(host)}`);
}
