/**
 * Faults leave nothing behind: no link, mount, file or fd. Each fault is made for real (no
 * injection in the library): a veth peer name taken in the target namespace, a move into a
 * namespace that is being deleted, an address added to a link deleted at the same time,
 * a namespace whose bind mount fails after its file was made (a mount namespace without
 * /proc), and a process that ends while notifications are arriving.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Address, Link, Namespace, NetlinkError, NetnsKitError, VethPair } from '../../src/index.js';
import { fdCount, ipJson, netnsMountCount, PREFIX, rootSkip, skipReason, tempNamespace, uniqueName, useTempNamespaces } from '../helpers/env.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const distSkip = existsSync(fileURLToPath(new URL('../../dist/index.js', import.meta.url)))
  ? undefined
  : skipReason('dist/ is not built (npm run build:ts): the child-process fault tests import the built library');
const unshareSkip = spawnSync('unshare', ['--version']).status === 0 ? undefined : skipReason('unshare(1) is missing: cannot make a mount namespace without /proc');

const names = (ns: Namespace): string[] => ipJson<{ ifname: string }[]>(['link', 'show'], ns).map((l) => l.ifname).sort();

/** Polls until fn() is true (the kernel destroys a namespace's devices asynchronously). */
async function eventually(fn: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`still not true after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!!rootSkip)('faults leave nothing behind', () => {
  useTempNamespaces();

  it('a veth whose peer name exists in the target namespace: EEXIST, no link on either side, no fd', async () => {
    const a = await tempNamespace('fa');
    const b = await tempNamespace('fb');
    await VethPair.create(b, { name: 'taken', peer: { name: 'taken-p' } });
    await Link.list(a); // open both connections before counting fds
    const fds = fdCount();
    const mounts = netnsMountCount(PREFIX);
    for (let i = 0; i < 20; i++) {
      const err = await VethPair.create(a, { name: `v${i}`, peer: { name: 'taken', namespace: b } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetlinkError);
      expect((err as NetlinkError).code).toBe('EEXIST');
      expect((err as Error).message).toMatch(/create link v\d+ in .*: .*exists.*\(EEXIST\)/i);
    }
    expect(names(a)).toEqual(['lo']);
    expect(names(b)).toEqual(['lo', 'taken', 'taken-p']);
    expect(fdCount()).toBe(fds);
    expect(netnsMountCount(PREFIX)).toBe(mounts);
  });

  it('a move into a namespace being deleted: refused (EBADF) or moved and gone with it; nothing left, no fd', async () => {
    const a = await tempNamespace('fm');
    await Link.list(a);
    const fds = fdCount();
    const outcomes = { refused: 0, movedThenGone: 0, movedThenClosed: 0 };
    for (let i = 0; i < 12; i++) {
      const b = await Namespace.create(uniqueName('fd'));
      const pair = await VethPair.create(a, { name: `m${i}`, peer: { name: `m${i}p` } });
      if (i % 3 === 0) await b.delete(); // deleted just before: the move must be refused
      const move = pair.local.moveTo(b, { name: `in${i}` });
      // delete while the move is in flight: at once, or (i % 3 === 1) once the request holds
      // b's fd: then the fd must stay valid until the kernel answered.
      if (i % 3 === 1) {
        for (let n = 0; n < 100 && !(b as unknown as { holds: number }).holds; n++) await Promise.resolve();
        expect((b as unknown as { holds: number }).holds).toBe(1);
      }
      const del = i % 3 === 0 ? Promise.resolve() : b.delete();
      const [m, d] = await Promise.allSettled([move, del]);
      expect(d.status).toBe('fulfilled');
      if (m.status === 'rejected' && /was moved, but namespace .* was closed/.test((m.reason as Error).message)) {
        // the kernel moved it; reading it back over there was too late: it goes away with b
        expect((m.reason as NetnsKitError).code).toBe('EBADF');
        outcomes.movedThenClosed++;
        await eventually(() => !names(a).includes(`m${i}p`), `m${i}p gone after its peer's namespace was destroyed`);
      } else if (m.status === 'rejected') {
        expect(m.reason).toBeInstanceOf(NetnsKitError);
        expect((m.reason as NetnsKitError).code).toBe('EBADF');
        outcomes.refused++;
        // not moved: both ends still here; remove them
        expect(names(a)).toEqual(expect.arrayContaining([`m${i}`, `m${i}p`]));
        await pair.delete();
      } else {
        outcomes.movedThenGone++;
        // moved into b; b dies with its last fd, taking the veth (and its peer here) along
        await eventually(() => !names(a).includes(`m${i}p`), `m${i}p gone after its peer's namespace was destroyed`);
      }
      expect(names(a)).toEqual(['lo']);
      expect(existsSync(`/run/netns/${b.name}`)).toBe(false);
    }
    console.log(`[faults] move vs delete: ${JSON.stringify(outcomes)}`);
    expect(outcomes.refused).toBeGreaterThanOrEqual(4); // deleted before the move: EBADF, nothing moved
    expect(outcomes.movedThenClosed + outcomes.movedThenGone).toBeGreaterThanOrEqual(4); // deleted while its request held the fd
    expect(fdCount()).toBe(fds);
  });

  it('an address added while its link is deleted: added then gone, or ENODEV; no address, no link, no fd', async () => {
    const a = await tempNamespace('fv');
    const other = await Namespace.open(a.name!); // a second connection: its requests interleave with ours
    try {
      await Link.list(a);
      await Link.list(other);
      const fds = fdCount();
      const outcomes: Record<string, number> = {};
      for (let i = 0; i < 40; i++) {
        await VethPair.create(a, { name: 'gone0', peer: { name: 'gone1' } });
        const add = Address.add(a, 'gone0', `10.${i}.0.1/24`); // resolves the name, then adds
        for (let n = 0; n < i % 4; n++) await Promise.resolve();
        const del = Link.delete(other, 'gone0');
        const [r, d] = await Promise.allSettled([add, del]);
        expect(d.status).toBe('fulfilled');
        const key = r.status === 'fulfilled' ? 'added, then removed with the link' : (r.reason as NetlinkError).code;
        if (r.status === 'rejected') {
          expect(r.reason).toBeInstanceOf(NetlinkError);
          expect(['ENODEV']).toContain((r.reason as NetlinkError).code);
        }
        outcomes[key] = (outcomes[key] ?? 0) + 1;
        expect(names(a)).toEqual(['lo']);
        expect(ipJson<{ addr_info: { local: string }[] }[]>(['-4', 'addr', 'show'], a).flatMap((l) => l.addr_info.map((x) => x.local))).toEqual([]);
      }
      console.log(`[faults] address vs link delete: ${JSON.stringify(outcomes)}`);
      expect(fdCount()).toBe(fds);
    } finally {
      await other.close();
    }
  });

  it.skipIf(!!distSkip || !!unshareSkip)('namespace creation whose bind mount fails after the file was made: no file, no mount, no fd', async () => {
    const name = uniqueName('np');
    const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs none /proc && exec "${process.execPath}" "${fixture('create-without-proc.mjs')}" "${name}"`], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const lines: string[] = [];
    let wake: (() => void) | undefined;
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        lines.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        wake?.();
      }
    });
    const next = async (): Promise<string> => {
      while (lines.length === 0) {
        if (child.exitCode !== null) throw new Error(`child exited ${child.exitCode}: ${stderr}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 100);
        });
      }
      return lines.shift()!;
    };
    const pid = child.pid!;
    const sample = (): { fds: string[]; mounts: string[] } => ({
      fds: readdirSync(`/proc/${pid}/fd`).sort(),
      mounts: readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').map((l) => l.split(' ').slice(4, 5).join()).sort(),
    });
    const hostMounts = netnsMountCount(name);
    try {
      expect(await next()).toBe('ready');
      const before = sample();
      child.stdin.write('go\n');
      const result = JSON.parse(await next()) as { error?: { name: string; code: string; syscall: string; path: string } };
      const after = sample();
      expect(result.error).toMatchObject({ name: 'SystemError', code: 'ENOENT', syscall: 'mount(MS_BIND)', path: `/run/netns/${name}` });
      expect(existsSync(`/run/netns/${name}`)).toBe(false); // the file it made is gone (same tmpfs as ours)
      expect(after.mounts).toEqual(before.mounts);
      expect(after.fds).toEqual(before.fds);
      expect(netnsMountCount(name)).toBe(hostMounts);
      console.log(`[faults] create without /proc: ${JSON.stringify(result.error)}; child fds ${before.fds.length} → ${after.fds.length}, mounts ${before.mounts.length} → ${after.mounts.length}`);
      child.stdin.write('bye\n');
    } finally {
      child.stdin.end();
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    }
  });

  it.skipIf(!!distSkip)('a process ending while notifications arrive on an idle event socket exits cleanly (no abort)', async () => {
    const ns = await tempNamespace('fx');
    const lo = await Link.get(ns, 'lo');
    let flapping = true;
    const flapper = (async () => {
      for (let i = 0; flapping; i++) await lo.set({ up: i % 2 === 0 });
    })();
    const runs = 12;
    const results: { status: number | null; signal: string | null; stderr: string; stdout: string }[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        const child = spawn(process.execPath, [fixture('exit-while-notified.mjs'), ns.name!], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d));
        child.stderr.on('data', (d: Buffer) => (stderr += d));
        const [status, signal] = await new Promise<[number | null, string | null]>((r) => child.once('exit', (c, s) => r([c, s])));
        results.push({ status, signal, stderr, stdout });
      }
    } finally {
      flapping = false;
      await flapper;
    }
    for (const r of results) {
      expect(r.stderr).not.toMatch(/FATAL|napi/);
      expect(Number(/^notified (\d+)/.exec(r.stdout)?.[1])).toBeGreaterThanOrEqual(20);
    }
    expect(results.map((r) => r.signal ?? r.status)).toEqual(Array(runs).fill(0));
  });
});
