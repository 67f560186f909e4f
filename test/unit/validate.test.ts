import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { formatIp, parseCidr, parseIp, parseMac, tryParseIp } from '../../src/util/ip.js';
import { validateIfname, validateNamespaceName, validateOptions } from '../../src/util/validate.js';

describe('interface names', () => {
  it.each(['eth0', 'veth-a.1', 'a'.repeat(15), 'ns3-bridge'])('accepts %j', (n) => {
    expect(validateIfname(n)).toBe(n);
  });
  it.each([
    ['', /empty/],
    ['a'.repeat(16), /at most 15 bytes/],
    ['ééééééééé', /at most 15 bytes/],
    ['a/b', /cannot contain/],
    ['a b', /cannot contain/],
    ['a:b', /cannot contain/],
    ['.', /"\." or "\.\."/],
    ['..', /"\." or "\.\."/],
    ['tab\there', /cannot contain/],
    [42, /must be a string/],
  ])('refuses %j', (n, msg) => {
    expect(() => validateIfname(n as string)).toThrow(ValidationError);
    expect(() => validateIfname(n as string)).toThrow(msg);
  });
  it('names the field and uses code EINVAL', () => {
    try {
      validateIfname('x'.repeat(20), 'peer.name');
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).code).toBe('EINVAL');
      expect((e as ValidationError).field).toBe('peer.name');
      expect((e as Error).message).toMatch(/^invalid peer\.name/);
    }
  });
});

describe('namespace names', () => {
  it.each(['blue', 'ns-1', 'a.b', 'x'.repeat(255)])('accepts %j', (n) => {
    expect(validateNamespaceName(n)).toBe(n);
  });
  it.each(['', '.', '..', '../../etc', 'a/b', '/abs', 'nul\0x', 'x'.repeat(256), 'line\nbreak'])('refuses %j', (n) => {
    expect(() => validateNamespaceName(n)).toThrow(ValidationError);
  });
});

describe('IP addresses', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::1', 'fe80::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:DB8::', '2001:db8::'],
    ['::ffff:10.1.2.3', '::ffff:10.1.2.3'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ])('parses %j and formats it as %j', (s, f) => {
    expect(formatIp(parseIp(s))).toBe(f);
  });
  it.each(['10.0.0.300', '10.0.0', '10.0.0.1.2', '01.2.3.4', '1:2:3:4:5:6:7:8:9', '1::2::3', ':::', 'fe80::1%eth0', 'g::1', '', '12345::1'])(
    'refuses %j',
    (s) => {
      expect(tryParseIp(s)).toBeUndefined();
      expect(() => parseIp(s)).toThrow(ValidationError);
    },
  );
});

describe('CIDRs', () => {
  it('parses IPv4 and IPv6 prefixes', () => {
    expect(parseCidr('10.0.0.1/24')).toEqual({ address: '10.0.0.1', prefixLength: 24, family: 4 });
    expect(parseCidr('2001:db8::1/64')).toEqual({ address: '2001:db8::1', prefixLength: 64, family: 6 });
    expect(parseCidr('10.0.0.1')).toEqual({ address: '10.0.0.1', prefixLength: 32, family: 4 });
  });
  it.each(['10.0.0.300/24', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/2a', 'x/24', 5])('refuses %j', (s) => {
    expect(() => parseCidr(s as string)).toThrow(ValidationError);
  });
  it('can require a prefix length', () => {
    expect(() => parseCidr('10.0.0.1', 'address', { requirePrefix: true })).toThrow(/prefix length is required/);
  });
});

describe('MAC addresses', () => {
  it('parses and refuses', () => {
    expect(parseMac('02:42:AC:11:00:02').toString('hex')).toBe('0242ac110002');
    for (const bad of ['02:42:ac:11:00', '02:42:ac:11:00:02:03', 'zz:42:ac:11:00:02', '0242ac110002', '']) {
      expect(() => parseMac(bad)).toThrow(ValidationError);
    }
  });
});

describe('options objects', () => {
  it('refuses unknown keys, naming them', () => {
    expect(() => validateOptions({ nmae: 'x' }, ['name'])).toThrow(/options\.nmae.*unknown option/);
    expect(() => validateOptions('x', ['name'])).toThrow(ValidationError);
    expect(validateOptions(undefined, ['name'])).toEqual({});
  });
});
