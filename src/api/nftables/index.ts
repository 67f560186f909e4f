/**
 * nf_tables (NETLINK_NETFILTER), the public part: {@link Nftables} (list, watch),
 * {@link NftTransaction} (one atomic batch) and the expression builders {@link expr}.
 *
 * What the package's root entry (`netns-kit`) exports of this part; nothing inside `src/`
 * imports this file.
 */
export {
  Nftables,
  type NftablesOptions,
  type TransactionOptions,
  type TransactionResult,
  type ListFilter,
  type NftRuleset,
  type NftSetWithElements,
} from './nftables.js';
export {
  NftTransaction,
  Committed,
  type SetOptions,
  type ElementInput,
  type SetTypes,
  type RuleOptions,
  type RuleRef,
} from './transaction.js';
export {
  NftWatcher,
  type NftEvent,
  type NftWatcherEvents,
  type NftTableEvent,
  type NftChainEvent,
  type NftRuleEvent,
  type NftSetEvent,
  type NftElementsEvent,
  type NftGenerationEvent,
  type NftOverflowEvent,
} from './watch.js';
export { describeElement, setTypesOf, type DescribedElement } from './nftables.js';
export type { NftTable, NftTableSpec } from '../../nftables/table.js';
export type { NftChain, NftChainSpec, BaseChainHook, ChainType } from '../../nftables/chain.js';
export type { NftRule, NftRuleSpec, RulePlacement } from '../../nftables/rule.js';
export type { NftSet, NftSetSpec, NftElement, NftElementSpec } from '../../nftables/set.js';
export type { NftGeneration } from '../../nftables/gen.js';
export type { TableRef, ChainRef, SetRef } from '../../nftables/batch.js';
export type { NftData, NftDataValue, NftDataVerdict, Verdict } from '../../nftables/codec.js';
export type { NftDataType, NftValue } from '../../nftables/datatypes.js';
export type {
  NftFamily,
  NftHook,
  NamedPriority,
  BitwiseOp,
  NftSetFlag,
  VerdictName,
  CmpOp,
  PayloadBase,
  MetaKey,
  CtKey,
  CtState,
  NatFlag,
  FibResult,
  FibFlag,
} from '../../nftables/constants.js';
export type {
  Expr,
  PayloadExpr,
  MetaExpr,
  CmpExpr,
  BitwiseExpr,
  ImmediateExpr,
  LookupExpr,
  NatExpr,
  MasqExpr,
  RedirExpr,
  CtExpr,
  FibExpr,
  CounterExpr,
  RangeExpr,
  RawExpr,
} from '../../nftables/expr.js';
export * as expr from './expressions.js';
