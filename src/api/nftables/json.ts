/**
 * The ruleset as `nft -j list ruleset` prints it (libnftables JSON), and as `nft list
 * ruleset` text: rules are turned back into nft's statements (`ip saddr 10.0.0.0/8`,
 * `ct state established,related`, `dnat ip to … map @m`, …). Expressions no statement
 * here describes are shown as `{ "xt": … }`-like raw entries (`"raw": name`).
 * @module
 */
import { FIB_RESULTS } from '../../nftables/constants.js';
import type { Verdict } from '../../nftables/codec.js';
import { DATA_TYPES, decodeValue, type NftDataType } from '../../nftables/datatypes.js';
import type { Expr } from '../../nftables/expr.js';
import type { NftRule } from '../../nftables/rule.js';
import type { NftElement } from '../../nftables/set.js';
import { formatIpAt } from '../../util/ip.js';
import type { NftRuleset, NftSetWithElements } from './nftables.js';

/** One object of `nft -j` output (`{ "table": … }`, `{ "rule": … }`, …). */
export type NftJsonObject = Record<string, unknown>;

interface Loaded {
  /** nft's JSON of the expression in the register. */
  json: unknown;
  /** how values compared with it are written. */
  type?: NftDataType | 'ctstate' | 'fibtype' | 'raw';
  /** bytes loaded (prefix matches load fewer bytes than an address). */
  len?: number;
  /** the mask applied by a bitwise (prefixes). */
  mask?: Buffer;
}

const PAYLOADS: Record<string, [string, string, NftDataType, number]> = {
  'network 12': ['ip', 'saddr', 'ipv4_addr', 4],
  'network 16': ['ip', 'daddr', 'ipv4_addr', 4],
  'network 8': ['ip6', 'saddr', 'ipv6_addr', 16],
  'network 24': ['ip6', 'daddr', 'ipv6_addr', 16],
  'transport 0': ['th', 'sport', 'inet_service', 2],
  'transport 2': ['th', 'dport', 'inet_service', 2],
};
const META_TYPES: Partial<Record<string, NftDataType>> = { l4proto: 'inet_proto', iifname: 'ifname', oifname: 'ifname', mark: 'mark' };
const CMP: Record<string, string> = { eq: '==', neq: '!=', lt: '<', lte: '<=', gt: '>', gte: '>=' };
const CT_STATE_NAMES: [string, number][] = [['invalid', 1], ['established', 2], ['related', 4], ['new', 8], ['untracked', 64]];
const RTN = ['unspec', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit'];

function verdictJson(v: Verdict): NftJsonObject {
  if (v.kind === 'jump' || v.kind === 'goto') return { [v.kind]: { target: v.chain ?? `#${v.chainId}` } };
  return { [v.kind]: null };
}

function valueJson(l: Loaded | undefined, data: Buffer): unknown {
  if (!l) return data.toString('hex');
  if (l.type === 'ctstate') {
    const n = data.readUInt32LE(0);
    const names = CT_STATE_NAMES.filter(([, b]) => n & b).map(([k]) => k);
    return names.length === 1 ? names[0] : names;
  }
  if (l.type === 'fibtype') return RTN[data.readUInt32LE(0)] ?? data.readUInt32LE(0);
  if (l.type === 'ipv4_addr' || l.type === 'ipv6_addr') {
    const full = DATA_TYPES[l.type].len;
    if (data.length < full || l.mask) {
      const addr = Buffer.alloc(full);
      data.copy(addr);
      const len = l.mask ? [...l.mask].reduce((n, b) => n + popcount(b), 0) : data.length * 8;
      return { prefix: { addr: formatIpAt(addr, 0, full), len } };
    }
  }
  if (l.type && l.type !== 'raw' && l.type !== 'verdict') {
    const v = decodeValue([l.type], data);
    if (v) return v[0];
  }
  return data.toString('hex');
}
const popcount = (b: number): number => b.toString(2).replace(/0/g, '').length;

/** Turns a rule's expressions into nft's JSON statements. */
export function statementsOf(exprs: readonly Expr[]): unknown[] {
  const out: unknown[] = [];
  const regs = new Map<number, Loaded>();
  let concat: Loaded[] = [];
  let lastSlotEnd = 0;
  let pendingMap: { key: unknown; data: string } | undefined;
  const key = (): unknown => (concat.length > 1 ? { concat: concat.map((c) => c.json) } : concat[0]?.json);
  for (let i = 0; i < exprs.length; i++) {
    const e = exprs[i]!;
    switch (e.type) {
      case 'payload': {
        if (e.dreg === undefined) {
          out.push({ raw: 'payload write' });
          break;
        }
        const p = PAYLOADS[`${e.base} ${e.offset}`];
        let l: Loaded = p ? { json: { payload: { protocol: p[0], field: p[1] } }, type: p[2], len: e.len } : { json: { payload: { base: e.base, offset: e.offset * 8, len: e.len * 8 } }, type: 'raw' };
        // `meta l4proto tcp` followed by a transport header field is nft's `tcp dport`
        const prev = out[out.length - 1] as { match?: { left?: { meta?: { key: string } }; right?: unknown; op?: string } } | undefined;
        if (p && p[0] === 'th' && prev?.match?.left?.meta?.key === 'l4proto' && prev.match.op === '==' && (prev.match.right === 'tcp' || prev.match.right === 'udp')) {
          out.pop();
          l = { ...l, json: { payload: { protocol: prev.match.right, field: p[1] } } };
        }
        regs.set(e.dreg, l);
        if (e.dreg === 1 || e.dreg === 8) concat = [l];
        else if (e.dreg >= 9) concat.push(l);
        lastSlotEnd = e.dreg;
        break;
      }
      case 'meta': {
        if (e.dreg === undefined) {
          out.push({ mangle: { key: { meta: { key: e.key } }, value: '?' } });
          break;
        }
        const l: Loaded = { json: { meta: { key: e.key } }, type: META_TYPES[e.key] ?? 'raw' };
        regs.set(e.dreg, l);
        if (e.dreg === 1 || e.dreg === 8) concat = [l];
        else if (e.dreg >= 9) concat.push(l);
        lastSlotEnd = e.dreg;
        break;
      }
      case 'ct': {
        if (e.dreg === undefined) {
          out.push({ mangle: { key: { ct: { key: e.key } }, value: '?' } });
          break;
        }
        const l: Loaded = { json: { ct: { key: e.key } }, type: e.key === 'state' ? 'ctstate' : 'raw' };
        regs.set(e.dreg, l);
        concat = [l];
        break;
      }
      case 'fib':
        regs.set(e.dreg, { json: { fib: { result: e.result, flags: e.flags } }, type: e.result === 'type' ? 'fibtype' : 'raw' });
        break;
      case 'bitwise': {
        const l = regs.get(e.sreg);
        if (l?.json && typeof l.json === 'object' && 'ct' in (l.json as object) && e.mask && (l.json as { ct: { key: string } }).ct.key === 'status') {
          // ct status BIT: a flag test
          regs.set(e.dreg, { ...l, mask: e.mask, type: 'raw' });
          const n = e.mask.readUInt32LE(0);
          const next = exprs[i + 1];
          if (next?.type === 'cmp' && next.op === 'neq' && next.data.every((b) => b === 0)) {
            out.push({ match: { op: 'in', left: l.json, right: n === 0x20 ? 'dnat' : n === 0x10 ? 'snat' : n } });
            i++;
          }
          break;
        }
        if (l?.type === 'ctstate' && e.mask) {
          const next = exprs[i + 1];
          if (next?.type === 'cmp' && next.op === 'neq' && next.data.every((b) => b === 0)) {
            out.push({ match: { op: 'in', left: l.json, right: valueJson(l, e.mask) } });
            i++;
            break;
          }
        }
        regs.set(e.dreg, { ...(l ?? { json: null }), mask: e.mask });
        break;
      }
      case 'cmp': {
        const l = regs.get(e.sreg);
        const next = exprs[i + 1];
        // nft hides the `meta nfproto` it adds before an ip/ip6 header field in inet tables
        const lj = l?.json as { meta?: { key: string } } | undefined;
        if (lj?.meta?.key === 'nfproto' && e.op === 'eq' && next?.type === 'payload' && next.base === 'network') break;
        // nft writes `a-b` as >= a, <= b
        if (e.op === 'gte' && next?.type === 'cmp' && next.op === 'lte' && next.sreg === e.sreg) {
          out.push({ match: { op: '==', left: l?.json ?? null, right: { range: [valueJson(l, e.data), valueJson(l, next.data)] } } });
          i++;
          break;
        }
        out.push({ match: { op: CMP[e.op], left: l?.json ?? null, right: valueJson(l, e.data) } });
        break;
      }
      case 'range': {
        const l = regs.get(e.sreg);
        out.push({ match: { op: e.op === 'eq' ? '==' : '!=', left: l?.json ?? null, right: { range: [valueJson(l, e.from), valueJson(l, e.to)] } } });
        break;
      }
      case 'lookup': {
        const k = key();
        if (e.dreg === undefined) out.push({ match: { op: e.invert ? '!=' : '==', left: k, right: `@${e.set}` } });
        else if (e.dreg === 0) out.push({ vmap: { key: k, data: `@${e.set}` } });
        else pendingMap = { key: k, data: `@${e.set}` };
        concat = [];
        void lastSlotEnd;
        break;
      }
      case 'immediate':
        if (e.dreg === 0 && 'verdict' in e.data) out.push(verdictJson(e.data.verdict));
        else if ('value' in e.data) regs.set(e.dreg, { json: e.data.value, type: 'raw' });
        break;
      case 'counter':
        out.push({ counter: { packets: e.packets ?? 0, bytes: e.bytes ?? 0 } });
        break;
      case 'masq':
        out.push({ masquerade: e.flags?.length ? { flags: e.flags } : null });
        break;
      case 'redir': {
        const p = e.regProtoMin !== undefined ? regs.get(e.regProtoMin)?.json : undefined;
        out.push({ redirect: Buffer.isBuffer(p) ? { port: p.readUInt16BE(0) } : null });
        break;
      }
      case 'nat': {
        const fam = e.family === 10 ? 'ip6' : 'ip';
        const stmt: Record<string, unknown> = {};
        if (pendingMap && e.regAddrMin === 1) {
          stmt.family = fam;
          stmt.addr = { map: pendingMap };
          pendingMap = undefined;
        } else {
          const a = e.regAddrMin !== undefined ? regs.get(e.regAddrMin)?.json : undefined;
          const p = e.regProtoMin !== undefined ? regs.get(e.regProtoMin)?.json : undefined;
          if (Buffer.isBuffer(a)) stmt.addr = formatIpAt(a, 0, a.length);
          if (Buffer.isBuffer(p)) stmt.port = p.readUInt16BE(0);
        }
        const flags = (e.flags ?? []).filter((f) => f !== 'proto-specified' && f !== 'map-ips');
        if (flags.length) stmt.flags = flags;
        out.push({ [e.nat]: stmt });
        break;
      }
      case 'raw':
        out.push({ raw: e.name });
        break;
    }
  }
  return out;
}

function typeJson(types: readonly NftDataType[] | undefined, id: number): unknown {
  if (!types) return `0x${id.toString(16)}`;
  return types.length === 1 ? types[0] : [...types];
}

function elemJson(s: NftSetWithElements, els: readonly NftElement[]): unknown[] {
  const kt = s.keyTypes;
  const one = (b: Buffer | undefined): unknown => {
    if (!b || !kt) return b?.toString('hex');
    const v = decodeValue(kt, b);
    if (!v) return b.toString('hex');
    return v.length === 1 ? v[0] : { concat: v };
  };
  const data = (e: NftElement): unknown => {
    if (!e.data) return undefined;
    if ('verdict' in e.data) return verdictJson(e.data.verdict);
    const dt = s.dataTypes;
    if (!Array.isArray(dt)) return e.data.value.toString('hex');
    const v = decodeValue(dt, e.data.value);
    return !v ? e.data.value.toString('hex') : v.length === 1 ? v[0] : { concat: v };
  };
  const out: unknown[] = [];
  const interval = s.flags.includes('interval') && (kt?.length ?? 0) === 1;
  // nft prints elements in key order (the kernel lists intervals from the last)
  const sorted = interval ? [...els].sort((a, b) => Buffer.compare(a.key ?? Buffer.alloc(0), b.key ?? Buffer.alloc(0))) : els;
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    if (e.intervalEnd) continue;
    let k = one(e.key);
    if (interval && e.key) {
      // the kernel lists intervals end first: find this start's end
      const end = els.find((x) => x.intervalEnd && x.key && Buffer.compare(x.key, e.key!) > 0 && !els.some((y) => !y.intervalEnd && y.key && Buffer.compare(y.key, e.key!) > 0 && Buffer.compare(y.key, x.key!) < 0));
      const last = end?.key ? decrement(end.key) : Buffer.alloc(e.key.length, 0xff);
      k = rangeJson(kt![0]!, e.key, last);
    } else if (e.keyEnd && e.key && !e.keyEnd.equals(e.key)) k = { range: [one(e.key), one(e.keyEnd)] };
    const d = data(e);
    out.push(d === undefined ? k : [k, d]);
  }
  return out;
}
function decrement(b: Buffer): Buffer {
  const o = Buffer.from(b);
  for (let i = o.length - 1; i >= 0; i--) {
    if (o[i]! > 0) {
      o[i]!--;
      return o;
    }
    o[i] = 0xff;
  }
  return o;
}
function rangeJson(t: NftDataType, first: Buffer, last: Buffer): unknown {
  const f = decodeValue([t], first)?.[0];
  const l = decodeValue([t], last)?.[0];
  if ((t === 'ipv4_addr' || t === 'ipv6_addr') && f !== undefined) {
    // a prefix when first..last is one
    const bits = first.length * 8;
    for (let len = 0; len <= bits; len++) {
      const lo = Buffer.from(first);
      const hi = Buffer.from(first);
      for (let i = len; i < bits; i++) {
        lo[i >> 3]! &= ~(0x80 >> (i & 7));
        hi[i >> 3]! |= 0x80 >> (i & 7);
      }
      if (lo.equals(first) && hi.equals(last)) return len === bits ? f : { prefix: { addr: f, len } };
    }
  }
  return f === l ? f : { range: [f, l] };
}

/** The ruleset as `nft -j list ruleset` prints it (the objects of its `nftables` array). */
export function rulesetJson(r: NftRuleset): NftJsonObject[] {
  const out: NftJsonObject[] = [];
  for (const t of r.tables) {
    const tj: Record<string, unknown> = { family: t.family, name: t.name, handle: t.handle };
    const flags = [...(t.dormant ? ['dormant'] : []), ...(t.owner ? ['owner'] : []), ...(t.persist ? ['persist'] : [])];
    if (flags.length) tj.flags = flags.length === 1 ? flags[0] : flags;
    if (t.comment !== undefined) tj.comment = t.comment;
    out.push({ table: tj });
    for (const s of r.sets.filter((x) => x.family === t.family && x.table === t.name && !x.flags.includes('anonymous'))) {
      const isMap = s.flags.includes('map');
      const sj: Record<string, unknown> = { family: s.family, name: s.name, table: s.table, type: typeJson(s.keyTypes, s.keyType), handle: s.handle };
      if (isMap) {
        const d = s.dataTypes === 'verdict' ? 'verdict' : typeJson(Array.isArray(s.dataTypes) ? s.dataTypes : undefined, s.dataType ?? 0);
        sj.map = Array.isArray(d) ? d.join(' . ') : d; // nft prints a concatenated value type as one string
      }
      const flags = s.flags.filter((f) => f === 'interval' || f === 'timeout' || f === 'constant' || f === 'eval' || f === 'dynamic' as string);
      if (flags.length) sj.flags = flags;
      if (s.timeout !== undefined) sj.timeout = s.timeout / 1000;
      if (s.comment !== undefined) sj.comment = s.comment;
      if (s.elements?.length) sj.elem = elemJson(s, s.elements);
      out.push({ [isMap ? 'map' : 'set']: sj });
    }
    for (const c of r.chains.filter((x) => x.family === t.family && x.table === t.name)) {
      const cj: Record<string, unknown> = { family: c.family, table: c.table, name: c.name, handle: c.handle };
      if (c.comment !== undefined) cj.comment = c.comment;
      if (c.hook) {
        cj.type = c.hook.type;
        cj.hook = c.hook.hook;
        if (c.hook.device !== undefined) cj.dev = c.hook.device;
        cj.prio = c.hook.priority;
        cj.policy = c.hook.policy ?? 'accept';
      }
      out.push({ chain: cj });
    }
    for (const rule of r.rules.filter((x) => x.family === t.family && x.table === t.name)) out.push({ rule: ruleJson(rule) });
  }
  return out;
}

/** One rule as `nft -j` prints it. */
export function ruleJson(rule: NftRule): Record<string, unknown> {
  const rj: Record<string, unknown> = { family: rule.family, table: rule.table, chain: rule.chain, handle: rule.handle };
  if (rule.comment !== undefined) rj.comment = rule.comment;
  rj.expr = statementsOf(rule.exprs);
  return rj;
}

// ---- text ------------------------------------------------------------------------------------

function exprText(j: unknown): string {
  if (j === null || j === undefined) return '?';
  if (typeof j !== 'object') return typeof j === 'string' && /[^\w.:/-]/.test(j) ? JSON.stringify(j) : String(j);
  if (Array.isArray(j)) return `{ ${j.map(exprText).join(', ')} }`;
  const o = j as Record<string, any>;
  if (o.payload) return o.payload.protocol ? `${o.payload.protocol} ${o.payload.field}` : `@${o.payload.base},${o.payload.offset},${o.payload.len}`;
  if (o.meta) return ['iifname', 'oifname', 'mark', 'l4proto'].includes(o.meta.key) && o.meta.key !== 'l4proto' && o.meta.key !== 'mark' ? o.meta.key : `meta ${o.meta.key}`;
  if (o.ct) return `ct ${o.ct.key}`;
  if (o.fib) return `fib ${o.fib.flags.join(' . ')} ${o.fib.result}`;
  if (o.concat) return o.concat.map(exprText).join(' . ');
  if (o.prefix) return `${o.prefix.addr}/${o.prefix.len}`;
  if (o.range) return `${exprText(o.range[0])}-${exprText(o.range[1])}`;
  if (o.map) return `${exprText(o.map.key)} map ${o.map.data}`;
  return JSON.stringify(o);
}
function ifnameQuoted(left: unknown, right: unknown): string {
  const l = left as { meta?: { key: string } } | null;
  if (l?.meta && (l.meta.key === 'iifname' || l.meta.key === 'oifname') && typeof right === 'string') return JSON.stringify(right);
  if (Array.isArray(right)) return right.map((x) => exprText(x)).join(',');
  return exprText(right);
}

/** One statement as nft prints it. */
export function statementText(s: unknown): string {
  const o = s as Record<string, any>;
  if (o.match) {
    const op = o.match.op === '==' || o.match.op === 'in' ? '' : `${o.match.op} `;
    return `${exprText(o.match.left)} ${op}${ifnameQuoted(o.match.left, o.match.right)}`;
  }
  if ('counter' in o) return `counter packets ${o.counter.packets} bytes ${o.counter.bytes}`;
  if ('masquerade' in o) return o.masquerade?.flags ? `masquerade ${o.masquerade.flags.join(',')}` : 'masquerade';
  if ('redirect' in o) return o.redirect?.port ? `redirect to :${o.redirect.port}` : 'redirect';
  for (const k of ['dnat', 'snat']) {
    if (o[k]) {
      const n = o[k];
      if (n.addr?.map) return `${k} ${n.family} to ${exprText(n.addr.map.key)} map ${n.addr.map.data}`;
      const to = `${n.addr ?? ''}${n.port !== undefined ? `:${n.port}` : ''}`;
      return `${k} to ${to}${n.flags ? ' ' + n.flags.join(',') : ''}`;
    }
  }
  if (o.vmap) return `${exprText(o.vmap.key)} vmap ${o.vmap.data}`;
  if (o.jump) return `jump ${o.jump.target}`;
  if (o.goto) return `goto ${o.goto.target}`;
  for (const v of ['accept', 'drop', 'return', 'continue', 'queue']) if (v in o) return v;
  if (o.raw) return `# ${o.raw}`;
  return JSON.stringify(o);
}

const FIB_RESULT_NAMES = Object.keys(FIB_RESULTS);
void FIB_RESULT_NAMES;

function elemText(e: unknown): string {
  if (Array.isArray(e)) return `${elemText(e[0])} : ${e[1] && typeof e[1] === 'object' && !('concat' in e[1]) ? statementText(e[1]) : elemText(e[1])}`;
  return exprText(e);
}

/** The ruleset as `nft list ruleset` prints it (with `# handle N` like `nft -a`). */
export function rulesetText(r: NftRuleset): string[] {
  const lines: string[] = [];
  const j = rulesetJson(r);
  for (const t of j.filter((o) => o.table).map((o) => o.table as Record<string, any>)) {
    lines.push(`table ${t.family} ${t.name} { # handle ${t.handle}`);
    if (t.comment !== undefined) lines.push(`\tcomment ${JSON.stringify(t.comment)}`);
    if (t.flags !== undefined) lines.push(`\tflags ${[t.flags].flat().join(',')}`);
    for (const o of j) {
      const s = (o.set ?? o.map) as Record<string, any> | undefined;
      if (!s || s.family !== t.family || s.table !== t.name) continue;
      lines.push(`\t${o.map ? 'map' : 'set'} ${s.name} { # handle ${s.handle}`);
      const ty = [s.type].flat().join(' . ');
      lines.push(`\t\ttype ${ty}${s.map ? ` : ${[s.map].flat().join(' . ')}` : ''}`);
      if (s.flags) lines.push(`\t\tflags ${s.flags.join(',')}`);
      if (s.timeout !== undefined) lines.push(`\t\ttimeout ${s.timeout}s`);
      if (s.comment !== undefined) lines.push(`\t\tcomment ${JSON.stringify(s.comment)}`);
      if (s.elem?.length) lines.push(`\t\telements = { ${s.elem.map(elemText).join(', ')} }`);
      lines.push('\t}');
    }
    for (const o of j) {
      const c = o.chain as Record<string, any> | undefined;
      if (!c || c.family !== t.family || c.table !== t.name) continue;
      lines.push(`\tchain ${c.name} { # handle ${c.handle}`);
      if (c.comment !== undefined) lines.push(`\t\tcomment ${JSON.stringify(c.comment)}`);
      if (c.hook) lines.push(`\t\ttype ${c.type} hook ${c.hook}${c.dev ? ` device ${JSON.stringify(c.dev)}` : ''} priority ${c.prio}; policy ${c.policy};`);
      for (const ro of j) {
        const rule = ro.rule as Record<string, any> | undefined;
        if (!rule || rule.family !== t.family || rule.table !== t.name || rule.chain !== c.name) continue;
        const text = (rule.expr as unknown[]).map(statementText).join(' ');
        lines.push(`\t\t${text}${rule.comment !== undefined ? ` comment ${JSON.stringify(rule.comment)}` : ''} # handle ${rule.handle}`);
      }
      lines.push('\t}');
    }
    lines.push('}');
  }
  return lines;
}
