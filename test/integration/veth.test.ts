/**
 * VethPair: kernel-chosen and given names, the peer created straight into another namespace,
 * MTU/MAC at creation, finding the peer from either end, deleting one end.
 */
import { describe, expect, it } from 'vitest';
import { Bridge, BulkError, Link, NetnsKitError, ValidationError, VethPair } from '../../src/index.js';
import type { Namespace } from '../../src/index.js';
import { ipJson, rootSkip, tempNamespace, useTempNamespaces } from '../helpers/env.js';

function ipLink(ns: Namespace, name: string): any {
  return ipJson(['-d', 'link', 'show', 'dev', name], ns)[0];
}

describe.skipIf(!!rootSkip)('VethPair', () => {
  useTempNamespaces();

  it('creates a pair with kernel-chosen names veth0/veth1 (`ip link add type veth`)', async () => {
    const ns = await tempNamespace('kn');
    const pair = await VethPair.create(ns);
    expect([pair.local.name, pair.peer.name].sort()).toEqual(['veth0', 'veth1']);
    expect(pair.local.kind).toBe('veth');
    expect(pair.local.parentIndex).toBe(pair.peer.index);
    expect(pair.peer.parentIndex).toBe(pair.local.index);
    expect(pair.local.namespace).toBe(ns);
    expect(pair.peer.namespace).toBe(ns);
    const ip = ipLink(ns, pair.local.name);
    expect(ip.link).toBe(pair.peer.name); // `veth1@veth0`
    // a second unnamed pair gets the next free names
    const next = await VethPair.create(ns);
    expect([next.local.name, next.peer.name].sort()).toEqual(['veth2', 'veth3']);
  });

  it('creates a named pair with MTU and MACs (`ip link add A mtu N address M type veth peer name B address M2`)', async () => {
    const ns = await tempNamespace('nm');
    const pair = await VethPair.create(ns, {
      name: 'A0',
      mtu: 9000,
      address: '02:00:00:00:00:0a',
      txqlen: 100,
      peer: { name: 'B0', address: '02:00:00:00:00:0b', mtu: 1280 },
    });
    expect([pair.local.name, pair.local.mtu, pair.local.address, pair.local.txqlen]).toEqual(['A0', 9000, '02:00:00:00:00:0a', 100]);
    expect([pair.peer.name, pair.peer.mtu, pair.peer.address]).toEqual(['B0', 1280, '02:00:00:00:00:0b']);
    const a = ipLink(ns, 'A0');
    const b = ipLink(ns, 'B0');
    expect([a.mtu, a.address, a.txqlen, a.link]).toEqual([9000, '02:00:00:00:00:0a', 100, 'B0']);
    expect([b.mtu, b.address, b.link]).toEqual([1280, '02:00:00:00:00:0b', 'A0']);
    // without peer.mtu the peer gets the local MTU
    const p2 = await VethPair.create(ns, { name: 'C0', mtu: 4000, peer: { name: 'D0' } });
    expect(p2.peer.mtu).toBe(4000);
  });

  it('creates the peer directly inside another namespace, up, with no separate move', async () => {
    const ns1 = await tempNamespace('p1');
    const ns2 = await tempNamespace('p2');
    const pair = await VethPair.create(ns1, { name: 'veth0', up: true, peer: { name: 'veth1', namespace: ns2, up: true } });
    expect(pair.peer.namespace).toBe(ns2);
    expect((await Link.list(ns1)).map((l) => l.name).sort()).toEqual(['lo', 'veth0']);
    expect((await Link.list(ns2)).map((l) => l.name).sort()).toEqual(['lo', 'veth1']);
    const local = await pair.local.refresh();
    const peer = await pair.peer.refresh();
    expect(local.isUp && peer.isUp).toBe(true);
    expect(local.hasCarrier && peer.hasCarrier).toBe(true);
    // index + namespace of the peer, from either end (what `ip` shows as veth0@ifN link-netnsid K)
    expect(local.parentIndex).toBe(peer.index);
    expect(local.linkNetnsid).toBe(await ns1.getNsid(ns2));
    expect(peer.linkNetnsid).toBe(await ns2.getNsid(ns1));
    const ip1 = ipLink(ns1, 'veth0');
    expect(ip1.link_netnsid).toBe(local.linkNetnsid);
    expect(ip1.link_index).toBe(peer.index);
    expect(local.displayName).toBe(`veth0@if${peer.index}`);
    const p = await local.peer([ns2]);
    expect([p.name, p.index, p.namespace]).toEqual(['veth1', peer.index, ns2]);
    const q = await peer.peer([ns1]);
    expect([q.name, q.index, q.namespace]).toEqual(['veth0', local.index, ns1]);
    const again = await VethPair.of(peer, [ns1, ns2]);
    expect([again.local.name, again.peer.name]).toEqual(['veth1', 'veth0']);
  });

  it('finding a peer in a namespace that is not among the candidates is a clear ENOENT', async () => {
    const ns1 = await tempNamespace('q1');
    const ns2 = await tempNamespace('q2');
    const pair = await VethPair.create(ns1, { name: 'qa', peer: { name: 'qb', namespace: ns2 } });
    const e = (await pair.local.peer([]).catch((x: unknown) => x)) as NetnsKitError;
    expect(e.code).toBe('ENOENT');
    expect(e.message).toMatch(/peer \(index \d+\) is in the namespace .* calls nsid \d+, which is none of the 0 candidate/);
    const br = await Bridge.create(ns1, { name: 'br0' });
    await expect(br.peer()).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('kernel-named ends in two namespaces: each picks a free vethN in its own namespace', async () => {
    const ns1 = await tempNamespace('k1');
    const ns2 = await tempNamespace('k2');
    const pair = await VethPair.create(ns1, { peer: { namespace: ns2 } });
    expect(pair.local.name).toBe('veth0');
    expect(pair.peer.name).toBe('veth0');
    expect(pair.peer.namespace).toBe(ns2);
    expect((await pair.local.peer([ns2])).index).toBe(pair.peer.index);
  });

  it('a peer name that exists only in the current namespace does not block creating the peer elsewhere', async () => {
    const ns1 = await tempNamespace('b1');
    const ns2 = await tempNamespace('b2');
    await VethPair.create(ns1, { name: 'veth1', peer: { name: 'other' } }); // "veth1" taken in ns1
    const pair = await VethPair.create(ns1, { name: 'veth0', peer: { name: 'veth1', namespace: ns2 } });
    expect(pair.peer.name).toBe('veth1');
    expect(pair.peer.namespace).toBe(ns2);
    // but a peer name taken in the target namespace is EEXIST, and nothing is left behind
    const e = (await VethPair.create(ns1, { name: 'vethX', peer: { name: 'veth1', namespace: ns2 } }).catch((x: unknown) => x)) as NetnsKitError;
    expect(e.code).toBe('EEXIST');
    expect((await Link.list(ns1)).map((l) => l.name)).not.toContain('vethX');
  });

  it('deleting one end removes both', async () => {
    const ns1 = await tempNamespace('d1');
    const ns2 = await tempNamespace('d2');
    const a = await VethPair.create(ns1, { name: 'da', peer: { name: 'db', namespace: ns2 } });
    await a.peer.delete();
    expect((await Link.list(ns1)).map((l) => l.name)).toEqual(['lo']);
    expect((await Link.list(ns2)).map((l) => l.name)).toEqual(['lo']);
    const b = await VethPair.create(ns1, { name: 'dc', peer: { name: 'dd' } });
    await b.delete();
    expect(await Link.list(ns1, { kind: 'veth' })).toEqual([]);
  });

  it('createMany makes many pairs in one batch (`ip -batch` link add … type veth peer …), peers here or in another namespace', async () => {
    const ns = await tempNamespace('many');
    const other = await tempNamespace('manyo');
    await VethPair.createMany(ns, [
      ...Array.from({ length: 50 }, (_, i) => ({ name: `ma${i}`, group: 9, up: i === 0, peer: { name: `mb${i}`, group: 9 } })),
      { name: 'mx', mtu: 1400, peer: { name: 'eth0', namespace: other } },
    ]);
    const here = (ipJson(['link', 'show'], ns) as { ifname: string; group: string; link: string; flags: string[] }[]).filter((l) => l.group === '9');
    expect(here).toHaveLength(100);
    expect(here.find((l) => l.ifname === 'ma7')?.link).toBe('mb7');
    expect(here.find((l) => l.ifname === 'ma0')?.flags).toContain('UP');
    const eth0 = await Link.get(other, 'eth0');
    expect([eth0.kind, eth0.mtu]).toEqual(['veth', 1400]);
    expect((await VethPair.of(eth0, [ns])).peer.name).toBe('mx');
    await VethPair.createMany(ns, []); // nothing to do
  });

  it('createMany: input is checked before anything is sent; a failing pair is reported by index, the others stay', async () => {
    const ns = await tempNamespace('manyf');
    const bad = [{ name: 'ok0', peer: { name: 'ok1' } }, { name: 'same', peer: { name: 'same' } }];
    await expect(VethPair.createMany(ns, bad)).rejects.toMatchObject({ name: 'ValidationError', field: 'pairs[1].peer.name' });
    await expect(VethPair.createMany(ns, [{ name: 'u0', peer: { name: 'u1', up: true } }])).rejects.toBeInstanceOf(ValidationError);
    expect((await Link.list(ns)).map((l) => l.name)).toEqual(['lo']);
    await VethPair.create(ns, { name: 'taken', peer: { name: 'taken1' } });
    const err = await VethPair.createMany(ns, [{ name: 'fa', peer: { name: 'fb' } }, { name: 'taken', peer: { name: 'x1' } }, { name: 'fc', peer: { name: 'fd' } }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BulkError);
    expect(err).toMatchObject({ code: 'EEXIST', total: 3, failures: [{ index: 1 }] });
    expect((await Link.list(ns)).map((l) => l.name).sort()).toEqual(['fa', 'fb', 'fc', 'fd', 'lo', 'taken', 'taken1']);
  });
});
