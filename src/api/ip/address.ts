/**
 * Address: IPv4 and IPv6 addresses of links (`ip addr add|del|replace|show|flush`).
 * @module
 */
import { NetlinkError, ValidationError } from '../../errors.js';
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../../netlink/constants.js';
import type { NlMessage } from '../../netlink/message.js';
import {
  type AddressFlagName,
  addressFlagNames,
  type AddrAttributes,
  ADDRESS_PROTOCOLS,
  encodeAddrMessage,
  IFA_F_DADFAILED,
  IFA_F_DEPRECATED,
  IFA_F_PERMANENT,
  IFA_F_SECONDARY,
  IFA_F_TENTATIVE,
  IfAddrMsg,
} from '../../rtnetlink/address.js';
import { AF_INET, AF_INET6, RTM_GETADDR, RTM_NEWADDR } from '../../rtnetlink/constants.js';
import { scopeName, scopeNumber } from '../../rtnetlink/route-constants.js';
import { parseCidr, parseIp } from '../../util/ip.js';
import { validateOptions } from '../../util/validate.js';
import { Link, type LinkRef, checkLinkArg, type LinkArg, resolveLink } from '../link/link.js';
import type { Namespace } from '../namespace/namespace.js';
import { type AddressFields, addressFields, type Lifetime } from './address-fields.js';
import { type AddressOptions, modifyAddress, removeAddress, splitLinkArgs } from './address-change.js';
import { checkIpMessage } from './listed.js';

export type { Lifetime } from './address-fields.js';
export type { AddressOptions, SettableAddressFlag } from './address-change.js';


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
  /** the message's bytes, until its fields are decoded (a listed address decodes on first use) */
  private buf: Buffer | undefined;
  private start = 0;
  private end = 0;
  private f: AddressFields | undefined;

  /** @internal */
  constructor(namespace: Namespace, m: NlMessage | undefined, f?: AddressFields) {
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
  private get fields(): AddressFields {
    let f = this.f;
    if (f === undefined) {
      f = this.f = addressFields({ type: RTM_NEWADDR, flags: 0, seq: 0, pid: 0, buf: this.buf!, start: this.start, end: this.end });
      this.buf = undefined; // the datagram's buffer is no longer held
    }
    return f;
  }

  /** 4 or 6. */
  get family(): 4 | 6 {
    return this.fields.family;
  }
  /** The local address, e.g. `192.168.1.2`. */
  get address(): string {
    return this.fields.address;
  }
  /** Prefix length. */
  get prefixLength(): number {
    return this.fields.prefixLength;
  }
  /** Interface index of the link. */
  get linkIndex(): number {
    return this.fields.linkIndex;
  }
  /** The peer address of a point-to-point address. */
  get peer(): string | undefined {
    return this.fields.peer;
  }
  /** IPv4 broadcast address, if set. */
  get broadcast(): string | undefined {
    return this.fields.broadcast;
  }
  /** Anycast address, if set. */
  get anycast(): string | undefined {
    return this.fields.anycast;
  }
  /** IPv4 label (`eth0`, `eth0:1`). */
  get label(): string | undefined {
    return this.fields.label;
  }
  /** RT_SCOPE_* number (0 global, 200 site, 253 link, 254 host). */
  get scope(): number {
    return this.fields.scope;
  }
  /** IFA_F_* flags word (IFA_FLAGS when present, else the header byte). */
  get flags(): number {
    return this.fields.flags;
  }
  /** Remaining valid lifetime in seconds, or `forever`. */
  get validLifetime(): Lifetime {
    return this.fields.validLifetime;
  }
  /** Remaining preferred lifetime in seconds, or `forever`. */
  get preferredLifetime(): Lifetime {
    return this.fields.preferredLifetime;
  }
  /** When the address was created and last updated, in 1/100 s since boot (IFA_CACHEINFO). */
  get created(): number | undefined {
    return this.fields.created;
  }
  /** Last update, in 1/100 s since boot. */
  get updated(): number | undefined {
    return this.fields.updated;
  }
  /** Metric of its prefix route (IFA_RT_PRIORITY). */
  get metric(): number | undefined {
    return this.fields.metric;
  }
  /** Address protocol (IFA_PROTO), e.g. 3 = `kernel_ll` for a kernel-made IPv6 link-local address. */
  get protocol(): number | undefined {
    return this.fields.protocol;
  }
  /** Every attribute the kernel sent, decoded. */
  get attributes(): AddrAttributes {
    return this.fields.attributes;
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
    return new Address(ns, undefined, addressFields(m));
  }

  /**
   * An address of a dump, decoded on first use: its family and the framing of its
   * attributes are checked now (a ParseError), the fields when one is first read.
   * @internal
   */
  static listed(ns: Namespace, m: NlMessage): Address {
    checkIpMessage(m, IfAddrMsg, 'address');
    return new Address(ns, m);
  }

  // ---- add / replace / remove --------------------------------------------------------

  /** Adds an address to a link (`ip addr add 192.168.1.2/24 dev eth0`); EEXIST if the link has it already. */
  static add(link: Link, address: string, options?: AddressOptions): Promise<void>;
  /** Adds an address to the link called `link` (name or index) in `ns`. */
  static add(ns: Namespace, link: LinkRef, address: string, options?: AddressOptions): Promise<void>;
  static add(...args: unknown[]): Promise<void> {
    return modifyAddress('add', NLM_F_CREATE | NLM_F_EXCL, args);
  }

  /** Adds the address, or updates it (lifetimes, metric, flags) when the link has it (`ip addr replace`). */
  static replace(link: Link, address: string, options?: AddressOptions): Promise<void>;
  /** `ip addr replace` on the link called `link` in `ns`. */
  static replace(ns: Namespace, link: LinkRef, address: string, options?: AddressOptions): Promise<void>;
  static replace(...args: unknown[]): Promise<void> {
    return modifyAddress('replace', NLM_F_CREATE | NLM_F_REPLACE, args);
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
    const listed = (m: NlMessage): Address => Address.listed(ns, m);
    const dumps = families.map((f) =>
      conn.dumpMap(RTM_GETADDR, 0, (w) => encodeAddrMessage(w, { family: f === 4 ? AF_INET : AF_INET6, index }), {
        operation: 'list addresses',
        object: `${link !== undefined ? `dev ${typeof link === 'object' ? link.name : link} ` : ''}in ${ns.label}`,
      }, listed),
    );
    const [first, second] = await Promise.all(dumps);
    return second === undefined || second.length === 0 ? first! : first!.concat(second);
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
