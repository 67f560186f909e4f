/**
 * Summarises the CPU profiles written with `npm run bench -- --cpu-prof`: for each label
 * (route-add, route-list, …) the functions with the most self time over every profile of
 * that label, and the share of garbage collection, of waiting (idle: the kernel works in
 * the writer thread or has not answered yet) and of native code ("program").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function summarize(dir, top = 12) {
  const byLabel = new Map();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const label = f.replace(/-\d+-\d+\.cpuprofile$/, '');
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const agg = byLabel.get(label) ?? { total: 0, self: new Map(), files: 0 };
    agg.files++;
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < p.samples.length; i++) {
      const cf = nodes.get(p.samples[i]).callFrame;
      const d = p.timeDeltas[i] ?? 0;
      const where = cf.url ? `${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}` : '';
      // Native functions (the addon's N-API calls and its receive loop, Buffer internals)
      // have no script; V8 names them all after one registered callback (e.g. "createTun").
      const native = cf.scriptId === '0' && !cf.functionName.startsWith('(');
      const key = native ? '(native code: addon calls, receive loop and its syscalls)' : `${cf.functionName || (where ? '(anonymous)' : '(generated codec)')}${where ? ` ${where}` : ''}`;
      agg.self.set(key, (agg.self.get(key) ?? 0) + d);
      agg.total += d;
    }
    byLabel.set(label, agg);
  }
  const out = [];
  for (const [label, agg] of byLabel) {
    out.push(`${label} (${agg.files} profiles, ${(agg.total / 1000).toFixed(0)} ms sampled):`);
    for (const [k, v] of [...agg.self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      out.push(`  ${((100 * v) / agg.total).toFixed(1).padStart(5)} %  ${k}`);
    }
  }
  return out.join('\n');
}
