/**
 * Bridge: options read back, ports and port options, FDB (static entries and learnt ones
 * after traffic) — cross-checked with `ip -j -d link show` and `bridge -j fdb show`.
 */
import { describe, expect, it } from 'vitest';
import { Bridge, Fdb, NetlinkError, NetnsKitError, ValidationError, VethPair, Link } from '../../src/index.js';
import type { FdbEntry, Namespace } from '../../src/index.js';
import { bridgeJson, ipJson, rootSkip, skipReason, tempNamespace, useTempNamespaces } from '../helpers/env.js';

function ipLink(ns: Namespace, name: string): any {
  return ipJson(['-d', 'link', 'show', 'dev', name], ns)[0];
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until fn returns a value (not a timed assertion: it only bounds the wait). */
async function eventually<T>(fn: () => Promise<T | undefined>, what: string, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await sleep(100);
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe.skipIf(!!rootSkip)('Bridge', () => {
  useTempNamespaces();

  it('creates a bridge with options and reads them back as `ip -d link` shows them', async () => {
    const ns = await tempNamespace('opt');
    const br = await Bridge.create(ns, {
      name: 'br0',
      stp: false,
      forwardDelay: 4,
      helloTime: 1,
      maxAge: 12,
      ageingTime: 120,
      priority: 4096,
      multicastSnooping: false,
      multicastQuerier: true,
      nfCallIptables: true,
      noLinkLocalLearn: true,
      groupFwdMask: 0x4000,
      mtu: 1400,
      up: true,
    });
    const s = br.settings;
    expect(s).toMatchObject({
      stp: false,
      forwardDelay: 4,
      helloTime: 1,
      maxAge: 12,
      ageingTime: 120,
      priority: 4096,
      multicastSnooping: false,
      multicastQuerier: true,
      nfCallIptables: true,
      noLinkLocalLearn: true,
      groupFwdMask: 0x4000,
    });
    expect(s.bridgeId?.priority).toBe(4096);
    expect(br.mtu).toBe(1400);
    expect(br.isUp).toBe(true);
    const d = ipLink(ns, 'br0').linkinfo.info_data;
    expect([d.forward_delay, d.hello_time, d.max_age, d.ageing_time, d.stp_state, d.priority]).toEqual([400, 100, 1200, 12000, 0, 4096]);
    expect([d.mcast_snooping, d.mcast_querier, d.nf_call_iptables, d.no_linklocal_learn, d.group_fwd_mask]).toEqual([0, 1, 1, 1, '0x4000']);
    expect(d.bridge_id).toMatch(/^1000\./);
  });

  it('VLAN filtering, protocol and default PVID (when the kernel has bridge VLAN filtering)', async (ctx) => {
    const ns = await tempNamespace('vf');
    const br = await Bridge.create(ns, { name: 'br0', vlanFiltering: true, vlanProtocol: '802.1ad', defaultPvid: 10 }).catch((e: unknown) => e);
    if (br instanceof NetlinkError && br.code === 'EOPNOTSUPP') {
      expect(br.message).toContain('CONFIG_BRIDGE_VLAN_FILTERING');
      skipReason(`bridge VLAN filtering: ${br.message}`);
      ctx.skip();
    }
    const b = br as Bridge;
    expect(b.settings).toMatchObject({ vlanFiltering: true, vlanProtocol: '802.1ad', defaultPvid: 10 });
    const d = ipLink(ns, 'br0').linkinfo.info_data;
    expect([d.vlan_filtering, d.vlan_protocol, d.vlan_default_pvid]).toEqual([1, '802.1ad', 10]);
  });

  it('changes options on a live bridge and lists bridges', async () => {
    const ns = await tempNamespace('chg');
    const br = await Bridge.create(ns, { name: 'br0' });
    expect(br.settings).toMatchObject({ stp: false, forwardDelay: 15, helloTime: 2, maxAge: 20, ageingTime: 300, priority: 32768, vlanFiltering: false, multicastSnooping: true });
    await br.setOptions({ ageingTime: 30, stp: true, priority: 100 });
    const now = await br.refresh();
    expect(now).toBeInstanceOf(Bridge);
    expect(now.settings).toMatchObject({ ageingTime: 30, stp: true, priority: 100 });
    expect(ipLink(ns, 'br0').linkinfo.info_data.stp_state).toBe(1);
    await Bridge.create(ns, { name: 'br1' });
    await VethPair.create(ns, { name: 'va', peer: { name: 'vb' } });
    expect((await Bridge.list(ns)).map((b) => b.name).sort()).toEqual(['br0', 'br1']);
    await expect(Bridge.get(ns, 'va')).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('not a bridge') });
    // kernel refusal comes back with the kernel's words
    const e = (await br.setOptions({ forwardDelay: 100 }).catch((x: unknown) => x)) as NetlinkError;
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e.message).toContain('set bridge options br0');
  });

  it('adds, lists and removes ports (`brctl addif/delif`, `ip link show master br0`)', async () => {
    const ns = await tempNamespace('prt');
    const br = await Bridge.create(ns, { name: 'br0', up: true });
    const a = await VethPair.create(ns, { name: 'pa', peer: { name: 'pa-peer' } });
    await VethPair.create(ns, { name: 'pb', peer: { name: 'pb-peer' } });
    await br.addPort(a.local);
    await br.addPort('pb');
    const ports = await br.ports();
    expect(ports.map((p) => p.name).sort()).toEqual(['pa', 'pb']);
    expect(ports.map((p) => p.name).sort()).toEqual(ipJson(['link', 'show', 'master', 'br0'], ns).map((x: any) => x.ifname).sort());
    expect(ports.every((p) => p.slaveKind === 'bridge' && p.masterIndex === br.index)).toBe(true);
    await br.removePort('pa');
    expect((await br.ports()).map((p) => p.name)).toEqual(['pb']);
    expect(ipLink(ns, 'pa').master).toBeUndefined();
    const e = (await br.removePort('pa').catch((x: unknown) => x)) as NetnsKitError;
    expect(e.code).toBe('ENOENT');
    expect(e.message).toContain('pa');
    expect(e.message).toContain('not a port of bridge br0');
  });

  it('sets and reads port options (learning, flood, hairpin, cost, priority, state)', async () => {
    const ns = await tempNamespace('po');
    const br = await Bridge.create(ns, { name: 'br0' });
    await VethPair.create(ns, { name: 'pa', peer: { name: 'pa-peer' } });
    await br.addPort('pa', { learning: false, flood: false, hairpin: true, cost: 42, priority: 7 });
    let s = await br.portSettings('pa');
    expect(s).toMatchObject({ learning: false, flood: false, hairpin: true, cost: 42, priority: 7 });
    let x = ipLink(ns, 'pa').linkinfo.info_slave_data;
    expect([x.learning, x.flood, x.hairpin, x.cost, x.priority]).toEqual([false, false, true, 42, 7]);
    // a port state can only be set on a port that is up (the kernel answers ENETDOWN)
    const down = (await br.setPortOptions('pa', { state: 'blocking' }).catch((x: unknown) => x)) as NetlinkError;
    expect(down.code).toBe('ENETDOWN');
    expect(down.message).toContain('set bridge port options pa of br0');
    await (await Link.get(ns, 'pa')).up();
    await (await Link.get(ns, 'pa-peer')).up(); // carrier: the port must be operationally up
    await br.up();
    // let the carrier event settle (with STP off the bridge then puts the port in forwarding)
    await eventually(async () => ((await br.portSettings('pa')).state === 'forwarding' ? true : undefined), 'port pa forwarding');
    // With STP off the kernel re-runs its port state selection right after a state change, so
    // listening/learning/blocking snap back to forwarding (as with `bridge link set … state 4`);
    // `disabled` is the state that sticks.
    await br.setPortOptions('pa', { learning: true, flood: true, hairpin: false, state: 'disabled', multicastFlood: false, isolated: true });
    s = await br.portSettings('pa');
    expect(s).toMatchObject({ learning: true, flood: true, hairpin: false, state: 'disabled', multicastFlood: false, isolated: true });
    x = ipLink(ns, 'pa').linkinfo.info_slave_data;
    expect([x.learning, x.flood, x.hairpin, x.state, x.mcast_flood, x.isolated]).toEqual([true, true, false, 'disabled', false, true]);
    await br.setPortOptions('pa', { state: 'forwarding' });
    expect((await br.portSettings('pa')).state).toBe('forwarding');
    await expect(br.setPortOptions('pa', { cost: 0 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('a port option the kernel refuses makes addPort undo the enslaving', async () => {
    const ns = await tempNamespace('undo');
    const br = await Bridge.create(ns, { name: 'br0', stp: true });
    await VethPair.create(ns, { name: 'pa', peer: { name: 'pa-peer' } });
    // with kernel STP on, the port state belongs to STP: the kernel answers EBUSY
    const e = (await br.addPort('pa', { state: 'forwarding' }).catch((x: unknown) => x)) as NetlinkError;
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e.message).toContain('set bridge port options pa of br0');
    expect(await br.ports()).toEqual([]);
  });

  it('creates a bridge directly inside another namespace (bridges cannot be moved later)', async () => {
    const ns1 = await tempNamespace('bn1');
    const ns2 = await tempNamespace('bn2');
    const br = await Bridge.create(ns1, { name: 'brx', namespace: ns2, stp: false });
    expect(br.namespace).toBe(ns2);
    expect((await Link.list(ns2, { kind: 'bridge' })).map((l) => l.name)).toEqual(['brx']);
    expect(await Link.list(ns1, { kind: 'bridge' })).toEqual([]);
  });

  it('adds and deletes static FDB entries; `bridge -j fdb show br br0` agrees', async () => {
    const ns = await tempNamespace('fdb');
    const br = await Bridge.create(ns, { name: 'br0', up: true });
    // both ends up: the port forwards (the kernel refuses user-added dynamic entries on a disabled port: EPERM)
    const a = await VethPair.create(ns, { name: 'pa', up: true, peer: { name: 'pa-peer', up: true } });
    await br.addPort('pa', { learning: false }); // only the entries added here: nothing learnt from pa-peer's traffic
    await eventually(async () => ((await br.portSettings('pa')).state === 'forwarding' ? true : undefined), 'port pa forwarding');
    await br.fdbAdd('pa', '02:00:00:00:01:01');
    await br.fdbAdd(a.local, '02:00:00:00:01:02', { state: 'permanent' });
    await br.fdbAdd('pa', '02:00:00:00:01:03', { state: 'dynamic' });
    const entries = await br.fdb();
    const find = (mac: string): FdbEntry | undefined => entries.find((e) => e.mac === mac && e.master === 'br0');
    expect(find('02:00:00:00:01:01')).toMatchObject({ device: 'pa', ifindex: a.local.index, masterIndex: br.index, state: 'static' });
    expect(find('02:00:00:00:01:02')).toMatchObject({ device: 'pa', state: 'permanent' });
    expect(find('02:00:00:00:01:03')).toMatchObject({ device: 'pa', state: 'dynamic' });
    // the port's own address is a permanent entry on that port (the bridge's local entry)
    expect(find(a.local.address!)).toMatchObject({ device: 'pa', state: 'permanent' });
    const theirs = bridgeJson(['-s', 'fdb', 'show', 'br', 'br0'], ns) as any[];
    const key = (e: { mac: string; ifname?: string; device?: string; master?: string; state?: string }): string =>
      `${e.mac} ${e.ifname ?? e.device} ${e.master ?? '-'} ${e.state === '' || e.state === undefined || e.state === 'dynamic' ? 'dynamic' : e.state}`;
    // the bridge's own FDB (entries with a master); the devices' `self` multicast entries change
    // while IPv6 autoconfiguration joins groups, so they are not compared line by line
    const master = <T extends { master?: string }>(xs: T[]): T[] => xs.filter((e) => e.master !== undefined);
    expect(master(entries).map(key).sort()).toEqual(master(theirs).map(key).sort());
    expect(entries.some((e) => e.flags.includes('self') && e.device === 'pa' && e.mac.startsWith('33:33:'))).toBe(true);
    for (const t of theirs.filter((x) => x.used !== undefined)) {
      const o = entries.find((e) => e.mac === t.mac && e.master === t.master)!;
      expect(Math.abs(o.usedSeconds! - t.used)).toBeLessThanOrEqual(1);
      expect(Math.abs(o.updatedSeconds! - t.updated)).toBeLessThanOrEqual(1);
    }
    // only this port's entries, filtered in the kernel
    expect((await br.fdb({ port: 'pa' })).every((e) => e.device === 'pa')).toBe(true);
    // adding it again is EEXIST; deleting it removes it
    await expect(br.fdbAdd('pa', '02:00:00:00:01:01')).rejects.toMatchObject({ code: 'EEXIST', message: expect.stringContaining('02:00:00:00:01:01 dev pa') });
    await br.fdbDelete('pa', '02:00:00:00:01:01');
    expect((await br.fdb()).find((e) => e.mac === '02:00:00:00:01:01')).toBeUndefined();
    expect((bridgeJson(['fdb', 'show', 'br', 'br0'], ns) as any[]).find((e) => e.mac === '02:00:00:00:01:01')).toBeUndefined();
    await expect(br.fdbDelete('pa', '02:00:00:00:01:01')).rejects.toMatchObject({ code: 'ENOENT' });
    // Fdb.replace changes the state of an existing entry
    await Fdb.replace(ns, { mac: '02:00:00:00:01:02', device: 'pa', master: true, state: 'static' });
    expect((await br.fdb()).find((e) => e.mac === '02:00:00:00:01:02' && e.master === 'br0')?.state).toBe('static');
  });

  it('learns MACs from traffic: entries appear as dynamic on the port the frames came in on', async () => {
    const ns = await tempNamespace('lrn');
    const h1 = await tempNamespace('h1');
    const h2 = await tempNamespace('h2');
    const br = await Bridge.create(ns, { name: 'br0', stp: false, up: true });
    const p1 = await VethPair.create(ns, { name: 'port1', up: true, peer: { name: 'eth0', namespace: h1, up: true } });
    const p2 = await VethPair.create(ns, { name: 'port2', up: true, peer: { name: 'eth0', namespace: h2, up: true } });
    await br.addPort(p1.local);
    await br.addPort(p2.local);
    // Bringing eth0 up makes the kernel send IPv6 DAD and MLD frames from eth0's MAC; that is
    // the traffic the bridge learns from (no addresses needed).
    const learnt = await eventually(async () => {
      const e = await br.fdb();
      const m1 = e.find((x) => x.mac === p1.peer.address && x.master === 'br0');
      const m2 = e.find((x) => x.mac === p2.peer.address && x.master === 'br0');
      return m1 && m2 ? [m1, m2] : undefined;
    }, 'learnt FDB entries');
    expect(learnt[0]).toMatchObject({ device: 'port1', state: 'dynamic', flags: [] });
    expect(learnt[1]).toMatchObject({ device: 'port2', state: 'dynamic' });
    expect(learnt[0]!.usedSeconds).toBeGreaterThanOrEqual(0);
    const theirs = bridgeJson(['fdb', 'show', 'br', 'br0'], ns) as any[];
    expect(theirs.find((x) => x.mac === p1.peer.address)).toMatchObject({ ifname: 'port1', master: 'br0' });
    expect(theirs.find((x) => x.mac === p2.peer.address)).toMatchObject({ ifname: 'port2', master: 'br0' });
    // flushing removes learnt entries, keeps permanent ones
    await br.flushFdb();
    const after = await br.fdb();
    expect(after.find((x) => x.mac === p1.peer.address && x.state === 'dynamic')).toBeUndefined();
    expect(after.find((x) => x.mac === p1.local.address)?.state).toBe('permanent');
  });
});
