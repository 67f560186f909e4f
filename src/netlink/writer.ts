/**
 * NlWriter: builds netlink messages and attributes (TLVs) into one growable buffer,
 * little-endian host order, every message and attribute padded to 4 bytes.
 * Several messages can be written back to back: that is one datagram, one sendmsg.
 * @internal
 * @module
 */
import { NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_HDRLEN, NLMSG_HDRLEN } from './constants.js';

/** Rounds up to the netlink alignment (4). */
export const align4 = (n: number): number => (n + 3) & ~3;

/**
 * Builds netlink messages and attributes (TLVs) into one growable buffer, little-endian
 * host order, every message and attribute padded to 4 bytes. A request's body writer
 * ({@link BodyWriter}) receives one positioned after the message header.
 */
export class NlWriter {
  /** the bytes written so far are buf[0, offset). */
  buf: Buffer;
  /** the number of bytes written (the next write goes there). */
  offset = 0;

  /** A writer with room for `initialSize` bytes (it grows as needed). */
  constructor(initialSize = 4096) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Makes room for n more bytes. */
  ensure(n: number): void {
    const need = this.offset + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  /** Zero-pads to a multiple of 4. */
  pad(): void {
    const end = align4(this.offset);
    if (end > this.offset) {
      this.ensure(end - this.offset);
      while (this.offset < end) this.buf[this.offset++] = 0; // at most 3 bytes: no fill() call
    }
  }

  /** Writes an unsigned 8-bit value. */
  u8(v: number): this {
    this.ensure(1);
    this.buf.writeUInt8(v & 0xff, this.offset);
    this.offset += 1;
    return this;
  }
  /** Writes an unsigned 16-bit value (host order). */
  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16LE(v & 0xffff, this.offset);
    this.offset += 2;
    return this;
  }
  /** Writes an unsigned 32-bit value (host order). */
  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.offset);
    this.offset += 4;
    return this;
  }
  /** Writes a signed 32-bit value (host order). */
  s32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32LE(v | 0, this.offset);
    this.offset += 4;
    return this;
  }
  /** Writes an unsigned 64-bit value (host order); numbers and bigints above 2^64 - 1 saturate. */
  u64(v: number | bigint): this {
    this.ensure(8);
    this.buf.writeBigUInt64LE(toU64(v), this.offset);
    this.offset += 8;
    return this;
  }
  /** Writes an unsigned 16-bit value in network byte order (ports). */
  be16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.offset);
    this.offset += 2;
    return this;
  }
  /** Writes an unsigned 32-bit value in network byte order. */
  be32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.offset);
    this.offset += 4;
    return this;
  }
  /** Writes bytes as they are (no padding). */
  bytes(b: Uint8Array): this {
    const n = b.length;
    this.ensure(n);
    if (n <= 16) {
      // addresses: a loop beats set()'s native call
      const buf = this.buf;
      for (let i = 0; i < n; i++) buf[this.offset + i] = b[i]!;
    } else this.buf.set(b, this.offset);
    this.offset += n;
    return this;
  }
  /** Copies src[start, end) (e.g. a message body encoded earlier) without making a view of it. */
  bytesFrom(src: Uint8Array, start: number, end: number): this {
    const n = end - start;
    this.ensure(n);
    const buf = this.buf;
    const at = this.offset;
    for (let i = 0; i < n; i++) buf[at + i] = src[start + i]!;
    this.offset += n;
    return this;
  }
  /** Writes n zero bytes. */
  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.offset, this.offset + n);
    this.offset += n;
    return this;
  }

  // ---- messages -------------------------------------------------------------------

  /** Starts a message (nlmsghdr with length filled by endMessage); returns its start. */
  beginMessage(type: number, flags: number, seq: number, pid = 0): number {
    this.pad();
    const start = this.offset;
    this.ensure(NLMSG_HDRLEN);
    this.buf.writeUInt32LE(0, start);
    this.buf.writeUInt16LE(type, start + 4);
    this.buf.writeUInt16LE(flags, start + 6);
    this.buf.writeUInt32LE(seq >>> 0, start + 8);
    this.buf.writeUInt32LE(pid >>> 0, start + 12);
    this.offset += NLMSG_HDRLEN;
    return start;
  }

  /** Ends the message begun at start: writes nlmsg_len and pads. */
  endMessage(start: number): void {
    this.buf.writeUInt32LE(this.offset - start, start);
    this.pad();
  }

  // ---- attributes -----------------------------------------------------------------

  /** Writes an attribute header for a payload of len bytes; returns its start. */
  private attrHeader(type: number, len: number): void {
    this.pad();
    this.ensure(NLA_HDRLEN + len);
    this.buf.writeUInt16LE(NLA_HDRLEN + len, this.offset);
    this.buf.writeUInt16LE(type, this.offset + 2);
    this.offset += NLA_HDRLEN;
  }

  /** An attribute with `payload` as its bytes. */
  attr(type: number, payload: Uint8Array): this {
    this.attrHeader(type, payload.length);
    this.bytes(payload);
    this.pad();
    return this;
  }
  /** A flag attribute (no payload: present means true). */
  attrFlag(type: number): this {
    this.attrHeader(type, 0);
    return this;
  }
  /** An attribute holding an unsigned 8-bit value. */
  attrU8(type: number, v: number): this {
    this.attrHeader(type, 1);
    this.u8(v).pad();
    return this;
  }
  /** An attribute holding an unsigned 16-bit value. */
  attrU16(type: number, v: number): this {
    this.attrHeader(type, 2);
    this.u16(v).pad();
    return this;
  }
  /** An attribute holding an unsigned 32-bit value. */
  attrU32(type: number, v: number): this {
    this.attrHeader(type, 4);
    return this.u32(v);
  }
  /** An attribute holding a signed 32-bit value. */
  attrS32(type: number, v: number): this {
    this.attrHeader(type, 4);
    return this.s32(v);
  }
  /** An attribute holding an unsigned 64-bit value. */
  attrU64(type: number, v: number | bigint): this {
    this.attrHeader(type, 8);
    return this.u64(v);
  }
  /** An attribute holding a 16-bit value in network byte order (NLA_F_NET_BYTEORDER set). */
  attrBe16(type: number, v: number): this {
    this.attrHeader(type | NLA_F_NET_BYTEORDER, 2);
    this.be16(v).pad();
    return this;
  }
  /** An attribute holding a 32-bit value in network byte order (NLA_F_NET_BYTEORDER set). */
  attrBe32(type: number, v: number): this {
    this.attrHeader(type | NLA_F_NET_BYTEORDER, 4);
    return this.be32(v);
  }
  /** A NUL-terminated string attribute. */
  attrString(type: number, s: string): this {
    const len = Buffer.byteLength(s);
    this.attrHeader(type, len + 1);
    this.ensure(len + 1);
    this.buf.write(s, this.offset, len, 'utf8');
    this.buf[this.offset + len] = 0;
    this.offset += len + 1;
    this.pad();
    return this;
  }

  /** Starts a nested attribute (NLA_F_NESTED only if asked, as iproute2); returns its start for endNested. */
  beginNested(type: number, nestedFlag = false): number {
    this.pad();
    const start = this.offset;
    this.ensure(NLA_HDRLEN);
    this.buf.writeUInt16LE(0, start);
    this.buf.writeUInt16LE(nestedFlag ? type | NLA_F_NESTED : type, start + 2);
    this.offset += NLA_HDRLEN;
    return start;
  }
  /** Ends the nested attribute begun at `start` ({@link NlWriter.beginNested}): writes its length. */
  endNested(start: number): void {
    this.pad();
    const len = this.offset - start;
    if (len > 0xffff) throw new RangeError(`nested attribute too large (${len} bytes)`);
    this.buf.writeUInt16LE(len, start);
  }

  /** A copy of the bytes written so far. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.offset));
  }

  /** Hands over the bytes written so far and starts a new empty buffer. */
  take(nextSize = 4096): Buffer {
    const out = this.buf.subarray(0, this.offset);
    this.buf = Buffer.allocUnsafe(Math.max(nextSize, 256));
    this.offset = 0;
    return out;
  }
}

/**
 * The message bodies of a bulk call (NetlinkConnection.commandMany), encoded up front into
 * one buffer — so that every item is checked and encoded before anything is sent — in any
 * order, and copied into the batch by index.
 * @internal
 */
export class EncodedBodies {
  private readonly w: NlWriter;
  private readonly starts: Uint32Array;
  private readonly ends: Uint32Array;

  constructor(count: number, bytesEach: number) {
    this.w = new NlWriter(count * bytesEach + 64);
    this.starts = new Uint32Array(count);
    this.ends = new Uint32Array(count);
  }

  /** Encodes body `i`. */
  set(i: number, encode: (w: NlWriter) => void): void {
    this.starts[i] = this.w.offset;
    encode(this.w);
    this.ends[i] = this.w.offset;
  }

  /** Copies body `i` into `w` (commandMany's body writer). */
  write(i: number, w: NlWriter): void {
    w.bytesFrom(this.w.buf, this.starts[i]!, this.ends[i]!);
  }
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * A u64 from a number or bigint. Decoded u64 values are numbers, so a counter near 2^64
 * reads back as 2^64 (the nearest double): written again it is clamped to 2^64 - 1 instead
 * of throwing a RangeError.
 * @internal
 */
export function toU64(v: number | bigint): bigint {
  const b = BigInt(v);
  return b > U64_MAX ? U64_MAX : b;
}
