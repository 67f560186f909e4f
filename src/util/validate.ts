/**
 * Input validation at the public boundary: every check runs before any system call and
 * throws a ValidationError (code EINVAL) naming the field.
 * @module
 */
import { ValidationError } from '../errors.js';

/** IFNAMSIZ - 1: the kernel's limit for interface names in bytes. */
export const IFNAME_MAX = 15;

/**
 * Checks an interface name as the kernel's dev_valid_name() does.
 * @category Links
 */
export function validateIfname(name: unknown, field = 'name'): string {
  if (typeof name !== 'string') throw new ValidationError(field, name, 'an interface name must be a string');
  if (name.length === 0) throw new ValidationError(field, name, 'an interface name cannot be empty');
  if (Buffer.byteLength(name) > IFNAME_MAX) {
    throw new ValidationError(field, name, `an interface name is at most ${IFNAME_MAX} bytes`);
  }
  if (name === '.' || name === '..') throw new ValidationError(field, name, 'an interface name cannot be "." or ".."');
  // eslint-disable-next-line no-control-regex
  if (/[/:\s\x00-\x1f\x7f]/.test(name)) {
    throw new ValidationError(field, name, 'an interface name cannot contain "/", ":", whitespace or control characters');
  }
  return name;
}

/** NAME_MAX: longest file name in /run/netns. */
export const NETNS_NAME_MAX = 255;

/**
 * Checks a named-namespace name (a file in /run/netns): no "/", not "." or "..", no NUL.
 * @category Namespaces
 */
export function validateNamespaceName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string') throw new ValidationError(field, name, 'a namespace name must be a string');
  if (name.length === 0) throw new ValidationError(field, name, 'a namespace name cannot be empty');
  if (Buffer.byteLength(name) > NETNS_NAME_MAX) {
    throw new ValidationError(field, name, `a namespace name is at most ${NETNS_NAME_MAX} bytes`);
  }
  if (name === '.' || name === '..') throw new ValidationError(field, name, 'a namespace name cannot be "." or ".."');
  if (name.includes('/')) throw new ValidationError(field, name, 'a namespace name cannot contain "/"');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) throw new ValidationError(field, name, 'a namespace name cannot contain control characters');
  return name;
}

/** Checks an optional on/off option: `undefined` is false; anything but a boolean is refused. */
export function validateFlag(v: unknown, field: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new ValidationError(field, v, 'expected true or false');
  return v;
}

/** Checks an integer in [min, max]. */
export function validateInt(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ValidationError(field, v, `expected an integer from ${min} to ${max}`);
  }
  return v;
}

/** Checks that an options object has only known keys (JavaScript callers pass anything). */
export function validateOptions<T extends object>(opts: unknown, known: readonly string[], field = 'options'): T {
  if (opts === undefined) return {} as T;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new ValidationError(field, opts, 'expected an options object');
  }
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw new ValidationError(`${field}.${k}`, (opts as Record<string, unknown>)[k], `unknown option (known: ${known.join(', ')})`);
  }
  return opts as T;
}
