/**
 * Ipv4Pool: the host addresses of one IPv4 subnet, handed out lowest-free-first (the small
 * IP allocator of a Docker-style bridge network).
 * @module
 */
import { NetnsKitError, ValidationError } from '../../errors.js';
import { parseCidr } from '../../util/ip.js';

/** IPv4 text → 32-bit unsigned number. */
export function ipv4ToNumber(ip: string): number {
  const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** 32-bit unsigned number → IPv4 text. */
export function numberToIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * The usable addresses of an IPv4 subnet (network and broadcast addresses excluded), with
 * some reserved (a gateway). {@link Ipv4Pool.allocate} hands out the lowest free address,
 * so an address released by {@link Ipv4Pool.release} is the next one given out again.
  * @category Networks
 */
export class Ipv4Pool {
  /** The subnet, e.g. `172.17.0.0/16`. */
  readonly subnet: string;
  /** Its prefix length. */
  readonly prefixLength: number;
  private readonly first: number;
  private readonly last: number;
  private readonly used = new Set<number>();
  /** No address below this one is free. */
  private hint: number;

  /**
   * A pool for `subnet` (`a.b.c.d/len`, no host bits, length 8..30). `field` names the
   * option in errors.
   */
  constructor(subnet: string, field = 'subnet') {
    const c = parseCidr(subnet, field, { requirePrefix: true });
    if (c.family !== 4) throw new ValidationError(field, subnet, 'expected an IPv4 subnet (IPv6 networks are not supported yet)');
    if (c.prefixLength < 8 || c.prefixLength > 30) throw new ValidationError(field, subnet, 'expected a prefix length from /8 to /30 (a /31 or /32 has no room for a gateway and an endpoint)');
    const mask = (0xffffffff << (32 - c.prefixLength)) >>> 0;
    const net = ipv4ToNumber(c.address);
    if ((net & mask) >>> 0 !== net) {
      throw new ValidationError(field, subnet, `host bits are set: the network is ${numberToIpv4((net & mask) >>> 0)}/${c.prefixLength}`);
    }
    this.subnet = `${c.address}/${c.prefixLength}`;
    this.prefixLength = c.prefixLength;
    this.first = net + 1;
    this.last = ((net | ~mask) >>> 0) - 1;
    this.hint = this.first;
  }

  /** Number of usable addresses (network and broadcast excluded). */
  get size(): number {
    return this.last - this.first + 1;
  }

  /** Number of addresses in use (reserved or allocated). */
  get inUse(): number {
    return this.used.size;
  }

  /** The first usable address (the usual gateway). */
  get firstAddress(): string {
    return numberToIpv4(this.first);
  }

  /** True when `ip` is a usable address of the subnet. */
  contains(ip: string): boolean {
    const n = ipv4ToNumber(ip);
    return n >= this.first && n <= this.last;
  }

  /** True when `ip` is reserved or allocated. */
  isUsed(ip: string): boolean {
    return this.used.has(ipv4ToNumber(ip));
  }

  /**
   * Takes a given address. Rejects one outside the usable range (ValidationError naming
   * `field`) and one already taken (EADDRINUSE).
   */
  reserve(ip: string, field = 'ip'): string {
    const c = parseCidr(ip, field);
    if (c.family !== 4 || c.prefixLength !== 32) throw new ValidationError(field, ip, 'expected an IPv4 address without a prefix length');
    const n = ipv4ToNumber(c.address);
    if (n === this.first - 1) throw new ValidationError(field, ip, `${c.address} is the network address of ${this.subnet}`);
    if (n === this.last + 1) throw new ValidationError(field, ip, `${c.address} is the broadcast address of ${this.subnet}`);
    if (n < this.first || n > this.last) throw new ValidationError(field, ip, `${c.address} is not in ${this.subnet}`);
    if (this.used.has(n)) throw new NetnsKitError(`${c.address} is already in use in ${this.subnet}`, 'EADDRINUSE', 98);
    this.used.add(n);
    return c.address;
  }

  /** Takes the lowest free address; ENOSPC when every usable address is taken. */
  allocate(): string {
    for (let n = this.hint; n <= this.last; n++) {
      if (!this.used.has(n)) {
        this.used.add(n);
        this.hint = n + 1;
        return numberToIpv4(n);
      }
    }
    this.hint = this.last + 1;
    throw new NetnsKitError(`no free address in ${this.subnet}: all ${this.size} usable addresses are in use`, 'ENOSPC', 28);
  }

  /** Gives an address back (a no-op for one not in use). */
  release(ip: string): void {
    const n = ipv4ToNumber(ip);
    if (this.used.delete(n) && n < this.hint) this.hint = n;
  }
}
