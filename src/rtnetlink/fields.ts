/**
 * Reusable custom attribute encodings of rtnetlink families: network-order integers written
 * the way iproute2 writes them (no NLA_F_NET_BYTEORDER flag), arrays of integers, fixed C
 * structs carried in one attribute, and counters structs that grow over kernel versions.
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { toU64 } from '../netlink/writer.js';
import type { CustomField } from '../netlink/attributes.js';

/** A big-endian u16 attribute without NLA_F_NET_BYTEORDER (IFLA_VXLAN_PORT, NDA_PORT, IFLA_BR_VLAN_PROTOCOL). */
export function be16Field<N extends string>(name: N): CustomField<number> & { name: N } {
  return {
    name,
    type: 'custom',
    decode(data) {
      if (data.length < 2) throw new ParseError(`${name} has ${data.length} bytes, needs 2`, 0);
      return data.readUInt16BE(0);
    },
    encode(w, type, v) {
      const b = Buffer.alloc(2);
      b.writeUInt16BE(v & 0xffff, 0);
      w.attr(type, b);
    },
  };
}

/** A big-endian u32 attribute without NLA_F_NET_BYTEORDER (IFLA_VXLAN_LABEL). */
export function be32Field<N extends string>(name: N): CustomField<number> & { name: N } {
  return {
    name,
    type: 'custom',
    decode(data) {
      if (data.length < 4) throw new ParseError(`${name} has ${data.length} bytes, needs 4`, 0);
      return data.readUInt32BE(0);
    },
    encode(w, type, v) {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(v >>> 0, 0);
      w.attr(type, b);
    },
  };
}

/** An attribute holding a packed array of u32 (or s32) values (IFLA_INET_CONF, IFLA_INET6_CONF). */
export function u32ArrayField<N extends string>(name: N, signed = false): CustomField<number[]> & { name: N } {
  return {
    name,
    type: 'custom',
    decode(data) {
      const out = new Array<number>(data.length >> 2);
      for (let i = 0; i < out.length; i++) out[i] = signed ? data.readInt32LE(i * 4) : data.readUInt32LE(i * 4);
      return out;
    },
    encode(w, type, v) {
      const b = Buffer.alloc(v.length * 4);
      v.forEach((x, i) => (signed ? b.writeInt32LE(x | 0, i * 4) : b.writeUInt32LE(x >>> 0, i * 4)));
      w.attr(type, b);
    },
  };
}

/** An attribute holding a packed array of u64 values (IFLA_INET6_STATS). Values above 2^53 lose precision. */
export function u64ArrayField<N extends string>(name: N): CustomField<number[]> & { name: N } {
  return {
    name,
    type: 'custom',
    decode(data) {
      const out = new Array<number>(data.length >> 3);
      for (let i = 0; i < out.length; i++) out[i] = data.readUInt32LE(i * 8) + data.readUInt32LE(i * 8 + 4) * 4294967296;
      return out;
    },
    encode(w, type, v) {
      const b = Buffer.alloc(v.length * 8);
      v.forEach((x, i) => b.writeBigUInt64LE(toU64(x), i * 8));
      w.attr(type, b);
    },
  };
}

/**
 * A struct of consecutive counters of one width whose length grew over kernel versions
 * (rtnl_link_stats64 gained rx_nohandler, then rx_otherhost_dropped): decodes the counters
 * present, leaves the rest undefined; encodes up to the last counter present (missing ones before it as 0).
 */
export function countersField<V extends { [K in keyof V]?: number }>(name: string, names: readonly (keyof V & string)[], width: 4 | 8): CustomField<V> {
  type K = keyof V & string;
  const template = Object.fromEntries(names.map((k) => [k, 0])) as Record<K, number>;
  return {
    name,
    type: 'custom',
    decode(data) {
      // Copying a template with every key keeps one object shape (adding 25 keys one by one
      // to {} was the most expensive part of decoding a link dump).
      const out = { ...template } as Record<K, number | undefined>;
      const n = Math.min(names.length, Math.floor(data.length / width));
      for (let i = 0; i < n; i++) {
        const o = i * width;
        out[names[i]!] = width === 4 ? data.readUInt32LE(o) : data.readUInt32LE(o) + data.readUInt32LE(o + 4) * 4294967296;
      }
      for (let i = n; i < names.length; i++) delete out[names[i]!]; // an older kernel's shorter struct
      return out as V;
    },
    encode(w, type, v) {
      // up to the last counter present: a shorter (older) struct stays as short as it was
      let count = names.length;
      while (count > 0 && v[names[count - 1]!] === undefined) count--;
      const b = Buffer.alloc(count * width);
      names.slice(0, count).forEach((n, i) => {
        const x = v[n] ?? 0;
        if (width === 4) b.writeUInt32LE(x >>> 0, i * width);
        else b.writeBigUInt64LE(toU64(x), i * width);
      });
      w.attr(type, b);
    },
  };
}

/**
 * A flag the kernel accepts as NLA_FLAG (present = on) but reports as a u8 0/1
 * (IFLA_VXLAN_TTL_INHERIT): decodes both forms, encodes a zero-length flag when true.
 */
export function flagU8Field<N extends string>(name: N): CustomField<boolean> & { name: N } {
  return {
    name,
    type: 'custom',
    decode(data) {
      return data.length === 0 || data[0] !== 0;
    },
    encode(w, type, v) {
      if (v) w.attrFlag(type);
    },
  };
}
