/**
 * Name-keyed attribute sets (defineAttributes) and object-form structs: one definition gives
 * the codec and both object types; they encode exactly what the number-keyed form encodes,
 * addresses may be given as bytes, and a definition that contradicts itself is refused.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type AttributesInputOf, type AttrsOf, defineAttributes, defineSchema, type InputOf, structField } from '../../src/netlink/attributes.js';
import { defineStruct } from '../../src/netlink/struct.js';
import { NlWriter } from '../../src/netlink/writer.js';
import { encodeRouteMessage, type RouteAttributes, type RouteAttributesInput, RouteAttrs, viaField } from '../../src/rtnetlink/route.js';
import { RouteMetrics, RTAX } from '../../src/rtnetlink/route-metrics.js';

const bytes = (fn: (w: NlWriter) => void): string => {
  const w = new NlWriter(64);
  fn(w);
  return w.toBuffer().toString('hex');
};

const Pair = defineStruct('pair', {
  /** first */
  a: 'u16',
  _pad: 'pad2',
  /** second */
  b: 'u32',
});
const INNER = {
  kind: { nla: 1, type: 'string' },
} as const;
const Inner = defineAttributes('INNER', INNER);
const ByName = defineAttributes('T', {
  mtu: { nla: 2, type: 'u32' },
  addr: { nla: 5, type: 'ip', multi: true },
  mac: { nla: 4, type: 'mac' },
  name: { nla: 1, type: 'string' },
  inner: { nla: 6, type: 'nested', schema: Inner },
  pair: { nla: 7, ...structField('pair', Pair) },
});
const ByNumber = defineSchema('T', {
  1: { name: 'name', type: 'string' },
  2: { name: 'mtu', type: 'u32' },
  4: { name: 'mac', type: 'mac' },
  5: { name: 'addr', type: 'ip', multi: true },
  6: { name: 'inner', type: 'nested', schema: defineSchema('INNER', { 1: { name: 'kind', type: 'string' } }) },
  7: structField('pair', defineStruct('pair', [['a', 'u16'], ['_pad', 'pad2'], ['b', 'u32']] as const)),
});

describe('defineAttributes', () => {
  const value = { name: 'eth0', mtu: 1500, mac: '02:00:00:00:00:01', addr: ['10.0.0.1', 'fe80::1'], inner: { kind: 'veth' }, pair: { a: 1, b: 2 } };

  it('encodes in attribute-number order, the bytes of the number-keyed form', () => {
    const a = bytes((w) => ByName.encode(w, value));
    expect(a).toBe(bytes((w) => ByNumber.encode(w, value)));
    expect(ByName.decode(Buffer.from(a, 'hex'), 0, a.length / 2)).toEqual(value);
    expect(ByName.describe(2)).toBe('T[2] (mtu)');
  });

  it('takes addresses and MACs as bytes too (the same bytes as their text)', () => {
    const asBytes = { ...value, mac: Buffer.from('020000000001', 'hex'), addr: [Buffer.from([10, 0, 0, 1]), Buffer.from('fe800000000000000000000000000001', 'hex')] };
    expect(bytes((w) => ByName.encode(w, asBytes))).toBe(bytes((w) => ByName.encode(w, value)));
  });

  it('derives the decoded and the request types from the definitions', () => {
    expectTypeOf<AttrsOf<typeof ByName>['mtu']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<AttrsOf<typeof ByName>['addr']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<AttrsOf<typeof ByName>['pair']>().toEqualTypeOf<{ a: number; b: number } | undefined>();
    expectTypeOf<InputOf<typeof ByName>['mac']>().toEqualTypeOf<string | Uint8Array | undefined>();
    expectTypeOf<InputOf<typeof ByName>['inner']>().toEqualTypeOf<AttributesInputOf<typeof INNER> | undefined>();
    expectTypeOf<RouteAttributes['via']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<RouteAttributesInput['via']>().toEqualTypeOf<string | Uint8Array | undefined>();
  });

  it('refuses two fields with one attribute number, and a carried name that is not the key', () => {
    expect(() => defineAttributes('X', { a: { nla: 1, type: 'u8' }, b: { nla: 1, type: 'u16' } })).toThrow('X: a and b are both attribute 1');
    expect(() => defineAttributes('X', { a: { nla: 1, ...structField('b', Pair) } })).toThrow('X: field a carries the name b');
  });
});

describe('route attribute definitions', () => {
  it('lists every metric once: RTAX numbers come from the RTAX_* definitions', () => {
    for (const [name, n] of Object.entries(RTAX)) expect(RouteMetrics.typeOf(name)).toBe(n);
    expect(Object.keys(RTAX)).toHaveLength(16);
    expect(RouteMetrics.typeOf('lock')).toBe(1);
  });

  it('encodes RTA_VIA from the address bytes as from its text', () => {
    const gw = 'fe80::1';
    const text = bytes((w) => encodeRouteMessage(w, { family: 2 }, { via: gw }));
    const raw = bytes((w) => encodeRouteMessage(w, { family: 2 }, { via: Buffer.from('fe800000000000000000000000000001', 'hex') }));
    expect(raw).toBe(text);
    expect(text).toContain('1600' + '1200' + '0a00' + 'fe800000000000000000000000000001'); // 22 bytes, RTA_VIA: AF_INET6, the address
    expect(RouteAttrs.field(18)).toMatchObject({ name: 'via', decode: viaField.decode });
  });
});
