/**
 * Errors for a missing namespace carry a positive errno and a readable message (Node's fs
 * errors carry negative errnos); EPERM errors name the capability that is missing.
 * No privileges needed: opening a path that does not exist fails before any privilege matters.
 */
import { describe, expect, it } from 'vitest';
import { Namespace, NetlinkError, SystemError } from '../../src/index.js';

describe('errno of system errors', () => {
  it('Namespace.open of a missing name: errno 2, ENOENT, a clean message', async () => {
    const e = (await Namespace.open('nk-no-such-namespace-x').catch((x: unknown) => x)) as SystemError;
    expect(e).toBeInstanceOf(SystemError);
    expect(e.errno).toBe(2); // before: -2
    expect(e.code).toBe('ENOENT');
    expect(e.message).toBe(`open namespace "nk-no-such-namespace-x": no such file or directory (ENOENT, open '/run/netns/nk-no-such-namespace-x')`);
    expect(e.message).not.toMatch(/error -2/);
  });

  it('Namespace.openPath of a missing path: the same', async () => {
    const e = (await Namespace.openPath('/nonexistent/nk/net').catch((x: unknown) => x)) as SystemError;
    expect(e).toBeInstanceOf(SystemError);
    expect([e.errno, e.code, e.path]).toEqual([2, 'ENOENT', '/nonexistent/nk/net']);
    expect(e.message).toMatch(/^open namespace \/nonexistent\/nk\/net: no such file or directory \(ENOENT, open/);
  });

  it('EPERM names the capability: CAP_SYS_ADMIN for setns, CAP_NET_ADMIN for netlink changes', () => {
    const fromAddon = Object.assign(new Error('EPERM: operation not permitted, setns'), { errno: 1, code: 'EPERM', syscall: 'setns' });
    const e = SystemError.from(fromAddon, 'open netlink socket') as SystemError;
    expect(e.message).toBe('open netlink socket: operation not permitted (EPERM, setns) — setns needs CAP_SYS_ADMIN, which this process lacks');
    const n = new NetlinkError({ errno: 1, operation: 'create link', object: 'v0' });
    expect(n.message).toBe('create link v0: operation not permitted (EPERM) — needs CAP_NET_ADMIN, which this process lacks');
  });
});
