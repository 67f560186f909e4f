/**
 * The IPAM of a network: `host-local` in-process, any other type delegated to its plugin.
 * @module
 */
import { access, constants, mkdir } from 'node:fs/promises';
import type { BridgeConf, CniEnv } from '../config.js';
import { CniCode, CniError, parseResult, type CniResult } from '../spec.js';
import { HostLocal } from './host-local.js';
import { contains, parseIpNet } from '../ipnet.js';

/** What a network's IPAM can do. */
export interface Ipam {
  /** Allocates the container's addresses (with routes and DNS). */
  add(): Promise<CniResult>;
  /** Releases them (idempotent). */
  del(): Promise<void>;
  /** Checks that the addresses of `prev` are still held. */
  check(prev: CniResult): Promise<void>;
  /** Releases every allocation not in the configuration's valid attachments. */
  gc(): Promise<void>;
  /** Ready to allocate? CniError code 50 when not. */
  status(): Promise<void>;
}

/** The IPAM for `conf` (validates the configuration; touches nothing). */
export function ipamFor(conf: BridgeConf, env: CniEnv): Ipam | undefined {
  const c = conf.ipam;
  if (!c) return undefined;
  if (c.type === 'host-local') {
    const hl = new HostLocal(c, conf.name);
    return {
      add: () => hl.add(env.containerId, env.ifname, conf.ips),
      del: () => hl.del(env.containerId, env.ifname),
      async check(prev) {
        const held = await hl.held(env.containerId, env.ifname);
        for (const ip of prev.ips ?? []) {
          if (held.includes(ip.address.split('/')[0]!)) continue;
          // an address of another plugin of the chain is not ours to check
          if (!hl.subnets().some((s) => subnetContains(s, ip.address))) continue;
          throw new CniError(CniCode.CHECK_MISMATCH, `host-local: Failed to find address added by container ${env.containerId}`, ip.address);
        }
      },
      async gc() {
        await hl.gc(conf.validAttachments ?? []);
      },
      async status() {
        try {
          await mkdir(c.dataDir, { recursive: true, mode: 0o755 });
          await access(c.dataDir, constants.W_OK);
        } catch (e) {
          throw new CniError(CniCode.NOT_AVAILABLE, `host-local dataDir ${c.dataDir} is not writable`, (e as Error).message);
        }
      },
    };
  }
  const run = async (command: 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS'): Promise<unknown> => {
    const { execIpam } = await import('./delegate.js');
    // the call's environment (a daemon's own has no CNI_*), CNI_NETNS where this process opens it
    const callEnv = env.netnsPath ? { ...env.environment, CNI_NETNS: env.netnsPath } : env.environment;
    return execIpam(c.type, command, env.path, conf.raw, callEnv);
  };
  return {
    async add() {
      const r = parseResult(await run('ADD'), `IPAM plugin ${c.type}'s result`);
      if (!r.ips?.length) throw new CniError(CniCode.IPAM_PLUGIN, 'IPAM plugin returned missing IP config');
      return r;
    },
    async del() {
      await run('DEL');
    },
    async check() {
      await run('CHECK');
    },
    async gc() {
      await run('GC');
    },
    async status() {
      await run('STATUS');
    },
  };
}

function subnetContains(subnet: string, address: string): boolean {
  const s = parseIpNet(subnet);
  const a = parseIpNet(address);
  return !!s && !!a && contains(s.net, a.ip);
}
