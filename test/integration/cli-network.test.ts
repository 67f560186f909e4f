/**
 * `netns-kit network ls | inspect | gc` on a network made by another process (the
 * network-worker fixture), run as a process (dist/cli/bin.js).
 */
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BridgeNetwork, Link, VethPair } from '../../src/index.js';
import { rootSkip, tempNamespace, uniqueName, useTempNamespaces } from '../helpers/env.js';

const worker = fileURLToPath(new URL('../fixtures/network-worker.mjs', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/cli/bin.js', ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe.skipIf(!!rootSkip)('netns-kit network', () => {
  useTempNamespaces();

  it('ls, inspect and gc work on a network another process made', async () => {
    const host = await tempNamespace('host');
    const [a, b] = [await tempNamespace('c'), await tempNamespace('c')];
    const name = uniqueName('net');
    const child = spawn(process.execPath, [worker, 'create', host.name!, name, '10.150.0.0/24', a.name!, b.name!], { stdio: 'ignore' });
    expect(await new Promise((r) => child.on('close', r))).toBe(0);

    const ls = await cli(['-n', host.name!, 'network', 'ls']);
    expect(ls).toMatchObject({ code: 0, stderr: '' });
    expect(ls.stdout.split('\n')[0]).toMatch(/^NETWORK ID\s+NAME\s+BRIDGE\s+SUBNET\s+CONTAINERS\s+PRESENT/);
    expect(ls.stdout).toMatch(new RegExp(`${name}\\s+br-[0-9a-f]{12}\\s+10\\.150\\.0\\.0/24\\s+2\\s+yes`));
    const lsJson = JSON.parse((await cli(['-j', '-n', host.name!, 'network', 'ls'])).stdout);
    expect(lsJson).toEqual([expect.objectContaining({ name, subnet: '10.150.0.0/24', containers: 2, present: true })]);

    const insp = await cli(['-n', host.name!, 'network', 'inspect', name]);
    expect(insp.code).toBe(0);
    const [info] = JSON.parse(insp.stdout);
    expect(info).toMatchObject({ name, driver: 'bridge', subnet: '10.150.0.0/24', gateway: '10.150.0.1', gatewayOnBridge: true });
    expect(info.containers.map((c: any) => [c.namespace, c.ipv4Address, c.attached])).toEqual([
      [`/run/netns/${a.name}`, '10.150.0.2/24', true],
      [`/run/netns/${b.name}`, '10.150.0.3/24', true],
    ]);
    expect((await cli(['-n', host.name!, 'network', 'inspect', 'nope'])).code).toBe(2);

    // a stray veth on the bridge: gc --dry-run reports it, gc removes it, live containers stay
    const net = await BridgeNetwork.open(host, name);
    const stray = await VethPair.create(host, { name: 'vethstray', peer: { name: 'vethstray-p' } });
    await net.bridge.addPort(stray.local);
    const dry = await cli(['-n', host.name!, 'network', 'gc', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/unknown-port\s+vethstray\s+delete-link/);
    expect((await Link.list(host)).some((l) => l.name === 'vethstray')).toBe(true);
    const gc = JSON.parse((await cli(['-j', '-n', host.name!, 'network', 'gc', name])).stdout);
    expect(gc[name].map((i: any) => [i.kind, i.link])).toEqual([['unknown-port', 'vethstray']]);
    expect((await Link.list(host)).some((l) => l.name === 'vethstray')).toBe(false);
    expect((await cli(['-n', host.name!, 'network', 'gc'])).stdout.trim()).toBe('nothing repaired: every network is consistent');
    await net.reload();
    expect(net.endpoints).toHaveLength(2);
    await net.remove({ force: true });
    expect((await cli(['-j', '-n', host.name!, 'network', 'ls'])).stdout.trim()).toBe('[]');
  });
});
