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
 *
 * Scalar encodings are in scalars.ts, fixed C structs in struct.ts, the choice between
 * generated and interpreted codecs in codec-mode.ts.
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { formatIpAt } from '../util/ip.js';
import { type CodecMode, useGenerated } from './codec-mode.js';
import { NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_TYPE_MASK } from './constants.js';
import { decodeScalar, encodeScalar, needBytes, SCALAR_READS, type ScalarType, type ScalarValue } from './scalars.js';
import type { Struct } from './struct.js';
import { align4, type NlWriter } from './writer.js';

/** An attribute kept as bytes: unknown to the schema, or read with {@link forEachAttr}. */
export interface RawAttr {
  /** attribute type without the NLA_F_NESTED / NLA_F_NET_BYTEORDER flags. */
  type: number;
  /** the NLA_F_* flags it carried. */
  flags: number;
  /** its payload. */
  data: Buffer;
}


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
  schema: Schema<any, any>;
  /** set NLA_F_NESTED when encoding (default false, as iproute2). */
  nestedFlag?: boolean;
}
/**
 * A field with its own decoder and encoder (a C struct payload, an array, …): it decodes to
 * `V` and encodes an `I` (by default the same type).
 */
export interface CustomField<V = any, I = V> extends FieldBase {
  /** `custom`. */
  type: 'custom';
  /** Decodes the payload `data` (`offset`: where it starts in the message, for errors). */
  decode(data: Buffer, offset: number): V;
  /** Writes the whole attribute of type `type` holding `value`. */
  encode(w: NlWriter, type: number, value: I): void;
}
/** One attribute's definition in a schema. */
export type Field = ScalarField | NestedField | CustomField;
/** A schema's definitions: attribute type number → field. */
export type FieldDefs = Record<number, Field>;


/** A nested field whose schema decodes to `S` (for type inference). */
export interface NestedFieldOf<S extends object> extends NestedField {
  /** the schema of the nested attributes. */
  schema: Schema<S, any>;
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
  : F extends CustomField<infer V, any>
    ? V
    : F extends ScalarFieldOf<infer T>
      ? ScalarValue<T>
      : never;

/** The decoded object type of a field definition table. */
export type DecodedOf<D extends FieldDefs> = {
  -readonly [K in keyof D as D[K] extends NamedField<infer N> ? N : never]?: D[K] extends RepeatedField ? ValueOf<D[K]>[] : ValueOf<D[K]>;
} & UnknownAttrs;

/** The decoded object type of a schema. */
export type AttrsOf<S> = S extends Schema<infer T, any> ? T : never;
/** The object type a schema encodes (what a request passes to `encode`). */
export type InputOf<S> = S extends Schema<any, infer I> ? I : never;

// ---- attribute sets keyed by name -------------------------------------------------------
//
// A definition keyed by the field name (`dst: { nla: 1, type: 'ip' }`) is the one place a
// field is declared: the decoded and the encoded object types are mapped from it, and the
// doc comment written on the definition is the one editors and the API reference show on
// the decoded property (a mapped type over the definition's own keys keeps them).

/**
 * One field of a name-keyed attribute set ({@link defineAttributes}): its attribute type
 * number and its definition (its name is the key; a `name` it carries must be the same).
 */
export type AttributeDef = (Omit<ScalarField, 'name'> | Omit<NestedField, 'name'> | Omit<CustomField, 'name'>) & {
  /** the attribute type number (e.g. 1 for RTA_DST). */
  nla: number;
  /** the property name, if the definition carries one (it must equal the key). */
  name?: string;
};
/** A name-keyed attribute set: property name → {@link AttributeDef}. */
export type AttributeDefs = Record<string, AttributeDef>;

/** A nested field whose schema encodes `I` (for type inference). */
export interface NestedInputFieldOf<I extends object> extends NestedField {
  /** the schema of the nested attributes. */
  schema: Schema<any, I>;
}
/** The value a field definition encodes: addresses also as bytes, nested sets as their input type. */
export type InputValueOf<F> = F extends NestedInputFieldOf<infer I>
  ? I
  : F extends CustomField<any, infer I>
    ? I
    : F extends ScalarFieldOf<'ip' | 'mac'>
      ? string | Uint8Array
      : ValueOf<F>;
/** The decoded value of an {@link AttributeDef}. */
export type DefValue<F> = ValueOf<F & NamedField<string>>;
/** The value an {@link AttributeDef} encodes (see {@link InputValueOf}). */
export type DefInput<F> = InputValueOf<F & NamedField<string>>;
/** The decoded object type of a name-keyed attribute set (every field optional). */
export type AttributesOf<D> = {
  -readonly [K in keyof D]?: D[K] extends RepeatedField ? DefValue<D[K]>[] : DefValue<D[K]>;
} & UnknownAttrs;
/** The object type a name-keyed attribute set encodes (`undefined` fields are left out). */
export type AttributesInputOf<D> = {
  -readonly [K in keyof D]?: (D[K] extends RepeatedField ? DefInput<D[K]>[] : DefInput<D[K]>) | undefined;
} & UnknownAttrs;

/**
 * Defines a schema from definitions keyed by field name, each with its attribute type
 * number (`nla`); the decoded and encoded types come from them, and so does each field's
 * documentation: the doc comment written above a definition is the one shown on the decoded
 * property.
 *
 * ```ts
 * const RTA = defineAttributes('RTA', {
 *   dst: { nla: 1, type: 'ip' },      // decoded as a string, encoded from a string or bytes
 *   oif: { nla: 4, type: 'u32' },
 * });
 * type RouteAttributes = AttrsOf<typeof RTA>;  // { dst?: string; oif?: number; unknown?: RawAttr[] }
 * ```
 */
export function defineAttributes<const D extends AttributeDefs>(name: string, defs: D): Schema<AttributesOf<D>, AttributesInputOf<D>> {
  const byType: FieldDefs = {};
  for (const [key, def] of Object.entries(defs)) {
    const { nla, ...field } = def;
    if (field.name !== undefined && field.name !== key) throw new Error(`${name}: field ${key} carries the name ${field.name}`);
    const other = byType[nla];
    if (other) throw new Error(`${name}: ${other.name} and ${key} are both attribute ${nla}`);
    byType[nla] = { ...field, name: key } as Field;
  }
  return new Schema(name, byType);
}


/**
 * A typed attribute schema (see the module documentation): decodes to `T`, encodes an `I`
 * (by default `Partial<T>`; schemas from {@link defineAttributes} also take addresses as bytes).
 */
export class Schema<T extends object, I extends object = Partial<T>> {
  /** the schema's name, used in errors (`IFLA`, `IFA`, …). */
  readonly name: string;
  /** the fields by attribute type, and as [type, field] pairs sorted by type: made on first use (not at import, where ~60 schemas are defined). */
  private fieldsByType: (Field | undefined)[] | undefined;
  private sortedEntries: [number, Field][] | undefined;

  /** Decoder and encoder, made on first use (see "codecs" below). */
  private compiled: CompiledSchema | undefined;
  private readonly defs: FieldDefs;
  private readonly mode: CodecMode;

  /** A schema from its definitions (use {@link defineSchema} to get the decoded type inferred). */
  constructor(name: string, defs: FieldDefs, mode: 'auto' | 'generated' | 'interpreted' = 'auto') {
    this.name = name;
    this.defs = defs;
    this.mode = mode;
  }

  private get entries(): [number, Field][] {
    return (this.sortedEntries ??= Object.entries(this.defs).map(([t, f]) => [Number(t), f] as [number, Field]).sort((a, b) => a[0] - b[0]));
  }

  private get byType(): (Field | undefined)[] {
    if (this.fieldsByType === undefined) {
      const byType: (Field | undefined)[] = [];
      for (const [t, f] of this.entries) byType[t] = f;
      this.fieldsByType = byType;
    }
    return this.fieldsByType;
  }

  /** The same schema with codecs made the given way (tests compare both). @internal */
  withCodecs(mode: CodecMode): Schema<T, I> {
    return new Schema<T, I>(this.name, this.defs, mode);
  }

  private codec(): CompiledSchema {
    return (this.compiled ??= useGenerated(this.mode) ? compileSchema(this.name, this.entries) : interpretSchema(this.name, this.byType));
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
    return (this.compiled ?? this.codec()).decode(buf, start, end) as T;
  }

  /** Encodes the attributes present in obj (in schema order, then `unknown` as they were). */
  encode(w: NlWriter, obj: I): void {
    (this.compiled ?? this.codec()).encode(w, obj as Record<string, unknown>);
  }
}

// ---- codecs --------------------------------------------------------------------------------
//
// Made on first use, not at import: importing the library compiles nothing, a program pays
// only for the schemas it uses.
//
// Where the process may not compile code from strings (node
// --disallow-code-generation-from-strings, a CSP-like hardening), the interpreted codecs
// further below do the same work with a generic loop: identical results, slower
// (codec-mode.ts chooses). Scalar payloads are read and written by scalars.ts.


// ---- generated codecs ---------------------------------------------------------------------
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

/** The codecs of compileSchema as a generic loop over the definitions (no code generation). */
function interpretSchema(name: string, byType: readonly (Field | undefined)[]): CompiledSchema {
  const entries = byType.flatMap((f, type) => (f === undefined ? [] : [[type, f] as const]));
  return {
    decode(buf, start, end) {
      const out: Record<string, unknown> = {};
      let off = start;
      while (off + 4 <= end) {
        const len = buf[off]! | (buf[off + 1]! << 8);
        const rawType = buf[off + 2]! | (buf[off + 3]! << 8);
        if (len < 4) throw new ParseError(`${name} attribute length ${len} is below the 4-byte header`, off);
        if (off + len > end) throw new ParseError(`${name} attribute ${rawType & NLA_TYPE_MASK} (${len} bytes) runs past its parent`, off);
        const s = off + 4;
        const e = off + len;
        const f = byType[rawType & NLA_TYPE_MASK];
        if (f === undefined) {
          ((out.unknown as RawAttr[] | undefined) ??= []).push({ type: rawType & NLA_TYPE_MASK, flags: rawType & (~NLA_TYPE_MASK & 0xffff), data: buf.subarray(s, e) });
        } else {
          const value = decodeField(f, buf, s, e);
          if (f.multi) ((out[f.name] as unknown[] | undefined) ??= []).push(value);
          else out[f.name] = value;
        }
        off += (len + 3) & ~3;
      }
      return out;
    },
    encode(w, o) {
      for (const [type, f] of entries) {
        const v = o[f.name];
        if (v === undefined || v === null) continue;
        if (f.multi) for (const x of v as unknown[]) encodeField(w, type, f, x);
        else encodeField(w, type, f, v);
      }
      const u = o.unknown as RawAttr[] | undefined;
      if (u) for (const a of u) w.attr(a.type | a.flags, a.data);
    },
  };
}

/** Defines a schema; the decoded type is derived from the definitions. */
export function defineSchema<const D extends FieldDefs>(name: string, defs: D): Schema<DecodedOf<D>> {
  return new Schema<DecodedOf<D>>(name, defs);
}

function need(f: Field, buf: Buffer, start: number, end: number, size: number): void {
  needBytes(f.name, buf, start, end, size);
}

function decodeField(f: Field, buf: Buffer, start: number, end: number): unknown {
  switch (f.type) {
    case 'nested':
      return f.schema.decode(buf, start, end);
    case 'custom':
      try {
        return f.decode(buf.subarray(start, end), start);
      } catch (e) {
        if (e instanceof ParseError) throw e;
        throw new ParseError(`attribute ${f.name}: ${(e as Error).message}`, start);
      }
    default:
      return decodeScalar(f.type, f.name, buf, start, end);
  }
}

function encodeField(w: NlWriter, type: number, f: Field, v: unknown): void {
  switch (f.type) {
    case 'nested': {
      const s = w.beginNested(type, f.nestedFlag === true);
      f.schema.encode(w, v as object);
      w.endNested(s);
      return;
    }
    case 'custom':
      f.encode(w, type, v);
      return;
    default:
      encodeScalar(w, type, f.type, f.name, v);
  }
}

/**
 * Checks that the attributes in `buf[start, end)` are framed within it — what
 * {@link forEachAttr} checks, with its errors — without visiting them (a dump entry checked
 * now and decoded later).
 */
export function checkAttributes(buf: Buffer, start: number, end: number): void {
  if (end > buf.length) throw new ParseError(`attributes end (${end}) past the buffer (${buf.length})`, start);
  let off = start;
  while (off + 4 <= end) {
    const len = buf.readUInt16LE(off);
    if (len < 4) throw new ParseError(`attribute length ${len} is below the 4-byte header`, off);
    if (off + len > end) throw new ParseError(`attribute ${buf.readUInt16LE(off + 2) & NLA_TYPE_MASK} (${len} bytes) runs past its parent`, off);
    off += align4(len);
  }
}

/**
 * What an object decoded on first use (a listed Route, Address or Link) checks at once: a
 * fixed header (`header.name`, `header.size` bytes) at `start`, then attributes framed
 * within [start + size, end). A ParseError otherwise, as decoding would throw.
 */
export function checkHeaderAndAttributes(buf: Buffer, start: number, end: number, header: { readonly name: string; readonly size: number }): void {
  if (end - start < header.size) throw new ParseError(`${header.name} needs ${header.size} bytes, message has ${end - start}`, start);
  checkAttributes(buf, start + header.size, end);
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
