/**
 * Vxlan (options + FDB append), Macvlan / Macvtap, Tun / Tap, and the kinds this kernel may
 * lack (dummy, vlan, vrf, bond, wireguard: skipped with the kernel's reason).
 */
import { describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { Bond, Dummy, Link, Macvlan, Macvtap, NetlinkError, Tun, ValidationError, VethPair, Vlan, Vrf, Vxlan, Wireguard } from '../../src/index.js';
import type { Namespace } from '../../src/index.js';
import { bridgeJson, fdCount, ipJson, rootSkip, skipReason, tempNamespace, useTempNamespaces } from '../helpers/env.js';

function ipLink(ns: Namespace, name: string): any {
  return ipJson(['-d', 'link', 'show', 'dev', name], ns)[0];
}

/** Runs create(); when the kernel has no driver for the kind, prints why and skips. */
async function createOrSkip<T>(ctx: TestContext, kind: string, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (e) {
    if (e instanceof NetlinkError && e.code === 'EOPNOTSUPP' && /Unknown device type/i.test(e.kernelMessage ?? '')) {
      expect(e.message).toContain('Unknown device type');
      skipReason(`${kind}: the kernel answered "${e.kernelMessage}" (${e.message}); its encoding is covered by test/unit/link-kinds.test.ts`);
      ctx.skip();
    }
    throw e;
  }
}

describe.skipIf(!!rootSkip)('Vxlan', () => {
  useTempNamespaces();

  it('creates a vxlan with options and reads them back as `ip -d link` shows them', async () => {
    const ns = await tempNamespace('vx');
    const under = await VethPair.create(ns, { name: 'u0', peer: { name: 'u1' } });
    const vx = await Vxlan.create(ns, {
      name: 'vx0',
      vni: 42,
      local: '10.0.0.1',
      remote: '10.0.0.2',
      device: under.local,
      dstPort: 4789,
      srcPortRange: [1000, 2000],
      ttl: 10,
      learning: false,
      ageing: 120,
      maxAddresses: 50,
      mtu: 1450,
    });
    expect(vx.settings).toMatchObject({
      vni: 42,
      local: '10.0.0.1',
      remote: '10.0.0.2',
      deviceIndex: under.local.index,
      dstPort: 4789,
      srcPortRange: [1000, 2000],
      ttl: 10,
      learning: false,
      ageing: 120,
      maxAddresses: 50,
    });
    expect(vx.mtu).toBe(1450);
    const d = ipLink(ns, 'vx0').linkinfo.info_data;
    expect([d.id, d.local, d.remote, d.link, d.port, d.port_range, d.ttl, d.learning, d.ageing, d.limit])
      .toEqual([42, '10.0.0.1', '10.0.0.2', 'u0', 4789, { low: 1000, high: 2000 }, 10, false, 120, 50]);
    await vx.setOptions({ ageing: 60 });
    expect((await vx.refresh()).settings.ageing).toBe(60);
    expect((await Vxlan.list(ns)).map((v) => v.name)).toEqual(['vx0']);
  });

  it('appends several remote dsts to one MAC (NLM_F_APPEND) and removes one; `bridge fdb show dev` agrees', async () => {
    const ns = await tempNamespace('vxf');
    const vx = await Vxlan.create(ns, { name: 'vx0', vni: 7, local: '10.0.0.1', dstPort: 4789 });
    await vx.fdbAppend('10.0.0.2');
    await vx.fdbAppend('10.0.0.3');
    await vx.fdbAppend('10.0.0.4', { dstPort: 8472, vni: 99 });
    await vx.fdbAdd('02:00:00:00:00:05', '10.0.0.9');
    const zero = (await vx.fdb()).filter((e) => e.mac === '00:00:00:00:00:00');
    expect(zero.map((e) => e.dst).sort()).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4']);
    expect(zero.every((e) => e.flags.includes('self') && e.device === 'vx0' && e.state === 'permanent')).toBe(true);
    expect(zero.find((e) => e.dst === '10.0.0.4')).toMatchObject({ dstPort: 8472, vni: 99 });
    const theirs = bridgeJson(['fdb', 'show', 'dev', 'vx0'], ns) as any[];
    expect(theirs.filter((e) => e.mac === '00:00:00:00:00:00').map((e) => e.dst).sort()).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4']);
    expect(theirs.find((e) => e.dst === '10.0.0.4')).toMatchObject({ port: 8472, vni: 99 });
    expect(theirs.find((e) => e.mac === '02:00:00:00:00:05')).toMatchObject({ dst: '10.0.0.9' });
    // add (not append) of a MAC that has an entry is EEXIST
    await expect(vx.fdbAdd('02:00:00:00:00:05', '10.0.0.10')).rejects.toMatchObject({ code: 'EEXIST' });
    await vx.fdbDelete('00:00:00:00:00:00', '10.0.0.3');
    expect((await vx.fdb()).filter((e) => e.mac === '00:00:00:00:00:00').map((e) => e.dst).sort()).toEqual(['10.0.0.2', '10.0.0.4']);
    await vx.fdbDelete('02:00:00:00:00:05');
    expect((await vx.fdb()).find((e) => e.mac === '02:00:00:00:00:05')).toBeUndefined();
  });

  it('refuses bad vxlan options before any request', async () => {
    const ns = await tempNamespace('vxv');
    const conn = await ns.connection();
    const before = conn.stats.requests;
    await expect(Vxlan.create(ns, { name: 'vx0', vni: 1 << 24 })).rejects.toMatchObject({ field: 'vni' });
    await expect(Vxlan.create(ns, { name: 'vx0', vni: 1, remote: 'nope' })).rejects.toMatchObject({ field: 'remote' });
    await expect(Vxlan.create(ns, { name: 'vx0', vni: 1, ttl: 300 })).rejects.toMatchObject({ field: 'ttl' });
    await expect(Vxlan.create(ns, { name: 'vx0', vni: 1, bogus: true } as never)).rejects.toBeInstanceOf(ValidationError);
    expect(conn.stats.requests).toBe(before);
  });
});

describe.skipIf(!!rootSkip)('Macvlan / Macvtap', () => {
  useTempNamespaces();

  it('creates macvlans in each mode on a lower device and reads the mode back', async () => {
    const ns = await tempNamespace('mv');
    const { local } = await VethPair.create(ns, { name: 'low0', peer: { name: 'low1' } });
    for (const mode of ['private', 'vepa', 'bridge', 'source'] as const) {
      const mv = await Macvlan.create(ns, { name: `mv-${mode}`, parent: local, mode });
      expect(mv.kind).toBe('macvlan');
      expect(mv.settings.mode).toBe(mode);
      expect(mv.parentIndex).toBe(local.index);
      expect(ipLink(ns, `mv-${mode}`).linkinfo.info_data.mode).toBe(mode);
    }
    expect((await Macvlan.list(ns)).length).toBe(4);
    const { local: other } = await VethPair.create(ns, { name: 'low2', peer: { name: 'low3' } });
    const pt = await Macvlan.create(ns, { name: 'mv-pt', parent: other, mode: 'passthru', noPromisc: true });
    expect(pt.settings).toMatchObject({ mode: 'passthru', noPromisc: true });
    expect(ipLink(ns, 'mv-pt').linkinfo.info_data.nopromisc).toBe(true);
  });

  it('creates a macvlan of a lower device directly inside another namespace (container style)', async () => {
    const host = await tempNamespace('mvh');
    const ctr = await tempNamespace('mvc');
    await VethPair.create(host, { name: 'eth0', peer: { name: 'eth0-peer' } });
    const mv = await Macvlan.create(host, { name: 'eth1', parent: 'eth0', mode: 'bridge', namespace: ctr, address: '02:00:00:00:10:01' });
    expect(mv.namespace).toBe(ctr);
    expect(mv.address).toBe('02:00:00:00:10:01');
    expect(mv.linkNetnsid).toBe(await ctr.getNsid(host));
    expect((await mv.parent([host])).name).toBe('eth0');
    expect(await Link.list(host, { kind: 'macvlan' })).toEqual([]);
  });

  it('creates a macvtap', async () => {
    const ns = await tempNamespace('mt');
    await VethPair.create(ns, { name: 'low0', peer: { name: 'low1' } });
    const mt = await Macvtap.create(ns, { name: 'mt0', parent: 'low0', mode: 'bridge' });
    expect(mt.kind).toBe('macvtap');
    expect(mt.settings.mode).toBe('bridge');
    expect(mt.devicePath).toBe(`/dev/tap${mt.index}`);
    expect(ipLink(ns, 'mt0').linkinfo.info_kind).toBe('macvtap');
    await expect(Macvlan.get(ns, 'mt0')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(Macvtap.create(ns, { name: 'mt1' } as never)).rejects.toMatchObject({ field: 'parent' });
  });
});

describe.skipIf(!!rootSkip)('Tun / Tap', () => {
  useTempNamespaces();

  it('the kernel refuses tun/tap over rtnetlink; Link.create reports its words', async () => {
    const ns = await tempNamespace('tr');
    const e = (await Link.create(ns, { kind: 'tun', name: 'tun0' }).catch((x: unknown) => x)) as NetlinkError;
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e.code).toBe('EOPNOTSUPP');
    expect(e.kernelMessage).toMatch(/tun\/tap creation via rtnetlink is not supported/);
  });

  it('creates persistent tun and tap devices inside a namespace (TUNSETIFF) and deletes them', async () => {
    const ns = await tempNamespace('tun');
    const tun = await Tun.create(ns);
    expect(tun.name).toBe('tun0');
    expect(tun.namespace).toBe(ns);
    expect(tun.settings).toMatchObject({ mode: 'tun', packetInfo: false, persist: true, multiQueue: false });
    expect(tun.flagNames).toEqual(expect.arrayContaining(['POINTOPOINT', 'NOARP']));
    const tap = await Tun.create(ns, { name: 'tap7', mode: 'tap', owner: 1234, group: 4321, vnetHdr: true, multiQueue: true, mtu: 1400, address: '02:00:00:00:07:07', up: true });
    expect(tap.settings).toMatchObject({ mode: 'tap', owner: 1234, group: 4321, vnetHdr: true, multiQueue: true, persist: true });
    expect([tap.mtu, tap.address, tap.isUp]).toEqual([1400, '02:00:00:00:07:07', true]);
    const d = ipLink(ns, 'tap7').linkinfo.info_data;
    expect([d.type, d.pi, d.vnet_hdr, d.multi_queue, d.persist, d.user, d.group]).toEqual(['tap', false, true, true, true, 1234, 4321]);
    expect((await Tun.list(ns)).map((t) => t.name).sort()).toEqual(['tap7', 'tun0']);
    // an existing name is EEXIST naming it (TUNSETIFF would otherwise attach to the old device)
    for (const mode of ['tap', 'tun'] as const) {
      const e = (await Tun.create(ns, { name: 'tap7', mode }).catch((x: unknown) => x)) as Error & { code: string };
      expect(e.code).toBe('EEXIST');
      expect(e.message).toContain('tap7 exists');
    }
    await VethPair.create(ns, { name: 've0', peer: { name: 've1' } });
    await expect(Tun.create(ns, { name: 've0' })).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(Tun.create(ns, { mode: 'tun', address: '02:00:00:00:00:01' })).rejects.toMatchObject({ field: 'address' });
    await tun.delete();
    await tap.delete();
    expect(await Tun.list(ns)).toEqual([]);
  });
});

describe.skipIf(!!rootSkip)('no fd leaks', () => {
  useTempNamespaces();

  it('creating and deleting tun devices, veth pairs and bridges leaves the fd count unchanged', async () => {
    const ns = await tempNamespace('leak');
    await ns.connection();
    const warm = await Tun.create(ns); // first use loads what it loads
    await warm.delete();
    const before = fdCount();
    for (let i = 0; i < 20; i++) {
      const t = await Tun.create(ns, { mode: i % 2 ? 'tap' : 'tun' });
      const v = await VethPair.create(ns);
      await Promise.all([t.delete(), v.delete()]);
      await Tun.create(ns, { name: 'tun0' }).then((x) => x.delete());
      await expect(Tun.create(ns, { name: 'lo' })).rejects.toMatchObject({ code: 'EEXIST' });
    }
    expect(fdCount()).toBe(before);
    expect((await Link.list(ns)).map((l) => l.name)).toEqual(['lo']);
  });
});

describe.skipIf(!!rootSkip)('kinds the kernel may lack', () => {
  useTempNamespaces();

  it('dummy', async (ctx) => {
    const ns = await tempNamespace('dm');
    const d = await createOrSkip(ctx, 'dummy', () => Dummy.create(ns, { name: 'dummy0', mtu: 9000, up: true }));
    expect([d.kind, d.mtu, d.isUp]).toEqual(['dummy', 9000, true]);
    expect(ipLink(ns, 'dummy0').linkinfo.info_kind).toBe('dummy');
  });

  it('vlan', async (ctx) => {
    const ns = await tempNamespace('vl');
    await VethPair.create(ns, { name: 'eth0', peer: { name: 'eth0p' } });
    const v = await createOrSkip(ctx, 'vlan', () => Vlan.create(ns, { name: 'eth0.100', parent: 'eth0', id: 100, protocol: '802.1ad' }));
    expect(v.settings).toMatchObject({ id: 100, protocol: '802.1ad' });
    expect(ipLink(ns, 'eth0.100').linkinfo.info_data).toMatchObject({ id: 100, protocol: '802.1ad' });
  });

  it('vrf', async (ctx) => {
    const ns = await tempNamespace('vrf');
    const v = await createOrSkip(ctx, 'vrf', () => Vrf.create(ns, { name: 'vrf-blue', table: 10 }));
    expect(v.table).toBe(10);
    expect(ipLink(ns, 'vrf-blue').linkinfo.info_data.table).toBe(10);
  });

  it('bond', async (ctx) => {
    const ns = await tempNamespace('bd');
    const b = await createOrSkip(ctx, 'bond', () => Bond.create(ns, { name: 'bond0', mode: 'active-backup', miimon: 100 }));
    expect(b.settings).toMatchObject({ mode: 'active-backup', miimon: 100 });
    expect(ipLink(ns, 'bond0').linkinfo.info_data).toMatchObject({ mode: 'active-backup', miimon: 100 });
  });

  it('wireguard', async (ctx) => {
    const ns = await tempNamespace('wg');
    const w = await createOrSkip(ctx, 'wireguard', () => Wireguard.create(ns, { name: 'wg0' }));
    expect(w.kind).toBe('wireguard');
  });
});
