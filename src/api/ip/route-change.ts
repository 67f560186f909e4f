/**
 * Route changes (add, replace, append, remove): the route options, validated by the request
 * layer (rtnetlink/requests/route.ts), their links resolved — by name once each in bulk —
 * and sent one by one or thousands at once (NetlinkConnection.commandMany).
 * @module
 */
import { BulkError, ValidationError } from '../../errors.js';
import type { NetlinkConnection, RequestInfo } from '../../netlink/connection.js';
import { EncodedBodies, type NlWriter } from '../../netlink/writer.js';
import { RTM_DELROUTE, RTM_NEWROUTE } from '../../rtnetlink/constants.js';
import { RouteAttrs } from '../../rtnetlink/route.js';
import { RT_TABLE_MAIN, RTN_UNICAST, tableName } from '../../rtnetlink/route-constants.js';
import { encodeRoute, type NexthopSpec, type RouteSpec, type RouteVerb, type ValidRoute, validateRoute } from '../../rtnetlink/requests/route.js';
import { formatCidr, formatIp } from '../../util/ip.js';
import { checkLinkArg, type LinkArg, resolveLink, resolvedNow, type ResolvedLink } from '../link/link.js';
import type { Namespace } from '../namespace/namespace.js';

/**
 * One path of a multipath (ECMP) route (`nexthop via ADDR dev DEV weight N`).
 * @category Addresses & routes
 */
export interface NexthopOptions extends NexthopSpec<LinkArg> {
  /** output link: a Link of the namespace, or its name or index. */
  dev?: LinkArg;
}
/**
 * A route as given to {@link Route.add}, {@link Route.replace}, {@link Route.append}, {@link Route.remove}.
 * @category Addresses & routes
 */
export interface RouteOptions extends RouteSpec<LinkArg> {
  /** output link (`dev NAME`): a Link of the namespace, or its name or index. */
  dev?: LinkArg;
  /** ECMP paths (`nexthop via … dev … weight …` …); not with `via`/`dev`. */
  nexthops?: NexthopOptions[];
}
/**
 * Builds and sends RTM_NEWROUTE / RTM_DELROUTE. Everything is validated before the first
 * request. Bulk callers issue thousands at once: when the links need no lookup (a Link, an
 * index) and the connection is open, nothing waits before the request is written, and what
 * stays alive until the kernel answers is one RouteChange (the request's description).
 */
export function modifyRoute(ns: Namespace, route: RouteOptions, verb: RouteVerb, nlFlags: number): Promise<void> {
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
export async function modifyRoutes(ns: Namespace, routes: readonly RouteOptions[], verb: RouteVerb, nlFlags: number): Promise<void> {
  if (!Array.isArray(routes)) throw new ValidationError('routes', routes, 'expected an array of routes');
  const n = routes.length;
  const bodies = new EncodedBodies(n, 64);
  const unresolved: RouteChange[] = [];
  const encode = (i: number, change: RouteChange): void => bodies.set(i, (w) => change.write(w));
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
  const failures = await conn.commandMany(
    verb === 'remove' ? RTM_DELROUTE : RTM_NEWROUTE,
    nlFlags,
    n,
    (i, w) => bodies.write(i, w),
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
  return new RouteChange(ns, verb, route, validateRoute<LinkArg>(route, verb, (arg, field) => checkLinkArg(ns, arg, field)));
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
    private v: ValidRoute<LinkArg>,
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

  /** Writes rtmsg and the attributes (see encodeRoute). */
  write(w: NlWriter): void {
    encodeRoute(w, this.v, this.dev?.index, this.hopDevs.map((d) => d?.index));
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
const DROPPED = Object.freeze({}) as ValidRoute<LinkArg>;
const VERB_OPERATIONS = { add: 'add route', replace: 'replace route', append: 'append route', prepend: 'prepend route', remove: 'remove route' } as const;
