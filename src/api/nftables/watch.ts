/**
 * NftWatcher: nf_tables change notifications (NFNLGRP_NFTABLES) as typed events — so a
 * program notices when another one (a firewall reload, `nft flush ruleset`) deletes its
 * table or rules, and can restore them.
 * @module
 */
import type { NetlinkConnection } from '../../netlink/connection.js';
import type { NlMessage } from '../../netlink/message.js';
import { decodeChain, type NftChain } from '../../nftables/chain.js';
import { NFNL_SUBSYS_NFTABLES, NFT_MSG } from '../../nftables/constants.js';
import { decodeGen, type NftGeneration } from '../../nftables/gen.js';
import { decodeRule, type NftRule } from '../../nftables/rule.js';
import { decodeElements, decodeSet, type NftElement, type NftSet } from '../../nftables/set.js';
import { decodeTable, type NftTable } from '../../nftables/table.js';
import { EventStream } from '../events/event-stream.js';

/** A table was added (or updated) or deleted. */
export interface NftTableEvent {
  /** `table`. */
  kind: 'table';
  /** add or delete. */
  action: 'add' | 'delete';
  /** the table. */
  table: NftTable;
}
/** A chain was added (or updated) or deleted. */
export interface NftChainEvent {
  /** `chain`. */
  kind: 'chain';
  /** add or delete. */
  action: 'add' | 'delete';
  /** the chain. */
  chain: NftChain;
}
/** A rule was added (or replaced) or deleted. */
export interface NftRuleEvent {
  /** `rule`. */
  kind: 'rule';
  /** add or delete. */
  action: 'add' | 'delete';
  /** the rule. */
  rule: NftRule;
}
/** A set or map was added or deleted. */
export interface NftSetEvent {
  /** `set`. */
  kind: 'set';
  /** add or delete. */
  action: 'add' | 'delete';
  /** the set. */
  set: NftSet;
}
/** Elements were added to or deleted from a set or map. */
export interface NftElementsEvent {
  /** `elements`. */
  kind: 'elements';
  /** add or delete. */
  action: 'add' | 'delete';
  /** the table's family. */
  family: string;
  /** the table. */
  table: string;
  /** the set. */
  set: string;
  /** the elements (bytes; `describeElement` gives their typed values). */
  elements: NftElement[];
}
/** A transaction committed: the changes before it belong to it. */
export interface NftGenerationEvent {
  /** `generation`. */
  kind: 'generation';
  /** the new generation and who committed it. */
  generation: NftGeneration;
}
/** Notifications were lost (the receive buffer was full): list the ruleset again. */
export interface NftOverflowEvent {
  /** `overflow`. */
  kind: 'overflow';
}
/** One nf_tables change. `generation` events end each committed transaction. */
export type NftEvent = NftTableEvent | NftChainEvent | NftRuleEvent | NftSetEvent | NftElementsEvent | NftGenerationEvent | NftOverflowEvent;

/** Events of {@link NftWatcher} as EventEmitter events. */
export interface NftWatcherEvents {
  /** every change. */
  event: [NftEvent];
  /** the stream failed. */
  error: [unknown];
  /** the stream closed. */
  close: [];
}

/**
 * A stream of {@link NftEvent}s: iterate it (`for await`) or listen for `event`. An
 * `overflow` event says notifications were lost (the receive buffer was full): list the
 * ruleset again. Close it with `close()`.
 */
export class NftWatcher extends EventStream<NftEvent, NftWatcherEvents> {
  /** @internal */
  constructor(private readonly conn: NetlinkConnection) {
    super(new Set(['event']), 65536, 16384);
    conn.ref();
    conn.onNotification = (m) => this.onMessage(m);
    conn.onOverflow = () => this.deliver({ kind: 'overflow' });
  }

  private deliver(ev: NftEvent): void {
    this.enqueue(ev);
    this.safeEmit('event', ev);
  }

  private onMessage(m: NlMessage): void {
    if (m.type >> 8 !== NFNL_SUBSYS_NFTABLES) return;
    try {
      const ev = decodeEvent(m);
      if (ev) this.deliver(ev);
    } catch (e) {
      this.fail(e);
    }
  }

  /** @internal */
  protected release(): void {
    this.conn.onNotification = undefined;
    this.conn.onOverflow = undefined;
    this.conn.unref();
    this.conn.close();
  }
}

/** The event of one notification (undefined for kinds not modelled: objects, flowtables). */
export function decodeEvent(m: NlMessage): NftEvent | undefined {
  switch (m.type & 0xff) {
    case NFT_MSG.NEWTABLE:
    case NFT_MSG.DELTABLE:
      return { kind: 'table', action: (m.type & 0xff) === NFT_MSG.NEWTABLE ? 'add' : 'delete', table: decodeTable(m) };
    case NFT_MSG.NEWCHAIN:
    case NFT_MSG.DELCHAIN:
      return { kind: 'chain', action: (m.type & 0xff) === NFT_MSG.NEWCHAIN ? 'add' : 'delete', chain: decodeChain(m) };
    case NFT_MSG.NEWRULE:
    case NFT_MSG.DELRULE:
      return { kind: 'rule', action: (m.type & 0xff) === NFT_MSG.NEWRULE ? 'add' : 'delete', rule: decodeRule(m) };
    case NFT_MSG.NEWSET:
    case NFT_MSG.DELSET:
      return { kind: 'set', action: (m.type & 0xff) === NFT_MSG.NEWSET ? 'add' : 'delete', set: decodeSet(m) };
    case NFT_MSG.NEWSETELEM:
    case NFT_MSG.DELSETELEM: {
      const d = decodeElements(m);
      return { kind: 'elements', action: (m.type & 0xff) === NFT_MSG.NEWSETELEM ? 'add' : 'delete', family: d.family, table: d.table, set: d.set, elements: d.elements };
    }
    case NFT_MSG.NEWGEN:
      return { kind: 'generation', generation: decodeGen(m) };
    default:
      return undefined;
  }
}
