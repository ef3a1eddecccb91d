import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The gateway every test file creates its sandbox on. */
    gatewayUrl: string;
    /** A sandbox administrator's bearer token (a global admin of a real partner: SANDBOX-ADMIN). */
    adminToken: string;
  }
}

/*
 * The gateway the suite runs against, as a customer's test team gets one:
 * - GATEWAY_URL set: that gateway, with SANDBOX_ADMIN_TOKEN as the administrator's token (or one
 *   minted by `npm run -s token`, which fits a gateway verifying with the development secret);
 * - else: the built gateway (`npm run build`, then dist/node/src/main.js, as `npm start` runs it)
 *   on a free port with a throw-away DATA_DIR, where it starts its own database as it always does
 *   (FerretDB on PostgreSQL or SQLite, or MONGODB_URI; docs/database.md), stopped at the end.
 * Each project of vitest.config.ts runs this once, each maybe in a module instance of its own; they
 * share one gateway, kept on globalThis and stopped by the last teardown.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

interface Shared {
  started?: Promise<{ url: string; adminToken: string }>;
  users: number;
  gateway?: ChildProcess;
  dataDir?: string;
}
const shared: Shared = ((globalThis as { __sandboxSuiteGateway?: Shared }).__sandboxSuiteGateway ??= { users: 0 });

/** `npm run -s token -- --partner contoso --roles global_admin`, signed as a gateway started with `env` verifies. */
async function mintAdminToken(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', './scripts/register.mjs', 'scripts/token.ts', '--partner', 'contoso', '--roles', 'global_admin', '--expires', '2h'],
    { cwd: ROOT, env },
  );
  return stdout.trim();
}

async function startGateway(): Promise<{ url: string; adminToken: string }> {
  // `npm run build` (incremental): the tests import the helper as partner-center-gateway/testing,
  // which package.json's "exports" maps to the built dist/node/src/testing/sandbox.js.
  await run(process.execPath, ['scripts/build.mjs'], { cwd: ROOT });
  if (process.env.GATEWAY_URL) {
    return { url: process.env.GATEWAY_URL, adminToken: process.env.SANDBOX_ADMIN_TOKEN || (await mintAdminToken()) };
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pcg-sandbox-suite-'));
  shared.dataDir = dataDir;
  // Development mode (sandboxes on, the development secret), not the test run's variables.
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' };
  for (const name of ['NODE_ENV', 'AUTH_SECRET', 'MONGODB_DB', 'VITEST', 'VITEST_MODE', 'VITEST_POOL_ID', 'VITEST_WORKER_ID'])
    delete env[name];
  // On a MongoDB of one's own (MONGODB_URI), a database of the run's own.
  if (env.MONGODB_URI) env.MONGODB_DB = `sandbox_suite_${path.basename(dataDir).slice(-6)}`;
  const child = spawn(process.execPath, ['--import', 'reflect-metadata', 'dist/node/src/main.js'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  shared.gateway = child;
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      // Drained to the end (a full pipe would stall the gateway), the last 64 kB kept for an early exit's message.
      log = (log + chunk.toString()).slice(-65_536);
      const listening = /GraphQL at (http:\/\/\S+)\/graphql/.exec(log);
      if (listening) resolve(listening[1]!);
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`the gateway exited (code ${code}, signal ${signal}) before listening:\n${log}`)),
    );
  });
  return { url, adminToken: await mintAdminToken(env) };
}

export async function setup(project: TestProject): Promise<void> {
  shared.users++;
  shared.started ??= startGateway();
  const { url, adminToken } = await shared.started;
  project.provide('gatewayUrl', url);
  project.provide('adminToken', adminToken);
}

export async function teardown(): Promise<void> {
  if (--shared.users > 0 || !shared.gateway) return;
  const child = shared.gateway;
  shared.gateway = undefined;
  if (child.exitCode === null && child.signalCode === null) {
    // SIGTERM: the gateway stops its own database before it exits (docs/operations.md).
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  if (shared.dataDir) rmSync(shared.dataDir, { recursive: true, force: true });
}
