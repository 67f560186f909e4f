/**
 * The registry of link kinds: which attribute schema decodes and encodes the IFLA_INFO_DATA of
 * a kind (and the IFLA_INFO_SLAVE_DATA of a master kind). link.ts reads it when it meets
 * IFLA_LINKINFO; the kinds register into it (kinds/*.ts, at load time), so link.ts does not
 * import the kinds — the kinds sit above it (a veth peer is itself an ifinfomsg with IFLA_*
 * attributes). A kind netns-kit does not know can be added the same way.
 *
 * The decoded type of each kind is declared by augmenting {@link LinkKindDataMap} /
 * {@link LinkSlaveDataMap} next to its schema:
 * `declare module './link-kind-registry.js' { interface LinkKindDataMap { veth: VethInfoAttributes } }`.
 * @module
 */
import type { Schema } from '../netlink/attributes.js';

/** The decoded IFLA_INFO_DATA type of each registered kind (augmented by each kind's module). */
// biome-ignore lint/suspicious/noEmptyInterface: an interface, so each kind's module can augment it (declaration merging)
export interface LinkKindDataMap {}

/** The decoded IFLA_INFO_SLAVE_DATA type of each registered master kind (augmented likewise). */
// biome-ignore lint/suspicious/noEmptyInterface: an interface, so master kinds' modules can augment it (declaration merging)
export interface LinkSlaveDataMap {}

/** Any decoded IFLA_INFO_DATA. */
export type LinkKindData = LinkKindDataMap[keyof LinkKindDataMap];

/** Any decoded IFLA_INFO_SLAVE_DATA. */
export type LinkSlaveData = LinkSlaveDataMap[keyof LinkSlaveDataMap];

const kinds = new Map<string, Schema<object>>();
const slaveKinds = new Map<string, Schema<object>>();

/** Registers the IFLA_INFO_DATA schema of a kind (`veth`, `bridge`, …). */
export function registerLinkKind(kind: string, schema: Schema<object>): void {
  kinds.set(kind, schema);
}

/** Registers the IFLA_INFO_SLAVE_DATA schema of a master kind (`bridge`, `bond`, `vrf`). */
export function registerLinkSlaveKind(kind: string, schema: Schema<object>): void {
  slaveKinds.set(kind, schema);
}

/** The IFLA_INFO_DATA schema of a kind, or undefined (dummy, wireguard, unknown kinds). */
export function linkKindSchema(kind: string): Schema<object> | undefined {
  return kinds.get(kind);
}

/** The IFLA_INFO_SLAVE_DATA schema of a master kind (`bridge`, `bond`, `vrf`), or undefined. */
export function linkSlaveSchema(kind: string): Schema<object> | undefined {
  return slaveKinds.get(kind);
}
