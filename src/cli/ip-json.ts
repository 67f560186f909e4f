/**
 * The objects `ip -j` / `bridge -j` print, built from netns-kit's snapshots (Link, Address,
 * Route, Neighbor, FdbEntry): the same field names, the same omissions (no `proto boot`,
 * no `table main`, no `scope global` on routes; full-length prefixes without `/32`), so a
 * script written against `ip -j` reads `netns-kit --json` unchanged. The text layout
 * (ip-text.ts) is rendered from these objects, the way iproute2 prints both from one place.
 * @module
 */
import type { Address } from '../api/ip/address.js';
import type { FdbEntry } from '../api/link/fdb.js';
import type { Link } from '../api/link/link.js';
import type { Neighbor } from '../api/ip/neighbor.js';
import type { Route } from '../api/ip/route.js';

/** One link as `ip -j link show` prints it (plus `addr_info` for `ip -j addr show`). */
export interface IpLinkJson {
  ifindex: number;
  /** the parent / peer in the same namespace, by name (`veth0@veth1`); null for `@NONE`. */
  link?: string | null;
  /** the parent / peer index when it is in another namespace (`veth0@if5`). */
  link_index?: number;
  ifname: string;
  flags: string[];
  mtu?: number;
  qdisc?: string;
  master?: string;
  operstate: string;
  /** only for `link` (not `addr`), like ip. */
  linkmode?: string;
  group?: string;
  txqlen?: number;
  /** left out by `ip -4 addr` / `ip -6 addr`. */
  link_type?: string;
  address?: string;
  broadcast?: string;
  link_netnsid?: number;
  ifalias?: string;
  altnames?: string[];
  addr_info?: IpAddrInfoJson[];
}

/** One address of `addr_info`. */
export interface IpAddrInfoJson {
  family: 'inet' | 'inet6';
  local: string;
  /** the peer of a point-to-point address. */
  address?: string;
  prefixlen: number;
  broadcast?: string;
  anycast?: string;
  scope: string;
  /** address flags as booleans (`dynamic`, `secondary`, `tentative`, `noprefixroute`, …). */
  [flag: string]: unknown;
  label?: string;
  valid_life_time?: number;
  preferred_life_time?: number;
}

/** One route as `ip -j route show` prints it. */
export interface IpRouteJson {
  type?: string;
  dst: string;
  from?: string;
  tos?: number;
  gateway?: string;
  dev?: string;
  table?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
  flags: string[];
  nexthops?: { gateway?: string; dev?: string; weight: number; flags: string[] }[];
  pref?: string;
  expires?: number;
}

/** One neighbour as `ip -j neigh show` prints it. */
export interface IpNeighJson {
  dst: string;
  dev?: string;
  lladdr?: string;
  router?: null;
  proxy?: null;
  extern_learn?: null;
  state: string[];
}

/** One FDB entry as `bridge -j fdb show` prints it. */
export interface BridgeFdbJson {
  mac: string;
  ifname?: string;
  vlan?: number;
  dst?: string;
  port?: number;
  vni?: number;
  flags: string[];
  master?: string;
  state: string;
}

const IFF: Record<string, number> = {
  UP: 0x1, BROADCAST: 0x2, DEBUG: 0x4, LOOPBACK: 0x8, POINTOPOINT: 0x10, NOTRAILERS: 0x20, RUNNING: 0x40, NOARP: 0x80,
  PROMISC: 0x100, ALLMULTI: 0x200, MASTER: 0x400, SLAVE: 0x800, MULTICAST: 0x1000, PORTSEL: 0x2000, AUTOMEDIA: 0x4000,
  DYNAMIC: 0x8000, LOWER_UP: 0x10000, DORMANT: 0x20000, ECHO: 0x40000,
};
/** The order iproute2's print_link_flags() uses. */
const IFF_ORDER = ['LOOPBACK', 'BROADCAST', 'POINTOPOINT', 'MULTICAST', 'NOARP', 'ALLMULTI', 'PROMISC', 'MASTER', 'SLAVE', 'DEBUG', 'DYNAMIC', 'AUTOMEDIA', 'PORTSEL', 'NOTRAILERS', 'UP', 'LOWER_UP', 'DORMANT', 'ECHO'];

/** Link flags as ip prints them: NO-CARRIER for up-without-carrier, RUNNING dropped, M-DOWN when the parent is down. */
export function ipLinkFlags(flags: number, parentDown: boolean): string[] {
  const out: string[] = [];
  if (flags & IFF.UP! && !(flags & IFF.RUNNING!)) out.push('NO-CARRIER');
  for (const name of IFF_ORDER) if (flags & IFF[name]!) out.push(name);
  if (parentDown) out.push('M-DOWN');
  return out;
}

/** ARPHRD_* → iproute2's name (ll_types.c); `[N]` for others. */
const ARPHRD: Record<number, string> = {
  0: 'netrom', 1: 'ether', 2: 'eether', 3: 'ax25', 4: 'pronet', 5: 'chaos', 6: 'ieee802', 7: 'arcnet', 8: 'atalk', 15: 'dlci', 19: 'atm',
  23: 'metricom', 24: 'ieee1394', 32: 'infiniband', 256: 'slip', 257: 'cslip', 258: 'slip6', 259: 'cslip6', 260: 'rsrvd', 264: 'adapt',
  270: 'rose', 271: 'x25', 272: 'hwx25', 280: 'can', 512: 'ppp', 513: 'hdlc', 516: 'lapb', 517: 'ddcmp', 518: 'rawhdlc', 519: 'rawip',
  768: 'ipip', 769: 'tunnel6', 770: 'frad', 771: 'skip', 772: 'loopback', 773: 'ltalk', 774: 'fddi', 775: 'bif', 776: 'sit', 777: 'ip/ddp',
  778: 'gre', 779: 'pimreg', 780: 'hippi', 781: 'ash', 782: 'econet', 783: 'irda', 784: 'fcpp', 785: 'fcal', 786: 'fcpl', 787: 'fcfb0',
  800: 'tr', 801: 'ieee802.11', 802: 'ieee802.11/prism', 803: 'ieee802.11/radiotap', 804: 'ieee802.15.4', 805: 'ieee802.15.4/monitor',
  820: 'phonet', 821: 'phonet_pipe', 822: 'caif', 823: 'gre6', 824: 'netlink', 825: '6lowpan', 826: 'vsockmon', 0xfffe: 'none', 0xffff: 'void',
};

/** The link type name ip prints after `link/`. */
export function linkTypeName(type: number): string {
  return ARPHRD[type] ?? `[${type}]`;
}

/**
 * How `ip addr` with a family shows a link (`-4` / `-6`): without its link-layer line; and
 * `-6` over all links reads them from the kernel's IPv6 link dump (AF_INET6), which has no
 * qdisc, group, link-netnsid or peer index other than a local one.
 */
export interface LinkView {
  /** for `ip addr` (no `linkmode`). */
  forAddr?: boolean;
  /** `-4` / `-6`: no `link_type`, `address`, `broadcast`. */
  noLinkLayer?: boolean;
  /** `-6 addr` over all links: the attributes of an AF_INET6 link dump only. */
  inet6Dump?: boolean;
}

/** `ip -j link show` objects for `links` (all links of one namespace, used to name masters and peers). */
export function linkJson(link: Link, all: readonly Link[], view: LinkView | boolean = {}): IpLinkJson {
  const v: LinkView = typeof view === 'boolean' ? { forAddr: view } : view;
  const byIndex = new Map(all.map((l) => [l.index, l]));
  const a = link.attributes;
  const out: IpLinkJson = { ifindex: link.index } as IpLinkJson;
  let parentDown = false;
  if (v.inet6Dump) {
    // IFLA_LINK only when it differs from the link's own index, never with a netnsid: ip
    // names it by the local index, whatever namespace the peer is in
    if (link.parentIndex !== undefined && link.parentIndex !== link.index) {
      const parent = byIndex.get(link.parentIndex);
      out.link = parent?.name ?? `if${link.parentIndex}`;
      parentDown = !parent?.isUp;
    }
  } else if (a.link === 0) {
    out.link = null;
  } else if (link.parentIndex !== undefined) {
    if (link.linkNetnsid !== undefined) {
      out.link_index = link.parentIndex;
    } else {
      const parent = byIndex.get(link.parentIndex);
      out.link = parent?.name ?? `if${link.parentIndex}`;
      parentDown = !parent?.isUp;
    }
  }
  out.ifname = link.name;
  out.flags = ipLinkFlags(link.flags, parentDown);
  if (link.mtu !== undefined) out.mtu = link.mtu;
  if (link.qdisc !== undefined && !v.inet6Dump) out.qdisc = link.qdisc;
  if (link.masterIndex !== undefined && !v.inet6Dump) out.master = byIndex.get(link.masterIndex)?.name ?? `if${link.masterIndex}`;
  out.operstate = link.operstate.toUpperCase();
  if (!v.forAddr && a.linkmode !== undefined) out.linkmode = a.linkmode === 0 ? 'DEFAULT' : a.linkmode === 1 ? 'DORMANT' : 'UNKNOWN';
  if (a.group !== undefined && !v.inet6Dump) out.group = a.group === 0 ? 'default' : String(a.group);
  if (link.txqlen !== undefined) out.txqlen = link.txqlen;
  if (!v.noLinkLayer) {
    out.link_type = linkTypeName(link.type);
    if (link.address !== undefined) out.address = link.address;
    if (link.broadcast !== undefined) out.broadcast = link.broadcast;
  }
  if (link.linkNetnsid !== undefined && !v.inet6Dump) out.link_netnsid = link.linkNetnsid;
  if (link.alias) out.ifalias = link.alias;
  if (link.altNames.length > 0) out.altnames = [...link.altNames];
  return out;
}

const INFINITY = 0xffffffff;
/** ifa_flag_names of iproute2, by bit. */
const IFA_FLAG_NAMES = ['secondary', 'nodad', 'optimistic', 'dadfailed', 'home', 'deprecated', 'tentative', 'permanent', 'mngtmpaddr', 'noprefixroute', 'autojoin', 'stable-privacy'];

/** One `addr_info` entry. */
export function addrInfoJson(addr: Address): IpAddrInfoJson {
  const v6 = addr.family === 6;
  const out: IpAddrInfoJson = { family: v6 ? 'inet6' : 'inet', local: addr.address } as IpAddrInfoJson;
  if (addr.peer !== undefined) out.address = addr.peer;
  out.prefixlen = addr.prefixLength;
  if (addr.broadcast !== undefined) out.broadcast = addr.broadcast;
  if (addr.anycast !== undefined) out.anycast = addr.anycast;
  out.scope = addr.scopeName;
  IFA_FLAG_NAMES.forEach((name, bit) => {
    const set = (addr.flags & (1 << bit)) !== 0;
    if (name === 'permanent') {
      if (!set) out.dynamic = true;
    } else if (set) {
      out[name === 'secondary' && v6 ? 'temporary' : name] = true;
    }
  });
  if (addr.label !== undefined) out.label = addr.label;
  if (addr.attributes.cacheinfo !== undefined) {
    out.valid_life_time = addr.validLifetime === 'forever' ? INFINITY : addr.validLifetime;
    out.preferred_life_time = addr.preferredLifetime === 'forever' ? INFINITY : addr.preferredLifetime;
  }
  if (addr.metric !== undefined) out.metric = addr.metric;
  return out;
}

/** iproute2's route flag words, in its order (print_rt_flags). */
const RT_FLAGS: [number, string][] = [
  [1, 'dead'],
  [4, 'onlink'],
  [2, 'pervasive'],
  [8, 'offload'],
  [64, 'trap'],
  [0x100, 'notify'],
  [16, 'linkdown'],
  [32, 'unresolved'],
  [0x4000, 'rt_offload'],
  [0x8000, 'rt_trap'],
  [0x20000000, 'rt_offload_failed'],
];
function rtFlags(flags: number): string[] {
  return RT_FLAGS.filter(([bit]) => flags & bit).map(([, n]) => n);
}

/** A prefix as ip prints it: `default`, `10.0.0.0/24`, or a host route without `/32` (`/128`). */
export function ipPrefix(p: string): string {
  return p.replace(/^(.*\..*)\/32$|^(.*:.*)\/128$/, (_, v4, v6) => v4 ?? v6);
}

/**
 * One `ip -j route show` object; `names` maps link indexes to names. Like ip: the table
 * only when no single table was asked for (`table all`, monitor) and it is not `main`;
 * no `dev` when listing one device's routes (`hideDev`).
 */
export function routeJson(r: Route, names: ReadonlyMap<number, string>, showTable: boolean, hideDev = false): IpRouteJson {
  const out: IpRouteJson = {} as IpRouteJson;
  if (r.type !== 'unicast') out.type = r.type;
  out.dst = ipPrefix(r.to);
  if (r.from !== undefined) out.from = ipPrefix(r.from);
  if (r.tos) out.tos = r.tos;
  if (r.via !== undefined) out.gateway = r.via;
  if (r.linkIndex !== undefined && !hideDev) out.dev = names.get(r.linkIndex) ?? `if${r.linkIndex}`;
  if (showTable && r.table !== 254) out.table = r.tableName;
  if (r.protocol !== 3) out.protocol = r.protocolName;
  if (r.scope !== 0) out.scope = r.scopeName;
  if (r.src !== undefined) out.prefsrc = r.src;
  if (r.metric !== undefined) out.metric = r.metric;
  out.flags = rtFlags(r.flags);
  if (r.nexthops !== undefined) {
    out.nexthops = r.nexthops.map((nh) => {
      const o: { gateway?: string; dev?: string; weight: number; flags: string[] } = {} as { weight: number; flags: string[] };
      if (nh.via !== undefined) o.gateway = nh.via;
      if (nh.linkIndex !== undefined) o.dev = names.get(nh.linkIndex) ?? `if${nh.linkIndex}`;
      o.weight = nh.weight;
      o.flags = rtFlags(nh.flags);
      return o;
    });
  }
  if (r.pref !== undefined) out.pref = r.pref;
  if (r.expires !== undefined) out.expires = r.expires;
  return out;
}

/** Neighbour states ip hides from `ip neigh show` (NOARP entries, state NONE). */
export function isShownNeighbor(n: Neighbor): boolean {
  const noarp = 0x40;
  return n.state !== 0 && (n.state & ~noarp) !== 0;
}

/** One `ip -j neigh show` object (no `dev` when listing one device's neighbours, like ip). */
export function neighJson(n: Neighbor, names: ReadonlyMap<number, string>, hideDev = false): IpNeighJson {
  const out: IpNeighJson = { dst: n.address } as IpNeighJson;
  if (!hideDev) out.dev = names.get(n.linkIndex) ?? `if${n.linkIndex}`;
  if (n.lladdr !== undefined) out.lladdr = n.lladdr;
  if (n.router) out.router = null;
  if (n.proxy) out.proxy = null;
  if (n.flagNames.includes('extern_learn')) out.extern_learn = null;
  out.state = n.stateNames.map((s) => s.toUpperCase());
  return out;
}

/** NTF_* flags in the order `bridge fdb` prints them (print_fdb_flags). */
const FDB_FLAGS: [number, string][] = [
  [0x02, 'self'],
  [0x80, 'router'],
  [0x10, 'extern_learn'],
  [0x20, 'offload'],
  [0x04, 'master'],
  [0x40, 'sticky'],
];

/** One `bridge -j fdb show` object (no `ifname` when listing one device's entries, like bridge). */
export function fdbJson(e: FdbEntry, hideDev = false): BridgeFdbJson {
  const out: BridgeFdbJson = { mac: e.mac } as BridgeFdbJson;
  if (!hideDev) out.ifname = e.device ?? `if${e.ifindex}`;
  if (e.vlan !== undefined) out.vlan = e.vlan;
  if (e.dst !== undefined) out.dst = e.dst;
  if (e.dstPort !== undefined) out.port = e.dstPort;
  if (e.vni !== undefined) out.vni = e.vni;
  out.flags = FDB_FLAGS.filter(([bit]) => e.raw.header.flags & bit).map(([, n]) => n);
  if (e.master !== undefined) out.master = e.master;
  out.state = e.state === 'dynamic' ? '' : e.state;
  return out;
}
