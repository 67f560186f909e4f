/**
 * The CNI plugin's pieces that need no privileges: results in each spec version, chaining,
 * configuration and environment validation with the spec's error codes, and host-local IPAM
 * on a temporary data directory (files, round robin, exhaustion, requested addresses, GC).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConf, readEnv } from '../../src/cni/config.js';
import { HostLocal } from '../../src/cni/ipam/host-local.js';
import { CniError, formatResult, mergeResults, parseResult, type CniResult } from '../../src/cni/spec.js';

const env = (extra: Record<string, string> = {}): ReturnType<typeof readEnv> =>
  readEnv({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/run/netns/x', CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni', ...extra });

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof CniError ? e.code : -1;
  }
  return undefined;
}

const result: CniResult = {
  cniVersion: '1.1.0',
  interfaces: [{ name: 'cni0', mac: '02:00:00:00:00:01' }, { name: 'veth1', mac: '02:00:00:00:00:02' }, { name: 'eth0', mac: '02:00:00:00:00:03', sandbox: '/run/netns/x' }],
  ips: [{ interface: 2, address: '10.1.0.2/24', gateway: '10.1.0.1' }, { interface: 2, address: 'fd00::2/64', gateway: 'fd00::1' }],
  routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.1', priority: 100 }],
};

describe('CNI results', () => {
  it('are written in the requested version', () => {
    expect(formatResult(result, '1.1.0').routes).toEqual([{ dst: '0.0.0.0/0', gw: '10.1.0.1', priority: 100 }]);
    expect(formatResult(result, '1.0.0').routes).toEqual([{ dst: '0.0.0.0/0', gw: '10.1.0.1' }]);
    expect((formatResult(result, '0.4.0').ips as unknown[])[1]).toEqual({ version: '6', interface: 2, address: 'fd00::2/64', gateway: 'fd00::1' });
    expect(formatResult(result, '0.2.0')).toEqual({
      cniVersion: '0.2.0',
      ip4: { ip: '10.1.0.2/24', gateway: '10.1.0.1', routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.1' }] },
      ip6: { ip: 'fd00::2/64', gateway: 'fd00::1' },
      dns: {},
    });
    // read back from any version
    expect(parseResult(formatResult(result, '0.4.0')).ips).toEqual(result.ips);
    expect(parseResult(formatResult(result, '0.2.0')).ips).toEqual([{ address: '10.1.0.2/24', gateway: '10.1.0.1' }, { address: 'fd00::2/64', gateway: 'fd00::1' }]);
  });

  it('are appended to a previous result in a chain, interface indexes shifted', () => {
    const prev: CniResult = { cniVersion: '1.0.0', interfaces: [{ name: 'lo', sandbox: '/run/netns/x' }], ips: [{ interface: 0, address: '127.0.0.1/8' }], dns: { nameservers: ['10.0.0.53'] } };
    const m = mergeResults(prev, result);
    expect(m.interfaces!.map((i) => i.name)).toEqual(['lo', 'cni0', 'veth1', 'eth0']);
    expect(m.ips!.map((i) => i.interface)).toEqual([0, 3, 3]);
    expect(m.dns).toEqual({ nameservers: ['10.0.0.53'] });
  });
});

describe('CNI configuration and environment', () => {
  const base = { cniVersion: '1.0.0', name: 'n', type: 'netns-kit-bridge', ipam: { type: 'host-local', subnet: '10.1.0.0/24' } };
  it('refuse with the spec codes', () => {
    expect(codeOf(() => readEnv({ CNI_COMMAND: 'ADD' }))).toBe(4);
    expect(codeOf(() => readEnv({ CNI_COMMAND: 'NOPE' }))).toBe(4);
    expect(codeOf(() => env({ CNI_IFNAME: 'a/b' }))).toBe(4);
    expect(codeOf(() => env({ CNI_CONTAINERID: '-x' }))).toBe(4);
    expect(codeOf(() => parseConf('{', env()))).toBe(6);
    expect(codeOf(() => parseConf(JSON.stringify({ ...base, cniVersion: '2.0.0' }), env()))).toBe(1);
    expect(codeOf(() => parseConf(JSON.stringify({ ...base, name: undefined }), env()))).toBe(7);
    expect(codeOf(() => parseConf(JSON.stringify({ ...base, vlan: 3 }), env()))).toBe(2);
    expect(codeOf(() => parseConf(JSON.stringify({ ...base, mtu: 20 }), env()))).toBe(7);
    expect(codeOf(() => parseConf(JSON.stringify({ ...base, runtimeConfig: { mac: 'zz' } }), env()))).toBe(7);
    expect(codeOf(() => parseConf(JSON.stringify({ ...base, runtimeConfig: { portMappings: [{ hostPort: 0, containerPort: 80 }] } }), env()))).toBe(7);
    expect(codeOf(() => parseConf(JSON.stringify({ ...base, ipam: { type: 'host-local' } }), env()))).toBe(7);
  });

  it('reads defaults, the old subnet form, and ips/mac from CNI_ARGS, args and runtimeConfig (the last wins)', () => {
    const c = parseConf(JSON.stringify({ ...base, cniVersion: undefined, isDefaultGateway: true }), env({ CNI_ARGS: 'IP=10.1.0.9;MAC=02:00:00:00:00:09' }));
    expect([c.cniVersion, c.bridge, c.isGateway, c.ips, c.mac]).toEqual(['0.1.0', 'cni0', true, ['10.1.0.9'], '02:00:00:00:00:09']);
    expect(c.ipam!.ranges).toEqual([[{ subnet: '10.1.0.0/24' }]]);
    const d = parseConf(JSON.stringify({ ...base, args: { cni: { ips: ['10.1.0.7'] } }, runtimeConfig: { ips: ['10.1.0.8/24'], mac: '02:00:00:00:00:08' } }), env({ CNI_ARGS: 'IP=10.1.0.9' }));
    expect([d.ips, d.mac]).toEqual([['10.1.0.8'], '02:00:00:00:00:08']);
  });
});

describe('host-local IPAM (in-process, host-local files)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const make = (ranges: unknown[][]): { hl: HostLocal; dir: string } => {
    const dir = mkdtempSync(join(tmpdir(), 'nk-cni-unit-'));
    dirs.push(dir);
    const conf = parseConf(JSON.stringify({ cniVersion: '1.0.0', name: 'net', type: 'x', ipam: { type: 'host-local', ranges, dataDir: dir } }), env());
    return { hl: new HostLocal(conf.ipam!, 'net'), dir };
  };

  it('hands out addresses round robin, skipping the gateway, in host-local files; refuses when the range is full', async () => {
    const { hl, dir } = make([[{ subnet: '10.2.0.0/29' }]]); // .1 gateway, .2–.6 usable
    const got: string[] = [];
    for (let i = 0; i < 5; i++) got.push((await hl.add(`c${i}`, 'eth0', [])).ips![0]!.address);
    expect(got).toEqual(['10.2.0.2/29', '10.2.0.3/29', '10.2.0.4/29', '10.2.0.5/29', '10.2.0.6/29']);
    expect(readFileSync(join(dir, 'net', '10.2.0.4'), 'utf8')).toBe('c2\r\neth0');
    expect(readFileSync(join(dir, 'net', 'last_reserved_ip.0'), 'utf8')).toBe('10.2.0.6');
    await expect(hl.add('c9', 'eth0', [])).rejects.toMatchObject({ code: 101, message: expect.stringMatching(/no IP addresses available/) });
    await hl.del('c1', 'eth0');
    await hl.del('c1', 'eth0'); // idempotent
    expect((await hl.add('c9', 'eth0', [])).ips![0]!.address).toBe('10.2.0.3/29');
    // the same container and interface twice is refused, as host-local does
    await expect(hl.add('c9', 'eth0', [])).rejects.toMatchObject({ code: 101, message: expect.stringMatching(/duplicate allocation/) });
  });

  it('requested addresses, one per range set (IPv4 + IPv6), and GC keeps only valid attachments', async () => {
    const { hl, dir } = make([[{ subnet: '10.3.0.0/24', rangeStart: '10.3.0.10', rangeEnd: '10.3.0.20' }], [{ subnet: 'fd00:3::/64' }]]);
    const r = await hl.add('a', 'eth0', ['10.3.0.15']);
    expect(r.ips).toEqual([
      { address: '10.3.0.15/24', gateway: '10.3.0.1' },
      { address: 'fd00:3::2/64', gateway: 'fd00:3::1' },
    ]);
    await expect(hl.add('b', 'eth0', ['10.3.0.15'])).rejects.toMatchObject({ code: 101 });
    await expect(hl.add('b', 'eth0', ['10.3.0.1'])).rejects.toMatchObject({ code: 7 }); // outside rangeStart–rangeEnd
    // a failed request leaves no file behind (the IPv6 one was not taken either)
    expect(readdirSync(join(dir, 'net')).filter((f) => !f.startsWith('l')).sort()).toEqual(['10.3.0.15', 'fd00:3::2']);
    await hl.add('b', 'eth1', []);
    const gone = await hl.gc([{ containerID: 'b', ifname: 'eth1' }]);
    expect(gone.map((g) => g.ip).sort()).toEqual(['10.3.0.15', 'fd00:3::2']);
    expect(await hl.held('b', 'eth1')).toHaveLength(2);
  });
});
