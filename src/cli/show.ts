/**
 * The read commands of `netns-kit`: link, addr, route, neigh, fdb, netns list — what the
 * library sees, laid out like `ip` / `bridge` (or as their `-j` JSON).
 * @module
 */
import { Address } from '../api/ip/address.js';
import { Fdb } from '../api/link/fdb.js';
import { Namespace } from '../api/namespace/namespace.js';
import { Neighbor } from '../api/ip/neighbor.js';
import { Route } from '../api/ip/route.js';
import { NetnsKitError } from '../errors.js';
import { type GlobalOptions, parseSelectors, UsageError } from './args.js';
import { addrInfoJson, fdbJson, isShownNeighbor, linkJson, neighJson, routeJson } from './ip-json.js';
import { addrText, fdbText, linkText, neighText, routeText } from './ip-text.js';
import { Link } from '../api/link/link.js';

/** What a command works with. */
export interface CliContext {
  /** the namespace (`-n`, or this process's). */
  ns: Namespace;
  /** global options. */
  options: GlobalOptions;
  /** prints one line on stdout. */
  out: (line: string) => void;
  /** prints one line on stderr. */
  err: (line: string) => void;
}

/** Prints a value as JSON (`-p`: indented like `ip -j -p`). */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.out(ctx.options.pretty ? JSON.stringify(value, null, 4) : JSON.stringify(value));
}

/** A link of the namespace by name, or a UsageError worded like ip's. */
export async function deviceArg(ns: Namespace, name: string): Promise<Link> {
  try {
    return await Link.get(ns, name);
  } catch (e) {
    if (e instanceof NetnsKitError && (e.code === 'ENODEV' || e.code === 'EINVAL')) {
      throw new UsageError(`Cannot find device "${name}"${ns.name ? ` in namespace ${ns.name}` : ''}`);
    }
    throw e;
  }
}

async function selectedLinks(ctx: CliContext, sel: Record<string, string>): Promise<{ all: Link[]; shown: Link[] }> {
  const all = await Link.list(ctx.ns);
  if (sel.dev !== undefined) {
    const dev = await deviceArg(ctx.ns, sel.dev);
    return { all, shown: all.filter((l) => l.index === dev.index) };
  }
  const filter: { kind?: string; master?: Link } = {};
  if (sel.type !== undefined) filter.kind = sel.type;
  if (sel.master !== undefined) filter.master = await deviceArg(ctx.ns, sel.master);
  const shown = Object.keys(filter).length > 0 ? await Link.list(ctx.ns, filter) : all;
  return { all, shown };
}

/** nsid → namespace name, for `link-netns NAME` (only asked for when a link has a peer elsewhere). */
async function netnsNames(ctx: CliContext, links: readonly Link[]): Promise<Map<number, string> | undefined> {
  if (!links.some((l) => l.linkNetnsid !== undefined)) return undefined;
  const out = new Map<number, string>();
  for (const e of await ctx.ns.listNsids()) if (e.name !== undefined) out.set(e.nsid, e.name);
  return out;
}

/** `netns-kit link`: `ip link show`. */
export async function showLinks(ctx: CliContext, args: string[]): Promise<void> {
  const sel = parseSelectors('link', args, ['dev', 'type', 'master'], true);
  const { all, shown } = await selectedLinks(ctx, sel);
  const objs = shown.map((l) => linkJson(l, all));
  if (ctx.options.json) {
    printJson(ctx, objs);
    return;
  }
  const nsNames = await netnsNames(ctx, shown);
  for (const o of objs) for (const line of linkText(o, nsNames)) ctx.out(line);
}

/** `netns-kit addr`: `ip addr show`. */
export async function showAddresses(ctx: CliContext, args: string[]): Promise<void> {
  const sel = parseSelectors('addr', args, ['dev'], true);
  const { all, shown } = await selectedLinks(ctx, sel);
  const family = ctx.options.family;
  const addrs = await Address.list(ctx.ns, family === undefined ? {} : { family });
  // like ip: -4/-6 leave out the link-layer line; -6 over all links shows what the kernel's
  // IPv6 link dump holds
  const view = { forAddr: true, noLinkLayer: family !== undefined, inet6Dump: family === 6 && sel.dev === undefined };
  const objs = shown.map((l) => ({ ...linkJson(l, all, view), addr_info: addrs.filter((a) => a.linkIndex === l.index).map(addrInfoJson) }));
  // like ip: with -4/-6, links without an address of that family are left out
  const list = family === undefined ? objs : objs.filter((o) => o.addr_info.length > 0);
  if (ctx.options.json) {
    printJson(ctx, list);
    return;
  }
  const nsNames = await netnsNames(ctx, shown);
  for (const o of list) {
    for (const line of linkText(o, nsNames)) ctx.out(line);
    for (const a of o.addr_info) for (const line of addrText(a)) ctx.out(line);
  }
}

/** Index → name of every link of the namespace. */
async function linkNames(ns: Namespace): Promise<Map<number, string>> {
  return new Map((await Link.list(ns)).map((l) => [l.index, l.name]));
}

/** `netns-kit route`: `ip route show` (IPv4 unless -6). */
export async function showRoutes(ctx: CliContext, args: string[]): Promise<void> {
  const sel = parseSelectors('route', args, ['table', 'dev'], false);
  const names = await linkNames(ctx.ns);
  // like ip: IPv4 unless -6, but both families for `table all` without -4/-6
  const family = ctx.options.family ?? (sel.table === 'all' ? undefined : 4);
  const opts: { family?: 4 | 6; table?: string | number; dev?: Link } = family === undefined ? {} : { family };
  if (sel.table !== undefined) opts.table = /^\d+$/.test(sel.table) ? Number(sel.table) : sel.table;
  if (sel.dev !== undefined) opts.dev = await deviceArg(ctx.ns, sel.dev);
  let routes = await Route.list(ctx.ns, opts);
  // ip filters a device's routes by RTA_OIF itself: multipath routes (no RTA_OIF) are not shown
  if (opts.dev !== undefined) routes = routes.filter((r) => r.linkIndex === opts.dev!.index);
  const objs = routes.map((r) => routeJson(r, names, sel.table === 'all', opts.dev !== undefined));
  if (ctx.options.json) printJson(ctx, objs);
  else for (const o of objs) for (const line of routeText(o)) ctx.out(line);
}

/** `netns-kit neigh`: `ip neigh show`. */
export async function showNeighbors(ctx: CliContext, args: string[]): Promise<void> {
  const sel = parseSelectors('neigh', args, ['dev'], false);
  const names = await linkNames(ctx.ns);
  const opts: { family?: 4 | 6; link?: Link } = {};
  if (ctx.options.family !== undefined) opts.family = ctx.options.family;
  if (sel.dev !== undefined) opts.link = await deviceArg(ctx.ns, sel.dev);
  const objs = (await Neighbor.list(ctx.ns, opts)).filter(isShownNeighbor).map((n) => neighJson(n, names, opts.link !== undefined));
  if (ctx.options.json) printJson(ctx, objs);
  else for (const o of objs) ctx.out(neighText(o));
}

/** `netns-kit fdb`: `bridge fdb show`. */
export async function showFdb(ctx: CliContext, args: string[]): Promise<void> {
  const sel = parseSelectors('fdb', args, ['br', 'dev'], false);
  const filter: { bridge?: Link; device?: Link } = {};
  if (sel.br !== undefined) filter.bridge = await deviceArg(ctx.ns, sel.br);
  if (sel.dev !== undefined) filter.device = await deviceArg(ctx.ns, sel.dev);
  const objs = (await Fdb.list(ctx.ns, filter)).map((e) => fdbJson(e, filter.device !== undefined));
  if (ctx.options.json) printJson(ctx, objs);
  else for (const o of objs) ctx.out(fdbText(o));
}

/** `netns-kit netns list`: `ip netns list`, with the nsids this process's namespace assigned. */
export async function listNamespaces(ctx: CliContext, args: string[]): Promise<void> {
  if (args.length > 1 || (args.length === 1 && !['list', 'show', 'ls'].includes(args[0]!))) {
    throw new UsageError(`netns: unexpected argument "${args.find((a) => !['list', 'show', 'ls'].includes(a)) ?? args[1]}"`, "Try 'netns-kit netns --help'.");
  }
  const entries = await Namespace.list();
  const ids = new Map<string, number>();
  for (const e of await ctx.ns.listNsids()) if (e.name !== undefined) ids.set(e.name, e.nsid);
  const objs = entries.map((e) => (ids.has(e.name) ? { name: e.name, id: ids.get(e.name)! } : { name: e.name }));
  if (ctx.options.json) printJson(ctx, objs);
  else for (const o of objs) ctx.out('id' in o ? `${o.name} (id: ${o.id})` : o.name);
}
