/**
 * The code paths made fast for the bench (issue 7) do what the slow ones did: the
 * generated schema/struct codecs, the hand-written IPv4 parser and its text cache, the bulk
 * route calls (same request bytes as one call per route, validation before anything is
 * sent), BulkError and the writer's copy helper.
 */
import { describe, expect, it } from 'vitest';
import { BulkError, NetlinkError, Route, ValidationError } from '../../src/index.js';
import { defineSchema } from '../../src/netlink/attributes.js';
import { defineStruct } from '../../src/netlink/struct.js';
import { NlWriter } from '../../src/netlink/writer.js';
import { formatIp, formatIpAt, parseDestination, parseIp, tryParseIp } from '../../src/util/ip.js';
import { fakeNamespace } from '../helpers/fake-namespace.js';

describe('generated struct codec', () => {
  const S = defineStruct('s', [
    ['a', 'u8'],
    ['p', 'pad1'],
    ['b', 'u16'],
    ['c', 'u32'],
    ['d', 's32'],
    ['e', 'be16'],
    ['p2', 'pad2'],
    ['f', 'be32'],
    ['g', 'u64'],
  ] as const);

  it('round-trips extreme values with the same bytes as Buffer methods', () => {
    const v = { a: 255, b: 0xfffe, c: 0xfffffffe, d: -2, e: 0xabcd, f: 0x89abcdef, g: 2 ** 40 + 5 };
    const w = new NlWriter(8);
    w.u8(0xee); // not aligned: the struct starts at offset 1
    S.encode(w, v);
    const b = w.toBuffer();
    expect(b.length).toBe(1 + S.size);
    expect(b.readUInt8(1)).toBe(255);
    expect(b.readUInt8(2)).toBe(0); // padding
    expect(b.readUInt16LE(3)).toBe(0xfffe);
    expect(b.readUInt32LE(5)).toBe(0xfffffffe);
    expect(b.readInt32LE(9)).toBe(-2);
    expect(b.readUInt16BE(13)).toBe(0xabcd);
    expect(b.readUInt16LE(15)).toBe(0);
    expect(b.readUInt32BE(17)).toBe(0x89abcdef);
    expect(b.readBigUInt64LE(21)).toBe(BigInt(2 ** 40 + 5));
    expect(S.decode(b, 1)).toEqual(v);
  });

  it('writes missing fields as zero over old bytes, and refuses a short buffer', () => {
    const w = new NlWriter(64);
    w.zeros(S.size);
    w.buf.fill(0xff, 0, S.size);
    w.offset = 0;
    S.encode(w, { c: 1 });
    expect(S.decode(w.toBuffer(), 0)).toEqual({ a: 0, b: 0, c: 1, d: 0, e: 0, f: 0, g: 0 });
    expect(() => S.decode(Buffer.alloc(S.size - 1), 0)).toThrow(/s needs 28 bytes, 27 left/);
  });
});

describe('generated schema codec', () => {
  const Inner = defineSchema('IN', { 1: { name: 'x', type: 'u32' } });
  const A = defineSchema('T', {
    1: { name: 'u', type: 'u32' },
    2: { name: 's', type: 's32' },
    3: { name: 'addr', type: 'ip' },
    4: { name: 'name', type: 'string' },
    5: { name: 'many', type: 'u16', multi: true },
    6: { name: 'nest', type: 'nested', schema: Inner },
    7: { name: 'big', type: 'be32' },
    8: { name: 'mac', type: 'mac' },
    9: { name: 'on', type: 'flag' },
  });

  it('round-trips every kind, keeps unknown attributes with their flags, multi values in order', () => {
    const w = new NlWriter(64);
    A.encode(w, { u: 0xffffffff, s: -7, addr: '10.1.2.3', name: 'eth0', many: [1, 2, 3], nest: { x: 9 }, big: 0xf0000001, mac: '02:00:00:00:00:01', on: true });
    w.attr(30 | 0x8000, Buffer.from([1, 2]));
    const d = A.decode(w.buf, 0, w.offset);
    expect(d).toEqual({
      u: 0xffffffff,
      s: -7,
      addr: '10.1.2.3',
      name: 'eth0',
      many: [1, 2, 3],
      nest: { x: 9 },
      big: 0xf0000001,
      mac: '02:00:00:00:00:01',
      on: true,
      unknown: [{ type: 30, flags: 0x8000, data: Buffer.from([1, 2]) }],
    });
  });

  it('takes addresses as bytes too, and writes fields in schema order whatever the object order', () => {
    const a = new NlWriter(64);
    A.encode(a, { addr: parseIp('10.9.8.7') as unknown as string, mac: Buffer.from([2, 0, 0, 0, 0, 9]) as unknown as string, u: 1 });
    const b = new NlWriter(64);
    A.encode(b, { u: 1, addr: '10.9.8.7', mac: '02:00:00:00:00:09' });
    expect(a.toBuffer()).toEqual(b.toBuffer());
  });

  it('refuses short scalars, bad addresses and overruns with a ParseError at the right offset', () => {
    const short = Buffer.from([6, 0, 1, 0, 1, 2, 0, 0]); // u32 with 2 bytes
    expect(() => A.decode(short, 0, 8)).toThrow(/attribute u has 2 bytes, needs 4/);
    const badIp = Buffer.from([7, 0, 3, 0, 1, 2, 3, 0]);
    expect(() => A.decode(badIp, 0, 8)).toThrow(/attribute addr has 3 bytes, an address needs 4 or 16/);
    const over = Buffer.from([12, 0, 1, 0, 1, 2, 3, 4]);
    expect(() => A.decode(over, 0, 8)).toThrow(/runs past its parent/);
    expect(() => A.decode(over, 0, 9)).toThrow(/past the buffer/);
  });
});

describe('IPv4 parsing and formatting', () => {
  it('parses like the strict grammar: no leading zeros, 0-255, four parts', () => {
    for (const s of ['0.0.0.0', '255.255.255.255', '10.0.0.1', '1.20.100.249']) expect(formatIp(parseIp(s))).toBe(s);
    for (const s of ['00.1.1.1', '1.1.1.01', '256.1.1.1', '1.1.1', '1.1.1.1.', '.1.1.1.1', '1..1.1', '1.1.1.1 ', '+1.1.1.1', '1.1.1.a', '1.1.1.1/8'])
      expect(tryParseIp(s)).toBeUndefined();
  });

  it('formats from a buffer position, the cache never mixing addresses up', () => {
    const b = Buffer.alloc(4 * 600);
    for (let i = 0; i < 600; i++) b.writeUInt32BE((0x0a000000 + i * 7919) >>> 0, i * 4);
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 600; i++) expect(formatIpAt(b, i * 4, i * 4 + 4)).toBe(formatIp(b.subarray(i * 4, i * 4 + 4)));
    const v6 = parseIp('2001:db8::1');
    expect(formatIpAt(Buffer.concat([Buffer.alloc(3), v6]), 3, 19)).toBe('2001:db8::1');
  });

  it('checks destinations as before: host bits, prefix lengths, default', () => {
    expect(parseDestination('10.1.0.0/16')).toMatchObject({ prefixLength: 16, family: 4 });
    expect(parseDestination('default')).toEqual({ bytes: undefined, prefixLength: 0, family: undefined });
    expect(() => parseDestination('10.1.0.1/16')).toThrow(/host bits are set; the network is 10.1.0.0\/16/);
    expect(() => parseDestination('10.1.0.0/33')).toThrow(/prefix length must be 0..32/);
    expect(() => parseDestination(7)).toThrow(ValidationError);
  });
});

describe('NlWriter.bytesFrom', () => {
  it('copies a range without a view', () => {
    const w = new NlWriter(2);
    w.bytesFrom(Buffer.from([1, 2, 3, 4, 5, 6]), 1, 5);
    expect(w.toBuffer()).toEqual(Buffer.from([2, 3, 4, 5]));
  });
});

describe('Route.addMany / removeMany', () => {
  const routes = [
    { to: '10.1.0.0/16', via: '10.0.0.2', dev: 3 },
    { to: '10.2.0.0/16', dev: 3, metric: 5 },
    { to: 'fd00:1::/64', via: 'fd00::2', dev: 3, table: 100 },
  ];

  it('sends the same requests as one Route.add / Route.remove per route', async () => {
    const one = fakeNamespace();
    for (const r of routes) await Route.add(one, r);
    for (const r of routes) await Route.remove(one, r);
    const many = fakeNamespace();
    await Route.addMany(many, routes);
    await Route.removeMany(many, routes);
    expect(many.sent.map((s) => [s.type, s.flags, s.body.toString('hex')])).toEqual(one.sent.map((s) => [s.type, s.flags, s.body.toString('hex')]));
  });

  it('validates every route before sending anything, naming routes[i].field', async () => {
    const ns = fakeNamespace();
    const err = await Route.addMany(ns, [...routes, { to: '10.3.0.1/16' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe('routes[3].to');
    expect((err as Error).message).toMatch(/^invalid routes\[3\]\.to "10.3.0.1\/16": host bits are set/);
    expect(ns.sent).toHaveLength(0);
    await expect(Route.addMany(ns, 'nope' as never)).rejects.toThrow(/expected an array of routes/);
    await expect(Route.addMany(ns, [])).resolves.toBeUndefined();
  });
});

describe('BulkError', () => {
  it('takes the first failure code and lists the failures', () => {
    const e1 = new NetlinkError({ errno: 17, operation: 'add route', object: '10.1.0.0/16 in ns1' });
    const e = new BulkError('add routes in ns1', 10, [
      { index: 4, error: e1 },
      { index: 7, error: new NetlinkError({ errno: 3, operation: 'add route', object: 'x' }) },
    ]);
    expect(e.code).toBe('EEXIST');
    expect(e.errno).toBe(17);
    expect(e.total).toBe(10);
    expect(e.failures.map((f) => f.index)).toEqual([4, 7]);
    expect(e.message).toBe('add routes in ns1: 2 of 10 failed (first, #4: add route 10.1.0.0/16 in ns1: file already exists (EEXIST))');
  });
});
