/**
 * An unprivileged process (uid 65534, no capabilities) reads its own namespace — links,
 * sysctls, events — like `ip link` and `ip monitor` do, without setns(); changes and entering
 * another namespace fail with an error naming the capability that is missing. The child's own
 * namespace is a throwaway one: `ip netns exec NS setpriv --reuid=65534 … node fixture`.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { Address } from '../../src/index.js';
import { ipJson, rootSkip, sh, skipReason, tempNamespace, useTempNamespaces } from '../helpers/env.js';

let setprivReason: string | undefined;
try {
  sh('setpriv', ['--version']);
} catch {
  setprivReason = skipReason('setpriv (util-linux) is not installed: cannot run a child as an unprivileged user');
}

/** The child is node (with the sanitizer runtime when this run uses the sanitizer build of the addon). */
const nodeEnv = process.env;
const fixture = new URL('../fixtures/unprivileged.mjs', import.meta.url).pathname;
const cliBin = new URL('../../dist/cli/bin.js', import.meta.url).pathname;
const asNobody = (ns: string, cmd: string[]): string[] => ['netns', 'exec', ns, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', ...cmd];

interface Step {
  step: string;
  names?: string[];
  value?: string;
  address?: string;
  error?: { name: string; code: string; errno: number; message: string };
}

function run(ns: string, cmd: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('ip', asNobody(ns, cmd), { env: nodeEnv });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!!rootSkip || !!setprivReason)('unprivileged use of the own namespace', () => {
  useTempNamespaces();

  it('lists links, reads a sysctl and watches events without setns; a change says CAP_NET_ADMIN, another namespace CAP_SYS_ADMIN', async () => {
    const ns = await tempNamespace('unpriv');
    const other = await tempNamespace('unpriv2');
    sh('ip', ['-n', ns.name!, 'link', 'set', 'lo', 'up']);
    const child = spawn('ip', asNobody(ns.name!, [process.execPath, fixture, other.name!]), { env: nodeEnv });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const steps: Step[] = [];
    const done = new Promise<void>((resolve) => child.on('close', () => resolve()));
    for await (const line of createInterface({ input: child.stdout })) {
      const s = JSON.parse(line) as Step;
      steps.push(s);
      if (s.step === 'ready') await Address.add(ns, 'lo', '10.7.7.7/32');
    }
    await done;
    const by = Object.fromEntries(steps.map((s) => [s.step, s]));
    expect(by.links, stderr).toEqual({ step: 'links', names: ipJson<{ ifname: string }[]>(['link'], ns).map((l) => l.ifname) }); // before: EPERM, setns
    expect(by.sysctl).toEqual({ step: 'sysctl', value: '0' });
    expect(by.change!.error).toMatchObject({ name: 'NetlinkError', code: 'EPERM', errno: 1 });
    expect(by.change!.error!.message).toMatch(/needs CAP_NET_ADMIN/);
    expect(by.other!.error).toMatchObject({ code: 'EPERM', errno: 1 });
    expect(by.other!.error!.message).toMatch(/setns needs CAP_SYS_ADMIN/);
    expect(by.watch).toEqual({ step: 'watch', address: '10.7.7.7' });
  });

  it('the CLI reads its own namespace as any user; -n of another namespace says it needs CAP_SYS_ADMIN; demo needs root', async () => {
    const ns = await tempNamespace('unpcli');
    const other = await tempNamespace('unpcli2');
    const r = await run(ns.name!, [process.execPath, cliBin, '-j', 'link']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect((JSON.parse(r.stdout) as { ifname: string }[]).map((l) => l.ifname)).toEqual(ipJson<{ ifname: string }[]>(['link'], ns).map((l) => l.ifname));
    const n = await run(ns.name!, [process.execPath, cliBin, '-n', other.name!, 'link']);
    expect([n.code, n.stdout]).toEqual([2, '']);
    expect(n.stderr).toMatch(/setns needs CAP_SYS_ADMIN/);
    const d = await run(ns.name!, [process.execPath, cliBin, 'demo']);
    expect([d.code, d.stdout]).toEqual([2, '']);
    expect(d.stderr).toMatch(/^netns-kit: permission denied: netns-kit needs root \(or CAP_NET_ADMIN \+ CAP_SYS_ADMIN\); this process \(uid 65534\) lacks CAP_NET_ADMIN and CAP_SYS_ADMIN\n/);
  });
});
