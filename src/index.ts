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
