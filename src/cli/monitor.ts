/**
 * `netns-kit monitor`: kernel change events like `ip monitor`, through {@link Watcher.open}.
 * @module
 */
import type { WatchEvent, WatchKind } from '../api/events/events.js';
import { takeOption, UsageError } from './args.js';
import { addrInfoJson, isShownNeighbor, linkJson, neighJson, routeJson } from './ip-json.js';
import { addrText, linkText, neighText, routeText } from './ip-text.js';
import { type CliContext, printJson } from './show.js';
import { Watcher } from '../api/events/watch.js';
import { Link } from '../api/link/link.js';

const KIND_WORDS: Record<string, WatchKind> = {
  link: 'link', l: 'link',
  address: 'address', addr: 'address', a: 'address',
  route: 'route', r: 'route',
  neigh: 'neighbor', neighbor: 'neighbor', neighbour: 'neighbor', n: 'neighbor',
};
const BANNER: Partial<Record<WatchKind, string>> = { link: '[LINK]', address: '[ADDR]', route: '[ROUTE]', neighbor: '[NEIGH]' };

/** Runs until SIGINT / SIGTERM, or `--count N` events; resolves with the exit code. */
export async function monitor(ctx: CliContext, args: string[]): Promise<number> {
  const rest = [...args];
  const countArg = takeOption(rest, '--count', true, 'monitor');
  let count = Infinity;
  if (countArg !== undefined) {
    count = Number(countArg);
    if (!Number.isInteger(count) || count < 1) throw new UsageError(`monitor: --count needs a positive whole number, not "${String(countArg)}"`, "Try 'netns-kit monitor --help'.");
  }
  const kinds = new Set<WatchKind>();
  for (const w of rest) {
    if (w === 'all') ['link', 'address', 'route', 'neighbor'].forEach((k) => kinds.add(k as WatchKind));
    else if (KIND_WORDS[w]) kinds.add(KIND_WORDS[w]!);
    else throw new UsageError(`monitor: unknown object "${w}" (link, address, route, neigh or all)`, "Try 'netns-kit monitor --help'.");
  }
  if (kinds.size === 0) ['link', 'address', 'route', 'neighbor'].forEach((k) => kinds.add(k as WatchKind));
  const banner = kinds.size > 1;
  const fam = ctx.options.family;
  // links are always watched (not always printed): addresses, routes and neighbours name their device
  // overflow: 'event' — like ip monitor, report lost events and keep going
  const watcher = Watcher.open(ctx.ns, [...new Set<WatchKind>(['link', ...kinds])], { overflow: 'event', ...(fam === undefined ? {} : { families: [fam === 4 ? 'inet' : 'inet6'] }) });
  // names of links, for `dev NAME` in address, route and neighbour events
  const links = new Map<number, Link>((await Link.list(ctx.ns)).map((l) => [l.index, l]));
  const names = (): Map<number, string> => new Map([...links].map(([i, l]) => [i, l.name]));
  const stop = (): void => watcher.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let seen = 0;
  try {
    await watcher.ready;
    ctx.err(`monitoring ${[...kinds].join(', ')} in ${ctx.ns.name ?? 'this namespace'} (Ctrl-C to stop)`);
    for await (const ev of watcher) {
      if (!print(ctx, ev, links, names, banner, kinds)) continue;
      if (++seen >= count) break;
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    watcher.close();
  }
  return 0;
}

/** Prints one event; false for events that are not shown (kinds ip monitor hides). */
function print(ctx: CliContext, ev: WatchEvent, links: Map<number, Link>, names: () => Map<number, string>, banner: boolean, kinds: ReadonlySet<WatchKind>): boolean {
  if (ev.kind === 'overflow') {
    ctx.err(`monitor: the kernel dropped events (overflow #${ev.count})`);
    return false;
  }
  if (ev.kind === 'sync' || ev.kind === 'netconf' || ev.kind === 'nsid') return false;
  const deleted = ev.type === 'del';
  let obj: object;
  let lines: string[];
  if (ev.kind === 'link') {
    if (deleted) links.delete(ev.link.index);
    else links.set(ev.link.index, ev.link);
    if (!kinds.has('link')) return false;
    const j = linkJson(ev.link, [...links.values(), ev.link]);
    obj = j;
    lines = linkText(j);
  } else if (ev.kind === 'address') {
    const j = addrInfoJson(ev.address);
    const dev = names().get(ev.address.linkIndex) ?? `if${ev.address.linkIndex}`;
    obj = { ifindex: ev.address.linkIndex, ifname: dev, addr_info: [j] };
    const [first, ...more] = addrText(j);
    lines = [`${ev.address.linkIndex}: ${dev}${first!.replace(/^ {4}/, '    ')}`, ...more];
  } else if (ev.kind === 'route') {
    const j = routeJson(ev.route, names(), true); // ip monitor names every table but main
    obj = j;
    lines = routeText(j);
  } else {
    if (!deleted && !isShownNeighbor(ev.neighbor)) return false;
    const j = neighJson(ev.neighbor, names());
    obj = j;
    lines = [neighText(j)];
  }
  if (ctx.options.json) {
    printJson(ctx, { kind: ev.kind === 'neighbor' ? 'neigh' : ev.kind, ...(deleted ? { deleted: true } : {}), ...obj });
  } else {
    const prefix = `${banner ? BANNER[ev.kind] : ''}${deleted ? 'Deleted ' : ''}`;
    lines.forEach((l, i) => ctx.out(i === 0 ? `${prefix}${l}` : l));
  }
  return true;
}
