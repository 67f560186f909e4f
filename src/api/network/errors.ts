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

/**
 * A published port (`-p`) that cannot be had: the host port is published already — by
 * another container, network or process, on the same address or on every address — or
 * appears twice in one connect, or no port of a range is free. Docker's message: `Bind for
 * 0.0.0.0:8080 failed: port is already allocated`. `code` is `EADDRINUSE`. Nothing was
 * written when it is thrown.
 */
export class PortConflictError extends NetnsKitError {
  /** the `-p` value (or mapping) asked for. */
  readonly spec: string;
  /** `tcp` or `udp`. */
  readonly protocol: 'tcp' | 'udp';
  /** the host address (undefined: every address). */
  readonly hostIp: string | undefined;
  /** the host port (undefined when a range or the dynamic range had none free). */
  readonly hostPort: number | undefined;
  constructor(spec: string, protocol: 'tcp' | 'udp', hostIp: string | undefined, hostPort: number | undefined, reason: string) {
    const where = hostPort === undefined ? `${spec}` : `${hostIp === undefined ? '0.0.0.0' : hostIp.includes(':') ? `[${hostIp}]` : hostIp}:${hostPort}/${protocol}`;
    super(`Bind for ${where} failed: ${reason}`, 'EADDRINUSE', 98);
    this.spec = spec;
    this.protocol = protocol;
    this.hostIp = hostIp;
    this.hostPort = hostPort;
  }
}
