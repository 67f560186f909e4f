import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Namespace, type NamespaceEvent, ValidationError, NamespaceWatcher } from '../../src/index.js';
import { fdCount, PREFIX, rootSkip, sh, tempNamespace, uniqueName, useTempNamespaces } from '../helpers/env.js';
import { readUntil } from '../helpers/events.js';

const has = (evs: NamespaceEvent[], type: 'add' | 'remove', name: string): boolean => evs.some((e) => e.type === type && e.name === name);

describe.skipIf(!!rootSkip)('Namespace.watch (ip netns monitor)', () => {
  useTempNamespaces();

  it('reports namespaces added and removed, by netns-kit and by `ip netns`', async () => {
    const w = NamespaceWatcher.open();
    await w.ready;
    const a = await tempNamespace('nw');
    const b = uniqueName('nwip');
    sh('ip', ['netns', 'add', b]);
    let evs = await readUntil(w, (e) => has(e, 'add', a.name!) && has(e, 'add', b));
    const added = evs.find((e) => e.name === a.name)!;
    expect(added).toEqual({ type: 'add', name: a.name, path: `/run/netns/${a.name}`, snapshot: false });
    // an `add` is reported once the namespace is mounted: it can be opened at once
    const opened = await Namespace.open(b);
    await opened.close();
    expect(w.names).toContain(a.name);

    await a.delete();
    sh('ip', ['netns', 'delete', b]);
    evs = await readUntil(w, (e) => has(e, 'remove', a.name!) && has(e, 'remove', b));
    expect(w.names).not.toContain(b);
    // only this test's names: other test files create namespaces at the same time
    const mine = evs.filter((e) => e.name === a.name || e.name === b).map((e) => `${e.type} ${e.name === b ? 'b' : 'a'}`);
    expect(mine).toEqual(['remove a', 'remove b']);
    w.close();
  });

  it('snapshot: true first lists the namespaces already there; EventEmitter use', async () => {
    const a = await tempNamespace('ns');
    const w = NamespaceWatcher.open({ snapshot: true });
    const seen: NamespaceEvent[] = [];
    w.on('add', (ev) => seen.push(ev));
    await w.ready;
    expect(seen.find((e) => e.name === a.name)).toEqual({ type: 'add', name: a.name, path: `/run/netns/${a.name}`, snapshot: true });
    const removed = new Promise<NamespaceEvent>((resolve) => w.on('remove', (ev) => ev.name === a.name && resolve(ev)));
    await a.delete();
    expect((await removed).snapshot).toBe(false);
    w.close();
  });

  it('a name deleted and created again is reported as remove then add', async () => {
    const w = NamespaceWatcher.open();
    await w.ready;
    const name = uniqueName('re');
    const first = await Namespace.create(name);
    await readUntil(w, (e) => has(e, 'add', name));
    await first.delete();
    const second = await Namespace.create(name);
    const evs = await readUntil(w, (e) => has(e, 'add', name));
    expect(evs.filter((e) => e.name === name).map((e) => e.type)).toEqual(['remove', 'add']);
    await second.delete();
    w.close();
  });

  it('watches a directory that does not exist yet, and notices when it goes away', async () => {
    const root = mkdtempSync(`${tmpdir()}/${PREFIX}nsdir-`);
    try {
      const dir = `${root}/a/netns`;
      const w = NamespaceWatcher.open({ directory: dir });
      await w.ready;
      expect(w.directory).toBe(dir);
      mkdirSync(`${root}/a`);
      mkdirSync(dir);
      // a plain file is not a mounted namespace: it is reported after the mount checks give up
      writeFileSync(`${dir}/plain`, '');
      let evs = await readUntil(w, (e) => has(e, 'add', 'plain'));
      expect(evs[0]).toEqual({ type: 'add', name: 'plain', path: `${dir}/plain`, snapshot: false });
      rmSync(`${root}/a`, { recursive: true });
      evs = await readUntil(w, (e) => has(e, 'remove', 'plain'));
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}/again`, '');
      evs = await readUntil(w, (e) => has(e, 'add', 'again'));
      w.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('100 watch/close cycles leave the fd count unchanged; bad options are refused', async () => {
    const before = fdCount();
    for (let i = 0; i < 100; i++) {
      const w = NamespaceWatcher.open({ snapshot: i % 2 === 0 });
      if (i % 3 === 0) await w.ready;
      w.close();
      await w.ready.catch(() => undefined);
    }
    expect(fdCount()).toBe(before);
    expect(() => NamespaceWatcher.open({ dir: '/x' } as never)).toThrow(ValidationError);
    expect(() => NamespaceWatcher.open({ directory: '' })).toThrow(/directory/);
  });
});
