/**
 * Test helpers for watchers: read events until a condition holds (with a generous guard so a
 * broken test fails instead of hanging), and mirror a watcher's view of the kernel's tables.
 */
import { eventKey, type ObjectEvent, type WatchEvent } from '../../src/index.js';
import { execFileSync } from 'node:child_process';
import { sh } from './env.js';

/** Reads events from `it` until `done(events)` is true; fails after `guardMs` (default 20 s). */
export async function readUntil<E>(it: AsyncIterator<E>, done: (events: E[]) => boolean, guardMs = 20_000): Promise<E[]> {
  const out: E[] = [];
  const guard = Symbol('guard');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof guard>((resolve) => {
    timer = setTimeout(() => resolve(guard), guardMs);
  });
  try {
    while (!done(out)) {
      const r = await Promise.race([it.next(), timeout]);
      if (r === guard) throw new Error(`condition not reached after ${guardMs} ms; events so far:\n${out.map(show).join('\n')}`);
      if (r.done) throw new Error(`iteration ended before the condition was reached; events:\n${out.map(show).join('\n')}`);
      out.push(r.value);
    }
    return out;
  } finally {
    clearTimeout(timer);
  }
}

/** One line describing an event (for failure messages). */
export function show(ev: unknown): string {
  const e = ev as WatchEvent;
  switch (e.kind) {
    case 'link':
      return `link ${e.type}${e.snapshot ? ' (snapshot)' : ''} ${e.link.name} #${e.link.index} ${e.link.operstate}`;
    case 'overflow':
    case 'sync':
      return JSON.stringify(e);
    default:
      try {
        return `${(e as ObjectEvent).kind} ${(e as ObjectEvent).type} ${JSON.stringify(e, (k, v) => (k === 'namespace' ? undefined : v))}`;
      } catch {
        return String(e);
      }
  }
}

/**
 * The state a consumer builds from events: `sync begin` clears it, object events update it.
 * Returns the map key → event.
 */
export class Mirror {
  readonly state = new Map<string, ObjectEvent>();
  synced = false;
  overflows = 0;
  apply(ev: WatchEvent): void {
    if (ev.kind === 'sync') {
      if (ev.phase === 'begin') {
        this.state.clear();
        this.synced = false;
      } else this.synced = true;
      return;
    }
    if (ev.kind === 'overflow') {
      this.overflows++;
      this.synced = false; // stale until a new snapshot
      return;
    }
    if (ev.type === 'del') this.state.delete(eventKey(ev));
    else this.state.set(eventKey(ev), ev);
  }
}

/** `ip -n NS …` (test-only way to make changes until the link API lands). */
export function ipn(ns: { name: string | undefined }, ...args: string[]): string {
  return sh('ip', ['-n', ns.name!, ...args]);
}

/** Runs many `ip` commands in one process (`ip -n NS -batch -`). */
export function ipBatch(ns: { name: string | undefined }, lines: string[]): void {
  execFileSync('ip', ['-n', ns.name!, '-batch', '-'], { input: lines.join('\n') + '\n', stdio: ['pipe', 'ignore', 'pipe'] });
}
