/**
 * nf_tables transactions: the changes of a batch (NFNL_MSG_BATCH_BEGIN … END), each as
 * one message with the flags nft uses, and what each means for error messages.
 * @internal
 * @module
 */
import type { DatagramMessage } from '../netlink/connection.js';
import { NLM_F_ACK, NLM_F_APPEND, NLM_F_CREATE, NLM_F_ECHO, NLM_F_EXCL, NLM_F_REPLACE } from '../netlink/constants.js';
import type { NlWriter } from '../netlink/writer.js';
import { FAMILIES, type NftFamily, NFNL_BATCH_GENID, NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END, NFNL_SUBSYS_NFTABLES, NFT_MSG, nftType } from './constants.js';
import { writeChain, type NftChainSpec } from './chain.js';
import { putBe32, writeNfGen } from './codec.js';
import { type NftRuleSpec, type RulePlacement, writeRule } from './rule.js';
import { type NftElementSpec, type NftSetSpec, writeElements, writeSet } from './set.js';
import { type NftTableSpec, writeTable } from './table.js';

/** What a change does: add (or update), create (fail if it exists), insert (rules: at the
 *  start or before `position`), replace (a rule by handle), delete, destroy (delete, no
 *  error if missing; kernels 6.3+), flush (empty it). */
export type NftVerb = 'add' | 'create' | 'insert' | 'replace' | 'delete' | 'destroy' | 'flush';

/** A table named by family and name (or handle). */
export interface TableRef {
  /** the table's family. */
  family: NftFamily;
  /** its name. */
  name: string;
  /** its handle (delete by handle). */
  handle?: number;
}
/** A chain named by table and name (or handle). */
export interface ChainRef {
  /** the table's family. */
  family: NftFamily;
  /** the table's name. */
  table: string;
  /** the chain's name. */
  name: string;
  /** its handle (delete by handle). */
  handle?: number;
}
/** A set named by table and name. */
export interface SetRef {
  /** the table's family. */
  family: NftFamily;
  /** the table's name. */
  table: string;
  /** the set's name. */
  name: string;
  /** id of a set added earlier in the same transaction. */
  id?: number;
}

/** One change of a transaction. */
export type NftOp =
  | { kind: 'table'; verb: 'add' | 'create'; table: NftTableSpec }
  | { kind: 'table'; verb: 'delete' | 'destroy' | 'flush'; table: TableRef }
  | { kind: 'chain'; verb: 'add' | 'create'; chain: NftChainSpec & { id?: number } }
  | { kind: 'chain'; verb: 'delete' | 'destroy' | 'flush'; chain: ChainRef }
  | { kind: 'rule'; verb: 'add' | 'insert' | 'replace'; rule: NftRuleSpec; placement?: RulePlacement }
  | { kind: 'rule'; verb: 'delete' | 'destroy'; rule: { family: NftFamily; table: string; chain: string; handle: number } }
  | { kind: 'set'; verb: 'add' | 'create'; set: NftSetSpec }
  | { kind: 'set'; verb: 'delete' | 'destroy' | 'flush'; set: SetRef }
  | { kind: 'elements'; verb: 'add' | 'create' | 'delete' | 'destroy'; set: SetRef; elements: NftElementSpec[] }
  | { kind: 'ruleset'; verb: 'flush'; family?: NftFamily };

/** Options of {@link batchMessages}. */
export interface BatchOptions {
  /** refuse the batch (ERESTART) unless the ruleset is still at this generation. */
  generation?: number;
  /** ask for each added object back (NLM_F_ECHO: handles). Default true. */
  echo?: boolean;
  /** ask for an ACK of each change (default true: every change is answered). */
  ack?: boolean;
}

/** How an op is described in errors: `add rule`, `ip nat prerouting`. */
export function describeOp(op: NftOp): { operation: string; object: string } {
  const verb = op.kind === 'elements' ? `${op.verb} elements to` : `${op.verb} ${op.kind}`;
  switch (op.kind) {
    case 'table':
      return { operation: verb, object: `${op.table.family} ${op.table.name}` };
    case 'chain':
      return { operation: verb, object: `${op.chain.family} ${op.chain.table} ${op.chain.name}` };
    case 'rule': {
      const r = op.rule;
      const ph = 'placement' in op ? op.placement?.handle : undefined;
      const h = 'handle' in r && r.handle !== undefined ? ` handle ${r.handle}` : op.verb !== 'add' && ph !== undefined ? ` handle ${ph}` : '';
      const c = 'comment' in r && r.comment ? ` comment "${r.comment}"` : '';
      return { operation: verb, object: `${r.family} ${r.table} ${r.chain}${h}${c}` };
    }
    case 'set':
      return { operation: verb, object: `${op.set.family} ${op.set.table} ${op.set.name}` };
    case 'elements':
      return { operation: op.verb === 'add' || op.verb === 'create' ? verb : `${op.verb} elements from`, object: `${op.set.family} ${op.set.table} ${op.set.name} (${op.elements.length} element${op.elements.length === 1 ? '' : 's'})` };
    case 'ruleset':
      return { operation: 'flush ruleset', object: op.family ?? 'all families' };
  }
}

const isAdd = (v: NftVerb): boolean => v === 'add' || v === 'create' || v === 'insert' || v === 'replace';

/** The nlmsg type, flags and body of one op. */
export function opMessage(op: NftOp, opts: BatchOptions = {}): { type: number; flags: number; body: (w: NlWriter) => void } {
  const ack = opts.ack === false ? 0 : NLM_F_ACK;
  const echo = opts.echo !== false && isAdd(op.verb) ? NLM_F_ECHO : 0;
  const base = ack | echo;
  const del = (kind: 'TABLE' | 'CHAIN' | 'RULE' | 'SET' | 'SETELEM'): number => nftType(op.verb === 'destroy' ? NFT_MSG[`DESTROY${kind}`] : NFT_MSG[`DEL${kind}`]);
  switch (op.kind) {
    case 'table': {
      const fam = FAMILIES[op.table.family];
      if (op.verb === 'add' || op.verb === 'create') {
        const t = op.table;
        return { type: nftType(NFT_MSG.NEWTABLE), flags: base | (op.verb === 'create' ? NLM_F_CREATE | NLM_F_EXCL : 0), body: (w) => (writeNfGen(w, fam), writeTable(w, t)) };
      }
      const t = op.table as TableRef;
      if (op.verb === 'flush') return { type: nftType(NFT_MSG.DELRULE), flags: base, body: (w) => (writeNfGen(w, fam), w.attrString(1, t.name)) };
      return { type: del('TABLE'), flags: base, body: (w) => (writeNfGen(w, fam), writeTable(w, { family: t.family, name: t.name, handle: t.handle }, false)) };
    }
    case 'chain': {
      const c = op.chain;
      const fam = FAMILIES[c.family];
      if (op.verb === 'add' || op.verb === 'create') {
        const cc = op.chain;
        return { type: nftType(NFT_MSG.NEWCHAIN), flags: base | NLM_F_CREATE | (op.verb === 'create' ? NLM_F_EXCL : 0), body: (w) => (writeNfGen(w, fam), writeChain(w, cc)) };
      }
      if (op.verb === 'flush') return { type: nftType(NFT_MSG.DELRULE), flags: base, body: (w) => (writeNfGen(w, fam), w.attrString(1, c.table), w.attrString(2, c.name)) };
      return { type: del('CHAIN'), flags: base, body: (w) => (writeNfGen(w, fam), writeChain(w, c as NftChainSpec & { handle?: number }, false)) };
    }
    case 'rule': {
      const fam = FAMILIES[op.rule.family];
      if (op.verb === 'delete' || op.verb === 'destroy') {
        const r = op.rule;
        return { type: del('RULE'), flags: base, body: (w) => (writeNfGen(w, fam), writeRule(w, { table: r.table, chain: r.chain }, { handle: r.handle })) };
      }
      const r = op.rule as NftRuleSpec;
      const p = ('placement' in op ? op.placement : undefined) ?? {};
      const flags = op.verb === 'replace' ? NLM_F_REPLACE : op.verb === 'insert' ? NLM_F_CREATE : NLM_F_CREATE | NLM_F_APPEND;
      return { type: nftType(NFT_MSG.NEWRULE), flags: base | flags, body: (w) => (writeNfGen(w, fam), writeRule(w, r, p)) };
    }
    case 'set': {
      const fam = FAMILIES[op.set.family];
      if (op.verb === 'add' || op.verb === 'create') {
        const s = op.set;
        return { type: nftType(NFT_MSG.NEWSET), flags: base | NLM_F_CREATE | (op.verb === 'create' ? NLM_F_EXCL : 0), body: (w) => (writeNfGen(w, fam), writeSet(w, s)) };
      }
      const s = op.set;
      if (op.verb === 'flush') return { type: nftType(NFT_MSG.DELSETELEM), flags: base, body: (w) => (writeNfGen(w, fam), writeElements(w, s.table, s.name, s.id, undefined)) };
      return { type: del('SET'), flags: base, body: (w) => (writeNfGen(w, fam), w.attrString(1, s.table), w.attrString(2, s.name)) };
    }
    case 'elements': {
      const s = op.set;
      const fam = FAMILIES[s.family];
      const els = op.elements;
      if (op.verb === 'add' || op.verb === 'create') {
        // no echo: elements have no handle
        return { type: nftType(NFT_MSG.NEWSETELEM), flags: ack | NLM_F_CREATE | (op.verb === 'create' ? NLM_F_EXCL : 0), body: (w) => (writeNfGen(w, fam), writeElements(w, s.table, s.name, s.id, els)) };
      }
      return { type: del('SETELEM'), flags: ack, body: (w) => (writeNfGen(w, fam), writeElements(w, s.table, s.name, s.id, els)) };
    }
    case 'ruleset': {
      const fam = op.family ? FAMILIES[op.family] : 0;
      return { type: nftType(NFT_MSG.DELTABLE), flags: ack, body: (w) => writeNfGen(w, fam) };
    }
  }
}

/** A message of a batch and the op it belongs to (-1: BATCH_BEGIN / END). */
export interface BatchMessage extends DatagramMessage {
  /** index of the op in the transaction (an element op larger than one message spans several). */
  op: number;
}

/** Bytes of the element list a message may hold (the nest's length is 16 bits). */
const MAX_ELEMENT_BYTES = 60_000;

const nlaLen = (payload: number): number => 4 + ((payload + 3) & ~3);
/** Bytes one element takes in NFTA_SET_ELEM_LIST_ELEMENTS (as writeElements writes it). */
export function elementSize(e: NftElementSpec): number {
  let n = 4;
  if (e.intervalEnd || e.catchall) n += 8;
  if (e.timeout !== undefined) n += 12;
  if (e.key) n += 4 + nlaLen(e.key.length);
  if (e.keyEnd) n += 4 + nlaLen(e.keyEnd.length);
  if (e.data) n += 'value' in e.data ? 4 + nlaLen(e.data.value.length) : 4 + 4 + 8 + (e.data.verdict.chain !== undefined ? nlaLen(Buffer.byteLength(e.data.verdict.chain) + 1) : 0) + (e.data.verdict.chainId !== undefined ? 8 : 0);
  if (e.userdata) n += nlaLen(e.userdata.length);
  return n;
}

/** Splits element lists into chunks that fit one message each (an interval's start and
 *  end element stay in the same chunk). */
export function chunkElements(elems: readonly NftElementSpec[]): NftElementSpec[][] {
  const out: NftElementSpec[][] = [];
  let cur: NftElementSpec[] = [];
  let bytes = 0;
  for (let i = 0; i < elems.length; i++) {
    const e = elems[i]!;
    const pairEnd = elems[i + 1]?.intervalEnd ? elems[i + 1]! : undefined;
    const size = elementSize(e) + (pairEnd ? elementSize(pairEnd) : 0);
    if (cur.length > 0 && bytes + size > MAX_ELEMENT_BYTES) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(e);
    if (pairEnd) {
      cur.push(pairEnd);
      i++;
    }
    bytes += size;
  }
  if (cur.length > 0 || out.length === 0) out.push(cur);
  return out;
}

/** The messages of a transaction: BATCH_BEGIN, one per op (element ops split to fit), BATCH_END. */
export function batchMessages(ops: readonly NftOp[], opts: BatchOptions = {}): BatchMessage[] {
  const gen = opts.generation;
  const out: BatchMessage[] = [
    {
      type: NFNL_MSG_BATCH_BEGIN,
      flags: 0,
      body: (w) => {
        writeNfGen(w, 0, NFNL_SUBSYS_NFTABLES);
        if (gen !== undefined) putBe32(w, NFNL_BATCH_GENID, gen);
      },
      info: { operation: 'commit transaction' },
      op: -1,
    },
  ];
  ops.forEach((op, index) => {
    if (op.kind === 'elements' && op.elements.length > 0) {
      const chunks = chunkElements(op.elements);
      for (const elements of chunks) {
        const part: NftOp = { ...op, elements };
        out.push({ ...opMessage(part, opts), info: describeOp(chunks.length > 1 ? part : op), op: index });
      }
    } else out.push({ ...opMessage(op, opts), info: describeOp(op), op: index });
  });
  out.push({ type: NFNL_MSG_BATCH_END, flags: 0, body: (w) => writeNfGen(w, 0, NFNL_SUBSYS_NFTABLES), info: { operation: 'end transaction' }, op: -1 });
  return out;
}
