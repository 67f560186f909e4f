/**
 * The public objects the plugin is built on, imported from their modules (not from the
 * package index, so that a call loads only what it uses). The one file to touch when the
 * library's files move (src/api/link/, ip/, namespace/ folders: `./api/link/link.js`,
 * `./api/link/bridge.js`, `./api/link/veth.js`, `./api/ip/address.js`, `./api/ip/route.js`,
 * `./api/namespace/namespace.js`).
 * @module
 */
export { Address } from '../api/address.js';
export { Bridge } from '../api/bridge.js';
export { Link } from '../api/link.js';
export { Namespace } from '../api/namespace.js';
export { Route } from '../api/route.js';
export { VethPair } from '../api/veth.js';
export { Nftables } from '../api/nftables/nftables.js';
export * as expr from '../api/nftables/expressions.js';
