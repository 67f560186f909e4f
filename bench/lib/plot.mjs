/**
 * A line chart as SVG, written by hand: one curve (the cost per operation as the work
 * grows) has a handful of points, which a few dozen lines of SVG draw exactly — no plotting
 * library to install, keep up to date and trust (the bench installs nothing beyond the
 * package's devDependencies), and the output is plain text that diffs well.
 *
 * lineChart({ title, xLabel, yLabel, series: [{ name, points: [[x, y], …] }] }) → SVG text.
 * The x axis is logarithmic (sizes grow ×10), the y axis linear from 0.
 */
const W = 640;
const H = 400;
const M = { l: 70, r: 40, t: 40, b: 60 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v) => (v === 0 ? '0' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** A "nice" step (1, 2 or 5 × 10^k) for about `n` ticks up to `max`. */
function step(max, n = 5) {
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw);
}

export function lineChart({ title, xLabel, yLabel, series }) {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const lx0 = Math.log10(Math.min(...xs));
  const lx1 = Math.max(Math.log10(Math.max(...xs)), lx0 + 1);
  const st = step(Math.max(...ys) * 1.1 || 1);
  const ymax = Math.ceil((Math.max(...ys) * 1.1 || 1) / st) * st;
  const px = (x) => M.l + ((Math.log10(x) - lx0) / (lx1 - lx0)) * (W - M.l - M.r);
  const py = (y) => H - M.b - (y / ymax) * (H - M.t - M.b);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
  for (let y = 0; y <= ymax + st / 2; y += st) {
    out.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${M.l - 6}" y="${py(y) + 4}" text-anchor="end">${fmt(y)}</text>`);
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${M.t}" y2="${H - M.b}" stroke="#eee"/>`);
    out.push(`<text x="${px(x)}" y="${H - M.b + 16}" text-anchor="middle">${x.toLocaleString('en')}</text>`);
  }
  out.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${H - M.b}" y2="${H - M.b}" stroke="black"/>`);
  out.push(`<line x1="${M.l}" x2="${M.l}" y1="${M.t}" y2="${H - M.b}" stroke="black"/>`);
  out.push(`<text x="${(M.l + W - M.r) / 2}" y="${H - 18}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of pts) {
      out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3.5" fill="${c}"><title>${esc(`${s.name}: ${x.toLocaleString('en')} → ${fmt(y)}`)}</title></circle>`);
    }
    out.push(`<rect x="${M.l + 12}" y="${M.t + 6 + i * 18}" width="12" height="3" fill="${c}"/>`);
    out.push(`<text x="${M.l + 30}" y="${M.t + 11 + i * 18}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
