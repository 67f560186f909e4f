/**
 * Aligned text tables for `netns-kit demo`.
 * @module
 */

/** Renders rows (the first one is the header) as aligned columns with a rule under the header. */
export function table(rows: readonly (readonly (string | number | undefined)[])[], indent = '  '): string[] {
  if (rows.length === 0) return [];
  const text = rows.map((r) => r.map((c) => (c === undefined || c === '' ? '-' : String(c))));
  const cols = Math.max(...text.map((r) => r.length));
  const widths = Array.from({ length: cols }, (_, i) => Math.max(...text.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]): string => `${indent}${r.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join('  ')}`.trimEnd();
  return [line(text[0]!), `${indent}${widths.map((w) => '─'.repeat(w)).join('  ')}`, ...text.slice(1).map(line)];
}
