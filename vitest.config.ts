import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// One graphql module for everything: without this, code vitest transforms gets graphql's ESM
// build while Apollo and type-graphql (loaded by Node) get its CommonJS build, and errors and
// types from one are not recognised by the other ("another module or realm").
const resolve = { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] };

export default defineConfig({
  resolve,
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: files in parallel, but FerretDB's SQLite backend serialises writes anyway.
    maxWorkers: 2,
    projects: [
      {
        resolve,
        // The pure policy: no database, no server, no ESLint (its purity is a lint rule, checked by
        // `npm run lint` and proved by test/unit/boundaries.test.ts); `npm run test:policy` runs it
        // in seconds. Projects do not inherit the top-level timeouts.
        test: { name: 'policy', include: ['test/policy/**/*.test.ts'], testTimeout: 30_000 },
      },
      {
        resolve,
        test: {
          name: 'db',
          include: ['test/**/*.test.ts'],
          exclude: ['test/policy/**'],
          // One database server for the whole run (FerretDB, an embedded mongod or MONGODB_URI);
          // each test file works in a database of its own on it.
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['reflect-metadata'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
