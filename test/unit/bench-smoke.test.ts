import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/shared/config.js';

/*
 * A smoke run of the benchmark (`npm run bench -- --quick`) on the test run's database server:
 * it finishes, and writes well-formed results. No figure is asserted: timings belong to the
 * benchmark, never to a test.
 */
describe('npm run bench -- --quick', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'pcg-bench-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs all five measurements and the sandbox section, and writes JSON, Markdown and SVG charts', { timeout: 240_000 }, async () => {
    const { stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', './scripts/register.mjs', 'bench/run.ts', '--quick', '--out', out, '--seed', 'smoke'],
      { cwd: PROJECT_ROOT, env: { ...process.env, MONGODB_URI: inject('mongoUri') }, maxBuffer: 16 * 1024 * 1024 },
    );
    for (const step of ['1/5', '2/5', '3/5', '4/5', '5/5', 'sandboxes:']) expect(stderr).toContain(step);
    // The sandbox section's own files (test/e2e/bench-sandboxes.test.ts checks what is in them).
    expect(JSON.parse(readFileSync(path.join(out, 'sandboxes.json'), 'utf8')).section).toBe('sandboxes');

    const results = JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8'));
    expect(results.quick).toBe(true);
    expect(results.backend.version).toMatch(/MongoDB|FerretDB/);
    const shapes = new Set(results.commands.map((c: { shape: string }) => c.shape));
    expect([...shapes].sort()).toEqual(['detail', 'ledger', 'nested', 'search', 'trivial']);
    // Every shape but the trivial one reads (the trivial one's partner read is cached after warm-up).
    for (const c of results.commands) if (c.shape !== 'trivial') expect(c.gateway.length).toBeGreaterThan(0);
    expect(results.overhead.shapes).toHaveLength(5);
    for (const s of results.overhead.shapes) {
      expect(s.gateway.errors).toBe(0);
      expect(s.gateway.requests).toBeGreaterThan(0);
      expect(s.floor.requests).toBeGreaterThan(0);
    }
    expect(results.overhead.trivialThroughput.gateway.throughputPerSec).toBeGreaterThan(0);
    // The peers (bench/lib/peers.ts) alternate with the gateway and the floor, each a ratio to the floor (issue 19).
    const peers = results.overhead.trivialThroughput.peers as { name: string; load: { requests: number; errors: number }; ratio: number }[];
    expect(peers.map((p) => p.name)).toEqual(['apollo', 'apollo-jose', 'mercurius']);
    for (const p of peers) {
      expect(p.load.requests).toBeGreaterThan(0);
      expect(p.load.errors).toBe(0);
      expect(p.ratio).toBeGreaterThan(0);
    }
    const targetIds = results.targets.map((t: { id: string }) => t.id);
    expect(targetIds).toContain('trivial throughput >= 0.5x floor, ahead of bare Apollo Server 5');
    expect(targetIds).toContain('trivial CPU/request <= 2.5x floor');
    expect(results.growth.sizes.length).toBeGreaterThan(0);
    expect(results.writes.requests).toBeGreaterThan(0);
    expect(results.writes.errors).toBe(0);
    expect(results.writes.invariants.problems).toEqual([]);
    // The same mix without events (EVENTS_ENABLED=false), and the ratio of the two throughputs.
    expect(results.writesWithoutEvents.requests).toBeGreaterThan(0);
    expect(results.writesWithoutEvents.errors).toBe(0);
    expect(results.writesWithoutEvents.ratio).toBeGreaterThan(0);
    expect(results.memory.atRestMb).toBeGreaterThan(0);
    expect(results.targets.length).toBeGreaterThanOrEqual(8);

    const md = readFileSync(path.join(out, 'latest.md'), 'utf8');
    for (const heading of ['## Targets', '## 1.', '## 2.', '### Peers', '## 3.', '## 4.', '## 5.']) expect(md).toContain(heading);
    for (const label of ['Apollo Server 5, bare', 'Apollo Server 5 + jose HS256 per request', 'Mercurius (fastify)'])
      expect(md).toContain(`| ${label} |`);
    for (const chart of ['latency-vs-size.svg', 'gateway-vs-floor.svg', 'commands-per-query.svg', 'trivial-peers.svg']) {
      const svg = readFileSync(path.join(out, chart), 'utf8');
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\n$/);
      expect(md).toContain(`](${chart})`);
    }
  });
});
