import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = (p: string): string => fileURLToPath(new URL(`../src/${p}`, import.meta.url));

export default defineConfig({
  // paths below (include, globalSetup, outputFile) are relative to the package root
  root,
  resolve: {
    // examples import the package by its name, as a user would: test the sources
    alias: [
      { find: /^netns-kit$/, replacement: src('index.ts') },
      { find: /^netns-kit\/netlink$/, replacement: src('netlink/index.ts') },
      { find: /^netns-kit\/testing$/, replacement: src('testing/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // each test file in its own process: fd counts and namespaces stay per file
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/results.json' },
  },
});
