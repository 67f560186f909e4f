/**
 * The public objects the plugin is built on, imported from their modules (not from the
 * package index, so that a call loads only what it uses): the one file to touch when the
 * library's files move.
 * @module
 */
export { Address } from '../api/ip/address.js';
export { Route } from '../api/ip/route.js';
export { Bridge } from '../api/link/bridge.js';
export { Link } from '../api/link/link.js';
export { VethPair } from '../api/link/veth.js';
export { Namespace } from '../api/namespace/namespace.js';
export { Sysctl } from '../api/namespace/sysctl.js';
export { Nftables } from '../api/nftables/nftables.js';
export * as expr from '../api/nftables/expressions.js';
/** `waitFor`, loaded only when a wait is needed (it brings in the event layers). */
export const loadWait = (): Promise<typeof import('../api/events/wait.js')> => import('../api/events/wait.js');
