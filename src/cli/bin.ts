#!/usr/bin/env node
/**
 * The `netns-kit` command (package.json "bin" → dist/cli/bin.js): runs {@link main} with the
 * process's arguments and exits with its status.
 * @module
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
