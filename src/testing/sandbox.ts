/**
 * Sandbox: throwaway named namespaces for a program that builds a topology, proves it and
 * removes it again — at the end, on an error, and on Ctrl-C (SIGINT), SIGTERM or SIGHUP.
 * @module
 */
import { Namespace } from '../api/namespace/namespace.js';
import { ValidationError } from '../errors.js';
import { cryptoModule } from '../util/builtins.js';
import { validateNamespaceName, validateOptions } from '../util/validate.js';

/**
 * Options of {@link Sandbox.create} and {@link Sandbox.run}.
 * @category Testing
 */
export interface SandboxOptions {
  /**
   * Prefix of every namespace name, so that parallel runs never collide and leftovers can
   * be found (`ip netns list | grep PREFIX`). Default `nk-<pid>-<random>-`.
   */
  prefix?: string;
  /**
   * On SIGINT, SIGTERM or SIGHUP: remove everything, then exit with 128 + the signal's
   * number (130 for Ctrl-C). A second signal while removing exits at once. Default false
   * (a library user decides what signals do); programs such as the examples turn it on.
   */
  handleSignals?: boolean;
  /** Where teardown messages go (default: nowhere). */
  log?: (line: string) => void;
}

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
type SignalName = keyof typeof SIGNALS;

/**
 * Named namespaces made for one run, and cleanup actions, undone in reverse order by
 * {@link Sandbox.dispose}.
 *
 * ```ts
 * await Sandbox.run({ handleSignals: true }, async (sb) => {
 *   const ns1 = await sb.namespace('ns1');          // ip netns add nk-…-ns1
 *   const server = await tcpEchoServer(ns1, 8080);
 *   sb.defer(() => server.close());
 *   …
 * });                                                 // everything removed, also on error / Ctrl-C
 * ```
  * @category Testing
 */
export class Sandbox {
  /** The prefix of every namespace name of this sandbox. */
  readonly prefix: string;
  private readonly made: Namespace[] = [];
  private readonly actions: (() => unknown)[] = [];
  private readonly log: (line: string) => void;
  private readonly handlers = new Map<SignalName, () => void>();
  private disposing: Promise<void> | undefined;

  private constructor(prefix: string, log: (line: string) => void) {
    this.prefix = prefix;
    this.log = log;
  }

  /** Makes a sandbox (nothing is created until {@link Sandbox.namespace} is called). */
  static create(options: SandboxOptions = {}): Sandbox {
    const o = validateOptions<SandboxOptions>(options, ['prefix', 'handleSignals', 'log']);
    const prefix = o.prefix ?? `nk-${process.pid.toString(36)}${cryptoModule().randomBytes(2).toString('hex')}-`;
    validateNamespaceName(`${prefix}x`, 'prefix');
    if (o.log !== undefined && typeof o.log !== 'function') throw new ValidationError('log', o.log, 'expected a function');
    if (o.handleSignals !== undefined && typeof o.handleSignals !== 'boolean') throw new ValidationError('handleSignals', o.handleSignals, 'expected true or false');
    const sb = new Sandbox(prefix, o.log ?? (() => undefined));
    if (o.handleSignals) sb.installSignalHandlers();
    return sb;
  }

  /**
   * Runs `fn` with a new sandbox and disposes of it afterwards, whether `fn` resolves or
   * throws (the error propagates after the cleanup).
   */
  static async run<T>(options: SandboxOptions, fn: (sandbox: Sandbox) => Promise<T>): Promise<T> {
    const sb = Sandbox.create(options);
    try {
      return await fn(sb);
    } finally {
      await sb.dispose();
    }
  }

  /** The namespaces made so far, in creation order. */
  get namespaces(): readonly Namespace[] {
    return this.made;
  }

  /** Creates the named namespace `<prefix><tag>` (`ip netns add`), removed by {@link Sandbox.dispose}. */
  async namespace(tag: string): Promise<Namespace> {
    if (this.disposing) throw new ValidationError('sandbox', 'disposed', 'this sandbox has been disposed');
    if (typeof tag !== 'string' || tag.length === 0) throw new ValidationError('tag', tag, 'expected a non-empty string');
    const ns = await Namespace.create(validateNamespaceName(`${this.prefix}${tag}`, 'tag'));
    if (this.disposing) {
      // disposed (a signal) while it was being made: it must not outlive the sandbox
      await ns.delete().catch(() => undefined);
      throw new ValidationError('sandbox', 'disposed', 'this sandbox has been disposed');
    }
    this.made.push(ns);
    return ns;
  }

  /** Registers a cleanup action (closing a server, a socket …), run before the namespaces are removed, last registered first. */
  defer(action: () => unknown): void {
    if (typeof action !== 'function') throw new ValidationError('action', action, 'expected a function');
    this.actions.push(action);
  }

  /**
   * Runs the cleanup actions (last first), then deletes every namespace this sandbox made
   * (which removes the links inside them). Errors of single steps are logged, not thrown,
   * so one failure does not leave the rest behind. Idempotent; removes the signal handlers.
   */
  dispose(): Promise<void> {
    this.disposing ??= this.doDispose();
    return this.disposing;
  }

  private async doDispose(): Promise<void> {
    for (const action of this.actions.splice(0).reverse()) {
      try {
        await action();
      } catch (e) {
        this.log(`cleanup: ${(e as Error).message}`);
      }
    }
    const names: string[] = [];
    for (const ns of this.made.splice(0).reverse()) {
      try {
        if (!ns.isClosed) await ns.delete();
        else if (ns.name !== undefined) await Namespace.remove(ns.name);
        if (ns.name !== undefined) names.push(ns.name);
      } catch (e) {
        if ((e as { code?: string }).code !== 'ENOENT') this.log(`cleanup: ${(e as Error).message}`);
      }
    }
    if (names.length > 0) this.log(`removed namespaces ${names.join(' ')}`);
    this.removeSignalHandlers();
  }

  private installSignalHandlers(): void {
    for (const sig of Object.keys(SIGNALS) as SignalName[]) {
      const handler = (): void => {
        if (this.disposing) {
          const left = this.made.map((n) => n.name).filter(Boolean);
          this.log(`${sig} again: exiting without cleanup${left.length ? ` (remove with: ip netns delete ${left.join('; ip netns delete ')})` : ''}`);
          process.exit(128 + SIGNALS[sig]);
        }
        this.log(`${sig}: removing what was made…`);
        // the handlers stay installed while disposing: a second signal exits at once
        void this.dispose().finally(() => process.exit(128 + SIGNALS[sig]));
      };
      this.handlers.set(sig, handler);
      process.on(sig, handler);
    }
  }

  private removeSignalHandlers(): void {
    for (const [sig, handler] of this.handlers) process.off(sig, handler);
    this.handlers.clear();
  }
}
