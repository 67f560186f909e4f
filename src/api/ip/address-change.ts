/**
 * Adding, replacing and removing addresses: the requests of Address.add, Address.replace
 * and Address.remove, validated and encoded.
 * @module
 */
import { ValidationError } from '../../errors.js';
import {
  addressFlagBit,
  AddrAttrs,
  type AddrAttributes,
  ADDRESS_PROTOCOLS,
  encodeAddrMessage,
  INFINITY_LIFE_TIME,
} from '../../rtnetlink/address.js';
import { AF_INET, AF_INET6, RTM_DELADDR, RTM_NEWADDR } from '../../rtnetlink/constants.js';
import { RT_SCOPE_HOST, RT_SCOPE_UNIVERSE, scopeNumber } from '../../rtnetlink/route-constants.js';
import { broadcastOf, formatIp, ipFamily, isIPv4Loopback, networkOf, parseCidr, parseIp, sameFamily } from '../../util/ip.js';
import { IFNAME_MAX, validateInt, validateOptions } from '../../util/validate.js';
import { Link, checkLinkArg, type LinkArg, resolveLink, type ResolvedLink } from '../link/link.js';
import { Namespace } from '../namespace/namespace.js';
import type { Lifetime } from './address-fields.js';

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

/** Splits `(link, …rest)` or `(ns, linkRef, …rest)`. */
export function splitLinkArgs(args: unknown[], fn: string): { ns: Namespace; link: LinkArg; rest: unknown[] } {
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

export async function modifyAddress(verb: 'add' | 'replace', flags: number, args: unknown[]): Promise<void> {
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

export async function removeAddress(
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
