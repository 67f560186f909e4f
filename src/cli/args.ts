/**
 * Command-line parsing of `netns-kit`: global options (`-n NS`, `-j`/`--json`, `-p`,
 * `-4`/`-6`, `-h`/`--help`, `-V`/`--version`) anywhere on the line, the command (with
 * ip's abbreviations: `l`, `a`, `r`, `n`, …) and its own arguments.
 * @module
 */

/** Bad input on the command line: printed with a hint, exit code 2. */
export class UsageError extends Error {
  /** what to print after the message (e.g. "Try 'netns-kit link --help'."). */
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'UsageError';
    this.hint = hint;
  }
}

/** The commands, by their canonical name. */
export type CommandName = 'link' | 'addr' | 'route' | 'neigh' | 'fdb' | 'nft' | 'netns' | 'monitor' | 'demo' | 'network' | 'help';

const ALIASES: Record<string, CommandName> = {
  l: 'link', li: 'link', lin: 'link', link: 'link',
  a: 'addr', ad: 'addr', addr: 'addr', addre: 'addr', addres: 'addr', address: 'addr',
  r: 'route', ro: 'route', rou: 'route', rout: 'route', route: 'route',
  n: 'neigh', ne: 'neigh', nei: 'neigh', neigh: 'neigh', neighbor: 'neigh', neighbour: 'neigh',
  fdb: 'fdb',
  nft: 'nft',
  netns: 'netns',
  mon: 'monitor', monitor: 'monitor',
  demo: 'demo',
  net: 'network', network: 'network',
  help: 'help',
};

/** Options that apply to every command. */
export interface GlobalOptions {
  /** `-n NAME`: work in the named namespace instead of this process's one. */
  netns: string | undefined;
  /** `-j` / `--json`: `ip -j` output. */
  json: boolean;
  /** `-p` / `--pretty`: indented JSON. */
  pretty: boolean;
  /** `-4` / `-6`: one address family. */
  family: 4 | 6 | undefined;
  /** `-h` / `--help`. */
  help: boolean;
  /** `-V` / `--version`. */
  version: boolean;
}

/** A parsed command line. */
export interface ParsedArgs {
  /** global options. */
  options: GlobalOptions;
  /** the command, if one was given. */
  command: CommandName | undefined;
  /** the command as typed (for messages). */
  commandWord: string | undefined;
  /** the command's own arguments, in order (its options included). */
  args: string[];
}

/** Parses argv (without `node` and the script). */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const options: GlobalOptions = { netns: undefined, json: false, pretty: false, family: undefined, help: false, version: false };
  let command: CommandName | undefined;
  let commandWord: string | undefined;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-n' || a === '-netns' || a === '--netns') {
      const v = argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${a} needs a namespace name`, "Try 'netns-kit netns list'.");
      options.netns = v;
    } else if (a.startsWith('--netns=')) {
      options.netns = a.slice('--netns='.length);
      if (!options.netns) throw new UsageError('--netns needs a namespace name');
    } else if (a === '-j' || a === '-json' || a === '--json') {
      options.json = true;
    } else if (a === '-p' || a === '-pretty' || a === '--pretty') {
      options.pretty = true;
    } else if (a === '-4') {
      options.family = 4;
    } else if (a === '-6') {
      options.family = 6;
    } else if (a === '-h' || a === '-help' || a === '--help') {
      options.help = true;
    } else if (a === '-V' || a === '-Version' || a === '--version') {
      options.version = true;
    } else if (command === undefined && !a.startsWith('-')) {
      command = ALIASES[a];
      commandWord = a;
      if (command === undefined) throw new UsageError(`unknown command "${a}"`, "Try 'netns-kit --help'.");
    } else if (command === undefined) {
      throw new UsageError(`unknown option "${a}"`, "Try 'netns-kit --help'.");
    } else {
      args.push(a);
    }
  }
  return { options, command, commandWord, args };
}

/**
 * Reads `[show|list] [dev] NAME | KEY VALUE …` selectors: `keys` are the words that take a
 * value (`dev`, `master`, `type`, `table`, `br`); a bare word is the device name when
 * `bareIsDev`. Anything else is a UsageError naming the command.
 */
export function parseSelectors(command: string, args: readonly string[], keys: readonly string[], bareIsDev: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  if (args[0] === 'show' || args[0] === 'list' || args[0] === 'ls' || args[0] === 'lst') i = 1;
  const hint = `Try 'netns-kit ${command} --help'.`;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (keys.includes(a)) {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${command}: "${a}" needs a value`, hint);
      if (out[a] !== undefined) throw new UsageError(`${command}: "${a}" given twice`, hint);
      out[a] = v;
    } else if (bareIsDev && !a.startsWith('-') && out.dev === undefined) {
      out.dev = a;
    } else {
      throw new UsageError(`${command}: unexpected argument "${a}"`, hint);
    }
  }
  return out;
}

/** Takes `--name VALUE` / `--name=VALUE` / a flag `--name` out of `args`; returns the rest. */
export function takeOption(args: string[], name: string, takesValue: boolean, command: string): string | true | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === name) {
      if (!takesValue) {
        args.splice(i, 1);
        return true;
      }
      const v = args[i + 1];
      if (v === undefined) throw new UsageError(`${command}: ${name} needs a value`, `Try 'netns-kit ${command} --help'.`);
      args.splice(i, 2);
      return v;
    }
    if (takesValue && a.startsWith(`${name}=`)) {
      args.splice(i, 1);
      return a.slice(name.length + 1);
    }
  }
  return undefined;
}
