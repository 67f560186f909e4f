/**
 * Wireguard: a WireGuard device (`ip link add NAME type wireguard`).
 * @module
 */
import { validateOptions } from '../../util/validate.js';
import type { Namespace } from '../namespace/namespace.js';
import { type BasicLinkOptions, createKind, KindLink } from './kind.js';

/**
 * A WireGuard device (kind `wireguard`). Only creation is rtnetlink; keys and peers are set
 * over the `wireguard` generic-netlink family, which netns-kit does not speak yet.
  * @category Links
 */
export class Wireguard extends KindLink {
  static override readonly kinds = ['wireguard'];
  static override readonly description = 'a wireguard device';

  /** Creates a WireGuard device (`ip link add NAME type wireguard`). */
  static async create(ns: Namespace, opts: Omit<BasicLinkOptions, 'address'> = {}): Promise<Wireguard> {
    const o = validateOptions<BasicLinkOptions>(opts, ['name', 'mtu', 'txqlen', 'up', 'namespace']);
    return Wireguard.from(await createKind(ns, o, 'wireguard'));
  }
}
