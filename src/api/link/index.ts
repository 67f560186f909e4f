/**
 * Links, the public part: {@link Link} and the kinds netns-kit creates ({@link VethPair},
 * {@link Bridge}, {@link Vxlan}, {@link Macvlan}, {@link Tun}, …), bridge ports and the
 * forwarding database ({@link Fdb}).
 *
 * What the package's root entry (`netns-kit`) exports of this part; nothing inside `src/`
 * imports this file.
 */
export {
  Link,
  type LinkRef,
  type LinkArg,
  type LinkLike,
  type LinkListFilter,
  type LinkChanges,
  type LinkCreateOptions,
  type MoveOptions,
} from './link.js';
export { VethPair, type VethPairOptions, type VethPeerOptions } from './veth.js';
export {
  Bridge,
  type BridgeOptions,
  type BridgeCreateOptions,
  type BridgeSettings,
} from './bridge.js';
export type { BridgePortOptions, BridgePortSettings } from './bridge-port.js';
export { Fdb, type FdbEntry, type FdbRaw, type FdbHeader, type FdbState, type FdbListFilter, type FdbAddOptions, type FdbDeleteOptions } from './fdb.js';
export { Vxlan, type VxlanOptions, type VxlanCreateOptions, type VxlanSettings } from './vxlan.js';
export { Macvlan, Macvtap, type MacvlanMode, type MacvlanCreateOptions, type MacvlanSettings } from './macvlan.js';
export { Tun, type TunCreateOptions, type TunSettings } from './tun.js';
export { KindLink, type KindClass, type BasicLinkOptions } from './kind.js';
export { Dummy } from './dummy.js';
export { Vlan, type VlanCreateOptions, type VlanSettings } from './vlan.js';
export { Vrf, type VrfCreateOptions } from './vrf.js';
export { Bond, type BondMode, type BondXmitHashPolicy, type BondCreateOptions, type BondSettings } from './bond.js';
export { Wireguard } from './wireguard.js';
export { validateIfname } from '../../util/validate.js';
export type { OperState } from '../../rtnetlink/link.js';
export type { LinkStats } from '../../rtnetlink/link-stats.js';
export type { BridgeId } from '../../rtnetlink/bridge-port.js';
