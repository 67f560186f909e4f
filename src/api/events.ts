/**
 * Events: the typed events a {@link Watcher} delivers, and for each kind what it subscribes
 * to, how its messages are decoded (with the same parsers as the lists), how its objects are
 * identified and how its current state is dumped.
 * @module
 */
import type { BodyWriter } from '../netlink/connection.js';
import type { NlMessage } from '../netlink/message.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
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
} from '../rtnetlink/constants.js';
import { IfInfoMsg } from '../rtnetlink/link.js';
import { NetconfMsg } from '../rtnetlink/netconf.js';
import { NsidAttrs, RtGenMsg } from '../rtnetlink/nsid.js';
import { ValidationError } from '../errors.js';
import { Link } from './link.js';
import { Netconf } from './netconf.js';
import type { Namespace } from './namespace.js';

/** What a watcher can watch. */
export type WatchKind = 'link' | 'netconf' | 'nsid';

/** Every kind, in the order a snapshot lists them. */
export const WATCH_KINDS: readonly WatchKind[] = ['link', 'netconf', 'nsid'];

/** IP families to watch for the family-specific kinds (addresses, routes, netconf). */
export type WatchFamily = 'inet' | 'inet6';

/** Whether an object appeared or changed (`new`) or went away (`del`). */
export type ChangeType = 'new' | 'del';

/** Fields every object event has. */
export interface ObjectEventBase {
  /** `new`: the object was added or changed (it holds its new state); `del`: it was removed
   *  (it holds its last state). */
  type: ChangeType;
  /** True for the objects of a snapshot (`snapshot: true`, or after a resynchronisation):
   *  they describe current state rather than a change. */
  snapshot: boolean;
}

/** A link appeared, changed (flags, operstate, name, master, …) or was removed. */
export interface LinkEvent extends ObjectEventBase {
  kind: 'link';
  /** The link, decoded like {@link Namespace.links} decodes it. */
  link: Link;
}

/** An IPv4/IPv6 per-device setting changed (or a device's settings appeared/went away). */
export interface NetconfEvent extends ObjectEventBase {
  kind: 'netconf';
  /** The settings the kernel reported (a change notification may carry only the changed one). */
  netconf: Netconf;
}

/** This namespace assigned (`new`) or dropped (`del`) an nsid for another namespace. */
export interface NsidEvent extends ObjectEventBase {
  kind: 'nsid';
  /** The nsid. */
  nsid: number;
}

/** An event about one object. */
export type ObjectEvent = LinkEvent | NetconfEvent | NsidEvent;

/**
 * The kernel dropped events because the watcher's socket buffer was full (ENOBUFS): what the
 * subscriber knows may now be wrong. With `overflow: 'resync'` a fresh snapshot follows.
 */
export interface OverflowEvent {
  kind: 'overflow';
  /** Overflows reported so far by this watcher. */
  count: number;
}

/**
 * Brackets a snapshot. `begin`: forget what you know of the watched kinds, the current
 * objects follow (as `new` events with `snapshot: true`); `end`: the snapshot is complete
 * and changes follow.
 */
export interface SyncEvent {
  kind: 'sync';
  /** `begin` before the snapshot's objects, `end` after them. */
  phase: 'begin' | 'end';
  /** Why: the first snapshot (`snapshot: true`), after an overflow, or {@link Watcher.resync}. */
  reason: 'initial' | 'overflow' | 'requested';
}

/** Everything a watcher delivers. */
export type WatchEvent = ObjectEvent | OverflowEvent | SyncEvent;

/** The object type of each kind (what `waitFor` predicates receive). */
export interface WatchObjectMap {
  /** a {@link Link}. */
  link: Link;
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
export const KIND_SPECS: Record<WatchKind, KindSpec> = { link: linkSpec, netconf: netconfSpec, nsid: nsidSpec };

/**
 * A string identifying the object of an event within its namespace: two events about the
 * same object (a link, an address, a route, …) have the same key, so a `Map` keyed by it
 * mirrors the kernel's tables.
 */
export function eventKey(ev: ObjectEvent): string {
  switch (ev.kind) {
    case 'link':
      return `link:${ev.link.index}`;
    case 'netconf':
      return `netconf:${ev.netconf.family}:${ev.netconf.ifindex}`;
    case 'nsid':
      return `nsid:${ev.nsid}`;
  }
}

/** The object an event is about. */
export function eventObject(ev: ObjectEvent): WatchObjectMap[WatchKind] {
  switch (ev.kind) {
    case 'link':
      return ev.link;
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
