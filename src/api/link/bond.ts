/**
 * Bond: link aggregation (`ip link add NAME type bond mode MODE …`).
 * @module
 */
import { ValidationError } from '../../errors.js';
import { BOND_MODES, type BondAttributes } from '../../rtnetlink/kinds/bond.js';
import { ipFamily } from '../../util/ip.js';
import { validateInt, validateOptions } from '../../util/validate.js';
import type { Namespace } from '../namespace/namespace.js';
import { BASIC_KEYS, type BasicLinkOptions, createKind, dropUndefined, KindLink, kindData } from './kind.js';


/**
 * Bond transmit hash policies, as `xmit_hash_policy` takes them.
 * @category Links
 */
export type BondXmitHashPolicy = 'layer2' | 'layer3+4' | 'layer2+3' | 'encap2+3' | 'encap3+4' | 'vlan+srcmac';
/**
 * Bonding modes, as `ip link add type bond mode …` takes them.
 * @category Links
 */
export type BondMode = 'balance-rr' | 'active-backup' | 'balance-xor' | 'broadcast' | '802.3ad' | 'balance-tlb' | 'balance-alb';
const BOND_XMIT_HASH_POLICIES: Record<BondXmitHashPolicy, number> = { layer2: 0, 'layer3+4': 1, 'layer2+3': 2, 'encap2+3': 3, 'encap3+4': 4, 'vlan+srcmac': 5 };

/**
 * Options of {@link Bond.create}.
 * @category Links
 */
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

/**
 * A bond's settings.
 * @category Links
 */
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

/**
 * A bonding device (kind `bond`); add slaves with {@link Link.setMaster}.
 * @category Links
 */
export class Bond extends KindLink {
  static override readonly kinds = ['bond'];
  static override readonly description = 'a bond device';

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
}
