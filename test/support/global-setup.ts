import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { resolveBackend, type Backend } from '../../src/db/database.js';
import { loadConfig } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';
import { resolveChromium, usesBrowser, type ChromiumResolution } from './browser.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    /** `ferretdb` for FerretDB on either storage (a FerretDB this process can start), else the backend's kind. */
    backendKind: string;
    /** The backend's exact kind: `ferretdb-postgresql`, `ferretdb-sqlite`, `mongodb-uri` ... */
    backendName: string;
    /** With `ferretdb-postgresql`: the run's PostgreSQL cluster, for psql (`-h socketDir -p port`). */
    postgres?: { socketDir: string; port: number; dataDir: string };
    /** Provided only when browser test files are in the run (test/support/browser.ts). */
    chromium?: ChromiumResolution;
  }
}

let backend: Backend | undefined;
let dataDir: string | undefined;

/**
 * Resolves the database exactly as the gateway does (src/db/database.ts), honouring DB_BACKEND
 * (`DB_BACKEND=ferretdb-postgresql npx vitest run --project db` runs the suite on PostgreSQL).
 * Never skips: with no backend, resolveBackend throws and the whole run fails with the message
 * naming the ways.
 */
export async function setup(project: TestProject): Promise<void> {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'pcg-test-'));
  const config = { ...loadConfig(), dataDir };
  // Chromium is found, or installed on first need (a minute or two, once), alongside the database,
  // and only when a browser test is in the run; a failure is given to those tests to report.
  const chromium = browserTestsInRun(project)
    .catch(() => true)
    .then((needed) => (needed ? resolveChromium() : undefined));
  backend = await resolveBackend(config, createLogger('info'));
  process.stderr.write(`test database: ${backend.kind} (${backend.describe})\n`);
  project.provide('mongoUri', backend.uri);
  project.provide('backendKind', backend.kind.startsWith('ferretdb-') ? 'ferretdb' : backend.kind);
  project.provide('backendName', backend.kind);
  if (backend.postgres) {
    const { socketDir, port, dataDir: pgData } = backend.postgres;
    project.provide('postgres', { socketDir, port, dataDir: pgData });
  }
  const browser = await chromium;
  if (browser) {
    process.stderr.write(`test browser: ${'path' in browser ? browser.path : browser.error}\n`);
    project.provide('chromium', browser);
  }
}

/** Whether the files this run selected (its command-line filters, or all) include one that drives a browser. */
async function browserTestsInRun(project: TestProject): Promise<boolean> {
  // `filenamePattern` holds the command line's file filters (not in vitest's public types); none means every file.
  const vitest = project.vitest as TestProject['vitest'] & { filenamePattern?: string[] };
  const specifications = await vitest.globTestSpecifications(vitest.filenamePattern);
  return specifications.some((s) => s.project.name === project.name && usesBrowser(s.moduleId));
}

export async function teardown(): Promise<void> {
  await backend?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
