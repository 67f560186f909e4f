/**
 * netns-kit: Linux network namespaces and rtnetlink from Node.js, with no process spawned.
 * @module netns-kit
 */
export { Link, type LinkRef } from './api/link.js';
export { Namespace, NETNS_RUN_DIR, type NamespaceEntry, type NsidEntry } from './api/namespace.js';
export {
  NetnsKitError,
  SystemError,
  NetlinkError,
  ValidationError,
  ParseError,
  TimeoutError,
  AbortError,
  type ErrorAttribute,
  errnoName,
} from './errors.js';
export {
  NetlinkConnection,
  type ConnectionOptions,
  type ConnectionStats,
  type DumpOptions,
  type RequestInfo,
  type BodyWriter,
} from './netlink/connection.js';
export type { NlMessage, ExtAck } from './netlink/message.js';
export { NlWriter } from './netlink/writer.js';
export { Schema, Struct, defineSchema, defineStruct, type RawAttr, type AttrsOf } from './netlink/attributes.js';
export { parseCidr, parseIp, formatIp, parseMac, formatMac, type Cidr } from './util/ip.js';
export { validateIfname, validateNamespaceName } from './util/validate.js';
export { Watcher, type WatchOptions, type WatcherEventMap, type WatcherStats } from './api/watch.js';
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
  type NetconfEvent,
  type NsidEvent,
  type OverflowEvent,
  type SyncEvent,
  type WatchObjectMap,
} from './api/events.js';
export type { WaitOptions } from './api/wait.js';
export { Netconf, type NetconfFamily } from './api/netconf.js';
export { EventStream } from './api/event-stream.js';
export { NamespaceWatcher, type NamespaceEvent, type NamespaceWatchOptions, type NamespaceWatcherEventMap } from './api/namespace-watch.js';
