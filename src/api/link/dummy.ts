/**
 * Dummy: a device that drops what it is sent, handy to hold addresses (`ip link add NAME type dummy`).
 * @module
 */
import { validateOptions } from '../../util/validate.js';
import type { Namespace } from '../namespace/namespace.js';
import { BASIC_KEYS, type BasicLinkOptions, createKind, KindLink } from './kind.js';

/**
 * A dummy device (kind `dummy`): a sink for packets, handy to hold addresses.
 * @category Links
 */
export class Dummy extends KindLink {
  static override readonly kinds = ['dummy'];
  static override readonly description = 'a dummy device';

  /** Creates a dummy device (`ip link add NAME type dummy`). */
  static async create(ns: Namespace, opts: BasicLinkOptions = {}): Promise<Dummy> {
    const o = validateOptions<BasicLinkOptions>(opts, BASIC_KEYS);
    return Dummy.from(await createKind(ns, o, 'dummy'));
  }
}
