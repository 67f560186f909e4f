/**
 * nf_tables expressions: the typed form of each (meta, payload, cmp, bitwise, immediate,
 * lookup, nat, masq, redir, ct, fib, counter, range, …), written in the attribute order
 * libnftnl uses (so requests equal nft's byte for byte) and read back from what the kernel
 * lists. An expression this module does not know is kept as its name and raw attributes
 * and written back unchanged.
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { defineSchema, forEachAttr, type RawAttr } from '../netlink/attributes.js';
import type { NlWriter } from '../netlink/writer.js';
import {
  BITWISE_OPS,
  type BitwiseOp,
  CMP_OPS,
  type CmpOp,
  CT_KEYS,
  type CtKey,
  FIB_FLAGS,
  FIB_RESULTS,
  type FibFlag,
  type FibResult,
  META_KEYS,
  type MetaKey,
  NAT_FLAGS,
  type NatFlag,
  NFT_LOOKUP_F_INV,
  NFT_NAT_DNAT,
  NFT_NAT_SNAT,
  PAYLOAD_BASES,
  type PayloadBase,
  RANGE_OPS,
} from './constants.js';
import { be32Field, be64Field, dataField, type NftData, putBe32, putBe64, putData } from './codec.js';

/** `payload`: loads `len` bytes at `offset` of a header into `dreg` (or writes `sreg` there). */
export interface PayloadExpr {
  /** `payload`. */
  type: 'payload';
  /** which header. */
  base: PayloadBase;
  /** byte offset in it. */
  offset: number;
  /** bytes. */
  len: number;
  /** destination register (a load). */
  dreg?: number;
  /** source register (a write: mangling). */
  sreg?: number;
  /** checksum to fix after a write (NFT_PAYLOAD_CSUM_*). */
  csumType?: number;
  /** where that checksum is. */
  csumOffset?: number;
  /** NFT_PAYLOAD_L4CSUM_PSEUDOHDR, … */
  csumFlags?: number;
}
/** `meta`: loads a packet property into `dreg` (or sets it from `sreg`). */
export interface MetaExpr {
  /** `meta`. */
  type: 'meta';
  /** the property. */
  key: MetaKey;
  /** destination register. */
  dreg?: number;
  /** source register (meta set). */
  sreg?: number;
}
/** `cmp`: compares register `sreg` with `data`; the rule stops when false. */
export interface CmpExpr {
  /** `cmp`. */
  type: 'cmp';
  /** register compared. */
  sreg: number;
  /** comparison. */
  op: CmpOp;
  /** the value (bytes as in the register). */
  data: Buffer;
}
/** `bitwise`: `dreg = (sreg & mask) ^ xor` over `len` bytes (or a shift by `data`). */
export interface BitwiseExpr {
  /** `bitwise`. */
  type: 'bitwise';
  /** source register. */
  sreg: number;
  /** destination register. */
  dreg: number;
  /** bytes. */
  len: number;
  /** the operation (absent: bool, mask and xor). */
  op?: BitwiseOp;
  /** mask (bool). */
  mask?: Buffer;
  /** xor (bool). */
  xor?: Buffer;
  /** shift amount (lshift/rshift), as 4 bytes host order. */
  data?: Buffer;
}
/** `immediate`: loads a constant into `dreg`; into register 0 it is the verdict. */
export interface ImmediateExpr {
  /** `immediate`. */
  type: 'immediate';
  /** destination register (0: the verdict). */
  dreg: number;
  /** the value or verdict. */
  data: NftData;
}
/** `lookup`: matches when register `sreg` is in a set; for a map, loads the value into `dreg`. */
export interface LookupExpr {
  /** `lookup`. */
  type: 'lookup';
  /** the set's name. */
  set: string;
  /** the set's id, for a set added in the same transaction. */
  setId?: number;
  /** register holding the key. */
  sreg: number;
  /** register the map's value goes to (0: a verdict map). */
  dreg?: number;
  /** matches when the key is NOT in the set. */
  invert?: boolean;
}
/** `nat`: source or destination NAT to addresses/ports held in registers. */
export interface NatExpr {
  /** `nat`. */
  type: 'nat';
  /** snat or dnat. */
  nat: 'snat' | 'dnat';
  /** NFPROTO_IPV4 (2) or NFPROTO_IPV6 (10). */
  family: number;
  /** register of the (first) address. */
  regAddrMin?: number;
  /** register of the last address of a range. */
  regAddrMax?: number;
  /** register of the (first) port. */
  regProtoMin?: number;
  /** register of the last port of a range. */
  regProtoMax?: number;
  /** NF_NAT_RANGE_* flags. */
  flags?: NatFlag[];
}
/** `masq`: source NAT to the outgoing interface's address. */
export interface MasqExpr {
  /** `masq`. */
  type: 'masq';
  /** NF_NAT_RANGE_* flags (random, fully-random, persistent). */
  flags?: NatFlag[];
  /** register of the first port. */
  regProtoMin?: number;
  /** register of the last port. */
  regProtoMax?: number;
}
/** `redir`: destination NAT to the local machine (a port held in a register). */
export interface RedirExpr {
  /** `redir`. */
  type: 'redir';
  /** register of the first port. */
  regProtoMin?: number;
  /** register of the last port. */
  regProtoMax?: number;
  /** NF_NAT_RANGE_* flags. */
  flags?: NatFlag[];
}
/** `ct`: loads a conntrack property into `dreg` (or sets it from `sreg`). */
export interface CtExpr {
  /** `ct`. */
  type: 'ct';
  /** the property. */
  key: CtKey;
  /** destination register. */
  dreg?: number;
  /** source register (ct set). */
  sreg?: number;
  /** 0 original, 1 reply (for direction-dependent keys). */
  direction?: number;
}
/** `fib`: routing lookup (e.g. `fib daddr type local`). */
export interface FibExpr {
  /** `fib`. */
  type: 'fib';
  /** what to return. */
  result: FibResult;
  /** what to look up with. */
  flags: FibFlag[];
  /** destination register. */
  dreg: number;
}
/** `counter`: counts packets and bytes. */
export interface CounterExpr {
  /** `counter`. */
  type: 'counter';
  /** bytes counted (read back; initial value when added). */
  bytes?: number;
  /** packets counted. */
  packets?: number;
}
/** `range`: register `sreg` within [from, to] (or not, with `neq`). */
export interface RangeExpr {
  /** `range`. */
  type: 'range';
  /** register compared. */
  sreg: number;
  /** eq or neq. */
  op: 'eq' | 'neq';
  /** first value. */
  from: Buffer;
  /** last value. */
  to: Buffer;
}
/** An expression kept as it was listed (a kind this library does not model). */
export interface RawExpr {
  /** `raw`. */
  type: 'raw';
  /** the kernel's expression name, e.g. `limit`. */
  name: string;
  /** its NFTA_EXPR_DATA attributes, as bytes. */
  attrs: RawAttr[];
}
/** An nf_tables expression. */
export type Expr =
  | PayloadExpr
  | MetaExpr
  | CmpExpr
  | BitwiseExpr
  | ImmediateExpr
  | LookupExpr
  | NatExpr
  | MasqExpr
  | RedirExpr
  | CtExpr
  | FibExpr
  | CounterExpr
  | RangeExpr
  | RawExpr;

// ---- names ---------------------------------------------------------------------------------

const invert = <T extends string>(o: Record<T, number>): Map<number, T> => new Map(Object.entries(o).map(([k, v]) => [v as number, k as T]));
const metaByNum = invert<MetaKey>(META_KEYS);
const ctByNum = invert<CtKey>(CT_KEYS);
const cmpByNum = invert<CmpOp>(CMP_OPS);
const baseByNum = invert<PayloadBase>(PAYLOAD_BASES);
const fibResByNum = invert<FibResult>(FIB_RESULTS);
const bitwiseByNum = invert<BitwiseOp>(BITWISE_OPS);

function flagsToBits<T extends string>(names: readonly T[] | undefined, table: Record<T, number>): number {
  let n = 0;
  for (const f of names ?? []) n |= table[f];
  return n;
}
function bitsToFlags<T extends string>(n: number, table: Record<T, number>): T[] {
  return (Object.entries(table) as [T, number][]).filter(([, b]) => (n & b) !== 0).map(([k]) => k);
}
function need<T>(v: T | undefined, what: string, offset: number): T {
  if (v === undefined) throw new ParseError(`expression lacks ${what}`, offset);
  return v;
}
function named<T extends string>(map: Map<number, T>, n: number | undefined, what: string, offset: number): T {
  const v = map.get(need(n, what, offset));
  if (v === undefined) throw new ParseError(`unknown ${what} ${n}`, offset);
  return v;
}

// ---- schemas (decoding; encoders below write libnftnl's attribute order) -------------------

const PayloadAttrs = defineSchema('NFTA_PAYLOAD', {
  1: be32Field('dreg'),
  2: be32Field('base'),
  3: be32Field('offset'),
  4: be32Field('len'),
  5: be32Field('sreg'),
  6: be32Field('csumType'),
  7: be32Field('csumOffset'),
  8: be32Field('csumFlags'),
});
const MetaAttrs = defineSchema('NFTA_META', { 1: be32Field('dreg'), 2: be32Field('key'), 3: be32Field('sreg') });
const CmpAttrs = defineSchema('NFTA_CMP', { 1: be32Field('sreg'), 2: be32Field('op'), 3: dataField('data') });
const BitwiseAttrs = defineSchema('NFTA_BITWISE', {
  1: be32Field('sreg'),
  2: be32Field('dreg'),
  3: be32Field('len'),
  4: dataField('mask'),
  5: dataField('xor'),
  6: be32Field('op'),
  7: dataField('data'),
});
const ImmAttrs = defineSchema('NFTA_IMMEDIATE', { 1: be32Field('dreg'), 2: dataField('data') });
const LookupAttrs = defineSchema('NFTA_LOOKUP', {
  1: { name: 'set', type: 'string' },
  2: be32Field('sreg'),
  3: be32Field('dreg'),
  4: be32Field('setId'),
  5: be32Field('flags'),
});
const NatAttrs = defineSchema('NFTA_NAT', {
  1: be32Field('type'),
  2: be32Field('family'),
  3: be32Field('regAddrMin'),
  4: be32Field('regAddrMax'),
  5: be32Field('regProtoMin'),
  6: be32Field('regProtoMax'),
  7: be32Field('flags'),
});
const MasqAttrs = defineSchema('NFTA_MASQ', { 1: be32Field('flags'), 2: be32Field('regProtoMin'), 3: be32Field('regProtoMax') });
const RedirAttrs = defineSchema('NFTA_REDIR', { 1: be32Field('regProtoMin'), 2: be32Field('regProtoMax'), 3: be32Field('flags') });
const CtAttrs = defineSchema('NFTA_CT', {
  1: be32Field('dreg'),
  2: be32Field('key'),
  3: { name: 'direction', type: 'u8' },
  4: be32Field('sreg'),
});
const FibAttrs = defineSchema('NFTA_FIB', { 1: be32Field('dreg'), 2: be32Field('result'), 3: be32Field('flags') });
const CounterAttrs = defineSchema('NFTA_COUNTER', { 1: be64Field('bytes'), 2: be64Field('packets') });
const RangeAttrs = defineSchema('NFTA_RANGE', { 1: be32Field('sreg'), 2: be32Field('op'), 3: dataField('from'), 4: dataField('to') });

const value = (d: NftData | undefined, what: string, offset: number): Buffer => {
  const v = need(d, what, offset);
  if (!('value' in v)) throw new ParseError(`${what} is a verdict, not a value`, offset);
  return v.value;
};

/** Decodes the NFTA_EXPR_DATA of expression `name`. */
function decodeExprData(name: string, buf: Buffer, offset: number): Expr {
  const end = buf.length;
  switch (name) {
    case 'payload': {
      const a = PayloadAttrs.decode(buf, 0, end);
      if (a.unknown) break;
      const e: PayloadExpr = { type: 'payload', base: named(baseByNum, a.base, 'payload base', offset), offset: need(a.offset, 'offset', offset), len: need(a.len, 'len', offset) };
      if (a.dreg !== undefined) e.dreg = a.dreg;
      if (a.sreg !== undefined) e.sreg = a.sreg;
      if (a.csumType !== undefined) e.csumType = a.csumType;
      if (a.csumOffset !== undefined) e.csumOffset = a.csumOffset;
      if (a.csumFlags !== undefined) e.csumFlags = a.csumFlags;
      return e;
    }
    case 'meta': {
      const a = MetaAttrs.decode(buf, 0, end);
      if (a.unknown || !metaByNum.has(a.key ?? -1)) break;
      const e: MetaExpr = { type: 'meta', key: named(metaByNum, a.key, 'meta key', offset) };
      if (a.dreg !== undefined) e.dreg = a.dreg;
      if (a.sreg !== undefined) e.sreg = a.sreg;
      return e;
    }
    case 'cmp': {
      const a = CmpAttrs.decode(buf, 0, end);
      if (a.unknown) break;
      return { type: 'cmp', sreg: need(a.sreg, 'sreg', offset), op: named(cmpByNum, a.op, 'cmp op', offset), data: value(a.data, 'cmp data', offset) };
    }
    case 'bitwise': {
      const a = BitwiseAttrs.decode(buf, 0, end);
      if (a.unknown) break;
      const e: BitwiseExpr = { type: 'bitwise', sreg: need(a.sreg, 'sreg', offset), dreg: need(a.dreg, 'dreg', offset), len: need(a.len, 'len', offset) };
      // bool is the default (kernels list it; nft does not send it)
      if (a.op !== undefined && a.op !== BITWISE_OPS.bool) e.op = named(bitwiseByNum, a.op, 'bitwise op', offset);
      if (a.mask) e.mask = value(a.mask, 'mask', offset);
      if (a.xor) e.xor = value(a.xor, 'xor', offset);
      if (a.data) e.data = value(a.data, 'data', offset);
      return e;
    }
    case 'immediate': {
      const a = ImmAttrs.decode(buf, 0, end);
      if (a.unknown) break;
      return { type: 'immediate', dreg: need(a.dreg, 'dreg', offset), data: need(a.data, 'data', offset) };
    }
    case 'lookup': {
      const a = LookupAttrs.decode(buf, 0, end);
      if (a.unknown) break;
      const e: LookupExpr = { type: 'lookup', set: need(a.set, 'set', offset), sreg: need(a.sreg, 'sreg', offset) };
      if (a.setId !== undefined) e.setId = a.setId;
      if (a.dreg !== undefined) e.dreg = a.dreg;
      if (a.flags !== undefined && a.flags & NFT_LOOKUP_F_INV) e.invert = true;
      return e;
    }
    case 'nat': {
      const a = NatAttrs.decode(buf, 0, end);
      if (a.unknown) break;
      const t = need(a.type, 'nat type', offset);
      const e: NatExpr = { type: 'nat', nat: t === NFT_NAT_DNAT ? 'dnat' : 'snat', family: need(a.family, 'family', offset) };
      if (a.regAddrMin !== undefined) e.regAddrMin = a.regAddrMin;
      if (a.regAddrMax !== undefined) e.regAddrMax = a.regAddrMax;
      if (a.regProtoMin !== undefined) e.regProtoMin = a.regProtoMin;
      if (a.regProtoMax !== undefined) e.regProtoMax = a.regProtoMax;
      if (a.flags !== undefined) e.flags = bitsToFlags(a.flags, NAT_FLAGS);
      return e;
    }
    case 'masq': {
      const a = MasqAttrs.decode(buf, 0, end);
      if (a.unknown) break;
      const e: MasqExpr = { type: 'masq' };
      if (a.flags !== undefined) e.flags = bitsToFlags(a.flags, NAT_FLAGS);
      if (a.regProtoMin !== undefined) e.regProtoMin = a.regProtoMin;
      if (a.regProtoMax !== undefined) e.regProtoMax = a.regProtoMax;
      return e;
    }
    case 'redir': {
      const a = RedirAttrs.decode(buf, 0, end);
      if (a.unknown) break;
      const e: RedirExpr = { type: 'redir' };
      if (a.regProtoMin !== undefined) e.regProtoMin = a.regProtoMin;
      if (a.regProtoMax !== undefined) e.regProtoMax = a.regProtoMax;
      if (a.flags !== undefined) e.flags = bitsToFlags(a.flags, NAT_FLAGS);
      return e;
    }
    case 'ct': {
      const a = CtAttrs.decode(buf, 0, end);
      if (a.unknown || !ctByNum.has(a.key ?? -1)) break;
      const e: CtExpr = { type: 'ct', key: named(ctByNum, a.key, 'ct key', offset) };
      if (a.dreg !== undefined) e.dreg = a.dreg;
      if (a.sreg !== undefined) e.sreg = a.sreg;
      if (a.direction !== undefined) e.direction = a.direction;
      return e;
    }
    case 'fib': {
      const a = FibAttrs.decode(buf, 0, end);
      if (a.unknown || !fibResByNum.has(a.result ?? -1)) break;
      return { type: 'fib', result: named(fibResByNum, a.result, 'fib result', offset), flags: bitsToFlags(a.flags ?? 0, FIB_FLAGS), dreg: need(a.dreg, 'dreg', offset) };
    }
    case 'counter': {
      const a = CounterAttrs.decode(buf, 0, end);
      if (a.unknown) break;
      const e: CounterExpr = { type: 'counter' };
      if (a.bytes !== undefined) e.bytes = a.bytes;
      if (a.packets !== undefined) e.packets = a.packets;
      return e;
    }
    case 'range': {
      const a = RangeAttrs.decode(buf, 0, end);
      if (a.unknown) break;
      return { type: 'range', sreg: need(a.sreg, 'sreg', offset), op: a.op === RANGE_OPS.neq ? 'neq' : 'eq', from: value(a.from, 'from', offset), to: value(a.to, 'to', offset) };
    }
    default:
      break;
  }
  return rawExpr(name, buf);
}

function rawExpr(name: string, buf: Buffer): RawExpr {
  const attrs: RawAttr[] = [];
  forEachAttr(buf, 0, buf.length, (type, data, flags) => attrs.push({ type, flags, data: Buffer.from(data) }));
  return { type: 'raw', name, attrs };
}

const ExprAttrs = defineSchema('NFTA_EXPR', { 1: { name: 'name', type: 'string' }, 2: { name: 'data', type: 'binary' } });

/** Decodes one NFTA_LIST_ELEM (an expression). */
export function decodeExpr(buf: Buffer, offset = 0): Expr {
  const a = ExprAttrs.decode(buf, 0, buf.length);
  const name = need(a.name, 'a name', offset);
  const data = a.data ?? Buffer.alloc(0);
  try {
    return decodeExprData(name, data, offset);
  } catch (e) {
    // an expression whose attributes do not fit our model is kept raw (it round-trips)
    if (e instanceof ParseError) return rawExpr(name, data);
    throw e;
  }
}

/** Decodes an NFTA_RULE_EXPRESSIONS list. */
export function decodeExprList(buf: Buffer, offset = 0): Expr[] {
  const out: Expr[] = [];
  forEachAttr(buf, 0, buf.length, (type, data) => {
    if (type === 1) out.push(decodeExpr(data, offset));
  });
  return out;
}

/** The kernel name of an expression. */
export function exprName(e: Expr): string {
  return e.type === 'raw' ? e.name : e.type;
}

/** Writes one expression as NFTA_LIST_ELEM { NFTA_EXPR_NAME, NFTA_EXPR_DATA }. */
export function putExpr(w: NlWriter, e: Expr): void {
  const el = w.beginNested(1, true);
  w.attrString(1, exprName(e));
  const d = w.beginNested(2, true);
  switch (e.type) {
    case 'payload':
      if (e.sreg !== undefined) putBe32(w, 5, e.sreg);
      if (e.dreg !== undefined) putBe32(w, 1, e.dreg);
      putBe32(w, 2, PAYLOAD_BASES[e.base]);
      putBe32(w, 3, e.offset);
      putBe32(w, 4, e.len);
      if (e.csumType !== undefined) putBe32(w, 6, e.csumType);
      if (e.csumOffset !== undefined) putBe32(w, 7, e.csumOffset);
      if (e.csumFlags !== undefined) putBe32(w, 8, e.csumFlags);
      break;
    case 'meta':
      putBe32(w, 2, META_KEYS[e.key]);
      if (e.dreg !== undefined) putBe32(w, 1, e.dreg);
      if (e.sreg !== undefined) putBe32(w, 3, e.sreg);
      break;
    case 'cmp':
      putBe32(w, 1, e.sreg);
      putBe32(w, 2, CMP_OPS[e.op]);
      putData(w, 3, { value: e.data });
      break;
    case 'bitwise':
      putBe32(w, 1, e.sreg);
      putBe32(w, 2, e.dreg);
      putBe32(w, 3, e.len);
      if (e.op !== undefined) putBe32(w, 6, BITWISE_OPS[e.op]);
      if (e.mask) putData(w, 4, { value: e.mask });
      if (e.xor) putData(w, 5, { value: e.xor });
      if (e.data) putData(w, 7, { value: e.data });
      break;
    case 'immediate':
      putBe32(w, 1, e.dreg);
      putData(w, 2, e.data);
      break;
    case 'lookup':
      putBe32(w, 2, e.sreg);
      if (e.dreg !== undefined) putBe32(w, 3, e.dreg);
      w.attrString(1, e.set);
      if (e.setId !== undefined) putBe32(w, 4, e.setId);
      if (e.invert) putBe32(w, 5, NFT_LOOKUP_F_INV);
      break;
    case 'nat':
      putBe32(w, 1, e.nat === 'dnat' ? NFT_NAT_DNAT : NFT_NAT_SNAT);
      putBe32(w, 2, e.family);
      if (e.regAddrMin !== undefined) putBe32(w, 3, e.regAddrMin);
      if (e.regAddrMax !== undefined) putBe32(w, 4, e.regAddrMax);
      if (e.regProtoMin !== undefined) putBe32(w, 5, e.regProtoMin);
      if (e.regProtoMax !== undefined) putBe32(w, 6, e.regProtoMax);
      if (e.flags !== undefined) putBe32(w, 7, flagsToBits(e.flags, NAT_FLAGS));
      break;
    case 'masq':
      if (e.flags !== undefined) putBe32(w, 1, flagsToBits(e.flags, NAT_FLAGS));
      if (e.regProtoMin !== undefined) putBe32(w, 2, e.regProtoMin);
      if (e.regProtoMax !== undefined) putBe32(w, 3, e.regProtoMax);
      break;
    case 'redir':
      if (e.regProtoMin !== undefined) putBe32(w, 1, e.regProtoMin);
      if (e.regProtoMax !== undefined) putBe32(w, 2, e.regProtoMax);
      if (e.flags !== undefined) putBe32(w, 3, flagsToBits(e.flags, NAT_FLAGS));
      break;
    case 'ct':
      putBe32(w, 2, CT_KEYS[e.key]);
      if (e.dreg !== undefined) putBe32(w, 1, e.dreg);
      if (e.direction !== undefined) w.attrU8(3, e.direction);
      if (e.sreg !== undefined) putBe32(w, 4, e.sreg);
      break;
    case 'fib':
      putBe32(w, 1, e.dreg);
      putBe32(w, 2, FIB_RESULTS[e.result]);
      putBe32(w, 3, flagsToBits(e.flags, FIB_FLAGS));
      break;
    case 'counter':
      if (e.bytes !== undefined) putBe64(w, 1, e.bytes);
      if (e.packets !== undefined) putBe64(w, 2, e.packets);
      break;
    case 'range':
      putBe32(w, 1, e.sreg);
      putBe32(w, 2, RANGE_OPS[e.op]);
      putData(w, 3, { value: e.from });
      putData(w, 4, { value: e.to });
      break;
    case 'raw':
      for (const a of e.attrs) w.attr(a.type | a.flags, a.data);
      break;
  }
  w.endNested(d);
  w.endNested(el);
}
