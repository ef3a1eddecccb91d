import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Backend, type Database } from '../../src/db/database.js';
import { startFerretDb } from '../../src/db/ferretdb.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { loadConfig } from '../../src/shared/config.js';
import { createMemoryLogger } from '../../src/shared/logger.js';
import { createGateway, type Gateway } from '../../src/app/server.js';
import { aCustomer, guid, partners } from '../support/fixtures.js';

/*
 * Deadlines are upper bounds (docs/security.md, "Limits"; src/limits/timeout.ts): with the
 * database frozen (SIGSTOP of this file's own FerretDB), a query is answered 503 within its
 * deadline plus one second, alone and among 50 at once, by both HTTP stacks: SERVICE_UNAVAILABLE
 * after DB_TIMEOUT_MS, or TIMEOUT after LIMIT_TIMEOUT_MS when that comes first. The commands left
 * running are dropped when the database wakes, without an unhandled rejection.
 */

const HEADERS = { 'content-type': 'application/json', 'x-partner-id': DEMO_PARTNERS.contoso.id, 'x-partner-roles': 'global_admin' };
const QUERY = '{ customers(first: 5) { totalCount nodes { id companyProfile { companyName } } } }';

interface Answer {
  status: number;
  retryAfter: string | null;
  codes: unknown[];
  ms: number;
}

/** `express`: a query string sends it through the Express stack instead of the fast path. */
async function query(url: string, options: { express?: boolean } = {}): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(`${url}/graphql${options.express ? '?via=express' : ''}`, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ query: QUERY }),
  });
  const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    codes: (body.errors ?? []).map((e) => e.extensions?.code),
    ms: Date.now() - started,
  };
}

describe('deadlines with the database frozen (SIGSTOP of its own FerretDB)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pcg-deadlines-'));
  const log = createMemoryLogger();
  let backend: Backend;
  let database: Database;
  /** The defaults: DB_TIMEOUT_MS 2000, LIMIT_TIMEOUT_MS 10000. */
  let failFast: Gateway;
  /** LIMIT_TIMEOUT_MS 1000 before DB_TIMEOUT_MS 5000: the execution deadline comes first. */
  let shortTimeout: Gateway;
  let failFastUrl: string;
  let shortTimeoutUrl: string;
  let ferretPid: number;

  beforeAll(async () => {
    const config = loadConfig({ DB_BACKEND: 'ferretdb', DATA_DIR: dataDir, MONGODB_DB: 'deadlines' });
    backend = await startFerretDb(config, log);
    database = await openDatabase({ ...config, mongodbUri: backend.uri }, log);
    await database.collections.partners.insertMany(partners());
    await database.collections.customers.insertMany(
      Array.from({ length: 10 }, (_, i) => aCustomer({ _id: guid(`deadline-c${i}`), companyName: `Deadline ${i}` })),
    );
    failFast = await createGateway({ config, database, log });
    failFastUrl = await failFast.listen(0, '127.0.0.1');
    const short = loadConfig({
      DB_BACKEND: 'ferretdb',
      DATA_DIR: dataDir,
      MONGODB_DB: 'deadlines',
      LIMIT_TIMEOUT_MS: '1000',
      DB_TIMEOUT_MS: '5000',
    });
    shortTimeout = await createGateway({ config: short, database, log });
    shortTimeoutUrl = await shortTimeout.listen(0, '127.0.0.1');
    ferretPid = Number(
      execFileSync('pgrep', ['-P', String(backend.processId?.())])
        .toString()
        .trim()
        .split('\n')[0],
    );
  });
  afterAll(async () => {
    if (ferretPid) process.kill(ferretPid, 'SIGCONT');
    await failFast?.stop();
    await shortTimeout?.stop();
    await database?.close();
    await backend?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs `during` with FerretDB stopped, then wakes it and waits until both gateways serve again. */
  async function frozen<T>(during: () => Promise<T>): Promise<T> {
    for (const url of [failFastUrl, shortTimeoutUrl]) expect((await query(url)).status).toBe(200);
    process.kill(ferretPid, 'SIGSTOP');
    try {
      return await during();
    } finally {
      process.kill(ferretPid, 'SIGCONT');
      for (const url of [failFastUrl, shortTimeoutUrl]) {
        for (let i = 0; (await query(url)).status !== 200; i++) {
          expect(i, 'serves again after the database wakes').toBeLessThan(50);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  }

  /**
   * Each answer is a coded 503 with Retry-After, within the deadline plus 1 s. Of 50 at once, 9 in
   * 10 must be, and the rest within 2 s: the times are taken by the client, so they include the
   * CPU the machine shares with other test files, which 50 clients feel at the tail.
   */
  function expectFailedFast(answers: Answer[], code: string, deadlineMs: number): void {
    for (const a of answers) {
      expect(a).toMatchObject({ status: 503, codes: [code] });
      expect(Number(a.retryAfter)).toBeGreaterThan(0);
      expect(a.ms, `answered after ${a.ms} ms`).toBeLessThan(deadlineMs + 2000);
    }
    const times = answers.map((a) => a.ms).sort((x, y) => x - y);
    const p90 = times[Math.ceil(times.length * 0.9) - 1]!;
    expect(p90, `answered after ${times.join(', ')} ms`).toBeLessThan(deadlineMs + 1000);
  }

  it('a query alone answers SERVICE_UNAVAILABLE / 503 + Retry-After within DB_TIMEOUT_MS (2 s) plus 1 s, on both stacks', async () => {
    const answers = await frozen(async () => [await query(failFastUrl), await query(failFastUrl, { express: true })]);
    expectFailedFast(answers, 'SERVICE_UNAVAILABLE', 2000);
  });

  it('50 concurrent queries answer SERVICE_UNAVAILABLE within DB_TIMEOUT_MS plus 1 s (9 in 10; every one within 2 s)', async () => {
    const answers = await frozen(() => Promise.all(Array.from({ length: 50 }, (_, i) => query(failFastUrl, { express: i % 2 === 1 }))));
    expectFailedFast(answers, 'SERVICE_UNAVAILABLE', 2000);
  });

  it('with LIMIT_TIMEOUT_MS (1 s) before DB_TIMEOUT_MS (5 s), a query stuck on a command answers TIMEOUT within 1 s plus 1 s, alone and among 50 (9 in 10; every one within 2 s)', async () => {
    const alone = await frozen(async () => [await query(shortTimeoutUrl), await query(shortTimeoutUrl, { express: true })]);
    expectFailedFast(alone, 'TIMEOUT', 1000);
    const many = await frozen(() => Promise.all(Array.from({ length: 50 }, (_, i) => query(shortTimeoutUrl, { express: i % 2 === 1 }))));
    expectFailedFast(many, 'TIMEOUT', 1000);
  });

  it('a mutation with the database frozen answers SERVICE_UNAVAILABLE within DB_TIMEOUT_MS plus 1 s, before writing anything', async () => {
    const domain = 'deadline-frozen.onmicrosoft.com';
    const mutation = async (): Promise<Answer> => {
      const started = Date.now();
      const res = await fetch(`${failFastUrl}/graphql`, {
        method: 'POST',
        headers: HEADERS,
        body: JSON.stringify({
          query: 'mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { operationId } }',
          variables: {
            input: { companyProfile: { companyName: 'Frozen Ltd', domain }, billingProfile: { defaultAddress: { country: 'US' } } },
          },
        }),
      });
      const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
      return {
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        codes: (body.errors ?? []).map((e) => e.extensions?.code),
        ms: Date.now() - started,
      };
    };
    const answers = await frozen(async () => [await mutation()]);
    expectFailedFast(answers, 'SERVICE_UNAVAILABLE', 2000);
    expect(await database.collections.customers.countDocuments({ 'companyProfile.domain': domain })).toBe(0);
    expect(await database.collections.operations.countDocuments({})).toBe(0);
  });

  it('the commands left running are dropped when the database wakes: nothing is logged as an error', () => {
    expect(log.lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});
