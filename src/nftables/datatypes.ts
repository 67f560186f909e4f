/**
 * nft's data types of set keys and map values (ipv4_addr, inet_service, …): their type ids
 * (concatenations pack them 6 bits each, as nft does), lengths, byte orders, and the
 * conversion of values (`'10.0.0.1'`, `'tcp'`, `8080`) to the bytes a register holds.
 * @internal
 * @module
 */
import { ValidationError } from '../errors.js';
import { formatIpAt, parseIp } from '../util/ip.js';

/** A data type of a set key or map value, by nft's name. */
export type NftDataType = 'ipv4_addr' | 'ipv6_addr' | 'inet_proto' | 'inet_service' | 'ether_addr' | 'mark' | 'ifname' | 'verdict';
/** A value of a data type: an address or name as text, a number, or the bytes themselves. */
export type NftValue = string | number | Buffer;

interface TypeInfo {
  id: number;
  len: number;
  /** nft's enum byteorder: 1 host, 2 big endian. */
  byteorder: number;
  encode(v: NftValue, field: string): Buffer;
  decode(b: Buffer): string | number;
}

const PROTOS: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, icmpv6: 58, sctp: 132, udplite: 136 };
const PROTO_NAMES = new Map(Object.entries(PROTOS).map(([k, v]) => [v, k]));

function intBytes(v: NftValue, len: number, bigEndian: boolean, field: string, names?: Record<string, number>): Buffer {
  if (Buffer.isBuffer(v)) return v;
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (names && v in names) n = names[v];
  else if (/^\d+$/.test(v)) n = Number(v);
  if (n === undefined || !Number.isInteger(n) || n < 0 || n >= 2 ** (8 * len)) throw new ValidationError(field, v, `not a ${len * 8}-bit value${names ? ' or a known name' : ''}`);
  const b = Buffer.alloc(len);
  if (bigEndian) b.writeUIntBE(n, 0, len);
  else b.writeUIntLE(n, 0, len);
  return b;
}

/** The data types netns-kit knows. */
export const DATA_TYPES: Record<NftDataType, TypeInfo> = {
  ipv4_addr: {
    id: 7,
    len: 4,
    byteorder: 2,
    encode: (v, f) => (Buffer.isBuffer(v) ? v : ipBytes(String(v), 4, f)),
    decode: (b) => formatIpAt(b, 0, 4),
  },
  ipv6_addr: {
    id: 8,
    len: 16,
    byteorder: 2,
    encode: (v, f) => (Buffer.isBuffer(v) ? v : ipBytes(String(v), 16, f)),
    decode: (b) => formatIpAt(b, 0, 16),
  },
  inet_proto: { id: 12, len: 1, byteorder: 2, encode: (v, f) => intBytes(v, 1, true, f, PROTOS), decode: (b) => PROTO_NAMES.get(b[0]!) ?? b[0]! },
  inet_service: { id: 13, len: 2, byteorder: 2, encode: (v, f) => intBytes(v, 2, true, f), decode: (b) => b.readUInt16BE(0) },
  ether_addr: {
    id: 9,
    len: 6,
    byteorder: 2,
    encode: (v, f) => {
      if (Buffer.isBuffer(v)) return v;
      const s = String(v);
      if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(s)) throw new ValidationError(f, v, 'not a MAC address');
      return Buffer.from(s.replace(/:/g, ''), 'hex');
    },
    decode: (b) => [...b.subarray(0, 6)].map((x) => x.toString(16).padStart(2, '0')).join(':'),
  },
  mark: { id: 19, len: 4, byteorder: 1, encode: (v, f) => intBytes(v, 4, false, f), decode: (b) => b.readUInt32LE(0) },
  ifname: {
    id: 41,
    len: 16,
    byteorder: 1,
    encode: (v, f) => {
      if (Buffer.isBuffer(v)) return v;
      const s = String(v);
      if (Buffer.byteLength(s) > 15) throw new ValidationError(f, v, 'an interface name has at most 15 bytes');
      const b = Buffer.alloc(16);
      b.write(s);
      return b;
    },
    decode: (b) => {
      const nul = b.indexOf(0);
      return b.toString('utf8', 0, nul === -1 ? b.length : nul);
    },
  },
  verdict: { id: 1, len: 0, byteorder: 0, encode: (v, f) => { throw new ValidationError(f, v, 'a verdict is not a value'); }, decode: () => 0 },
};

function ipBytes(s: string, len: 4 | 16, field: string): Buffer {
  let b: Uint8Array;
  try {
    b = parseIp(s, field);
  } catch {
    throw new ValidationError(field, s, `not an IPv${len === 4 ? 4 : 6} address`);
  }
  if (b.length !== len) throw new ValidationError(field, s, `not an IPv${len === 4 ? 4 : 6} address`);
  return Buffer.from(b);
}

/** nft's TYPE_BITS: a concatenation's type id packs its parts 6 bits each. */
const TYPE_BITS = 6;

/** The type id nft gives a key of these types (a concatenation when several). */
export function typeId(types: readonly NftDataType[]): number {
  let id = 0;
  for (const t of types) id = (id << TYPE_BITS) | DATA_TYPES[t].id;
  return id >>> 0;
}
/** The types of a packed type id, if all are known. */
export function typesOf(id: number): NftDataType[] | undefined {
  const out: NftDataType[] = [];
  const byId = new Map(Object.entries(DATA_TYPES).map(([k, v]) => [v.id, k as NftDataType]));
  while (id > 0) {
    const t = byId.get(id & 0x3f);
    if (!t) return undefined;
    out.unshift(t);
    id = Math.floor(id / 64);
  }
  return out;
}
/** Register-aligned length of one part (registers are 4 bytes). */
export const partLen = (t: NftDataType): number => Math.ceil(DATA_TYPES[t].len / 4) * 4;
/** The key length of these types (each part padded to 4 bytes). */
export function keyLen(types: readonly NftDataType[]): number {
  return types.length === 1 ? DATA_TYPES[types[0]!].len : types.reduce((n, t) => n + partLen(t), 0);
}

/** The bytes of a key or value of `types` (an array for a concatenation). */
export function encodeValue(types: readonly NftDataType[], v: NftValue | readonly NftValue[], field: string): Buffer {
  const parts = Array.isArray(v) ? v : [v as NftValue];
  if (Buffer.isBuffer(v)) return v;
  if (parts.length !== types.length) throw new ValidationError(field, v, `needs ${types.length} part${types.length > 1 ? 's' : ''} (${types.join(' . ')})`);
  if (types.length === 1) return DATA_TYPES[types[0]!].encode(parts[0]!, field);
  const out = Buffer.alloc(keyLen(types));
  let off = 0;
  types.forEach((t, i) => {
    const b = DATA_TYPES[t].encode(parts[i]!, field);
    b.copy(out, off, 0, Math.min(b.length, partLen(t)));
    off += partLen(t);
  });
  return out;
}

/** The typed parts of a key or value of `types` (undefined when the bytes do not fit). */
export function decodeValue(types: readonly NftDataType[], b: Buffer): (string | number)[] | undefined {
  if (types.length === 1) return b.length === DATA_TYPES[types[0]!].len ? [DATA_TYPES[types[0]!].decode(b)] : undefined;
  if (b.length !== keyLen(types)) return undefined;
  const out: (string | number)[] = [];
  let off = 0;
  for (const t of types) {
    out.push(DATA_TYPES[t].decode(b.subarray(off, off + DATA_TYPES[t].len)));
    off += partLen(t);
  }
  return out;
}
