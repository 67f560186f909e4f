/**
 * The library, the CLI (src/cli/, compiled to the `netns-kit` command) and the examples never
 * spawn a process: no file of src/, examples/ or native/ imports child_process (or reaches it through process.binding / createRequire).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : /\.(ts|js|mjs|cc|c|h)$/.test(e.name) ? [join(dir, e.name)] : []));
}

// The one exception: the CNI plugin runs the IPAM plugin a network configuration names
// (`"ipam": {"type": "dhcp"}`), as the CNI spec requires of a main plugin — only in this file,
// only when configured (host-local IPAM runs in-process).
// And the fast CNI plugin (a small C program, not the library) that, when no daemon listens,
// replaces itself with the Node plugin (execv: the same process, no new one).
const ALLOWED = new Set([join('src', 'cni', 'ipam', 'delegate.ts'), join('native', 'cni_shim.c')]);

describe('nothing is spawned', () => {
  it('src/ (with src/cli/), examples/ and native/ never import child_process, exec or spawn (but the CNI IPAM delegation and the fast plugin turning into the Node plugin)', () => {
    const offenders = ['src', 'examples', 'native']
      .flatMap(files)
      .filter((f) => !ALLOWED.has(f))
      .filter((f) => /child_process|process\.binding\(\s*['"]spawn|\bexecve?p?\s*\(|\bfork\s*\(\s*\)|posix_spawn|\bsystem\s*\(/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
    // the fast plugin's one exec is of the Node plugin, nothing else
    const shim = readFileSync(join('native', 'cni_shim.c'), 'utf8');
    expect(shim.match(/\b(?:f?exec[lv]p?e?)\s*\(/g)).toEqual(["execv("]);
    expect(shim).not.toMatch(/\bfork\s*\(|posix_spawn|\bsystem\s*\(|popen/);
  });

  it('the command is compiled from src/cli/ (no hand-written bin/ file)', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
    // the bundle of dist/cli/bin.js (tsc's output of src/cli/bin.ts), made by `npm run build:bundle`
    expect(pkg.bin['netns-kit']).toBe('./dist/bundle/cli.js');
    expect(pkg.scripts['build:bundle']).toContain('esbuild cli=dist/cli/bin.js ');
    expect(readFileSync('src/cli/bin.ts', 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
