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

/** One nf_tables change. `generation` events end each committed transaction. */
export type NftEvent =
  | { kind: 'table'; action: 'add' | 'delete'; table: NftTable }
  | { kind: 'chain'; action: 'add' | 'delete'; chain: NftChain }
  | { kind: 'rule'; action: 'add' | 'delete'; rule: NftRule }
  | { kind: 'set'; action: 'add' | 'delete'; set: NftSet }
  | { kind: 'elements'; action: 'add' | 'delete'; family: string; table: string; set: string; elements: NftElement[] }
  | { kind: 'generation'; generation: NftGeneration }
  | { kind: 'overflow' };

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
