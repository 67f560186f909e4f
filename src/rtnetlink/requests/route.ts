/**
 * Route requests: the options of a route change → a validated RTM_NEWROUTE / RTM_DELROUTE
 * (rtmsg and RTA_* attributes). Everything is checked before any request, with the defaults
 * iproute2 applies (family from the addresses, scope from the type, `boot` protocol, the main
 * table). Links are the caller's business: `L` is however it names one, checked by the
 * `checkLink` it passes and resolved to an interface index before encoding (api/ip/route.ts).
 * @module
 */
import { ValidationError } from '../../errors.js';
import type { NlWriter } from '../../netlink/writer.js';
import { formatIp, ipFamily, parseDestination, parseIp, sameFamily } from '../../util/ip.js';
import { validateInt, validateOptions } from '../../util/validate.js';
import { AF_INET, AF_INET6 } from '../constants.js';
import {
  encodeRouteMessage,
  type NexthopAttributesInput,
  type RouteAttributesInput,
  type RtNexthop,
} from '../route.js';
import { type RouteMetricsValue, RTAX } from '../route-metrics.js';
import {
  protocolNumber,
  ROUTER_PREFS,
  type RouteTypeName,
  routeTypeNumber,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
  RT_TABLE_UNSPEC,
  RTN_ANYCAST,
  RTN_BROADCAST,
  RTN_LOCAL,
  RTN_MULTICAST,
  RTN_NAT,
  RTN_UNICAST,
  RTNH_F_ONLINK,
  RTPROT_BOOT,
  scopeNumber,
  tableNumber,
} from '../route-constants.js';

/**
 * Route metrics (`ip route add … mtu 1400 advmss 1360 …`), RTA_METRICS / RTAX_*: the
 * RTAX_* definitions of the route schema, less the lock mask.
 * @interface
 * @category Addresses & routes
 */
export type RouteMetrics = Omit<RouteMetricsValue, 'lock' | 'unknown'>;

/**
 * Name of a route metric.
 * @category Addresses & routes
 */
export type RouteMetricName = keyof RouteMetrics;

/**
 * One path of a multipath (ECMP) route (`nexthop via ADDR dev DEV weight N`); `L` is how the
 * caller names a link (the public API: a Link, a name or an index).
 */
export interface NexthopSpec<L> {
  /** gateway address (may be IPv6 for an IPv4 route: sent as RTA_VIA). */
  via?: string;
  /** output link. */
  dev?: L;
  /** relative weight, 1 … 256 (default 1). */
  weight?: number;
  /** treat the gateway as directly on the link (`onlink`). */
  onlink?: boolean;
}

/**
 * A route change, as the public API's route options give it; `L` is how the caller names a link.
 */
export interface RouteSpec<L> {
  /** destination: `default`, a prefix `10.0.0.0/24` (host bits clear), or an address (a host route). */
  to: string;
  /** gateway (`via ADDR`); an IPv6 gateway on an IPv4 route is sent as RTA_VIA. */
  via?: string;
  /** output link (`dev NAME`): a Link of the namespace, or its name or index. */
  dev?: L;
  /** preferred source address for traffic using the route (`src ADDR`). */
  src?: string;
  /** source prefix (`from PREFIX`, IPv6 source routing). */
  from?: string;
  /** metric / priority (`metric N`). */
  metric?: number;
  /** routing table: `main` (default), `local`, `default`, or a number up to 2^32-1. */
  table?: string | number;
  /** `global`/`universe`, `site`, `link`, `host`, or a number; derived as iproute2 does when absent. */
  scope?: string | number;
  /** route protocol: `boot` (default, as iproute2), `static`, `kernel`, `dhcp`, `bgp`, … or a number. */
  protocol?: string | number;
  /** `unicast` (default), `local`, `blackhole`, `unreachable`, `prohibit`, `throw`, `broadcast`, `anycast`, `multicast`, `nat`. */
  type?: RouteTypeName;
  /** pretend the gateway is directly on the link (`onlink`). */
  onlink?: boolean;
  /** ECMP paths (`nexthop via … dev … weight …` …); not with `via`/`dev`. */
  nexthops?: NexthopSpec<L>[];
  /** metrics: `{ mtu: 1400, advmss: 1360, hoplimit: 32, initcwnd: 10, … }`. */
  metrics?: Partial<RouteMetrics>;
  /** metrics whose value is locked (`mtu lock 1400`). */
  lock?: RouteMetricName[];
  /** type of service byte (`tos N`, IPv4). */
  tos?: number;
  /** IPv6 router preference (`pref low|medium|high`). */
  pref?: 'low' | 'medium' | 'high';
  /** IPv6: seconds until the route expires (`expires N`). */
  expires?: number;
  /** family for a bare `default` without `via`/`src` (default 4). */
  family?: 4 | 6;
}
/** The keys of {@link RouteSpec}. @internal */
export const ROUTE_KEYS = ['to', 'via', 'dev', 'src', 'from', 'metric', 'table', 'scope', 'protocol', 'type', 'onlink', 'nexthops', 'metrics', 'lock', 'tos', 'pref', 'expires', 'family'] as const;

/** What a route change does: RTM_NEWROUTE with create/replace/append flags, or RTM_DELROUTE. */
export type RouteVerb = 'add' | 'replace' | 'append' | 'prepend' | 'remove';

/** Shared by every route without nexthops. */
const NONE: readonly never[] = Object.freeze([]);

function badFamily(v: unknown): never {
  throw new ValidationError('family', v, 'expected 4 or 6');
}

function versionOfText(s: string | undefined): 4 | 6 | undefined {
  if (s === undefined) return undefined;
  const f = ipFamily(s);
  return f === 0 ? undefined : f;
}

/**
 * Validates a route change (throws a ValidationError naming the field) and computes what the
 * request needs, as iproute2 would (family, scope, type, table, protocol defaults); no request
 * yet. `checkLink` checks a link argument (a name, an index, or the caller's link object).
 */
export function validateRoute<L>(route: unknown, verb: RouteVerb, checkLink: (arg: unknown, field: string) => L): ValidRoute<L> {
  if (route === null || typeof route !== 'object') throw new ValidationError('route', route, 'expected a route object like { to: "default", via: "10.0.0.1" }');
  const o = validateOptions<RouteSpec<L>>(route, ROUTE_KEYS, 'route');
  const del = verb === 'remove';
  const dst = parseDestination(o.to, 'to');
  const via = o.via === undefined ? undefined : parseIp(o.via, 'via');
  const src = o.src === undefined ? undefined : parseIp(o.src, 'src');
  const from = o.from === undefined ? undefined : parseDestination(o.from, 'from');
  if (o.family !== undefined && o.family !== 4 && o.family !== 6) badFamily(o.family);
  const hops = o.nexthops;
  if (hops !== undefined) {
    if (!Array.isArray(hops) || hops.length === 0) throw new ValidationError('nexthops', hops, 'expected a non-empty array of { via, dev, weight }');
    if (o.via !== undefined || o.dev !== undefined) throw new ValidationError('nexthops', hops, 'give either nexthops or via/dev, not both');
  }
  const hopVias = hops === undefined ? NONE : hops.map((h, i) => {
    validateOptions(h, ['via', 'dev', 'weight', 'onlink'], `nexthops[${i}]`);
    return h.via === undefined ? undefined : parseIp(h.via, `nexthops[${i}].via`);
  });
  // The route's family comes from its destination, source and preferred source; a
  // gateway may be of the other family only as an IPv6 gateway of an IPv4 route (RTA_VIA).
  const known =
    o.src === undefined && from === undefined
      ? dst.family
      : sameFamily([
          ['to', o.to, dst.family],
          ['src', o.src, versionOfText(o.src)],
          ['from', o.from, from?.family],
        ]);
  if (o.family !== undefined && known !== undefined && o.family !== known) {
    throw new ValidationError('family', o.family, `but the route's addresses are IPv${known}`);
  }
  const gwFamily = via ?? (hops === undefined ? undefined : hopVias.find((v) => v !== undefined));
  const family: 4 | 6 = known ?? o.family ?? (gwFamily ? (gwFamily.length === 4 ? 4 : 6) : 4);
  checkGateway(family, via, 'via', o.via);
  if (hops !== undefined) hopVias.forEach((gw, i) => checkGateway(family, gw, `nexthops[${i}].via`, hops[i]!.via));
  if (from && family === 4) throw new ValidationError('from', o.from, 'source prefixes (from) are IPv6 only; IPv4 uses rules');

  const type = o.type === undefined ? (del ? 0 : RTN_UNICAST) : routeTypeNumber(o.type);
  const table = o.table === undefined ? RT_TABLE_MAIN : tableNumber(o.table);
  const protocol = o.protocol === undefined ? (del ? 0 : RTPROT_BOOT) : protocolNumber(o.protocol);
  const metric = o.metric === undefined ? undefined : validateInt(o.metric, 'metric', 0, 0xffffffff);
  const tos = o.tos === undefined ? 0 : validateInt(o.tos, 'tos', 0, 255);
  const expires = o.expires === undefined ? undefined : validateInt(o.expires, 'expires', 0, 0xffffffff);
  if (expires !== undefined && family !== 6) throw new ValidationError('expires', o.expires, 'route expiry is IPv6 only');
  let pref: number | undefined;
  if (o.pref !== undefined) {
    if (!(o.pref in ROUTER_PREFS)) throw new ValidationError('pref', o.pref, 'expected low, medium or high');
    if (family !== 6) throw new ValidationError('pref', o.pref, 'router preference is IPv6 only');
    pref = ROUTER_PREFS[o.pref];
  }
  let metrics: RouteMetricsValue | undefined;
  if (o.metrics !== undefined || o.lock !== undefined) {
    metrics = {};
    const m = validateOptions<Partial<RouteMetrics>>(o.metrics ?? {}, Object.keys(RTAX), 'metrics');
    for (const [k, v] of Object.entries(m)) {
      if (k === 'ccAlgo') {
        if (typeof v !== 'string' || v.length === 0 || v.length > 15) throw new ValidationError('metrics.ccAlgo', v, 'expected a congestion control name');
        metrics.ccAlgo = v;
      } else (metrics as Record<string, number>)[k] = validateInt(v, `metrics.${k}`, 0, 0xffffffff);
    }
    if (o.lock !== undefined) {
      if (!Array.isArray(o.lock)) throw new ValidationError('lock', o.lock, 'expected an array of metric names');
      let lock = 0;
      for (const name of o.lock) {
        const n = (RTAX as Record<string, number>)[name];
        if (n === undefined) throw new ValidationError('lock', name, `expected a metric name (${Object.keys(RTAX).join(', ')})`);
        lock |= 1 << n;
      }
      metrics.lock = lock;
    }
  }
  if (o.onlink !== undefined && typeof o.onlink !== 'boolean') throw new ValidationError('onlink', o.onlink, 'expected a boolean');
  const weights = hops === undefined ? NONE : hops.map((h, i) => (h.weight === undefined ? 1 : validateInt(h.weight, `nexthops[${i}].weight`, 1, 256)));
  const devArg = o.dev === undefined ? undefined : checkLink(o.dev, 'dev');
  const hopDevArgs = hops === undefined ? NONE : hops.map((h, i) => (h.dev === undefined ? undefined : checkLink(h.dev, `nexthops[${i}].dev`)));
  let scope: number;
  if (o.scope !== undefined) scope = scopeNumber(o.scope);
  else if (family === 6) scope = RT_SCOPE_UNIVERSE; // IPv6 has no route scopes (as iproute2 sends it)
  else if (type === RTN_LOCAL || type === RTN_NAT) scope = RT_SCOPE_HOST;
  else if (type === RTN_BROADCAST || type === RTN_MULTICAST || type === RTN_ANYCAST) scope = RT_SCOPE_LINK;
  else if (type === RTN_UNICAST || type === 0) scope = del ? RT_SCOPE_NOWHERE : via || hops ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  else scope = RT_SCOPE_UNIVERSE;

  return { o, dst, via, src, from, hopVias, weights, devArg, hopDevArgs, family, type, table, protocol, metric, tos, expires, pref, metrics, scope };
}

/** An IPv6 route cannot have an IPv4 gateway. */
function checkGateway(family: 4 | 6, gw: Buffer | undefined, field: string, text: string | undefined): void {
  if (gw && family === 6 && gw.length === 4) throw new ValidationError(field, text, 'an IPv6 route cannot have an IPv4 gateway');
}

/** What {@link validateRoute} checked and computed. */
export interface ValidRoute<L> {
  /** the options as given (they name the route in errors). */
  o: RouteSpec<L>;
  dst: ReturnType<typeof parseDestination>;
  via: Buffer | undefined;
  src: Buffer | undefined;
  from: ReturnType<typeof parseDestination> | undefined;
  hopVias: readonly (Buffer | undefined)[];
  weights: readonly number[];
  devArg: L | undefined;
  hopDevArgs: readonly (L | undefined)[];
  family: 4 | 6;
  type: number;
  table: number;
  protocol: number;
  metric: number | undefined;
  tos: number;
  expires: number | undefined;
  pref: number | undefined;
  metrics: RouteMetricsValue | undefined;
  scope: number;
}

/**
 * Writes the rtmsg and RTA_* attributes of a validated route (the addresses as the bytes parsed
 * during validation); `dev` and `hopDevs` are the interface indexes of its links.
 */
export function encodeRoute<L>(w: NlWriter, v: ValidRoute<L>, dev: number | undefined, hopDevs: readonly (number | undefined)[]): void {
  const o = v.o;
  const { dst, via, src, from, family, table } = v;
  const full = family === 4 ? 32 : 128;
  const dstLen = dst.family === undefined ? 0 : dst.prefixLength;
  const multipath: RtNexthop<NexthopAttributesInput>[] | undefined = o.nexthops?.map((h, i) => ({
    flags: h.onlink ? RTNH_F_ONLINK : 0,
    hops: v.weights[i]! - 1,
    ifindex: hopDevs[i] ?? 0,
    attrs: gatewayAttrs(v.hopVias[i], full),
  }));
  // addresses go to the encoder as the bytes parsed above
  const attrs: RouteAttributesInput = gatewayAttrs(via, full);
  if (dst.bytes && dstLen > 0) attrs.dst = dst.bytes;
  if (from?.bytes) attrs.src = from.bytes;
  if (dev !== undefined) attrs.oif = dev;
  if (v.metric !== undefined) attrs.priority = v.metric;
  if (src) attrs.prefsrc = src;
  if (v.metrics) attrs.metrics = v.metrics;
  if (multipath) attrs.multipath = multipath;
  if (table > 255) attrs.table = table;
  if (v.pref !== undefined) attrs.pref = v.pref;
  if (v.expires !== undefined) attrs.expires = v.expires;
  encodeRouteMessage(
    w,
    {
      family: family === 4 ? AF_INET : AF_INET6,
      dstLen,
      srcLen: from ? from.prefixLength : 0,
      tos: v.tos,
      table: table > 255 ? RT_TABLE_UNSPEC : table,
      protocol: v.protocol,
      scope: v.scope,
      type: v.type,
      flags: o.onlink ? RTNH_F_ONLINK : 0,
    },
    attrs,
  );
}

/** RTA_GATEWAY for a gateway of the route's own family, RTA_VIA (text) for an IPv6 gateway of an IPv4 route. */
function gatewayAttrs(gw: Buffer | undefined, fullLength: number): { gateway?: Buffer; via?: Buffer } {
  return gw === undefined ? {} : gw.length === fullLength / 8 ? { gateway: gw } : { via: gw };
}
