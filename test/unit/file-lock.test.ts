import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { withFileLock, writeFileAtomic } from '../../src/util/file-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'nk-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = fileURLToPath(new URL('../fixtures/lock-contender.mjs', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [fixture, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => res({ code, out }));
  });
}
/** Resolves once a contender has made its marker file (it holds the lock). */
async function holding(work: string): Promise<void> {
  for (let i = 0; i < 2000 && !readdirSync(work).includes('holder'); i++) await new Promise((r) => setTimeout(r, 5));
}
const fdCount = (): number => readdirSync('/proc/self/fd').length;

describe('withFileLock', () => {
  it('two real processes contending never both hold it (marker + read-modify-write counter)', async () => {
    const work = mkdtempSync(join(dir, 'work-'));
    const lock = join(work, 'lock');
    const [a, b] = await Promise.all([run([lock, work, '40', '2']), run([lock, work, '40', '2'])]);
    expect(a.out).toContain('"ok":true');
    expect(b.out).toContain('"ok":true');
    expect(readFileSync(join(work, 'counter'), 'utf8')).toBe('80'); // no lost update
  });

  it('waiting for another process does not block the event loop', async () => {
    const work = mkdtempSync(join(dir, 'wait-'));
    const lock = join(work, 'lock');
    // the child holds the lock for ~300 ms (one iteration); we wait for it meanwhile
    const child = run([lock, work, '1', '300']);
    await holding(work);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const t0 = Date.now();
    await withFileLock(lock, () => undefined);
    const waited = Date.now() - t0;
    clearInterval(timer);
    expect((await child).out).toContain('"ok":true');
    expect(waited).toBeGreaterThan(50); // really waited for the child
    expect(ticks).toBeGreaterThan(2);
  });

  it('serialises callers inside one process too, and releases on throw (no fd left)', async () => {
    const lock = join(dir, 'inproc.lock');
    const before = fdCount();
    let inside = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        withFileLock(lock, async () => {
          max = Math.max(max, ++inside);
          await new Promise((r) => setTimeout(r, 2));
          inside--;
          if (i % 3 === 0) throw new Error('boom');
        }).catch((e: Error) => expect(e.message).toBe('boom')),
      ),
    );
    expect(max).toBe(1);
    expect(fdCount()).toBe(before);
    // not held any more: a non-waiting attempt succeeds at once
    await expect(withFileLock(lock, () => 7, { wait: false })).resolves.toBe(7);
  });

  it('wait:false fails with EWOULDBLOCK while another process holds it', async () => {
    const work = mkdtempSync(join(dir, 'nb-'));
    const lock = join(work, 'lock');
    const child = run([lock, work, '1', '400']);
    await holding(work);
    await expect(withFileLock(lock, () => 1, { wait: false })).rejects.toMatchObject({ code: 'EAGAIN', syscall: 'flock' });
    await child;
  });

  it('refuses bad input before any syscall', async () => {
    await expect(withFileLock('', () => 1)).rejects.toMatchObject({ code: 'EINVAL', field: 'path' });
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temporary file', async () => {
    const p = join(dir, 'sub', 'record.json');
    await writeFileAtomic(p, 'one');
    await writeFileAtomic(p, 'two');
    expect(readFileSync(p, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['record.json']);
  });

  it('a failed write leaves the old content', async () => {
    const p = join(dir, 'keep.json');
    writeFileSync(p, 'old');
    await expect(writeFileAtomic(join(p, 'x'), 'new')).rejects.toBeTruthy(); // parent is a file
    expect(readFileSync(p, 'utf8')).toBe('old');
  });
});
