import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Backend, type Database } from '../../src/db/database.js';
import { startFerretDb } from '../../src/db/ferretdb.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { loadConfig, PROJECT_ROOT } from '../../src/shared/config.js';
import { createMemoryLogger } from '../../src/shared/logger.js';
import { createGateway, type Gateway } from '../../src/app/server.js';
import { partners } from '../support/fixtures.js';

const QUERY = JSON.stringify({ query: '{ customers(first: 1) { totalCount } }' });
const HEADERS = { 'content-type': 'application/json', 'x-partner-id': DEMO_PARTNERS.contoso.id, 'x-partner-roles': 'global_admin' };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function query(url: string) {
  const started = Date.now();
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: HEADERS, body: QUERY });
  const body = (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body, ms: Date.now() - started };
}

describe('the database goes away while the gateway runs (its own FerretDB)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pcg-faults-'));
  const log = createMemoryLogger();
  let backend: Backend;
  let database: Database;
  let gateway: Gateway;
  let url: string;

  beforeAll(async () => {
    const config = loadConfig({ DB_BACKEND: 'ferretdb', DATA_DIR: dataDir, MONGODB_DB: 'faults' });
    // A 6 s first restart, so the outage is long enough to observe; the default is 0.5 s.
    backend = await startFerretDb(config, log, { restartDelayMs: (attempt) => (attempt === 0 ? 6000 : 500) });
    database = await openDatabase({ ...config, mongodbUri: backend.uri }, log);
    await database.collections.partners.insertMany(partners());
    gateway = await createGateway({ config, database, log });
    url = await gateway.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await gateway?.stop();
    await database?.close();
    await backend?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fails fast with SERVICE_UNAVAILABLE / 503 + Retry-After, is not ready but alive, and serves again after the restart', async () => {
    const before = await query(url);
    expect(before.status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    const watchdog = backend.processId?.();
    expect(watchdog).toBeTypeOf('number');
    const ferretPid = Number(
      execFileSync('pgrep', ['-P', String(watchdog)])
        .toString()
        .trim()
        .split('\n')[0],
    );
    // A little load in flight as the database dies.
    const inFlight = Array.from({ length: 4 }, () => query(url));
    process.kill(ferretPid, 'SIGKILL');
    const during = [...(await Promise.all(inFlight)), ...(await Promise.all(Array.from({ length: 4 }, () => query(url))))];
    for (const r of during) {
      const errors = log.lines.filter((l) => l.level === 'error').map((l) => `${l.message} ${String(l.detail)}`);
      expect(r.status, `${JSON.stringify(r.body)}\n${errors.join('\n')}`).not.toBe(500);
      expect(r.ms).toBeLessThan(3500);
      if (r.status !== 200) {
        expect(r.status).toBe(503);
        expect(r.retryAfter).toMatch(/^\d+$/);
        expect(r.body.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
      }
    }
    // Those sent after the kill cannot have reached the database.
    expect(during.slice(4).every((r) => r.status === 503)).toBe(true);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not ready' });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(log.lines.some((l) => l.level === 'error')).toBe(false);

    // The supervisor restarts FerretDB on the same port; the client reconnects by itself.
    const deadline = Date.now() + 20_000;
    while ((await fetch(`${url}/readyz`)).status !== 200) {
      expect(Date.now()).toBeLessThan(deadline);
      await sleep(200);
    }
    const after = await query(url);
    expect(after.status).toBe(200);
    expect(after.body.errors).toBeUndefined();
    expect(log.lines.some((l) => l.level === 'warn' && l.message.startsWith('ferretdb exited unexpectedly'))).toBe(true);
  }, 40_000);
});

function runGateway(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', './scripts/register.mjs', 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('start-up and shutdown of the process', () => {
  it('exits non-zero within a few seconds, with one line, when the database is unreachable at start', async () => {
    const closed = await freePort();
    const started = Date.now();
    const gw = runGateway({ MONGODB_URI: `mongodb://127.0.0.1:${closed}/`, PORT: String(await freePort()) });
    const code = await gw.exited;
    expect(code).not.toBe(0);
    // Booting the process (transpiling src/) dominates under a loaded test run; the database wait itself is DB_TIMEOUT_MS (2 s).
    expect(Date.now() - started).toBeLessThan(25_000);
    const lines = gw
      .stderr()
      .split('\n')
      .filter((l) => l.trim() !== '' && !/ExperimentalWarning|--trace-warnings/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`127.0.0.1:${closed}`);
  }, 40_000);

  it('on SIGTERM, lets in-flight requests finish, then exits 0', async () => {
    const port = await freePort();
    const dbName = `sigterm_${process.pid}`;
    const seed = await openDatabase(loadConfig({ MONGODB_URI: inject('mongoUri'), MONGODB_DB: dbName }), createMemoryLogger());
    await seed.collections.partners.insertMany(partners());
    await seed.close();
    const gw = runGateway({ MONGODB_URI: inject('mongoUri'), MONGODB_DB: dbName, SEED_DEMO: 'false', PORT: String(port) });
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        expect(Date.now()).toBeLessThan(deadline);
        await sleep(100);
      }
      // Requests still arriving when SIGTERM comes: headers sent, body half-way.
      const slow = Array.from({ length: 3 }, () => slowRequest(port));
      await Promise.all(slow.map((s) => s.sentHalf));
      await sleep(300); // the gateway has accepted them and is reading their bodies
      gw.child.kill('SIGTERM');
      await sleep(500);
      slow.forEach((s) => s.finish());
      const responses = await Promise.all(slow.map((s) => s.response)).catch((error: unknown) => {
        throw new Error(`${String(error)}; gateway stderr:\n${gw.stderr()}`);
      });
      for (const r of responses) {
        expect(r.status).toBe(200);
        expect(JSON.parse(r.body)).toHaveProperty('data');
      }
      expect(await gw.exited).toBe(0);
      expect(gw.stderr()).toContain('SIGTERM: shutting down');
    } finally {
      gw.child.kill('SIGKILL');
    }
  }, 40_000);
});

function slowRequest(port: number) {
  const body = Buffer.from(QUERY);
  const half = Math.floor(body.length / 2);
  let finish!: () => void;
  let sentHalf!: () => void;
  const sent = new Promise<void>((r) => (sentHalf = r));
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/graphql', headers: { ...HEADERS, 'content-length': body.length } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.write(body.subarray(0, half), () => sentHalf());
    finish = () => req.end(body.subarray(half));
  });
  return { sentHalf: sent, finish: () => finish(), response };
}
