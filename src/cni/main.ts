/**
 * One CNI call: reads the environment and stdin, runs the command, and answers as the spec
 * says (a result or nothing on stdout and exit status 0, or an error object on stdout and
 * exit status 1). The netlink layers are loaded only by commands that need them.
 * @module
 */
import { parseConf, readEnv } from './config.js';
import { CNI_VERSION, CniCode, CniError, SUPPORTED_VERSIONS, formatResult } from './spec.js';

/** What a call prints and its exit status. */
export interface CniOutcome {
  /** the exit status (0 success, 1 error). */
  exitCode: number;
  /** what goes to stdout (JSON, or empty). */
  stdout: string;
}

function print(o: unknown): string {
  return `${JSON.stringify(o, null, 4)}\n`;
}

function requestVersion(stdin: string): string {
  try {
    const v = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
    if (typeof v === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(v)) return v;
  } catch {
    /* not JSON: answer in our newest version */
  }
  return CNI_VERSION;
}

/** Where a call made through the daemon finds its namespaces (the caller's, not the daemon's). */
export interface CniCaller {
  /** the host namespace to use instead of this process's own, e.g. `/proc/<pid>/ns/net`. */
  hostNetns?: string;
  /** where to open the container's namespace instead of CNI_NETNS, e.g. `/proc/<pid>/fd/<n>`. */
  netnsPath?: string;
}

/** Runs one CNI call with this environment and stdin text. Never throws. */
export async function runCni(env: NodeJS.ProcessEnv, stdin: string, caller: CniCaller = {}): Promise<CniOutcome> {
  try {
    const e = readEnv(env);
    if (caller.hostNetns) e.hostNetns = caller.hostNetns;
    if (caller.netnsPath) e.netnsPath = caller.netnsPath;
    if (e.command === 'VERSION') return { exitCode: 0, stdout: print({ cniVersion: CNI_VERSION, supportedVersions: SUPPORTED_VERSIONS }) };
    const conf = parseConf(stdin, e);
    const ops = await import('./bridge.js');
    switch (e.command) {
      case 'ADD':
        return { exitCode: 0, stdout: print(formatResult(await ops.cmdAdd(e, conf), conf.cniVersion)) };
      case 'DEL':
        await ops.cmdDel(e, conf);
        return { exitCode: 0, stdout: '' };
      case 'CHECK':
        await ops.cmdCheck(e, conf);
        return { exitCode: 0, stdout: '' };
      case 'GC':
        await ops.cmdGc(e, conf);
        return { exitCode: 0, stdout: '' };
      case 'STATUS':
        await ops.cmdStatus(e, conf);
        return { exitCode: 0, stdout: '' };
    }
  } catch (err) {
    const ce = err instanceof CniError ? err : new CniError(CniCode.INTERNAL, (err as Error)?.message ?? String(err), (err as Error)?.stack);
    return { exitCode: 1, stdout: print(ce.toJSON(requestVersion(stdin))) };
  }
}
