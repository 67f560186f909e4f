#!/usr/bin/env node
/**
 * The `netns-kit-cni` executable: the `netns-kit-bridge` CNI plugin. A runtime starts it once
 * per call, so start-up is most of its cost; this entry is kept tiny. It turns on Node's
 * compile cache (Node ≥ 22.1) before loading anything else, then loads the plugin from the
 * single-file bundle `dist/cni-bundle/` (`npm run build:cni`: one file to read and compile
 * instead of ~40 modules to resolve) when it is there, else from the compiled modules; the
 * netlink layers are loaded only by the commands that need them. With arguments it runs
 * `serve` (the resident daemon the fast plugin hands its calls to) or `install`.
 * @module
 */
import { readFile } from 'node:fs';
import module from 'node:module';

(module as unknown as { enableCompileCache?: () => unknown }).enableCompileCache?.();

type Main = typeof import('./main.js');

async function load(): Promise<Main> {
  try {
    // a variable, so that TypeScript does not look for the bundle (built after it)
    const bundle = '../cni-bundle/main.js';
    return (await import(bundle)) as Main;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    return import('./main.js');
  }
}

if (process.argv.length > 2) {
  // `serve`, `install`, `--help`: never what a runtime calls (it passes no arguments)
  const { cniCommand } = await import('./commands.js');
  process.exit(await cniCommand(process.argv.slice(2)));
}

const [stdin, { runCni }] = await Promise.all([
  new Promise<string>((resolve) => readFile(0, (err, data) => resolve(err ? '' : data.toString('utf8')))),
  load(),
]);
const { exitCode, stdout } = await runCni(process.env, stdin);
// exit at once: a finished call has nothing left to wait for
if (stdout) process.stdout.write(stdout, () => process.exit(exitCode));
else process.exit(exitCode);
