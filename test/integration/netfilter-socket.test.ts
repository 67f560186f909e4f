/**
 * NETLINK_NETFILTER through the same NetlinkConnection (and native socket) as NETLINK_ROUTE:
 * requests with replies, dumps, kernel errors with extended ACK, multicast notifications,
 * and no fd left behind. (The nf_tables layer builds on this; here only the transport.)
 */
import { describe, expect, it } from 'vitest';
import { NetlinkError } from '../../src/index.js';
import { NetlinkConnection, type NlWriter } from '../../src/netlink/index.js';
import { fdCount, rootSkip, sh, tempNamespace, useTempNamespaces } from '../helpers/env.js';

const NETLINK_NETFILTER = 12;
const NFNLGRP_NFTABLES = 7;
const nft = (msg: number): number => (10 /* NFNL_SUBSYS_NFTABLES */ << 8) | msg;
const NFT_MSG_NEWTABLE = 0;
const NFT_MSG_GETTABLE = 1;
const NFT_MSG_NEWGEN = 15;
const NFT_MSG_GETGEN = 16;
/** struct nfgenmsg: family, version, res_id (big endian). */
const nfgen = (w: NlWriter, family = 0): void => {
  w.u8(family).u8(0 /* NFNETLINK_V0 */).be16(0);
};

describe.skipIf(!!rootSkip)('NETLINK_NETFILTER connection', () => {
  useTempNamespaces();

  it('request, dump, kernel error, notification — like NETLINK_ROUTE — and no fd left', async () => {
    const ns = await tempNamespace('nfsock');
    const base = fdCount();
    const conn = await NetlinkConnection.open({ protocol: NETLINK_NETFILTER, nsFd: ns.fd, groups: [NFNLGRP_NFTABLES] });
    const gen = await conn.request(nft(NFT_MSG_GETGEN), 0, (w) => nfgen(w), { operation: 'get ruleset generation' });
    expect(gen.map((m) => m.type)).toEqual([nft(NFT_MSG_NEWGEN)]);
    expect(await conn.dumpAll(nft(NFT_MSG_GETTABLE), 0, (w) => nfgen(w), { operation: 'dump tables' })).toEqual([]);
    const missing = await conn
      .request(nft(NFT_MSG_GETTABLE), 0, (w) => {
        nfgen(w, 2 /* NFPROTO_IPV4 */);
        w.attrString(1 /* NFTA_TABLE_NAME */, 'nope');
      }, { operation: 'get table', object: 'ip nope' })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NetlinkError);
    expect((missing as NetlinkError).code).toBe('ENOENT');
    const notified = new Promise<number>((resolve) => {
      conn.onNotification = (m) => resolve(m.type);
    });
    sh('ip', ['netns', 'exec', ns.name!, 'nft', 'add', 'table', 'ip', 'nk_transport']);
    expect(await notified).toBe(nft(NFT_MSG_NEWTABLE));
    const tables = await conn.dumpAll(nft(NFT_MSG_GETTABLE), 0, (w) => nfgen(w), { operation: 'dump tables' });
    expect(tables.length).toBe(1);
    expect(conn.stats.overflows).toBe(0);
    conn.close();
    expect(fdCount()).toBe(base);
  });
});
