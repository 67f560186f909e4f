/**
 * The text layout of `ip link`, `ip addr`, `ip route`, `ip neigh` and `bridge fdb`,
 * rendered from the `ip -j` objects of ip-json.ts.
 * @module
 */
import type { BridgeFdbJson, IpAddrInfoJson, IpLinkJson, IpNeighJson, IpRouteJson } from './ip-json.js';

const BOOL_SKIP = new Set(['family', 'local', 'address', 'prefixlen', 'broadcast', 'anycast', 'scope', 'label', 'valid_life_time', 'preferred_life_time', 'metric']);

function lifetime(v: number | undefined): string {
  return v === undefined || v === 0xffffffff ? 'forever' : `${v}sec`;
}

/**
 * `2: eth0@if3: <BROADCAST,…> mtu 1500 qdisc noqueue state UP group default qlen 1000` and
 * its `link/` line; `netnsNames` turns `link-netnsid N` into `link-netns NAME` like ip.
 */
export function linkText(j: IpLinkJson, netnsNames?: ReadonlyMap<number, string>): string[] {
  const at = j.link === null ? '@NONE' : j.link !== undefined ? `@${j.link}` : j.link_index !== undefined ? `@if${j.link_index}` : '';
  let head = `${j.ifindex}: ${j.ifname}${at}: <${j.flags.join(',')}>`;
  if (j.mtu !== undefined) head += ` mtu ${j.mtu}`;
  if (j.qdisc !== undefined) head += ` qdisc ${j.qdisc}`;
  if (j.master !== undefined) head += ` master ${j.master}`;
  head += ` state ${j.operstate}`;
  if (j.linkmode !== undefined) head += ` mode ${j.linkmode}`;
  if (j.group !== undefined) head += ` group ${j.group}`;
  if (j.txqlen !== undefined) head += ` qlen ${j.txqlen}`;
  const netns = j.link_netnsid === undefined ? '' : netnsNames?.has(j.link_netnsid) ? ` link-netns ${netnsNames.get(j.link_netnsid)}` : ` link-netnsid ${j.link_netnsid}`;
  // `ip -4/-6 addr` prints no link-layer line: link-netns ends the first line then
  if (j.link_type === undefined) return [head + netns, ...linkExtras(j)];
  let l2 = `    link/${j.link_type}`;
  if (j.address !== undefined) l2 += ` ${j.address}`;
  if (j.broadcast !== undefined) l2 += ` ${j.flags.includes('POINTOPOINT') ? 'peer' : 'brd'} ${j.broadcast}`;
  return [head, l2 + netns, ...linkExtras(j)];
}

function linkExtras(j: IpLinkJson): string[] {
  const out: string[] = [];
  if (j.ifalias !== undefined) out.push(`    alias ${j.ifalias}`);
  for (const a of j.altnames ?? []) out.push(`    altname ${a}`);
  return out;
}

/** `    inet 10.0.0.1/24 brd 10.0.0.255 scope global eth0` and its lifetime line. */
export function addrText(a: IpAddrInfoJson): string[] {
  let s = `    ${a.family} ${a.local}`;
  s += a.address !== undefined ? ` peer ${a.address}/${a.prefixlen}` : `/${a.prefixlen}`;
  if (a.broadcast !== undefined) s += ` brd ${a.broadcast}`;
  if (a.anycast !== undefined) s += ` any ${a.anycast}`;
  s += ` scope ${a.scope}`;
  for (const [k, v] of Object.entries(a)) if (!BOOL_SKIP.has(k) && v === true) s += ` ${k}`;
  if (a.label !== undefined) s += ` ${a.label}`;
  if (a.metric !== undefined) s += ` metric ${String(a.metric)}`;
  const out = [s];
  if (a.valid_life_time !== undefined) out.push(`       valid_lft ${lifetime(a.valid_life_time)} preferred_lft ${lifetime(a.preferred_life_time)}`);
  return out;
}

/** `10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1` (+ one line per nexthop). */
export function routeText(r: IpRouteJson): string[] {
  let s = r.type !== undefined ? `${r.type} ${r.dst}` : r.dst;
  if (r.from !== undefined) s += ` from ${r.from}`;
  if (r.tos !== undefined) s += ` tos ${r.tos}`;
  if (r.gateway !== undefined) s += ` via ${r.gateway}`;
  if (r.dev !== undefined) s += ` dev ${r.dev}`;
  if (r.table !== undefined) s += ` table ${r.table}`;
  if (r.protocol !== undefined) s += ` proto ${r.protocol}`;
  if (r.scope !== undefined) s += ` scope ${r.scope}`;
  if (r.prefsrc !== undefined) s += ` src ${r.prefsrc}`;
  if (r.metric !== undefined) s += ` metric ${r.metric}`;
  for (const f of r.flags) s += ` ${f}`;
  if (r.pref !== undefined) s += ` pref ${r.pref}`;
  if (r.expires !== undefined) s += ` expires ${r.expires}sec`;
  const out = [s];
  for (const nh of r.nexthops ?? []) {
    out.push(`\tnexthop${nh.gateway !== undefined ? ` via ${nh.gateway}` : ''}${nh.dev !== undefined ? ` dev ${nh.dev}` : ''} weight ${nh.weight}${nh.flags.map((f) => ` ${f}`).join('')}`);
  }
  return out;
}

/** `10.0.0.2 dev eth0 lladdr 02:42:ac:11:00:02 REACHABLE`. */
export function neighText(n: IpNeighJson): string {
  let s = n.dev === undefined ? n.dst : `${n.dst} dev ${n.dev}`;
  if (n.lladdr !== undefined) s += ` lladdr ${n.lladdr}`;
  if (n.router !== undefined) s += ' router';
  if (n.proxy !== undefined) s += ' proxy';
  if (n.extern_learn !== undefined) s += ' extern_learn';
  return `${s} ${n.state.join(' ')}`;
}

/** `02:42:ac:11:00:02 dev veth1 master br0` / `… dev br0 self permanent`. */
export function fdbText(e: BridgeFdbJson): string {
  let s = e.ifname === undefined ? e.mac : `${e.mac} dev ${e.ifname}`;
  if (e.dst !== undefined) s += ` dst ${e.dst}`;
  if (e.vlan !== undefined) s += ` vlan ${e.vlan}`;
  if (e.port !== undefined) s += ` port ${e.port}`;
  if (e.vni !== undefined) s += ` vni ${e.vni}`;
  for (const f of e.flags) s += ` ${f}`;
  if (e.master !== undefined) s += ` master ${e.master}`;
  return e.state ? `${s} ${e.state}` : s;
}
