/**
 * Request bytes equal nft's: each batch netns-kit builds is compared with what `nft`
 * (nftables 1.0.6) sent for the same command, captured with strace by
 * test/fixtures/nft/capture.mjs into test/fixtures/nft/requests.json. nft asks for no ACK
 * and no echo; the batches here are built the same way (`ack: false, echo: false`) and
 * numbered from 0 like nft's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NftTransaction } from '../../src/api/nftables/transaction.js';
import { encodeElements } from '../../src/api/nftables/nftables.js';
import * as x from '../../src/api/nftables/expressions.js';
import { batchMessages, type NftOp } from '../../src/nftables/batch.js';
import { NLM_F_REQUEST } from '../../src/netlink/constants.js';
import { parseMessages } from '../../src/netlink/message.js';
import { NlWriter } from '../../src/netlink/writer.js';
import { SetAttrs } from '../../src/nftables/set.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/nft/requests.json', import.meta.url), 'utf8')) as {
  captures: { command: string; datagrams: string[] }[];
};
const captured = (command: string): Buffer => {
  const c = fixture.captures.find((x) => x.command === command);
  if (!c) throw new Error(`no capture of ${command}`);
  return Buffer.from(c.datagrams.find((d) => d.startsWith('14000000100001'))!, 'hex');
};

/** The datagram of a batch, numbered from 0, as nft sends it. */
function encode(ops: NftOp[]): Buffer {
  const w = new NlWriter();
  batchMessages(ops, { ack: false, echo: false }).forEach((m, seq) => {
    const s = w.beginMessage(m.type, m.flags | NLM_F_REQUEST, seq, 0);
    m.body?.(w);
    w.endMessage(s);
  });
  return w.toBuffer();
}
const hexMessages = (b: Buffer): string[] => parseMessages(b).map((m) => b.subarray(m.start - 16, m.end).toString('hex'));
const tx = (build: (t: NftTransaction) => void): NftOp[] => {
  const t = new NftTransaction();
  build(t);
  return t.ops;
};
const T = { family: 'ip', table: 'nk' } as const;

/** Each command of the capture and how it is built here. */
const CASES: [string, () => NftOp[]][] = [
  ['add table ip nk', () => tx((t) => t.addTable({ family: 'ip', name: 'nk' }))],
  ['add chain ip nk pre { type nat hook prerouting priority dstnat; policy accept; }', () => tx((t) => t.addChain({ ...T, name: 'pre', hook: { type: 'nat', hook: 'prerouting', priority: 'dstnat', policy: 'accept' } }))],
  ['add chain ip nk post { type nat hook postrouting priority srcnat; policy accept; }', () => tx((t) => t.addChain({ ...T, name: 'post', hook: { type: 'nat', hook: 'postrouting', priority: 'srcnat' } }))],
  ['add chain ip nk forward { type filter hook forward priority filter; policy drop; }', () => tx((t) => t.addChain({ ...T, name: 'forward', hook: { type: 'filter', hook: 'forward', priority: 'filter', policy: 'drop' } }))],
  ['add chain ip nk sub', () => tx((t) => t.addChain({ ...T, name: 'sub' }))],
  [
    'add map ip nk ports { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }',
    () =>
      tx((t) => {
        t.addSet({ ...T, name: 'ports', key: ['ipv4_addr', 'inet_proto', 'inet_service'], data: ['ipv4_addr', 'inet_service'] });
        // nft adds its own description of the concatenation ("typeof" data) to the userdata
        const op = t.ops[0] as NftOp & { kind: 'set'; verb: 'add' };
        const nftUdata = parseMessages(captured('add map ip nk ports { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }'))[1]!;
        op.set.userdata = SetAttrs.decode(nftUdata.buf, nftUdata.start + 4, nftUdata.end).userdata!;
      }),
  ],
  [
    'add element ip nk ports { 10.0.0.1 . tcp . 8080 : 172.17.0.2 . 80 }',
    () => [{ kind: 'elements', verb: 'add', set: { ...T, name: 'ports', id: 1 }, elements: encodeElements({ key: ['ipv4_addr', 'inet_proto', 'inet_service'], data: ['ipv4_addr', 'inet_service'], interval: false }, [{ key: ['10.0.0.1', 'tcp', 8080], value: ['172.17.0.2', 80] }], false) }],
  ],
  ['add rule ip nk pre dnat ip to ip daddr . meta l4proto . th dport map @ports', () => tx((t) => t.addRule({ ...T, chain: 'pre', exprs: x.dnatMap('ports', [x.load.ipDaddr, x.load.l4proto, x.load.thDport], { setId: 1 }) }))],
  [
    'add rule ip nk post ip saddr 172.17.0.0/16 oifname != "br0" counter masquerade comment "out"',
    () => tx((t) => t.addRule({ ...T, chain: 'post', exprs: [...x.ipSaddr('172.17.0.0/16'), ...x.oifname('br0', 'neq'), x.counter(), x.masquerade()], comment: 'out' })),
  ],
  ['add rule ip nk forward ct state established,related accept', () => tx((t) => t.addRule({ ...T, chain: 'forward', exprs: [...x.ctState('established', 'related'), x.accept()] }))],
  ['add rule ip nk forward iifname "br0" jump sub', () => tx((t) => t.addRule({ ...T, chain: 'forward', exprs: [...x.iifname('br0'), x.jump('sub')] }))],
  ['add set ip nk s4 { type ipv4_addr; flags interval; }', () => tx((t) => t.addSet({ ...T, name: 's4', key: 'ipv4_addr', flags: ['interval'] }))],
  ['add rule ip nk pre tcp dport 80 dnat to 10.0.0.2:8080', () => tx((t) => t.addRule({ ...T, chain: 'pre', exprs: [...x.tcpDport(80), ...x.dnat({ addr: '10.0.0.2', port: 8080 })] }))],
  ['add rule ip nk sub ip saddr @s4 drop', () => tx((t) => t.addRule({ ...T, chain: 'sub', exprs: [...x.inSet('s4', [x.load.ipSaddr], { setId: 2 }), x.drop()] }))],
  ['add map ip nk vm { type ipv4_addr : verdict; }', () => tx((t) => t.addSet({ ...T, name: 'vm', key: 'ipv4_addr', data: 'verdict' }))],
  [
    'add element ip nk vm { 10.2.0.1 : jump sub }',
    () => [{ kind: 'elements', verb: 'add', set: { ...T, name: 'vm', id: 3 }, elements: encodeElements({ key: ['ipv4_addr'], data: 'verdict', interval: false }, [{ key: '10.2.0.1', verdict: { kind: 'jump', chain: 'sub' } }], false) }],
  ],
  ['add rule ip nk forward ip daddr vmap @vm', () => tx((t) => t.addRule({ ...T, chain: 'forward', exprs: x.vmap('vm', [x.load.ipDaddr], { setId: 3 }) }))],
  ['add rule ip nk forward meta l4proto udp udp dport 53 counter accept', () => tx((t) => t.addRule({ ...T, chain: 'forward', exprs: [...x.udpDport(53), x.counter(), x.accept()] }))],
  ['add table inet nk2 { flags dormant; }', () => tx((t) => t.addTable({ family: 'inet', name: 'nk2', dormant: true }))],
  ['delete table ip nk', () => tx((t) => t.deleteTable({ family: 'ip', name: 'nk' }))],
];

describe('nf_tables requests equal nft 1.0.6', () => {
  for (const [command, build] of CASES) {
    it(command, () => {
      expect(hexMessages(encode(build()))).toEqual(hexMessages(captured(command)));
    });
  }
});
