/**
 * Errors of bridge networks that a caller may want to tell apart by class.
 * @module
 */
import { NetnsKitError } from '../../errors.js';

/**
 * A subnet asked for overlaps one already in use in the bridge's namespace (another
 * network's, or an address on an interface there). Docker's message: `Pool overlaps with
 * other one on this address space`. `code` is `EADDRINUSE`.
 */
export class PoolOverlapError extends NetnsKitError {
  /** the subnet that was asked for. */
  readonly subnet: string;
  /** the subnet it overlaps. */
  readonly conflict: string;
  /** what holds the conflicting subnet (`network web`, `address on br0`, …). */
  readonly holder: string;
  constructor(subnet: string, conflict: string, holder: string) {
    super(`Pool overlaps with other one on this address space: ${subnet} overlaps ${conflict} (${holder})`, 'EADDRINUSE', 98);
    this.subnet = subnet;
    this.conflict = conflict;
    this.holder = holder;
  }
}
