/**
 * Vrf: an L3 domain with its own routing table (`ip link add NAME type vrf table N`).
 * @module
 */
import type { VrfAttributes } from '../../rtnetlink/kinds/vrf.js';
import { validateInt, validateOptions } from '../../util/validate.js';
import type { Namespace } from '../namespace/namespace.js';
import { BASIC_KEYS, type BasicLinkOptions, createKind, KindLink, kindData } from './kind.js';

/**
 * Options of {@link Vrf.create}.
 * @category Links
 */
export interface VrfCreateOptions extends BasicLinkOptions {
  /** the routing table of this VRF (`table`). Required. */
  table: number;
}

/**
 * A VRF device (kind `vrf`): an L3 domain with its own routing table.
 * @category Links
 */
export class Vrf extends KindLink {
  static override readonly kinds = ['vrf'];
  static override readonly description = 'a vrf device';

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
}
