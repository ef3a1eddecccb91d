/**
 * The rule registry against the spec: every rule ID of the project's rule catalogue (docs/rules.md, kept
 * identical to the team's shared spec by .ci/run) is known to the
 * policy (RULE_IDS), every in-scope rule has a deciding function in a file that cites it (RULES),
 * and every in-scope rule is named by at least one test, so a rule with no test fails the run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_IDS, RULE_SECTIONS } from '../../src/policy/rule-ids.js';
import { RULES } from '../../src/policy/rules.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const specPath = path.resolve(repoRoot, 'docs/rules.md');

function readSpec(): string {
  if (!existsSync(specPath)) {
    throw new Error(`The rules spec is missing: expected it at ${specPath} (docs/rules.md of the repository root ${repoRoot}).`);
  }
  return readFileSync(specPath, 'utf8');
}

/** Every `| ID | ... |` row of the spec, grouped by its `## ` section, in order. */
function parseSpec(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string | null = null;
  for (const line of text.split('\n')) {
    const heading = /^##\s+(.+?)\s*$/.exec(line);
    if (heading) {
      current = heading[1]!;
      sections.set(current, []);
      continue;
    }
    const row = /^\|\s*([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\s*\|/.exec(line);
    if (row) {
      if (current === null) throw new Error(`Rule ${row[1]} of ${specPath} is outside any section.`);
      sections.get(current)!.push(row[1]!);
    }
  }
  return sections;
}

const spec = parseSpec(readSpec());
const specIds = [...spec.values()].flat();

/** The sections this policy implements, by heading prefix: every section of the spec, every role. */
const IN_SCOPE: { section: string; only?: string[]; except?: string[] }[] = [
  { section: 'General' },
  { section: 'Roles' },
  { section: 'Catalog and purchase' },
  { section: 'Add-ons' },
  { section: 'Editing a subscription' },
  { section: 'Suspension' },
  { section: 'Pause and resume' },
  { section: 'Cancellation' },
  { section: 'Auto-renew' },
  { section: 'Scheduled changes' },
  { section: 'Upgrades' },
  { section: 'Software purchases' },
  { section: 'Azure reservations' },
  { section: 'Money' },
];

function inScopeIds(): string[] {
  return IN_SCOPE.flatMap(({ section, only, except = [] }) => {
    const heading = [...spec.keys()].find((h) => h.startsWith(section));
    if (!heading) throw new Error(`${specPath} has no section starting with '${section}'.`);
    const ids = spec.get(heading)!;
    for (const id of [...(only ?? []), ...except])
      if (!ids.includes(id)) throw new Error(`${id} is not in section '${heading}' of ${specPath}.`);
    return (only ?? ids).filter((id) => !except.includes(id));
  });
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : testFiles(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Titles of it(...), test(...), describe(...) and their modifiers (it.fails ...), but not skipped or todo ones. */
function testTitles(): string[] {
  const titles: string[] = [];
  const call = /(?<![.\w$])(?:it|test|describe)((?:\.[A-Za-z]+)*)\(\s*(['"`])((?:\\.|(?!\2)[^\\])*)\2/g;
  // This file is left out: its own titles must not count as tests of the rules.
  for (const file of testFiles(path.join(repoRoot, 'test')).filter((f) => path.resolve(f) !== path.resolve(import.meta.filename))) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(call)) {
      const modifiers = m[1]!.split('.');
      if (modifiers.includes('skip') || modifiers.includes('todo')) continue;
      titles.push(m[3]!);
    }
  }
  return titles;
}

describe('the rule registry against docs/rules.md', () => {
  it('the spec parses into its sections and rule rows (parser sanity check)', () => {
    expect(spec.size).toBeGreaterThanOrEqual(13);
    expect(spec.get('General')).toEqual(['GEN-UTC', 'GEN-CLOCK', 'GEN-REASON', 'GEN-WINDOW']);
    expect(specIds).toContain('MONEY-EXACT');
    expect(new Set(specIds).size).toBe(specIds.length);
  });

  it('RULE_IDS in src/policy/rule-ids.ts equals the IDs of the spec exactly, in order', () => {
    expect([...RULE_IDS]).toEqual(specIds);
  });

  it('RULE_SECTIONS has the spec sections, with their headings and IDs', () => {
    const sections = Object.fromEntries([...spec.entries()].filter(([, ids]) => ids.length > 0));
    expect(RULE_SECTIONS).toEqual(sections);
  });

  it('every in-scope rule has a RULES entry whose decidedBy is a function defined in its file, which cites the ID', () => {
    const problems: string[] = [];
    for (const id of inScopeIds()) {
      const entry = RULES[id as keyof typeof RULES];
      if (!entry) {
        problems.push(`${id}: no entry in src/policy/rules.ts`);
        continue;
      }
      if (typeof entry.decidedBy !== 'function') problems.push(`${id}: decidedBy is not a function`);
      const file = path.join(repoRoot, 'src/policy', entry.file);
      if (!existsSync(file)) {
        problems.push(`${id}: file src/policy/${entry.file} does not exist`);
        continue;
      }
      const source = readFileSync(file, 'utf8');
      if (!source.includes(id)) problems.push(`${id}: src/policy/${entry.file} does not cite the ID`);
      const name = entry.decidedBy.name;
      if (!new RegExp(`\\b(?:function|const|let)\\s+${name}\\b`).test(source)) {
        problems.push(`${id}: decidedBy ${name} is not defined in src/policy/${entry.file}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every in-scope rule ID appears in at least one test name under test/', () => {
    const titles = testTitles();
    expect(titles.length).toBeGreaterThan(100);
    const untested = inScopeIds().filter((id) => !titles.some((t) => new RegExp(`(^|[^A-Z0-9-])${id}([^A-Z0-9-]|$)`).test(t)));
    expect(untested, `rules named in no test title: ${untested.join(', ')}`).toEqual([]);
  });
});
