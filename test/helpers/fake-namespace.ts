/**
 * A Namespace stand-in for unprivileged unit tests: its connection records every request
 * and command (type, flags, body bytes) instead of sending it, answers requests with no messages and
 * dumps with `dumpReplies`. Link names cannot be resolved (use indexes), so a test also
 * proves that nothing was looked up.
 */
import { Namespace } from '../../src/index.js';
import type { BodyWriter, RequestInfo } from '../../src/netlink/connection.js';
import type { NlMessage } from '../../src/netlink/message.js';
import { NlWriter } from '../../src/netlink/writer.js';

/** One recorded request. */
export interface Recorded {
  kind: 'request' | 'dump';
  type: number;
  flags: number;
  /** the body (family header + attributes), without the netlink header. */
  body: Buffer;
  info: RequestInfo;
}

export interface FakeNamespace extends Namespace {
  sent: Recorded[];
  dumpReplies: NlMessage[];
}

function record(sent: Recorded[], kind: Recorded['kind'], type: number, flags: number, body: BodyWriter | null, info: RequestInfo): void {
  const w = new NlWriter(256);
  body?.(w);
  sent.push({ kind, type, flags, body: w.toBuffer(), info });
}

/** A fake namespace called `fake`. */
export function fakeNamespace(): FakeNamespace {
  const sent: Recorded[] = [];
  const ns = Object.create(Namespace.prototype) as FakeNamespace;
  const conn = {
    request: async (type: number, flags: number, body: BodyWriter | null, info: RequestInfo) => {
      record(sent, 'request', type, flags, body, info);
      return [];
    },
    // a command (a change that answers nothing) is recorded like a request
    command: async (type: number, flags: number, body: BodyWriter | null, info: RequestInfo) => {
      record(sent, 'request', type, flags, body, info);
    },
    commandMany: async (type: number, flags: number, count: number, write: (i: number, w: NlWriter) => void, info: (i: number) => RequestInfo) => {
      for (let i = 0; i < count; i++) record(sent, 'request', type, flags, (w) => write(i, w), info(i));
      return [];
    },
    dumpAll: async (type: number, flags: number, body: BodyWriter | null, info: RequestInfo) => {
      record(sent, 'dump', type, flags, body, info);
      return ns.dumpReplies;
    },
    dumpMap: async <T>(type: number, flags: number, body: BodyWriter | null, info: RequestInfo, map: (m: NlMessage) => T) => {
      record(sent, 'dump', type, flags, body, info);
      return (ns.dumpReplies as NlMessage[]).map(map);
    },
  };
  Object.defineProperties(ns, {
    sent: { value: sent },
    dumpReplies: { value: [], writable: true },
    label: { value: 'fake' },
    name: { value: 'fake' },
    fd: { get: () => { throw new Error('fake namespace: no fd (a syscall was attempted)'); } },
    equals: { value: (o: unknown) => o === ns },
    connection: { value: async () => conn },
    link: { value: async (ref: unknown) => { throw new Error(`fake namespace: link ${String(ref)} looked up`); } },
  });
  return ns;
}

/** Wraps body bytes as an NlMessage (for fromMessage). */
export function asMessage(type: number, body: Buffer): NlMessage {
  return { type, flags: 0, seq: 0, pid: 0, buf: body, start: 0, end: body.length };
}
