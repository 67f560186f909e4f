/**
 * The `netns-kit-bridge` plugin's commands: a bridge network like the reference `bridge`
 * plugin, on the public objects (Namespace, Bridge, VethPair, Link, Address, Route, Sysctl).
 * The plugin runs in the host namespace (its own); the container's is CNI_NETNS.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { Address, Bridge, Link, Namespace, Route, Sysctl, VethPair, loadWait } from './objects.js';
import { NetnsKitError, ValidationError } from '../errors.js';
import type { BridgeConf, CniEnv } from './config.js';
import { ipamFor } from './ipam/ipam.js';
import { add, contains, formatIpNum, parseIpNet } from './ipnet.js';
import { CniCode, CniError, mergeResults, type CniResult, type ResultInterface, type ResultIp, type ResultRoute } from './spec.js';

/** Turns a library error into a CNI error (code 100 with the errno and the operation). */
export function toCniError(e: unknown, what: string): CniError {
  if (e instanceof CniError) return e;
  if (e instanceof ValidationError) return new CniError(CniCode.INVALID_NETWORK_CONFIG, `${what}: ${e.message}`, undefined, { cause: e });
  if (e instanceof NetnsKitError) return new CniError(CniCode.KERNEL, `${what}: ${e.message}`, e.code, { cause: e });
  return new CniError(CniCode.INTERNAL, `${what}: ${(e as Error)?.message ?? String(e)}`, (e as Error)?.stack, { cause: e });
}

async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toCniError(e, what);
  }
}

function errCode(e: unknown): string | undefined {
  return (e as NetnsKitError | NodeJS.ErrnoException)?.code as string | undefined;
}

/**
 * Runs `fn` with the host namespace: this process's own, or — when the daemon runs the call —
 * the caller's, opened for the call and closed after it.
 */
async function withHost<T>(env: CniEnv, fn: (host: Namespace) => Promise<T>): Promise<T> {
  if (!env.hostNetns) return fn(Namespace.host());
  let host: Namespace;
  try {
    host = await Namespace.openPath(env.hostNetns);
  } catch (e) {
    throw new CniError(CniCode.TRY_AGAIN_LATER, `failed to open the caller's network namespace "${env.hostNetns}"`, (e as Error).message, { cause: e });
  }
  try {
    return await fn(host);
  } finally {
    await host.close().catch(() => undefined);
  }
}

/**
 * Runs `fn` with the container's namespace (CNI_NETNS, or the caller's descriptor of it when
 * the daemon runs the call), closed after it; CniError code 3 when it is not there.
 */
async function withContainer<T>(env: CniEnv, fn: (cont: Namespace) => Promise<T>): Promise<T> {
  let cont: Namespace;
  try {
    cont = await Namespace.openPath(env.netnsPath ?? env.netns);
  } catch (e) {
    throw new CniError(CniCode.UNKNOWN_CONTAINER, `failed to open netns "${env.netns}"`, (e as Error).message, { cause: e });
  }
  try {
    return await fn(cont);
  } finally {
    await cont.close().catch(() => undefined);
  }
}

/** Things to undo if ADD fails, in reverse order. */
class Undo {
  private readonly steps: (() => Promise<unknown>)[] = [];
  push(fn: () => Promise<unknown>): void {
    this.steps.push(fn);
  }
  async run(): Promise<void> {
    for (const s of this.steps.reverse()) await s().catch(() => undefined);
  }
}

/** The bridge, created when missing (like the reference: up, `accept_ra` 0, promiscuous on request). */
async function ensureBridge(host: Namespace, conf: BridgeConf, undo: Undo): Promise<Bridge> {
  let br: Bridge | undefined;
  try {
    const l = await Link.get(host, conf.bridge);
    if (l.kind !== 'bridge') throw new CniError(CniCode.CONFLICT, `"${conf.bridge}" already exists but is not a bridge`, `its kind is ${l.kind ?? 'none'}`);
    br = Bridge.from(l);
  } catch (e) {
    if (errCode(e) !== 'ENODEV') throw toCniError(e, `could not lookup "${conf.bridge}"`);
  }
  if (!br) {
    try {
      br = await Bridge.create(host, { name: conf.bridge, ...(conf.mtu ? { mtu: conf.mtu } : {}), up: true });
      const made = br;
      undo.push(async () => {
        // only if nothing else joined it meanwhile
        if ((await made.ports()).length === 0) await made.delete();
      });
    } catch (e) {
      if (errCode(e) !== 'EEXIST') throw toCniError(e, `failed to create bridge "${conf.bridge}"`);
      br = await step(`could not lookup "${conf.bridge}"`, () => Bridge.get(host, conf.bridge)); // another ADD made it first
    }
  }
  if (conf.promiscMode && (br.flags & 0x100) === 0) await step(`could not set promiscuous mode on "${conf.bridge}"`, () => br!.setPromiscuous(true));
  await Sysctl.of(host).set(`net/ipv6/conf/${conf.bridge}/accept_ra`, 0).catch(() => undefined);
  if (!br.isUp) await step(`could not set "${conf.bridge}" up`, () => br!.up());
  return br;
}

/** host veth names like the reference's: `veth` and 8 hex digits. */
function hostVethName(): string {
  return `veth${randomBytes(4).toString('hex')}`;
}

/** Gateways and the default route (the reference's calcGateways). */
function calcGateways(result: CniResult, conf: BridgeConf, containerIndex: number): string[] {
  const gws: string[] = [];
  if (!result.routes) result.routes = [];
  const routes = result.routes;
  const hasDefault = { 4: false, 6: false };
  for (const ip of result.ips ?? []) {
    const p = parseIpNet(ip.address);
    if (!p) throw new CniError(CniCode.IPAM_PLUGIN, `IPAM returned an invalid address ${JSON.stringify(ip.address)}`);
    const fam = p.ip.family;
    ip.interface = containerIndex;
    if (ip.gateway === undefined && conf.isGateway) ip.gateway = formatIpNum(add(p.net.network, 1n));
    if (conf.isDefaultGateway && !hasDefault[fam]) {
      const any = fam === 4 ? '0.0.0.0/0' : '::/0';
      hasDefault[fam] = routes.some((r) => r.gw !== undefined && r.dst === any);
      if (!hasDefault[fam]) {
        routes.push(ip.gateway !== undefined ? { dst: any, gw: ip.gateway } : { dst: any });
        hasDefault[fam] = true;
      }
    }
    if (conf.isGateway && ip.gateway !== undefined) gws.push(`${ip.gateway}/${p.net.prefixLength}`);
  }
  return gws;
}

/** The bridge holds `gw` (the reference's ensureAddr: another IPv4 address is an error unless forceAddress). */
async function ensureGatewayAddress(br: Bridge, gw: string, force: boolean): Promise<void> {
  const want = parseIpNet(gw)!;
  const fam = want.ip.family;
  const addrs = await step('could not get list of IP addresses', () => Address.list(br.namespace, { link: br.index, family: fam }));
  for (const a of addrs) {
    if (a.scope === 253) continue; // link-local
    if (a.address === formatIpNum(want.ip) && a.prefixLength === want.net.prefixLength) return;
    const theirs = parseIpNet(`${a.address}/${a.prefixLength}`)!;
    if (fam === 4 || contains(theirs.net, want.ip) || contains(want.net, theirs.ip)) {
      if (!force) throw new CniError(CniCode.CONFLICT, `"${br.name}" already has an IP address different from ${gw}`, `it has ${a.address}/${a.prefixLength}`);
      await step(`could not remove IP address from "${br.name}"`, () => Address.remove(br, `${a.address}/${a.prefixLength}`));
    }
  }
  await Address.add(br, gw, fam === 4 ? { broadcast: '+' } : {}).catch((e: unknown) => {
    if (errCode(e) !== 'EEXIST') throw toCniError(e, `could not add IP address to "${br.name}"`);
  });
}

/** Addresses, link up and routes in the container (the reference's ipam.ConfigureIface). */
async function configureContainer(cont: Namespace, ifname: string, result: CniResult, index: number): Promise<void> {
  const link = await Link.get(cont, ifname);
  await Sysctl.of(cont).set(`net/ipv6/conf/${ifname}/accept_dad`, 0).catch(() => undefined);
  await Sysctl.of(cont).set(`net/ipv4/conf/${ifname}/arp_notify`, 1).catch(() => undefined);
  await step(`failed to set "${ifname}" up`, () => link.up());
  const mine = (result.ips ?? []).filter((ip) => ip.interface === index);
  for (const ip of mine) {
    const v4 = !ip.address.includes(':');
    await step(`failed to add IP addr ${ip.address} to "${ifname}"`, () => Address.add(link, ip.address, v4 ? { broadcast: '+' } : {}));
  }
  const gwOf = (fam: 4 | 6): string | undefined => mine.find((ip) => ip.gateway !== undefined && ip.address.includes(':') === (fam === 6))?.gateway;
  for (const r of result.routes ?? []) {
    const fam = r.dst.includes(':') ? 6 : 4;
    const via = r.gw ?? gwOf(fam);
    const opts: Parameters<typeof Route.add>[1] = { to: r.dst, dev: link.index, ...(via ? { via } : {}) };
    if (r.priority !== undefined) opts.metric = r.priority;
    if (r.table !== undefined) opts.table = r.table;
    if (r.scope !== undefined) opts.scope = r.scope;
    if (r.mtu !== undefined || r.advmss !== undefined) opts.metrics = { ...(r.mtu !== undefined ? { mtu: r.mtu } : {}), ...(r.advmss !== undefined ? { advmss: r.advmss } : {}) };
    await step(`failed to add route '${r.dst} via ${via ?? '-'} dev ${ifname}'`, () => Route.prepend(cont, opts));
  }
}

/** Network address translation for the network (masquerade, published ports); loaded only when used. */
async function nat(): Promise<typeof import('./nat.js')> {
  return import('./nat.js');
}

/** ADD: creates the bridge (if needed), the veth pair, the addresses and routes; returns the result. */
export async function cmdAdd(env: CniEnv, conf: BridgeConf): Promise<CniResult> {
  const ipam = ipamFor(conf, env); // validates the IPAM configuration before anything is made
  return withHost(env, (host) => withContainer(env, (cont) => addIn(env, conf, ipam, host, cont)));
}

/** ADD's work, with both namespaces open. */
async function addIn(env: CniEnv, conf: BridgeConf, ipam: ReturnType<typeof ipamFor>, host: Namespace, cont: Namespace): Promise<CniResult> {
  const undo = new Undo();
  try {
    // the container's interface name must be free (checked before anything is made)
    const existing = await Link.get(cont, env.ifname).then(
      () => true,
      (e: unknown) => {
        if (errCode(e) === 'ENODEV') return false;
        throw toCniError(e, `failed to look up "${env.ifname}" in ${env.netns}`);
      },
    );
    if (existing) throw new CniError(CniCode.CONFLICT, `container veth name provided (${env.ifname}) already exists`);
    const br = await ensureBridge(host, conf, undo);

    // the veth pair: the container's end made directly in its namespace
    let pair: VethPair | undefined;
    for (let attempt = 0; !pair; attempt++) {
      const name = hostVethName();
      try {
        pair = await VethPair.create(host, {
          name,
          up: true,
          ...(conf.mtu ? { mtu: conf.mtu } : {}),
          peer: { name: env.ifname, namespace: cont, ...(conf.mac ? { address: conf.mac } : {}) },
        });
      } catch (e) {
        // a host name taken (by chance) is retried; the container's name was checked above
        if (errCode(e) === 'EEXIST' && attempt < 5 && !(await Link.get(cont, env.ifname).then(() => true, () => false))) continue;
        throw toCniError(e, `failed to create veth pair for "${env.ifname}"`);
      }
    }
    const hostVeth = pair.local;
    undo.push(() => hostVeth.delete());
    await step(`failed to connect "${hostVeth.name}" to bridge ${conf.bridge}`, () => br.addPort(hostVeth, { hairpin: conf.hairpinMode }));

    const interfaces: ResultInterface[] = [
      { name: br.name, mac: br.address },
      { name: hostVeth.name, mac: hostVeth.address },
      { name: env.ifname, mac: pair.peer.address, sandbox: env.netns },
    ];
    let result: CniResult = { cniVersion: conf.cniVersion, interfaces };

    if (ipam) {
      const got = await ipam.add();
      undo.push(() => ipam.del());
      result.ips = (got.ips ?? []).map((ip): ResultIp => ({ ...ip }));
      result.routes = (got.routes ?? []).map((r): ResultRoute => ({ ...r }));
      if (got.dns) result.dns = got.dns;
      if (result.ips.length === 0) throw new CniError(CniCode.IPAM_PLUGIN, 'IPAM plugin returned missing IP config');
      const gws = calcGateways(result, conf, 2);
      await configureContainer(cont, env.ifname, result, 2);
      if (conf.isGateway) {
        for (const gw of gws) await ensureGatewayAddress(br, gw, conf.forceAddress);
        // like the reference: pin the bridge's MAC (else it follows the lowest port's as ports come and go)
        const mac = br.address;
        if (gws.length && mac && mac !== '00:00:00:00:00:00') await step(`could not set bridge's mac`, () => br.setAddress(mac));
        const fams = new Set(gws.map((g) => (g.includes(':') ? 6 : 4)));
        if (fams.has(4)) await step('failed to enable forwarding', () => Sysctl.of(host).set('net.ipv4.ip_forward', 1));
        if (fams.has(6)) await step('failed to enable forwarding', () => Sysctl.of(host).set('net.ipv6.conf.all.forwarding', 1));
      }
      if (conf.ipMasq || conf.portMappings.length) {
        const n = await nat();
        undo.push(() => n.teardown(host, conf, env));
        await n.setup(host, conf, env, result);
      }
    } else {
      if (conf.portMappings.length) throw new CniError(CniCode.INVALID_NETWORK_CONFIG, 'portMappings need an IPAM section (the container has no address to forward to)');
      await step(`failed to set "${env.ifname}" up`, async () => (await Link.get(cont, env.ifname)).up());
    }

    // like the reference: wait (briefly) for the bridge port to be up, then report fresh MACs
    let hv = await step(`failed to lookup "${hostVeth.name}"`, () => Link.get(host, hostVeth.index));
    if (hv.operstate !== 'up') {
      const { waitFor } = await loadWait();
      const seen = hv;
      hv = await step(`bridge port in error state`, () => waitFor(seen, (l: Link) => l.operstate === 'up', { timeoutMs: 2500 }));
    }
    interfaces[1]!.mac = hv.address;
    interfaces[0]!.mac = (await step(`could not lookup "${conf.bridge}"`, () => Link.get(host, br.index))).address;

    if (conf.dns && (conf.dns.nameservers || conf.dns.search || conf.dns.options || conf.dns.domain)) result.dns = conf.dns;
    if (conf.prevResult) result = mergeResults(conf.prevResult, result);
    return result;
  } catch (e) {
    await undo.run();
    throw toCniError(e, 'ADD');
  }
}

/** DEL: removes the container's interface (its veth peer goes with it), releases the addresses and NAT rules. Idempotent. */
export async function cmdDel(env: CniEnv, conf: BridgeConf): Promise<void> {
  const ipam = ipamFor(conf, env);
  if (env.netns) {
    let cont: Namespace | undefined;
    try {
      cont = await Namespace.openPath(env.netnsPath ?? env.netns);
    } catch {
      cont = undefined; // the namespace is gone: so is the interface
    }
    if (cont) {
      try {
        const link = await Link.get(cont, env.ifname).catch((e: unknown) => {
          if (errCode(e) === 'ENODEV') return undefined;
          throw e;
        });
        if (link) {
          await link.delete().catch((e: unknown) => {
            if (errCode(e) !== 'ENODEV') throw e;
          });
        }
      } catch (e) {
        throw toCniError(e, `failed to delete "${env.ifname}" in ${env.netns}`);
      } finally {
        await cont.close().catch(() => undefined);
      }
    }
  }
  if (!ipam) return;
  await ipam.del();
  // always: a runtime may leave runtimeConfig out of DEL, and rules must not outlive the container
  const { teardown } = await nat();
  await withHost(env, (host) => teardown(host, conf, env));
}

/** CHECK: the container's network is still what the previous result says. */
export async function cmdCheck(env: CniEnv, conf: BridgeConf): Promise<void> {
  const ipam = ipamFor(conf, env);
  const prev = conf.prevResult;
  if (!prev) throw new CniError(CniCode.INVALID_NETWORK_CONFIG, 'Required prevResult missing');
  return withHost(env, (host) => withContainer(env, (cont) => checkIn(env, conf, ipam, prev, host, cont)));
}

/** CHECK's work, with both namespaces open. */
async function checkIn(env: CniEnv, conf: BridgeConf, ipam: ReturnType<typeof ipamFor>, prev: CniResult, host: Namespace, cont: Namespace): Promise<void> {
  const mismatch = (msg: string): CniError => new CniError(CniCode.CHECK_MISMATCH, msg);
  try {
    if (ipam) await ipam.check(prev);
    const brIf = prev.interfaces?.find((i) => i.name === conf.bridge && !i.sandbox);
    const contIf = prev.interfaces?.find((i) => i.name === env.ifname && i.sandbox === env.netns);
    if (!brIf) throw mismatch(`CNI created bridge ${conf.bridge} in host namespace was not found`);
    if (!contIf) throw mismatch(`Sandbox in prevResult doesn't match configured netns: ${env.netns}`);
    const brLink = await Link.get(host, conf.bridge).catch(() => undefined);
    if (!brLink) throw mismatch(`Interface name ${conf.bridge} not found`);
    if (brLink.kind !== 'bridge') throw mismatch(`Interface ${conf.bridge} does not have link type of bridge`);
    if (brIf.mac && brIf.mac !== brLink.address) throw mismatch(`Bridge interface ${conf.bridge} Mac doesn't match: ${brIf.mac}`);
    const promisc = (brLink.flags & 0x100) !== 0;
    if (promisc !== conf.promiscMode) throw mismatch(`Bridge interface ${conf.bridge} configured Promisc Mode ${conf.promiscMode} doesn't match current state: ${promisc}`);
    const cl = await Link.get(cont, env.ifname).catch(() => undefined);
    if (!cl) throw mismatch(`Interface name ${env.ifname} not found`);
    if (cl.kind !== 'veth') throw mismatch(`Error: Container interface ${env.ifname} not of type veth`);
    if (contIf.mac && contIf.mac !== cl.address) throw mismatch(`Interface ${env.ifname} Mac ${contIf.mac} doesn't match container Mac: ${cl.address}`);
    const ports = await Link.list(host, { master: brLink.index });
    const peer = ports.find((p) => p.kind === 'veth' && p.index === cl.parentIndex && p.parentIndex === cl.index);
    if (!peer) throw mismatch(`CNI veth created for bridge ${conf.bridge} was not found`);
    // addresses and routes in the container
    const contIndex = prev.interfaces!.indexOf(contIf);
    const addrs = await Address.list(cont, { link: cl.index });
    for (const ip of prev.ips ?? []) {
      if (ip.interface !== undefined && ip.interface !== contIndex) continue;
      const p = parseIpNet(ip.address)!;
      if (!addrs.some((a) => a.address === formatIpNum(p.ip) && a.prefixLength === p.net.prefixLength)) throw mismatch(`Failed to match addr ${ip.address} on interface ${env.ifname}`);
    }
    for (const r of prev.routes ?? []) {
      const fam = r.dst.includes(':') ? 6 : 4;
      const routes = await Route.list(cont, { family: fam });
      const dst = parseIpNet(r.dst)!;
      const found = routes.some((rt) => {
        const rd = rt.to === 'default' ? (fam === 4 ? '0.0.0.0/0' : '::/0') : rt.to.includes('/') ? rt.to : `${rt.to}/${fam === 4 ? 32 : 128}`;
        const d = parseIpNet(rd);
        return !!d && d.net.network.value === dst.net.network.value && d.net.prefixLength === dst.net.prefixLength && (r.gw === undefined || rt.via === r.gw);
      });
      if (!found) throw mismatch(`Failed to match route ${r.dst}${r.gw ? ` via ${r.gw}` : ''} in the container`);
    }
    if (ipam && (conf.ipMasq || conf.portMappings.length)) await (await nat()).check(host, conf, env);
  } catch (e) {
    throw toCniError(e, 'CHECK');
  }
}

/** GC: releases addresses and NAT rules of attachments that are not in `cni.dev/valid-attachments`. */
export async function cmdGc(env: CniEnv, conf: BridgeConf): Promise<void> {
  const ipam = ipamFor(conf, env);
  if (!ipam) return;
  await ipam.gc();
  const { gc } = await nat();
  await withHost(env, (host) => gc(host, conf));
}

/** STATUS: can the plugin ADD now? (IPAM ready.) */
export async function cmdStatus(env: CniEnv, conf: BridgeConf): Promise<void> {
  const ipam = ipamFor(conf, env);
  if (ipam) await ipam.status();
}
