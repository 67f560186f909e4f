/**
 * The fields of an Address, decoded from its message: at once for a notification
 * (Address.fromMessage), on first use for a listed one (Address.listed).
 * @module
 */
import { ParseError } from '../../errors.js';
import type { NlMessage } from '../../netlink/message.js';
import { type AddrAttributes, decodeAddrMessage, INFINITY_LIFE_TIME } from '../../rtnetlink/address.js';
import { AF_INET, AF_INET6 } from '../../rtnetlink/constants.js';

/**
 * An address lifetime: seconds, or `forever`.
 * @category Addresses & routes
 */
export type Lifetime = number | 'forever';

/** The fields of an {@link Address}. */
export interface AddressFields {
  family: 4 | 6;
  address: string;
  prefixLength: number;
  linkIndex: number;
  peer: string | undefined;
  broadcast: string | undefined;
  anycast: string | undefined;
  label: string | undefined;
  scope: number;
  flags: number;
  validLifetime: Lifetime;
  preferredLifetime: Lifetime;
  created: number | undefined;
  updated: number | undefined;
  metric: number | undefined;
  protocol: number | undefined;
  attributes: AddrAttributes;
}

/** Decodes an address message into the fields of an Address (a ParseError if malformed or not IPv4/IPv6). */
export function addressFields(m: NlMessage): AddressFields {
  const { header, attrs } = decodeAddrMessage(m);
  if (header.family !== AF_INET && header.family !== AF_INET6) {
    throw new ParseError(`not an IPv4 or IPv6 address message (family ${header.family})`, m.start);
  }
  const ci = attrs.cacheinfo;
  return {
    family: header.family === AF_INET6 ? 6 : 4,
    address: attrs.local ?? attrs.address ?? '',
    prefixLength: header.prefixlen,
    linkIndex: header.index,
    peer: attrs.local !== undefined && attrs.address !== undefined && attrs.address !== attrs.local ? attrs.address : undefined,
    broadcast: attrs.broadcast,
    anycast: attrs.anycast,
    label: attrs.label,
    scope: header.scope,
    flags: attrs.flags ?? header.flags,
    validLifetime: ci === undefined || ci.valid === INFINITY_LIFE_TIME ? 'forever' : ci.valid,
    preferredLifetime: ci === undefined || ci.preferred === INFINITY_LIFE_TIME ? 'forever' : ci.preferred,
    created: ci?.created,
    updated: ci?.updated,
    metric: attrs.rtPriority,
    protocol: attrs.proto,
    attributes: attrs,
  };
}
