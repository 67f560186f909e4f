/**
 * Fixed C structs (ifinfomsg, rtmsg, ifaddrmsg, …): one definition gives the decoder, the
 * encoder and the TypeScript type of the decoded object. Little-endian, packed as declared;
 * `padN` fields are skipped (written as zero). Codecs are generated on first use, or
 * interpreted where code generation is not allowed (codec-mode.ts).
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { type CodecMode, useGenerated } from './codec-mode.js';
import { type NlWriter, toU64 } from './writer.js';

/** Field types of fixed structs. `padN` fields are skipped (written as zero). */
export type StructType = 'u8' | 'u16' | 'u32' | 's32' | 'u64' | 'be16' | 'be32' | 'pad1' | 'pad2' | 'pad4';
/** A struct's definitions: `[fieldName, type]` in memory order. */
export type StructDefs = readonly (readonly [string, StructType])[];
/** The decoded object type of struct definitions (padding left out). */
export type StructOf<D extends StructDefs> = {
  -readonly [E in D[number] as E[1] extends `pad${string}` ? never : E[0]]: number;
};

/** A fixed-layout C struct codec (little-endian, packed as declared). */
export class Struct<T extends object> {
  /** the struct's size in bytes. */
  readonly size: number;
  private readonly fields: { name: string; type: StructType; offset: number }[] = [];
  /** A struct codec from its definitions (use {@link defineStruct} to get the decoded type inferred). */
  constructor(
    /** the struct's name, used in errors (`ifinfomsg`, …). */
    readonly name: string,
    private readonly defs: StructDefs,
    private readonly mode: 'auto' | 'generated' | 'interpreted' = 'auto',
  ) {
    let off = 0;
    for (const [n, t] of defs) {
      this.fields.push({ name: n, type: t, offset: off });
      off += t === 'u64' ? 8 : t === 'u32' || t === 's32' || t === 'be32' || t === 'pad4' ? 4 : t === 'u8' || t === 'pad1' ? 1 : 2;
    }
    this.size = off;
  }
  /** Decoder and encoder, made on first use. */
  private compiled: StructCodec | undefined;

  /** The same struct with codecs made the given way (tests compare both). @internal */
  withCodecs(mode: CodecMode): Struct<T> {
    return new Struct<T>(this.name, this.defs, mode);
  }

  private codec(): StructCodec {
    return (this.compiled ??= useGenerated(this.mode) ? compileStruct(this.fields, this.size) : interpretStruct(this.fields, this.size));
  }

  /** Reads the struct at offset; ParseError if fewer than `size` bytes remain before `end`. */
  decode(buf: Buffer, offset: number, end = buf.length): T {
    if (end - offset < this.size) throw new ParseError(`${this.name} needs ${this.size} bytes, ${end - offset} left`, offset);
    return (this.compiled ?? this.codec()).decode(buf, offset) as T;
  }

  /** Writes the struct; missing fields are zero. */
  encode(w: NlWriter, v: Partial<T>): void {
    w.ensure(this.size);
    (this.compiled ?? this.codec()).encode(w.buf, w.offset, v as Record<string, number | undefined>);
    w.offset += this.size;
  }
}

/** Byte expressions of struct fields (see "generated codecs" above). */
function structRead(type: StructType, at: string): string | undefined {
  const b = (k: number): string => `buf[${at} + ${k}]`;
  switch (type) {
    case 'u8': return b(0);
    case 'u16': return `(${b(0)} | (${b(1)} << 8))`;
    case 'u32': return `((${b(0)} | (${b(1)} << 8) | (${b(2)} << 16)) + ${b(3)} * 16777216)`;
    case 's32': return `(${b(0)} | (${b(1)} << 8) | (${b(2)} << 16) | (${b(3)} << 24))`;
    case 'u64': return `(((${b(0)} | (${b(1)} << 8) | (${b(2)} << 16)) + ${b(3)} * 16777216) + ((${b(4)} | (${b(5)} << 8) | (${b(6)} << 16)) + ${b(7)} * 16777216) * 4294967296)`;
    case 'be16': return `((${b(0)} << 8) | ${b(1)})`;
    case 'be32': return `(${b(0)} * 16777216 + ((${b(1)} << 16) | (${b(2)} << 8) | ${b(3)}))`;
    default: return undefined; // padding
  }
}

function structWrite(type: StructType, at: string): string {
  const put = (bytes: string[]): string => bytes.map((x, k) => `buf[${at} + ${k}] = ${x};`).join(' ');
  switch (type) {
    case 'u8': return put(['x & 0xff']);
    case 'u16': return put(['x & 0xff', '(x >>> 8) & 0xff']);
    case 'u32':
    case 's32': return `x = x | 0; ${put(['x & 0xff', '(x >>> 8) & 0xff', '(x >>> 16) & 0xff', '(x >>> 24) & 0xff'])}`;
    case 'u64': return `buf.writeBigUInt64LE(toU64(x), ${at});`; // values past 2^64 saturate (see toU64)
    case 'be16': return put(['(x >>> 8) & 0xff', 'x & 0xff']);
    case 'be32': return `x = x | 0; ${put(['(x >>> 24) & 0xff', '(x >>> 16) & 0xff', '(x >>> 8) & 0xff', 'x & 0xff'])}`;
    default: return ''; // padding: zeroed below
  }
}

interface StructCodec {
  decode(buf: Buffer, o: number): Record<string, number>;
  encode(buf: Buffer, b: number, v: Record<string, number | undefined>): void;
}

/** The codecs of compileStruct as a generic loop over the fields (no code generation). */
function interpretStruct(fields: { name: string; type: StructType; offset: number }[], size: number): StructCodec {
  const used = fields.filter((f) => !f.type.startsWith('pad'));
  return {
    decode(buf, o) {
      const out: Record<string, number> = {};
      for (const f of used) {
        const at = o + f.offset;
        switch (f.type) {
          case 'u8': out[f.name] = buf[at]!; break;
          case 'u16': out[f.name] = buf.readUInt16LE(at); break;
          case 'u32': out[f.name] = buf.readUInt32LE(at); break;
          case 's32': out[f.name] = buf.readInt32LE(at); break;
          case 'u64': out[f.name] = buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 4294967296; break;
          case 'be16': out[f.name] = buf.readUInt16BE(at); break;
          case 'be32': out[f.name] = buf.readUInt32BE(at); break;
        }
      }
      return out;
    },
    encode(buf, b, v) {
      buf.fill(0, b, b + size);
      for (const f of used) {
        const at = b + f.offset;
        let x = v[f.name] ?? 0;
        switch (f.type) {
          case 'u8': buf[at] = x & 0xff; break;
          case 'u16': buf[at] = x & 0xff; buf[at + 1] = (x >>> 8) & 0xff; break;
          case 'u32':
          case 's32': x |= 0; buf.writeInt32LE(x, at); break;
          case 'u64': buf.writeBigUInt64LE(toU64(x), at); break;
          case 'be16': buf[at] = (x >>> 8) & 0xff; buf[at + 1] = x & 0xff; break;
          case 'be32': x |= 0; buf.writeInt32BE(x, at); break;
        }
      }
    },
  };
}

function compileStruct(fields: { name: string; type: StructType; offset: number }[], size: number): StructCodec {
  const reads = fields
    .map((f) => [f, structRead(f.type, `o + ${f.offset}`)] as const)
    .filter(([, r]) => r !== undefined)
    .map(([f, r]) => `${JSON.stringify(f.name)}: ${r}`);
  const writes = fields.map((f) => {
    const w = structWrite(f.type, `b + ${f.offset}`);
    return w ? `x = v[${JSON.stringify(f.name)}] ?? 0; ${w}` : '';
  });
  const zero = Array.from({ length: size }, (_, k) => `buf[b + ${k}] = 0;`).join(' ');
  return {
    decode: new Function(`return function decode(buf, o) { return { ${reads.join(', ')} }; };`)() as (buf: Buffer, o: number) => Record<string, number>,
    encode: new Function('toU64', `return function encode(buf, b, v) { let x; ${zero}\n${writes.join('\n')} };`)(toU64) as (buf: Buffer, b: number, v: Record<string, number | undefined>) => void,
  };
}

/**
 * A struct's definitions as an object: field name → type, in memory order (the doc comment
 * written above a field is the one shown on the decoded property).
 */
export type StructFieldDefs = Readonly<Record<string, StructType>>;
/** The names of the fields of {@link StructFieldDefs} that are not padding. */
export type StructValueKeys<D> = { [K in keyof D]: D[K] extends `pad${string}` ? never : K }[keyof D];
/**
 * The decoded object type of {@link StructFieldDefs} (padding left out; a `Pick` keeps the
 * name of the alias declared with it in editors and errors).
 */
export type StructFieldsOf<D> = Pick<{ -readonly [K in keyof D]: number }, StructValueKeys<D>>;

/** Defines a fixed struct codec, from `[name, type]` pairs or an object of fields in memory order. */
export function defineStruct<const D extends StructDefs>(name: string, defs: D): Struct<StructOf<D>>;
export function defineStruct<const D extends StructFieldDefs>(name: string, defs: D): Struct<StructFieldsOf<D>>;
export function defineStruct(name: string, defs: StructDefs | StructFieldDefs): Struct<object> {
  return new Struct(name, Array.isArray(defs) ? (defs as StructDefs) : (Object.entries(defs) as [string, StructType][]));
}
