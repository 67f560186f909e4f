#!/usr/bin/env node
/**
 * What `import { Namespace } from 'netns-kit'` costs a program (`npm run bench:import`): a
 * fresh Node process per sample, importing the package by its name (resolved through
 * package.json's exports, as a user's program does: the bundle dist/bundle/), against a
 * process that imports only the Node built-ins the package loads at import (the baseline,
 * which a program pays anyway). Wall time and CPU time (user + system) of the import itself,
 * median of N samples; the goal is the package's own share (import − baseline, wall) under
 * 20 ms. Rows for `--disallow-code-generation-from-strings`, for the first decode, and — for
 * reference — for the compiled modules unbundled (dist/index.js, what the package shipped
 * before the bundle) and for a program run with NODE_COMPILE_CACHE (Node ≥ 22.1). Samples of the rows are taken in turn, so that a change of load on
 * the machine hits every row alike.
 *
 * Runs on this Node and on the official Node 22 and 24 in ~/.cache/netns-kit/node
 * (NETNS_KIT_NODES; filled by .ci/nodes.sh) when they are there.
 *
 *   npm run bench:import              21 samples each
 *   npm run bench:import -- --samples 51
 *   npm run bench:import -- --only 20  this Node only (or 22, 24)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const samples = Number(arg('--samples') ?? 21);
const only = arg('--only');
const GOAL_MS = 20;

const probe = (what) => `
  const c = process.cpuUsage(); const t = performance.now();
  ${what}
  const u = process.cpuUsage(c);
  console.log(JSON.stringify({ wall: performance.now() - t, cpu: (u.user + u.system) / 1000 }));`;

// what the bundle imports from Node at load (the rest is loaded on first use)
const BUILTINS = ['node:events', 'node:fs', 'node:fs/promises', 'node:module', 'node:path', 'node:url', 'node:util'];
// an RTM_NEWLINK message (ifindex 1, IFLA_IFNAME "eth")
const LINK_MSG = "{ type: 16, flags: 2, seq: 0, pid: 0, buf: Buffer.from('28000000100002000000000000000000000004030100000049000000000000000700030065746800', 'hex'), start: 16, end: 40 }";
const unbundled = JSON.stringify(`${root}dist/index.js`);
const cacheDir = mkdtempSync(join(tmpdir(), 'netns-kit-compile-cache-'));
process.on('exit', () => rmSync(cacheDir, { recursive: true, force: true }));

const cases = [
  ['Node built-ins the package loads (baseline)', [], probe(BUILTINS.map((b) => `await import('${b}');`).join(' '))],
  ["import { Namespace } from 'netns-kit'", [], probe("const { Namespace } = await import('netns-kit');")],
  // the namespace part alone: the same class, without the code of links, routes, events, networks, nf_tables
  ["import { Namespace } from 'netns-kit/namespace'", [], probe("const { Namespace } = await import('netns-kit/namespace');")],
  ['… and first decode (Link codecs compiled)', [], probe(`const { Link } = await import('netns-kit'); try { Link.fromMessage({ name: 'x', fd: -1 }, ${LINK_MSG}); } catch {}`)],
  ['… with --disallow-code-generation-from-strings', ['--disallow-code-generation-from-strings'], probe("const { Namespace } = await import('netns-kit');")],
  ['(reference) the compiled modules unbundled, dist/index.js', [], probe(`const { Namespace } = await import(${unbundled});`)],
  // what a program started with NODE_COMPILE_CACHE gets (Node ≥ 22.1; Node 20 ignores it): V8's code cache of the bundle, kept warm by the previous sample
  ['(reference) … with NODE_COMPILE_CACHE, a warm cache', [], probe("const { Namespace } = await import('netns-kit');"), { NODE_COMPILE_CACHE: cacheDir }],
];

const cache = process.env.NETNS_KIT_NODES ?? join(homedir(), '.cache/netns-kit/node');
const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
const nodes = [{ major: Number(process.versions.node.split('.')[0]), bin: process.execPath }];
for (const major of [22, 24]) {
  const bin = join(cache, String(major), 'node_modules', `node-linux-${arch}`, 'bin', 'node');
  if (major !== nodes[0].major && existsSync(bin)) nodes.push({ major, bin });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (const { major, bin } of nodes) {
  if (only && String(major) !== only) continue;
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  console.log(`\nimport cost, Node ${version}, ${samples} fresh processes per row, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  const runs = cases.map(() => []);
  for (let i = 0; i < samples; i++) {
    cases.forEach(([, flags, code, env], k) => {
      // cwd: the package root, so that 'netns-kit' resolves to this package (self-reference through "exports")
      const run = () => JSON.parse(execFileSync(bin, [...flags, '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } }));
      if (env && i === 0) run(); // fills the cache
      runs[k].push(run());
    });
  }
  console.log('| what | wall ms (median) | CPU ms (median) | min wall ms |');
  console.log('| --- | ---: | ---: | ---: |');
  const rows = cases.map(([name], k) => {
    const r = runs[k];
    const row = { name, wall: median(r.map((x) => x.wall)), cpu: median(r.map((x) => x.cpu)), min: Math.min(...r.map((x) => x.wall)) };
    console.log(`| ${name} | ${row.wall.toFixed(1)} | ${row.cpu.toFixed(1)} | ${row.min.toFixed(1)} |`);
    return row;
  });
  const [base, whole, part] = rows;
  const share = (r) => r.wall - base.wall;
  const ref = rows[5].wall - base.wall;
  console.log(`\nnetns-kit's own share (import − baseline): ${share(whole).toFixed(1)} ms wall, ${(whole.cpu - base.cpu).toFixed(1)} ms CPU from 'netns-kit' (every part); ${share(part).toFixed(1)} ms wall, ${(part.cpu - base.cpu).toFixed(1)} ms CPU from 'netns-kit/namespace'; unbundled: ${ref.toFixed(1)} ms wall (${(ref / share(whole)).toFixed(1)}× the bundle's)`);
  for (const [r, from] of [
    [part, 'netns-kit/namespace'],
    [whole, 'netns-kit'],
  ])
    results.push({ major, from, own: share(r), met: share(r) < GOAL_MS });
}
console.log('');
for (const r of results) console.log(`${r.met ? 'MET ' : 'MISSED'} Node ${r.major}: import { Namespace } from '${r.from}' under ${GOAL_MS} ms over the baseline: ${r.own.toFixed(1)} ms`);
