/**
 * BridgeNetwork's files on disk (network/store.ts): a connect writes its endpoint's own small
 * files and leaves the network's file alone; a record in the earlier format (one file holding
 * every endpoint) opens as it is and is rewritten by the first change; reservations and
 * namespace entries a crash left between two writes are taken back (by a connect that needs
 * the address, and by gc), and reservations a live endpoint lost are made again by gc.
 * Handles in one process have a store each, as two processes do.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BridgeNetwork, type EndpointRecord, type Namespace, type NetworkRecord } from '../../src/index.js';
import { namespaceCookie } from '../../src/api/network/state.js';
import { rootSkip, tempNamespace, uniqueName, useTempNamespaces } from '../helpers/env.js';

const dirOf = async (host: Namespace): Promise<string> => `${process.env.NETNS_KIT_STATE_DIR}/networks/ns-${await namespaceCookie(host)}`;
const ls = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);
/** A reservation (an empty file) or a namespace entry (a link to the endpoint id, base64url), as a crash between two writes leaves them. */
const reserve = (path: string): void => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '');
};
const entry = (path: string, id: string): void => {
  mkdirSync(join(path, '..'), { recursive: true });
  symlinkSync(Buffer.from(id, 'hex').toString('base64url'), path);
};
const someId = (): string => 'f'.repeat(64);

describe.skipIf(!!rootSkip)('BridgeNetwork: state files', () => {
  useTempNamespaces();

  it('a connect writes only its endpoint’s files (the network’s own file is left as it is); disconnect removes them', async () => {
    const host = await tempNamespace('host');
    const cs = await Promise.all([1, 2, 3].map(() => tempNamespace('c')));
    const name = uniqueName('net');
    const net = await BridgeNetwork.create(host, { name, subnet: '10.134.0.0/24' });
    const dir = await dirOf(host);
    const own = readFileSync(join(dir, `${name}.json`), 'utf8');
    const mtime = statSync(join(dir, `${name}.json`)).mtimeMs;
    const eps = await Promise.all(cs.map((c) => net.connect(c)));
    expect(readFileSync(join(dir, `${name}.json`), 'utf8')).toBe(own);
    expect(statSync(join(dir, `${name}.json`)).mtimeMs).toBe(mtime);
    expect(JSON.parse(own)).not.toHaveProperty('endpoints');
    expect(JSON.parse(own).version).toBe(2);
    const data = join(dir, `${name}.d`);
    expect(ls(join(data, 'endpoints'))).toEqual(eps.map((e) => `${e.id}.json`).sort());
    expect(ls(join(data, 'addresses'))).toEqual(['10.134.0.2', '10.134.0.3', '10.134.0.4']);
    for (const e of eps) {
      expect(readFileSync(join(data, 'addresses', e.ip), 'utf8')).toBe('');
      const rec = JSON.parse(readFileSync(join(data, 'endpoints', `${e.id}.json`), 'utf8')) as EndpointRecord;
      expect(rec).toMatchObject({ id: e.id, state: 'connected', ip: e.ip, hostIfname: e.hostIfname });
      expect(rec).not.toHaveProperty('owner');
    }
    expect(ls(join(data, 'namespaces'))).toEqual((await Promise.all(cs.map(async (c) => `c${await namespaceCookie(c)}`))).sort());
    for (const [i, c] of cs.entries()) {
      expect(Buffer.from(readlinkSync(join(data, 'namespaces', `c${await namespaceCookie(c)}`)), 'base64url').toString('hex')).toBe(eps[i]!.id);
    }
    // another process's view, in connection order (reservation order, whatever the completion order)
    const again = await BridgeNetwork.open(host, name);
    expect(again.endpoints.map((e) => e.id)).toEqual([...eps].sort((a, b) => (a.ip < b.ip ? -1 : 1)).map((e) => e.id));
    await again.close();
    await net.disconnect(cs[1]!);
    expect(ls(join(data, 'addresses'))).toEqual(['10.134.0.2', '10.134.0.3', '10.134.0.4'].filter((ip) => ip !== eps[1]!.ip));
    expect(ls(join(data, 'endpoints'))).toHaveLength(2);
    expect(ls(join(data, 'namespaces'))).toHaveLength(2);
    await net.remove({ force: true });
    expect(ls(dir).filter((f) => f.startsWith(name))).toEqual([]);
  });

  it('two handles (as two processes) each keep the reserved addresses they saw, and see each other’s changes: the lowest free address is handed out either way', async () => {
    const host = await tempNamespace('host');
    const cs = await Promise.all([1, 2, 3, 4, 5].map(() => tempNamespace('c')));
    const name = uniqueName('net');
    const one = await BridgeNetwork.create(host, { name, subnet: '10.137.0.0/24' });
    const two = await BridgeNetwork.open(host, name);
    expect((await one.connect(cs[0]!)).ip).toBe('10.137.0.2');
    expect((await two.connect(cs[1]!)).ip).toBe('10.137.0.3');
    expect((await one.connect(cs[2]!)).ip).toBe('10.137.0.4'); // not .3: two's reservation is seen
    expect(await two.disconnect(cs[0]!)).toBe(true); // one's container, freed by two
    expect((await one.connect(cs[3]!)).ip).toBe('10.137.0.2'); // .2 is free again for one too
    expect((await two.connect(cs[4]!)).ip).toBe('10.137.0.5');
    await two.close();
    await one.remove({ force: true });
  });

  it('a network recorded in format 1 (one file holding every endpoint) opens as it is, and the first change rewrites it as format 2 under the lock', async () => {
    const host = await tempNamespace('host');
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => tempNamespace('c')));
    const name = uniqueName('net');
    const made = await BridgeNetwork.create(host, { name, subnet: '10.135.0.0/24' });
    await made.connect(a!, { name: 'a' });
    await made.connect(b!, { name: 'b', aliases: ['bee'] });
    // what the earlier version wrote: the whole record in <name>.json, nothing beside it
    const dir = await dirOf(host);
    const data = join(dir, `${name}.d`);
    const head = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as NetworkRecord;
    const endpoints = ls(join(data, 'endpoints'))
      .map((f) => JSON.parse(readFileSync(join(data, 'endpoints', f), 'utf8')) as EndpointRecord)
      .sort((x, y) => (BigInt(x.seq!) < BigInt(y.seq!) ? -1 : 1))
      .map(({ seq: _, ...e }) => e);
    rmSync(data, { recursive: true });
    writeFileSync(join(dir, `${name}.json`), JSON.stringify({ ...head, version: 1, endpoints }, null, 1) + '\n');
    // and leftovers of a rewrite a crash interrupted: ignored while the file is format 1, then cleared
    reserve(join(data, 'addresses', '10.135.0.9'));
    mkdirSync(join(data, 'endpoints'), { recursive: true });
    writeFileSync(join(data, 'endpoints', `${someId()}.json`), '{}');

    const net = await BridgeNetwork.open(host, name);
    expect(net.endpoints.map((e) => [e.name, e.ip, e.aliases])).toEqual([['a', '10.135.0.2', []], ['b', '10.135.0.3', ['bee']]]);
    expect((await net.inspect()).containers.map((x) => [x.name, x.ipv4Address, x.attached])).toEqual([['a', '10.135.0.2/24', true], ['b', '10.135.0.3/24', true]]);
    expect(await net.check()).toEqual([]);
    expect(await BridgeNetwork.list(host)).toEqual([expect.objectContaining({ name, containers: 2, present: true })]);
    expect(await net.ports('b')).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')).version).toBe(1); // reading changes nothing

    // the first change: a connect — the format 1 reservations hold (.2, .3 are not handed out again)
    expect((await net.connect(c!, { name: 'c' })).ip).toBe('10.135.0.4');
    const now = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Record<string, unknown>;
    expect(now.version).toBe(2);
    expect(now).not.toHaveProperty('endpoints');
    expect(now).toMatchObject({ name, id: head.id, bridge: head.bridge, config: head.config });
    expect(ls(join(data, 'addresses'))).toEqual(['10.135.0.2', '10.135.0.3', '10.135.0.4']);
    expect(ls(join(data, 'endpoints'))).toHaveLength(3);
    // endpoints of format 1 are disconnected like any other (by name: from another handle)
    expect(await made.disconnect('a')).toBe(true);
    expect(ls(join(data, 'addresses'))).toEqual(['10.135.0.3', '10.135.0.4']);
    expect((await net.connect(a!, { name: 'a2' })).ip).toBe('10.135.0.2');
    const other = await BridgeNetwork.open(host, name);
    expect(other.endpoints.map((e) => e.name)).toEqual(['b', 'c', 'a2']);
    expect(await other.check()).toEqual([]);
    await other.close();
    await made.close();
    await net.remove({ force: true });
    expect(ls(dir).filter((f) => f.startsWith(name))).toEqual([]);
  });

  it('files a crash left between two writes: reservations and namespace entries no endpoint names are taken back; reservations a live endpoint lost are made again by gc', async () => {
    const host = await tempNamespace('host');
    const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map(() => tempNamespace('c')));
    const name = uniqueName('net');
    // a /29: the gateway .1 and five containers .2–.6
    const net = await BridgeNetwork.create(host, { name, subnet: '10.136.0.0/29' });
    const data = join(await dirOf(host), `${name}.d`);
    const addr = (ip: string): string => join(data, 'addresses', ip);
    // a connect that died after reserving .2 and pointing a's namespace entry at its endpoint, before writing it
    reserve(addr('10.136.0.2'));
    entry(join(data, 'namespaces', `c${await namespaceCookie(a!)}`), someId());
    const ea = await net.connect(a!); // the stale entry does not refuse a; .2 stays taken until needed
    expect(ea.ip).toBe('10.136.0.3');
    // the asked address is held by nothing: taken back
    expect((await net.connect(b!, { ip: '10.136.0.2' })).ip).toBe('10.136.0.2');
    // the range looks full (orphans .4–.6): taken back rather than ENOSPC
    for (const ip of ['10.136.0.4', '10.136.0.5', '10.136.0.6']) reserve(addr(ip));
    expect((await net.connect(c!)).ip).toBe('10.136.0.4');
    expect(ls(join(data, 'addresses'))).toEqual(['10.136.0.2', '10.136.0.3', '10.136.0.4']);
    // gc: an orphan goes; a live endpoint's lost reservation comes back (so its address is not handed out)
    reserve(addr('10.136.0.6'));
    rmSync(addr(ea.ip));
    expect(await net.check()).toEqual([]);
    expect(await net.gc()).toEqual([]);
    expect(ls(join(data, 'addresses'))).toEqual(['10.136.0.2', '10.136.0.3', '10.136.0.4']);
    expect(existsSync(addr(ea.ip))).toBe(true);
    await expect(net.connect(d!, { ip: ea.ip })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect((await net.connect(d!)).ip).toBe('10.136.0.5');
    expect(net.endpoints).toHaveLength(4);
    await net.remove({ force: true });
  });
});
