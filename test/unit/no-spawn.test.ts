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

// The one exception: the CNI plugin runs the IPAM plugin a network configuration names
// (`"ipam": {"type": "dhcp"}`), as the CNI spec requires of a main plugin — only in this file,
// only when configured (host-local IPAM runs in-process).
const ALLOWED = new Set([join('src', 'cni', 'ipam', 'delegate.ts')]);

describe('nothing is spawned', () => {
  it('src/, bin/, examples/ and native/ never import child_process, exec or spawn (but the CNI IPAM delegation)', () => {
    const offenders = ['src', 'bin', 'examples', 'native']
      .flatMap(files)
      .filter((f) => !ALLOWED.has(f))
      .filter((f) => /child_process|process\.binding\(\s*['"]spawn|\bexecve?p?\s*\(|\bfork\s*\(\s*\)|posix_spawn|\bsystem\s*\(/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
