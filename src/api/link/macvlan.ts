/**
 * Macvlan and Macvtap: devices with their own MAC address on top of a lower device
 * (`ip link add mv0 link eth0 type macvlan mode bridge`, `… type macvtap`).
 * @module
 */
import { ValidationError } from '../../errors.js';
import { MACVLAN_FLAG_NOPROMISC, MACVLAN_MODES, type MacvlanAttributes } from '../../rtnetlink/kinds/macvlan.js';
import { validateInt, validateOptions } from '../../util/validate.js';
import { BASIC_KEYS, type BasicLinkOptions, createKind, KindLink, kindData } from './kind.js';
import type { Link, LinkLike } from './link.js';
import type { Namespace } from '../namespace/namespace.js';

/**
 * Macvlan modes: how macvlans on one lower device reach each other — `private` (never),
 * `vepa` (through the external switch), `bridge` (directly), `passthru` (one macvlan takes
 * over the lower device), `source` (by source MAC allow-list).
  * @category Links
 */
export type MacvlanMode = 'private' | 'vepa' | 'bridge' | 'passthru' | 'source';

/**
 * Options of {@link Macvlan.create} / {@link Macvtap.create}.
 * @category Links
 */
export interface MacvlanCreateOptions extends BasicLinkOptions {
  /** the lower device (`link eth0`). Required. */
  parent: LinkLike;
  /** the mode (`mode bridge`); the kernel's default is `vepa`. */
  mode?: MacvlanMode;
  /** do not put the lower device in promiscuous mode (passthru only: `nopromisc`). */
  noPromisc?: boolean;
  /** broadcast/multicast queue length (`bcqueuelen`). */
  bcQueueLen?: number;
  /**
   * create it directly inside this namespace (the way container runtimes give a container a
   * macvlan of a host NIC); `parent` is looked up in the namespace of the call. Name required.
   */
  namespace?: Namespace;
}

/**
 * A macvlan/macvtap's settings as the kernel reports them.
 * @category Links
 */
export interface MacvlanSettings {
  /** the mode. */
  mode: MacvlanMode | undefined;
  /** nopromisc flag. */
  noPromisc: boolean;
  /** configured broadcast queue length. */
  bcQueueLen: number | undefined;
  /** broadcast queue length in use (the largest of the lower device's macvlans). */
  bcQueueLenUsed: number | undefined;
  /** the raw IFLA_MACVLAN_* attributes. */
  raw: MacvlanAttributes;
}

const KEYS = [...BASIC_KEYS, 'parent', 'mode', 'noPromisc', 'bcQueueLen'] as const;

/** Validated IFLA_MACVLAN_* attributes. @internal */
export function macvlanData(o: MacvlanCreateOptions): Partial<MacvlanAttributes> {
  const a: Partial<MacvlanAttributes> = {};
  if (o.mode !== undefined) {
    if (!Object.hasOwn(MACVLAN_MODES, o.mode)) throw new ValidationError('mode', o.mode, `expected one of ${Object.keys(MACVLAN_MODES).join(', ')}`);
    a.mode = MACVLAN_MODES[o.mode];
  }
  if (o.noPromisc !== undefined) {
    if (typeof o.noPromisc !== 'boolean') throw new ValidationError('noPromisc', o.noPromisc, 'expected true or false');
    a.flags = o.noPromisc ? MACVLAN_FLAG_NOPROMISC : 0;
  }
  if (o.bcQueueLen !== undefined) a.bcQueueLen = validateInt(o.bcQueueLen, 'bcQueueLen', 0, 0xffffffff);
  return a;
}

async function create(ns: Namespace, opts: MacvlanCreateOptions, kind: 'macvlan' | 'macvtap'): Promise<Link> {
  const o = validateOptions<MacvlanCreateOptions>(opts, KEYS);
  if (o.parent === undefined) throw new ValidationError('parent', undefined, `a ${kind} needs a lower device (parent)`);
  return createKind(ns, o, kind, macvlanData(o));
}

function settingsOf(link: Link): MacvlanSettings {
  const raw = kindData<MacvlanAttributes>(link);
  const mode = (Object.keys(MACVLAN_MODES) as MacvlanMode[]).find((k) => MACVLAN_MODES[k] === raw.mode);
  return {
    mode,
    noPromisc: ((raw.flags ?? 0) & MACVLAN_FLAG_NOPROMISC) !== 0,
    bcQueueLen: raw.bcQueueLen,
    bcQueueLenUsed: raw.bcQueueLenUsed,
    raw,
  };
}

/**
 * A macvlan device (a {@link Link} of kind `macvlan`); its lower device is {@link Link.parent}.
 * @category Links
 */
export class Macvlan extends KindLink {
  static override readonly kinds = ['macvlan'];
  static override readonly description = 'a macvlan';

  /** The macvlan's settings, from this snapshot. */
  get settings(): MacvlanSettings {
    return settingsOf(this);
  }

  /** Creates a macvlan (`ip link add NAME link PARENT type macvlan mode MODE`). */
  static async create(ns: Namespace, opts: MacvlanCreateOptions): Promise<Macvlan> {
    return Macvlan.from(await create(ns, opts, 'macvlan'));
  }



}

/**
 * A macvtap device (a {@link Link} of kind `macvtap`): a macvlan whose traffic is read and
 * written through a character device `/dev/tapN` (N = the link index), as used by QEMU.
  * @category Links
 */
export class Macvtap extends KindLink {
  static override readonly kinds = ['macvtap'];
  static override readonly description = 'a macvtap';

  /** The macvtap's settings, from this snapshot. */
  get settings(): MacvlanSettings {
    return settingsOf(this);
  }

  /** The character device of this macvtap (`/dev/tap<index>`, created by udev/devtmpfs). */
  get devicePath(): string {
    return `/dev/tap${this.index}`;
  }

  /** Creates a macvtap (`ip link add NAME link PARENT type macvtap mode MODE`). */
  static async create(ns: Namespace, opts: MacvlanCreateOptions): Promise<Macvtap> {
    return Macvtap.from(await create(ns, opts, 'macvtap'));
  }



}
