import { describe, expect, it } from 'vitest';
import { AddressRange, bigToIp, DEFAULT_ADDRESS_POOLS, formatPrefix, ipToBig, overlaps, parsePrefix, poolCandidates } from '../../src/api/network/pool.js';
import { buildReply, parseQuestion } from '../../src/api/network/dns.js';
import { PoolOverlapError } from '../../src/api/network/errors.js';

describe('network address pools', () => {
  it("Docker's default pools in order: 172.17..172.31 /16, then 192.168.0.0/16 as /20s", () => {
    const all = [...poolCandidates(DEFAULT_ADDRESS_POOLS)].map(formatPrefix);
    expect(all.slice(0, 3)).toEqual(['172.17.0.0/16', '172.18.0.0/16', '172.19.0.0/16']);
    expect(all[14]).toBe('172.31.0.0/16');
    expect(all.slice(15, 17)).toEqual(['192.168.0.0/20', '192.168.16.0/20']);
    expect(all.at(-1)).toBe('192.168.240.0/20');
    expect(all).toHaveLength(15 + 16);
  });

  it('prefixes: parse (no host bits), overlap, both families', () => {
    expect(() => parsePrefix('10.0.0.1/24', 'subnet')).toThrow(/host bits are set: the network is 10.0.0.0\/24/);
    expect(overlaps(parsePrefix('10.0.0.0/8', 'a'), parsePrefix('10.200.0.0/16', 'b'))).toBe(true);
    expect(overlaps(parsePrefix('10.0.0.0/24', 'a'), parsePrefix('10.0.1.0/24', 'b'))).toBe(false);
    expect(overlaps(parsePrefix('fd00::/64', 'a'), parsePrefix('fd00::/48', 'b'))).toBe(true);
    expect(overlaps(parsePrefix('10.0.0.0/8', 'a'), parsePrefix('fd00::/8', 'b'))).toBe(false);
    expect(bigToIp(ipToBig('fd00:1::ff').n + 1n, 6)).toBe('fd00:1::100');
  });

  it('allocates lowest-free in the range, never the network or IPv4 broadcast address', () => {
    const r = new AddressRange(parsePrefix('10.0.0.0/29', 's'));
    expect(r.size).toBe(6n);
    const used = new Set<bigint>([ipToBig('10.0.0.1').n]);
    const got: string[] = [];
    for (let n = r.next(used); n !== undefined; n = r.next(used)) {
      used.add(n);
      got.push(bigToIp(n, 4));
    }
    expect(got).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
    const sub = new AddressRange(parsePrefix('10.0.0.0/24', 's'), parsePrefix('10.0.0.128/25', 'r'));
    expect(bigToIp(sub.next(new Set())!, 4)).toBe('10.0.0.128');
    expect(sub.size).toBe(127n); // .255 is the broadcast
    const v6 = new AddressRange(parsePrefix('fd00::/64', 's'));
    expect(bigToIp(v6.next(new Set([ipToBig('fd00::1').n]))!, 6)).toBe('fd00::2');
  });

  it('PoolOverlapError carries Docker\'s message and both subnets', () => {
    const e = new PoolOverlapError('10.0.0.0/24', '10.0.0.0/16', 'network a');
    expect(e).toMatchObject({ code: 'EADDRINUSE', subnet: '10.0.0.0/24', conflict: '10.0.0.0/16' });
    expect(e.message).toBe('Pool overlaps with other one on this address space: 10.0.0.0/24 overlaps 10.0.0.0/16 (network a)');
  });
});

describe('embedded DNS messages', () => {
  const q = Buffer.from('abcd01000001000000000000' + '03776562' + '00' + '0001' + '0001', 'hex'); // id abcd, RD, "web" A IN
  it('reads the question and writes an authoritative answer with the query id, RD copied, RA set', () => {
    expect(parseQuestion(q)).toEqual({ name: 'web', type: 1, klass: 1, end: q.length });
    const r = buildReply(q, q.length, 0, 1, [Buffer.from([10, 0, 0, 2])], 600);
    expect(r.subarray(0, 12).toString('hex')).toBe('abcd858000010001' + '00000000');
    expect(r.subarray(q.length).toString('hex')).toBe('c00c' + '0001' + '0001' + '00000258' + '0004' + '0a000002');
  });
  it('refuses malformed questions (truncated, compressed, two questions)', () => {
    expect(parseQuestion(q.subarray(0, 14))).toBeUndefined();
    expect(parseQuestion(Buffer.concat([q.subarray(0, 12), Buffer.from('c00c00010001', 'hex')]))).toBeUndefined();
    const two = Buffer.from(q);
    two.writeUInt16BE(2, 4);
    expect(parseQuestion(two)).toBeUndefined();
  });
});
