/**
 * Workload 8: the CNI plugin as a runtime runs it — one process per call, so start-up counts.
 * Whole-process times, each call started with `nsenter --net=HOST` (the same start-up for
 * every implementation) in a throwaway host namespace, the container namespaces made
 * beforehand:
 *  - ADD alone, no masquerade: `netns-kit-bridge` vs the reference `bridge` (which runs
 *    `host-local` as a second process);
 *  - ADD + DEL with ipMasq and one published port: `netns-kit-bridge` (nf_tables in-process)
 *    vs the reference chain `bridge`(ipMasq) + `portmap` (iptables), as a runtime calls it
 *    (ADD bridge, ADD portmap, DEL portmap, DEL bridge).
 * Each with the Node plugin (a Node process per call) and with the fast plugin (a static shim
 * per call handing it to `netns-kit-cni serve`, started once here; its CPU time is counted in).
 * Skipped, with the reason, when the reference plugins are not installed.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropNamespace, tempNamespace, workDir } from '../lib/env.mjs';
import { timed } from '../lib/measure.mjs';
import { CNI_DIR as REF, cniCall, takeCpu } from '../lib/runtimes.mjs';

const OURS = fileURLToPath(new URL('../../dist/cni/bin.js', import.meta.url));
/** The fast plugin: the static shim handing each call to the resident daemon (`netns-kit-cni serve`). */
const FAST = fileURLToPath(new URL('../../build/Release/netns-kit-cni', import.meta.url));
const daemonSocket = join(workDir, 'cni-daemon.sock');

/** Starts `netns-kit-cni serve` (in the machine's namespace: it works in each caller's, never its own). */
async function startDaemon() {
  const child = spawn(process.execPath, [OURS, 'serve', '--socket', daemonSocket], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  for (let i = 0; i < 200 && !/serving/.test(err); i++) {
    if (child.exitCode !== null) throw new Error(`netns-kit-cni serve exited: ${err}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!/serving/.test(err)) throw new Error(`netns-kit-cni serve did not start: ${err}`);
  return child;
}

/** CPU µs (user + system) a process has used so far (from /proc; 10 ms ticks). */
function processCpuUs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}

/** A call as a runtime makes it; the fast plugin is told where the daemon listens. */
function call(host, plugin, command, conf, containerId, netns) {
  return cniCall(host, plugin, command, conf, containerId, netns, 'eth0', plugin === FAST ? { NETNS_KIT_CNI_SOCKET: daemonSocket } : {});
}

export async function run(ctx) {
  const W = 'CNI plugin (a process per call)';
  const opAdd = 'ADD, bridge + host-local, no masquerade';
  const opChain = 'ADD + DEL, ipMasq + 1 published port';
  const { results } = ctx;
  if (!existsSync(join(REF, 'bridge')) || !existsSync(join(REF, 'host-local')) || !existsSync(join(REF, 'portmap'))) {
    for (const op of [opAdd, opChain]) results.notApplicable(W, op, 'reference plugins', `not installed in ${REF} (containernetworking-plugins)`);
    return;
  }
  chmodSync(OURS, 0o755);
  const fast = existsSync(FAST);
  if (!fast) for (const op of [opAdd, opChain]) results.notApplicable(W, op, 'netns-kit fast plugin + daemon', `${FAST} is not built (npm run build)`);
  const daemon = fast ? await startDaemon() : undefined;
  const daemonCpu = () => (daemon ? processCpuUs(daemon.pid) : 0);
  // 10 calls of each kind per repetition: each Node plugin call costs a Node start (~0.1–0.4 s here)
  const N = ctx.scale(10);
  const dir = mkdtempSync(join(tmpdir(), 'nk-bench-cni-'));
  const host = await tempNamespace('cnih');
  const conts = [];
  for (let i = 0; i < N; i++) conts.push(await tempNamespace(`cnic${i}`));
  const conf = (type, masq) => ({
    cniVersion: '1.0.0',
    name: `bench-${type}`,
    type,
    bridge: type === 'bridge' ? 'cnib-ref' : 'cnib-nk',
    isGateway: true,
    ipMasq: masq,
    ipam: { type: 'host-local', ranges: [[{ subnet: type === 'bridge' ? '10.77.0.0/16' : '10.78.0.0/16' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: dir },
  });
  const mappings = [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }];
  let round = 0;
  try {
    for (const rep of ctx.repetitions(W)) {
      void rep;
      const id = (i) => `b${round}x${i}`;
      round++;
      // ADD alone (the DELs after are not timed)
      for (const [impl, plugin, type, ref] of [
        // the fast plugin is the row compared (what a user running the daemon gets), else the Node plugin
        ...(fast ? [['netns-kit fast plugin + resident daemon', FAST, 'netns-kit-bridge', true]] : []),
        ['netns-kit-bridge (Node, in-process host-local)', OURS, 'netns-kit-bridge', !fast],
        ['reference bridge + host-local (2 processes)', join(REF, 'bridge'), 'bridge', false],
      ]) {
        const c = conf(type, false);
        let us = 0;
        let cpu = 0;
        for (let i = 0; i < N; i++) {
          takeCpu();
          const d0 = plugin === FAST ? daemonCpu() : 0;
          const [t] = await timed(() => call(host.name, plugin, 'ADD', c, id(i), `/run/netns/${conts[i].name}`));
          us += t;
          cpu += takeCpu() + (plugin === FAST ? daemonCpu() - d0 : 0);
          await call(host.name, plugin, 'DEL', c, id(i), `/run/netns/${conts[i].name}`);
        }
        results.record(W, opAdd, impl, { us, cpuUs: cpu || undefined }, N, { ref, note: plugin === FAST ? 'nsenter + the shim per call; CPU includes the daemon' : 'nsenter + the plugin, per call' });
      }
      // ADD + DEL with masquerade and a published port
      for (const [impl, plugin, ref] of [
        ...(fast ? [['netns-kit fast plugin + resident daemon: 2 calls', FAST, true]] : []),
        ['netns-kit-bridge (Node, nf_tables in-process): 2 processes', OURS, !fast],
      ]) {
        const c = { ...conf('netns-kit-bridge', true), runtimeConfig: { portMappings: mappings } };
        let us = 0;
        takeCpu();
        const d0 = daemonCpu();
        for (let i = 0; i < N; i++) {
          const ns = `/run/netns/${conts[i].name}`;
          const [t] = await timed(async () => {
            await call(host.name, plugin, 'ADD', c, id(i), ns);
            await call(host.name, plugin, 'DEL', c, id(i), ns);
          });
          us += t;
        }
        const cpu = takeCpu() + (plugin === FAST ? daemonCpu() - d0 : 0);
        results.record(W, opChain, impl, { us, cpuUs: cpu || undefined }, N, { ref, ...(plugin === FAST ? { note: 'CPU includes the daemon' } : {}) });
      }
      {
        const c = conf('bridge', true);
        let us = 0;
        takeCpu();
        for (let i = 0; i < N; i++) {
          const ns = `/run/netns/${conts[i].name}`;
          const [t] = await timed(async () => {
            const r = await call(host.name, join(REF, 'bridge'), 'ADD', c, id(i), ns);
            const pm = { cniVersion: '1.0.0', name: c.name, type: 'portmap', capabilities: { portMappings: true }, runtimeConfig: { portMappings: mappings }, prevResult: r };
            await call(host.name, join(REF, 'portmap'), 'ADD', pm, id(i), ns);
            await call(host.name, join(REF, 'portmap'), 'DEL', pm, id(i), ns);
            await call(host.name, join(REF, 'bridge'), 'DEL', c, id(i), ns);
          });
          us += t;
        }
        results.record(W, opChain, 'reference bridge + host-local + portmap (iptables): 6 processes', { us, cpuUs: takeCpu() || undefined }, N);
      }
    }
  } finally {
    daemon?.kill('SIGTERM');
    if (daemon && daemon.exitCode === null) await new Promise((r) => daemon.once('exit', r));
    for (const c of [...conts, host]) await dropNamespace(c);
    rmSync(dir, { recursive: true, force: true });
  }
}
