/**
 * The files of the network records of one host namespace: a small file per network, per
 * endpoint, per reserved address and per connected namespace, so that a connect or a
 * disconnect reads and writes a few hundred bytes whatever the number of containers.
 *
 * Layout (format 2), in `<stateDir>/networks/ns-<cookie of the bridge's namespace>/`:
 *
 * - `.lock` — flock held while a network is created (its name and pool choice);
 * - `<network>.json` — the network: name, id, bridge, options, extensions' data;
 * - `<network>.lock` — flock held for every change of the network or of its endpoints;
 * - `<network>.d/endpoints/<endpoint id>.json` — one endpoint (connecting or connected),
 *   written with writeFileAtomic;
 * - `<network>.d/addresses/<address>` — one reserved address (as the CNI host-local plugin
 *   keeps them): an empty file made with O_EXCL;
 * - `<network>.d/namespaces/<c + cookie, or i + dev-inode>` — a symbolic link to the
 *   endpoint id (base64url) of one container namespace: a second connect of it is refused
 *   without reading every endpoint;
 * - `<network>.d/generation` — a symbolic link to a random value, replaced (rename) before
 *   every change of `addresses/`: a process keeps the reserved addresses it listed as long as
 *   the value is the one it last saw or wrote, so a connect does not list `addresses/` again.
 *
 * Only the endpoint files hold data: reservations, namespace entries and the generation are
 * names and short link targets (kept in the inode), so making them writes no data block
 * that an fsync would then wait for.
 *
 * Every change holds `<network>.lock`. The order of writes keeps this true after a crash at
 * any point: an endpoint's file exists only while its addresses are reserved for it —
 * reservations, then the namespace entry, then the endpoint file are made; the endpoint
 * file, then the namespace entry, then the reservations are removed (and only by whoever
 * removed the endpoint file). A crash can leave reservations that no endpoint names; they
 * are taken back under the lock ({@link NetworkStore.repair}: by gc, and by a connect that
 * finds its address taken or the range full). A format 1 file (every endpoint inside
 * `<network>.json`) is read as it is and rewritten as format 2 by the first change.
 * @module
 */
import { access, mkdir, readdir, readFile, readlink, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NetnsKitError } from '../../errors.js';
import { withFileLock, writeFileAtomic } from '../../util/file-lock.js';
import type { Namespace } from '../namespace/namespace.js';
import { type EndpointRecord, hostDir, type NamespaceRecord, type NetworkRecord } from './state.js';

/** A network's own file: the record without its endpoints — except in format 1, which holds them all. */
export type NetworkFile = Omit<NetworkRecord, 'endpoints'> & { endpoints?: EndpointRecord[] };

const code = (e: unknown): string | undefined => (e as { code?: string } | undefined)?.code;

/** The name of a container namespace's entry: its cookie when known (never reused until reboot), else its device and inode. */
export function namespaceKey(n: NamespaceRecord): string {
  return n.cookie !== undefined ? `c${n.cookie}` : `i${n.dev}-${n.ino}`;
}

/** The addresses an endpoint holds reserved: its IPv4 address, and its IPv6 one if it has one. */
function addressesOf(e: EndpointRecord): string[] {
  return e.ip6 === undefined ? [e.ip] : [e.ip, e.ip6];
}

/** Endpoints in connection order (format 1 records: array order, given as small numbers). */
function bySeq(a: EndpointRecord, b: EndpointRecord): number {
  const x = BigInt(a.seq ?? 0);
  const y = BigInt(b.seq ?? 0);
  return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Names in a directory; none when it does not exist. */
async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if (code(e) === 'ENOENT') return [];
    throw e;
  }
}

/** A file's text, or undefined when it does not exist. */
async function text(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if (code(e) === 'ENOENT') return undefined;
    throw e;
  }
}

/** Runs `make` (which creates something at `path`), making the parent directory first if it is missing. */
async function inDir(path: string, make: () => Promise<unknown>): Promise<void> {
  try {
    await make();
  } catch (e) {
    if (code(e) !== 'ENOENT') throw e;
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    await make();
  }
}

/** Creates an empty file unless `path` exists (O_EXCL): false when it does. */
async function createExclusive(path: string): Promise<boolean> {
  try {
    await inDir(path, () => writeFile(path, '', { flag: 'wx', mode: 0o644 }));
    return true;
  } catch (e) {
    if (code(e) === 'EEXIST') return false;
    throw e;
  }
}

/** A symbolic link's target, or undefined when there is no link. */
async function linkTarget(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch (e) {
    if (code(e) === 'ENOENT' || code(e) === 'EINVAL') return undefined;
    throw e;
  }
}

/** Removes a file; false when it was not there. */
async function remove(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (e) {
    if (code(e) === 'ENOENT') return false;
    throw e;
  }
}

/** An endpoint id (64 hex digits) as a namespace entry's link target (43 characters: kept in the inode). */
const idToLink = (id: string): string => Buffer.from(id, 'hex').toString('base64url');
const linkToId = (t: string): string => Buffer.from(t, 'base64url').toString('hex');

/** A random generation value. */
function newGeneration(): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(8))).toString('hex');
}

/** File store of the network records of one host namespace (see the module's description for the layout). */
export class NetworkStore {
  /** the directory. */
  readonly dir: string;
  /** per network: the reserved addresses as of generation `gen` (see the module's description). */
  private readonly cache = new Map<string, { gen: string; addrs: Set<string> }>();
  private constructor(dir: string) {
    this.dir = dir;
  }

  /** The store of `host`'s networks under `stateDir`. */
  static async of(stateDir: string, host: Namespace): Promise<NetworkStore> {
    return new NetworkStore(await hostDir(stateDir, host));
  }

  /** Path of a network's own file. */
  recordPath(name: string): string {
    return join(this.dir, `${name}.json`);
  }

  /** The directory of a network's endpoints, reservations and namespace entries. */
  dataDir(name: string): string {
    return join(this.dir, `${name}.d`);
  }

  private endpointPath(name: string, id: string): string {
    return join(this.dataDir(name), 'endpoints', `${id}.json`);
  }

  private addressPath(name: string, ip: string): string {
    return join(this.dataDir(name), 'addresses', ip);
  }

  private namespacePath(name: string, ns: NamespaceRecord): string {
    return join(this.dataDir(name), 'namespaces', namespaceKey(ns));
  }

  /** Reads a network's own file (format 1: with every endpoint), or undefined when there is none. */
  async head(name: string): Promise<NetworkFile | undefined> {
    const path = this.recordPath(name);
    const t = await text(path);
    if (t === undefined) return undefined;
    try {
      const r = JSON.parse(t) as NetworkFile;
      if (typeof r.name !== 'string' || typeof r.config !== 'object' || r.config === null) throw new Error('unknown format');
      if (r.version === 1 ? !Array.isArray(r.endpoints) : r.version !== 2) throw new Error(`unknown format (version ${String(r.version)})`);
      return r;
    } catch (e) {
      throw new NetnsKitError(`network record ${path} cannot be read: ${(e as Error).message}`, 'EBADMSG', 74, { cause: e });
    }
  }

  /** Reads a network's whole record (its file and every endpoint's), or undefined when there is none. */
  async read(name: string): Promise<NetworkRecord | undefined> {
    const h = await this.head(name);
    if (!h) return undefined;
    if (h.version === 1) return h as NetworkRecord;
    return { ...h, endpoints: await this.endpoints(name) };
  }

  /** Every endpoint of a format 2 network, in connection order (one removed while reading is left out). */
  async endpoints(name: string): Promise<EndpointRecord[]> {
    const dir = join(this.dataDir(name), 'endpoints');
    const files = (await names(dir)).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    const out = await Promise.all(files.map((f) => this.endpoint(name, f.slice(0, -5))));
    return out.filter((e): e is EndpointRecord => e !== undefined).sort(bySeq);
  }

  /** One endpoint's record (format 2), or undefined. */
  async endpoint(name: string, id: string): Promise<EndpointRecord | undefined> {
    if (!/^[0-9a-f]{64}$/.test(id)) return undefined;
    const path = this.endpointPath(name, id);
    const t = await text(path);
    if (t === undefined) return undefined;
    try {
      return JSON.parse(t) as EndpointRecord;
    } catch (e) {
      throw new NetnsKitError(`endpoint record ${path} cannot be read: ${(e as Error).message}`, 'EBADMSG', 74, { cause: e });
    }
  }

  /** Whether an endpoint's file exists (format 2). */
  async hasEndpoint(name: string, id: string): Promise<boolean> {
    try {
      await access(this.endpointPath(name, id));
      return true;
    } catch (e) {
      if (code(e) === 'ENOENT') return false;
      throw e;
    }
  }

  /** The endpoint recorded for a container namespace (format 2; by its entry, not checked against the namespace). */
  async endpointIn(name: string, ns: NamespaceRecord): Promise<EndpointRecord | undefined> {
    const t = await linkTarget(this.namespacePath(name, ns));
    return t === undefined ? undefined : this.endpoint(name, linkToId(t));
  }

  private generationPath(name: string): string {
    return join(this.dataDir(name), 'generation');
  }

  /**
   * The reserved addresses of a format 2 network (text, both families; under
   * {@link NetworkStore.locked}): listed again only when another process (or a crash)
   * changed them since this store last looked.
   */
  async reserved(name: string): Promise<ReadonlySet<string>> {
    const gen = (await linkTarget(this.generationPath(name))) ?? '';
    const c = this.cache.get(name);
    if (c && c.gen === gen) return c.addrs;
    const addrs = new Set((await names(join(this.dataDir(name), 'addresses'))).filter((x) => !x.startsWith('.')));
    this.cache.set(name, { gen, addrs });
    return addrs;
  }

  /** Drops what {@link NetworkStore.reserved} keeps (the next call lists the addresses). */
  forget(name: string): void {
    this.cache.delete(name);
  }

  /**
   * Replaces the generation before `addresses/` changes (under {@link NetworkStore.locked}).
   * Returns the kept set if it was current (the caller applies its change to it), else undefined.
   */
  private async bump(name: string): Promise<Set<string> | undefined> {
    const path = this.generationPath(name);
    const before = (await linkTarget(path)) ?? '';
    const gen = newGeneration();
    const tmp = `${path}.${gen}.tmp`;
    await inDir(tmp, () => symlink(gen, tmp));
    await rename(tmp, path);
    const c = this.cache.get(name);
    if (!c || c.gen !== before) {
      this.cache.delete(name);
      return undefined;
    }
    c.gen = gen;
    return c.addrs;
  }

  /** Writes the file of a new network, clearing what a network of that name left (call it under {@link NetworkStore.lockedHost}). */
  async create(r: NetworkRecord): Promise<void> {
    this.forget(r.name);
    await rm(this.dataDir(r.name), { recursive: true, force: true });
    await this.writeHead({ ...r, version: 2 });
  }

  /** Writes a network's own file (format 2, endpoints left out) atomically. */
  async writeHead(r: NetworkFile): Promise<void> {
    const { endpoints: _, ...head } = r;
    await writeFileAtomic(this.recordPath(r.name), JSON.stringify({ ...head, version: 2 }, null, 1) + '\n');
  }

  /**
   * Rewrites a format 1 network as format 2 (call it under {@link NetworkStore.locked}): a
   * file per endpoint with its reservations, then the network's own file without them. Until
   * that last write the format 1 file is the record (a crash half-way is started over).
   */
  async migrate(h: NetworkFile): Promise<NetworkFile> {
    if (h.version !== 1) return h;
    this.forget(h.name);
    await rm(this.dataDir(h.name), { recursive: true, force: true });
    const eps = h.endpoints ?? [];
    for (let i = 0; i < eps.length; i += 32) {
      await Promise.all(eps.slice(i, i + 32).map((e, j) => this.addEndpoint(h.name, { ...e, seq: e.seq ?? String(i + j) })));
    }
    const v2: NetworkFile = { ...h, version: 2 };
    delete v2.endpoints;
    await this.writeHead(v2);
    return v2;
  }

  /** Points a namespace's entry at an endpoint, replacing a stale one (its endpoint gone, or another namespace that had this inode). */
  private async pointEntry(name: string, e: EndpointRecord): Promise<void> {
    const path = this.namespacePath(name, e.namespace);
    const make = (): Promise<void> => inDir(path, () => symlink(idToLink(e.id), path));
    try {
      await make();
    } catch (err) {
      if (code(err) !== 'EEXIST') throw err;
      await remove(path);
      await make();
    }
  }

  /**
   * Records a new endpoint (under {@link NetworkStore.locked}): reserves its addresses
   * (O_EXCL: EADDRINUSE when one is taken), points its namespace's entry at it, then writes
   * its file. On failure, what was made is removed.
   */
  async addEndpoint(name: string, e: EndpointRecord): Promise<void> {
    const taken: string[] = [];
    let entry = false;
    const kept = await this.bump(name);
    try {
      for (const ip of addressesOf(e)) {
        if (!(await createExclusive(this.addressPath(name, ip)))) {
          this.forget(name);
          throw new NetnsKitError(`${ip} is already reserved on network ${name}`, 'EADDRINUSE', 98);
        }
        taken.push(ip);
        kept?.add(ip);
      }
      await this.pointEntry(name, e);
      entry = true;
      await this.putEndpoint(name, e);
    } catch (err) {
      if (entry) await this.dropEntry(name, e).catch(() => undefined);
      for (const ip of taken) {
        kept?.delete(ip);
        await remove(this.addressPath(name, ip)).catch(() => this.forget(name));
      }
      throw err;
    }
  }

  /** Removes a namespace's entry if it points at this endpoint. */
  private async dropEntry(name: string, e: EndpointRecord): Promise<void> {
    const path = this.namespacePath(name, e.namespace);
    const t = await linkTarget(path);
    if (t !== undefined && linkToId(t) === e.id) await remove(path);
  }

  /** Replaces an endpoint's file atomically (under {@link NetworkStore.locked}). */
  async putEndpoint(name: string, e: EndpointRecord): Promise<void> {
    await writeFileAtomic(this.endpointPath(name, e.id), JSON.stringify(e) + '\n');
  }

  /**
   * Removes an endpoint (under {@link NetworkStore.locked}): its file, then its namespace
   * entry and reservations. When its file is gone already, whoever removed it removed the
   * rest (or left it to {@link NetworkStore.repair}): its addresses may be another's now.
   */
  async dropEndpoint(name: string, e: EndpointRecord): Promise<void> {
    if (!(await remove(this.endpointPath(name, e.id)))) return;
    await this.dropEntry(name, e);
    const kept = await this.bump(name);
    for (const ip of addressesOf(e)) {
      await remove(this.addressPath(name, ip));
      kept?.delete(ip);
    }
  }

  /**
   * Puts reservations and namespace entries back in line with the endpoint files (under
   * {@link NetworkStore.locked}, format 2): removes those no endpoint names (left by a crash
   * between writes), and makes those an endpoint lacks. Returns how many it removed.
   */
  async repair(name: string): Promise<number> {
    const eps = await this.endpoints(name);
    const addrs = new Set<string>();
    const spaces = new Map<string, EndpointRecord>();
    for (const e of eps) {
      for (const ip of addressesOf(e)) addrs.add(ip);
      spaces.set(namespaceKey(e.namespace), e);
    }
    let removed = 0;
    const data = this.dataDir(name);
    await this.bump(name);
    this.forget(name);
    for (const [sub, keep] of [['addresses', addrs], ['namespaces', spaces]] as const) {
      for (const f of await names(join(data, sub))) {
        if (keep.has(f)) continue;
        if (await remove(join(data, sub, f))) removed++;
      }
    }
    for (const f of await names(data)) if (f.startsWith('generation.') && f.endsWith('.tmp')) await remove(join(data, f)); // a bump cut short
    for (const ip of addrs) await createExclusive(this.addressPath(name, ip));
    for (const e of spaces.values()) {
      const t = await linkTarget(this.namespacePath(name, e.namespace));
      if (t === undefined || linkToId(t) !== e.id) await this.pointEntry(name, e);
    }
    return removed;
  }

  /** Deletes a network's files: its own file first (the network is gone), then its endpoints' and its lock file. */
  async delete(name: string): Promise<void> {
    this.forget(name);
    await unlink(this.recordPath(name)).catch(() => undefined);
    await rm(this.dataDir(name), { recursive: true, force: true });
    await unlink(join(this.dir, `${name}.lock`)).catch(() => undefined);
  }

  /** Runs `fn` holding the network's lock (every change of its file or of its endpoints). */
  locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return withFileLock(join(this.dir, `${name}.lock`), fn);
  }

  /** Runs `fn` holding the host-wide lock (creating a network: name and pool choice). */
  lockedHost<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(join(this.dir, '.lock'), fn);
  }

  /** Names of the recorded networks. */
  async names(): Promise<string[]> {
    return (await names(this.dir)).filter((f) => f.endsWith('.json') && !f.startsWith('.')).map((f) => f.slice(0, -5)).sort();
  }
}
