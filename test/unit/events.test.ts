import { describe, expect, it } from 'vitest';
import { EventStream, Namespace, Netconf, NetnsKitError, ParseError, ValidationError, Watcher } from '../../src/index.js';
import { parseMessages } from '../../src/netlink/message.js';
import { NlWriter } from '../../src/netlink/writer.js';
import { RTM_NEWNETCONF } from '../../src/rtnetlink/constants.js';
import { decodeNetconfMessage, encodeNetconfMessage, NetconfMsg } from '../../src/rtnetlink/netconf.js';

/** An RTM_NEWNETCONF message as the kernel sends it for net.ipv4.conf.all (forwarding=1, rp_filter=2). */
const NETCONF_ALL = Buffer.from([
  // nlmsghdr: len 44, type 80, flags 0, seq 0, pid 0
  44, 0, 0, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  // netconfmsg: family AF_INET, 3 bytes padding
  2, 0, 0, 0,
  // NETCONFA_IFINDEX = -1 (all)
  8, 0, 1, 0, 0xff, 0xff, 0xff, 0xff,
  // NETCONFA_FORWARDING = 1
  8, 0, 2, 0, 1, 0, 0, 0,
  // NETCONFA_RP_FILTER = 2
  8, 0, 3, 0, 2, 0, 0, 0,
]);

const fakeNs = { label: 'test' } as unknown as Namespace;

describe('netconf codec', () => {
  it('decodes netconfmsg and NETCONFA_* (golden bytes)', () => {
    const [m] = parseMessages(NETCONF_ALL);
    expect(m!.type).toBe(RTM_NEWNETCONF);
    expect(decodeNetconfMessage(m!)).toEqual({ header: { family: 2 }, attrs: { ifindex: -1, forwarding: 1, rpFilter: 2 } });
    const nc = Netconf.fromMessage(fakeNs, m!);
    expect(nc.family).toBe('inet');
    expect(nc.device).toBe('all');
    expect(nc.forwarding).toBe(true);
    expect(nc.rpFilter).toBe(2);
    expect(nc.proxyNeigh).toBeUndefined();
    expect(nc.toJSON()).toMatchObject({ family: 'inet', device: 'all', forwarding: true, rpFilter: 2 });
  });

  it('encodes a dump request as the 4-byte padded header', () => {
    const w = new NlWriter(64);
    encodeNetconfMessage(w, { family: 10 });
    expect([...w.buf.subarray(0, w.offset)]).toEqual([10, 0, 0, 0]);
    expect(NetconfMsg.size).toBe(4);
  });

  it('merges a partial change onto full settings; refuses truncated attributes', () => {
    const [m] = parseMessages(NETCONF_ALL);
    const full = Netconf.fromMessage(fakeNs, m!);
    const change = Buffer.from(NETCONF_ALL.subarray(0, 36));
    change.writeUInt32LE(36, 0);
    change.writeInt32LE(0, 32); // forwarding = 0, no rp_filter
    const partial = Netconf.fromMessage(fakeNs, parseMessages(change)[0]!);
    expect(partial.rpFilter).toBeUndefined();
    const merged = Netconf.merge(full, partial);
    expect([merged.forwarding, merged.rpFilter, merged.device]).toEqual([false, 2, 'all']);
    const bad = Buffer.from(NETCONF_ALL);
    bad.writeUInt16LE(12, 36); // NETCONFA_RP_FILTER claims 12 bytes: runs past the message
    expect(() => Netconf.fromMessage(fakeNs, parseMessages(bad)[0]!)).toThrow(ParseError);
  });
});

class TestStream extends EventStream<number, { event: [number]; error: [Error]; close: [] }> {
  released = 0;
  constructor(highWater = Infinity) {
    super(new Set(['event']), highWater, 0);
  }
  push(n: number): void {
    this.enqueue(n);
    this.safeEmit('event', n);
  }
  die(e: Error): void {
    this.fail(e);
  }
  full = 0;
  drained = 0;
  protected override onFull(): void {
    this.full++;
  }
  protected override onDrained(): void {
    this.drained++;
  }
  protected override release(): void {
    this.released++;
  }
}

describe('EventStream (iterator + EventEmitter)', () => {
  it('buffers for the iterator from the start; a failure comes after the events received before it', async () => {
    const s = new TestStream();
    s.push(1);
    s.push(2);
    s.die(new NetnsKitError('boom', 'ENOBUFS', 105));
    const got: number[] = [];
    const err = await (async () => {
      try {
        for await (const n of s) got.push(n);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(got).toEqual([1, 2]);
    expect((err as NetnsKitError).code).toBe('ENOBUFS');
    expect(s.error).toBe(err);
    expect(s.released).toBe(1);
    expect(await s.next()).toEqual({ value: undefined, done: true });
  });

  it('an event listener attached before iterating means emitter-only: nothing is buffered', () => {
    const s = new TestStream();
    const seen: number[] = [];
    s.on('event', (n) => seen.push(n));
    for (let i = 0; i < 10; i++) s.push(i);
    expect(seen.length).toBe(10);
    expect((s as unknown as { bufferedCount: number }).bufferedCount).toBe(0);
    s.close();
  });

  it('reports the high-water mark once and the drain; break closes and releases once', async () => {
    const s = new TestStream(3);
    for (let i = 0; i < 5; i++) s.push(i);
    expect(s.full).toBe(1);
    const got: number[] = [];
    for await (const n of s) {
      got.push(n);
      if (n === 4) break;
    }
    expect(got).toEqual([0, 1, 2, 3, 4]);
    expect(s.drained).toBeGreaterThan(0);
    expect(s.isClosed).toBe(true);
    s.close();
    expect(s.released).toBe(1);
  });

  it('a pending next() ends when closed; a throwing listener does not break delivery', async () => {
    const s = new TestStream();
    const it = s[Symbol.asyncIterator]();
    const pending = it.next();
    s.close();
    expect(await pending).toEqual({ value: undefined, done: true });

    const t = new TestStream();
    const errors: unknown[] = [];
    const onUncaught = (e: unknown): void => {
      errors.push(e);
    };
    process.prependListener('uncaughtException', onUncaught);
    try {
      t.on('event', () => {
        throw new Error('listener bug');
      });
      const also: number[] = [];
      t.on('event', (n) => also.push(n));
      t.push(7);
      await new Promise((r) => setImmediate(r));
      expect((errors[0] as Error).message).toBe('listener bug');
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      t.close();
    }
  });
});

describe('watch options are checked before any socket is opened', () => {
  const host = Namespace.host();
  it.each([
    [['links'], undefined, /unknown kind/],
    [[], undefined, /at least one kind/],
    [['link'], { overflow: 'ignore' }, /overflow/],
    [['link'], { families: ['ipv4'] }, /families/],
    [['link'], { highWater: 0 }, /highWater/],
    [['link'], { receiveBuffer: 10 }, /receiveBuffer/],
    [['link'], { snapshot: 'yes' }, /snapshot/],
    [['link'], { buffer: 1 }, /unknown option/],
  ])('watch(%j, %j) throws a ValidationError', (kinds, opts, re) => {
    expect(() => Watcher.open(host, kinds as never, opts as never)).toThrow(ValidationError);
    expect(() => Watcher.open(host, kinds as never, opts as never)).toThrow(re);
  });
});
