/**
 * The package as users get it: `npm pack` (in a copy of this checkout, so its dist/ and
 * build/ are not touched while other tests use them) makes the tarball — dist/ rebuilt from
 * scratch, prebuilt binaries for linux x64 and arm64 — which an empty project installs with
 * **no compiler on PATH**. Then the README's quickstart runs from an .mjs and from a .cjs
 * file, twice in a row each, on every Node version the package supports that is installed
 * here: this process's Node, and Node 22 and 24 from the cache filled by .ci/nodes.sh
 * (NETNS_KIT_NODES, default ~/.cache/netns-kit/node). And with the addon gone, the CLI's
 * help still works and the first call names the command that builds it.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Namespace } from '../../src/index.js';
import { codeBlocks, programOf } from '../helpers/docs.js';
import { PREFIX, rootSkip, skipReason } from '../helpers/env.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
const cache = process.env.NETNS_KIT_NODES ?? join(homedir(), '.cache/netns-kit/node');

/** Node binaries to test with: this one, and 22 / 24 from the cache. */
function nodes(): { major: number; bin: string | undefined }[] {
  const own = Number(process.versions.node.split('.')[0]);
  const out = [{ major: own, bin: process.execPath as string | undefined }];
  for (const major of [20, 22, 24]) {
    if (major === own) continue;
    const bin = join(cache, String(major), 'node_modules', `node-linux-${arch}`, 'bin', 'node');
    out.push({ major, bin: existsSync(bin) ? bin : undefined });
  }
  return out.sort((a, b) => a.major - b.major);
}

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number; input?: string }): Promise<{ code: number; stdout: string; stderr: string }> {
  const { input, ...o } = opts;
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { ...o, encoding: 'utf8', maxBuffer: 1 << 24, timeout: opts.timeout ?? 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr }),
    );
    child.stdin!.on('error', () => undefined); // a program that exits without reading its input
    child.stdin!.end(input ?? '');
  });
}

/** musl's dynamic loader (Debian package musl), used to check the musl binary's symbols. */
const MUSL_LOADER = '/lib/ld-musl-x86_64.so.1';

/** Does this 64-bit ELF executable name a dynamic loader (a PT_INTERP program header)? */
function hasInterpreter(elf: Buffer): boolean {
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const size = elf.readUInt16LE(0x36);
  const count = elf.readUInt16LE(0x38);
  for (let i = 0; i < count; i++) if (elf.readUInt32LE(phoff + i * size) === 3) return true;
  return false;
}

const quickstart = codeBlocks('README.md').find((b) => b.heading === 'Quickstart' && b.lang === 'js' && b.noRun === undefined);
const hasAsyncDispose = typeof (Namespace.prototype as unknown as Record<symbol, unknown>)[Symbol.asyncDispose] === 'function';

describe.skipIf(!!rootSkip)('the packed package, installed without a compiler', () => {
  let tmp: string;
  let tarball: string;
  let app: string;
  /** PATH with node, npm and sh only: no cc, g++, make or python3. */
  let bare: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'netns-kit-pack-'));
    // a copy of the checkout: what git tracks plus new files, without build products
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' }).split('\0').filter(Boolean);
    const src = join(tmp, 'src');
    for (const f of files) {
      if (!existsSync(join(repo, f))) continue;
      mkdirSync(dirname(join(src, f)), { recursive: true });
      cpSync(join(repo, f), join(src, f));
    }
    symlinkSync(join(repo, 'node_modules'), join(src, 'node_modules'));
    const packed = await run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: src, timeout: 400_000 });
    expect(packed.code, packed.stderr).toBe(0);
    tarball = join(tmp, JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')))[0].filename);

    bare = join(tmp, 'bin');
    mkdirSync(bare);
    symlinkSync(process.execPath, join(bare, 'node'));
    symlinkSync('/bin/sh', join(bare, 'sh')); // npm runs lifecycle scripts with sh
    const npmCli = execFileSync('sh', ['-c', 'readlink -f "$(command -v npm)"'], { encoding: 'utf8' }).trim();
    symlinkSync(npmCli, join(bare, 'npm'));
    app = join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  }, 600_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the tarball: dist/ without maps or stale modules, prebuilt binaries, LICENSE, only files that exist', () => {
    const list = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    expect(list.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'binding.gyp', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/bin.js']) expect(list).toContain(f);
    expect(list).toContain('prebuilds/linux-x64/netns-kit.glibc.node');
    // the fast CNI plugin beside each addon: a static executable (no interpreter: glibc and musl alike)
    const shim = execFileSync('tar', ['-xzOf', tarball, 'package/prebuilds/linux-x64/netns-kit-cni']);
    expect(shim.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(hasInterpreter(shim)).toBe(false);
    expect(execFileSync('tar', ['-tvzf', tarball, 'package/prebuilds/linux-x64/netns-kit-cni'], { encoding: 'utf8' })).toMatch(/^-rwx/);
    if (list.includes('prebuilds/linux-arm64/netns-kit.glibc.node')) {
      const file = execFileSync('tar', ['-xzOf', tarball, 'package/prebuilds/linux-arm64/netns-kit.glibc.node']);
      expect(file.subarray(18, 20).readUInt16LE(0)).toBe(183); // ELF e_machine: EM_AARCH64
      const armShim = execFileSync('tar', ['-xzOf', tarball, 'package/prebuilds/linux-arm64/netns-kit-cni']);
      expect(armShim.subarray(18, 20).readUInt16LE(0)).toBe(183);
      if (list.includes('prebuilds/linux-arm64/netns-kit.musl.node')) {
        expect(execFileSync('tar', ['-xzOf', tarball, 'package/prebuilds/linux-arm64/netns-kit.musl.node']).subarray(18, 20).readUInt16LE(0)).toBe(183);
      }
    } else {
      skipReason('no linux-arm64 prebuilt binary in this tarball: aarch64-linux-gnu-g++ is not installed (apt-get install g++-aarch64-linux-gnu)');
    }
    // musl (Alpine): cross-compiled with Zig from the npm registry (native/prebuilds.sh)
    if (list.includes('prebuilds/linux-x64/netns-kit.musl.node')) {
      const musl = join(tmp, 'netns-kit.musl.node');
      writeFileSync(musl, execFileSync('tar', ['-xzOf', tarball, 'package/prebuilds/linux-x64/netns-kit.musl.node']));
      if (existsSync(MUSL_LOADER)) {
        // musl's own loader resolves every symbol but those Node provides (N-API, libuv): no glibc, no libstdc++ needed
        const r = spawnSync(MUSL_LOADER, ['--list', musl], { encoding: 'utf8' });
        const missing = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /symbol not found/.test(l));
        expect(missing.length).toBeGreaterThan(0);
        expect(missing.filter((l) => !/: (napi_|uv_)\w+: symbol not found/.test(l))).toEqual([]);
        expect(r.stdout).not.toMatch(/not found|libstdc\+\+|libc\.so\.6/);
      } else {
        skipReason(`the musl binary's symbols are not checked: ${MUSL_LOADER} is missing (apt-get install musl)`);
      }
    } else {
      skipReason('no musl prebuilt binary in this tarball: Zig could not be installed (native/prebuilds.sh)');
    }
    // every module in dist/ comes from a source file: nothing stale survives a rebuild
    const srcModules = new Set(execFileSync('git', ['ls-files', 'src'], { cwd: repo, encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.ts')).map((f) => f.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js')));
    // (dist/cni-bundle/ is the CNI plugin's single-file bundle and dist/bundle/ the entries' bundle
    // that package.json points at, both made from dist/ by esbuild)
    expect(list.filter((f) => f.startsWith('dist/') && !f.startsWith('dist/cni-bundle/') && !f.startsWith('dist/bundle/') && f.endsWith('.js') && !srcModules.has(f))).toEqual([]);
    for (const f of ['dist/bundle/index.js', 'dist/bundle/namespace.js', 'dist/bundle/netlink.js', 'dist/bundle/testing.js', 'dist/bundle/cli.js']) expect(list).toContain(f);
    // every entry of `files` matches something
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { files: string[] };
    for (const entry of pkg.files) {
      const re = new RegExp(`^${entry.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}(/|$)`);
      expect(list.some((f) => re.test(f)), `files entry ${entry}`).toBe(true);
    }
  });

  it('an empty project installs it with no compiler on PATH, and nothing is compiled', async () => {
    const env = { ...process.env, PATH: bare };
    for (const tool of ['cc', 'gcc', 'g++', 'c++', 'make', 'python3']) {
      expect((await run('sh', ['-c', `command -v ${tool}`], { cwd: app, env })).code, `${tool} must not be on PATH`).not.toBe(0);
    }
    const r = await run('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: app, env, timeout: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(app, 'node_modules/netns-kit/dist/index.js'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/netns-kit/build'))).toBe(false); // the prebuilt binary is used
    // the fast CNI plugin, linked into a plugin directory; with no daemon it runs the Node plugin
    const bin = join(app, 'cni-bin');
    mkdirSync(bin);
    const inst = await run(join(app, 'node_modules/.bin/netns-kit-cni'), ['install', bin], { cwd: app, env });
    expect([inst.code, inst.stderr]).toEqual([0, '']);
    expect(realpathSync(join(bin, 'netns-kit-bridge'))).toBe(realpathSync(join(app, `node_modules/netns-kit/prebuilds/linux-${arch}/netns-kit-cni`)));
    const v = await run(join(bin, 'netns-kit-bridge'), [], { cwd: app, env: { ...env, CNI_COMMAND: 'VERSION', NETNS_KIT_CNI_SOCKET: join(app, 'no-daemon.sock') }, input: '{"cniVersion":"1.0.0"}' });
    expect([v.code, v.stderr]).toEqual([0, '']);
    expect(JSON.parse(v.stdout).supportedVersions).toContain('1.1.0');
  }, 400_000);

  for (const { major, bin } of nodes()) {
    const why = bin === undefined
      ? skipReason(`Node ${major} is not installed here: bash .ci/nodes.sh installs Node 22 and 24 from the npm registry into ${cache}`)
      : !hasAsyncDispose
        ? skipReason('Namespace has no Symbol.asyncDispose in this build: the README quickstart (await using) cannot run')
        : undefined;
    it.skipIf(!!why)(`Node ${major}: the README quickstart runs from .mjs and .cjs, twice in a row each`, async () => {
      expect(quickstart, 'the README has a js quickstart block').toBeDefined();
      const prefix = `${PREFIX}qs${major}-`;
      // Node 24 runs `await using` as written; 20 and 22 need it compiled (what the README says)
      writeFileSync(join(app, `quickstart${major}.mjs`), programOf(quickstart!.code, { prefix: `${prefix}m-`, format: 'esm', lower: major < 24 }));
      writeFileSync(join(app, `quickstart${major}.cjs`), programOf(quickstart!.code, { prefix: `${prefix}c-`, format: 'cjs', lower: true }));
      const cjs = readFileSync(join(app, `quickstart${major}.cjs`), 'utf8');
      expect(cjs).toMatch(/require\("netns-kit"\)/);
      expect(cjs).not.toMatch(/^import /m);
      for (const file of [`quickstart${major}.mjs`, `quickstart${major}.cjs`]) {
        for (const attempt of [1, 2]) {
          const r = await run(bin!, [file], { cwd: app, env: { ...process.env, PATH: bare } });
          expect(r.stderr, `${file}, run ${attempt}`).toBe('');
          expect([r.code, r.stdout], `${file}, run ${attempt}`).toEqual([0, 'red → blue: hello\n']);
        }
      }
      expect(readdirSync('/run/netns').filter((n) => n.startsWith(prefix))).toEqual([]);
    }, 120_000);
  }

  it('the entry points share their classes: netns-kit/netlink\'s NetlinkConnection is the class of a Namespace\'s connection', async () => {
    const script = `const m = require('netns-kit'); const n = require('netns-kit/netlink'); m.Namespace.host().connection().then((c) => { console.log(c instanceof n.NetlinkConnection, c.constructor.name); c.close(); });`;
    const r = await run(process.execPath, ['-e', script], { cwd: app, env: { ...process.env, PATH: bare } });
    expect([r.code, r.stderr, r.stdout]).toEqual([0, '', 'true NetlinkConnection\n']);
    // netns-kit/namespace alone: the same Namespace class, working on its own
    const part = `import { Namespace } from 'netns-kit/namespace'; const m = await import('netns-kit'); const ns = Namespace.host(); const c = await ns.connection(); console.log(Namespace === m.Namespace, (await m.Link.list(ns)).some((l) => l.name === 'lo')); c.close();`;
    const p = await run(process.execPath, ['--input-type=module', '-e', part], { cwd: app, env: { ...process.env, PATH: bare } });
    expect([p.code, p.stderr, p.stdout]).toEqual([0, '', 'true true\n']);
  });

  it('without the addon: importing works, `netns-kit --help` works, the first call is an AddonMissingError naming the command', async () => {
    const env = { ...process.env, PATH: bare };
    const pkg = join(app, 'node_modules/netns-kit');
    renameSync(join(pkg, 'prebuilds'), join(pkg, 'prebuilds.off'));
    try {
      const help = await run(join(app, 'node_modules/.bin/netns-kit'), ['--help'], { cwd: app, env });
      expect([help.code, help.stderr]).toEqual([0, '']);
      expect(help.stdout).toMatch(/^Usage: netns-kit/);
      const script = `import('netns-kit').then(async (m) => { try { await m.Link.list(m.Namespace.host()); console.log('no error'); } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, isNk: e instanceof m.NetnsKitError, message: e.message })); } });`;
      const r = await run(process.execPath, ['-e', script], { cwd: app, env });
      expect(r.stderr).toBe('');
      const e = JSON.parse(r.stdout);
      expect(e).toMatchObject({ name: 'AddonMissingError', code: 'ERR_ADDON_MISSING', isNk: true });
      expect(e.message).toContain(`linux-${arch}`);
      expect(e.message).toContain('npm rebuild netns-kit');
      const cli = await run(join(app, 'node_modules/.bin/netns-kit'), ['link'], { cwd: app, env });
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(/^netns-kit: no native addon for linux-/);
    } finally {
      renameSync(join(pkg, 'prebuilds.off'), join(pkg, 'prebuilds'));
    }
  });
});
