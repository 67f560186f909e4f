/**
 * IFLA_LINKINFO (linux/if_link.h): the link's kind (IFLA_INFO_KIND) and its kind-specific data
 * (IFLA_INFO_DATA, IFLA_INFO_SLAVE_DATA), decoded and encoded with the schema each kind registers
 * in link-kind-registry.ts (kept raw for kinds without one; a Buffer is written as is).
 * @internal
 * @module
 */
import { ParseError, ValidationError } from '../errors.js';
import { type CustomField, defineAttributes, type RawAttr } from '../netlink/attributes.js';
import type { NlWriter } from '../netlink/writer.js';
import { type LinkKindData, type LinkSlaveData, linkKindSchema, linkSlaveSchema } from './link-kind-registry.js';

/** IFLA_INFO_* (inside IFLA_LINKINFO) with the kind-specific data kept raw. */
export const LinkInfo = defineAttributes('IFLA_INFO', {
  kind: { nla: 1, type: 'string' },
  data: { nla: 2, type: 'binary' },
  xstats: { nla: 3, type: 'binary' },
  slaveKind: { nla: 4, type: 'string' },
  slaveData: { nla: 5, type: 'binary' },
});

/** IFLA_LINKINFO decoded: `data` / `slaveData` are typed objects when the kind is known, else bytes. */
export interface LinkInfoAttributes {
  /** IFLA_INFO_KIND: `veth`, `bridge`, `vxlan`, … */
  kind?: string;
  /** IFLA_INFO_DATA, decoded with the kind's schema (bytes for kinds netns-kit does not know). */
  data?: LinkKindData | Buffer;
  /** IFLA_INFO_XSTATS (kind-specific statistics), raw. */
  xstats?: Buffer;
  /** IFLA_INFO_SLAVE_KIND: the master's kind when the link is enslaved (`bridge`, `bond`, `vrf`). */
  slaveKind?: string;
  /** IFLA_INFO_SLAVE_DATA (e.g. IFLA_BRPORT_* of a bridge port), decoded with the master kind's schema. */
  slaveData?: LinkSlaveData | Buffer;
  /** attributes not known to the schema. */
  unknown?: RawAttr[];
}

/**
 * Kind data a schema cannot read (a kernel that sends an attribute with another size than
 * the UAPI header this was written from) stays raw bytes instead of failing the whole link:
 * one unusual device must not break `ip link`-style listings.
 */
function decodeKindData(s: { decode(b: Buffer, start: number, end: number): object }, data: Buffer): object {
  try {
    return s.decode(data, 0, data.length);
  } catch (e) {
    if (e instanceof ParseError) return data;
    throw e;
  }
}

function decodeLinkInfo(data: Buffer): LinkInfoAttributes {
  const raw = LinkInfo.decode(data, 0, data.length);
  const out: LinkInfoAttributes = raw;
  if (raw.kind !== undefined && raw.data !== undefined) {
    const s = linkKindSchema(raw.kind);
    if (s) out.data = decodeKindData(s, raw.data) as LinkKindData | Buffer;
  }
  if (raw.slaveKind !== undefined && raw.slaveData !== undefined) {
    const s = linkSlaveSchema(raw.slaveKind);
    if (s) out.slaveData = decodeKindData(s, raw.slaveData) as LinkSlaveData | Buffer;
  }
  return out;
}

function encodeKindData(w: NlWriter, type: number, kind: string | undefined, data: object, slave: boolean): void {
  if (Buffer.isBuffer(data)) {
    w.attr(type, data);
    return;
  }
  const s = kind === undefined ? undefined : slave ? linkSlaveSchema(kind) : linkKindSchema(kind);
  if (!s) {
    throw new ValidationError(slave ? 'linkinfo.slaveKind' : 'linkinfo.kind', kind, `netns-kit has no attribute schema for this kind: pass ${slave ? 'slaveData' : 'data'} as a Buffer`);
  }
  const n = w.beginNested(type, false);
  s.encode(w, data);
  w.endNested(n);
}

/** IFLA_LINKINFO as one field: IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA through the kind's registered schema. */
export const linkInfoField: CustomField<LinkInfoAttributes> & { name: 'linkinfo' } = {
  name: 'linkinfo',
  type: 'custom',
  decode: (data) => decodeLinkInfo(data),
  encode(w, type, v) {
    const n = w.beginNested(type, false);
    if (v.kind !== undefined) w.attrString(1, v.kind);
    if (v.data !== undefined) encodeKindData(w, 2, v.kind, v.data, false);
    if (v.xstats !== undefined) w.attr(3, v.xstats);
    if (v.slaveKind !== undefined) w.attrString(4, v.slaveKind);
    if (v.slaveData !== undefined) encodeKindData(w, 5, v.slaveKind ?? v.kind, v.slaveData, true);
    for (const a of v.unknown ?? []) w.attr(a.type | a.flags, a.data);
    w.endNested(n);
  },
};
