/**
 * Every link kind netns-kit knows, one file per kind family, each registering its
 * IFLA_INFO_DATA (and IFLA_INFO_SLAVE_DATA) schema into link-kind-registry.ts when loaded:
 * veth, bridge, vxlan, macvlan / macvtap, ipvlan / ipvtap, tun / tap, vlan, vrf, bond.
 * dummy and wireguard carry no IFLA_INFO_DATA. Importing this module registers them all.
 * @internal
 * @module
 */
export * from './bond.js';
export * from './bridge.js';
export * from './ipvlan.js';
export * from './macvlan.js';
export * from './tun.js';
export * from './veth.js';
export * from './vlan.js';
export * from './vrf.js';
export * from './vxlan.js';
export type { LinkKindData, LinkSlaveData } from '../link-kind-registry.js';
