/**
 * Building rules: small functions that return the expressions nft generates for the same
 * statement (`ip saddr 10.0.0.0/8`, `oifname != "br0"`, `ct state established,related`,
 * `tcp dport 80`, `dnat to 10.0.0.2:8080`, `masquerade`, `jump chain`, map lookups, …).
 * A rule is the concatenation of their results:
 *
 * ```ts
 * import { expr as x } from 'netns-kit';
 * const exprs = [...x.ipSaddr('172.17.0.0/16'), ...x.oifname('br0', 'neq'), x.counter(), x.masquerade()];
 * ```
 * @module
 */
import { ValidationError } from '../../errors.js';
import { CT_STATES, type CtState, FAMILIES, type NatFlag, NFT_REG_1, NFT_REG32_00, NFT_REG_VERDICT, type CmpOp } from '../../nftables/constants.js';
import type { Verdict } from '../../nftables/codec.js';
import { DATA_TYPES, type NftDataType, type NftValue, partLen } from '../../nftables/datatypes.js';
import type { Expr } from '../../nftables/expr.js';
import { parseCidr, parseIp } from '../../util/ip.js';

/** A value loaded into registers: the expressions that load it into `dreg`, and its type. */
export interface Load {
  /** the data type of what is loaded (its length and how values are written). */
  type: NftDataType;
  /** the expressions loading it into register `dreg`. */
  exprs(dreg: number): Expr[];
}

/** The register of the 4-byte slot `slot` (0: NFT_REG_1, then NFT_REG32_01, …), as nft allocates them. */
export const regOf = (slot: number): number => (slot === 0 ? NFT_REG_1 : NFT_REG32_00 + slot);

const payloadLoad = (type: NftDataType, base: 'network' | 'transport', offset: number, len: number): Load => ({
  type,
  exprs: (dreg) => [{ type: 'payload', base, offset, len, dreg }],
});
const metaLoad = (type: NftDataType, key: 'l4proto' | 'iifname' | 'oifname' | 'mark'): Load => ({ type, exprs: (dreg) => [{ type: 'meta', key, dreg }] });

/** Values rules can load (the keys of lookups and map lookups). */
export const load = {
  /** `ip saddr` */
  ipSaddr: payloadLoad('ipv4_addr', 'network', 12, 4),
  /** `ip daddr` */
  ipDaddr: payloadLoad('ipv4_addr', 'network', 16, 4),
  /** `ip6 saddr` */
  ip6Saddr: payloadLoad('ipv6_addr', 'network', 8, 16),
  /** `ip6 daddr` */
  ip6Daddr: payloadLoad('ipv6_addr', 'network', 24, 16),
  /** `meta l4proto` */
  l4proto: metaLoad('inet_proto', 'l4proto'),
  /** `th sport` (any transport header with ports: tcp, udp, sctp, …) */
  thSport: payloadLoad('inet_service', 'transport', 0, 2),
  /** `th dport` */
  thDport: payloadLoad('inet_service', 'transport', 2, 2),
  /** `iifname` */
  iifname: metaLoad('ifname', 'iifname'),
  /** `oifname` */
  oifname: metaLoad('ifname', 'oifname'),
  /** `meta mark` */
  mark: metaLoad('mark', 'mark'),
} satisfies Record<string, Load>;

/** Loads a concatenation (`ip daddr . meta l4proto . th dport`) from register 1 on, as nft does. */
export function concat(parts: readonly Load[]): Expr[] {
  const out: Expr[] = [];
  let slot = 0;
  for (const p of parts) {
    out.push(...p.exprs(regOf(slot)));
    slot += partLen(p.type) / 4;
  }
  if (slot > 16) throw new ValidationError('concat', parts.map((p) => p.type).join(' . '), 'longer than the 64 bytes of registers');
  return out;
}

function cmpValue(l: Load, v: NftValue, op: CmpOp, field: string): Expr[] {
  return [...l.exprs(NFT_REG_1), { type: 'cmp', sreg: NFT_REG_1, op, data: DATA_TYPES[l.type].encode(v, field) }];
}

function addrMatch(offset4: number, offset6: number, v6: boolean, cidr: string, op: 'eq' | 'neq', field: string): Expr[] {
  const c = parseCidr(cidr, field);
  const addr = Buffer.from(parseIp(c.address, field));
  const len = addr.length;
  if ((len === 16) !== v6) throw new ValidationError(field, cidr, `not an IPv${v6 ? 6 : 4} address or prefix`);
  const offset = v6 ? offset6 : offset4;
  const plen = c.prefixLength;
  if (plen === 0) return [];
  if (plen % 8 === 0) {
    // nft loads only the prefix's bytes
    const n = plen / 8;
    return [{ type: 'payload', base: 'network', offset, len: n, dreg: NFT_REG_1 }, { type: 'cmp', sreg: NFT_REG_1, op, data: addr.subarray(0, n) }];
  }
  const mask = Buffer.alloc(len);
  for (let i = 0; i < plen; i++) mask[i >> 3]! |= 0x80 >> (i & 7);
  const net = Buffer.from(addr.map((b, i) => b & mask[i]!));
  return [
    { type: 'payload', base: 'network', offset, len, dreg: NFT_REG_1 },
    { type: 'bitwise', sreg: NFT_REG_1, dreg: NFT_REG_1, len, mask, xor: Buffer.alloc(len) },
    { type: 'cmp', sreg: NFT_REG_1, op, data: net },
  ];
}

function portMatch(proto: 'tcp' | 'udp' | undefined, offset: number, port: number | readonly [number, number], op: 'eq' | 'neq', field: string): Expr[] {
  const out: Expr[] = proto ? l4proto(proto) : [];
  out.push({ type: 'payload', base: 'transport', offset, len: 2, dreg: NFT_REG_1 });
  const be = (p: number): Buffer => DATA_TYPES.inet_service.encode(p, field);
  if (typeof port === 'number') out.push({ type: 'cmp', sreg: NFT_REG_1, op, data: be(port) });
  else out.push({ type: 'range', sreg: NFT_REG_1, op, from: be(port[0]), to: be(port[1]) });
  return out;
}

/** `ip saddr ADDR[/LEN]` (`!=` with op `neq`). */
export const ipSaddr = (cidr: string, op: 'eq' | 'neq' = 'eq'): Expr[] => addrMatch(12, 8, false, cidr, op, 'ip saddr');
/** `ip daddr ADDR[/LEN]`. */
export const ipDaddr = (cidr: string, op: 'eq' | 'neq' = 'eq'): Expr[] => addrMatch(16, 24, false, cidr, op, 'ip daddr');
/** `ip6 saddr ADDR[/LEN]`. */
export const ip6Saddr = (cidr: string, op: 'eq' | 'neq' = 'eq'): Expr[] => addrMatch(12, 8, true, cidr, op, 'ip6 saddr');
/** `ip6 daddr ADDR[/LEN]`. */
export const ip6Daddr = (cidr: string, op: 'eq' | 'neq' = 'eq'): Expr[] => addrMatch(16, 24, true, cidr, op, 'ip6 daddr');
/** `meta l4proto PROTO`. */
export const l4proto = (proto: 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'sctp' | number, op: 'eq' | 'neq' = 'eq'): Expr[] => cmpValue(load.l4proto, proto, op, 'l4proto');
/** `tcp dport PORT` (or a range `[first, last]`), with nft's `meta l4proto tcp` before it. */
export const tcpDport = (port: number | readonly [number, number], op: 'eq' | 'neq' = 'eq'): Expr[] => portMatch('tcp', 2, port, op, 'tcp dport');
/** `tcp sport PORT`. */
export const tcpSport = (port: number | readonly [number, number], op: 'eq' | 'neq' = 'eq'): Expr[] => portMatch('tcp', 0, port, op, 'tcp sport');
/** `udp dport PORT`. */
export const udpDport = (port: number | readonly [number, number], op: 'eq' | 'neq' = 'eq'): Expr[] => portMatch('udp', 2, port, op, 'udp dport');
/** `udp sport PORT`. */
export const udpSport = (port: number | readonly [number, number], op: 'eq' | 'neq' = 'eq'): Expr[] => portMatch('udp', 0, port, op, 'udp sport');
/** `th dport PORT` (no protocol check: put an `l4proto` match before it). */
export const thDport = (port: number | readonly [number, number], op: 'eq' | 'neq' = 'eq'): Expr[] => portMatch(undefined, 2, port, op, 'th dport');
/** `iifname NAME`. */
export const iifname = (name: string, op: 'eq' | 'neq' = 'eq'): Expr[] => cmpValue(load.iifname, name, op, 'iifname');
/** `oifname NAME`. */
export const oifname = (name: string, op: 'eq' | 'neq' = 'eq'): Expr[] => cmpValue(load.oifname, name, op, 'oifname');
/** `meta nfproto ipv4|ipv6`: put it before `ipSaddr`/`ip6Daddr`/… in `inet` (and bridge,
 *  netdev) tables, where a rule sees both families — nft adds it for you there. */
export function nfproto(family: 'ipv4' | 'ipv6'): Expr[] {
  return [{ type: 'meta', key: 'nfproto', dreg: NFT_REG_1 }, { type: 'cmp', sreg: NFT_REG_1, op: 'eq', data: Buffer.from([family === 'ipv4' ? 2 : 10]) }];
}
/** `meta mark VALUE`. */
export const mark = (value: number, op: 'eq' | 'neq' = 'eq'): Expr[] => cmpValue(load.mark, value, op, 'mark');

/** `ct state STATE,…` (matches any of them). */
export function ctState(...states: CtState[]): Expr[] {
  let bits = 0;
  for (const s of states) {
    if (!(s in CT_STATES)) throw new ValidationError('ct state', s, `not one of ${Object.keys(CT_STATES).join(', ')}`);
    bits |= CT_STATES[s];
  }
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n, 0);
    return b;
  };
  return [
    { type: 'ct', key: 'state', dreg: NFT_REG_1 },
    { type: 'bitwise', sreg: NFT_REG_1, dreg: NFT_REG_1, len: 4, mask: u32(bits), xor: u32(0) },
    { type: 'cmp', sreg: NFT_REG_1, op: 'neq', data: u32(0) },
  ];
}

/** `ct status dnat` (the connection was destination-NATed). */
export function ctStatusDnat(): Expr[] {
  const b = (n: number): Buffer => {
    const x = Buffer.alloc(4);
    x.writeUInt32LE(n, 0);
    return x;
  };
  return [
    { type: 'ct', key: 'status', dreg: NFT_REG_1 },
    { type: 'bitwise', sreg: NFT_REG_1, dreg: NFT_REG_1, len: 4, mask: b(0x20), xor: b(0) },
    { type: 'cmp', sreg: NFT_REG_1, op: 'neq', data: b(0) },
  ];
}

/** `fib daddr type local` (the destination is an address of this namespace). */
export function fibDaddrLocal(op: 'eq' | 'neq' = 'eq'): Expr[] {
  const local = Buffer.alloc(4);
  local.writeUInt32LE(2 /* RTN_LOCAL */, 0);
  return [{ type: 'fib', result: 'type', flags: ['daddr'], dreg: NFT_REG_1 }, { type: 'cmp', sreg: NFT_REG_1, op, data: local }];
}

/** `KEY @set` (or `KEY != @set` with invert): the key loaded from `keys` is in the set. */
export function inSet(set: string, keys: readonly Load[], opts: { invert?: boolean; setId?: number } = {}): Expr[] {
  const e: Expr = { type: 'lookup', set, sreg: NFT_REG_1 };
  if (opts.setId !== undefined) e.setId = opts.setId;
  if (opts.invert) e.invert = true;
  return [...concat(keys), e];
}

/** `KEY vmap @map`: the verdict the map holds for the key. */
export function vmap(map: string, keys: readonly Load[], opts: { setId?: number } = {}): Expr[] {
  const e: Expr = { type: 'lookup', set: map, sreg: NFT_REG_1, dreg: NFT_REG_VERDICT };
  if (opts.setId !== undefined) e.setId = opts.setId;
  return [...concat(keys), e];
}

/** A verdict as an expression. */
export const verdict = (v: Verdict): Expr => ({ type: 'immediate', dreg: NFT_REG_VERDICT, data: { verdict: v } });
/** `accept` */
export const accept = (): Expr => verdict({ kind: 'accept' });
/** `drop` */
export const drop = (): Expr => verdict({ kind: 'drop' });
/** `return` */
export const ret = (): Expr => verdict({ kind: 'return' });
/** `jump CHAIN` */
export const jump = (chain: string): Expr => verdict({ kind: 'jump', chain });
/** `goto CHAIN` */
export const goto = (chain: string): Expr => verdict({ kind: 'goto', chain });
/** `counter` */
export const counter = (): Expr => ({ type: 'counter' });

/** Options of {@link masquerade}. */
export interface MasqueradeOptions {
  /** NAT flags: random, fully-random, persistent. */
  flags?: NatFlag[];
}
/** `masquerade` */
export function masquerade(opts: MasqueradeOptions = {}): Expr {
  return opts.flags?.length ? { type: 'masq', flags: opts.flags } : { type: 'masq' };
}

/** Where `dnat`/`snat` translate to. */
export interface NatTarget {
  /** the address (IPv4 or IPv6). */
  addr?: string;
  /** the port, or a range `[first, last]`. */
  port?: number | readonly [number, number];
  /** NAT flags (persistent, random, …). */
  flags?: NatFlag[];
}

function natTo(kind: 'snat' | 'dnat', t: NatTarget): Expr[] {
  const out: Expr[] = [];
  let family: number = FAMILIES.ip;
  const e: Expr & { type: 'nat' } = { type: 'nat', nat: kind, family };
  if (t.addr !== undefined) {
    const a = Buffer.from(parseIp(t.addr, `${kind} address`));
    family = a.length === 16 ? FAMILIES.ip6 : FAMILIES.ip;
    e.family = family;
    out.push({ type: 'immediate', dreg: NFT_REG_1, data: { value: a } });
    e.regAddrMin = NFT_REG_1;
  }
  if (t.port !== undefined) {
    const ports = typeof t.port === 'number' ? [t.port] : [t.port[0], t.port[1]];
    ports.forEach((p, i) => out.push({ type: 'immediate', dreg: NFT_REG_1 + 1 + i, data: { value: DATA_TYPES.inet_service.encode(p, `${kind} port`) } }));
    e.regProtoMin = NFT_REG_1 + 1;
    if (ports.length === 2) e.regProtoMax = NFT_REG_1 + 2;
  }
  // nft marks a translation with a port as proto-specified
  const flags = new Set<NatFlag>(t.flags ?? []);
  if (t.port !== undefined) flags.add('proto-specified');
  if (flags.size > 0) e.flags = [...flags];
  out.push(e);
  return out;
}
/** `dnat to ADDR[:PORT]` */
export const dnat = (t: NatTarget): Expr[] => natTo('dnat', t);
/** `snat to ADDR[:PORT]` */
export const snat = (t: NatTarget): Expr[] => natTo('snat', t);
/** `redirect to :PORT` */
export function redirect(port?: number): Expr[] {
  if (port === undefined) return [{ type: 'redir' }];
  return [{ type: 'immediate', dreg: NFT_REG_1, data: { value: DATA_TYPES.inet_service.encode(port, 'redirect port') } }, { type: 'redir', regProtoMin: NFT_REG_1 }];
}

/**
 * `dnat ip to KEY map @map` where the map's values are `ipv4_addr . inet_service` (or an
 * address only with `port: false`): looks the key up and translates to the address and port.
 */
export function dnatMap(map: string, keys: readonly Load[], opts: { family?: 'ip' | 'ip6'; port?: boolean; setId?: number } = {}): Expr[] {
  const v6 = opts.family === 'ip6';
  const l: Expr = { type: 'lookup', set: map, sreg: NFT_REG_1, dreg: NFT_REG_1 };
  if (opts.setId !== undefined) l.setId = opts.setId;
  const n: Expr = { type: 'nat', nat: 'dnat', family: v6 ? FAMILIES.ip6 : FAMILIES.ip, regAddrMin: NFT_REG_1 };
  if (opts.port !== false) n.regProtoMin = regOf(v6 ? 4 : 1);
  return [...concat(keys), l, n];
}
