/**
 * Nftables: nf_tables over netlink in one network namespace — transactions of typed
 * changes (all-or-nothing, optionally guarded by the ruleset generation), listing, and
 * change notifications. No `nft` process is spawned.
 *
 * ```ts
 * const nft = await Nftables.open(ns);
 * await nft.transaction((tx) => {
 *   tx.addTable({ family: 'ip', name: 'app' });
 *   tx.addChain({ family: 'ip', table: 'app', name: 'post', hook: { type: 'nat', hook: 'postrouting', priority: 'srcnat' } });
 *   tx.addRule({ family: 'ip', table: 'app', chain: 'post', exprs: [...x.ipSaddr('10.0.0.0/24'), x.masquerade()] });
 * });
 * const ruleset = await nft.list({ family: 'ip', table: 'app' });
 * ```
 * @module
 */
import { NetlinkError, TransactionError, type TransactionFailure, ValidationError } from '../../errors.js';
import { NetlinkConnection } from '../../netlink/connection.js';
import type { NlMessage } from '../../netlink/message.js';
import { batchMessages, type NftOp } from '../../nftables/batch.js';
import { decodeChain, type NftChain } from '../../nftables/chain.js';
import { writeNfGen } from '../../nftables/codec.js';
import { FAMILIES, type NftFamily, NETLINK_NETFILTER, NFNLGRP_NFTABLES, NFT_MSG, nftType } from '../../nftables/constants.js';
import { DATA_TYPES, decodeValue, encodeValue, type NftDataType, type NftValue, typesOf } from '../../nftables/datatypes.js';
import { decodeGen } from '../../nftables/gen.js';
import { decodeRule, type NftRule } from '../../nftables/rule.js';
import { decodeElements, decodeSet, isVerdictType, type NftElement, type NftElementSpec, type NftSet } from '../../nftables/set.js';
import { decodeTable, type NftTable } from '../../nftables/table.js';
import { parseCidr, parseIp } from '../../util/ip.js';
import type { Namespace } from '../namespace/namespace.js';
import { NftWatcher } from './watch.js';
import { type ElementInput, NftTransaction, type SetTypes } from './transaction.js';

/** Options of {@link Nftables.open}. */
export interface NftablesOptions {
  /** receive buffer of the socket (default 8 MiB). */
  receiveBuffer?: number;
}

/** Options of {@link Nftables.transaction}. */
export interface TransactionOptions {
  /**
   * Guard: commit only if the ruleset is still at this generation (`'current'`: the one
   * read before the callback runs, so whatever the callback read — e.g. with
   * {@link Nftables.list} — is still true when the changes apply). Otherwise the kernel refuses the whole transaction and a
   * {@link TransactionError} with code `ERESTART` is thrown — or, with `retries`, the
   * callback runs again on a fresh transaction.
   */
  generation?: number | 'current';
  /** times to run the callback again on a fresh transaction after ERESTART (default 0;
   *  useful with `generation: 'current'`). */
  retries?: number;
  /** read back each added object (NLM_F_ECHO: handles). Default true. */
  echo?: boolean;
}

/** What a committed transaction produced. */
export interface TransactionResult {
  /** the generation the ruleset is at after the commit. */
  generation: number;
  /** the objects added, in the order of the changes (undefined for deletions and elements). */
  objects: unknown[];
}

/** Which part of the ruleset to list. */
export interface ListFilter {
  /** only this family. */
  family?: NftFamily;
  /** only this table (with `family`). */
  table?: string;
  /** read set elements too (default true). */
  elements?: boolean;
}

/** A set with its elements, as listed. */
export interface NftSetWithElements extends NftSet {
  /** its elements (when listed with elements). */
  elements?: NftElement[];
  /** key part types, when nft's type id is one netns-kit knows. */
  keyTypes?: NftDataType[];
  /** value types of a map, or `verdict`. */
  dataTypes?: NftDataType[] | 'verdict';
}

/** The ruleset (or the listed part of it). */
export interface NftRuleset {
  /** the generation it was read at. */
  generation: number;
  /** the tables. */
  tables: NftTable[];
  /** the chains. */
  chains: NftChain[];
  /** the rules, chain by chain in order. */
  rules: NftRule[];
  /** the sets and maps. */
  sets: NftSetWithElements[];
}

/** ERESTART: the kernel refused a batch guarded by a generation that is no longer current. */
const ERESTART = 85;

const key = (family: string, table: string, name: string): string => `${family} ${table} ${name}`;

/** Types of a set from its listing. */
export function setTypesOf(s: NftSet): SetTypes | undefined {
  const k = typesOf(s.keyType);
  if (!k) return undefined;
  let data: SetTypes['data'];
  if (s.flags.includes('map')) {
    if (isVerdictType(s.dataType)) data = 'verdict';
    else {
      const d = typesOf(s.dataType ?? 0);
      if (!d) return undefined;
      data = d;
    }
  }
  return { key: k, data, interval: s.flags.includes('interval') };
}

/** nf_tables in one namespace. See the module documentation. */
export class Nftables {
  /** the generation read after the last commit or list. */
  private lastGeneration = 0;
  private readonly knownSets = new Map<string, SetTypes>();

  private constructor(
    /** the NETLINK_NETFILTER connection (owner tables belong to it). */
    readonly connection: NetlinkConnection,
    private readonly nsFd: number,
  ) {}

  /**
   * Opens a NETLINK_NETFILTER socket inside `ns` (this process's namespace when omitted).
   * Tables added with `owner: true` belong to this socket: they vanish when {@link close}
   * is called or the process exits, unless they are `persist` too.
   */
  static async open(ns?: Namespace, opts: NftablesOptions = {}): Promise<Nftables> {
    const nsFd = ns ? ns.fd : -1;
    const conn = await NetlinkConnection.open({ protocol: NETLINK_NETFILTER, nsFd, ...(opts.receiveBuffer ? { receiveBuffer: opts.receiveBuffer } : {}) });
    return new Nftables(conn, nsFd);
  }

  /** Closes the socket (owner tables without `persist` are deleted by the kernel). */
  close(): void {
    this.connection.close();
  }

  /** The ruleset's current generation. */
  async generation(): Promise<number> {
    const r = await this.connection.request(nftType(NFT_MSG.GETGEN), 0, (w) => writeNfGen(w, 0), { operation: 'get nf_tables generation' });
    const m = r.find((x) => x.type === nftType(NFT_MSG.NEWGEN));
    this.lastGeneration = m ? decodeGen(m).id : this.lastGeneration;
    return this.lastGeneration;
  }

  /**
   * Runs `build` on a new transaction and commits its changes in one batch: all of them or
   * none. Throws a {@link TransactionError} naming each refused change (its index, the
   * object and the kernel's message); `objects[i]` of the result (and the `Committed` the
   * tx method returned) hold the kernel's copy of each added object, with its handle.
   */
  async transaction(build: (tx: NftTransaction) => unknown, opts: TransactionOptions = {}): Promise<TransactionResult> {
    for (let attempt = 0; ; attempt++) {
      // 'current': the generation before build runs, so what build read (a list) is what the guard protects
      const generation = opts.generation === 'current' ? await this.generation() : opts.generation;
      const tx = new NftTransaction(generation);
      await build(tx);
      try {
        return await this.commit(tx, { ...opts, generation });
      } catch (e) {
        if (!(e instanceof TransactionError && e.generationChanged) || attempt >= (opts.retries ?? 0)) throw e;
      }
    }
  }

  /** Commits a transaction built by hand (see {@link Nftables.transaction}). */
  async commit(tx: NftTransaction, opts: TransactionOptions = {}): Promise<TransactionResult> {
    if (tx.ops.length === 0) return { generation: await this.generation(), objects: [] };
    await this.encodePendingElements(tx);
    const generation = opts.generation === 'current' ? await this.generation() : opts.generation;
    if (generation !== undefined && (!Number.isInteger(generation) || generation < 0)) throw new ValidationError('generation', generation, 'expected a generation id');
    const msgs = batchMessages(tx.ops, { generation, echo: opts.echo });
    const { replies, sync } = await this.connection.sendDatagram(msgs, {
      type: nftType(NFT_MSG.GETGEN),
      flags: 0,
      body: (w) => writeNfGen(w, 0),
      info: { operation: 'get nf_tables generation' },
    });
    const failures: TransactionFailure[] = [];
    const byOp: NlMessage[][] = tx.ops.map(() => []);
    for (let m = 1; m < msgs.length - 1; m++) {
      const r = replies[m]!;
      const op = msgs[m]!.op;
      byOp[op]!.push(...r.replies);
      // one failure per change (an element change may span several messages)
      if (r.error && failures[failures.length - 1]?.index !== op) failures.push({ index: op, error: r.error });
    }
    const whole = replies[0]!.error ?? replies[replies.length - 1]!.error;
    if (failures.length > 0 || whole) {
      if (whole && failures.length === 0) {
        const e = whole.errno === ERESTART
          ? new NetlinkError({ errno: ERESTART, code: 'ERESTART', operation: 'commit transaction', kernelMessage: `the ruleset changed since generation ${generation} (another transaction committed first)` })
          : whole;
        throw new TransactionError([], e);
      }
      throw new TransactionError(failures);
    }
    const gen = sync.replies.find((x) => x.type === nftType(NFT_MSG.NEWGEN));
    if (gen) this.lastGeneration = decodeGen(gen).id;
    const objects: unknown[] = [];
    for (let i = 0; i < tx.ops.length; i++) {
      const obj = this.decodeEcho(tx.ops[i]!, byOp[i]!);
      objects.push(obj);
      tx.results[i]!.object = obj;
    }
    for (const [k, t] of tx.setTypes) this.knownSets.set(k, t);
    return { generation: this.lastGeneration, objects };
  }

  private decodeEcho(op: NftOp, msgs: NlMessage[]): unknown {
    // the echo of the object, followed by the NEWGEN of the commit
    const want = { table: NFT_MSG.NEWTABLE, chain: NFT_MSG.NEWCHAIN, rule: NFT_MSG.NEWRULE, set: NFT_MSG.NEWSET, elements: -1, ruleset: -1 }[op.kind];
    const m = msgs.find((x) => x.type === nftType(want));
    if (!m) return undefined;
    switch (op.kind) {
      case 'table':
        return decodeTable(m);
      case 'chain':
        return decodeChain(m);
      case 'rule':
        return decodeRule(m);
      case 'set':
        return decodeSet(m);
      default:
        return undefined;
    }
  }

  /** Fills the element ops with bytes, reading the types of sets the transaction did not add. */
  private async encodePendingElements(tx: NftTransaction): Promise<void> {
    for (const p of tx.pendingElements) {
      const k = key(p.set.family, p.set.table, p.set.name);
      let types = tx.setTypes.get(k) ?? this.knownSets.get(k);
      if (!types) {
        const s = await this.getSet(p.set.family, p.set.table, p.set.name);
        types = setTypesOf(s);
        if (!types) throw new ValidationError('set', k, 'its key or value type is not one netns-kit can encode: give the elements as bytes with addOp()');
        this.knownSets.set(k, types);
      }
      const op = tx.ops[p.index] as NftOp & { kind: 'elements' };
      op.elements = encodeElements(types, p.elements, op.verb === 'delete' || op.verb === 'destroy');
    }
  }

  /** Reads one set (ENOENT if missing). */
  async getSet(family: NftFamily, table: string, name: string): Promise<NftSet> {
    const r = await this.connection.request(nftType(NFT_MSG.GETSET), 0, (w) => {
      writeNfGen(w, FAMILIES[family]);
      w.attrString(1, table);
      w.attrString(2, name);
    }, { operation: 'get set', object: key(family, table, name) });
    const m = r.find((x) => x.type === nftType(NFT_MSG.NEWSET));
    if (!m) throw new NetlinkError({ errno: 2, operation: 'get set', object: key(family, table, name) });
    return decodeSet(m);
  }

  private async dumpOf<T>(msg: number, family: NftFamily | undefined, table: string | undefined, decode: (m: NlMessage) => T, what: string): Promise<T[]> {
    const msgs = await this.connection.dumpAll(nftType(msg), 0, (w) => {
      writeNfGen(w, family ? FAMILIES[family] : 0);
      if (table !== undefined) w.attrString(1, table);
    }, { operation: `list ${what}`, object: table !== undefined ? `${family} ${table}` : family });
    const out: T[] = [];
    for (const m of msgs) if (m.type === nftType(msg - 1)) out.push(decode(m));
    return out;
  }

  /** Lists tables. */
  listTables(family?: NftFamily): Promise<NftTable[]> {
    return this.dumpOf(NFT_MSG.GETTABLE, family, undefined, decodeTable, 'tables');
  }
  /** Lists chains (of one table with `table`). */
  async listChains(family?: NftFamily, table?: string): Promise<NftChain[]> {
    const all = await this.dumpOf(NFT_MSG.GETCHAIN, family, table, decodeChain, 'chains');
    return table === undefined ? all : all.filter((c) => c.table === table);
  }
  /** Lists rules (of one table with `table`), in chain order. */
  async listRules(family?: NftFamily, table?: string): Promise<NftRule[]> {
    const all = await this.dumpOf(NFT_MSG.GETRULE, family, table, decodeRule, 'rules');
    return table === undefined ? all : all.filter((r) => r.table === table);
  }
  /** Lists sets and maps (of one table with `table`). */
  async listSets(family?: NftFamily, table?: string): Promise<NftSet[]> {
    const all = await this.dumpOf(NFT_MSG.GETSET, family, table, decodeSet, 'sets');
    return table === undefined ? all : all.filter((s) => s.table === table);
  }
  /** Lists the elements of a set or map. */
  async listElements(family: NftFamily, table: string, set: string): Promise<NftElement[]> {
    const msgs = await this.connection.dumpAll(nftType(NFT_MSG.GETSETELEM), 0, (w) => {
      writeNfGen(w, FAMILIES[family]);
      w.attrString(1, table);
      w.attrString(2, set);
    }, { operation: 'list elements of', object: key(family, table, set) });
    const out: NftElement[] = [];
    for (const m of msgs) if (m.type === nftType(NFT_MSG.NEWSETELEM)) out.push(...decodeElements(m).elements);
    return out;
  }

  /** Lists the ruleset (or one family, or one table), with set elements. */
  async list(filter: ListFilter = {}): Promise<NftRuleset> {
    if (filter.table !== undefined && filter.family === undefined) throw new ValidationError('family', undefined, 'listing one table needs its family');
    for (let attempt = 0; ; attempt++) {
      const before = await this.generation();
      const tables = (await this.listTables(filter.family)).filter((t) => filter.table === undefined || t.name === filter.table);
      const chains = await this.listChains(filter.family, filter.table);
      const rules = await this.listRules(filter.family, filter.table);
      const sets: NftSetWithElements[] = await this.listSets(filter.family, filter.table);
      for (const s of sets) {
        const t = setTypesOf(s);
        if (t) {
          s.keyTypes = t.key;
          if (t.data) s.dataTypes = t.data;
          this.knownSets.set(key(s.family, s.table, s.name), t);
        }
        if (filter.elements !== false && !s.flags.includes('anonymous')) s.elements = await this.listElements(s.family, s.table, s.name);
      }
      // a consistent picture: nothing committed while it was read
      if ((await this.generation()) === before || attempt >= 4) return { generation: before, tables, chains, rules, sets };
    }
  }

  /**
   * Watches nf_tables changes in the namespace (NFNLGRP_NFTABLES): every table, chain,
   * rule, set and element added or deleted by anyone, and each committed generation.
   */
  async watch(): Promise<NftWatcher> {
    const conn = await NetlinkConnection.open({ protocol: NETLINK_NETFILTER, nsFd: this.nsFd, groups: [NFNLGRP_NFTABLES] });
    return new NftWatcher(conn);
  }
}

// ---- element encoding ------------------------------------------------------------------------

function incremented(b: Buffer): Buffer | undefined {
  const out = Buffer.from(b);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 255) {
      out[i]!++;
      return out;
    }
    out[i] = 0;
  }
  return undefined; // wrapped: the range reaches the end of the key space
}

/** The first and last key of a prefix (`10.1.0.0/16`) of an address type. */
function prefixRange(t: NftDataType, v: NftValue): [Buffer, Buffer] | undefined {
  if ((t !== 'ipv4_addr' && t !== 'ipv6_addr') || typeof v !== 'string' || !v.includes('/')) return undefined;
  const c = parseCidr(v, 'element key');
  const a = Buffer.from(parseIp(c.address, 'element key'));
  if (a.length !== DATA_TYPES[t].len) throw new ValidationError('element key', v, `not an ${t}`);
  const first = Buffer.from(a);
  const last = Buffer.from(a);
  for (let i = c.prefixLength; i < a.length * 8; i++) {
    first[i >> 3]! &= ~(0x80 >> (i & 7));
    last[i >> 3]! |= 0x80 >> (i & 7);
  }
  return [first, last];
}

/** Element bytes from typed values (intervals: start and end elements, or key_end for concatenations). */
export function encodeElements(types: SetTypes, elements: readonly ElementInput[], deleting: boolean): NftElementSpec[] {
  const out: NftElementSpec[] = [];
  for (const el of elements) {
    if (el === null || typeof el !== 'object') throw new ValidationError('element', el, 'expected { key, value?, verdict? }');
    const parts = (Array.isArray(el.key) ? el.key : [el.key]) as NftValue[];
    let start: Buffer;
    let last: Buffer | undefined;
    const range = types.interval && parts.length === 1 ? prefixRange(types.key[0]!, parts[0]!) : undefined;
    if (range) [start, last] = range;
    else {
      start = encodeValue(types.key, el.key as NftValue | NftValue[], 'element key');
      if (el.to !== undefined) last = encodeValue(types.key, el.to as NftValue | NftValue[], 'element to');
    }
    if (!types.interval && last) throw new ValidationError('element to', el.to, 'ranges need an interval set');
    const e: NftElementSpec = { key: start };
    if (!deleting) {
      if (types.data === 'verdict') {
        if (!el.verdict) throw new ValidationError('element verdict', el, 'a verdict map element needs a verdict');
        e.data = { verdict: el.verdict };
      } else if (types.data) {
        if (el.value === undefined) throw new ValidationError('element value', el, 'a map element needs a value');
        e.data = { value: encodeValue(types.data, el.value as NftValue | NftValue[], 'element value') };
      }
      if (el.timeout !== undefined) e.timeout = el.timeout;
    }
    if (types.interval && types.key.length > 1) {
      e.keyEnd = last ?? start;
      out.push(e);
    } else if (types.interval) {
      out.push(e);
      const end = incremented(last ?? start);
      if (end) out.push({ key: end, intervalEnd: true });
    } else out.push(e);
  }
  return out;
}

/** An element's key and value as typed values. */
export interface DescribedElement {
  /** the key's parts (`['10.0.0.1', 'tcp', 8080]`), when its type is known. */
  key?: (string | number)[];
  /** a map value's parts, when its type is known. */
  value?: (string | number)[];
}

/** Typed parts of an element's key (and value) when the set's types are known. */
export function describeElement(types: SetTypes | undefined, e: NftElement): DescribedElement {
  if (!types || !e.key) return {};
  const out: DescribedElement = {};
  const k = decodeValue(types.key, e.key);
  if (k) out.key = k;
  if (e.data && 'value' in e.data && Array.isArray(types.data)) {
    const v = decodeValue(types.data, e.data.value);
    if (v) out.value = v;
  }
  return out;
}
