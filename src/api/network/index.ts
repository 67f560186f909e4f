/**
 * Networks, the public part: Docker-style {@link BridgeNetwork} (a bridge, IPAM, NAT and
 * published ports that survive restarts), its {@link NetworkFirewall} and {@link DnsResolver}.
 *
 * What the package's root entry (`netns-kit`) exports of this part; nothing inside `src/`
 * imports this file.
 */
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
} from './bridge-network.js';
export { PoolOverlapError, PortConflictError } from './errors.js';
export { parsePortSpec, parsePortText, dockerPortLines } from './port-spec.js';
export {
  NetworkFirewall,
  FIREWALL_TABLE,
  type NetworkFirewallOptions,
  type NetworkFirewallEvents,
  type FirewallSettings,
  type FirewallRestoreEvent,
  type FirewallRestoreFailure,
  type FirewallRestoreResult,
} from './firewall.js';
export { DnsResolver, DEFAULT_DNS_ADDRESS, type DnsResolverOptions, type DnsStats } from './dns.js';
export { DEFAULT_ADDRESS_POOLS, type AddressPool } from './pool.js';
export { DEFAULT_STATE_DIR, type NetworkRecord, type EndpointRecord, type NetworkConfigRecord, type NamespaceRecord, type OwnerRecord, type PortRecord } from './state.js';
export { withFileLock, writeFileAtomic, type FileLockOptions } from '../../util/file-lock.js';
export { Ipv4Pool } from './ipv4-pool.js';
