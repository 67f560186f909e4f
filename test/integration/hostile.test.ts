/**
 * Messages that did not come from the kernel, and replies nobody asked for, must never be
 * delivered to a request. A root process can send to any netlink port id, so a forged
 * "success" ACK for a request we are about to make is a real threat.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NetlinkConnection } from '../../src/netlink/index.js';
import { NLM_F_ACK, NLM_F_REQUEST } from '../../src/netlink/constants.js';
import { NlWriter } from '../../src/netlink/writer.js';
import { RTM_GETLINK } from '../../src/rtnetlink/constants.js';
import { IfInfoMsg, LinkAttrs } from '../../src/rtnetlink/link.js';
import { rootSkip, skipReason } from '../helpers/env.js';

let python: string | undefined;
try {
  execFileSync('python3', ['-c', 'import socket'], { stdio: 'ignore' });
  python = 'python3';
} catch {
  skipReason('python3 is not installed: the forged-sender tests need a second process with a raw netlink socket');
}

/** Sends `data` to netlink port `portId` from a separate userspace process (not the kernel). */
function sendFromUserspace(portId: number, data: Buffer): void {
  const code = [
    'import socket, sys',
    's = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)',
    's.setsockopt(socket.SOL_SOCKET, 32, 1 << 21)  # SO_SNDBUFFORCE: room for a big datagram',
    's.bind((0, 0))',
    `s.sendto(sys.stdin.buffer.read(), (${portId}, 0))`,
  ].join('\n');
  execFileSync(python!, ['-c', code], { input: data });
}

function forgedAck(seq: number, portId: number): Buffer {
  const w = new NlWriter(64);
  const s = w.beginMessage(2 /* NLMSG_ERROR */, 0x100 /* CAPPED */, seq, portId);
  w.s32(0); // "success"
  w.u32(16).u16(RTM_GETLINK).u16(NLM_F_REQUEST | NLM_F_ACK).u32(seq).u32(portId);
  w.endMessage(s);
  return w.toBuffer();
}

describe.skipIf(!!rootSkip || !python)('hostile and stray messages', () => {
  it('drops a forged ACK from a userspace sender: the real kernel answer wins', async () => {
    const conn = await NetlinkConnection.open();
    try {
      await conn.request(RTM_GETLINK, 0, (w) => IfInfoMsg.encode(w, { index: 1 }), { operation: 'get link' }); // seq 1
      // forge "success" for seq 2 before we send it
      sendFromUserspace(conn.portId, forgedAck(2, conn.portId));
      const err = await conn
        .request(RTM_GETLINK, 0, (w) => {
          IfInfoMsg.encode(w, {});
          LinkAttrs.encode(w, { ifname: 'nosuchdev0' });
        }, { operation: 'get link', object: 'nosuchdev0' })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ENODEV' });
      expect(conn.stats.foreignDropped).toBe(1);
    } finally {
      conn.close();
    }
  });

  it('reads an oversized datagram (256 KiB) whole, drops it as foreign, and stays in sync', async () => {
    const conn = await NetlinkConnection.open();
    try {
      const big = Buffer.alloc(256 * 1024);
      big.writeUInt32LE(big.length, 0);
      big.writeUInt16LE(RTM_GETLINK, 4);
      sendFromUserspace(conn.portId, big);
      const r = await conn.request(RTM_GETLINK, 0, (w) => IfInfoMsg.encode(w, { index: 1 }), { operation: 'get link' });
      expect(LinkAttrs.decode(r[0]!.buf, r[0]!.start + IfInfoMsg.size, r[0]!.end).ifname).toBe('lo');
      expect(conn.stats.foreignDropped).toBe(1);
    } finally {
      conn.close();
    }
  });

  it('drops kernel replies with an unknown sequence number and counts them', async () => {
    const conn = await NetlinkConnection.open();
    try {
      // A request sent behind the connection's back, with a sequence number it never issued.
      const w = new NlWriter(64);
      const s = w.beginMessage(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 0x7ffffff0);
      IfInfoMsg.encode(w, { index: 1 });
      w.endMessage(s);
      (conn as unknown as { sock: { send(b: Buffer, id: number): void } }).sock.send(w.toBuffer(), 0);
      // the kernel answers seq 0x7ffffff0 (a link and an ACK); then a real request
      const r = await conn.request(RTM_GETLINK, 0, (x) => IfInfoMsg.encode(x, { index: 1 }), { operation: 'get link' });
      expect(r.length).toBe(1);
      expect(conn.stats.strayReplies).toBe(2);
    } finally {
      conn.close();
    }
  });
});
