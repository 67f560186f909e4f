/**
 * NetworkFirewall: Docker's `-p` forms, `docker port`, outbound NAT, isolation, internal
 * networks and icc=false with real traffic. A "host" namespace (the test's) holds the
 * bridge; a "client" namespace plays the outside world, joined to the host by a veth pair
 * (host 10.99.0.1, client 10.99.0.2). Rules are compared with `nft -j list ruleset` in the
 * host namespace.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BridgeNetwork, Link, NetworkFirewall, PortConflictError, Sysctl } from '../../src/index.js';
import { udpEcho } from '../../src/testing/index.js';
import { rootSkip, tempNamespace, toolEnv, useTempNamespaces } from '../helpers/env.js';
import { nft, nftJson, udpWho, who, whoServer, world } from '../helpers/publish.js';

describe.skipIf(!!rootSkip)('NetworkFirewall: publishing, NAT, isolation', () => {
  useTempNamespaces();

  it('-p 8080:80: from the client through the host address, from the host (its address and 127.0.0.1), hairpin from the container itself and a neighbour; outbound masquerade; docker port', async () => {
    const { host, client } = await world();
    const fw = new NetworkFirewall();
    try {
      const nw = await BridgeNetwork.create(host, { name: 'web', subnet: '10.31.0.0/24', extensions: [fw] });
      const c1 = await tempNamespace('c1');
      const c2 = await tempNamespace('c2');
      const ep = await nw.connect(c1, { publish: ['8080:80', '5353:53/udp'] });
      await nw.connect(c2);
      expect(ep.ports).toEqual([
        { containerPort: 80, hostPort: 8080, protocol: 'tcp' },
        { containerPort: 53, hostPort: 5353, protocol: 'udp' },
      ]);
      expect((await nw.ports(c1)).map((l) => l.text)).toEqual(['53/udp -> 0.0.0.0:5353', '80/tcp -> 0.0.0.0:8080']);
      const srv = await whoServer(c1, 80);
      const usrv = await udpWho(c1, 53);
      const out = await whoServer(client, 9000);
      try {
        // from the outside world: the container sees the client's own address (no SNAT inbound)
        expect(await who(client, '10.99.0.1', 8080)).toBe('10.99.0.2 on 80');
        const u = await udpEcho(client, '10.99.0.1', 5353, 'ping');
        expect(u.received).toBe('10.99.0.2 on 53');
        // from the host namespace: its uplink address, and 127.0.0.1 (masqueraded to the gateway)
        expect(await who(host, '10.99.0.1', 8080)).toBe('10.99.0.1 on 80');
        expect(await who(host, '127.0.0.1', 8080)).toBe('10.31.0.1 on 80');
        expect((await udpEcho(host, '127.0.0.1', 5353, 'x')).received).toBe('10.31.0.1 on 53');
        // hairpin: the container to its own published port, and its neighbour
        expect(await who(c1, '10.99.0.1', 8080)).toBe('10.31.0.1 on 80');
        expect(await who(c2, '10.99.0.1', 8080)).toBe('10.31.0.1 on 80');
        // outbound: the client sees the host's address
        expect(await who(c1, '10.99.0.2', 9000)).toBe('10.99.0.1 on 9000');
        // the client cannot reach the container directly (only published ports)
        execFileSync('ip', ['netns', 'exec', client.name!, 'ip', 'route', 'add', '10.31.0.0/24', 'via', '10.99.0.1'], { env: toolEnv });
        expect(await who(client, '10.31.0.2', 80, 1000)).toBe('timeout');
      } finally {
        await Promise.all([srv.close(), usrv.close(), out.close()]);
      }
      // rules are ours only, in table inet netns-kit
      const tables = nftJson(host).filter((o) => o.table).map((o) => `${o.table.family} ${o.table.name}`);
      expect(tables.sort()).toEqual(['bridge netns-kit', 'inet netns-kit']);
      const elems = nftJson(host).find((o) => o.map?.name === 'ports4any').map.elem;
      expect(elems).toHaveLength(2);
      await nw.disconnect(c1);
      expect(nftJson(host).find((o) => o.map?.name === 'ports4any').map.elem).toBeUndefined();
      await nw.remove({ force: true });
      expect(nftJson(host).filter((o) => o.table)).toEqual([]);
    } finally {
      fw.close();
    }
  });

  it('conflicting publishes are refused before anything is written', async () => {
    const { host } = await world();
    const fw = new NetworkFirewall();
    try {
      const nw = await BridgeNetwork.create(host, { name: 'c', subnet: '10.32.0.0/24', extensions: [fw] });
      const [a, b] = [await tempNamespace('a'), await tempNamespace('b')];
      await nw.connect(a, { publish: ['8080:80'] });
      const before = nft(host, 'list', 'ruleset');
      const links = (await Link.list(host)).length;
      await expect(nw.connect(b, { publish: ['8080:81'] })).rejects.toBeInstanceOf(PortConflictError);
      await expect(nw.connect(b, { publish: ['10.99.0.1:8080:81'] })).rejects.toThrow(/Bind for 10.99.0.1:8080\/tcp failed: port is already allocated/);
      await expect(nw.connect(b, { publish: ['9000:80', '9000:81'] })).rejects.toBeInstanceOf(PortConflictError);
      expect(nft(host, 'list', 'ruleset')).toBe(before);
      expect((await Link.list(host)).length).toBe(links);
      expect((await Link.list(b)).map((l) => l.name)).toEqual(['lo']);
      // UDP on the same port is another socket: allowed
      await nw.connect(b, { publish: ['8080:80/udp'] });
      await nw.remove({ force: true });
    } finally {
      fw.close();
    }
  });

  it('every -p form: dynamic (the host ip_local_port_range), HOSTIP::PORT, HOSTIP:HOST:CONTAINER, /udp, ranges, [::]; docker port; IPv6 on a dual-stack network', async () => {
    const { host, client } = await world();
    await Sysctl.of(host).set('net/ipv4/ip_local_port_range', [41000, 41010]);
    execFileSync('ip', ['netns', 'exec', host.name!, 'ip', 'addr', 'add', 'fd99::1/64', 'dev', 'uplink', 'nodad'], { env: toolEnv });
    execFileSync('ip', ['netns', 'exec', client.name!, 'ip', 'addr', 'add', 'fd99::2/64', 'dev', 'eth0', 'nodad'], { env: toolEnv });
    const fw = new NetworkFirewall();
    try {
      const nw = await BridgeNetwork.create(host, { name: 'forms', subnet: '10.33.0.0/24', subnetV6: 'fd33::/64', extensions: [fw] });
      const c = await tempNamespace('c');
      const ep = await nw.connect(c, { publish: ['80', '10.99.0.1::81', '10.99.0.1:8082:82', '8083:83/udp', '9000-9002:90-92', '9100-9105:84', '[::]:8086:86', { containerPort: 87, hostPort: 8087, hostIp: '0.0.0.0' }] });
      expect(ep.ports).toEqual([
        { containerPort: 80, hostPort: 41000, protocol: 'tcp', dynamic: true },
        { containerPort: 81, hostPort: 41001, protocol: 'tcp', hostIp: '10.99.0.1', dynamic: true },
        { containerPort: 82, hostPort: 8082, protocol: 'tcp', hostIp: '10.99.0.1' },
        { containerPort: 83, hostPort: 8083, protocol: 'udp' },
        { containerPort: 90, hostPort: 9000, protocol: 'tcp' },
        { containerPort: 91, hostPort: 9001, protocol: 'tcp' },
        { containerPort: 92, hostPort: 9002, protocol: 'tcp' },
        { containerPort: 84, hostPort: 9100, protocol: 'tcp' },
        { containerPort: 86, hostPort: 8086, protocol: 'tcp', hostIp: '::' },
        { containerPort: 87, hostPort: 8087, protocol: 'tcp', hostIp: '0.0.0.0' },
      ]);
      expect((await nw.ports(c)).map((l) => l.text)).toEqual([
        '80/tcp -> 0.0.0.0:41000', '80/tcp -> [::]:41000', '81/tcp -> 10.99.0.1:41001', '82/tcp -> 10.99.0.1:8082', '83/udp -> 0.0.0.0:8083', '83/udp -> [::]:8083',
        '84/tcp -> 0.0.0.0:9100', '84/tcp -> [::]:9100', '86/tcp -> [::]:8086', '87/tcp -> 0.0.0.0:8087', '90/tcp -> 0.0.0.0:9000', '90/tcp -> [::]:9000',
        '91/tcp -> 0.0.0.0:9001', '91/tcp -> [::]:9001', '92/tcp -> 0.0.0.0:9002', '92/tcp -> [::]:9002',
      ]);
      // the next connect with a dynamic port gets the next free one; the 9100-9105 range gives 9101
      const c2 = await tempNamespace('c2');
      const ep2 = await nw.connect(c2, { publish: ['80', '9100-9105:84'] });
      expect(ep2.ports.map((p) => p.hostPort)).toEqual([41002, 9101]);
      const servers = await Promise.all([80, 81, 82, 84, 86, 87, 90, 91, 92].map((p) => whoServer(c, p)));
      const u = await udpWho(c, 83);
      try {
        expect(await who(client, '10.99.0.1', 41000)).toBe('10.99.0.2 on 80');
        expect(await who(client, 'fd99::1', 41000)).toBe('fd99::2 on 80');
        expect(await who(client, '10.99.0.1', 41001)).toBe('10.99.0.2 on 81');
        expect(await who(host, '127.0.0.1', 41001, 1000)).toBe('ECONNREFUSED'); // published on 10.99.0.1 only
        expect(await who(client, '10.99.0.1', 8082)).toBe('10.99.0.2 on 82');
        expect((await udpEcho(client, '10.99.0.1', 8083, 'x')).received).toBe('10.99.0.2 on 83');
        for (const [h, cp] of [[9000, 90], [9001, 91], [9002, 92], [9100, 84]]) expect(await who(client, '10.99.0.1', h!)).toBe(`10.99.0.2 on ${cp}`);
        expect(await who(client, 'fd99::1', 9002)).toBe('fd99::2 on 92');
        expect(await who(client, 'fd99::1', 8086)).toBe('fd99::2 on 86');
        expect(await who(client, '10.99.0.1', 8086, 1000)).toBe('ECONNREFUSED'); // [::] only
        expect(await who(client, '10.99.0.1', 8087)).toBe('10.99.0.2 on 87');
        expect(await who(client, 'fd99::1', 8087, 1000)).toBe('ECONNREFUSED'); // 0.0.0.0 only
        // IPv6 outbound is masqueraded too
        const out6 = await whoServer(client, 9600);
        expect(await who(c, 'fd99::2', 9600)).toBe('fd99::1 on 9600');
        await out6.close();
      } finally {
        await Promise.all([...servers.map((x) => x.close()), u.close()]);
      }
      // the dynamic range is full now for 11 ports: 41000..41010 minus 2 taken leaves 9
      await expect(nw.connect(await tempNamespace('c3'), { publish: ['1-10'] })).rejects.toThrow(/no free host port in 41000-41010/);
      await nw.remove({ force: true });
      expect(nftJson(host).filter((o) => o.table)).toEqual([]);
    } finally {
      fw.close();
    }
  });

  it('isolation between networks both ways (a container on both reaches both); internal networks get no NAT and refuse publishing; icc=false', async () => {
    const { host, client } = await world();
    const fw = new NetworkFirewall();
    const noIcc = new NetworkFirewall({ icc: false });
    try {
      const A = await BridgeNetwork.create(host, { name: 'a', subnet: '10.41.0.0/24', extensions: [fw] });
      const B = await BridgeNetwork.create(host, { name: 'b', subnet: '10.42.0.0/24', extensions: [fw] });
      const I = await BridgeNetwork.create(host, { name: 'i', subnet: '10.43.0.0/24', internal: true, extensions: [fw] });
      const N = await BridgeNetwork.create(host, { name: 'n', subnet: '10.44.0.0/24', extensions: [noIcc] });
      const [a, b, ab, i, n1, n2] = await Promise.all(['a', 'b', 'ab', 'i', 'n1', 'n2'].map((t) => tempNamespace(t)));
      await A.connect(a!);
      await B.connect(b!);
      await A.connect(ab!);
      await B.connect(ab!);
      await I.connect(i!);
      await N.connect(n1!);
      await N.connect(n2!);
      // the internal container gets a default route by hand: NAT and forwarding are what stop it
      execFileSync('ip', ['netns', 'exec', i!.name!, 'ip', 'route', 'add', 'default', 'via', '10.43.0.1'], { env: toolEnv });
      const srv = await Promise.all([a, b, ab, i, n1, n2, client].map((ns) => whoServer(ns!, 7000)));
      try {
        expect(await who(a!, '10.42.0.2', 7000, 1000)).toBe('timeout');
        expect(await who(b!, '10.41.0.2', 7000, 1000)).toBe('timeout');
        expect(await who(ab!, '10.41.0.2', 7000)).toBe('10.41.0.3 on 7000');
        expect(await who(ab!, '10.42.0.2', 7000)).toBe('10.42.0.3 on 7000');
        expect(await who(a!, '10.99.0.2', 7000)).toBe('10.99.0.1 on 7000');
        expect(await who(i!, '10.99.0.2', 7000, 1000)).toBe('timeout');
        expect(await who(i!, '10.41.0.2', 7000, 1000)).toBe('timeout');
        expect(await who(a!, '10.43.0.2', 7000, 1000)).toBe('timeout');
        expect(await who(i!, '10.43.0.1', 7000, 1000)).toBe('ECONNREFUSED'); // the gateway answers (nothing listens there)
        // icc=false: the two containers of n cannot talk; each reaches the outside
        expect(await who(n1!, '10.44.0.3', 7000, 1000)).toBe('timeout');
        expect(await who(n2!, '10.44.0.2', 7000, 1000)).toBe('timeout');
        expect(await who(n1!, '10.99.0.2', 7000)).toBe('10.99.0.1 on 7000');
        expect(await who(a!, '10.41.0.3', 7000)).toBe('10.41.0.2 on 7000'); // icc on network a
      } finally {
        await Promise.all(srv.map((s) => s.close()));
      }
      await expect(I.connect(await tempNamespace('i2'), { publish: ['80'] })).rejects.toMatchObject({ code: 'ENOTSUP' });
      for (const nw of [A, B, I]) await nw.remove({ force: true });
      const left = nftJson(host).filter((o) => o.chain).map((o) => o.chain.name);
      expect(left.filter((c: string) => c.includes('br-'))).toHaveLength(4); // only n's chains
      await N.remove({ force: true });
      expect(nftJson(host).filter((o) => o.table)).toEqual([]);
    } finally {
      fw.close();
      noIcc.close();
    }
  });

  it('coexistence: Docker-style iptables rules and another nft table in the host namespace are left as they were; a drop in another table wins', async () => {
    const { host, client } = await world();
    execFileSync('ip', ['netns', 'exec', host.name!, 'sh', '-c', 'iptables -t nat -N DOCKER && iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER && iptables -t filter -P FORWARD ACCEPT && iptables -t nat -A POSTROUTING -s 172.30.0.0/16 ! -o docker0 -j MASQUERADE'], { env: toolEnv });
    execFileSync('ip', ['netns', 'exec', host.name!, 'nft', 'add table inet other; add chain inet other ofwd { type filter hook forward priority 10; policy accept; }; add rule inet other ofwd tcp dport 7777 counter accept'], { env: toolEnv, shell: false });
    const before = nftJson(host);
    const fw = new NetworkFirewall();
    try {
      const nw = await BridgeNetwork.create(host, { name: 'co', subnet: '10.45.0.0/24', extensions: [fw] });
      const c = await tempNamespace('c');
      await nw.connect(c, { publish: ['8080:80'] });
      const srv = await whoServer(c, 80);
      try {
        expect(await who(client, '10.99.0.1', 8080)).toBe('10.99.0.2 on 80');
        // iptables still reads its tables
        expect(execFileSync('ip', ['netns', 'exec', host.name!, 'iptables', '-t', 'nat', '-S'], { env: toolEnv }).toString()).toContain('-A POSTROUTING -s 172.30.0.0/16 ! -o docker0 -j MASQUERADE');
        // a drop in another table's base chain wins over our accept
        nft(host, 'insert', 'rule', 'inet', 'other', 'ofwd', 'tcp', 'dport', '80', 'drop');
        expect(await who(client, '10.99.0.1', 8080, 1000)).toBe('timeout');
      } finally {
        await srv.close();
      }
      await nw.remove({ force: true });
      nft(host, 'delete', 'rule', 'inet', 'other', 'ofwd', 'handle', String(nftJson(host).find((o) => o.rule?.chain === 'ofwd' && JSON.stringify(o.rule.expr).includes('drop')).rule.handle));
      const strip = (r: any[]) => JSON.stringify(r.filter((o) => !o.metainfo)).replace(/"packets":\d+,"bytes":\d+/g, '');
      expect(strip(nftJson(host))).toBe(strip(before));
    } finally {
      fw.close();
    }
  });
});
