/**
 * nf_tables through Nftables in throwaway namespaces, cross-checked with `nft -j list ruleset`.
 */
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Address, expr as x, type Namespace, type NftEvent, Nftables, type NftWatcher, Route, Sysctl, TransactionError } from '../../src/index.js';
import type { Expr } from '../../src/nftables/expr.js';
import { rootSkip, tempNamespace, toolEnv, useTempNamespaces } from '../helpers/env.js';
import { testLoUp, testVeth } from '../helpers/links.js';

useTempNamespaces();
const open: (Nftables | NftWatcher)[] = [];
afterEach(() => {
  for (const n of open.splice(0)) n.close();
});
async function nftIn(ns: Namespace): Promise<Nftables> {
  const n = await Nftables.open(ns);
  open.push(n);
  return n;
}
function nftCmd(ns: string, ...args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, 'nft', ...args], { encoding: 'utf8', env: toolEnv });
}
/** Expressions as the kernel lists them: counters come back with their counts. */
const withCounts = (e: Expr[]): Expr[] => e.map((y) => (y.type === 'counter' ? { type: 'counter', bytes: 0, packets: 0 } : y));

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

  it('lists back exactly the expressions it encoded, with handles read back; deletes a rule by handle', async () => {
    const ns = await tempNamespace('nft');
    const nft = await nftIn(ns);
    const T = { family: 'inet', table: 'rt' } as const;
    const rules: Expr[][] = [
      [...x.ipSaddr('10.0.0.0/8'), ...x.ipDaddr('192.168.1.0/23', 'neq'), x.counter(), x.accept()],
      [...x.ip6Saddr('fd00::/64'), ...x.tcpDport([1000, 2000]), x.drop()],
      [...x.l4proto('udp'), ...x.thDport(53), ...x.iifname('eth0', 'neq'), x.ret()],
      [...x.fibDaddrLocal(), ...x.ctStatusDnat(), x.goto('sub')],
      [...x.mark(42), ...x.inSet('s', [x.load.ipSaddr, x.load.thDport], { invert: true }), x.accept()],
    ];
    const committed: { handle: number }[] = [];
    await nft.transaction((tx) => {
      tx.addTable({ family: 'inet', name: 'rt', comment: 'netns-kit test' });
      tx.addChain({ ...T, name: 'sub', comment: 'a regular chain' });
      tx.addChain({ ...T, name: 'in', hook: { type: 'filter', hook: 'input', priority: -5 } });
      tx.addSet({ ...T, name: 's', key: ['ipv4_addr', 'inet_service'], flags: ['interval'], comment: 'pairs' });
      for (const exprs of rules) committed.push(tx.addRule({ ...T, chain: 'in', exprs, comment: `r${committed.length}` }));
    });
    const listed = await nft.list({ family: 'inet', table: 'rt' });
    expect(listed.tables).toMatchObject([{ family: 'inet', name: 'rt', comment: 'netns-kit test' }]);
    expect(listed.chains.map((c) => [c.name, c.comment, c.hook?.priority])).toEqual([['sub', 'a regular chain', undefined], ['in', undefined, -5]]);
    expect(listed.rules.map((r) => r.exprs)).toEqual(rules.map(withCounts));
    expect(listed.rules.map((r) => r.handle)).toEqual(committed.map((c) => c.handle));
    expect(listed.sets[0]).toMatchObject({ name: 's', keyTypes: ['ipv4_addr', 'inet_service'], flags: expect.arrayContaining(['interval', 'concat']), comment: 'pairs' });
    // nft reads what we wrote
    const j = nftJson(ns.name!);
    expect(j.filter((o) => o.rule).map((o) => o.rule.comment)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);

    await nft.transaction((tx) => tx.deleteRule({ ...T, chain: 'in', handle: committed[1]!.handle }));
    expect((await nft.listRules('inet', 'rt')).map((r) => r.comment)).toEqual(['r0', 'r2', 'r3', 'r4']);
  });

  it('adds and removes map elements in one transaction; intervals; flush; destroy of what is missing', async () => {
    const ns = await tempNamespace('nft');
    const nft = await nftIn(ns);
    const T = { family: 'ip', table: 'm' } as const;
    const ports = { ...T, name: 'ports' };
    await nft.transaction((tx) => {
      tx.addTable({ family: 'ip', name: 'm' });
      tx.addSet({ ...ports, key: ['ipv4_addr', 'inet_proto', 'inet_service'], data: ['ipv4_addr', 'inet_service'] });
      tx.addSet({ ...T, name: 'nets', key: 'ipv4_addr', flags: ['interval'] });
      tx.addSet({ ...T, name: 'tmo', key: 'ipv4_addr', timeout: 60_000 });
      tx.addElements(ports, [1, 2, 3].map((i) => ({ key: ['10.0.0.1', 'tcp', 8000 + i], value: [`172.17.0.${i}`, 80] })));
      tx.addElements({ ...T, name: 'nets' }, [{ key: '10.1.0.0/16' }, { key: '192.168.0.10', to: '192.168.0.20' }]);
      tx.addElements({ ...T, name: 'tmo' }, [{ key: '10.9.9.9', timeout: 30_000 }]);
    });
    // a new process (no cached types) removes one mapping and adds another, atomically
    const other = await nftIn(ns);
    await other.transaction((tx) => {
      tx.deleteElements(ports, [{ key: ['10.0.0.1', 'tcp', 8002] }]);
      tx.addElements(ports, [{ key: ['10.0.0.1', 'udp', 53], value: ['172.17.0.9', 5353] }]);
    });
    const j = nftJson(ns.name!);
    const elems = (name: string): string => JSON.stringify(j.find((o) => (o.map ?? o.set)?.name === name));
    expect(elems('ports')).toContain('8001');
    expect(elems('ports')).not.toContain('8002');
    expect(elems('ports')).toContain('5353');
    expect(elems('nets')).toContain('"prefix":{"addr":"10.1.0.0","len":16}');
    expect(elems('nets')).toContain('"range":["192.168.0.10","192.168.0.20"]');
    const tmo = (await other.listElements('ip', 'm', 'tmo'))[0]!;
    expect(tmo.timeout).toBe(30_000);
    expect(tmo.expiration).toBeGreaterThan(20_000);

    // an element that is not there: the whole transaction is refused, naming it
    const err = await other.transaction((tx) => {
      tx.addElements(ports, [{ key: ['10.0.0.1', 'tcp', 9999], value: ['172.17.0.7', 80] }]);
      tx.deleteElements(ports, [{ key: ['10.0.0.1', 'tcp', 4444] }]);
    }).catch((e) => e);
    expect(err).toBeInstanceOf(TransactionError);
    expect(err.failures.map((f: { index: number }) => f.index)).toEqual([1]);
    expect(err.message).toContain('delete elements from ip m ports');
    expect(JSON.stringify(nftJson(ns.name!))).not.toContain('9999');

    await other.transaction((tx) => {
      tx.flushSet(ports);
      tx.destroyTable({ family: 'ip', name: 'not-there' });
    });
    expect(await other.listElements('ip', 'm', 'ports')).toEqual([]);
    await other.transaction((tx) => tx.deleteTable({ family: 'ip', name: 'm' }));
    expect(nftJson(ns.name!)).toEqual([]);
  });

  it('a large transaction: 5,000 map elements (split into messages that fit) and 500 rules in one commit', async () => {
    const ns = await tempNamespace('nft');
    const nft = await nftIn(ns);
    const T = { family: 'ip', table: 'big' } as const;
    const ports = { ...T, name: 'ports' };
    const elements = Array.from({ length: 5000 }, (_, i) => ({ key: [`10.0.${i >> 8}.${i & 255}`, 'tcp', 10000 + (i % 50000)], value: ['172.17.0.2', 80] }));
    const t0 = performance.now();
    const r = await nft.transaction((tx) => {
      tx.addTable({ family: 'ip', name: 'big' });
      tx.addChain({ ...T, name: 'c' });
      tx.addSet({ ...ports, key: ['ipv4_addr', 'inet_proto', 'inet_service'], data: ['ipv4_addr', 'inet_service'] });
      tx.addElements(ports, elements);
      for (let i = 0; i < 500; i++) tx.addRule({ ...T, chain: 'c', exprs: [...x.tcpDport(20000 + i), x.counter(), x.accept()], comment: `rule ${i}` });
    });
    console.log(`[nft] 5,000 elements + 500 rules in one transaction: ${(performance.now() - t0).toFixed(0)} ms`);
    expect((r.objects[503] as { handle: number; comment: string })).toMatchObject({ comment: "rule 499", handle: expect.any(Number) });
    expect((await nft.listElements('ip', 'big', 'ports')).length).toBe(5000);
    expect((await nft.listRules('ip', 'big')).length).toBe(500);
    // a refused element in the third message of the change is reported once, as that change
    const err = await nft.transaction((tx) => tx.createElements(ports, elements.slice(3000, 3001).concat(elements.slice(0, 2)))).catch((e) => e);
    expect(err).toBeInstanceOf(TransactionError);
    expect(err.code).toBe('EEXIST');
    expect(err.failures.map((f: { index: number }) => f.index)).toEqual([0]);
  });

  it('guards a transaction with the generation: ERESTART as a typed error, or retried when asked', async () => {
    const ns = await tempNamespace('nft');
    const nft = await nftIn(ns);
    await nft.transaction((tx) => tx.addTable({ family: 'ip', name: 'g' }));
    const gen = await nft.generation();
    nftCmd(ns.name!, 'add', 'table', 'ip', 'someone-else');
    const err = await nft.transaction((tx) => tx.addChain({ family: 'ip', table: 'g', name: 'c' }), { generation: gen }).catch((e) => e);
    expect(err).toBeInstanceOf(TransactionError);
    expect(err.code).toBe('ERESTART');
    expect(err.generationChanged).toBe(true);
    expect((await nft.listChains('ip', 'g')).length).toBe(0);
    // 'current' is read before the callback; a change by someone else meanwhile → rebuilt and resent
    let runs = 0;
    const r = await nft.transaction(
      (tx) => {
        if (runs++ === 0) nftCmd(ns.name!, 'add', 'table', 'ip', 'meanwhile');
        tx.addChain({ family: 'ip', table: 'g', name: 'c' });
      },
      { generation: 'current', retries: 2 },
    );
    expect(runs).toBe(2);
    expect(r.generation).toBeGreaterThan(gen + 1);
    expect((await nft.listChains('ip', 'g')).map((c) => c.name)).toEqual(['c']);
  });

  it('owner tables belong to the socket: others cannot change them, they vanish when it closes unless persist', async () => {
    const ns = await tempNamespace('nft');
    const a = await Nftables.open(ns);
    await a.transaction((tx) => {
      tx.addTable({ family: 'ip', name: 'mine', owner: true });
      tx.addTable({ family: 'ip', name: 'kept', owner: true, persist: true });
    });
    const tables = await a.listTables('ip');
    expect(tables.find((t) => t.name === 'mine')).toMatchObject({ owner: true, ownerPort: a.connection.portId });
    const b = await nftIn(ns);
    const err = await b.transaction((tx) => tx.addChain({ family: 'ip', table: 'mine', name: 'c' })).catch((e) => e);
    expect(err).toBeInstanceOf(TransactionError);
    expect(err.code).toBe('EPERM');
    a.close();
    await expect.poll(async () => (await b.listTables('ip')).map((t) => t.name), { timeout: 5000 }).toEqual(['kept']);
    // the next owner takes a persistent table over
    await b.transaction((tx) => tx.addTable({ family: 'ip', name: 'kept', owner: true, persist: true }));
    expect((await b.listTables('ip'))[0]).toMatchObject({ name: 'kept', ownerPort: b.connection.portId });
    await b.transaction((tx) => tx.deleteTable({ family: 'ip', name: 'kept' }));
  });

  it('notifications: sees its own changes and a flush by another program', async () => {
    const ns = await tempNamespace('nft');
    const nft = await nftIn(ns);
    const w = await nft.watch();
    open.push(w);
    const seen: NftEvent[] = [];
    w.on('event', (e) => seen.push(e));
    await nft.transaction((tx) => {
      tx.addTable({ family: 'ip', name: 'n' });
      tx.addChain({ family: 'ip', table: 'n', name: 'c' });
      tx.addRule({ family: 'ip', table: 'n', chain: 'c', exprs: [x.accept()], comment: 'hi' });
    });
    await expect.poll(() => seen.filter((e) => e.kind === 'generation').length, { timeout: 5000 }).toBe(1);
    expect(seen.map((e) => `${e.kind}${'action' in e ? ' ' + e.action : ''}`)).toEqual(['table add', 'chain add', 'rule add', 'generation']);
    seen.length = 0;
    nftCmd(ns.name!, 'flush', 'ruleset');
    await expect.poll(() => seen.some((e) => e.kind === 'table' && e.action === 'delete' && e.table.name === 'n'), { timeout: 5000 }).toBe(true);
    const gen = seen.find((e) => e.kind === 'generation');
    await expect.poll(() => seen.find((e) => e.kind === 'generation'), { timeout: 5000 }).toBeTruthy();
    expect(gen === undefined || gen.generation.process === 'nft').toBe(true);
  });

  it('traffic: dnat through a concatenated map and masquerade, between namespaces the test made', async () => {
    // client (10.1.0.2) — host (10.1.0.1 | 172.17.0.1) — container (172.17.0.2, server on :80)
    const [client, host, ctr] = await Promise.all([tempNamespace('cli'), tempNamespace('host'), tempNamespace('ctr')]);
    const [cEth, hUp] = await testVeth(client, 'eth0', host, 'up');
    const [hCtr, ctrEth] = await testVeth(host, 'ctr', ctr, 'eth0');
    await Promise.all([testLoUp(client), testLoUp(host), testLoUp(ctr)]);
    await Promise.all([Address.add(cEth, '10.1.0.2/24'), Address.add(hUp, '10.1.0.1/24'), Address.add(hCtr, '172.17.0.1/24'), Address.add(ctrEth, '172.17.0.2/24')]);
    await Route.add(ctr, { to: 'default', via: '172.17.0.1' });
    await Sysctl.of(host).set('net.ipv4.ip_forward', 1);
    const nft = await nftIn(host);
    const T = { family: 'ip', table: 'pub' } as const;
    await nft.transaction((tx) => {
      tx.addTable({ family: 'ip', name: 'pub' });
      tx.addChain({ ...T, name: 'pre', hook: { type: 'nat', hook: 'prerouting', priority: 'dstnat' } });
      tx.addChain({ ...T, name: 'post', hook: { type: 'nat', hook: 'postrouting', priority: 'srcnat' } });
      tx.addSet({ ...T, name: 'ports', key: ['ipv4_addr', 'inet_proto', 'inet_service'], data: ['ipv4_addr', 'inet_service'] });
      tx.addElements({ ...T, name: 'ports' }, [{ key: ['10.1.0.1', 'tcp', 8080], value: ['172.17.0.2', 80] }]);
      tx.addRule({ ...T, chain: 'pre', exprs: x.dnatMap('ports', [x.load.ipDaddr, x.load.l4proto, x.load.thDport]) });
      // connections into the container come from the host (so the container needs no route back)
      tx.addRule({ ...T, chain: 'post', exprs: [...x.oifname('ctr'), ...x.ctStatusDnat(), x.masquerade()] });
      // the container reaches the outside as the host
      tx.addRule({ ...T, chain: 'post', exprs: [...x.ipSaddr('172.17.0.0/24'), ...x.oifname('ctr', 'neq'), x.counter(), x.masquerade()] });
    });
    const peerServer = async (ns: Namespace, port: number): Promise<net.Server> =>
      ns.run(() => net.createServer((s) => s.end(`${s.remoteAddress} -> ${s.localAddress}:${s.localPort}`.replace(/::ffff:/g, ''))).listen(port));
    const ask = async (ns: Namespace, host: string, port: number): Promise<string> => {
      const fd = await ns.openSocket(2, 1);
      const sock = new net.Socket({ fd });
      return new Promise((resolve, reject) => {
        let out = '';
        const t = setTimeout(() => (sock.destroy(), reject(new Error(`no answer from ${host}:${port}`))), 10_000);
        sock.on('data', (d) => (out += d));
        sock.on('end', () => (clearTimeout(t), resolve(out)));
        sock.on('error', (e) => (clearTimeout(t), reject(e)));
        sock.connect(port, host);
      });
    };
    const inCtr = await peerServer(ctr, 80);
    const inClient = await peerServer(client, 9000);
    try {
      // client → host:8080 is translated to the container's :80, and arrives from the host
      expect(await ask(client, '10.1.0.1', 8080)).toBe('172.17.0.1 -> 172.17.0.2:80');
      // the container reaches the client as the host's address
      expect(await ask(ctr, '10.1.0.2', 9000)).toBe('10.1.0.1 -> 10.1.0.2:9000');
    } finally {
      await Promise.all([new Promise((r) => inCtr.close(r)), new Promise((r) => inClient.close(r))]);
    }
    const rules = await nft.listRules('ip', 'pub');
    expect(rules[2]!.exprs.find((e) => e.type === 'counter')).toMatchObject({ packets: expect.any(Number) });
    expect((rules[2]!.exprs.find((e) => e.type === 'counter') as { packets: number }).packets).toBeGreaterThan(0);
  });
});

describe.skipIf(rootSkip)('netns-kit nft (CLI)', () => {
  const RULESET = `table ip nk {
  map ports { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; elements = { 10.0.0.1 . tcp . 8080 : 172.17.0.2 . 80 } }
  set s4 { type ipv4_addr; flags interval; elements = { 10.1.0.0/16, 192.168.0.10-192.168.0.20 } }
  map vm { type ipv4_addr : verdict; elements = { 10.2.0.1 : jump sub } }
  set s2 { type ipv4_addr . inet_service; flags interval; }
  chain pre { type nat hook prerouting priority dstnat; policy accept;
    dnat ip to ip daddr . meta l4proto . th dport map @ports
    tcp dport 80 dnat to 10.0.0.2:8080
    fib daddr type local counter
  }
  chain post { type nat hook postrouting priority srcnat; policy accept;
    ip saddr 172.17.0.0/16 oifname != "br0" counter masquerade comment "out"
  }
  chain sub { ip saddr @s4 drop; ip saddr . th dport != @s2 accept; }
  chain forward { type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "br0" jump sub
    ip daddr vmap @vm
    meta l4proto udp udp dport 53 counter accept
    tcp dport 1000-2000 drop
    ip daddr 192.168.1.0/23 goto sub
    meta mark 42 return
  }
}
table inet other { chain c { type filter hook input priority 0; policy accept; }; }
`;
  it('-j prints what `nft -j list ruleset` prints; text lists every rule', async () => {
    const ns = await tempNamespace('nft');
    execFileSync('ip', ['netns', 'exec', ns.name!, 'nft', '-f', '-'], { input: RULESET, env: toolEnv });
    const { main } = await import('../../src/cli/main.js');
    const out: string[] = [];
    const code = await main(['-n', ns.name!, '-j', 'nft'], { out: (l) => out.push(l), err: (l) => out.push(l) });
    expect(code).toBe(0);
    const ours = (JSON.parse(out.join('\n')) as { nftables: any[] }).nftables.filter((o) => !o.metainfo);
    const theirs = nftJson(ns.name!);
    expect(ours).toEqual(theirs);

    const text: string[] = [];
    expect(await main(['-n', ns.name!, 'nft', 'list', 'table', 'ip', 'nk'], { out: (l) => text.push(l), err: (l) => text.push(l) })).toBe(0);
    const joined = text.join('\n');
    for (const line of ['dnat ip to ip daddr . meta l4proto . th dport map @ports', 'tcp dport 80 dnat to 10.0.0.2:8080', 'ip saddr 172.17.0.0/16 oifname != "br0" counter packets 0 bytes 0 masquerade comment "out"', 'ct state established,related accept', 'iifname "br0" jump sub', 'ip daddr vmap @vm', 'elements = { 10.1.0.0/16, 192.168.0.10-192.168.0.20 }']) {
      expect(joined).toContain(line);
    }
    expect(joined).not.toContain('table inet other');
  });
});
