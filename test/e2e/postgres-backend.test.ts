// FerretDB on the project's own PostgreSQL cluster (src/db/postgres.ts): the real gateway process
// with DB_BACKEND=ferretdb-postgresql creates the cluster once, names the backend, has the GIN
// indexes that serve FerretDB's equality pushdown, leaves no process behind, and reuses the cluster.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { FERRETDB_CAPABILITIES } from '../../src/db/database.js';
import { EQUALITY_FIELDS } from '../../src/db/collections.js';
import { FALLBACK_CLUSTER_ROOT, PG_DATABASE, PG_PORT, PG_USER, postgresAvailable } from '../../src/db/postgres.js';
import { PROJECT_ROOT } from '../../src/shared/config.js';

const SCRUBBED = ['NODE_ENV', 'PORT', 'HOST', 'MONGODB_URI', 'MONGODB_DB', 'DATA_DIR', 'DB_BACKEND', 'DB_START_RETRIES', 'LOG_LEVEL'];
const ferretdb = existsSync(path.join(PROJECT_ROOT, '.tools/bin/ferretdb')) || !!process.env.FERRETDB_BIN;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pcg-pg-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function runGateway(env: Record<string, string> = {}) {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SCRUBBED.includes(name)));
  const child = spawn(process.execPath, ['--import', './scripts/register.mjs', 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...inherited, LOG_LEVEL: 'info', SEED_DEMO: 'true', PORT: '0', DB_BACKEND: 'ferretdb-postgresql', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', () => {
      const listening = /GraphQL at (http:\/\/\S+)\/graphql/.exec(output);
      if (listening) resolve(listening[1]!);
    });
    void exited.then((code) => reject(new Error(`gateway exited with ${code} before listening:\n${output}`)));
  });
  ready.catch(() => {});
  return { child, exited, ready, log: () => output };
}

const socketDir = path.join(dataDir, 'postgres-socket');
function psql(sql: string): string {
  return execFileSync(
    'psql',
    ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', String(PG_PORT), '-U', PG_USER, '-d', PG_DATABASE],
    {
      input: sql,
      encoding: 'utf8',
    },
  ).trim();
}

/** Processes whose command line names this test's data folder (postgres, its watchdog, FerretDB). */
function processesOnDataDir(): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(dataDir) && !l.includes(' ps -eo'));
}

async function noProcessesWithin(ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  while (processesOnDataDir().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return processesOnDataDir();
}

describe.runIf(postgresAvailable() && ferretdb)('FerretDB on the project PostgreSQL cluster', () => {
  it('capabilities say what PostgreSQL pushes down and which fields are indexed', () => {
    const pg = FERRETDB_CAPABILITIES.postgresql;
    expect(pg).toMatchObject({ pushesDownEquality: true, pushesDownIn: false, pushesDownRange: false, indexes: 'equality' });
    expect(pg.equalityIndexes?.subscriptions).toEqual(['_id', ...EQUALITY_FIELDS.subscriptions]);
    expect(FERRETDB_CAPABILITIES.sqlite).toMatchObject({ pushesDownEquality: false, indexes: 'none' });
  });

  it('starts its cluster, names the backend, indexes equality fields, serves equality from a GIN index, and stops with the gateway', async () => {
    const gw = runGateway();
    onTestFinished(() => void gw.child.kill('SIGKILL'));
    const url = await gw.ready;
    expect(gw.log()).toMatch(/created a PostgreSQL cluster in /);
    expect(gw.log()).toMatch(/backend ferretdb-postgresql: FerretDB v1\.24\.\d+ \(MongoDB [\d.]+ wire protocol\), FerretDB \(PostgreSQL\)/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    // Every FerretDB table of the gateway's database has a GIN index per equality field, plus _id.
    const indexes = psql(
      "SELECT tablename || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'partner_center' AND indexdef LIKE '%USING gin%' ORDER BY 1",
    ).split('\n');
    const subscriptions = indexes.filter((l) => l.startsWith('subscriptions_'));
    for (const field of ['_id', ...EQUALITY_FIELDS.subscriptions]) {
      expect(subscriptions.some((l) => l.includes(`USING gin (((_jsonb -> '${field}'::text)))`))).toBe(true);
    }
    expect(indexes.filter((l) => l.startsWith('customers_')).length).toBe(1 + EQUALITY_FIELDS.customers.length);

    // Enough documents that a sequential scan would lose, written through FerretDB. (Not in a
    // database named `pg_...`: FerretDB on PostgreSQL refuses those, PostgreSQL reserves the prefix.)
    const client = new MongoClient(`mongodb://${/FerretDB \(PostgreSQL\) at (127\.0\.0\.1:\d+)/.exec(gw.log())![1]}/`);
    await client.connect();
    try {
      const docs = Array.from({ length: 3000 }, (_, i) => ({
        _id: `x${i}`,
        partnerId: `p${i % 50}`,
        customerId: `c${i}`,
        status: 'active',
      }));
      await client.db('probe_pg').collection<{ _id: string }>('subscriptions').insertMany(docs);
      expect(await client.db('probe_pg').collection('subscriptions').countDocuments({ partnerId: 'p7', customerId: 'c7' })).toBe(1);
    } finally {
      await client.close();
    }
    const table = psql("SELECT _jsonb->>'table' FROM probe_pg._ferretdb_database_metadata WHERE _jsonb->>'_id' = 'subscriptions'");
    expect(table).toMatch(/^subscriptions_[0-9a-f]{8}$/);
    // FerretDB's own statement shape: the field name is a parameter, prepared once and run many
    // times; with plan_cache_mode=force_custom_plan each run is planned with its values and uses the index.
    const plan = psql(
      [
        'SET client_min_messages = warning;',
        `PREPARE q(text, jsonb, text, jsonb) AS SELECT _jsonb FROM probe_pg."${table}" WHERE _jsonb->$1 @> $2 AND _jsonb->$3 @> $4;`,
        ...Array.from({ length: 8 }, (_, i) => `EXECUTE q('partnerId', '"p${i}"', 'customerId', '"c${i}"');`),
        `EXPLAIN (COSTS OFF) EXECUTE q('partnerId', '"p7"', 'customerId', '"c7"');`,
      ].join('\n'),
    );
    expect(plan).toMatch(/Bitmap Index Scan on subscriptions_[0-9a-f]{8}_(customerid|partnerid|_id)_gin/);
    expect(plan).not.toMatch(/Seq Scan/);

    expect(processesOnDataDir().some((l) => /postgres -D/.test(l))).toBe(true);
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toBe(0);
    expect(await noProcessesWithin(5000)).toEqual([]);
  });

  it('a second start reuses the cluster (no initdb), with its data', async () => {
    const gw = runGateway();
    const url = await gw.ready;
    expect(gw.log()).not.toMatch(/created a PostgreSQL cluster/);
    expect(gw.log()).toMatch(/backend ferretdb-postgresql: /);
    expect(psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'probe_pg'")).toBe('1');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // Killed outright, the gateway leaves no postgres or FerretDB behind either (the watchdogs).
    gw.child.kill('SIGKILL');
    await gw.exited;
    expect(await noProcessesWithin(8000)).toEqual([]);
  });

  it.runIf(process.getuid?.() === 0)(
    "as root, a DATA_DIR below a folder closed to PostgreSQL's user gets its cluster under /var/tmp and still runs on PostgreSQL",
    async () => {
      // mkdtemp makes a 0700 folder: the `postgres` user cannot pass through it.
      const closed = mkdtempSync(path.join(os.tmpdir(), 'pcg-closed-'));
      const inside = path.join(closed, 'data');
      mkdirSync(inside);
      const home = path.join(FALLBACK_CLUSTER_ROOT, createHash('sha256').update(realpathSync(inside)).digest('hex').slice(0, 16));
      onTestFinished(() => {
        rmSync(closed, { recursive: true, force: true });
        rmSync(home, { recursive: true, force: true });
      });
      const gw = runGateway({ DATA_DIR: inside });
      onTestFinished(() => void gw.child.kill('SIGKILL'));
      const url = await gw.ready;
      expect(gw.log()).toContain(`its cluster is in ${home}`);
      expect(gw.log()).toMatch(/backend ferretdb-postgresql: /);
      expect(existsSync(path.join(home, 'postgres', 'PG_VERSION'))).toBe(true);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      gw.child.kill('SIGTERM');
      expect(await gw.exited).toBe(0);
    },
    // initdb and a first start of a cluster: seconds alone, far more on a busy machine (not a timing assertion).
    120_000,
  );
});
