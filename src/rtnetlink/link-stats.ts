/**
 * Interface counters (IFLA_STATS / IFLA_STATS64: struct rtnl_link_stats / rtnl_link_stats64,
 * linux/if_link.h), as `ip -s link` shows them.
 * @internal
 * @module
 */

/** The counters of struct rtnl_link_stats64 / rtnl_link_stats in memory order, by their C member name. */
const LINK_STATS = {
  /** packets received. */
  rxPackets: 'rx_packets',
  /** packets sent. */
  txPackets: 'tx_packets',
  /** bytes received. */
  rxBytes: 'rx_bytes',
  /** bytes sent. */
  txBytes: 'tx_bytes',
  /** bad packets received. */
  rxErrors: 'rx_errors',
  /** packet transmit problems. */
  txErrors: 'tx_errors',
  /** received packets dropped (no space, …). */
  rxDropped: 'rx_dropped',
  /** transmit packets dropped. */
  txDropped: 'tx_dropped',
  /** multicast packets received. */
  multicast: 'multicast',
  /** collisions. */
  collisions: 'collisions',
  /** receive length errors. */
  rxLengthErrors: 'rx_length_errors',
  /** receiver ring buffer overflows. */
  rxOverErrors: 'rx_over_errors',
  /** received packets with CRC errors. */
  rxCrcErrors: 'rx_crc_errors',
  /** received frame alignment errors. */
  rxFrameErrors: 'rx_frame_errors',
  /** receiver FIFO overruns. */
  rxFifoErrors: 'rx_fifo_errors',
  /** packets missed by the host. */
  rxMissedErrors: 'rx_missed_errors',
  /** transmissions aborted. */
  txAbortedErrors: 'tx_aborted_errors',
  /** carrier errors on transmit. */
  txCarrierErrors: 'tx_carrier_errors',
  /** transmit FIFO errors. */
  txFifoErrors: 'tx_fifo_errors',
  /** heartbeat errors. */
  txHeartbeatErrors: 'tx_heartbeat_errors',
  /** late collisions. */
  txWindowErrors: 'tx_window_errors',
  /** compressed packets received. */
  rxCompressed: 'rx_compressed',
  /** compressed packets sent. */
  txCompressed: 'tx_compressed',
  /** packets dropped for lack of a protocol handler. */
  rxNohandler: 'rx_nohandler',
  /** packets dropped for another host's MAC. */
  rxOtherhostDropped: 'rx_otherhost_dropped',
} as const;
/**
 * Interface counters (struct rtnl_link_stats64, `ip -s link`); counters an older kernel does not send are absent.
 * @interface
 */
export type LinkStats = { -readonly [K in keyof typeof LINK_STATS]?: number };
/** Counter names of struct rtnl_link_stats64 / rtnl_link_stats, in order. */
export const LINK_STATS_FIELDS = Object.keys(LINK_STATS) as readonly (keyof LinkStats)[];
