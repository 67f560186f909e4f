/**
 * IP arithmetic for IPAM: addresses as bigints of 32 or 128 bits, prefixes, ranges.
 * @module
 */
import { formatIp, tryParseIp } from '../util/ip.js';

/** An address as a number plus its family. */
export interface IpNum {
  /** the address's value. */
  value: bigint;
  /** 4 or 6. */
  family: 4 | 6;
}

/** A prefix `network/len` with its network address. */
export interface IpNet {
  /** the network address (host bits cleared). */
  network: IpNum;
  /** the prefix length. */
  prefixLength: number;
}

/** Bits of an address of a family. */
export function bitsOf(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

/** Parses an address; undefined when it is not one. A v4-mapped IPv6 address stays IPv6. */
export function parseIpNum(s: unknown): IpNum | undefined {
  if (typeof s !== 'string') return undefined;
  const b = tryParseIp(s);
  if (!b) return undefined;
  let v = 0n;
  for (const byte of b) v = (v << 8n) | BigInt(byte);
  return { value: v, family: b.length === 4 ? 4 : 6 };
}

/** Formats an address. */
export function formatIpNum(ip: IpNum): string {
  const n = ip.family === 4 ? 4 : 16;
  const b = Buffer.alloc(n);
  let v = ip.value;
  for (let i = n - 1; i >= 0; i--) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return formatIp(b);
}

/** The mask of a prefix length. */
function maskOf(family: 4 | 6, len: number): bigint {
  const bits = BigInt(bitsOf(family));
  const all = (1n << bits) - 1n;
  return (all >> BigInt(len)) ^ all;
}

/** Parses `addr/len`; with `strict`, host bits must be clear. Undefined when invalid. */
export function parseIpNet(s: unknown): { ip: IpNum; net: IpNet } | undefined {
  if (typeof s !== 'string') return undefined;
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIpNum(s.slice(0, slash));
  const lenText = s.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(lenText)) return undefined;
  const len = Number(lenText);
  if (len > bitsOf(ip.family)) return undefined;
  return { ip, net: { network: { value: ip.value & maskOf(ip.family, len), family: ip.family }, prefixLength: len } };
}

/** Formats a prefix `network/len`. */
export function formatIpNet(n: IpNet): string {
  return `${formatIpNum(n.network)}/${n.prefixLength}`;
}

/** True when `ip` lies in `net`. */
export function contains(net: IpNet, ip: IpNum): boolean {
  return ip.family === net.network.family && (ip.value & maskOf(ip.family, net.prefixLength)) === net.network.value;
}

/** The last address of `net` (the IPv4 broadcast address). */
export function lastOf(net: IpNet): IpNum {
  const host = (1n << BigInt(bitsOf(net.network.family) - net.prefixLength)) - 1n;
  return { value: net.network.value | host, family: net.network.family };
}

/** `ip + delta`. */
export function add(ip: IpNum, delta: bigint): IpNum {
  return { value: ip.value + delta, family: ip.family };
}

/** Same family and value. */
export function sameIp(a: IpNum | undefined, b: IpNum | undefined): boolean {
  return !!a && !!b && a.family === b.family && a.value === b.value;
}
