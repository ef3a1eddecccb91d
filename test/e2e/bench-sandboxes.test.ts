import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateSandboxAims, SANDBOX_CHARTS, writeSandboxReport, type SandboxReport } from '../../bench/lib/sandbox-report.js';
import { runSandboxBench, type SandboxBenchResults } from '../../bench/lib/sandboxes.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { PROJECT_ROOT } from '../../src/shared/config.js';
import { mintToken } from '../../src/shared/tokens.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * The sandbox section of `npm run bench` (bench/lib/sandboxes.ts) in small, against a test gateway:
 * every sandbox operation is called (main offers them all), none fails, the bench leaves nothing behind,
 * and the report, charts and docs section are written. No figure is asserted: timings belong to
 * the benchmark, never to a test.
 */
describe('npm run bench -- sandboxes, with tiny sizes', () => {
  let gw: TestGateway;
  let bench: SandboxBenchResults;
  const progress: string[] = [];
  const out = mkdtempSync(path.join(os.tmpdir(), 'pcg-bench-sandboxes-'));
  const RUNS = 2;
  const FILL = 4;
  const PARALLEL = 3;
  let mark = 0;

  beforeAll(async () => {
    gw = await startTestGateway();
    const adminToken = await mintToken({
      secret: gw.authSecret,
      partnerId: DEMO_PARTNERS.contoso.id,
      userId: 'bench-sandbox-admin',
      roles: ['global_admin'],
      expiresIn: '1h',
    });
    bench = await runSandboxBench({
      url: gw.url,
      adminToken,
      runs: RUNS,
      fill: FILL,
      parallel: PARALLEL,
      warmup: 1,
      fillConcurrency: 2,
      progress: (line) => progress.push(line),
      // The test gateway's own command log stands in for the benchmark child's recorder (bench/lib/ipc.ts).
      recorder: {
        start: async () => {
          mark = gw.commands.length;
        },
        stop: async () => gw.commands.slice(mark).map((c) => ({ name: c.commandName, collection: String(c.command[c.commandName]) })),
      },
    });
  }, 120_000);
  afterAll(async () => {
    await gw?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('times every sandbox operation (the gateway offers them all), each without an error', () => {
    expect(bench.features).toEqual({ demo: true, snapshot: true, restore: true, missing: [] });
    expect(bench.operations.map((o) => o.id).sort()).toEqual(['createDemo', 'createEmpty', 'deleteDemo', 'deleteEmpty', 'restore']);
    for (const op of bench.operations) {
      expect(op.skipped, op.id).toBeNull();
      expect(op.stats, op.id).toMatchObject({ runs: RUNS, errors: 0, firstError: null });
    }
    expect(bench.restoreWorld).toBe('DEMO');
    // A DEMO creation and a restore are recorded once each: the world's customers are written, then written back.
    const recorded = (id: string) => bench.operations.find((o) => o.id === id)?.recorded?.commands.map((c) => c.command);
    expect(recorded('createDemo')).toContain('insert customers');
    expect(recorded('restore')).toContain('insert customers');
    expect(bench.snapshotDocuments).toBeGreaterThan(40);
    expect(bench.demoCustomers).toBe(40);
    // Each restore follows an advance of the sandbox's clock as its own token, so that it has something to undo.
    expect(bench.restoreAdvanceErrors).toEqual({ count: 0, first: null });
    expect(bench.parallelCreate.stats).toMatchObject({ runs: PARALLEL, errors: 0 });
    expect(progress.some((l) => l.includes(`${FILL}/${FILL} present`))).toBe(true);
  });

  it('measures creation at none present, at each fill step and at none again after deleting the fill, and leaves nothing behind', async () => {
    expect(bench.growth.map((g) => g.present)).toEqual([0, 1, 2, FILL]);
    for (const g of bench.growth) {
      expect(g.create).toMatchObject({ runs: RUNS, errors: 0 });
      expect(g.delete).toMatchObject({ runs: RUNS, errors: 0 });
    }
    expect(bench.fillRun).toMatchObject({ sandboxes: FILL, errors: 0 });
    // One recorded creation per point: it writes the sandbox record, partner and clock at least.
    for (const g of bench.growth) {
      expect(g.recorded?.commands.map((c) => c.command)).toEqual(
        expect.arrayContaining(['insert sandboxes', 'insert partners', 'insert clock']),
      );
    }
    expect(bench.drainRun).toMatchObject({ sandboxes: FILL, errors: 0 });
    expect(bench.noneAfterFill).toMatchObject({ present: 0, create: { runs: RUNS, errors: 0 }, delete: { runs: RUNS, errors: 0 } });
    expect(bench.creationRatio).toBeGreaterThan(0);
    const listed = await gw.post(JSON.stringify({ query: '{ sandboxes { id } }' }), { roles: 'global_admin' });
    expect((JSON.parse(listed.text) as { data: { sandboxes: unknown[] } }).data.sandboxes).toEqual([]);
  });

  it('writes sandboxes.json and .md, two SVG charts, and rewrites the bench-sandboxes part of docs/performance.md', async () => {
    const docs = path.join(out, 'performance.md');
    copyFileSync(path.join(PROJECT_ROOT, 'docs', 'performance.md'), docs);
    const before = readFileSync(docs, 'utf8');
    const report: SandboxReport = {
      section: 'sandboxes',
      generatedAt: new Date().toISOString(),
      command: 'npm run bench -- sandboxes (test)',
      quick: true,
      machine: { cpus: 2, cpuModel: 'test', memoryGb: 1, os: 'test', node: process.version, loadAverageAtStart: [0, 0, 0] },
      backend: { kind: 'test', version: 'test', ferretdb: false },
      bench,
      aims: evaluateSandboxAims(bench),
      elapsedSeconds: 1,
    };
    // Judged, not asserted: each aim is met, missed or not measured; only the error count is not a timing.
    expect(report.aims).toHaveLength(6);
    expect(report.aims.find((a) => a.id === 'sandbox operations: 0 errors')?.met).toBe(true);

    const files = await writeSandboxReport(report, out, { docs });
    expect(files.map((f) => path.basename(f)).sort()).toEqual(
      ['performance.md', 'sandboxes.json', 'sandboxes.md', ...Object.values(SANDBOX_CHARTS)].sort(),
    );
    expect(JSON.parse(readFileSync(path.join(out, 'sandboxes.json'), 'utf8'))).toMatchObject({ section: 'sandboxes' });
    const md = readFileSync(path.join(out, 'sandboxes.md'), 'utf8');
    for (const text of [
      '## Aims',
      '| createSandbox EMPTY |',
      '| Sandboxes present |',
      ...Object.values(SANDBOX_CHARTS).map((c) => `](${c})`),
    ]) {
      expect(md).toContain(text);
    }
    for (const chart of Object.values(SANDBOX_CHARTS)) {
      expect(readFileSync(path.join(out, chart), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\n$/);
    }
    const after = readFileSync(docs, 'utf8');
    expect(after).not.toBe(before);
    expect(after).toContain('npm run bench -- sandboxes (test)');
    // Only the marked part changed.
    const outside = (text: string) => text.replace(/<!-- bench-sandboxes:begin[\s\S]*<!-- bench-sandboxes:end -->/, '');
    expect(outside(after)).toBe(outside(before));
  });
});
