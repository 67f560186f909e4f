/**
 * Route constants and their names (linux/rtnetlink.h): route types (RTN_*), protocols
 * (RTPROT_*), scopes (RT_SCOPE_*, also used by addresses), tables (RT_TABLE_*), route and
 * nexthop flags (RTM_F_*, RTNH_F_*), router preferences, and name ↔ number conversions.
 * @internal
 * @module
 */
import { ValidationError } from '../errors.js';

// rtm_type (RTN_*)
export const RTN_UNSPEC = 0;
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
export const RTN_BROADCAST = 3;
export const RTN_ANYCAST = 4;
export const RTN_MULTICAST = 5;
export const RTN_BLACKHOLE = 6;
export const RTN_UNREACHABLE = 7;
export const RTN_PROHIBIT = 8;
export const RTN_THROW = 9;
export const RTN_NAT = 10;
export const RTN_XRESOLVE = 11;

/**
 * A route type name, as `ip route` prints it: `unicast`, `local`, `broadcast`, `anycast`,
 * `multicast`, `blackhole`, `unreachable`, `prohibit`, `throw`, `nat`, `xresolve` (and
 * `unspec` for 0).
  * @category Addresses & routes
 */
export type RouteTypeName =
  | 'unspec'
  | 'unicast'
  | 'local'
  | 'broadcast'
  | 'anycast'
  | 'multicast'
  | 'blackhole'
  | 'unreachable'
  | 'prohibit'
  | 'throw'
  | 'nat'
  | 'xresolve';

/** Route type names by RTN_* number. */
export const ROUTE_TYPES: readonly RouteTypeName[] = [
  'unspec',
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
  'xresolve',
];

// rtm_protocol (RTPROT_*)
export const RTPROT_UNSPEC = 0;
export const RTPROT_REDIRECT = 1;
export const RTPROT_KERNEL = 2;
export const RTPROT_BOOT = 3;
export const RTPROT_STATIC = 4;

/** Route protocol names by RTPROT_* number (iproute2's rt_protos). */
export const ROUTE_PROTOCOLS: Record<number, string> = {
  0: 'unspec',
  1: 'redirect',
  2: 'kernel',
  3: 'boot',
  4: 'static',
  8: 'gated',
  9: 'ra',
  10: 'mrt',
  11: 'zebra',
  12: 'bird',
  13: 'dnrouted',
  14: 'xorp',
  15: 'ntk',
  16: 'dhcp',
  17: 'mrouted',
  18: 'keepalived',
  42: 'babel',
  99: 'openr',
  186: 'bgp',
  187: 'isis',
  188: 'ospf',
  189: 'rip',
  192: 'eigrp',
};

// rtm_scope / ifa_scope (RT_SCOPE_*)
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_SITE = 200;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;

/** Scope names by RT_SCOPE_* number, as iproute2 prints them (0 is `global`). */
export const SCOPES: Record<number, string> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };

// tables (RT_TABLE_*)
export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_COMPAT = 252;
export const RT_TABLE_DEFAULT = 253;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

/** Table names by number (`ip route show table main|local|default`). */
export const TABLES: Record<number, string> = { 253: 'default', 254: 'main', 255: 'local' };

// rtm_flags (RTM_F_*) and rtnh_flags (RTNH_F_*)
export const RTM_F_NOTIFY = 0x100;
export const RTM_F_CLONED = 0x200;
export const RTM_F_EQUALIZE = 0x400;
export const RTM_F_PREFIX = 0x800;
export const RTM_F_LOOKUP_TABLE = 0x1000;
export const RTM_F_FIB_MATCH = 0x2000;
export const RTM_F_OFFLOAD = 0x4000;
export const RTM_F_TRAP = 0x8000;
export const RTM_F_OFFLOAD_FAILED = 0x20000000;

export const RTNH_F_DEAD = 1;
export const RTNH_F_PERVASIVE = 2;
export const RTNH_F_ONLINK = 4;
export const RTNH_F_OFFLOAD = 8;
export const RTNH_F_LINKDOWN = 16;
export const RTNH_F_UNRESOLVED = 32;
export const RTNH_F_TRAP = 64;

/** Names of route / nexthop flags as `ip route` prints them. */
export const ROUTE_FLAG_NAMES: [number, string][] = [
  [RTNH_F_DEAD, 'dead'],
  [RTNH_F_PERVASIVE, 'pervasive'],
  [RTNH_F_ONLINK, 'onlink'],
  [RTNH_F_OFFLOAD, 'offload'],
  [RTNH_F_LINKDOWN, 'linkdown'],
  [RTNH_F_UNRESOLVED, 'unresolved'],
  [RTNH_F_TRAP, 'trap'],
  [RTM_F_NOTIFY, 'notify'],
  [RTM_F_CLONED, 'cloned'],
  [RTM_F_PREFIX, 'prefix'],
  [RTM_F_OFFLOAD, 'rt_offload'],
  [RTM_F_TRAP, 'rt_trap'],
  [RTM_F_OFFLOAD_FAILED, 'rt_offload_failed'],
];

// RTA_PREF (IPv6 router preference, ICMPV6_ROUTER_PREF_*)
/** RTA_PREF values by name. */
export const ROUTER_PREFS = { low: 3, medium: 0, high: 1 } as const;

// ---- name <-> number ------------------------------------------------------------------

function byName(table: Record<number, string>, v: unknown, field: string, max: number, what: string): number {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= max) return v;
    throw new ValidationError(field, v, `expected a ${what} name or a number from 0 to ${max}`);
  }
  if (typeof v === 'string') {
    for (const [n, name] of Object.entries(table)) if (name === v) return Number(n);
    if (/^\d+$/.test(v) && Number(v) <= max) return Number(v);
  }
  throw new ValidationError(field, v, `expected a ${what} name (${Object.values(table).join(', ')}) or a number from 0 to ${max}`);
}

/** A scope name (`global`, `site`, `link`, `host`, `nowhere`; `universe` = global) or number → RT_SCOPE_*. */
export function scopeNumber(v: unknown, field = 'scope'): number {
  return v === 'universe' ? RT_SCOPE_UNIVERSE : byName(SCOPES, v, field, 255, 'scope');
}
/** The name of a scope number, or the number as text. */
export function scopeName(n: number): string {
  return SCOPES[n] ?? String(n);
}

/** A route protocol name (`boot`, `static`, `kernel`, `bgp`, …) or number → RTPROT_*. */
export function protocolNumber(v: unknown, field = 'protocol'): number {
  return byName(ROUTE_PROTOCOLS, v, field, 255, 'protocol');
}
/** The name of a route protocol number, or the number as text. */
export function protocolName(n: number): string {
  return ROUTE_PROTOCOLS[n] ?? String(n);
}

/** A table name (`main`, `local`, `default`) or number (1 … 2^32-1) → table id. */
export function tableNumber(v: unknown, field = 'table'): number {
  const n = byName(TABLES, v, field, 0xffffffff, 'table');
  if (n === 0) throw new ValidationError(field, v, 'table 0 (unspec) is not a table');
  return n;
}
/** The name of a table id, or the number as text. */
export function tableName(n: number): string {
  return TABLES[n] ?? String(n);
}

/** A route type name (`unicast`, `local`, `blackhole`, `unreachable`, `prohibit`, …) → RTN_*. */
export function routeTypeNumber(v: unknown, field = 'type'): number {
  const i = typeof v === 'string' ? ROUTE_TYPES.indexOf(v as RouteTypeName) : -1;
  if (i <= 0) throw new ValidationError(field, v, `expected a route type (${ROUTE_TYPES.slice(1).join(', ')})`);
  return i;
}
/** The name of an RTN_* number, or the number as text. */
export function routeTypeName(n: number): string {
  return ROUTE_TYPES[n] ?? String(n);
}
