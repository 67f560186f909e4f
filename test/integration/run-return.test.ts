/**
 * The main thread must always come back to its namespace: after thousands of run() calls,
 * some throwing, some nested, some inside other namespaces' callbacks, and after a failed setns.
 */
import { openSync, closeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { native } from '../../src/binding/native.js';
import { Namespace, SystemError, Link } from '../../src/index.js';
import { NetlinkConnection } from '../../src/netlink/index.js';
import { currentNetns, fdCount, rootSkip, tempNamespace, useTempNamespaces } from '../helpers/env.js';

describe.skipIf(!!rootSkip)('run() always returns the main thread', () => {
  useTempNamespaces();

  it('10,000 run() calls — throwing, nested, interleaved — end in the original namespace', async () => {
    const a = await tempNamespace('ra');
    const b = await tempNamespace('rb');
    const home = currentNetns();
    const fds = fdCount();
    const inA = `net:[${a.identity.ino}]`;
    const inB = `net:[${b.identity.ino}]`;
    let thrown = 0;
    for (let i = 0; i < 10_000; i++) {
      try {
        switch (i % 4) {
          case 0:
            expect(a.run(() => currentNetns())).toBe(inA);
            break;
          case 1:
            a.run(() => {
              throw new Error(`t${i}`);
            });
            break;
          case 2:
            a.run(() =>
              b.run(() => {
                if (currentNetns() !== inB) throw new Error('not in b');
                if (i % 8 === 2) throw new Error('nested throw');
              }),
            );
            break;
          default:
            b.run(() => {
              try {
                a.run(() => {
                  throw new Error('inner');
                });
              } catch {
                if (currentNetns() !== inB) throw new Error('inner throw did not return to b');
              }
            });
        }
      } catch (e) {
        if ((e as Error).message === 'not in b' || (e as Error).message.includes('did not return')) throw e;
        thrown++;
      }
      if (currentNetns() !== home) throw new Error(`left in ${currentNetns()} after call ${i}`);
    }
    expect(thrown).toBe(2500 + 1250);
    expect(currentNetns()).toBe(home);
    expect(fdCount()).toBe(fds);
  });

  it('run() inside another namespace\'s event callbacks (notifications, dump iteration): always back home', async () => {
    const a = await tempNamespace('re');
    const b = await tempNamespace('rf');
    const home = currentNetns();
    const inA = `net:[${a.identity.ino}]`;
    const fds = fdCount();
    const events = await NetlinkConnection.open({ nsFd: b.fd, groups: [1 /* RTNLGRP_LINK */] });
    let calls = 0;
    let thrown = 0;
    const wrong: string[] = [];
    events.onNotification = () => {
      // called by the addon's socket callback on the main thread: enter a, sometimes throw
      if (currentNetns() !== home) wrong.push(`callback entered in ${currentNetns()}`);
      try {
        a.run(() => {
          if (currentNetns() !== inA) wrong.push('run() not in a');
          if (++calls % 3 === 0) throw new Error('thrown inside run inside a notification');
        });
      } catch {
        thrown++;
      }
      if (currentNetns() !== home) wrong.push(`left in ${currentNetns()} after call ${calls}`);
    };
    events.ref();
    try {
      const lo = await Link.get(b, 'lo');
      for (let i = 0; i < 300; i++) await lo.set({ up: i % 2 === 0 });
      // and inside a dump's iteration (the loop body runs between socket callbacks)
      for await (const _ of (await b.connection()).dump(18 /* RTM_GETLINK */, 0, (w) => w.u8(0).u8(0).u16(0).s32(0).u32(0).u32(0), { operation: 'dump links' })) {
        a.run(() => {
          if (currentNetns() !== inA) wrong.push('run() in a dump loop not in a');
        });
      }
      const deadline = Date.now() + 5000;
      while (calls < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    } finally {
      events.close();
    }
    expect(wrong).toEqual([]);
    expect(calls).toBeGreaterThanOrEqual(300);
    expect(thrown).toBe(Math.floor(calls / 3));
    expect(currentNetns()).toBe(home);
    expect(fdCount()).toBe(fds + 1); // b's own connection, opened by this test (the event socket is closed)
  });

  it('a failed setns (not a network namespace fd) leaves the thread where it was', () => {
    const home = currentNetns();
    const uts = openSync('/proc/self/ns/uts', 'r');
    try {
      let called = false;
      expect(() =>
        native.runIn(uts, () => {
          called = true;
        }),
      ).toThrow(/EINVAL/);
      expect(called).toBe(false);
    } finally {
      closeSync(uts);
    }
    expect(currentNetns()).toBe(home);
  });

  it('run() on a closed namespace fails clearly (EBADF) without moving', async () => {
    const ns = await tempNamespace('rc');
    const h = await Namespace.open(ns.name!);
    await h.close();
    expect(() => h.run(() => 1)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    expect(currentNetns()).toBe(`net:[${Namespace.host().identity.ino}]`);
  });

  it('a namespace deleted while open stays usable through its fd until closed', async () => {
    const ns = await tempNamespace('rd');
    const h = await Namespace.open(ns.name!);
    await Namespace.remove(ns.name!);
    expect(h.run(() => currentNetns())).toBe(`net:[${h.identity.ino}]`);
    expect((await Link.list(h)).map((l) => l.name)).toEqual(['lo']);
    await h.close();
    const err = await Namespace.open(ns.name!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SystemError);
  });
});
