/**
 * `netns-kit nft`: the namespace's nf_tables ruleset (or one table) as `nft list ruleset`
 * text or, with -j, as `nft -j list ruleset` JSON — read over NETLINK_NETFILTER.
 * @module
 */
import { rulesetJson, rulesetText } from '../api/nftables/json.js';
import { Nftables } from '../api/nftables/nftables.js';
import type { NftFamily } from '../nftables/constants.js';
import { UsageError } from './args.js';
import { type CliContext, printJson } from './show.js';

const FAMS = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'];

/** `netns-kit nft [list] [ruleset | table FAMILY NAME]`. */
export async function listNftables(ctx: CliContext, args: string[]): Promise<void> {
  const a = [...args];
  if (a[0] === 'list' || a[0] === 'show') a.shift();
  let filter: { family?: NftFamily; table?: string } = {};
  if (a.length === 0 || (a.length === 1 && a[0] === 'ruleset')) filter = {};
  else if (a[0] === 'table' && a.length === 3 && FAMS.includes(a[1]!)) filter = { family: a[1] as NftFamily, table: a[2]! };
  else if (a[0] === 'table' && a.length === 2) filter = { family: 'ip', table: a[1]! };
  else throw new UsageError(`nft: unexpected "${a.join(' ')}"`, "Try 'netns-kit nft --help'.");
  const nft = await Nftables.open(ctx.ns);
  try {
    const r = await nft.list(filter);
    if (filter.table !== undefined && r.tables.length === 0) throw new UsageError(`nft: no table ${filter.family} ${filter.table}${ctx.ns.name ? ` in namespace ${ctx.ns.name}` : ''}`);
    if (ctx.options.json) {
      const metainfo = { metainfo: { version: 'netns-kit', json_schema_version: 1 } };
      printJson(ctx, { nftables: [metainfo, ...rulesetJson(r)] });
    } else for (const l of rulesetText(r)) ctx.out(l);
  } finally {
    nft.close();
  }
}
