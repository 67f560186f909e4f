/**
 * TEST-ONLY link helpers for the address / route / neighbour tests: veth pairs and bridges
 * made by sending RTM_NEWLINK directly. They stand in for the link API being built on the
 * `links` branch (VethPair, Bridge); the lead switches these tests to it after merging.
 */
import { Link, type Namespace } from '../../src/index.js';
import { NLM_F_CREATE, NLM_F_EXCL } from '../../src/netlink/constants.js';
import { AF_UNSPEC, IFF_UP, RTM_NEWLINK } from '../../src/rtnetlink/constants.js';
import { IfInfoMsg, LinkAttrs } from '../../src/rtnetlink/link.js';

const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const VETH_INFO_PEER = 1;

/** Creates veth `nameA` in `a` with its peer `nameB` in `b`; both set up unless `up: false`. */
export async function testVeth(a: Namespace, nameA: string, b: Namespace, nameB: string, opts: { up?: boolean } = {}): Promise<[Link, Link]> {
  const conn = await a.connection();
  await conn.request(
    RTM_NEWLINK,
    NLM_F_CREATE | NLM_F_EXCL,
    (w) => {
      IfInfoMsg.encode(w, { family: AF_UNSPEC });
      LinkAttrs.encode(w, { ifname: nameA });
      const li = w.beginNested(IFLA_LINKINFO);
      w.attrString(IFLA_INFO_KIND, 'veth');
      const data = w.beginNested(IFLA_INFO_DATA);
      const peer = w.beginNested(VETH_INFO_PEER);
      IfInfoMsg.encode(w, { family: AF_UNSPEC });
      LinkAttrs.encode(w, { ifname: nameB, netNsFd: b.fd });
      w.endNested(peer);
      w.endNested(data);
      w.endNested(li);
    },
    { operation: 'test helper: create veth', object: `${nameA}/${nameB}` },
  );
  if (opts.up !== false) {
    await testSetUp(await a.link(nameA));
    await testSetUp(await b.link(nameB));
  }
  return [await a.link(nameA), await b.link(nameB)];
}

/** Creates a bridge (set up). */
export async function testBridge(ns: Namespace, name: string): Promise<Link> {
  const conn = await ns.connection();
  await conn.request(
    RTM_NEWLINK,
    NLM_F_CREATE | NLM_F_EXCL,
    (w) => {
      IfInfoMsg.encode(w, { family: AF_UNSPEC });
      LinkAttrs.encode(w, { ifname: name, linkinfo: { kind: 'bridge' } });
    },
    { operation: 'test helper: create bridge', object: name },
  );
  await testSetUp(await ns.link(name));
  return ns.link(name);
}

/** Sets a link up (or down). */
export async function testSetUp(link: Link, up = true): Promise<void> {
  const conn = await link.namespace.connection();
  await conn.request(RTM_NEWLINK, 0, (w) => IfInfoMsg.encode(w, { family: AF_UNSPEC, index: link.index, flags: up ? IFF_UP : 0, change: IFF_UP }), {
    operation: 'test helper: set link up',
    object: link.name,
  });
}

/** Enslaves a link to a bridge (same namespace). */
export async function testSetMaster(link: Link, master: Link): Promise<void> {
  const conn = await link.namespace.connection();
  await conn.request(
    RTM_NEWLINK,
    0,
    (w) => {
      IfInfoMsg.encode(w, { family: AF_UNSPEC, index: link.index });
      LinkAttrs.encode(w, { master: master.index });
    },
    { operation: 'test helper: set master', object: `${link.name} master ${master.name}` },
  );
}

/** Sets `lo` up in a namespace. */
export async function testLoUp(ns: Namespace): Promise<Link> {
  await testSetUp(await ns.link('lo'));
  return ns.link('lo');
}

export { Link };
