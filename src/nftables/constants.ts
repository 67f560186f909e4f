/**
 * nf_tables constants (linux/netfilter/nf_tables.h, nfnetlink.h, nf_nat.h,
 * nf_conntrack_common.h) and the names netns-kit uses for them.
 * @internal
 * @module
 */

/** NETLINK_NETFILTER: the netlink protocol of nfnetlink. */
export const NETLINK_NETFILTER = 12;
/** NFNL_SUBSYS_NFTABLES: the subsystem id in the high byte of nlmsg_type. */
export const NFNL_SUBSYS_NFTABLES = 10;
/** NFNL_MSG_BATCH_BEGIN / END (NLMSG_MIN_TYPE, + 1). */
export const NFNL_MSG_BATCH_BEGIN = 0x10;
export const NFNL_MSG_BATCH_END = 0x11;
/** NFNL_BATCH_GENID: the generation a batch expects (be32). */
export const NFNL_BATCH_GENID = 1;
/** NFNLGRP_NFTABLES: the multicast group of nf_tables changes. */
export const NFNLGRP_NFTABLES = 7;
/** NFNETLINK_V0 */
export const NFNETLINK_V0 = 0;

/** enum nf_tables_msg_types (and the DESTROY* of kernels 6.3+). */
export const NFT_MSG = {
  NEWTABLE: 0,
  GETTABLE: 1,
  DELTABLE: 2,
  NEWCHAIN: 3,
  GETCHAIN: 4,
  DELCHAIN: 5,
  NEWRULE: 6,
  GETRULE: 7,
  DELRULE: 8,
  NEWSET: 9,
  GETSET: 10,
  DELSET: 11,
  NEWSETELEM: 12,
  GETSETELEM: 13,
  DELSETELEM: 14,
  NEWGEN: 15,
  GETGEN: 16,
  TRACE: 17,
  NEWOBJ: 18,
  GETOBJ: 19,
  DELOBJ: 20,
  GETOBJ_RESET: 21,
  NEWFLOWTABLE: 22,
  GETFLOWTABLE: 23,
  DELFLOWTABLE: 24,
  GETRULE_RESET: 25,
  DESTROYTABLE: 26,
  DESTROYCHAIN: 27,
  DESTROYRULE: 28,
  DESTROYSET: 29,
  DESTROYSETELEM: 30,
} as const;

/** nlmsg_type of an nf_tables message. */
export const nftType = (msg: number): number => (NFNL_SUBSYS_NFTABLES << 8) | msg;

/** Table families (NFPROTO_*), by the name nft uses. */
export const FAMILIES: Record<NftFamily | 'unspec', number> = { unspec: 0, inet: 1, ip: 2, arp: 3, netdev: 5, bridge: 7, ip6: 10 };
/** A table family as nft names it. */
export type NftFamily = 'inet' | 'ip' | 'ip6' | 'arp' | 'bridge' | 'netdev';
/** The nft name of a family number. */
export function familyName(n: number): NftFamily | `family${number}` {
  for (const [k, v] of Object.entries(FAMILIES)) if (v === n && k !== 'unspec') return k as NftFamily;
  return `family${n}`;
}

/** enum nft_table_flags (PERSIST: kernels 6.9+). */
export const NFT_TABLE_F_DORMANT = 0x1;
export const NFT_TABLE_F_OWNER = 0x2;
export const NFT_TABLE_F_PERSIST = 0x4;

/** enum nft_chain_flags */
export const NFT_CHAIN_BASE = 0x1;
export const NFT_CHAIN_HW_OFFLOAD = 0x2;
export const NFT_CHAIN_BINDING = 0x4;

/** Netfilter hooks (NF_INET_*, NF_NETDEV_*), by the name nft uses. */
export const HOOKS: Record<NftHook, number> = { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4, ingress: 0, egress: 1 };
/** A netfilter hook name. */
export type NftHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting' | 'ingress' | 'egress';
/** The hook name of a number in a family (netdev: ingress/egress). */
export function hookName(family: number, n: number): NftHook | `hook${number}` {
  if (family === FAMILIES.netdev) return n === 0 ? 'ingress' : n === 1 ? 'egress' : `hook${n}`;
  const names = ['prerouting', 'input', 'forward', 'output', 'postrouting', 'ingress'] as const;
  return names[n] ?? `hook${n}`;
}

/** Named chain priorities of nft (ip/ip6/inet; bridge has its own). */
export const PRIORITIES: Record<NamedPriority, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };
/** A chain priority by nft's name. */
export type NamedPriority = 'raw' | 'mangle' | 'dstnat' | 'filter' | 'security' | 'srcnat';

/** Verdict codes (NF_DROP, NF_ACCEPT, NF_QUEUE, and enum nft_verdicts). */
export const VERDICTS: Record<VerdictName, number> = { drop: 0, accept: 1, queue: 3, continue: -1, break: -2, jump: -3, goto: -4, return: -5 };
/** A verdict name. */
export type VerdictName = 'drop' | 'accept' | 'queue' | 'continue' | 'break' | 'jump' | 'goto' | 'return';

/** enum nft_registers: the 16-byte NFT_REG_1..4 and the 32-bit NFT_REG32_00..15. */
export const NFT_REG_VERDICT = 0;
export const NFT_REG_1 = 1;
export const NFT_REG32_00 = 8;

/** enum nft_set_flags */
export const NFT_SET: Record<NftSetFlag, number> = {
  anonymous: 0x1,
  constant: 0x2,
  interval: 0x4,
  map: 0x8,
  timeout: 0x10,
  eval: 0x20,
  object: 0x40,
  concat: 0x80,
  expr: 0x100,
};
/** A set flag (NFT_SET_*). */
export type NftSetFlag = 'anonymous' | 'constant' | 'interval' | 'map' | 'timeout' | 'eval' | 'object' | 'concat' | 'expr';

/** enum nft_set_elem_flags */
export const NFT_SET_ELEM_INTERVAL_END = 0x1;
export const NFT_SET_ELEM_CATCHALL = 0x2;

/** enum nft_data_types: NFT_DATA_VALUE and NFT_DATA_VERDICT as set data types. */
export const NFT_DATA_VALUE = 0;
export const NFT_DATA_VERDICT = 0xffffff00;

/** enum nft_cmp_ops, by name. */
export const CMP_OPS: Record<CmpOp, number> = { eq: 0, neq: 1, lt: 2, lte: 3, gt: 4, gte: 5 };
/** A comparison. */
export type CmpOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte';

/** enum nft_payload_bases, by name. */
export const PAYLOAD_BASES: Record<PayloadBase, number> = { ll: 0, network: 1, transport: 2, inner: 3, tunnel: 4 };
/** A payload base (which header). */
export type PayloadBase = 'll' | 'network' | 'transport' | 'inner' | 'tunnel';

/** enum nft_meta_keys, by the name nft uses. */
export const META_KEYS: Record<MetaKey, number> = {
  length: 0,
  protocol: 1,
  priority: 2,
  mark: 3,
  iif: 4,
  oif: 5,
  iifname: 6,
  oifname: 7,
  iiftype: 8,
  oiftype: 9,
  skuid: 10,
  skgid: 11,
  nftrace: 12,
  rtclassid: 13,
  secmark: 14,
  nfproto: 15,
  l4proto: 16,
  ibrname: 17,
  obrname: 18,
  pkttype: 19,
  cpu: 20,
  iifgroup: 21,
  oifgroup: 22,
  cgroup: 23,
  random: 24,
  secpath: 25,
  iifkind: 26,
  oifkind: 27,
  ibrpvid: 28,
  ibrvproto: 29,
  time: 30,
  day: 31,
  hour: 32,
  sdif: 33,
  sdifname: 34,
};
/** A meta key (packet property). */
export type MetaKey = 'length' | 'protocol' | 'priority' | 'mark' | 'iif' | 'oif' | 'iifname' | 'oifname' | 'iiftype' | 'oiftype' | 'skuid' | 'skgid' | 'nftrace' | 'rtclassid' | 'secmark' | 'nfproto' | 'l4proto' | 'ibrname' | 'obrname' | 'pkttype' | 'cpu' | 'iifgroup' | 'oifgroup' | 'cgroup' | 'random' | 'secpath' | 'iifkind' | 'oifkind' | 'ibrpvid' | 'ibrvproto' | 'time' | 'day' | 'hour' | 'sdif' | 'sdifname';

/** enum nft_ct_keys, by the name nft uses. */
export const CT_KEYS: Record<CtKey, number> = {
  state: 0,
  direction: 1,
  status: 2,
  mark: 3,
  secmark: 4,
  expiration: 5,
  helper: 6,
  l3proto: 7,
  saddr: 8,
  daddr: 9,
  protocol: 10,
  'proto-src': 11,
  'proto-dst': 12,
  label: 13,
  packets: 14,
  bytes: 15,
  avgpkt: 16,
  zone: 17,
  event: 18,
  'ip saddr': 19,
  'ip daddr': 20,
  'ip6 saddr': 21,
  'ip6 daddr': 22,
  id: 23,
};
/** A conntrack key. */
export type CtKey = 'state' | 'direction' | 'status' | 'mark' | 'secmark' | 'expiration' | 'helper' | 'l3proto' | 'saddr' | 'daddr' | 'protocol' | 'proto-src' | 'proto-dst' | 'label' | 'packets' | 'bytes' | 'avgpkt' | 'zone' | 'event' | 'ip saddr' | 'ip daddr' | 'ip6 saddr' | 'ip6 daddr' | 'id';

/** Conntrack states as `ct state` bits (NF_CT_STATE_BIT, NF_CT_STATE_INVALID_BIT, NF_CT_STATE_UNTRACKED_BIT). */
export const CT_STATES: Record<CtState, number> = { invalid: 1, established: 2, related: 4, new: 8, untracked: 64 };
/** A conntrack state. */
export type CtState = 'invalid' | 'established' | 'related' | 'new' | 'untracked';

/** enum nft_nat_types */
export const NFT_NAT_SNAT = 0;
export const NFT_NAT_DNAT = 1;

/** NF_NAT_RANGE_* flags, by name. */
export const NAT_FLAGS: Record<NatFlag, number> = {
  'map-ips': 0x1,
  'proto-specified': 0x2,
  random: 0x4,
  persistent: 0x8,
  'fully-random': 0x10,
  'proto-offset': 0x20,
  netmap: 0x40,
};
/** A NAT flag (NF_NAT_RANGE_*). */
export type NatFlag = 'map-ips' | 'proto-specified' | 'random' | 'persistent' | 'fully-random' | 'proto-offset' | 'netmap';

/** enum nft_fib_result */
export const FIB_RESULTS: Record<FibResult, number> = { oif: 1, oifname: 2, type: 3 };
/** What a fib lookup returns. */
export type FibResult = 'oif' | 'oifname' | 'type';
/** enum nft_fib_flags, by name. */
export const FIB_FLAGS: Record<FibFlag, number> = { saddr: 1, daddr: 2, mark: 4, iif: 8, oif: 16, present: 32 };
/** What a fib lookup uses. */
export type FibFlag = 'saddr' | 'daddr' | 'mark' | 'iif' | 'oif' | 'present';

/** enum nft_range_ops */
export const RANGE_OPS = { eq: 0, neq: 1 } as const;

/** enum nft_bitwise_ops */
export const BITWISE_OPS: Record<BitwiseOp, number> = { bool: 0, lshift: 1, rshift: 2 };
/** A bitwise operation. */
export type BitwiseOp = 'bool' | 'lshift' | 'rshift';

/** enum nft_lookup_flags */
export const NFT_LOOKUP_F_INV = 0x1;

/** NFTNL_UDATA_RULE_COMMENT (libnftnl): the rule comment in NFTA_RULE_USERDATA. */
export const NFTNL_UDATA_RULE_COMMENT = 0;
/** NFTNL_UDATA_SET_* (libnftnl): what nft stores in NFTA_SET_USERDATA. */
export const NFTNL_UDATA_SET_KEYBYTEORDER = 0;
export const NFTNL_UDATA_SET_DATABYTEORDER = 1;
export const NFTNL_UDATA_SET_DATA_INTERVAL = 6;
export const NFTNL_UDATA_SET_COMMENT = 7;
/** NFTNL_UDATA_TABLE_COMMENT and NFTNL_UDATA_CHAIN_COMMENT (libnftnl). */
export const NFTNL_UDATA_TABLE_COMMENT = 0;
export const NFTNL_UDATA_CHAIN_COMMENT = 0;
