/**
 * Typed attribute (TLV) schemas: one definition gives both the decoder and the encoder,
 * and the TypeScript type of the decoded object.
 *
 * ```ts
 * const IFLA = defineSchema('IFLA', {
 *   3: { name: 'ifname', type: 'string' },
 *   4: { name: 'mtu', type: 'u32' },
 * });
 * type LinkAttrs = AttrsOf<typeof IFLA>;   // { ifname?: string; mtu?: number; unknown?: RawAttr[] }
 * ```
 * Decoding checks every length against its parent (truncated or overlong input raises a
 * ParseError, never reads outside the buffer); attributes the schema does not know are
 * kept raw in `unknown` and written back unchanged by the encoder.
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { formatIpAt, formatMac, parseIp, parseLladdr } from '../util/ip.js';
import { NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_TYPE_MASK } from './constants.js';
import { align4, NlWriter, toU64 } from './writer.js';

/** An attribute kept as bytes: unknown to the schema, or read with {@link forEachAttr}. */
export interface RawAttr {
  /** attribute type without the NLA_F_NESTED / NLA_F_NET_BYTEORDER flags. */
  type: number;
  /** the NLA_F_* flags it carried. */
  flags: number;
  /** its payload. */
  data: Buffer;
}

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

/** What every field definition has. */
export interface FieldBase {
  /** property name in the decoded object. */
  name: string;
  /** the attribute may repeat: decoded as an array, each element encoded as one attribute. */
  multi?: boolean;
}
/** A field holding one scalar value ({@link ScalarType}). */
export interface ScalarField extends FieldBase {
  /** how the payload is encoded. */
  type: ScalarType;
}
/** A field holding nested attributes, decoded with another schema. */
export interface NestedField extends FieldBase {
  /** `nested`. */
  type: 'nested';
  /** the schema of the nested attributes. */
  schema: Schema<any>;
  /** set NLA_F_NESTED when encoding (default false, as iproute2). */
  nestedFlag?: boolean;
}
/** A field with its own decoder and encoder (a C struct payload, an array, …). */
export interface CustomField<V = any> extends FieldBase {
  /** `custom`. */
  type: 'custom';
  /** Decodes the payload `data` (`offset`: where it starts in the message, for errors). */
  decode(data: Buffer, offset: number): V;
  /** Writes the whole attribute of type `type` holding `value`. */
  encode(w: NlWriter, type: number, value: V): void;
}
/** One attribute's definition in a schema. */
export type Field = ScalarField | NestedField | CustomField;
/** A schema's definitions: attribute type number → field. */
export type FieldDefs = Record<number, Field>;

/** The decoded value type of a scalar encoding. */
export type ScalarValue<T extends ScalarType> = T extends 'string' | 'mac' | 'ip'
  ? string
  : T extends 'binary'
    ? Buffer
    : T extends 'flag'
      ? boolean
      : number;

/** A nested field whose schema decodes to `S` (for type inference). */
export interface NestedFieldOf<S extends object> extends NestedField {
  /** the schema of the nested attributes. */
  schema: Schema<S>;
}
/** A scalar field of encoding `T` (for type inference). */
export interface ScalarFieldOf<T extends ScalarType> extends FieldBase {
  /** how the payload is encoded. */
  type: T;
}
/** A field definition named `N` (for type inference). */
export interface NamedField<N extends string> {
  /** property name in the decoded object. */
  name: N;
}
/** A field definition that may repeat (for type inference). */
export interface RepeatedField {
  /** the attribute may repeat: decoded as an array. */
  multi: true;
}
/** What every decoded attribute object may hold besides its named fields. */
export interface UnknownAttrs {
  /** attributes the schema does not know, kept as bytes. */
  unknown?: RawAttr[];
}

/** The decoded value type of a field definition. */
export type ValueOf<F> = F extends NestedFieldOf<infer S>
  ? S
  : F extends CustomField<infer V>
    ? V
    : F extends ScalarFieldOf<infer T>
      ? ScalarValue<T>
      : never;

/** The decoded object type of a field definition table. */
export type DecodedOf<D extends FieldDefs> = {
  -readonly [K in keyof D as D[K] extends NamedField<infer N> ? N : never]?: D[K] extends RepeatedField ? ValueOf<D[K]>[] : ValueOf<D[K]>;
} & UnknownAttrs;

/** The decoded object type of a schema. */
export type AttrsOf<S> = S extends Schema<infer T> ? T : never;

/**
 * Compile-time check that a documented attribute interface has exactly the properties its
 * schema decodes, each of a type assignable both ways (a nested schema's own interface is
 * checked where it is defined): `Assert<SameAttributes<I, AttrsOf<typeof S>>>` does not
 * compile otherwise, so the interfaces cannot drift from the schemas.
 * @internal
 */
export type SameAttributes<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? { [K in keyof A & keyof B]-?: [A[K]] extends [B[K]] ? ([B[K]] extends [A[K]] ? true : false) : false }[keyof A & keyof B] extends true
    ? true
    : false
  : false;
/** Fails to compile unless `T` is `true` (see {@link SameAttributes}). @internal */
export type Assert<T extends true> = T;

const SIZES: Partial<Record<ScalarType, number>> = { u8: 1, u16: 2, u32: 4, s32: 4, u64: 8, be16: 2, be32: 4 };

/** A typed attribute schema (see the module documentation). */
export class Schema<T extends object> {
  /** the schema's name, used in errors (`IFLA`, `IFA`, …). */
  readonly name: string;
  private readonly byType: (Field | undefined)[] = [];
  private readonly entries: [number, Field][];

  /**
   * Decoder and encoder generated from the definitions (see compileSchema), on first use: a
   * process that loads every schema but uses a few (a CNI plugin call) compiles only those.
   */
  private compiledCodec: CompiledSchema | undefined;
  private get compiled(): CompiledSchema {
    return (this.compiledCodec ??= compileSchema(this.name, this.entries));
  }

  /** A schema from its definitions (use {@link defineSchema} to get the decoded type inferred). */
  constructor(name: string, defs: FieldDefs) {
    this.name = name;
    this.entries = Object.entries(defs).map(([t, f]) => [Number(t), f] as [number, Field]).sort((a, b) => a[0] - b[0]);
    for (const [t, f] of this.entries) this.byType[t] = f;
  }

  /** The field definition of an attribute type. */
  field(type: number): Field | undefined {
    return this.byType[type];
  }

  /** The attribute type whose field is called `name`. */
  typeOf(name: string): number | undefined {
    return this.entries.find(([, f]) => f.name === name)?.[0];
  }

  /** Name of an attribute type, for error messages (e.g. `IFLA_IFNAME (ifname)`). */
  describe(type: number): string {
    const f = this.byType[type];
    return f ? `${this.name}[${type}] (${f.name})` : `${this.name}[${type}]`;
  }

  /**
   * Decodes the attributes in buf[start, end). Every length is checked against its parent:
   * a ParseError is thrown for truncated or overlong input.
   */
  decode(buf: Buffer, start: number, end: number): T {
    if (end > buf.length) throw new ParseError(`attributes end (${end}) past the buffer (${buf.length})`, start);
    return this.compiled.decode(buf, start, end) as T;
  }

  /** Encodes the attributes present in obj (in schema order, then `unknown` as they were). */
  encode(w: NlWriter, obj: Partial<T>): void {
    this.compiled.encode(w, obj as Record<string, unknown>);
  }
}

// ---- generated codecs -------------------------------------------------------------------
//
// Schemas and structs are walked for every message of a dump and every request of a bulk
// change. A generic loop (`out[f.name] = …` for a field found at run time) makes every
// property access a megamorphic keyed access; the functions generated below name each
// property in the code, once per definition, so V8 compiles plain property loads and
// stores. They do exactly what the definitions say: field names are written as JSON string
// literals, types come from a closed set, everything else is passed in as arguments.

interface CompiledSchema {
  decode(buf: Buffer, start: number, end: number): Record<string, unknown>;
  encode(w: NlWriter, o: Record<string, unknown>): void;
}

/** Inline decoders of fixed-size scalars: [size, expression of buf at s]. */
const SCALAR_READS: Partial<Record<ScalarType, [number, string]>> = {
  u8: [1, 'buf[s]'],
  u16: [2, '(buf[s] | (buf[s + 1] << 8))'],
  u32: [4, '((buf[s] | (buf[s + 1] << 8) | (buf[s + 2] << 16)) + buf[s + 3] * 16777216)'],
  s32: [4, '(buf[s] | (buf[s + 1] << 8) | (buf[s + 2] << 16) | (buf[s + 3] << 24))'],
  be16: [2, '((buf[s] << 8) | buf[s + 1])'],
  be32: [4, '(buf[s] * 16777216 + ((buf[s + 1] << 16) | (buf[s + 2] << 8) | buf[s + 3]))'],
};

function compileSchema(name: string, entries: [number, Field][]): CompiledSchema {
  const fields = entries.map(([, f]) => f);
  const cases = entries.map(([type, f], i) => {
    const key = JSON.stringify(f.name);
    const scalar = f.type !== 'nested' && f.type !== 'custom' ? SCALAR_READS[f.type] : undefined;
    let value: string;
    if (scalar) value = `(e - s < ${scalar[0]} ? need(F[${i}], s, e, ${scalar[0]}) : ${scalar[1]})`;
    else if (f.type === 'ip') value = `(e - s === 4 || e - s === 16 ? ipAt(buf, s, e) : badIp(F[${i}], s, e))`;
    else value = `decodeField(F[${i}], buf, s, e)`;
    const store = f.multi ? `(out[${key}] ??= []).push(${value})` : `out[${key}] = ${value}`;
    return `      case ${type}: ${store}; break;`;
  });
  const decodeSrc = `
    return function decode(buf, start, end) {
      const out = {};
      let off = start;
      while (off + 4 <= end) {
        const len = buf[off] | (buf[off + 1] << 8);
        const rawType = buf[off + 2] | (buf[off + 3] << 8);
        if (len < 4) throw new ParseError(NAME + ' attribute length ' + len + ' is below the 4-byte header', off);
        if (off + len > end) throw new ParseError(NAME + ' attribute ' + (rawType & ${NLA_TYPE_MASK}) + ' (' + len + ' bytes) runs past its parent', off);
        const s = off + 4;
        const e = off + len;
        switch (rawType & ${NLA_TYPE_MASK}) {
${cases.join('\n')}
          default:
            (out.unknown ??= []).push({ type: rawType & ${NLA_TYPE_MASK}, flags: rawType & ${~NLA_TYPE_MASK & 0xffff}, data: buf.subarray(s, e) });
        }
        off += (len + 3) & ~3;
      }
      return out;
    };`;
  const encodeLines = entries.map(([type, f], i) => {
    const key = JSON.stringify(f.name);
    const put = f.multi ? `for (const x of v) encodeField(w, ${type}, F[${i}], x);` : `encodeField(w, ${type}, F[${i}], v);`;
    return `      v = o[${key}]; if (v !== undefined && v !== null) { ${put} }`;
  });
  const encodeSrc = `
    return function encode(w, o) {
      let v;
${encodeLines.join('\n')}
      const u = o.unknown;
      if (u) for (const a of u) w.attr(a.type | a.flags, a.data);
    };`;
  const need = (f: Field, start: number, end: number, size: number): never => {
    throw new ParseError(`attribute ${f.name} has ${end - start} bytes, needs ${size}`, start);
  };
  const badIp = (f: Field, start: number, end: number): never => {
    throw new ParseError(`attribute ${f.name} has ${end - start} bytes, an address needs 4 or 16`, start);
  };
  const args = ['NAME', 'F', 'ParseError', 'decodeField', 'encodeField', 'need', 'ipAt', 'badIp'];
  const values = [name, fields, ParseError, decodeField, encodeField, need, formatIpAt, badIp];
  return {
    decode: new Function(...args, decodeSrc)(...values),
    encode: new Function(...args, encodeSrc)(...values),
  };
}

/** Defines a schema; the decoded type is derived from the definitions. */
export function defineSchema<const D extends FieldDefs>(name: string, defs: D): Schema<DecodedOf<D>> {
  return new Schema<DecodedOf<D>>(name, defs);
}

function need(f: Field, buf: Buffer, start: number, end: number, size: number): void {
  if (end - start < size) throw new ParseError(`attribute ${f.name} has ${end - start} bytes, needs ${size}`, start);
}

function decodeField(f: Field, buf: Buffer, start: number, end: number): unknown {
  switch (f.type) {
    case 'u8':
      need(f, buf, start, end, 1);
      return buf[start];
    case 'u16':
      need(f, buf, start, end, 2);
      return buf.readUInt16LE(start);
    case 'u32':
      need(f, buf, start, end, 4);
      return buf.readUInt32LE(start);
    case 's32':
      need(f, buf, start, end, 4);
      return buf.readInt32LE(start);
    case 'u64':
      need(f, buf, start, end, 8);
      return buf.readUInt32LE(start) + buf.readUInt32LE(start + 4) * 4294967296;
    case 'be16':
      need(f, buf, start, end, 2);
      return buf.readUInt16BE(start);
    case 'be32':
      need(f, buf, start, end, 4);
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
      if (end - start > 32) throw new ParseError(`attribute ${f.name} has ${end - start} bytes, a link-layer address at most 32`, start);
      return formatMac(buf.subarray(start, end));
    case 'ip':
      if (end - start !== 4 && end - start !== 16) {
        throw new ParseError(`attribute ${f.name} has ${end - start} bytes, an address needs 4 or 16`, start);
      }
      return formatIpAt(buf, start, end);
    case 'nested':
      return f.schema.decode(buf, start, end);
    case 'custom':
      try {
        return f.decode(buf.subarray(start, end), start);
      } catch (e) {
        if (e instanceof ParseError) throw e;
        throw new ParseError(`attribute ${f.name}: ${(e as Error).message}`, start);
      }
  }
}

function encodeField(w: NlWriter, type: number, f: Field, v: unknown): void {
  switch (f.type) {
    case 'u8':
      w.attrU8(type, v as number);
      return;
    case 'u16':
      w.attrU16(type, v as number);
      return;
    case 'u32':
      w.attrU32(type, v as number);
      return;
    case 's32':
      w.attrS32(type, v as number);
      return;
    case 'u64':
      w.attrU64(type, v as number);
      return;
    case 'be16':
      w.attrBe16(type, v as number);
      return;
    case 'be32':
      w.attrBe32(type, v as number);
      return;
    case 'string':
      w.attrString(type, v as string);
      return;
    case 'binary':
      w.attr(type, v as Buffer);
      return;
    case 'flag':
      if (v) w.attrFlag(type);
      return;
    case 'mac':
      // '' is how an empty address decodes
      w.attr(type, typeof v === 'string' ? (v === '' ? Buffer.alloc(0) : parseLladdr(v, f.name)) : (v as Uint8Array));
      return;
    case 'ip':
      w.attr(type, typeof v === 'string' ? parseIp(v, f.name) : (v as Uint8Array));
      return;
    case 'nested': {
      const s = w.beginNested(type, f.nestedFlag === true);
      f.schema.encode(w, v as object);
      w.endNested(s);
      return;
    }
    case 'custom':
      f.encode(w, type, v);
      return;
  }
}

/** Calls fn for every attribute in buf[start, end), with the same bounds checks as decode. */
export function forEachAttr(buf: Buffer, start: number, end: number, fn: (type: number, data: Buffer, flags: number) => void): void {
  let off = start;
  if (end > buf.length) throw new ParseError(`attributes end (${end}) past the buffer (${buf.length})`, start);
  while (off + 4 <= end) {
    const len = buf.readUInt16LE(off);
    const rawType = buf.readUInt16LE(off + 2);
    if (len < 4) throw new ParseError(`attribute length ${len} is below the 4-byte header`, off);
    if (off + len > end) throw new ParseError(`attribute ${rawType & NLA_TYPE_MASK} (${len} bytes) runs past its parent`, off);
    fn(rawType & NLA_TYPE_MASK, buf.subarray(off + 4, off + len), rawType & (NLA_F_NESTED | NLA_F_NET_BYTEORDER));
    off += align4(len);
  }
}

/**
 * A field whose payload is one fixed C struct (ifa_cacheinfo, rta_cacheinfo, …): decoded
 * with the struct's codec (a short payload is a ParseError), encoded as one attribute.
 */
export function structField<const N extends string, T extends object>(name: N, struct: Struct<T>): CustomField<T> & { name: N } {
  return {
    name,
    type: 'custom',
    decode: (data: Buffer): T => struct.decode(data, 0, data.length),
    encode: (w: NlWriter, type: number, v: T): void => {
      // a struct payload is not a nest: no NLA_F_NESTED (strict kernel policies refuse it)
      const s = w.beginNested(type, false);
      struct.encode(w, v);
      w.endNested(s);
    },
  };
}

// ---- fixed C structs (ifinfomsg, rtmsg, …) ----------------------------------------------

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
    defs: StructDefs,
  ) {
    let off = 0;
    for (const [n, t] of defs) {
      this.fields.push({ name: n, type: t, offset: off });
      off += t === 'u64' ? 8 : t === 'u32' || t === 's32' || t === 'be32' || t === 'pad4' ? 4 : t === 'u8' || t === 'pad1' ? 1 : 2;
    }
    this.size = off;
  }
  /** The generated codec, compiled on first use (like Schema's). */
  private compiledCodec: ReturnType<typeof compileStruct> | undefined;
  private get compiled(): ReturnType<typeof compileStruct> {
    return (this.compiledCodec ??= compileStruct(this.fields, this.size));
  }

  /** Reads the struct at offset; ParseError if fewer than `size` bytes remain before `end`. */
  decode(buf: Buffer, offset: number, end = buf.length): T {
    if (end - offset < this.size) throw new ParseError(`${this.name} needs ${this.size} bytes, ${end - offset} left`, offset);
    return this.compiled.decode(buf, offset) as T;
  }

  /** Writes the struct; missing fields are zero. */
  encode(w: NlWriter, v: Partial<T>): void {
    w.ensure(this.size);
    this.compiled.encode(w.buf, w.offset, v as Record<string, number | undefined>);
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

function compileStruct(fields: { name: string; type: StructType; offset: number }[], size: number) {
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

/** Defines a fixed struct codec. */
export function defineStruct<const D extends StructDefs>(name: string, defs: D): Struct<StructOf<D>> {
  return new Struct<StructOf<D>>(name, defs);
}
