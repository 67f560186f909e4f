/**
 * `netns-kit-cni` with arguments (a runtime calls the plugin with none): `serve` runs the
 * resident daemon, `install DIR` links the plugin into a CNI plugin directory.
 * @module
 */
import { existsSync, lstatSync, readlinkSync, renameSync, symlinkSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CNI_SOCKET, serveCni } from './daemon.js';

const USAGE = `usage: netns-kit-cni                      the CNI plugin (a runtime calls it: CNI_* environment, configuration on stdin)
       netns-kit-cni serve [--socket PATH] run the resident daemon the fast plugin hands its calls to
                                           (default socket ${DEFAULT_CNI_SOCKET}, or $NETNS_KIT_CNI_SOCKET)
       netns-kit-cni install DIR [--name NAME] [--force]
                                           link the plugin into a CNI plugin directory as NAME
                                           (default netns-kit-bridge): the fast plugin when it is built
                                           for this machine, else this Node script`;

/** The fast plugin (the static shim) for this machine, built from source or shipped prebuilt. */
export function fastPluginPath(): string | undefined {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  for (const p of [join(root, 'build', 'Release', 'netns-kit-cni'), join(root, 'prebuilds', `linux-${arch()}`, 'netns-kit-cni')]) {
    if (existsSync(p)) return p;
  }
  return undefined;
}

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
  argv.splice(i, 2);
  return v;
}

async function serve(argv: string[]): Promise<number> {
  const socket = option(argv, '--socket') ?? process.env.NETNS_KIT_CNI_SOCKET ?? DEFAULT_CNI_SOCKET;
  if (argv.length) throw new Error(`unexpected argument "${argv[0]}"`);
  const daemon = await serveCni({ socket });
  process.stderr.write(`netns-kit-cni: serving CNI calls on ${daemon.socket}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await daemon.close();
  process.stderr.write(`netns-kit-cni: stopped after ${daemon.calls} calls\n`);
  return 0;
}

function install(argv: string[]): number {
  const name = option(argv, '--name') ?? 'netns-kit-bridge';
  const force = argv.includes('--force');
  const rest = argv.filter((a) => a !== '--force');
  if (rest.length !== 1) throw new Error('install needs one directory (e.g. /opt/cni/bin)');
  const target = fastPluginPath() ?? fileURLToPath(new URL('./bin.js', import.meta.url));
  const link = join(rest[0]!, name);
  let present: ReturnType<typeof lstatSync> | undefined;
  try {
    present = lstatSync(link);
  } catch {
    present = undefined;
  }
  if (present && !force && !(present.isSymbolicLink() && /netns-kit/.test(readlinkSync(link)))) {
    throw new Error(`${link} exists and is not a netns-kit link (--force replaces it)`);
  }
  const tmp = `${link}.netns-kit-${process.pid}`;
  symlinkSync(target, tmp);
  renameSync(tmp, link);
  process.stdout.write(`${link} -> ${target}\n`);
  return 0;
}

/** Runs `netns-kit-cni ARGS`; resolves with the exit status. */
export async function cniCommand(argv: readonly string[]): Promise<number> {
  const args = [...argv];
  const cmd = args.shift();
  try {
    switch (cmd) {
      case 'serve':
        return await serve(args);
      case 'install':
        return install(args);
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return 0;
      default:
        throw new Error(`unknown command "${cmd}"`);
    }
  } catch (e) {
    process.stderr.write(`netns-kit-cni: ${(e as Error).message}\n${cmd === 'serve' || cmd === 'install' ? '' : `${USAGE}\n`}`);
    return (e as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 1 : 2;
  }
}
