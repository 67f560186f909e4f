/**
 * `netns-kit/testing`: helpers for programs and tests that build a topology in throwaway
 * namespaces and prove it with real traffic — {@link Sandbox} (namespaces removed at the
 * end, on error and on Ctrl-C), TCP/UDP echo servers and clients whose sockets live inside
 * namespaces, and a raw receiver that shows the TTL packets arrive with.
 *
 * ```ts
 * import { Sandbox, tcpEchoServer, tcpEcho } from 'netns-kit/testing';
 * ```
 * @module netns-kit/testing
 */
export { Sandbox, type SandboxOptions } from './sandbox.js';
export {
  tcpEchoServer,
  udpEchoServer,
  tcpEcho,
  udpEcho,
  sendUdp,
  RawUdpReceiver,
  DEFAULT_ECHO_TIMEOUT_MS,
  type EchoServer,
  type EchoResult,
  type EchoOptions,
  type SeenPacket,
} from './traffic.js';
