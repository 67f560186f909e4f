/**
 * The code blocks of README.md and docs/*.md, and how the tests run them: each fenced block
 * is a program of its own (imports included); a block that is not one says so on its fence
 * line, with the reason: ```` ```ts no-run: a fragment of the block above ````.
 */
import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';

/** One fenced code block. */
export interface DocBlock {
  /** `README.md`, `docs/links.md`. */
  file: string;
  /** line of the opening fence (1-based). */
  line: number;
  /** the nearest heading above it. */
  heading: string;
  /** the fence's language (`ts`, `js`, `sh`, `text`, …). */
  lang: string;
  /** why it is not run, when the fence says `no-run: reason`. */
  noRun?: string;
  /** the fence says `no-run` without a reason. */
  noRunWithoutReason?: boolean;
  code: string;
}

/** Languages a block is run in (as an ES module, TypeScript compiled first). */
export const RUNNABLE = new Set(['ts', 'js', 'mjs', 'typescript', 'javascript']);

const root = new URL('../../', import.meta.url);

/** The Markdown files users read: README.md and docs/*.md. */
export function docFiles(): string[] {
  const docs = readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** Every fenced code block of a Markdown file. */
export function codeBlocks(file: string): DocBlock[] {
  const lines = readFileSync(new URL(file, root), 'utf8').split('\n');
  const out: DocBlock[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const h = /^#{1,6}\s+(.*)$/.exec(l);
    if (h) heading = h[1]!;
    const fence = /^(\s*)(```+)\s*([^\s`]*)\s*(.*)$/.exec(l);
    if (!fence) continue;
    const [, indent, ticks, lang, rest] = fence;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^\\s*${ticks}\\s*$`).test(lines[j]!)) body.push(lines[j++]!.slice(indent!.length));
    const noRun = /^no-run(?::\s*(.+))?$/.exec(rest!.trim());
    out.push({
      file,
      line: i + 1,
      heading,
      lang: lang || 'text',
      ...(noRun ? (noRun[1] ? { noRun: noRun[1] } : { noRunWithoutReason: true }) : {}),
      code: body.join('\n'),
    });
    i = j;
  }
  return out;
}

/**
 * The block as a program for a test run: the namespaces it creates by name get `prefix`
 * (throwaway names this run removes if the program does not), and it is compiled for `format`
 * with TypeScript when `lower` (types removed; `await using` turned into try/finally, for
 * Node versions without it). CommonJS wraps the program in an async function (no top-level
 * await there) and turns imports into require().
 */
export function programOf(code: string, opts: { prefix: string; format: 'esm' | 'cjs'; lower: boolean }): string {
  const names = new Set([...code.matchAll(/Namespace\.create\('([\w.-]+)'/g)].map((m) => m[1]!));
  let src = code;
  for (const n of names) src = src.replaceAll(`'${n}'`, `'${opts.prefix}${n}'`);
  if (opts.format === 'cjs') {
    const imports: string[] = [];
    src = src.replace(/^import .*;$/gm, (m) => {
      imports.push(m);
      return '';
    });
    src = `${imports.join('\n')}\nexport {};\n(async () => {\n${src}\n})().catch((e) => { console.error(e); process.exitCode = 1; });\n`;
  }
  if (!opts.lower && opts.format === 'esm') return src;
  return ts.transpileModule(src, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: opts.format === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
      esModuleInterop: false,
      verbatimModuleSyntax: false,
    },
  }).outputText;
}
