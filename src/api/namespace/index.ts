/**
 * netns-kit/namespace: network namespaces — {@link Namespace} (create, open, enter, the
 * host's own), their sysctls ({@link Sysctl}) and per-family settings ({@link Netconf}).
 *
 * The same classes as the package's root entry (`netns-kit` re-exports this file), and the
 * error types, for a program that needs only namespaces: it loads about a fifth of the
 * package's code at start-up instead of all of it.
 *
 * ```ts
 * import { Namespace, NetnsKitError } from 'netns-kit/namespace';
 * ```
 * @module netns-kit/namespace
 */
export { Namespace, NETNS_RUN_DIR, type NamespaceEntry, type NsidEntry, type NamespaceIdentity } from './namespace.js';
export { validateNamespaceName } from '../../util/validate.js';
export { Netconf, type NetconfFamily } from './netconf.js';
export { Sysctl, sysctlPath, type SysctlValue } from './sysctl.js';
export * from '../errors/index.js';
