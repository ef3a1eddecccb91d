import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One database server for the whole run (FerretDB, an embedded mongod or MONGODB_URI);
    // each test file works in a database of its own on it.
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['reflect-metadata'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: files in parallel, but FerretDB's SQLite backend serialises writes anyway.
    maxWorkers: 2,
  },
});
