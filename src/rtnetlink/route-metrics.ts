/**
 * Route metrics (RTAX_*, nested in RTA_METRICS, linux/rtnetlink.h): each metric declared once,
 * with its `ip route` keyword; the metric names and their RTAX_* numbers derive from it.
 * @internal
 * @module
 */
import { type AttributesInputOf, type AttributesOf, defineAttributes, type Schema } from '../netlink/attributes.js';

/** RTAX_* (inside RTA_METRICS): every route metric, with its `ip route` keyword. */
const RTAX_FIELDS = {
  /** RTAX_LOCK: bit mask of locked metrics, 1 << RTAX_* (e.g. 4 = `mtu lock`). */
  lock: { nla: 1, type: 'u32' },
  /** RTAX_MTU: path MTU (`mtu`). */
  mtu: { nla: 2, type: 'u32' },
  /** RTAX_WINDOW: TCP window clamp (`window`). */
  window: { nla: 3, type: 'u32' },
  /** RTAX_RTT: initial RTT estimate in ms (`rtt`). */
  rtt: { nla: 4, type: 'u32' },
  /** RTAX_RTTVAR: initial RTT variance in ms (`rttvar`). */
  rttvar: { nla: 5, type: 'u32' },
  /** RTAX_SSTHRESH: initial slow-start threshold (`ssthresh`). */
  ssthresh: { nla: 6, type: 'u32' },
  /** RTAX_CWND: congestion window clamp (`cwnd`). */
  cwnd: { nla: 7, type: 'u32' },
  /** RTAX_ADVMSS: advertised MSS (`advmss`). */
  advmss: { nla: 8, type: 'u32' },
  /** RTAX_REORDERING: reordering metric (`reordering`). */
  reordering: { nla: 9, type: 'u32' },
  /** RTAX_HOPLIMIT: hop limit / TTL of packets using the route (`hoplimit`). */
  hoplimit: { nla: 10, type: 'u32' },
  /** RTAX_INITCWND: initial congestion window (`initcwnd`). */
  initcwnd: { nla: 11, type: 'u32' },
  /** RTAX_FEATURES: RTAX_FEATURE_* bits (`features`, e.g. 1 = ecn). */
  features: { nla: 12, type: 'u32' },
  /** RTAX_RTO_MIN: minimum retransmission timeout in ms (`rto_min`). */
  rtoMin: { nla: 13, type: 'u32' },
  /** RTAX_INITRWND: initial receive window (`initrwnd`). */
  initrwnd: { nla: 14, type: 'u32' },
  /** RTAX_QUICKACK: quick ACK (`quickack`, 0 or 1). */
  quickack: { nla: 15, type: 'u32' },
  /** RTAX_CC_ALGO: congestion control algorithm (`congctl`). */
  ccAlgo: { nla: 16, type: 'string' },
  /** RTAX_FASTOPEN_NO_COOKIE: TCP fast open without a cookie (`fastopen_no_cookie`, 0 or 1). */
  fastopenNoCookie: { nla: 17, type: 'u32' },
} as const;
/**
 * Decoded RTAX_* route metrics (RTA_METRICS).
 * @interface
 */
export type RouteMetricsValue = AttributesOf<typeof RTAX_FIELDS>;
/** RTAX_* (inside RTA_METRICS). `lock` is a bit mask of locked metrics (1 << RTAX_*). */
export const RouteMetrics: Schema<RouteMetricsValue, AttributesInputOf<typeof RTAX_FIELDS>> = defineAttributes('RTAX', RTAX_FIELDS);

/** A route metric's name (every RTAX_* but the `lock` mask). */
export type RouteMetricKey = Exclude<keyof typeof RTAX_FIELDS, 'lock'>;
/** The RTAX_* number of each metric name (for `lock` masks). */
export const RTAX = Object.fromEntries(
  Object.entries(RTAX_FIELDS)
    .filter(([name]) => name !== 'lock')
    .map(([name, f]) => [name, f.nla]),
) as Record<RouteMetricKey, number>;
