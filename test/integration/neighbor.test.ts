import { describe, expect, it } from 'vitest';
import { Address, type Link, type Namespace, Neighbor, NetlinkError } from '../../src/index.js';
import { ipJson, rootSkip, tempNamespace, useTempNamespaces } from '../helpers/env.js';
import { testVeth } from '../helpers/links.js';
import { eventually } from '../helpers/traffic.js';

interface IpNeigh {
  dst: string;
  dev: string;
  lladdr?: string;
  state?: string[];
  router?: null;
  proxy?: null;
}

function ipNeigh(ns: Namespace, args: string[] = []): IpNeigh[] {
  return ipJson<IpNeigh[]>(['neigh', 'show', ...args], ns);
}

describe.skipIf(!!rootSkip)('Neighbor', () => {
  useTempNamespaces();

  async function setup(): Promise<{ ns: Namespace; eth0: Link; eth1: Link }> {
    const ns = await tempNamespace('nb');
    const other = await tempNamespace('nb');
    const [eth0] = await testVeth(ns, 'eth0', other, 'p0');
    const [eth1] = await testVeth(ns, 'eth1', other, 'p1');
    await Address.add(eth0, '10.0.0.1/24');
    await Address.add(eth0, 'fd00::1/64', { flags: ['nodad'] });
    await Address.add(eth1, '10.1.0.1/24');
    return { ns, eth0, eth1 };
  }

  it('probe (NTF_USE) resolves a neighbour now: the peer answers the ARP request and learns our MAC from it', async () => {
    const ns = await tempNamespace('nb');
    const other = await tempNamespace('nb');
    const [a, b] = await testVeth(ns, 'eth0', other, 'p0');
    await Address.add(a, '10.9.0.1/24');
    await Address.add(b!, '10.9.0.2/24');
    await Neighbor.probe(ns, { address: '10.9.0.2', link: a });
    await eventually(async () => ipNeigh(ns, ['10.9.0.2']).some((n) => n.lladdr === b!.address), 'the ARP answer');
    // the peer saw the request: it has an entry for us with our MAC, and nothing was sent but ARP
    expect(ipNeigh(other, ['10.9.0.1']).map((n) => n.lladdr)).toEqual([a.address]);
    await expect(Neighbor.probe(ns, { address: 'nope', link: a })).rejects.toMatchObject({ field: 'address' });
  });

  it('adds permanent IPv4 and IPv6 entries, lists them per link, and `ip -j neigh` agrees', async () => {
    const { ns, eth0, eth1 } = await setup();
    await Neighbor.add(ns, { address: '10.0.0.7', lladdr: '02:00:00:00:00:07', link: eth0 });
    await Neighbor.add(ns, { address: 'fd00::7', lladdr: '02:00:00:00:00:17', link: 'eth0', router: true, state: 'reachable' });
    await Neighbor.add(ns, { address: '10.1.0.8', lladdr: '02-00-00-00-00-08', link: eth1, state: 'stale' });
    const onEth0 = (await Neighbor.list(ns, { link: eth0 })).filter((n) => n.state !== 0x40); // noarp multicast entries aside
    expect(onEth0.map((n) => [n.family, n.address, n.lladdr, n.stateNames, n.router])).toEqual([
      [4, '10.0.0.7', '02:00:00:00:00:07', ['permanent'], false],
      [6, 'fd00::7', '02:00:00:00:00:17', ['reachable'], true],
    ]);
    const ip = ipNeigh(ns, ['dev', 'eth0']);
    expect(ip.map((n) => [n.dst, n.lladdr, n.state?.map((s) => s.toLowerCase()), 'router' in n])).toEqual(
      onEth0.map((n) => [n.address, n.lladdr, n.stateNames, n.router]),
    );
    expect((await Neighbor.list(ns, { link: eth1, family: 4 })).map((n) => [n.address, n.lladdr, n.stateNames])).toEqual([
      ['10.1.0.8', '02:00:00:00:00:08', ['stale']],
    ]);
    expect((await Neighbor.list(ns, { family: 6, link: eth1 })).some((n) => n.address === '10.1.0.8')).toBe(false);
    expect((await Neighbor.list(ns, { states: ['permanent', 'stale'] })).map((n) => n.address).sort()).toEqual(['10.0.0.7', '10.1.0.8']);
  });

  it('add refuses an existing entry (EEXIST); replace and change update it; remove deletes it; missing is ENOENT', async () => {
    const { ns, eth0 } = await setup();
    await Neighbor.add(ns, { address: '10.0.0.9', lladdr: '02:00:00:00:00:09', link: eth0 });
    const dup = await Neighbor.add(ns, { address: '10.0.0.9', lladdr: '02:00:00:00:00:09', link: eth0 }).catch((e: unknown) => e);
    expect((dup as NetlinkError).code).toBe('EEXIST');
    expect((dup as Error).message).toMatch(/^add neighbour 10\.0\.0\.9 lladdr 02:00:00:00:00:09 dev eth0 in /);
    await Neighbor.replace(ns, { address: '10.0.0.9', lladdr: '02:00:00:00:00:99', link: eth0, state: 'stale' });
    expect(ipNeigh(ns, ['to', '10.0.0.9'])).toEqual([{ dst: '10.0.0.9', dev: 'eth0', lladdr: '02:00:00:00:00:99', state: ['STALE'] }]);
    await Neighbor.change(ns, { address: '10.0.0.9', lladdr: '02:00:00:00:00:98', link: eth0, state: 'noarp' });
    const [n] = await Neighbor.list(ns, { link: eth0, family: 4 });
    expect([n!.lladdr, n!.stateNames]).toEqual(['02:00:00:00:00:98', ['noarp']]);
    const nochange = await Neighbor.change(ns, { address: '10.0.0.10', lladdr: '02:00:00:00:00:10', link: eth0 }).catch((e: unknown) => e);
    expect((nochange as NetlinkError).code).toBe('ENOENT');
    await n!.remove();
    expect(ipNeigh(ns, ['to', '10.0.0.9', 'nud', 'all'])).toEqual([]);
    const missing = await Neighbor.remove(ns, { address: '10.0.0.9', link: eth0 }).catch((e: unknown) => e);
    expect((missing as NetlinkError).code).toBe('ENOENT');
    expect((missing as Error).message).toMatch(/^remove neighbour 10\.0\.0\.9 dev eth0 in /);
  });

  it('every settable state round-trips', async () => {
    const { ns, eth0 } = await setup();
    const states = ['permanent', 'noarp', 'reachable', 'stale', 'delay', 'probe', 'failed', 'incomplete'] as const;
    await Promise.all(states.map((state, i) => Neighbor.add(ns, { address: `10.0.0.${100 + i}`, lladdr: `02:00:00:00:01:0${i}`, link: eth0, state })));
    const got = new Map((await Neighbor.list(ns, { link: eth0, family: 4 })).map((n) => [n.address, n.stateNames[0]]));
    // states without timers stay; timed ones (delay → probe → failed, incomplete → failed) may have moved on
    expect(states.map((_, i) => got.get(`10.0.0.${100 + i}`))).toEqual([
      'permanent',
      'noarp',
      'reachable',
      'stale',
      expect.stringMatching(/^(delay|probe|failed|stale|reachable)$/),
      expect.stringMatching(/^(probe|failed|stale|reachable)$/),
      'failed',
      expect.stringMatching(/^(incomplete|failed)$/),
    ]);
    expect(ipNeigh(ns, ['dev', 'eth0', 'nud', 'all']).filter((n) => n.dst.startsWith('10.0.0.1')).length).toBe(8);
  });

  it('proxy entries: add, list (`ip neigh show proxy`), remove', async () => {
    const { ns, eth0 } = await setup();
    await Neighbor.add(ns, { address: '10.0.0.50', link: eth0, proxy: true });
    await Neighbor.add(ns, { address: 'fd00::50', link: eth0, proxy: true });
    const proxies = await Neighbor.list(ns, { proxy: true });
    expect(proxies.map((n) => [n.address, n.proxy, n.linkIndex])).toEqual([
      ['10.0.0.50', true, eth0.index],
      ['fd00::50', true, eth0.index],
    ]);
    expect(ipNeigh(ns, ['proxy']).map((n) => [n.dst, n.dev, 'proxy' in n])).toEqual([
      ['10.0.0.50', 'eth0', true],
      ['fd00::50', 'eth0', true],
    ]);
    expect((await Neighbor.list(ns, { link: eth0 })).some((n) => n.proxy)).toBe(false);
    await proxies[0]!.remove();
    await Neighbor.remove(ns, { address: 'fd00::50', link: 'eth0', proxy: true });
    expect(await Neighbor.list(ns, { proxy: true })).toEqual([]);
  });

  it('flush removes dynamic entries and keeps permanent and noarp ones, as `ip neigh flush dev`', async () => {
    const { ns, eth0, eth1 } = await setup();
    await Neighbor.add(ns, { address: '10.0.0.20', lladdr: '02:00:00:00:00:20', link: eth0 });
    await Neighbor.add(ns, { address: '10.0.0.21', lladdr: '02:00:00:00:00:21', link: eth0, state: 'stale' });
    await Neighbor.add(ns, { address: '10.0.0.22', lladdr: '02:00:00:00:00:22', link: eth0, state: 'reachable' });
    await Neighbor.add(ns, { address: '10.1.0.23', lladdr: '02:00:00:00:00:23', link: eth1, state: 'stale' });
    expect(await Neighbor.flush(ns, { link: eth0, family: 4 })).toBe(2);
    expect((await Neighbor.list(ns, { link: eth0, family: 4 })).map((n) => n.address)).toEqual(['10.0.0.20']);
    expect((await Neighbor.list(ns, { link: eth1, family: 4 })).map((n) => n.address)).toEqual(['10.1.0.23']);
    expect(await Neighbor.flush(ns, { family: 4, states: ['permanent', 'stale'] })).toBe(2);
    expect(await Neighbor.list(ns, { family: 4 })).toEqual([]);
  });

  it('lists the entries of a bridge\'s ports by master (kernel NDA_MASTER filter)', async () => {
    const ns = await tempNamespace('nb');
    const other = await tempNamespace('nb');
    const { testBridge, testSetMaster } = await import('../helpers/links.js');
    const br = await testBridge(ns, 'br0');
    const [port] = await testVeth(ns, 'port0', other, 'p0');
    const [lone] = await testVeth(ns, 'lone0', other, 'p1');
    await testSetMaster(port, br);
    await Address.add(lone, '10.2.0.1/24');
    await Neighbor.add(ns, { address: '10.9.9.9', lladdr: '02:00:00:00:09:09', link: port });
    await Neighbor.add(ns, { address: '10.2.0.9', lladdr: '02:00:00:00:09:0a', link: lone });
    expect((await Neighbor.list(ns, { master: br, family: 4 })).map((n) => n.address)).toEqual(['10.9.9.9']);
  });
});
