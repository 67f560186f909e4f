/**
 * Masquerading (`ipMasq`) and published ports (`portMappings` capability) for the bridge
 * plugin, in nf_tables through the library (no `iptables`, no `portmap` plugin). Each
 * family in use gets a table `netns-kit-cni` in the plugin's (host) namespace with three NAT
 * base chains; every rule carries a comment naming the network and the attachment (hashes of
 * the network name and of containerID/ifname), so DEL removes exactly an attachment's rules
 * and GC those of attachments no longer valid. A container's rules are added in one
 * transaction and removed in one: never half.
 *
 *   postrouting (srcnat):  ip saddr CIP ip daddr != SUBNET ip daddr != 224.0.0.0/4 masquerade   (ipMasq)
 *                          ip saddr SUBNET ip daddr CIP ct status dnat masquerade               (hairpin to a published port)
 *                          ip saddr 127.0.0.0/8 ip daddr CIP masquerade                         (localhost to a published port)
 *   prerouting (dstnat):   [ip daddr HOSTIP | fib daddr type local] tcp dport HP dnat to CIP:CP
 *   output (dstnat):       the same, for connections the host itself opens
 * @module
 */
import { createHash } from 'node:crypto';
import { expr as x, Nftables, Sysctl, type Namespace } from './objects.js';
import type { BridgeConf, CniEnv, CniPortMapping } from './config.js';
import { formatIpNet, parseIpNet } from './ipnet.js';
import { CniCode, CniError, type CniResult } from './spec.js';

/** The table holding the plugin's rules (one per family). */
export const NAT_TABLE = 'netns-kit-cni';
const CHAINS = [
  { name: 'postrouting', hook: 'postrouting', priority: 'srcnat' },
  { name: 'prerouting', hook: 'prerouting', priority: 'dstnat' },
  { name: 'output', hook: 'output', priority: 'dstnat' },
] as const;

type Family = 'ip' | 'ip6';
type Exprs = ReturnType<typeof x.masquerade>[];

const h = (s: string, n: number): string => createHash('sha256').update(s).digest('hex').slice(0, n);
/** The comment prefix of a network's rules. */
function networkTag(name: string): string {
  return `netns-kit-cni ${h(name, 12)}`;
}
/** The comment of one attachment's rules. */
export function ruleComment(network: string, containerId: string, ifname: string): string {
  return `${networkTag(network)} ${h(`${containerId}\n${ifname}`, 24)}`;
}

function kernelError(e: unknown, what: string): CniError {
  if (e instanceof CniError) return e;
  const err = e as Error & { code?: string };
  return new CniError(CniCode.KERNEL, `${what}: ${err?.message ?? String(e)}`, err?.code, { cause: e });
}

function portMatch(m: CniPortMapping): Exprs {
  if (m.protocol === 'tcp') return x.tcpDport(m.hostPort);
  if (m.protocol === 'udp') return x.udpDport(m.hostPort);
  return [...x.l4proto('sctp'), ...x.thDport(m.hostPort)];
}

/** The rules of one attachment, per family. */
function rulesFor(conf: BridgeConf, result: CniResult, ifIndex: number): Map<Family, { chain: string; exprs: Exprs }[]> {
  const out = new Map<Family, { chain: string; exprs: Exprs }[]>();
  for (const ip of result.ips ?? []) {
    if (ip.interface !== undefined && ip.interface !== ifIndex) continue;
    const p = parseIpNet(ip.address);
    if (!p) continue;
    const fam: Family = p.ip.family === 4 ? 'ip' : 'ip6';
    const cip = ip.address.split('/')[0]!;
    const subnet = formatIpNet(p.net);
    const saddr = fam === 'ip' ? x.ipSaddr : x.ip6Saddr;
    const daddr = fam === 'ip' ? x.ipDaddr : x.ip6Daddr;
    const list = out.get(fam) ?? [];
    out.set(fam, list);
    if (conf.ipMasq) {
      const multicast = fam === 'ip' ? '224.0.0.0/4' : 'ff00::/8';
      list.push({ chain: 'postrouting', exprs: [...saddr(cip), ...daddr(subnet, 'neq'), ...daddr(multicast, 'neq'), x.masquerade()] });
    }
    const mappings = conf.portMappings.filter((m) => m.hostIP === undefined || (m.hostIP.includes(':') ? 'ip6' : 'ip') === fam);
    if (mappings.length === 0) continue;
    list.push({ chain: 'postrouting', exprs: [...saddr(subnet), ...daddr(cip), ...x.ctStatusDnat(), x.masquerade()] });
    if (fam === 'ip') list.push({ chain: 'postrouting', exprs: [...saddr('127.0.0.0/8'), ...daddr(cip), x.masquerade()] });
    for (const m of mappings) {
      const where = m.hostIP !== undefined ? daddr(m.hostIP) : x.fibDaddrLocal();
      const rule = [...where, ...portMatch(m), ...x.dnat({ addr: cip, port: m.containerPort })];
      list.push({ chain: 'prerouting', exprs: rule }, { chain: 'output', exprs: rule });
    }
  }
  return out;
}

/** Installs an attachment's masquerade and port rules (one transaction per family). */
export async function setup(host: Namespace, conf: BridgeConf, env: CniEnv, result: CniResult): Promise<void> {
  const ifIndex = (result.interfaces ?? []).findIndex((i) => i.name === env.ifname && i.sandbox === env.netns);
  const rules = rulesFor(conf, result, ifIndex < 0 ? 2 : ifIndex);
  const comment = ruleComment(conf.name, env.containerId, env.ifname);
  if (conf.portMappings.length) {
    // localhost → published port: routing 127.0.0.0/8 out of the bridge must be allowed
    await Sysctl.of(host).set(`net/ipv4/conf/${conf.bridge}/route_localnet`, 1).catch(() => undefined);
  }
  const nft = await Nftables.open(host).catch((e: unknown) => {
    throw kernelError(e, 'open nf_tables');
  });
  try {
    for (const [family, list] of rules) {
      if (list.length === 0) continue;
      await nft
        .transaction((tx) => {
          tx.addTable({ family, name: NAT_TABLE });
          for (const c of CHAINS) tx.addChain({ family, table: NAT_TABLE, name: c.name, hook: { type: 'nat', hook: c.hook, priority: c.priority } });
          for (const r of list) tx.addRule({ family, table: NAT_TABLE, chain: r.chain, exprs: r.exprs, comment });
        }, { echo: false })
        .catch((e: unknown) => {
          throw kernelError(e, `add ${family} ${NAT_TABLE} rules`);
        });
    }
  } finally {
    nft.close();
  }
}

/** Deletes the rules whose comment `match` accepts, in one transaction per family. */
async function deleteRules(host: Namespace, match: (comment: string) => boolean): Promise<number> {
  const nft = await Nftables.open(host).catch((e: unknown) => {
    throw kernelError(e, 'open nf_tables');
  });
  let n = 0;
  try {
    for (const family of ['ip', 'ip6'] as const) {
      const rules = await nft.listRules(family, NAT_TABLE).catch((e: unknown) => {
        if ((e as { code?: string }).code === 'ENOENT') return [];
        throw kernelError(e, `list ${family} ${NAT_TABLE} rules`);
      });
      const doomed = rules.filter((r) => r.comment !== undefined && match(r.comment));
      if (doomed.length === 0) continue;
      await nft
        .transaction((tx) => {
          for (const r of doomed) tx.deleteRule({ family, table: NAT_TABLE, chain: r.chain!, handle: r.handle });
        }, { echo: false })
        .catch((e: unknown) => {
          throw kernelError(e, `delete ${family} ${NAT_TABLE} rules`);
        });
      n += doomed.length;
    }
  } finally {
    nft.close();
  }
  return n;
}

/** Removes an attachment's rules (idempotent). */
export async function teardown(host: Namespace, conf: BridgeConf, env: CniEnv): Promise<void> {
  const comment = ruleComment(conf.name, env.containerId, env.ifname);
  await deleteRules(host, (c) => c === comment);
}

/** CHECK: an attachment that should have rules has them. */
export async function check(host: Namespace, conf: BridgeConf, env: CniEnv): Promise<void> {
  const comment = ruleComment(conf.name, env.containerId, env.ifname);
  const nft = await Nftables.open(host);
  try {
    const rules = [
      ...(await nft.listRules('ip', NAT_TABLE).catch(() => [])),
      ...(await nft.listRules('ip6', NAT_TABLE).catch(() => [])),
    ];
    if (!rules.some((r) => r.comment === comment)) {
      throw new CniError(CniCode.CHECK_MISMATCH, `the ${conf.ipMasq ? 'masquerade' : 'port mapping'} rules of ${env.containerId}/${env.ifname} are missing from table ${NAT_TABLE}`);
    }
  } finally {
    nft.close();
  }
}

/** GC: removes the network's rules of attachments not in `cni.dev/valid-attachments`. */
export async function gc(host: Namespace, conf: BridgeConf): Promise<void> {
  const tag = `${networkTag(conf.name)} `;
  const keep = new Set((conf.validAttachments ?? []).map((a) => ruleComment(conf.name, a.containerID, a.ifname)));
  await deleteRules(host, (c) => c.startsWith(tag) && !keep.has(c));
}
