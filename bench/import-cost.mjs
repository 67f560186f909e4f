#!/usr/bin/env node
/**
 * What `import { Namespace } from 'netns-kit'` costs a program (`npm run bench:import`): a
 * fresh Node process per sample, timing the import of the compiled package (dist/, as a user
 * gets it), against a process that imports only the Node built-ins the package uses (the
 * baseline every Node program pays). Wall time and CPU time (user + system) of the import
 * itself, median of N samples; `--disallow-code-generation-from-strings` measured too.
 *
 *   npm run bench:import              21 samples each
 *   npm run bench:import -- --samples 51
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const samples = process.argv.includes('--samples') ? Number(process.argv[process.argv.indexOf('--samples') + 1]) : 21;

const probe = (what) => `
  const c = process.cpuUsage(); const t = performance.now();
  ${what}
  const u = process.cpuUsage(c);
  console.log(JSON.stringify({ wall: performance.now() - t, cpu: (u.user + u.system) / 1000 }));`;

const cases = [
  ['Node built-ins only (baseline)', [], probe("await import('node:fs'); await import('node:net'); await import('node:events'); await import('node:module'); await import('node:util');")],
  ["import { Namespace } from 'netns-kit'", [], probe(`const { Namespace } = await import(${JSON.stringify(`${root}dist/index.js`)});`)],
  ["… and first decode (Link codecs compiled)", [], probe(`const { Link } = await import(${JSON.stringify(`${root}dist/index.js`)}); const { parseMessages } = await import(${JSON.stringify(`${root}dist/netlink/message.js`)});
    const m = parseMessages(Buffer.from('28000000100002000000000000000000000004030100000049000000000000000700030065746800', 'hex'))[0]; try { Link.fromMessage({ name: 'x', fd: -1 }, m); } catch {}`)],
  ["import { Namespace } with --disallow-code-generation-from-strings", ['--disallow-code-generation-from-strings'], probe(`const { Namespace } = await import(${JSON.stringify(`${root}dist/index.js`)});`)],
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`import cost, ${samples} fresh processes each, Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
console.log('| what | wall ms (median) | CPU ms (median) | min wall ms |');
console.log('| --- | ---: | ---: | ---: |');
const rows = [];
for (const [name, flags, code] of cases) {
  const r = [];
  for (let i = 0; i < samples; i++) r.push(JSON.parse(execFileSync(process.execPath, [...flags, '--input-type=module', '-e', code], { encoding: 'utf8' })));
  const row = { name, wall: median(r.map((x) => x.wall)), cpu: median(r.map((x) => x.cpu)), min: Math.min(...r.map((x) => x.wall)) };
  rows.push(row);
  console.log(`| ${name} | ${row.wall.toFixed(1)} | ${row.cpu.toFixed(1)} | ${row.min.toFixed(1)} |`);
}
console.log(`\nnetns-kit's own share (import − baseline): ${(rows[1].wall - rows[0].wall).toFixed(1)} ms wall, ${(rows[1].cpu - rows[0].cpu).toFixed(1)} ms CPU (goal: under 20 ms)`);
