/**
 * netns-kit/testing: the traffic helpers really run inside the namespaces they are given,
 * and Sandbox removes what it made (at the end, on error, and not twice).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Address, VethPair } from '../../src/index.js';
import { RawUdpReceiver, Sandbox, sendUdp, tcpEcho, tcpEchoServer, udpEcho, udpEchoServer } from '../../src/testing/index.js';
import { fdCount, PREFIX, rootSkip, tempNamespace, useTempNamespaces } from '../helpers/env.js';

describe.skipIf(!!rootSkip)('netns-kit/testing', () => {
  useTempNamespaces();

  async function pair() {
    const a = await tempNamespace('tr');
    const b = await tempNamespace('tr');
    await VethPair.create(a, { name: 'eth0', up: true, peer: { name: 'eth0', namespace: b, up: true } });
    await Address.add(a, 'eth0', '10.9.0.1/24');
    await Address.add(b, 'eth0', '10.9.0.2/24');
    return { a, b };
  }

  it('TCP and UDP echo servers listen inside their namespace; clients send from theirs', async () => {
    const { a, b } = await pair();
    const tcp = await tcpEchoServer(b, 7100);
    const udp = await udpEchoServer(b, 7100);
    const ephemeral = await tcpEchoServer(b);
    try {
      expect(ephemeral.port).toBeGreaterThan(0);
      const t = await tcpEcho(a, '10.9.0.2', 7100, 'tcp hello');
      expect(t).toMatchObject({ protocol: 'tcp', from: a.name, to: '10.9.0.2:7100', sent: 'tcp hello', received: 'tcp hello', ok: true });
      expect(t.error).toBeUndefined();
      const u = await udpEcho(a, '10.9.0.2', 7100, 'udp hello');
      expect(u).toMatchObject({ protocol: 'udp', received: 'udp hello', ok: true });
      expect((await tcpEcho(a, '10.9.0.2', ephemeral.port, 'x')).ok).toBe(true);
      // the servers are not in the test's own namespace: nothing listens on 7100 here
      const here = await tcpEcho(b, '127.0.0.1', 7100, 'lo');
      expect(here.ok).toBe(false); // lo is down in b
      expect(here.error).toMatch(/ENETUNREACH|EHOSTUNREACH|ECONNREFUSED|no answer/);
    } finally {
      await Promise.all([tcp.close(), udp.close(), ephemeral.close()]);
    }
  });

  it('failures are results, not exceptions: refused, no route, UDP without answer', async () => {
    const { a } = await pair();
    const refused = await tcpEcho(a, '10.9.0.2', 7101, 'x');
    expect([refused.ok, refused.error]).toEqual([false, expect.stringContaining('ECONNREFUSED')]);
    const noRoute = await tcpEcho(a, '192.0.2.1', 7101, 'x');
    expect([noRoute.ok, noRoute.error]).toEqual([false, expect.stringContaining('ENETUNREACH')]);
    const silent = await udpEcho(a, '10.9.0.2', 7101, 'x', { timeoutMs: 300 });
    expect(silent.ok).toBe(false);
    expect(silent.error).toMatch(/ECONNREFUSED|no answer within 300 ms/);
    await expect(tcpEcho(a, 'not-an-ip', 1, 'x')).rejects.toMatchObject({ code: 'EINVAL', field: 'host' });
  });

  it('the raw receiver sees the TTL a datagram arrived with', async () => {
    const { a, b } = await pair();
    const rx = await RawUdpReceiver.open(b, 4);
    try {
      await sendUdp(a, '10.9.0.2', 9999, 'ttl7', 7);
      const [p] = await rx.collectUntil(9999, 'ttl7');
      expect(p).toEqual({ ttl: 7, source: '10.9.0.1', port: 9999, payload: 'ttl7' });
    } finally {
      rx.close();
      rx.close();
    }
  });

  it('Sandbox removes its namespaces and runs deferred actions last-first, also when the body throws', async () => {
    const order: string[] = [];
    const fds = fdCount();
    let names: string[] = [];
    await expect(
      Sandbox.run({ prefix: `${PREFIX}sb-` }, async (sb) => {
        const x = await sb.namespace('x');
        const y = await sb.namespace('y');
        names = [x.name!, y.name!];
        expect(names.every((n) => existsSync(`/run/netns/${n}`))).toBe(true);
        const server = await tcpEchoServer(x, 7000);
        sb.defer(() => order.push('first'));
        sb.defer(async () => {
          await server.close();
          order.push('second');
        });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(order).toEqual(['second', 'first']);
    expect(names.some((n) => existsSync(`/run/netns/${n}`))).toBe(false);
    expect(fdCount()).toBe(fds);
  });

  it('Sandbox: dispose is idempotent, refuses new namespaces afterwards, checks its input', async () => {
    const sb = Sandbox.create({ prefix: `${PREFIX}sb2-` });
    await sb.namespace('a');
    expect(sb.namespaces.map((n) => n.name)).toEqual([`${PREFIX}sb2-a`]);
    await Promise.all([sb.dispose(), sb.dispose()]);
    expect(existsSync(`/run/netns/${PREFIX}sb2-a`)).toBe(false);
    await expect(sb.namespace('b')).rejects.toMatchObject({ code: 'EINVAL' });
    expect(() => Sandbox.create({ prefix: 'a/b' })).toThrow(/prefix/);
    expect(() => Sandbox.create({ bogus: 1 } as never)).toThrow(/options.bogus/);
  });
});
