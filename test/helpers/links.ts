/**
 * Test shortcuts for building topologies with the public link API (VethPair, Bridge, Link).
 * (They first stood in for that API while it was being written; now they only call it.)
 */
import { Bridge, Link, type Namespace, VethPair } from '../../src/index.js';

/** Creates veth `nameA` in `a` with its peer `nameB` created directly in `b`; both up unless `up: false`. */
export async function testVeth(a: Namespace, nameA: string, b: Namespace, nameB: string, opts: { up?: boolean } = {}): Promise<[Link, Link]> {
  const up = opts.up !== false;
  const pair = await VethPair.create(a, { name: nameA, up, peer: { name: nameB, namespace: b, up } });
  return [await pair.local.refresh(), await pair.peer.refresh()];
}

/** Creates a bridge, up. */
export async function testBridge(ns: Namespace, name: string): Promise<Link> {
  const br = await Bridge.create(ns, { name, up: true });
  return br.refresh();
}

/** Sets a link up (or down). */
export async function testSetUp(link: Link, up = true): Promise<void> {
  await (up ? link.up() : link.down());
}

/** Enslaves a link to a bridge (same namespace). */
export async function testSetMaster(link: Link, master: Link): Promise<void> {
  await link.setMaster(master);
}

/** Sets `lo` up in a namespace. */
export async function testLoUp(ns: Namespace): Promise<Link> {
  const lo = await Link.get(ns, 'lo');
  await lo.up();
  return lo.refresh();
}

export { Link };
