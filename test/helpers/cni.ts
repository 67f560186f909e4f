/**
 * Running CNI plugins the way a runtime does: one process per call, CNI_* in the
 * environment, the configuration on stdin. The plugin runs inside a "host" namespace the
 * test made (`ip netns exec HOST`), so its own namespace — where the bridge goes — is never
 * the machine's.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import { type CniDaemon, serveCni } from '../../src/cni/daemon.js';
import { skipReason, toolEnv } from './env.js';

/** The reference plugins (Debian's containernetworking-plugins). */
export const REF_DIR = '/usr/lib/cni';
/** Our plugin's compiled entry. */
export const OUR_BIN = resolve('dist/cni/bin.js');

/** The fast plugin: the static shim that hands calls to `netns-kit-cni serve` (built by node-gyp). */
export const FAST_BIN = resolve('build/Release/netns-kit-cni');

let daemonSocket: string | undefined;

/**
 * Makes `ourPlugin()` the fast plugin talking to the daemon on `socket` (undefined: the Node
 * script again). The daemon is the test's to start and stop.
 */
export function useDaemon(socket: string | undefined): void {
  daemonSocket = socket;
}

/** How a suite runs our plugin: the Node script per call, or the fast plugin with a resident daemon. */
export interface PluginMode {
  /** a label for test names. */
  name: string;
  /** the fast plugin with a daemon. */
  daemon: boolean;
  /** why this mode cannot run here (printed), or undefined. */
  skip: string | undefined;
}

/** Both modes; a suite run for each tests the plugin both ways. */
export const PLUGIN_MODES: PluginMode[] = [
  { name: 'Node plugin', daemon: false, skip: undefined },
  { name: 'fast plugin + resident daemon', daemon: true, skip: existsSync(FAST_BIN) ? undefined : skipReason(`the fast plugin ${FAST_BIN} is not built (npm run build)`) },
];

/**
 * Call in a describe block: for the daemon mode, starts a daemon (in this process) before the
 * block's tests and makes `ourPlugin()` the fast plugin talking to it; stops it after.
 * Returns the environment a runtime started by the test needs (NETNS_KIT_CNI_SOCKET), and
 * how many calls the daemon has answered (undefined without one).
 */
export function usePluginMode(mode: PluginMode): { env(): NodeJS.ProcessEnv; calls(): number | undefined } {
  let daemon: CniDaemon | undefined;
  if (mode.daemon) {
    beforeAll(async () => {
      const socket = join(mkdtempSync(join(tmpdir(), 'nk-cnid-')), 'cni.sock');
      daemon = await serveCni({ socket });
      useDaemon(socket);
    });
    afterAll(async () => {
      useDaemon(undefined);
      await daemon?.close();
      if (daemon) rmSync(dirname(daemon.socket), { recursive: true, force: true });
    });
  }
  return { env: () => (daemon ? { NETNS_KIT_CNI_SOCKET: daemon.socket } : {}), calls: () => daemon?.calls };
}

/**
 * Our plugin as the current mode runs it: dist/cni/bin.js (made executable: tsc writes it
 * 0644; npm sets the bit when it installs a bin), or the fast plugin with a daemon.
 */
export function ourPlugin(): string {
  chmodSync(OUR_BIN, 0o755);
  return daemonSocket ? FAST_BIN : OUR_BIN;
}

/** What one plugin call gave. */
export interface CniCall {
  /** exit status. */
  code: number;
  /** stdout parsed as JSON (undefined when empty). */
  json: any;
  /** stdout as text. */
  stdout: string;
  /** stderr. */
  stderr: string;
}

/** Options of {@link cni}. */
export interface CniCallOptions {
  /** the host namespace's name (the plugin runs inside it). */
  host?: string;
  /** CNI_CONTAINERID */
  containerId?: string;
  /** CNI_NETNS (a path) */
  netns?: string;
  /** CNI_IFNAME */
  ifname?: string;
  /** CNI_ARGS */
  args?: string;
  /** CNI_PATH (default: the reference plugins' directory) */
  path?: string;
  /** NETNS_KIT_CNI_SOCKET for the fast plugin (default: the daemon of `useDaemon`) */
  socket?: string;
}

/** Runs `plugin` (a path to an executable) with CNI_COMMAND `command` and `conf` on stdin. */
export function cni(plugin: string, command: string, conf: unknown, o: CniCallOptions = {}): Promise<CniCall> {
  // never the machine's own namespace: only VERSION (which touches nothing) may run without one
  if (!o.host && command !== 'VERSION') throw new Error(`cni ${command}: pass the test's host namespace`);
  const env: NodeJS.ProcessEnv = { ...toolEnv, CNI_COMMAND: command, CNI_PATH: o.path ?? REF_DIR };
  if (o.containerId !== undefined) env.CNI_CONTAINERID = o.containerId;
  if (o.netns !== undefined) env.CNI_NETNS = o.netns;
  if (o.ifname !== undefined) env.CNI_IFNAME = o.ifname;
  if (o.args !== undefined) env.CNI_ARGS = o.args;
  const socket = o.socket ?? daemonSocket;
  if (socket !== undefined) env.NETNS_KIT_CNI_SOCKET = socket;
  const [file, argv] = o.host ? ['ip', ['netns', 'exec', o.host, plugin]] : [plugin, []];
  return new Promise((res) => {
    const child = execFile(file, argv as string[], { env, encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0;
      let json: any;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      res({ code, json, stdout, stderr });
    });
    child.stdin!.end(typeof conf === 'string' ? conf : JSON.stringify(conf));
  });
}

/** A temporary directory removed when the current test finishes. */
export function tempDir(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `nk-cni-${tag}-`));
  onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/**
 * A result with what differs by chance between two runs replaced: MACs, host veth names,
 * sandbox paths (the container namespaces differ).
 */
export function normalizeResult(r: any): any {
  const c = JSON.parse(JSON.stringify(r));
  for (const i of c.interfaces ?? []) {
    if (i.mac) i.mac = 'MAC';
    if (/^veth[0-9a-f]{8}$/.test(i.name)) i.name = 'vethXXXXXXXX';
    if (i.sandbox) i.sandbox = 'SANDBOX';
  }
  return c;
}
