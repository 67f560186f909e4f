/**
 * NetworkFirewall: Docker's port publishing, outbound NAT and network isolation for
 * {@link BridgeNetwork}s, in one nf_tables table of netns-kit's own (`inet netns-kit`, plus
 * `bridge netns-kit` for `icc: false`) in the bridge's namespace — written over netlink, no
 * `iptables` or `nft` process.
 *
 * ```ts
 * const fw = new NetworkFirewall();
 * const net = await BridgeNetwork.create(host, { name: 'web', extensions: [fw] });
 * await net.connect(c1, { publish: ['8080:80', '127.0.0.1::53/udp', '9000-9003:9000-9003'] });
 * await net.ports(c1);   // [{ text: '80/tcp -> 0.0.0.0:8080' }, { text: '53/udp -> 127.0.0.1:32768' }, …]
 * ```
 *
 * Every published port of every container of every network in a namespace is one element of
 * a map (`ip daddr . meta l4proto . th dport : ip addr . port`, and `meta l4proto . th dport :
 * …` for ports published on every address), so a connect publishing 32 ports is one
 * transaction of 32 elements whatever is published already. The table layout:
 *
 * - `prerouting` / `output` (nat, dstnat): `fib daddr type local jump published`; `published`
 *   translates through the maps `ports4`, `ports4any`, `ports6`, `ports6any`.
 * - `postrouting` (nat, srcnat): `oifname vmap @nat_to` (per network: masquerade of
 *   127.0.0.0/8 sources — the host's own 127.0.0.1 — and of hairpin traffic) and
 *   `ip saddr vmap @nat_from4` / `ip6 saddr vmap @nat_from6` (per network:
 *   `oifname != BRIDGE masquerade`, not for internal networks).
 * - `forward` (filter): `ct state established,related accept`, `iifname vmap @fwd_from`,
 *   `oifname vmap @fwd_to` (per network: isolation from the other networks' bridges, outbound
 *   allowed unless internal, inbound only for published (DNAT-ed) connections).
 * - `bridge netns-kit` `forward`: drops IP frames bridged from the ports in `icc_ports` (the
 *   containers of `icc: false` networks).
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import { NetnsKitError, TransactionError } from '../../errors.js';
import { NetlinkConnection } from '../../netlink/connection.js';
import type { NftFamily } from '../../nftables/constants.js';
import { NETLINK_NETFILTER, NFNLGRP_NFTABLES } from '../../nftables/constants.js';
import type { Expr } from '../../nftables/expr.js';
import { validateInt, validateOptions } from '../../util/validate.js';
import { Bridge } from '../link/bridge.js';
import { Link } from '../link/link.js';
import { Sysctl } from '../namespace/sysctl.js';
import type { Namespace } from '../namespace/namespace.js';
import * as x from '../nftables/expressions.js';
import { describeElement, Nftables, type setTypesOf } from '../nftables/nftables.js';
import type { ElementInput, NftTransaction } from '../nftables/transaction.js';
import { NftWatcher } from '../nftables/watch.js';
import type { BridgeNetwork, NetworkEndpoint, NetworkExtension, NetworkIssue, PortPublisher } from './bridge-network.js';
import { PortConflictError } from './errors.js';
import { inPrefix, ipToBig, parsePrefix } from './pool.js';
import type { PortRequest, PublishedPort } from './port-spec.js';
import type { EndpointRecord, NetworkRecord } from './state.js';
import { NetworkStore } from './store.js';

/** The name of netns-kit's tables (`inet netns-kit`, `bridge netns-kit`). */
export const FIREWALL_TABLE = 'netns-kit';

/** Options of {@link NetworkFirewall}: defaults for the networks it is given to (each network records its own). */
export interface NetworkFirewallOptions {
  /** inter-container traffic on a network (Docker's `icc`, default true); false drops IP between its containers. */
  icc?: boolean;
  /** outbound NAT: containers reach beyond the host as the host's address (default true; never for internal networks). */
  masquerade?: boolean;
  /** switch IP forwarding on in the bridge's namespace when a network is made (default true; not for internal networks). Never switched off. */
  forwarding?: boolean;
  /** the namespace's own 127.0.0.1 reaches published ports (`route_localnet` on the bridge, masquerade of 127.0.0.0/8; default true). */
  hostLoopback?: boolean;
  /** a container reaches its own published ports (hairpin mode on its bridge port, masquerade of bridge-local DNAT-ed traffic; default true). */
  hairpin?: boolean;
  /** put the rules back when another program deletes them (`nft flush ruleset`, a firewall reload); default true. */
  restore?: boolean;
  /** the range dynamic host ports come from (default: the namespace's `net.ipv4.ip_local_port_range`). */
  portRange?: [number, number];
}

/** What a network records about its firewall (`config.extensions.firewall`). */
export interface FirewallSettings {
  /** see {@link NetworkFirewallOptions.icc}. */
  icc: boolean;
  /** see {@link NetworkFirewallOptions.masquerade}. */
  masquerade: boolean;
  /** see {@link NetworkFirewallOptions.forwarding}. */
  forwarding: boolean;
  /** see {@link NetworkFirewallOptions.hostLoopback}. */
  hostLoopback: boolean;
  /** see {@link NetworkFirewallOptions.hairpin}. */
  hairpin: boolean;
  /** see {@link NetworkFirewallOptions.restore}. */
  restore: boolean;
}

/** Emitted as `restored` when the rules were put back after another program deleted them. */
export interface FirewallRestoreEvent {
  /** the namespace (name or path). */
  namespace: string;
  /** what was noticed (`table inet netns-kit deleted`, …). */
  cause: string;
  /** the networks whose rules were restored. */
  networks: string[];
  /** the published ports restored (map elements). */
  mappings: number;
  /** the ruleset generation after the restore. */
  generation: number;
}

/** What {@link NetworkFirewall.restore} put back. */
export interface FirewallRestoreResult {
  /** the networks whose rules were restored. */
  networks: string[];
  /** the published ports restored (map elements). */
  mappings: number;
  /** the ruleset generation after the restore. */
  generation: number;
}

/** Emitted as `restore-failed` when a restore failed or was given up (removed again and again: taken as deliberate). */
export interface FirewallRestoreFailure {
  /** the namespace. */
  namespace: string;
  /** why. */
  reason: string;
  /** the error, if one was thrown. */
  error?: unknown;
}

/** Events of {@link NetworkFirewall}. */
export interface NetworkFirewallEvents {
  /** the rules were put back. */
  restored: [FirewallRestoreEvent];
  /** a restore failed or was given up. */
  'restore-failed': [FirewallRestoreFailure];
}

const T = FIREWALL_TABLE;
const INET = { family: 'inet' as NftFamily, table: T };
const BRI = { family: 'bridge' as NftFamily, table: T };
const BASE_CHAINS = new Set(['prerouting', 'output', 'postrouting', 'forward', 'published']);
/** Restores allowed per minute before a removal is taken as deliberate. */
const RESTORE_LIMIT = 3;
const PORT_MAPS = ['ports4', 'ports4any', 'ports6', 'ports6any'] as const;
type PortMap = (typeof PORT_MAPS)[number];

const SETTINGS_KEYS = ['icc', 'masquerade', 'forwarding', 'hostLoopback', 'hairpin', 'restore', 'portRange'] as const;

// ---- rule building -----------------------------------------------------------------------------

const nfproto = (f: 4 | 6): Expr[] => [{ type: 'meta', key: 'nfproto', dreg: 1 }, { type: 'cmp', sreg: 1, op: 'eq', data: Buffer.from([f === 4 ? 2 : 10]) }];
const ethertype = (t: number): Expr[] => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(t, 0);
  return [{ type: 'meta', key: 'protocol', dreg: 1 }, { type: 'cmp', sreg: 1, op: 'eq', data: b }];
};
const chainsOf = (bridge: string) => ({ from: `from-${bridge}`, to: `to-${bridge}`, natTo: `nat-to-${bridge}`, natFrom: `nat-from-${bridge}` });

/** The table, its maps and base chains with their rules (added only when the table is new). */
function addBase(tx: NftTransaction): void {
  tx.addTable({ family: 'inet', name: T });
  tx.addSet({ ...INET, name: 'ports4', key: ['ipv4_addr', 'inet_proto', 'inet_service'], data: ['ipv4_addr', 'inet_service'] });
  tx.addSet({ ...INET, name: 'ports4any', key: ['inet_proto', 'inet_service'], data: ['ipv4_addr', 'inet_service'] });
  tx.addSet({ ...INET, name: 'ports6', key: ['ipv6_addr', 'inet_proto', 'inet_service'], data: ['ipv6_addr', 'inet_service'] });
  tx.addSet({ ...INET, name: 'ports6any', key: ['inet_proto', 'inet_service'], data: ['ipv6_addr', 'inet_service'] });
  tx.addSet({ ...INET, name: 'bridges', key: 'ifname' });
  for (const m of ['fwd_from', 'fwd_to', 'nat_to']) tx.addSet({ ...INET, name: m, key: 'ifname', data: 'verdict' });
  tx.addSet({ ...INET, name: 'nat_from4', key: 'ipv4_addr', data: 'verdict', flags: ['interval'] });
  tx.addSet({ ...INET, name: 'nat_from6', key: 'ipv6_addr', data: 'verdict', flags: ['interval'] });
  tx.addChain({ ...INET, name: 'published' });
  tx.addChain({ ...INET, name: 'prerouting', hook: { type: 'nat', hook: 'prerouting', priority: 'dstnat' } });
  tx.addChain({ ...INET, name: 'output', hook: { type: 'nat', hook: 'output', priority: 'dstnat' } });
  tx.addChain({ ...INET, name: 'postrouting', hook: { type: 'nat', hook: 'postrouting', priority: 'srcnat' } });
  tx.addChain({ ...INET, name: 'forward', hook: { type: 'filter', hook: 'forward', priority: 'filter', policy: 'accept' } });
  tx.addTable({ family: 'bridge', name: T });
  tx.addSet({ ...BRI, name: 'icc_ports', key: 'ifname' });
  tx.addChain({ ...BRI, name: 'forward', hook: { type: 'filter', hook: 'forward', priority: 'filter', policy: 'accept' } });
  addBaseRules(tx);
}

/** The rules of the base chains (after a flush of them). */
function addBaseRules(tx: NftTransaction): void {
  const { load: l } = x;
  const r = (chain: string, exprs: Expr[], comment?: string): void => void tx.addRule({ ...INET, chain, exprs, ...(comment ? { comment } : {}) });
  r('published', [...nfproto(4), ...x.dnatMap('ports4', [l.ipDaddr, l.l4proto, l.thDport])], 'published on one IPv4 address');
  r('published', [...nfproto(4), ...x.dnatMap('ports4any', [l.l4proto, l.thDport])], 'published on every IPv4 address');
  r('published', [...nfproto(6), ...x.dnatMap('ports6', [l.ip6Daddr, l.l4proto, l.thDport], { family: 'ip6' })], 'published on one IPv6 address');
  r('published', [...nfproto(6), ...x.dnatMap('ports6any', [l.l4proto, l.thDport], { family: 'ip6' })], 'published on every IPv6 address');
  r('prerouting', [...x.fibDaddrLocal(), x.jump('published')]);
  r('output', [...x.fibDaddrLocal(), x.jump('published')]);
  r('postrouting', x.vmap('nat_to', [l.oifname]));
  r('postrouting', [...nfproto(4), ...x.vmap('nat_from4', [l.ipSaddr])]);
  r('postrouting', [...nfproto(6), ...x.vmap('nat_from6', [l.ip6Saddr])]);
  r('forward', [...x.ctState('established', 'related'), x.accept()]);
  r('forward', x.vmap('fwd_from', [l.iifname]));
  r('forward', x.vmap('fwd_to', [l.oifname]));
  // bridge ports of icc=false networks (the kernel's bridge-name match, nft_meta_bridge, may be missing)
  const ibr: Expr[] = x.inSet('icc_ports', [x.load.iifname]);
  tx.addRule({ ...BRI, chain: 'forward', exprs: [...ibr, ...ethertype(0x0800), x.drop()], comment: 'icc=false' });
  tx.addRule({ ...BRI, chain: 'forward', exprs: [...ibr, ...ethertype(0x86dd), x.drop()], comment: 'icc=false' });
}

interface NetShape {
  name: string;
  bridge: string;
  subnet: string;
  subnetV6?: string;
  internal: boolean;
  settings: FirewallSettings;
}

function shapeOf(net: BridgeNetwork | NetworkRecord, settings: FirewallSettings): NetShape {
  if ('config' in net && 'bridge' in net && typeof net.bridge === 'string') {
    const r = net as NetworkRecord;
    return { name: r.name, bridge: r.bridge, subnet: r.config.subnet, ...(r.config.subnetV6 ? { subnetV6: r.config.subnetV6 } : {}), internal: r.config.internal, settings };
  }
  const n = net as BridgeNetwork;
  return { name: n.name, bridge: n.bridge.name, subnet: n.subnet, ...(n.subnetV6 ? { subnetV6: n.subnetV6 } : {}), internal: n.internal, settings };
}

/** The network's chains (flushed and refilled: idempotent) and its entries in the shared maps. */
function addNetwork(tx: NftTransaction, n: NetShape): void {
  const c = chainsOf(n.bridge);
  const B = n.bridge;
  for (const name of Object.values(c)) {
    tx.addChain({ ...INET, name });
    tx.flushChain({ ...INET, name });
  }
  const r = (chain: string, exprs: Expr[]): void => void tx.addRule({ ...INET, chain, exprs });
  // from the bridge: never to another network's bridge (isolation); out of the host unless internal; icc
  r(c.from, [...x.oifname(B, 'neq'), ...x.inSet('bridges', [x.load.oifname]), x.drop()]);
  r(c.from, [...x.oifname(B, 'neq'), n.internal ? x.drop() : x.accept()]);
  r(c.from, [...x.oifname(B), n.settings.icc ? x.accept() : x.drop()]);
  // to the bridge: published (DNAT-ed) connections only; nothing from outside an internal network
  if (n.internal) r(c.to, [...x.iifname(B, 'neq'), x.drop()]);
  r(c.to, [...x.ctStatusDnat(), x.accept()]);
  r(c.to, [...x.iifname(B, 'neq'), x.drop()]);
  // masquerade toward the bridge: the host's own 127.0.0.1 (route_localnet), and hairpin (a container to a published port on its own network)
  if (n.settings.hostLoopback) r(c.natTo, [...nfproto(4), ...x.ipSaddr('127.0.0.0/8'), x.masquerade()]);
  if (n.settings.hairpin) {
    r(c.natTo, [...nfproto(4), ...x.ipSaddr(n.subnet), ...x.ctStatusDnat(), x.masquerade()]);
    if (n.subnetV6) r(c.natTo, [...nfproto(6), ...x.ip6Saddr(n.subnetV6), ...x.ctStatusDnat(), x.masquerade()]);
  }
  // outbound NAT
  r(c.natFrom, [...x.oifname(B, 'neq'), x.masquerade()]);
  tx.addElements({ ...INET, name: 'bridges' }, [{ key: B }]);
  tx.addElements({ ...INET, name: 'fwd_from' }, [{ key: B, verdict: { kind: 'jump', chain: c.from } }]);
  tx.addElements({ ...INET, name: 'fwd_to' }, [{ key: B, verdict: { kind: 'jump', chain: c.to } }]);
  tx.addElements({ ...INET, name: 'nat_to' }, [{ key: B, verdict: { kind: 'jump', chain: c.natTo } }]);
  if (!n.internal && n.settings.masquerade) {
    tx.addElements({ ...INET, name: 'nat_from4' }, [{ key: n.subnet, verdict: { kind: 'jump', chain: c.natFrom } }]);
    if (n.subnetV6) tx.addElements({ ...INET, name: 'nat_from6' }, [{ key: n.subnetV6, verdict: { kind: 'jump', chain: c.natFrom } }]);
  }
}

/** Deletes the network's entries and chains (idempotent). */
function deleteNetwork(tx: NftTransaction, n: Pick<NetShape, 'bridge' | 'subnet' | 'subnetV6'>): void {
  const c = chainsOf(n.bridge);
  for (const m of ['bridges', 'fwd_from', 'fwd_to', 'nat_to']) tx.destroyElements({ ...INET, name: m }, [{ key: n.bridge }]);
  tx.destroyElements({ ...INET, name: 'nat_from4' }, [{ key: n.subnet }]);
  if (n.subnetV6) tx.destroyElements({ ...INET, name: 'nat_from6' }, [{ key: n.subnetV6 }]);
  for (const name of Object.values(c)) {
    tx.destroyChain({ ...INET, name });
  }
}

// ---- claims: which host ports are taken ------------------------------------------------------------

interface Claim {
  fam: 4 | 6;
  /** the host address, or `*` for every address of the family. */
  ip: string;
  proto: 'tcp' | 'udp';
  port: number;
}

/** Published ports by (family, protocol, port) → address (`*`: all) → who holds it. */
class ClaimIndex {
  private readonly m = new Map<string, Map<string, string>>();
  private static k(c: Pick<Claim, 'fam' | 'proto' | 'port'>): string {
    return `${c.fam}/${c.proto}/${c.port}`;
  }
  /** Who holds something `c` conflicts with (same address, or either is every address). */
  conflict(c: Claim): string | undefined {
    const e = this.m.get(ClaimIndex.k(c));
    if (!e || e.size === 0) return undefined;
    if (c.ip === '*') return e.values().next().value;
    return e.get(c.ip) ?? e.get('*');
  }
  add(c: Claim, holder: string): void {
    const k = ClaimIndex.k(c);
    let e = this.m.get(k);
    if (!e) this.m.set(k, (e = new Map()));
    e.set(c.ip, holder);
  }
  delete(c: Claim, holder?: string): void {
    const e = this.m.get(ClaimIndex.k(c));
    if (!e) return;
    if (holder === undefined || e.get(c.ip) === holder) e.delete(c.ip);
    if (e.size === 0) this.m.delete(ClaimIndex.k(c));
  }
  clear(): void {
    this.m.clear();
  }
  get size(): number {
    let n = 0;
    for (const e of this.m.values()) n += e.size;
    return n;
  }
}

/** The claims of a published port (undefined hostIp: IPv4 and, on a dual-stack network, IPv6). */
function claimsOf(p: Pick<PublishedPort, 'hostIp' | 'protocol' | 'hostPort'>, dual: boolean): Claim[] {
  const base = { proto: p.protocol, port: p.hostPort };
  if (p.hostIp === undefined) return dual ? [{ ...base, fam: 4, ip: '*' }, { ...base, fam: 6, ip: '*' }] : [{ ...base, fam: 4, ip: '*' }];
  if (p.hostIp === '0.0.0.0') return [{ ...base, fam: 4, ip: '*' }];
  if (p.hostIp === '::') return [{ ...base, fam: 6, ip: '*' }];
  return [{ ...base, fam: p.hostIp.includes(':') ? 6 : 4, ip: p.hostIp }];
}

function mapOf(c: Claim): PortMap {
  return c.fam === 4 ? (c.ip === '*' ? 'ports4any' : 'ports4') : c.ip === '*' ? 'ports6any' : 'ports6';
}

/** The map element of one claim of a published port toward a container address. */
function elementOf(c: Claim, target: string, containerPort: number): ElementInput {
  return c.ip === '*' ? { key: [c.proto, c.port], value: [target, containerPort] } : { key: [c.ip, c.proto, c.port], value: [target, containerPort] };
}

const holderOf = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

// ---- per-namespace state ---------------------------------------------------------------------------

/** netns-kit's tables in one namespace, as this process knows them: one socket, one queue, a cache of the port maps valid at one generation. */
class HostState {
  /** generation the claims were read at (undefined: re-read before use). */
  gen: number | undefined;
  readonly claims = new ClaimIndex();
  /** ports reserved by prepare() and not yet published. */
  readonly pending = new ClaimIndex();
  tableExists = false;
  /** networks whose chains this process set up since the table was last seen made. */
  readonly ready = new Set<string>();
  /** generations of this process's own commits (their notifications are not someone else's change). */
  readonly own = new Set<number>();
  readonly stateDirs = new Set<string>();
  readonly users = new Set<NetworkFirewall>();
  watcher: NftWatcher | undefined;
  restoring = true;
  readonly restores: number[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private range: [number, number] | undefined;

  constructor(
    readonly key: string,
    readonly host: Namespace,
    readonly label: string,
    readonly nft: Nftables,
  ) {}

  /** Runs `fn` after every earlier operation on this namespace's tables (in this process). */
  run<R>(fn: () => Promise<R>): Promise<R> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Re-reads the port maps unless nothing committed since they were read. */
  async fresh(): Promise<void> {
    const g = await this.nft.generation();
    if (g === this.gen) return;
    for (let attempt = 0; ; attempt++) {
      const before = await this.nft.generation();
      const claims: [Claim, string][] = [];
      let exists = true;
      for (const m of PORT_MAPS) {
        let els: Awaited<ReturnType<Nftables['listElements']>>;
        try {
          els = await this.nft.listElements('inet', T, m);
        } catch (e) {
          if ((e as { code?: string }).code === 'ENOENT') {
            exists = false;
            break;
          }
          throw e;
        }
        const types = TYPES[m];
        for (const el of els) {
          const d = describeElement(types, el);
          if (!d.key || !d.value) continue;
          const fam = m.startsWith('ports4') ? 4 : 6;
          const any = m.endsWith('any');
          const [ip, proto, port] = any ? ['*', d.key[0], d.key[1]] : [String(d.key[0]), d.key[1], d.key[2]];
          claims.push([{ fam, ip, proto: proto as 'tcp' | 'udp', port: Number(port) }, holderOf(String(d.value[0]), Number(d.value[1]))]);
        }
      }
      if ((await this.nft.generation()) !== before && attempt < 5) continue;
      this.claims.clear();
      for (const [c, h] of claims) this.claims.add(c, h);
      if (!exists || !this.tableExists) this.ready.clear();
      this.tableExists = exists;
      this.gen = before;
      return;
    }
  }

  /** Commits what `build` adds, guarded by the generation the cache was read at; rebuilds and retries when someone else committed first. */
  async commitGuarded(build: (tx: NftTransaction) => void): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      await this.fresh();
      try {
        const r = await this.nft.transaction(build, { generation: this.gen, echo: false });
        this.own.add(r.generation);
        this.gen = r.generation;
        return r.generation;
      } catch (e) {
        if (!(e instanceof TransactionError && e.generationChanged) || attempt >= 20) throw e;
        this.gen = undefined;
      }
    }
  }

  /** Commits idempotent changes without a guard; the cache stays valid if nothing else committed in between. */
  async commitFree(build: (tx: NftTransaction) => void): Promise<number> {
    const before = this.gen;
    const r = await this.nft.transaction(build, { echo: false });
    this.own.add(r.generation);
    this.gen = before !== undefined && r.generation === before + 1 ? r.generation : undefined;
    return r.generation;
  }

  async portRange(fw: NetworkFirewall): Promise<[number, number]> {
    if (fw.portRangeOption) return fw.portRangeOption;
    if (!this.range) {
      const v = (await Sysctl.of(this.host).get('net/ipv4/ip_local_port_range')).trim().split(/\s+/).map(Number);
      this.range = [v[0]!, v[1]!];
    }
    return this.range;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.nft.close();
  }
}

const TYPES: Record<PortMap, ReturnType<typeof setTypesOf>> = {
  ports4: { key: ['ipv4_addr', 'inet_proto', 'inet_service'], data: ['ipv4_addr', 'inet_service'], interval: false },
  ports4any: { key: ['inet_proto', 'inet_service'], data: ['ipv4_addr', 'inet_service'], interval: false },
  ports6: { key: ['ipv6_addr', 'inet_proto', 'inet_service'], data: ['ipv6_addr', 'inet_service'], interval: false },
  ports6any: { key: ['inet_proto', 'inet_service'], data: ['ipv6_addr', 'inet_service'], interval: false },
};

const hosts = new Map<string, Promise<HostState>>();

async function hostState(ns: Namespace): Promise<HostState> {
  const key = `${ns.identity.dev}:${ns.identity.ino}`;
  let p = hosts.get(key);
  if (!p) {
    p = Nftables.open(ns).then((nft) => new HostState(key, ns, ns.label, nft));
    hosts.set(key, p);
    p.catch(() => hosts.delete(key));
  }
  return p;
}

function dropHost(st: HostState): void {
  if (st.users.size > 0) return;
  hosts.delete(st.key);
  st.close();
}

const code = (e: unknown): string | undefined => (e as { code?: string } | undefined)?.code;

/**
 * Docker's port publishing, outbound NAT and isolation for bridge networks — a
 * {@link NetworkExtension} and {@link PortPublisher} in one. Give it to
 * `BridgeNetwork.create`/`open` (`extensions: [fw]`) or register it for every network with
 * `registerNetworkExtension(fw)`. See the module documentation for the rules it writes.
 *
 * Another process handling the same networks (after `BridgeNetwork.open`) needs a
 * NetworkFirewall too: the published ports are in the networks' records and in the kernel,
 * so it lists, unpublishes and cleans them up. Call {@link NetworkFirewall.close} when done
 * (closes its netlink sockets; the rules stay).
 */
export class NetworkFirewall extends EventEmitter<NetworkFirewallEvents> implements NetworkExtension, PortPublisher {
  /** the key of its data in network records. */
  readonly name = 'firewall';
  private readonly defaults: FirewallSettings;
  /** @internal */
  readonly portRangeOption: [number, number] | undefined;
  private readonly settings = new Map<string, FirewallSettings>();
  private readonly states = new Set<HostState>();

  constructor(options: NetworkFirewallOptions = {}) {
    super();
    const o = validateOptions<NetworkFirewallOptions>(options, SETTINGS_KEYS);
    for (const k of ['icc', 'masquerade', 'forwarding', 'hostLoopback', 'hairpin', 'restore'] as const) {
      if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new NetnsKitError(`NetworkFirewall: ${k} must be true or false`, 'EINVAL');
    }
    if (o.portRange !== undefined) {
      if (!Array.isArray(o.portRange) || o.portRange.length !== 2) throw new NetnsKitError('NetworkFirewall: portRange must be [first, last]', 'EINVAL');
      const a = validateInt(o.portRange[0], 'portRange[0]', 1, 65535);
      const b = validateInt(o.portRange[1], 'portRange[1]', a, 65535);
      this.portRangeOption = [a, b];
    }
    this.defaults = {
      icc: o.icc ?? true,
      masquerade: o.masquerade ?? true,
      forwarding: o.forwarding ?? true,
      hostLoopback: o.hostLoopback ?? true,
      hairpin: o.hairpin ?? true,
      restore: o.restore ?? true,
    };
  }

  private settingsOf(net: BridgeNetwork): FirewallSettings {
    const s = this.settings.get(net.id) ?? (net.config.extensions?.[this.name] as FirewallSettings | undefined);
    return { ...this.defaults, ...(s ?? {}) };
  }

  private async state(net: BridgeNetwork): Promise<HostState> {
    const st = await hostState(net.namespace);
    st.users.add(this);
    st.stateDirs.add(net.stateDir);
    this.states.add(st);
    return st;
  }

  // ---- NetworkExtension --------------------------------------------------------------------

  /** Sets the network up: its chains and map entries, `ip_forward` and `route_localnet` as its settings say; starts watching for removals. @internal */
  async created(net: BridgeNetwork): Promise<FirewallSettings> {
    const s: FirewallSettings = { ...this.defaults, ...(net.internal ? { masquerade: false, forwarding: false } : {}) };
    this.settings.set(net.id, s);
    const sys = Sysctl.of(net.namespace);
    if (s.forwarding) {
      await sys.set('net/ipv4/ip_forward', 1);
      if (net.subnetV6) await sys.set('net/ipv6/conf/all/forwarding', 1);
    }
    if (s.hostLoopback) await sys.set(`net/ipv4/conf/${net.bridge.name}/route_localnet`, 1);
    const st = await this.state(net);
    await st.run(async () => {
      await st.commitGuarded((tx) => {
        if (!st.tableExists) addBase(tx);
        addNetwork(tx, shapeOf(net, s));
      });
      st.tableExists = true;
      st.ready.add(net.id);
    });
    if (s.restore) await this.watch(st);
    return s;
  }

  /** Deletes the network's chains and entries, and netns-kit's tables when no network is left in them. @internal */
  async removed(net: BridgeNetwork): Promise<void> {
    const st = await this.state(net);
    await st.run(async () => {
      await st.fresh();
      if (!st.tableExists) return;
      // ports still mapped to this network's addresses (left by a crash): removed too
      const stale = await this.strayElements(st, net, new Set());
      try {
        await st.commitFree((tx) => {
          for (const [m, els] of stale) tx.destroyElements({ ...INET, name: m }, els);
          deleteNetwork(tx, shapeOf(net, this.settingsOf(net)));
        });
      } catch (e) {
        if (code(e) !== 'ENOENT') throw e;
      }
      st.ready.delete(net.id);
      const left = await st.nft.listElements('inet', T, 'bridges').catch(() => []);
      if (left.length === 0) {
        await st.commitFree((tx) => {
          tx.destroyTable({ family: 'inet', name: T });
          tx.destroyTable({ family: 'bridge', name: T });
        });
        st.tableExists = false;
        st.ready.clear();
        st.claims.clear();
      }
    });
  }

  /** On an `icc: false` network: the container's bridge port joins `icc_ports`. @internal */
  async connect(net: BridgeNetwork, endpoint: NetworkEndpoint): Promise<void> {
    if (this.settingsOf(net).icc) return;
    const st = await this.state(net);
    await st.run(async () => {
      await st.commitGuarded((tx) => {
        if (!st.tableExists) addBase(tx);
        if (!st.ready.has(net.id)) addNetwork(tx, shapeOf(net, this.settingsOf(net)));
        tx.addElements({ ...BRI, name: 'icc_ports' }, [{ key: endpoint.hostIfname }]);
      });
      st.tableExists = true;
      st.ready.add(net.id);
    });
  }

  /** Takes the container's bridge port out of `icc_ports`. @internal */
  async disconnect(net: BridgeNetwork, endpoint: NetworkEndpoint | EndpointRecord): Promise<void> {
    if (this.settingsOf(net).icc) return;
    const st = await this.state(net);
    await st.run(async () => {
      try {
        await st.commitFree((tx) => void tx.destroyElements({ ...BRI, name: 'icc_ports' }, [{ key: endpoint.hostIfname }]));
      } catch (e) {
        if (code(e) !== 'ENOENT') throw e;
      }
    });
  }

  /** Published ports in the kernel that no endpoint records, and recorded ones missing from the kernel. @internal */
  async check(net: BridgeNetwork, record: NetworkRecord): Promise<NetworkIssue[]> {
    // a network this firewall never set up (made without it, nothing published) has nothing to check
    if (record.config.extensions?.[this.name] === undefined && !record.endpoints.some((e) => e.ports.length > 0)) return [];
    const st = await this.state(net);
    return st.run(async () => {
      await st.fresh();
      const issues: NetworkIssue[] = [];
      if (!st.tableExists) {
        const any = record.endpoints.some((e) => e.ports.length > 0);
        issues.push({ kind: 'extension', message: `table inet ${T} is missing from ${st.label}${any ? ': published ports do not answer' : ''} (removed by another program?)`, repair: 'none' });
        return issues;
      }
      const expected = expectedElements(record);
      for (const [m, els] of await this.strayElements(st, net, expected.keys)) {
        for (const el of els) issues.push({ kind: 'extension', message: `${m} maps ${fmtKey(el.key)} to this network's ${fmtKey(el.value ?? '')} that no endpoint records (left by a crash?)`, repair: 'none' });
      }
      const present = new Set<string>();
      for (const m of PORT_MAPS) for (const el of await st.nft.listElements('inet', T, m)) present.add(`${m} ${fmtKey(describeElement(TYPES[m], el).key ?? [])}`);
      for (const [k] of expected.byKey) if (!present.has(k)) issues.push({ kind: 'extension', message: `published port ${k} is missing from the kernel (removed by another program?)`, repair: 'none' });
      return issues;
    });
  }

  /** Removes the stray map elements {@link NetworkFirewall.check} found and puts recorded ones back. @internal */
  async gc(net: BridgeNetwork, record: NetworkRecord): Promise<void> {
    const st = await this.state(net);
    await st.run(async () => {
      await st.fresh();
      if (!st.tableExists) return;
      const live = { ...record, endpoints: record.endpoints.filter((e) => e.state === 'connected') };
      const expected = expectedElements(live);
      const stale = await this.strayElements(st, net, expected.keys);
      await st.commitGuarded((tx) => {
        for (const [m, els] of stale) tx.destroyElements({ ...INET, name: m }, els);
        for (const [m, els] of expected.byMap) if (els.length > 0) tx.addElements({ ...INET, name: m }, els);
      });
      st.gen = undefined;
    });
  }

  /** Map elements whose target is an address of this network's subnets and whose key is not in `keep`. */
  private async strayElements(st: HostState, net: BridgeNetwork, keep: Set<string>): Promise<[PortMap, ElementInput[]][]> {
    const p4 = parsePrefix(net.subnet, 'subnet');
    const p6 = net.subnetV6 ? parsePrefix(net.subnetV6, 'subnetV6') : undefined;
    const out: [PortMap, ElementInput[]][] = [];
    for (const m of PORT_MAPS) {
      const els: ElementInput[] = [];
      for (const el of await st.nft.listElements('inet', T, m).catch(() => [])) {
        const d = describeElement(TYPES[m], el);
        if (!d.key || !d.value) continue;
        const target = ipToBig(String(d.value[0]));
        const mine = target.family === 4 ? inPrefix(p4, target.n) : p6 !== undefined && inPrefix(p6, target.n);
        if (!mine || keep.has(`${m} ${fmtKey(d.key)}`)) continue;
        els.push({ key: d.key, value: d.value });
      }
      if (els.length) out.push([m, els]);
    }
    return out;
  }

  // ---- PortPublisher -----------------------------------------------------------------------

  /**
   * Checks requested mappings against every port published in the namespace (any network,
   * any process: the kernel's maps) and each other, chooses dynamic host ports, expands
   * ranges. Throws {@link PortConflictError} naming the holder; nothing is written.
   * @internal
   */
  async prepare(net: BridgeNetwork, requests: readonly PortRequest[]): Promise<PublishedPort[]> {
    if (net.internal) throw new NetnsKitError(`publish on network ${net.name}: it is internal (no NAT in or out); publish on another network`, 'ENOTSUP', 95);
    const dual = net.subnetV6 !== undefined;
    for (const r of requests) {
      if (r.hostIp?.includes(':') && !dual) throw new NetnsKitError(`publish ${r.source}: network ${net.name} has no IPv6 (no container address to forward IPv6 to)`, 'EAFNOSUPPORT', 97);
    }
    const st = await this.state(net);
    return st.run(async () => {
      await st.fresh();
      const [lo, hi] = await st.portRange(this);
      const local = new ClaimIndex();
      const out: PublishedPort[] = [];
      const taken = (cs: Claim[]): string | undefined => {
        for (const c of cs) {
          const h = st.claims.conflict(c) ?? st.pending.conflict(c) ?? local.conflict(c);
          if (h) return h;
        }
        return undefined;
      };
      const pick = (r: PortRequest, first: number, last: number, mk: (h: number) => PublishedPort): PublishedPort => {
        for (let h = first; h <= last; h++) {
          const p = mk(h);
          if (!taken(claimsOf(p, dual))) return p;
        }
        throw new PortConflictError(r.source, r.protocol, r.hostIp, first === last ? first : undefined, `no free host port in ${first}-${last}`);
      };
      for (const r of requests) {
        const hostIp = r.hostIp !== undefined ? { hostIp: r.hostIp } : {};
        for (let cp = r.containerPort; cp <= r.containerPortEnd; cp++) {
          let p: PublishedPort;
          const base = { containerPort: cp, protocol: r.protocol, ...hostIp };
          if (r.hostPort === 0) p = pick(r, lo, hi, (h) => ({ ...base, hostPort: h, dynamic: true }));
          else if (r.containerPort === r.containerPortEnd && r.hostPortEnd > r.hostPort) p = pick(r, r.hostPort, r.hostPortEnd, (h) => ({ ...base, hostPort: h }));
          else {
            p = { ...base, hostPort: r.hostPort + (cp - r.containerPort) };
            const h = taken(claimsOf(p, dual));
            if (h) throw new PortConflictError(r.source, p.protocol, p.hostIp, p.hostPort, `port is already allocated (to ${h})`);
          }
          for (const c of claimsOf(p, dual)) local.add(c, 'this connect');
          out.push(p);
        }
      }
      for (const p of out) for (const c of claimsOf(p, dual)) st.pending.add(c, `a connect in progress to ${net.name}`);
      return out;
    });
  }

  /** Forgets reservations of a connect that failed before publishing. @internal */
  release(net: BridgeNetwork, ports: readonly PublishedPort[]): void {
    const st = [...this.states].find((s) => s.host.equals(net.namespace));
    if (!st) return;
    for (const p of ports) for (const c of claimsOf(p, net.subnetV6 !== undefined)) st.pending.delete(c);
  }

  /** One mapping at a time (for callers of the plain PortPublisher interface). @internal */
  async publish(net: BridgeNetwork, endpoint: NetworkEndpoint, mapping: PublishedPort): Promise<void> {
    await this.publishAll(net, endpoint, [mapping]);
  }

  /** @internal */
  async unpublish(net: BridgeNetwork, endpoint: NetworkEndpoint | EndpointRecord, mapping: PublishedPort): Promise<void> {
    await this.unpublishAll(net, endpoint, [mapping]);
  }

  /**
   * Publishes all mappings of an endpoint in ONE transaction of map elements (plus the
   * network's chains the first time this process sees it), guarded by the ruleset generation
   * the port maps were read at: if another process committed meanwhile, the maps are read
   * again and conflicts checked again (a dynamic port taken meanwhile is chosen anew).
   * @internal
   */
  async publishAll(net: BridgeNetwork, endpoint: NetworkEndpoint, ports: readonly PublishedPort[]): Promise<PublishedPort[]> {
    const st = await this.state(net);
    const s = this.settingsOf(net);
    const dual = endpoint.ip6 !== undefined;
    if (s.hairpin) {
      const br = await Bridge.get(net.namespace, net.bridge.name);
      await br.setPortOptions(endpoint.hostIfname, { hairpin: true });
    }
    return st.run(async () => {
      for (const p of ports) for (const c of claimsOf(p, net.subnetV6 !== undefined)) st.pending.delete(c);
      let final: PublishedPort[] = [...ports];
      const [lo, hi] = await st.portRange(this);
      await st.commitGuarded((tx) => {
        // checked again against the maps as read at the guarded generation
        const local = new ClaimIndex();
        final = ports.map((p) => {
          const clash = (q: PublishedPort): string | undefined => claimsOf(q, dual).map((c) => st.claims.conflict(c) ?? st.pending.conflict(c) ?? local.conflict(c)).find((h) => h !== undefined);
          let q = p;
          if (clash(q)) {
            if (!p.dynamic) throw new PortConflictError(`${p.hostIp ?? ''}:${p.hostPort}:${p.containerPort}/${p.protocol}`, p.protocol, p.hostIp, p.hostPort, `port is already allocated (to ${clash(q)})`);
            let h = lo;
            for (; h <= hi; h++) if (!clash({ ...p, hostPort: h })) break;
            if (h > hi) throw new PortConflictError(`${p.containerPort}/${p.protocol}`, p.protocol, p.hostIp, undefined, `no free host port in ${lo}-${hi}`);
            q = { ...p, hostPort: h };
          }
          for (const c of claimsOf(q, dual)) local.add(c, 'this connect');
          return q;
        });
        if (!st.tableExists) addBase(tx);
        if (!st.ready.has(net.id)) addNetwork(tx, shapeOf(net, s));
        for (const [m, els] of elementsByMap(final, endpoint)) if (els.length > 0) tx.createElements({ ...INET, name: m }, els);
      });
      st.tableExists = true;
      st.ready.add(net.id);
      for (const p of final) for (const c of claimsOf(p, dual)) st.claims.add(c, holderOf(c.fam === 4 ? endpoint.ip : endpoint.ip6!, p.containerPort));
      return final;
    });
  }

  /** Removes all mappings of an endpoint in one transaction (elements already gone are fine). @internal */
  async unpublishAll(net: BridgeNetwork, endpoint: NetworkEndpoint | EndpointRecord, ports: readonly PublishedPort[]): Promise<void> {
    const st = await this.state(net);
    const dual = endpoint.ip6 !== undefined;
    await st.run(async () => {
      const byMap = elementsByMap(ports, endpoint);
      try {
        await st.commitFree((tx) => {
          for (const [m, els] of byMap) if (els.length > 0) tx.destroyElements({ ...INET, name: m }, els);
        });
      } catch (e) {
        if (code(e) !== 'ENOENT') throw e; // the table is gone: so are the rules
      }
      for (const p of ports) for (const c of claimsOf(p, dual)) st.claims.delete(c, holderOf(c.fam === 4 ? endpoint.ip : endpoint.ip6!, p.containerPort));
    });
  }

  // ---- restoring after someone else's removal ----------------------------------------------------

  private async watch(st: HostState): Promise<void> {
    if (st.watcher) return;
    const conn = await NetlinkConnection.open({ protocol: NETLINK_NETFILTER, nsFd: st.host.fd, groups: [NFNLGRP_NFTABLES] });
    if (st.watcher) {
      conn.close();
      return;
    }
    const w = new NftWatcher(conn);
    conn.unref(); // watching never keeps the process alive
    st.watcher = w;
    let cause: string | undefined;
    w.on('error', () => undefined);
    w.on('event', (ev) => {
      if (ev.kind === 'overflow') cause ??= 'notifications lost (receive buffer full)';
      else if (ev.kind === 'table' && ev.action === 'delete' && ev.table.name === T) cause = cause?.startsWith('table') ? cause : `table ${ev.table.family} ${T} deleted`;
      else if (ev.kind === 'chain' && ev.action === 'delete' && ev.chain.table === T && BASE_CHAINS.has(ev.chain.name)) cause ??= `chain ${ev.chain.name} deleted`;
      else if (ev.kind === 'rule' && ev.action === 'delete' && ev.rule.table === T && BASE_CHAINS.has(ev.rule.chain)) cause ??= `rules of chain ${ev.rule.chain} deleted`;
      else if (ev.kind === 'generation') {
        const c = cause;
        cause = undefined;
        if (c === undefined) return;
        const g = ev.generation.id;
        void st.run(async () => {
          if (st.own.has(g)) return;
          await this.restoreNow(st, c);
        });
      }
    });
  }

  /** Puts back the tables, every recorded network's chains and every recorded published port (idempotent adds). */
  private async restoreNow(st: HostState, cause: string): Promise<void> {
    if (!st.restoring) return;
    const now = Date.now();
    while (st.restores.length && now - st.restores[0]! > 60_000) st.restores.shift();
    if (st.restores.length >= RESTORE_LIMIT) {
      st.restoring = false;
      this.emitAll(st, 'restore-failed', { namespace: st.label, reason: `removed ${RESTORE_LIMIT + 1} times within a minute (${cause}): taken as deliberate, not restored again until restore() is called` });
      return;
    }
    st.restores.push(now);
    try {
      const r = await this.rebuild(st);
      if (r.networks.length === 0) return;
      this.emitAll(st, 'restored', { namespace: st.label, cause, ...r });
    } catch (e) {
      this.emitAll(st, 'restore-failed', { namespace: st.label, reason: `restore after "${cause}" failed`, error: e });
    }
  }

  private emitAll<K extends keyof NetworkFirewallEvents>(st: HostState, event: K, ...args: NetworkFirewallEvents[K]): void {
    for (const fw of st.users) (fw.emit as (e: K, ...a: NetworkFirewallEvents[K]) => boolean)(event, ...args);
  }

  /** The networks recorded for the namespace that use this extension (bridge present, restore on). */
  private async recorded(st: HostState): Promise<NetworkRecord[]> {
    const present = new Set((await Link.list(st.host, { kind: 'bridge' })).map((l) => l.name));
    const out: NetworkRecord[] = [];
    for (const dir of st.stateDirs) {
      const store = await NetworkStore.of(dir, st.host);
      for (const n of await store.names()) {
        const r = await store.read(n).catch(() => undefined);
        const s = r?.config.extensions?.[this.name] as FirewallSettings | undefined;
        if (r && s && present.has(r.bridge)) out.push(r);
      }
    }
    return out;
  }

  private async rebuild(st: HostState): Promise<FirewallRestoreResult> {
    const recs = (await this.recorded(st)).filter((r) => (r.config.extensions[this.name] as FirewallSettings).restore !== false);
    if (recs.length === 0) return { networks: [], mappings: 0, generation: st.gen ?? 0 };
    let mappings = 0;
    const generation = await st.commitGuarded((tx) => {
      mappings = 0;
      if (!st.tableExists) addBase(tx);
      else {
        for (const c of BASE_CHAINS) tx.flushChain({ ...INET, name: c });
        tx.flushChain({ ...BRI, name: 'forward' });
        addBaseRules(tx);
      }
      for (const r of recs) {
        const rs = { ...this.defaults, ...(r.config.extensions[this.name] as FirewallSettings) };
        addNetwork(tx, shapeOf(r, rs));
        const ports = r.endpoints.filter((e) => e.state === 'connected').map((e) => ({ key: e.hostIfname }));
        if (!rs.icc && ports.length > 0) tx.addElements({ ...BRI, name: 'icc_ports' }, ports);
        for (const [m, els] of expectedElements(r).byMap) {
          if (els.length === 0) continue;
          mappings += els.length;
          tx.addElements({ ...INET, name: m }, els);
        }
      }
    });
    st.tableExists = true;
    for (const r of recs) st.ready.add(r.id);
    st.gen = undefined;
    return { networks: recs.map((r) => r.name), mappings, generation };
  }

  /**
   * Puts the rules of `network` (and every other recorded network in its namespace) back now,
   * and resumes automatic restoring if it was given up. Resolves what was restored.
   */
  async restore(network: BridgeNetwork): Promise<FirewallRestoreResult> {
    const st = await this.state(network);
    st.restoring = true;
    st.restores.length = 0;
    return st.run(() => this.rebuild(st));
  }

  /** Closes this firewall's netlink sockets (the rules stay in the kernel). */
  close(): void {
    for (const st of this.states) {
      st.users.delete(this);
      dropHost(st);
    }
    this.states.clear();
  }
}

function fmtKey(k: unknown): string {
  return Array.isArray(k) ? k.join(' . ') : String(k);
}

/** The map elements a record's connected endpoints' ports call for. */
function expectedElements(r: NetworkRecord): { byMap: Map<PortMap, ElementInput[]>; keys: Set<string>; byKey: Map<string, ElementInput> } {
  const byMap = new Map<PortMap, ElementInput[]>(PORT_MAPS.map((m) => [m, []]));
  const keys = new Set<string>();
  const byKey = new Map<string, ElementInput>();
  for (const e of r.endpoints) {
    for (const [m, els] of elementsByMap(e.ports, e)) {
      byMap.get(m)!.push(...els);
      for (const el of els) {
        const k = `${m} ${fmtKey(el.key)}`;
        keys.add(k);
        byKey.set(k, el);
      }
    }
  }
  return { byMap, keys, byKey };
}

/** The map elements of an endpoint's published ports, by map. */
function elementsByMap(ports: readonly PublishedPort[], e: Pick<EndpointRecord, 'ip' | 'ip6'>): Map<PortMap, ElementInput[]> {
  const byMap = new Map<PortMap, ElementInput[]>(PORT_MAPS.map((m) => [m, []]));
  for (const p of ports) {
    for (const c of claimsOf(p, e.ip6 !== undefined)) byMap.get(mapOf(c))!.push(elementOf(c, c.fam === 4 ? e.ip : e.ip6!, p.containerPort));
  }
  return byMap;
}
