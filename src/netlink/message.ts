/**
 * Netlink message framing: splitting a received buffer into messages, and reading the
 * kernel's acknowledgements (NLMSG_ERROR with extended ACK) and dump terminators.
 * @internal
 * @module
 */
import { ParseError } from '../errors.js';
import { forEachAttr } from './attributes.js';
import {
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLMSG_HDRLEN,
  NLMSGERR_ATTR_MISS_NEST,
  NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
} from './constants.js';
import { align4 } from './writer.js';

/** One netlink message; its payload is buf[start, end). Nothing is copied. */
export interface NlMessage {
  /** nlmsg_type: RTM_NEWLINK, NLMSG_ERROR, NLMSG_DONE, … */
  type: number;
  /** nlmsg_flags: NLM_F_MULTI, NLM_F_DUMP_INTR, NLM_F_DUMP_FILTERED, … */
  flags: number;
  /** nlmsg_seq: the sequence number of the request it answers (0 or the causing request's for notifications). */
  seq: number;
  /** nlmsg_pid: the port id it is addressed to. */
  pid: number;
  /** the datagram the message is in (shared with the other messages of the datagram). */
  buf: Buffer;
  /** offset of the payload (just after the 16-byte header). */
  start: number;
  /** end of the payload. */
  end: number;
}

/** Splits buf into messages. Throws ParseError on a length that is too small or runs past the end. */
export function parseMessages(buf: Buffer): NlMessage[] {
  const out: NlMessage[] = [];
  let off = 0;
  const end = buf.length;
  while (off + NLMSG_HDRLEN <= end) {
    const len = u32At(buf, off);
    if (len < NLMSG_HDRLEN) {
      // zero padding between datagrams is not a message
      if (len === 0 && isZero(buf, off, end)) break;
      throw new ParseError(`message length ${len} is below the 16-byte header`, off);
    }
    if (len > end - off) throw new ParseError(`message of ${len} bytes runs past the data (${end - off} left)`, off);
    out.push({
      type: buf[off + 4]! | (buf[off + 5]! << 8),
      flags: buf[off + 6]! | (buf[off + 7]! << 8),
      seq: u32At(buf, off + 8),
      pid: u32At(buf, off + 12),
      buf,
      start: off + NLMSG_HDRLEN,
      end: off + len,
    });
    off += align4(len);
  }
  return out;
}

/** A little-endian u32 read inline (no bounds-checked Buffer method: the caller checked). */
function u32At(buf: Buffer, off: number): number {
  return (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16)) + buf[off + 3]! * 16777216;
}

function isZero(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Extended ACK information attached by the kernel to an error (or a warning on success). */
export interface ExtAck {
  /** human-readable message, e.g. "Unknown device type". */
  message?: string;
  /** offset of the offending attribute inside the request message. */
  offset?: number;
  /** type of a missing attribute. */
  missingType?: number;
  /** offset of the nest in which an attribute is missing. */
  missingNest?: number;
}

/** A decoded NLMSG_ERROR (error 0 is an ACK) or NLMSG_DONE. */
export interface Ack {
  /** positive errno; 0 for success. */
  errno: number;
  /** type of the request being acknowledged (NLMSG_ERROR only). */
  requestType?: number;
  extAck: ExtAck;
}

function parseExtAck(buf: Buffer, start: number, end: number): ExtAck {
  const ext: ExtAck = {};
  if (start >= end) return ext;
  forEachAttr(buf, start, end, (type, data) => {
    switch (type) {
      case NLMSGERR_ATTR_MSG: {
        const nul = data.indexOf(0);
        ext.message = data.toString('utf8', 0, nul === -1 ? data.length : nul);
        break;
      }
      case NLMSGERR_ATTR_OFFS:
        if (data.length >= 4) ext.offset = data.readUInt32LE(0);
        break;
      case NLMSGERR_ATTR_MISS_TYPE:
        if (data.length >= 4) ext.missingType = data.readUInt32LE(0);
        break;
      case NLMSGERR_ATTR_MISS_NEST:
        if (data.length >= 4) ext.missingNest = data.readUInt32LE(0);
        break;
      default:
        break;
    }
  });
  return ext;
}

/** Reads an NLMSG_ERROR message: struct nlmsgerr, then extended-ACK TLVs if flagged. */
export function parseError(m: NlMessage): Ack {
  if (m.end - m.start < 4 + NLMSG_HDRLEN) throw new ParseError('NLMSG_ERROR shorter than struct nlmsgerr', m.start);
  const errno = -m.buf.readInt32LE(m.start) | 0;
  const requestType = m.buf.readUInt16LE(m.start + 8);
  let tlvStart = m.start + 4 + NLMSG_HDRLEN;
  if (!(m.flags & NLM_F_CAPPED)) {
    // the whole request is echoed: its length may be anything in a hostile or corrupt
    // message (plain arithmetic, not align4's 32-bit operators, so no negative offsets)
    const origLen = m.buf.readUInt32LE(m.start + 4);
    tlvStart = m.start + 4 + Math.ceil(Math.max(origLen, NLMSG_HDRLEN) / 4) * 4;
  }
  const extAck = m.flags & NLM_F_ACK_TLVS && tlvStart < m.end ? parseExtAck(m.buf, tlvStart, m.end) : {};
  return { errno, requestType, extAck };
}

/** Reads an NLMSG_DONE message: an int error (0 on success), then extended-ACK TLVs if flagged. */
export function parseDone(m: NlMessage): Ack {
  if (m.end - m.start < 4) return { errno: 0, extAck: {} };
  const errno = -m.buf.readInt32LE(m.start) | 0;
  const extAck = m.flags & NLM_F_ACK_TLVS ? parseExtAck(m.buf, m.start + 4, m.end) : {};
  return { errno, extAck };
}
