/**
 * `netns-kit` against `ip` / `bridge` for the same namespace, command by command, over a
 * wide set of options: the JSON must be exactly ip's (`-j`: the same fields, no more — the
 * omissions ip makes, e.g. no `table` when a table is asked for, no link-layer address with
 * `-4`/`-6`), and the text the same lines. And the CLI used in a pipeline that closes early
 * (`| head -1`) exits quietly, as ip does.
 */
import { spawn, execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Address, Bridge, Link, Neighbor, Route, Sysctl, VethPair, type Namespace } from '../../src/index.js';
import { rootSkip, sh, tempNamespace, toolEnv, useTempNamespaces } from '../helpers/env.js';
import { eventually } from '../helpers/traffic.js';

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/cli/bin.js', ...args], { encoding: 'utf8', maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const trimLines = (s: string): string[] => s.split('\n').map((l) => l.trimEnd()).filter(Boolean);

/** Fields whose values change between two reads of the same state (none are printed without -s / -d). */
function comparable(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v));
}

describe.skipIf(!!rootSkip)('netns-kit CLI output is ip’s', () => {
  useTempNamespaces();

  async function topology(): Promise<Namespace> {
    const ns = await tempNamespace('par');
    const other = await tempNamespace('par');
    for (const n of [ns, other]) {
      await Sysctl.of(n).set('net.ipv6.conf.default.accept_dad', 0);
      await Sysctl.of(n).set('net.ipv6.conf.all.accept_dad', 0);
    }
    await (await Link.get(ns, 'lo')).up();
    const veth = await VethPair.create(ns, { name: 'eth0', up: true, peer: { name: 'eth0', namespace: other, up: true } });
    const local = await VethPair.create(ns, { name: 'va', peer: { name: 'vb' } });
    const br = await Bridge.create(ns, { name: 'br0', up: true });
    await br.addPort(local.peer);
    await Address.add(veth.local, '10.8.0.1/24', { broadcast: '+' });
    await Address.add(veth.local, '10.8.0.9/24');
    await Address.add(veth.local, 'fd08::1/64');
    await Address.add(br, '10.9.0.1/24', { label: 'br0:gw' });
    await Address.add(br, 'fd09::1/64');
    await Route.add(ns, { to: 'default', via: '10.8.0.254' });
    await Route.add(ns, { to: '10.77.0.5/32', dev: br });
    await Route.add(ns, { to: '10.78.0.0/16', via: '10.8.0.2', metric: 50, protocol: 'static' });
    await Route.add(ns, { to: '10.79.0.0/16', nexthops: [{ via: '10.8.0.2', weight: 2 }, { via: '10.8.0.3' }] });
    await Route.add(ns, { to: '10.80.0.0/16', type: 'blackhole' });
    await Route.add(ns, { to: '10.81.0.0/16', via: '10.8.0.2', table: 100 });
    await Route.add(ns, { to: 'default', via: '10.8.0.3', table: 100, metric: 7 });
    await Route.add(ns, { to: 'fd99::/64', via: 'fd08::2' });
    await Route.add(ns, { to: 'fd98::/64', via: 'fd08::2', table: 100 });
    await Neighbor.add(ns, { address: '10.8.0.2', lladdr: '02:00:00:00:00:02', link: veth.local });
    await Neighbor.add(ns, { address: '10.8.0.3', lladdr: '02:00:00:00:00:03', link: veth.local, state: 'stale' });
    await Neighbor.add(ns, { address: 'fd08::2', lladdr: '02:00:00:00:00:02', link: veth.local, router: true });
    await eventually(async () => (await Link.get(ns, 'eth0')).operstate === 'up', 'eth0 to be operationally up');
    // a new bridge is UNKNOWN until the kernel notices its only port has no carrier: wait for
    // that, so the state cannot change between our listing and ip's
    await eventually(async () => (await Link.get(ns, 'br0')).operstate === 'down', 'br0 to settle as down (no carrier)');
    return ns;
  }

  // [our arguments, ip's (or bridge's)]; ip's `show` is implied in ours
  const COMMANDS: [string[], ['ip' | 'bridge', string[]]][] = [
    [['link'], ['ip', ['link', 'show']]],
    [['link', 'show', 'dev', 'eth0'], ['ip', ['link', 'show', 'dev', 'eth0']]],
    [['link', 'show', 'vb'], ['ip', ['link', 'show', 'vb']]],
    [['link', 'master', 'br0'], ['ip', ['link', 'show', 'master', 'br0']]],
    [['link', 'type', 'veth'], ['ip', ['link', 'show', 'type', 'veth']]],
    [['link', 'type', 'bridge'], ['ip', ['link', 'show', 'type', 'bridge']]],
    [['addr'], ['ip', ['addr', 'show']]],
    [['-4', 'addr'], ['ip', ['-4', 'addr', 'show']]],
    [['-6', 'addr'], ['ip', ['-6', 'addr', 'show']]],
    [['addr', 'show', 'dev', 'eth0'], ['ip', ['addr', 'show', 'dev', 'eth0']]],
    [['-4', 'addr', 'show', 'dev', 'br0'], ['ip', ['-4', 'addr', 'show', 'dev', 'br0']]],
    [['-6', 'addr', 'show', 'dev', 'eth0'], ['ip', ['-6', 'addr', 'show', 'dev', 'eth0']]],
    [['route'], ['ip', ['route', 'show']]],
    [['-6', 'route'], ['ip', ['-6', 'route', 'show']]],
    [['route', 'show', 'table', '100'], ['ip', ['route', 'show', 'table', '100']]],
    [['route', 'show', 'table', 'all'], ['ip', ['route', 'show', 'table', 'all']]],
    [['route', 'show', 'table', 'local'], ['ip', ['route', 'show', 'table', 'local']]],
    [['route', 'show', 'table', 'main'], ['ip', ['route', 'show', 'table', 'main']]],
    [['-6', 'route', 'show', 'table', 'all'], ['ip', ['-6', 'route', 'show', 'table', 'all']]],
    [['-6', 'route', 'show', 'table', '100'], ['ip', ['-6', 'route', 'show', 'table', '100']]],
    [['route', 'show', 'dev', 'eth0'], ['ip', ['route', 'show', 'dev', 'eth0']]],
    [['route', 'show', 'table', '100', 'dev', 'eth0'], ['ip', ['route', 'show', 'table', '100', 'dev', 'eth0']]],
    [['neigh'], ['ip', ['neigh', 'show']]],
    [['-4', 'neigh'], ['ip', ['-4', 'neigh', 'show']]],
    [['-6', 'neigh'], ['ip', ['-6', 'neigh', 'show']]],
    [['neigh', 'show', 'dev', 'eth0'], ['ip', ['neigh', 'show', 'dev', 'eth0']]],
    [['fdb'], ['bridge', ['fdb', 'show']]],
    [['fdb', 'br', 'br0'], ['bridge', ['fdb', 'show', 'br', 'br0']]],
    [['fdb', 'dev', 'vb'], ['bridge', ['fdb', 'show', 'dev', 'vb']]],
  ];

  it(`JSON (-j) is exactly ip's for ${COMMANDS.length} commands`, async () => {
    const ns = await topology();
    const n = ns.name!;
    const diffs: string[] = [];
    for (const [ours, [tool, theirs]] of COMMANDS) {
      const r = await cli(['-n', n, '-j', ...ours]);
      expect([r.code, r.stderr], ours.join(' ')).toEqual([0, '']);
      const want = comparable(JSON.parse(sh(tool, ['-n', n, '-j', ...theirs]) || '[]'));
      const got = comparable(JSON.parse(r.stdout));
      try {
        expect(got).toEqual(want);
      } catch {
        diffs.push(`netns-kit -j ${ours.join(' ')}\n  ours: ${JSON.stringify(got)}\n  ${tool}:  ${JSON.stringify(want)}`);
      }
    }
    expect(diffs.join('\n')).toBe('');
  });

  it(`text is exactly ip's for ${COMMANDS.length} commands`, async () => {
    const ns = await topology();
    const n = ns.name!;
    const diffs: string[] = [];
    for (const [ours, [tool, theirs]] of COMMANDS) {
      const r = await cli(['-n', n, ...ours]);
      expect([r.code, r.stderr], ours.join(' ')).toEqual([0, '']);
      const got = trimLines(r.stdout);
      const want = trimLines(sh(tool, ['-n', n, ...theirs]));
      if (JSON.stringify(got) !== JSON.stringify(want)) diffs.push(`netns-kit ${ours.join(' ')}\n  ours:\n    ${got.join('\n    ')}\n  ${tool}:\n    ${want.join('\n    ')}`);
    }
    expect(diffs.join('\n')).toBe('');
  });

  it('`netns-kit … | head -1` exits quietly when the reader closes the pipe (EPIPE)', async () => {
    const ns = await tempNamespace('par');
    // many lines, so the writer meets the closed pipe
    await Promise.all(Array.from({ length: 60 }, (_, i) => VethPair.create(ns, { name: `p${i}a`, peer: { name: `p${i}b` } })));
    for (const args of [['link'], ['-j', '-p', 'link'], ['addr']]) {
      const r = await new Promise<{ code: number | null; stderr: string; out: string }>((resolve) => {
        const sh = spawn('/bin/sh', ['-c', `"${process.execPath}" dist/cli/bin.js -n ${ns.name} ${args.join(' ')} | head -1; echo "status \${PIPESTATUS:-}"`], { env: toolEnv });
        let stderr = '';
        let out = '';
        sh.stderr.on('data', (d) => (stderr += d));
        sh.stdout.on('data', (d) => (out += d));
        sh.on('exit', (code) => resolve({ code, stderr, out }));
      });
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.code).toBe(0);
      expect(r.out.split('\n')[0]).toMatch(/^1: lo|^\[|^\{/);
    }
    // and the exit status itself: stdout closed before anything is written
    const status = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['dist/cli/bin.js', '-n', ns.name!, 'link'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.destroy();
      child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
    });
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
  });
});
