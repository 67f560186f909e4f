import { describe, expect, it } from 'vitest';
import { AbortError, Address, Namespace, NetnsKitError, TimeoutError, ValidationError, VethPair, waitFor, Link, waitForNamespace } from '../../src/index.js';
import { fdCount, rootSkip, tempNamespace, uniqueName, useTempNamespaces } from '../helpers/env.js';
import { testVeth } from '../helpers/links.js';

/** Timers and handles alive now, by type (to check a wait leaves none behind). */
function activeResources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

/** No kind of resource is more numerous than before (others' timers may have ended meanwhile). */
function expectNoMoreResources(before: Record<string, number>): void {
  for (const [kind, n] of Object.entries(activeResources())) expect(n, kind).toBeLessThanOrEqual(before[kind] ?? 0);
}

describe.skipIf(!!rootSkip)('waitFor', () => {
  useTempNamespaces();

  it('link.waitFor resolves when a veth comes up (current state checked first, then changes)', async () => {
    const ns = await tempNamespace('up');
    const { local: ua, peer: ub } = await VethPair.create(ns, { name: 'ua', peer: { name: 'ub' } });
    expect(ua.operstate).toBe('down');
    const waiting = waitFor(ua, (l) => l.operstate === 'up', { timeoutMs: 10_000 });
    await ua.up(); // no carrier yet: lowerlayerdown
    await ub.up();
    const up = await waiting;
    expect(up.operstate).toBe('up');
    expect(up.index).toBe(ua.index);
    expect(up.isUp && up.hasCarrier).toBe(true);
    // already true: resolves from the current state, no change needed
    expect((await waitFor(up, (l) => l.isUp, { timeoutMs: 10_000 })).name).toBe('ua');
  });

  it('ns.waitFor resolves when a matching link appears', async () => {
    const ns = await tempNamespace('ap');
    const waiting = waitFor(ns, 'link', (l) => l.name === 'late0', { timeoutMs: 10_000 });
    await VethPair.create(ns, { name: 'late0', peer: { name: 'late1' } });
    const l = await waiting;
    expect(l.kind).toBe('veth');
    expect(l.namespace).toBe(ns);
  });

  it('address.waitFor: IPv6 duplicate address detection completes (tentative → not tentative)', async () => {
    const a = await tempNamespace('da');
    const b = await tempNamespace('db');
    const [va] = await testVeth(a, 'va', b, 'vb');
    await Address.add(va, 'fd00:da::1/64');
    const addr = (await Address.list(a, { link: va, family: 6 })).find((x) => x.address === 'fd00:da::1')!;
    expect(addr.tentative).toBe(true); // DAD runs for about a second on a link with carrier
    const done = await waitFor(addr, (x) => !x.tentative, { timeoutMs: 30_000 });
    expect(done.tentative).toBe(false);
    expect(done.dadFailed).toBe(false);
    expect(done.cidr).toBe('fd00:da::1/64');
  });

  it('ns.waitFor("address"): DAD finding a duplicate (the peer owns the address) is seen as dadfailed', async () => {
    const a = await tempNamespace('dd');
    const b = await tempNamespace('de');
    const [va, vb] = await testVeth(a, 'va', b, 'vb');
    await Address.add(vb, 'fd00:dd::1/64');
    await waitFor(b, 'address', (x) => x.address === 'fd00:dd::1' && !x.tentative, { timeoutMs: 30_000 });
    await Address.add(va, 'fd00:dd::1/64');
    const failed = await waitFor(a, 'address', (x) => x.address === 'fd00:dd::1' && x.dadFailed, { timeoutMs: 30_000 });
    expect(failed.flagNames).toContain('dadfailed');
    // removing the address ends a wait on it
    const waiting = waitFor(failed, (x) => !x.dadFailed, { timeoutMs: 30_000 });
    let removed: Promise<void> | undefined;
    setTimeout(() => (removed = Address.remove(va, 'fd00:dd::1/64')), 20);
    const err = (await waiting.catch((e: unknown) => e)) as NetnsKitError;
    await removed;
    expect(err.code).toBe('EADDRNOTAVAIL');
    expect(err.message).toContain('address fd00:dd::1/64 on link');
  });

  it('times out with a TimeoutError naming the link, the predicate and the last state; nothing left behind', async () => {
    const ns = await tempNamespace('to');
    const lo = await Link.get(ns, 'lo');
    await ns.connection();
    const fds = fdCount();
    const res = activeResources();
    const err = await waitFor(lo, (l) => l.mtu === 1234, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    const e = err as TimeoutError;
    expect(e.code).toBe('ETIMEDOUT');
    expect(e.message).toContain('timed out after 50 ms waiting for link lo (#1)');
    expect(e.message).toContain('l.mtu === 1234');
    expect(e.message).toMatch(/last seen: \{.*"name":"lo"/);
    expect(fdCount()).toBe(fds);
    expectNoMoreResources(res);

    const e2 = (await waitFor(ns, 'link', () => false, { timeoutMs: 10, description: 'a link called nothing' }).catch((x: unknown) => x)) as Error;
    expect(e2).toBeInstanceOf(TimeoutError);
    expect(e2.message).toBe(`timed out after 10 ms waiting for a link in ${ns.name} to satisfy a link called nothing`);
  });

  it('honours AbortSignal: abort while waiting, and an already-aborted signal; nothing left behind', async () => {
    const ns = await tempNamespace('ab');
    const lo = await Link.get(ns, 'lo');
    await ns.connection();
    const fds = fdCount();
    const res = activeResources();
    const ac = new AbortController();
    const waiting = waitFor(lo, (l) => l.mtu === 1, { signal: ac.signal, timeoutMs: 60_000 });
    setTimeout(() => ac.abort(new Error('user gave up')), 20);
    const err = (await waiting.catch((e: unknown) => e)) as AbortError;
    expect(err).toBeInstanceOf(AbortError);
    expect(err.name).toBe('AbortError');
    expect(err.code).toBe('ABORT_ERR');
    expect(err.message).toContain('aborted waiting for link lo (#1)');
    expect((err.cause as Error).message).toBe('user gave up');
    expect(fdCount()).toBe(fds);
    expectNoMoreResources(res);

    const pre = (await waitFor(ns, 'link', () => true, { signal: AbortSignal.abort() }).catch((e: unknown) => e)) as AbortError;
    expect(pre.code).toBe('ABORT_ERR');
    expect(fdCount()).toBe(fds);
  });

  it('rejects with ENODEV when the link is removed while waiting, or does not exist', async () => {
    const ns = await tempNamespace('gn');
    const { local: ga } = await VethPair.create(ns, { name: 'ga', peer: { name: 'gb' } });
    let checked!: () => void;
    const firstCheck = new Promise<void>((resolve) => (checked = resolve));
    const waiting = waitFor(ga, (l) => {
      checked(); // the current state was read: the wait is subscribed
      return l.mtu === 9000;
    }, { timeoutMs: 10_000 }).catch((e: unknown) => e);
    await firstCheck;
    await ga.delete();
    const err = (await waiting) as NetnsKitError;
    expect(err.code).toBe('ENODEV');
    expect(err.message).toMatch(/^link ga \(#\d+\) in .* was removed while waiting for it to satisfy/);
    const again = (await waitFor(ga, () => true, { timeoutMs: 10_000 }).catch((e: unknown) => e)) as NetnsKitError;
    expect(again.code).toBe('ENODEV');
    expect(again.message).toContain('does not exist');
  });

  it('a predicate that throws rejects with its error; closing the namespace stops the wait', async () => {
    const ns = await tempNamespace('th');
    const lo = await Link.get(ns, 'lo');
    await expect(waitFor(lo, () => {
      throw new RangeError('bad predicate');
    })).rejects.toThrow('bad predicate');
    const waiting = waitFor(lo, (l) => l.mtu === 1);
    await new Promise((r) => setTimeout(r, 20));
    await ns.close();
    const err = (await waiting.catch((e: unknown) => e)) as NetnsKitError;
    expect(err.code).toBe('ECANCELED');
  });

  it('refuses bad options before doing anything', async () => {
    const ns = await tempNamespace('bo');
    const lo = await Link.get(ns, 'lo');
    await expect(waitFor(lo, () => true, { timeoutMs: -1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(waitFor(lo, () => true, { timeoutMs: Number.NaN })).rejects.toThrow(/timeoutMs/);
    await expect(waitFor(lo, () => true, { signal: {} as AbortSignal })).rejects.toThrow(/signal/);
    await expect(waitFor(lo, () => true, { timeout: 5 } as never)).rejects.toThrow(/unknown option/);
    await expect(waitFor(ns, 'links' as never, () => true)).rejects.toThrow(/unknown kind/);
    await expect(waitFor(lo, 'up' as never)).rejects.toThrow(/predicate/);
  });

  it('Namespace.waitFor opens a named namespace once it appears (and at once if it exists)', async () => {
    const name = uniqueName('wf');
    const waiting = waitForNamespace(name, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 20));
    const made = await Namespace.create(name);
    try {
      const got = await waiting;
      expect(got.equals(made)).toBe(true);
      await got.close();
      const now = await waitForNamespace(name, { timeoutMs: 10_000 });
      expect(now.equals(made)).toBe(true);
      await now.close();
    } finally {
      await made.delete();
    }
    const err = (await waitForNamespace(uniqueName('never'), { timeoutMs: 20 }).catch((e: unknown) => e)) as TimeoutError;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toMatch(/waiting for namespace ".*never.*" to appear in \/run\/netns/);
  });
});
