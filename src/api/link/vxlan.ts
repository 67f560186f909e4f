/**
 * Vxlan: VXLAN tunnel devices (`ip link add vx0 type vxlan id 42 …`) and their FDB of
 * remote VTEPs (`bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.2`).
 * @module
 */
import { ValidationError } from '../../errors.js';
import { type VxlanAttributes, VXLAN_DF } from '../../rtnetlink/kinds/vxlan.js';
import { ipFamily, sameFamily } from '../../util/ip.js';
import { validateInt, validateOptions } from '../../util/validate.js';
import { Fdb, type FdbAddOptions, type FdbEntry } from './fdb.js';
import { BASIC_KEYS, type BasicLinkOptions, type BoolAttrMap, boolAttrs, createKind, dropUndefined, KindLink, kindData, optBool } from './kind.js';
import { Link, type LinkLike, resolveLinkIndex } from './link.js';
import type { Namespace } from '../namespace/namespace.js';

/**
 * Options of a VXLAN device.
 * @category Links
 */
export interface VxlanOptions {
  /** VXLAN network identifier, 0..16777215 (`id`). Required at creation. */
  vni?: number;
  /** unicast remote VTEP (`remote`). */
  remote?: string;
  /** multicast group (`group`); needs `device`. */
  group?: string;
  /** local source address (`local`). */
  local?: string;
  /** underlying device for the tunnel traffic (`dev`). */
  device?: LinkLike;
  /** destination UDP port (`dstport`); default 4789 (IANA). The kernel's own default is 8472. */
  dstPort?: number;
  /** UDP source port range (`srcport LOW HIGH`). */
  srcPortRange?: [number, number];
  /** TTL of outer packets, 0 = auto, or `'inherit'` (`ttl`). */
  ttl?: number | 'inherit';
  /** TOS of outer packets, or `'inherit'` (`tos`). */
  tos?: number | 'inherit';
  /** don't-fragment bit of outer IPv4 packets (`df`). */
  df?: (typeof VXLAN_DF)[number];
  /** IPv6 flow label (`flowlabel`). */
  flowLabel?: number;
  /** learn remote MACs from received packets (`[no]learning`, default on). */
  learning?: boolean;
  /** ARP proxy (`proxy`). */
  proxy?: boolean;
  /** route short-circuiting (`rsc`). */
  rsc?: boolean;
  /** L2 miss notifications (`l2miss`). */
  l2miss?: boolean;
  /** L3 miss notifications (`l3miss`). */
  l3miss?: boolean;
  /** FDB entry ageing time in seconds (`ageing`). */
  ageing?: number;
  /** maximum number of FDB entries (`maxaddress`). */
  maxAddresses?: number;
  /** UDP checksums over IPv4 (`[no]udpcsum`). */
  udpChecksum?: boolean;
  /** zero UDP checksums on IPv6 transmit (`udp6zerocsumtx`). */
  udp6ZeroChecksumTx?: boolean;
  /** accept zero UDP checksums on IPv6 receive (`udp6zerocsumrx`). */
  udp6ZeroChecksumRx?: boolean;
  /** collect-metadata mode, e.g. for eBPF / OVS (`external`). */
  external?: boolean;
  /** per-VNI filtering in external mode (`vnifilter`). */
  vniFilter?: boolean;
  /** group-based policy extension (`gbp`). */
  gbp?: boolean;
  /** generic protocol extension (`gpe`). */
  gpe?: boolean;
  /** bypass the tunnel for local destinations (`[no]localbypass`, default on). */
  localBypass?: boolean;
}

/**
 * Options of {@link Vxlan.create}.
 * @category Links
 */
export interface VxlanCreateOptions extends VxlanOptions, BasicLinkOptions {
  /** the VNI (required). */
  vni: number;
  /** create it directly inside this namespace (a name is then required; `device` is looked up here). */
  namespace?: Namespace;
}

/**
 * A VXLAN device's settings as the kernel reports them.
 * @category Links
 */
export interface VxlanSettings {
  /** the VNI. */
  vni: number | undefined;
  /** unicast remote or multicast group (IFLA_VXLAN_GROUP / GROUP6). */
  remote: string | undefined;
  /** local address. */
  local: string | undefined;
  /** index of the underlying device. */
  deviceIndex: number | undefined;
  /** destination UDP port. */
  dstPort: number | undefined;
  /** source port range. */
  srcPortRange: [number, number] | undefined;
  /** TTL (0 = auto), or 'inherit'. */
  ttl: number | 'inherit' | undefined;
  /** TOS, or 'inherit'. */
  tos: number | 'inherit' | undefined;
  /** DF setting. */
  df: (typeof VXLAN_DF)[number] | undefined;
  /** learning on. */
  learning: boolean;
  /** ARP proxy on. */
  proxy: boolean;
  /** ageing time, seconds. */
  ageing: number | undefined;
  /** maximum FDB entries (0 = unlimited). */
  maxAddresses: number | undefined;
  /** UDP checksums on. */
  udpChecksum: boolean;
  /** collect-metadata mode. */
  external: boolean;
  /** local bypass on. */
  localBypass: boolean;
  /** the raw IFLA_VXLAN_* attributes. */
  raw: VxlanAttributes;
}

const OPTION_KEYS = [
  'vni', 'remote', 'group', 'local', 'device', 'dstPort', 'srcPortRange', 'ttl', 'tos', 'df', 'flowLabel', 'learning', 'proxy',
  'rsc', 'l2miss', 'l3miss', 'ageing', 'maxAddresses', 'udpChecksum', 'udp6ZeroChecksumTx', 'udp6ZeroChecksumRx', 'external',
  'vniFilter', 'gbp', 'gpe', 'localBypass',
] as const;
const CREATE_KEYS = [...OPTION_KEYS, ...BASIC_KEYS] as const;

function ipOf(v: unknown, field: string, want?: 'unicast' | 'multicast'): { addr: string; v6: boolean } {
  const fam = typeof v === 'string' ? ipFamily(v) : 0;
  if (!fam) throw new ValidationError(field, v, 'not an IPv4 or IPv6 address');
  const s = v as string;
  const mc = fam === 4 ? Number(s.split('.')[0]) >= 224 && Number(s.split('.')[0]) <= 239 : /^ff/i.test(s);
  if (want === 'multicast' && !mc) throw new ValidationError(field, v, 'a group must be a multicast address');
  if (want === 'unicast' && mc) throw new ValidationError(field, v, 'a remote must be a unicast address (use group for multicast)');
  return { addr: s, v6: fam === 6 };
}

/** The options that are u8 flags: option name → IFLA_VXLAN_* attribute. */
const VXLAN_BOOLS = [
  ['learning', 'learning'],
  ['proxy', 'proxy'],
  ['rsc', 'rsc'],
  ['l2miss', 'l2miss'],
  ['l3miss', 'l3miss'],
  ['udpChecksum', 'udpCsum'],
  ['udp6ZeroChecksumTx', 'udpZeroCsum6Tx'],
  ['udp6ZeroChecksumRx', 'udpZeroCsum6Rx'],
  ['external', 'collectMetadata'],
  ['vniFilter', 'vnifilter'],
  ['localBypass', 'localbypass'],
] as const satisfies BoolAttrMap<VxlanOptions, VxlanAttributes>;

/** Validated IFLA_VXLAN_* attributes (device resolved to its index in `ns`). @internal */
export async function vxlanAttributes(ns: Namespace, o: VxlanOptions, create: boolean): Promise<Partial<VxlanAttributes>> {
  const a: Partial<VxlanAttributes> = {};
  if (create || o.vni !== undefined) a.id = validateInt(o.vni, 'vni', 0, 0xffffff);
  if (o.remote !== undefined && o.group !== undefined) throw new ValidationError('group', o.group, 'give either remote or group, not both');
  const dst = o.remote !== undefined ? ipOf(o.remote, 'remote', 'unicast') : o.group !== undefined ? ipOf(o.group, 'group', 'multicast') : undefined;
  if (dst) {
    if (dst.v6) a.group6 = dst.addr;
    else a.group = dst.addr;
  }
  if (o.local !== undefined) {
    const l = ipOf(o.local, 'local');
    if (l.v6) a.local6 = l.addr;
    else a.local = l.addr;
    // the kernel refuses mixed families only after the request: refuse them here
    if (dst) sameFamily([['local', o.local, l.v6 ? 6 : 4], [o.remote !== undefined ? 'remote' : 'group', o.remote ?? o.group, dst.v6 ? 6 : 4]]);
  }
  if (o.device !== undefined) a.link = await resolveLinkIndex(ns, o.device, 'device');
  if (o.dstPort !== undefined) a.port = validateInt(o.dstPort, 'dstPort', 1, 65535);
  else if (create) a.port = 4789;
  if (o.srcPortRange !== undefined) {
    if (!Array.isArray(o.srcPortRange) || o.srcPortRange.length !== 2) throw new ValidationError('srcPortRange', o.srcPortRange, 'expected [low, high]');
    const low = validateInt(o.srcPortRange[0], 'srcPortRange[0]', 1, 65535);
    const high = validateInt(o.srcPortRange[1], 'srcPortRange[1]', low, 65535);
    a.portRange = { low, high };
  }
  if (o.ttl === 'inherit') a.ttlInherit = true;
  else if (o.ttl !== undefined) a.ttl = validateInt(o.ttl, 'ttl', 0, 255);
  if (o.tos === 'inherit') a.tos = 1;
  else if (o.tos !== undefined) a.tos = validateInt(o.tos, 'tos', 0, 255);
  if (o.df !== undefined) {
    const i = VXLAN_DF.indexOf(o.df);
    if (i < 0) throw new ValidationError('df', o.df, `expected one of ${VXLAN_DF.join(', ')}`);
    a.df = i;
  }
  if (o.flowLabel !== undefined) a.label = validateInt(o.flowLabel, 'flowLabel', 0, 0xfffff);
  Object.assign(a, boolAttrs<VxlanOptions, VxlanAttributes>(o, VXLAN_BOOLS));
  if (o.ageing !== undefined) a.ageing = validateInt(o.ageing, 'ageing', 0, 0xffffffff);
  if (o.maxAddresses !== undefined) a.limit = validateInt(o.maxAddresses, 'maxAddresses', 0, 0xffffffff);
  if (optBool(o.gbp, 'gbp')) a.gbp = true;
  if (optBool(o.gpe, 'gpe')) a.gpe = true;
  return dropUndefined(a);
}

/**
 * A VXLAN device (a {@link Link} of kind `vxlan`).
 *
 * ```ts
 * const vx = await Vxlan.create(ns, { name: 'vx0', vni: 42, local: '10.0.0.1', dstPort: 4789 });
 * await vx.fdbAppend('10.0.0.2');   // bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.2
 * await vx.fdbAppend('10.0.0.3');   // a second remote for the same (default) MAC
 * ```
  * @category Links
 */
export class Vxlan extends KindLink {
  static override readonly kinds = ['vxlan'];
  static override readonly description = 'a vxlan device';

  /** The device's settings, from this snapshot. */
  get settings(): VxlanSettings {
    const raw = kindData<VxlanAttributes>(this);
    return {
      vni: raw.id,
      remote: raw.group ?? raw.group6,
      local: raw.local ?? raw.local6,
      deviceIndex: raw.link || undefined,
      dstPort: raw.port,
      srcPortRange: raw.portRange ? [raw.portRange.low, raw.portRange.high] : undefined,
      ttl: raw.ttlInherit ? 'inherit' : raw.ttl,
      tos: raw.tos === 1 ? 'inherit' : raw.tos,
      df: raw.df === undefined ? undefined : VXLAN_DF[raw.df],
      learning: raw.learning === 1,
      proxy: raw.proxy === 1,
      ageing: raw.ageing,
      maxAddresses: raw.limit,
      udpChecksum: raw.udpCsum === 1,
      external: raw.collectMetadata === 1,
      localBypass: raw.localbypass === 1,
      raw,
    };
  }

  /** Creates a VXLAN device (`ip link add NAME type vxlan id VNI …`). */
  static async create(ns: Namespace, opts: VxlanCreateOptions): Promise<Vxlan> {
    const o = validateOptions<VxlanCreateOptions>(opts, CREATE_KEYS);
    const data = await vxlanAttributes(ns, o, true);
    // `group` is the multicast group here: createKind reads only the basic options.
    return Vxlan.from(await createKind(ns, o, 'vxlan', data));
  }




  /** Changes options the kernel lets change on a live device (`ip link set vx0 type vxlan …`). */
  async setOptions(opts: VxlanOptions): Promise<void> {
    const o = validateOptions<VxlanOptions>(opts, OPTION_KEYS);
    const data = await vxlanAttributes(this.namespace, o, false);
    await this.changeLinkInfo({ kind: 'vxlan', data }, 'set vxlan options');
  }

  /** The device's FDB (`bridge fdb show dev vx0`): remote VTEPs per MAC. */
  fdb(): Promise<FdbEntry[]> {
    return Fdb.list(this.namespace, { device: this.index });
  }

  /**
   * Adds a remote VTEP for a MAC (default: the all-zero MAC, i.e. flooding / BUM traffic),
   * keeping the remotes it already has (`bridge fdb append MAC dev vx0 dst IP`, NLM_F_APPEND).
   */
  async fdbAppend(dst: string, options: Omit<FdbAddOptions, 'device' | 'dst' | 'mac'> & { mac?: string } = {}): Promise<void> {
    await Fdb.append(this.namespace, { mac: '00:00:00:00:00:00', ...options, dst, device: this, self: true });
  }

  /** Adds an entry (`bridge fdb add MAC dev vx0 dst IP`); EEXIST if the MAC has an entry already. */
  async fdbAdd(mac: string, dst: string, options: Omit<FdbAddOptions, 'device' | 'dst' | 'mac'> = {}): Promise<void> {
    await Fdb.add(this.namespace, { ...options, mac, dst, device: this, self: true });
  }

  /** Deletes an entry, or only its remote `dst` when given (`bridge fdb del MAC dev vx0 [dst IP]`). */
  async fdbDelete(mac: string, dst?: string): Promise<void> {
    await Fdb.delete(this.namespace, { mac, dst, device: this, self: true });
  }
}
