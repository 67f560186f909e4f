#!/usr/bin/env node
/**
 * 20 concurrent BridgeNetwork.disconnect() vs 20 sequential ones, and vs 20 `ip link del`
 * processes at once (the peer); connect times (sequential, concurrent) for reference. Throwaway namespaces only; needs root and a built dist/.
 *   node bench/network-disconnect.mjs [count] [reps]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BridgeNetwork, Namespace } from '../dist/index.js';

const run = promisify(execFile);
const N = Number(process.argv[2] ?? 20);
const REPS = Number(process.argv[3] ?? 3);
const tag = `nkb${process.pid.toString(36)}`;
const host = await Namespace.create(`${tag}-h`);
const cs = await Promise.all(Array.from({ length: N }, (_, i) => Namespace.create(`${tag}-c${i}`)));
const net = await BridgeNetwork.create(host, { name: `${tag}`, subnet: '10.99.0.0/24' });
const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
const res = { connectSequential: [], connectConcurrent: [], sequential: [], concurrent: [], ipLinkDel: [] };
try {
  for (let r = 0; r < REPS; r++) {
    let t = performance.now();
    for (const c of cs) await net.connect(c);
    res.connectSequential.push(performance.now() - t);
    t = performance.now();
    for (const c of cs) await net.disconnect(c);
    res.sequential.push(performance.now() - t);
    t = performance.now();
    await Promise.all(cs.map((c) => net.connect(c)));
    res.connectConcurrent.push(performance.now() - t);
    t = performance.now();
    await Promise.all(cs.map((c) => net.disconnect(c)));
    res.concurrent.push(performance.now() - t);
    const eps = await Promise.all(cs.map((c) => net.connect(c)));
    t = performance.now();
    await Promise.all(eps.map((e) => run('ip', ['-n', host.name, 'link', 'del', e.hostIfname])));
    res.ipLinkDel.push(performance.now() - t);
    await Promise.all(cs.map((c) => net.disconnect(c)));
  }
  const out = Object.fromEntries(Object.entries(res).map(([k, v]) => [k, Math.round(median(v))]));
  console.log(JSON.stringify({ count: N, reps: REPS, medianMs: out, concurrentVsSequential: +(out.concurrent / out.sequential).toFixed(2) }));
} finally {
  await net.remove({ force: true }).catch(() => undefined);
  if (typeof net.close === 'function') await net.close();
  for (const c of cs) await c.delete();
  await host.delete();
}
