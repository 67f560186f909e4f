/**
 * Fdb: forwarding database entries of bridges, bridge ports and vxlan devices
 * (`bridge fdb show | add | append | replace | del`): RTM_*NEIGH messages with family
 * AF_BRIDGE, encoded with the neighbour family's codec (rtnetlink/neigh.ts).
 * @module
 */
import type { NlMessage } from '../../netlink/message.js';
import { ValidationError } from '../../errors.js';
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../../netlink/constants.js';
import { AF_BRIDGE, RTM_DELNEIGH, RTM_GETNEIGH, RTM_NEWNEIGH } from '../../rtnetlink/constants.js';
import {
  decodeNeighMessage,
  NdMsg,
  type NeighAttributes,
  NeighAttrs,
  NTF_EXT_LEARNED,
  NTF_EXT_LOCKED,
  NTF_MASTER,
  NTF_OFFLOADED,
  NTF_PROXY,
  NTF_ROUTER,
  NTF_SELF,
  NTF_STICKY,
  NTF_USE,
  NUD_NOARP,
  NUD_PERMANENT,
  NUD_REACHABLE,
  NUD_STALE,
} from '../../rtnetlink/neighbor.js';
import { parseIp } from '../../util/ip.js';
import { validateFlag, validateInt, validateOptions } from '../../util/validate.js';
import { Link, type LinkLike, resolveLinkIndex } from './link.js';
import { validateMac } from '../../rtnetlink/requests/link.js';
import type { Namespace } from '../namespace/namespace.js';

/**
 * State of an FDB entry, as `bridge fdb` prints it.
 * @category Links
 */
export type FdbState = 'permanent' | 'static' | 'dynamic' | 'stale';

/**
 * struct ndmsg of an FDB entry.
 * @category Links
 */
export interface FdbHeader {
  /** AF_BRIDGE. */
  family: number;
  /** the device the entry is on. */
  ifindex: number;
  /** NUD_* state bits. */
  state: number;
  /** NTF_* flag bits. */
  flags: number;
  /** unused by the FDB. */
  type: number;
}

/**
 * The message an FDB entry was decoded from (the neighbour family's codec, family AF_BRIDGE).
 * @category Links
 */
export interface FdbRaw {
  /** struct ndmsg. */
  header: FdbHeader;
  /** the NDA_* attributes. */
  attrs: NeighAttributes;
}

/**
 * One FDB entry, like a line of `bridge fdb show`.
 * @category Links
 */
export interface FdbEntry {
  /** the MAC address. */
  mac: string;
  /** index of the device the entry is on (the bridge port, the vxlan device, or the bridge itself). */
  ifindex: number;
  /** that device's name (`dev` in `bridge fdb show`), when it could be resolved. */
  device: string | undefined;
  /** index of the bridge the device is a port of (NDA_MASTER), for entries of a bridge's FDB. */
  masterIndex: number | undefined;
  /** that bridge's name (`master br0`). */
  master: string | undefined;
  /** VLAN id (`vlan 10`). */
  vlan: number | undefined;
  /** `permanent` (local / NUD_PERMANENT), `static` (NUD_NOARP), `dynamic` (learned) or `stale` (expired). */
  state: FdbState;
  /** NTF_* flag names: `self`, `master`, `extern_learn`, `offload`, `sticky`, `router`, `use`, `proxy`, `locked`. */
  flags: string[];
  /** remote VTEP address (vxlan: `dst 10.0.0.2`). */
  dst: string | undefined;
  /** remote UDP port (vxlan: `port 4789`). */
  dstPort: number | undefined;
  /** VNI (vxlan: `vni 42`). */
  vni: number | undefined;
  /** source VNI (vxlan in collect-metadata mode). */
  srcVni: number | undefined;
  /** outgoing interface index (vxlan: `via eth0`). */
  viaIndex: number | undefined;
  /** nexthop group id (vxlan: `nhid 5`). */
  nhid: number | undefined;
  /** seconds since the entry was last used to forward (`bridge -s fdb`: `used`). */
  usedSeconds: number | undefined;
  /** seconds since the entry was last updated / learnt (`bridge -s fdb`: `updated`). */
  updatedSeconds: number | undefined;
  /** the raw ndmsg header and NDA_* attributes. */
  raw: FdbRaw;
}

/**
 * Filters of {@link Fdb.list}, applied by the kernel.
 * @category Links
 */
export interface FdbListFilter {
  /** only the FDB of this bridge (NDA_MASTER in the dump request): `bridge fdb show br BR`. */
  bridge?: LinkLike;
  /** only entries on this device (ndm_ifindex): `bridge fdb show dev DEV`. */
  device?: LinkLike;
}

/**
 * An entry to add (see {@link Fdb.add}).
 * @category Links
 */
export interface FdbAddOptions {
  /** the MAC address (`00:00:00:00:00:00` is the default / flood entry of a vxlan device). */
  mac: string;
  /** the device: a bridge port (with `master`), the bridge itself or a vxlan device (with `self`). */
  device: LinkLike;
  /** VLAN id. */
  vlan?: number;
  /** `permanent` (default, as iproute2: a local entry), `static`, or `dynamic` (ages out). */
  state?: 'permanent' | 'static' | 'dynamic';
  /** add to the FDB of the bridge the device is a port of (NTF_MASTER). */
  master?: boolean;
  /** add to the device's own FDB (NTF_SELF). Default when neither master nor self is given, as iproute2. */
  self?: boolean;
  /** sticky: never moves to another port (NTF_STICKY). */
  sticky?: boolean;
  /** externally learnt (NTF_EXT_LEARNED). */
  externLearn?: boolean;
  /** vxlan: remote VTEP IP address. */
  dst?: string;
  /** vxlan: remote UDP port. */
  dstPort?: number;
  /** vxlan: VNI. */
  vni?: number;
  /** vxlan: source VNI. */
  srcVni?: number;
  /** vxlan: outgoing interface. */
  via?: LinkLike;
}

/**
 * What identifies an entry to delete (see {@link Fdb.delete}).
 * @category Links
 */
export interface FdbDeleteOptions {
  /** the MAC address. */
  mac: string;
  /** the device the entry is on. */
  device: LinkLike;
  /** VLAN id. */
  vlan?: number;
  /** from the bridge's FDB (NTF_MASTER). */
  master?: boolean;
  /** from the device's own FDB (NTF_SELF; default when neither is given). */
  self?: boolean;
  /** vxlan: only this remote of the entry. */
  dst?: string;
  /** vxlan: remote UDP port. */
  dstPort?: number;
  /** vxlan: VNI. */
  vni?: number;
  /** vxlan: source VNI. */
  srcVni?: number;
}

const ADD_KEYS = ['mac', 'device', 'vlan', 'state', 'master', 'self', 'sticky', 'externLearn', 'dst', 'dstPort', 'vni', 'srcVni', 'via'] as const;
const DEL_KEYS = ['mac', 'device', 'vlan', 'master', 'self', 'dst', 'dstPort', 'vni', 'srcVni'] as const;

const NTF_NAMES: [number, string][] = [
  [NTF_SELF, 'self'],
  [NTF_MASTER, 'master'],
  [NTF_EXT_LEARNED, 'extern_learn'],
  [NTF_OFFLOADED, 'offload'],
  [NTF_STICKY, 'sticky'],
  [NTF_ROUTER, 'router'],
  [NTF_USE, 'use'],
  [NTF_PROXY, 'proxy'],
];

function stateName(s: number): FdbState {
  if (s & NUD_PERMANENT) return 'permanent';
  if (s & NUD_NOARP) return 'static';
  if (s & NUD_STALE) return 'stale';
  return 'dynamic';
}

function stateBits(s: FdbAddOptions['state']): number {
  switch (s) {
    case undefined:
    case 'permanent':
      return NUD_PERMANENT | NUD_NOARP;
    case 'static':
      return NUD_NOARP | NUD_REACHABLE;
    case 'dynamic':
      return NUD_REACHABLE;
    default:
      throw new ValidationError('state', s, 'expected "permanent", "static" or "dynamic"');
  }
}

/** Validated NDA_* attributes shared by add and delete. */
function entryAttrs(o: FdbAddOptions | FdbDeleteOptions): Partial<NeighAttributes> {
  const attrs: Partial<NeighAttributes> = { lladdr: validateMac(o.mac, 'mac') };
  if (o.vlan !== undefined) attrs.vlan = validateInt(o.vlan, 'vlan', 0, 4094);
  if (o.dst !== undefined) {
    parseIp(o.dst, 'dst');
    attrs.dst = o.dst;
  }
  if (o.dstPort !== undefined) attrs.port = validateInt(o.dstPort, 'dstPort', 0, 65535);
  if (o.vni !== undefined) attrs.vni = validateInt(o.vni, 'vni', 0, 0xffffff);
  if (o.srcVni !== undefined) attrs.srcVni = validateInt(o.srcVni, 'srcVni', 0, 0xffffff);
  return attrs;
}

function ntfFlags(o: { master?: boolean; self?: boolean }): number {
  const master = validateFlag(o.master, 'master');
  const self = validateFlag(o.self, 'self');
  return (master ? NTF_MASTER : 0) | (self || !master ? NTF_SELF : 0);
}

function describeEntry(mac: string, device: LinkLike, o: { vlan?: number; dst?: string }): string {
  const dev = device instanceof Link ? device.name : typeof device === 'number' ? `#${device}` : device;
  return `${mac} dev ${dev}${o.vlan !== undefined ? ` vlan ${o.vlan}` : ''}${o.dst !== undefined ? ` dst ${o.dst}` : ''}`;
}

/**
 * Decodes one AF_BRIDGE RTM_NEWNEIGH / RTM_DELNEIGH message (a dump entry or a
 * notification) into an FDB entry; `names` maps interface indexes to names. Throws a
 * ParseError on a malformed message.
 * @internal
 */
export function fdbEntryFromMessage(m: NlMessage, names: ReadonlyMap<number, string> = new Map()): FdbEntry {
  const { header, attrs } = decodeNeighMessage(m);
  let flags = NTF_NAMES.filter(([bit]) => header.flags & bit).map(([, n]) => n);
  if ((attrs.flagsExt ?? 0) & NTF_EXT_LOCKED) flags = [...flags, 'locked'];
  const ci = attrs.cacheinfo;
  return {
    mac: attrs.lladdr ?? '',
    ifindex: header.ifindex,
    device: names.get(header.ifindex),
    masterIndex: attrs.master,
    master: attrs.master !== undefined ? names.get(attrs.master) : undefined,
    vlan: attrs.vlan,
    state: stateName(header.state),
    flags,
    dst: attrs.dst,
    dstPort: attrs.port,
    vni: attrs.vni,
    srcVni: attrs.srcVni,
    viaIndex: attrs.ifindex,
    nhid: attrs.nhId,
    usedSeconds: ci ? ci.used / 100 : undefined,
    updatedSeconds: ci ? ci.updated / 100 : undefined,
    raw: { header, attrs },
  };
}

/**
 * Bridge / vxlan forwarding database operations (`bridge fdb …`).
 * @category Links
 */
export class Fdb {
  private constructor() {}

  /**
   * FDB entries of a namespace, like `bridge fdb show [br BR] [dev DEV]`: the bridges'
   * entries (learnt, static, permanent, with `master`) and the devices' own entries (`self`,
   * e.g. multicast addresses and vxlan remotes). Device names are resolved with one link dump.
   */
  static async list(ns: Namespace, filter: FdbListFilter = {}): Promise<FdbEntry[]> {
    const f = validateOptions<FdbListFilter>(filter, ['bridge', 'device'], 'filter');
    const [bridge, device] = await Promise.all([
      f.bridge === undefined ? undefined : resolveLinkIndex(ns, f.bridge, 'filter.bridge'),
      f.device === undefined ? undefined : resolveLinkIndex(ns, f.device, 'filter.device'),
    ]);
    const conn = await ns.connection();
    const [msgs, links] = await Promise.all([
      conn.dumpAll(
        RTM_GETNEIGH,
        0,
        (w) => {
          NdMsg.encode(w, { family: AF_BRIDGE, ifindex: device ?? 0 });
          NeighAttrs.encode(w, { master: bridge });
        },
        { operation: 'list fdb', object: `in ${ns.label}`, describeAttribute: (t) => NeighAttrs.describe(t) },
      ),
      Link.list(ns),
    ]);
    const names = new Map(links.map((l) => [l.index, l.name]));
    return msgs.map((m) => fdbEntryFromMessage(m, names));
  }

  /** Adds an entry (`bridge fdb add MAC dev DEV [master|self] [static|dynamic] [vlan N] [dst IP]`); EEXIST if it exists. */
  static add(ns: Namespace, entry: FdbAddOptions): Promise<void> {
    return Fdb.write(ns, entry, NLM_F_CREATE | NLM_F_EXCL, 'add fdb entry');
  }

  /** Adds or replaces an entry (`bridge fdb replace …`). */
  static replace(ns: Namespace, entry: FdbAddOptions): Promise<void> {
    return Fdb.write(ns, entry, NLM_F_CREATE | NLM_F_REPLACE, 'replace fdb entry');
  }

  /**
   * Appends a remote to an entry (`bridge fdb append MAC dev vxlan0 dst IP`, NLM_F_APPEND):
   * a vxlan MAC (e.g. the all-zero default entry) can have several remote `dst`s, each
   * receiving a copy (head-end replication).
   */
  static append(ns: Namespace, entry: FdbAddOptions): Promise<void> {
    return Fdb.write(ns, entry, NLM_F_CREATE | NLM_F_APPEND, 'append fdb entry');
  }

  /** Deletes an entry (`bridge fdb del MAC dev DEV [master|self] [vlan N] [dst IP]`). */
  static async delete(ns: Namespace, entry: FdbDeleteOptions): Promise<void> {
    const o = validateOptions<FdbDeleteOptions>(entry, DEL_KEYS, 'entry');
    if (o.device === undefined) throw new ValidationError('entry.device', undefined, 'the device is required');
    const attrs = entryAttrs(o);
    const flags = ntfFlags(o);
    const ifindex = await resolveLinkIndex(ns, o.device, 'device');
    const conn = await ns.connection();
    await conn.request(
      RTM_DELNEIGH,
      0,
      (w) => {
        NdMsg.encode(w, { family: AF_BRIDGE, ifindex, flags, state: NUD_NOARP });
        NeighAttrs.encode(w, attrs);
      },
      { operation: 'delete fdb entry', object: `${describeEntry(attrs.lladdr!, o.device, o)} in ${ns.label}`, describeAttribute: (t) => NeighAttrs.describe(t) },
    );
  }

  private static async write(ns: Namespace, entry: FdbAddOptions, nlFlags: number, operation: string): Promise<void> {
    const o = validateOptions<FdbAddOptions>(entry, ADD_KEYS, 'entry');
    if (o.device === undefined) throw new ValidationError('entry.device', undefined, 'the device is required');
    const attrs = entryAttrs(o);
    const state = stateBits(o.state);
    let flags = ntfFlags(o);
    if (validateFlag(o.sticky, 'sticky')) flags |= NTF_STICKY;
    if (validateFlag(o.externLearn, 'externLearn')) flags |= NTF_EXT_LEARNED;
    const [ifindex, via] = await Promise.all([
      resolveLinkIndex(ns, o.device, 'device'),
      o.via === undefined ? undefined : resolveLinkIndex(ns, o.via, 'via'),
    ]);
    if (via !== undefined) attrs.ifindex = via;
    const conn = await ns.connection();
    await conn.request(
      RTM_NEWNEIGH,
      nlFlags,
      (w) => {
        NdMsg.encode(w, { family: AF_BRIDGE, ifindex, flags, state });
        NeighAttrs.encode(w, attrs);
      },
      { operation, object: `${describeEntry(attrs.lladdr!, o.device, o)} in ${ns.label}`, describeAttribute: (t) => NeighAttrs.describe(t) },
    );
  }
}
