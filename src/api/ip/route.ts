/**
 * Route: IPv4 and IPv6 routes of a namespace (`ip route add|del|replace|append|show|get`).
 * @module
 */
import { BulkError, NetlinkError, ValidationError } from '../../errors.js';
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../../netlink/constants.js';
import type { RequestInfo } from '../../netlink/connection.js';
import type { NlMessage } from '../../netlink/message.js';
import { NlWriter } from '../../netlink/writer.js';
import { AF_INET, AF_INET6, RTM_GETROUTE, RTM_NEWROUTE, flagNames } from '../../rtnetlink/constants.js';
import {
  encodeRouteMessage,
  type RouteAttributes,
  RouteAttrs,
  RtMsg,
} from '../../rtnetlink/route.js';
import {
  protocolName,
  protocolNumber,
  ROUTE_FLAG_NAMES,
  type RouteTypeName,
  routeTypeNumber,
  RT_TABLE_MAIN,
  RT_TABLE_UNSPEC,
  RTM_F_FIB_MATCH,
  RTM_F_LOOKUP_TABLE,
  RTNH_F_ONLINK,
  scopeName,
  tableName,
  tableNumber,
} from '../../rtnetlink/route-constants.js';
import { formatIp, parseIp, sameFamily } from '../../util/ip.js';
import { validateInt, validateOptions } from '../../util/validate.js';
import { modifyRoute, modifyRoutes, type RouteOptions } from './route-change.js';
import { checkIpMessage } from './listed.js';
import { type Nexthop, type RouteFields, type RouteMetricsInfo, routeFields } from './route-fields.js';
import { Link, checkLinkArg, type LinkArg, resolveLink } from '../link/link.js';
import type { Namespace } from '../namespace/namespace.js';

export type { Nexthop, RouteMetricsInfo } from './route-fields.js';

/**
 * Options of {@link Route.list}; all filtering is done by the kernel (strict dump request).
 * @category Addresses & routes
 */
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

/**
 * Options of {@link Route.get}, as `ip route get ADDR from … iif … oif … mark … uid …`.
 * @category Addresses & routes
 */
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


/**
 * One route, as the kernel reported it (a snapshot).
 *
 * ```ts
 * await Route.add(ns, { to: 'default', via: '192.168.1.1' });             // ip route add default via 192.168.1.1
 * await Route.add(ns, { to: '10.1.0.0/16', nexthops: [{ via: '192.168.1.1', weight: 2 }, { via: '192.168.1.254' }] });
 * const r = await Route.get(ns, '192.168.2.2');                            // ip route get 192.168.2.2
 * r.via; r.src; (await r.getLink()).name;
 * ```
  * @category Addresses & routes
 */
export class Route {
  /** The namespace of the route. */
  readonly namespace: Namespace;
  /** the message's bytes, until its fields are decoded (a listed route decodes on first use) */
  private buf: Buffer | undefined;
  private start = 0;
  private end = 0;
  private f: RouteFields | undefined;

  /** @internal */
  constructor(namespace: Namespace, m: NlMessage | undefined, f?: RouteFields) {
    this.namespace = namespace;
    // the bytes, not the NlMessage: that object is then garbage at once (half as much to keep)
    if (m !== undefined) {
      this.buf = m.buf;
      this.start = m.start;
      this.end = m.end;
    }
    this.f = f;
  }

  /** The decoded fields (decoding the message on first use; a ParseError if it is malformed). */
  private get fields(): RouteFields {
    let f = this.f;
    if (f === undefined) {
      f = this.f = routeFields({ type: RTM_NEWROUTE, flags: 0, seq: 0, pid: 0, buf: this.buf!, start: this.start, end: this.end });
      this.buf = undefined; // the datagram's buffer is no longer held
    }
    return f;
  }

  /** 4 or 6. */
  get family(): 4 | 6 {
    return this.fields.family;
  }
  /** Destination: `default` or a prefix (`10.0.0.0/24`, `2001:db8::/64`; a host route is /32 or /128). */
  get to(): string {
    return this.fields.to;
  }
  /** Source prefix (`from`), if the route has one. */
  get from(): string | undefined {
    return this.fields.from;
  }
  /** Type of service. */
  get tos(): number {
    return this.fields.tos;
  }
  /** Table id (254 = main, 255 = local). */
  get table(): number {
    return this.fields.table;
  }
  /** RTPROT_* number (2 = kernel, 3 = boot, 4 = static). */
  get protocol(): number {
    return this.fields.protocol;
  }
  /** RT_SCOPE_* number. */
  get scope(): number {
    return this.fields.scope;
  }
  /** Route type name (`unicast`, `local`, `blackhole`, …). */
  get type(): RouteTypeName | string {
    return this.fields.type;
  }
  /** rtm_flags (RTNH_F_* / RTM_F_* bits). */
  get flags(): number {
    return this.fields.flags;
  }
  /** Output interface index (single-path routes). */
  get linkIndex(): number | undefined {
    return this.fields.linkIndex;
  }
  /** Gateway (single-path routes): RTA_GATEWAY or RTA_VIA. */
  get via(): string | undefined {
    return this.fields.via;
  }
  /** Preferred source address (`src`); for {@link Route.get}, the source the kernel chose. */
  get src(): string | undefined {
    return this.fields.src;
  }
  /** Metric / priority. */
  get metric(): number | undefined {
    return this.fields.metric;
  }
  /** Paths of a multipath route. */
  get nexthops(): Nexthop[] | undefined {
    return this.fields.nexthops;
  }
  /** Metrics (mtu, advmss, …) and the `lock` mask. */
  get metrics(): RouteMetricsInfo | undefined {
    return this.fields.metrics;
  }
  /** Input interface index (input-route lookups). */
  get iifIndex(): number | undefined {
    return this.fields.iifIndex;
  }
  /** IPv6 router preference. */
  get pref(): 'low' | 'medium' | 'high' | undefined {
    return this.fields.pref;
  }
  /** Seconds until the route expires (IPv6, from RTA_CACHEINFO), if it does. */
  get expires(): number | undefined {
    return this.fields.expires;
  }
  /** Every attribute the kernel sent, decoded. */
  get attributes(): RouteAttributes {
    return this.fields.attributes;
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
    return new Route(ns, undefined, routeFields(m));
  }

  /**
   * A route of a dump, decoded on first use: its family and the framing of its attributes
   * are checked now (a ParseError), the fields when one is first read. Listing 10,000 routes
   * then costs little more than receiving them; a program that reads every route pays the
   * decoding then, once per route.
   * @internal
   */
  static listed(ns: Namespace, m: NlMessage): Route {
    checkIpMessage(m, RtMsg, 'route');
    return new Route(ns, m);
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
  /** Adds a route before existing ones with the same destination (`ip route prepend`): EEXIST only for an identical route. */
  static prepend(ns: Namespace, route: RouteOptions): Promise<void> {
    return modifyRoute(ns, route, 'prepend', NLM_F_CREATE);
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

  /**
   * Routes of a namespace (`ip route show`; main table unless `table` says otherwise). Each
   * route is decoded when one of its fields is first read (a malformed message is refused
   * here, by its framing; a bad attribute inside it when that route is read).
   */
  static async list(ns: Namespace, options?: RouteListOptions): Promise<Route[]> {
    const q = await routeQuery(ns, options);
    const conn = await ns.connection();
    const listed = (m: NlMessage): Route => Route.listed(ns, m);
    const dumps = q.families.map((f) =>
      conn.dumpMap(RTM_GETROUTE, 0, q.body(f), q.info(f), listed).catch((e: unknown) => {
        if (q.missingTable(e)) return [] as Route[];
        throw e;
      }),
    );
    const [first, second] = await Promise.all(dumps);
    return second === undefined || second.length === 0 ? first! : first!.concat(second);
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
        for await (const m of dump) yield Route.listed(ns, m);
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
  if (o.family !== undefined && o.family !== 4 && o.family !== 6) throw new ValidationError('family', o.family, 'expected 4 or 6');
  const families: (4 | 6)[] = o.family === undefined ? [4, 6] : [o.family];
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
