import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { resolveBackend, type Backend } from '../../src/db/database.js';
import { loadConfig } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    backendKind: string;
  }
}

let backend: Backend | undefined;
let dataDir: string | undefined;

/**
 * Resolves the database exactly as the gateway does (src/db/database.ts). Never skips: with no
 * backend, resolveBackend throws and the whole run fails with the message naming the three ways.
 */
export async function setup(project: TestProject): Promise<void> {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'pcg-test-'));
  const config = { ...loadConfig(), dataDir };
  backend = await resolveBackend(config, createLogger('info'));
  process.stderr.write(`test database: ${backend.kind} (${backend.describe})\n`);
  project.provide('mongoUri', backend.uri);
  project.provide('backendKind', backend.kind);
}

export async function teardown(): Promise<void> {
  await backend?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
