import { describe, expect, it } from 'vitest';
import { defineSchema, forEachAttr } from '../../src/netlink/attributes.js';
import { defineStruct } from '../../src/netlink/struct.js';
import { NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSG_DONE, NLMSG_ERROR } from '../../src/netlink/constants.js';
import { parseDone, parseError, parseMessages } from '../../src/netlink/message.js';
import { NlWriter } from '../../src/netlink/writer.js';
import { ParseError } from '../../src/errors.js';
import { decodeLinkMessage, encodeLinkMessage } from '../../src/rtnetlink/link.js';

const hex = (b: Buffer): string => b.toString('hex');

const Inner = defineSchema('INNER', {
  1: { name: 'kind', type: 'string' },
  2: { name: 'port', type: 'be16' },
});
const Outer = defineSchema('OUTER', {
  1: { name: 'name', type: 'string' },
  2: { name: 'mtu', type: 'u32' },
  3: { name: 'flag', type: 'flag' },
  4: { name: 'mac', type: 'mac' },
  5: { name: 'addr', type: 'ip', multi: true },
  6: { name: 'inner', type: 'nested', schema: Inner },
  7: { name: 'small', type: 'u8' },
  8: { name: 'big', type: 'u64' },
  9: { name: 'signed', type: 's32' },
});

describe('NlWriter', () => {
  it('writes a message header with length, type, flags, seq, pid (golden bytes)', () => {
    const w = new NlWriter(8);
    const s = w.beginMessage(18, 0x301, 7, 0);
    w.u8(0).u8(0).u16(0).s32(0).u32(0).u32(0); // ifinfomsg
    w.endMessage(s);
    expect(hex(w.toBuffer())).toBe(
      '20000000' + '1200' + '0103' + '07000000' + '00000000' + '00'.repeat(16),
    );
  });

  it('pads attributes to 4 bytes and keeps nla_len unpadded (golden bytes)', () => {
    const w = new NlWriter(4);
    w.attrString(3, 'eth0'); // 4 hdr + 5 bytes "eth0\0" → len 9, padded to 12
    w.attrU8(7, 0xab); // len 5, padded to 8
    w.attrU32(4, 1500);
    expect(hex(w.toBuffer())).toBe(
      '0900' + '0300' + '6574683000' + '000000' + '0500' + '0700' + 'ab000000' + '0800' + '0400' + 'dc050000',
    );
  });

  it('writes nested attributes with the total length backpatched', () => {
    const w = new NlWriter(4);
    const n = w.beginNested(18);
    w.attrString(1, 'veth');
    w.endNested(n);
    // outer: len 4 + inner(4+5 → 9, padded 12) = 16
    expect(hex(w.toBuffer())).toBe('1000' + '1200' + '0900' + '0100' + '7665746800' + '000000');
  });

  it('sets NLA_F_NESTED only when asked and NLA_F_NET_BYTEORDER for big-endian helpers', () => {
    const w = new NlWriter(4);
    const n = w.beginNested(5, true);
    w.endNested(n);
    w.attrBe16(2, 4789);
    const b = w.toBuffer();
    expect(b.readUInt16LE(2)).toBe(0x8005);
    expect(b.readUInt16LE(6)).toBe(0x4002);
    expect(b.readUInt16BE(8)).toBe(4789);
  });
});

describe('Schema', () => {
  const sample = {
    name: 'br0',
    mtu: 9000,
    flag: true,
    mac: '02:42:ac:11:00:02',
    addr: ['10.0.0.1', 'fe80::1'],
    inner: { kind: 'vxlan', port: 4789 },
    small: 3,
    big: 2 ** 40 + 5,
    signed: -2,
  };

  it('round-trips every field type', () => {
    const w = new NlWriter(16);
    Outer.encode(w, sample);
    const buf = w.toBuffer();
    expect(Outer.decode(buf, 0, buf.length)).toEqual(sample);
  });

  it('keeps unknown attributes raw and writes them back unchanged', () => {
    const w = new NlWriter(16);
    w.attrString(1, 'x');
    w.attr(99, Buffer.from([1, 2, 3]));
    const n = w.beginNested(100, true);
    w.attrU32(1, 5);
    w.endNested(n);
    const buf = w.toBuffer();
    const d = Outer.decode(buf, 0, buf.length);
    expect(d.name).toBe('x');
    expect(d.unknown?.map((u) => [u.type, u.flags, hex(u.data)])).toEqual([
      [99, 0, '010203'],
      [100, 0x8000, '0800010005000000'],
    ]);
    const w2 = new NlWriter(16);
    Outer.encode(w2, d);
    expect(hex(w2.toBuffer())).toBe(hex(buf));
  });

  it('rejects an attribute running past its parent', () => {
    const w = new NlWriter(16);
    w.attrU32(2, 1);
    const buf = w.toBuffer();
    buf.writeUInt16LE(12, 0); // claims 12 bytes, only 8 exist
    expect(() => Outer.decode(buf, 0, buf.length)).toThrow(ParseError);
    expect(() => Outer.decode(buf, 0, buf.length)).toThrow(/runs past its parent/);
  });

  it('rejects attribute lengths below the header, and too-short scalars', () => {
    const zero = Buffer.from('00000100', 'hex');
    expect(() => Outer.decode(zero, 0, 4)).toThrow(/below the 4-byte header/);
    const short = Buffer.from('0600020001000000', 'hex'); // u32 with 2 bytes
    expect(() => Outer.decode(short, 0, 8)).toThrow(/needs 4/);
  });

  it('rejects a nested attribute whose children point outside it', () => {
    const w = new NlWriter(16);
    const n = w.beginNested(6);
    w.attrString(1, 'abc');
    w.endNested(n);
    const buf = w.toBuffer();
    buf.writeUInt16LE(40, 4); // inner attribute claims 40 bytes
    expect(() => Outer.decode(buf, 0, buf.length)).toThrow(ParseError);
  });

  it('accepts zero-length attributes for flags and strings, ignores < 4 trailing bytes', () => {
    const buf = Buffer.from('04000300' + '04000100' + '0000', 'hex');
    expect(Outer.decode(buf, 0, buf.length)).toEqual({ flag: true, name: '' });
  });

  it('rejects an end beyond the buffer', () => {
    expect(() => Outer.decode(Buffer.alloc(4), 0, 8)).toThrow(ParseError);
  });

  it('names attribute types for error messages', () => {
    expect(Outer.describe(2)).toBe('OUTER[2] (mtu)');
    expect(Outer.describe(55)).toBe('OUTER[55]');
    expect(Outer.typeOf('inner')).toBe(6);
  });
});

describe('Struct', () => {
  const S = defineStruct('s', [
    ['a', 'u8'],
    ['_p', 'pad1'],
    ['b', 'u16'],
    ['c', 's32'],
    ['d', 'be16'],
    ['_q', 'pad2'],
  ] as const);
  it('encodes and decodes with padding (golden bytes)', () => {
    const w = new NlWriter(4);
    S.encode(w, { a: 1, b: 0x203, c: -1, d: 4789 });
    expect(S.size).toBe(12);
    expect(hex(w.toBuffer())).toBe('01000302' + 'ffffffff' + '12b50000');
    expect(S.decode(w.toBuffer(), 0)).toEqual({ a: 1, b: 0x203, c: -1, d: 4789 });
  });
  it('refuses to read past the end', () => {
    expect(() => S.decode(Buffer.alloc(11), 0)).toThrow(/needs 12 bytes/);
  });
});

describe('message framing', () => {
  function msg(type: number, flags: number, seq: number, payload: Buffer): Buffer {
    const w = new NlWriter(16);
    const s = w.beginMessage(type, flags, seq);
    w.bytes(payload);
    w.endMessage(s);
    return w.toBuffer();
  }

  it('splits concatenated messages and skips zero padding', () => {
    const a = msg(16, 2, 1, Buffer.from([1, 2, 3]));
    const b = msg(NLMSG_DONE, 2, 1, Buffer.alloc(4));
    const all = Buffer.concat([a, b, Buffer.alloc(16)]);
    const ms = parseMessages(all);
    expect(ms.map((m) => [m.type, m.seq, m.end - m.start])).toEqual([
      [16, 1, 3],
      [NLMSG_DONE, 1, 4],
    ]);
  });

  it('rejects truncated and undersized messages', () => {
    const a = msg(16, 0, 1, Buffer.alloc(8));
    expect(() => parseMessages(a.subarray(0, 20))).toThrow(/runs past/);
    const bad = Buffer.from(a);
    bad.writeUInt32LE(8, 0);
    expect(() => parseMessages(bad)).toThrow(/below the 16-byte header/);
  });

  it('parses NLMSG_ERROR with extended ACK (capped) — message, offset, missing type', () => {
    const w = new NlWriter(64);
    const s = w.beginMessage(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 9);
    w.s32(-95);
    // original header (capped: header only)
    w.u32(40).u16(16).u16(0x605).u32(9).u32(0);
    w.attrString(1, 'Unknown device type');
    w.attrU32(2, 36);
    w.attrU32(5, 3);
    w.endMessage(s);
    const [m] = parseMessages(w.toBuffer());
    const ack = parseError(m!);
    expect(ack).toEqual({ errno: 95, requestType: 16, extAck: { message: 'Unknown device type', offset: 36, missingType: 3 } });
  });

  it('parses an uncapped NLMSG_ERROR (original payload echoed) and a plain ACK', () => {
    const w = new NlWriter(64);
    const s = w.beginMessage(NLMSG_ERROR, NLM_F_ACK_TLVS, 3);
    w.s32(-17);
    w.u32(20).u16(20).u16(5).u32(3).u32(0).u32(0xdeadbeef);
    w.attrString(1, 'exists');
    w.endMessage(s);
    expect(parseError(parseMessages(w.toBuffer())[0]!)).toMatchObject({ errno: 17, extAck: { message: 'exists' } });
    const ok = msg(NLMSG_ERROR, NLM_F_CAPPED, 3, Buffer.concat([Buffer.alloc(4), Buffer.alloc(16)]));
    expect(parseError(parseMessages(ok)[0]!).errno).toBe(0);
  });

  it('rejects an NLMSG_ERROR too short for struct nlmsgerr', () => {
    const m = parseMessages(msg(NLMSG_ERROR, 0, 1, Buffer.alloc(8)))[0]!;
    expect(() => parseError(m)).toThrow(ParseError);
  });

  it('parses NLMSG_DONE with and without an error', () => {
    const d0 = parseMessages(msg(NLMSG_DONE, 2, 1, Buffer.alloc(4)))[0]!;
    expect(parseDone(d0).errno).toBe(0);
    const e = Buffer.alloc(4);
    e.writeInt32LE(-22);
    expect(parseDone(parseMessages(msg(NLMSG_DONE, 2, 1, e))[0]!).errno).toBe(22);
  });

  it('forEachAttr walks attributes with bounds checks', () => {
    const w = new NlWriter(8);
    w.attrU32(1, 1).attrU32(2, 2);
    const seen: number[] = [];
    forEachAttr(w.toBuffer(), 0, w.offset, (t) => seen.push(t));
    expect(seen).toEqual([1, 2]);
  });
});

describe('link family codec', () => {
  it('round-trips ifinfomsg + IFLA attributes', () => {
    const w = new NlWriter(64);
    encodeLinkMessage(w, { family: 0, index: 5, flags: 0x1003, change: 0 }, { ifname: 'veth0', mtu: 1500, address: 'aa:bb:cc:dd:ee:ff', linkinfo: { kind: 'veth' } });
    const b = w.toBuffer();
    const d = decodeLinkMessage({ type: 16, flags: 0, seq: 0, pid: 0, buf: b, start: 0, end: b.length });
    expect(d.header).toEqual({ family: 0, type: 0, index: 5, flags: 0x1003, change: 0 });
    expect(d.attrs).toEqual({ ifname: 'veth0', mtu: 1500, address: 'aa:bb:cc:dd:ee:ff', linkinfo: { kind: 'veth' } });
  });
});
