#!/usr/bin/env node
// The `netns-kit` command (package.json "bin"): runs the compiled CLI in dist/cli/.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
