/**
 * Tun: persistent TUN (layer 3) and TAP (layer 2) devices (`ip tuntap add NAME mode tun|tap`).
 *
 * The kernel refuses to create tun/tap devices over rtnetlink ("tun/tap creation via
 * rtnetlink is not supported"), so — like `ip tuntap` — creation opens /dev/net/tun inside
 * the namespace (on a helper thread, never the main thread) and uses the TUNSETIFF ioctl,
 * then makes the device persistent. Everything else (reading, MTU, up, delete) is rtnetlink.
 * @module
 */
import { native } from '../../binding/native.js';
import { SystemError, ValidationError } from '../../errors.js';
import { IFF_MULTI_QUEUE, IFF_NO_PI, IFF_TAP, IFF_TUN, IFF_TUN_EXCL, IFF_VNET_HDR, type TunAttributes } from '../../rtnetlink/kinds/tun.js';
import { validateFlag, validateIfname, validateInt, validateOptions } from '../../util/validate.js';
import { type BasicLinkOptions, KindLink, kindData } from './kind.js';
import { Link, type LinkChanges } from './link.js';
import { validateEtherMtu, validateMac } from '../../rtnetlink/requests/link.js';
import type { Namespace } from '../namespace/namespace.js';

/**
 * Options of {@link Tun.create}.
 * @category Links
 */
export interface TunCreateOptions extends Omit<BasicLinkOptions, 'txqlen' | 'namespace'> {
  /** `tun` (IP packets, default) or `tap` (Ethernet frames). */
  mode?: 'tun' | 'tap';
  /** the name; omitted: the kernel chooses (`tun0`, `tap0`, …). */
  name?: string;
  /** user id allowed to attach to the device without CAP_NET_ADMIN (`user`). */
  owner?: number;
  /** group id allowed to attach (`group`). */
  group?: number;
  /** each packet read/written carries the 4-byte packet-information header (`pi`; default off). */
  packetInfo?: boolean;
  /** packets carry a virtio-net header (`vnet_hdr`). */
  vnetHdr?: boolean;
  /** several queues / file descriptors (`multi_queue`). */
  multiQueue?: boolean;
  /** MTU in bytes, set right after creation. */
  mtu?: number;
  /** MAC address (tap only), set right after creation. */
  address?: string;
  /** bring it up right after creation (without a reader the carrier stays down). */
  up?: boolean;
}

/**
 * A tun/tap device's settings as the kernel reports them (IFLA_TUN_*).
 * @category Links
 */
export interface TunSettings {
  /** `tun` or `tap`. */
  mode: 'tun' | 'tap' | undefined;
  /** owner uid, if set. */
  owner: number | undefined;
  /** group gid, if set. */
  group: number | undefined;
  /** packet-information header on. */
  packetInfo: boolean;
  /** virtio-net header on. */
  vnetHdr: boolean;
  /** persistent (survives the last fd being closed). */
  persist: boolean;
  /** multi-queue. */
  multiQueue: boolean;
  /** attached queues. */
  numQueues: number | undefined;
  /** the raw IFLA_TUN_* attributes. */
  raw: TunAttributes;
}

const KEYS = ['mode', 'name', 'owner', 'group', 'packetInfo', 'vnetHdr', 'multiQueue', 'mtu', 'address', 'up'] as const;
/** (uid_t)-1: the kernel's "not set". */
const UNSET_ID = 0xffffffff;

/**
 * A tun or tap device (a {@link Link} of kind `tun`).
 * @category Links
 */
export class Tun extends KindLink {
  static override readonly kinds = ['tun'];
  static override readonly description = 'a tun/tap device';

  /** The device's settings, from this snapshot. */
  get settings(): TunSettings {
    const raw = kindData<TunAttributes>(this);
    const id = (v: number | undefined): number | undefined => (v === undefined || v === UNSET_ID ? undefined : v);
    return {
      mode: raw.type === IFF_TUN ? 'tun' : raw.type === IFF_TAP ? 'tap' : undefined,
      owner: id(raw.owner),
      group: id(raw.group),
      packetInfo: raw.pi === 1,
      vnetHdr: raw.vnetHdr === 1,
      persist: raw.persist === 1,
      multiQueue: raw.multiQueue === 1,
      numQueues: raw.numQueues,
      raw,
    };
  }

  /**
   * Creates a persistent tun or tap device (`ip tuntap add NAME mode tun|tap [user U] [group G]`).
   * MTU, address and up are applied right after; if that fails the device is deleted again.
   */
  static async create(ns: Namespace, opts: TunCreateOptions = {}): Promise<Tun> {
    const o = validateOptions<TunCreateOptions>(opts, KEYS);
    const mode = o.mode ?? 'tun';
    if (mode !== 'tun' && mode !== 'tap') throw new ValidationError('mode', o.mode, 'expected "tun" or "tap"');
    const name = o.name === undefined ? '' : validateIfname(o.name, 'name');
    const owner = o.owner === undefined ? -1 : validateInt(o.owner, 'owner', 0, UNSET_ID - 1);
    const group = o.group === undefined ? -1 : validateInt(o.group, 'group', 0, UNSET_ID - 1);
    // IFF_TUN_EXCL: without it TUNSETIFF on an existing tun/tap name attaches to that device
    // instead of failing, and "create" would silently return the old one.
    let flags = (mode === 'tun' ? IFF_TUN : IFF_TAP) | IFF_TUN_EXCL;
    if (!validateFlag(o.packetInfo, 'packetInfo')) flags |= IFF_NO_PI;
    if (validateFlag(o.vnetHdr, 'vnetHdr')) flags |= IFF_VNET_HDR;
    if (validateFlag(o.multiQueue, 'multiQueue')) flags |= IFF_MULTI_QUEUE;
    const changes: LinkChanges = {};
    if (o.mtu !== undefined) changes.mtu = validateEtherMtu(o.mtu);
    if (o.address !== undefined) {
      if (mode !== 'tap') throw new ValidationError('address', o.address, 'only a tap device has a MAC address');
      changes.address = validateMac(o.address, 'address');
    }
    if (o.up !== undefined) changes.up = validateFlag(o.up, 'up');
    let created: string;
    try {
      created = await native.createTun(ns.fd, name, flags, owner, group);
    } catch (e) {
      const what = `create ${mode} ${name || '(kernel-named)'} in ${ns.label}`;
      if ((e as NodeJS.ErrnoException).code === 'EBUSY' && name) {
        throw new SystemError(`${what}: a link named ${name} exists (EEXIST)`, 'EEXIST', 17, 'ioctl(TUNSETIFF)', undefined, { cause: e });
      }
      throw SystemError.from(e, what);
    }
    const link = Tun.from(await Link.get(ns, created));
    if (Object.keys(changes).length === 0) return link;
    try {
      await link.set(changes);
      return await link.refresh();
    } catch (e) {
      await link.delete().catch(() => undefined); // leave nothing half-made
      throw e;
    }
  }



}
