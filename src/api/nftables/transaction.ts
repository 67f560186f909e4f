/**
 * NftTransaction: the changes of one nf_tables transaction, collected by the callback of
 * {@link Nftables.transaction} and committed all together or not at all.
 * @module
 */
import { ValidationError } from '../../errors.js';
import type { ChainRef, NftOp, SetRef, TableRef } from '../../nftables/batch.js';
import type { NftChain, NftChainSpec } from '../../nftables/chain.js';
import { buildUdata, commentValue, u32Value, type Verdict } from '../../nftables/codec.js';
import { type NftFamily, NFT_DATA_VERDICT, type NftSetFlag, NFTNL_UDATA_SET_COMMENT, NFTNL_UDATA_SET_DATABYTEORDER, NFTNL_UDATA_SET_DATA_INTERVAL, NFTNL_UDATA_SET_KEYBYTEORDER, FAMILIES } from '../../nftables/constants.js';
import { DATA_TYPES, keyLen, type NftDataType, type NftValue, partLen, typeId } from '../../nftables/datatypes.js';
import type { Expr } from '../../nftables/expr.js';
import type { NftRule } from '../../nftables/rule.js';
import type { NftSet, NftSetSpec } from '../../nftables/set.js';
import type { NftTable, NftTableSpec } from '../../nftables/table.js';

/** A set or map to add, by the types of its keys and values. */
export interface SetOptions {
  /** the table's family. */
  family: NftFamily;
  /** the table's name. */
  table: string;
  /** the set's name. */
  name: string;
  /** the key's type, or the types of a concatenation (`['ipv4_addr', 'inet_proto', 'inet_service']`). */
  key: NftDataType | readonly NftDataType[];
  /** for a map: the value's type(s), or `verdict` for a verdict map. */
  data?: NftDataType | readonly NftDataType[];
  /** more NFT_SET_* flags: `interval`, `timeout`, `constant`, `eval` (map/concat are set as needed). */
  flags?: NftSetFlag[];
  /** default element timeout in milliseconds (sets the `timeout` flag). */
  timeout?: number;
  /** maximum number of elements. */
  size?: number;
  /** a comment. */
  comment?: string;
}

/** A set element by typed values. */
export interface ElementInput {
  /** the key: one value, or one per part of a concatenation (`['10.0.0.1', 'tcp', 8080]`). An
   *  IPv4/IPv6 key of an interval set may be a prefix (`'10.1.0.0/16'`). */
  key: NftValue | readonly NftValue[];
  /** the last key of a range (interval sets), inclusive. */
  to?: NftValue | readonly NftValue[];
  /** a map's value (one per part of a concatenated value). */
  value?: NftValue | readonly NftValue[];
  /** a verdict map's verdict. */
  verdict?: Verdict;
  /** timeout in milliseconds. */
  timeout?: number;
}

/** The types of a set, to encode its elements. */
export interface SetTypes {
  /** key part types. */
  key: NftDataType[];
  /** value types, `verdict`, or undefined for a set. */
  data?: NftDataType[] | 'verdict';
  /** an interval set. */
  interval: boolean;
}

/** A rule to add. */
export interface RuleOptions {
  /** the table's family. */
  family: NftFamily;
  /** the table's name. */
  table: string;
  /** the chain's name. */
  chain: string;
  /** the expressions (see the `expr` helpers). */
  exprs: Expr[];
  /** a comment (shown by `nft list`; find rules by it). */
  comment?: string;
  /** handle of a rule to add it after (insert: before). */
  position?: number;
}

/** A rule to delete: its chain and handle. */
export interface RuleRef {
  /** the table's family. */
  family: NftFamily;
  /** the table's name. */
  table: string;
  /** the chain's name. */
  chain: string;
  /** the rule's handle. */
  handle: number;
}

/**
 * What a change of a committed transaction produced: `object` is the kernel's echo of an
 * added table, chain, rule or set (with its handle), once the transaction has committed.
 */
export class Committed<T> {
  /** the kernel's copy of the object (with its handle) once committed; undefined before and for deletions. */
  object: T | undefined;
  /** @internal */
  constructor(
    /** the change's index in the transaction. */
    readonly index: number,
  ) {}
  /** The handle the kernel gave the object (throws before the commit). */
  get handle(): number {
    const o = this.object as { handle?: number } | undefined;
    if (o?.handle === undefined) throw new ValidationError('handle', this.index, 'the change has not been committed (or has no handle)');
    return o.handle;
  }
}

/** An element change whose bytes are made at commit time (when the set's types are known). @internal */
export interface PendingElements {
  /** index of the op. */
  index: number;
  /** the set. */
  set: SetRef;
  /** typed elements. */
  elements: readonly ElementInput[];
}

const NAME_RE = /^[^\0]{1,255}$/;
function checkName(field: string, v: unknown): void {
  if (typeof v !== 'string' || !NAME_RE.test(v)) throw new ValidationError(field, v, 'expected a name of 1 to 255 bytes');
}
function checkFamily(v: unknown): void {
  if (typeof v !== 'string' || !(v in FAMILIES) || v === 'unspec') throw new ValidationError('family', v, `expected one of ${Object.keys(FAMILIES).filter((f) => f !== 'unspec').join(', ')}`);
}

/** The changes of one transaction (see {@link Nftables.transaction}). Nothing is sent until it commits. */
export class NftTransaction {
  /** @internal */
  readonly ops: NftOp[] = [];
  /** @internal */
  readonly results: Committed<unknown>[] = [];
  /** @internal typed element changes, encoded at commit. */
  readonly pendingElements: PendingElements[] = [];
  /** @internal types of the sets added in this transaction. */
  readonly setTypes = new Map<string, SetTypes>();
  private nextSetId = 1;

  /** @internal */
  constructor(
    /** the generation the transaction is guarded with (the `generation` option of the transaction), if any. */
    readonly generation?: number,
  ) {}

  private push<T>(op: NftOp): Committed<T> {
    const c = new Committed<T>(this.ops.length);
    this.ops.push(op);
    this.results.push(c);
    return c;
  }

  /** Number of changes so far. */
  get size(): number {
    return this.ops.length;
  }

  /** Adds a table (no error if it exists: its flags and comment are updated). */
  addTable(t: NftTableSpec): Committed<NftTable> {
    checkFamily(t.family);
    checkName('table name', t.name);
    if (t.persist && !t.owner) throw new ValidationError('persist', t.persist, 'persist applies to owner tables (set owner too)');
    return this.push({ kind: 'table', verb: 'add', table: { ...t } });
  }
  /** Creates a table; the transaction fails (EEXIST) if it exists. */
  createTable(t: NftTableSpec): Committed<NftTable> {
    this.addTable(t);
    const op = this.ops[this.ops.length - 1] as NftOp & { verb: string };
    op.verb = 'create';
    return this.results[this.results.length - 1] as Committed<NftTable>;
  }
  /** Deletes a table and everything in it (ENOENT if missing). */
  deleteTable(t: TableRef): Committed<void> {
    checkFamily(t.family);
    return this.push({ kind: 'table', verb: 'delete', table: { ...t } });
  }
  /** Deletes a table if it exists (kernels 6.3+). */
  destroyTable(t: TableRef): Committed<void> {
    checkFamily(t.family);
    return this.push({ kind: 'table', verb: 'destroy', table: { ...t } });
  }
  /** Deletes every rule of a table (chains and sets stay). */
  flushTable(t: TableRef): Committed<void> {
    checkFamily(t.family);
    return this.push({ kind: 'table', verb: 'flush', table: { ...t } });
  }

  /** Adds a chain (a base chain with `hook`). */
  addChain(c: NftChainSpec): Committed<NftChain> {
    checkFamily(c.family);
    checkName('table', c.table);
    checkName('chain name', c.name);
    return this.push({ kind: 'chain', verb: 'add', chain: { ...c } });
  }
  /** Creates a chain; EEXIST if it exists. */
  createChain(c: NftChainSpec): Committed<NftChain> {
    const r = this.addChain(c);
    (this.ops[r.index] as { verb: string }).verb = 'create';
    return r;
  }
  /** Deletes a chain (it must have no rules and no jumps to it). */
  deleteChain(c: ChainRef): Committed<void> {
    checkFamily(c.family);
    return this.push({ kind: 'chain', verb: 'delete', chain: { ...c } });
  }
  /** Deletes a chain if it exists (kernels 6.3+). */
  destroyChain(c: ChainRef): Committed<void> {
    checkFamily(c.family);
    return this.push({ kind: 'chain', verb: 'destroy', chain: { ...c } });
  }
  /** Deletes every rule of a chain. */
  flushChain(c: ChainRef): Committed<void> {
    checkFamily(c.family);
    return this.push({ kind: 'chain', verb: 'flush', chain: { ...c } });
  }

  /** Appends a rule to a chain (after rule `position` when given). */
  addRule(r: RuleOptions): Committed<NftRule> {
    return this.rule('add', r);
  }
  /** Inserts a rule at the start of a chain (before rule `position` when given). */
  insertRule(r: RuleOptions): Committed<NftRule> {
    return this.rule('insert', r);
  }
  /** Replaces the rule with handle `handle`. */
  replaceRule(handle: number, r: RuleOptions): Committed<NftRule> {
    const c = this.rule('replace', r);
    const op = this.ops[c.index] as NftOp & { placement?: { handle?: number; position?: number } };
    op.placement = { handle };
    return c;
  }
  private rule(verb: 'add' | 'insert' | 'replace', r: RuleOptions): Committed<NftRule> {
    checkFamily(r.family);
    checkName('table', r.table);
    checkName('chain', r.chain);
    if (!Array.isArray(r.exprs)) throw new ValidationError('exprs', r.exprs, 'expected an array of expressions');
    if (r.comment !== undefined && Buffer.byteLength(r.comment) > 128) throw new ValidationError('comment', r.comment, 'at most 128 bytes');
    const spec = { family: r.family, table: r.table, chain: r.chain, exprs: r.exprs.flat() as Expr[], ...(r.comment !== undefined ? { comment: r.comment } : {}) };
    return this.push({ kind: 'rule', verb, rule: spec, ...(r.position !== undefined ? { placement: { position: r.position } } : {}) });
  }
  /** Deletes a rule by handle. */
  deleteRule(r: RuleRef): Committed<void> {
    checkFamily(r.family);
    if (!Number.isInteger(r.handle) || r.handle <= 0) throw new ValidationError('handle', r.handle, 'expected a rule handle');
    return this.push({ kind: 'rule', verb: 'delete', rule: { ...r } });
  }

  /** Adds a set or a map (a map when `data` is given). */
  addSet(s: SetOptions): Committed<NftSet> {
    checkFamily(s.family);
    checkName('table', s.table);
    checkName('set name', s.name);
    const key = (Array.isArray(s.key) ? [...s.key] : [s.key]) as NftDataType[];
    for (const t of key) if (!(t in DATA_TYPES) || t === 'verdict') throw new ValidationError('key', t, `not a key type (${Object.keys(DATA_TYPES).filter((x) => x !== 'verdict').join(', ')})`);
    const flags = new Set<NftSetFlag>(s.flags ?? []);
    const spec: NftSetSpec = { family: s.family, table: s.table, name: s.name, flags: [], keyType: typeId(key), keyLen: keyLen(key), id: this.nextSetId++ };
    let data: SetTypes['data'];
    const ud = [{ type: NFTNL_UDATA_SET_KEYBYTEORDER, value: u32Value(key.length === 1 ? DATA_TYPES[key[0]!].byteorder : 0) }];
    if (s.data !== undefined) {
      flags.add('map');
      if (s.data === 'verdict') {
        data = 'verdict';
        spec.dataType = NFT_DATA_VERDICT;
        spec.dataLen = 0;
        ud.push({ type: NFTNL_UDATA_SET_DATABYTEORDER, value: u32Value(0) });
      } else {
        const d = (Array.isArray(s.data) ? [...s.data] : [s.data]) as NftDataType[];
        for (const t of d) if (!(t in DATA_TYPES) || t === 'verdict') throw new ValidationError('data', t, 'not a value type');
        data = d;
        spec.dataType = typeId(d);
        spec.dataLen = keyLen(d);
        ud.push({ type: NFTNL_UDATA_SET_DATABYTEORDER, value: u32Value(d.length === 1 ? DATA_TYPES[d[0]!].byteorder : 0) });
      }
    }
    // nft notes that a map's values are not intervals (NFTNL_UDATA_SET_DATA_INTERVAL)
    if (data !== undefined) ud.push({ type: NFTNL_UDATA_SET_DATA_INTERVAL, value: u32Value(0) });
    if (s.timeout !== undefined) {
      flags.add('timeout');
      spec.timeout = s.timeout;
    }
    if (flags.has('interval') && key.length > 1) {
      flags.add('concat');
      spec.concatLens = key.map((t) => DATA_TYPES[t].len);
    }
    if (s.size !== undefined) spec.size = s.size;
    if (s.comment !== undefined) ud.push({ type: NFTNL_UDATA_SET_COMMENT, value: commentValue(s.comment) });
    spec.userdata = buildUdata(ud);
    spec.flags = [...flags];
    this.setTypes.set(`${s.family} ${s.table} ${s.name}`, { key, data, interval: flags.has('interval') });
    return this.push({ kind: 'set', verb: 'add', set: spec });
  }
  /** Adds a set given at the kernel's level (type ids, lengths, userdata): for key types netns-kit does not name. */
  addRawSet(s: NftSetSpec): Committed<NftSet> {
    checkFamily(s.family);
    return this.push({ kind: 'set', verb: 'add', set: { ...s } });
  }
  /** Deletes a set or map (no rule may use it). */
  deleteSet(s: SetRef): Committed<void> {
    checkFamily(s.family);
    return this.push({ kind: 'set', verb: 'delete', set: { ...s } });
  }
  /** Deletes a set or map if it exists (kernels 6.3+). */
  destroySet(s: SetRef): Committed<void> {
    checkFamily(s.family);
    return this.push({ kind: 'set', verb: 'destroy', set: { ...s } });
  }
  /** Removes every element of a set or map. */
  flushSet(s: SetRef): Committed<void> {
    checkFamily(s.family);
    return this.push({ kind: 'set', verb: 'flush', set: { ...s } });
  }

  /** Adds elements to a set or map (their types come from the set). */
  addElements(set: SetRef, elements: readonly ElementInput[]): Committed<void> {
    return this.elements('add', set, elements);
  }
  /** Adds elements; the transaction fails (EEXIST) if one exists. */
  createElements(set: SetRef, elements: readonly ElementInput[]): Committed<void> {
    return this.elements('create', set, elements);
  }
  /** Deletes elements (by key; ENOENT if one is missing). */
  deleteElements(set: SetRef, elements: readonly ElementInput[]): Committed<void> {
    return this.elements('delete', set, elements);
  }
  /** Deletes elements that exist (kernels 6.3+). */
  destroyElements(set: SetRef, elements: readonly ElementInput[]): Committed<void> {
    return this.elements('destroy', set, elements);
  }
  private elements(verb: 'add' | 'create' | 'delete' | 'destroy', set: SetRef, elements: readonly ElementInput[]): Committed<void> {
    checkFamily(set.family);
    if (!Array.isArray(elements)) throw new ValidationError('elements', elements, 'expected an array');
    const c = this.push<void>({ kind: 'elements', verb, set: { ...set }, elements: [] });
    this.pendingElements.push({ index: c.index, set, elements });
    return c;
  }

  /** Deletes every table (of one family, or all): the whole ruleset of the namespace. */
  flushRuleset(family?: NftFamily): Committed<void> {
    if (family !== undefined) checkFamily(family);
    return this.push({ kind: 'ruleset', verb: 'flush', ...(family ? { family } : {}) });
  }

  /** Adds a change given at the kernel's level. @internal */
  addOp(op: NftOp): Committed<unknown> {
    return this.push(op);
  }
}

/** Register-aligned part length (exported for the element encoder). @internal */
export const alignedLen = partLen;
