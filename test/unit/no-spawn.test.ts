/**
 * The library, the CLI and the examples never spawn a process: no file of src/, bin/ or
 * examples/ imports child_process (or reaches it through process.binding / createRequire).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : /\.(ts|js|mjs|cc|h)$/.test(e.name) ? [join(dir, e.name)] : []));
}

describe('nothing is spawned', () => {
  it('src/, bin/, examples/ and native/ never import child_process, exec or spawn', () => {
    const offenders = ['src', 'bin', 'examples', 'native']
      .flatMap(files)
      .filter((f) => /child_process|process\.binding\(\s*['"]spawn|\bexecve?p?\s*\(|\bfork\s*\(\s*\)|posix_spawn|\bsystem\s*\(/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
