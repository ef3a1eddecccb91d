import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { NoDatabaseError, openDatabase, resolveBackend } from '../../src/db/database.js';
import { canConnect } from '../../src/db/ferretdb.js';
import { loadConfig, PROJECT_ROOT } from '../../src/shared/config.js';
import { createMemoryLogger } from '../../src/shared/logger.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pcg-dbtest-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const refuses = async (port: number) => !(await canConnect(port));

describe('database resolution order', () => {
  it('MONGODB_URI, when set, is used as it is and nothing is started', async () => {
    const backend = await resolveBackend(loadConfig({ MONGODB_URI: 'mongodb://user:secret@db.example:27017/' }), createMemoryLogger());
    expect(backend.kind).toBe('mongodb-uri');
    expect(backend.uri).toBe('mongodb://user:secret@db.example:27017/');
    expect(backend.describe).toBe('mongodb://***@db.example:27017/');
  });

  it('with no backend to be had, fails with one message naming the ways', async () => {
    const config = loadConfig({ DB_BACKEND: 'ferretdb', FERRETDB_BIN: '/nonexistent/ferretdb', DATA_DIR: dataDir });
    const error = await resolveBackend(config, createMemoryLogger()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoDatabaseError);
    const message = (error as Error).message;
    expect(message).toContain('MONGODB_URI=');
    expect(message).toContain('MONGOMS_SYSTEM_BINARY');
    expect(message).toContain('npm run db:ferretdb');
    expect(message).toContain('FERRETDB_BIN=/nonexistent/ferretdb does not exist');
  });

  it('the backend the tests run on answers ping and logs one line naming backend and version', async () => {
    const log = createMemoryLogger();
    const db = await openDatabase(loadConfig({ MONGODB_URI: inject('mongoUri'), MONGODB_DB: 'resolution_probe' }), log);
    try {
      expect(await db.db.command({ ping: 1 })).toMatchObject({ ok: 1 });
      const lines = log.lines.filter((l) => l.level === 'info' && l.area === 'database');
      expect(lines).toHaveLength(1);
      expect(lines[0]!.message).toMatch(/^backend mongodb-uri: (FerretDB v1\.24\.\d+ \(MongoDB [\d.]+ wire protocol\)|MongoDB [\d.]+), /);
    } finally {
      await db.db.dropDatabase();
      await db.close();
    }
  });

  it('reopening a database that already has its indexes succeeds (as every restart does)', async () => {
    const config = loadConfig({ MONGODB_URI: inject('mongoUri'), MONGODB_DB: 'reopen_probe' });
    const first = await openDatabase(config, createMemoryLogger());
    await first.close();
    const second = await openDatabase(config, createMemoryLogger());
    try {
      const names = (await second.collections.subscriptions.indexes()).map((i) => i.name).sort();
      expect(names).toEqual([
        '_id_',
        'lifecycle_term_end',
        'partner_created',
        'partner_customer_created',
        'partner_data_deletion',
        'partner_parent',
        'partner_status_term_end',
        'partner_term_end',
      ]);
    } finally {
      await second.db.dropDatabase();
      await second.close();
    }
  });

  it.runIf(inject('backendKind') === 'ferretdb')('a FerretDB the process started listens on loopback and is stopped with it', async () => {
    const config = loadConfig({ DB_BACKEND: 'ferretdb', DATA_DIR: dataDir });
    const backend = await resolveBackend(config, createMemoryLogger());
    expect(backend.kind).toMatch(/^ferretdb-(postgresql|sqlite)$/);
    expect(backend.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    const port = Number(new URL(backend.uri).port);
    await backend.stop();
    expect(await refuses(port)).toBe(true);
  });

  it.runIf(inject('backendKind') === 'ferretdb')(
    'a FerretDB outlives no owner: when its process is SIGKILLed, FerretDB stops too',
    async () => {
      const script = [
        "const { resolveBackend } = await import('./src/db/database.ts');",
        "const { loadConfig } = await import('./src/shared/config.ts');",
        "const { createMemoryLogger } = await import('./src/shared/logger.ts');",
        `const b = await resolveBackend(loadConfig({ DB_BACKEND: 'ferretdb', DATA_DIR: ${JSON.stringify(path.join(dataDir, 'orphan'))} }), createMemoryLogger());`,
        'console.log(b.uri);',
        'setInterval(() => {}, 1000);',
      ].join('\n');
      const owner = spawn(process.execPath, ['--import', './scripts/register.mjs', '--input-type=module', '-e', script], {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const uri = await new Promise<string>((resolve, reject) => {
        owner.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
        owner.once('exit', (code) => reject(new Error(`owner exited early with ${code}`)));
      });
      const port = Number(new URL(uri).port);
      expect(await refuses(port)).toBe(false);
      owner.kill('SIGKILL');
      const deadline = Date.now() + 5000;
      while (!(await refuses(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await refuses(port)).toBe(true);
    },
  );
});
