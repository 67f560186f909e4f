/**
 * IPAM delegation: runs the IPAM plugin the configuration names (`"ipam": {"type": "dhcp"}`,
 * `static`, …) from CNI_PATH, as the spec says a main plugin does.
 *
 * THE ONE PLACE netns-kit starts a process: only here, only for a CNI call whose configuration
 * names an IPAM plugin other than `host-local` (which runs in-process). The no-spawn unit test
 * allows exactly this file.
 * @module
 */
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { CniCode, CniError } from '../spec.js';
import type { CniCommand } from '../config.js';

/** Finds `type` in the CNI_PATH directories (the first executable file of that name). */
export async function findPlugin(type: string, path: string[]): Promise<string> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(type)) throw new CniError(CniCode.INVALID_NETWORK_CONFIG, `invalid IPAM plugin type ${JSON.stringify(type)}`);
  for (const dir of path) {
    const file = join(dir, type);
    try {
      await access(file, constants.X_OK);
      return file;
    } catch {
      /* next directory */
    }
  }
  throw new CniError(CniCode.INVALID_NETWORK_CONFIG, `failed to find plugin "${type}" in path [${path.join(' ')}]`);
}

/**
 * Runs the IPAM plugin `type` with `command`, the caller's CNI_* environment and `stdin`
 * (the whole network configuration); resolves with its parsed stdout (undefined when it
 * printed nothing, as DEL may). A failure becomes a CniError with the plugin's own code and
 * message.
 */
export async function execIpam(type: string, command: CniCommand, path: string[], stdin: string, env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  const file = await findPlugin(type, path);
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(file, [], { env: { ...env, CNI_COMMAND: command }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CniError(CniCode.IPAM_PLUGIN, `cannot run IPAM plugin ${file}`, e.message, { cause: e })));
    child.on('close', (c) => resolve({ code: c, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => undefined); // a plugin that exits without reading its input
    child.stdin.end(stdin);
  });
  let parsed: unknown;
  if (stdout.trim()) {
    try {
      parsed = JSON.parse(stdout);
    } catch {
      throw new CniError(CniCode.IPAM_PLUGIN, `IPAM plugin ${type} printed something that is not JSON`, stdout.slice(0, 500));
    }
  }
  if (code !== 0) {
    const e = parsed as { code?: unknown; msg?: unknown; details?: unknown } | undefined;
    if (e && typeof e.code === 'number' && typeof e.msg === 'string') {
      throw new CniError(e.code, e.msg, typeof e.details === 'string' ? e.details : undefined);
    }
    throw new CniError(CniCode.IPAM_PLUGIN, `IPAM plugin ${type} failed (exit status ${code})`, (stderr || stdout).trim().slice(0, 500));
  }
  return parsed;
}
