/**
 * Error types. Every error netns-kit throws is a {@link NetnsKitError} with a `code`
 * (an errno name such as `EEXIST`, `ENODEV`, `EPERM`, or `EINVAL` for refused input) so
 * callers can branch on `err.code` the way they do for Node's own system errors.
 * @module
 */
import { getSystemErrorMap } from 'node:util';

const errnoMap = getSystemErrorMap();

/** The errno name for a positive errno number (`17` → `EEXIST`). */
export function errnoName(errno: number): string {
  if (errno === 95) return 'EOPNOTSUPP'; // the kernel's name; libuv calls it ENOTSUP
  return errnoMap.get(-errno)?.[0] ?? `E${errno}`;
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

/** Base class of every error thrown by netns-kit. */
export class NetnsKitError extends Error {
  /** errno name (`EEXIST`, `ENODEV`, …) or `EINVAL` for refused input, `EBADMSG` for unparsable replies. */
  readonly code: string;
  /** positive errno number when the error came from the kernel or a syscall. */
  readonly errno: number | undefined;
  constructor(message: string, code: string, errno?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.errno = errno;
  }
}

/** A failed system call made by the native addon (open, mount, setns, socket, …). */
export class SystemError extends NetnsKitError {
  /** the failing system call, e.g. `mount(MS_BIND)`. */
  readonly syscall: string;
  /** the path involved, when there is one. */
  readonly path: string | undefined;
  constructor(message: string, code: string, errno: number, syscall: string, path?: string, options?: { cause?: unknown }) {
    super(message, code, errno, options);
    this.syscall = syscall;
    this.path = path;
  }

  /** Converts an error thrown by the native addon (plain Error with code/errno/syscall/path). */
  static from(e: unknown, context?: string): unknown {
    if (!(e instanceof Error) || typeof (e as NodeJS.ErrnoException).errno !== 'number') return e;
    const x = e as NodeJS.ErrnoException;
    const errno = x.errno as number;
    const code = x.code ?? errnoName(errno);
    const where = x.path ? ` '${x.path}'` : '';
    const msg = `${context ? context + ': ' : ''}${errnoMessage(errno)} (${code}, ${x.syscall}${where})`;
    return new SystemError(msg, code, errno, x.syscall ?? '', x.path, { cause: e });
  }
}

/** Where in our request the kernel pointed when it refused it (extended ACK). */
export interface ErrorAttribute {
  /** byte offset inside the request message (from its netlink header). */
  offset: number;
  /** attribute type found at that offset, when it lies on an attribute header. */
  type?: number;
  /** attribute name, when the family that made the request knows it. */
  name?: string;
}

/** The kernel refused a netlink request (or a dump failed). */
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
    code?: string;
  }) {
    const code = init.code ?? errnoName(init.errno);
    const what = init.object !== undefined ? `${init.operation} ${init.object}` : init.operation;
    const detail = init.kernelMessage ?? errnoMessage(init.errno);
    super(init.message ?? `${what}: ${detail} (${code})`, code, init.errno);
    this.operation = init.operation;
    this.object = init.object;
    this.kernelMessage = init.kernelMessage;
    this.attribute = init.attribute;
    this.missingAttribute = init.missingAttribute;
  }
}

/** Input refused before any system call was made. `code` is always `EINVAL`. */
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

/** One failed item of a bulk call. */
export interface BulkFailure {
  /** the item's index in the array given. */
  index: number;
  /** why it failed (a NetlinkError naming the item). */
  error: unknown;
}

/**
 * Some items of a bulk call (`Route.addMany`, …) failed; every other item was done (a bulk
 * call is not a transaction). `code` is the first failure's code.
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

/** A netlink message that could not be decoded (truncated, bad lengths). `code` is `EBADMSG`. */
export class ParseError extends NetnsKitError {
  /** byte offset where decoding failed. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`cannot parse netlink data at byte ${offset}: ${message}`, 'EBADMSG', 74);
    this.offset = offset;
  }
}

/** A wait did not finish in time. `code` is `ETIMEDOUT`. */
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

/** A wait was cancelled through its AbortSignal. `code` is `ABORT_ERR` and `name`
 *  `AbortError`, like Node's own; `cause` is the signal's reason. */
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
