/**
 * Link: any network interface of a namespace (`ip link show`, `ip link set`, `ip link add`,
 * `ip link delete`).
 * @module
 */
import { NetlinkError, NetnsKitError, ValidationError } from '../../errors.js';
import { NLM_F_CREATE, NLM_F_DUMP_FILTERED, NLM_F_ECHO, NLM_F_EXCL } from '../../netlink/constants.js';
import type { NlMessage } from '../../netlink/message.js';
import {
  AF_UNSPEC,
  flagNames,
  IFF_LOWER_UP,
  IFF_UP,
  RTM_DELLINK,
  RTM_GETLINK,
  RTM_NEWLINK,
} from '../../rtnetlink/constants.js';
// registers every kind's IFLA_INFO_DATA schema (link-kind-registry.ts) before any link is decoded
import '../../rtnetlink/kinds/index.js';
import type { LinkKindData } from '../../rtnetlink/link-kind-registry.js';
import {
  LazyLinkMessage,
  type IfInfoHeader,
  IfInfoMsg,
  type LinkAttributes,
  LinkAttrs,
  type LinkMessage,
  type OperState,
  OPERSTATES,
} from '../../rtnetlink/link.js';
import type { LinkInfoAttributes } from '../../rtnetlink/link-info.js';
import type { LinkStats } from '../../rtnetlink/link-stats.js';
import { linkChangeRequest, linkCreateAttrs, validateEtherMtu, validateKind } from '../../rtnetlink/requests/link.js';
import { validateIfname, validateInt, validateOptions } from '../../util/validate.js';
import { Namespace } from '../namespace/namespace.js';

/**
 * Which link: its name, or its index.
 * @category Links
 */
export type LinkRef = string | number;

/**
 * A link given as a {@link Link} object, a name or an index (the same as `LinkArg`).
 * @category Links
 */
export type LinkLike = Link | LinkRef;

/**
 * Filters for {@link Link.list}, applied by the kernel (strict dump filtering).
 * @category Links
 */
export interface LinkListFilter {
  /** only links of this kind (`veth`, `bridge`, …): IFLA_LINKINFO/IFLA_INFO_KIND in the dump request. */
  kind?: string;
  /** only links enslaved to this master (IFLA_MASTER in the dump request); `false`: only links without a master. */
  master?: LinkLike | false;
}

/**
 * Changes applied by {@link Link.set} in one RTM_NEWLINK message.
 * @category Links
 */
export interface LinkChanges {
  /** administratively up (true) or down (false): `ip link set X up|down`. */
  up?: boolean;
  /** new name: `ip link set X name Y`. */
  name?: string;
  /** MTU in bytes, checked against the link's min/max MTU before sending. */
  mtu?: number;
  /** hardware address, e.g. `02:42:ac:11:00:02`. */
  address?: string;
  /** hardware broadcast address. */
  broadcast?: string;
  /** interface alias; `null` or `''` removes it. */
  alias?: string | null;
  /** transmit queue length. */
  txqlen?: number;
  /** promiscuous mode (IFF_PROMISC). */
  promiscuous?: boolean;
  /** receive all multicast (IFF_ALLMULTI). */
  allmulti?: boolean;
  /** ARP on (true) or off (false; sets IFF_NOARP). */
  arp?: boolean;
  /** enslave to this master (bridge, bond, vrf); `null` releases it (`ip link set X nomaster`). */
  master?: LinkLike | null;
  /** interface group number. */
  group?: number;
}

/**
 * Options of {@link Link.create} (`ip link add`).
 * @category Links
 */
export interface LinkCreateOptions {
  /** the kind, as `ip link add … type KIND` takes it: `veth`, `bridge`, `dummy`, `vxlan`, … */
  kind: string;
  /** the name; omitted: the kernel chooses (`<kind>%d`, e.g. `dummy0`), or a pattern such as `br%d`. */
  name?: string;
  /** kind-specific IFLA_INFO_DATA: a typed object for kinds netns-kit knows, or raw attribute bytes. */
  data?: LinkKindData | Buffer;
  /** MTU in bytes. */
  mtu?: number;
  /** hardware address. */
  address?: string;
  /** hardware broadcast address. */
  broadcast?: string;
  /** transmit queue length. */
  txqlen?: number;
  /** interface alias. */
  alias?: string;
  /** interface group number. */
  group?: number;
  /** lower / parent device (IFLA_LINK), e.g. the device a macvlan or vlan sits on. */
  parent?: LinkLike;
  /** master to enslave the new link to. */
  master?: LinkLike;
  /** create the link directly inside this namespace (IFLA_NET_NS_FD); a name is then required. */
  namespace?: Namespace;
  /** bring the link up at creation. */
  up?: boolean;
  /** number of transmit queues. */
  numTxQueues?: number;
  /** number of receive queues. */
  numRxQueues?: number;
}

/**
 * Options of {@link Link.moveTo}.
 * @category Links
 */
export interface MoveOptions {
  /** rename the link in the same message (`ip link set dev X netns NS name Y`). */
  name?: string;
}

const CREATE_KEYS = [
  'kind', 'name', 'data', 'mtu', 'address', 'broadcast', 'txqlen', 'alias', 'group', 'parent', 'master',
  'namespace', 'up', 'numTxQueues', 'numRxQueues',
] as const;
const CHANGE_KEYS = ['up', 'name', 'mtu', 'address', 'broadcast', 'alias', 'txqlen', 'promiscuous', 'allmulti', 'arp', 'master', 'group'] as const;

/** Largest u32 / int the kernel takes for counts, MTUs and indexes. */
const U32_MAX = 0xffffffff;
const S32_MAX = 2 ** 31 - 1;

/**
 * A snapshot of one network interface, as the kernel reported it. Properties do not
 * change by themselves; {@link Link.refresh} fetches a new snapshot. Operations address the
 * link by its index in {@link Link.namespace}, so they keep working after a rename.
  * @category Links
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
  /** @internal the decoded message this snapshot was made from (its attributes may be decoded on first use). */
  readonly message: LinkMessage;

  /** @internal */
  constructor(namespace: Namespace, msg: LinkMessage) {
    this.namespace = namespace;
    this.message = msg;
    const header = msg.header;
    // a message from the kernel is decoded in full only when its attributes are first read
    const attrs = msg instanceof LazyLinkMessage ? msg.summary : msg.attrs;
    this.index = header.index;
    this.type = header.type;
    this.flags = header.flags;
    this.name = attrs.ifname ?? '';
    this.kind = msg instanceof LazyLinkMessage ? msg.summary.kind : msg.attrs.linkinfo?.kind;
    this.operstate = OPERSTATES[attrs.operstate ?? 0] ?? 'unknown';
    this.mtu = attrs.mtu;
    this.address = attrs.address;
    this.broadcast = attrs.broadcast;
    this.masterIndex = attrs.master || undefined;
    // IFLA_LINK is the device's own index when it has no parent; a peer in another
    // namespace (IFLA_LINK_NETNSID) may have the same index number as this link.
    this.parentIndex = attrs.link !== undefined && (attrs.link !== header.index || attrs.linkNetnsid !== undefined) ? attrs.link : undefined;
    this.linkNetnsid = attrs.linkNetnsid;
  }

  /** Every attribute the kernel sent, decoded (on first use: a ParseError if one is malformed). */
  get attributes(): LinkAttributes {
    return this.message.attrs;
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
  /** Smallest MTU the device accepts. */
  get minMtu(): number | undefined {
    return this.attributes.minMtu;
  }
  /** Largest MTU the device accepts (0: no limit reported). */
  get maxMtu(): number | undefined {
    return this.attributes.maxMtu;
  }
  /** Interface group. */
  get group(): number | undefined {
    return this.attributes.group;
  }
  /** Promiscuity counter (> 0: the device is promiscuous). */
  get promiscuity(): number | undefined {
    return this.attributes.promiscuity;
  }
  /** Alternative names (`ip link property add dev X altname Y`). */
  get altNames(): string[] {
    return this.attributes.propList?.altIfname ?? [];
  }
  /** Permanent hardware address, for devices that have one. */
  get permAddress(): string | undefined {
    return this.attributes.permAddress;
  }
  /** The master's kind when enslaved (`bridge`, `bond`, `vrf`): IFLA_INFO_SLAVE_KIND. */
  get slaveKind(): string | undefined {
    return this.attributes.linkinfo?.slaveKind;
  }
  /** The kind-specific IFLA_LINKINFO contents (kind, data, slaveKind, slaveData). */
  get linkInfo(): LinkInfoAttributes | undefined {
    return this.attributes.linkinfo;
  }
  /** 64-bit interface counters (IFLA_STATS64), as `ip -s link` prints them. */
  get stats(): LinkStats | undefined {
    return this.attributes.stats64;
  }
  /** What `ip link` prints as the name: `veth0@veth1` or `veth0@if5` (peer/parent in another namespace). */
  get displayName(): string {
    if (this.parentIndex === undefined) return this.name;
    return `${this.name}@if${this.parentIndex}`;
  }
  /** A name for messages: `veth0 in ns1`. */
  protected get label(): string {
    return `${this.name || `#${this.index}`} in ${this.namespace.label}`;
  }

  // ---- reading ----------------------------------------------------------------------

  /** Fetches a fresh snapshot of this link (by index), of the same class. */
  async refresh(): Promise<this> {
    const l = await Link.get(this.namespace, this.index);
    const ctor = this.constructor as new (ns: Namespace, m: LinkMessage) => this;
    return new ctor(l.namespace, l.message);
  }

  /** A Link from an RTM_NEWLINK / RTM_DELLINK message (dumps, notifications). */
  static fromMessage(ns: Namespace, m: NlMessage): Link {
    return new Link(ns, new LazyLinkMessage(m));
  }

  /**
   * Links of a namespace (`ip link show`), optionally only those of one kind and/or one
   * master (`ip link show type bridge`, `ip link show master br0`), filtered by the kernel.
   */
  static async list(ns: Namespace, filter: LinkListFilter = {}): Promise<Link[]> {
    const f = validateOptions<LinkListFilter>(filter, ['kind', 'master'], 'filter');
    if (f.kind !== undefined) validateKind(f.kind, 'filter.kind');
    let master: number | undefined;
    if (f.master === false) master = U32_MAX; // read as -1 by the kernel: "no master"
    else if (f.master !== undefined) master = await resolveLinkIndex(ns, f.master, 'filter.master');
    const conn = await ns.connection();
    const what = [f.kind !== undefined ? `type ${f.kind}` : '', f.master === false ? 'without master' : f.master !== undefined ? `master ${describeRef(f.master)}` : '']
      .filter(Boolean)
      .join(' ');
    const msgs = await conn.dumpAll(
      RTM_GETLINK,
      0,
      (w) => {
        IfInfoMsg.encode(w, { family: AF_UNSPEC });
        LinkAttrs.encode(w, { master, linkinfo: f.kind !== undefined ? { kind: f.kind } : undefined });
      },
      { operation: 'list links', object: `${what ? what + ' ' : ''}in ${ns.label}`, describeAttribute: (t) => LinkAttrs.describe(t) },
    );
    // A kind the kernel has no driver for is not filtered (no NLM_F_DUMP_FILTERED): no link can be of it.
    if (f.kind !== undefined && master === undefined && msgs.length > 0 && !(msgs[0]!.flags & NLM_F_DUMP_FILTERED)) return [];
    const links = msgs.map((m) => Link.fromMessage(ns, m));
    return f.kind !== undefined ? links.filter((l) => l.kind === f.kind) : links;
  }

  /** One link by name or index (`ip link show dev NAME`); ENODEV if there is none. */
  static async get(ns: Namespace, ref: LinkRef): Promise<Link> {
    const byIndex = typeof ref === 'number';
    if (byIndex) validateInt(ref, 'index', 1, S32_MAX);
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

  // ---- creating ---------------------------------------------------------------------

  /**
   * Creates a link of any kind (`ip link add [NAME] type KIND …`) and returns it. Fails with
   * EEXIST naming the link if the name is taken, and with the kernel's "Unknown device type"
   * (EOPNOTSUPP) when the kernel has no driver for the kind.
   */
  static async create(ns: Namespace, opts: LinkCreateOptions): Promise<Link> {
    const o = validateOptions<LinkCreateOptions>(opts, CREATE_KEYS);
    validateKind(o.kind, 'kind');
    if (o.data !== undefined && (o.data === null || typeof o.data !== 'object')) {
      throw new ValidationError('data', o.data, 'expected an attribute object or a Buffer');
    }
    const attrs = await commonCreateAttrs(ns, o);
    attrs.linkinfo = { kind: o.kind, data: o.data };
    return createLink(ns, { attrs, up: o.up, target: o.namespace, what: o.kind });
  }

  // ---- changing ---------------------------------------------------------------------

  /**
   * Applies several changes in one RTM_NEWLINK message (`ip link set dev X up mtu 9000 …`).
   * The kernel applies the name before the flags, so `{ name, up: true }` renames a down
   * link and then brings it up.
   */
  async set(changes: LinkChanges): Promise<void> {
    const c = validateOptions<LinkChanges>(changes, CHANGE_KEYS, 'changes');
    const { flags, change, attrs, clearAlias } = linkChangeRequest(c, this);
    if (c.master === null) attrs.master = 0;
    else if (c.master !== undefined) attrs.master = await resolveLinkIndex(this.namespace, c.master, 'master');
    const conn = await this.namespace.connection();
    // a change answers nothing: a command (no ACK of its own, see NetlinkConnection.command)
    await conn.command(
      RTM_NEWLINK,
      0,
      (w) => {
        IfInfoMsg.encode(w, { family: AF_UNSPEC, index: this.index, flags, change });
        LinkAttrs.encode(w, attrs);
        if (clearAlias) w.attr(LinkAttrs.typeOf('ifalias')!, Buffer.alloc(0));
      },
      { operation: 'set link', object: this.label, describeAttribute: (t) => LinkAttrs.describe(t) },
    );
  }

  /** Sets the link administratively up (`ip link set X up`). */
  up(): Promise<void> {
    return this.set({ up: true });
  }
  /** Sets the link administratively down (`ip link set X down`). */
  down(): Promise<void> {
    return this.set({ up: false });
  }
  /** Renames the link (`ip link set dev X name Y`). Kernels before 6.2 refuse while it is up (EBUSY). */
  rename(name: string): Promise<void> {
    return this.set({ name });
  }
  /** Sets the MTU (`ip link set X mtu N`). */
  setMtu(mtu: number): Promise<void> {
    return this.set({ mtu });
  }
  /** Sets the hardware address (`ip link set X address MAC`). */
  setAddress(address: string): Promise<void> {
    return this.set({ address });
  }
  /** Sets (or with `null` removes) the alias (`ip link set X alias TEXT`). */
  setAlias(alias: string | null): Promise<void> {
    return this.set({ alias });
  }
  /** Sets the transmit queue length (`ip link set X txqueuelen N`). */
  setTxqlen(txqlen: number): Promise<void> {
    return this.set({ txqlen });
  }
  /** Turns promiscuous mode on or off (`ip link set X promisc on|off`). */
  setPromiscuous(on: boolean): Promise<void> {
    return this.set({ promiscuous: on });
  }
  /** Enslaves the link to a bridge/bond/vrf, or with `null` releases it (`ip link set X master Y | nomaster`). */
  setMaster(master: LinkLike | null): Promise<void> {
    return this.set({ master });
  }

  /**
   * Moves the link to another namespace, optionally renaming it, in ONE message
   * (`ip link set dev X netns NS name Y`); resolves with the link as it is now in `target`.
   * This snapshot keeps describing the old place. Devices the kernel keeps in their
   * namespace (`lo`, bridges, …) are refused with a clear EINVAL.
   */
  async moveTo(target: Namespace, opts: MoveOptions = {}): Promise<Link> {
    if (!(target instanceof Namespace)) throw new ValidationError('target', target, 'expected a Namespace');
    const o = validateOptions<MoveOptions>(opts, ['name'], 'options');
    if (o.name !== undefined) validateIfname(o.name, 'name');
    void target.fd; // EBADF now if the target is closed
    // The name it will have over there: the new one, or its current name (re-read: this snapshot may be old).
    const finalName = o.name ?? (await Link.get(this.namespace, this.index)).name;
    const conn = await this.namespace.connection();
    const object = `${this.label} to ${target.label}${o.name !== undefined ? ` as ${o.name}` : ''}`;
    try {
      // the fd number travels in the message: keep it open until the kernel answered
      await target.withFd((fd) => conn.command(
        RTM_NEWLINK,
        0,
        (w) => {
          IfInfoMsg.encode(w, { family: AF_UNSPEC, index: this.index });
          LinkAttrs.encode(w, { netNsFd: fd, ifname: o.name });
        },
        { operation: 'move link', object, describeAttribute: (t) => LinkAttrs.describe(t) },
      ));
    } catch (e) {
      if (e instanceof NetlinkError && e.code === 'EINVAL' && (e.kernelMessage === undefined || /immutable/i.test(e.kernelMessage))) {
        const why = e.kernelMessage ? `: ${e.kernelMessage}` : '';
        throw new NetlinkError({
          errno: e.errno ?? 22,
          operation: e.operation,
          object: e.object,
          kernelMessage: e.kernelMessage,
          attribute: e.attribute,
          message: `move link ${object}: ${finalName} cannot be moved to another namespace — the kernel keeps ${this.kind ?? (this.name === 'lo' ? 'loopback' : 'this')} devices in their namespace (netns-local)${why} (EINVAL)`,
        });
      }
      throw e;
    }
    return readInTarget(target, finalName, `move link ${object}: the link was moved`);
  }

  /**
   * Deletes the link (`ip link delete X`); deleting one end of a veth pair removes both.
   *
   * The kernel makes a deletion wait (~15 ms for a veth or bridge: RCU grace periods, device
   * references) outside its global lock, so deletions run in parallel: concurrent calls
   * overlap like separate `ip link del` processes. A deletion starts after every request
   * issued before it in this namespace has been handled; requests issued after it do not
   * wait for it (await it first if they depend on the link being gone), and concurrent
   * deletions complete in any order. To remove many links at once, {@link Link.deleteGroup}
   * is cheaper still.
   */
  async delete(): Promise<void> {
    await deleteIndex(this.namespace, this.index, this.label);
  }

  /**
   * Deletes a link by name or index (`ip link delete NAME`). Runs in parallel with other
   * requests as {@link Link#delete} describes: concurrent deletions overlap and complete in
   * any order; await it before a request that needs the link gone.
   */
  static async delete(ns: Namespace, ref: LinkLike): Promise<void> {
    const index = await resolveLinkIndex(ns, ref, 'link');
    await deleteIndex(ns, index, `${describeRef(ref)} in ${ns.label}`);
  }

  /**
   * Deletes every link of an interface group in ONE request (`ip link delete group N`):
   * the kernel unregisters them together, paying its RCU grace periods once for all of
   * them instead of once per link — 200 veth pairs go in a fraction of a second, where
   * deleting them one by one takes seconds. Give links a group when creating them
   * (`group` option of {@link Link.create} and {@link VethPair.create}) or with
   * `link.set({ group })`. Rejects with ENODEV when no link has the group, and with
   * EOPNOTSUPP (deleting nothing) when one of them cannot be deleted (a physical device).
   * Group 0 — every link's default group — is refused.
   */
  static async deleteGroup(ns: Namespace, group: number): Promise<void> {
    validateInt(group, 'group', 1, U32_MAX);
    const conn = await ns.connection();
    await conn.command(
      RTM_DELLINK,
      0,
      (w) => {
        IfInfoMsg.encode(w, { family: AF_UNSPEC, index: 0 });
        LinkAttrs.encode(w, { group });
      },
      { operation: 'delete links of group', object: `${group} in ${ns.label}`, describeAttribute: (t) => LinkAttrs.describe(t) },
    );
  }

  // ---- relations --------------------------------------------------------------------

  /**
   * The link's parent or peer (IFLA_LINK): a veth's other end, a macvlan's or vlan's lower
   * device. When it lives in another namespace (IFLA_LINK_NETNSID), that namespace is looked
   * for among `candidates`, this link's namespace and {@link Namespace.host}, by asking this
   * namespace which nsid it gives each of them. Rejects with ENOENT when the link has no
   * parent, or when its namespace is none of those (pass it in `candidates`).
   */
  async parent(candidates: Namespace[] = []): Promise<Link> {
    if (this.parentIndex === undefined) {
      throw new NetnsKitError(`link ${this.label} has no parent or peer link (IFLA_LINK)`, 'ENOENT', 2);
    }
    const ns = await this.resolveLinkNamespace(candidates);
    return Link.get(ns, this.parentIndex);
  }

  /**
   * A veth's other end, with the namespace it lives in (see {@link Link.parent} for how the
   * namespace is found). Rejects with EINVAL for links that are not veth.
   */
  async peer(candidates: Namespace[] = []): Promise<Link> {
    if (this.kind !== 'veth') throw new NetnsKitError(`link ${this.label} is ${this.kind ? `a ${this.kind}` : 'not a veth'} link: only veth links have a peer`, 'EINVAL', 22);
    return this.parent(candidates);
  }

  /** The Namespace IFLA_LINK_NETNSID refers to, among `candidates`, this namespace and the host. */
  private async resolveLinkNamespace(candidates: Namespace[]): Promise<Namespace> {
    const nsid = this.linkNetnsid;
    if (nsid === undefined) return this.namespace;
    if (!Array.isArray(candidates) || candidates.some((c) => !(c instanceof Namespace))) {
      throw new ValidationError('candidates', candidates, 'expected an array of Namespace');
    }
    const all = [...candidates, this.namespace, Namespace.host()].filter((c) => !c.isClosed);
    for (const c of all) {
      if ((await this.namespace.getNsid(c)) === nsid) return c;
    }
    throw new NetnsKitError(
      `link ${this.label}: its ${this.kind === 'veth' ? 'peer' : 'parent'} (index ${this.parentIndex}) is in the namespace ${this.namespace.label} calls nsid ${nsid}, which is none of the ${candidates.length} candidate namespace(s) given`,
      'ENOENT',
      2,
    );
  }

  // ---- helpers ----------------------------------------------------------------------

  /** Sends IFLA_LINKINFO changes for this link (the kind's changelink: `ip link set X type KIND …`). */
  protected async changeLinkInfo(linkinfo: LinkInfoAttributes, operation: string): Promise<void> {
    const conn = await this.namespace.connection();
    await conn.command(
      RTM_NEWLINK,
      0,
      (w) => {
        IfInfoMsg.encode(w, { family: AF_UNSPEC, index: this.index });
        LinkAttrs.encode(w, { linkinfo });
      },
      { operation, object: this.label, describeAttribute: (t) => LinkAttrs.describe(t) },
    );
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

// ---- naming a link in an operation (address, route, neighbour, master, parent …) ----------

/**
 * A link given to an operation in a namespace: a {@link Link}, or its name or index there.
 * @category Links
 */
export type LinkArg = Link | LinkRef;

/** A link resolved for a request: its index, and a name for messages. */
export interface ResolvedLink {
  /** interface index in the namespace. */
  index: number;
  /** interface name when known (a Link or a name was given), otherwise `#index`. */
  label: string;
  /** the name, when known. */
  name: string | undefined;
}

/** Checks a LinkArg before any syscall (a Link must belong to `ns`). */
export function checkLinkArg(ns: Namespace, link: unknown, field: string): LinkArg {
  if (link instanceof Link) {
    if (!link.namespace.equals(ns)) {
      throw new ValidationError(field, link.name, `link ${link.name} is in namespace ${link.namespace.label}, not in ${ns.label}`);
    }
    return link;
  }
  return validateLinkRef(link, field);
}

/** A Link or an index resolved without a request; undefined for a name (see {@link resolveLink}). */
export function resolvedNow(link: LinkArg): ResolvedLink | undefined {
  if (link instanceof Link) return { index: link.index, label: link.name, name: link.name };
  if (typeof link === 'number') return { index: link, label: `#${link}`, name: undefined };
  return undefined;
}

/**
 * Resolves a link to its index: a Link or an index is used as is (no request), a name
 * is looked up in `ns` (ENODEV if there is none).
 */
export async function resolveLink(ns: Namespace, link: LinkArg): Promise<ResolvedLink> {
  if (link instanceof Link) return { index: link.index, label: link.name, name: link.name };
  if (typeof link === 'number') return { index: link, label: `#${link}`, name: undefined };
  const l = await Link.get(ns, link);
  return { index: l.index, label: l.name, name: l.name };
}

/** Throws a ValidationError unless `ref` is a valid link name or index. */
export function validateLinkRef(ref: unknown, field = 'link'): LinkRef {
  if (typeof ref === 'number') return validateInt(ref, field, 1, S32_MAX);
  if (typeof ref === 'string') return validateIfname(ref, field);
  throw new ValidationError(field, ref, 'expected an interface name or index');
}

/**
 * The index of a link given as Link, name or index, in namespace `ns` (a Link must belong to
 * `ns`; a name costs one RTM_GETLINK). Same rules as the address/route/neighbour functions
 * (checkLinkArg, resolveLink).
 * @internal
 */
export async function resolveLinkIndex(ns: Namespace, ref: LinkLike, field: string): Promise<number> {
  return (await resolveLink(ns, checkLinkArg(ns, ref, field))).index;
}

/** RTM_DELLINK for the link with this index (`object` names it in errors), in parallel (see {@link Link#delete}). */
async function deleteIndex(ns: Namespace, index: number, object: string): Promise<void> {
  const conn = await ns.connection();
  await conn.command(RTM_DELLINK, 0, (w) => IfInfoMsg.encode(w, { family: AF_UNSPEC, index }), { operation: 'delete link', object }, { parallel: true });
}

function describeRef(ref: LinkLike): string {
  return ref instanceof Link ? ref.name : typeof ref === 'number' ? `#${ref}` : ref;
}

/** Attributes every created link can have, validated (names resolved to indexes). @internal */
export async function commonCreateAttrs(
  ns: Namespace,
  o: Pick<LinkCreateOptions, 'name' | 'mtu' | 'address' | 'broadcast' | 'txqlen' | 'alias' | 'group' | 'parent' | 'master' | 'namespace' | 'up' | 'numTxQueues' | 'numRxQueues'>,
  mtuCheck: (v: unknown) => number = validateEtherMtu,
): Promise<Partial<LinkAttributes>> {
  const attrs = linkCreateAttrs(o, mtuCheck);
  if (o.namespace !== undefined && !(o.namespace instanceof Namespace)) throw new ValidationError('namespace', o.namespace, 'expected a Namespace');
  const other = o.namespace !== undefined && !o.namespace.equals(ns);
  if (other && (o.name === undefined || o.name.includes('%'))) {
    throw new ValidationError('name', o.name, 'a fixed name is required to create a link directly inside another namespace');
  }
  if (o.parent !== undefined) attrs.link = await resolveLinkIndex(ns, o.parent, 'parent');
  if (o.master !== undefined) {
    if (other) throw new ValidationError('master', describeRef(o.master), 'a master cannot be set when creating inside another namespace (it is looked up there); enslave after creation');
    attrs.master = await resolveLinkIndex(ns, o.master, 'master');
  }
  return attrs;
}

/** What {@link createLink} needs. @internal */
export interface CreateRequest {
  /** IFLA_* attributes, including IFLA_LINKINFO. */
  attrs: Partial<LinkAttributes>;
  /** bring the link up at creation. */
  up?: boolean | undefined;
  /** create inside this namespace instead of `ns` (IFLA_NET_NS_FD). */
  target?: Namespace | undefined;
  /** for error messages when no name was given: the kind. */
  what: string;
}

/**
 * Sends RTM_NEWLINK with NLM_F_CREATE | NLM_F_EXCL and returns the new link. In the
 * connection's own namespace the kernel echoes the new link (NLM_F_ECHO, kernels ≥ 6.1) —
 * that is how kernel-chosen names are learnt; a link created in another namespace is
 * fetched there by name (an echo would go to that namespace's sockets).
 * @internal
 */
export async function createLink(ns: Namespace, req: CreateRequest): Promise<Link> {
  const target = req.target && !req.target.equals(ns) ? req.target : undefined;
  const attrs = { ...req.attrs };
  const name = attrs.ifname;
  const header: Partial<IfInfoHeader> = { family: AF_UNSPEC, flags: req.up ? IFF_UP : 0, change: req.up ? IFF_UP : 0 };
  const conn = await ns.connection();
  const object = `${name ?? `(new ${req.what})`} in ${(target ?? ns).label}`;
  const send = (): Promise<NlMessage[]> =>
    conn.request(
      RTM_NEWLINK,
      NLM_F_CREATE | NLM_F_EXCL | (target ? 0 : NLM_F_ECHO),
      (w) => {
        IfInfoMsg.encode(w, header);
        LinkAttrs.encode(w, attrs);
      },
      { operation: 'create link', object, describeAttribute: (t) => LinkAttrs.describe(t) },
    );
  // an fd number in the message (IFLA_NET_NS_FD) must stay open until the kernel answered
  const replies = target
    ? await target.withFd((fd) => {
        attrs.netNsFd = fd;
        return send();
      })
    : await send();
  if (target) return readInTarget(target, name!, `create link ${object}: the link was created`);
  const echo = replies.find((m) => m.type === RTM_NEWLINK);
  if (echo) return Link.fromMessage(ns, echo);
  if (name !== undefined && !name.includes('%')) return Link.get(ns, name);
  throw new NetnsKitError(`create link ${object}: the kernel created it but did not echo it (NLM_F_ECHO needs Linux 6.1); give the link a name`, 'ENOTSUP', 95);
}

/**
 * Reads a link just made in (or moved to) `target`. When `target` was closed meanwhile (a
 * concurrent close() or delete()), the kernel did the work but the link cannot be read
 * there: say so, instead of a bare EBADF that reads as if nothing happened.
 */
async function readInTarget(target: Namespace, name: string, done: string): Promise<Link> {
  try {
    return await Link.get(target, name);
  } catch (e) {
    if (!target.isClosed) throw e;
    throw new NetnsKitError(
      `${done}, but namespace ${target.label} was closed before the link could be read there (it goes away with the namespace unless another handle keeps it)`,
      'EBADF',
      9,
      { cause: e },
    );
  }
}
