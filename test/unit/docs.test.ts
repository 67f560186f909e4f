/**
 * The API reference builds with no warning: every public symbol documented, every type a
 * public one refers to exported (typedoc.json: treatWarningsAsErrors, notDocumented,
 * notExported, invalidLink). Validation only; `npm run docs` writes the HTML.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('API documentation', () => {
  it('typedoc validates with no warnings', async () => {
    const r = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(process.execPath, ['node_modules/typedoc/bin/typedoc', '--emit', 'none'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      ),
    );
    expect(r.out.split('\n').filter((l) => /warning|error/i.test(l))).toEqual([]);
    expect(r.code).toBe(0);
  }, 120_000);
});
