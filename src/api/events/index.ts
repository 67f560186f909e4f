/**
 * Events, the public part: {@link Watcher} (links, addresses, routes, neighbours as they
 * change, with the initial state), {@link waitFor}, {@link EventStream} and
 * {@link NamespaceWatcher}.
 *
 * What the package's root entry (`netns-kit`) exports of this part; nothing inside `src/`
 * imports this file.
 */
export { Watcher, type WatchOptions, type WatcherEventMap, type WatcherStats } from './watch.js';
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
} from './events.js';
export { waitFor, waitForNamespace, type WaitOptions } from './wait.js';
export { EventStream } from './event-stream.js';
export { NamespaceWatcher, type NamespaceEvent, type NamespaceWatchOptions, type NamespaceWatcherEventMap } from './namespace-watch.js';
