import { describe, expect, it } from 'vitest';
import { parseArgs, parseSelectors, takeOption, UsageError } from '../../src/cli/args.js';
import { ipLinkFlags, ipPrefix, linkTypeName } from '../../src/cli/ip-json.js';
import { table } from '../../src/cli/table.js';

describe('netns-kit command line parsing', () => {
  it('global options anywhere, ip abbreviations for commands', () => {
    expect(parseArgs(['-n', 'blue', 'a', 'show', 'dev', 'eth0', '--json'])).toEqual({
      options: { netns: 'blue', json: true, pretty: false, family: undefined, help: false, version: false },
      command: 'addr',
      commandWord: 'a',
      args: ['show', 'dev', 'eth0'],
    });
    expect(parseArgs(['r', '-6', '-j', '-p']).options).toMatchObject({ family: 6, json: true, pretty: true });
    expect(parseArgs(['--netns=x', 'neighbour']).command).toBe('neigh');
    expect(parseArgs(['mon', '--count', '3']).args).toEqual(['--count', '3']);
    expect(parseArgs(['link', '--help']).options.help).toBe(true);
  });

  it('bad input is a UsageError', () => {
    expect(() => parseArgs(['frobnicate'])).toThrow(UsageError);
    expect(() => parseArgs(['--what'])).toThrow(/unknown option "--what"/);
    expect(() => parseArgs(['link', '-n'])).toThrow(/-n needs a namespace name/);
    expect(() => parseSelectors('link', ['show', 'eth0', 'eth1'], ['dev'], true)).toThrow(/unexpected argument "eth1"/);
    expect(() => parseSelectors('route', ['table'], ['table'], false)).toThrow(/"table" needs a value/);
    expect(() => parseSelectors('route', ['dev', 'a', 'dev', 'b'], ['dev'], false)).toThrow(/given twice/);
  });

  it('selectors and options', () => {
    expect(parseSelectors('link', ['show', 'eth0', 'type', 'veth'], ['dev', 'type'], true)).toEqual({ dev: 'eth0', type: 'veth' });
    const args = ['--prefix=x-', 'rest'];
    expect(takeOption(args, '--prefix', true, 'demo')).toBe('x-');
    expect(args).toEqual(['rest']);
    expect(takeOption(['--keep'], '--keep', false, 'demo')).toBe(true);
  });

  it('ip formatting details: flags, prefixes, link types, tables', () => {
    expect(ipLinkFlags(0x1 | 0x2 | 0x1000 | 0x40 | 0x10000, false)).toEqual(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
    expect(ipLinkFlags(0x1 | 0x2 | 0x1000, true)).toEqual(['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP', 'M-DOWN']);
    expect([ipPrefix('10.0.0.5/32'), ipPrefix('fd00::1/128'), ipPrefix('10.0.0.0/24'), ipPrefix('default')]).toEqual(['10.0.0.5', 'fd00::1', '10.0.0.0/24', 'default']);
    expect([linkTypeName(1), linkTypeName(772), linkTypeName(65534), linkTypeName(4242)]).toEqual(['ether', 'loopback', 'none', '[4242]']);
    expect(table([['A', 'LONGER'], ['xx', undefined]])).toEqual(['  A   LONGER', '  ──  ──────', '  xx  -']);
  });
});
