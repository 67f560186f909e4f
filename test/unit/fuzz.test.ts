/**
 * Codec fuzzing (fast-check). Every decoder — framing (parseMessages), ACK/DONE
 * (parseError/parseDone), every family's message decoder and API `fromMessage` (links with
 * their kind data and AF_BRIDGE, addresses, routes with multipath, neighbours, FDB, nsids,
 * netconf)
 * and every attribute schema and struct on its own — is fed:
 *  - random bytes framed as a netlink message of every rtnetlink type,
 *  - real kernel messages (test/fixtures/kernel-messages.json, captured on Linux with
 *    capture-kernel-messages.mjs) mutated: truncated, lengths past the end, nested
 *    attributes pointing outside their parent, zero-length attributes, flipped bits,
 *    inserted bytes, huge counts,
 *  - random attribute trees (nests inside nests, lying lengths).
 * Only ParseError may escape; a decoder may not hang, and may not allocate more than a
 * small multiple of its input (checked on the decoded value's size).
 * Round trips: every schema and struct, and every family's message encoder, re-encodes what
 * it decoded to bytes that decode to the same value.
 *
 * The seed is printed; FUZZ_SEED=<n> replays a run, FUZZ_RUNS=<n> scales it (default: the
 * properties below add up to 105,000 cases). fast-check prints seed and path of a failure.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Address, Bridge, Link, Macvlan, Macvtap, Neighbor, ParseError, Route, Tun, Vxlan } from '../../src/index.js';
import { Bond } from '../../src/api/link/bond.js';
import { Vlan } from '../../src/api/link/vlan.js';
import { Vrf } from '../../src/api/link/vrf.js';
import { bridgePortSettings } from '../../src/api/link/bridge-port.js';
import { Netconf } from '../../src/api/namespace/netconf.js';
import { fdbEntryFromMessage } from '../../src/api/link/fdb.js';
import { forEachAttr, Schema } from '../../src/netlink/attributes.js';
import { Struct } from '../../src/netlink/struct.js';
import { parseDone, parseError, parseMessages, type NlMessage } from '../../src/netlink/message.js';
import { NlWriter } from '../../src/netlink/writer.js';
import * as addr from '../../src/rtnetlink/address.js';
import * as bridge from '../../src/rtnetlink/kinds/bridge.js';
import * as bridgePort from '../../src/rtnetlink/bridge-port.js';
import * as kinds from '../../src/rtnetlink/kinds/index.js';
import * as link from '../../src/rtnetlink/link.js';
import * as linkAfSpec from '../../src/rtnetlink/link-af-spec.js';
import * as linkInfo from '../../src/rtnetlink/link-info.js';
import * as neigh from '../../src/rtnetlink/neighbor.js';
import * as netconf from '../../src/rtnetlink/netconf.js';
import * as nsid from '../../src/rtnetlink/nsid.js';
import * as route from '../../src/rtnetlink/route.js';
import * as routeMetrics from '../../src/rtnetlink/route-metrics.js';
import * as vxlan from '../../src/rtnetlink/kinds/vxlan.js';
import { fakeNamespace } from '../helpers/fake-namespace.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() ^ (process.pid << 8);
const SCALE = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) / 105_000 : 1;
const runs = (n: number): number => Math.max(1, Math.round(n * SCALE));
let totalCases = 0;
const params = (n: number): fc.Parameters<unknown> => {
  totalCases += runs(n);
  return { seed: SEED, numRuns: runs(n), endOnFailure: true };
};
console.log(`[fuzz] seed ${SEED} (replay: FUZZ_SEED=${SEED})`);

// ---- the corpus: real kernel datagrams split into messages ------------------------------
const fixture = JSON.parse(readFileSync(new URL('../fixtures/kernel-messages.json', import.meta.url), 'utf8')) as { datagrams: string[] };
const REAL: Buffer[] = fixture.datagrams.flatMap((hex) =>
  parseMessages(Buffer.from(hex, 'hex')).map((m) => Buffer.from(m.buf.subarray(m.start - 16, m.end))),
);

// ---- every decoder ------------------------------------------------------------------------
const ns = fakeNamespace();
const modules = [addr, bridge, bridgePort, kinds, link, linkAfSpec, linkInfo, neigh, netconf, nsid, route, routeMetrics, vxlan] as Record<string, unknown>[];
const SCHEMAS = [...new Set(modules.flatMap((m) => Object.values(m)).filter((v): v is Schema<object> => v instanceof Schema))];
const STRUCTS = [...new Set(modules.flatMap((m) => Object.values(m)).filter((v): v is Struct<object> => v instanceof Struct))];

/** Touches everything a caller can read from a Link (kind views, settings, JSON). */
function readLink(l: Link): unknown {
  const out: unknown[] = [l.toJSON(), l.displayName, l.flagNames, l.stats, l.altNames, l.linkInfo, l.isUp, l.hasCarrier];
  const views: [string[], (x: Link) => { settings: unknown }][] = [
    [['bridge'], (x) => Bridge.from(x)],
    [['vxlan'], (x) => Vxlan.from(x)],
    [['macvlan'], (x) => Macvlan.from(x)],
    [['macvtap'], (x) => Macvtap.from(x)],
    [['tun'], (x) => Tun.from(x)],
    [['vlan'], (x) => Vlan.from(x)],
    [['bond'], (x) => Bond.from(x)],
  ];
  for (const [k, view] of views) if (l.kind !== undefined && k.includes(l.kind)) out.push(view(l).settings);
  if (l.kind === 'vrf') out.push(Vrf.from(l).table);
  const sd = l.linkInfo?.slaveData;
  if (l.slaveKind === 'bridge' && sd && !Buffer.isBuffer(sd)) out.push(bridgePortSettings(sd as Parameters<typeof bridgePortSettings>[0]));
  return out;
}

// (each fromMessage runs its family's decodeXxxMessage first, so those are covered too)
const DECODERS: [string, (m: NlMessage) => unknown][] = [
  ['parseError', parseError],
  ['parseDone', parseDone],
  ['forEachAttr', (m) => forEachAttr(m.buf, m.start, m.end, () => undefined)],
  ['Link.fromMessage', (m) => readLink(Link.fromMessage(ns, m))],
  ['AF_BRIDGE link', (m) => (m.type === 16 || m.type === 17) && readLink(Link.fromMessage(ns, { ...m, buf: withByte(m, m.start, 7) }))],
  ['Address.fromMessage', (m) => { const a = Address.fromMessage(ns, m); return [a.toJSON(), a.cidr, a.flagNames]; }],
  ['Route.fromMessage', (m) => { const r = Route.fromMessage(ns, m); return [r.toJSON(), r.flagNames, r.onlink]; }],
  ['Neighbor.fromMessage', (m) => { const n = Neighbor.fromMessage(ns, m); return [n.toJSON(), n.router, n.proxy]; }],
  ['fdbEntryFromMessage', (m) => fdbEntryFromMessage(m, new Map([[1, 'lo']]))],
  ['Netconf.fromMessage', (m) => Netconf.fromMessage(ns, m)],
  ['nsid', (m) => [nsid.RtGenMsg.decode(m.buf, m.start, m.end), nsid.NsidAttrs.decode(m.buf, Math.min(m.start + nsid.RtGenMsg.size, m.end), m.end)]],
];

/** A copy of the message's buffer with one byte changed (e.g. the family, to take the AF_BRIDGE path). */
function withByte(m: NlMessage, at: number, v: number): Buffer {
  const b = Buffer.from(m.buf);
  if (at < b.length) b[at] = v;
  return b;
}

/** Everything decodable from one datagram. Returns what escaped that is not a ParseError. */
function decodeEverything(buf: Buffer): void {
  let msgs: NlMessage[];
  try {
    msgs = parseMessages(buf);
  } catch (e) {
    if (e instanceof ParseError) return;
    throw e;
  }
  for (const m of msgs) {
    for (const [name, d] of DECODERS) guard(name, buf, () => d(m));
    // one attribute schema and one struct straight on the payload, chosen by the input
    // (after 0, 4, 8, 12 or 16 header bytes): over a run every schema gets thousands of cases
    const pick = buf.length + (buf[buf.length >> 1] ?? 0);
    const start = Math.min(m.start + (pick % 5) * 4, m.end);
    const s = SCHEMAS[pick % SCHEMAS.length]!;
    guard(s.name, buf, () => s.decode(m.buf, start, m.end));
    const st = STRUCTS[pick % STRUCTS.length]!;
    guard(st.name, buf, () => st.decode(m.buf, start, m.end));
  }
}

function guard(name: string, input: Buffer, fn: () => unknown): void {
  let v: unknown;
  try {
    v = fn();
  } catch (e) {
    if (e instanceof ParseError) return;
    const err = new Error(`${name} threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message} on ${hex(input)}`);
    (err as { cause?: unknown }).cause = e;
    throw err;
  }
  // bounded allocation: a decoded value is never much bigger than its input
  if (v !== undefined && sizeOf(v, 0) > 64 * input.length + 4096) throw new Error(`${name}: decoded value out of proportion to ${input.length} input bytes`);
}

/** Input bytes for a failure message (the seed replays the whole case). */
function hex(b: Buffer): string {
  return b.length > 256 ? `${b.subarray(0, 256).toString('hex')}… (${b.length} bytes)` : b.toString('hex');
}

/** A rough size of a decoded value (strings, buffers, arrays, objects), capped by depth. */
function sizeOf(v: unknown, depth: number): number {
  if (depth > 32) return Infinity;
  if (typeof v === 'string') return v.length;
  if (Buffer.isBuffer(v)) return 8; // views into the input, not copies
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + 8 + sizeOf(x, depth + 1), 0);
  if (v !== null && typeof v === 'object') return Object.values(v).reduce((n: number, x) => n + 8 + sizeOf(x, depth + 1), 0);
  return 8;
}

// ---- generators ---------------------------------------------------------------------------
/**
 * Random bytes: fast-check picks a length and a 32-bit seed, a xorshift generator fills the
 * bytes (fc.uint8Array makes one shrinkable value per byte: far slower for 100k cases). The
 * run's seed still reproduces every case.
 */
function bytesArb(maxLength: number, minLength = 0): fc.Arbitrary<Uint8Array> {
  return fc.tuple(fc.integer({ min: minLength, max: maxLength }), fc.integer({ min: 1, max: 0x7fffffff })).map(([n, seed]) => {
    const out = new Uint8Array(n);
    let x = seed;
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  });
}

const RTM_TYPES = [2, 3, 16, 17, 18, 19, 20, 21, 22, 24, 25, 26, 28, 29, 30, 80, 88, 89, 90];

function frame(type: number, flags: number, body: Uint8Array): Buffer {
  const b = Buffer.alloc(16 + body.length);
  b.writeUInt32LE(b.length, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  b.set(body, 16);
  return b;
}

/** Random bodies framed as one message of an rtnetlink type. */
const framedRandom = fc
  .tuple(fc.constantFrom(...RTM_TYPES), fc.constantFrom(0, 0x100, 0x200, 0x300, 0x10), bytesArb(256))
  .map(([t, f, body]) => frame(t, f, body));

/** One mutation of a message. */
type Mutation =
  | { op: 'truncate'; at: number; fixLen: boolean }
  | { op: 'byte'; at: number; v: number }
  | { op: 'len16'; at: number; v: number }
  | { op: 'nested'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'msglen'; v: number }
  | { op: 'count'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat(), fixLen: fc.boolean() }),
  fc.record({ op: fc.constant('byte' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
  // attribute lengths: 0..3 (below the header), 4 (zero-length payload), past the end, huge
  fc.record({ op: fc.constant('len16' as const), at: fc.nat(), v: fc.oneof(fc.constantFrom(0, 1, 3, 4, 5, 8, 0xfff0, 0xffff), fc.integer({ min: 0, max: 0xffff })) }),
  fc.record({ op: fc.constant('nested' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: bytesArb(16, 1) }),
  fc.record({ op: fc.constant('msglen' as const), v: fc.oneof(fc.constantFrom(0, 15, 16, 17, 0xffffffff), fc.nat()) }),
  // "huge counts": a u32 such as a nexthop count, a port range or an array length, at its max
  fc.record({ op: fc.constant('count' as const), at: fc.nat() }),
);

function mutate(src: Buffer, muts: Mutation[]): Buffer {
  let b = Buffer.from(src);
  for (const m of muts) {
    if (b.length === 0) break;
    switch (m.op) {
      case 'truncate': {
        b = Buffer.from(b.subarray(0, m.at % (b.length + 1)));
        if (m.fixLen && b.length >= 4) b.writeUInt32LE(b.length, 0);
        break;
      }
      case 'byte':
        b[m.at % b.length] = m.v;
        break;
      case 'len16': {
        // aligned to 4: where attribute headers are
        const at = (m.at % Math.max(1, b.length >> 2)) << 2;
        if (at + 2 <= b.length) b.writeUInt16LE(m.v, at);
        break;
      }
      case 'nested': {
        const at = ((m.at % Math.max(1, b.length >> 2)) << 2) + 3;
        if (at < b.length) b[at]! ^= 0x80; // NLA_F_NESTED
        break;
      }
      case 'insert': {
        const at = m.at % (b.length + 1);
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        if (b.length >= 4) b.writeUInt32LE(b.length, 0);
        break;
      }
      case 'msglen':
        if (b.length >= 4) b.writeUInt32LE(m.v >>> 0, 0);
        break;
      case 'count': {
        const at = (m.at % Math.max(1, b.length >> 2)) << 2;
        if (at + 4 <= b.length) b.writeUInt32LE(0xffffffff, at);
        break;
      }
    }
  }
  return b;
}

const mutatedReal = fc
  .tuple(fc.constantFrom(...REAL), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([m, muts]) => mutate(m, muts));

/** A random attribute tree; `lie` sometimes makes a length point past the parent. */
interface Tlv {
  type: number;
  payload: Uint8Array | Tlv[];
  lie: number;
}
const tlvTree: fc.Arbitrary<Tlv[]> = fc.letrec<{ tree: Tlv[]; node: Tlv }>((tie) => ({
  tree: fc.array(tie('node'), { maxLength: 6 }),
  node: fc.record({
    type: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffff })),
    payload: fc.oneof({ depthSize: 'small' }, bytesArb(24), tie('tree')),
    lie: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -8, max: 64 }) }),
  }),
})).tree;

function writeTlvs(w: NlWriter, tlvs: Tlv[]): void {
  for (const t of tlvs) {
    const start = w.offset;
    if (t.payload instanceof Uint8Array) {
      w.attr(t.type, Buffer.from(t.payload));
    } else {
      const s = w.beginNested(t.type, (t.type & 1) === 1);
      writeTlvs(w, t.payload);
      w.endNested(s);
    }
    if (t.lie !== 0) w.buf.writeUInt16LE(Math.max(0, Math.min(0xffff, w.buf.readUInt16LE(start) + t.lie)), start);
  }
}

const randomTrees = fc
  .tuple(fc.constantFrom(...RTM_TYPES), fc.uint8Array({ minLength: 0, maxLength: 28 }), tlvTree)
  .map(([type, header, tree]) => {
    const w = new NlWriter(256);
    const s = w.beginMessage(type, 0, 1, 0);
    w.bytes(Buffer.from(header));
    w.pad();
    writeTlvs(w, tree);
    w.endMessage(s);
    return w.toBuffer();
  });

// ---- round trips --------------------------------------------------------------------------
/**
 * Values that cannot come back identical, for a documented reason: a flag the kernel reports
 * as a u8 but only accepts as NLA_FLAG (IFLA_VXLAN_TTL_INHERIT …) is written only when true,
 * so `false` comes back absent.
 */
function normalise(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== false && x !== undefined) o[k] = normalise(x);
    return o;
  }
  return v;
}

function roundTripSchema(s: Schema<object>, buf: Buffer, start: number, end: number): void {
  let first: object;
  try {
    first = s.decode(buf, start, end);
  } catch (e) {
    if (e instanceof ParseError) return;
    throw e;
  }
  const w = new NlWriter(256);
  s.encode(w, first);
  const again = s.decode(w.buf, 0, w.offset);
  if (!isDeepStrictEqual(normalise(again), normalise(first))) {
    throw new Error(`${s.name} round trip differs on ${hex(buf.subarray(start, end))}:\n${JSON.stringify(first)}\n${JSON.stringify(again)}`);
  }
}

const FAMILIES: [string, (m: NlMessage) => { header: object; attrs: object }, (w: NlWriter, h: never, a: never) => void][] = [
  ['link', link.decodeLinkMessage, link.encodeLinkMessage as never],
  ['addr', addr.decodeAddrMessage, addr.encodeAddrMessage as never],
  ['route', route.decodeRouteMessage, route.encodeRouteMessage as never],
  ['neigh', neigh.decodeNeighMessage, neigh.encodeNeighMessage as never],
  ['netconf', netconf.decodeNetconfMessage, netconf.encodeNetconfMessage as never],
];

function roundTripMessage(buf: Buffer): void {
  let msgs: NlMessage[];
  try {
    msgs = parseMessages(buf);
  } catch (e) {
    if (e instanceof ParseError) return;
    throw e;
  }
  for (const m of msgs) {
    for (const [name, decode, encode] of FAMILIES) {
      let first: { header: object; attrs: object };
      try {
        first = decode(m);
      } catch (e) {
        if (e instanceof ParseError) continue;
        throw e;
      }
      if (name === 'link' && (first.header as { family: number }).family === 7) continue; // AF_BRIDGE: bridgeAfSpec is read-only
      const w = new NlWriter(256);
      const s = w.beginMessage(m.type, 0, 0, 0);
      encode(w, first.header as never, first.attrs as never);
      w.endMessage(s);
      const again = decode(parseMessages(w.toBuffer())[0]!);
      if (!isDeepStrictEqual(normalise(again), normalise(first))) {
        throw new Error(`${name} message round trip differs on ${hex(buf)}:\n${JSON.stringify(first)}\n${JSON.stringify(again)}`);
      }
    }
  }
}

// ---- properties -----------------------------------------------------------------------------
// Most cases end in a ParseError; capturing a stack trace for each is most of the cost of a
// case. Off while fuzzing (failure messages carry the decoder's name, the input and the seed).
let stackTraceLimit: number;
let started = 0;
beforeAll(() => {
  stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  started = performance.now();
});
afterAll(() => {
  Error.stackTraceLimit = stackTraceLimit;
  console.log(`[fuzz] ${totalCases} generated cases (+ ${REAL.length} real messages) in ${((performance.now() - started) / 1000).toFixed(1)} s, seed ${SEED}`);
});

describe('codec fuzzing: only ParseError escapes', () => {
  it(`the corpus holds real messages of every family (${REAL.length} messages)`, () => {
    const types = new Set(REAL.map((b) => b.readUInt16LE(4)));
    for (const t of [2, 3, 16, 20, 24, 28, 88]) expect(types, `message type ${t}`).toContain(t);
    for (const b of REAL) decodeEverything(b); // and they all decode without a ParseError escaping wrongly
  });

  it('random bodies framed as rtnetlink messages (30,000)', () => {
    fc.assert(fc.property(framedRandom, (b) => decodeEverything(b)), params(30_000));
  });

  it('mutated real kernel messages (40,000)', () => {
    fc.assert(fc.property(mutatedReal, (b) => decodeEverything(b)), params(40_000));
  });

  it('random attribute trees with lying lengths (15,000)', () => {
    fc.assert(fc.property(randomTrees, (b) => decodeEverything(b)), params(15_000));
  });

  it('random datagrams: framing and ACK/DONE parsing (10,000)', () => {
    fc.assert(
      fc.property(bytesArb(200), (u) => {
        const b = Buffer.from(u);
        guard('parseMessages', b, () => {
          for (const m of parseMessages(b)) {
            guard('parseError', b, () => parseError(m));
            guard('parseDone', b, () => parseDone(m));
          }
        });
      }),
      params(10_000),
    );
  });
});

describe('round trips: encode(decode(x)) decodes to the same value', () => {
  it('every real kernel message, per family', () => {
    for (const b of REAL) roundTripMessage(b);
  });

  it('mutated real messages that still decode (5,000)', () => {
    fc.assert(fc.property(mutatedReal, (b) => roundTripMessage(b)), params(5_000));
  });

  it(`every attribute schema (${SCHEMAS.length}) on random attribute trees and on real payloads (3,000)`, () => {
    const payloads = REAL.flatMap((b) => [0, 4, 8, 12, 16].map((skip) => b.subarray(Math.min(16 + skip, b.length))));
    fc.assert(
      fc.property(fc.oneof(tlvTree.map((t) => {
        const w = new NlWriter(128);
        writeTlvs(w, t);
        return w.toBuffer();
      }), fc.constantFrom(...payloads)), (b) => {
        for (const s of SCHEMAS) roundTripSchema(s, b, 0, b.length);
      }),
      params(3_000),
    );
  });

  it(`every fixed struct (${STRUCTS.length}) on random bytes (2,000)`, () => {
    fc.assert(
      fc.property(bytesArb(64, 64), (u) => {
        const b = Buffer.from(u);
        for (const s of STRUCTS) {
          const v = s.decode(b, 0);
          const w = new NlWriter(64);
          s.encode(w, v);
          if (!isDeepStrictEqual(s.decode(w.buf, 0, w.offset), v)) throw new Error(`${s.name} round trip differs on ${b.toString('hex')}`);
        }
      }),
      params(2_000),
    );
  });
});
