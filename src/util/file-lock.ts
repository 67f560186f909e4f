/**
 * State shared between processes: an advisory file lock taken off the main thread, and
 * atomic file replacement. Used for the small records the kernel cannot hold (network
 * records, address reservations) — readers never see a half-written file and two writers
 * never interleave.
 * @module
 */
import { close as closeFd } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { native } from '../binding/native.js';
import { SystemError, ValidationError } from '../errors.js';
import { cryptoModule } from './builtins.js';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** `false` takes a shared lock (readers); default exclusive. */
  exclusive?: boolean;
  /** `false` fails at once with `EWOULDBLOCK` when another holder has it; default wait. */
  wait?: boolean;
}

// One waiter per lock file per process: later callers queue here instead of parking a
// native thread each in flock(). (flock also excludes two descriptions in one process, so
// this is an economy, not what makes the lock correct.)
const tails = new Map<string, Promise<void>>();

function closeAsync(fd: number): Promise<void> {
  return new Promise((res) => closeFd(fd, () => res()));
}

/**
 * Runs `fn` while holding `flock()` on `path` (created with mode 0600, parent directories
 * made). The lock is taken on a short-lived native thread, so waiting for another process
 * never blocks the event loop; it is released by closing the descriptor when `fn` settles,
 * even if it throws, and by the kernel if the process dies. Not reentrant: calling it again
 * for the same path from inside `fn` waits forever.
 * @param path - the lock file (its content is never read or written).
 * @param fn - the critical section.
 * @returns what `fn` returned.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T> | T, options: FileLockOptions = {}): Promise<T> {
  if (typeof path !== 'string' || path.length === 0) throw new ValidationError('path', path, 'a lock file path must be a non-empty string');
  if (typeof fn !== 'function') throw new ValidationError('fn', fn, 'must be a function');
  const key = resolve(path);
  const exclusive = options.exclusive ?? true;
  const wait = options.wait ?? true;
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = previous.then(() => mine);
  tails.set(key, tail);
  try {
    await previous;
    await mkdir(dirname(key), { recursive: true, mode: 0o755 });
    let fd: number;
    try {
      fd = await native.lockFile(key, exclusive, wait);
    } catch (e) {
      throw SystemError.from(e, `lock ${key}`);
    }
    try {
      return await fn();
    } finally {
      await closeAsync(fd);
    }
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}

/**
 * Replaces `path` with `data` atomically: writes a temporary file in the same directory,
 * fsyncs it, renames it over `path` and fsyncs the directory. A reader sees the old content
 * or the new one, never a mix; a crash leaves at most a stray `.tmp` file beside it.
 * @param path - the file to replace (parent directories are made).
 * @param data - the new content.
 * @param mode - permission bits for a new file (default 0644).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) throw new ValidationError('path', path, 'a file path must be a non-empty string');
  const dir = dirname(resolve(path));
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${cryptoModule().randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the rename itself is already atomic
  } finally {
    await dh.close();
  }
}
