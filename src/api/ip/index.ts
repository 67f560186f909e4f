/**
 * Addresses, routes and neighbours, the public part: {@link Address}, {@link Route},
 * {@link Neighbor}, and the address parsers ({@link parseCidr}, {@link parseIp}, …).
 *
 * What the package's root entry (`netns-kit`) exports of this part; nothing inside `src/`
 * imports this file.
 */
export { parseCidr, parseIp, formatIp, parseMac, formatMac, type Cidr } from '../../util/ip.js';
export { Address, type AddressOptions, type AddressListOptions, type AddressFlushOptions, type Lifetime, type SettableAddressFlag } from './address.js';
export {
  Route,
  type RouteListOptions,
  type RouteGetOptions,
  type Nexthop,
  type RouteMetricsInfo,
} from './route.js';
export type { RouteOptions, NexthopOptions } from './route-change.js';
export type { RouteMetrics, RouteMetricName } from '../../rtnetlink/requests/route.js';
export {
  Neighbor,
  type NeighborOptions,
  type NeighborRemoveOptions,
  type NeighborListOptions,
  type NeighborFlushOptions,
  type SettableNeighState,
} from './neighbor.js';
export type { AddressFlagName } from '../../rtnetlink/address.js';
export type { RouteTypeName } from '../../rtnetlink/route-constants.js';
export type { NeighStateName } from '../../rtnetlink/neighbor.js';
