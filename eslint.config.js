// Lint rules for the whole project, run by `npm test` (`npm run lint`).
// The blocks at the end hold the floors (docs/architecture.md), one `no-restricted-imports` per
// folder; test/unit/boundaries.test.ts proves each of them fires:
// - src/policy is pure: it decides from plain data and an injected `now`, so it may not import
//   I/O, graphql or mongodb, nor read the wall clock or chance (the purity check);
// - src/shared is the ground floor: it imports nothing above it (only db document types and the
//   pure policy from outside itself);
// - src/write and src/db know no GraphQL;
// - the runtime imports no demo data: only src/main.ts (and src/seed itself) may import src/seed;
// - src/testing (the test suites' sandbox helper) is a client of the public HTTP API: it imports
//   nothing, no package and no other floor, only the global fetch.
// In a flat config the last block that sets a rule for a file wins, so every floor's block
// repeats the seed restriction (`floorRule`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const IMPURE_MODULES = [
  'mongodb',
  'graphql',
  'type-graphql',
  'dataloader',
  'express',
  '@apollo/*',
  'node:*',
  'fs',
  'http',
  'net',
  'crypto',
  'child_process',
];

/** The runtime imports no demo data (src/seed/): main.ts passes what it needs as configuration. */
const NO_SEED = {
  regex: '^\\.\\.?/(\\.\\./)*seed/',
  message: 'Only src/main.ts may import src/seed/: the runtime gets demo data as configuration (docs/architecture.md).',
};

/** What a request carries travels in its context and in explicit arguments, never in ambient state. */
const NO_AMBIENT_REQUEST_STATE = {
  group: ['node:async_hooks', 'async_hooks'],
  message: 'No AsyncLocalStorage: what a request carries travels in its context and explicit arguments (docs/architecture.md).',
};

/** GraphQL belongs to the floors above the write path and the database. */
const GRAPHQL_MODULES = ['graphql', 'graphql/*', 'graphql-*', 'type-graphql', '@apollo/*', '@as-integrations/*', '@graphql-*/*'];

/** One folder's import restrictions, always with NO_SEED and NO_AMBIENT_REQUEST_STATE (a later block replaces an earlier one's). */
function floorRule(...patterns) {
  return { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [...patterns, NO_SEED, NO_AMBIENT_REQUEST_STATE] }] };
}

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.data*/', 'dist/', 'coverage/', 'test/generated/', 'src/graphiql/dist/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        AbortController: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        structuredClone: 'readonly',
        performance: 'readonly',
        globalThis: 'readonly',
        document: 'readonly',
        window: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
      // A higher floor merges its members into a ground-floor interface (src/shared/context.ts)
      // with `interface RequestLoaders extends LazyLoaders<typeof customerLoaders> {}`.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/main.ts', 'src/seed/**'],
    rules: floorRule(),
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: floorRule(
      {
        regex: '^\\.\\./(?!db/|policy/)',
        message: 'src/shared is the ground floor: it imports nothing above it (docs/architecture.md).',
      },
      {
        regex: '^\\.\\./db/',
        allowTypeImports: true,
        message: 'src/shared imports from src/db only types (the documents, the collections).',
      },
    ),
  },
  {
    files: ['src/write/**/*.ts', 'src/db/**/*.ts'],
    rules: floorRule({
      group: GRAPHQL_MODULES,
      message: 'The write path and the database know no GraphQL: errors they raise are shared/errors.js ones (docs/architecture.md).',
    }),
  },
  {
    files: ['src/testing/**/*.ts'],
    rules: floorRule({
      regex: '^(?!\\./)',
      message:
        'src/testing is a client of the public HTTP API: it imports no package and no other floor, only global fetch (docs/testing-with-sandboxes.md).',
    }),
  },
  {
    files: ['src/policy/**/*.ts'],
    rules: {
      ...floorRule(
        { group: IMPURE_MODULES, message: 'src/policy is pure: no I/O, graphql or mongodb (see src/policy/README.md).' },
        {
          group: ['../*'],
          allowTypeImports: true,
          message: 'src/policy imports from outside itself only types (of ../db/documents.js and ../shared/caller.js).',
        },
      ),
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/policy is pure: configuration is passed in.' },
        { name: 'setTimeout', message: 'src/policy is pure.' },
        { name: 'fetch', message: 'src/policy is pure.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'src/policy takes `now` as an argument (GEN-CLOCK).' },
        { object: 'Math', property: 'random', message: 'src/policy is deterministic.' },
        { object: 'crypto', property: 'randomUUID', message: 'src/policy is deterministic.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'src/policy takes `now` as an argument (GEN-CLOCK): no `new Date()`.',
        },
        {
          selector: 'ImportDeclaration[importKind!="type"][source.value=/documents/]',
          message: 'src/policy imports documents as types only.',
        },
      ],
    },
  },
);
