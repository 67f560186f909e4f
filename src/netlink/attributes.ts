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
import { formatIp, formatMac, parseIp, parseLladdr } from '../util/ip.js';
import { NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_TYPE_MASK } from './constants.js';
import { align4, NlWriter } from './writer.js';

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
 * decoded as text; its encoder takes the text or the bytes themselves (requests built from
 * already parsed input pass the bytes instead of formatting and parsing them again).
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

interface FieldBase {
  /** property name in the decoded object. */
  name: string;
  /** the attribute may repeat: decoded as an array, each element encoded as one attribute. */
  multi?: boolean;
}
export interface ScalarField extends FieldBase {
  type: ScalarType;
}
export interface NestedField extends FieldBase {
  type: 'nested';
  schema: Schema<any>;
  /** set NLA_F_NESTED when encoding (default false, as iproute2). */
  nestedFlag?: boolean;
}
export interface CustomField<V = any> extends FieldBase {
  type: 'custom';
  decode(data: Buffer, offset: number): V;
  encode(w: NlWriter, type: number, value: V): void;
}
export type Field = ScalarField | NestedField | CustomField;
export type FieldDefs = Record<number, Field>;

type ScalarValue<T extends ScalarType> = T extends 'string' | 'mac' | 'ip'
  ? string
  : T extends 'binary'
    ? Buffer
    : T extends 'flag'
      ? boolean
      : number;

type ValueOf<F> = F extends { type: 'nested'; schema: Schema<infer S> }
  ? S
  : F extends CustomField<infer V>
    ? V
    : F extends { type: infer T extends ScalarType }
      ? ScalarValue<T>
      : never;

/** The decoded object type of a field definition table. */
export type DecodedOf<D extends FieldDefs> = {
  -readonly [K in keyof D as D[K] extends { name: infer N extends string } ? N : never]?: D[K] extends { multi: true }
    ? ValueOf<D[K]>[]
    : ValueOf<D[K]>;
} & { unknown?: RawAttr[] };

/** The decoded object type of a schema. */
export type AttrsOf<S> = S extends Schema<infer T> ? T : never;

const SIZES: Partial<Record<ScalarType, number>> = { u8: 1, u16: 2, u32: 4, s32: 4, u64: 8, be16: 2, be32: 4 };

/** A typed attribute schema (see the module documentation). */
export class Schema<T extends object> {
  readonly name: string;
  private readonly byType: (Field | undefined)[] = [];
  private readonly entries: [number, Field][];
  /** position in `entries` of each field name (the first, if two fields share a name). */
  private readonly indexByName = new Map<string, number>();

  constructor(name: string, defs: FieldDefs) {
    this.name = name;
    this.entries = Object.entries(defs).map(([t, f]) => [Number(t), f] as [number, Field]).sort((a, b) => a[0] - b[0]);
    this.entries.forEach(([t, f], i) => {
      this.byType[t] = f;
      if (!this.indexByName.has(f.name)) this.indexByName.set(f.name, i);
    });
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

  /** Decodes the attributes in buf[start, end). */
  decode(buf: Buffer, start: number, end: number): T {
    const out: Record<string, unknown> = {};
    let off = start;
    if (end > buf.length) throw new ParseError(`attributes end (${end}) past the buffer (${buf.length})`, start);
    while (off + 4 <= end) {
      const len = buf.readUInt16LE(off);
      const rawType = buf.readUInt16LE(off + 2);
      if (len < 4) throw new ParseError(`${this.name} attribute length ${len} is below the 4-byte header`, off);
      if (off + len > end) throw new ParseError(`${this.name} attribute ${rawType & NLA_TYPE_MASK} (${len} bytes) runs past its parent`, off);
      const type = rawType & NLA_TYPE_MASK;
      const f = this.byType[type];
      if (f === undefined) {
        ((out.unknown as RawAttr[] | undefined) ?? (out.unknown = [] as RawAttr[])).push({
          type,
          flags: rawType & ~NLA_TYPE_MASK,
          data: buf.subarray(off + 4, off + len),
        });
      } else {
        const v = decodeField(f, buf, off + 4, off + len);
        if (f.multi) ((out[f.name] as unknown[] | undefined) ?? (out[f.name] = [] as unknown[])).push(v);
        else out[f.name] = v;
      }
      off += align4(len);
    }
    return out as T;
  }

  private encodeEntry(w: NlWriter, i: number, v: unknown): void {
    const [type, f] = this.entries[i]!;
    if (f.multi) {
      for (const x of v as unknown[]) encodeField(w, type, f, x);
    } else {
      encodeField(w, type, f, v);
    }
  }

  /** Encodes the attributes present in obj (in schema order, then `unknown` as they were). */
  encode(w: NlWriter, obj: Partial<T>): void {
    const o = obj as Record<string, unknown>;
    // Walk the object's own keys (usually a few) rather than every field of the schema
    // (up to ~60 keyed lookups per message); objects whose keys are not in schema order
    // (rare) take the schema-order walk.
    let last = -1;
    let ordered = true;
    for (const k in o) {
      const i = this.indexByName.get(k);
      if (i === undefined || o[k] === undefined || o[k] === null) continue;
      if (i < last) {
        ordered = false;
        break;
      }
      last = i;
    }
    if (ordered) {
      for (const k in o) {
        const i = this.indexByName.get(k);
        const v = o[k];
        if (i === undefined || v === undefined || v === null) continue;
        this.encodeEntry(w, i, v);
      }
    } else {
      for (let i = 0; i < this.entries.length; i++) {
        const v = o[this.entries[i]![1].name];
        if (v !== undefined && v !== null) this.encodeEntry(w, i, v);
      }
    }
    const unknown = o.unknown as RawAttr[] | undefined;
    if (unknown) for (const a of unknown) w.attr(a.type | a.flags, a.data);
  }
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
      return formatMac(buf.subarray(start, end));
    case 'ip':
      if (end - start !== 4 && end - start !== 16) {
        throw new ParseError(`attribute ${f.name} has ${end - start} bytes, an address needs 4 or 16`, start);
      }
      return formatIp(buf.subarray(start, end));
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
      w.attr(type, parseLladdr(v, f.name));
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
type StructDefs = readonly (readonly [string, StructType])[];
type StructOf<D extends StructDefs> = {
  -readonly [E in D[number] as E[1] extends `pad${string}` ? never : E[0]]: number;
};

/** A fixed-layout C struct codec (little-endian, packed as declared). */
export class Struct<T extends object> {
  readonly size: number;
  private readonly fields: { name: string; type: StructType; offset: number }[] = [];
  constructor(
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

  /** Reads the struct at offset; ParseError if fewer than `size` bytes remain before `end`. */
  decode(buf: Buffer, offset: number, end = buf.length): T {
    if (end - offset < this.size) throw new ParseError(`${this.name} needs ${this.size} bytes, ${end - offset} left`, offset);
    const out: Record<string, number> = {};
    for (const f of this.fields) {
      const o = offset + f.offset;
      switch (f.type) {
        case 'u8': out[f.name] = buf[o]!; break;
        case 'u16': out[f.name] = buf.readUInt16LE(o); break;
        case 'u32': out[f.name] = buf.readUInt32LE(o); break;
        case 's32': out[f.name] = buf.readInt32LE(o); break;
        case 'u64': out[f.name] = buf.readUInt32LE(o) + buf.readUInt32LE(o + 4) * 4294967296; break;
        case 'be16': out[f.name] = buf.readUInt16BE(o); break;
        case 'be32': out[f.name] = buf.readUInt32BE(o); break;
        default: break;
      }
    }
    return out as T;
  }

  /** Writes the struct; missing fields are zero. */
  encode(w: NlWriter, v: Partial<T>): void {
    const o = v as Record<string, number | undefined>;
    w.ensure(this.size);
    const base = w.offset;
    const buf = w.buf;
    for (let i = base; i < base + this.size; i++) buf[i] = 0; // (a loop: fill() costs a native call)
    for (const f of this.fields) {
      const x = o[f.name] ?? 0;
      const at = base + f.offset;
      switch (f.type) {
        case 'u8': w.buf.writeUInt8(x & 0xff, at); break;
        case 'u16': w.buf.writeUInt16LE(x & 0xffff, at); break;
        case 'u32': w.buf.writeUInt32LE(x >>> 0, at); break;
        case 's32': w.buf.writeInt32LE(x | 0, at); break;
        case 'u64': w.buf.writeBigUInt64LE(BigInt(x), at); break;
        case 'be16': w.buf.writeUInt16BE(x & 0xffff, at); break;
        case 'be32': w.buf.writeUInt32BE(x >>> 0, at); break;
        default: break;
      }
    }
    w.offset = base + this.size;
  }
}

/** Defines a fixed struct codec. */
export function defineStruct<const D extends StructDefs>(name: string, defs: D): Struct<StructOf<D>> {
  return new Struct<StructOf<D>>(name, defs);
}
