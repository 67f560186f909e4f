/**
 * The resident CNI daemon (`netns-kit-cni serve`): runs the calls that the `netns-kit-cni` shim
 * (a small static executable, native/cni_shim.c) hands over a Unix socket, so that a call
 * costs the daemon's work instead of starting Node each time. The shim sends its pid, a
 * descriptor path of CNI_NETNS it opened (`/proc/<pid>/fd/<n>`), its environment and stdin; the
 * daemon works in the caller's network namespace (`/proc/<pid>/ns/net`), not its own, and
 * answers with the exit status and stdout. Calls run concurrently; host-local's file lock
 * orders the IPAM updates as it does between processes. The socket is made mode 0600 in a
 * 0700 directory: only root may hand it calls.
 * @module
 */
import { chmodSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { type CniCaller, runCni } from './main.js';
import { CniCode, CniError } from './spec.js';

/** Where the shim looks for the daemon unless `NETNS_KIT_CNI_SOCKET` says otherwise. */
export const DEFAULT_CNI_SOCKET = '/run/netns-kit/cni.sock';

/** A running daemon. */
export interface CniDaemon extends AsyncDisposable {
  /** the socket path it listens on. */
  readonly socket: string;
  /** calls answered so far. */
  readonly calls: number;
  /** Stops listening, waits for the calls in progress, removes the socket. */
  close(): Promise<void>;
}

/** One call as the shim sent it. */
export interface ShimRequest {
  pid: number;
  netnsPath?: string;
  env: NodeJS.ProcessEnv;
  stdin: string;
}

/** Parses a request: u32 LE header length, NUL-terminated header strings, then stdin. */
export function parseShimRequest(data: Buffer): ShimRequest {
  if (data.length < 4) throw new Error('short request');
  const len = data.readUInt32LE(0);
  if (4 + len > data.length) throw new Error('truncated request header');
  const strings = data.subarray(4, 4 + len).toString('utf8').split('\0');
  if (strings.at(-1) === '') strings.pop();
  const req: ShimRequest = { pid: 0, env: {}, stdin: data.subarray(4 + len).toString('utf8') };
  let i = 0;
  for (; i < strings.length && strings[i] !== ''; i++) {
    const s = strings[i]!;
    if (s.startsWith('pid=')) req.pid = Number(s.slice(4));
    else if (s.startsWith('netns=')) req.netnsPath = s.slice(6);
  }
  for (i++; i < strings.length; i++) {
    const s = strings[i]!;
    const eq = s.indexOf('=');
    if (eq > 0) req.env[s.slice(0, eq)] = s.slice(eq + 1);
  }
  if (!Number.isInteger(req.pid) || req.pid <= 0) throw new Error('request without a caller pid');
  return req;
}

/** `dev:ino` of a namespace file, or undefined when it cannot be read. */
function identity(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/** Where the caller's namespaces are: its own network namespace unless it is the daemon's (`own`). */
function callerOf(req: ShimRequest, own: string | undefined): CniCaller {
  const hostNs = `/proc/${req.pid}/ns/net`;
  return {
    ...(own !== undefined && identity(hostNs) === own ? {} : { hostNetns: hostNs }),
    ...(req.netnsPath ? { netnsPath: req.netnsPath } : {}),
  };
}

function answer(sock: Socket, exitCode: number, stdout: string): void {
  const head = Buffer.alloc(4);
  head.writeUInt32LE(exitCode >>> 0, 0);
  sock.end(Buffer.concat([head, Buffer.from(stdout, 'utf8')]));
}

/** Is something answering on this socket path? */
function listening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/**
 * Starts the daemon on `socket` (default /run/netns-kit/cni.sock). Refuses when another daemon
 * answers there; a socket file left by a daemon that died is replaced.
 */
export async function serveCni(options: { socket?: string } = {}): Promise<CniDaemon> {
  const path = options.socket ?? DEFAULT_CNI_SOCKET;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (await listening(path)) throw Object.assign(new Error(`a netns-kit CNI daemon already listens on ${path}`), { code: 'EADDRINUSE' });
  rmSync(path, { force: true });
  const inFlight = new Set<Promise<void>>();
  let calls = 0;
  const own = identity('/proc/self/ns/net'); // the daemon's network namespace does not change
  // half-open: the caller ends its side after stdin and still waits for the answer
  const server: Server = createServer({ allowHalfOpen: true }, (sock) => {
    const chunks: Buffer[] = [];
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('error', () => undefined); // a caller that went away: its call still finishes
    sock.on('end', () => {
      const p = (async () => {
        let req: ShimRequest;
        try {
          req = parseShimRequest(Buffer.concat(chunks));
        } catch (e) {
          const err = new CniError(CniCode.TRY_AGAIN_LATER, 'netns-kit CNI daemon: bad request', (e as Error).message);
          answer(sock, 1, `${JSON.stringify(err.toJSON('1.0.0'), null, 4)}\n`); // the version of the fast plugin's own errors
          return;
        }
        const out = await runCni(req.env, req.stdin, callerOf(req, own));
        calls++;
        if (!sock.destroyed) answer(sock, out.exitCode, out.stdout);
      })();
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
    })());
  return {
    socket: path,
    get calls() {
      return calls;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
