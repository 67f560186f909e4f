/**
 * Container runtimes' network programs, called the way a runtime calls them, each process
 * started with `nsenter --net=/run/netns/HOST` so the throwaway HOST namespace stands in for
 * the host (the machine's own namespace is never touched):
 *
 * - a CNI plugin (`/usr/lib/cni/bridge`, …): CNI_COMMAND / CNI_CONTAINERID / CNI_NETNS /
 *   CNI_IFNAME / CNI_PATH in the environment, the network configuration on stdin, the result
 *   on stdout;
 * - Podman's `netavark --config DIR setup|teardown NETNS_PATH`, the network options JSON on
 *   stdin (Podman's own IPAM has chosen the addresses: they come as `static_ips`).
 *
 * The bench may spawn processes; the library never does. When bench/cpu-time.c is compiled,
 * the CPU time of each call (the program and every process it waited for: `host-local`,
 * `iptables`) is added up; takeCpu() returns it and starts again.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuTimerPath, workDir } from './env.mjs';

/** Where Debian's containernetworking-plugins puts the reference CNI plugins. */
export const CNI_DIR = '/usr/lib/cni';
/** Where Debian's netavark package puts Podman's network program. */
export const NETAVARK = '/usr/lib/podman/netavark';

let cpuUs = 0;
let runs = 0;

/** CPU µs (user + system) of the calls since the last take. */
export function takeCpu() {
  const c = cpuUs;
  cpuUs = 0;
  return c;
}

/** Why the CNI reference plugins `names` cannot be used (undefined: they can). */
export function cniMissing(...names) {
  const gone = names.filter((n) => !existsSync(join(CNI_DIR, n)));
  return gone.length ? `${gone.join(', ')} not installed in ${CNI_DIR} (Debian package containernetworking-plugins)` : undefined;
}

/** Why netavark cannot be used (undefined: it can). */
export function netavarkMissing() {
  if (!existsSync(NETAVARK)) return `${NETAVARK} not installed (Debian package netavark)`;
  const ipt = ['/usr/sbin/iptables', '/sbin/iptables', '/usr/bin/iptables'].some((p) => existsSync(p));
  return ipt ? undefined : 'iptables not installed (netavark 1.4 has no nftables driver; Debian package iptables)';
}

/** Runs `argv` in namespace `host` with `env` and `stdin`; resolves with its stdout. */
function inHost(host, argv, env, stdin) {
  return new Promise((resolve, reject) => {
    const timer = cpuTimerPath();
    const tf = join(workDir, `rt-cpu-${runs++}.txt`);
    const full = [`--net=/run/netns/${host}`, ...argv];
    const child = timer ? spawn(timer, [tf, 'nsenter', ...full], { env, stdio: ['pipe', 'pipe', 'pipe'] }) : spawn('nsenter', full, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) {
        try {
          const [u, s] = readFileSync(tf, 'utf8').trim().split(/\s+/).map(Number);
          cpuUs += u + s;
        } catch {
          /* not written: the call failed */
        }
      }
      if (code === 0) resolve(out);
      else reject(new Error(`${argv.join(' ')}: exit ${code}: ${out}${err}`));
    });
    child.stdin.on('error', () => undefined); // a program that exits without reading its stdin
    child.stdin.end(stdin);
  });
}

/** Calls CNI plugin `plugin` (a path) as a runtime does: resolves with its parsed result (ADD) or undefined. */
export async function cniCall(host, plugin, command, conf, containerId, netns, ifname = 'eth0', extraEnv = {}) {
  const env = { PATH: process.env.PATH, CNI_COMMAND: command, CNI_CONTAINERID: containerId, CNI_NETNS: netns, CNI_IFNAME: ifname, CNI_PATH: CNI_DIR, ...extraEnv };
  const out = await inHost(host, [plugin], env, JSON.stringify(conf));
  return out ? JSON.parse(out) : undefined;
}

/**
 * `netavark --config CONFIGDIR setup|teardown NETNS < opts` in namespace `host`, with the
 * iptables firewall driver (NETAVARK_FW: 1.4 has no nftables driver; without it netavark
 * asks D-Bus whether firewalld runs). Resolves with the parsed output (setup) or undefined.
 */
export async function netavarkCall(host, configDir, command, netns, opts) {
  const env = { PATH: process.env.PATH, NETAVARK_FW: 'iptables' };
  const out = await inHost(host, [NETAVARK, '--config', configDir, command, netns], env, JSON.stringify(opts));
  return out.trim() ? JSON.parse(out) : undefined;
}

/**
 * Netavark's network options for one container on a bridge network (what Podman writes to
 * its stdin; test/testfiles/simplebridge.json in netavark's repository has the shape).
 */
export function netavarkOptions({ containerId, name, network, bridge, subnet, gateway, ip }) {
  return {
    container_id: containerId,
    container_name: name,
    networks: { [network]: { interface_name: 'eth0', static_ips: [ip] } },
    network_info: {
      [network]: {
        dns_enabled: false,
        driver: 'bridge',
        id: network.padEnd(64, '0').slice(0, 64).replace(/[^0-9a-f]/g, 'a'),
        internal: false,
        ipv6_enabled: false,
        name: network,
        network_interface: bridge,
        subnets: [{ gateway, subnet }],
      },
    },
  };
}
