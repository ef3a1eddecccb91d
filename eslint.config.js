// Lint rules for the whole project, run by `npm test` (`npm run lint`).
// The block for src/policy/ is the purity check: the policy decides from plain data and an
// injected `now`, so it may not import I/O, graphql or mongodb, nor read the wall clock or chance.
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

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.data/', 'dist/', 'coverage/', 'test/generated/', 'src/graphiql/dist/', 'bench/results/'] },
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
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['src/policy/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: IMPURE_MODULES, message: 'src/policy is pure: no I/O, graphql or mongodb (see src/policy/README.md).' },
            {
              group: ['../*'],
              allowTypeImports: true,
              message: 'src/policy imports from outside itself only types (of ../db/documents.js and ../shared/caller.js).',
            },
          ],
        },
      ],
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
