/**
 * netns-kit: Linux network namespaces and rtnetlink from Node.js, with no process spawned.
 * The objects a program uses: namespaces, links, addresses, routes, neighbours, events,
 * networks and errors. The message codec underneath is `netns-kit/netlink`.
 * @module netns-kit
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
} from './api/link/link.js';
export { VethPair, type VethPairOptions, type VethPeerOptions } from './api/link/veth.js';
export {
  Bridge,
  type BridgeOptions,
  type BridgeCreateOptions,
  type BridgeSettings,
} from './api/link/bridge.js';
export type { BridgePortOptions, BridgePortSettings } from './api/link/bridge-port.js';
export { Fdb, type FdbEntry, type FdbRaw, type FdbHeader, type FdbState, type FdbListFilter, type FdbAddOptions, type FdbDeleteOptions } from './api/link/fdb.js';
export { Vxlan, type VxlanOptions, type VxlanCreateOptions, type VxlanSettings } from './api/link/vxlan.js';
export { Macvlan, Macvtap, type MacvlanMode, type MacvlanCreateOptions, type MacvlanSettings } from './api/link/macvlan.js';
export { Tun, type TunCreateOptions, type TunSettings } from './api/link/tun.js';
export { KindLink, type KindClass, type BasicLinkOptions } from './api/link/kind.js';
export { Dummy } from './api/link/dummy.js';
export { Vlan, type VlanCreateOptions, type VlanSettings } from './api/link/vlan.js';
export { Vrf, type VrfCreateOptions } from './api/link/vrf.js';
export { Bond, type BondMode, type BondXmitHashPolicy, type BondCreateOptions, type BondSettings } from './api/link/bond.js';
export { Wireguard } from './api/link/wireguard.js';
export { Namespace, NETNS_RUN_DIR, type NamespaceEntry, type NsidEntry, type NamespaceIdentity } from './api/namespace/namespace.js';
export {
  NetnsKitError,
  SystemError,
  NetlinkError,
  ValidationError,
  BulkError,
  type BulkFailure,
  ParseError,
  TimeoutError,
  AbortError,
  AddonMissingError,
  type ErrorAttribute,
  type ErrorCode,
  type ErrnoCode,
  errnoName,
} from './errors.js';
export { parseCidr, parseIp, formatIp, parseMac, formatMac, type Cidr } from './util/ip.js';
export { validateIfname, validateNamespaceName } from './util/validate.js';
export { Watcher, type WatchOptions, type WatcherEventMap, type WatcherStats } from './api/events/watch.js';
export {
  eventKey,
  eventObject,
  WATCH_KINDS,
  type WatchKind,
  type WatchFamily,
  type WatchEvent,
  type ObjectEvent,
  type ObjectEventBase,
  type ChangeType,
  type LinkEvent,
  type AddressEvent,
  type RouteEvent,
  type NeighborEvent,
  type NetconfEvent,
  type NsidEvent,
  type OverflowEvent,
  type SyncEvent,
  type WatchObjectMap,
} from './api/events/events.js';
export { waitFor, waitForNamespace, type WaitOptions } from './api/events/wait.js';
export { Netconf, type NetconfFamily } from './api/namespace/netconf.js';
export { EventStream } from './api/events/event-stream.js';
export { NamespaceWatcher, type NamespaceEvent, type NamespaceWatchOptions, type NamespaceWatcherEventMap } from './api/events/namespace-watch.js';
export { Address, type AddressOptions, type AddressListOptions, type AddressFlushOptions, type Lifetime, type SettableAddressFlag } from './api/ip/address.js';
export {
  Route,
  type RouteListOptions,
  type RouteGetOptions,
  type Nexthop,
  type RouteMetricsInfo,
} from './api/ip/route.js';
export type { RouteOptions, NexthopOptions } from './api/ip/route-change.js';
export type { RouteMetrics, RouteMetricName } from './rtnetlink/requests/route.js';
export {
  Neighbor,
  type NeighborOptions,
  type NeighborRemoveOptions,
  type NeighborListOptions,
  type NeighborFlushOptions,
  type SettableNeighState,
} from './api/ip/neighbor.js';
export { Sysctl, sysctlPath, type SysctlValue } from './api/namespace/sysctl.js';
export type { AddressFlagName } from './rtnetlink/address.js';
export type { RouteTypeName } from './rtnetlink/route-constants.js';
export type { NeighStateName } from './rtnetlink/neighbor.js';
export type { OperState } from './rtnetlink/link.js';
export type { LinkStats } from './rtnetlink/link-stats.js';
export type { BridgeId } from './rtnetlink/bridge-port.js';
export {
  BridgeNetwork,
  DEFAULT_BRIDGE_SUBNET,
  macForIpv4,
  type BridgeNetworkOptions,
  type ConnectOptions,
  type PortMapping,
  type PortPublisher,
  type PublishedPort,
  type PortSpec,
  type PortRequest,
  type PortLine,
  type NetworkEndpoint,
  type NetworkInspect,
  type EndpointInspect,
  type RemoveOptions,
  type OpenOptions,
  type NetworkExtension,
  type NetworkIssue,
  type NetworkSummary,
  registerNetworkExtension,
} from './api/network/bridge-network.js';
export { PoolOverlapError, PortConflictError } from './api/network/errors.js';
export { parsePortSpec, parsePortText, dockerPortLines } from './api/network/port-spec.js';
export {
  NetworkFirewall,
  FIREWALL_TABLE,
  type NetworkFirewallOptions,
  type NetworkFirewallEvents,
  type FirewallSettings,
  type FirewallRestoreEvent,
  type FirewallRestoreFailure,
  type FirewallRestoreResult,
} from './api/network/firewall.js';
export { DnsResolver, DEFAULT_DNS_ADDRESS, type DnsResolverOptions, type DnsStats } from './api/network/dns.js';
export { DEFAULT_ADDRESS_POOLS, type AddressPool } from './api/network/pool.js';
export { DEFAULT_STATE_DIR, type NetworkRecord, type EndpointRecord, type NetworkConfigRecord, type NamespaceRecord, type OwnerRecord, type PortRecord } from './api/network/state.js';
export { withFileLock, writeFileAtomic, type FileLockOptions } from './util/file-lock.js';
export { Ipv4Pool } from './api/network/ipv4-pool.js';
// nf_tables (NETLINK_NETFILTER): transactions, listing, notifications
export {
  Nftables,
  type NftablesOptions,
  type TransactionOptions,
  type TransactionResult,
  type ListFilter,
  type NftRuleset,
  type NftSetWithElements,
} from './api/nftables/nftables.js';
export {
  NftTransaction,
  Committed,
  type SetOptions,
  type ElementInput,
  type SetTypes,
  type RuleOptions,
  type RuleRef,
} from './api/nftables/transaction.js';
export {
  NftWatcher,
  type NftEvent,
  type NftWatcherEvents,
  type NftTableEvent,
  type NftChainEvent,
  type NftRuleEvent,
  type NftSetEvent,
  type NftElementsEvent,
  type NftGenerationEvent,
  type NftOverflowEvent,
} from './api/nftables/watch.js';
export { describeElement, setTypesOf, type DescribedElement } from './api/nftables/nftables.js';
export type { NftTable, NftTableSpec } from './nftables/table.js';
export type { NftChain, NftChainSpec, BaseChainHook, ChainType } from './nftables/chain.js';
export type { NftRule, NftRuleSpec, RulePlacement } from './nftables/rule.js';
export type { NftSet, NftSetSpec, NftElement, NftElementSpec } from './nftables/set.js';
export type { NftGeneration } from './nftables/gen.js';
export type { TableRef, ChainRef, SetRef } from './nftables/batch.js';
export type { NftData, NftDataValue, NftDataVerdict, Verdict } from './nftables/codec.js';
export type { NftDataType, NftValue } from './nftables/datatypes.js';
export type {
  NftFamily,
  NftHook,
  NamedPriority,
  BitwiseOp,
  NftSetFlag,
  VerdictName,
  CmpOp,
  PayloadBase,
  MetaKey,
  CtKey,
  CtState,
  NatFlag,
  FibResult,
  FibFlag,
} from './nftables/constants.js';
export type {
  Expr,
  PayloadExpr,
  MetaExpr,
  CmpExpr,
  BitwiseExpr,
  ImmediateExpr,
  LookupExpr,
  NatExpr,
  MasqExpr,
  RedirExpr,
  CtExpr,
  FibExpr,
  CounterExpr,
  RangeExpr,
  RawExpr,
} from './nftables/expr.js';
export * as expr from './api/nftables/expressions.js';
export { TransactionError, type TransactionFailure } from './errors.js';
