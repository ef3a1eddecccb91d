/**
 * The policy is pure (GEN-CLOCK: it never reads a clock; no I/O, graphql or mongodb): the lint
 * block for src/policy/ in eslint.config.js reports each impurity, and src/policy has none.
 * Probes are linted as text under a src/policy path; nothing is written into src/.
 */
import { ESLint } from 'eslint';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const PROBE = path.join(repoRoot, 'src/policy/probe.ts');

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot });
});

/** The rule IDs reported for a probe source placed in src/policy/. */
async function reported(code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: PROBE });
  return result!.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('src/policy purity (GEN-CLOCK)', () => {
  it('GEN-CLOCK: Date.now() in src/policy is reported (now is an argument)', async () => {
    expect(await reported('export const t = Date.now();\n')).toEqual([expect.stringMatching(/^no-restricted-properties: .*GEN-CLOCK/)]);
  });

  it('GEN-CLOCK: new Date() without arguments in src/policy is reported', async () => {
    expect(await reported('export const t = new Date();\n')).toEqual([expect.stringMatching(/^no-restricted-syntax: .*no `new Date\(\)`/)]);
  });

  it('GEN-CLOCK: new Date(value) with an argument is allowed (it reads no clock)', async () => {
    expect(await reported("export const t = new Date('2026-11-01T09:00:00Z');\n")).toEqual([]);
  });

  it('GEN-CLOCK: Math.random() in src/policy is reported (decisions are deterministic)', async () => {
    expect(await reported('export const r = Math.random();\n')).toEqual([
      expect.stringMatching(/^no-restricted-properties: .*deterministic/),
    ]);
  });

  it.each([
    ["import { MongoClient } from 'mongodb';\nexport const c = MongoClient;\n", 'mongodb'],
    ["import { GraphQLError } from 'graphql';\nexport const e = GraphQLError;\n", 'graphql'],
    ["import { collections } from '../db/collections.js';\nexport const c = collections;\n", '../db/collections.js'],
    ["import fs from 'node:fs';\nexport const f = fs;\n", 'node:fs'],
  ])('GEN-CLOCK: an impure import in src/policy is reported: %s', async (code, what) => {
    const messages = await reported(code);
    expect(messages, what).toHaveLength(1);
    expect(messages[0]).toMatch(/^@typescript-eslint\/no-restricted-imports: .*src\/policy/);
  });

  it('GEN-CLOCK: a type-only import of the documents is allowed', async () => {
    expect(await reported("import type { SubscriptionDoc } from '../db/documents.js';\nexport type S = SubscriptionDoc;\n")).toEqual([]);
  });

  it('GEN-CLOCK: a value import of the documents module is reported', async () => {
    const messages = await reported("import { X } from '../db/documents.js';\nexport const x = X;\n");
    expect(messages.some((m) => m.startsWith('no-restricted-syntax: src/policy imports documents as types only'))).toBe(true);
  });

  it('GEN-CLOCK: src/policy as it is has no lint error', async () => {
    const results = await eslint.lintFiles(['src/policy']);
    const errors = results.flatMap((r) =>
      r.messages.filter((m) => m.severity === 2).map((m) => `${path.relative(repoRoot, r.filePath)}:${m.line} ${m.ruleId}: ${m.message}`),
    );
    expect(results.length).toBeGreaterThanOrEqual(20);
    expect(errors).toEqual([]);
  });
});
