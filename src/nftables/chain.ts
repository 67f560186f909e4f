/**
 * nf_tables chains (NFT_MSG_NEWCHAIN / DELCHAIN / GETCHAIN): base chains (type, hook,
 * priority, policy, device) and regular chains.
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { defineSchema } from '../netlink/attributes.js';
import type { NlMessage } from '../netlink/message.js';
import type { NlWriter } from '../netlink/writer.js';
import { familyName, HOOKS, hookName, type NftFamily, type NftHook, NFTNL_UDATA_CHAIN_COMMENT, type NamedPriority, PRIORITIES } from './constants.js';
import { be32Field, be64Field, buildUdata, commentValue, NfGenMsg, putBe32, putBe64 } from './codec.js';
import { applyComment } from './table.js';

const HookAttrs = defineSchema('NFTA_HOOK', {
  1: be32Field('hooknum'),
  2: be32Field('priority', true),
  3: { name: 'dev', type: 'string' },
  4: { name: 'devs', type: 'binary' },
});
const CounterAttrs = defineSchema('NFTA_COUNTER', { 1: be64Field('bytes'), 2: be64Field('packets') });

/** NFTA_CHAIN_* */
export const ChainAttrs = defineSchema('NFTA_CHAIN', {
  1: { name: 'table', type: 'string' },
  2: be64Field('handle'),
  3: { name: 'name', type: 'string' },
  4: { name: 'hook', type: 'nested', schema: HookAttrs },
  5: be32Field('policy'),
  6: be32Field('use'),
  7: { name: 'type', type: 'string' },
  8: { name: 'counters', type: 'nested', schema: CounterAttrs },
  10: be32Field('flags'),
  11: be32Field('id'),
  12: { name: 'userdata', type: 'binary' },
});

/** A chain type. */
export type ChainType = 'filter' | 'nat' | 'route';

/** What makes a chain a base chain: attached to a hook. */
export interface BaseChainHook {
  /** filter, nat or route. */
  type: ChainType;
  /** the netfilter hook. */
  hook: NftHook;
  /** priority: a number or nft's name (raw, mangle, dstnat, filter, security, srcnat). */
  priority: number | NamedPriority;
  /** what happens to packets no rule decided (default accept). */
  policy?: 'accept' | 'drop';
  /** the device (netdev family ingress/egress). */
  device?: string;
}

/** An nf_tables chain. */
export interface NftChainSpec {
  /** the table's family. */
  family: NftFamily;
  /** the table's name. */
  table: string;
  /** the chain's name. */
  name: string;
  /** set for a base chain. */
  hook?: BaseChainHook;
  /** a comment (userdata). */
  comment?: string;
}

/** A chain as the kernel lists it. */
export interface NftChain extends NftChainSpec {
  /** the kernel's handle. */
  handle: number;
  /** how many rules jump to it. */
  use?: number;
  /** NFT_CHAIN_* flags. */
  flags?: number;
  /** userdata bytes when they are not only a comment. */
  userdata?: Buffer;
}

/** A priority number from a number or nft's name. */
export function priorityNumber(p: number | NamedPriority): number {
  return typeof p === 'number' ? p : PRIORITIES[p];
}

/** Writes the attributes of a chain message (NEWCHAIN: everything; DELCHAIN: table, name or handle). */
export function writeChain(w: NlWriter, c: NftChainSpec & { handle?: number; id?: number }, full = true): void {
  w.attrString(1, c.table);
  if (c.handle !== undefined) putBe64(w, 2, c.handle);
  if (c.name !== undefined && (full || c.handle === undefined)) w.attrString(3, c.name);
  if (!full) return;
  if (c.hook) {
    w.attrString(7, c.hook.type);
    putBe32(w, 5, c.hook.policy === 'drop' ? 0 : 1);
    const h = w.beginNested(4, true);
    putBe32(w, 1, HOOKS[c.hook.hook]);
    putBe32(w, 2, priorityNumber(c.hook.priority) >>> 0);
    if (c.hook.device !== undefined) w.attrString(3, c.hook.device);
    w.endNested(h);
  }
  if (c.id !== undefined) putBe32(w, 11, c.id);
  if (c.comment !== undefined) w.attr(12, buildUdata([{ type: NFTNL_UDATA_CHAIN_COMMENT, value: commentValue(c.comment) }]));
}

/** Decodes a chain message. */
export function decodeChain(m: NlMessage): NftChain {
  const h = NfGenMsg.decode(m.buf, m.start, m.end);
  const a = ChainAttrs.decode(m.buf, m.start + NfGenMsg.size, m.end);
  if (a.name === undefined || a.table === undefined) throw new ParseError('chain without a table or name', m.start);
  const c: NftChain = { family: familyName(h.family) as NftFamily, table: a.table, name: a.name, handle: a.handle ?? 0 };
  if (a.hook && a.hook.hooknum !== undefined) {
    c.hook = {
      type: (a.type ?? 'filter') as ChainType,
      hook: hookName(h.family, a.hook.hooknum) as NftHook,
      priority: a.hook.priority ?? 0,
      policy: a.policy === 0 ? 'drop' : 'accept',
    };
    if (a.hook.dev !== undefined) c.hook.device = a.hook.dev;
  }
  if (a.use !== undefined) c.use = a.use;
  if (a.flags !== undefined) c.flags = a.flags;
  if (a.userdata) applyComment(c, a.userdata, NFTNL_UDATA_CHAIN_COMMENT);
  return c;
}
