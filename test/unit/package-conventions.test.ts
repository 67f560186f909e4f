/**
 * What a Node maintainer expects of the package, checked without privileges: require() and
 * import of both entry points (the built dist/, as users get it), the Node range in engines,
 * the metadata fields, the files the package lists, LICENSE / CHANGELOG / .editorconfig,
 * a lint script, and that importing loads no addon (so a missing one does not break the
 * import or `netns-kit --help`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const node = (args: string[], env: NodeJS.ProcessEnv = process.env): string =>
  execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });

describe('package conventions', () => {
  it('require() and import load both entry points, with no warning', () => {
    const cjs = execFileSync(process.execPath, ['-e', "const m = require('netns-kit'); const t = require('netns-kit/testing'); console.log(typeof m.Namespace, typeof t.Sandbox)"], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(cjs).toBe('function function\n');
    expect(node(['--input-type=module', '-e', "const m = await import('netns-kit'); const t = await import('netns-kit/testing'); console.log(typeof m.Namespace, typeof t.Sandbox)"])).toBe('function function\n');
    for (const entry of ['.', './namespace', './testing']) expect(Object.keys(pkg.exports[entry])).toEqual(['types', 'default']);
  });

  it('netns-kit/namespace exports the very classes of the root entry (one copy of each), and loads a part of its code', () => {
    const script = `const root = require('netns-kit'); const part = require('netns-kit/namespace');
      const names = Object.keys(part);
      const differ = names.filter((k) => root[k] !== part[k]);
      console.log(JSON.stringify({ names: names.sort(), differ }));`;
    const { names, differ } = JSON.parse(node(['-e', script]));
    expect(differ).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['Namespace', 'Sysctl', 'Netconf', 'NetnsKitError', 'SystemError', 'ValidationError']));
    // what each entry makes Node read: the bundle files it imports, followed to the end (static imports only)
    const closure = (file: string, seen = new Map<string, number>()): Map<string, number> => {
      const text = readFileSync(new URL(`dist/bundle/${file}`, root), 'utf8');
      seen.set(file, text.length);
      for (const m of text.matchAll(/(?:from|import)\s*"\.\/([\w-]+\.js)"/g)) if (!seen.has(m[1])) closure(m[1], seen);
      return seen;
    };
    const size = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
    const part = closure('namespace.js');
    const whole = closure('index.js');
    // one copy of the code: the part's chunks are the root's
    expect([...part.keys()].filter((f) => f !== 'namespace.js' && !whole.has(f))).toEqual([]);
    expect(size(part)).toBeLessThan(size(whole) / 3);
  });

  it('the bundle the entries load keeps the names: every exported class and function is called as exported, errors name themselves', () => {
    const script = `const out = [];
      for (const entry of ['netns-kit', 'netns-kit/namespace', 'netns-kit/netlink', 'netns-kit/testing']) {
        const m = require(entry);
        for (const [k, v] of Object.entries(m)) if (typeof v === 'function' && v.name !== k) out.push(entry + ' ' + k + ' is called ' + v.name);
      }
      const m = require('netns-kit');
      const e = new m.ValidationError('x', 1, 'bad');
      out.push(e.name, new m.TimeoutError('t', 1).name, String(e instanceof m.NetnsKitError));
      console.log(out.join(', '));`;
    expect(node(['-e', script])).toBe('ValidationError, TimeoutError, true\n');
  });

  it('engines states the Node versions with require(esm); metadata a registry shows', () => {
    expect(pkg.engines.node).toBe('^20.19.0 || >=22.12.0');
    expect(pkg.license).toBe('MIT');
    expect(pkg.keywords).toEqual(expect.arrayContaining(['netns', 'netlink', 'rtnetlink']));
    expect(pkg.scripts.lint).toMatch(/biome lint/);
    expect(pkg.scripts.install).toBe('node-gyp-build');
    expect(pkg.dependencies['node-gyp-build']).toBeDefined();
    for (const f of ['LICENSE', 'CHANGELOG.md', '.editorconfig', 'biome.json']) expect(existsSync(new URL(f, root)), f).toBe(true);
    expect(readFileSync(new URL('LICENSE', root), 'utf8')).toMatch(/^MIT License/);
  });

  it('importing loads no native addon; the first call does', () => {
    const maps = "(await import('node:fs')).readFileSync('/proc/self/maps', 'utf8').split('\\n').some((l) => /\\.node$/.test(l))";
    const out = node(['--input-type=module', '-e', `const m = await import('netns-kit'); const before = ${maps}; try { await m.Link.list(m.Namespace.host()); } catch {} console.log(before, ${maps});`]);
    expect(out).toBe('false true\n');
  });
});
