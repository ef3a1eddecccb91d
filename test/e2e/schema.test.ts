import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/shared/config.js';

const run = promisify(execFile);

describe('schema artifact', () => {
  // Run as its own process, exactly as `npm run schema:check` does: inside vitest, type-graphql
  // and a test's own `graphql` import resolve to different module instances.
  it('schema/schema.graphql is exactly what the code builds (`npm run schema:check` passes)', async () => {
    const { stdout } = await run(process.execPath, ['--import', './scripts/register.mjs', 'scripts/schema.ts', 'check'], {
      cwd: PROJECT_ROOT,
    });
    expect(stdout).toContain('schema/schema.graphql matches the code');
  });
});
