/**
 * veth (VETH_INFO_*, IFLA_INFO_DATA of kind `veth`, linux/veth.h): the peer is itself an
 * ifinfomsg with IFLA_* attributes.
 * @internal
 * @module
 */
import { type AttributesInputOf, type AttributesOf, type CustomField, defineAttributes, type Schema } from '../../netlink/attributes.js';
import { type IfInfoHeader, IfInfoMsg, type LinkAttributes, LinkAttrs } from '../link.js';
import { registerLinkKind } from '../link-kind-registry.js';

/** VETH_INFO_PEER: the peer's own ifinfomsg and IFLA_* attributes. */
export interface VethPeer {
  /** the peer's ifinfomsg (all zero when creating: the kernel picks the index). */
  header?: Partial<IfInfoHeader>;
  /** the peer's attributes (ifname, address, mtu, netNsFd, …). */
  attrs?: Partial<LinkAttributes>;
}

const vethPeerField: CustomField<VethPeer> & { name: 'peer' } = {
  name: 'peer',
  type: 'custom',
  decode(data) {
    const header = IfInfoMsg.decode(data, 0, data.length);
    return { header, attrs: LinkAttrs.decode(data, IfInfoMsg.size, data.length) };
  },
  encode(w, type, v) {
    const n = w.beginNested(type, false);
    IfInfoMsg.encode(w, v.header ?? {});
    LinkAttrs.encode(w, v.attrs ?? {});
    w.endNested(n);
  },
};

const VETH_INFO_FIELDS = {
  /** VETH_INFO_PEER (only in requests: the kernel does not report it). */
  peer: { nla: 1, ...vethPeerField },
} as const;
/**
 * Decoded VETH_INFO_* attributes (kind `veth`).
 * @interface
 */
export type VethInfoAttributes = AttributesOf<typeof VETH_INFO_FIELDS>;
/** VETH_INFO_* (kind `veth`). */
export const VethInfo: Schema<VethInfoAttributes, AttributesInputOf<typeof VETH_INFO_FIELDS>> = defineAttributes('VETH_INFO', VETH_INFO_FIELDS);

declare module '../link-kind-registry.js' {
  interface LinkKindDataMap {
    /** veth: VETH_INFO_*. */
    veth: VethInfoAttributes;
  }
}

registerLinkKind('veth', VethInfo as Schema<object>);
