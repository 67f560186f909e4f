import { AF_INET } from '../../src/util/ip.js';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { native } from '../../src/binding/native.js';
import { Namespace, SystemError, ValidationError, Link } from '../../src/index.js';
import {
  currentNetns,
  fdCount,
  ipJson,
  netnsMountCount,
  rootSkip,
  sh,
  tempNamespace,
  uniqueName,
  useTempNamespaces,
} from '../helpers/env.js';

describe.skipIf(!!rootSkip)('Namespace', () => {
  useTempNamespaces();

  it('creates a named namespace visible to `ip netns list`, and deletes it', async () => {
    const ns = await tempNamespace('cr');
    expect(ns.name).toBeDefined();
    expect(existsSync(`/run/netns/${ns.name}`)).toBe(true);
    const listed = sh('ip', ['netns', 'list']);
    expect(listed).toContain(ns.name!);
    expect((await Namespace.list()).map((n) => n.name)).toContain(ns.name);
    await ns.delete();
    expect(existsSync(`/run/netns/${ns.name}`)).toBe(false);
    expect(sh('ip', ['netns', 'list'])).not.toContain(ns.name!);
    expect((await Namespace.list()).map((n) => n.name)).not.toContain(ns.name);
  });

  it('a fresh namespace has only lo, DOWN (SCENARIOS 000 step 3)', async () => {
    const ns = await tempNamespace('lo');
    const links = await Link.list(ns);
    expect(links.map((l) => [l.name, l.isUp, l.operstate])).toEqual([['lo', false, 'down']]);
    expect(links[0]!.flagNames).toContain('LOOPBACK');
    expect(links[0]!.mtu).toBe(65536);
    const ip = ipJson<{ ifname: string; flags: string[]; mtu: number; ifindex: number }[]>(['link', 'show'], ns);
    expect(ip.map((l) => [l.ifindex, l.ifname, l.mtu])).toEqual(links.map((l) => [l.index, l.name, l.mtu]));
    expect(ip[0]!.flags).toEqual(links[0]!.flagNames);
  });

  it('opens namespaces made by `ip netns add`, and `ip` sees ours', async () => {
    const name = uniqueName('ip');
    sh('ip', ['netns', 'add', name]);
    try {
      const ns = await Namespace.open(name);
      expect((await Link.list(ns)).map((l) => l.name)).toEqual(['lo']);
      await ns.delete();
      expect(sh('ip', ['netns', 'list'])).not.toContain(name);
    } finally {
      if (existsSync(`/run/netns/${name}`)) sh('ip', ['netns', 'delete', name]);
    }
    const ours = await tempNamespace('ours');
    sh('ip', ['-n', ours.name!, 'link', 'set', 'lo', 'up']);
    expect((await Link.get(ours, 'lo')).isUp).toBe(true);
    sh('ip', ['netns', 'delete', ours.name!]);
    expect(existsSync(`/run/netns/${ours.name}`)).toBe(false);
  });

  it('refuses a duplicate name with EEXIST naming the path, and leaves the first intact', async () => {
    const ns = await tempNamespace('dup');
    const err = await Namespace.create(ns.name!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SystemError);
    expect((err as SystemError).code).toBe('EEXIST');
    expect((err as SystemError).path).toBe(`/run/netns/${ns.name}`);
    expect((err as Error).message).toBe(`Cannot create namespace file "/run/netns/${ns.name}": File exists (EEXIST)`);
    expect((await Link.list(ns)).length).toBe(1);
  });

  it('refuses invalid names before any syscall', async () => {
    for (const bad of ['', '.', '..', '../../etc', 'a/b', 'x'.repeat(256), 'nul\0']) {
      await expect(Namespace.create(bad)).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it('opening a missing namespace fails with ENOENT', async () => {
    const err = await Namespace.open(uniqueName('missing')).catch((e: unknown) => e);
    expect((err as SystemError).code).toBe('ENOENT');
  });

  it('host() is the namespace the process started in; equals() compares identity', async () => {
    const host = Namespace.host();
    expect(host.name).toBeUndefined();
    expect(currentNetns()).toBe(`net:[${host.identity.ino}]`);
    const self = await Namespace.openPid(process.pid);
    expect(self.equals(host)).toBe(true);
    await self.close();
    const ns = await tempNamespace('id');
    expect(ns.equals(host)).toBe(false);
    const again = await Namespace.open(ns.name!);
    expect(again.equals(ns)).toBe(true);
    await again.close();
  });

  it('run() executes inside the namespace and always returns, also after a throw', async () => {
    const ns = await tempNamespace('run');
    const before = currentNetns();
    expect(ns.run(() => currentNetns())).toBe(`net:[${ns.identity.ino}]`);
    expect(currentNetns()).toBe(before);
    expect(() =>
      ns.run(() => {
        throw new RangeError('boom');
      }),
    ).toThrow(RangeError);
    expect(currentNetns()).toBe(before);
    // nested: inner returns to outer, outer to the original
    const ns2 = await tempNamespace('run2');
    const seen = ns.run(() => [currentNetns(), ns2.run(() => currentNetns()), currentNetns()]);
    expect(seen).toEqual([`net:[${ns.identity.ino}]`, `net:[${ns2.identity.ino}]`, `net:[${ns.identity.ino}]`]);
    expect(currentNetns()).toBe(before);
  });

  it('run() refuses async functions and returned promises', async () => {
    const ns = await tempNamespace('async');
    expect(() => ns.run(async () => 1)).toThrow(/synchronous/);
    expect(() => ns.run(() => Promise.resolve(1))).toThrow(/returned a Promise/);
    expect(currentNetns()).toBe(`net:[${Namespace.host().identity.ino}]`);
  });

  it('a socket created inside run() belongs to that namespace (SIOCGSKNS)', async () => {
    const ns = await tempNamespace('sock');
    const server = ns.run(() => net.createServer().listen(0));
    await new Promise((r) => server.once('listening', r));
    const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
    const nsFd = native.socketNamespace(fd);
    const owner = await Namespace.openPath(`/proc/self/fd/${nsFd}`);
    expect(owner.equals(ns)).toBe(true);
    await owner.close();
    (await import('node:fs')).closeSync(nsFd);
    await new Promise((r) => server.close(r));
  });

  it('openSocket() makes a socket inside the namespace without moving the main thread', async () => {
    const ns = await tempNamespace('osock');
    const before = currentNetns();
    const fd = await ns.openSocket(AF_INET, 1 /* SOCK_STREAM */);
    expect(currentNetns()).toBe(before);
    const nsFd = native.socketNamespace(fd);
    const owner = await Namespace.openPath(`/proc/self/fd/${nsFd}`);
    expect(owner.equals(ns)).toBe(true);
    await owner.close();
    const fs = await import('node:fs');
    fs.closeSync(nsFd);
    fs.closeSync(fd);
  });

  it('identify() and pids() match `ip netns identify` / `ip netns pids`', async () => {
    const ns = await tempNamespace('pid');
    expect(await Namespace.identify(process.pid)).toEqual([]);
    expect(await ns.pids()).toEqual([]);
    const host = Namespace.host();
    expect(await host.pids()).toContain(process.pid);
  });

  it('nsids: set, get and list like `ip netns set` / `ip netns list-id`', async () => {
    const a = await tempNamespace('nsa');
    const b = await tempNamespace('nsb');
    expect(await a.getNsid(b)).toBeUndefined();
    expect(await a.setNsid(b, 7)).toBe(7);
    expect(await a.getNsid(b)).toBe(7);
    expect(await a.setNsid(a, 'auto')).toBeGreaterThanOrEqual(0);
    const ids = await a.listNsids();
    expect(ids).toContainEqual({ nsid: 7, name: b.name });
    const ipList = ipJson<{ nsid: number; name?: string }[]>(['netns', 'list-id'], a);
    expect(ipList.map((x) => x.nsid).sort()).toEqual(ids.map((x) => x.nsid).sort());
    await expect(a.setNsid(b, -3 as number)).rejects.toBeInstanceOf(ValidationError);
  });

  it('1,000 open/close cycles (with a connection each 10th) leave fds and mounts unchanged', async () => {
    const ns = await tempNamespace('fd');
    await Link.list(ns);
    const fds = fdCount();
    const mounts = netnsMountCount(ns.name);
    for (let i = 0; i < 1000; i++) {
      const h = await Namespace.open(ns.name!);
      if (i % 10 === 0) await Link.list(h);
      await h.close();
    }
    expect(fdCount()).toBe(fds);
    expect(netnsMountCount(ns.name)).toBe(mounts);
  });

  it('100 create/delete cycles leave no fd, mount or file behind', async () => {
    const fds = fdCount();
    const names: string[] = [];
    for (let i = 0; i < 100; i++) {
      const ns = await Namespace.create(uniqueName('cyc'));
      names.push(ns.name!);
      await ns.delete();
    }
    expect(fdCount()).toBe(fds);
    for (const n of names) {
      expect(netnsMountCount(n)).toBe(0);
      expect(existsSync(`/run/netns/${n}`)).toBe(false);
    }
  });
});
