/**
 * IPv4/IPv6 address and prefix parsing and formatting, and MAC addresses. Strict: anything
 * that is not a valid address is refused with a ValidationError naming the field.
 * @module
 */
import { ValidationError } from '../errors.js';

/** Address family numbers as the kernel uses them. */
export const AF_INET = 2;
export const AF_INET6 = 10;

/**
 * An IP prefix: address plus prefix length (`10.0.0.1/24` keeps the host bits).
 * @category Addresses & routes
 */
export interface Cidr {
  /** the address as text (host bits kept), e.g. `10.0.0.1`. */
  address: string;
  /** the prefix length, e.g. 24. */
  prefixLength: number;
  /** 4 or 6. */
  family: 4 | 6;
}

/**
 * Reads a dotted quad: four decimal parts 0-255 without leading zeros (`010` is refused, as
 * it reads as octal elsewhere). Hand-written (no split, no regular expression): it runs for
 * every address of bulk route and address requests.
 */
function parseV4Number(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 46; /* a final '.' closes the last part */
    if (c === 46) {
      if (digits === 0 || ++parts > 4) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else {
      const d = c - 48;
      if (d < 0 || d > 9) return -1;
      if (digits === 1 && part === 0) return -1; /* leading zero */
      part = part * 10 + d;
      if (part > 255) return -1;
      digits++;
    }
  }
  return parts === 4 ? value : -1;
}

function parseV4(s: string): Buffer | undefined {
  const v = parseV4Number(s);
  if (v < 0) return undefined;
  const out = Buffer.allocUnsafe(4); /* every byte is written: pooled, no zero-fill */
  out.writeUInt32BE(v, 0);
  return out;
}

function parseV6(s: string): Buffer | undefined {
  if (s.length < 2 || s.length > 45) return undefined;
  let str = s;
  const lastColon = str.lastIndexOf(':');
  if (str.includes('.')) {
    // a trailing dotted quad stands for the last two groups (::ffff:1.2.3.4)
    const v4 = parseV4(str.slice(lastColon + 1));
    if (!v4) return undefined;
    str = `${str.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const dbl = str.indexOf('::');
  if (dbl !== -1 && str.indexOf('::', dbl + 1) !== -1) return undefined;
  let groups: string[];
  if (dbl !== -1) {
    const left = str.slice(0, dbl);
    const right = str.slice(dbl + 2);
    const l = left === '' ? [] : left.split(':');
    const r = right === '' ? [] : right.split(':');
    if (l.length + r.length > 7) return undefined;
    groups = [...l, ...new Array<string>(8 - l.length - r.length).fill('0'), ...r];
  } else {
    groups = str.split(':');
  }
  if (groups.length !== 8) return undefined;
  const out = Buffer.allocUnsafe(16); /* every byte is written below */
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(groups[i]!)) return undefined;
    out.writeUInt16BE(parseInt(groups[i]!, 16), i * 2);
  }
  return out;
}

/** Parses an IPv4 or IPv6 address to its 4 or 16 bytes; undefined if it is not one. */
export function tryParseIp(s: string): Buffer | undefined {
  if (typeof s !== 'string') return undefined;
  return s.includes(':') ? parseV6(s) : parseV4(s);
}

/**
 * Parses an IPv4 or IPv6 address; throws a ValidationError naming `field` otherwise.
 * @category Addresses & routes
 */
export function parseIp(s: unknown, field = 'address'): Buffer {
  const b = typeof s === 'string' ? tryParseIp(s) : undefined;
  if (!b) throw new ValidationError(field, s, 'not an IPv4 or IPv6 address');
  return b;
}

/** 4 or 6 for a valid address string, 0 otherwise. */
export function ipFamily(s: string): 0 | 4 | 6 {
  const b = tryParseIp(s);
  return b ? (b.length === 4 ? 4 : 6) : 0;
}

/**
 * Formats the 4 or 16 bytes at buf[start, end) as an address, without making a view of
 * them first (decoders call it for every address of a dump).
 */
export function formatIpAt(buf: Uint8Array, start: number, end: number): string {
  if (end - start === 4) {
    // A small cache of recent IPv4 texts: a dump repeats the same gateways, sources and
    // link addresses thousands of times, and one shared string is cheaper than thousands.
    const v = ((buf[start]! << 24) | (buf[start + 1]! << 16) | (buf[start + 2]! << 8) | buf[start + 3]!) >>> 0;
    const slot = (v ^ (v >>> 11) ^ (v >>> 22)) & (V4_CACHE_SIZE - 1);
    if (v4Keys[slot] === v && v4Texts[slot] !== undefined) return v4Texts[slot]!;
    const text = `${buf[start]}.${buf[start + 1]}.${buf[start + 2]}.${buf[start + 3]}`;
    v4Keys[slot] = v;
    v4Texts[slot] = text;
    return text;
  }
  return formatIp(buf.subarray(start, end));
}
const V4_CACHE_SIZE = 256;
const v4Keys = new Uint32Array(V4_CACHE_SIZE);
const v4Texts: (string | undefined)[] = new Array<string | undefined>(V4_CACHE_SIZE).fill(undefined);

/**
 * Formats 4 or 16 bytes as an address (RFC 5952 for IPv6).
 * @category Addresses & routes
 */
export function formatIp(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length !== 16) return Buffer.from(b).toString('hex');
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  // IPv4-mapped ::ffff:a.b.c.d
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * Parses `addr/len` (or a bare address, then the full length) into a Cidr.
 * `field` names the option in errors.
  * @category Addresses & routes
 */
export function parseCidr(s: unknown, field = 'prefix', opts: { requirePrefix?: boolean } = {}): Cidr {
  if (typeof s !== 'string') throw new ValidationError(field, s, 'expected a string like "10.0.0.1/24"');
  const slash = s.indexOf('/');
  if (slash === -1 && opts.requirePrefix) throw new ValidationError(field, s, 'a prefix length is required, e.g. "/24"');
  const addrPart = slash === -1 ? s : s.slice(0, slash);
  const bytes = tryParseIp(addrPart);
  if (!bytes) throw new ValidationError(field, s, 'not an IPv4 or IPv6 address');
  const max = bytes.length * 8;
  let prefixLength = max;
  if (slash !== -1) {
    const lenPart = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenPart) || Number(lenPart) > max) {
      throw new ValidationError(field, s, `prefix length must be 0..${max}`);
    }
    prefixLength = Number(lenPart);
  }
  return { address: formatIp(bytes), prefixLength, family: bytes.length === 4 ? 4 : 6 };
}

/** The network address of addr/len (host bits cleared). */
export function networkOf(addr: Uint8Array, prefixLength: number): Buffer {
  const out = Buffer.from(addr);
  for (let bit = prefixLength; bit < out.length * 8; bit++) out[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return out;
}

/** The broadcast address of addr/len (host bits set); IPv4 only. */
export function broadcastOf(addr: Uint8Array, prefixLength: number): Buffer {
  const out = Buffer.from(addr);
  for (let bit = prefixLength; bit < out.length * 8; bit++) out[bit >> 3]! |= 0x80 >> (bit & 7);
  return out;
}

/** Kernel address family (AF_INET/AF_INET6) of 4- or 16-byte address bytes. */
export function afOf(bytes: Uint8Array): number {
  return bytes.length === 4 ? AF_INET : AF_INET6;
}

// ---- MAC addresses -------------------------------------------------------------------

/**
 * Parses `aa:bb:cc:dd:ee:ff` (or `-` separators) into 6 bytes; ValidationError otherwise.
 * @category Addresses & routes
 */
export function parseMac(s: unknown, field = 'mac'): Buffer {
  if (typeof s !== 'string' || !/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(s)) {
    throw new ValidationError(field, s, 'expected a MAC address like "02:42:ac:11:00:02"');
  }
  const b = Buffer.from(s.replace(/[:-]/g, ''), 'hex');
  return b;
}

/** Parses a link-layer address of any length given as colon-separated hex (e.g. for tunnels). */
export function parseLladdr(s: unknown, field = 'address'): Buffer {
  if (typeof s !== 'string' || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){0,31}$/.test(s)) {
    throw new ValidationError(field, s, 'expected colon-separated hex bytes like "02:42:ac:11:00:02"');
  }
  return Buffer.from(s.replace(/:/g, ''), 'hex');
}

/**
 * Formats link-layer bytes as lower-case colon-separated hex.
 * @category Addresses & routes
 */
export function formatMac(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (i ? ':' : '') + (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}

// ---- prefixes, families, masks (addresses, routes, neighbours) ---------------------------

/** 4 or 6: the IP version of 4- or 16-byte address bytes. */
export function versionOf(bytes: Uint8Array): 4 | 6 {
  return bytes.length === 4 ? 4 : 6;
}

/** Formats `address/prefixLength` (the address as given, host bits kept). */
export function formatCidr(address: Uint8Array | string, prefixLength: number): string {
  return `${typeof address === 'string' ? address : formatIp(address)}/${prefixLength}`;
}

/** True when addr/len has host bits set (e.g. `10.0.0.1/24`). */
export function hasHostBits(addr: Uint8Array, prefixLength: number): boolean {
  for (let bit = prefixLength; bit < addr.length * 8; bit++) if (addr[bit >> 3]! & (0x80 >> (bit & 7))) return true;
  return false;
}

/** True for 127.0.0.0/8. */
export function isIPv4Loopback(addr: Uint8Array): boolean {
  return addr.length === 4 && addr[0] === 127;
}

/** A route destination: an IP prefix, or `default` (all zeros, length 0) of a family not yet known. */
export interface Destination {
  /** network address bytes, or undefined for `default` whose family is decided later. */
  bytes: Buffer | undefined;
  /** prefix length (0 for `default`). */
  prefixLength: number;
  /** 4 or 6, or undefined for a bare `default`. */
  family: 4 | 6 | undefined;
}

/**
 * Parses a route destination: `default`, or a CIDR whose host bits are zero
 * (`10.0.0.0/24`, `2001:db8::/64`; a bare address means a host route /32 or /128).
 * Host bits set (`10.0.0.1/24`) are refused: the kernel would refuse them for IPv4
 * ("Invalid prefix for given prefix length") and silently clear them for IPv6.
 */
export function parseDestination(s: unknown, field = 'to'): Destination {
  if (s === 'default' || s === 'all' || s === 'any') return { bytes: undefined, prefixLength: 0, family: undefined };
  if (typeof s !== 'string') throw new ValidationError(field, s, 'expected a string like "10.0.0.1/24"');
  // the same checks and messages as parseCidr, without formatting and re-parsing the address
  const slash = s.indexOf('/');
  const bytes = tryParseIp(slash === -1 ? s : s.slice(0, slash));
  if (!bytes) throw new ValidationError(field, s, 'not an IPv4 or IPv6 address');
  const max = bytes.length * 8;
  let prefixLength = max;
  if (slash !== -1) {
    const lenPart = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenPart) || Number(lenPart) > max) throw new ValidationError(field, s, `prefix length must be 0..${max}`);
    prefixLength = Number(lenPart);
  }
  if (hasHostBits(bytes, prefixLength)) {
    throw new ValidationError(field, s, `host bits are set; the network is ${formatCidr(networkOf(bytes, prefixLength), prefixLength)}`);
  }
  return { bytes, prefixLength, family: bytes.length === 4 ? 4 : 6 };
}

/**
 * Checks that every given value has the same IP version and returns it (undefined when
 * none is known). `values` are [field, value, version] triples; undefined versions are
 * skipped. Mixed versions are refused with a ValidationError naming both fields.
 */
export function sameFamily(values: [string, unknown, 4 | 6 | undefined][]): 4 | 6 | undefined {
  let first: [string, unknown, 4 | 6] | undefined;
  for (const [field, value, v] of values) {
    if (v === undefined) continue;
    if (!first) first = [field, value, v];
    else if (first[2] !== v) {
      throw new ValidationError(field, value, `is IPv${v} but ${first[0]} ${JSON.stringify(first[1])} is IPv${first[2]}: families cannot be mixed`);
    }
  }
  return first?.[2];
}
