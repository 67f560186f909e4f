/**
 * Real container runtimes driving the netns-kit-bridge CNI plugin: Podman 4 with its CNI
 * network backend (`podman run -p`, `podman rm`) and containerd 1.6 (`ctr run --cni`).
 *
 * Each runtime runs inside a "host" namespace the test made, entered with `nsenter --net`
 * (not `ip netns exec`: that remounts /sys for the namespace, which hides
 * /sys/fs/cgroup from runc), with every directory of its own in a temporary directory:
 * podman's --root/--runroot, its containers.conf (CNI backend, plugin and config
 * directories); containerd's root, state and socket, and — in a private mount namespace —
 * /etc/cni/net.d and /opt/cni/bin bind-mounted from test directories, since ctr reads those
 * fixed paths. Whatever a test starts (containerd, conmon, containers) is stopped in a
 * finally, even when the test fails.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ourPlugin, PLUGIN_MODES, tempDir, usePluginMode } from '../helpers/cni.js';
import { rootSkip, skipReason, tempNamespace, toolEnv, useTempNamespaces } from '../helpers/env.js';

function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
const podmanSkip = rootSkip ?? (!which('podman') ? skipReason('podman is not installed (Debian: podman)') : !which('runc') && !which('crun') ? skipReason('no OCI runtime (runc/crun) for podman') : !BUSYBOX ? skipReason('busybox-static is not installed (the test image is made from it)') : undefined);
const ctrSkip = rootSkip ?? (!which('containerd') || !which('ctr') ? skipReason('containerd is not installed (Debian: containerd)') : !which('runc') ? skipReason('runc is not installed (Debian: runc)') : !BUSYBOX ? skipReason('busybox-static is not installed') : undefined);

/** A busybox root filesystem serving /www/index.html with `httpd`. */
function makeRootfs(dir: string): string {
  const root = join(dir, 'rootfs');
  for (const d of ['bin', 'www', 'tmp', 'etc', 'proc', 'sys', 'dev']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(BUSYBOX!, join(root, 'bin', 'busybox'));
  execFileSync('chmod', ['755', join(root, 'bin', 'busybox')]);
  for (const a of ['sh', 'httpd', 'sleep']) symlinkSync('busybox', join(root, 'bin', a));
  writeFileSync(join(root, 'www', 'index.html'), 'hello from a netns-kit-bridge container\n');
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\n');
  return root;
}

/** Runs a command (the first argument) and returns its output; rejects with both streams on failure. */
function run(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<string> {
  return new Promise((res, rej) => {
    execFile(file, args, { env: opts.env ?? toolEnv, encoding: 'utf8', timeout: opts.timeout ?? 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stdout}\n${stderr}`));
      else res(stdout);
    });
  });
}

/** Fetches http://ip:port/ from inside the namespace `ns` (nsenter + node): the body. */
async function httpGet(ns: string, ip: string, port: number): Promise<string> {
  const script = `const s=require('net').connect(${port},'${ip}');let b='';s.setTimeout(5000,()=>{console.log('TIMEOUT');process.exit(1)});s.on('data',d=>b+=d).on('end',()=>{console.log(b.split('\\r\\n\\r\\n').slice(1).join(''));}).on('error',e=>{console.log('ERROR '+e.message);process.exit(1)}).write('GET / HTTP/1.0\\r\\n\\r\\n')`;
  return run('nsenter', [`--net=/run/netns/${ns}`, process.execPath, '-e', script]).then((out) => out.replace(/\n$/, ''), (e: Error) => e.message);
}

/** Mounts below `dir` in this mount namespace (podman's shm and overlay mounts), deepest first. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

function conflist(name: string, bridge: string, subnet: string, dataDir: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    cniVersion: '1.0.0',
    name,
    plugins: [{ type: 'netns-kit-bridge', bridge, isGateway: true, ipMasq: true, hairpinMode: true, capabilities: { portMappings: true, ips: true, mac: true }, ipam: { type: 'host-local', ranges: [[{ subnet }]], routes: [{ dst: '0.0.0.0/0' }], dataDir }, ...extra }],
  });
}

for (const mode of PLUGIN_MODES)
describe.skipIf(!!mode.skip)(`container runtimes on the netns-kit-bridge CNI plugin (${mode.name})`, () => {
  useTempNamespaces();
  const viaDaemon = usePluginMode(mode);

  it.skipIf(!!podmanSkip)('Podman (CNI backend): run -p publishes a port that answers; rm removes the veth, the address and the published port', async () => {
    const plugin = ourPlugin();
    const dir = tempDir('podman');
    const host = await tempNamespace('pod');
    const plugins = join(dir, 'plugins');
    const netd = join(dir, 'net.d');
    const ipam = join(dir, 'ipam');
    for (const d of [plugins, netd, join(dir, 'tmp')]) mkdirSync(d, { recursive: true });
    symlinkSync(plugin, join(plugins, 'netns-kit-bridge'));
    writeFileSync(join(netd, 'nkpod.conflist'), conflist('nkpod', 'cni-pod0', '10.89.50.0/24', ipam));
    writeFileSync(
      join(dir, 'containers.conf'),
      `[engine]\ntmp_dir = "${dir}/tmp"\nevents_logfile_path = "${dir}/events.log"\n[network]\nnetwork_backend = "cni"\ncni_plugin_dirs = ["${plugins}"]\nnetwork_config_dir = "${netd}"\n`,
    );
    const env = { ...toolEnv, ...viaDaemon.env(), CONTAINERS_CONF: join(dir, 'containers.conf'), TMPDIR: join(dir, 'tmp') };
    const podman = (...args: string[]): Promise<string> =>
      run('nsenter', [`--net=/run/netns/${host.name}`, 'podman', '--root', join(dir, 'root'), '--runroot', join(dir, 'runroot'), '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--storage-driver', 'vfs', '--network-config-dir', netd, ...args], { env });
    try {
      const rootfs = makeRootfs(dir);
      execFileSync('tar', ['-C', rootfs, '-cf', join(dir, 'rootfs.tar'), '.']);
      await podman('import', join(dir, 'rootfs.tar'), 'localhost/nk-busybox:latest');
      expect(await podman('network', 'ls', '--format', '{{.Name}} {{.Driver}}')).toMatch(/^nkpod netns-kit-bridge$/m);
      await podman('run', '-d', '--name', 'web', '--network', 'nkpod', '-p', '18080:8080', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', 'localhost/nk-busybox:latest', '/bin/httpd', '-f', '-p', '8080', '-h', '/www');
      const ip = (await podman('inspect', 'web', '--format', '{{(index .NetworkSettings.Networks "nkpod").IPAddress}}')).trim();
      expect(ip).toMatch(/^10\.89\.50\.\d+$/);
      expect(readdirSync(join(ipam, 'nkpod'))).toContain(ip);
      // the container directly, and the published port on the host's gateway address
      expect(await httpGet(host.name!, ip, 8080)).toBe('hello from a netns-kit-bridge container\n');
      expect(await httpGet(host.name!, '10.89.50.1', 18080)).toBe('hello from a netns-kit-bridge container\n');
      await podman('rm', '-f', '-t', '0', 'web');
      if (mode.daemon) expect(viaDaemon.calls()).toBeGreaterThanOrEqual(2); // ADD and DEL went through the daemon
      expect(readdirSync(join(ipam, 'nkpod')).filter((f) => f.startsWith('10.'))).toEqual([]);
      const links = JSON.parse(execFileSync('ip', ['-n', host.name!, '-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string }[];
      expect(links.map((l) => l.ifname).filter((n) => n.startsWith('veth'))).toEqual([]);
      expect(await httpGet(host.name!, '10.89.50.1', 18080)).toMatch(/ERROR|TIMEOUT/);
    } finally {
      await podman('rm', '-a', '-f', '-t', '0').catch(() => undefined);
      for (const m of mountsUnder(dir)) execFileSync('umount', ['-l', m], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!!ctrSkip)('containerd (ctr run --cni): the container gets an address on the bridge and answers; when it ends, ctr removes its network', async () => {
    const plugin = ourPlugin();
    const dir = tempDir('ctr');
    const host = await tempNamespace('ctr');
    const bin = join(dir, 'bin');
    const netd = join(dir, 'net.d');
    const ipam = join(dir, 'ipam');
    for (const d of [bin, netd]) mkdirSync(d, { recursive: true });
    symlinkSync(plugin, join(bin, 'netns-kit-bridge'));
    writeFileSync(join(netd, '10-nkctr.conflist'), conflist('nkctr', 'cni-ctr0', '10.89.51.0/24', ipam, { ipMasq: false }));
    const rootfs = makeRootfs(dir);
    const sock = join(dir, 'containerd.sock');
    writeFileSync(
      join(dir, 'config.toml'),
      `version = 2\nroot = "${dir}/root"\nstate = "${dir}/state"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "${sock}"\n[ttrpc]\n  address = "${sock}.ttrpc"\n`,
    );
    // One script in a private mount namespace: containerd and ctr see the test's CNI
    // directories at the fixed paths; containerd is stopped on every way out (trap).
    const script = `
set -eu
mount --make-rprivate /
mount -t tmpfs tmpfs /opt
mkdir -p /opt/cni/bin
mount --bind ${bin} /opt/cni/bin
mount --bind ${netd} /etc/cni/net.d
containerd --config ${dir}/config.toml --log-level warn > ${dir}/containerd.log 2>&1 &
CPID=$!
RPID=
stop() {
  [ -n "$RPID" ] && { ctr -a ${sock} -n nktest task kill -s SIGKILL web1 >/dev/null 2>&1 || true; wait $RPID 2>/dev/null || true; }
  ctr -a ${sock} -n nktest task delete -f web1 >/dev/null 2>&1 || true
  ctr -a ${sock} -n nktest container delete web1 >/dev/null 2>&1 || true
  kill $CPID 2>/dev/null || true; wait $CPID 2>/dev/null || true
}
trap stop EXIT INT TERM
for i in $(seq 100); do [ -S ${sock} ] && break; sleep 0.1; done
ctr -a ${sock} -n nktest run --rm --cni --rootfs ${rootfs} web1 /bin/httpd -f -p 8080 -h /www > ${dir}/ctr.log 2>&1 &
RPID=$!
for i in $(seq 100); do ls ${ipam}/nkctr 2>/dev/null | grep -q '^10\\.' && break; sleep 0.1; done
IP=$(ls ${ipam}/nkctr | grep '^10\\.')
echo "IP=$IP"
echo "BODY=$(${process.execPath} -e "const s=require('net').connect(8080,'$IP');let b='';s.setTimeout(5000,()=>process.exit(1));s.on('data',d=>b+=d).on('end',()=>console.log(JSON.stringify(b.split('\\r\\n\\r\\n')[1])));s.write('GET / HTTP/1.0\\r\\n\\r\\n')")"
echo "VETHS_WHILE_RUNNING=$(ip -o link show master cni-ctr0 | wc -l)"
ctr -a ${sock} -n nktest task kill -s SIGKILL web1
wait $RPID || true
RPID=
echo "LEFT=$(ls ${ipam}/nkctr | grep -c '^10\\.' || true)"
echo "CONTAINERS=$(ctr -a ${sock} -n nktest containers ls -q | wc -l)"
echo "VETHS_AFTER=$(ip -o link show master cni-ctr0 | wc -l)"
`;
    writeFileSync(join(dir, 'run.sh'), script);
    try {
      const out = await run('nsenter', [`--net=/run/netns/${host.name}`, 'unshare', '-m', 'bash', join(dir, 'run.sh')], { env: { ...toolEnv, ...viaDaemon.env() } });
      const v = Object.fromEntries(out.trim().split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      expect(v.IP).toMatch(/^10\.89\.51\.\d+$/);
      expect(JSON.parse(v.BODY!)).toBe('hello from a netns-kit-bridge container\n');
      expect(v.VETHS_WHILE_RUNNING).toBe('1');
      expect([v.LEFT, v.CONTAINERS, v.VETHS_AFTER]).toEqual(['0', '0', '0']);
      if (mode.daemon) expect(viaDaemon.calls()).toBeGreaterThanOrEqual(2); // ADD and DEL went through the daemon
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
