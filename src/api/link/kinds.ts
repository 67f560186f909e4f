/**
 * Creation helpers for the remaining link kinds: Dummy, Vlan, Vrf, Bond and Wireguard
 * (`ip link add … type dummy|vlan|vrf|bond|wireguard`). Each is a {@link Link} of its kind
 * with typed settings read back from IFLA_INFO_DATA.
 * @module
 */
import { ValidationError } from '../../errors.js';
import {
  BOND_MODES,
  type BondAttributes,
  ETH_P_8021AD,
  ETH_P_8021Q,
  VLAN_FLAG_BRIDGE_BINDING,
  VLAN_FLAG_GVRP,
  VLAN_FLAG_LOOSE_BINDING,
  VLAN_FLAG_MVRP,
  VLAN_FLAG_REORDER_HDR,
  type VlanAttributes,
  type VrfAttributes,
} from '../../rtnetlink/link-kinds.js';
import type { LinkAttributes } from '../../rtnetlink/link.js';
import { ipFamily } from '../../util/ip.js';
import { validateInt, validateOptions } from '../../util/validate.js';
import { asKind, commonCreateAttrs, createLink, KindLink, kindData, Link, type LinkLike, optBool } from './link.js';
import type { Namespace } from '../namespace/namespace.js';

/** Options every kind helper takes. */
export interface BasicLinkOptions {
  /** the name; omitted: the kernel chooses (`dummy0`, `bond0`, …). */
  name?: string;
  /** MTU in bytes. */
  mtu?: number;
  /** MAC address. */
  address?: string;
  /** transmit queue length. */
  txqlen?: number;
  /** bring it up at creation. */
  up?: boolean;
  /** create it directly inside this namespace (a name is then required). */
  namespace?: Namespace;
}
const BASIC_KEYS = ['name', 'mtu', 'address', 'txqlen', 'up', 'namespace'] as const;

async function createKind(ns: Namespace, o: BasicLinkOptions & { parent?: LinkLike }, kind: string, data?: object): Promise<Link> {
  const attrs: Partial<LinkAttributes> = await commonCreateAttrs(ns, o);
  attrs.linkinfo = data === undefined ? { kind } : { kind, data };
  return createLink(ns, { attrs, up: o.up, target: o.namespace, what: kind });
}

function dropUndefined<T extends object>(a: T): T {
  for (const k of Object.keys(a) as (keyof T)[]) if (a[k] === undefined) delete a[k];
  return a;
}

// ---- dummy ----------------------------------------------------------------------------

/** A dummy device (kind `dummy`): a sink for packets, handy to hold addresses. */
export class Dummy extends KindLink {
  /** Creates a dummy device (`ip link add NAME type dummy`). */
  static async create(ns: Namespace, opts: BasicLinkOptions = {}): Promise<Dummy> {
    const o = validateOptions<BasicLinkOptions>(opts, BASIC_KEYS);
    return Dummy.from(await createKind(ns, o, 'dummy'));
  }
  /** Views a Link snapshot of kind `dummy` as a Dummy; EINVAL for other kinds. */
  static from(link: Link): Dummy {
    return asKind(Dummy, link, ['dummy'], 'a dummy device');
  }
}

// ---- vlan -----------------------------------------------------------------------------

/** Options of {@link Vlan.create}. */
export interface VlanCreateOptions extends BasicLinkOptions {
  /** the lower device (`link eth0`). Required. */
  parent: LinkLike;
  /** the VLAN id 0..4094 (`id`). Required. */
  id: number;
  /** `802.1Q` (default) or `802.1ad` (QinQ outer tag). */
  protocol?: '802.1Q' | '802.1ad';
  /** reorder the header (`reorder_hdr`, kernel default on). */
  reorderHdr?: boolean;
  /** GARP VLAN registration (`gvrp`). */
  gvrp?: boolean;
  /** MRP VLAN registration (`mvrp`). */
  mvrp?: boolean;
  /** operational state not bound to the lower device (`loose_binding`). */
  looseBinding?: boolean;
  /** state follows bridge ports in the VLAN (`bridge_binding`). */
  bridgeBinding?: boolean;
  /** egress priority map: skb priority → VLAN PCP (`egress-qos-map FROM:TO`). */
  egressQos?: [number, number][];
  /** ingress priority map: VLAN PCP → skb priority (`ingress-qos-map FROM:TO`). */
  ingressQos?: [number, number][];
}

/** A VLAN device's settings. */
export interface VlanSettings {
  /** the VLAN id. */
  id: number | undefined;
  /** the tag protocol. */
  protocol: '802.1Q' | '802.1ad' | undefined;
  /** VLAN_FLAG_* bits. */
  flags: number | undefined;
  /** the raw IFLA_VLAN_* attributes. */
  raw: VlanAttributes;
}

/** Validated IFLA_VLAN_* attributes. @internal */
export function vlanAttributes(o: Omit<VlanCreateOptions, 'parent'>): Partial<VlanAttributes> {
  const a: Partial<VlanAttributes> = { id: validateInt(o.id, 'id', 0, 4094) };
  if (o.protocol !== undefined) {
    if (o.protocol !== '802.1Q' && o.protocol !== '802.1ad') throw new ValidationError('protocol', o.protocol, 'expected "802.1Q" or "802.1ad"');
    a.protocol = o.protocol === '802.1Q' ? ETH_P_8021Q : ETH_P_8021AD;
  }
  let flags = 0;
  let mask = 0;
  const bits: ['reorderHdr' | 'gvrp' | 'looseBinding' | 'mvrp' | 'bridgeBinding', number][] = [
    ['reorderHdr', VLAN_FLAG_REORDER_HDR],
    ['gvrp', VLAN_FLAG_GVRP],
    ['looseBinding', VLAN_FLAG_LOOSE_BINDING],
    ['mvrp', VLAN_FLAG_MVRP],
    ['bridgeBinding', VLAN_FLAG_BRIDGE_BINDING],
  ];
  for (const [k, bit] of bits) {
    const v = optBool(o[k], k);
    if (v === undefined) continue;
    mask |= bit;
    if (v) flags |= bit;
  }
  if (mask) a.flags = { flags, mask };
  const qos = (v: unknown, field: string): { mapping: { from: number; to: number }[] } => {
    if (!Array.isArray(v)) throw new ValidationError(field, v, 'expected [[from, to], …]');
    return {
      mapping: v.map((p, i) => {
        if (!Array.isArray(p) || p.length !== 2) throw new ValidationError(`${field}[${i}]`, p, 'expected [from, to]');
        return { from: validateInt(p[0], `${field}[${i}][0]`, 0, 0xffffffff), to: validateInt(p[1], `${field}[${i}][1]`, 0, 0xffffffff) };
      }),
    };
  };
  if (o.egressQos !== undefined) a.egressQos = qos(o.egressQos, 'egressQos');
  if (o.ingressQos !== undefined) a.ingressQos = qos(o.ingressQos, 'ingressQos');
  return a;
}

/** An 802.1Q / 802.1ad VLAN device (kind `vlan`) on a lower device. */
export class Vlan extends KindLink {
  /** The VLAN's settings, from this snapshot. */
  get settings(): VlanSettings {
    const raw = kindData<VlanAttributes>(this);
    return {
      id: raw.id,
      protocol: raw.protocol === ETH_P_8021Q ? '802.1Q' : raw.protocol === ETH_P_8021AD ? '802.1ad' : undefined,
      flags: raw.flags?.flags,
      raw,
    };
  }
  /** Creates a VLAN device (`ip link add link PARENT name NAME type vlan id ID`). */
  static async create(ns: Namespace, opts: VlanCreateOptions): Promise<Vlan> {
    const o = validateOptions<VlanCreateOptions>(opts, [
      ...BASIC_KEYS, 'parent', 'id', 'protocol', 'reorderHdr', 'gvrp', 'mvrp', 'looseBinding', 'bridgeBinding', 'egressQos', 'ingressQos',
    ]);
    if (o.parent === undefined) throw new ValidationError('parent', undefined, 'a vlan needs a lower device (parent)');
    const data = vlanAttributes(o);
    return Vlan.from(await createKind(ns, o, 'vlan', data));
  }
  /** Views a Link snapshot of kind `vlan` as a Vlan; EINVAL for other kinds. */
  static from(link: Link): Vlan {
    return asKind(Vlan, link, ['vlan'], 'a vlan device');
  }
}

// ---- vrf ------------------------------------------------------------------------------

/** Options of {@link Vrf.create}. */
export interface VrfCreateOptions extends BasicLinkOptions {
  /** the routing table of this VRF (`table`). Required. */
  table: number;
}

/** A VRF device (kind `vrf`): an L3 domain with its own routing table. */
export class Vrf extends KindLink {
  /** The VRF's routing table, from this snapshot. */
  get table(): number | undefined {
    return kindData<VrfAttributes>(this).table;
  }
  /** Creates a VRF (`ip link add NAME type vrf table N`). */
  static async create(ns: Namespace, opts: VrfCreateOptions): Promise<Vrf> {
    const o = validateOptions<VrfCreateOptions>(opts, [...BASIC_KEYS, 'table']);
    const data: Partial<VrfAttributes> = { table: validateInt(o.table, 'table', 1, 0xffffffff) };
    return Vrf.from(await createKind(ns, o, 'vrf', data));
  }
  /** Views a Link snapshot of kind `vrf` as a Vrf; EINVAL for other kinds. */
  static from(link: Link): Vrf {
    return asKind(Vrf, link, ['vrf'], 'a vrf device');
  }
}

// ---- bond -----------------------------------------------------------------------------

/** Bond transmit hash policies, as `xmit_hash_policy` takes them. */
export type BondXmitHashPolicy = 'layer2' | 'layer3+4' | 'layer2+3' | 'encap2+3' | 'encap3+4' | 'vlan+srcmac';
/** Bonding modes, as `ip link add type bond mode …` takes them. */
export type BondMode = 'balance-rr' | 'active-backup' | 'balance-xor' | 'broadcast' | '802.3ad' | 'balance-tlb' | 'balance-alb';
const BOND_XMIT_HASH_POLICIES: Record<BondXmitHashPolicy, number> = { layer2: 0, 'layer3+4': 1, 'layer2+3': 2, 'encap2+3': 3, 'encap3+4': 4, 'vlan+srcmac': 5 };

/** Options of {@link Bond.create}. */
export interface BondCreateOptions extends BasicLinkOptions {
  /** the bonding mode (`mode`); the kernel's default is `balance-rr`. */
  mode?: BondMode;
  /** MII link monitoring interval in ms (`miimon`). */
  miimon?: number;
  /** delay before enabling a slave after link up, ms (`updelay`). */
  updelay?: number;
  /** delay before disabling a slave after link down, ms (`downdelay`). */
  downdelay?: number;
  /** ARP monitoring interval in ms (`arp_interval`). */
  arpInterval?: number;
  /** ARP monitoring targets, IPv4 (`arp_ip_target`). */
  arpIpTargets?: string[];
  /** minimum number of active slaves for carrier (`min_links`). */
  minLinks?: number;
  /** transmit hash policy (`xmit_hash_policy`). */
  xmitHashPolicy?: BondXmitHashPolicy;
  /** 802.3ad LACP rate (`lacp_rate`). */
  lacpRate?: 'slow' | 'fast';
}

/** A bond's settings. */
export interface BondSettings {
  /** the mode. */
  mode: BondMode | undefined;
  /** MII monitoring interval, ms. */
  miimon: number | undefined;
  /** minimum links. */
  minLinks: number | undefined;
  /** the raw IFLA_BOND_* attributes. */
  raw: BondAttributes;
}

/** Validated IFLA_BOND_* attributes. @internal */
export function bondAttributes(o: BondCreateOptions): Partial<BondAttributes> {
  const a: Partial<BondAttributes> = {};
  if (o.mode !== undefined) {
    if (!Object.hasOwn(BOND_MODES, o.mode)) throw new ValidationError('mode', o.mode, `expected one of ${Object.keys(BOND_MODES).join(', ')}`);
    a.mode = BOND_MODES[o.mode];
  }
  if (o.miimon !== undefined) a.miimon = validateInt(o.miimon, 'miimon', 0, 0x7fffffff);
  if (o.updelay !== undefined) a.updelay = validateInt(o.updelay, 'updelay', 0, 0x7fffffff);
  if (o.downdelay !== undefined) a.downdelay = validateInt(o.downdelay, 'downdelay', 0, 0x7fffffff);
  if (o.arpInterval !== undefined) a.arpInterval = validateInt(o.arpInterval, 'arpInterval', 0, 0x7fffffff);
  if (o.arpIpTargets !== undefined) {
    if (!Array.isArray(o.arpIpTargets) || o.arpIpTargets.length > 16) throw new ValidationError('arpIpTargets', o.arpIpTargets, 'expected up to 16 IPv4 addresses');
    o.arpIpTargets.forEach((t, i) => {
      if (ipFamily(t) !== 4) throw new ValidationError(`arpIpTargets[${i}]`, t, 'expected an IPv4 address');
    });
    a.arpIpTarget = o.arpIpTargets;
  }
  if (o.minLinks !== undefined) a.minLinks = validateInt(o.minLinks, 'minLinks', 0, 0xffffffff);
  if (o.xmitHashPolicy !== undefined) {
    if (!Object.hasOwn(BOND_XMIT_HASH_POLICIES, o.xmitHashPolicy)) {
      throw new ValidationError('xmitHashPolicy', o.xmitHashPolicy, `expected one of ${Object.keys(BOND_XMIT_HASH_POLICIES).join(', ')}`);
    }
    a.xmitHashPolicy = BOND_XMIT_HASH_POLICIES[o.xmitHashPolicy];
  }
  if (o.lacpRate !== undefined) {
    if (o.lacpRate !== 'slow' && o.lacpRate !== 'fast') throw new ValidationError('lacpRate', o.lacpRate, 'expected "slow" or "fast"');
    a.adLacpRate = o.lacpRate === 'fast' ? 1 : 0;
  }
  return dropUndefined(a);
}

/** A bonding device (kind `bond`); add slaves with {@link Link.setMaster}. */
export class Bond extends KindLink {
  /** The bond's settings, from this snapshot. */
  get settings(): BondSettings {
    const raw = kindData<BondAttributes>(this);
    const mode = (Object.keys(BOND_MODES) as BondMode[]).find((k) => BOND_MODES[k] === raw.mode);
    return { mode, miimon: raw.miimon, minLinks: raw.minLinks, raw };
  }
  /** Creates a bond (`ip link add NAME type bond mode MODE miimon N …`). */
  static async create(ns: Namespace, opts: BondCreateOptions = {}): Promise<Bond> {
    const o = validateOptions<BondCreateOptions>(opts, [
      ...BASIC_KEYS, 'mode', 'miimon', 'updelay', 'downdelay', 'arpInterval', 'arpIpTargets', 'minLinks', 'xmitHashPolicy', 'lacpRate',
    ]);
    const data = bondAttributes(o);
    return Bond.from(await createKind(ns, o, 'bond', data));
  }
  /** Views a Link snapshot of kind `bond` as a Bond; EINVAL for other kinds. */
  static from(link: Link): Bond {
    return asKind(Bond, link, ['bond'], 'a bond device');
  }
}

// ---- wireguard ------------------------------------------------------------------------

/**
 * A WireGuard device (kind `wireguard`). Only creation is rtnetlink; keys and peers are set
 * over the `wireguard` generic-netlink family, which netns-kit does not speak yet.
 */
export class Wireguard extends KindLink {
  /** Creates a WireGuard device (`ip link add NAME type wireguard`). */
  static async create(ns: Namespace, opts: Omit<BasicLinkOptions, 'address'> = {}): Promise<Wireguard> {
    const o = validateOptions<BasicLinkOptions>(opts, ['name', 'mtu', 'txqlen', 'up', 'namespace']);
    return Wireguard.from(await createKind(ns, o, 'wireguard'));
  }
  /** Views a Link snapshot of kind `wireguard` as a Wireguard; EINVAL for other kinds. */
  static from(link: Link): Wireguard {
    return asKind(Wireguard, link, ['wireguard'], 'a wireguard device');
  }
}
