/**
 * Route: IPv4 and IPv6 routes of a namespace (`ip route add|del|replace|append|show|get`).
 * @module
 */
import { BulkError, NetlinkError, ParseError, ValidationError } from '../../errors.js';
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../../netlink/constants.js';
import type { NetlinkConnection, RequestInfo } from '../../netlink/connection.js';
import type { NlMessage } from '../../netlink/message.js';
import { NlWriter } from '../../netlink/writer.js';
import { AF_INET, AF_INET6, RTM_DELROUTE, RTM_GETROUTE, RTM_NEWROUTE, flagNames } from '../../rtnetlink/constants.js';
import {
  decodeRouteMessage,
  encodeRouteMessage,
  protocolName,
  protocolNumber,
  ROUTE_FLAG_NAMES,
  RouteAttrs,
  type RouteAttributes,
  type RouteMetricsValue,
  ROUTER_PREFS,
  type RouteTypeName,
  routeTypeName,
  routeTypeNumber,
  type RtMsgHeader,
  type RtNexthop,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
  RT_TABLE_UNSPEC,
  RTAX,
  RTM_F_FIB_MATCH,
  RTM_F_LOOKUP_TABLE,
  RTN_ANYCAST,
  RTN_BROADCAST,
  RTN_LOCAL,
  RTN_MULTICAST,
  RTN_NAT,
  RTN_UNICAST,
  RTNH_F_ONLINK,
  RTPROT_BOOT,
  scopeName,
  scopeNumber,
  tableName,
  tableNumber,
} from '../../rtnetlink/route.js';
import { formatCidr, formatIp, ipFamily, parseDestination, parseIp, sameFamily } from '../../util/ip.js';
import { validateInt, validateOptions } from '../../util/validate.js';
import { Link, checkLinkArg, type LinkArg, resolveLink, resolvedNow, type ResolvedLink } from '../link/link.js';
import type { Namespace } from '../namespace/namespace.js';

/** Route metrics (`ip route add … mtu 1400 advmss 1360 …`), RTA_METRICS / RTAX_*. */
export interface RouteMetrics {
  /** path MTU (`mtu`). */
  mtu?: number;
  /** TCP window clamp (`window`). */
  window?: number;
  /** initial RTT estimate in ms (`rtt`). */
  rtt?: number;
  /** initial RTT variance in ms (`rttvar`). */
  rttvar?: number;
  /** initial slow-start threshold (`ssthresh`). */
  ssthresh?: number;
  /** congestion window clamp (`cwnd`). */
  cwnd?: number;
  /** advertised MSS (`advmss`). */
  advmss?: number;
  /** reordering metric (`reordering`). */
  reordering?: number;
  /** hop limit / TTL of packets using the route (`hoplimit`). */
  hoplimit?: number;
  /** initial congestion window (`initcwnd`). */
  initcwnd?: number;
  /** RTAX_FEATURE_* bits (`features`, e.g. 1 = ecn). */
  features?: number;
  /** minimum retransmission timeout in ms (`rto_min`). */
  rtoMin?: number;
  /** initial receive window (`initrwnd`). */
  initrwnd?: number;
  /** quick ACK (`quickack`, 0 or 1). */
  quickack?: number;
  /** congestion control algorithm (`congctl`). */
  ccAlgo?: string;
  /** TCP fast open without a cookie (`fastopen_no_cookie`, 0 or 1). */
  fastopenNoCookie?: number;
}
/** Name of a route metric. */
export type RouteMetricName = keyof RouteMetrics;

/** Metrics of a listed route, with the mask of locked ones. */
export interface RouteMetricsInfo extends RouteMetrics {
  /** bit mask of locked metrics, 1 << RTAX_* (e.g. 4 = `mtu lock`). */
  lock?: number;
}

/** One path of a multipath (ECMP) route (`nexthop via ADDR dev DEV weight N`). */
export interface NexthopOptions {
  /** gateway address (may be IPv6 for an IPv4 route: sent as RTA_VIA). */
  via?: string;
  /** output link. */
  dev?: LinkArg;
  /** relative weight, 1 … 256 (default 1). */
  weight?: number;
  /** treat the gateway as directly on the link (`onlink`). */
  onlink?: boolean;
}

/** A route as given to {@link Route.add}, {@link Route.replace}, {@link Route.append}, {@link Route.remove}. */
export interface RouteOptions {
  /** destination: `default`, a prefix `10.0.0.0/24` (host bits clear), or an address (a host route). */
  to: string;
  /** gateway (`via ADDR`); an IPv6 gateway on an IPv4 route is sent as RTA_VIA. */
  via?: string;
  /** output link (`dev NAME`): a Link of the namespace, or its name or index. */
  dev?: LinkArg;
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
  nexthops?: NexthopOptions[];
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
const ROUTE_KEYS = ['to', 'via', 'dev', 'src', 'from', 'metric', 'table', 'scope', 'protocol', 'type', 'onlink', 'nexthops', 'metrics', 'lock', 'tos', 'pref', 'expires', 'family'] as const;

/** Options of {@link Route.list}; all filtering is done by the kernel (strict dump request). */
export interface RouteListOptions {
  /** 4 or 6; default both (IPv4 first). */
  family?: 4 | 6;
  /** `main` (default, as `ip route show`), `local`, `default`, a number, or `all` for every table. */
  table?: string | number;
  /** only routes through this link (`dev NAME`). */
  dev?: LinkArg;
  /** only routes of this protocol (`proto NAME`). */
  protocol?: string | number;
  /** only routes of this type (`type NAME`). */
  type?: RouteTypeName;
}

/** Options of {@link Route.get}, as `ip route get ADDR from … iif … oif … mark … uid …`. */
export interface RouteGetOptions {
  /** source address of the packet (`from ADDR`). */
  from?: string;
  /** the packet arrives on this link (`iif NAME`): an input-route lookup, `from` required. */
  iif?: LinkArg;
  /** force this output link (`oif NAME`). */
  oif?: LinkArg;
  /** firewall mark (`mark N`). */
  mark?: number;
  /** socket uid (`uid N`). */
  uid?: number;
  /** IP protocol number for policy routing (`ipproto N`). */
  ipProto?: number;
  /** source port (`sport N`). */
  sport?: number;
  /** destination port (`dport N`). */
  dport?: number;
  /** return the FIB entry that matched (`fibmatch`), e.g. `192.168.2.0/24 via …`, instead of the resolved /32 route. */
  fibMatch?: boolean;
}

/** One path of a multipath route, as reported. */
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

/**
 * One route, as the kernel reported it (a snapshot).
 *
 * ```ts
 * await Route.add(ns, { to: 'default', via: '192.168.1.1' });             // ip route add default via 192.168.1.1
 * await Route.add(ns, { to: '10.1.0.0/16', nexthops: [{ via: '192.168.1.1', weight: 2 }, { via: '192.168.1.254' }] });
 * const r = await Route.get(ns, '192.168.2.2');                            // ip route get 192.168.2.2
 * r.via; r.src; (await r.getLink()).name;
 * ```
 */
export class Route {
  /** The namespace of the route. */
  readonly namespace: Namespace;
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** Destination: `default` or a prefix (`10.0.0.0/24`, `2001:db8::/64`; a host route is /32 or /128). */
  readonly to: string;
  /** Source prefix (`from`), if the route has one. */
  readonly from: string | undefined;
  /** Type of service. */
  readonly tos: number;
  /** Table id (254 = main, 255 = local). */
  readonly table: number;
  /** RTPROT_* number (2 = kernel, 3 = boot, 4 = static). */
  readonly protocol: number;
  /** RT_SCOPE_* number. */
  readonly scope: number;
  /** Route type name (`unicast`, `local`, `blackhole`, …). */
  readonly type: RouteTypeName | string;
  /** rtm_flags (RTNH_F_* / RTM_F_* bits). */
  readonly flags: number;
  /** Output interface index (single-path routes). */
  readonly linkIndex: number | undefined;
  /** Gateway (single-path routes): RTA_GATEWAY or RTA_VIA. */
  readonly via: string | undefined;
  /** Preferred source address (`src`); for {@link Route.get}, the source the kernel chose. */
  readonly src: string | undefined;
  /** Metric / priority. */
  readonly metric: number | undefined;
  /** Paths of a multipath route. */
  readonly nexthops: Nexthop[] | undefined;
  /** Metrics (mtu, advmss, …) and the `lock` mask. */
  readonly metrics: RouteMetricsInfo | undefined;
  /** Input interface index (input-route lookups). */
  readonly iifIndex: number | undefined;
  /** IPv6 router preference. */
  readonly pref: 'low' | 'medium' | 'high' | undefined;
  /** Seconds until the route expires (IPv6, from RTA_CACHEINFO), if it does. */
  readonly expires: number | undefined;
  /** Every attribute the kernel sent, decoded. */
  readonly attributes: RouteAttributes;

  /** @internal */
  constructor(namespace: Namespace, h: RtMsgHeader, a: RouteAttributes) {
    this.namespace = namespace;
    this.family = h.family === AF_INET6 ? 6 : 4;
    this.to = a.dst === undefined ? (h.dstLen === 0 ? 'default' : formatCidr(this.family === 4 ? '0.0.0.0' : '::', h.dstLen)) : formatCidr(a.dst, h.dstLen);
    this.from = a.src === undefined ? undefined : formatCidr(a.src, h.srcLen);
    this.tos = h.tos;
    this.table = a.table ?? h.table;
    this.protocol = h.protocol;
    this.scope = h.scope;
    this.type = routeTypeName(h.type);
    this.flags = h.flags;
    this.linkIndex = a.oif;
    this.via = a.gateway ?? a.via;
    this.src = a.prefsrc;
    this.metric = a.priority;
    this.nexthops = a.multipath?.map((nh: RtNexthop) => ({
      via: nh.attrs.gateway ?? nh.attrs.via,
      linkIndex: nh.ifindex,
      weight: nh.hops + 1,
      flags: nh.flags,
      flagNames: flagNames(nh.flags, ROUTE_FLAG_NAMES),
    }));
    this.metrics = a.metrics === undefined ? undefined : metricsInfo(a.metrics);
    this.iifIndex = a.iif;
    const pref = a.pref;
    this.pref = pref === undefined ? undefined : pref === ROUTER_PREFS.low ? 'low' : pref === ROUTER_PREFS.high ? 'high' : 'medium';
    const exp = a.cacheinfo?.expires;
    this.expires = exp !== undefined && exp !== 0 ? Math.round(exp / 100) : undefined;
    this.attributes = a;
  }

  /** Table name (`main`, `local`, `default`) or number as text. */
  get tableName(): string {
    return tableName(this.table);
  }
  /** Protocol name (`kernel`, `boot`, `static`, …) or number as text. */
  get protocolName(): string {
    return protocolName(this.protocol);
  }
  /** Scope name (`global`, `link`, `host`, …) or number as text. */
  get scopeName(): string {
    return scopeName(this.scope);
  }
  /** Flag names (`onlink`, `linkdown`, `cloned`, …). */
  get flagNames(): string[] {
    return flagNames(this.flags, ROUTE_FLAG_NAMES);
  }
  /** The gateway is treated as on-link. */
  get onlink(): boolean {
    return (this.flags & RTNH_F_ONLINK) !== 0;
  }

  /** The output link (a fresh snapshot); rejects for routes without one (blackhole, multipath). */
  getLink(): Promise<Link> {
    if (this.linkIndex === undefined) {
      return Promise.reject(new ValidationError('linkIndex', undefined, `route ${this.to} has no single output link`));
    }
    return Link.get(this.namespace, this.linkIndex);
  }

  /** Removes this route (matching destination, table, type, protocol, metric, gateway and link). */
  remove(): Promise<void> {
    const opts: RouteOptions = { to: this.to, table: this.table, type: this.type as RouteTypeName, family: this.family };
    if (this.metric !== undefined) opts.metric = this.metric;
    if (this.tos) opts.tos = this.tos;
    if (this.from !== undefined) opts.from = this.from;
    if (this.nexthops === undefined) {
      if (this.via !== undefined) opts.via = this.via;
      if (this.linkIndex !== undefined) opts.dev = this.linkIndex;
    }
    return Route.remove(this.namespace, opts);
  }

  /** A plain object with the main fields, close to `ip -j route` (for logs and JSON). */
  toJSON(): Record<string, unknown> {
    return {
      type: this.type,
      dst: this.to,
      from: this.from,
      gateway: this.via,
      ifindex: this.linkIndex,
      nexthops: this.nexthops,
      table: this.tableName,
      protocol: this.protocolName,
      scope: this.scopeName,
      prefsrc: this.src,
      metric: this.metric,
      flags: this.flagNames,
      metrics: this.metrics,
      pref: this.pref,
      expires: this.expires,
    };
  }

  /**
   * Decodes one RTM_NEWROUTE / RTM_DELROUTE message (a dump entry, a `get` answer or a
   * notification). Throws a ParseError on a malformed message or one of another family
   * (IPMR/IP6MR multicast routes: 128/129, MPLS: 28).
   */
  static fromMessage(ns: Namespace, m: NlMessage): Route {
    const { header, attrs } = decodeRouteMessage(m);
    if (header.family !== AF_INET && header.family !== AF_INET6) {
      throw new ParseError(`not an IPv4 or IPv6 route message (family ${header.family})`, m.start);
    }
    return new Route(ns, header, attrs);
  }

  // ---- add / replace / append / remove ----------------------------------------------------

  /** Adds a route (`ip route add`); EEXIST naming the route if it exists. */
  static add(ns: Namespace, route: RouteOptions): Promise<void> {
    return modifyRoute(ns, route, 'add', NLM_F_CREATE | NLM_F_EXCL);
  }
  /** Adds or replaces the route with this destination, table, tos and metric (`ip route replace`). */
  static replace(ns: Namespace, route: RouteOptions): Promise<void> {
    return modifyRoute(ns, route, 'replace', NLM_F_CREATE | NLM_F_REPLACE);
  }
  /** Adds a route after existing ones with the same destination (`ip route append`; for IPv6, adds a path to a multipath route). */
  static append(ns: Namespace, route: RouteOptions): Promise<void> {
    return modifyRoute(ns, route, 'append', NLM_F_CREATE | NLM_F_APPEND);
  }
  /**
   * Removes a route (`ip route del`): the first one matching the destination and every
   * field given (table defaults to main). ESRCH if none matches.
   */
  static remove(ns: Namespace, route: RouteOptions): Promise<void> {
    return modifyRoute(ns, route, 'remove', 0);
  }

  /**
   * Adds many routes, like `ip -batch` with one `route add` per line, but faster: every
   * route is validated first (a ValidationError names `routes[i].field`, before anything is
   * sent; link names are looked up once each), then they are sent as commands, hundreds per
   * datagram, without a promise per route (see NetlinkConnection.commandMany).
   *
   * Each route is its own request, as with `ip -batch -force`: one that fails does not stop
   * the others, and the ones added stay added — this is not a transaction. Resolves when all
   * were added; otherwise rejects, after every route was handled, with a {@link BulkError}
   * listing each failure (its index and the NetlinkError naming the route).
   *
   * ```ts
   * await Route.addMany(ns, prefixes.map((to) => ({ to, via: '10.0.0.1', dev: eth0 })));
   * ```
   */
  static addMany(ns: Namespace, routes: readonly RouteOptions[]): Promise<void> {
    return modifyRoutes(ns, routes, 'add', NLM_F_CREATE | NLM_F_EXCL);
  }

  /** Removes many routes (see {@link Route.addMany}: validated first, not a transaction, BulkError). */
  static removeMany(ns: Namespace, routes: readonly RouteOptions[]): Promise<void> {
    return modifyRoutes(ns, routes, 'remove', 0);
  }

  // ---- list / get ---------------------------------------------------------------------

  /** Routes of a namespace (`ip route show`; main table unless `table` says otherwise). */
  static async list(ns: Namespace, options?: RouteListOptions): Promise<Route[]> {
    const q = await routeQuery(ns, options);
    const conn = await ns.connection();
    const dumps = q.families.map((f) =>
      conn.dumpAll(RTM_GETROUTE, 0, q.body(f), q.info(f)).catch((e: unknown) => {
        if (q.missingTable(e)) return [] as NlMessage[];
        throw e;
      }),
    );
    const out: Route[] = [];
    for (const msgs of await Promise.all(dumps)) for (const m of msgs) out.push(Route.fromMessage(ns, m));
    return out;
  }

  /**
   * The routes of {@link Route.list}, one at a time as the kernel sends them: a table of any
   * size is read with bounded memory (reading pauses while the loop body is behind).
   * Breaking out early is allowed. When the table changes during the dump, the iteration
   * ends with an EINTR NetlinkError after the last route (the routes seen may be
   * inconsistent; list again).
   *
   * ```ts
   * for await (const r of Route.iterate(ns, { table: 'all' })) if (r.via === gw) n++;
   * ```
   */
  static async *iterate(ns: Namespace, options?: RouteListOptions): AsyncGenerator<Route, void, undefined> {
    const q = await routeQuery(ns, options);
    const conn = await ns.connection();
    for (const f of q.families) {
      const dump = conn.dump(RTM_GETROUTE, 0, q.body(f), q.info(f));
      try {
        for await (const m of dump) yield Route.fromMessage(ns, m);
      } catch (e) {
        if (!q.missingTable(e)) throw e;
      }
    }
  }

  /**
   * Asks the kernel which route it would use for a destination (`ip route get ADDR`):
   * the answer names the gateway (`via`), the output link (`linkIndex`, {@link Route.getLink})
   * and the source address it would choose (`src`). ENETUNREACH if there is no route.
   */
  static async get(ns: Namespace, to: string, options?: RouteGetOptions): Promise<Route> {
    const o = validateOptions<RouteGetOptions>(options, ['from', 'iif', 'oif', 'mark', 'uid', 'ipProto', 'sport', 'dport', 'fibMatch']);
    const dst = parseIp(to, 'to');
    const from = o.from === undefined ? undefined : parseIp(o.from, 'from');
    const fam = sameFamily([
      ['to', to, dst.length === 4 ? 4 : 6],
      ['from', o.from, from ? (from.length === 4 ? 4 : 6) : undefined],
    ]);
    const iifArg = o.iif === undefined ? undefined : checkLinkArg(ns, o.iif, 'iif');
    const oifArg = o.oif === undefined ? undefined : checkLinkArg(ns, o.oif, 'oif');
    if (iifArg !== undefined && from === undefined) throw new ValidationError('from', undefined, 'an input-route lookup (iif) needs a source address');
    const mark = o.mark === undefined ? undefined : validateInt(o.mark, 'mark', 0, 0xffffffff);
    const uid = o.uid === undefined ? undefined : validateInt(o.uid, 'uid', 0, 0xffffffff);
    const ipProto = o.ipProto === undefined ? undefined : validateInt(o.ipProto, 'ipProto', 0, 255);
    const sport = o.sport === undefined ? undefined : validateInt(o.sport, 'sport', 0, 65535);
    const dport = o.dport === undefined ? undefined : validateInt(o.dport, 'dport', 0, 65535);
    const iif = iifArg === undefined ? undefined : await resolveLink(ns, iifArg);
    const oif = oifArg === undefined ? undefined : await resolveLink(ns, oifArg);
    const full = fam === 4 ? 32 : 128;
    const conn = await ns.connection();
    const replies = await conn.request(
      RTM_GETROUTE,
      0,
      (w) =>
        encodeRouteMessage(
          w,
          {
            family: fam === 4 ? AF_INET : AF_INET6,
            dstLen: full,
            srcLen: from ? full : 0,
            // IPv4 reports the table the lookup used only when asked; IPv6 refuses the flag
            flags: (fam === 4 ? RTM_F_LOOKUP_TABLE : 0) | (o.fibMatch ? RTM_F_FIB_MATCH : 0),
          },
          {
            dst: formatIp(dst),
            src: from ? formatIp(from) : undefined,
            iif: iif?.index,
            oif: oif?.index,
            mark,
            uid,
            ipProto,
            sport,
            dport,
          },
        ),
      { operation: 'get route to', object: `${formatIp(dst)} in ${ns.label}`, describeAttribute: (t) => RouteAttrs.describe(t) },
    );
    const m = replies.find((r) => r.type === RTM_NEWROUTE);
    if (!m) throw new NetlinkError({ errno: 61, operation: 'get route to', object: formatIp(dst), kernelMessage: 'the kernel sent no route' });
    return Route.fromMessage(ns, m);
  }
}

// ---- internals ---------------------------------------------------------------------------

/** A validated route dump: its families, request body and description. */
async function routeQuery(ns: Namespace, options: RouteListOptions | undefined) {
  const o = validateOptions<RouteListOptions>(options, ['family', 'table', 'dev', 'protocol', 'type']);
  const families: (4 | 6)[] = o.family === undefined ? [4, 6] : o.family === 4 || o.family === 6 ? [o.family] : badFamily(o.family);
  const table = o.table === undefined ? RT_TABLE_MAIN : o.table === 'all' ? 0 : tableNumber(o.table);
  const protocol = o.protocol === undefined ? 0 : protocolNumber(o.protocol);
  const type = o.type === undefined ? 0 : routeTypeNumber(o.type);
  const dev = o.dev === undefined ? undefined : await resolveLink(ns, checkLinkArg(ns, o.dev, 'dev'));
  const what = [table ? `table ${tableName(table)}` : 'all tables', dev ? `dev ${dev.label}` : '', `in ${ns.label}`].filter(Boolean).join(' ');
  return {
    families,
    body: (f: 4 | 6) => (w: NlWriter) =>
      encodeRouteMessage(
        w,
        { family: f === 4 ? AF_INET : AF_INET6, table: table > 255 ? RT_TABLE_UNSPEC : table, protocol, type },
        { table: table > 255 ? table : undefined, oif: dev?.index },
      ),
    info: (f: 4 | 6): RequestInfo => ({ operation: `list IPv${f} routes`, object: what, describeAttribute: (t) => RouteAttrs.describe(t) }),
    /** a numbered table that was never used does not exist yet: it has no routes */
    missingTable: (e: unknown): boolean => e instanceof NetlinkError && e.code === 'ENOENT' && table !== 0,
  };
}

function metricsInfo(m: RouteMetricsValue): RouteMetricsInfo {
  const { unknown: _, ...known } = m;
  return known;
}

function badFamily(v: unknown): never {
  throw new ValidationError('family', v, 'expected 4 or 6');
}

function versionOfText(s: string | undefined): 4 | 6 | undefined {
  if (s === undefined) return undefined;
  const f = ipFamily(s);
  return f === 0 ? undefined : f;
}

type RouteVerb = 'add' | 'replace' | 'append' | 'remove';

/**
 * Builds and sends RTM_NEWROUTE / RTM_DELROUTE. Everything is validated before the first
 * request. Bulk callers issue thousands at once: when the links need no lookup (a Link, an
 * index) and the connection is open, nothing waits before the request is written, and what
 * stays alive until the kernel answers is one RouteChange (the request's description).
 */
function modifyRoute(ns: Namespace, route: RouteOptions, verb: RouteVerb, nlFlags: number): Promise<void> {
  let change: RouteChange;
  try {
    change = validateRouteChange(ns, route, verb);
  } catch (e) {
    return Promise.reject(e);
  }
  const conn = ns.openConnection;
  if (conn !== undefined && change.resolveNow()) return change.send(conn, nlFlags);
  return resolveAndSend(ns, change, nlFlags);
}

/**
 * The bulk path: validates every route (keeping only its encoded message body), resolves
 * the link names once each, then hands the bodies to commandMany.
 */
async function modifyRoutes(ns: Namespace, routes: readonly RouteOptions[], verb: RouteVerb, nlFlags: number): Promise<void> {
  if (!Array.isArray(routes)) throw new ValidationError('routes', routes, 'expected an array of routes');
  const n = routes.length;
  const bodies = new NlWriter(n * 64 + 64);
  const starts = new Uint32Array(n);
  const ends = new Uint32Array(n);
  const unresolved: RouteChange[] = [];
  const encode = (i: number, change: RouteChange): void => {
    starts[i] = bodies.offset;
    change.write(bodies);
    ends[i] = bodies.offset;
  };
  for (let i = 0; i < n; i++) {
    let change: RouteChange;
    try {
      change = validateRouteChange(ns, routes[i]!, verb);
    } catch (e) {
      if (e instanceof ValidationError) throw new ValidationError(`routes[${i}].${e.field}`, e.value, e.reason);
      throw e;
    }
    change.index = i;
    if (change.resolveNow()) encode(i, change);
    else unresolved.push(change);
  }
  if (unresolved.length > 0) {
    const names = new Map<string, Promise<ResolvedLink>>();
    const lookup = (arg: LinkArg): Promise<ResolvedLink> => {
      if (typeof arg !== 'string') return resolveLink(ns, arg);
      let p = names.get(arg);
      if (p === undefined) names.set(arg, (p = resolveLink(ns, arg)));
      return p;
    };
    for (const change of unresolved) await change.resolve(ns, lookup);
    for (const change of unresolved) encode(change.index, change);
  }
  const conn = await ns.connection();
  const buf = bodies.buf;
  const failures = await conn.commandMany(
    verb === 'remove' ? RTM_DELROUTE : RTM_NEWROUTE,
    nlFlags,
    n,
    (i, w) => w.bytesFrom(buf, starts[i]!, ends[i]!),
    (i) => describeFailed(ns, routes[i]!, verb),
  );
  if (failures.length > 0) throw new BulkError(`${VERB_OPERATIONS[verb]}s in ${ns.label}`, n, failures);
}

/** The RequestInfo of a bulk route that failed (validated again, only to name it). */
function describeFailed(ns: Namespace, route: RouteOptions, verb: RouteVerb): RequestInfo {
  const change = validateRouteChange(ns, route, verb);
  change.resolveNow();
  return change;
}

async function resolveAndSend(ns: Namespace, change: RouteChange, nlFlags: number): Promise<void> {
  await change.resolve(ns);
  return change.send(await ns.connection(), nlFlags);
}

/** Validates a route change (throws a ValidationError naming the field); no request yet. */
function validateRouteChange(ns: Namespace, route: RouteOptions, verb: RouteVerb): RouteChange {
  if (route === null || typeof route !== 'object') throw new ValidationError('route', route, 'expected a route object like { to: "default", via: "10.0.0.1" }');
  const o = validateOptions<RouteOptions>(route, ROUTE_KEYS, 'route');
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
  const devArg = o.dev === undefined ? undefined : checkLinkArg(ns, o.dev, 'dev');
  const hopDevArgs = hops === undefined ? NONE : hops.map((h, i) => (h.dev === undefined ? undefined : checkLinkArg(ns, h.dev, `nexthops[${i}].dev`)));
  let scope: number;
  if (o.scope !== undefined) scope = scopeNumber(o.scope);
  else if (family === 6) scope = RT_SCOPE_UNIVERSE; // IPv6 has no route scopes (as iproute2 sends it)
  else if (type === RTN_LOCAL || type === RTN_NAT) scope = RT_SCOPE_HOST;
  else if (type === RTN_BROADCAST || type === RTN_MULTICAST || type === RTN_ANYCAST) scope = RT_SCOPE_LINK;
  else if (type === RTN_UNICAST || type === 0) scope = del ? RT_SCOPE_NOWHERE : via || hops ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  else scope = RT_SCOPE_UNIVERSE;

  return new RouteChange(ns, verb, o, { dst, via, src, from, hopVias, weights, devArg, hopDevArgs, family, type, table, protocol, metric, tos, expires, pref, metrics, scope });
}

function checkGateway(family: 4 | 6, gw: Buffer | undefined, field: string, text: string | undefined): void {
  if (gw && family === 6 && gw.length === 4) throw new ValidationError(field, text, 'an IPv6 route cannot have an IPv4 gateway');
}

/** What {@link validateRouteChange} checked and computed. */
interface ValidRoute {
  dst: ReturnType<typeof parseDestination>;
  via: Buffer | undefined;
  src: Buffer | undefined;
  from: ReturnType<typeof parseDestination> | undefined;
  hopVias: readonly (Buffer | undefined)[];
  weights: readonly number[];
  devArg: LinkArg | undefined;
  hopDevArgs: readonly (LinkArg | undefined)[];
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
 * One validated route change: resolves its links, encodes itself, and is the request's
 * {@link RequestInfo} (the text naming the route is only built when an error needs it).
 */
class RouteChange implements RequestInfo {
  readonly operation: string;
  /** position in a bulk call. */
  index = 0;
  private dev: ResolvedLink | undefined;
  private hopDevs: readonly (ResolvedLink | undefined)[] = NONE;

  constructor(
    private readonly ns: Namespace,
    private readonly verb: RouteVerb,
    private readonly o: RouteOptions,
    /** the validated route; dropped once the request is written (see send) */
    private v: ValidRoute,
  ) {
    this.operation = VERB_OPERATIONS[verb];
  }

  /** Resolves the links that need no request (a Link, an index); false if a name must be looked up. */
  resolveNow(): boolean {
    const { devArg, hopDevArgs } = this.v;
    if (devArg !== undefined) {
      this.dev = resolvedNow(devArg);
      if (this.dev === undefined) return false;
    }
    if (hopDevArgs.length > 0) {
      const hopDevs = hopDevArgs.map((d) => (d === undefined ? undefined : resolvedNow(d)));
      if (hopDevs.some((d, i) => d === undefined && hopDevArgs[i] !== undefined)) return false;
      this.hopDevs = hopDevs;
    }
    return true;
  }

  /** Resolves every link, looking names up in the namespace (ENODEV if there is none). */
  async resolve(ns: Namespace, lookup: (arg: LinkArg) => Promise<ResolvedLink> = (arg) => resolveLink(ns, arg)): Promise<void> {
    const { devArg, hopDevArgs } = this.v;
    this.dev = devArg === undefined ? undefined : (resolvedNow(devArg) ?? (await lookup(devArg)));
    this.hopDevs = await Promise.all(hopDevArgs.map((d) => (d === undefined ? undefined : lookup(d))));
  }

  /** Sends the change as a command (it answers nothing: no ACK of its own, see NetlinkConnection.command). */
  send(conn: NetlinkConnection, nlFlags: number): Promise<void> {
    return conn.command(
      this.verb === 'remove' ? RTM_DELROUTE : RTM_NEWROUTE,
      nlFlags,
      (w) => {
        this.write(w);
        // Thousands of changes may wait for the kernel at once: keep only what names the
        // route in an error (the options; `object` validates them again if it is needed).
        this.v = DROPPED;
      },
      this,
    );
  }

  /** Writes rtmsg and the attributes (the addresses as the bytes parsed during validation). */
  write(w: NlWriter): void {
    const { o, v } = this;
    const { dst, via, src, from, family, table } = v;
    const full = family === 4 ? 32 : 128;
    const dstLen = dst.family === undefined ? 0 : dst.prefixLength;
    // addresses go to the encoder as the bytes parsed above (see the `ip` attribute type)
    const ip = (b: Buffer): string => b as unknown as string;
    const multipath: RtNexthop[] | undefined = o.nexthops?.map((h, i) => ({
      flags: h.onlink ? RTNH_F_ONLINK : 0,
      hops: v.weights[i]! - 1,
      ifindex: this.hopDevs[i]?.index ?? 0,
      attrs: gatewayAttrs(v.hopVias[i], full),
    }));
    const attrs: Partial<RouteAttributes> = {};
    if (dst.bytes && dstLen > 0) attrs.dst = ip(dst.bytes);
    if (from?.bytes) attrs.src = ip(from.bytes);
    if (this.dev) attrs.oif = this.dev.index;
    if (via) {
      if (via.length === full / 8) attrs.gateway = ip(via);
      else attrs.via = formatIp(via);
    }
    if (v.metric !== undefined) attrs.priority = v.metric;
    if (src) attrs.prefsrc = ip(src);
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

  /** The route as `ip route` would name it, for errors: `10.0.0.0/24 via 10.0.0.1 dev eth0 in ns1`. */
  get object(): string {
    const o = this.o;
    const v = this.v === DROPPED ? validateRouteChange(this.ns, o, this.verb).v : this.v;
    const { dst, via, hopVias, weights } = v;
    const parts = [dst.family === undefined ? 'default' : formatCidr(dst.bytes!, dst.prefixLength)];
    if (o.type !== undefined && v.type !== RTN_UNICAST) parts.unshift(o.type);
    if (via) parts.push(`via ${formatIp(via)}`);
    if (this.dev) parts.push(`dev ${this.dev.label}`);
    if (o.nexthops) {
      const hopDevs = this.hopDevs;
      parts.push(...o.nexthops.map((_, i) => `nexthop${hopVias[i] ? ` via ${formatIp(hopVias[i]!)}` : ''}${hopDevs[i] ? ` dev ${hopDevs[i]!.label}` : ''} weight ${weights[i]}`));
    }
    if (v.table !== RT_TABLE_MAIN) parts.push(`table ${tableName(v.table)}`);
    if (v.metric !== undefined) parts.push(`metric ${v.metric}`);
    parts.push(`in ${this.ns.label}`);
    return parts.join(' ');
  }

  /** Names an attribute type at the kernel's error offset. */
  describeAttribute(t: number): string {
    return RouteAttrs.describe(t);
  }
}

/** Shared by every route without nexthops. */
const NONE: readonly never[] = Object.freeze([]);
/** Stands for a ValidRoute no longer kept (see RouteChange.send). */
const DROPPED = Object.freeze({}) as ValidRoute;
const VERB_OPERATIONS = { add: 'add route', replace: 'replace route', append: 'append route', remove: 'remove route' } as const;

/** RTA_GATEWAY for a gateway of the route's own family, RTA_VIA (text) for an IPv6 gateway of an IPv4 route. */
function gatewayAttrs(gw: Buffer | undefined, fullLength: number): { gateway?: string; via?: string } {
  return gw === undefined ? {} : gw.length === fullLength / 8 ? { gateway: formatIp(gw) } : { via: formatIp(gw) };
}
