/**
 * `netns-kit`, the command line: parses, checks privileges, opens the namespace, runs the
 * command, and turns errors into a message and an exit status (0 ok, 1 refused by the
 * kernel or the system, 2 bad input or missing privileges). Never spawns a process.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Namespace } from '../api/namespace/namespace.js';
import { NetnsKitError, ValidationError } from '../errors.js';
import { type CommandName, parseArgs, UsageError } from './args.js';
import { demo } from './demo.js';
import { helpFor } from './help.js';
import { monitor } from './monitor.js';
import { network } from './network.js';
import { listNftables } from './nft.js';
import { type CliContext, listNamespaces, showAddresses, showFdb, showLinks, showNeighbors, showRoutes } from './show.js';

/** Where the CLI prints. */
export interface CliIo {
  /** one line to stdout. */
  out(line: string): void;
  /** one line to stderr. */
  err(line: string): void;
}

const stdio: CliIo = {
  out: (l) => {
    if (!process.stdout.destroyed) process.stdout.write(`${l}\n`);
  },
  err: (l) => process.stderr.write(`${l}\n`),
};

/**
 * A reader that goes away (`netns-kit link | head -1`) ends the command quietly, as it
 * ends ip: EPIPE on stdout exits with the status so far, no stack.
 */
function exitQuietlyOnClosedStdout(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

const CAP_NET_ADMIN = 12;
const CAP_SYS_ADMIN = 21;

/** The capabilities netns-kit needs that this process lacks (empty for root). */
export function missingCapabilities(): string[] {
  let eff: bigint;
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('CapEff:'));
    eff = BigInt(`0x${line!.split(/\s+/)[1]}`);
  } catch {
    return [];
  }
  const missing: string[] = [];
  if (!(eff & (1n << BigInt(CAP_NET_ADMIN)))) missing.push('CAP_NET_ADMIN');
  if (!(eff & (1n << BigInt(CAP_SYS_ADMIN)))) missing.push('CAP_SYS_ADMIN');
  return missing;
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function openNamespace(name: string | undefined): Promise<Namespace> {
  if (name === undefined) return Namespace.host();
  try {
    return await Namespace.open(name);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || (e instanceof NetnsKitError && e.code === 'EINVAL' && !(e instanceof ValidationError))) {
      throw new UsageError(`namespace "${name}" not found`, "'netns-kit netns list' shows the named namespaces.");
    }
    throw e;
  }
}

async function run(command: CommandName, args: string[], ctx: CliContext): Promise<number> {
  switch (command) {
    case 'link':
      await showLinks(ctx, args);
      return 0;
    case 'addr':
      await showAddresses(ctx, args);
      return 0;
    case 'route':
      await showRoutes(ctx, args);
      return 0;
    case 'neigh':
      await showNeighbors(ctx, args);
      return 0;
    case 'fdb':
      await showFdb(ctx, args);
      return 0;
    case 'nft':
      await listNftables(ctx, args);
      return 0;
    case 'netns':
      await listNamespaces(ctx, args);
      return 0;
    case 'monitor':
      return monitor(ctx, args);
    case 'network':
      return network(ctx, args);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Runs the command line `argv` (without `node` and the script); resolves with the exit status. */
export async function main(argv: readonly string[], io: CliIo = stdio): Promise<number> {
  let ns: Namespace | undefined;
  if (io === stdio) exitQuietlyOnClosedStdout();
  try {
    const { options, command, args } = parseArgs(argv);
    if (options.version) {
      io.out(`netns-kit ${version()}`);
      return 0;
    }
    if (command === 'help') {
      const topic = args[0] === undefined ? undefined : parseArgs([args[0]]).command;
      io.out(helpFor(topic));
      return 0;
    }
    if (options.help) {
      io.out(helpFor(command));
      return 0;
    }
    if (command === undefined) {
      io.err(helpFor(undefined));
      return 2;
    }
    // Reading works without privileges in the process's own namespace (like `ip link`,
    // `ip monitor`); entering another one needs CAP_SYS_ADMIN and the library says so. Only
    // the demo (which creates namespaces and links) is refused up front.
    const missing = command === 'demo' ? missingCapabilities() : [];
    if (missing.length > 0) {
      throw new UsageError(
        `permission denied: netns-kit needs root (or CAP_NET_ADMIN + CAP_SYS_ADMIN); this process (uid ${process.getuid?.()}) lacks ${missing.join(' and ')}`,
        `Run it as root, e.g. 'sudo npx netns-kit ${argv.join(' ')}'.`,
      );
    }
    if (command === 'demo') {
      if (options.netns !== undefined) throw new UsageError('demo makes its own namespaces: -n does not apply', "Try 'netns-kit demo --help'.");
      return await demo(args, io.out);
    }
    ns = await openNamespace(options.netns);
    return await run(command, args, { ns, options, out: io.out, err: io.err });
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`netns-kit: ${e.message}`);
      if (e.hint) io.err(e.hint);
      return 2;
    }
    if (e instanceof ValidationError) {
      io.err(`netns-kit: ${e.message}`);
      return 2;
    }
    if (e instanceof NetnsKitError) {
      const denied = e.code === 'EPERM' || e.code === 'EACCES';
      const hint = denied && !/ needs CAP_/.test(e.message) ? ' — netns-kit needs root (or CAP_NET_ADMIN + CAP_SYS_ADMIN)' : '';
      io.err(`netns-kit: ${e.message}${hint}`);
      return denied ? 2 : 1;
    }
    io.err(`netns-kit: ${(e as Error)?.stack ?? String(e)}`);
    return 1;
  } finally {
    await ns?.close();
  }
}
