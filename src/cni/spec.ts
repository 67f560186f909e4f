/**
 * The CNI specification's data: versions, error codes, the error object, and the result
 * in each version's shape. No netlink here: the plugin's entry loads this module alone for
 * VERSION and for errors found before any work.
 * @module
 */

/** The newest CNI specification version this plugin implements. */
export const CNI_VERSION = '1.1.0';

/** Every version this plugin accepts in `cniVersion` (what VERSION reports). */
export const SUPPORTED_VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;

/** The spec's well-known error codes (0–99 are the spec's; 100 and up are this plugin's). */
export const CniCode = {
  /** incompatible CNI version */
  INCOMPATIBLE_VERSION: 1,
  /** unsupported field in the network configuration */
  UNSUPPORTED_FIELD: 2,
  /** container unknown or does not exist */
  UNKNOWN_CONTAINER: 3,
  /** invalid necessary environment variables */
  INVALID_ENVIRONMENT: 4,
  /** I/O failure */
  IO_FAILURE: 5,
  /** failed to decode content */
  DECODING_FAILURE: 6,
  /** invalid network configuration */
  INVALID_NETWORK_CONFIG: 7,
  /** try again later */
  TRY_AGAIN_LATER: 11,
  /** the plugin is not available (STATUS) */
  NOT_AVAILABLE: 50,
  /** the kernel refused an operation (netlink / system error); details carry errno and operation */
  KERNEL: 100,
  /** the IP address pool is exhausted or a requested address is taken */
  IPAM_EXHAUSTED: 101,
  /** the delegated IPAM plugin failed (its own error is in details) */
  IPAM_PLUGIN: 102,
  /** CHECK found the container's network differs from the previous result */
  CHECK_MISMATCH: 103,
  /** an object that must be ours is something else (a link named like the bridge is not a bridge, …) */
  CONFLICT: 104,
  /** an unexpected internal error */
  INTERNAL: 199,
} as const;

/** The error object a plugin prints on stdout (with a non-zero exit status). */
export interface CniErrorJson {
  /** the version of the request (or this plugin's newest). */
  cniVersion: string;
  /** a code from {@link CniCode}. */
  code: number;
  /** a short message. */
  msg: string;
  /** more detail: what was being done, the errno, the kernel's message. */
  details?: string;
}

/** An error carrying a CNI error code: what the plugin prints when a command fails. */
export class CniError extends Error {
  /** a code from {@link CniCode}. */
  readonly code: number;
  /** more detail for the `details` field. */
  readonly details: string | undefined;

  /** Makes an error with a CNI code, a message and optional details. */
  constructor(code: number, msg: string, details?: string, options?: { cause?: unknown }) {
    super(msg, options);
    this.name = 'CniError';
    this.code = code;
    this.details = details;
  }

  /** The JSON object of the spec for this error. */
  toJSON(cniVersion: string): CniErrorJson {
    const o: CniErrorJson = { cniVersion, code: this.code, msg: this.message };
    if (this.details) o.details = this.details;
    return o;
  }
}

/** Compares two dotted versions (`0.3.1` < `1.0.0`); NaN-free for the supported ones. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Checks that `v` is a version this plugin speaks; CniError code 1 otherwise. */
export function checkVersion(v: unknown): string {
  if (typeof v !== 'string' || v === '') {
    throw new CniError(CniCode.INVALID_NETWORK_CONFIG, 'cniVersion missing from the network configuration');
  }
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(v)) {
    throw new CniError(CniCode.INCOMPATIBLE_VERSION, `incompatible CNI version ${v}`, `this plugin supports ${SUPPORTED_VERSIONS.join(', ')}`);
  }
  return v;
}

// ---- results --------------------------------------------------------------------------------

/** An interface of a result (spec ≥ 0.3.0). */
export interface ResultInterface {
  /** the interface's name. */
  name: string;
  /** its MAC address. */
  mac?: string;
  /** its MTU (spec 1.1). */
  mtu?: number;
  /** the namespace path for an interface inside the container, absent for a host interface. */
  sandbox?: string;
}

/** An IP address of a result, in the current (1.x) form. */
export interface ResultIp {
  /** index into `interfaces`. */
  interface?: number;
  /** `address/prefix`. */
  address: string;
  /** the default gateway of this subnet. */
  gateway?: string;
}

/** A route of a result. */
export interface ResultRoute {
  /** the destination prefix. */
  dst: string;
  /** the next hop (absent: the default gateway). */
  gw?: string;
  /** its metric (spec 1.1). */
  priority?: number;
  /** MTU (spec 1.1). */
  mtu?: number;
  /** advertised MSS (spec 1.1). */
  advmss?: number;
  /** route table (spec 1.1). */
  table?: number;
  /** route scope (spec 1.1). */
  scope?: number;
}

/** DNS settings of a result or a configuration. */
export interface ResultDns {
  /** name servers. */
  nameservers?: string[];
  /** the local domain. */
  domain?: string;
  /** search domains. */
  search?: string[];
  /** resolver options. */
  options?: string[];
}

/** A result in the current form (1.0.0 / 1.1.0); converted to older shapes when printed. */
export interface CniResult {
  /** the version this result is written in. */
  cniVersion: string;
  /** interfaces created (or passed through from a previous plugin). */
  interfaces?: ResultInterface[];
  /** addresses assigned. */
  ips?: ResultIp[];
  /** routes added. */
  routes?: ResultRoute[];
  /** DNS settings. */
  dns?: ResultDns;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a result of any supported version (a `prevResult`, or a delegated IPAM plugin's
 * answer) into the current form.
 */
export function parseResult(raw: unknown, what = 'result'): CniResult {
  if (!isObject(raw)) throw new CniError(CniCode.DECODING_FAILURE, `${what} is not a JSON object`);
  const version = typeof raw.cniVersion === 'string' ? raw.cniVersion : '1.0.0';
  if (compareVersions(version, '0.3.0') < 0) {
    // 0.1.0 / 0.2.0: { ip4: { ip, gateway, routes }, ip6: …, dns }
    const out: CniResult = { cniVersion: CNI_VERSION, ips: [], routes: [] };
    for (const key of ['ip4', 'ip6'] as const) {
      const c = raw[key];
      if (!isObject(c)) continue;
      if (typeof c.ip !== 'string') throw new CniError(CniCode.DECODING_FAILURE, `${what}.${key}.ip missing`);
      out.ips!.push({ address: c.ip, ...(typeof c.gateway === 'string' ? { gateway: c.gateway } : {}) });
      if (Array.isArray(c.routes)) for (const r of c.routes) if (isObject(r) && typeof r.dst === 'string') out.routes!.push({ dst: r.dst, ...(typeof r.gw === 'string' ? { gw: r.gw } : {}) });
    }
    if (isObject(raw.dns)) out.dns = raw.dns as ResultDns;
    return out;
  }
  const out: CniResult = { cniVersion: CNI_VERSION };
  if (raw.interfaces !== undefined) {
    if (!Array.isArray(raw.interfaces)) throw new CniError(CniCode.DECODING_FAILURE, `${what}.interfaces is not a list`);
    out.interfaces = raw.interfaces.map((i, n) => {
      if (!isObject(i) || typeof i.name !== 'string') throw new CniError(CniCode.DECODING_FAILURE, `${what}.interfaces[${n}] has no name`);
      const r: ResultInterface = { name: i.name };
      if (typeof i.mac === 'string') r.mac = i.mac;
      if (typeof i.mtu === 'number') r.mtu = i.mtu;
      if (typeof i.sandbox === 'string') r.sandbox = i.sandbox;
      return r;
    });
  }
  if (raw.ips !== undefined) {
    if (!Array.isArray(raw.ips)) throw new CniError(CniCode.DECODING_FAILURE, `${what}.ips is not a list`);
    out.ips = raw.ips.map((i, n) => {
      if (!isObject(i) || typeof i.address !== 'string') throw new CniError(CniCode.DECODING_FAILURE, `${what}.ips[${n}] has no address`);
      const r: ResultIp = { address: i.address };
      if (typeof i.interface === 'number') r.interface = i.interface;
      if (typeof i.gateway === 'string') r.gateway = i.gateway;
      return r;
    });
  }
  if (raw.routes !== undefined) {
    if (!Array.isArray(raw.routes)) throw new CniError(CniCode.DECODING_FAILURE, `${what}.routes is not a list`);
    out.routes = raw.routes.map((r, n) => {
      if (!isObject(r) || typeof r.dst !== 'string') throw new CniError(CniCode.DECODING_FAILURE, `${what}.routes[${n}] has no dst`);
      const o: ResultRoute = { dst: r.dst };
      for (const k of ['priority', 'mtu', 'advmss', 'table', 'scope'] as const) if (typeof r[k] === 'number') o[k] = r[k] as number;
      if (typeof r.gw === 'string') o.gw = r.gw;
      return o;
    });
  }
  if (isObject(raw.dns)) out.dns = raw.dns as ResultDns;
  return out;
}

const ROUTE_11_KEYS = ['priority', 'mtu', 'advmss', 'table', 'scope'] as const;

/**
 * Writes a current-form result in the shape of `version`: 1.1.0 as is; 1.0.0 without the
 * 1.1 fields; 0.3.x / 0.4.0 with `version` on each IP; 0.1.0 / 0.2.0 as `ip4`/`ip6`.
 */
export function formatResult(result: CniResult, version: string): Record<string, unknown> {
  const v11 = compareVersions(version, '1.1.0') >= 0;
  const routes = (result.routes ?? []).map((r) => {
    const o: Record<string, unknown> = { dst: r.dst };
    if (r.gw !== undefined) o.gw = r.gw;
    if (v11) for (const k of ROUTE_11_KEYS) if (r[k] !== undefined) o[k] = r[k];
    return o;
  });
  const dns = result.dns ?? {};
  if (compareVersions(version, '0.3.0') < 0) {
    const out: Record<string, unknown> = { cniVersion: version };
    for (const ip of result.ips ?? []) {
      const key = ip.address.includes(':') ? 'ip6' : 'ip4';
      if (out[key]) continue;
      const fam = routes.filter((r) => String(r.dst).includes(':') === (key === 'ip6'));
      out[key] = { ip: ip.address, ...(ip.gateway ? { gateway: ip.gateway } : {}), ...(fam.length ? { routes: fam } : {}) };
    }
    out.dns = dns;
    return out;
  }
  const out: Record<string, unknown> = { cniVersion: version };
  // like the reference plugins: empty lists are left out, dns is always there
  if (result.interfaces?.length) {
    out.interfaces = result.interfaces.map((i) => {
      const o: Record<string, unknown> = { name: i.name };
      if (i.mac !== undefined) o.mac = i.mac;
      if (v11 && i.mtu !== undefined) o.mtu = i.mtu;
      if (i.sandbox !== undefined) o.sandbox = i.sandbox;
      return o;
    });
  }
  const pre10 = compareVersions(version, '1.0.0') < 0;
  if (result.ips?.length) {
    out.ips = result.ips.map((ip) => {
      const o: Record<string, unknown> = {};
      if (pre10) o.version = ip.address.includes(':') ? '6' : '4';
      if (ip.interface !== undefined) o.interface = ip.interface;
      o.address = ip.address;
      if (ip.gateway !== undefined) o.gateway = ip.gateway;
      return o;
    });
  }
  if (routes.length) out.routes = routes;
  out.dns = dns;
  return out;
}

/**
 * Appends this plugin's result to a previous plugin's (a chain): interfaces are appended,
 * this plugin's `ips[].interface` indexes shifted past the previous ones; routes appended;
 * DNS from this plugin when it has any, else the previous one's.
 */
export function mergeResults(prev: CniResult, mine: CniResult): CniResult {
  const offset = prev.interfaces?.length ?? 0;
  const ips = [...(prev.ips ?? []), ...(mine.ips ?? []).map((ip) => (ip.interface === undefined ? ip : { ...ip, interface: ip.interface + offset }))];
  const out: CniResult = {
    cniVersion: mine.cniVersion,
    interfaces: [...(prev.interfaces ?? []), ...(mine.interfaces ?? [])],
    ips,
    routes: [...(prev.routes ?? []), ...(mine.routes ?? [])],
  };
  const dnsSet = (d: ResultDns | undefined): boolean => !!d && (d.nameservers !== undefined || d.search !== undefined || d.options !== undefined || !!d.domain);
  out.dns = dnsSet(mine.dns) ? mine.dns : (prev.dns ?? {});
  return out;
}
