/**
 * Gives every test run a unique namespace-name prefix and, at the end, removes any
 * namespace still carrying it (a test that failed to clean up must not leak).
 * Before the run, brings the compiled JavaScript up to date when a source is newer
 * (dist/ for the CLI tests, which run dist/cli/bin.js, with the bundles made from it: dist/bundle/,
 * what package.json points at, and dist/cni-bundle/; dist-examples/ for the examples run as
 * programs).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time of the files under `dir` ending in `ext` (0 if none). */
function newest(dir: string, ext: string): number {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, ext));
    else if (e.name.endsWith(ext)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function buildIfStale(): void {
  const tsc = join('node_modules', '.bin', 'tsc');
  const srcChanged = newest('src', '.ts') > newest('dist', '.js') || !existsSync('dist/cli/bin.js');
  if (srcChanged) execFileSync(tsc, ['-p', 'tsconfig.json'], { stdio: 'inherit' });
  // the CNI plugin's single-file bundle (what `netns-kit-cni` loads), from dist/
  if (srcChanged || newest('dist', '.js') > newest('dist/cni-bundle', '.js')) execFileSync('npm', ['run', '--silent', 'build:cni'], { stdio: 'inherit' });
  // the bundle package.json's exports and bin point at (what `import 'netns-kit'` loads), from dist/
  if (srcChanged || newest('dist', '.js') > newest('dist/bundle', '.js')) execFileSync('npm', ['run', '--silent', 'build:bundle'], { stdio: 'inherit' });
  if (srcChanged || newest('examples', '.ts') > newest('dist-examples', '.js')) execFileSync(tsc, ['-p', 'examples/tsconfig.json'], { stdio: 'inherit' });
}

export default function setup(): () => void {
  buildIfStale();
  const prefix = `nkt${Date.now().toString(36).slice(-5)}${process.pid.toString(36)}-`;
  process.env.NETNS_KIT_TEST_PREFIX = prefix;
  // network records of this run (BridgeNetwork, CNI) live in a directory of their own, removed at the end
  const stateDir = `/run/netns-kit/test-${prefix.slice(0, -1)}`;
  process.env.NETNS_KIT_STATE_DIR = stateDir;
  return () => {
    rmSync(stateDir, { recursive: true, force: true });
    let names: string[] = [];
    try {
      names = readdirSync('/run/netns').filter((n) => n.startsWith(prefix));
    } catch {
      return;
    }
    for (const n of names) {
      try {
        execFileSync('ip', ['netns', 'delete', n], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    }
    if (names.length > 0) console.warn(`[global teardown] removed ${names.length} leftover namespace(s): ${names.join(' ')}`);
  };
}
