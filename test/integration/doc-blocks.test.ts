/**
 * Every code block of README.md and docs/*.md runs, as users would run it: each block is a
 * program of its own, importing the package by its name (dist/, built by `npm test`), run as
 * root in a child process — twice in a row, which proves it cleans up after itself — with
 * the namespaces it creates renamed to this run's throwaway names. A block that is not a
 * program (shell commands, output, a fragment) says so on its fence line with a reason
 * (```` ```sh no-run: needs root and the namespaces it names ````); the reason is printed here.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Namespace } from '../../src/index.js';
import { codeBlocks, type DocBlock, docFiles, programOf, RUNNABLE } from '../helpers/docs.js';
import { PREFIX, rootSkip, skipReason } from '../helpers/env.js';

const blocks = docFiles().flatMap(codeBlocks);
const outDir = new URL('../../test-results/doc-blocks/', import.meta.url);
const hasAsyncDispose = typeof (Namespace.prototype as unknown as Record<symbol, unknown>)[Symbol.asyncDispose] === 'function';

function run(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const where = (b: DocBlock): string => `${b.file}:${b.line} (${b.lang}, "${b.heading}")`;

describe('code blocks of README.md and docs/', () => {
  it('every block is either a program (ts/js) or marked no-run with a reason', () => {
    expect(blocks.length).toBeGreaterThan(10);
    const unmarked = blocks.filter((b) => b.noRunWithoutReason || (b.noRun === undefined && !RUNNABLE.has(b.lang))).map(where);
    expect(unmarked, 'mark these `no-run: <why>`').toEqual([]);
    for (const b of blocks) if (b.noRun !== undefined) console.log(`[doc] not run: ${where(b)} — ${b.noRun}`);
  });

  describe.skipIf(!!rootSkip)('programs', () => {
    const programs = blocks.filter((b) => b.noRun === undefined && RUNNABLE.has(b.lang));
    for (const b of programs) {
      const needs = /\bawait using\b/.test(b.code) && !hasAsyncDispose ? skipReason('Namespace has no Symbol.asyncDispose in this build: blocks with `await using` cannot clean up') : undefined;
      it.skipIf(!!needs)(`${where(b)} runs twice in a row and leaves no namespace behind`, async () => {
        mkdirSync(outDir, { recursive: true });
        const prefix = `${PREFIX}doc${b.line}-`;
        const file = new URL(`${b.file.replace(/\W/g, '_')}_${b.line}.mjs`, outDir);
        // inside the package: `import 'netns-kit'` resolves to this package (self-reference)
        writeFileSync(file, programOf(b.code, { prefix, format: 'esm', lower: true }));
        for (const attempt of [1, 2]) {
          const r = await run(file.pathname);
          expect(r.stderr, `${where(b)}, run ${attempt}`).toBe('');
          expect(r.code, `${where(b)}, run ${attempt}: ${r.stdout}`).toBe(0);
        }
        const left = (() => {
          try {
            return readdirSync('/run/netns').filter((n) => n.startsWith(prefix));
          } catch {
            return [];
          }
        })();
        expect(left, `${where(b)} left namespaces behind`).toEqual([]);
      }, 150_000);
    }
  });
});
