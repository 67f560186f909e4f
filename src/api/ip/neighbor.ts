/**
 * Neighbor: the ARP (IPv4) and NDP (IPv6) neighbour tables of a namespace, and proxy
 * entries (`ip neigh add|del|replace|change|show|flush`, `ip neigh add proxy`).
 * @module
 */
import { NetlinkError, ParseError, ValidationError } from '../../errors.js';
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../../netlink/constants.js';
import type { NetlinkConnection } from '../../netlink/connection.js';
import type { NlMessage } from '../../netlink/message.js';
import { AF_INET, AF_INET6, RTM_DELNEIGH, RTM_GETNEIGH, RTM_NEWNEIGH, flagNames } from '../../rtnetlink/constants.js';
import {
  decodeNeighMessage,
  encodeNeighMessage,
  NEIGH_FLAG_NAMES,
  NEIGH_STATES,
  NeighAttrs,
  type NeighAttributes,
  type NeighAttributesInput,
  type NdMsgHeader,
  type NeighStateName,
  neighStateNames,
  NTF_EXT_LEARNED,
  NTF_EXT_MANAGED,
  NTF_PROXY,
  NTF_ROUTER,
  NTF_USE,
  NUD_NOARP,
  NUD_PERMANENT,
} from '../../rtnetlink/neighbor.js';
import { formatIp, formatMac, parseIp, parseMac } from '../../util/ip.js';
import { validateInt, validateOptions } from '../../util/validate.js';
import { Link, checkLinkArg, type LinkArg, resolveLink, resolvedNow, type ResolvedLink } from '../link/link.js';
import type { Namespace } from '../namespace/namespace.js';

/**
 * A neighbour state that can be set.
 * @category Addresses & routes
 */
export type SettableNeighState = Exclude<NeighStateName, 'none'>;

/**
 * A neighbour entry as given to {@link Neighbor.add}, {@link Neighbor.replace}, {@link Neighbor.change}.
 * @category Addresses & routes
 */
export interface NeighborOptions {
  /** the neighbour's IP address (`ip neigh add ADDR`). */
  address: string;
  /** the link (`dev NAME`): a Link of the namespace, or its name or index. */
  link: LinkArg;
  /** its MAC address (`lladdr 02:42:ac:11:00:02`, 6 bytes); not for proxy entries. */
  lladdr?: string;
  /** `permanent` (default), `noarp`, `reachable`, `stale`, `delay`, `probe`, `failed`, `incomplete` (`nud STATE`). */
  state?: SettableNeighState;
  /** the neighbour is a router (`router`, IPv6). */
  router?: boolean;
  /** a proxy entry (`ip neigh add proxy ADDR dev NAME`): answer ARP / NS for this address on the link. */
  proxy?: boolean;
  /** set by an external control plane (`extern_learn`). */
  externLearn?: boolean;
  /** the kernel keeps the entry resolved (`managed`). */
  managed?: boolean;
  /** originator protocol number (`protocol N`). */
  protocol?: number;
}
const ADD_KEYS = ['address', 'link', 'lladdr', 'state', 'router', 'proxy', 'externLearn', 'managed', 'protocol'] as const;

/**
 * What {@link Neighbor.remove} removes.
 * @category Addresses & routes
 */
export interface NeighborRemoveOptions {
  /** the neighbour's IP address. */
  address: string;
  /** its link. */
  link: LinkArg;
  /** remove a proxy entry. */
  proxy?: boolean;
}

/**
 * Options of {@link Neighbor.list}. `link`, `master`, `family` and `proxy` are filtered by the kernel.
 * @category Addresses & routes
 */
export interface NeighborListOptions {
  /** only entries of this link (`dev NAME`). */
  link?: LinkArg;
  /** only entries of links enslaved to this master (bridge, vrf). */
  master?: LinkArg;
  /** 4 (ARP) or 6 (NDP); default both. */
  family?: 4 | 6;
  /** list proxy entries instead of neighbours (`ip neigh show proxy`). */
  proxy?: boolean;
  /** only entries in one of these states (the kernel cannot filter by state: done here). */
  states?: NeighStateName[];
}

/**
 * Options of {@link Neighbor.flush}.
 * @category Addresses & routes
 */
export interface NeighborFlushOptions {
  /** only entries of this link. */
  link?: LinkArg;
  /** 4 or 6; default both. */
  family?: 4 | 6;
  /** states to flush; default every state except `permanent` and `noarp`, as `ip neigh flush`. */
  states?: NeighStateName[];
}

/**
 * One neighbour (or proxy) entry, as the kernel reported it (a snapshot).
 *
 * ```ts
 * await Neighbor.add(ns, { address: '10.0.0.2', lladdr: '02:00:00:00:00:02', link: 'eth0' });
 * await Neighbor.list(ns, { link: eth0 });                  // ip neigh show dev eth0
 * await Neighbor.remove(ns, { address: '10.0.0.2', link: eth0 });
 * ```
  * @category Addresses & routes
 */
export class Neighbor {
  /** The namespace of the entry. */
  readonly namespace: Namespace;
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** The neighbour's IP address. */
  readonly address: string;
  /** Interface index of its link. */
  readonly linkIndex: number;
  /** Link-layer address, when known. */
  readonly lladdr: string | undefined;
  /** NUD_* state bits. */
  readonly state: number;
  /** NTF_* flags. */
  readonly flags: number;
  /** Number of probes sent (NDA_PROBES). */
  readonly probes: number | undefined;
  /** 1/100 s since the entry was last confirmed, used, updated (NDA_CACHEINFO). */
  readonly confirmedAgo: number | undefined;
  /** 1/100 s since last use. */
  readonly usedAgo: number | undefined;
  /** 1/100 s since last update. */
  readonly updatedAgo: number | undefined;
  /** Reference count. */
  readonly refcnt: number | undefined;
  /** Originator protocol (NDA_PROTOCOL). */
  readonly protocol: number | undefined;
  /** Extended flags (NDA_FLAGS_EXT: 1 = managed). */
  readonly flagsExt: number | undefined;
  /** Every attribute the kernel sent, decoded. */
  readonly attributes: NeighAttributes;

  /** @internal */
  constructor(namespace: Namespace, h: NdMsgHeader, a: NeighAttributes) {
    this.namespace = namespace;
    this.family = h.family === AF_INET6 ? 6 : 4;
    this.address = a.dst ?? '';
    this.linkIndex = h.ifindex;
    this.lladdr = a.lladdr;
    this.state = h.state;
    this.flags = h.flags;
    this.probes = a.probes;
    this.confirmedAgo = a.cacheinfo?.confirmed;
    this.usedAgo = a.cacheinfo?.used;
    this.updatedAgo = a.cacheinfo?.updated;
    this.refcnt = a.cacheinfo?.refcnt;
    this.protocol = a.protocol;
    this.flagsExt = a.flagsExt;
    this.attributes = a;
  }

  /** State names, as `ip neigh` prints them (`REACHABLE` → `reachable`; `none` for 0). */
  get stateNames(): NeighStateName[] {
    return neighStateNames(this.state);
  }
  /** Flag names (`router`, `proxy`, `extern_learn`, …). */
  get flagNames(): string[] {
    return flagNames(this.flags, NEIGH_FLAG_NAMES);
  }
  /** The neighbour is a router (IPv6). */
  get router(): boolean {
    return (this.flags & NTF_ROUTER) !== 0;
  }
  /** A proxy entry. */
  get proxy(): boolean {
    return (this.flags & NTF_PROXY) !== 0;
  }

  /** The entry's link (a fresh snapshot). */
  getLink(): Promise<Link> {
    return Link.get(this.namespace, this.linkIndex);
  }

  /** Removes this entry (`ip neigh del ADDR dev DEV`). */
  remove(): Promise<void> {
    return Neighbor.remove(this.namespace, { address: this.address, link: this.linkIndex, proxy: this.proxy });
  }

  /** A plain object with the main fields, close to `ip -j neigh` (for logs and JSON). */
  toJSON(): Record<string, unknown> {
    return {
      dst: this.address,
      ifindex: this.linkIndex,
      lladdr: this.lladdr,
      state: this.stateNames,
      flags: this.flagNames,
      probes: this.probes,
    };
  }

  /**
   * Decodes one RTM_NEWNEIGH / RTM_DELNEIGH message of family AF_INET / AF_INET6 (a dump
   * entry or a notification). Throws a ParseError on a malformed message or one of
   * another family: bridge FDB entries (AF_BRIDGE) arrive on the same multicast group.
   */
  static fromMessage(ns: Namespace, m: NlMessage): Neighbor {
    const { header, attrs } = decodeNeighMessage(m);
    if (header.family !== AF_INET && header.family !== AF_INET6) {
      throw new ParseError(`not an IPv4 or IPv6 neighbour message (family ${header.family}; AF_BRIDGE is the FDB)`, m.start);
    }
    return new Neighbor(ns, header, attrs);
  }

  /** Adds an entry (`ip neigh add ADDR lladdr MAC dev DEV nud permanent`); EEXIST if there is one. */
  static add(ns: Namespace, entry: NeighborOptions): Promise<void> {
    return modifyNeighbor(ns, entry, 'add', NLM_F_CREATE | NLM_F_EXCL);
  }
  /** Adds or overwrites an entry (`ip neigh replace`). */
  static replace(ns: Namespace, entry: NeighborOptions): Promise<void> {
    return modifyNeighbor(ns, entry, 'replace', NLM_F_CREATE | NLM_F_REPLACE);
  }
  /** Changes an existing entry (`ip neigh change`); ENOENT if there is none. */
  static change(ns: Namespace, entry: NeighborOptions): Promise<void> {
    return modifyNeighbor(ns, entry, 'change', NLM_F_REPLACE);
  }

  /**
   * Resolves a neighbour now (RTM_NEWNEIGH with NTF_USE, as the kernel does before sending to
   * it): an entry without a link-layer address starts resolution at once — an ARP request
   * (IPv4) or neighbour solicitation (IPv6) leaves `link`, carrying this host's address and
   * MAC, so every neighbour on the segment that already has an entry for that address updates
   * it. Resolves when the kernel accepted the request, not when an answer came.
   */
  static async probe(ns: Namespace, entry: { address: string; link: LinkArg }): Promise<void> {
    const o = validateOptions<{ address: string; link: LinkArg }>(entry, ['address', 'link'], 'entry');
    await sendForAddress(ns, o, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, NTF_USE, 'probe neighbour');
  }

  /** Removes an entry (`ip neigh del ADDR dev DEV`, `ip neigh del proxy ADDR dev DEV`); ENOENT if there is none. */
  static async remove(ns: Namespace, entry: NeighborRemoveOptions): Promise<void> {
    const o = validateOptions<NeighborRemoveOptions>(entry, ['address', 'link', 'proxy'], 'entry');
    await sendForAddress(ns, o, RTM_DELNEIGH, 0, o.proxy ? NTF_PROXY : 0, o.proxy ? 'remove proxy neighbour' : 'remove neighbour');
  }

  /** Neighbour entries (`ip neigh show`), or proxy entries with `proxy: true`. */
  static async list(ns: Namespace, options?: NeighborListOptions): Promise<Neighbor[]> {
    const o = validateOptions<NeighborListOptions>(options, ['link', 'master', 'family', 'proxy', 'states']);
    const families = familiesOf(o.family);
    const states = o.states === undefined ? undefined : stateMask(o.states);
    const linkArg = o.link === undefined ? undefined : checkLinkArg(ns, o.link, 'link');
    const masterArg = o.master === undefined ? undefined : checkLinkArg(ns, o.master, 'master');
    const link = linkArg === undefined ? undefined : await resolveLink(ns, linkArg);
    const master = masterArg === undefined ? undefined : await resolveLink(ns, masterArg);
    const conn = await ns.connection();
    const dumps = families.map((f) =>
      conn.dumpAll(
        RTM_GETNEIGH,
        0,
        // strict dump: the filters go in NDA_IFINDEX / NDA_MASTER; ndm_ifindex must stay 0
        (w) => encodeNeighMessage(w, { family: f === 4 ? AF_INET : AF_INET6, flags: o.proxy ? NTF_PROXY : 0 }, { ifindex: link?.index, master: master?.index }),
        {
          operation: o.proxy ? 'list proxy neighbours' : 'list neighbours',
          object: [link ? `dev ${link.label}` : '', master ? `master ${master.label}` : '', `in ${ns.label}`].filter(Boolean).join(' '),
          describeAttribute: (t) => NeighAttrs.describe(t),
        },
      ),
    );
    const out: Neighbor[] = [];
    for (const msgs of await Promise.all(dumps)) {
      for (const m of msgs) {
        const n = Neighbor.fromMessage(ns, m);
        if (states === undefined || matchesStates(n.state, states)) out.push(n);
      }
    }
    return out;
  }

  /**
   * Removes neighbour entries (`ip neigh flush dev eth0`): by default every entry except
   * permanent and noarp ones. Returns how many were removed.
   */
  static async flush(ns: Namespace, options?: NeighborFlushOptions): Promise<number> {
    const o = validateOptions<NeighborFlushOptions>(options, ['link', 'family', 'states']);
    const mask = o.states === undefined ? undefined : stateMask(o.states);
    const entries = await Neighbor.list(ns, { link: o.link, family: o.family });
    const doomed = entries.filter((n) => (mask === undefined ? (n.state & (NUD_PERMANENT | NUD_NOARP)) === 0 : matchesStates(n.state, mask)));
    const done = await Promise.all(
      doomed.map((n) =>
        n.remove().then(
          () => true,
          (e: unknown) => {
            if (e instanceof NetlinkError && e.code === 'ENOENT') return false; // gone meanwhile
            throw e;
          },
        ),
      ),
    );
    return done.filter(Boolean).length;
  }
}

// ---- internals ---------------------------------------------------------------------------

function familiesOf(family: unknown): (4 | 6)[] {
  if (family === undefined) return [4, 6];
  if (family === 4 || family === 6) return [family];
  throw new ValidationError('family', family, 'expected 4 or 6');
}

/** State mask of state names; `none` is represented by bit 0x100 (state 0). */
const NONE_BIT = 0x100;
function stateMask(states: unknown): number {
  if (!Array.isArray(states)) throw new ValidationError('states', states, 'expected an array of state names');
  let mask = 0;
  for (const s of states) {
    if (s === 'none') mask |= NONE_BIT;
    else if (typeof s === 'string' && s in NEIGH_STATES) mask |= NEIGH_STATES[s as keyof typeof NEIGH_STATES];
    else throw new ValidationError('states', s, `expected one of none, ${Object.keys(NEIGH_STATES).join(', ')}`);
  }
  return mask;
}
function matchesStates(state: number, mask: number): boolean {
  return state === 0 ? (mask & NONE_BIT) !== 0 : (state & mask) !== 0;
}

/**
 * Builds and sends RTM_NEWNEIGH. Validated first; when the link needs no lookup (a Link, an
 * index) and the connection is open, the command is written without waiting (bulk callers
 * issue thousands at once).
 */
function modifyNeighbor(ns: Namespace, entry: NeighborOptions, verb: 'add' | 'replace' | 'change', nlFlags: number): Promise<void> {
  let o: NeighborOptions;
  let dst: Buffer;
  let linkArg: LinkArg;
  let lladdr: Buffer | undefined;
  let state = NUD_PERMANENT;
  let protocol: number | undefined;
  try {
    o = validateOptions<NeighborOptions>(entry, ADD_KEYS, 'entry');
    dst = parseIp(o.address, 'address');
    linkArg = checkLinkArg(ns, o.link, 'link');
    lladdr = o.lladdr === undefined ? undefined : parseMac(o.lladdr, 'lladdr');
    if (o.proxy && lladdr !== undefined) throw new ValidationError('lladdr', o.lladdr, 'a proxy entry has no link-layer address');
    if (o.proxy && o.state !== undefined) throw new ValidationError('state', o.state, 'a proxy entry has no state');
    if (o.state !== undefined) {
      if (typeof o.state !== 'string' || !(o.state in NEIGH_STATES)) {
        throw new ValidationError('state', o.state, `expected one of ${Object.keys(NEIGH_STATES).join(', ')}`);
      }
      state = NEIGH_STATES[o.state];
    }
    for (const k of ['router', 'proxy', 'externLearn', 'managed'] as const) {
      if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new ValidationError(k, o[k], 'expected a boolean');
    }
    if (o.router && dst.length === 4) throw new ValidationError('router', o.router, 'the router flag is for IPv6 neighbours');
    protocol = o.protocol === undefined ? undefined : validateInt(o.protocol, 'protocol', 0, 255);
  } catch (e) {
    return Promise.reject(e);
  }
  let flags = 0;
  if (o.proxy) flags |= NTF_PROXY;
  if (o.router) flags |= NTF_ROUTER;
  if (o.externLearn) flags |= NTF_EXT_LEARNED;
  const send = (conn: NetlinkConnection, link: ResolvedLink): Promise<void> => {
    const header = {
      family: dst.length === 4 ? AF_INET : AF_INET6,
      ifindex: link.index,
      state, // ignored by the kernel for proxy entries; iproute2 sends permanent too
      flags,
    };
    // addresses go to the encoder as the bytes parsed above (see the `ip` and `mac` attribute types)
    const attrs: NeighAttributesInput = { dst, protocol, flagsExt: o.managed ? NTF_EXT_MANAGED : undefined };
    if (lladdr !== undefined) attrs.lladdr = lladdr;
    // a change answers nothing: a command (no ACK of its own); its text is built only for an error
    return conn.command(RTM_NEWNEIGH, nlFlags, (w) => encodeNeighMessage(w, header, attrs), {
      operation: `${verb} ${o.proxy ? 'proxy neighbour' : 'neighbour'}`,
      get object() {
        return `${formatIp(dst)}${lladdr ? ` lladdr ${formatMac(lladdr)}` : ''} dev ${link.label} in ${ns.label}`;
      },
      describeAttribute: describeNeighAttribute,
    });
  };
  const conn = ns.openConnection;
  const now = resolvedNow(linkArg);
  if (conn !== undefined && now !== undefined) return send(conn, now);
  return (async () => {
    const link = now ?? (await resolveLink(ns, linkArg));
    return send(await ns.connection(), link);
  })();
}

const describeNeighAttribute = (t: number): string => NeighAttrs.describe(t);

/** Sends one neighbour message naming only an address on a link (remove, probe): ndmsg + NDA_DST. */
async function sendForAddress(ns: Namespace, o: { address: string; link: LinkArg }, type: number, nlFlags: number, ntf: number, operation: string): Promise<void> {
  const dst = parseIp(o.address, 'address');
  const link = await resolveLink(ns, checkLinkArg(ns, o.link, 'link'));
  const conn = await ns.connection();
  await conn.command(
    type,
    nlFlags,
    (w) => encodeNeighMessage(w, { family: dst.length === 4 ? AF_INET : AF_INET6, ifindex: link.index, flags: ntf }, { dst }),
    { operation, object: `${formatIp(dst)} dev ${link.label} in ${ns.label}`, describeAttribute: (t) => NeighAttrs.describe(t) },
  );
}
