/**
 * The fields of a Route, decoded from its message: at once for a single route or a
 * notification (Route.fromMessage), on first use for a listed one (Route.listed).
 * @module
 */
import { ParseError } from '../../errors.js';
import type { NlMessage } from '../../netlink/message.js';
import { AF_INET, AF_INET6, flagNames } from '../../rtnetlink/constants.js';
import { decodeRouteMessage, type RouteAttributes, type RtNexthop } from '../../rtnetlink/route.js';
import type { RouteMetricsValue } from '../../rtnetlink/route-metrics.js';
import { ROUTE_FLAG_NAMES, ROUTER_PREFS, type RouteTypeName, routeTypeName } from '../../rtnetlink/route-constants.js';
import { formatCidr } from '../../util/ip.js';

/**
 * Metrics of a listed route, with the mask of locked ones.
 * @interface
 * @category Addresses & routes
 */
export type RouteMetricsInfo = Omit<RouteMetricsValue, 'unknown'>;

/**
 * One path of a multipath route, as reported.
 * @category Addresses & routes
 */
export interface Nexthop {
  /** gateway, if any. */
  via: string | undefined;
  /** output interface index. */
  linkIndex: number;
  /** weight (rtnh_hops + 1). */
  weight: number;
  /** RTNH_F_* flags. */
  flags: number;
  /** flag names (`onlink`, `linkdown`, `dead`, …). */
  flagNames: string[];
}

/** The fields of a {@link Route}. */
export interface RouteFields {
  family: 4 | 6;
  to: string;
  from: string | undefined;
  tos: number;
  table: number;
  protocol: number;
  scope: number;
  type: RouteTypeName | string;
  flags: number;
  linkIndex: number | undefined;
  via: string | undefined;
  src: string | undefined;
  metric: number | undefined;
  nexthops: Nexthop[] | undefined;
  metrics: RouteMetricsInfo | undefined;
  iifIndex: number | undefined;
  pref: 'low' | 'medium' | 'high' | undefined;
  expires: number | undefined;
  attributes: RouteAttributes;
}

/** Decodes a route message into the fields of a Route (a ParseError if malformed or not IPv4/IPv6). */
export function routeFields(m: NlMessage): RouteFields {
  const { header: h, attrs: a } = decodeRouteMessage(m);
  if (h.family !== AF_INET && h.family !== AF_INET6) {
    throw new ParseError(`not an IPv4 or IPv6 route message (family ${h.family})`, m.start);
  }
  const family = h.family === AF_INET6 ? 6 : 4;
  const pref = a.pref;
  const exp = a.cacheinfo?.expires;
  return {
    family,
    to: a.dst === undefined ? (h.dstLen === 0 ? 'default' : formatCidr(family === 4 ? '0.0.0.0' : '::', h.dstLen)) : formatCidr(a.dst, h.dstLen),
    from: a.src === undefined ? undefined : formatCidr(a.src, h.srcLen),
    tos: h.tos,
    table: a.table ?? h.table,
    protocol: h.protocol,
    scope: h.scope,
    type: routeTypeName(h.type),
    flags: h.flags,
    linkIndex: a.oif,
    via: a.gateway ?? a.via,
    src: a.prefsrc,
    metric: a.priority,
    nexthops: a.multipath?.map((nh: RtNexthop) => ({
      via: nh.attrs.gateway ?? nh.attrs.via,
      linkIndex: nh.ifindex,
      weight: nh.hops + 1,
      flags: nh.flags,
      flagNames: flagNames(nh.flags, ROUTE_FLAG_NAMES),
    })),
    metrics: a.metrics === undefined ? undefined : metricsInfo(a.metrics),
    iifIndex: a.iif,
    pref: pref === undefined ? undefined : pref === ROUTER_PREFS.low ? 'low' : pref === ROUTER_PREFS.high ? 'high' : 'medium',
    expires: exp !== undefined && exp !== 0 ? Math.round(exp / 100) : undefined,
    attributes: a,
  };
}

function metricsInfo(m: RouteMetricsValue): RouteMetricsInfo {
  const { unknown: _, ...known } = m;
  return known;
}
