#!/usr/bin/env node
/**
 * The `netns-kit-cni` executable: the `netns-kit-bridge` CNI plugin. Kept tiny: it turns on
 * Node's compile cache (Node ≥ 22.1) before loading anything else, then loads only what the
 * command needs.
 * @module
 */
import { readFile } from 'node:fs';
import module from 'node:module';

(module as unknown as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const stdin = await new Promise<string>((resolve) => {
  readFile(0, (err, data) => resolve(err ? '' : data.toString('utf8')));
});
const { runCni } = await import('./main.js');
const { exitCode, stdout } = await runCni(process.env, stdin);
// exit at once: a finished call has nothing left to wait for
if (stdout) process.stdout.write(stdout, () => process.exit(exitCode));
else process.exit(exitCode);
