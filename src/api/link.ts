/**
 * Link: any network interface of a namespace (`ip link show`).
 * @module
 */
import { NetnsKitError, ValidationError } from '../errors.js';
import type { NlMessage } from '../netlink/message.js';
import { AF_UNSPEC, flagNames, IFF_LOWER_UP, IFF_UP, RTM_GETLINK } from '../rtnetlink/constants.js';
import { decodeLinkMessage, IfInfoMsg, type LinkAttributes, LinkAttrs, type LinkMessage, OPERSTATES, type OperState } from '../rtnetlink/link.js';
import { validateIfname, validateInt } from '../util/validate.js';
import type { Namespace } from './namespace.js';
import { describeObject, waitFor, type WaitOptions } from './wait.js';

/** Which link: its name, or its index. */
export type LinkRef = string | number;

/**
 * A snapshot of one network interface, as the kernel reported it. Properties do not
 * change by themselves; {@link Link.refresh} fetches a new snapshot.
 */
export class Link {
  /** The namespace the link is in. */
  readonly namespace: Namespace;
  /** Interface index (unique within its namespace). */
  readonly index: number;
  /** Interface name, e.g. `eth0`. */
  readonly name: string;
  /** Link kind from IFLA_INFO_KIND (`veth`, `bridge`, `vxlan`, …); undefined for `lo` and physical devices. */
  readonly kind: string | undefined;
  /** ARPHRD_* device type (1 = ether, 772 = loopback). */
  readonly type: number;
  /** IFF_* flags word. */
  readonly flags: number;
  /** Operational state (`up`, `down`, `unknown`, `lowerlayerdown`, …). */
  readonly operstate: OperState;
  /** MTU in bytes. */
  readonly mtu: number | undefined;
  /** Hardware address, e.g. `02:42:ac:11:00:02`. */
  readonly address: string | undefined;
  /** Hardware broadcast address. */
  readonly broadcast: string | undefined;
  /** Index of the master device (bridge, bond, vrf), if enslaved. */
  readonly masterIndex: number | undefined;
  /** IFLA_LINK: the parent or peer link index (a veth's peer; a macvlan's lower device). */
  readonly parentIndex: number | undefined;
  /** IFLA_LINK_NETNSID: the nsid of the namespace `parentIndex` lives in, when it is another one. */
  readonly linkNetnsid: number | undefined;
  /** Every attribute the kernel sent, decoded. */
  readonly attributes: LinkAttributes;

  /** @internal */
  constructor(namespace: Namespace, msg: LinkMessage) {
    this.namespace = namespace;
    const { header, attrs } = msg;
    this.index = header.index;
    this.type = header.type;
    this.flags = header.flags;
    this.name = attrs.ifname ?? '';
    this.kind = attrs.linkinfo?.kind;
    this.operstate = OPERSTATES[attrs.operstate ?? 0] ?? 'unknown';
    this.mtu = attrs.mtu;
    this.address = attrs.address;
    this.broadcast = attrs.broadcast;
    this.masterIndex = attrs.master || undefined;
    this.parentIndex = attrs.link !== undefined && attrs.link !== header.index ? attrs.link : undefined;
    this.linkNetnsid = attrs.linkNetnsid;
    this.attributes = attrs;
  }

  /** Names of the set IFF_* flags, as `ip link` prints them (`BROADCAST`, `MULTICAST`, `UP`, `LOWER_UP`). */
  get flagNames(): string[] {
    return flagNames(this.flags);
  }
  /** Administratively up (IFF_UP). */
  get isUp(): boolean {
    return (this.flags & IFF_UP) !== 0;
  }
  /** Carrier present (IFF_LOWER_UP). */
  get hasCarrier(): boolean {
    return (this.flags & IFF_LOWER_UP) !== 0;
  }
  /** Transmit queue length. */
  get txqlen(): number | undefined {
    return this.attributes.txqlen;
  }
  /** Queueing discipline name (`noqueue`, `noop`, …). */
  get qdisc(): string | undefined {
    return this.attributes.qdisc;
  }
  /** Interface alias (`ip link set dev X alias …`). */
  get alias(): string | undefined {
    return this.attributes.ifalias;
  }
  /** Smallest and largest MTU the device accepts. */
  get minMtu(): number | undefined {
    return this.attributes.minMtu;
  }
  get maxMtu(): number | undefined {
    return this.attributes.maxMtu;
  }
  /** Interface group. */
  get group(): number | undefined {
    return this.attributes.group;
  }
  /** Promiscuity counter. */
  get promiscuity(): number | undefined {
    return this.attributes.promiscuity;
  }

  /** Fetches a fresh snapshot of this link (by index). */
  refresh(): Promise<Link> {
    return Link.get(this.namespace, this.index);
  }

  /** @internal */
  static fromMessage(ns: Namespace, m: NlMessage): Link {
    return new Link(ns, decodeLinkMessage(m));
  }

  /** All links of a namespace (`ip link show`). */
  static async list(ns: Namespace): Promise<Link[]> {
    const conn = await ns.connection();
    const msgs = await conn.dumpAll(RTM_GETLINK, 0, (w) => IfInfoMsg.encode(w, { family: AF_UNSPEC }), {
      operation: 'list links',
      object: `in ${ns.label}`,
    });
    return msgs.map((m) => Link.fromMessage(ns, m));
  }

  /** One link by name or index (`ip link show dev NAME`); ENODEV if there is none. */
  static async get(ns: Namespace, ref: LinkRef): Promise<Link> {
    const byIndex = typeof ref === 'number';
    if (byIndex) validateInt(ref, 'index', 1, 2 ** 31 - 1);
    else validateIfname(ref, 'name');
    const conn = await ns.connection();
    const replies = await conn.request(
      RTM_GETLINK,
      0,
      (w) => {
        IfInfoMsg.encode(w, { family: AF_UNSPEC, index: byIndex ? ref : 0 });
        if (!byIndex) LinkAttrs.encode(w, { ifname: ref });
      },
      { operation: 'get link', object: `${byIndex ? `#${ref}` : ref} in ${ns.label}`, describeAttribute: (t) => LinkAttrs.describe(t) },
    );
    const m = replies[0];
    if (!m) throw new NetnsKitError(`get link ${ref}: the kernel sent no link`, 'ENODEV', 19);
    return Link.fromMessage(ns, m);
  }

  /**
   * Waits until this link satisfies `predicate` (checked on the current state first, then on
   * every change) and resolves with that snapshot of it:
   * `await veth.waitFor((l) => l.operstate === 'up', { timeoutMs: 2000 })`.
   * Rejects with ENODEV if the link does not exist or is removed meanwhile, TimeoutError
   * (ETIMEDOUT, naming the link, the predicate and the last state seen) or AbortError
   * (ABORT_ERR). Leaves no socket or timer behind.
   */
  waitFor(predicate: (link: Link) => unknown, options?: WaitOptions): Promise<Link> {
    const index = this.index;
    return waitFor<Link>(this.namespace, {
      kind: 'link',
      subject: `link ${this.name} (#${index}) in ${this.namespace.label}`,
      pick: (ev) => (ev.kind === 'link' && ev.link.index === index ? ev.link : undefined),
      predicate,
      mustExist: { code: 'ENODEV', errno: 19 },
      describe: describeObject,
    }, options);
  }

  /** A plain object with the main fields (for logs and JSON). */
  toJSON(): Record<string, unknown> {
    return {
      index: this.index,
      name: this.name,
      kind: this.kind,
      flags: this.flagNames,
      operstate: this.operstate,
      mtu: this.mtu,
      address: this.address,
      broadcast: this.broadcast,
      master: this.masterIndex,
      link: this.parentIndex,
      linkNetnsid: this.linkNetnsid,
    };
  }
}

/** Throws a ValidationError unless `ref` is a valid link name or index. */
export function validateLinkRef(ref: unknown, field = 'link'): LinkRef {
  if (typeof ref === 'number') return validateInt(ref, field, 1, 2 ** 31 - 1);
  if (typeof ref === 'string') return validateIfname(ref, field);
  throw new ValidationError(field, ref, 'expected an interface name or index');
}
