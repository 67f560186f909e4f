import { describe, expect, it } from 'vitest';
import { Ipv4Pool, macForIpv4 } from '../../src/index.js';

describe('Ipv4Pool (the bridge network IP allocator)', () => {
  it('hands out the lowest free address; released ones come back first', () => {
    const p = new Ipv4Pool('172.17.0.0/16');
    expect([p.size, p.firstAddress]).toEqual([65534, '172.17.0.1']);
    expect(p.reserve('172.17.0.1')).toBe('172.17.0.1');
    expect([p.allocate(), p.allocate(), p.allocate()]).toEqual(['172.17.0.2', '172.17.0.3', '172.17.0.4']);
    p.release('172.17.0.3');
    p.release('172.17.0.3'); // twice is harmless
    expect(p.allocate()).toBe('172.17.0.3');
    expect(p.allocate()).toBe('172.17.0.5');
    expect(p.contains('172.17.255.254')).toBe(true);
    expect(p.contains('172.17.255.255')).toBe(false);
    expect(p.reserve('172.17.255.254')).toBe('172.17.255.254');
  });

  it('fills a /30 and refuses the next with ENOSPC', () => {
    const p = new Ipv4Pool('10.0.0.4/30');
    expect([p.allocate(), p.allocate()]).toEqual(['10.0.0.5', '10.0.0.6']);
    expect(() => p.allocate()).toThrow(expect.objectContaining({ code: 'ENOSPC', message: 'no free address in 10.0.0.4/30: all 2 usable addresses are in use' }));
    p.release('10.0.0.5');
    expect(p.allocate()).toBe('10.0.0.5');
  });

  it('works at the top of the address space (unsigned arithmetic)', () => {
    const p = new Ipv4Pool('255.255.255.248/29');
    expect([p.size, p.firstAddress]).toEqual([6, '255.255.255.249']);
    expect(Array.from({ length: 6 }, () => p.allocate()).at(-1)).toBe('255.255.255.254');
  });

  it('refuses bad subnets and addresses, naming the field', () => {
    for (const s of ['10.0.0.1/24', '10.0.0.0/31', '10.0.0.0/32', '10.0.0.0/7', 'fd00::/64', '10.0.0.0', 'x/24', 42]) {
      expect(() => new Ipv4Pool(s as string)).toThrow(expect.objectContaining({ code: 'EINVAL', field: 'subnet' }));
    }
    const p = new Ipv4Pool('192.168.2.0/24');
    expect(() => p.reserve('192.168.2.0')).toThrow(/network address/);
    expect(() => p.reserve('192.168.2.255')).toThrow(/broadcast address/);
    expect(() => p.reserve('192.168.3.1')).toThrow(/not in 192.168.2.0\/24/);
    expect(() => p.reserve('192.168.2.1/24')).toThrow(/without a prefix length/);
    expect(() => p.reserve('fd00::1')).toThrow(expect.objectContaining({ field: 'ip' }));
    p.reserve('192.168.2.7');
    expect(() => p.reserve('192.168.2.7')).toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
  });

  it("derives Docker's MAC from an IPv4 address", () => {
    expect(macForIpv4('172.17.0.2')).toBe('02:42:ac:11:00:02');
    expect(macForIpv4('192.168.2.254')).toBe('02:42:c0:a8:02:fe');
  });
});
