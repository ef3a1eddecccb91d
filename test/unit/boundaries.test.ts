/**
 * The floors hold by lint (eslint.config.js, docs/architecture.md): each boundary rule reports a
 * probe that crosses it, and lets the imports the floor may make pass. `npm run lint`, the first
 * step of `npm test`, checks the tree itself; this proves the rules fire, so none can silently rot.
 * Probes are linted as text under a path in each floor; nothing is written into src/.
 *
 * The policy's purity (GEN-CLOCK: it never reads a clock; no I/O, graphql or mongodb) is one of
 * these boundaries; it was test/policy/purity.test.ts, moved here so that the policy project runs
 * without loading ESLint.
 */
import { ESLint } from 'eslint';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot });
});

/** The errors reported for `code` placed at `file` (relative to the repository), as `rule: message`. */
async function reported(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return result!.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

const RESTRICTED = /^@typescript-eslint\/no-restricted-imports: /;

/** A module of one import line, its binding renamed `_probe` so that it counts as used. */
function probe(line: string): string {
  return `${line.replace(/\{ (\w+) \}/, '{ $1 as _probe }')}\n`;
}

describe('src/policy purity (GEN-CLOCK)', () => {
  const PROBE = 'src/policy/probe.ts';

  it('GEN-CLOCK: Date.now() in src/policy is reported (now is an argument)', async () => {
    expect(await reported(PROBE, 'export const t = Date.now();\n')).toEqual([
      expect.stringMatching(/^no-restricted-properties: .*GEN-CLOCK/),
    ]);
  });

  it('GEN-CLOCK: new Date() without arguments in src/policy is reported', async () => {
    expect(await reported(PROBE, 'export const t = new Date();\n')).toEqual([
      expect.stringMatching(/^no-restricted-syntax: .*no `new Date\(\)`/),
    ]);
  });

  it('GEN-CLOCK: new Date(value) with an argument is allowed (it reads no clock)', async () => {
    expect(await reported(PROBE, "export const t = new Date('2026-11-01T09:00:00Z');\n")).toEqual([]);
  });

  it('GEN-CLOCK: Math.random() in src/policy is reported (decisions are deterministic)', async () => {
    expect(await reported(PROBE, 'export const r = Math.random();\n')).toEqual([
      expect.stringMatching(/^no-restricted-properties: .*deterministic/),
    ]);
  });

  it.each([
    ["import { MongoClient } from 'mongodb';\nexport const c = MongoClient;\n", 'mongodb'],
    ["import { GraphQLError } from 'graphql';\nexport const e = GraphQLError;\n", 'graphql'],
    ["import { collections } from '../db/collections.js';\nexport const c = collections;\n", '../db/collections.js'],
    ["import fs from 'node:fs';\nexport const f = fs;\n", 'node:fs'],
  ])('GEN-CLOCK: an impure import in src/policy is reported: %s', async (code, what) => {
    const messages = await reported(PROBE, code);
    expect(messages, what).toHaveLength(1);
    expect(messages[0]).toMatch(/^@typescript-eslint\/no-restricted-imports: .*src\/policy/);
  });

  it('GEN-CLOCK: a type-only import of the documents is allowed', async () => {
    expect(await reported(PROBE, "import type { SubscriptionDoc } from '../db/documents.js';\nexport type S = SubscriptionDoc;\n")).toEqual(
      [],
    );
  });

  it('GEN-CLOCK: a value import of the documents module is reported', async () => {
    const messages = await reported(PROBE, "import { X } from '../db/documents.js';\nexport const x = X;\n");
    expect(messages.some((m) => m.startsWith('no-restricted-syntax: src/policy imports documents as types only'))).toBe(true);
  });
});

describe('src/shared is the ground floor: it imports nothing above it', () => {
  const PROBE = 'src/shared/probe.ts';

  it.each([
    "import { createGateway } from '../app/server.js';",
    "import { customerLoaders } from '../customer/customer.loader.js';",
    "import { runMutation } from '../mutation/run-mutation.js';",
    "import { runOperation } from '../write/run-operation.js';",
    "import { CommandBudget } from '../limits/command-budget.js';",
    "import { byIdLoader } from '../read/loader-utils.js';",
    "import { ClockRepository } from '../clock/clock.repository.js';",
    "import type { WriteDeps } from '../write/deps.js';",
  ])('an import from a higher floor in src/shared is reported: %s', async (line) => {
    expect(await reported(PROBE, probe(line))).toEqual([expect.stringMatching(/src\/shared is the ground floor/)]);
  });

  it('a value import from src/db in src/shared is reported; types of the documents are allowed', async () => {
    expect(await reported(PROBE, "import { openDatabase } from '../db/database.js';\nexport const o = openDatabase;\n")).toEqual([
      expect.stringMatching(/src\/shared imports from src\/db only types/),
    ]);
    expect(await reported(PROBE, "import type { PartnerDoc } from '../db/documents.js';\nexport type P = PartnerDoc;\n")).toEqual([]);
  });

  it('src/shared may import itself, packages and the pure policy', async () => {
    const code = [
      "import { GraphQLError } from 'graphql';",
      "import { checkRole } from '../policy/roles.js';",
      "import { badUserInput } from './errors.js';",
      'export const x = [GraphQLError, checkRole, badUserInput];',
      '',
    ].join('\n');
    expect(await reported(PROBE, code)).toEqual([]);
  });
});

describe('src/write and src/db know no GraphQL', () => {
  it.each([
    ['src/write/probe.ts', "import { GraphQLError } from 'graphql';"],
    ['src/write/probe.ts', "import { Field } from 'type-graphql';"],
    ['src/write/probe.ts', "import type { ApolloServerPlugin } from '@apollo/server';"],
    ['src/db/probe.ts', "import { GraphQLError } from 'graphql';"],
    ['src/db/probe.ts', "import { GraphQLDateTimeISO } from 'graphql-scalars';"],
  ])('a GraphQL import in %s is reported: %s', async (file, line) => {
    expect(await reported(file, probe(line))).toEqual([expect.stringMatching(/know no GraphQL/)]);
  });

  it('the write path may import the database, the policy and the ground floor', async () => {
    const code = [
      "import type { Collections } from '../db/collections.js';",
      "import type { Effect } from '../policy/effects.js';",
      "import { ClientError } from '../shared/errors.js';",
      'export type X = [Collections, Effect, ClientError];',
      '',
    ].join('\n');
    expect(await reported('src/write/probe.ts', code)).toEqual([]);
  });
});

describe('the runtime imports no demo data: only src/main.ts imports src/seed', () => {
  it.each([
    ['src/app/probe.ts', "import { DEMO_PARTNERS } from '../seed/demo-ids.js';"],
    ['src/customer/probe.ts', "import { DEMO_PARTNERS } from '../seed/demo-ids.js';"],
    ['src/shared/probe.ts', "import { DEMO_PARTNERS } from '../seed/demo-ids.js';"],
    ['src/write/probe.ts', "import { DEMO_PARTNERS } from '../seed/demo-ids.js';"],
    ['src/policy/probe.ts', "import { DEMO_PARTNERS } from '../seed/demo-ids.js';"],
    ['src/probe.ts', "import { seedDemoIfEmpty } from './seed/generate.js';"],
  ])('an import of src/seed from %s is reported', async (file, line) => {
    const messages = await reported(file, probe(line));
    expect(messages).toContainEqual(expect.stringMatching(/Only src\/main\.ts may import src\/seed/));
    expect(messages.every((m) => RESTRICTED.test(m))).toBe(true);
  });

  it('src/main.ts and src/seed itself may import src/seed', async () => {
    expect(await reported('src/main.ts', "import { DEMO_PARTNERS } from './seed/demo-ids.js';\nexport const x = DEMO_PARTNERS;\n")).toEqual(
      [],
    );
    expect(
      await reported('src/seed/probe.ts', "import { DEMO_PARTNERS } from './demo-ids.js';\nexport const x = DEMO_PARTNERS;\n"),
    ).toEqual([]);
  });
});

describe('no ambient request state', () => {
  it.each(['src/app/probe.ts', 'src/write/probe.ts', 'src/shared/probe.ts', 'src/subscription/probe.ts'])(
    'importing AsyncLocalStorage in %s is reported: a request travels in its context',
    async (file) => {
      const messages = await reported(file, probe("import { AsyncLocalStorage } from 'node:async_hooks';"));
      expect(messages).toEqual([expect.stringMatching(/AsyncLocalStorage: what a request carries travels in its context/)]);
    },
  );
});

describe('src/testing, the sandbox helper, is a client of the public HTTP API: it imports nothing', () => {
  const PROBE = 'src/testing/probe.ts';

  it.each([
    "import { createGateway } from '../app/server.js';",
    "import { mintToken } from '../shared/tokens.js';",
    "import type { PartnerRole } from '../db/documents.js';",
    "import { GraphQLError } from 'graphql';",
    "import { request } from 'node:http';",
  ])('an import in src/testing is reported: %s', async (line) => {
    expect(await reported(PROBE, probe(line))).toEqual([expect.stringMatching(/src\/testing is a client of the public HTTP API/)]);
  });

  it('src/testing may import its own modules', async () => {
    expect(await reported(PROBE, "import { withSandbox } from './sandbox.js';\nexport const x = withSandbox;\n")).toEqual([]);
  });
});
