/**
 * The `netns-kit` command, run as a process (dist/cli/bin.js, compiled from src/cli/bin.ts): the demo, the read
 * commands against `ip -j` / `bridge -j` for the same namespace, monitor, and bad input.
 */
import { execFile, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Address, Bridge, Neighbor, Route, VethPair, type Namespace, Sysctl, Link } from '../../src/index.js';
import { bridgeJson, ipJson, PREFIX, rootSkip, sh, tempNamespace, useTempNamespaces } from '../helpers/env.js';
import { eventually } from '../helpers/traffic.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: { uid?: number; gid?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/cli/bin.js', ...args], { ...opts, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function cliJson(args: string[]): Promise<any[]> {
  const r = await cli(['-j', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** Every field ip printed has the same value in ours (ours may have more). */
function expectSuperset(ours: any, theirs: any, where: string): void {
  if (Array.isArray(theirs)) {
    expect(Array.isArray(ours), `${where} is an array`).toBe(true);
    expect(ours.length, `${where}.length`).toBe(theirs.length);
    theirs.forEach((t: any, i: number) => expectSuperset(ours[i], t, `${where}[${i}]`));
  } else if (theirs !== null && typeof theirs === 'object') {
    for (const [k, v] of Object.entries(theirs)) expectSuperset(ours?.[k], v, `${where}.${k}`);
  } else {
    expect(ours, where).toEqual(theirs);
  }
}

const trimLines = (s: string): string[] => s.split('\n').map((l) => l.trimEnd()).filter(Boolean);

describe.skipIf(!!rootSkip)('netns-kit CLI', () => {
  useTempNamespaces();

  /** A namespace with what the commands show: lo up, a veth to another namespace, a bridge with a port, v4/v6 addresses, routes, neighbours. */
  async function topology(): Promise<{ ns: Namespace; other: Namespace }> {
    const ns = await tempNamespace('cli');
    const other = await tempNamespace('cli');
    // no IPv6 DAD: addresses must not change state between our listing and ip's
    for (const n of [ns, other]) {
      await Sysctl.of(n).set('net.ipv6.conf.default.accept_dad', 0);
      await Sysctl.of(n).set('net.ipv6.conf.all.accept_dad', 0);
    }
    await (await Link.get(ns, 'lo')).up();
    const veth = await VethPair.create(ns, { name: 'eth0', up: true, peer: { name: 'eth0', namespace: other, up: true } });
    const local = await VethPair.create(ns, { name: 'va', peer: { name: 'vb' } }); // peer in the same namespace, both down
    const br = await Bridge.create(ns, { name: 'br0', up: true });
    await br.addPort(local.peer);
    await Address.add(veth.local, '10.8.0.1/24', { broadcast: '+' });
    await Address.add(veth.local, '10.8.0.9/24'); // secondary
    await Address.add(veth.local, 'fd08::1/64');
    await Address.add(br, '10.9.0.1/24', { label: 'br0:gw' });
    await Route.add(ns, { to: 'default', via: '10.8.0.254' });
    await Route.add(ns, { to: '10.77.0.5/32', dev: br });
    await Route.add(ns, { to: '10.78.0.0/16', via: '10.8.0.2', metric: 50, protocol: 'static' });
    await Route.add(ns, { to: 'fd99::/64', via: 'fd08::2' });
    await Neighbor.add(ns, { address: '10.8.0.2', lladdr: '02:00:00:00:00:02', link: veth.local });
    await Neighbor.add(ns, { address: 'fd08::2', lladdr: '02:00:00:00:00:02', link: veth.local, router: true });
    await eventually(async () => (await Link.get(ns, 'eth0')).operstate === 'up', 'eth0 to be operationally up');
    // a new bridge is UNKNOWN until the kernel notices its only port has no carrier: wait for
    // that, so the state cannot change between our listing and ip's
    await eventually(async () => (await Link.get(ns, 'br0')).operstate === 'down', 'br0 to settle as down (no carrier)');
    return { ns, other };
  }

  it('`netns-kit demo` builds, shows, proves and removes a bridge network; exits 0', async () => {
    const prefix = `${PREFIX}demo-`;
    const r = await cli(['demo', '--prefix', prefix]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/bridge\s+bridge\s+172\.17\.0\.0\/16\s+172\.17\.0\.1\s+br-[0-9a-f]{12}/);
    expect(r.stdout).toMatch(/c1\s+\S+c1\s+eth0\s+172\.17\.0\.2\/16\s+02:42:ac:11:00:02/);
    expect(r.stdout).toContain('default via 172.17.0.1 dev eth0');
    expect(r.stdout.match(/^ {2}✔ /gm)).toHaveLength(4);
    expect(r.stdout).toMatch(/All 4 checks passed in \d+ ms\. No process was spawned\./);
    expect(readdirSync('/run/netns').filter((n) => n.startsWith(prefix))).toEqual([]);
  });

  it('--json of link, addr, route (-4 and -6), neigh and fdb agrees with ip -j / bridge -j for the same namespace', async () => {
    const { ns } = await topology();
    const n = ns.name!;
    expectSuperset(await cliJson(['-n', n, 'link']), ipJson(['link', 'show'], ns), 'link');
    expectSuperset(await cliJson(['-n', n, 'link', 'show', 'dev', 'eth0']), ipJson(['link', 'show', 'dev', 'eth0'], ns), 'link dev eth0');
    expectSuperset(await cliJson(['-n', n, 'link', 'master', 'br0']), ipJson(['link', 'show', 'master', 'br0'], ns), 'link master br0');
    expectSuperset(await cliJson(['-n', n, 'link', 'type', 'veth']), ipJson(['link', 'show', 'type', 'veth'], ns), 'link type veth');
    expectSuperset(await cliJson(['-n', n, 'addr']), ipJson(['addr', 'show'], ns), 'addr');
    expectSuperset(await cliJson(['-n', n, '-4', 'addr']), ipJson(['-4', 'addr', 'show'], ns), 'addr -4');
    expectSuperset(await cliJson(['-n', n, 'addr', 'show', 'dev', 'eth0']), ipJson(['addr', 'show', 'dev', 'eth0'], ns), 'addr dev eth0');
    expectSuperset(await cliJson(['-n', n, 'route']), ipJson(['route', 'show'], ns), 'route');
    expectSuperset(await cliJson(['-n', n, '-6', 'route']), ipJson(['-6', 'route', 'show'], ns), 'route -6');
    expectSuperset(await cliJson(['-n', n, 'route', 'show', 'table', 'local']), ipJson(['route', 'show', 'table', 'local'], ns), 'route table local');
    expectSuperset(await cliJson(['-n', n, 'neigh']), ipJson(['neigh', 'show'], ns), 'neigh');
    expectSuperset(await cliJson(['-n', n, 'fdb', 'br', 'br0']), bridgeJson(['fdb', 'show', 'br', 'br0'], ns), 'fdb br br0');
    // the fields the issue names are there
    const eth0 = (await cliJson(['-n', n, 'addr', 'show', 'dev', 'eth0']))[0];
    for (const k of ['ifindex', 'ifname', 'flags', 'mtu', 'qdisc', 'operstate', 'link_type', 'address', 'broadcast', 'link_index', 'link_netnsid']) expect(eth0).toHaveProperty(k);
    expect(eth0.addr_info.find((a: any) => a.local === '10.8.0.9')).toMatchObject({ family: 'inet', prefixlen: 24, scope: 'global', secondary: true, label: 'eth0', valid_life_time: 4294967295 });
    const routes = await cliJson(['-n', n, 'route']);
    expect(routes.find((r: any) => r.dst === '10.78.0.0/16')).toEqual({ dst: '10.78.0.0/16', gateway: '10.8.0.2', dev: 'eth0', protocol: 'static', metric: 50, flags: [] });
  });

  it('the text layout is the one of ip (and bridge) for the same namespace', async () => {
    const { ns } = await topology();
    const n = ns.name!;
    for (const [ours, theirs] of [
      [['link'], ['ip', ['link', 'show']]],
      [['addr'], ['ip', ['addr', 'show']]],
      [['route'], ['ip', ['route', 'show']]],
      [['-6', 'route'], ['ip', ['-6', 'route', 'show']]],
      [['neigh'], ['ip', ['neigh', 'show']]],
      [['fdb'], ['bridge', ['fdb', 'show']]],
    ] as [string[], [string, string[]]][]) {
      const r = await cli(['-n', n, ...ours]);
      expect(r.code).toBe(0);
      expect(trimLines(r.stdout), ours.join(' ')).toEqual(trimLines(sh(theirs[0], ['-n', n, ...theirs[1]])));
    }
  });

  it('netns list shows the named namespaces like ip netns list', async () => {
    const a = await tempNamespace('cli');
    // while other tests create and delete namespaces, ip netns list now and then returns a
    // short list (seen in CI: without this namespace, which exists throughout): ask again
    const ipNames = (): string[] => {
      for (let i = 0; ; i++) {
        const names = ipJson<{ name: string }[]>(['netns', 'list']).map((x) => x.name);
        if (names.includes(a.name!) || i === 4) return names;
      }
    };
    const before = ipNames();
    const r = await cli(['netns', 'list']);
    const j = (await cliJson(['netns'])).map((x: any) => x.name);
    const after = ipNames();
    expect(r.code).toBe(0);
    expect(trimLines(r.stdout).map((l) => l.split(' ')[0])).toContain(a.name);
    expect(j).toContain(a.name);
    // other tests (and other runs) add and delete namespaces meanwhile: those listed by ip
    // before and after must be there, and nothing ip never listed
    expect(j).toEqual(expect.arrayContaining(before.filter((x) => after.includes(x))));
    expect(j.filter((x: string) => !before.includes(x) && !after.includes(x))).toEqual([]);
  });

  it('monitor prints link, address and route changes as they happen (text and --json), then exits after --count', async () => {
    const ns = await tempNamespace('mon');
    const watch = (args: string[]): { ready: Promise<void>; done: Promise<Run> } => {
      const child = spawn(process.execPath, ['dist/cli/bin.js', '-n', ns.name!, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let ready!: () => void;
      const readyP = new Promise<void>((r) => (ready = r));
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => {
        stderr += d;
        if (stderr.includes('monitoring')) ready();
      });
      return { ready: readyP, done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr }))) };
    };
    const text = watch(['monitor', 'address', '--count', '2']);
    const json = watch(['-j', 'monitor', 'link', 'address', '--count', '3']);
    await Promise.all([text.ready, json.ready]);
    const pair = await VethPair.create(ns, { name: 'm0', peer: { name: 'm1' } });
    await Address.add(pair.local, '10.66.0.1/24');
    await Address.remove(pair.local, '10.66.0.1/24');
    const t = await text.done;
    expect(t.code).toBe(0);
    expect(t.stderr).toContain(`monitoring address in ${ns.name}`);
    expect(trimLines(t.stdout)).toEqual([
      `${pair.local.index}: m0    inet 10.66.0.1/24 scope global m0`,
      '       valid_lft forever preferred_lft forever',
      `Deleted ${pair.local.index}: m0    inet 10.66.0.1/24 scope global m0`,
      '       valid_lft forever preferred_lft forever',
    ]);
    const j = await json.done;
    expect(j.code).toBe(0);
    const events = trimLines(j.stdout).map((l) => JSON.parse(l));
    expect(events.map((e) => [e.kind, e.ifname, e.deleted ?? false])).toEqual([
      ['link', expect.stringMatching(/^m[01]$/), false],
      ['link', expect.stringMatching(/^m[01]$/), false],
      ['address', 'm0', false],
    ]);
    expect(events[2].addr_info[0]).toMatchObject({ family: 'inet', local: '10.66.0.1', prefixlen: 24 });
  });

  it('bad input: a clear message on stderr and exit status 2', async () => {
    const ns = await tempNamespace('cli');
    const cases: [string[], RegExp][] = [
      [['bogus'], /^netns-kit: unknown command "bogus"\nTry 'netns-kit --help'\.\n$/],
      [['--bogus'], /unknown option "--bogus"/],
      [['-n', `${PREFIX}does-not-exist`, 'link'], /namespace ".*does-not-exist" not found\n'netns-kit netns list' shows the named namespaces/],
      [['-n'], /-n needs a namespace name/],
      [['-n', 'a/b', 'link'], /namespace name cannot contain "\/"/],
      [['-n', ns.name!, 'link', 'dev', 'nope0'], new RegExp(`Cannot find device "nope0" in namespace ${ns.name}`)],
      [['-n', ns.name!, 'link', 'extra', 'words'], /link: unexpected argument "words"/],
      [['-n', ns.name!, 'route', 'table'], /route: "table" needs a value/],
      [['-n', ns.name!, 'route', 'table', 'nosuch'], /table/],
      [['monitor', 'everything'], /monitor: unknown object "everything"/],
      [['monitor', '--count', '0'], /--count needs a positive whole number/],
      [['demo', '--what'], /demo: unexpected argument "--what"/],
      [['-n', ns.name!, 'demo'], /demo makes its own namespaces/],
      [[], /^Usage: netns-kit/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect([r.code, r.stdout], args.join(' ')).toEqual([2, '']);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('not root: exit status 2 and the privilege it lacks, for what needs one (reading the own namespace needs none: unprivileged.test.ts)', async () => {
    const ns = await tempNamespace('cliu');
    const r = await cli(['-n', ns.name!, 'link'], { uid: 65534, gid: 65534 });
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^netns-kit: open netlink socket: operation not permitted \(EPERM, setns\) — setns needs CAP_SYS_ADMIN, which this process lacks\n/);
    const d = await cli(['demo'], { uid: 65534, gid: 65534 });
    expect([d.code, d.stdout]).toEqual([2, '']);
    expect(d.stderr).toMatch(/^netns-kit: permission denied: netns-kit needs root \(or CAP_NET_ADMIN \+ CAP_SYS_ADMIN\); this process \(uid 65534\) lacks CAP_NET_ADMIN and CAP_SYS_ADMIN\n/);
    // help works without privileges
    expect((await cli(['--help'], { uid: 65534, gid: 65534 })).code).toBe(0);
  });

  it('--help for every command, --version', async () => {
    for (const c of ['link', 'addr', 'route', 'neigh', 'fdb', 'netns', 'monitor', 'demo']) {
      const r = await cli([c, '--help']);
      expect([r.code, r.stderr], c).toEqual([0, '']);
      expect(r.stdout, c).toMatch(new RegExp(`^Usage: netns-kit .*${c}`));
      expect((await cli(['help', c])).stdout).toBe(r.stdout);
    }
    expect((await cli(['--help'])).stdout).toMatch(/^Usage: netns-kit \[OPTIONS\] COMMAND/);
    expect((await cli(['--version'])).stdout).toMatch(/^netns-kit \d+\.\d+\.\d+\n$/);
  });
});
