/**
 * Vlan: an 802.1Q / 802.1ad VLAN device on a lower device (`ip link add link eth0 name eth0.10 type vlan id 10`).
 * @module
 */
import { ValidationError } from '../../errors.js';
import {
  ETH_P_8021AD,
  ETH_P_8021Q,
  VLAN_FLAG_BRIDGE_BINDING,
  VLAN_FLAG_GVRP,
  VLAN_FLAG_LOOSE_BINDING,
  VLAN_FLAG_MVRP,
  VLAN_FLAG_REORDER_HDR,
  type VlanAttributes,
} from '../../rtnetlink/kinds/vlan.js';
import { validateInt, validateOptions } from '../../util/validate.js';
import type { Namespace } from '../namespace/namespace.js';
import { BASIC_KEYS, type BasicLinkOptions, createKind, KindLink, kindData, optBool } from './kind.js';
import type { LinkLike } from './link.js';

/**
 * Options of {@link Vlan.create}.
 * @category Links
 */
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

/**
 * A VLAN device's settings.
 * @category Links
 */
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

/**
 * An 802.1Q / 802.1ad VLAN device (kind `vlan`) on a lower device.
 * @category Links
 */
export class Vlan extends KindLink {
  static override readonly kinds = ['vlan'];
  static override readonly description = 'a vlan device';

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
}
