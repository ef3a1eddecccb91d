import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/*
 * The example customer suite (docs/testing-with-sandboxes.md): 8 workers, one process each, every
 * test file in a sandbox of its own on one gateway (global-setup.ts). The 25-hour cancellation
 * suite is included by both projects, so two runs of it go at once, each in its own sandbox, and
 * both must pass: the isolation the sandboxes exist for.
 *   npx vitest run --config examples/sandbox-suite/vitest.config.ts
 */

const root = path.dirname(fileURLToPath(import.meta.url));
const shared = { root, globalSetup: ['./global-setup.ts'], testTimeout: 60_000, hookTimeout: 120_000 };

export default defineConfig({
  root,
  test: {
    pool: 'forks',
    maxWorkers: 8,
    projects: [
      { test: { ...shared, name: 'sandbox-suite', include: ['*.test.ts'] } },
      { test: { ...shared, name: 'sandbox-suite-again', include: ['cancellation-25h.test.ts'] } },
    ],
  },
});
