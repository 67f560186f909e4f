/**
 * nf_tables tables (NFT_MSG_NEWTABLE / DELTABLE / GETTABLE): NFTA_TABLE_* attributes.
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { defineSchema } from '../netlink/attributes.js';
import type { NlMessage } from '../netlink/message.js';
import type { NlWriter } from '../netlink/writer.js';
import { familyName, type NftFamily, NFT_TABLE_F_DORMANT, NFT_TABLE_F_OWNER, NFT_TABLE_F_PERSIST, NFTNL_UDATA_TABLE_COMMENT } from './constants.js';
import { be32Field, be64Field, buildUdata, commentText, commentValue, NfGenMsg, parseUdata, putBe32, putBe64 } from './codec.js';

/** NFTA_TABLE_* */
export const TableAttrs = defineSchema('NFTA_TABLE', {
  1: { name: 'name', type: 'string' },
  2: be32Field('flags'),
  3: be32Field('use'),
  4: be64Field('handle'),
  6: { name: 'userdata', type: 'binary' },
  7: be32Field('owner'),
});

/** An nf_tables table. */
export interface NftTableSpec {
  /** ip, ip6, inet, arp, bridge, netdev. */
  family: NftFamily;
  /** its name. */
  name: string;
  /** NFT_TABLE_F_DORMANT: its base chains are not attached to hooks. */
  dormant?: boolean;
  /**
   * NFT_TABLE_F_OWNER: the table belongs to the netlink socket that created it; only that
   * socket may change it, and the kernel deletes it when the socket closes (the process
   * exits or crashes) — unless `persist` is set too.
   */
  owner?: boolean;
  /** NFT_TABLE_F_PERSIST (kernels 6.9+, with `owner`): the table stays when its owner
   *  closes, and the next socket that adds it with `owner` takes it over. */
  persist?: boolean;
  /** a comment (userdata, as nft writes it). */
  comment?: string;
}

/** A table as the kernel lists it. */
export interface NftTable extends NftTableSpec {
  /** the kernel's handle. */
  handle: number;
  /** how many chains and sets use it. */
  use?: number;
  /** netlink port id of the owning socket (owner tables). */
  ownerPort?: number;
  /** flag bits this library does not name. */
  otherFlags?: number;
  /** userdata bytes when they are not only a comment. */
  userdata?: Buffer;
}

/** The NFT_TABLE_F_* bits of a table. */
export function tableFlags(t: Pick<NftTableSpec, 'dormant' | 'owner' | 'persist'>): number {
  return (t.dormant ? NFT_TABLE_F_DORMANT : 0) | (t.owner ? NFT_TABLE_F_OWNER : 0) | (t.persist ? NFT_TABLE_F_PERSIST : 0);
}

/** Writes the attributes of a NEWTABLE (name, flags, userdata). */
export function writeTable(w: NlWriter, t: NftTableSpec & { handle?: number }, withFlags = true): void {
  w.attrString(1, t.name);
  if (withFlags) putBe32(w, 2, tableFlags(t));
  if (t.handle !== undefined) putBe64(w, 4, t.handle);
  if (t.comment !== undefined) w.attr(6, buildUdata([{ type: NFTNL_UDATA_TABLE_COMMENT, value: commentValue(t.comment) }]));
}

/** Decodes a table message. */
export function decodeTable(m: NlMessage): NftTable {
  const h = NfGenMsg.decode(m.buf, m.start, m.end);
  const a = TableAttrs.decode(m.buf, m.start + NfGenMsg.size, m.end);
  if (a.name === undefined) throw new ParseError('table without a name', m.start);
  const flags = a.flags ?? 0;
  const t: NftTable = { family: familyName(h.family) as NftFamily, name: a.name, handle: a.handle ?? 0 };
  if (flags & NFT_TABLE_F_DORMANT) t.dormant = true;
  if (flags & NFT_TABLE_F_OWNER) t.owner = true;
  if (flags & NFT_TABLE_F_PERSIST) t.persist = true;
  const other = flags & ~(NFT_TABLE_F_DORMANT | NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST);
  if (other) t.otherFlags = other;
  if (a.use !== undefined) t.use = a.use;
  if (a.owner !== undefined) t.ownerPort = a.owner;
  if (a.userdata) applyComment(t, a.userdata, NFTNL_UDATA_TABLE_COMMENT);
  return t;
}

/** Sets `comment` from userdata holding only a comment; keeps the bytes otherwise. */
export function applyComment(o: { comment?: string; userdata?: Buffer }, ud: Buffer, commentType: number): void {
  try {
    const tlvs = parseUdata(ud);
    const c = tlvs.find((x) => x.type === commentType);
    if (c) o.comment = commentText(c.value);
    if (tlvs.length !== (c ? 1 : 0)) o.userdata = Buffer.from(ud);
  } catch {
    o.userdata = Buffer.from(ud);
  }
}
