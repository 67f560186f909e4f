/**
 * Scalar attribute encodings (u8 … u64, big-endian be16/be32, strings, bytes, flags, link-layer
 * and IP addresses): their decoded types, and reading and writing one scalar payload. The
 * attribute schemas (attributes.ts) use them for every field that is not nested or custom.
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { formatIpAt, formatMac, parseIp, parseLladdr } from '../util/ip.js';
import type { NlWriter } from './writer.js';

/**
 * Scalar attribute encodings. `mac` is any link-layer address as hex; `ip` is 4 or 16 bytes,
 * decoded as text. The `ip` and `mac` encoders take the text or the bytes themselves
 * (requests built from already parsed input pass the bytes instead of formatting and
 * parsing them again).
 */
export type ScalarType =
  | 'u8'
  | 'u16'
  | 'u32'
  | 's32'
  | 'u64'
  | 'be16'
  | 'be32'
  | 'string'
  | 'binary'
  | 'flag'
  | 'mac'
  | 'ip';

/** The decoded value type of a scalar encoding. */
export type ScalarValue<T extends ScalarType> = T extends 'string' | 'mac' | 'ip'
  ? string
  : T extends 'binary'
    ? Buffer
    : T extends 'flag'
      ? boolean
      : number;

/** Inline decoders of fixed-size scalars (for generated codecs): [size, expression of buf at s]. */
export const SCALAR_READS: Partial<Record<ScalarType, [number, string]>> = {
  u8: [1, 'buf[s]'],
  u16: [2, '(buf[s] | (buf[s + 1] << 8))'],
  u32: [4, '((buf[s] | (buf[s + 1] << 8) | (buf[s + 2] << 16)) + buf[s + 3] * 16777216)'],
  s32: [4, '(buf[s] | (buf[s + 1] << 8) | (buf[s + 2] << 16) | (buf[s + 3] << 24))'],
  be16: [2, '((buf[s] << 8) | buf[s + 1])'],
  be32: [4, '(buf[s] * 16777216 + ((buf[s + 1] << 16) | (buf[s + 2] << 8) | buf[s + 3]))'],
};

/** Throws a ParseError unless attribute `name`'s payload buf[start, end) has at least `size` bytes. @internal */
export function needBytes(name: string, buf: Buffer, start: number, end: number, size: number): void {
  if (end - start < size) throw new ParseError(`attribute ${name} has ${end - start} bytes, needs ${size}`, start);
}

/** Decodes the payload buf[start, end) of attribute `name` as a scalar of `type`. @internal */
export function decodeScalar(type: ScalarType, name: string, buf: Buffer, start: number, end: number): unknown {
  switch (type) {
    case 'u8':
      needBytes(name, buf, start, end, 1);
      return buf[start];
    case 'u16':
      needBytes(name, buf, start, end, 2);
      return buf.readUInt16LE(start);
    case 'u32':
      needBytes(name, buf, start, end, 4);
      return buf.readUInt32LE(start);
    case 's32':
      needBytes(name, buf, start, end, 4);
      return buf.readInt32LE(start);
    case 'u64':
      needBytes(name, buf, start, end, 8);
      return buf.readUInt32LE(start) + buf.readUInt32LE(start + 4) * 4294967296;
    case 'be16':
      needBytes(name, buf, start, end, 2);
      return buf.readUInt16BE(start);
    case 'be32':
      needBytes(name, buf, start, end, 4);
      return buf.readUInt32BE(start);
    case 'string': {
      let e = start;
      while (e < end && buf[e] !== 0) e++;
      return buf.toString('utf8', start, e);
    }
    case 'binary':
      return buf.subarray(start, end);
    case 'flag':
      return true;
    case 'mac':
      // MAX_ADDR_LEN: no device has a longer link-layer address (zero bytes: none, e.g. tun)
      if (end - start > 32) throw new ParseError(`attribute ${name} has ${end - start} bytes, a link-layer address at most 32`, start);
      return formatMac(buf.subarray(start, end));
    case 'ip':
      if (end - start !== 4 && end - start !== 16) {
        throw new ParseError(`attribute ${name} has ${end - start} bytes, an address needs 4 or 16`, start);
      }
      return formatIpAt(buf, start, end);
  }
}

/** Writes one attribute of attribute type `attrType` holding scalar `v` of `type` (`name` for errors). @internal */
export function encodeScalar(w: NlWriter, attrType: number, type: ScalarType, name: string, v: unknown): void {
  switch (type) {
    case 'u8':
      w.attrU8(attrType, v as number);
      return;
    case 'u16':
      w.attrU16(attrType, v as number);
      return;
    case 'u32':
      w.attrU32(attrType, v as number);
      return;
    case 's32':
      w.attrS32(attrType, v as number);
      return;
    case 'u64':
      w.attrU64(attrType, v as number);
      return;
    case 'be16':
      w.attrBe16(attrType, v as number);
      return;
    case 'be32':
      w.attrBe32(attrType, v as number);
      return;
    case 'string':
      w.attrString(attrType, v as string);
      return;
    case 'binary':
      w.attr(attrType, v as Buffer);
      return;
    case 'flag':
      if (v) w.attrFlag(attrType);
      return;
    case 'mac':
      // '' is how an empty address decodes
      w.attr(attrType, typeof v === 'string' ? (v === '' ? Buffer.alloc(0) : parseLladdr(v, name)) : (v as Uint8Array));
      return;
    case 'ip':
      w.attr(attrType, typeof v === 'string' ? parseIp(v, name) : (v as Uint8Array));
      return;
  }
}
