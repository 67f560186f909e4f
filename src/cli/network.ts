/**
 * `netns-kit network ls | inspect | port | gc`: Docker-style bridge networks of a namespace (`-n`),
 * including networks made by other processes (read from their records and the kernel).
 * @module
 */
import { BridgeNetwork, type NetworkIssue } from '../api/network/bridge-network.js';
import { NetworkFirewall } from '../api/network/firewall.js';
import { takeOption, UsageError } from './args.js';
import { type CliContext, printJson } from './show.js';
import { table } from './table.js';

const HINT = "Try 'netns-kit network --help'.";

/** One NetworkFirewall for the networks whose record says they publish ports / NAT through it (closed by closeAll). */
let firewall: NetworkFirewall | undefined;

async function openOne(ctx: CliContext, name: string, stateDir: string | undefined): Promise<BridgeNetwork> {
  const net = await BridgeNetwork.open(ctx.ns, name, { stateDir });
  if (net.config.extensions?.firewall === undefined) return net;
  // its published ports and NAT rules are in nf_tables: open it with the firewall, so gc cleans them too
  await net.close();
  firewall ??= new NetworkFirewall({ restore: false });
  return BridgeNetwork.open(ctx.ns, name, { stateDir, extensions: [firewall] });
}

async function closeAll(nets: BridgeNetwork[]): Promise<void> {
  for (const n of nets) await n.close();
  firewall?.close();
  firewall = undefined;
}

async function openAll(ctx: CliContext, names: string[], stateDir: string | undefined): Promise<BridgeNetwork[]> {
  const wanted = names.length > 0 ? names : (await BridgeNetwork.list(ctx.ns, { stateDir })).filter((n) => n.present).map((n) => n.name);
  const out: BridgeNetwork[] = [];
  for (const n of wanted) {
    try {
      out.push(await openOne(ctx, n, stateDir));
    } catch (e) {
      await closeAll(out);
      if ((e as { code?: string }).code === 'ENOENT') throw new UsageError(`network "${n}" not found in ${ctx.ns.label}`, "'netns-kit network ls' lists the networks.");
      throw e;
    }
  }
  return out;
}

function issueRows(net: string, issues: NetworkIssue[]): string[][] {
  return issues.map((i) => [net, i.kind, i.name ?? i.link ?? '', i.repair, i.message]);
}

/** Runs `network …`; resolves with the exit status. */
export async function network(ctx: CliContext, argv: string[]): Promise<number> {
  const args = [...argv];
  const stateDir = takeOption(args, '--state-dir', true, 'network');
  const dir = typeof stateDir === 'string' ? stateDir : undefined;
  const sub = args.shift() ?? 'ls';
  switch (sub) {
    case 'ls':
    case 'list': {
      if (args.length > 0) throw new UsageError(`network ls: unexpected argument "${args[0]}"`, HINT);
      const list = await BridgeNetwork.list(ctx.ns, { stateDir: dir });
      if (ctx.options.json) {
        printJson(ctx, list);
        return 0;
      }
      const rows = list.map((n) => [n.id.slice(0, 12), n.name, n.bridge, [n.subnet, n.subnetV6].filter(Boolean).join(' '), n.containers, n.present ? 'yes' : 'NO (stale record)']);
      for (const l of table([['NETWORK ID', 'NAME', 'BRIDGE', 'SUBNET', 'CONTAINERS', 'PRESENT'], ...rows], '')) ctx.out(l);
      return 0;
    }
    case 'inspect': {
      if (args.length === 0) throw new UsageError('network inspect: give at least one network name', HINT);
      const nets = await openAll(ctx, args, dir);
      try {
        const out = [];
        for (const n of nets) out.push(await n.inspect());
        ctx.out(JSON.stringify(out, null, ctx.options.pretty || !ctx.options.json ? 4 : undefined));
      } finally {
        await closeAll(nets);
      }
      return 0;
    }
    case 'port': {
      // docker port CONTAINER: netns-kit network port NETWORK CONTAINER
      if (args.length !== 2) throw new UsageError('network port: give a network and a container (its name or endpoint id)', HINT);
      const [net] = await openAll(ctx, [args[0]!], dir);
      try {
        const lines = await net!.ports(args[1]!);
        if (ctx.options.json) printJson(ctx, lines.map((l) => ({ container: l.container, host: l.host })));
        else for (const l of lines) ctx.out(l.text);
      } finally {
        await closeAll([net!]);
      }
      return 0;
    }
    case 'gc':
    case 'prune': {
      const dry = takeOption(args, '--dry-run', false, 'network') === true;
      const nets = await openAll(ctx, args, dir);
      const rows: string[][] = [];
      const json: Record<string, NetworkIssue[]> = {};
      try {
        for (const n of nets) {
          const issues = dry ? await n.check() : await n.gc();
          json[n.name] = issues;
          rows.push(...issueRows(n.name, issues));
        }
      } finally {
        await closeAll(nets);
      }
      if (ctx.options.json) printJson(ctx, json);
      else if (rows.length === 0) ctx.out(dry ? 'nothing to repair' : 'nothing repaired: every network is consistent');
      else for (const l of table([['NETWORK', dry ? 'FOUND' : 'REPAIRED', 'OBJECT', 'ACTION', 'DETAIL'], ...rows], '')) ctx.out(l);
      return 0;
    }
    default:
      throw new UsageError(`network: unknown subcommand "${sub}"`, HINT);
  }
}
