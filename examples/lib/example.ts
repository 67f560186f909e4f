/**
 * What every example shares: how it runs as a program (`node dist-examples/NAME.js`) and as
 * a function (the integration tests call it), how it prints, and its throwaway namespaces.
 * The traffic itself (echo servers and clients inside namespaces) is `netns-kit/testing`.
 */
import { pathToFileURL } from 'node:url';
import { Sandbox } from 'netns-kit/testing';
import type { EchoResult } from 'netns-kit/testing';

/** Options every example takes when called as a function. */
export interface ExampleOptions {
  /** namespace-name prefix (default: unique per run, `nk-<pid>-<random>-`). */
  prefix?: string;
  /** where the example prints (default: nowhere when called as a function, stdout as a program). */
  log?: (line: string) => void;
  /** remove everything and exit on Ctrl-C / SIGTERM (programs: yes; tests: no). */
  handleSignals?: boolean;
}

/** What every example returns: its connectivity report. */
export interface ExampleResult {
  /** echo exchanges that must succeed, in order. */
  checks: EchoResult[];
  /** echo exchanges that must fail (isolation, `lo` still down, …), in order. */
  blocked: EchoResult[];
}

/** The sandbox and printer an example body works with. */
export interface ExampleContext {
  /** throwaway namespaces and cleanup actions, undone at the end / on error / on Ctrl-C. */
  sandbox: Sandbox;
  /** prints one line. */
  log: (line: string) => void;
  /** prints a heading. */
  step: (title: string) => void;
  /** prints rows as an aligned table (first row: headers). */
  table: (rows: (string | number | undefined)[][]) => void;
  /** records an exchange that must succeed, printed as `✔ tcp ns1 → 10.0.0.2:8080 "hello"`. */
  check: (r: EchoResult) => EchoResult;
  /** records an exchange that must fail, printed as `✔ blocked: tcp a → 10.2.0.2:7000 (EHOSTUNREACH)`. */
  blocked: (r: EchoResult) => EchoResult;
}

/** Runs an example body in a sandbox, removing everything afterwards (also on error). */
export async function runExample<T extends object>(options: ExampleOptions, body: (ctx: ExampleContext) => Promise<T>): Promise<T & ExampleResult> {
  const log = options.log ?? (() => undefined);
  const checks: EchoResult[] = [];
  const blocked: EchoResult[] = [];
  const ctx: Omit<ExampleContext, 'sandbox'> = {
    log,
    step: (title) => log(`\n== ${title}`),
    table: (rows) => {
      const text = rows.map((r) => r.map((c) => (c === undefined ? '-' : String(c))));
      const widths = text[0]!.map((_, i) => Math.max(...text.map((r) => (r[i] ?? '').length)));
      for (const r of text) log(`  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd());
    },
    check: (r) => {
      checks.push(r);
      log(`  ${r.ok ? '✔' : '✘'} ${r.protocol} ${r.from} → ${r.to} ${JSON.stringify(r.sent)}${r.ok ? '' : ` (${r.error ?? `got ${JSON.stringify(r.received)}`})`}`);
      return r;
    },
    blocked: (r) => {
      blocked.push(r);
      log(`  ${r.ok ? '✘ NOT blocked' : '✔ blocked'}: ${r.protocol} ${r.from} → ${r.to}${r.ok ? '' : ` (${r.error})`}`);
      return r;
    },
  };
  const sandbox = Sandbox.create({ ...(options.prefix !== undefined ? { prefix: options.prefix } : {}), handleSignals: options.handleSignals ?? false, log: (l) => log(`  ${l}`) });
  try {
    const out = await body({ ...ctx, sandbox });
    return { ...out, checks, blocked };
  } finally {
    ctx.step('cleanup');
    await sandbox.dispose();
  }
}

/**
 * When `moduleUrl` is the program node was started with, runs `example` printing to stdout
 * and sets the exit code: 0 when every check succeeded and every blocked exchange failed.
 */
export function runAsProgram(moduleUrl: string, example: (o: ExampleOptions) => Promise<ExampleResult>): void {
  const started = process.argv[1] ? pathToFileURL(process.argv[1]).href : '';
  if (started !== moduleUrl) return;
  if (process.getuid?.() !== 0) console.error('note: examples need root (or CAP_NET_ADMIN + CAP_SYS_ADMIN)');
  // NETNS_KIT_EXAMPLE_PREFIX: the namespace-name prefix (the tests use theirs, so leftovers are found)
  const prefix = process.env.NETNS_KIT_EXAMPLE_PREFIX;
  example({ log: (l) => console.log(l), handleSignals: true, ...(prefix ? { prefix } : {}) }).then(
    (r) => {
      const all = r.checks.length + r.blocked.length;
      const bad = r.checks.filter((c) => !c.ok).length + r.blocked.filter((c) => c.ok).length;
      console.log(`\n${all - bad}/${all} connectivity checks as expected`);
      process.exitCode = bad === 0 ? 0 : 1;
    },
    (e: Error) => {
      console.error(`\nerror: ${e.message}`);
      process.exitCode = 1;
    },
  );
}
