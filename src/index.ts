/**
 * netns-kit: Linux network namespaces and rtnetlink from Node.js, with no process spawned.
 * The objects a program uses: namespaces, links, addresses, routes, neighbours, events,
 * networks and errors. The message codec underneath is `netns-kit/netlink`.
 *
 * Each part is also an entry of its own — `netns-kit/namespace`, `netns-kit/link`,
 * `netns-kit/ip`, `netns-kit/events`, `netns-kit/network`, `netns-kit/nftables`,
 * `netns-kit/errors` — exporting the same classes: a program that needs one part loads only
 * that part's code at start-up (the root loads them all).
 * @module netns-kit
 */
export * from './api/namespace/index.js';
export * from './api/link/index.js';
export * from './api/ip/index.js';
export * from './api/events/index.js';
export * from './api/network/index.js';
export * from './api/nftables/index.js';
export * from './api/errors/index.js';
