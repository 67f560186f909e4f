/**
 * In-process IPAM with the reference `host-local` plugin's configuration, on-disk format and
 * locking, so both can share a data directory: `<dataDir>/<network>/<ip>` holds
 * `<containerID>\r\n<ifname>`, `last_reserved_ip.<range set index>` the last address handed
 * out from a range set, and every change happens while holding an exclusive flock(2) on
 * `<dataDir>/<network>/lock`.
 * @module
 */
import { link, mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { withFileLock, writeFileAtomic } from '../../util/file-lock.js';
import { CniCode, CniError, type CniResult, type ResultDns, type ResultIp } from '../spec.js';
import type { IpamConf, RangeConf } from '../config.js';
import { add, bitsOf, contains, formatIpNet, formatIpNum, lastOf, parseIpNet, parseIpNum, sameIp, type IpNet, type IpNum } from '../ipnet.js';

/** A range with its defaults filled in. */
interface Range {
  subnet: IpNet;
  start: IpNum;
  end: IpNum;
  gateway: IpNum;
}

const LINE_BREAK = '\r\n';

function bad(msg: string): CniError {
  return new CniError(CniCode.INVALID_NETWORK_CONFIG, msg);
}

/** Fills in a range's defaults and checks it, like host-local's Range.Canonicalize. */
function canonicalRange(r: RangeConf): Range {
  const parsed = parseIpNet(r.subnet)!;
  const subnet = parsed.net;
  const fam = subnet.network.family;
  if (subnet.prefixLength > bitsOf(fam) - 2) throw bad(`Network ${r.subnet} too small to allocate from`);
  if (parsed.ip.value !== subnet.network.value) throw bad(`Network has host bits set. For a subnet mask of length ${subnet.prefixLength} the network address is ${formatIpNum(subnet.network)}`);
  const last = lastOf(subnet);
  const inside = (k: 'rangeStart' | 'rangeEnd' | 'gateway'): IpNum | undefined => {
    if (r[k] === undefined) return undefined;
    const ip = parseIpNum(r[k])!;
    if (!contains(subnet, ip)) throw bad(`${k} ${r[k]} not in network ${r.subnet}`);
    return ip;
  };
  const start = inside('rangeStart') ?? add(subnet.network, 1n);
  const end = inside('rangeEnd') ?? (fam === 4 ? add(last, -1n) : last);
  const gateway = inside('gateway') ?? add(subnet.network, 1n);
  if (start.value > end.value) throw bad(`RangeStart ${formatIpNum(start)} is after RangeEnd ${formatIpNum(end)}`);
  return { subnet, start, end, gateway };
}

function inRange(r: Range, ip: IpNum): boolean {
  return ip.family === r.subnet.network.family && ip.value >= r.start.value && ip.value <= r.end.value;
}

function describeSet(set: Range[]): string {
  return set.map((r) => `${formatIpNum(r.start)}-${formatIpNum(r.end)}`).join(',');
}

/** The allocation files of one network: `<dataDir>/<network>/`. */
export class HostLocalStore {
  /** the directory holding this network's files. */
  readonly dir: string;

  /** The store of network `name` under `dataDir`. */
  constructor(dataDir: string, name: string) {
    this.dir = join(dataDir, name);
  }

  /** Runs `fn` holding the network's lock (flock LOCK_EX on `<dir>/lock`, as host-local takes it). */
  async locked<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true, mode: 0o755 });
    return withFileLock(join(this.dir, 'lock'), fn);
  }

  /** Every allocation: ip → `{ id, ifname }`. */
  async list(): Promise<{ ip: string; id: string; ifname: string }[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: { ip: string; id: string; ifname: string }[] = [];
    await Promise.all(
      names.map(async (n) => {
        if (!parseIpNum(n)) return; // lock, last_reserved_ip.N, temporary files
        let text: string;
        try {
          text = await readFile(join(this.dir, n), 'utf8');
        } catch {
          return; // released meanwhile
        }
        const t = text.trim();
        const br = t.indexOf(LINE_BREAK);
        out.push(br < 0 ? { ip: n, id: t, ifname: '' } : { ip: n, id: t.slice(0, br).trim(), ifname: t.slice(br + 2).trim() });
      }),
    );
    return out;
  }

  /**
   * Reserves `ip` for `id`/`ifname`: false when it is taken. The file appears with its whole
   * content at once (written to a temporary name, then hard-linked: link(2) fails with
   * EEXIST like host-local's O_EXCL open). Then records the range set's last reserved address.
   */
  async reserve(id: string, ifname: string, ip: string, rangeId: number): Promise<boolean> {
    const tmp = join(this.dir, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(id.trim() + LINE_BREAK + ifname);
    } finally {
      await fh.close();
    }
    try {
      await link(tmp, join(this.dir, ip));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    await writeFileAtomic(join(this.dir, `last_reserved_ip.${rangeId}`), ip, 0o644);
    return true;
  }

  /** The last address handed out from range set `rangeId`. */
  async lastReserved(rangeId: number): Promise<IpNum | undefined> {
    try {
      return parseIpNum((await readFile(join(this.dir, `last_reserved_ip.${rangeId}`), 'utf8')).trim());
    } catch {
      return undefined;
    }
  }

  /** Removes the allocation file of `ip`. */
  async release(ip: string): Promise<void> {
    await unlink(join(this.dir, ip)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }
}

/** What {@link HostLocal.add} hands out. */
export interface Allocation {
  /** the addresses, `ip/len` with their gateways. */
  ips: ResultIp[];
}

/** host-local IPAM for one network configuration. */
export class HostLocal {
  /** the range sets, defaults filled in. */
  readonly sets: Range[][];
  /** the store. */
  readonly store: HostLocalStore;
  /** the configuration. */
  readonly conf: IpamConf;

  /** Checks the configuration (ranges, gateways) without touching the disk. */
  constructor(conf: IpamConf, network: string) {
    this.conf = conf;
    this.sets = conf.ranges.map((set) => set.map(canonicalRange));
    for (const set of this.sets) {
      for (let i = 0; i < set.length; i++) {
        if (set[i]!.subnet.network.family !== set[0]!.subnet.network.family) throw bad('mixed address families in one range set');
        for (let j = 0; j < i; j++) {
          const a = set[i]!;
          const b = set[j]!;
          if (a.start.value <= b.end.value && b.start.value <= a.end.value) throw bad(`range set ${describeSet(set)} has overlapping ranges`);
        }
      }
    }
    this.store = new HostLocalStore(conf.dataDir, network);
  }

  /** Allocates one address per range set (or the requested ones) for `id`/`ifname`. */
  async add(id: string, ifname: string, requested: string[]): Promise<CniResult> {
    const wanted = requested.map((s) => parseIpNum(s)!);
    for (const w of wanted) {
      if (!this.sets.some((set) => set.some((r) => inRange(r, w)))) {
        throw new CniError(CniCode.INVALID_NETWORK_CONFIG, `requested IP address ${formatIpNum(w)} is not in any range set`, this.sets.map(describeSet).join(' '));
      }
    }
    return this.store.locked(async () => {
      const taken = await this.store.list();
      const mine = taken.filter((t) => t.id === id.trim() && t.ifname === ifname);
      const reserved: string[] = [];
      try {
        const ips: ResultIp[] = [];
        for (let s = 0; s < this.sets.length; s++) {
          const set = this.sets[s]!;
          const req = wanted.find((w) => set.some((r) => inRange(r, w)));
          let got: { ip: IpNum; range: Range } | undefined;
          if (req) {
            const range = set.find((r) => inRange(r, req))!;
            if (sameIp(req, range.gateway)) throw new CniError(CniCode.IPAM_EXHAUSTED, `requested ip ${formatIpNum(req)} is subnet's gateway`);
            if (!(await this.store.reserve(id, ifname, formatIpNum(req), s))) {
              throw new CniError(CniCode.IPAM_EXHAUSTED, `requested IP address ${formatIpNum(req)} is not available in range set ${describeSet(set)}`);
            }
            got = { ip: req, range };
          } else {
            const dup = mine.find((m) => {
              const ip = parseIpNum(m.ip);
              return ip && set.some((r) => inRange(r, ip));
            });
            if (dup) throw new CniError(CniCode.IPAM_EXHAUSTED, `${dup.ip} has been allocated to ${id}, duplicate allocation is not allowed`);
            for (const cand of this.candidates(set, await this.store.lastReserved(s))) {
              if (await this.store.reserve(id, ifname, formatIpNum(cand.ip), s)) {
                got = cand;
                break;
              }
            }
            if (!got) throw new CniError(CniCode.IPAM_EXHAUSTED, `no IP addresses available in range set: ${describeSet(set)}`);
          }
          reserved.push(formatIpNum(got.ip));
          ips.push({ address: `${formatIpNum(got.ip)}/${got.range.subnet.prefixLength}`, gateway: formatIpNum(got.range.gateway) });
        }
        const result: CniResult = { cniVersion: '1.1.0', ips, routes: this.conf.routes.map((r) => ({ ...r })) };
        if (this.conf.resolvConf) result.dns = await readResolvConf(this.conf.resolvConf);
        return result;
      } catch (e) {
        for (const ip of reserved) await this.store.release(ip).catch(() => undefined);
        throw e;
      }
    });
  }

  /**
   * The addresses to try, round-robin like host-local: from the one after the last reserved
   * address (when it is in the set) through every range, wrapping around, skipping gateways.
   */
  private *candidates(set: Range[], last: IpNum | undefined): Generator<{ ip: IpNum; range: Range }> {
    let idx = 0;
    let cur: IpNum | undefined;
    if (last) {
      const i = set.findIndex((r) => contains(r.subnet, last) && inRange(r, last));
      if (i >= 0) {
        idx = i;
        cur = last;
      }
    }
    let start: IpNum | undefined;
    for (;;) {
      let r = set[idx]!;
      if (cur === undefined) cur = r.start;
      else if (cur.value >= r.end.value) {
        idx = (idx + 1) % set.length;
        r = set[idx]!;
        cur = r.start;
      } else cur = add(cur, 1n);
      if (start === undefined) start = cur;
      else if (sameIp(cur, start)) return;
      if (!sameIp(cur, r.gateway)) yield { ip: cur, range: r };
    }
  }

  /** Releases every address of `id`/`ifname`. */
  async del(id: string, ifname: string): Promise<void> {
    await this.store.locked(async () => {
      for (const a of await this.store.list()) if (a.id === id.trim() && a.ifname === ifname) await this.store.release(a.ip);
    });
  }

  /** The addresses held by `id`/`ifname`. */
  async held(id: string, ifname: string): Promise<string[]> {
    return (await this.store.list()).filter((a) => a.id === id.trim() && a.ifname === ifname).map((a) => a.ip);
  }

  /** Releases every allocation whose attachment is not in `keep` (GC); returns what was released. */
  async gc(keep: { containerID: string; ifname: string }[]): Promise<{ ip: string; id: string; ifname: string }[]> {
    const valid = new Set(keep.map((k) => `${k.containerID.trim()}\n${k.ifname}`));
    return this.store.locked(async () => {
      const gone: { ip: string; id: string; ifname: string }[] = [];
      for (const a of await this.store.list()) {
        if (valid.has(`${a.id}\n${a.ifname}`)) continue;
        await this.store.release(a.ip);
        gone.push(a);
      }
      return gone;
    });
  }

  /** The subnets of the range sets (for masquerading). */
  subnets(): string[] {
    return this.sets.flatMap((set) => set.map((r) => formatIpNet(r.subnet)));
  }
}

/** Reads nameserver / domain / search / options from a resolv.conf file. */
export async function readResolvConf(path: string): Promise<ResultDns> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CniError(CniCode.IO_FAILURE, `cannot read resolvConf ${path}`, (e as Error).message);
  }
  const dns: ResultDns = {};
  for (const line of text.split('\n')) {
    const f = line.replace(/[#;].*/, '').trim().split(/\s+/);
    if (f.length < 2) continue;
    if (f[0] === 'nameserver') dns.nameservers = [...(dns.nameservers ?? []), f[1]!];
    else if (f[0] === 'domain') dns.domain = f[1];
    else if (f[0] === 'search') dns.search = f.slice(1);
    else if (f[0] === 'options') dns.options = [...(dns.options ?? []), ...f.slice(1)];
  }
  return dns;
}
