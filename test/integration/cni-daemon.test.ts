/**
 * The fast CNI plugin (the static shim, native/cni_shim.c) and the resident daemon
 * (`netns-kit-cni serve`) it hands calls to: what the plugin suite (cni.test.ts, run in both
 * modes) cannot show — the shim without a daemon, namespaces the daemon cannot see by path,
 * many calls at once, no descriptors left, the socket's life, a daemon that goes away.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type CniDaemon, parseShimRequest, serveCni } from '../../src/cni/daemon.js';
import { cni, FAST_BIN, REF_DIR, tempDir } from '../helpers/cni.js';
import { fdCount, ipJson, rootSkip, skipReason, tempNamespace, toolEnv, useTempNamespaces } from '../helpers/env.js';

const fastSkip = existsSync(FAST_BIN) ? undefined : skipReason(`the fast plugin ${FAST_BIN} is not built (npm run build)`);

function netConf(dataDir: string, extra: Record<string, unknown> = {}): any {
  return {
    cniVersion: '1.0.0',
    name: 'fastnet',
    type: 'netns-kit-bridge',
    bridge: 'cni-f0',
    isGateway: true,
    ipam: { type: 'host-local', ranges: [[{ subnet: '10.87.0.0/24' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir },
    ...extra,
  };
}

const daemons: CniDaemon[] = [];
async function daemon(): Promise<CniDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'nk-cnid-'));
  const d = await serveCni({ socket: join(dir, 'cni.sock') });
  daemons.push(d);
  return d;
}
async function closeDaemons(): Promise<void> {
  for (const d of daemons.splice(0)) {
    await d.close();
    rmSync(join(d.socket, '..'), { recursive: true, force: true });
  }
}

describe('shim requests (no privileges)', () => {
  it('parses pid, the netns descriptor path, the environment and stdin', () => {
    const head = Buffer.from(['pid=42', 'netns=/proc/42/fd/3', '', 'CNI_COMMAND=ADD', 'A=b=c', ''].join('\0'));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(head.length);
    const r = parseShimRequest(Buffer.concat([len, head, Buffer.from('{"x":1}')]));
    expect(r).toEqual({ pid: 42, netnsPath: '/proc/42/fd/3', env: { CNI_COMMAND: 'ADD', A: 'b=c' }, stdin: '{"x":1}' });
    expect(() => parseShimRequest(Buffer.from([1, 0]))).toThrow(/short/);
    expect(() => parseShimRequest(Buffer.concat([len, head.subarray(1)]))).toThrow(/truncated/);
    const noPid = Buffer.from(['', 'A=b', ''].join('\0'));
    const l2 = Buffer.alloc(4);
    l2.writeUInt32LE(noPid.length);
    expect(() => parseShimRequest(Buffer.concat([l2, noPid]))).toThrow(/pid/);
  });
});

describe.skipIf(!!rootSkip || !!fastSkip)('fast CNI plugin and its daemon', () => {
  useTempNamespaces();
  afterEach(closeDaemons);
  afterAll(closeDaemons);

  it('without a daemon the fast plugin runs the Node plugin itself (same result)', async () => {
    const host = await tempNamespace('h');
    const cont = await tempNamespace('c');
    const dir = tempDir('nodaemon');
    const env = { host: host.name, containerId: 'nd1', netns: `/run/netns/${cont.name}`, ifname: 'eth0', socket: join(dir, 'nobody-listens.sock') };
    const r = await cni(FAST_BIN, 'ADD', netConf(dir), env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.ips[0].address).toBe('10.87.0.2/24');
    expect(ipJson(['-4', 'addr', 'show', 'eth0'], cont)[0].addr_info[0].local).toBe('10.87.0.2');
    expect((await cni(FAST_BIN, 'DEL', netConf(dir), env)).code).toBe(0);
    expect(ipJson(['link', 'show'], cont).map((l: any) => l.ifname)).toEqual(['lo']);
  });

  it("works in the caller's namespaces: its network namespace as the host, and a container namespace mounted where only the caller sees it", async () => {
    const d = await daemon();
    const host = await tempNamespace('h');
    const cont = await tempNamespace('c');
    const dir = tempDir('private');
    const priv = mkdtempSync(join(tmpdir(), 'nk-cni-priv-'));
    try {
      // the container's namespace is bind-mounted inside a private mount namespace of the caller: the daemon sees an empty directory
      const script = `mount -t tmpfs none "$P" && touch "$P/ns" && mount --bind /run/netns/${cont.name} "$P/ns" && exec nsenter --net=/run/netns/${host.name} "$SHIM"`;
      const run = (command: string): Promise<{ code: number; out: string }> =>
        new Promise((resolve) => {
          const child = execFile(
            'unshare',
            ['--mount', '--propagation', 'private', 'sh', '-c', script],
            {
              env: { ...toolEnv, P: priv, SHIM: FAST_BIN, NETNS_KIT_CNI_SOCKET: d.socket, CNI_COMMAND: command, CNI_CONTAINERID: 'pv1', CNI_NETNS: join(priv, 'ns'), CNI_IFNAME: 'eth0', CNI_PATH: REF_DIR },
              encoding: 'utf8',
            },
            (err, stdout) => resolve({ code: err ? ((err as any).code ?? 1) : 0, out: stdout }),
          );
          child.stdin!.end(JSON.stringify(netConf(dir)));
        });
      expect(existsSync(join(priv, 'ns'))).toBe(false);
      const add = await run('ADD');
      expect(add.code, add.out).toBe(0);
      const r = JSON.parse(add.out);
      expect(r.interfaces[2].sandbox).toBe(join(priv, 'ns')); // the runtime's path, not the descriptor's
      expect(ipJson(['-4', 'addr', 'show', 'eth0'], cont)[0].addr_info[0].local).toBe('10.87.0.2');
      // the bridge is in the caller's network namespace (the test's host), not the daemon's
      expect(ipJson(['link', 'show', 'cni-f0'], host)).toHaveLength(1);
      expect(ipJson(['link', 'show']).some((l: any) => l.ifname === 'cni-f0')).toBe(false);
      const del = await run('DEL');
      expect(del.code, del.out).toBe(0);
      expect(ipJson(['link', 'show'], cont).map((l: any) => l.ifname)).toEqual(['lo']);
      expect(d.calls).toBe(2);
    } finally {
      rmSync(priv, { recursive: true, force: true });
    }
  });

  it('16 calls at once: distinct addresses, all answered; afterwards the daemon holds no more descriptors than before', async () => {
    const d = await daemon();
    const host = await tempNamespace('h');
    const dir = tempDir('many');
    const conts = await Promise.all(Array.from({ length: 16 }, () => tempNamespace('c')));
    const call = (cmd: string, i: number) => cni(FAST_BIN, cmd, netConf(dir), { host: host.name, containerId: `m${i}`, netns: `/run/netns/${conts[i]!.name}`, ifname: 'eth0', socket: d.socket });
    // one round first: what stays open for good (the daemon's own namespace connection, the socket) is counted in
    for (const cmd of ['ADD', 'DEL']) expect((await call(cmd, 0)).code).toBe(0);
    const before = fdCount();
    const adds = await Promise.all(conts.map((_, i) => call('ADD', i)));
    for (const a of adds) expect(a.code, a.stdout).toBe(0);
    const ips = adds.map((a) => a.json.ips[0].address);
    expect(new Set(ips).size).toBe(16);
    expect(readdirSync(join(dir, 'fastnet')).filter((f) => f.startsWith('10.')).length).toBe(16);
    const dels = await Promise.all(conts.map((_, i) => call('DEL', i)));
    for (const x of dels) expect(x.code, x.stdout).toBe(0);
    expect(readdirSync(join(dir, 'fastnet')).filter((f) => f.startsWith('10.'))).toEqual([]);
    expect(ipJson(['link', 'show', 'master', 'cni-f0'], host)).toEqual([]);
    expect(fdCount()).toBe(before);
    expect(d.calls).toBe(34);
  });

  it('the socket: mode 0600, one daemon per socket, a stale file replaced, removed on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nk-cnid-'));
    try {
      const socket = join(dir, 'cni.sock');
      writeFileSync(socket, ''); // left behind by a daemon that died (nobody listens)
      const d = await serveCni({ socket });
      expect(statSync(socket).mode & 0o777).toBe(0o600);
      await expect(serveCni({ socket })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await d.close();
      expect(existsSync(socket)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a daemon that goes away without answering: the caller gets a CNI error with code 11 (try again later)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nk-cnid-'));
    const socket = join(dir, 'cni.sock');
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      const r = await cni(FAST_BIN, 'VERSION', { cniVersion: '1.0.0' }, { socket });
      expect(r.code).toBe(1);
      expect(r.json).toMatchObject({ code: 11, msg: expect.stringMatching(/daemon/) });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
