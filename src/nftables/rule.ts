/**
 * nf_tables rules (NFT_MSG_NEWRULE / DELRULE / GETRULE): the expression list, position,
 * handle and the comment nft keeps in userdata (NFTNL_UDATA_RULE_COMMENT).
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { defineSchema } from '../netlink/attributes.js';
import type { NlMessage } from '../netlink/message.js';
import type { NlWriter } from '../netlink/writer.js';
import { familyName, type NftFamily, NFTNL_UDATA_RULE_COMMENT } from './constants.js';
import { be32Field, be64Field, buildUdata, commentValue, NfGenMsg, putBe32, putBe64 } from './codec.js';
import { decodeExprList, type Expr, putExpr } from './expr.js';
import { applyComment } from './table.js';

/** NFTA_RULE_* */
export const RuleAttrs = defineSchema('NFTA_RULE', {
  1: { name: 'table', type: 'string' },
  2: { name: 'chain', type: 'string' },
  3: be64Field('handle'),
  4: { name: 'expressions', type: 'binary' },
  6: be64Field('position'),
  7: { name: 'userdata', type: 'binary' },
  9: be32Field('id'),
  10: be32Field('positionId'),
  11: be32Field('chainId'),
});

/** An nf_tables rule. */
export interface NftRuleSpec {
  /** the table's family. */
  family: NftFamily;
  /** the table's name. */
  table: string;
  /** the chain's name. */
  chain: string;
  /** the expressions, in order. */
  exprs: Expr[];
  /** a comment (userdata, as nft writes it). */
  comment?: string;
}

/** A rule as the kernel lists it. */
export interface NftRule extends NftRuleSpec {
  /** the kernel's handle. */
  handle: number;
  /** the handle of the rule it was placed after (only in some notifications). */
  position?: number;
  /** userdata bytes when they are not only a comment. */
  userdata?: Buffer;
}

/** Where a NEWRULE goes, and what it replaces. */
export interface RulePlacement {
  /** handle of an existing rule: add after it (or before it with insert, or replace it). */
  position?: number;
  /** the handle of the rule to delete or replace. */
  handle?: number;
  /** rule id within the transaction. */
  id?: number;
}

/** Writes the attributes of a rule message. */
export function writeRule(w: NlWriter, r: Partial<NftRuleSpec> & { table: string; chain?: string }, p: RulePlacement = {}): void {
  w.attrString(1, r.table);
  if (r.chain !== undefined) w.attrString(2, r.chain);
  if (p.handle !== undefined) putBe64(w, 3, p.handle);
  if (p.position !== undefined) putBe64(w, 6, p.position);
  if (r.exprs) {
    const l = w.beginNested(4, true);
    for (const e of r.exprs) putExpr(w, e);
    w.endNested(l);
  }
  if (r.comment !== undefined) w.attr(7, buildUdata([{ type: NFTNL_UDATA_RULE_COMMENT, value: commentValue(r.comment) }]));
  if (p.id !== undefined) putBe32(w, 9, p.id);
}

/** Decodes a rule message. */
export function decodeRule(m: NlMessage): NftRule {
  const h = NfGenMsg.decode(m.buf, m.start, m.end);
  const a = RuleAttrs.decode(m.buf, m.start + NfGenMsg.size, m.end);
  if (a.table === undefined || a.chain === undefined) throw new ParseError('rule without a table or chain', m.start);
  const r: NftRule = {
    family: familyName(h.family) as NftFamily,
    table: a.table,
    chain: a.chain,
    handle: a.handle ?? 0,
    exprs: a.expressions ? decodeExprList(a.expressions, m.start) : [],
  };
  if (a.position !== undefined) r.position = a.position;
  if (a.userdata) applyComment(r, a.userdata, NFTNL_UDATA_RULE_COMMENT);
  return r;
}
