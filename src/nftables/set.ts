/**
 * nf_tables sets and maps (NFT_MSG_NEWSET / DELSET / GETSET) and their elements
 * (NFT_MSG_NEWSETELEM / DELSETELEM / GETSETELEM): key and data types (concatenations),
 * flags, timeouts, intervals, verdict maps.
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { type AttrsOf, type CustomField, defineSchema, forEachAttr } from '../netlink/attributes.js';
import type { NlMessage } from '../netlink/message.js';
import type { NlWriter } from '../netlink/writer.js';
import {
  familyName,
  type NftFamily,
  NFT_DATA_VERDICT,
  NFT_SET,
  NFT_SET_ELEM_CATCHALL,
  NFT_SET_ELEM_INTERVAL_END,
  type NftSetFlag,
  NFTNL_UDATA_SET_COMMENT,
} from './constants.js';
import { be32Field, be64Field, dataField, type NftData, NfGenMsg, putBe32, putBe64, putData } from './codec.js';

const FieldAttrs = defineSchema('NFTA_SET_FIELD', { 1: be32Field('len') });
const ConcatAttrs = defineSchema('NFTA_LIST', { 1: { name: 'field', type: 'nested', schema: FieldAttrs, multi: true } });
const DescAttrs = defineSchema('NFTA_SET_DESC', { 1: be32Field('size'), 2: { name: 'concat', type: 'nested', schema: ConcatAttrs } });

/** NFTA_SET_* */
export const SetAttrs = defineSchema('NFTA_SET', {
  1: { name: 'table', type: 'string' },
  2: { name: 'name', type: 'string' },
  3: be32Field('flags'),
  4: be32Field('keyType'),
  5: be32Field('keyLen'),
  6: be32Field('dataType'),
  7: be32Field('dataLen'),
  8: be32Field('policy'),
  9: { name: 'desc', type: 'nested', schema: DescAttrs },
  10: be32Field('id'),
  11: be64Field('timeout'),
  12: be32Field('gcInterval'),
  13: { name: 'userdata', type: 'binary' },
  15: be32Field('objType'),
  16: be64Field('handle'),
});

/** An nf_tables set or map, at the level of the kernel's attributes. */
export interface NftSetSpec {
  /** the table's family. */
  family: NftFamily;
  /** the table's name. */
  table: string;
  /** the set's name. */
  name: string;
  /** NFT_SET_* flags (`map` is set for maps, `concat` for concatenations with intervals). */
  flags: NftSetFlag[];
  /** nft's type id of the key (packed 6 bits per part for a concatenation). */
  keyType: number;
  /** key length in bytes (each part of a concatenation padded to 4). */
  keyLen: number;
  /** a map's value type id (NFT_DATA_VERDICT = 0xffffff00 for a verdict map). */
  dataType?: number;
  /** a map's value length in bytes (0 for verdicts). */
  dataLen?: number;
  /** lengths of each part of a concatenated key (NFTA_SET_DESC_CONCAT; needed with intervals). */
  concatLens?: number[];
  /** maximum number of elements (NFTA_SET_DESC_SIZE). */
  size?: number;
  /** default element timeout in milliseconds (needs the `timeout` flag). */
  timeout?: number;
  /** garbage collection interval in milliseconds. */
  gcInterval?: number;
  /** NFT_SET_POL_PERFORMANCE (0) or NFT_SET_POL_MEMORY (1). */
  policy?: number;
  /** userdata (nft keeps byte orders and a comment here). */
  userdata?: Buffer;
  /** id within a transaction (so rules of the same transaction can refer to it). */
  id?: number;
}

/** A set as the kernel lists it. */
export interface NftSet extends NftSetSpec {
  /** the kernel's handle. */
  handle: number;
  /** the comment in its userdata, if any. */
  comment?: string;
}

const FLAG_NAMES = Object.entries(NFT_SET) as [NftSetFlag, number][];
/** NFT_SET_* bits of flag names. */
export const setFlagBits = (f: readonly NftSetFlag[]): number => f.reduce((n, x) => n | NFT_SET[x], 0);
/** Flag names of NFT_SET_* bits. */
export const setFlagNames = (n: number): NftSetFlag[] => FLAG_NAMES.filter(([, b]) => n & b).map(([k]) => k);

/** Writes the attributes of a NEWSET (libnftnl's order). */
export function writeSet(w: NlWriter, s: NftSetSpec): void {
  w.attrString(1, s.table);
  w.attrString(2, s.name);
  putBe32(w, 3, setFlagBits(s.flags));
  putBe32(w, 4, s.keyType);
  putBe32(w, 5, s.keyLen);
  if (s.dataType !== undefined) putBe32(w, 6, s.dataType);
  if (s.dataLen !== undefined) putBe32(w, 7, s.dataLen);
  if (s.id !== undefined) putBe32(w, 10, s.id);
  if (s.policy !== undefined) putBe32(w, 8, s.policy);
  if (s.size !== undefined || s.concatLens) {
    const d = w.beginNested(9, true);
    if (s.size !== undefined) putBe32(w, 1, s.size);
    if (s.concatLens) {
      const c = w.beginNested(2, true);
      for (const len of s.concatLens) {
        const f = w.beginNested(1, true);
        putBe32(w, 1, len);
        w.endNested(f);
      }
      w.endNested(c);
    }
    w.endNested(d);
  }
  if (s.timeout !== undefined) putBe64(w, 11, s.timeout);
  if (s.gcInterval !== undefined) putBe32(w, 12, s.gcInterval);
  if (s.userdata) w.attr(13, s.userdata);
}

/** Decodes a set message. */
export function decodeSet(m: NlMessage): NftSet {
  const h = NfGenMsg.decode(m.buf, m.start, m.end);
  const a = SetAttrs.decode(m.buf, m.start + NfGenMsg.size, m.end);
  if (a.table === undefined || a.name === undefined) throw new ParseError('set without a table or name', m.start);
  const s: NftSet = {
    family: familyName(h.family) as NftFamily,
    table: a.table,
    name: a.name,
    handle: a.handle ?? 0,
    flags: setFlagNames(a.flags ?? 0),
    keyType: a.keyType ?? 0,
    keyLen: a.keyLen ?? 0,
  };
  if (a.dataType !== undefined) s.dataType = a.dataType;
  if (a.dataLen !== undefined) s.dataLen = a.dataLen;
  if (a.desc?.size !== undefined) s.size = a.desc.size;
  if (a.desc?.concat?.field) s.concatLens = a.desc.concat.field.map((f) => f.len ?? 0);
  if (a.timeout !== undefined) s.timeout = a.timeout;
  if (a.gcInterval !== undefined) s.gcInterval = a.gcInterval;
  if (a.policy !== undefined) s.policy = a.policy;
  if (a.userdata) {
    s.userdata = Buffer.from(a.userdata);
    const c = findUdata(a.userdata, NFTNL_UDATA_SET_COMMENT);
    if (c) s.comment = c;
  }
  return s;
}

function findUdata(b: Buffer, type: number): string | undefined {
  for (let off = 0; off + 2 <= b.length; off += 2 + b[off + 1]!) {
    if (b[off] === type && off + 2 + b[off + 1]! <= b.length) {
      const v = b.subarray(off + 2, off + 2 + b[off + 1]!);
      const nul = v.indexOf(0);
      return v.toString('utf8', 0, nul === -1 ? v.length : nul);
    }
  }
  return undefined;
}

/** True for a verdict map's data type. */
export const isVerdictType = (t: number | undefined): boolean => t === NFT_DATA_VERDICT;

// ---- elements ------------------------------------------------------------------------------

const KeyAttrs = defineSchema('NFTA_DATA', { 1: { name: 'value', type: 'binary' } });
const ElemAttrs = defineSchema('NFTA_SET_ELEM', {
  1: { name: 'key', type: 'nested', schema: KeyAttrs },
  2: dataField('data'),
  3: be32Field('flags'),
  4: be64Field('timeout'),
  5: be64Field('expiration'),
  6: { name: 'userdata', type: 'binary' },
  10: { name: 'keyEnd', type: 'nested', schema: KeyAttrs },
});
/** The element list: libnftnl numbers the nests 1, 2, 3, … (the kernel reads any type). */
const elementsField: CustomField<{ elem: AttrsOf<typeof ElemAttrs>[] }> & { name: 'elements' } = {
  name: 'elements',
  type: 'custom',
  decode: (d: Buffer) => {
    const elem: AttrsOf<typeof ElemAttrs>[] = [];
    forEachAttr(d, 0, d.length, (_t, data) => elem.push(ElemAttrs.decode(data, 0, data.length)));
    return { elem };
  },
  encode: () => {
    throw new Error('element lists are written by writeElements');
  },
};

/** NFTA_SET_ELEM_LIST_* */
export const SetElemListAttrs = defineSchema('NFTA_SET_ELEM_LIST', {
  1: { name: 'table', type: 'string' },
  2: { name: 'set', type: 'string' },
  3: elementsField,
  4: be32Field('setId'),
});

/** One set element, at the level of the kernel's attributes. */
export interface NftElementSpec {
  /** the key bytes (absent for the catch-all element). */
  key?: Buffer;
  /** end of a range (concatenations with intervals: NFTA_SET_ELEM_KEY_END). */
  keyEnd?: Buffer;
  /** a map's value: bytes or a verdict. */
  data?: NftData;
  /** NFT_SET_ELEM_INTERVAL_END: this key ends the interval the previous one started. */
  intervalEnd?: boolean;
  /** the catch-all element (`*`) of a map. */
  catchall?: boolean;
  /** timeout in milliseconds. */
  timeout?: number;
  /** userdata (nft keeps element comments here). */
  userdata?: Buffer;
}

/** An element as the kernel lists it. */
export interface NftElement extends NftElementSpec {
  /** milliseconds until it expires (sets with timeouts). */
  expiration?: number;
}

/** Writes the attributes of a set element message (libnftnl's order). */
export function writeElements(w: NlWriter, table: string, set: string, setId: number | undefined, elems: readonly NftElementSpec[] | undefined): void {
  w.attrString(1, table);
  w.attrString(2, set);
  if (setId !== undefined) putBe32(w, 4, setId);
  if (!elems) return;
  const l = w.beginNested(3, true);
  let i = 0;
  for (const e of elems) {
    const el = w.beginNested(++i, true);
    const flags = (e.intervalEnd ? NFT_SET_ELEM_INTERVAL_END : 0) | (e.catchall ? NFT_SET_ELEM_CATCHALL : 0);
    if (flags) putBe32(w, 3, flags);
    if (e.timeout !== undefined) putBe64(w, 4, e.timeout);
    if (e.key) {
      const k = w.beginNested(1, true);
      w.attr(1, e.key);
      w.endNested(k);
    }
    if (e.keyEnd) {
      const k = w.beginNested(10, true);
      w.attr(1, e.keyEnd);
      w.endNested(k);
    }
    if (e.data) putData(w, 2, e.data);
    if (e.userdata) w.attr(6, e.userdata);
    w.endNested(el);
  }
  w.endNested(l);
}

/** Decodes a set element message: the set and its elements. */
export function decodeElements(m: NlMessage): { family: NftFamily; table: string; set: string; elements: NftElement[] } {
  const h = NfGenMsg.decode(m.buf, m.start, m.end);
  const a = SetElemListAttrs.decode(m.buf, m.start + NfGenMsg.size, m.end);
  if (a.table === undefined || a.set === undefined) throw new ParseError('set elements without a table or set', m.start);
  const elements = (a.elements?.elem ?? []).map((x) => {
    const e: NftElement = {};
    if (x.key?.value) e.key = Buffer.from(x.key.value);
    if (x.keyEnd?.value) e.keyEnd = Buffer.from(x.keyEnd.value);
    if (x.data) e.data = x.data;
    const flags = x.flags ?? 0;
    if (flags & NFT_SET_ELEM_INTERVAL_END) e.intervalEnd = true;
    if (flags & NFT_SET_ELEM_CATCHALL) e.catchall = true;
    if (x.timeout !== undefined) e.timeout = x.timeout;
    if (x.expiration !== undefined) e.expiration = x.expiration;
    if (x.userdata) e.userdata = Buffer.from(x.userdata);
    return e;
  });
  return { family: familyName(h.family) as NftFamily, table: a.table, set: a.set, elements };
}
