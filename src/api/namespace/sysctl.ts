/**
 * Per-namespace sysctls: `net.*` keys (`sysctl net.ipv4.ip_forward=1` run inside a
 * namespace). The file is opened by a helper thread that enters the namespace first (the open
 * file keeps that namespace's view), then read or written here with `fs` — the main thread
 * never moves and no process is spawned.
 * @module
 */
import { close, constants as fsConstants, read, write } from 'node:fs';
import { promisify } from 'node:util';
import { native } from '../../binding/native.js';
import { SystemError, ValidationError } from '../../errors.js';
import type { Namespace } from './namespace.js';

const readAsync = promisify(read);
const writeAsync = promisify(write);
const closeAsync = promisify(close);

/**
 * Reads a whole file of namespace `nsFd` (`/proc/sys/net/…`, `/proc/thread-self/net/…`): the
 * file is opened inside the namespace by a helper thread, read here. At most `limit` bytes.
 * @internal
 */
export async function readFileIn(nsFd: number, path: string, limit = 1 << 20): Promise<string> {
  const fd = await native.openIn(nsFd, path, fsConstants.O_RDONLY);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(16384);
      const { bytesRead } = await readAsync(fd, buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit) break;
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    await closeAsync(fd);
  }
}

/** Writes `data` to a file of namespace `nsFd` in one write() (what /proc/sys expects). @internal */
export async function writeFileIn(nsFd: number, path: string, data: string): Promise<void> {
  const fd = await native.openIn(nsFd, path, fsConstants.O_WRONLY);
  try {
    await writeAsync(fd, data);
  } finally {
    await closeAsync(fd);
  }
}

/**
 * A sysctl value to write: numbers, booleans (1/0), strings, or several numbers (tab-separated, like `net.ipv4.tcp_rmem`).
 * @category Namespaces
 */
export type SysctlValue = string | number | boolean | readonly number[];

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/**
 * Checks a `net.*` sysctl key and returns its path under /proc/sys. Keys are written with
 * dots (`net.ipv4.conf.all.forwarding`) or, when a segment itself contains a dot (an
 * interface called `eth0.100`), with slashes (`net/ipv4/conf/eth0.100/forwarding`), as
 * sysctl(8) does. Only `net` keys, segments of `[A-Za-z0-9_.-]`, and no `.` / `..`
 * segments: a key can never leave /proc/sys/net.
  * @category Namespaces
 */
export function sysctlPath(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) {
    throw new ValidationError('key', key, 'expected a sysctl key like "net.ipv4.ip_forward"');
  }
  const segments = key.includes('/') ? key.split('/') : key.split('.');
  if (segments[0] !== 'net') throw new ValidationError('key', key, 'only net.* sysctls belong to a network namespace');
  if (segments.length < 2) throw new ValidationError('key', key, 'expected a key below net, like "net.ipv4.ip_forward"');
  for (const s of segments) {
    if (!SEGMENT.test(s)) throw new ValidationError('key', key, `segment ${JSON.stringify(s)} may only contain letters, digits, "_", "-" and "."`);
    if (s === '.' || s === '..') throw new ValidationError('key', key, `segment "${s}" is not allowed`);
  }
  return `/proc/sys/${segments.join('/')}`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || !Number.isInteger(value)) throw new ValidationError('value', value, 'expected an integer');
    return String(value);
  }
  if (Array.isArray(value)) {
    if (value.length === 0 || value.some((v) => typeof v !== 'number' || !Number.isInteger(v))) {
      throw new ValidationError('value', value, 'expected a non-empty array of integers');
    }
    return value.join('\t');
  }
  if (typeof value === 'string') {
    // eslint-disable-next-line no-control-regex
    if (value.length > 4096 || /[\x00-\x08\x0a-\x1f\x7f]/.test(value)) {
      throw new ValidationError('value', value, 'expected one line of text (tabs allowed), at most 4096 characters');
    }
    return value;
  }
  throw new ValidationError('value', value, 'expected a number, boolean, string or array of numbers');
}

const perNamespace = new WeakMap<Namespace, Sysctl>();

/**
 * The `net.*` sysctls of one namespace, as `Sysctl.of(ns)`.
 *
 * ```ts
 * await Sysctl.of(ns).set('net.ipv4.ip_forward', 1);            // only inside ns
 * await Sysctl.of(ns).get('net.ipv4.conf.all.rp_filter');      // '2'
 * await Sysctl.of(ns).getInt('net.ipv6.conf.all.forwarding');  // 0
 * ```
  * @category Namespaces
 */
export class Sysctl {
  /** The sysctls of `namespace` (one object per namespace). */
  static of(namespace: Namespace): Sysctl {
    let s = perNamespace.get(namespace);
    if (s === undefined) perNamespace.set(namespace, (s = new Sysctl(namespace)));
    return s;
  }

  /** The namespace whose sysctls these are. */
  readonly namespace: Namespace;

  /** @internal */
  constructor(namespace: Namespace) {
    this.namespace = namespace;
  }

  /** Reads a key; the value without its trailing newline (several numbers stay tab-separated). */
  async get(key: string): Promise<string> {
    const path = sysctlPath(key);
    let text: string;
    try {
      text = await readFileIn(this.namespace.fd, path);
    } catch (e) {
      throw SystemError.from(e, `read sysctl ${key} in ${this.namespace.label}`);
    }
    return text.endsWith('\n') ? text.slice(0, -1) : text;
  }

  /** Reads a key holding one integer. */
  async getInt(key: string): Promise<number> {
    const text = await this.get(key);
    const n = Number(text.trim());
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
      throw new ValidationError('key', key, `holds ${JSON.stringify(text)}, not one integer`);
    }
    return n;
  }

  /** Writes a key (`sysctl -w key=value` inside the namespace). EINVAL from the kernel if it refuses the value. */
  async set(key: string, value: SysctlValue): Promise<void> {
    const path = sysctlPath(key);
    const text = formatValue(value);
    try {
      await writeFileIn(this.namespace.fd, path, text);
    } catch (e) {
      throw SystemError.from(e, `write sysctl ${key}=${text} in ${this.namespace.label}`);
    }
  }
}
