/**
 * The fairness section (issue 17, "Fair share"): another partner's simple query, timed alone and
 * while one partner runs its heaviest accepted queries from many clients, in one run; the aim is
 * a p50 within 2x of idle. Each mode is a gateway child of its own: `on` with the fair-share
 * defaults (FAIR_MAX_IN_FLIGHT, FAIR_MAX_DB_COMMANDS), `off` with both so large that they never
 * bind (what the gateway did before). Points are not the limit under test (the benchmark's
 * RATE_LIMIT_PER_MINUTE is huge): the noisy partner is bounded by its share alone. Results:
 * fairness.{json,md} and the part of docs/performance.md between its bench-fairness markers.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { percentile } from './load.js';
import type { Results, Target } from './report.js';

/** The issue's noisy neighbour: 30 aliases of 15 customers' ledger counts (all accepted by the limits). */
export const HEAVY_QUERY = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: customers(first: 15) { nodes { ledger(first: 100) { totalCount } } }`).join(' ')} }`;
/** The quiet partner's simple query. */
export const SIMPLE_QUERY = '{ customers(first: 1) { nodes { id } } }';

export interface FairnessRun {
  mode: 'on' | 'off';
  /** The quiet partner's simple query, sequential, alone: p50 ms. */
  idleP50Ms: number;
  /** The same while the noisy partner runs `noisyClients` loops of HEAVY_QUERY: p50 ms. */
  busyP50Ms: number;
  busyP99Ms: number;
  ratio: number;
  /** Samples alone, and under the load (fewer when the busy phase ran out of time). */
  samples: number;
  busySamples: number;
  /** The quiet partner's answers other than 200 (0: none), alone and under the load. */
  quietFailed: number;
  /** The noisy partner's answers during the measurement, by HTTP status. */
  noisyStatuses: Record<string, number>;
  /** The noisy query alone, before the measurement: what fair share costs the partner that sends it. */
  heavyAloneMs: number;
  heavyAloneStatus: number;
  noisyP50Ms: number | null;
}

export interface FairnessReport {
  section: 'fairness';
  generatedAt: string;
  command: string;
  quick: boolean;
  machine: Results['machine'];
  backend: Results['backend'];
  noisyClients: number;
  busyMaxMs: number;
  fairShare: { maxInFlight: number; maxDbCommands: number };
  runs: FairnessRun[];
  aims: Target[];
  elapsedSeconds: number;
}

async function timedPost(url: string, token: string, query: string, signal?: AbortSignal): Promise<{ status: number; ms: number }> {
  const start = performance.now();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
    signal,
  });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - start };
}

/** `n` samples one after the other, or as many as fit in `maxMs` (at least 3); a failed one counts its time and its status (0: no answer). */
async function sequential(
  url: string,
  token: string,
  n: number,
  maxMs = Number.POSITIVE_INFINITY,
): Promise<{ times: number[]; failed: number }> {
  const times: number[] = [];
  let failed = 0;
  const deadline = performance.now() + maxMs;
  for (let i = 0; i < n && (i < 3 || performance.now() < deadline); i++) {
    const answer = await attempt(url, token, SIMPLE_QUERY);
    if (answer.status !== 200) failed++;
    times.push(answer.ms);
  }
  return { times: times.sort((a, b) => a - b), failed };
}

/** timedPost, with a request that got no answer (reset, aborted) as status 0. */
async function attempt(url: string, token: string, query: string, signal?: AbortSignal): Promise<{ status: number; ms: number }> {
  const start = performance.now();
  try {
    return await timedPost(url, token, query, signal);
  } catch {
    return { status: 0, ms: performance.now() - start };
  }
}

/** One mode's run against a gateway at `url`: idle samples, then the same under the noisy neighbour. */
export async function measureFairness(options: {
  mode: FairnessRun['mode'];
  url: string;
  quietToken: string;
  noisyToken: string;
  noisyClients: number;
  samples: number;
  /** The busy phase stops sampling after this long (without fair share a sample can take seconds). */
  busyMaxMs: number;
}): Promise<FairnessRun> {
  const { url, quietToken, noisyToken, samples } = options;
  await sequential(url, quietToken, 5);
  const heavyAlone = await attempt(url, noisyToken, HEAVY_QUERY);
  const idle = await sequential(url, quietToken, samples);
  // The noisy loops are cut when the measurement ends (their unfinished answers are not counted):
  // without fair share one can take tens of seconds.
  const stop = new AbortController();
  const noisy: { status: number; ms: number }[] = [];
  const loops = Array.from({ length: options.noisyClients }, async () => {
    while (!stop.signal.aborted) {
      const answer = await attempt(url, noisyToken, HEAVY_QUERY, stop.signal);
      if (!stop.signal.aborted) noisy.push(answer);
    }
  });
  await new Promise((r) => setTimeout(r, 1000));
  const busy = await sequential(url, quietToken, samples, options.busyMaxMs);
  stop.abort();
  await Promise.allSettled(loops);
  const idleP50Ms = percentile(idle.times, 50);
  const busyP50Ms = percentile(busy.times, 50);
  const noisyStatuses: Record<string, number> = {};
  for (const n of noisy) noisyStatuses[n.status] = (noisyStatuses[n.status] ?? 0) + 1;
  return {
    mode: options.mode,
    idleP50Ms,
    busyP50Ms,
    busyP99Ms: percentile(busy.times, 99),
    quietFailed: idle.failed + busy.failed,
    ratio: busyP50Ms / idleP50Ms,
    samples,
    busySamples: busy.times.length,
    noisyStatuses,
    heavyAloneMs: heavyAlone.ms,
    heavyAloneStatus: heavyAlone.status,
    noisyP50Ms:
      noisy.length === 0
        ? null
        : percentile(
            noisy.map((n) => n.ms).sort((a, b) => a - b),
            50,
          ),
  };
}

export function evaluateFairnessAims(runs: readonly FairnessRun[]): Target[] {
  const on = runs.find((r) => r.mode === 'on');
  return [
    {
      id: "another partner's simple query keeps its p50 within 2x of idle while one partner runs its heaviest accepted queries",
      met: on ? on.ratio <= 2 : null,
      detail: on
        ? `${f1(on.idleP50Ms)} ms idle, ${f1(on.busyP50Ms)} ms under the noisy neighbour: ${on.ratio.toFixed(2)}x`
        : 'not measured',
    },
  ];
}

const f1 = (x: number) => x.toFixed(1);

function header(r: FairnessReport): string[] {
  const m = r.machine;
  return [
    `- **Command:** \`${r.command}\` (${r.elapsedSeconds.toFixed(0)} s${r.quick ? ', quick smoke run: not figures to quote' : ''})`,
    `- **Backend:** ${r.backend.kind}, ${r.backend.version}`,
    `- **Machine:** ${m.cpus} x ${m.cpuModel}, ${m.memoryGb} GB, ${m.os}, Node ${m.node}; load average at start ${m.loadAverageAtStart.join(' / ')}`,
    `- **When:** ${r.generatedAt}`,
    `- **Load:** the noisy partner runs ${r.noisyClients} closed loops of 30 aliases of \`customers(first: 15) { nodes { ledger(first: 100) { totalCount } } }\`; the quiet partner sends \`${SIMPLE_QUERY}\` one at a time, ${r.runs[0]?.samples ?? 0} times alone, then as many under the load (or as many as fit in ${(r.busyMaxMs / 1000).toFixed(0)} s). Fair share on: FAIR_MAX_IN_FLIGHT=${r.fairShare.maxInFlight}, FAIR_MAX_DB_COMMANDS=${r.fairShare.maxDbCommands}; off: both 100,000`,
  ];
}

function tables(r: FairnessReport): string[] {
  return [
    '| Aim | Result | Figures |',
    '| --- | --- | --- |',
    ...r.aims.map((t) => `| ${t.id} | ${t.met === null ? 'n/a' : t.met ? 'met' : '**missed**'} | ${t.detail} |`),
    '',
    '| Fair share | Idle p50 ms | Busy p50 ms | Busy p99 ms | Busy samples | Quiet failures | Ratio | Noisy query alone ms | Noisy answers during the busy phase (by status; 0: none) | Noisy p50 ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.runs.map(
      (x) =>
        `| ${x.mode} | ${f1(x.idleP50Ms)} | ${f1(x.busyP50Ms)} | ${f1(x.busyP99Ms)} | ${x.busySamples} | ${x.quietFailed} | ${x.ratio.toFixed(2)}x | ${f1(x.heavyAloneMs)}${x.heavyAloneStatus === 200 ? '' : ` (HTTP ${x.heavyAloneStatus})`} | ${noisyAnswers(x)} | ${x.noisyP50Ms === null ? '-' : f1(x.noisyP50Ms)} |`,
    ),
  ];
}

function noisyAnswers(x: FairnessRun): string {
  const entries = Object.entries(x.noisyStatuses);
  return entries.length === 0 ? 'none finished' : entries.map(([s, n]) => `${n} x ${s}`).join(', ');
}

function docsSection(r: FairnessReport): string {
  return [
    '<!-- bench-fairness:begin (written by `npm run bench` and `npm run bench -- fairness`; edit bench/lib/fairness.ts, not this) -->',
    ...header(r),
    '',
    ...tables(r),
    '<!-- bench-fairness:end -->',
  ].join('\n');
}

/** Writes fairness.json and fairness.md to `dir`, and rewrites the docs page's section when given. */
export async function writeFairnessReport(r: FairnessReport, dir: string, options: { docs: string | null }): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  const write = async (name: string, text: string) => {
    const file = path.join(dir, name);
    await writeFile(file, text);
    files.push(file);
  };
  await write('fairness.json', `${JSON.stringify(r, null, 2)}\n`);
  await write('fairness.md', ['# Fairness benchmark results', '', ...header(r), '', ...tables(r), ''].join('\n'));
  if (options.docs) {
    const text = await readFile(options.docs, 'utf8');
    const re = /<!-- bench-fairness:begin[^>]*-->[\s\S]*?<!-- bench-fairness:end -->/;
    if (re.test(text)) {
      await writeFile(options.docs, text.replace(re, docsSection(r)));
      files.push(options.docs);
    }
  }
  return files;
}
