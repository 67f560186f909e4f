/**
 * Test traffic between namespaces the tests made. The traffic code itself (echo servers and
 * clients whose sockets live inside namespaces, UDP datagrams with a chosen TTL, the raw
 * receiver that shows the TTL a packet arrived with) is shared with the examples and the CLI
 * demo in src/testing/traffic.ts (`netns-kit/testing`); this file adds what only tests
 * need: a throwing echo, the kernel's SNMP counters of a namespace, and polling.
 */
import { readFileIn } from '../../src/api/namespace/sysctl.js';
import type { Namespace } from '../../src/index.js';
import { tcpEcho } from '../../src/testing/traffic.js';

export { RawUdpReceiver, sendUdp, tcpEchoServer, udpEchoServer, tcpEcho, udpEcho, type SeenPacket, type EchoServer } from '../../src/testing/traffic.js';

export const AF_INET = 2;
export const AF_INET6 = 10;

/** Connects from inside `ns` to host:port, sends `text`, returns what comes back; rejects when it fails. */
export async function echo(ns: Namespace, host: string, port: number, text: string, timeoutMs = 15_000): Promise<string> {
  const r = await tcpEcho(ns, host, port, text, { timeoutMs });
  if (r.error !== undefined) throw new Error(`echo via ${r.to} from ${r.from}: ${r.error}`);
  return r.received;
}

/** One counter of a namespace's /proc/net/snmp (IPv4: `Ip`, `Icmp`, …) or /proc/net/snmp6 (`Ip6InHdrErrors`, …). */
export async function snmpCounter(ns: Namespace, group: string, name: string): Promise<number> {
  // thread-self: the helper thread that entered ns reads its own namespace's view
  if (group === 'Ip6' || group === 'Icmp6') {
    const text = await readFileIn(ns.fd, '/proc/thread-self/net/snmp6');
    const line = text.split('\n').find((l) => l.split(/\s+/)[0] === `${group}${name}`);
    if (!line) throw new Error(`no ${group}${name} in snmp6`);
    return Number(line.split(/\s+/)[1]);
  }
  const text = await readFileIn(ns.fd, '/proc/thread-self/net/snmp');
  const lines = text.split('\n').filter((l) => l.startsWith(`${group}:`));
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1);
  const i = names.indexOf(name);
  if (i < 0) throw new Error(`no ${group} ${name} in snmp`);
  return Number(values[i]);
}

/** Polls until `fn` is truthy (waiting for the kernel to do something); throws after `ms`. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
