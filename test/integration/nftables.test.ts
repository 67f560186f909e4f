/**
 * nf_tables through Nftables in throwaway namespaces, cross-checked with `nft -j list ruleset`.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { expr as x, Nftables, TransactionError } from '../../src/index.js';
import { rootSkip, tempNamespace, toolEnv, useTempNamespaces } from '../helpers/env.js';

useTempNamespaces();
const open: Nftables[] = [];
afterEach(() => {
  for (const n of open.splice(0)) n.close();
});

function nftJson(ns: string): any[] {
  const out = execFileSync('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'ruleset'], { encoding: 'utf8', env: toolEnv });
  return (JSON.parse(out) as { nftables: any[] }).nftables.filter((o) => !('metainfo' in o));
}

describe.skipIf(rootSkip)('Nftables', () => {
  it('commits tables, chains, a concatenated dnat map, rules and elements in one transaction; nft sees them', async () => {
    const ns = await tempNamespace('nft');
    const nft = await Nftables.open(ns);
    open.push(nft);
    const T = { family: 'ip', table: 'nk' } as const;
    const r = await nft.transaction((tx) => {
      tx.addTable({ family: 'ip', name: 'nk' });
      tx.addChain({ ...T, name: 'pre', hook: { type: 'nat', hook: 'prerouting', priority: 'dstnat' } });
      tx.addChain({ ...T, name: 'post', hook: { type: 'nat', hook: 'postrouting', priority: 'srcnat' } });
      tx.addChain({ ...T, name: 'fwd', hook: { type: 'filter', hook: 'forward', priority: 'filter', policy: 'drop' } });
      tx.addChain({ ...T, name: 'sub' });
      tx.addSet({ ...T, name: 'ports', key: ['ipv4_addr', 'inet_proto', 'inet_service'], data: ['ipv4_addr', 'inet_service'] });
      tx.addElements({ ...T, name: 'ports' }, [{ key: ['10.0.0.1', 'tcp', 8080], value: ['172.17.0.2', 80] }]);
      tx.addRule({ ...T, chain: 'pre', exprs: x.dnatMap('ports', [x.load.ipDaddr, x.load.l4proto, x.load.thDport]) });
      tx.addRule({ ...T, chain: 'post', exprs: [...x.ipSaddr('172.17.0.0/16'), ...x.oifname('br0', 'neq'), x.counter(), x.masquerade()], comment: 'out' });
      tx.addRule({ ...T, chain: 'fwd', exprs: [...x.ctState('established', 'related'), x.accept()] });
      tx.addRule({ ...T, chain: 'fwd', exprs: [...x.iifname('br0'), x.jump('sub')] });
    });
    expect(r.objects[0]).toMatchObject({ family: 'ip', name: 'nk' });
    expect((r.objects[7] as { handle: number }).handle).toBeGreaterThan(0);
    const j = nftJson(ns.name!);
    expect(j.filter((o) => o.rule).map((o) => o.rule.comment ?? null)).toEqual([null, 'out', null, null]);
    const map = j.find((o) => o.map)?.map;
    expect(map).toMatchObject({ name: 'ports', type: ['ipv4_addr', 'inet_proto', 'inet_service'], map: 'ipv4_addr . inet_service' });
    expect(JSON.stringify(map.elem)).toContain('172.17.0.2');
    const text = execFileSync('ip', ['netns', 'exec', ns.name!, 'nft', 'list', 'ruleset'], { encoding: 'utf8', env: toolEnv });
    expect(text).toContain('dnat ip to ip daddr . meta l4proto . th dport map @ports');
    expect(text).toContain('ip saddr 172.17.0.0/16 oifname != "br0" counter packets 0 bytes 0 masquerade comment "out"');
    expect(text).toContain('ct state established,related accept');
    expect(text).toContain('iifname "br0" jump sub');

    const listed = await nft.list({ family: 'ip', table: 'nk' });
    expect(listed.rules.map((x) => x.comment ?? null)).toEqual([null, 'out', null, null]);
    expect(listed.sets[0]!.elements).toHaveLength(1);
  });

  it('refuses a whole transaction and names the change the kernel refused', async () => {
    const ns = await tempNamespace('nft');
    const nft = await Nftables.open(ns);
    open.push(nft);
    const err = await nft
      .transaction((tx) => {
        tx.addTable({ family: 'ip', name: 'a' });
        tx.addChain({ family: 'ip', table: 'a', name: 'c' });
        tx.addRule({ family: 'ip', table: 'a', chain: 'nope', exprs: [x.accept()] });
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TransactionError);
    expect(err.failures.map((f: { index: number }) => f.index)).toEqual([2]);
    expect(err.code).toBe('ENOENT');
    expect(err.message).toContain('add rule ip a nope');
    expect(nftJson(ns.name!)).toEqual([]);
  });
});
