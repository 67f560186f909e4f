import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SystemError, ValidationError, Sysctl } from '../../src/index.js';
import { Address, Neighbor, Route } from '../../src/index.js';
import { currentNetns, fdCount, rootSkip, sh, tempNamespace, useTempNamespaces } from '../helpers/env.js';
import { testVeth } from '../helpers/links.js';

describe.skipIf(!!rootSkip)('ns.sysctl', () => {
  useTempNamespaces();

  it('writes net.ipv4.ip_forward inside one namespace only; the main thread never moves', async () => {
    const hostBefore = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
    const where = currentNetns();
    const a = await tempNamespace('sc');
    const b = await tempNamespace('sc');
    expect(await Sysctl.of(a).get('net.ipv4.ip_forward')).toBe('0');
    await Sysctl.of(a).set('net.ipv4.ip_forward', 1);
    expect(await Sysctl.of(a).getInt('net.ipv4.ip_forward')).toBe(1);
    expect(await Sysctl.of(b).getInt('net.ipv4.ip_forward')).toBe(0);
    expect(sh('ip', ['netns', 'exec', a.name!, 'cat', '/proc/sys/net/ipv4/ip_forward']).trim()).toBe('1');
    expect(sh('ip', ['netns', 'exec', b.name!, 'cat', '/proc/sys/net/ipv4/ip_forward']).trim()).toBe('0');
    expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(hostBefore);
    expect(currentNetns()).toBe(where);
    await Sysctl.of(a).set('net.ipv6.conf.all.forwarding', true);
    expect(await Sysctl.of(a).getInt('net.ipv6.conf.all.forwarding')).toBe(1);
  });

  it('per-interface keys, dotted interface names in slash form, several numbers', async () => {
    const a = await tempNamespace('sc');
    const b = await tempNamespace('sc');
    await testVeth(a, 'eth0.100', b, 'x');
    await Sysctl.of(a).set('net/ipv4/conf/eth0.100/rp_filter', 2);
    expect(await Sysctl.of(a).get('net/ipv4/conf/eth0.100/rp_filter')).toBe('2');
    await Sysctl.of(a).set('net.ipv4.conf.all.proxy_arp', 1);
    expect(sh('ip', ['netns', 'exec', a.name!, 'sysctl', '-n', 'net.ipv4.conf.all.proxy_arp']).trim()).toBe('1');
    await Sysctl.of(a).set('net.ipv4.ip_local_port_range', [20000, 30000]);
    expect(await Sysctl.of(a).get('net.ipv4.ip_local_port_range')).toBe('20000\t30000');
    expect(await Sysctl.of(b).get('net.ipv4.ip_local_port_range')).not.toBe('20000\t30000');
  });

  it('errors: an unknown key is ENOENT naming key and namespace; a refused value is EINVAL; bad keys never reach the kernel', async () => {
    const a = await tempNamespace('sc');
    const missing = await Sysctl.of(a).get('net.ipv4.no_such_knob').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SystemError);
    expect((missing as SystemError).code).toBe('ENOENT');
    expect((missing as Error).message).toContain(`read sysctl net.ipv4.no_such_knob in ${a.name}`);
    const bad = await Sysctl.of(a).set('net.ipv4.ip_forward', 'yes').catch((e: unknown) => e);
    expect((bad as SystemError).code).toBe('EINVAL');
    const ro = await Sysctl.of(a).set('net.ipv4.conf', 1).catch((e: unknown) => e);
    expect(ro).toBeInstanceOf(SystemError);
    for (const key of ['net/../../etc/passwd', 'kernel.hostname', 'net.ipv4.conf.a b.rp_filter']) {
      await expect(Sysctl.of(a).get(key)).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it('leaves no file descriptors behind: sysctl threads, and address/route/neighbour work on a namespace that is then deleted', async () => {
    const warm = await tempNamespace('sc');
    await Sysctl.of(warm).get('net.ipv4.ip_forward');
    await warm.delete();
    const before = fdCount();
    for (let round = 0; round < 3; round++) {
      const a = await tempNamespace('sc');
      const b = await tempNamespace('sc');
      const [eth0] = await testVeth(a, 'eth0', b, 'eth0');
      await Promise.all(Array.from({ length: 50 }, (_, i) => Sysctl.of(a).set('net.ipv4.conf.eth0.rp_filter', i % 3)));
      await Promise.all(Array.from({ length: 50 }, () => Sysctl.of(a).get('net.ipv4.ip_forward')));
      await Promise.all(Array.from({ length: 50 }, (_, i) => Address.add(eth0, `10.${round}.${i}.1/24`)));
      await Promise.all(Array.from({ length: 50 }, (_, i) => Route.add(a, { to: `172.${16 + round}.${i}.0/24`, via: `10.${round}.${i}.2` })));
      await Promise.all(Array.from({ length: 50 }, (_, i) => Neighbor.add(a, { address: `10.${round}.${i}.9`, lladdr: '02:00:00:00:00:09', link: eth0 })));
      expect((await Address.list(a, { link: eth0, family: 4 })).length).toBe(50);
      expect((await Route.list(a, { family: 4 })).length).toBe(100);
      await a.delete();
      await b.delete();
    }
    expect(fdCount()).toBe(before);
  });
});
