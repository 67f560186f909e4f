/**
 * Address: IPv4 and IPv6 addresses of links (`ip addr add|del|replace|show|flush`).
 * @module
 */
import { NetlinkError, ParseError, ValidationError } from '../../errors.js';
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../../netlink/constants.js';
import type { NlMessage } from '../../netlink/message.js';
import {
  addressFlagBit,
  type AddressFlagName,
  addressFlagNames,
  AddrAttrs,
  type AddrAttributes,
  ADDRESS_PROTOCOLS,
  decodeAddrMessage,
  encodeAddrMessage,
  IFA_F_DADFAILED,
  IFA_F_DEPRECATED,
  IFA_F_PERMANENT,
  IFA_F_SECONDARY,
  IFA_F_TENTATIVE,
  type IfAddrHeader,
  INFINITY_LIFE_TIME,
} from '../../rtnetlink/address.js';
import { AF_INET, AF_INET6, RTM_DELADDR, RTM_GETADDR, RTM_NEWADDR } from '../../rtnetlink/constants.js';
import { RT_SCOPE_HOST, RT_SCOPE_UNIVERSE, scopeName, scopeNumber } from '../../rtnetlink/route-constants.js';
import { broadcastOf, formatIp, ipFamily, isIPv4Loopback, networkOf, parseCidr, parseIp, sameFamily } from '../../util/ip.js';
import { IFNAME_MAX, validateInt, validateOptions } from '../../util/validate.js';
import { Link, type LinkRef, checkLinkArg, type LinkArg, resolveLink, type ResolvedLink } from '../link/link.js';
import { Namespace } from '../namespace/namespace.js';

/**
 * An address lifetime: seconds, or `forever`.
 * @category Addresses & routes
 */
export type Lifetime = number | 'forever';

/**
 * Flags that can be set on an address (the rest are state the kernel reports).
 * @category Addresses & routes
 */
export type SettableAddressFlag = 'noprefixroute' | 'nodad' | 'home' | 'mngtmpaddr' | 'optimistic' | 'autojoin';
const SETTABLE: readonly SettableAddressFlag[] = ['noprefixroute', 'nodad', 'home', 'mngtmpaddr', 'optimistic', 'autojoin'];
const IPV6_ONLY: readonly SettableAddressFlag[] = ['nodad', 'home', 'mngtmpaddr', 'optimistic'];

/**
 * Options of {@link Address.add} and {@link Address.replace} (iproute2 words in brackets).
 * @category Addresses & routes
 */
export interface AddressOptions {
  /** the other end of a point-to-point link (`peer ADDR`); the prefix length then applies to it. */
  peer?: string;
  /** IPv4 broadcast address (`broadcast ADDR`), or `+` (host bits set) / `-` (host bits clear) as `brd +`. */
  broadcast?: string;
  /** anycast address (`anycast ADDR`). */
  anycast?: string;
  /** IPv4 label (`label eth0:1`): the link name, or the link name followed by `:` and up to 15 bytes in all. */
  label?: string;
  /** `global` (default; `host` for 127.0.0.0/8), `site`, `link`, `host`, or a number. IPv6 derives its own scope. */
  scope?: string | number;
  /** `noprefixroute`, `autojoin`, and for IPv6 `nodad`, `home`, `mngtmpaddr`, `optimistic`. */
  flags?: SettableAddressFlag[];
  /** valid lifetime (`valid_lft`): seconds or `forever` (default). */
  validLifetime?: Lifetime;
  /** preferred lifetime (`preferred_lft`): seconds or `forever`; defaults to the valid lifetime. 0 marks it deprecated. */
  preferredLifetime?: Lifetime;
  /** metric of the prefix route the kernel adds (`metric N`). */
  metric?: number;
  /** address protocol (`proto N`): a number or `kernel_lo`, `kernel_ra`, `kernel_ll`. */
  protocol?: string | number;
}
const ADD_KEYS = ['peer', 'broadcast', 'anycast', 'label', 'scope', 'flags', 'validLifetime', 'preferredLifetime', 'metric', 'protocol'] as const;

/**
 * Options of {@link Address.list} and {@link Address.flush}.
 * @category Addresses & routes
 */
export interface AddressListOptions {
  /** only addresses of this link (filtered by the kernel). */
  link?: LinkArg;
  /** only IPv4 (4) or IPv6 (6) addresses (filtered by the kernel); default both. */
  family?: 4 | 6;
}
/**
 * Options of {@link Address.flush}.
 * @category Addresses & routes
 */
export interface AddressFlushOptions extends AddressListOptions {
  /** only addresses of this scope (`global`, `link`, `host`, …). */
  scope?: string | number;
}

/**
 * One address of a link, as the kernel reported it (a snapshot).
 *
 * ```ts
 * const eth0 = await Link.get(ns, 'eth0');
 * await Address.add(eth0, '192.168.1.2/24', { broadcast: '+' });   // ip addr add 192.168.1.2/24 brd + dev eth0
 * await Address.list(ns, { link: eth0, family: 4 });               // ip -4 addr show dev eth0
 * await Address.remove(eth0, '192.168.1.2/24');                    // ip addr del 192.168.1.2/24 dev eth0
 * ```
  * @category Addresses & routes
 */
export class Address {
  /** The namespace of the link. */
  readonly namespace: Namespace;
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** The local address, e.g. `192.168.1.2`. */
  readonly address: string;
  /** Prefix length. */
  readonly prefixLength: number;
  /** Interface index of the link. */
  readonly linkIndex: number;
  /** The peer address of a point-to-point address. */
  readonly peer: string | undefined;
  /** IPv4 broadcast address, if set. */
  readonly broadcast: string | undefined;
  /** Anycast address, if set. */
  readonly anycast: string | undefined;
  /** IPv4 label (`eth0`, `eth0:1`). */
  readonly label: string | undefined;
  /** RT_SCOPE_* number (0 global, 200 site, 253 link, 254 host). */
  readonly scope: number;
  /** IFA_F_* flags word (IFA_FLAGS when present, else the header byte). */
  readonly flags: number;
  /** Remaining valid lifetime in seconds, or `forever`. */
  readonly validLifetime: Lifetime;
  /** Remaining preferred lifetime in seconds, or `forever`. */
  readonly preferredLifetime: Lifetime;
  /** When the address was created and last updated, in 1/100 s since boot (IFA_CACHEINFO). */
  readonly created: number | undefined;
  /** Last update, in 1/100 s since boot. */
  readonly updated: number | undefined;
  /** Metric of its prefix route (IFA_RT_PRIORITY). */
  readonly metric: number | undefined;
  /** Address protocol (IFA_PROTO), e.g. 3 = `kernel_ll` for a kernel-made IPv6 link-local address. */
  readonly protocol: number | undefined;
  /** Every attribute the kernel sent, decoded. */
  readonly attributes: AddrAttributes;

  /** @internal */
  constructor(namespace: Namespace, header: IfAddrHeader, attrs: AddrAttributes) {
    this.namespace = namespace;
    this.family = header.family === AF_INET6 ? 6 : 4;
    const local = attrs.local ?? attrs.address ?? '';
    this.address = local;
    this.prefixLength = header.prefixlen;
    this.linkIndex = header.index;
    this.peer = attrs.local !== undefined && attrs.address !== undefined && attrs.address !== attrs.local ? attrs.address : undefined;
    this.broadcast = attrs.broadcast;
    this.anycast = attrs.anycast;
    this.label = attrs.label;
    this.scope = header.scope;
    this.flags = attrs.flags ?? header.flags;
    const ci = attrs.cacheinfo;
    this.validLifetime = ci === undefined || ci.valid === INFINITY_LIFE_TIME ? 'forever' : ci.valid;
    this.preferredLifetime = ci === undefined || ci.preferred === INFINITY_LIFE_TIME ? 'forever' : ci.preferred;
    this.created = ci?.created;
    this.updated = ci?.updated;
    this.metric = attrs.rtPriority;
    this.protocol = attrs.proto;
    this.attributes = attrs;
  }

  /** `address/prefixLength`, e.g. `192.168.1.2/24`. */
  get cidr(): string {
    return `${this.address}/${this.prefixLength}`;
  }
  /** Scope name: `global`, `site`, `link`, `host`, `nowhere`, or the number. */
  get scopeName(): string {
    return scopeName(this.scope);
  }
  /** Names of the set flags as `ip addr` prints them (`permanent`, `tentative`, `dadfailed`, `noprefixroute`, …). */
  get flagNames(): AddressFlagName[] {
    return addressFlagNames(this.flags);
  }
  /** Duplicate address detection has not finished (IPv6). */
  get tentative(): boolean {
    return (this.flags & IFA_F_TENTATIVE) !== 0;
  }
  /** Duplicate address detection found the address in use elsewhere (IPv6). */
  get dadFailed(): boolean {
    return (this.flags & IFA_F_DADFAILED) !== 0;
  }
  /** The preferred lifetime ran out. */
  get deprecated(): boolean {
    return (this.flags & IFA_F_DEPRECATED) !== 0;
  }
  /** Configured by hand (not autoconfigured), IPv6. */
  get permanent(): boolean {
    return (this.flags & IFA_F_PERMANENT) !== 0;
  }
  /** A secondary IPv4 address (or a temporary IPv6 privacy address). */
  get secondary(): boolean {
    return (this.flags & IFA_F_SECONDARY) !== 0;
  }
  /** Name of the address protocol, when known. */
  get protocolName(): string | undefined {
    return this.protocol === undefined ? undefined : (ADDRESS_PROTOCOLS[this.protocol] ?? String(this.protocol));
  }

  /** The link the address is on (a fresh snapshot). */
  getLink(): Promise<Link> {
    return Link.get(this.namespace, this.linkIndex);
  }

  /** Removes this address (`ip addr del ADDR/LEN dev DEV`, with its peer if it has one). */
  remove(): Promise<void> {
    return removeAddress(this.namespace, { index: this.linkIndex, label: `#${this.linkIndex}`, name: undefined }, {
      family: this.family,
      local: parseIp(this.address),
      prefixLength: this.prefixLength,
      peer: this.peer,
    });
  }

  /** A plain object with the main fields, close to `ip -j addr` (for logs and JSON). */
  toJSON(): Record<string, unknown> {
    return {
      family: this.family === 4 ? 'inet' : 'inet6',
      local: this.address,
      prefixlen: this.prefixLength,
      ifindex: this.linkIndex,
      peer: this.peer,
      broadcast: this.broadcast,
      anycast: this.anycast,
      scope: this.scopeName,
      label: this.label,
      flags: this.flagNames,
      validLifetime: this.validLifetime,
      preferredLifetime: this.preferredLifetime,
      metric: this.metric,
      protocol: this.protocolName,
    };
  }

  /**
   * Decodes one RTM_NEWADDR / RTM_DELADDR message (a dump entry or a notification).
   * Throws a ParseError on a malformed message or one of another family than AF_INET / AF_INET6.
   */
  static fromMessage(ns: Namespace, m: NlMessage): Address {
    const { header, attrs } = decodeAddrMessage(m);
    if (header.family !== AF_INET && header.family !== AF_INET6) {
      throw new ParseError(`not an IPv4 or IPv6 address message (family ${header.family})`, m.start);
    }
    return new Address(ns, header, attrs);
  }

  // ---- add / replace / remove --------------------------------------------------------

  /** Adds an address to a link (`ip addr add 192.168.1.2/24 dev eth0`); EEXIST if the link has it already. */
  static add(link: Link, address: string, options?: AddressOptions): Promise<void>;
  /** Adds an address to the link called `link` (name or index) in `ns`. */
  static add(ns: Namespace, link: LinkRef, address: string, options?: AddressOptions): Promise<void>;
  static add(...args: unknown[]): Promise<void> {
    return modify('add', NLM_F_CREATE | NLM_F_EXCL, args);
  }

  /** Adds the address, or updates it (lifetimes, metric, flags) when the link has it (`ip addr replace`). */
  static replace(link: Link, address: string, options?: AddressOptions): Promise<void>;
  /** `ip addr replace` on the link called `link` in `ns`. */
  static replace(ns: Namespace, link: LinkRef, address: string, options?: AddressOptions): Promise<void>;
  static replace(...args: unknown[]): Promise<void> {
    return modify('replace', NLM_F_CREATE | NLM_F_REPLACE, args);
  }

  /**
   * Removes an address from a link (`ip addr del 192.168.1.2/24 dev eth0`). Without a
   * prefix length, the address is removed whatever its prefix length. EADDRNOTAVAIL if the
   * link does not have it.
   */
  static remove(link: Link, address: string): Promise<void>;
  /** Removes an address from the link called `link` in `ns`. */
  static remove(ns: Namespace, link: LinkRef, address: string): Promise<void>;
  static async remove(...args: unknown[]): Promise<void> {
    const { ns, link, rest } = splitLinkArgs(args, 'Address.remove');
    const [address] = rest;
    const c = parseCidr(address, 'address');
    const hasLen = typeof address === 'string' && address.includes('/');
    const target = await resolveLink(ns, link);
    const local = parseIp(c.address, 'address');
    let prefixLength: number | undefined = hasLen ? c.prefixLength : undefined;
    if (prefixLength === undefined && c.family === 6) {
      // IPv6 deletes by address and prefix length: find the length the link uses.
      const found = (await Address.list(ns, { link: target.index, family: 6 })).find((a) => a.address === c.address);
      prefixLength = found?.prefixLength ?? 128;
    }
    await removeAddress(ns, target, { family: c.family, local, prefixLength, peer: undefined });
  }

  // ---- list / flush --------------------------------------------------------------------

  /**
   * Addresses of a namespace (`ip addr show`), optionally of one link and one family; the
   * kernel does the filtering (strict dump request). IPv4 first, then IPv6.
   */
  static async list(ns: Namespace, options?: AddressListOptions): Promise<Address[]> {
    const o = validateOptions<AddressListOptions>(options, ['link', 'family']);
    const link = o.link === undefined ? undefined : checkLinkArg(ns, o.link, 'link');
    const families = familiesOf(o.family);
    const index = link === undefined ? 0 : (await resolveLink(ns, link)).index;
    const conn = await ns.connection();
    const dumps = families.map((f) =>
      conn.dumpAll(RTM_GETADDR, 0, (w) => encodeAddrMessage(w, { family: f === 4 ? AF_INET : AF_INET6, index }), {
        operation: 'list addresses',
        object: `${link !== undefined ? `dev ${typeof link === 'object' ? link.name : link} ` : ''}in ${ns.label}`,
      }),
    );
    const out: Address[] = [];
    for (const msgs of await Promise.all(dumps)) for (const m of msgs) out.push(Address.fromMessage(ns, m));
    return out;
  }

  /**
   * Removes every address matching the filters (`ip addr flush dev eth0`); returns how many
   * are gone. Removing a primary IPv4 address also removes its secondaries (unless
   * `promote_secondaries` is set); those count as removed.
   */
  static async flush(ns: Namespace, options?: AddressFlushOptions): Promise<number> {
    const o = validateOptions<AddressFlushOptions>(options, ['link', 'family', 'scope']);
    const scope = o.scope === undefined ? undefined : scopeNumber(o.scope);
    const all = await Address.list(ns, { link: o.link, family: o.family });
    const doomed = all.filter((a) => scope === undefined || a.scope === scope);
    const results = await Promise.all(
      doomed.map((a) =>
        a.remove().then(
          () => true,
          (e: unknown) => {
            if (e instanceof NetlinkError && e.code === 'EADDRNOTAVAIL') return true; // went with its primary
            throw e;
          },
        ),
      ),
    );
    return results.filter(Boolean).length;
  }
}

// ---- internals ---------------------------------------------------------------------------

function familiesOf(family: unknown): (4 | 6)[] {
  if (family === undefined) return [4, 6];
  if (family === 4 || family === 6) return [family];
  throw new ValidationError('family', family, 'expected 4 or 6');
}

/** Splits `(link, …rest)` or `(ns, linkRef, …rest)`. */
function splitLinkArgs(args: unknown[], fn: string): { ns: Namespace; link: LinkArg; rest: unknown[] } {
  const [first, ...more] = args;
  if (first instanceof Link) return { ns: first.namespace, link: first, rest: more };
  if (first instanceof Namespace) {
    const [ref, ...rest] = more;
    return { ns: first, link: checkLinkArg(first, ref, 'link'), rest };
  }
  throw new ValidationError('link', first, `${fn} takes a Link, or a Namespace and a link name or index`);
}

function lifetime(v: unknown, field: string): number {
  if (v === 'forever') return INFINITY_LIFE_TIME;
  return validateInt(v, field, 0, INFINITY_LIFE_TIME - 1);
}

async function modify(verb: 'add' | 'replace', flags: number, args: unknown[]): Promise<void> {
  const { ns, link, rest } = splitLinkArgs(args, `Address.${verb}`);
  const [address, options] = rest;
  const o = validateOptions<AddressOptions>(options, ADD_KEYS);
  const c = parseCidr(address, 'address');
  const local = parseIp(c.address, 'address');
  const fam = c.family;
  const peer = o.peer === undefined ? undefined : parseIp(o.peer, 'peer');
  const anycast = o.anycast === undefined ? undefined : parseIp(o.anycast, 'anycast');
  sameFamily([
    ['address', address, fam],
    ['peer', o.peer, peer ? ipFamily(o.peer!) || undefined : undefined],
    ['anycast', o.anycast, anycast ? ipFamily(o.anycast!) || undefined : undefined],
  ]);

  let broadcast: Buffer | undefined;
  if (o.broadcast !== undefined) {
    if (fam !== 4) throw new ValidationError('broadcast', o.broadcast, 'broadcast addresses are IPv4 only');
    if (o.broadcast === '+' || o.broadcast === '-') {
      // iproute2's `brd +` / `brd -`: derived from the prefix, skipped for /31 and /32
      if (c.prefixLength < 31) broadcast = o.broadcast === '+' ? broadcastOf(local, c.prefixLength) : networkOf(local, c.prefixLength);
    } else {
      broadcast = parseIp(o.broadcast, 'broadcast');
      if (broadcast.length !== 4) throw new ValidationError('broadcast', o.broadcast, 'is IPv6 but the address is IPv4: families cannot be mixed');
    }
  }

  let scope = o.scope === undefined ? undefined : scopeNumber(o.scope);
  if (scope === undefined) scope = fam === 4 && isIPv4Loopback(local) ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;

  let ifaFlags = 0;
  if (o.flags !== undefined) {
    if (!Array.isArray(o.flags)) throw new ValidationError('flags', o.flags, `expected an array of ${SETTABLE.join(', ')}`);
    for (const f of o.flags) {
      if (!SETTABLE.includes(f)) throw new ValidationError('flags', f, `expected one of ${SETTABLE.join(', ')}`);
      if (fam === 4 && IPV6_ONLY.includes(f)) throw new ValidationError('flags', f, 'is an IPv6 address flag');
      ifaFlags |= addressFlagBit(f);
    }
  }

  let cacheinfo: { preferred: number; valid: number; created: number; updated: number } | undefined;
  if (o.validLifetime !== undefined || o.preferredLifetime !== undefined) {
    const valid = o.validLifetime === undefined ? INFINITY_LIFE_TIME : lifetime(o.validLifetime, 'validLifetime');
    const preferred = o.preferredLifetime === undefined ? valid : lifetime(o.preferredLifetime, 'preferredLifetime');
    if (valid === 0) throw new ValidationError('validLifetime', o.validLifetime, 'must be above 0');
    if (preferred > valid) throw new ValidationError('preferredLifetime', o.preferredLifetime, `is longer than validLifetime ${String(o.validLifetime ?? 'forever')}`);
    cacheinfo = { preferred, valid, created: 0, updated: 0 };
  }

  const metric = o.metric === undefined ? undefined : validateInt(o.metric, 'metric', 0, 0xffffffff);
  let proto: number | undefined;
  if (o.protocol !== undefined) {
    const byName = Object.entries(ADDRESS_PROTOCOLS).find(([, n]) => n === o.protocol)?.[0];
    proto = byName !== undefined ? Number(byName) : validateInt(o.protocol, 'protocol', 0, 255);
  }

  let target: ResolvedLink;
  if (o.label !== undefined) {
    if (fam !== 4) throw new ValidationError('label', o.label, 'labels are IPv4 only');
    if (typeof o.label !== 'string' || o.label.length === 0 || Buffer.byteLength(o.label) > IFNAME_MAX) {
      throw new ValidationError('label', o.label, `expected a string of 1 to ${IFNAME_MAX} bytes`);
    }
    // the link name is needed to check the label: a name resolves to it
    target = await resolveLink(ns, link);
    const name = target.name ?? (await Link.get(ns, target.index)).name;
    if (o.label !== name && !o.label.startsWith(`${name}:`)) {
      throw new ValidationError('label', o.label, `must be the link name "${name}" or start with "${name}:"`);
    }
  } else {
    target = await resolveLink(ns, link);
  }

  const header = {
    family: fam === 4 ? AF_INET : AF_INET6,
    prefixlen: c.prefixLength,
    flags: ifaFlags <= 0xff ? ifaFlags : 0,
    scope,
    index: target.index,
  };
  const attrs: Partial<AddrAttributes> = {
    local: c.address,
    address: peer ? formatIp(peer) : c.address,
    label: o.label,
    broadcast: broadcast ? formatIp(broadcast) : undefined,
    anycast: anycast ? formatIp(anycast) : undefined,
    cacheinfo,
    flags: ifaFlags > 0xff ? ifaFlags : undefined,
    rtPriority: metric,
    proto,
  };
  const conn = await ns.connection();
  // a change answers nothing: a command (no ACK of its own); its text is built only for an error
  await conn.command(RTM_NEWADDR, flags, (w) => encodeAddrMessage(w, header, attrs), {
    operation: `${verb} address`,
    get object() {
      return `${c.address}/${c.prefixLength}${peer ? ` peer ${formatIp(peer)}` : ''} dev ${target.label} in ${ns.label}`;
    },
    describeAttribute: (t) => AddrAttrs.describe(t),
  });
}

async function removeAddress(
  ns: Namespace,
  target: ResolvedLink,
  a: { family: 4 | 6; local: Buffer; prefixLength: number | undefined; peer: string | undefined },
): Promise<void> {
  const local = formatIp(a.local);
  const conn = await ns.connection();
  await conn.command(
    RTM_DELADDR,
    0,
    (w) =>
      encodeAddrMessage(
        w,
        { family: a.family === 4 ? AF_INET : AF_INET6, prefixlen: a.prefixLength ?? 0, index: target.index },
        // without a prefix length, IPv4 matches IFA_LOCAL alone (any prefix length)
        { local, address: a.prefixLength === undefined ? undefined : (a.peer ?? local) },
      ),
    {
      operation: 'remove address',
      object: `${local}${a.prefixLength === undefined ? '' : `/${a.prefixLength}`}${a.peer ? ` peer ${a.peer}` : ''} dev ${target.label} in ${ns.label}`,
      describeAttribute: (t) => AddrAttrs.describe(t),
    },
  );
}
