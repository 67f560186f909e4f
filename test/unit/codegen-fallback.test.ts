/**
 * Codecs without code generation. Schemas and structs normally compile their decoder and
 * encoder with `new Function`; under `node --disallow-code-generation-from-strings` they
 * interpret their definitions instead. Both must give identical results:
 *  - in process: every rtnetlink schema and struct, generated vs interpreted, on every real
 *    kernel message of the fixture (each attribute area and header offset), on random bytes,
 *    and re-encoding what was decoded (the same bytes, or the same ParseError);
 *  - in a hardened process: importing the package and decoding the fixture's messages into
 *    Links, Addresses and Routes works and prints what an ordinary process prints.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Schema } from '../../src/netlink/attributes.js';
import { Struct } from '../../src/netlink/struct.js';
import { parseMessages } from '../../src/netlink/message.js';
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

const modules = [addr, bridge, bridgePort, kinds, link, linkAfSpec, linkInfo, neigh, netconf, nsid, route, routeMetrics, vxlan] as Record<string, unknown>[];
const values = modules.flatMap((m) => Object.values(m));
const SCHEMAS = [...new Set(values.filter((v): v is Schema<object> => v instanceof Schema))];
const STRUCTS = [...new Set(values.filter((v): v is Struct<object> => v instanceof Struct))];
const fixture = JSON.parse(readFileSync(new URL('../fixtures/kernel-messages.json', import.meta.url), 'utf8')) as { datagrams: string[] };
const MESSAGES = fixture.datagrams.flatMap((hex) => parseMessages(Buffer.from(hex, 'hex')));

/** What a call gives: its value, or the class and message of what it threw. */
function outcome(fn: () => unknown): unknown {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

function sameSchema(gen: Schema<object>, int: Schema<object>, buf: Buffer, start: number, end: number): void {
  const a = outcome(() => gen.decode(buf, start, end));
  const b = outcome(() => int.decode(buf, start, end));
  expect(isDeepStrictEqual(a, b), `${gen.name} decode of ${buf.subarray(start, end).toString('hex')}`).toBe(true);
  if ('value' in (a as object)) {
    const v = (a as { value: object }).value;
    const wa = new NlWriter();
    const wb = new NlWriter();
    const ea = outcome(() => gen.encode(wa, v));
    const eb = outcome(() => int.encode(wb, v));
    expect(ea, `${gen.name} encode`).toEqual(eb);
    expect(wb.buf.subarray(0, wb.offset).equals(wa.buf.subarray(0, wa.offset)), `${gen.name} encode bytes`).toBe(true);
  }
}

function sameStruct(gen: Struct<object>, int: Struct<object>, buf: Buffer, start: number): void {
  const a = outcome(() => gen.decode(buf, start));
  const b = outcome(() => int.decode(buf, start));
  expect(a, `${gen.name} decode`).toEqual(b);
  if ('value' in (a as object)) {
    const wa = new NlWriter();
    const wb = new NlWriter();
    gen.encode(wa, (a as { value: object }).value);
    int.encode(wb, (a as { value: object }).value);
    expect(wb.buf.subarray(0, wb.offset).equals(wa.buf.subarray(0, wa.offset)), `${gen.name} encode bytes`).toBe(true);
  }
}

describe('codecs without code generation', () => {
  it(`interpreted and generated codecs agree on ${SCHEMAS.length} schemas and ${STRUCTS.length} structs (real kernel messages, random bytes)`, () => {
    expect(SCHEMAS.length).toBeGreaterThan(20);
    expect(STRUCTS.length).toBeGreaterThan(5);
    const pairs = SCHEMAS.map((s) => [s.withCodecs('generated'), s.withCodecs('interpreted')] as const);
    const structs = STRUCTS.map((s) => [s.withCodecs('generated'), s.withCodecs('interpreted')] as const);
    for (const m of MESSAGES) {
      // every header size a family uses: decode the attributes after it with every schema
      for (const hdr of [0, 4, 8, 12, 16]) {
        if (m.start + hdr > m.end) continue;
        for (const [g, i] of pairs) sameSchema(g, i, m.buf, m.start + hdr, m.end);
      }
      for (const [g, i] of structs) sameStruct(g, i, m.buf, m.start);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
        const buf = Buffer.from(bytes);
        for (const [g, i] of pairs) sameSchema(g, i, buf, 0, buf.length);
        for (const [g, i] of structs) sameStruct(g, i, buf, 0);
      }),
      { numRuns: 300 },
    );
    // encoders on values the decoders never give: out-of-range numbers wrap the same way
    for (const [g, i] of structs) {
      const v = Object.fromEntries(Object.keys(g.decode(Buffer.alloc(g.size), 0)).map((k, n) => [k, n % 2 ? -1 - n : 2 ** 40 + n]));
      const wa = new NlWriter();
      const wb = new NlWriter();
      g.encode(wa, v);
      i.encode(wb, v);
      expect(wb.buf.subarray(0, wb.offset).toString('hex'), g.name).toBe(wa.buf.subarray(0, wa.offset).toString('hex'));
    }
  });

  it('node --disallow-code-generation-from-strings imports the package and decodes what an ordinary process decodes', () => {
    // dist/ is what users import (npm test builds it first)
    const script = `
      import { readFileSync } from 'node:fs';
      const { Link, Address, Route } = await import(process.cwd() + '/dist/index.js');
      const { parseMessages } = await import(process.cwd() + '/dist/netlink/message.js');
      const { canGenerateCode } = await import(process.cwd() + '/dist/netlink/codec-mode.js');
      const ns = { name: 'x', fd: -1 };
      const fx = JSON.parse(readFileSync('test/fixtures/kernel-messages.json', 'utf8'));
      const out = [];
      for (const hex of fx.datagrams) for (const m of parseMessages(Buffer.from(hex, 'hex'))) {
        const from = m.type === 16 ? Link : m.type === 20 ? Address : m.type === 24 ? Route : undefined;
        if (from) { try { out.push(from.fromMessage(ns, m).toJSON()); } catch (e) { out.push(e.message); } }
      }
      console.log(JSON.stringify({ codegen: canGenerateCode(), n: out.length, out }));
    `;
    const run = (flags: string[]): { codegen: boolean; n: number; out: unknown[] } =>
      JSON.parse(execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' }));
    const hardened = run(['--disallow-code-generation-from-strings']);
    const ordinary = run([]);
    expect(hardened.codegen).toBe(false);
    expect(ordinary.codegen).toBe(true);
    expect(hardened.n).toBeGreaterThan(10);
    expect(hardened.out).toEqual(ordinary.out);
  });
});
