/**
 * The ruleset generation (NFT_MSG_GETGEN / NEWGEN): a counter the kernel bumps with every
 * committed transaction.
 * @internal
 * @module
 */
import { defineSchema } from '../netlink/attributes.js';
import type { NlMessage } from '../netlink/message.js';
import { be32Field, NfGenMsg } from './codec.js';

/** NFTA_GEN_* */
export const GenAttrs = defineSchema('NFTA_GEN', {
  1: be32Field('id'),
  2: be32Field('procPid'),
  3: { name: 'procName', type: 'string' },
});

/** A NEWGEN message: the generation, and the process that committed it. */
export interface NftGeneration {
  /** the generation id. */
  id: number;
  /** pid of the process that committed the transaction (notifications). */
  pid?: number;
  /** its name. */
  process?: string;
}

/** Decodes a NEWGEN message. */
export function decodeGen(m: NlMessage): NftGeneration {
  const a = GenAttrs.decode(m.buf, m.start + NfGenMsg.size, m.end);
  const g: NftGeneration = { id: a.id ?? 0 };
  if (a.procPid !== undefined) g.pid = a.procPid;
  if (a.procName !== undefined) g.process = a.procName;
  return g;
}
