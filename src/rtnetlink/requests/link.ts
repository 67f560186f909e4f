/**
 * Link requests: link options → validated IFLA_* attributes and ifinfomsg flags, for
 * RTM_NEWLINK (create, change). The checks every link shares — names, MTUs, link-layer
 * addresses, aliases, queue counts — and the flag words of `ip link set … up promisc on`.
 * Links named by the caller (master, parent) are resolved by the caller (api/link/link.ts).
 * @module
 */
import { ValidationError } from '../../errors.js';
import { parseLladdr } from '../../util/ip.js';
import { validateIfname, validateInt } from '../../util/validate.js';
import { IFF_ALLMULTI, IFF_NOARP, IFF_PROMISC, IFF_UP } from '../constants.js';
import type { LinkAttributes } from '../link.js';

/** Largest u32 the kernel takes for counts and groups. */
const U32_MAX = 0xffffffff;
/** Largest int (MTUs without a reported maximum). */
const S32_MAX = 2 ** 31 - 1;

/** Checks a kind name (IFLA_INFO_KIND). */
export function validateKind(kind: unknown, field: string): string {
  if (typeof kind !== 'string' || !/^[a-z0-9_.-]{1,31}$/i.test(kind)) {
    throw new ValidationError(field, kind, 'expected a link kind such as "veth", "bridge" or "vxlan"');
  }
  return kind;
}

/** Checks a link-layer address and returns it normalised (lower case, colons). */
export function validateLladdr(v: unknown, field: string): string {
  const b = parseLladdr(typeof v === 'string' ? v.replace(/-/g, ':') : v, field);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Checks an Ethernet MAC address (6 bytes). */
export function validateMac(v: unknown, field: string): string {
  const s = validateLladdr(v, field);
  if (s.length !== 17) throw new ValidationError(field, v, 'expected a MAC address like "02:42:ac:11:00:02"');
  return s;
}

/** Checks an Ethernet MTU (68..65535, what veth, bridge, vxlan, … accept at most). */
export function validateEtherMtu(v: unknown, field = 'mtu'): number {
  return validateInt(v, field, 68, 65535);
}

function validateAlias(v: unknown): string {
  if (typeof v !== 'string') throw new ValidationError('alias', v, 'expected a string');
  if (Buffer.byteLength(v) > 255) throw new ValidationError('alias', v, 'an alias is at most 255 bytes (IFALIASZ - 1)');
  return v;
}

/** The options of a new link that become IFLA_* attributes directly. */
export interface LinkCreateFields {
  name?: string | undefined;
  mtu?: number | undefined;
  address?: string | undefined;
  broadcast?: string | undefined;
  txqlen?: number | undefined;
  alias?: string | undefined;
  group?: number | undefined;
  numTxQueues?: number | undefined;
  numRxQueues?: number | undefined;
  up?: boolean | undefined;
}

/** Validated IFLA_* attributes of a new link (without the links it names). */
export function linkCreateAttrs(o: LinkCreateFields, mtuCheck: (v: unknown) => number = validateEtherMtu): Partial<LinkAttributes> {
  const attrs: Partial<LinkAttributes> = {};
  if (o.name !== undefined) attrs.ifname = validateIfname(o.name, 'name');
  if (o.mtu !== undefined) attrs.mtu = mtuCheck(o.mtu);
  if (o.address !== undefined) attrs.address = validateLladdr(o.address, 'address');
  if (o.broadcast !== undefined) attrs.broadcast = validateLladdr(o.broadcast, 'broadcast');
  if (o.txqlen !== undefined) attrs.txqlen = validateInt(o.txqlen, 'txqlen', 0, U32_MAX);
  if (o.alias !== undefined) attrs.ifalias = validateAlias(o.alias);
  if (o.group !== undefined) attrs.group = validateInt(o.group, 'group', 0, U32_MAX);
  if (o.numTxQueues !== undefined) attrs.numTxQueues = validateInt(o.numTxQueues, 'numTxQueues', 1, 4096);
  if (o.numRxQueues !== undefined) attrs.numRxQueues = validateInt(o.numRxQueues, 'numRxQueues', 1, 4096);
  if (o.up !== undefined && typeof o.up !== 'boolean') throw new ValidationError('up', o.up, 'expected true or false');
  return attrs;
}

/** The changes of `ip link set` that become flags and IFLA_* attributes directly. */
export interface LinkChangeFields {
  up?: boolean | undefined;
  name?: string | undefined;
  mtu?: number | undefined;
  address?: string | undefined;
  broadcast?: string | undefined;
  alias?: string | null | undefined;
  txqlen?: number | undefined;
  promiscuous?: boolean | undefined;
  allmulti?: boolean | undefined;
  arp?: boolean | undefined;
  group?: number | undefined;
}

/** What the link is now, for the checks of a change (its MTU range, its address length). */
export interface LinkNow {
  minMtu?: number | undefined;
  maxMtu?: number | undefined;
  address?: string | undefined;
}

/** A validated change: ifinfomsg flags and change mask, IFLA_* attributes, and whether to clear the alias. */
export interface LinkChangeRequest {
  flags: number;
  change: number;
  attrs: Partial<LinkAttributes>;
  /** send an empty IFLA_IFALIAS (removes the alias). */
  clearAlias: boolean;
}

/** Validates the changes of one RTM_NEWLINK (`ip link set dev X up mtu 9000 …`) against the link as it is. */
export function linkChangeRequest(c: LinkChangeFields, now: LinkNow): LinkChangeRequest {
  let flags = 0;
  let change = 0;
  const flag = (v: boolean | undefined, bit: number, field: string, invert = false): void => {
    if (v === undefined) return;
    if (typeof v !== 'boolean') throw new ValidationError(field, v, 'expected true or false');
    change |= bit;
    if (v !== invert) flags |= bit;
  };
  flag(c.up, IFF_UP, 'up');
  flag(c.promiscuous, IFF_PROMISC, 'promiscuous');
  flag(c.allmulti, IFF_ALLMULTI, 'allmulti');
  flag(c.arp, IFF_NOARP, 'arp', true);
  // a hardware address must have the length of the link's current one (6 bytes for Ethernet)
  const sameLength = (v: unknown, field: string): string => {
    const a = validateLladdr(v, field);
    if (now.address !== undefined && a.length !== now.address.length) {
      throw new ValidationError(field, v, `expected ${(now.address.length + 1) / 3} bytes like the link's current address ${now.address}`);
    }
    return a;
  };
  const attrs: Partial<LinkAttributes> = {};
  if (c.name !== undefined) attrs.ifname = validateIfname(c.name, 'name');
  if (c.mtu !== undefined) attrs.mtu = validateInt(c.mtu, 'mtu', now.minMtu ?? 0, now.maxMtu ? now.maxMtu : S32_MAX);
  if (c.address !== undefined) attrs.address = sameLength(c.address, 'address');
  if (c.broadcast !== undefined) attrs.broadcast = sameLength(c.broadcast, 'broadcast');
  if (c.txqlen !== undefined) attrs.txqlen = validateInt(c.txqlen, 'txqlen', 0, U32_MAX);
  if (c.group !== undefined) attrs.group = validateInt(c.group, 'group', 0, U32_MAX);
  let clearAlias = false;
  if (c.alias === null || c.alias === '') clearAlias = true;
  else if (c.alias !== undefined) attrs.ifalias = validateAlias(c.alias);
  return { flags, change, attrs, clearAlias };
}
