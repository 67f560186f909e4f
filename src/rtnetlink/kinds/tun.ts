/**
 * tun and tap (IFLA_TUN_*, IFLA_INFO_DATA of kind `tun`, linux/if_link.h) and the IFF_* flags
 * of linux/if_tun.h.
 * @internal
 * @module
 */
import { type AttributesInputOf, type AttributesOf, defineAttributes, type Schema } from '../../netlink/attributes.js';
import { registerLinkKind } from '../link-kind-registry.js';

const IFLA_TUN_FIELDS = {
  /** IFLA_TUN_OWNER (u32). */
  owner: { nla: 1, type: 'u32' },
  /** IFLA_TUN_GROUP (u32). */
  group: { nla: 2, type: 'u32' },
  /** IFLA_TUN_TYPE (u8). */
  type: { nla: 3, type: 'u8' },
  /** IFLA_TUN_PI (u8). */
  pi: { nla: 4, type: 'u8' },
  /** IFLA_TUN_VNET_HDR (u8). */
  vnetHdr: { nla: 5, type: 'u8' },
  /** IFLA_TUN_PERSIST (u8). */
  persist: { nla: 6, type: 'u8' },
  /** IFLA_TUN_MULTI_QUEUE (u8). */
  multiQueue: { nla: 7, type: 'u8' },
  /** IFLA_TUN_NUM_QUEUES (u32). */
  numQueues: { nla: 8, type: 'u32' },
  /** IFLA_TUN_NUM_DISABLED_QUEUES (u32). */
  numDisabledQueues: { nla: 9, type: 'u32' },
} as const;
/**
 * Decoded IFLA_TUN_* attributes (kind `tun`).
 * @interface
 */
export type TunAttributes = AttributesOf<typeof IFLA_TUN_FIELDS>;
/** IFLA_TUN_* (kind `tun`; reported by the kernel, which refuses to create tun over rtnetlink). */
export const TunAttrs: Schema<TunAttributes, AttributesInputOf<typeof IFLA_TUN_FIELDS>> = defineAttributes('IFLA_TUN', IFLA_TUN_FIELDS);

/** IFF_* flags of TUNSETIFF (linux/if_tun.h). */
export const IFF_TUN = 0x0001;
export const IFF_TAP = 0x0002;
export const IFF_NAPI = 0x0010;
export const IFF_NAPI_FRAGS = 0x0020;
export const IFF_NO_CARRIER = 0x0040;
export const IFF_NO_PI = 0x1000;
export const IFF_ONE_QUEUE = 0x2000;
export const IFF_VNET_HDR = 0x4000;
export const IFF_TUN_EXCL = 0x8000;
export const IFF_MULTI_QUEUE = 0x0100;

declare module '../link-kind-registry.js' {
  interface LinkKindDataMap {
    /** tun and tap: IFLA_TUN_*. */
    tun: TunAttributes;
  }
}

registerLinkKind('tun', TunAttrs as Schema<object>);
