/**
 * Netconf: the IPv4/IPv6 per-device settings the kernel announces over rtnetlink
 * (`ip monitor netconf`, `ip netconf show`): forwarding, rp_filter, proxy_ndp, …
 * @module
 */
import type { NlMessage } from '../../netlink/message.js';
import { AF_INET, AF_INET6 } from '../../rtnetlink/constants.js';
import { decodeNetconfMessage, NETCONFA_IFINDEX_ALL, NETCONFA_IFINDEX_DEFAULT, type NetconfAttributes } from '../../rtnetlink/netconf.js';
import type { Namespace } from './namespace.js';

/** AF_MPLS: MPLS also reports netconf (input enabled per device). */
const AF_MPLS = 28;

/**
 * The address family a netconf entry belongs to.
 * @category Namespaces
 */
export type NetconfFamily = 'inet' | 'inet6' | 'mpls';

/**
 * One netconf entry: the settings of one device (or of `all` / `default`) for one address
 * family, as the kernel reported them. A notification may carry only the setting that
 * changed; absent settings are `undefined`.
  * @category Namespaces
 */
export class Netconf {
  /** The namespace the settings belong to. */
  readonly namespace: Namespace;
  /** `inet` (net.ipv4.conf), `inet6` (net.ipv6.conf) or `mpls`; the raw AF_* number for others. */
  readonly family: NetconfFamily | number;
  /** Interface index; -1 for `all`, -2 for `default` (see {@link Netconf.device}). */
  readonly ifindex: number;
  /** Forwarding enabled (net.ipv4.conf.X.forwarding / net.ipv6.conf.X.forwarding). */
  readonly forwarding: boolean | undefined;
  /** Reverse-path filter mode: 0 off, 1 strict, 2 loose (IPv4). */
  readonly rpFilter: number | undefined;
  /** Multicast forwarding enabled. */
  readonly mcForwarding: boolean | undefined;
  /** proxy_arp / proxy_ndp enabled. */
  readonly proxyNeigh: boolean | undefined;
  /** ignore_routes_with_linkdown enabled. */
  readonly ignoreRoutesWithLinkdown: boolean | undefined;
  /** MPLS input enabled. */
  readonly input: boolean | undefined;
  /** bc_forwarding enabled (IPv4 directed broadcast forwarding). */
  readonly bcForwarding: boolean | undefined;
  /** Every attribute the kernel sent, decoded. */
  readonly attributes: NetconfAttributes;

  private readonly familyNumber: number;

  /** @internal */
  constructor(namespace: Namespace, family: number, attrs: NetconfAttributes) {
    this.namespace = namespace;
    this.familyNumber = family;
    this.family = family === AF_INET ? 'inet' : family === AF_INET6 ? 'inet6' : family === AF_MPLS ? 'mpls' : family;
    this.ifindex = attrs.ifindex ?? 0;
    const bool = (v: number | undefined): boolean | undefined => (v === undefined ? undefined : v !== 0);
    this.forwarding = bool(attrs.forwarding);
    this.rpFilter = attrs.rpFilter;
    this.mcForwarding = bool(attrs.mcForwarding);
    this.proxyNeigh = bool(attrs.proxyNeigh);
    this.ignoreRoutesWithLinkdown = bool(attrs.ignoreRoutesWithLinkdown);
    this.input = bool(attrs.input);
    this.bcForwarding = bool(attrs.bcForwarding);
    this.attributes = attrs;
  }

  /** The device these settings are for: its index, or `all` / `default`. */
  get device(): number | 'all' | 'default' {
    if (this.ifindex === NETCONFA_IFINDEX_ALL) return 'all';
    if (this.ifindex === NETCONFA_IFINDEX_DEFAULT) return 'default';
    return this.ifindex;
  }

  /** @internal */
  static fromMessage(ns: Namespace, m: NlMessage): Netconf {
    const { header, attrs } = decodeNetconfMessage(m);
    return new Netconf(ns, header.family, attrs);
  }

  /** @internal The settings of `prev` updated with those `next` carries (a change
   *  notification may carry only the setting that changed). */
  static merge(prev: Netconf, next: Netconf): Netconf {
    return new Netconf(next.namespace, next.familyNumber, { ...prev.attributes, ...next.attributes, unknown: next.attributes.unknown });
  }

  /** A plain object with the settings (for logs and JSON). */
  toJSON(): Record<string, unknown> {
    return {
      family: this.family,
      device: this.device,
      forwarding: this.forwarding,
      rpFilter: this.rpFilter,
      mcForwarding: this.mcForwarding,
      proxyNeigh: this.proxyNeigh,
      ignoreRoutesWithLinkdown: this.ignoreRoutesWithLinkdown,
      input: this.input,
      bcForwarding: this.bcForwarding,
    };
  }
}
