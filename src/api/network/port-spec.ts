/**
 * Published ports as Docker's `-p` writes them: parsing every form (`80`, `8080:80`,
 * `127.0.0.1::80`, `127.0.0.1:8080:80/udp`, `[::1]:8080:80`, `8000-8010:80-90`), expanding
 * port ranges, and formatting `docker port` lines. Pure functions: no kernel access.
 * @module
 */
import { ValidationError } from '../../errors.js';
import { parseCidr } from '../../util/ip.js';

/**
 * A published port, like `docker run -p [HOSTIP:][HOSTPORT:]CONTAINERPORT[/PROTO]`, as an
 * object. Ranges: `containerPortEnd` / `hostPortEnd` (inclusive).
 */
export interface PortMapping {
  /** the port inside the container (the first of a range). */
  containerPort: number;
  /** the last container port of a range (`-p 8000-8010:80-90`). */
  containerPortEnd?: number;
  /**
   * the port on the host side; default: the same as containerPort. `0` asks for a dynamic
   * port from the host namespace's ephemeral range (what `-p 80` does).
   */
  hostPort?: number;
  /** the last host port of a range: with a container range, the two pair up one by one; with a single container port, one free port of the host range is chosen. */
  hostPortEnd?: number;
  /** `tcp` (default) or `udp`. */
  protocol?: 'tcp' | 'udp';
  /** the host address to publish on (default: every address, IPv4 and — on a dual-stack network — IPv6; `0.0.0.0` or `::` for one family). */
  hostIp?: string;
}

/** A `-p` value: Docker's text form (`'127.0.0.1:8080:80/udp'`) or a {@link PortMapping}. */
export type PortSpec = string | PortMapping;

/**
 * One requested mapping after parsing, ranges still unexpanded: what a port publisher is
 * asked to check and resolve. `hostPort` 0 means dynamic.
 */
export interface PortRequest {
  /** first container port. */
  containerPort: number;
  /** last container port (= containerPort for one port). */
  containerPortEnd: number;
  /** first host port, 0 for dynamic. */
  hostPort: number;
  /** last host port (= hostPort for one port; 0 for dynamic). */
  hostPortEnd: number;
  /** `tcp` or `udp`. */
  protocol: 'tcp' | 'udp';
  /** the host address (undefined: all). */
  hostIp?: string;
  /** the text or index it came from, for error messages. */
  source: string;
}

/** A published port as recorded on an endpoint: one container port, one host port. */
export interface PublishedPort {
  /** the port inside the container. */
  containerPort: number;
  /** the port on the host side. */
  hostPort: number;
  /** `tcp` or `udp`. */
  protocol: 'tcp' | 'udp';
  /** the host address to publish on (undefined: all). */
  hostIp?: string;
  /** the host port was chosen by the publisher (from the ephemeral range). */
  dynamic?: boolean;
}

function port(v: unknown, field: string, min: number): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > 65535) throw new ValidationError(field, v, `expected a port number from ${min} to 65535`);
  return n;
}

function range(text: string, field: string, min: number): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new ValidationError(field, text, 'expected a port or a range like 8000-8010');
  const a = port(m[1], field, min);
  const b = m[2] === undefined ? a : port(m[2], field, min);
  if (b < a) throw new ValidationError(field, text, 'the range ends before it starts');
  return [a, b];
}

function hostIpOf(v: unknown, field: string): string {
  const c = parseCidr(v, field);
  if (c.prefixLength !== (c.family === 4 ? 32 : 128)) throw new ValidationError(field, v, 'expected an address without a prefix length');
  return c.address;
}

/** Parses Docker's `-p` text: `[HOSTIP:][HOSTPORT[-END]:]CONTAINERPORT[-END][/tcp|/udp]` (IPv6 host addresses in brackets). */
export function parsePortText(text: string, field = 'publish'): PortRequest {
  if (typeof text !== 'string' || text.length === 0) throw new ValidationError(field, text, 'expected a -p value like "8080:80" or "127.0.0.1::53/udp"');
  let rest = text;
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1).toLowerCase();
    if (p !== 'tcp' && p !== 'udp') throw new ValidationError(field, text, `protocol "${p}" is not tcp or udp`);
    protocol = p;
    rest = rest.slice(0, slash);
  }
  let hostIp: string | undefined;
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0 || rest[end + 1] !== ':') throw new ValidationError(field, text, 'an IPv6 host address goes in brackets: [::1]:8080:80');
    hostIp = hostIpOf(rest.slice(1, end), field);
    rest = rest.slice(end + 2);
    if (rest.split(':').length !== 2) throw new ValidationError(field, text, 'expected [IP]:HOSTPORT:CONTAINERPORT (HOSTPORT may be empty)');
  }
  const parts = rest.split(':');
  let hostText = '';
  let containerText: string;
  if (hostIp !== undefined) [hostText, containerText] = parts as [string, string];
  else if (parts.length === 1) containerText = parts[0]!;
  else if (parts.length === 2) [hostText, containerText] = parts as [string, string];
  else if (parts.length === 3) {
    hostIp = hostIpOf(parts[0], field);
    hostText = parts[1]!;
    containerText = parts[2]!;
  } else throw new ValidationError(field, text, 'too many ":" (an IPv6 host address goes in brackets: [::1]:8080:80)');
  const [c0, c1] = range(containerText, field, 1);
  const [h0, h1] = hostText === '' ? [0, 0] : range(hostText, field, 1);
  return check({ containerPort: c0, containerPortEnd: c1, hostPort: h0, hostPortEnd: h1, protocol, ...(hostIp !== undefined ? { hostIp } : {}), source: text }, field);
}

function check(r: PortRequest, field: string): PortRequest {
  const cn = r.containerPortEnd - r.containerPort;
  const hn = r.hostPortEnd - r.hostPort;
  if (r.hostPort !== 0 && cn > 0 && hn !== cn) {
    throw new ValidationError(field, r.source, `the host range has ${hn + 1} ports and the container range ${cn + 1}: they must be the same length (or give one container port)`);
  }
  return r;
}

const MAPPING_KEYS = ['containerPort', 'containerPortEnd', 'hostPort', 'hostPortEnd', 'protocol', 'hostIp'];

/** Parses one `publish` entry (text or object). */
export function parsePortSpec(spec: PortSpec, field = 'publish'): PortRequest {
  if (typeof spec === 'string') return parsePortText(spec, field);
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new ValidationError(field, spec, 'expected "-p" text like "8080:80/tcp" or { containerPort, hostPort?, protocol?, hostIp? }');
  for (const k of Object.keys(spec)) if (!MAPPING_KEYS.includes(k)) throw new ValidationError(`${field}.${k}`, (spec as unknown as Record<string, unknown>)[k], `unknown option (expected ${MAPPING_KEYS.join(', ')})`);
  const containerPort = port(spec.containerPort, `${field}.containerPort`, 1);
  const containerPortEnd = spec.containerPortEnd === undefined ? containerPort : port(spec.containerPortEnd, `${field}.containerPortEnd`, containerPort);
  const hostPort = spec.hostPort === undefined ? containerPort : port(spec.hostPort, `${field}.hostPort`, 0);
  let hostPortEnd = hostPort;
  if (spec.hostPortEnd !== undefined) {
    if (hostPort === 0) throw new ValidationError(`${field}.hostPortEnd`, spec.hostPortEnd, 'a host range needs its first port (hostPort)');
    hostPortEnd = port(spec.hostPortEnd, `${field}.hostPortEnd`, hostPort);
  } else if (spec.hostPort === undefined) hostPortEnd = containerPortEnd;
  const protocol = spec.protocol ?? 'tcp';
  if (protocol !== 'tcp' && protocol !== 'udp') throw new ValidationError(`${field}.protocol`, protocol, 'expected "tcp" or "udp"');
  const out: PortRequest = { containerPort, containerPortEnd, hostPort, hostPortEnd, protocol, source: field };
  if (spec.hostIp !== undefined) out.hostIp = hostIpOf(spec.hostIp, `${field}.hostIp`);
  return check(out, field);
}

/** Parses a `publish` list. */
export function parsePublish(v: unknown): PortRequest[] {
  if (!Array.isArray(v)) throw new ValidationError('publish', v, 'expected an array of "-p" texts or { containerPort, hostPort?, protocol?, hostIp? }');
  return v.map((s, i) => parsePortSpec(s as PortSpec, typeof s === 'string' ? `publish[${i}]` : `publish[${i}]`));
}

/**
 * Fixed mappings of requests that need no choice (no dynamic port, no host range for one
 * container port); throws for those that do (a publisher with `prepare` resolves them).
 */
export function expandFixed(requests: readonly PortRequest[]): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const r of requests) {
    if (r.hostPort === 0 || (r.containerPort === r.containerPortEnd && r.hostPortEnd > r.hostPort)) {
      throw new ValidationError('publish', r.source, 'a dynamic host port needs a port publisher that chooses one');
    }
    for (let c = r.containerPort; c <= r.containerPortEnd; c++) {
      out.push({ containerPort: c, hostPort: r.hostPort + (c - r.containerPort), protocol: r.protocol, ...(r.hostIp !== undefined ? { hostIp: r.hostIp } : {}) });
    }
  }
  return out;
}

/** The host side of a published port as `docker port` shows it (`0.0.0.0:32768`, `[::]:32768`). */
function hostSide(ip: string, p: number): string {
  return ip.includes(':') ? `[${ip}]:${p}` : `${ip}:${p}`;
}

/** One line of `docker port`. */
export interface PortLine {
  /** `80/tcp` */
  container: string;
  /** `0.0.0.0:32768` */
  host: string;
  /** `80/tcp -> 0.0.0.0:32768` */
  text: string;
}

/**
 * `docker port CONTAINER` lines of published ports: a port published on every address is
 * shown on `0.0.0.0` and, when the container has IPv6 on the network, on `[::]`.
 */
export function dockerPortLines(ports: readonly PublishedPort[], dualStack: boolean): PortLine[] {
  const out: PortLine[] = [];
  const sorted = [...ports].sort((a, b) => a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol) || a.hostPort - b.hostPort);
  for (const p of sorted) {
    const ips = p.hostIp !== undefined ? [p.hostIp] : dualStack ? ['0.0.0.0', '::'] : ['0.0.0.0'];
    for (const ip of ips) {
      const container = `${p.containerPort}/${p.protocol}`;
      const host = hostSide(ip, p.hostPort);
      out.push({ container, host, text: `${container} -> ${host}` });
    }
  }
  return out;
}
