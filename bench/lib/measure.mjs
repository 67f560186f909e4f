/**
 * Timing, repetitions and the results table. Every number is a median over repetitions
 * of one run; peers are measured in the same run, interleaved with netns-kit (rep 1: all
 * implementations, rep 2: all implementations, …), so load from other processes on the
 * machine hits them alike. Ratios are netns-kit / peer: below 1 means netns-kit is faster.
 */

/** Microseconds since `t0` (a process.hrtime.bigint()). */
export function since(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e3;
}

/**
 * Runs fn and returns [µs, its result]. The heap is not collected first: a forced full
 * collection makes V8 shrink the young generation, and the next allocation-heavy operation
 * then pays for many small scavenges — a cost no real program has. Each library runs in a
 * worker process of its own, so it only meets its own garbage (see worker.mjs).
 */
export async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const out = await fn();
  return [since(t0), out];
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Collected results of a run. */
export class Results {
  rows = new Map(); // key -> row
  /** while true (warm-up repetitions), record() keeps nothing. */
  warming = false;

  /**
   * Records one repetition: `us` microseconds for `count` operations of `op` by `impl`.
   * `ref` marks netns-kit's row that the peers of the op are compared with.
   */
  record(workload, op, impl, us, count, opts = {}) {
    if (this.warming) return;
    // a measurement may carry CPU time: { us, cpuUs }
    let cpuUs = opts.cpuUs;
    if (typeof us === 'object') {
      cpuUs = us.cpuUs;
      us = us.us;
    }
    const key = `${workload}\u0000${op}\u0000${impl}`;
    let row = this.rows.get(key);
    if (!row) {
      row = { workload, op, impl, count, ref: !!opts.ref, note: opts.note, samples: [], totals: [], cpu: [], extra: {} };
      this.rows.set(key, row);
    }
    row.samples.push(us / count);
    if (cpuUs !== undefined) row.cpu.push(cpuUs / count);
    row.totals.push(us);
    for (const [k, v] of Object.entries(opts.extra ?? {})) (row.extra[k] ??= []).push(v);
  }

  /** Marks an implementation as not applicable to an operation (with the reason). */
  notApplicable(workload, op, impl, reason) {
    const key = `${workload}\u0000${op}\u0000${impl}`;
    this.rows.set(key, { workload, op, impl, count: 0, ref: false, note: reason, samples: [], totals: [], cpu: [], extra: {}, na: true });
  }

  /** Rows with their statistics and ratio to the op's netns-kit reference. */
  summary() {
    // rows of one operation together (in the order operations first appeared), netns-kit first
    const order = new Map();
    for (const r of this.rows.values()) {
      const g = `${r.workload}\u0000${r.op}`;
      if (!order.has(g)) order.set(g, order.size);
    }
    const sorted = [...this.rows.values()].sort((a, b) => {
      const ga = order.get(`${a.workload}\u0000${a.op}`);
      const gb = order.get(`${b.workload}\u0000${b.op}`);
      return ga !== gb ? ga - gb : Number(b.ref) - Number(a.ref);
    });
    const rows = sorted.map((r) => ({
      ...r,
      median: median(r.samples),
      min: Math.min(...r.samples),
      max: Math.max(...r.samples),
      totalMs: median(r.totals) / 1e3,
      cpuMedian: r.cpu.length ? median(r.cpu) : undefined,
      extraMedian: Object.fromEntries(Object.entries(r.extra).map(([k, v]) => [k, median(v)])),
    }));
    for (const r of rows) {
      const ref = rows.find((x) => x.workload === r.workload && x.op === r.op && x.ref);
      r.ratio = ref && !r.ref && !r.na ? ref.median / r.median : undefined;
    }
    return rows;
  }
}

function fmt(us) {
  if (!Number.isFinite(us)) return '—';
  if (us >= 100000) return `${(us / 1000).toFixed(0)} ms`;
  if (us >= 10000) return `${(us / 1000).toFixed(1)} ms`;
  if (us >= 100) return us.toFixed(0);
  if (us >= 10) return us.toFixed(1);
  return us.toFixed(2);
}

/** The results as a Markdown table (also readable in a terminal). */
export function table(summary) {
  const head = ['workload', 'operation', 'implementation', 'n', 'µs/op (median)', 'min–max', 'total (median)', 'netns-kit / peer', 'CPU µs/op', 'notes'];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map((h, i) => (i >= 3 && i <= 8 ? '---:' : '---')).join(' | ')} |`];
  let last = '';
  for (const r of summary) {
    const group = `${r.workload}\u0000${r.op}`;
    const first = group !== last;
    last = group;
    const notes = [r.note, ...Object.entries(r.extraMedian).map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(1)) : v}`)].filter(Boolean).join('; ');
    lines.push(
      `| ${first ? r.workload : ''} | ${first ? r.op : ''} | ${r.ref ? `**${r.impl}**` : r.impl} | ${r.na ? '' : r.count} | ${r.na ? 'n/a' : fmt(r.median)} | ${r.na ? '' : `${fmt(r.min)}–${fmt(r.max)}`} | ${r.na ? '' : r.totalMs >= 1000 ? `${(r.totalMs / 1000).toFixed(2)} s` : `${r.totalMs.toFixed(1)} ms`} | ${r.ratio === undefined ? '' : r.ratio.toFixed(2)} | ${r.cpuMedian === undefined ? '' : fmt(r.cpuMedian)} | ${notes} |`,
    );
  }
  return lines.join('\n');
}
