import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoIfEmpty } from '../../src/seed/generate.js';
import { createMemoryLogger } from '../../src/shared/logger.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * The front door holds: README.md stays short, its first query and first mutation come early and
 * really work as written (their curl requests, sent against a gateway over the demo world, with a
 * token from the documented `npm run token` command), so does every curl of docs/, and no relative
 * link of README.md or docs/ points at a missing file or heading.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const README_LINES = README.replace(/\n$/, '').split('\n');

interface ShellBlock {
  /** 1-based line, in its page, of the block's first line. */
  line: number;
  text: string;
}

function shellBlocks(markdown: string): ShellBlock[] {
  const blocks: ShellBlock[] = [];
  const re = /^```(?:sh|bash|shell)\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    blocks.push({ line: markdown.slice(0, m.index).split('\n').length + 1, text: m[1]! });
  }
  return blocks;
}

/** The line of its page on which the first line of a block matching `re` is. */
function lineOf(block: ShellBlock, re: RegExp): number {
  return block.line + block.text.split('\n').findIndex((l) => re.test(l));
}

const blocks = shellBlocks(README);
const firstQuery = blocks.find((b) => /curl [\s\S]*"query":"\{/.test(b.text));
const firstMutation = blocks.find((b) => /curl [\s\S]*"query":"mutation/.test(b.text));

/**
 * POSIX shell words, enough for the documented commands: single quotes are literal, double quotes
 * and bare words expand `$NAME`, a backslash outside quotes escapes the next character, and `|`
 * outside quotes is a word of its own.
 */
function shellWords(command: string, env: Record<string, string>): string[] {
  const words: string[] = [];
  let word: string | null = null;
  const add = (s: string) => (word = (word ?? '') + s);
  const expand = (s: string) =>
    s.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => {
      if (!(name in env)) throw new Error(`a documented command uses $${name}, which no earlier line of its page sets`);
      return env[name]!;
    });
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      add(command.slice(i + 1, end));
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      for (; command[j] !== '"'; j++) s += command[j] === '\\' && '"$`\\'.includes(command[j + 1]!) ? command[++j] : command[j];
      add(expand(s));
      i = j;
    } else if (c === '\\') {
      add(command[++i]!);
    } else if (c === '$') {
      const m = /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/.exec(command.slice(i))!;
      add(expand(m[0]));
      i += m[0].length - 1;
    } else if (c === '|') {
      if (word !== null) words.push(word);
      words.push('|');
      word = null;
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else add(c);
  }
  if (word !== null) words.push(word);
  return words;
}

interface Answer {
  status: number;
  text: string;
}

/**
 * Runs one documented block as a shell would, line by line: `NAME=$(...)` sets a variable,
 * `npm run -s token -- ...` runs the package's token script, `curl` sends its request (method,
 * headers, body) to the test gateway instead of localhost:4000, and `| grep -o 're'` keeps the
 * first match. Returns the last command's output; `env` carries variables from block to block.
 */
async function runBlock(block: ShellBlock, gatewayUrl: string, env: Record<string, string>): Promise<Answer> {
  const commands = block.text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
  let last: Answer = { status: 0, text: '' };
  for (const command of commands) {
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=\$\((.*)\)$/.exec(command.trim());
    const words = shellWords(assignment ? assignment[2]! : command, env);
    last = await runPipeline(words, gatewayUrl);
    if (assignment) env[assignment[1]!] = last.text.trim();
  }
  return last;
}

async function runPipeline(words: string[], gatewayUrl: string): Promise<Answer> {
  const pipe = words.indexOf('|');
  const [command, filter] = pipe < 0 ? [words, null] : [words.slice(0, pipe), words.slice(pipe + 1)];
  const answer = await runCommand(command, gatewayUrl);
  if (!filter) return answer;
  expect(filter.slice(0, 2), 'the only filter the docs use is grep -o').toEqual(['grep', '-o']);
  // A basic regular expression: \{n\} is an interval.
  const re = new RegExp(filter[2]!.replace(/\\\{/g, '{').replace(/\\\}/g, '}'));
  return { status: answer.status, text: re.exec(answer.text)?.[0] ?? '' };
}

async function runCommand(words: string[], gatewayUrl: string): Promise<Answer> {
  if (words[0] === 'npm') {
    expect(words.slice(0, 5), 'the only npm command the docs run in a curl block is the token script').toEqual([
      'npm',
      'run',
      '-s',
      'token',
      '--',
    ]);
    const script = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
      .token!;
    const [program, ...args] = script.split(' ');
    expect(program).toBe('node');
    const env = { ...process.env };
    delete env.AUTH_SECRET; // the test gateway verifies with the development secret, as `npm start` does
    delete env.NODE_ENV;
    const { stdout } = await promisify(execFile)(process.execPath, [...args!, ...words.slice(5)], { cwd: ROOT, env });
    return { status: 0, text: stdout };
  }
  expect(words[0]).toBe('curl');
  const headers: Record<string, string> = {};
  let method = 'GET';
  let body: string | undefined;
  let url: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-s') continue;
    if (w === '-H') {
      const [name, ...value] = words[++i]!.split(':');
      headers[name!.trim().toLowerCase()] = value.join(':').trim();
    } else if (w === '-d') {
      body = words[++i];
      method = 'POST';
    } else if (w === '-X') method = words[++i]!;
    else if (w.startsWith('-'))
      throw new Error(`curl option ${w} is not understood by this test: teach it, or keep the documented curl simple`);
    else url = w;
  }
  expect(url).toMatch(/^(http:\/\/)?localhost:4000\//);
  const target = new URL(url!.replace(/^(http:\/\/)?localhost:4000/, gatewayUrl));
  const response = await fetch(target, { method, headers, body });
  return { status: response.status, text: await response.text() };
}

describe('README.md, the front door', () => {
  it('is at most 220 lines', () => {
    expect(README_LINES.length).toBeLessThanOrEqual(220);
  });

  it('shows a first curl query and a first curl mutation within its first 100 lines', () => {
    expect(firstQuery, 'a ```sh block with a curl query').toBeDefined();
    expect(firstMutation, 'a ```sh block with a curl mutation').toBeDefined();
    expect(lineOf(firstQuery!, /"query":"\{/)).toBeLessThanOrEqual(100);
    expect(lineOf(firstMutation!, /"query":"mutation/)).toBeLessThanOrEqual(100);
    // Both use a token minted by the documented command (the query's block mints it).
    expect(firstQuery!.text).toMatch(/TOKEN=\$\(npm run -s token -- /);
    expect(firstMutation!.text).toContain('Bearer $TOKEN');
  });
});

/** One gateway for every documented command, over the world `npm start` seeds into an empty database. */
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway((cols) => seedDemoIfEmpty(cols, createMemoryLogger()).then(() => undefined));
});
afterAll(() => gw?.close());

describe("README.md's first query and first mutation, run as written", () => {
  const env: Record<string, string> = {};

  it('the first query answers customers with their subscriptions, and no errors', async () => {
    const answer = await runBlock(firstQuery!, gw.url, env);
    expect(env.TOKEN).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as {
      data?: { customers: { totalCount: number; nodes: { subscriptions: { nodes: unknown[] } }[] } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    expect(body.data!.customers.totalCount).toBeGreaterThan(2);
    expect(body.data!.customers.nodes).toHaveLength(2);
    expect(body.data!.customers.nodes.some((c) => c.subscriptions.nodes.length > 0)).toBe(true);
  });

  it('the first mutation buys ten licences for 720.00 USD, as the README says, with no userErrors and no errors', async () => {
    expect(env.TOKEN, 'the query block ran first and minted the token').toBeDefined();
    const answer = await runBlock(firstMutation!, gw.url, env);
    expect(env.CUSTOMER).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as {
      data?: {
        purchase: {
          subscriptions: { id: string; status: string }[];
          total: { amount: string; currencyCode: string };
          userErrors: unknown[];
        };
      };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    expect(body.data!.purchase.userErrors).toEqual([]);
    expect(body.data!.purchase.subscriptions).toEqual([expect.objectContaining({ status: 'ACTIVE' })]);
    expect(body.data!.purchase.total).toEqual({ amount: '720.00', currencyCode: 'USD' });
    expect(README).toContain('720.00 USD charged');
    const bought = await gw.collections.subscriptions.findOne({ _id: body.data!.purchase.subscriptions[0]!.id });
    expect(bought).toMatchObject({ customerId: env.CUSTOMER, quantity: 10 });
  });
});

describe('every curl of docs/, run as written', () => {
  const pages = readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  const cases = pages.flatMap((page) =>
    shellBlocks(readFileSync(path.join(ROOT, page), 'utf8'))
      .filter((b) => /^\s*(\w+=\$\()?curl /m.test(b.text))
      .map((block) => ({ page, block })),
  );
  /** One set of shell variables per page, its blocks run in order. */
  const envs = new Map<string, Record<string, string>>();

  it('there are some', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [`${c.page}:${c.block.line}`, c] as const))('%s answers data and no errors', async (_, { page, block }) => {
    const env = envs.get(page) ?? {};
    envs.set(page, env);
    const answer = await runBlock(block, gw.url, env);
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as { data?: unknown; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data).toBeTruthy();
  });
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of markdown.replace(/^```[\s\S]*?^```$/gm, '').matchAll(/^#{1,6}\s+(.*)$/gm)) {
    const base = m[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The text without fenced blocks and inline code, where brackets and parentheses are not links. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
}

describe('links of README.md and docs/', () => {
  const pages = [
    'README.md',
    ...readdirSync(path.join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];

  it.each(pages)('every relative link of %s resolves to a file, and its #anchor to a heading there', (page) => {
    const text = readFileSync(path.join(ROOT, page), 'utf8');
    const broken: string[] = [];
    for (const m of withoutCode(text).matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const resolved = file ? path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, page)), file)) : page;
      if (!existsSync(path.join(ROOT, resolved))) {
        broken.push(`${target} (no file ${resolved})`);
        continue;
      }
      if (anchor && resolved.endsWith('.md') && !anchors(readFileSync(path.join(ROOT, resolved), 'utf8')).has(anchor)) {
        broken.push(`${target} (no heading #${anchor} in ${resolved})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('README.md links every page of docs/', () => {
    const linked = new Set([...README.matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => m[1]));
    for (const page of pages.filter((p) => p !== 'README.md')) expect(linked, page).toContain(page);
  });
});
