/**
 * The netns-kit-bridge CNI plugin, run as a process per call like a runtime runs it, side by
 * side with the reference `bridge` + `host-local` (+ `portmap`, `firewall`) plugins, in
 * throwaway "host" and container namespaces the tests make.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Namespace } from '../../src/index.js';
import { tcpEcho, tcpEchoServer } from '../../src/testing/index.js';
import { cni, normalizeResult, ourPlugin, PLUGIN_MODES, REF_DIR, tempDir, usePluginMode } from '../helpers/cni.js';
import { ipJson, rootSkip, sh, skipReason, tempNamespace, useTempNamespaces } from '../helpers/env.js';

const refSkip = existsSync(join(REF_DIR, 'bridge')) && existsSync(join(REF_DIR, 'host-local')) ? undefined : skipReason(`the reference CNI plugins are not installed in ${REF_DIR} (Debian: containernetworking-plugins)`);

function netConf(type: string, dataDir: string, extra: Record<string, unknown> = {}, version = '1.0.0'): any {
  return {
    cniVersion: version,
    name: 'testnet',
    type,
    bridge: 'cni-t0',
    isGateway: true,
    ipam: { type: 'host-local', ranges: [[{ subnet: '10.88.0.0/24' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir },
    ...extra,
  };
}

const OURS = (): string => ourPlugin();
const REF = join(REF_DIR, 'bridge');

/** Links, addresses and routes of a namespace as `ip -j` shows them, with chance values (MACs, indexes, veth names) left out. */
function shape(ns: Namespace): unknown {
  const links = ipJson(['addr', 'show'], ns).map((l: any) => ({
    ifname: /^veth[0-9a-f]{8}$/.test(l.ifname) ? 'vethX' : l.ifname,
    flags: [...l.flags].sort(),
    mtu: l.mtu,
    operstate: l.operstate,
    master: l.master,
    link_type: l.link_type,
    addrs: (l.addr_info ?? []).filter((a: any) => a.family === 'inet' || a.scope === 'global').map((a: any) => `${a.local}/${a.prefixlen} brd ${a.broadcast ?? '-'} ${a.scope}`),
  }));
  const routes = ipJson(['route', 'show'], ns).map((r: any) => `${r.dst} via ${r.gateway ?? '-'} dev ${r.dev} ${r.protocol ?? ''} ${r.scope ?? ''} ${r.prefsrc ?? ''}`);
  return { links, routes };
}

/** Each test runs twice: the Node plugin (a process per call), and the fast plugin handing calls to a resident daemon. */
for (const mode of PLUGIN_MODES)
describe.skipIf(!!rootSkip || !!mode.skip)(`netns-kit-bridge CNI plugin (${mode.name})`, () => {
  useTempNamespaces();
  usePluginMode(mode);

  it('VERSION, and errors as {cniVersion, code, msg} on stdout with the spec codes, before anything is made', async () => {
    const v = await cni(OURS(), 'VERSION', { cniVersion: '1.1.0' });
    expect(v.code).toBe(0);
    expect(v.json).toEqual({ cniVersion: '1.1.0', supportedVersions: ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] });
    const dir = tempDir('err');
    const host = await tempNamespace('h'); // even calls that fail early run in a namespace of the test's
    const base = { containerId: 'c1', netns: '/run/netns/none-such', ifname: 'eth0' };
    const cases: [string, unknown, Record<string, string>, number, RegExp][] = [
      ['ADD', '{not json', base, 6, /failed to load netconf/],
      ['ADD', netConf('netns-kit-bridge', dir, {}, '9.9.9'), base, 1, /incompatible CNI version 9\.9\.9/],
      ['ADD', netConf('netns-kit-bridge', dir, { vlan: 5 }), base, 2, /unsupported field "vlan"/],
      ['ADD', netConf('netns-kit-bridge', dir, { ipam: { type: 'host-local', ranges: [[{ subnet: '10.88.0.0/33' }]] } }), base, 7, /invalid subnet/],
      ['ADD', netConf('netns-kit-bridge', dir, { hairpinMode: true, promiscMode: true }), base, 7, /hairpin mode and promiscuous mode/],
      ['ADD', netConf('netns-kit-bridge', dir), { containerId: 'c1', ifname: 'eth0' }, 4, /CNI_NETNS/],
      ['ADD', netConf('netns-kit-bridge', dir), base, 3, /failed to open netns/],
      ['BOGUS', netConf('netns-kit-bridge', dir), base, 4, /unknown CNI_COMMAND/],
    ];
    for (const [cmd, conf, env, code, msg] of cases) {
      const r = await cni(OURS(), cmd, conf, { ...env, host: host.name });
      expect({ cmd, exit: r.code, code: r.json?.code }).toEqual({ cmd, exit: 1, code });
      expect(r.json.msg).toMatch(msg);
      expect(typeof r.json.cniVersion).toBe('string');
    }
    expect(readdirSync(dir)).toEqual([]); // nothing allocated
  });

  for (const version of ['0.3.1', '0.4.0', '1.0.0', '1.1.0']) {
    it.skipIf(!!refSkip)(`ADD in cniVersion ${version}: the same result, interfaces, addresses, routes and traffic as reference bridge + host-local`, async () => {
      const out: Record<string, { result: any; host: unknown; cont: unknown }> = {};
      for (const [label, plugin] of [
        ['ref', REF],
        ['ours', OURS()],
      ] as const) {
        const host = await tempNamespace('h');
        const cont = await tempNamespace('c');
        const dir = tempDir(label);
        // the reference bridge speaks up to 1.0.0: compare 1.1.0 against its 1.0.0 answer
        const conf = netConf(label === 'ref' ? 'bridge' : 'netns-kit-bridge', dir, {}, label === 'ref' && version === '1.1.0' ? '1.0.0' : version);
        const r = await cni(plugin, 'ADD', conf, { host: host.name, containerId: 'ctr1', netns: `/run/netns/${cont.name}`, ifname: 'eth0' });
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.json.interfaces[2].sandbox).toBe(`/run/netns/${cont.name}`);
        // the MACs reported are the kernel's
        expect(r.json.interfaces[2].mac).toBe(ipJson(['link', 'show', 'eth0'], cont)[0].address);
        expect(r.json.interfaces[0].mac).toBe(ipJson(['link', 'show', 'cni-t0'], host)[0].address);
        expect(r.json.interfaces[1].mac).toBe(ipJson(['link', 'show', r.json.interfaces[1].name], host)[0].address);
        // traffic both ways between the container and the gateway
        const srv = await tcpEchoServer(host, 7000);
        const csrv = await tcpEchoServer(cont, 80);
        try {
          expect((await tcpEcho(cont, '10.88.0.1', 7000, 'up')).ok).toBe(true);
          expect((await tcpEcho(host, '10.88.0.2', 80, 'down')).ok).toBe(true);
        } finally {
          await Promise.all([srv.close(), csrv.close()]);
        }
        // host-local's files
        expect(readFileSync(join(dir, 'testnet', '10.88.0.2'), 'utf8')).toBe('ctr1\r\neth0');
        expect(readFileSync(join(dir, 'testnet', 'last_reserved_ip.0'), 'utf8')).toBe('10.88.0.2');
        out[label] = { result: normalizeResult(r.json), host: shape(host), cont: shape(cont) };
        // DEL, twice: idempotent; then the container's side is empty and the address free
        for (let i = 0; i < 2; i++) {
          const d = await cni(plugin, 'DEL', conf, { host: host.name, containerId: 'ctr1', netns: `/run/netns/${cont.name}`, ifname: 'eth0' });
          expect([d.code, d.stdout]).toEqual([0, '']);
        }
        expect(existsSync(join(dir, 'testnet', '10.88.0.2'))).toBe(false);
        expect(ipJson(['link', 'show'], cont).map((l: any) => l.ifname)).toEqual(['lo']);
        expect(ipJson(['link', 'show', 'master', 'cni-t0'], host)).toEqual([]);
      }
      const ref = out.ref!;
      const ours = out.ours!;
      if (version === '1.1.0') ref.result.cniVersion = '1.1.0';
      expect(ours.result).toEqual(ref.result);
      expect(ours.cont).toEqual(ref.cont);
      expect(ours.host).toEqual(ref.host);
    });
  }

  it.skipIf(!!refSkip)('shares a dataDir with the reference host-local both ways (same files, same lock, no address given twice)', async () => {
    const host = await tempNamespace('h');
    const dir = tempDir('share');
    const conts = await Promise.all(Array.from({ length: 8 }, () => tempNamespace('c')));
    // ADDs from both plugins at once, on one bridge and one data directory
    const results = await Promise.all(
      conts.map((c, i) => {
        const ref = i % 2 === 0;
        return cni(ref ? REF : OURS(), 'ADD', netConf(ref ? 'bridge' : 'netns-kit-bridge', dir), { host: host.name, containerId: `ctr${i}`, netns: `/run/netns/${c.name}`, ifname: 'eth0' });
      }),
    );
    for (const r of results) expect(r.code, r.stdout).toBe(0);
    const ips = results.map((r) => r.json.ips[0].address);
    expect(new Set(ips).size).toBe(8);
    const files = readdirSync(join(dir, 'testnet')).filter((f) => f.startsWith('10.'));
    expect(files.sort()).toEqual(ips.map((a) => a.split('/')[0]).sort());
    // every container reaches every other one through the bridge
    const srv = await tcpEchoServer(conts[1]!, 80);
    try {
      expect((await tcpEcho(conts[0]!, ips[1]!.split('/')[0]!, 80, 'x')).ok).toBe(true);
    } finally {
      await srv.close();
    }
    // each plugin releases what the other allocated (DEL reads the same files)
    await Promise.all(
      conts.map((c, i) => {
        const ref = i % 2 === 1;
        return cni(ref ? REF : OURS(), 'DEL', netConf(ref ? 'bridge' : 'netns-kit-bridge', dir), { host: host.name, containerId: `ctr${i}`, netns: `/run/netns/${c.name}`, ifname: 'eth0' });
      }),
    );
    expect(readdirSync(join(dir, 'testnet')).filter((f) => f.startsWith('10.'))).toEqual([]);
    // round robin continues from the last reserved address, whoever wrote it
    const last = readFileSync(join(dir, 'testnet', 'last_reserved_ip.0'), 'utf8');
    const c = await tempNamespace('c');
    const r = await cni(OURS(), 'ADD', netConf('netns-kit-bridge', dir), { host: host.name, containerId: 'next', netns: `/run/netns/${c.name}`, ifname: 'eth0' });
    const lastN = Number(last.split('.')[3]);
    expect(r.json.ips[0].address).toBe(`10.88.0.${lastN + 1}/24`);
  });

  it('DEL succeeds when the namespace is already gone, and with no CNI_NETNS; the address is released', async () => {
    const host = await tempNamespace('h');
    const cont = await tempNamespace('c');
    const dir = tempDir('gone');
    const conf = netConf('netns-kit-bridge', dir);
    const env = { host: host.name, containerId: 'gone1', netns: `/run/netns/${cont.name}`, ifname: 'eth0' };
    expect((await cni(OURS(), 'ADD', conf, env)).code).toBe(0);
    const path = cont.name!;
    await cont.delete();
    const d = await cni(OURS(), 'DEL', conf, env);
    expect([d.code, d.stdout]).toEqual([0, '']);
    expect(readdirSync(join(dir, 'testnet')).filter((f) => f.startsWith('10.'))).toEqual([]);
    expect(path).toBeTruthy();
    const d2 = await cni(OURS(), 'DEL', conf, { host: host.name, containerId: 'gone1', ifname: 'eth0' });
    expect(d2.code).toBe(0);
  });

  it('a failed ADD leaves nothing: no veth, no new bridge, no allocation (requested address taken; bridge holds another address)', async () => {
    const host = await tempNamespace('h');
    const c1 = await tempNamespace('c');
    const c2 = await tempNamespace('c');
    const dir = tempDir('fail');
    const ok = await cni(OURS(), 'ADD', netConf('netns-kit-bridge', dir), { host: host.name, containerId: 'a', netns: `/run/netns/${c1.name}`, ifname: 'eth0' });
    expect(ok.code).toBe(0);
    const before = shape(host);
    // the ips capability asks for the address c1 has
    const taken = await cni(OURS(), 'ADD', netConf('netns-kit-bridge', dir, { runtimeConfig: { ips: ['10.88.0.2/24'] } }), { host: host.name, containerId: 'b', netns: `/run/netns/${c2.name}`, ifname: 'eth0' });
    expect([taken.code, taken.json.code]).toEqual([1, 101]);
    expect(taken.json.msg).toMatch(/10\.88\.0\.2 is not available/);
    expect(shape(host)).toEqual(before);
    expect(ipJson(['link', 'show'], c2).map((l: any) => l.ifname)).toEqual(['lo']);
    expect(readdirSync(join(dir, 'testnet')).filter((f) => f.startsWith('10.'))).toEqual(['10.88.0.2']);

    // a bridge that holds another address of the family: refused, and the veth and the allocation are undone
    sh('ip', ['-n', host.name!, 'link', 'add', 'cni-t1', 'type', 'bridge']);
    sh('ip', ['-n', host.name!, 'addr', 'add', '10.77.0.1/24', 'dev', 'cni-t1']);
    const conflict = await cni(OURS(), 'ADD', netConf('netns-kit-bridge', dir, { bridge: 'cni-t1' }), { host: host.name, containerId: 'b', netns: `/run/netns/${c2.name}`, ifname: 'eth0' });
    expect([conflict.code, conflict.json.code]).toEqual([1, 104]);
    expect(conflict.json.msg).toMatch(/"cni-t1" already has an IP address different from 10\.88\.0\.1\/24/);
    expect(ipJson(['link', 'show', 'master', 'cni-t1'], host)).toEqual([]);
    expect(ipJson(['link', 'show'], c2).map((l: any) => l.ifname)).toEqual(['lo']);
    expect(readdirSync(join(dir, 'testnet')).filter((f) => f.startsWith('10.'))).toEqual(['10.88.0.2']);
    // forceAddress replaces it
    const forced = await cni(OURS(), 'ADD', netConf('netns-kit-bridge', dir, { bridge: 'cni-t1', forceAddress: true }), { host: host.name, containerId: 'b', netns: `/run/netns/${c2.name}`, ifname: 'eth0' });
    expect(forced.code, forced.stdout).toBe(0);
    expect(ipJson(['-4', 'addr', 'show', 'cni-t1'], host)[0].addr_info.map((a: any) => `${a.local}/${a.prefixlen}`)).toEqual(['10.88.0.1/24']);

    // a bridge name taken by something that is not a bridge
    sh('ip', ['-n', host.name!, 'link', 'add', 'cni-t2', 'type', 'veth', 'peer', 'name', 'cni-t2p']);
    const notBridge = await cni(OURS(), 'ADD', netConf('netns-kit-bridge', dir, { bridge: 'cni-t2' }), { host: host.name, containerId: 'c', netns: `/run/netns/${c2.name}`, ifname: 'eth1' });
    expect([notBridge.code, notBridge.json.code, notBridge.json.msg]).toEqual([1, 104, '"cni-t2" already exists but is not a bridge']);
  });

  it('CHECK passes on what ADD made and fails (code 103) when an address is gone; GC releases attachments not listed as valid', async () => {
    const host = await tempNamespace('h');
    const c1 = await tempNamespace('c');
    const c2 = await tempNamespace('c');
    const dir = tempDir('check');
    const conf = netConf('netns-kit-bridge', dir, {}, '1.1.0');
    const e1 = { host: host.name, containerId: 'k1', netns: `/run/netns/${c1.name}`, ifname: 'eth0' };
    const e2 = { host: host.name, containerId: 'k2', netns: `/run/netns/${c2.name}`, ifname: 'eth0' };
    const a1 = await cni(OURS(), 'ADD', conf, e1);
    const a2 = await cni(OURS(), 'ADD', conf, e2);
    expect([a1.code, a2.code]).toEqual([0, 0]);
    expect((await cni(OURS(), 'CHECK', { ...conf, prevResult: a1.json }, e1)).code).toBe(0);
    const noPrev = await cni(OURS(), 'CHECK', conf, e1);
    expect(noPrev.json).toMatchObject({ code: 7, msg: 'Required prevResult missing' });
    sh('ip', ['-n', c1.name!, 'addr', 'del', a1.json.ips[0].address, 'dev', 'eth0']);
    const bad = await cni(OURS(), 'CHECK', { ...conf, prevResult: a1.json }, e1);
    expect([bad.code, bad.json.code]).toEqual([1, 103]);
    expect(bad.json.msg).toMatch(/Failed to match addr 10\.88\.0\.2\/24 on interface eth0/);
    // STATUS: ready
    expect((await cni(OURS(), 'STATUS', conf, { host: host.name })).code).toBe(0);
    // GC keeps k2 only
    const gc = await cni(OURS(), 'GC', { ...conf, 'cni.dev/valid-attachments': [{ containerID: 'k2', ifname: 'eth0' }] }, { host: host.name });
    expect(gc.code, gc.stdout).toBe(0);
    expect(readdirSync(join(dir, 'testnet')).filter((f) => f.startsWith('10.'))).toEqual(['10.88.0.3']);
  });

  it.skipIf(!!refSkip)('chained: passes a previous result through, and the reference portmap and firewall plugins run after it', async () => {
    const host = await tempNamespace('h');
    const cont = await tempNamespace('c');
    const dir = tempDir('chain');
    const env = { host: host.name, containerId: 'chain1', netns: `/run/netns/${cont.name}`, ifname: 'eth0' };
    const prev = { cniVersion: '1.0.0', interfaces: [{ name: 'lo', sandbox: `/run/netns/${cont.name}` }], ips: [{ interface: 0, address: '127.0.0.1/8' }], dns: { nameservers: ['10.0.0.53'] } };
    const add = await cni(OURS(), 'ADD', netConf('netns-kit-bridge', dir, { prevResult: prev }), env);
    expect(add.code, add.stdout).toBe(0);
    expect(add.json.interfaces.map((i: any) => i.name)).toEqual(['lo', 'cni-t0', expect.stringMatching(/^veth/), 'eth0']);
    expect(add.json.ips).toEqual([
      { interface: 0, address: '127.0.0.1/8' },
      { interface: 3, address: '10.88.0.2/24', gateway: '10.88.0.1' },
    ]);
    expect(add.json.dns).toEqual({ nameservers: ['10.0.0.53'] });
    // the reference firewall and portmap plugins accept our result as their prevResult
    for (const plugin of ['firewall', 'portmap']) {
      if (!existsSync(join(REF_DIR, plugin))) {
        skipReason(`reference ${plugin} plugin missing`);
        continue;
      }
      const conf = { cniVersion: '1.0.0', name: 'testnet', type: plugin, backend: 'iptables', capabilities: { portMappings: true }, runtimeConfig: { portMappings: [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }] }, prevResult: add.json };
      const r = await cni(join(REF_DIR, plugin), 'ADD', conf, env);
      expect(r.code, `${plugin}: ${r.stdout}${r.stderr}`).toBe(0);
      expect(normalizeResult(r.json)).toEqual(normalizeResult(add.json));
      const d = await cni(join(REF_DIR, plugin), 'DEL', conf, env);
      expect(d.code, d.stdout).toBe(0);
    }
  });

  /** A TCP server in `ns` answering each connection with the peer's address as it sees it. */
  async function whoServer(ns: Namespace, port: number): Promise<net.Server> {
    const srv = ns.run(() => net.createServer((s) => s.end(`${s.remoteAddress}`.replace(/^::ffff:/, ""))).listen(port));
    await new Promise((r) => srv.once('listening', r));
    return srv;
  }
  /** Connects from inside `ns` (a socket opened there: ns.openSocket) and reads the answer. */
  async function ask(ns: Namespace, ip: string, port: number): Promise<string> {
    const fd = await ns.openSocket(2 /* AF_INET */, 1 /* SOCK_STREAM */);
    return new Promise((resolve) => {
      const s = new net.Socket({ fd });
      s.connect(port, ip);
      let b = '';
      s.setTimeout(3000, () => (s.destroy(), resolve('TIMEOUT')));
      s.on('data', (d) => (b += d)).on('end', () => resolve(b)).on('error', (e) => resolve(`ERROR ${e.message}`));
    });
  }

  it.skipIf(!!refSkip || !existsSync(join(REF_DIR, 'portmap')))('ipMasq and portMappings: the same reachability as reference bridge(ipMasq) + portmap, from an outside namespace and the host; DEL and GC remove the rules', async () => {
    const seen: Record<string, Record<string, string>> = {};
    for (const label of ['ref', 'ours'] as const) {
      const host = await tempNamespace('h');
      const cont = await tempNamespace('c');
      const outside = await tempNamespace('o');
      sh('ip', ['-n', host.name!, 'link', 'add', 'up0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', outside.name!]);
      sh('ip', ['-n', host.name!, 'addr', 'add', '192.0.2.1/24', 'dev', 'up0']);
      sh('ip', ['-n', host.name!, 'link', 'set', 'up0', 'up']);
      sh('ip', ['-n', outside.name!, 'addr', 'add', '192.0.2.2/24', 'dev', 'eth0']);
      sh('ip', ['-n', outside.name!, 'link', 'set', 'eth0', 'up']);
      sh('ip', ['-n', host.name!, 'link', 'set', 'lo', 'up']);
      const dir = tempDir(`nat${label}`);
      const env = { host: host.name, containerId: 'nat1', netns: `/run/netns/${cont.name}`, ifname: 'eth0' };
      const mappings = [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }];
      const main = netConf(label === 'ref' ? 'bridge' : 'netns-kit-bridge', dir, { ipMasq: true, ...(label === 'ours' ? { runtimeConfig: { portMappings: mappings } } : {}) });
      const add = await cni(label === 'ref' ? REF : OURS(), 'ADD', main, env);
      expect(add.code, add.stdout + add.stderr).toBe(0);
      const pm = { cniVersion: '1.0.0', name: 'testnet', type: 'portmap', capabilities: { portMappings: true }, runtimeConfig: { portMappings: mappings }, prevResult: add.json };
      if (label === 'ref') expect((await cni(join(REF_DIR, 'portmap'), 'ADD', pm, env)).code).toBe(0);
      const a = await whoServer(outside, 9000);
      const b = await whoServer(cont, 80);
      try {
        seen[label] = {
          'container → outside (source seen)': await ask(cont, '192.0.2.2', 9000),
          'outside → host:18080 (source seen)': await ask(outside, '192.0.2.1', 18080),
          'host → gateway:18080': await ask(host, '10.88.0.1', 18080),
          'host → 127.0.0.1:18080': await ask(host, '127.0.0.1', 18080),
        };
      } finally {
        a.close();
        b.close();
      }
      if (label === 'ref') expect((await cni(join(REF_DIR, 'portmap'), 'DEL', pm, env)).code).toBe(0);
      expect((await cni(label === 'ref' ? REF : OURS(), 'DEL', { ...main, prevResult: add.json }, env)).code).toBe(0);
      const b2 = await whoServer(cont, 80);
      try {
        expect(await ask(outside, '192.0.2.1', 18080)).toMatch(/ERROR|TIMEOUT/);
      } finally {
        b2.close();
      }
      if (label === 'ours') {
        expect(sh('ip', ['netns', 'exec', host.name!, 'nft', 'list', 'table', 'ip', 'netns-kit-cni'])).not.toMatch(/masquerade|dnat/);
        // GC: an attachment left behind by a runtime that crashed goes when it is not listed as valid
        const c2 = await tempNamespace('c');
        const e2 = { ...env, containerId: 'nat2', netns: `/run/netns/${c2.name}` };
        const kept = await cni(OURS(), 'ADD', { ...main, cniVersion: '1.1.0' }, e2);
        expect(kept.code, kept.stdout).toBe(0);
        const e3 = { ...env, containerId: 'nat3', netns: `/run/netns/${c2.name}`, ifname: 'eth1' };
        expect((await cni(OURS(), 'ADD', { ...main, cniVersion: '1.1.0', runtimeConfig: { portMappings: [{ hostPort: 18081, containerPort: 80 }] } }, e3)).code).toBe(0);
        expect((await cni(OURS(), 'CHECK', { ...main, cniVersion: '1.1.0', prevResult: kept.json }, e2)).code).toBe(0);
        const gc = await cni(OURS(), 'GC', { ...main, cniVersion: '1.1.0', 'cni.dev/valid-attachments': [{ containerID: 'nat2', ifname: 'eth0' }] }, { host: host.name });
        expect(gc.code, gc.stdout).toBe(0);
        const rules = sh('ip', ['netns', 'exec', host.name!, 'nft', 'list', 'table', 'ip', 'netns-kit-cni']);
        expect(rules).toMatch(/dnat to 10\.88\.0\.\d+:80/);
        expect(rules).not.toMatch(/dport 18081/);
        expect(readdirSync(join(dir, 'testnet')).filter((f) => f.startsWith('10.'))).toEqual([kept.json.ips[0].address.split('/')[0]]);
      }
    }
    expect(seen.ours).toEqual(seen.ref);
    expect(seen.ours).toEqual({ 'container → outside (source seen)': '192.0.2.1', 'outside → host:18080 (source seen)': '192.0.2.2', 'host → gateway:18080': '10.88.0.1', 'host → 127.0.0.1:18080': '10.88.0.1' });
  });

  it.skipIf(!!refSkip)('delegates IPAM to another plugin when the configuration names one (reference static)', async () => {
    const host = await tempNamespace('h');
    const cont = await tempNamespace('c');
    const env = { host: host.name, containerId: 'st1', netns: `/run/netns/${cont.name}`, ifname: 'eth0' };
    const conf = { cniVersion: '1.0.0', name: 'static', type: 'netns-kit-bridge', bridge: 'cni-s0', isGateway: true, isDefaultGateway: true, ipam: { type: 'static', addresses: [{ address: '10.66.0.9/24', gateway: '10.66.0.1' }] } };
    const r = await cni(OURS(), 'ADD', conf, env);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.ips).toEqual([{ interface: 2, address: '10.66.0.9/24', gateway: '10.66.0.1' }]);
    expect(r.json.routes).toEqual([{ dst: '0.0.0.0/0', gw: '10.66.0.1' }]);
    expect(ipJson(['-4', 'route', 'show', 'default'], cont)).toEqual([expect.objectContaining({ gateway: '10.66.0.1', dev: 'eth0' })]);
    const missing = await cni(OURS(), 'ADD', { ...conf, ipam: { type: 'no-such-ipam' } }, { ...env, ifname: 'eth1' });
    expect(missing.json).toMatchObject({ code: 7, msg: expect.stringMatching(/failed to find plugin "no-such-ipam"/) });
    expect(ipJson(['link', 'show'], cont).map((l: any) => l.ifname).sort()).toEqual(['eth0', 'lo']);
    expect((await cni(OURS(), 'DEL', conf, env)).code).toBe(0);
  });

  it('ips and mac runtime capabilities (and CNI_ARGS IP/MAC), IPv6 ranges, mtu and hairpin', async () => {
    const host = await tempNamespace('h');
    const cont = await tempNamespace('c');
    const dir = tempDir('caps');
    const conf = netConf('netns-kit-bridge', dir, {
      mtu: 1400,
      hairpinMode: true,
      isDefaultGateway: true,
      ipam: { type: 'host-local', ranges: [[{ subnet: '10.88.0.0/24', rangeStart: '10.88.0.100', rangeEnd: '10.88.0.110' }], [{ subnet: 'fd00:88::/64' }]], dataDir: dir },
      runtimeConfig: { ips: ['10.88.0.105/24'], mac: '02:00:00:00:00:42' },
    });
    const env = { host: host.name, containerId: 'caps1', netns: `/run/netns/${cont.name}`, ifname: 'eth0' };
    const r = await cni(OURS(), 'ADD', conf, env);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.ips).toEqual([
      { interface: 2, address: '10.88.0.105/24', gateway: '10.88.0.1' },
      { interface: 2, address: 'fd00:88::2/64', gateway: 'fd00:88::1' },
    ]);
    expect(r.json.routes).toEqual([
      { dst: '0.0.0.0/0', gw: '10.88.0.1' },
      { dst: '::/0', gw: 'fd00:88::1' },
    ]);
    const eth0 = ipJson(['addr', 'show', 'eth0'], cont)[0];
    expect([eth0.address, eth0.mtu]).toEqual(['02:00:00:00:00:42', 1400]);
    expect(ipJson(['-d', 'link', 'show', r.json.interfaces[1].name], host)[0].linkinfo.info_slave_data.hairpin).toBe(true);
    expect(ipJson(['addr', 'show', 'cni-t0'], host)[0].addr_info.filter((a: any) => a.scope === 'global').map((a: any) => `${a.local}/${a.prefixlen}`)).toEqual(['10.88.0.1/24', 'fd00:88::1/64']);
    // CNI_ARGS IP= and MAC= (a second interface)
    const r2 = await cni(OURS(), 'ADD', { ...conf, runtimeConfig: {} }, { ...env, containerId: 'caps2', ifname: 'eth1', args: 'IgnoreUnknown=1;IP=10.88.0.107;MAC=02:00:00:00:00:43' });
    expect(r2.code, r2.stdout).toBe(0);
    expect(r2.json.ips[0].address).toBe('10.88.0.107/24');
    expect(ipJson(['link', 'show', 'eth1'], cont)[0].address).toBe('02:00:00:00:00:43');
  });
});
