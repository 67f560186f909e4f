/**
 * The requests Address / Route / Neighbor send, compared with what iproute2 6.1 sends for
 * the same command (captured with `strace -xx -e sendmsg ip …`, link index 3). The family
 * header must be byte-identical; the attributes must be the same set (iproute2 writes a
 * few in another order, which the kernel does not care about).
 */
import { describe, expect, it } from 'vitest';
import { Address, Neighbor, Route } from '../../src/index.js';
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../../src/netlink/constants.js';
import { RTM_DELADDR, RTM_DELROUTE, RTM_GETADDR, RTM_GETNEIGH, RTM_GETROUTE, RTM_NEWADDR, RTM_NEWNEIGH, RTM_NEWROUTE } from '../../src/rtnetlink/constants.js';
import { fakeNamespace, type Recorded } from '../helpers/fake-namespace.js';

/** Splits attributes into sorted `type:hex` strings; `nested` types are canonicalised recursively. */
function canon(buf: Buffer, nested: number[] = []): string[] {
  const out: string[] = [];
  let off = 0;
  while (off + 4 <= buf.length) {
    const len = buf.readUInt16LE(off);
    const type = buf.readUInt16LE(off + 2);
    const payload = buf.subarray(off + 4, off + len);
    out.push(nested.includes(type & 0x3fff) ? `${type}:[${canon(payload).join(',')}]` : `${type}:${payload.toString('hex')}`);
    off += (len + 3) & ~3;
  }
  return out.sort();
}

function expectLike(r: Recorded, type: number, flags: number, iproute2Hex: string, headerSize: number, nested: number[] = []): void {
  const ref = Buffer.from(iproute2Hex, 'hex');
  expect(r.type).toBe(type);
  expect(r.flags).toBe(flags);
  expect(r.body.subarray(0, headerSize).toString('hex')).toBe(ref.subarray(0, headerSize).toString('hex'));
  expect(canon(r.body.subarray(headerSize), nested)).toEqual(canon(ref.subarray(headerSize), nested));
}

const CREATE_EXCL = NLM_F_CREATE | NLM_F_EXCL;

describe('address requests match iproute2', () => {
  it('ip addr add 10.0.0.1/24 brd + dev IDX', async () => {
    const ns = fakeNamespace();
    await Address.add(ns, 3, '10.0.0.1/24', { broadcast: '+' });
    expectLike(ns.sent[0]!, RTM_NEWADDR, CREATE_EXCL, '02180000030000000800020' + '00a000001080001000a000001080004000a0000ff', 8);
  });

  it('ip addr add fd00::5/64 dev IDX nodad noprefixroute valid_lft 100 preferred_lft 50 (flags above 0xff go in IFA_FLAGS)', async () => {
    const ns = fakeNamespace();
    await Address.add(ns, 3, 'fd00::5/64', { flags: ['nodad', 'noprefixroute'], validLifetime: 100, preferredLifetime: 50 });
    expectLike(
      ns.sent[0]!,
      RTM_NEWADDR,
      CREATE_EXCL,
      '0a4000000300000014000200fd000000000000000000000000000005080008000202000014000100fd0000000000000000000000000000051400060032000000640000000000000000000000',
      8,
    );
  });

  it('ip addr add 10.1.1.1/32 peer 10.1.1.2/32 dev IDX label va:1 (with a Link, name known)', async () => {
    const ns = fakeNamespace();
    const { Link } = await import('../../src/api/link/link.js');
    const va = new Link(ns, { header: { family: 0, type: 1, index: 3, flags: 0, change: 0 }, attrs: { ifname: 'va' } });
    await Address.add(va, '10.1.1.1/32', { peer: '10.1.1.2', label: 'va:1' });
    expectLike(ns.sent[0]!, RTM_NEWADDR, CREATE_EXCL, '0220000003000000080002000a010101080001000a0101020900030076613a3100000000', 8);
  });

  it('ip addr del 10.0.0.1/24 dev IDX', async () => {
    const ns = fakeNamespace();
    await Address.remove(ns, 3, '10.0.0.1/24');
    expectLike(ns.sent[0]!, RTM_DELADDR, 0, '0218000003000000080002000a000001080001000a000001', 8);
  });

  it('replace uses NLM_F_CREATE | NLM_F_REPLACE; 127.0.0.0/8 gets scope host as in iproute2', async () => {
    const ns = fakeNamespace();
    await Address.replace(ns, 1, '127.0.0.2/8');
    expect(ns.sent[0]!.flags).toBe(NLM_F_CREATE | NLM_F_REPLACE);
    expect(ns.sent[0]!.body.subarray(0, 8).toString('hex')).toBe('020800fe01000000');
  });

  it('a strict dump filters by link and family in ifaddrmsg', async () => {
    const ns = fakeNamespace();
    await Address.list(ns, { link: 7, family: 6 });
    expect(ns.sent).toHaveLength(1);
    expect(ns.sent[0]!.kind).toBe('dump');
    expect(ns.sent[0]!.type).toBe(RTM_GETADDR);
    expect(ns.sent[0]!.body.toString('hex')).toBe('0a00000007000000');
    await Address.list(ns);
    expect(ns.sent.slice(1).map((r) => r.body.toString('hex'))).toEqual(['0200000000000000', '0a00000000000000']);
  });
});

describe('route requests match iproute2', () => {
  it('ip route add 10.9.0.0/16 via 10.0.0.2 dev IDX metric 5 table 100', async () => {
    const ns = fakeNamespace();
    await Route.add(ns, { to: '10.9.0.0/16', via: '10.0.0.2', dev: 3, metric: 5, table: 100 });
    expectLike(ns.sent[0]!, RTM_NEWROUTE, CREATE_EXCL, '021000006403000100000000080001000a090000080005000a0000020800060005000000080004000300000000', 12);
  });

  it('ip route replace … table 100000 (tables above 255 go in RTA_TABLE)', async () => {
    const ns = fakeNamespace();
    await Route.replace(ns, { to: '10.9.0.0/16', via: '10.0.0.2', dev: 3, metric: 5, table: 100000 });
    expectLike(
      ns.sent[0]!,
      RTM_NEWROUTE,
      NLM_F_CREATE | NLM_F_REPLACE,
      '021000000003000100000000080001000a090000080005000a000002080006000500000008000f00a08601000800040003000000',
      12,
    );
  });

  it('ip route add 10.7.0.0/16 nexthop via 10.0.0.2 dev IDX weight 2 nexthop via 10.0.0.3 dev IDX (RTA_MULTIPATH)', async () => {
    const ns = fakeNamespace();
    await Route.add(ns, { to: '10.7.0.0/16', nexthops: [{ via: '10.0.0.2', dev: 3, weight: 2 }, { via: '10.0.0.3', dev: 3 }] });
    expectLike(
      ns.sent[0]!,
      RTM_NEWROUTE,
      CREATE_EXCL,
      '02100000fe030001000000000800010' + '00a0700002400090010000001030000000800050' + '00a00000210000000030000000800050' + '00a000003',
      12,
    );
  });

  it('ip route add 10.5.0.0/16 via 10.0.0.2 dev IDX onlink mtu lock 1400 advmss 1360 (RTA_METRICS)', async () => {
    const ns = fakeNamespace();
    await Route.add(ns, { to: '10.5.0.0/16', via: '10.0.0.2', dev: 3, onlink: true, metrics: { mtu: 1400, advmss: 1360 }, lock: ['mtu'] });
    expectLike(
      ns.sent[0]!,
      RTM_NEWROUTE,
      CREATE_EXCL,
      '02100000fe03000104000000080001000a050000080005000a00000208000400030000001c000800080002007805000008000800500500000800010004000000',
      12,
      [8],
    );
  });

  it('ip route add blackhole 10.66.0.0/16', async () => {
    const ns = fakeNamespace();
    await Route.add(ns, { to: '10.66.0.0/16', type: 'blackhole' });
    expectLike(ns.sent[0]!, RTM_NEWROUTE, CREATE_EXCL, '02100000fe03000600000000080001000a420000', 12);
  });

  it('ip route add local 10.0.0.77 dev IDX table local (scope host)', async () => {
    const ns = fakeNamespace();
    await Route.add(ns, { to: '10.0.0.77', type: 'local', dev: 3, table: 'local' });
    expectLike(ns.sent[0]!, RTM_NEWROUTE, CREATE_EXCL, '02200000ff03fe0200000000080001000a00004d0800040003000000', 12);
  });

  it('ip route add 10.6.0.0/16 via inet6 fd00::9 dev IDX (RTA_VIA)', async () => {
    const ns = fakeNamespace();
    await Route.add(ns, { to: '10.6.0.0/16', via: 'fd00::9', dev: 3 });
    expectLike(ns.sent[0]!, RTM_NEWROUTE, CREATE_EXCL, '02100000fe030001000000000800010' + '00a060000160012000a00fd00000000000000000000000000000900000800040003000000', 12);
  });

  it('ip -6 route add 2001:db8::/64 via fd00::9 dev IDX pref high', async () => {
    const ns = fakeNamespace();
    await Route.add(ns, { to: '2001:db8::/64', via: 'fd00::9', dev: 3, pref: 'high' });
    expectLike(
      ns.sent[0]!,
      RTM_NEWROUTE,
      CREATE_EXCL,
      '0a400000fe030001000000001400010020010db800000000000000000000000014000500fd00000000000000000000000000000905001400010000000800040003000000',
      12,
    );
  });

  it('ip -6 route add 2001:db8:1::/64 dev IDX metric 7 expires 300', async () => {
    const ns = fakeNamespace();
    await Route.add(ns, { to: '2001:db8:1::/64', dev: 3, metric: 7, expires: 300 });
    expectLike(
      ns.sent[0]!,
      RTM_NEWROUTE,
      CREATE_EXCL,
      '0a400000fe030001000000001400010020010db80001000000000000000000000800060007000000080017002c0100000800040003000000',
      12,
    );
  });

  it('ip route del 10.9.0.0/16 table 100 (scope nowhere, no protocol or type)', async () => {
    const ns = fakeNamespace();
    await Route.remove(ns, { to: '10.9.0.0/16', table: 100 });
    expectLike(ns.sent[0]!, RTM_DELROUTE, 0, '021000006400ff0000000000080001000a090000', 12);
  });

  it('append uses NLM_F_CREATE | NLM_F_APPEND', async () => {
    const ns = fakeNamespace();
    await Route.append(ns, { to: '10.9.0.0/16', via: '10.0.0.2' });
    expect(ns.sent[0]!.flags).toBe(NLM_F_CREATE | NLM_F_APPEND);
  });

  it('ip route get 10.9.1.1 (RTM_F_LOOKUP_TABLE, dst_len 32)', async () => {
    const ns = fakeNamespace();
    await expect(Route.get(ns, '10.9.1.1')).rejects.toThrow(/no route/); // the fake kernel answers nothing
    expectLike(ns.sent[0]!, RTM_GETROUTE, 0, '02200000000000000010000008000100' + '0a090101', 12);
  });

  it('a strict dump puts table, device, protocol and type in the request', async () => {
    const ns = fakeNamespace();
    await Route.list(ns, { family: 4 });
    expect(ns.sent[0]!.body.toString('hex')).toBe('00'.repeat(0) + '02000000fe0000000000' + '0000');
    await Route.list(ns, { family: 6, table: 1000, dev: 4, protocol: 'static', type: 'unicast' });
    expect(canon(ns.sent[1]!.body.subarray(12))).toEqual(canon(Buffer.from('08000f00e80300000800040004000000', 'hex')));
    expect(ns.sent[1]!.body.subarray(0, 12).toString('hex')).toBe('0a00000000040001' + '00000000');
    await Route.list(ns, { table: 'all' });
    expect(ns.sent.slice(2).map((r) => r.body.toString('hex'))).toEqual(['020000000000000000000000', '0a0000000000000000000000']);
  });
});

describe('neighbour requests match iproute2', () => {
  it('ip neigh add 10.0.0.7 lladdr 02:00:00:00:00:07 dev IDX nud permanent', async () => {
    const ns = fakeNamespace();
    await Neighbor.add(ns, { address: '10.0.0.7', lladdr: '02:00:00:00:00:07', link: 3 });
    expectLike(ns.sent[0]!, RTM_NEWNEIGH, CREATE_EXCL, '020000000300000080000000080001000a0000070a0002000200000000070000', 12);
  });

  it('ip -6 neigh add fd00::7 lladdr … dev IDX router nud reachable', async () => {
    const ns = fakeNamespace();
    await Neighbor.add(ns, { address: 'fd00::7', lladdr: '02:00:00:00:00:07', link: 3, router: true, state: 'reachable' });
    expectLike(ns.sent[0]!, RTM_NEWNEIGH, CREATE_EXCL, '0a000000030000000200800014000100fd0000000000000000000000000000070a0002000200000000070000', 12);
  });

  it('ip neigh add proxy 10.0.0.8 dev IDX', async () => {
    const ns = fakeNamespace();
    await Neighbor.add(ns, { address: '10.0.0.8', link: 3, proxy: true });
    expectLike(ns.sent[0]!, RTM_NEWNEIGH, CREATE_EXCL, '020000000300000080000800080001000a000008', 12);
  });

  it('a strict dump filters by NDA_IFINDEX / NDA_MASTER (ndm_ifindex stays 0), proxies by NTF_PROXY', async () => {
    const ns = fakeNamespace();
    await Neighbor.list(ns, { link: 5, family: 4 });
    expect(ns.sent[0]!.type).toBe(RTM_GETNEIGH);
    expect(ns.sent[0]!.body.toString('hex')).toBe('020000000000000000000000' + '0800080005000000');
    await Neighbor.list(ns, { master: 9, family: 6, proxy: true });
    expect(ns.sent[1]!.body.toString('hex')).toBe('0a0000000000000000000800' + '0800090009000000');
  });

  it('replace and change use NLM_F_REPLACE (change without NLM_F_CREATE)', async () => {
    const ns = fakeNamespace();
    await Neighbor.replace(ns, { address: '10.0.0.7', lladdr: '02:00:00:00:00:07', link: 3, state: 'stale' });
    await Neighbor.change(ns, { address: '10.0.0.7', lladdr: '02:00:00:00:00:08', link: 3 });
    expect(ns.sent.map((r) => r.flags)).toEqual([NLM_F_CREATE | NLM_F_REPLACE, NLM_F_REPLACE]);
  });
});
