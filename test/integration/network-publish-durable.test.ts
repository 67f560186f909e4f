/**
 * NetworkFirewall across processes and at scale: rules restored after another program
 * flushes the ruleset (and not fought when removed again and again); a SIGKILLed owner's
 * rules found (open) and cleaned up (gc, disconnect, remove) by the next process; 200
 * containers x 4 published ports; one transaction per connect whatever is published.
 */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BridgeNetwork, Link, Nftables, NetworkFirewall, type FirewallRestoreEvent, type FirewallRestoreFailure, type Namespace } from '../../src/index.js';
import { fdCount, rootSkip, tempNamespace, toolEnv, uniqueName, useTempNamespaces } from '../helpers/env.js';
import { cli, nftJson, who, whoServer, world } from '../helpers/publish.js';
import { eventually } from '../helpers/traffic.js';

const worker = fileURLToPath(new URL('../fixtures/publish-worker.mjs', import.meta.url));

function runWorker(args: string[]): { first: Promise<Record<string, unknown>>; kill(): Promise<void> } {
  const child = spawn(process.execPath, [worker, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buf = '';
  const first = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
    });
    child.on('close', (c) => reject(new Error(`worker exited (${c}) before answering`)));
  });
  const closed = new Promise<void>((r) => child.on('close', () => r()));
  return {
    first,
    kill: async () => {
      child.kill('SIGKILL');
      await closed;
    },
  };
}

const elements = (host: Namespace, map: string): unknown[] => nftJson(host).find((o) => o.map?.name === map)?.map.elem ?? [];
const flush = (host: Namespace): void => void execFileSync('ip', ['netns', 'exec', host.name!, 'nft', 'flush', 'ruleset'], { env: toolEnv });
const next = <T>(fw: NetworkFirewall, ev: 'restored' | 'restore-failed'): Promise<T> => new Promise((r) => fw.once(ev, r as never));

describe.skipIf(!!rootSkip)('NetworkFirewall: restore, crashes, scale', () => {
  useTempNamespaces();

  it('nft flush ruleset by another process: noticed through nf_tables notifications, restored, said in an event; given up when removed again and again; not restored after our own remove()', async () => {
    const { host, client } = await world();
    const c = await tempNamespace('c');
    const fw = new NetworkFirewall();
    try {
      const nw = await BridgeNetwork.create(host, { name: 'r', subnet: '10.51.0.0/24', extensions: [fw] });
      await nw.connect(c, { publish: ['8080:80'] });
      const srv = await whoServer(c, 80);
      try {
        expect(await who(client, '10.99.0.1', 8080)).toBe('10.99.0.2 on 80');
        const restored = next<FirewallRestoreEvent>(fw, 'restored');
        flush(host);
        const ev = await restored;
        expect(ev).toMatchObject({ namespace: host.name, networks: ['r'], mappings: 1 });
        expect(ev.cause).toMatch(/^table (inet|bridge) netns-kit deleted$/);
        expect(await who(client, '10.99.0.1', 8080)).toBe('10.99.0.2 on 80');
        expect(await who(c, '10.99.0.2', 8080, 1000)).not.toBe('timeout'); // outbound NAT back too (ECONNREFUSED: nothing listens)
        // removed twice more: restored; the fourth time within a minute is taken as deliberate
        for (let i = 0; i < 2; i++) {
          const again = next<FirewallRestoreEvent>(fw, 'restored');
          flush(host);
          await again;
        }
        const failed = next<FirewallRestoreFailure>(fw, 'restore-failed');
        flush(host);
        expect((await failed).reason).toMatch(/taken as deliberate/);
        expect(nftJson(host).filter((o) => o.table)).toEqual([]);
        expect(await who(client, '10.99.0.1', 8080, 1000)).not.toBe('10.99.0.2 on 80');
        // put back on request
        expect(await fw.restore(nw)).toMatchObject({ networks: ['r'], mappings: 1 });
        expect(await who(client, '10.99.0.1', 8080)).toBe('10.99.0.2 on 80');
      } finally {
        await srv.close();
      }
      let spurious = false;
      fw.on('restored', () => (spurious = true));
      await nw.remove({ force: true });
      await new Promise((r) => setTimeout(r, 300));
      expect(spurious).toBe(false);
      expect(nftJson(host).filter((o) => o.table)).toEqual([]);
    } finally {
      fw.close();
    }
  });

  it('leaves no fd behind: its sockets (changes, notifications) close with close(), after publishing, a restore and remove()', async () => {
    const { host } = await world();
    const c = await tempNamespace('c');
    await Link.list(c); // the namespace's own netlink socket (kept until it is closed) is not the firewall's
    const fds = fdCount();
    for (let i = 0; i < 2; i++) {
      const fw = new NetworkFirewall();
      const nw = await BridgeNetwork.create(host, { name: 'fd', subnet: '10.54.0.0/24', extensions: [fw] });
      await nw.connect(c, { publish: ['8080:80'] });
      const restored = next<FirewallRestoreEvent>(fw, 'restored');
      flush(host);
      await restored;
      await nw.remove({ force: true });
      fw.close();
    }
    // (a socket is closed off the main thread: wait for it)
    await eventually(async () => fdCount() <= fds, "the firewall's sockets to close", 5000).catch(() => undefined);
    expect(fdCount()).toBe(fds);
  });

  it('the owning process is SIGKILLed: the next process opens the network, sees the ports (docker port) and traffic flows; an interrupted connect\'s rules are found by check and removed by gc; disconnect/remove clean up', async () => {
    const { host, client } = await world();
    const [c1, c2] = [await tempNamespace('c1'), await tempNamespace('c2')];
    const name = uniqueName('net');
    const a = runWorker(['create', host.name!, name, '10.52.0.0/24', c1.name!, '8080:80', '9090:90/udp']);
    expect(await a.first).toMatchObject({ done: c1.name, ip: '10.52.0.2' });
    await a.kill();
    const fw = new NetworkFirewall();
    try {
      const nw = await BridgeNetwork.open(host, name, { extensions: [fw] });
      expect((await nw.ports(c1)).map((l) => l.text)).toEqual(['80/tcp -> 0.0.0.0:8080', '90/udp -> 0.0.0.0:9090']);
      const srv = await whoServer(c1, 80);
      try {
        expect(await who(client, '10.99.0.1', 8080)).toBe('10.99.0.2 on 80');
      } finally {
        await srv.close();
      }
      expect(await nw.check()).toEqual([]);
      // the CLI, a third process: docker port, inspect with the ports, our table as nft -j shows it
      const port = await cli(['-n', host.name!, 'network', 'port', name, c1.name!]);
      expect(port).toMatchObject({ code: 0, stdout: '80/tcp -> 0.0.0.0:8080\n90/udp -> 0.0.0.0:9090\n' });
      const [info] = JSON.parse((await cli(['-n', host.name!, 'network', 'inspect', name])).stdout);
      expect(info.containers[0].ports).toEqual([{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }, { containerPort: 90, hostPort: 9090, protocol: 'udp' }]);
      const listed = await cli(['-j', '-n', host.name!, 'nft', 'list', 'table', 'inet', 'netns-kit']);
      expect(JSON.parse(listed.stdout).nftables.find((o: any) => o.map?.name === 'ports4any').map.elem).toHaveLength(2);
      // a connect killed after its rules were committed, before it was recorded as done
      const b = runWorker(['hang', host.name!, name, c2.name!, '7070:70']);
      expect(await b.first).toEqual({ published: c2.name });
      await b.kill();
      expect(elements(host, 'ports4any')).toHaveLength(3);
      const issues = await nw.check();
      expect(issues.map((i) => i.kind).sort()).toEqual(['extension', 'interrupted-connect']);
      expect(issues.find((i) => i.kind === 'extension')!.message).toMatch(/tcp \. 7070 .* no endpoint records/);
      await nw.gc();
      expect(elements(host, 'ports4any')).toHaveLength(2);
      expect(await nw.check()).toEqual([]);
      await nw.disconnect(c1);
      expect(elements(host, 'ports4any')).toHaveLength(0);
      await nw.remove();
      expect(nftJson(host).filter((o) => o.table)).toEqual([]);
    } finally {
      fw.close();
    }
  });

  it('200 containers x 4 published ports (2 dynamic), all in one map; a container with 32 ports is one transaction; all gone after remove', async () => {
    const { host, client } = await world();
    const fw = new NetworkFirewall();
    const nft = await Nftables.open(host);
    try {
      const nw = await BridgeNetwork.create(host, { name: 'big', subnet: '10.53.0.0/22', extensions: [fw] });
      const spaces: Namespace[] = [];
      for (let batch = 0; batch < 10; batch++) {
        const part = await Promise.all(Array.from({ length: 20 }, () => tempNamespace('c')));
        await Promise.all(part.map((c, j) => nw.connect(c, { publish: [`${10000 + batch * 20 + j}:80`, `${20000 + batch * 20 + j}:81/udp`, '82', '83/udp'] })));
        spaces.push(...part);
      }
      expect(elements(host, 'ports4any')).toHaveLength(800);
      const dyn = nw.endpoints.flatMap((e) => e.ports.filter((p) => p.dynamic).map((p) => `${p.protocol}/${p.hostPort}`));
      expect(new Set(dyn).size).toBe(400);
      const i = 137;
      const ep = nw.endpoint(spaces[i]!)!;
      const srv = await whoServer(spaces[i]!, 82);
      try {
        const dport = ep.ports.find((p) => p.containerPort === 82)!.hostPort;
        expect(await who(client, '10.99.0.1', dport)).toBe('10.99.0.2 on 82');
      } finally {
        await srv.close();
      }
      // 32 ports among 800: one transaction (the generation moves by one)
      const big = await tempNamespace('big');
      const g0 = await nft.generation();
      await nw.connect(big, { publish: ['30000-30031:1000-1031'] });
      expect((await nft.generation()) - g0).toBe(1);
      expect(elements(host, 'ports4any')).toHaveLength(832);
      await nw.remove({ force: true });
      expect(nftJson(host).filter((o) => o.table)).toEqual([]);
    } finally {
      nft.close();
      fw.close();
    }
  }, 600_000);
});
