/**
 * Error types. Every error netns-kit throws is a {@link NetnsKitError} with a `code`
 * (an errno name such as `EEXIST`, `ENODEV`, `EPERM`, or `EINVAL` for refused input) so
 * callers can branch on `err.code` the way they do for Node's own system errors.
 * @module
 */
import { getSystemErrorMap } from 'node:util';

const errnoMap = getSystemErrorMap();

/**
 * The errno names an error can carry: those Node knows on Linux, plus the kernel's
 * `EOPNOTSUPP` and `EBADMSG`; an errno Node has no name for is `E<number>`.
 * @category Errors
 */
export type ErrnoCode =
  | 'E2BIG' | 'EACCES' | 'EADDRINUSE' | 'EADDRNOTAVAIL' | 'EAFNOSUPPORT' | 'EAGAIN' | 'EALREADY' | 'EBADF' | 'EBADMSG' | 'EBUSY'
  | 'ECANCELED' | 'ECONNABORTED' | 'ECONNREFUSED' | 'ECONNRESET' | 'EDESTADDRREQ' | 'EEXIST' | 'EFAULT' | 'EFBIG' | 'EHOSTDOWN' | 'EHOSTUNREACH'
  | 'EILSEQ' | 'EINTR' | 'EINVAL' | 'EIO' | 'EISCONN' | 'EISDIR' | 'ELOOP' | 'EMFILE' | 'EMLINK' | 'EMSGSIZE'
  | 'ENAMETOOLONG' | 'ENETDOWN' | 'ENETUNREACH' | 'ENFILE' | 'ENOBUFS' | 'ENODATA' | 'ENODEV' | 'ENOENT' | 'ENOMEM' | 'ENONET'
  | 'ENOPROTOOPT' | 'ENOSPC' | 'ENOSYS' | 'ENOTCONN' | 'ENOTDIR' | 'ENOTEMPTY' | 'ENOTSOCK' | 'ENOTSUP' | 'ENOTTY' | 'ENXIO'
  | 'EOPNOTSUPP' | 'EOVERFLOW' | 'EPERM' | 'EPIPE' | 'EPROTO' | 'EPROTONOSUPPORT' | 'EPROTOTYPE' | 'ERANGE' | 'EREMOTEIO' | 'EROFS'
  | 'ERESTART' | 'ESHUTDOWN' | 'ESOCKTNOSUPPORT' | 'ESPIPE' | 'ESRCH' | 'ESTALE' | 'ETIMEDOUT' | 'ETXTBSY' | 'EUNATCH' | 'EXDEV'
  | `E${number}`;

/**
 * Every `code` a {@link NetnsKitError} can have: an errno name ({@link ErrnoCode}),
 * `ABORT_ERR` (a wait cancelled by its AbortSignal) or `ERR_ADDON_MISSING` (the native
 * addon is neither prebuilt for this platform nor built from source).
 * @category Errors
 */
export type ErrorCode = ErrnoCode | 'ABORT_ERR' | 'ERR_ADDON_MISSING';

/**
 * The errno name for a positive errno number (`17` → `EEXIST`).
 * @category Errors
 */
export function errnoName(errno: number): ErrnoCode {
  if (errno === 95) return 'EOPNOTSUPP'; // the kernel's name; libuv calls it ENOTSUP
  if (errno === 74) return 'EBADMSG';
  return (errnoMap.get(-errno)?.[0] as ErrnoCode | undefined) ?? `E${errno}`;
}

/** A short human description for a positive errno number (`17` → `file already exists`). */
export function errnoMessage(errno: number): string {
  return errnoMap.get(-errno)?.[1] ?? `error ${errno}`;
}

/** The errno number for a name (`EEXIST` → 17), or undefined. */
export function errnoNumber(name: string): number | undefined {
  for (const [neg, [n]] of errnoMap) if (n === name) return -neg;
  return undefined;
}

const SYS_ADMIN_SYSCALLS = /^(setns|unshare|mount|umount)/;

/**
 * The capability a refused (EPERM) system call needs, e.g. `CAP_SYS_ADMIN` for `setns`
 * (entering another network namespace) and `CAP_NET_ADMIN` for changes over netlink or tun
 * ioctls; undefined when it is not one of netns-kit's known calls.
 */
export function missingCapability(syscall: string | undefined): string | undefined {
  if (syscall === undefined) return undefined;
  if (SYS_ADMIN_SYSCALLS.test(syscall)) return 'CAP_SYS_ADMIN';
  if (/^(netlink|ioctl\(TUN)/.test(syscall)) return 'CAP_NET_ADMIN';
  return undefined;
}

/**
 * Base class of every error thrown by netns-kit.
 * @category Errors
 */
export class NetnsKitError extends Error {
  /** errno name (`EEXIST`, `ENODEV`, …) or `EINVAL` for refused input, `EBADMSG` for unparsable replies. */
  readonly code: ErrorCode;
  /** positive errno number when the error came from the kernel or a syscall. */
  readonly errno: number | undefined;
  constructor(message: string, code: ErrorCode, errno?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.errno = errno;
  }
}

/**
 * A failed system call made by the native addon (open, mount, setns, socket, …).
 * @category Errors
 */
export class SystemError extends NetnsKitError {
  /** the failing system call, e.g. `mount(MS_BIND)`. */
  readonly syscall: string;
  /** the path involved, when there is one. */
  readonly path: string | undefined;
  constructor(message: string, code: ErrorCode, errno: number, syscall: string, path?: string, options?: { cause?: unknown }) {
    super(message, code, errno, options);
    this.syscall = syscall;
    this.path = path;
  }

  /** Converts an error thrown by the native addon (plain Error with code/errno/syscall/path). */
  static from(e: unknown, context?: string): unknown {
    if (!(e instanceof Error) || typeof (e as NodeJS.ErrnoException).errno !== 'number') return e;
    const x = e as NodeJS.ErrnoException;
    // Node's own fs errors carry negative errnos (-2); the addon's and ours are positive.
    const errno = Math.abs(x.errno as number);
    const code = (x.code as ErrorCode | undefined) ?? errnoName(errno);
    const where = x.path ? ` '${x.path}'` : '';
    const cap = code === 'EPERM' ? missingCapability(x.syscall) : undefined;
    const needs = cap ? ` — ${x.syscall?.replace(/\(.*/, '')} needs ${cap}, which this process lacks` : '';
    const msg = `${context ? context + ': ' : ''}${errnoMessage(errno)} (${code}, ${x.syscall}${where})${needs}`;
    return new SystemError(msg, code, errno, x.syscall ?? '', x.path, { cause: e });
  }
}

/**
 * Where in our request the kernel pointed when it refused it (extended ACK).
 * @category Errors
 */
export interface ErrorAttribute {
  /** byte offset inside the request message (from its netlink header). */
  offset: number;
  /** attribute type found at that offset, when it lies on an attribute header. */
  type?: number;
  /** attribute name, when the family that made the request knows it. */
  name?: string;
}

/**
 * The kernel refused a netlink request (or a dump failed).
 * @category Errors
 */
export class NetlinkError extends NetnsKitError {
  /** what was being done, e.g. `create link`, `RTM_NEWLINK`. */
  readonly operation: string;
  /** the object it was done to, e.g. `veth0`, `10.0.0.0/24`. */
  readonly object: string | undefined;
  /** the kernel's extended-ACK message, e.g. "Unknown device type". */
  readonly kernelMessage: string | undefined;
  /** the attribute the kernel pointed at, if it did. */
  readonly attribute: ErrorAttribute | undefined;
  /** an attribute the kernel said was missing (NLMSGERR_ATTR_MISS_TYPE). */
  readonly missingAttribute: number | undefined;
  constructor(init: {
    errno: number;
    operation: string;
    object?: string;
    kernelMessage?: string;
    attribute?: ErrorAttribute;
    missingAttribute?: number;
    message?: string;
    code?: ErrorCode;
  }) {
    const code = init.code ?? errnoName(init.errno);
    const what = init.object !== undefined ? `${init.operation} ${init.object}` : init.operation;
    const detail = init.kernelMessage ?? errnoMessage(init.errno);
    // netlink refuses changes (rtnetlink, nfnetlink) without CAP_NET_ADMIN in the namespace's user namespace
    const needs = code === 'EPERM' ? ' — needs CAP_NET_ADMIN, which this process lacks' : '';
    super(init.message ?? `${what}: ${detail} (${code})${needs}`, code, init.errno);
    this.operation = init.operation;
    this.object = init.object;
    this.kernelMessage = init.kernelMessage;
    this.attribute = init.attribute;
    this.missingAttribute = init.missingAttribute;
  }
}

/**
 * Input refused before any system call was made. `code` is always `EINVAL`.
 * @category Errors
 */
export class ValidationError extends NetnsKitError {
  /** the option or argument that was refused, e.g. `name`, `peer.name`, `address`. */
  readonly field: string;
  /** the value that was refused. */
  readonly value: unknown;
  /** why, e.g. `not an IPv4 or IPv6 address`. */
  readonly reason: string;
  constructor(field: string, value: unknown, reason: string) {
    super(`invalid ${field} ${describe(value)}: ${reason}`, 'EINVAL', 22);
    this.field = field;
    this.value = value;
    this.reason = reason;
  }
}

/**
 * One failed item of a bulk call.
 * @category Errors
 */
export interface BulkFailure {
  /** the item's index in the array given. */
  index: number;
  /** why it failed (a NetlinkError naming the item). */
  error: unknown;
}

/**
 * Some items of a bulk call (`Route.addMany`, …) failed; every other item was done (a bulk
 * call is not a transaction). `code` is the first failure's code.
  * @category Errors
 */
export class BulkError extends NetnsKitError {
  /** the failed items, by index. */
  readonly failures: BulkFailure[];
  /** how many items the call had. */
  readonly total: number;
  constructor(operation: string, total: number, failures: BulkFailure[]) {
    const first = failures[0]?.error;
    const code = first instanceof NetnsKitError ? first.code : 'EIO';
    const firstText = first instanceof Error ? first.message : String(first);
    super(`${operation}: ${failures.length} of ${total} failed (first, #${failures[0]?.index}: ${firstText})`, code, first instanceof NetnsKitError ? first.errno : undefined);
    this.failures = failures;
    this.total = total;
  }
}

/**
 * A netlink message that could not be decoded (truncated, bad lengths). `code` is `EBADMSG`.
 * @category Errors
 */
export class ParseError extends NetnsKitError {
  /** byte offset where decoding failed. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`cannot parse netlink data at byte ${offset}: ${message}`, 'EBADMSG', 74);
    this.offset = offset;
  }
}

/**
 * A wait did not finish in time. `code` is `ETIMEDOUT`.
 * @category Errors
 */
export class TimeoutError extends NetnsKitError {
  constructor(message: string) {
    super(message, 'ETIMEDOUT', 110);
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? v.slice(0, 80) + '…' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v == null) return String(v);
  try {
    const s = JSON.stringify(v);
    return s === undefined ? typeof v : s.length > 80 ? s.slice(0, 80) + '…' : s;
  } catch {
    return typeof v;
  }
}

/**
 * A wait was cancelled through its AbortSignal. `code` is `ABORT_ERR` and `name`
 * `AbortError`, like Node's own; `cause` is the signal's reason.
 * @category Errors
 */
export class AbortError extends NetnsKitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ABORT_ERR', undefined, options);
  }
}

/** One change of a transaction the kernel refused (see {@link TransactionError}). */
export interface TransactionFailure {
  /** the change's index in the transaction (the order it was added). */
  index: number;
  /** the kernel's error for it, naming the object (`add rule ip nat prerouting: …`). */
  error: NetlinkError;
}

/**
 * An nf_tables transaction was refused: nothing of it was applied (transactions are
 * all-or-nothing). `failures` maps each refused change back to its index; `code` is the
 * first failure's (or `ERESTART` when the ruleset changed since the generation the
 * transaction was guarded with: `generationChanged` is then true).
 */
export class TransactionError extends NetlinkError {
  /** the changes the kernel refused, in order. */
  readonly failures: TransactionFailure[];
  /** true when the transaction was refused because another one committed first (ERESTART). */
  readonly generationChanged: boolean;
  constructor(failures: TransactionFailure[], whole?: NetlinkError) {
    const first = failures[0]?.error ?? whole;
    const errno = first?.errno ?? 5;
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more change${failures.length > 2 ? 's' : ''} refused)` : '';
    super({
      errno,
      code: first?.code,
      operation: first?.operation ?? 'commit transaction',
      object: first?.object,
      kernelMessage: first?.kernelMessage,
      attribute: first?.attribute,
      missingAttribute: first?.missingAttribute,
      message: `${first?.message ?? 'transaction refused'}${more}; nothing was applied`,
    });
    this.failures = failures;
    this.generationChanged = first?.code === 'ERESTART';
  }
}

/**
 * The native addon could not be loaded: no prebuilt binary matches this platform and it was
 * not built from source (or an install script was skipped). `code` is `ERR_ADDON_MISSING`;
 * the message says which platform was looked for and the command that builds it.
 */
export class AddonMissingError extends NetnsKitError {
  /** the platform looked for, e.g. `linux-x64 (glibc)`. */
  readonly platform: string;
  /** the command that builds the addon from source. */
  readonly command: string;
  constructor(platform: string, command: string, options?: { cause?: unknown }) {
    super(
      `no native addon for ${platform}: no prebuilt binary matches and none was built from source. ` +
        `Build it with \`${command}\` (needs python3, make and a C++ compiler; with pnpm, allow its build script: \`pnpm approve-builds\`).`,
      'ERR_ADDON_MISSING',
      undefined,
      options,
    );
    this.platform = platform;
    this.command = command;
  }
}
