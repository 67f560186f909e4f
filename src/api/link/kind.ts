/**
 * What every kind-specific link class shares (Bridge, Vxlan, Macvlan, Tun, Dummy, Vlan, …):
 * the options every creation takes ({@link BasicLinkOptions}), one `get` / `list` / `from`
 * for all kinds ({@link KindLink}), and creating a link of a kind with its IFLA_INFO_DATA.
 * @module
 */
import { NetnsKitError, ValidationError } from '../../errors.js';
import type { LinkMessage } from '../../rtnetlink/link.js';
import type { Namespace } from '../namespace/namespace.js';
import { commonCreateAttrs, createLink, Link, type LinkLike } from './link.js';

/**
 * Options every kind's `create` takes; each kind's options extend them.
 * @category Links
 */
export interface BasicLinkOptions {
  /** the name; omitted: the kernel chooses (`dummy0`, `bond0`, `br0`-style `<kind>N`, …). */
  name?: string;
  /** MTU in bytes. */
  mtu?: number;
  /** MAC address (default: random). */
  address?: string;
  /** transmit queue length. */
  txqlen?: number;
  /** bring it up at creation. */
  up?: boolean;
  /** create it directly inside this namespace (a name is then required). */
  namespace?: Namespace;
}

/** The keys of {@link BasicLinkOptions}, for option validation. @internal */
export const BASIC_KEYS = ['name', 'mtu', 'address', 'txqlen', 'up', 'namespace'] as const;

/**
 * A kind class as its shared static methods see it: its constructor and the kinds it stands for.
 * @category Links
 */
export interface KindClass<T extends Link> {
  /** Wraps a decoded link message. */
  new (namespace: Namespace, msg: LinkMessage): T;
  /** The IFLA_INFO_KIND values of the class (`list` asks the kernel for the first). */
  readonly kinds: readonly string[];
  /** How a message names one, e.g. `a bridge`. */
  readonly description: string;
}

/**
 * The base of kind-specific link classes: a {@link Link} (`instanceof Link` holds) whose
 * class knows its kind, with one `get` / `list` / `from` shared by every kind. Typed without
 * Link's static methods, so each kind has its own `create` options.
  * @category Links
 */
export class KindLink extends (Link as new (namespace: Namespace, msg: LinkMessage) => Link) {
  /** The IFLA_INFO_KIND values this class stands for (each kind class sets its own). */
  static readonly kinds: readonly string[] = [];
  /** How a message names a link of this class (`a bridge`). */
  static readonly description: string = 'a link of a kind';

  /** Views a Link snapshot as this kind (`Bridge.from(link)`); EINVAL when the link is of another kind. */
  static from<T extends Link>(this: KindClass<T>, link: Link): T {
    if (link.kind === undefined || !this.kinds.includes(link.kind)) {
      throw new NetnsKitError(
        `link ${link.name} in ${link.namespace.label} is ${link.kind ? `a ${link.kind} link` : 'a link without a kind'}, not ${this.description}`,
        'EINVAL',
        22,
      );
    }
    return new this(link.namespace, link.message);
  }

  /** A link of this kind by name, index or Link (refreshed): `await Bridge.get(ns, 'br0')`; EINVAL if it is of another kind. */
  static async get<T extends Link>(this: KindClass<T>, ns: Namespace, ref: LinkLike): Promise<T> {
    const link = ref instanceof Link ? await ref.refresh() : await Link.get(ns, ref);
    return KindLink.from.call(this, link) as T;
  }

  /** Every link of this kind in a namespace (`ip link show type KIND`), filtered by the kernel. */
  static async list<T extends Link>(this: KindClass<T>, ns: Namespace): Promise<T[]> {
    return (await Link.list(ns, { kind: this.kinds[0] })).map((l) => KindLink.from.call(this, l) as T);
  }
}

/** What {@link createKind} takes: the basic options and the lower device. @internal */
export type KindCreateBase = BasicLinkOptions & { parent?: LinkLike | undefined };

/**
 * Creates a link of `kind` with its IFLA_INFO_DATA `data` from already validated options (only
 * the basic options and `parent` are read: a kind's own options never reach IFLA_* attributes).
 * @internal
 */
export async function createKind(ns: Namespace, o: KindCreateBase, kind: string, data?: object): Promise<Link> {
  const { name, mtu, address, txqlen, up, namespace, parent } = o;
  const attrs = await commonCreateAttrs(ns, { name, mtu, address, txqlen, up, namespace, parent });
  attrs.linkinfo = data === undefined ? { kind } : { kind, data };
  return createLink(ns, { attrs, up: o.up, target: o.namespace, what: kind });
}

/** The decoded IFLA_INFO_DATA of a link as T (an empty object when absent or undecoded). @internal */
export function kindData<T extends object>(link: Link): T {
  const d = link.linkInfo?.data;
  return (d && !Buffer.isBuffer(d) ? d : {}) as T;
}

/** Checks an optional boolean option and returns 1/0/undefined (u8 flags). @internal */
export function optBool(v: unknown, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new ValidationError(field, v, 'expected true or false');
  return v ? 1 : 0;
}

/** Boolean options sent as u8 attributes: pairs of option name and attribute name. @internal */
export type BoolAttrMap<O, A> = readonly (readonly [keyof O & string, keyof A & string])[];

/**
 * Checks the boolean options named in `map` and returns them as u8 attributes (1 / 0);
 * options not given are left out. @internal
 */
export function boolAttrs<O extends object, A extends object>(o: O, map: BoolAttrMap<O, A>): Partial<A> {
  const a: Record<string, number> = {};
  for (const [option, attr] of map) {
    const v = optBool((o as Record<string, unknown>)[option], option);
    if (v !== undefined) a[attr] = v;
  }
  return a as Partial<A>;
}

/** Reads u8 attributes back as the boolean options of `map` (`=== 1`). @internal */
export function boolsOf<O extends object, A extends object>(raw: A, map: BoolAttrMap<O, A>): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [option, attr] of map) out[option] = (raw as Record<string, unknown>)[attr] === 1;
  return out;
}

/** Deletes the keys whose value is undefined (attributes not to send). @internal */
export function dropUndefined<T extends object>(a: T): T {
  for (const k of Object.keys(a) as (keyof T)[]) if (a[k] === undefined) delete a[k];
  return a;
}
