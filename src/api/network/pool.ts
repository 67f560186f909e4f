/**
 * Address arithmetic of bridge networks, for both families: prefixes as big integers,
 * overlap tests, Docker's default address pools, and a lowest-free allocator over a
 * subnet (or a sub-range of it, Docker's `--ip-range` / `fixed-cidr`).
 * @module
 */
import { ValidationError } from '../../errors.js';
import { formatIp, parseCidr, parseIp } from '../../util/ip.js';

/** An IP prefix as numbers: `net` has no host bits. */
export interface Prefix {
  /** 4 or 6. */
  family: 4 | 6;
  /** the network address as an unsigned integer. */
  net: bigint;
  /** the prefix length. */
  len: number;
}

const bits = (family: 4 | 6): number => (family === 4 ? 32 : 128);

/** An address (text) as an unsigned integer, with its family. */
export function ipToBig(ip: string, field = 'address'): { family: 4 | 6; n: bigint } {
  const b = parseIp(ip, field);
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return { family: b.length === 4 ? 4 : 6, n };
}

/** An unsigned integer back to address text. */
export function bigToIp(n: bigint, family: 4 | 6): string {
  const len = family === 4 ? 4 : 16;
  const b = Buffer.alloc(len);
  for (let i = len - 1; i >= 0; i--) {
    b[i] = Number(n & 255n);
    n >>= 8n;
  }
  return formatIp(b);
}

function mask(family: 4 | 6, len: number): bigint {
  const all = (1n << BigInt(bits(family))) - 1n;
  return all ^ ((1n << BigInt(bits(family) - len)) - 1n);
}

/** Parses `a.b.c.d/len` or `x::/len` with no host bits (a ValidationError names `field`). */
export function parsePrefix(s: unknown, field: string, family?: 4 | 6): Prefix {
  const c = parseCidr(s, field, { requirePrefix: true });
  if (family !== undefined && c.family !== family) throw new ValidationError(field, s, `expected an IPv${family} prefix`);
  const { n } = ipToBig(c.address, field);
  const net = n & mask(c.family, c.prefixLength);
  if (net !== n) throw new ValidationError(field, s, `host bits are set: the network is ${bigToIp(net, c.family)}/${c.prefixLength}`);
  return { family: c.family, net, len: c.prefixLength };
}

/** The prefix containing `ip` with length `len` (host bits cleared). */
export function prefixOf(ip: string, len: number): Prefix {
  const { family, n } = ipToBig(ip);
  return { family, net: n & mask(family, len), len };
}

/** `a.b.c.d/len`. */
export function formatPrefix(p: Prefix): string {
  return `${bigToIp(p.net, p.family)}/${p.len}`;
}

/** The prefix's last address. */
export function lastOf(p: Prefix): bigint {
  return p.net | ((1n << BigInt(bits(p.family) - p.len)) - 1n);
}

/** True when two prefixes share an address. */
export function overlaps(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.net <= lastOf(b) && b.net <= lastOf(a);
}

/** True when `n` (same family) lies in `p`. */
export function inPrefix(p: Prefix, n: bigint): boolean {
  return n >= p.net && n <= lastOf(p);
}

/** An address pool: a base prefix cut into subnets of one size (Docker's `default-address-pools` entry). */
export interface AddressPool {
  /** the pool's prefix, e.g. `192.168.0.0/16`. */
  base: string;
  /** the prefix length of each network cut from it, e.g. 20. */
  size: number;
}

/**
 * Docker's default address pools, in the order Docker tries them: `172.17.0.0/16` … `172.31.0.0/16`
 * (each a network), then `192.168.0.0/16` cut into `/20`s (`192.168.0.0/20`, `192.168.16.0/20`, …).
 */
export const DEFAULT_ADDRESS_POOLS: readonly AddressPool[] = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/16', size: 16 },
  { base: '172.19.0.0/16', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/14', size: 16 },
  { base: '172.28.0.0/14', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/** Every candidate subnet of `pools`, in order. */
export function* poolCandidates(pools: readonly AddressPool[] = DEFAULT_ADDRESS_POOLS): Generator<Prefix> {
  for (const { base, size } of pools) {
    const b = parsePrefix(base, 'pool.base');
    const step = 1n << BigInt(bits(b.family) - size);
    for (let n = b.net; n <= lastOf(b); n += step) yield { family: b.family, net: n, len: size };
  }
}

/**
 * Addresses of one subnet handed out lowest-free-first from a range (the whole subnet, or
 * a sub-range). The network address — and for IPv4 the broadcast address — is never given.
 * `used` is the caller's: the allocator only reads it.
 */
export class AddressRange {
  /** the subnet. */
  readonly subnet: Prefix;
  /** the range addresses are taken from (the subnet, or a prefix inside it). */
  readonly range: Prefix;
  constructor(subnet: Prefix, range?: Prefix) {
    this.subnet = subnet;
    this.range = range ?? subnet;
  }

  /** True when `n` may be given to a container at all (in the subnet, not network/broadcast). */
  usable(n: bigint): boolean {
    if (!inPrefix(this.subnet, n) || n === this.subnet.net) return false;
    return !(this.subnet.family === 4 && n === lastOf(this.subnet));
  }

  /** The lowest address of the range that is usable and not in `used`, or undefined. */
  next(used: ReadonlySet<bigint>): bigint | undefined {
    const last = lastOf(this.range);
    for (let n = this.range.net; n <= last; n++) if (this.usable(n) && !used.has(n)) return n;
    return undefined;
  }

  /** The number of usable addresses in the range. */
  get size(): bigint {
    let s = lastOf(this.range) - this.range.net + 1n;
    if (this.range.net === this.subnet.net) s--;
    if (this.subnet.family === 4 && lastOf(this.range) === lastOf(this.subnet)) s--;
    return s;
  }
}
