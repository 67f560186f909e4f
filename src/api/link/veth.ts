/**
 * VethPair: the two ends of a virtual Ethernet cable (`ip link add A type veth peer name B`).
 * @module
 */
import { BulkError, ValidationError } from '../../errors.js';
import { NLM_F_CREATE, NLM_F_EXCL } from '../../netlink/constants.js';
import { EncodedBodies } from '../../netlink/writer.js';
import { AF_UNSPEC, IFF_UP, RTM_NEWLINK } from '../../rtnetlink/constants.js';
import { IfInfoMsg, type LinkAttributes, LinkAttrs } from '../../rtnetlink/link.js';
import type { VethInfoAttributes } from '../../rtnetlink/kinds/veth.js';
import { validateIfname, validateInt, validateOptions } from '../../util/validate.js';
import type { BasicLinkOptions } from './kind.js';
import { createLink, Link } from './link.js';
import { validateEtherMtu, validateMac } from '../../rtnetlink/requests/link.js';
import { Namespace } from '../namespace/namespace.js';

/**
 * Options of the peer end of {@link VethPair.create}.
 * @category Links
 */
export interface VethPeerOptions extends BasicLinkOptions {
  /** the peer's name; omitted: the kernel chooses (`veth0`, `veth1`, …) in the peer's namespace. */
  name?: string;
  /** create the peer directly inside this namespace (VETH_INFO_PEER carries IFLA_NET_NS_FD). */
  namespace?: Namespace;
  /** the peer's MTU (default: the same as the local end). */
  mtu?: number;
  /** bring the peer up right after creation (a second request: the kernel cannot do it in the same one). */
  up?: boolean;
  /** the peer's interface group (see {@link Link.deleteGroup}). */
  group?: number;
}

/**
 * Options of {@link VethPair.create}.
 * @category Links
 */
export interface VethPairOptions extends Omit<BasicLinkOptions, 'namespace'> {
  /** the local end's name; omitted: the kernel chooses (`veth0`, `veth1`, …). */
  name?: string;
  /** the local end's MTU (also the peer's unless `peer.mtu` is given). */
  mtu?: number;
  /** the local end's interface group: `Link.deleteGroup(ns, group)` then removes many pairs in one request. */
  group?: number;
  /** the other end. */
  peer?: VethPeerOptions;
}

const END_KEYS = ['name', 'mtu', 'address', 'txqlen', 'up', 'group'] as const;

function endAttrs(o: { name?: string; mtu?: number; address?: string; txqlen?: number; up?: boolean; group?: number }, prefix: string): Partial<LinkAttributes> {
  const attrs: Partial<LinkAttributes> = {};
  if (o.name !== undefined) attrs.ifname = validateIfname(o.name, `${prefix}name`);
  if (o.mtu !== undefined) attrs.mtu = validateEtherMtu(o.mtu, `${prefix}mtu`);
  if (o.address !== undefined) attrs.address = validateMac(o.address, `${prefix}address`);
  if (o.txqlen !== undefined) attrs.txqlen = validateInt(o.txqlen, `${prefix}txqlen`, 0, 0xffffffff);
  if (o.group !== undefined) attrs.group = validateInt(o.group, `${prefix}group`, 0, 0xffffffff);
  if (o.up !== undefined && typeof o.up !== 'boolean') throw new ValidationError(`${prefix}up`, o.up, 'expected true or false');
  return attrs;
}

/** A validated pair creation: the local end's attributes carry the peer (IFLA_LINKINFO / VETH_INFO_PEER). */
function pairRequest(ns: Namespace, opts: VethPairOptions) {
  const o = validateOptions<VethPairOptions>(opts, [...END_KEYS, 'peer']);
  const p = validateOptions<VethPeerOptions>(o.peer, [...END_KEYS, 'namespace'], 'peer');
  if (p.namespace !== undefined && !(p.namespace instanceof Namespace)) throw new ValidationError('peer.namespace', p.namespace, 'expected a Namespace');
  const localAttrs = endAttrs(o, '');
  const peerAttrs = endAttrs(p, 'peer.');
  if (peerAttrs.mtu === undefined && localAttrs.mtu !== undefined) peerAttrs.mtu = localAttrs.mtu;
  const peerNs = p.namespace ?? ns;
  const samePlace = peerNs.equals(ns);
  if (samePlace && o.name !== undefined && o.name === p.name) {
    throw new ValidationError('peer.name', p.name, 'both ends of a veth pair in one namespace need different names');
  }
  // The peer's own ifinfomsg cannot bring it up: the kernel configures the peer before the
  // two ends are joined, and veth_open() then fails with ENOTCONN. It is set up afterwards.
  const data: VethInfoAttributes = { peer: { header: { family: 0 }, attrs: peerAttrs } };
  localAttrs.linkinfo = { kind: 'veth', data };
  return { o, p, localAttrs, peerAttrs, peerNs, samePlace };
}

/**
 * A veth pair: {@link VethPair.local} in the namespace it was created from, and
 * {@link VethPair.peer}, possibly in another namespace. Both are {@link Link} snapshots.
 *
 * ```ts
 * const veth = await VethPair.create(ns1, { name: 'veth0', peer: { name: 'veth1', namespace: ns2 } });
 * await veth.local.up(); await veth.peer.up();
 * ```
  * @category Links
 */
export class VethPair {
  /** The end in the namespace the pair was created from (or the end it was found from). */
  readonly local: Link;
  /** The other end (its `namespace` may differ). */
  readonly peer: Link;

  /** Makes a pair from its two ends. */
  constructor(local: Link, peer: Link) {
    this.local = local;
    this.peer = peer;
  }

  /**
   * Creates a veth pair in ONE RTM_NEWLINK message; the peer is created directly inside
   * `peer.namespace` when given (no separate move), so a name that exists only here does not
   * block it. Names may be omitted: the kernel chooses `vethN` in each namespace.
   */
  static async create(ns: Namespace, opts: VethPairOptions = {}): Promise<VethPair> {
    const { o, p, localAttrs, peerAttrs, peerNs, samePlace } = pairRequest(ns, opts);
    const make = (): Promise<Link> => createLink(ns, { attrs: localAttrs, up: o.up, what: 'veth' });
    // A named peer in the same namespace is read in the same datagram as the creation: the
    // kernel handles one socket's requests in order, so the GET sees the new pair (and one
    // round trip is saved). If the creation fails, that GET's answer is ignored.
    // (createLink is called first: both wait for the connection once, so its request is written first)
    let early: Promise<Link | Error> | undefined;
    let creating: Promise<Link>;
    if (samePlace) {
      creating = make();
      if (p.name !== undefined) early = Link.get(ns, p.name).then((l) => l, (e: unknown) => e as Error);
    } else {
      // the peer namespace's fd number travels in the message: kept open until the kernel answered
      creating = peerNs.withFd((fd) => {
        peerAttrs.netNsFd = fd;
        return make();
      });
    }
    const local = await creating.catch(async (e: unknown) => {
      await early;
      throw e;
    });
    try {
      let peer: Link;
      const got = early === undefined ? undefined : await early;
      if (got instanceof Link && got.index === local.parentIndex) peer = got;
      else if (local.parentIndex !== undefined) peer = await Link.get(peerNs, local.parentIndex);
      else if (p.name !== undefined) peer = await Link.get(peerNs, p.name);
      else peer = await local.peer([peerNs]);
      if (p.up) {
        await peer.up();
        peer = await peer.refresh();
      }
      return new VethPair(local, peer);
    } catch (e) {
      await local.delete().catch(() => undefined); // leave nothing half-made
      throw e;
    }
  }

  /**
   * Creates many veth pairs (the options of {@link VethPair.create} each, except `peer.up`):
   * all are validated first, then sent as commands (RTM_NEWLINK without NLM_F_ECHO, most
   * without an ACK of their own, as `conn.commandMany` sends them) — what `ip -batch` with
   * `link add … type veth peer …` lines does, without reading any link back. Resolves with nothing: read
   * the pairs afterwards if you need them. Not a transaction: a {@link BulkError} lists the
   * pairs that failed by index, the others stay created.
   *
   * ```ts
   * await VethPair.createMany(ns, names.map((n) => ({ name: `${n}a`, group: 7, peer: { name: `${n}b`, group: 7 } })));
   * ```
   */
  static async createMany(ns: Namespace, pairs: readonly VethPairOptions[]): Promise<void> {
    if (!Array.isArray(pairs)) throw new ValidationError('pairs', pairs, 'expected an array of veth pair options');
    const n = pairs.length;
    const reqs = pairs.map((opts, i) => {
      try {
        const r = pairRequest(ns, opts);
        if (r.p.up !== undefined) throw new ValidationError('peer.up', r.p.up, 'createMany cannot bring a peer up (that is a second request per pair): set it up afterwards');
        return r;
      } catch (e) {
        if (e instanceof ValidationError) throw new ValidationError(`pairs[${i}].${e.field}`, e.value, e.reason);
        throw e;
      }
    });
    // the peer namespaces' fd numbers travel in the messages: kept open until the kernel answered
    const others = [...new Set(reqs.filter((r) => !r.samePlace).map((r) => r.peerNs))];
    const send = async (): Promise<void> => {
      for (const r of reqs) if (!r.samePlace) r.peerAttrs.netNsFd = r.peerNs.fd;
      const bodies = new EncodedBodies(n, 128);
      reqs.forEach((r, i) =>
        bodies.set(i, (w) => {
          IfInfoMsg.encode(w, { family: AF_UNSPEC, flags: r.o.up ? IFF_UP : 0, change: r.o.up ? IFF_UP : 0 });
          LinkAttrs.encode(w, r.localAttrs);
        }),
      );
      const conn = await ns.connection();
      const failures = await conn.commandMany(
        RTM_NEWLINK,
        NLM_F_CREATE | NLM_F_EXCL,
        n,
        (i, w) => bodies.write(i, w),
        (i) => ({ operation: 'create link', object: `${reqs[i]!.o.name ?? '(new veth)'} in ${ns.label}`, describeAttribute: (t) => LinkAttrs.describe(t) }),
      );
      if (failures.length > 0) throw new BulkError(`veth pair creations in ${ns.label}`, n, failures);
    };
    const holding = others.reduce<() => Promise<void>>((inner, other) => () => other.withFd(inner), send);
    await holding();
  }

  /**
   * The pair a veth end belongs to: `link` becomes {@link VethPair.local}, its peer is found as
   * {@link Link.peer} finds it (among `candidates`, the link's namespace and the host).
   */
  static async of(link: Link, candidates: Namespace[] = []): Promise<VethPair> {
    return new VethPair(link, await link.peer(candidates));
  }

  /** Deletes the pair (deleting one end removes both). */
  delete(): Promise<void> {
    return this.local.delete();
  }

  /** Both ends as plain objects. */
  toJSON(): Record<string, unknown> {
    return { local: { ...this.local.toJSON(), namespace: this.local.namespace.label }, peer: { ...this.peer.toJSON(), namespace: this.peer.namespace.label } };
  }
}
