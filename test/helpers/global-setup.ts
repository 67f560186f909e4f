/**
 * Gives every test run a unique namespace-name prefix and, at the end, removes any
 * namespace still carrying it (a test that failed to clean up must not leak).
 */
import { readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export default function setup(): () => void {
  const prefix = `nkt${Date.now().toString(36).slice(-5)}${process.pid.toString(36)}-`;
  process.env.NETNS_KIT_TEST_PREFIX = prefix;
  return () => {
    let names: string[] = [];
    try {
      names = readdirSync('/run/netns').filter((n) => n.startsWith(prefix));
    } catch {
      return;
    }
    for (const n of names) {
      try {
        execFileSync('ip', ['netns', 'delete', n], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    }
    if (names.length > 0) console.warn(`[global teardown] removed ${names.length} leftover namespace(s): ${names.join(' ')}`);
  };
}
