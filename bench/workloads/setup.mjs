/** Untimed set-up shared by the workloads, made with netns-kit itself. */
import { Address, VethPair, Link } from '../../dist/index.js';
import { tempNamespace } from '../lib/env.mjs';

/**
 * A namespace with a veth pair `va`/`vb` (both ends inside, up) and 192.168.0.1/24 on `va`:
 * routes `via 192.168.0.2 dev va` resolve through it.
 */
export async function routeNamespace(tag) {
  const ns = await tempNamespace(tag);
  await VethPair.create(ns, { name: 'va', up: true, peer: { name: 'vb', up: true } });
  const va = await Link.get(ns, 'va');
  await Address.add(va, '192.168.0.1/24');
  return { ns, va: await Link.get(ns, 'va') };
}
