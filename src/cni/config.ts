/**
 * Reading a CNI call: the environment (CNI_COMMAND, CNI_CONTAINERID, …) and the network
 * configuration on stdin, validated before anything is touched.
 * @module
 */
import { CniCode, CniError, checkVersion, parseResult, type CniResult, type ResultDns, type ResultRoute } from './spec.js';
import { parseIpNet, parseIpNum } from './ipnet.js';

/** The CNI commands. */
export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS' | 'VERSION';
const COMMANDS: readonly CniCommand[] = ['ADD', 'DEL', 'CHECK', 'GC', 'STATUS', 'VERSION'];

/** The CNI_* environment of one call. */
export interface CniEnv {
  /** CNI_COMMAND */
  command: CniCommand;
  /** CNI_CONTAINERID */
  containerId: string;
  /** CNI_NETNS (may be empty for DEL / GC). */
  netns: string;
  /** CNI_IFNAME */
  ifname: string;
  /** CNI_ARGS, parsed (`K=V;K2=V2`). */
  args: Map<string, string>;
  /** CNI_PATH, split on `:`. */
  path: string[];
  /**
   * Where to open the container's namespace when not at CNI_NETNS (a call through the daemon:
   * `/proc/<caller>/fd/<n>`, opened by the caller); CNI_NETNS stays what results report.
   */
  netnsPath?: string;
  /** The host namespace when it is not this process's own (a call through the daemon: `/proc/<caller>/ns/net`). */
  hostNetns?: string;
  /** The whole environment of the call (what a delegated IPAM plugin is started with). */
  environment: NodeJS.ProcessEnv;
}

/** A published port (`portMappings` runtime capability). */
export interface CniPortMapping {
  /** port on the host. */
  hostPort: number;
  /** port in the container. */
  containerPort: number;
  /** `tcp`, `udp` or `sctp`. */
  protocol: 'tcp' | 'udp' | 'sctp';
  /** host address to publish on (absent: every address). */
  hostIP?: string;
}

/** One range of a host-local range set. */
export interface RangeConf {
  /** the subnet, `10.22.0.0/16`. */
  subnet: string;
  /** first address to hand out. */
  rangeStart?: string;
  /** last address to hand out. */
  rangeEnd?: string;
  /** the gateway (never handed out). */
  gateway?: string;
}

/** The `ipam` section. */
export interface IpamConf {
  /** the IPAM plugin (`host-local` runs in-process; another name is executed from CNI_PATH). */
  type: string;
  /** host-local: range sets (one per address family, usually). */
  ranges: RangeConf[][];
  /** host-local: routes to add in the container. */
  routes: ResultRoute[];
  /** host-local: where allocations live (default /var/lib/cni/networks). */
  dataDir: string;
  /** host-local: a resolv.conf whose settings become the result's DNS. */
  resolvConf?: string;
  /** the raw section (for delegation). */
  raw: Record<string, unknown>;
}

/** A bridge network configuration (the reference `bridge` plugin's options). */
export interface BridgeConf {
  /** the requested version. */
  cniVersion: string;
  /** the network's name. */
  name: string;
  /** the plugin type as configured. */
  type: string;
  /** the bridge's name (default `cni0`). */
  bridge: string;
  /** give the bridge the gateway address. */
  isGateway: boolean;
  /** add a default route via the gateway in the container (implies isGateway). */
  isDefaultGateway: boolean;
  /** replace another address of the same family on the bridge. */
  forceAddress: boolean;
  /** masquerade traffic from the container leaving the subnet. */
  ipMasq: boolean;
  /** MTU of the bridge and veths (0: the kernel's). */
  mtu: number;
  /** hairpin mode on the bridge port. */
  hairpinMode: boolean;
  /** promiscuous mode on the bridge. */
  promiscMode: boolean;
  /** the IPAM section, if any (none: a layer-2 network). */
  ipam: IpamConf | undefined;
  /** DNS settings from the configuration. */
  dns: ResultDns | undefined;
  /** the container MAC asked for (runtimeConfig.mac, args.cni.mac, CNI_ARGS MAC). */
  mac: string | undefined;
  /** the container IPs asked for (runtimeConfig.ips, args.cni.ips, CNI_ARGS IP). */
  ips: string[];
  /** ports to publish (runtimeConfig.portMappings). */
  portMappings: CniPortMapping[];
  /** the previous plugin's result in a chain. */
  prevResult: CniResult | undefined;
  /** GC: the attachments to keep. */
  validAttachments: { containerID: string; ifname: string }[] | undefined;
  /** the raw stdin text (for delegation). */
  raw: string;
}

function bad(msg: string, details?: string): CniError {
  return new CniError(CniCode.INVALID_NETWORK_CONFIG, msg, details);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bool(o: Record<string, unknown>, key: string): boolean {
  const v = o[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw bad(`"${key}" must be true or false`, `got ${JSON.stringify(v)}`);
  return v;
}

function str(o: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw bad(`${where}"${key}" must be a string`, `got ${JSON.stringify(v)}`);
  return v;
}

const IFNAME = /^[^\s/:]{1,15}$/;
const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Reads the CNI_* variables; CniError code 4 when one the command needs is missing. */
export function readEnv(env: NodeJS.ProcessEnv): CniEnv {
  const command = env.CNI_COMMAND ?? '';
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new CniError(CniCode.INVALID_ENVIRONMENT, command ? `unknown CNI_COMMAND ${command}` : 'required env variables [CNI_COMMAND] missing');
  }
  const cmd = command as CniCommand;
  const need: Record<CniCommand, string[]> = {
    ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
    CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
    DEL: ['CNI_CONTAINERID', 'CNI_IFNAME', 'CNI_PATH'],
    GC: ['CNI_PATH'],
    STATUS: ['CNI_PATH'],
    VERSION: [],
  };
  const missing = need[cmd].filter((k) => !env[k]);
  if (missing.length) throw new CniError(CniCode.INVALID_ENVIRONMENT, `required env variables [${missing.join(',')}] missing`);
  const containerId = env.CNI_CONTAINERID ?? '';
  if (containerId && !CONTAINER_ID.test(containerId)) {
    throw new CniError(CniCode.INVALID_ENVIRONMENT, 'invalid characters in containerID', containerId);
  }
  const ifname = env.CNI_IFNAME ?? '';
  if (ifname && (!IFNAME.test(ifname) || ifname === '.' || ifname === '..')) {
    throw new CniError(CniCode.INVALID_ENVIRONMENT, `invalid interface name ${JSON.stringify(ifname)}`, 'CNI_IFNAME: 1 to 15 characters, no space, "/" or ":"');
  }
  const args = new Map<string, string>();
  for (const pair of (env.CNI_ARGS ?? '').split(';')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CniError(CniCode.INVALID_ENVIRONMENT, `CNI_ARGS: invalid pair ${JSON.stringify(pair)}`);
    args.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return { command: cmd, containerId, netns: env.CNI_NETNS ?? '', ifname, args, path: (env.CNI_PATH ?? '').split(':').filter(Boolean), environment: env };
}

function parseRoutes(v: unknown, where: string): ResultRoute[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad(`${where} must be a list`);
  return v.map((r, i) => {
    if (!isObject(r) || !parseIpNet(r.dst)) throw bad(`${where}[${i}].dst must be a prefix like "0.0.0.0/0"`, JSON.stringify(r));
    const out: ResultRoute = { dst: r.dst as string };
    if (r.gw !== undefined && r.gw !== null && r.gw !== '') {
      if (!parseIpNum(r.gw)) throw bad(`${where}[${i}].gw is not an IP address`, JSON.stringify(r.gw));
      out.gw = r.gw as string;
    }
    for (const k of ['priority', 'mtu', 'advmss', 'table', 'scope'] as const) if (typeof r[k] === 'number') out[k] = r[k] as number;
    return out;
  });
}

function parseRange(r: unknown, where: string): RangeConf {
  if (!isObject(r)) throw bad(`${where} must be an object`);
  const subnet = str(r, 'subnet', where);
  if (!subnet) throw bad(`${where}: "subnet" is required`);
  const net = parseIpNet(subnet);
  if (!net) throw bad(`${where}: invalid subnet ${JSON.stringify(subnet)}`);
  const out: RangeConf = { subnet };
  for (const k of ['rangeStart', 'rangeEnd', 'gateway'] as const) {
    const v = str(r, k, where);
    if (v === undefined) continue;
    if (!parseIpNum(v)) throw bad(`${where}: ${k} ${JSON.stringify(v)} is not an IP address`);
    out[k] = v;
  }
  return out;
}

function parseIpam(v: unknown): IpamConf | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw bad('"ipam" must be an object');
  const type = str(v, 'type', 'ipam.');
  if (!type) return undefined; // as the reference: no type means a layer-2 network
  const conf: IpamConf = { type, ranges: [], routes: [], dataDir: '/var/lib/cni/networks', raw: v };
  if (type !== 'host-local') return conf; // delegated: the plugin reads its own section
  if (v.ranges !== undefined) {
    if (!Array.isArray(v.ranges)) throw bad('ipam.ranges must be a list of range sets');
    conf.ranges = v.ranges.map((set, i) => {
      if (!Array.isArray(set) || set.length === 0) throw bad(`ipam.ranges[${i}] must be a non-empty list of ranges`);
      return set.map((r, j) => parseRange(r, `ipam.ranges[${i}][${j}]`));
    });
  }
  if (v.subnet !== undefined && v.subnet !== '') {
    // the old single-range form
    conf.ranges = [[parseRange({ subnet: v.subnet, rangeStart: v.rangeStart, rangeEnd: v.rangeEnd, gateway: v.gateway }, 'ipam')], ...conf.ranges];
  }
  if (conf.ranges.length === 0) throw bad('no IP ranges specified', 'ipam needs "ranges" (or "subnet")');
  conf.routes = parseRoutes(v.routes, 'ipam.routes');
  const dataDir = str(v, 'dataDir', 'ipam.');
  if (dataDir) conf.dataDir = dataDir;
  conf.resolvConf = str(v, 'resolvConf', 'ipam.');
  return conf;
}

function parseMappings(v: unknown): CniPortMapping[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad('runtimeConfig.portMappings must be a list');
  return v.map((m, i) => {
    const where = `runtimeConfig.portMappings[${i}]`;
    if (!isObject(m)) throw bad(`${where} must be an object`);
    const port = (k: string): number => {
      const p = m[k];
      if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535) throw bad(`${where}.${k} must be a port 1-65535`, JSON.stringify(p));
      return p;
    };
    const proto = (typeof m.protocol === 'string' && m.protocol !== '' ? m.protocol : 'tcp').toLowerCase();
    if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw bad(`${where}.protocol must be tcp, udp or sctp`, JSON.stringify(m.protocol));
    const out: CniPortMapping = { hostPort: port('hostPort'), containerPort: port('containerPort'), protocol: proto };
    if (typeof m.hostIP === 'string' && m.hostIP !== '') {
      if (!parseIpNum(m.hostIP)) throw bad(`${where}.hostIP is not an IP address`, m.hostIP);
      out.hostIP = m.hostIP;
    }
    return out;
  });
}

function parseDns(v: unknown): ResultDns | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw bad('"dns" must be an object');
  const out: ResultDns = {};
  for (const k of ['nameservers', 'search', 'options'] as const) {
    const a = v[k];
    if (a === undefined || a === null) continue;
    if (!Array.isArray(a) || a.some((x) => typeof x !== 'string')) throw bad(`dns.${k} must be a list of strings`);
    out[k] = a as string[];
  }
  if (typeof v.domain === 'string' && v.domain) out.domain = v.domain;
  return out;
}

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** Parses the network configuration from stdin (for every command but VERSION). */
export function parseConf(text: string, env: CniEnv): BridgeConf {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new CniError(CniCode.DECODING_FAILURE, 'failed to load netconf', (e as Error).message);
  }
  if (!isObject(o)) throw new CniError(CniCode.DECODING_FAILURE, 'failed to load netconf', 'the configuration is not a JSON object');
  // like the reference: a configuration without cniVersion is a 0.1.0 one
  const cniVersion = checkVersion(o.cniVersion === undefined || o.cniVersion === '' ? '0.1.0' : o.cniVersion);
  const name = str(o, 'name', '');
  if (!name) throw bad('"name" is required');
  if (name.includes('/') || name === '.' || name === '..') throw bad(`invalid network name ${JSON.stringify(name)}`);
  const bridge = str(o, 'bridge', '') ?? 'cni0';
  if (!IFNAME.test(bridge)) throw bad(`invalid bridge name ${JSON.stringify(bridge)}`, '1 to 15 characters, no space, "/" or ":"');
  const mtu = o.mtu === undefined || o.mtu === null ? 0 : o.mtu;
  if (typeof mtu !== 'number' || !Number.isInteger(mtu) || mtu < 0 || (mtu !== 0 && (mtu < 68 || mtu > 65535))) throw bad('"mtu" must be 68-65535', JSON.stringify(o.mtu));
  if (o.vlan !== undefined && o.vlan !== 0) throw new CniError(CniCode.UNSUPPORTED_FIELD, 'unsupported field "vlan"', 'netns-kit-bridge does not program bridge VLAN filtering');
  if (o.vlanTrunk !== undefined) throw new CniError(CniCode.UNSUPPORTED_FIELD, 'unsupported field "vlanTrunk"', 'netns-kit-bridge does not program bridge VLAN filtering');
  if (o.macspoofchk === true) throw new CniError(CniCode.UNSUPPORTED_FIELD, 'unsupported field "macspoofchk"');
  const isDefaultGateway = bool(o, 'isDefaultGateway');
  const conf: BridgeConf = {
    cniVersion,
    name,
    type: str(o, 'type', '') ?? '',
    bridge,
    isDefaultGateway,
    isGateway: bool(o, 'isGateway') || isDefaultGateway,
    forceAddress: bool(o, 'forceAddress'),
    ipMasq: bool(o, 'ipMasq'),
    mtu,
    hairpinMode: bool(o, 'hairpinMode'),
    promiscMode: bool(o, 'promiscMode'),
    ipam: parseIpam(o.ipam),
    dns: parseDns(o.dns),
    mac: undefined,
    ips: [],
    portMappings: [],
    prevResult: undefined,
    validAttachments: undefined,
    raw: text,
  };
  if (conf.hairpinMode && conf.promiscMode) throw bad('cannot set hairpin mode and promiscuous mode at the same time');
  // the container's MAC and IPs: CNI_ARGS, then args.cni, then runtimeConfig (the last wins)
  const argsCni = isObject(o.args) && isObject(o.args.cni) ? o.args.cni : {};
  const rc = isObject(o.runtimeConfig) ? o.runtimeConfig : {};
  const macs = [env.args.get('MAC'), argsCni.mac, rc.mac];
  for (const m of macs) if (typeof m === 'string' && m !== '') conf.mac = m;
  if (conf.mac !== undefined && !MAC.test(conf.mac)) throw bad(`invalid MAC address ${JSON.stringify(conf.mac)}`);
  const ipArg = env.args.get('IP');
  const ipLists: unknown[] = [ipArg ? ipArg.split(',') : undefined, argsCni.ips, rc.ips];
  for (const l of ipLists) {
    if (l === undefined || l === null) continue;
    if (!Array.isArray(l) || l.some((x) => typeof x !== 'string')) throw bad('"ips" must be a list of addresses');
    if (l.length) conf.ips = (l as string[]).map((s) => {
      const bare = s.includes('/') ? s.slice(0, s.indexOf('/')) : s;
      if (!parseIpNum(bare)) throw bad(`invalid IP address ${JSON.stringify(s)}`);
      return bare;
    });
  }
  conf.portMappings = parseMappings(rc.portMappings);
  if (o.prevResult !== undefined && o.prevResult !== null) conf.prevResult = parseResult(o.prevResult, 'prevResult');
  const va = o['cni.dev/valid-attachments'] ?? o['cni.dev/attachments'];
  if (va !== undefined) {
    if (!Array.isArray(va)) throw bad('"cni.dev/valid-attachments" must be a list');
    conf.validAttachments = va.map((a, i) => {
      if (!isObject(a) || typeof a.containerID !== 'string' || typeof a.ifname !== 'string') throw bad(`cni.dev/valid-attachments[${i}] needs containerID and ifname`);
      return { containerID: a.containerID, ifname: a.ifname };
    });
  }
  return conf;
}
