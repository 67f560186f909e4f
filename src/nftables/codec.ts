/**
 * Shared nf_tables encodings: struct nfgenmsg, the big-endian integers nf_tables uses
 * (without NLA_F_NET_BYTEORDER, as libnftnl writes them), struct nft_data (a value or a
 * verdict) and libnftnl's userdata TLVs (comments).
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { type CustomField, defineSchema } from '../netlink/attributes.js';
import { defineStruct } from '../netlink/struct.js';
import type { NlWriter } from '../netlink/writer.js';
import { NFNETLINK_V0, VERDICTS, type VerdictName } from './constants.js';

/** struct nfgenmsg (res_id is big-endian). */
export const NfGenMsg = defineStruct('nfgenmsg', [
  ['family', 'u8'],
  ['version', 'u8'],
  ['resId', 'be16'],
] as const);

/** Writes struct nfgenmsg. */
export function writeNfGen(w: NlWriter, family: number, resId = 0): void {
  NfGenMsg.encode(w, { family, version: NFNETLINK_V0, resId });
}

/** A u32 attribute in network byte order without NLA_F_NET_BYTEORDER (how libnftnl writes them). */
export function putBe32(w: NlWriter, type: number, v: number): void {
  const s = w.beginNested(type, false);
  w.be32(v);
  w.endNested(s);
}
/** A u64 attribute in network byte order (handles, counters, timeouts). */
export function putBe64(w: NlWriter, type: number, v: number | bigint): void {
  const s = w.beginNested(type, false);
  w.ensure(8);
  w.buf.writeBigUInt64BE(BigInt.asUintN(64, BigInt(v)), w.offset);
  w.offset += 8;
  w.endNested(s);
}
/** A string attribute. */
export function putString(w: NlWriter, type: number, v: string): void {
  w.attrString(type, v);
}

/** Decoder-only field: u32 in network byte order (signed when `signed`). */
export function be32Field<const N extends string>(name: N, signed = false): CustomField<number> & { name: N } {
  return {
    name,
    type: 'custom',
    decode: (d: Buffer): number => {
      if (d.length < 4) throw new ParseError(`${name} has ${d.length} bytes, needs 4`, 0);
      return signed ? d.readInt32BE(0) : d.readUInt32BE(0);
    },
    encode: (w: NlWriter, type: number, v: number): void => putBe32(w, type, signed ? v >>> 0 : v),
  };
}
/** Decoder-only field: u64 in network byte order, as a number (exact up to 2^53). */
export function be64Field<const N extends string>(name: N): CustomField<number> & { name: N } {
  return {
    name,
    type: 'custom',
    decode: (d: Buffer): number => {
      if (d.length < 8) throw new ParseError(`${name} has ${d.length} bytes, needs 8`, 0);
      return d.readUInt32BE(0) * 4294967296 + d.readUInt32BE(4);
    },
    encode: (w: NlWriter, type: number, v: number): void => putBe64(w, type, v),
  };
}

// ---- nft_data -----------------------------------------------------------------------------

/** A verdict: accept, drop, jump/goto a chain, … */
export interface Verdict {
  /** accept, drop, continue, return, jump, goto, queue, break. */
  kind: VerdictName;
  /** the chain of jump/goto. */
  chain?: string;
  /** the chain of jump/goto by its id in the same transaction (NFTA_VERDICT_CHAIN_ID). */
  chainId?: number;
}

/** struct nft_data holding a value. */
export interface NftDataValue {
  /** the bytes as they sit in the registers. */
  value: Buffer;
}
/** struct nft_data holding a verdict. */
export interface NftDataVerdict {
  /** the verdict. */
  verdict: Verdict;
}
/** struct nft_data: a value or a verdict. */
export type NftData = NftDataValue | NftDataVerdict;

const VerdictAttrs = defineSchema('NFTA_VERDICT', {
  1: be32Field('code', true),
  2: { name: 'chain', type: 'string' },
  3: be32Field('chainId'),
});
const DataAttrs = defineSchema('NFTA_DATA', {
  1: { name: 'value', type: 'binary' },
  2: { name: 'verdict', type: 'nested', schema: VerdictAttrs },
});

const verdictByCode = new Map<number, VerdictName>(Object.entries(VERDICTS).map(([k, v]) => [v, k as VerdictName]));

/** Writes an NFTA_DATA nest of attribute `type`. */
export function putData(w: NlWriter, type: number, d: NftData): void {
  const s = w.beginNested(type, true);
  if ('value' in d) w.attr(1, d.value);
  else {
    const v = w.beginNested(2, true);
    putBe32(w, 1, VERDICTS[d.verdict.kind] >>> 0);
    if (d.verdict.chain !== undefined) w.attrString(2, d.verdict.chain);
    if (d.verdict.chainId !== undefined) putBe32(w, 3, d.verdict.chainId);
    w.endNested(v);
  }
  w.endNested(s);
}

/** Reads an NFTA_DATA nest. */
export function decodeData(buf: Buffer, offset = 0): NftData {
  const a = DataAttrs.decode(buf, 0, buf.length);
  if (a.verdict) {
    const code = a.verdict.code;
    if (code === undefined) throw new ParseError('verdict without a code', offset);
    const kind = verdictByCode.get(code);
    if (kind === undefined) throw new ParseError(`unknown verdict code ${code}`, offset);
    const v: Verdict = { kind };
    if (a.verdict.chain !== undefined) v.chain = a.verdict.chain;
    if (a.verdict.chainId !== undefined) v.chainId = a.verdict.chainId;
    return { verdict: v };
  }
  return { value: Buffer.from(a.value ?? Buffer.alloc(0)) };
}

/** Field decoding an NFTA_DATA nest. */
export function dataField<const N extends string>(name: N): CustomField<NftData> & { name: N } {
  return { name, type: 'custom', decode: (d: Buffer, off: number) => decodeData(d, off), encode: putData };
}

// ---- libnftnl userdata (struct nftnl_udata: u8 type, u8 len, value) ------------------------

/** One userdata TLV. */
export interface UdataTlv {
  /** NFTNL_UDATA_* type. */
  type: number;
  /** its value. */
  value: Buffer;
}

/** Parses userdata TLVs; ParseError if a length runs past the end. */
export function parseUdata(buf: Buffer): UdataTlv[] {
  const out: UdataTlv[] = [];
  let off = 0;
  while (off + 2 <= buf.length) {
    const type = buf[off]!;
    const len = buf[off + 1]!;
    if (off + 2 + len > buf.length) throw new ParseError(`userdata TLV ${type} (${len} bytes) runs past its attribute`, off);
    out.push({ type, value: buf.subarray(off + 2, off + 2 + len) });
    off += 2 + len;
  }
  return out;
}

/** Builds userdata TLVs. */
export function buildUdata(tlvs: readonly UdataTlv[]): Buffer {
  const parts: Buffer[] = [];
  for (const t of tlvs) {
    if (t.value.length > 255) throw new RangeError(`userdata TLV ${t.type} too long (${t.value.length} bytes, at most 255)`);
    parts.push(Buffer.from([t.type, t.value.length]), t.value);
  }
  return Buffer.concat(parts);
}

/** A comment TLV value as nft writes it: the text and its NUL. */
export function commentValue(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf8');
}
/** The text of a comment TLV value (up to its NUL). */
export function commentText(v: Buffer): string {
  const nul = v.indexOf(0);
  return v.toString('utf8', 0, nul === -1 ? v.length : nul);
}
/** A u32 TLV value (host order), as nft writes byte orders. */
export function u32Value(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}
