/**
 * nf_tables decoder fuzzing (fast-check), like test/unit/fuzz.test.ts for rtnetlink: every
 * nf_tables message decoder (tables, chains, rules with every expression, sets, elements,
 * generations, notifications) is fed the requests nft sends (test/fixtures/nft) mutated —
 * truncated, lengths past the end, flipped bits, inserted bytes — and random attribute
 * trees. Only ParseError may escape. Round trips: a decoded rule, chain, table, set and
 * element list re-encodes to the same bytes.
 *
 * FUZZ_SEED=<n> replays a run; FUZZ_RUNS=<n> scales it.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../../src/api/nftables/watch.js';
import { ParseError } from '../../src/errors.js';
import { parseMessages, type NlMessage } from '../../src/netlink/message.js';
import { NlWriter } from '../../src/netlink/writer.js';
import { decodeChain, writeChain } from '../../src/nftables/chain.js';
import { writeNfGen } from '../../src/nftables/codec.js';
import { FAMILIES, NFT_MSG, nftType } from '../../src/nftables/constants.js';
import { decodeExpr } from '../../src/nftables/expr.js';
import { decodeGen } from '../../src/nftables/gen.js';
import { decodeRule, writeRule } from '../../src/nftables/rule.js';
import { decodeElements, decodeSet, writeElements, writeSet } from '../../src/nftables/set.js';
import { decodeTable, writeTable } from '../../src/nftables/table.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() ^ (process.pid << 8);
const SCALE = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) / 20_000 : 1;
const params = (n: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: Math.max(1, Math.round(n * SCALE)), endOnFailure: true });
console.log(`[nft-fuzz] seed ${SEED} (replay: FUZZ_SEED=${SEED})`);

const fixture = JSON.parse(readFileSync(new URL('../fixtures/nft/requests.json', import.meta.url), 'utf8')) as { captures: { datagrams: string[] }[] };
/** every nf_tables message nft sent (BATCH_BEGIN/END left out), as its own buffer. */
const CORPUS: Buffer[] = fixture.captures.flatMap((c) =>
  c.datagrams.flatMap((hex) => parseMessages(Buffer.from(hex, 'hex')).filter((m) => m.type >> 8 === 10).map((m) => Buffer.from(m.buf.subarray(m.start - 16, m.end)))),
);

const DECODERS: Record<number, (m: NlMessage) => unknown> = {
  [NFT_MSG.NEWTABLE]: decodeTable,
  [NFT_MSG.DELTABLE]: decodeTable,
  [NFT_MSG.NEWCHAIN]: decodeChain,
  [NFT_MSG.NEWRULE]: decodeRule,
  [NFT_MSG.NEWSET]: decodeSet,
  [NFT_MSG.NEWSETELEM]: decodeElements,
  [NFT_MSG.NEWGEN]: decodeGen,
};

function asMessage(buf: Buffer, type: number): NlMessage {
  return { type, flags: 0, seq: 0, pid: 0, buf, start: 16, end: buf.length };
}
function onlyParseErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
  }
}
function decodeAll(buf: Buffer): void {
  for (const [t, dec] of Object.entries(DECODERS)) {
    const m = asMessage(buf, nftType(Number(t)));
    onlyParseErrors(() => dec(m));
    onlyParseErrors(() => decodeEvent(m));
  }
  onlyParseErrors(() => decodeExpr(buf.subarray(Math.min(20, buf.length))));
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant('length' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 0xffff }) }),
);
function mutate(src: Buffer, ms: { kind: string; at: number; bit?: number; bytes?: Uint8Array; value?: number }[]): Buffer {
  let b = Buffer.from(src);
  for (const m of ms) {
    const at = b.length > 16 ? 16 + (m.at % (b.length - 16)) : 0;
    if (m.kind === 'truncate') b = b.subarray(0, at);
    else if (m.kind === 'flip' && at < b.length) b[at]! ^= 1 << m.bit!;
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes!), b.subarray(at)]);
    else if (m.kind === 'length' && at + 2 <= b.length) b.writeUInt16LE(m.value!, at & ~3);
  }
  return b;
}

describe('nf_tables decoders under fuzzing', () => {
  it('the captured messages decode', () => {
    expect(CORPUS.length).toBeGreaterThan(15);
    for (const b of CORPUS) {
      const m = asMessage(b, b.readUInt16LE(4));
      const dec = DECODERS[m.type & 0xff];
      if (dec) dec(m);
    }
  });

  it('mutated messages raise only ParseError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CORPUS), fc.array(mutation, { minLength: 1, maxLength: 4 }), (src, ms) => decodeAll(mutate(src, ms))),
      params(10_000),
    );
  });

  it('random bytes raise only ParseError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 300 }), (bytes) => decodeAll(Buffer.from(bytes))),
      params(10_000),
    );
  });

  it('decoded objects re-encode to the same bytes', () => {
    for (const b of CORPUS) {
      const type = b.readUInt16LE(4) & 0xff;
      const m = asMessage(b, b.readUInt16LE(4));
      const w = new NlWriter();
      const s = w.beginMessage(b.readUInt16LE(4), b.readUInt16LE(6), b.readUInt32LE(8), 0);
      const fam = b[16]!;
      writeNfGen(w, fam);
      // requests carry no handle (decoded as 0)
      const noHandle = <T extends { handle?: number }>(o: T): T => (o.handle === 0 ? { ...o, handle: undefined } : o);
      if (type === NFT_MSG.NEWRULE) writeRule(w, decodeRule(m));
      else if (type === NFT_MSG.NEWCHAIN) writeChain(w, noHandle(decodeChain(m)));
      else if (type === NFT_MSG.NEWTABLE) writeTable(w, noHandle(decodeTable(m)));
      else if (type === NFT_MSG.NEWSET) {
        const { handle: _h, comment: _c, ...set } = decodeSet(m);
        writeSet(w, set);
      } else if (type === NFT_MSG.NEWSETELEM) {
        const e = decodeElements(m);
        writeElements(w, e.table, e.set, undefined, e.elements);
      } else continue;
      w.endMessage(s);
      let want = b;
      // nft sends ids and set ids the decoded objects do not keep
      if (type === NFT_MSG.NEWSET || type === NFT_MSG.NEWSETELEM) want = stripAttr(b, type === NFT_MSG.NEWSET ? 10 : 4);
      expect(w.toBuffer().subarray(4).toString('hex'), `${type}`).toBe(want.subarray(4).toString('hex'));
      expect(fam === FAMILIES.ip || fam === FAMILIES.inet).toBe(true);
    }
  });
});

/** The message without its top-level attribute `type`. */
function stripAttr(b: Buffer, type: number): Buffer {
  const parts = [b.subarray(0, 20)];
  for (let off = 20; off + 4 <= b.length; ) {
    const len = b.readUInt16LE(off);
    const t = b.readUInt16LE(off + 2) & 0x3fff;
    const next = off + ((len + 3) & ~3);
    if (t !== type) parts.push(b.subarray(off, next));
    off = next;
  }
  return Buffer.concat(parts);
}
