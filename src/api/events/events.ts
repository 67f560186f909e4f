/**
 * Events: the typed events a {@link Watcher} delivers, and for each kind what it subscribes
 * to, how its messages are decoded (with the same parsers as the lists), how its objects are
 * identified and how its current state is dumped.
 * @module
 */
import type { BodyWriter } from '../../netlink/connection.js';
import type { NlMessage } from '../../netlink/message.js';
import type { NlWriter } from '../../netlink/writer.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  RTM_DELADDR,
  RTM_DELNEIGH,
  RTM_DELROUTE,
  RTM_GETADDR,
  RTM_GETNEIGH,
  RTM_GETROUTE,
  RTM_NEWADDR,
  RTM_NEWNEIGH,
  RTM_NEWROUTE,
  RTNLGRP_IPV4_IFADDR,
  RTNLGRP_IPV4_ROUTE,
  RTNLGRP_IPV6_IFADDR,
  RTNLGRP_IPV6_ROUTE,
  RTNLGRP_NEIGH,
  RTM_DELLINK,
  RTM_DELNETCONF,
  RTM_DELNSID,
  RTM_GETLINK,
  RTM_GETNETCONF,
  RTM_GETNSID,
  RTM_NEWLINK,
  RTM_NEWNETCONF,
  RTM_NEWNSID,
  RTNLGRP_IPV4_NETCONF,
  RTNLGRP_IPV6_NETCONF,
  RTNLGRP_LINK,
  RTNLGRP_NSID,
} from '../../rtnetlink/constants.js';
import { encodeAddrMessage } from '../../rtnetlink/address.js';
import { IfInfoMsg } from '../../rtnetlink/link.js';
import { encodeNeighMessage, NTF_PROXY } from '../../rtnetlink/neighbor.js';
import { encodeRouteMessage } from '../../rtnetlink/route.js';
import { NetconfMsg } from '../../rtnetlink/netconf.js';
import { NsidAttrs, RtGenMsg } from '../../rtnetlink/nsid.js';
import { ValidationError } from '../../errors.js';
import { Address } from '../ip/address.js';
import { Link } from '../link/link.js';
import { Neighbor } from '../ip/neighbor.js';
import { Route } from '../ip/route.js';
import { Netconf } from '../namespace/netconf.js';
import type { Namespace } from '../namespace/namespace.js';

/**
 * What a watcher can watch.
 * @category Events
 */
export type WatchKind = 'link' | 'address' | 'route' | 'neighbor' | 'netconf' | 'nsid';

/**
 * Every kind, in the order a snapshot lists them.
 * @category Events
 */
export const WATCH_KINDS: readonly WatchKind[] = ['link', 'address', 'route', 'neighbor', 'netconf', 'nsid'];

/**
 * IP families to watch for the family-specific kinds (addresses, routes, netconf).
 * @category Events
 */
export type WatchFamily = 'inet' | 'inet6';

/**
 * Whether an object appeared or changed (`new`) or went away (`del`).
 * @category Events
 */
export type ChangeType = 'new' | 'del';

/**
 * Fields every object event has.
 * @category Events
 */
export interface ObjectEventBase {
  /** `new`: the object was added or changed (it holds its new state); `del`: it was removed
   *  (it holds its last state). */
  type: ChangeType;
  /** True for the objects of a snapshot (`snapshot: true`, or after a resynchronisation):
   *  they describe current state rather than a change. */
  snapshot: boolean;
}

/**
 * A link appeared, changed (flags, operstate, name, master, …) or was removed.
 * @category Events
 */
export interface LinkEvent extends ObjectEventBase {
  /** Discriminant: `'link'`. */
  kind: 'link';
  /** The link, decoded like {@link Link.list} decodes it. */
  link: Link;
}

/**
 * An IPv4/IPv6 address was added, changed (flags such as `tentative`, lifetimes) or removed.
 * @category Events
 */
export interface AddressEvent extends ObjectEventBase {
  /** Discriminant: `'address'`. */
  kind: 'address';
  /** The address, decoded like {@link Address.list} decodes it. */
  address: Address;
}

/**
 * An IPv4/IPv6 route was added, replaced or removed (any table).
 * @category Events
 */
export interface RouteEvent extends ObjectEventBase {
  /** Discriminant: `'route'`. */
  kind: 'route';
  /** The route, decoded like {@link Route.list} decodes it. */
  route: Route;
}

/**
 * An IPv4/IPv6 neighbour (ARP / NDP) entry was added, changed state or was removed.
 * @category Events
 */
export interface NeighborEvent extends ObjectEventBase {
  /** Discriminant: `'neighbor'`. */
  kind: 'neighbor';
  /** The entry, decoded like {@link Neighbor.list} decodes it. */
  neighbor: Neighbor;
}

/**
 * An IPv4/IPv6 per-device setting changed (or a device's settings appeared/went away).
 * @category Events
 */
export interface NetconfEvent extends ObjectEventBase {
  /** Discriminant: `'netconf'`. */
  kind: 'netconf';
  /** The settings the kernel reported (a change notification may carry only the changed one). */
  netconf: Netconf;
}

/**
 * This namespace assigned (`new`) or dropped (`del`) an nsid for another namespace.
 * @category Events
 */
export interface NsidEvent extends ObjectEventBase {
  /** Discriminant: `'nsid'`. */
  kind: 'nsid';
  /** The nsid. */
  nsid: number;
}

/**
 * An event about one object.
 * @category Events
 */
export type ObjectEvent = LinkEvent | AddressEvent | RouteEvent | NeighborEvent | NetconfEvent | NsidEvent;

/**
 * The kernel dropped events because the watcher's socket buffer was full (ENOBUFS): what the
 * subscriber knows may now be wrong. With `overflow: 'resync'` a fresh snapshot follows.
  * @category Events
 */
export interface OverflowEvent {
  /** Discriminant: `'overflow'`. */
  kind: 'overflow';
  /** Overflows reported so far by this watcher. */
  count: number;
}

/**
 * Brackets a snapshot. `begin`: forget what you know of the watched kinds, the current
 * objects follow (as `new` events with `snapshot: true`); `end`: the snapshot is complete
 * and changes follow.
  * @category Events
 */
export interface SyncEvent {
  /** Discriminant: `'sync'`. */
  kind: 'sync';
  /** `begin` before the snapshot's objects, `end` after them. */
  phase: 'begin' | 'end';
  /** Why: the first snapshot (`snapshot: true`), after an overflow, or {@link Watcher.resync}. */
  reason: 'initial' | 'overflow' | 'requested';
}

/**
 * Everything a watcher delivers.
 * @category Events
 */
export type WatchEvent = ObjectEvent | OverflowEvent | SyncEvent;

/**
 * The object type of each kind (what `waitFor` predicates receive).
 * @category Events
 */
export interface WatchObjectMap {
  /** a {@link Link}. */
  link: Link;
  /** an {@link Address}. */
  address: Address;
  /** a {@link Route}. */
  route: Route;
  /** a {@link Neighbor}. */
  neighbor: Neighbor;
  /** a {@link Netconf}. */
  netconf: Netconf;
  /** an nsid. */
  nsid: number;
}

/** @internal One dump a snapshot makes. */
export interface DumpSpec {
  type: number;
  body: BodyWriter;
  operation: string;
}

/** @internal How a kind is watched (see the module documentation). */
export interface KindSpec {
  kind: WatchKind;
  newType: number;
  delType: number;
  groups(families: ReadonlySet<WatchFamily>): number[];
  /** Decodes a message of this kind; undefined when the message is not one this kind reports. */
  decode(ns: Namespace, m: NlMessage, type: ChangeType, snapshot: boolean, families: ReadonlySet<WatchFamily>): ObjectEvent | undefined;
  dumps(families: ReadonlySet<WatchFamily>): DumpSpec[];
  /** For kinds whose `new` notifications may carry only what changed: the object after
   *  applying `next` to `prev` (a snapshot keeps full objects). Default: `next`. */
  merge?(prev: ObjectEvent, next: ObjectEvent): ObjectEvent;
}

const familyNumber = (f: WatchFamily): number => (f === 'inet' ? AF_INET : AF_INET6);

const linkSpec: KindSpec = {
  kind: 'link',
  newType: RTM_NEWLINK,
  delType: RTM_DELLINK,
  groups: () => [RTNLGRP_LINK],
  decode(ns, m, type, snapshot) {
    // RTNLGRP_LINK also carries AF_BRIDGE port messages (ifi_family 7) whose RTM_DELLINK means
    // "left the bridge", not "removed": only AF_UNSPEC messages describe links.
    if (m.end - m.start >= IfInfoMsg.size && m.buf[m.start] !== AF_UNSPEC) return undefined;
    return { kind: 'link', type, snapshot, link: Link.fromMessage(ns, m) };
  },
  dumps: () => [{ type: RTM_GETLINK, body: (w) => IfInfoMsg.encode(w, { family: AF_UNSPEC }), operation: 'dump links' }],
};

/** The address family byte every rtnetlink family header starts with. */
const familyOf = (m: NlMessage): number => (m.end > m.start ? m.buf[m.start]! : AF_UNSPEC);
const wanted = (m: NlMessage, fams: ReadonlySet<WatchFamily>): boolean => {
  const f = familyOf(m);
  return (f === AF_INET && fams.has('inet')) || (f === AF_INET6 && fams.has('inet6'));
};
const familyName = (f: WatchFamily): string => (f === 'inet' ? 'IPv4' : 'IPv6');

const addressSpec: KindSpec = {
  kind: 'address',
  newType: RTM_NEWADDR,
  delType: RTM_DELADDR,
  groups: (fams) => [...fams].map((f) => (f === 'inet' ? RTNLGRP_IPV4_IFADDR : RTNLGRP_IPV6_IFADDR)),
  decode(ns, m, type, snapshot, fams) {
    if (!wanted(m, fams)) return undefined;
    return { kind: 'address', type, snapshot, address: Address.fromMessage(ns, m) };
  },
  dumps: (fams) =>
    [...fams].map((f) => ({
      type: RTM_GETADDR,
      body: (w) => encodeAddrMessage(w, { family: familyNumber(f), index: 0 }),
      operation: `dump ${familyName(f)} addresses`,
    })),
};

const routeSpec: KindSpec = {
  kind: 'route',
  newType: RTM_NEWROUTE,
  delType: RTM_DELROUTE,
  groups: (fams) => [...fams].map((f) => (f === 'inet' ? RTNLGRP_IPV4_ROUTE : RTNLGRP_IPV6_ROUTE)),
  decode(ns, m, type, snapshot, fams) {
    if (!wanted(m, fams)) return undefined;
    return { kind: 'route', type, snapshot, route: Route.fromMessage(ns, m) };
  },
  // table 0 in a strict dump request: every table
  dumps: (fams) =>
    [...fams].map((f) => ({
      type: RTM_GETROUTE,
      body: (w) => encodeRouteMessage(w, { family: familyNumber(f), table: 0 }),
      operation: `dump ${familyName(f)} routes`,
    })),
};

const neighborSpec: KindSpec = {
  kind: 'neighbor',
  newType: RTM_NEWNEIGH,
  delType: RTM_DELNEIGH,
  groups: () => [RTNLGRP_NEIGH],
  decode(ns, m, type, snapshot, fams) {
    // RTNLGRP_NEIGH also carries the bridge FDB (AF_BRIDGE): not neighbours
    if (!wanted(m, fams)) return undefined;
    return { kind: 'neighbor', type, snapshot, neighbor: Neighbor.fromMessage(ns, m) };
  },
  // the neighbour tables, then the proxy entries (a separate table, dumped with NTF_PROXY)
  dumps: (fams) =>
    [...fams].flatMap((f) => [false, true].map((proxy) => ({
      type: RTM_GETNEIGH,
      body: (w: NlWriter) => encodeNeighMessage(w, { family: familyNumber(f), flags: proxy ? NTF_PROXY : 0 }),
      operation: `dump ${familyName(f)} ${proxy ? 'proxy ' : ''}neighbours`,
    }))),
};

const netconfSpec: KindSpec = {
  kind: 'netconf',
  newType: RTM_NEWNETCONF,
  delType: RTM_DELNETCONF,
  groups: (fams) => [...fams].map((f) => (f === 'inet' ? RTNLGRP_IPV4_NETCONF : RTNLGRP_IPV6_NETCONF)),
  decode(ns, m, type, snapshot, fams) {
    const netconf = Netconf.fromMessage(ns, m);
    if (netconf.family !== 'inet' && netconf.family !== 'inet6') return undefined;
    if (!fams.has(netconf.family)) return undefined;
    return { kind: 'netconf', type, snapshot, netconf };
  },
  dumps: (fams) =>
    [...fams].map((f) => ({
      type: RTM_GETNETCONF,
      body: (w) => NetconfMsg.encode(w, { family: familyNumber(f) }),
      operation: `dump ${f === 'inet' ? 'IPv4' : 'IPv6'} netconf`,
    })),
  merge(prev, next) {
    if (prev.kind !== 'netconf' || next.kind !== 'netconf') return next;
    return { ...next, netconf: Netconf.merge(prev.netconf, next.netconf) };
  },
};

const nsidSpec: KindSpec = {
  kind: 'nsid',
  newType: RTM_NEWNSID,
  delType: RTM_DELNSID,
  groups: () => [RTNLGRP_NSID],
  decode(_ns, m, type, snapshot) {
    const nsid = NsidAttrs.decode(m.buf, m.start + RtGenMsg.size, m.end).nsid;
    if (nsid === undefined || nsid < 0) return undefined;
    return { kind: 'nsid', type, snapshot, nsid };
  },
  dumps: () => [{ type: RTM_GETNSID, body: (w) => RtGenMsg.encode(w, { family: AF_UNSPEC }), operation: 'dump nsids' }],
};

/** @internal */
export const KIND_SPECS: Record<WatchKind, KindSpec> = {
  link: linkSpec,
  address: addressSpec,
  route: routeSpec,
  neighbor: neighborSpec,
  netconf: netconfSpec,
  nsid: nsidSpec,
};

/**
 * A string identifying the object of an event within its namespace: two events about the
 * same object (a link, an address, a route, …) have the same key, so a `Map` keyed by it
 * mirrors the kernel's tables.
  * @category Events
 */
export function eventKey(ev: ObjectEvent): string {
  switch (ev.kind) {
    case 'link':
      return `link:${ev.link.index}`;
    case 'address': {
      // the kernel's identity of an address: link, local address, prefix length (and peer)
      const a = ev.address;
      return `address:${a.family}:${a.linkIndex}:${a.address}/${a.prefixLength}${a.peer === undefined ? '' : ` peer ${a.peer}`}`;
    }
    case 'route': {
      // the kernel's identity of a route: table, destination, source prefix, TOS and metric
      // (a replace changes gateway, device or type in place)
      const r = ev.route;
      return `route:${r.family}:${r.table}:${r.to}:${r.from ?? ''}:${r.tos}:${r.metric ?? 0}`;
    }
    case 'neighbor': {
      const n = ev.neighbor;
      return `neighbor:${n.family}:${n.linkIndex}:${n.address}${n.flags & NTF_PROXY ? ':proxy' : ''}`;
    }
    case 'netconf':
      return `netconf:${ev.netconf.family}:${ev.netconf.ifindex}`;
    case 'nsid':
      return `nsid:${ev.nsid}`;
  }
}

/**
 * The object an event is about.
 * @category Events
 */
export function eventObject(ev: ObjectEvent): WatchObjectMap[WatchKind] {
  switch (ev.kind) {
    case 'link':
      return ev.link;
    case 'address':
      return ev.address;
    case 'route':
      return ev.route;
    case 'neighbor':
      return ev.neighbor;
    case 'netconf':
      return ev.netconf;
    case 'nsid':
      return ev.nsid;
  }
}

/** @internal Checks and normalises a list of kinds. */
export function validateKinds(kinds: unknown, field = 'kinds'): WatchKind[] {
  const list = kinds === undefined ? [...WATCH_KINDS] : Array.isArray(kinds) ? kinds : [kinds];
  if (list.length === 0) throw new ValidationError(field, kinds, 'name at least one kind to watch');
  const out: WatchKind[] = [];
  for (const k of list) {
    if (!WATCH_KINDS.includes(k as WatchKind)) {
      throw new ValidationError(field, k, `unknown kind (known: ${WATCH_KINDS.join(', ')})`);
    }
    if (!out.includes(k as WatchKind)) out.push(k as WatchKind);
  }
  return WATCH_KINDS.filter((k) => out.includes(k));
}

/** @internal Checks and normalises a list of families. */
export function validateFamilies(families: unknown, field = 'families'): Set<WatchFamily> {
  if (families === undefined) return new Set<WatchFamily>(['inet', 'inet6']);
  const list = Array.isArray(families) ? families : [families];
  if (list.length === 0) throw new ValidationError(field, families, 'name at least one family (inet, inet6)');
  for (const f of list) if (f !== 'inet' && f !== 'inet6') throw new ValidationError(field, f, 'expected inet or inet6');
  return new Set(list as WatchFamily[]);
}
