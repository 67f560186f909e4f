/**
 * A worker process for in-process measurements. netns-kit and the npm `netlink` package are
 * each measured in a worker of their own, so neither library's heap (nor the orchestrator's,
 * which spawns thousands of `ip` processes) slows the other down with garbage collection,
 * and each keeps its JIT-compiled code warm across repetitions. The orchestrator sends
 * { id, module, fn, args }; the worker calls `fn(...args)` exported by `module` (a workload
 * file) and answers { id, result } or { id, error }.
 */
import { pathToFileURL } from 'node:url';

process.on('message', async ({ id, module, fn, args }) => {
  try {
    const m = await import(pathToFileURL(module).href);
    if (typeof m[fn] !== 'function') throw new Error(`${module} exports no function ${fn}`);
    const result = await m[fn](...args);
    process.send({ id, result });
  } catch (e) {
    process.send({ id, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  }
});
process.on('disconnect', () => process.exit(0));
