/**
 * The benchmark (issues 9, 15 and 16): `npm run bench [-- [reads] [sandboxes] [events]] [--quick] [--sizes
 * 1000,10000,100000] [--seed bench] [--budget-min 14] [--sandbox-runs 30] [--sandbox-parallel 20]
 * [--sandbox-fill 1000] [--no-docs]`; no section named runs every one. See bench/README.md for what
 * each measurement does.
 *
 * Section `reads`: one database server (whatever src/db/database.ts resolves), one database per data set:
 *  1. commands per query shape and page size (gateway and floor), with `explain` of every read;
 *  2. gateway over HTTP vs the floor (bench/floor.ts): latency at concurrency 1, and the trivial
 *     query's throughput at 8 connections, runs alternating between the two and the peers
 *     (bench/peer.ts: bare Apollo Server 5, Apollo + jose, Mercurius; bench/lib/peers.ts);
 *  3. growth: the shapes at each data-set size that the time budget allows (predicted from the
 *     previous size), database time and gateway CPU per request apart;
 *  4. writes: a mutation mix from 20 clients on a scratch data set, then the invariants;
 *  5. the gateway's resident memory, at rest and sampled under every load.
 * The gateway and the floor each run in a child process (bench/gateway-child.ts, bench/floor.ts),
 * so their CPU time (process.cpuUsage deltas) and RSS are theirs alone; the load generator runs here.
 * Results: bench/results/latest.{json,md} and four SVG charts; a full run also refreshes the
 * part of docs/performance.md between its bench markers.
 *
 * Section `sandboxes` (bench/lib/sandboxes.ts): createSandbox EMPTY and DEMO, restoreSandbox and
 * deleteSandbox timed over HTTP, creations at once, and creation with 1,000 sandboxes present
 * against none, on a gateway child of its own; bench/results/sandboxes.{json,md}, two SVG charts,
 * and docs/performance.md's bench-sandboxes part.
 *
 * Section `events` (bench/lib/events.ts): the write mix with events and a webhook on against the
 * same with events off, alternated; the webhook's latency from commit; eventAdded fan-out to 100
 * graphql-ws clients; bench/results/events.{json,md}, a chart, and docs/performance.md's
 * bench-events part.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BSON, type Document } from 'mongodb';
import { DEFAULT_LIMITS, redactMongoUri, PROJECT_ROOT } from '../src/shared/config.js';
import { mintToken } from '../src/shared/tokens.js';
import { collections, ensureIndexes } from '../src/db/collections.js';
import { SEED_CLOCK_START } from '../src/seed/demo-ids.js';
import { clockDocs, partnerDocs } from '../src/seed/partners.js';
import { ensureDataSet, fmt, openServer, type DataSet, type Server } from './lib/datasets.js';
import { explainReads, readShape, type ExplainSummary } from './lib/explain.js';
import { compiledArgs, startChild, type Child, type RecordedCommand, type Stats } from './lib/ipc.js';
import { merge, postOnce, runLoad, type LoadResult } from './lib/load.js';
import { elapsedSeconds, log } from './lib/progress.js';
import { writeReport, type Results, type ShapeLoad, type Target } from './lib/report.js';
import { evaluateSandboxAims, writeSandboxReport, type SandboxReport } from './lib/sandbox-report.js';
import { runSandboxBench } from './lib/sandboxes.js';
import {
  DEFAULT_PAGE_SIZE,
  PAGE_SIZES,
  PARTNER_ID,
  pickTargets,
  SHAPES,
  variablesFor,
  type ShapeName,
  type Targets,
} from './lib/shapes.js';
import { runWrites } from './lib/writes.js';
import { PEERS, trivialTargets, type Peer, type PeerResult } from './lib/peers.js';
import { eventsEnv, fanOutOf, fanOutSubscriptionId, runEventsWrites, type FanOutResult } from './lib/events.js';
import { measureEventFanout } from './lib/events-fanout.js';
import { eventsReportOf, writeEventsReport, type WritesRun } from './lib/events-report.js';
import { EVENT_TYPE_NAMES } from '../src/policy/events.js';
import { evaluateFairnessAims, measureFairness, writeFairnessReport, type FairnessReport, type FairnessRun } from './lib/fairness.js';

const { values: args, positionals } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    seed: { type: 'string', default: 'bench' },
    'budget-min': { type: 'string' },
    'no-docs': { type: 'boolean', default: false },
    out: { type: 'string' },
    'report-from': { type: 'string' },
    'sandbox-runs': { type: 'string' },
    'sandbox-fill': { type: 'string' },
    'sandbox-parallel': { type: 'string' },
  },
  allowPositionals: true,
  strict: true,
});

/** Positional section names choose what runs (`npm run bench -- sandboxes`); none: every section. */
const ALL_SECTIONS = ['reads', 'sandboxes', 'events', 'fairness'] as const;
type Section = (typeof ALL_SECTIONS)[number];
const SECTIONS = new Set<Section>(positionals.length ? (positionals as Section[]) : ALL_SECTIONS);
for (const s of SECTIONS) {
  if (!ALL_SECTIONS.includes(s)) throw new Error(`unknown section '${s}': the sections are ${ALL_SECTIONS.join(', ')}`);
}

const QUICK = args.quick ?? false;
const SIZES = (args.sizes ?? (QUICK ? '60' : '1000,10000,100000')).split(',').map((s) => Number(s.trim()));
if (SIZES.some((n) => !Number.isSafeInteger(n) || n < 20))
  throw new Error(`--sizes takes integers of at least 20, but got '${args.sizes}'`);
const SEED = args.seed ?? 'bench';
const BUDGET_S = Number(args['budget-min'] ?? (QUICK ? 2 : 14)) * 60;
/** A quick run never overwrites the latest full results. */
const OUT = path.resolve(args.out ?? path.join(PROJECT_ROOT, 'bench', 'results', ...(QUICK ? ['quick'] : [])));

/** Durations. Slow backends take at least MIN samples however long they take. */
const P = QUICK
  ? { box: 600, min: 2, max: 50, tputMs: 1000, tputConnections: 8, alternations: 1, growthMin: 2, writesMs: 2000, writesCustomers: 40 }
  : {
      box: 6000,
      min: 3,
      max: 2000,
      tputMs: 5000,
      tputConnections: 8,
      alternations: 2,
      growthMin: 3,
      writesMs: 30_000,
      writesCustomers: 150,
    };
/** The sandbox section (issue 15): timed calls per operation, sandboxes created at once, sandboxes present at the last growth point. */
const SB = {
  runs: intArg('sandbox-runs', QUICK ? 3 : 30, 1, 10_000),
  parallel: intArg('sandbox-parallel', QUICK ? 5 : 20, 1, 200),
  fill: intArg('sandbox-fill', QUICK ? 20 : 1000, 0, 9000),
  warmup: QUICK ? 1 : 5,
};
/** The events section (issue 16): write-mix runs per mode (on, off, alternated), and the fan-out's subscribers and mutations. */
const EV = QUICK
  ? { runs: 1, writesMs: 3000, fanOutClients: 10, fanOutMutations: 3 }
  : { runs: 3, writesMs: 20_000, fanOutClients: 100, fanOutMutations: 20 };

/** The fairness section (issue 17): the noisy partner's clients, and the quiet partner's samples per phase. */
const FAIR = QUICK ? { noisyClients: 4, samples: 5, busyMaxMs: 5000 } : { noisyClients: 10, samples: 30, busyMaxMs: 60_000 };
/** Fair share so wide that it never binds: every section but fairness's `on` mode. */
const FAIR_SHARE_OFF = { FAIR_MAX_IN_FLIGHT: '100000', FAIR_MAX_DB_COMMANDS: '100000' };
/** The fairness section's quiet partner, added to the data set next to PARTNER_ID. */
const QUIET_PARTNER_ID = '4a1f0c3e-0000-4000-8000-0000000fa1e5';

/** The benchmark's own database for the sandbox section, dropped before and after. */
const SANDBOX_DB = 'bench_sandboxes';

function intArg(name: 'sandbox-runs' | 'sandbox-parallel' | 'sandbox-fill', fallback: number, min: number, max: number): number {
  const raw = args[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`--${name} takes an integer from ${min} to ${max}, but got '${raw}'`);
  return n;
}

/** The issue's 20 clients; a quick smoke run uses 4 (FerretDB on SQLite takes seconds per write under load). */
const WRITE_CLIENTS = QUICK ? 4 : 20;
const SHAPE_NAMES: ShapeName[] = ['trivial', 'nested', 'detail', 'search', 'ledger'];
const MEASURED: ShapeName[] = ['nested', 'detail', 'search', 'ledger'];

const MB = 1024 * 1024;

/** `readsOnly`: the read shapes' children, whose data sets have no webhook registration to look for. */
function gatewayEnv(server: Server, dbName: string, options: { readsOnly?: boolean } = {}): Record<string, string> {
  return {
    MONGODB_URI: server.backend.uri,
    MONGODB_DB: dbName,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    // A benchmark measures the gateway, not its abuse limits (the fairness section sets fair share back on).
    RATE_LIMIT_PER_MINUTE: '100000000',
    ...FAIR_SHARE_OFF,
    LIMIT_TIMEOUT_MS: '600000',
    // The webhook worker's look for registrations (one find a second) is no part of a read: it
    // would land in the commands recorded for a query shape now and then.
    ...(options.readsOnly ? { WEBHOOK_POLL_MS: '3600000' } : {}),
  };
}

/** Samples the child's RSS every 250 ms until stopped; the largest seen. */
function rssSampler(child: Child): { stop(): Promise<number> } {
  let max = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const s = await child.stats().catch(() => null);
      if (s) max = Math.max(max, s.rssBytes);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return max;
    },
  };
}

interface Measured {
  load: LoadResult;
  before: Stats;
  after: Stats;
  rssMax: number;
  /** CPU the process spends while idle over the run's wall time (timers, GC, the RSS sampler's calls), microseconds. */
  idleCpuUs: number;
  /** Event-loop busy time it spends while idle over the run's wall time (mostly answering the RSS sampler), milliseconds. */
  idleBusyMs: number;
}

const cpuUs = (s: Stats) => s.cpuUserUs + s.cpuSystemUs;

/**
 * A process's CPU per wall-clock millisecond while it serves nothing but the RSS sampler,
 * measured once per child over 2 s. Subtracted from a run's CPU, so that a slow database (a
 * request waiting 17 s) does not count the gateway's idle ticking as CPU per request.
 */
interface IdleRates {
  /** CPU microseconds per wall-clock millisecond. */
  cpu: number;
  /** Event-loop busy milliseconds per wall-clock millisecond. */
  busy: number;
}
const idleRates = new WeakMap<Child, Promise<IdleRates>>();
function idleCpuRate(child: Child): Promise<IdleRates> {
  let rate = idleRates.get(child);
  if (!rate) {
    rate = (async () => {
      const before = await child.stats();
      const started = performance.now();
      const sampler = rssSampler(child);
      await new Promise((r) => setTimeout(r, 2000));
      await sampler.stop();
      const after = await child.stats();
      const wall = performance.now() - started;
      return { cpu: (cpuUs(after) - cpuUs(before)) / wall, busy: (after.eventLoopBusyMs - before.eventLoopBusyMs) / wall };
    })();
    idleRates.set(child, rate);
  }
  return rate;
}

async function measure(child: Child, run: () => Promise<LoadResult>): Promise<Measured> {
  const idle = await idleCpuRate(child);
  const before = await child.stats();
  const started = performance.now();
  const sampler = rssSampler(child);
  const load = await run();
  const rssMax = await sampler.stop();
  const after = await child.stats();
  const wall = performance.now() - started;
  return { load, before, after, rssMax, idleCpuUs: idle.cpu * wall, idleBusyMs: idle.busy * wall };
}

function perRequest(m: Measured[]): { cpuMs: number; busyMs: number; dbMs: number; dbCommands: number } {
  const n = m.reduce((s, x) => s + x.load.requests, 0) || 1;
  const sum = (f: (x: Measured) => number) => m.reduce((s, x) => s + f(x), 0);
  return {
    // What serving cost: the run's CPU less what the process spends idle over the same wall time.
    cpuMs:
      Math.max(
        0,
        sum((x) => cpuUs(x.after) - cpuUs(x.before) - x.idleCpuUs),
      ) /
      1000 /
      n,
    // The same for the event loop: what answering the RSS sampler costs over a 10 s wait is not the request's.
    busyMs:
      Math.max(
        0,
        sum((x) => x.after.eventLoopBusyMs - x.before.eventLoopBusyMs - x.idleBusyMs),
      ) / n,
    dbMs: sum((x) => x.after.dbTimeMs - x.before.dbTimeMs) / n,
    dbCommands: sum((x) => x.after.dbCommands - x.before.dbCommands) / n,
  };
}

function shapeLoad(runs: Measured[]): ShapeLoad {
  const load = merge(runs.map((r) => r.load));
  const per = perRequest(runs);
  return {
    requests: load.requests,
    errors: load.errors,
    firstError: load.firstError,
    p50Ms: load.latencyMs.p50,
    p99Ms: load.latencyMs.p99,
    meanMs: load.latencyMs.mean,
    throughputPerSec: load.throughputPerSec,
    cpuMsPerRequest: per.cpuMs,
    busyMsPerRequest: per.busyMs,
    dbMsPerRequest: per.dbMs,
    dbCommandsPerRequest: per.dbCommands,
    rssMaxMb: Math.max(...runs.map((r) => r.rssMax)) / MB,
  };
}

/** A measured server: the gateway, the floor, or a peer of the trivial-query comparison (GraphQL at /graphql, as the gateway). */
class Endpoint {
  constructor(
    readonly kind: 'gateway' | 'floor' | 'peer',
    readonly child: Child,
    private readonly token: string,
    private readonly targets: Targets,
  ) {}
  get url(): string {
    return this.kind === 'floor' ? `${this.child.url}/` : `${this.child.url}/graphql`;
  }
  get headers(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }
  body(shape: ShapeName, first: number): string {
    const variables = variablesFor(shape, first, this.targets);
    return JSON.stringify(this.kind === 'floor' ? { shape, variables } : { query: SHAPES[shape].query, variables });
  }
  /** One request with its database commands recorded. */
  async recordOne(shape: ShapeName, first: number) {
    await this.child.record();
    const answer = await postOnce(this.url, this.body(shape, first), this.headers);
    const commands = await this.child.recorded();
    if (answer.status !== 200 || answer.text.includes('"errors"')) {
      throw new Error(`${this.kind} ${shape}(first: ${first}) failed: HTTP ${answer.status} ${answer.text.slice(0, 400)}`);
    }
    return { commands, bytes: answer.text.length };
  }
  run(shape: ShapeName, first: number, o: { durationMs: number; connections: number; min?: number; max?: number }): Promise<Measured> {
    return measure(this.child, () =>
      runLoad({
        url: this.url,
        body: this.body(shape, first),
        headers: this.headers,
        connections: o.connections,
        durationMs: o.durationMs,
        minRequests: o.min,
        maxRequests: o.max,
      }),
    );
  }
}

/** The `data` of one answer to `shape`, as JSON: what a peer must answer as the gateway does. */
async function answerData(ep: Endpoint, shape: ShapeName): Promise<string> {
  const answer = await postOnce(ep.url, ep.body(shape, DEFAULT_PAGE_SIZE), ep.headers);
  if (answer.status !== 200) throw new Error(`${ep.kind} ${shape} failed: HTTP ${answer.status} ${answer.text.slice(0, 400)}`);
  return JSON.stringify((JSON.parse(answer.text) as { data?: unknown }).data ?? null);
}

const signature = (commands: { name: string; collection: string }[]) => commands.map((c) => `${c.name} ${c.collection}`);

/**
 * A request's reads as loader batches, in order of their first command: reads with the same
 * command, collection and filter fields are one batch (FerretDB/PostgreSQL sends a batch as one
 * equality read per key; elsewhere a batch is one `$in` command, and no two reads of our shapes
 * share a shape). See docs/database.md, "FerretDB on PostgreSQL".
 */
function batchesOf(commands: readonly RecordedCommand[]): { read: string; commands: number }[] {
  const batches = new Map<string, { read: string; commands: number }>();
  for (const c of commands) {
    const key = readShape(c.name, c.collection, BSON.EJSON.parse(c.command, { relaxed: false }) as Document);
    const batch = batches.get(key);
    if (batch) batch.commands++;
    else batches.set(key, { read: `${c.name} ${c.collection}`, commands: 1 });
  }
  return [...batches.values()];
}
const sameMultiset = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

/** The page whose bench markers a full run rewrites; a quick run (or `--no-docs`) leaves it alone. */
const docsPage = (quick: boolean): string | null => (!quick && !args['no-docs'] ? path.join(PROJECT_ROOT, 'docs', 'performance.md') : null);

/** `--report-from results.json` (or sandboxes.json): evaluate the targets and write the report again, without measuring. */
async function reportOnly(file: string): Promise<void> {
  const read = JSON.parse(await readFile(file, 'utf8')) as Results | SandboxReport;
  if ('section' in read && read.section === 'sandboxes') {
    read.aims = evaluateSandboxAims(read.bench);
    const files = await writeSandboxReport(read, OUT, { docs: docsPage(read.quick) });
    log(`wrote ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
    return;
  }
  const results = read as Results;
  results.targets = evaluateTargets(results);
  const files = await writeReport(results, OUT, { docs: docsPage(results.quick) });
  log(`wrote ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
}

async function main(): Promise<void> {
  if (args['report-from']) return reportOnly(args['report-from']);
  log(
    `benchmark${QUICK ? ' (--quick)' : ''}: ${[...SECTIONS].join(' and ')}` +
      (SECTIONS.has('reads') ? `; sizes ${SIZES.map(fmt).join(', ')}, seed '${SEED}', budget ${BUDGET_S / 60} min` : '') +
      (SECTIONS.has('sandboxes') ? `; sandboxes: ${SB.runs} runs, ${SB.parallel} at once, filled to ${fmt(SB.fill)}` : ''),
  );
  // The gateway and the floor run compiled, as `npm start` runs the gateway (bench/lib/ipc.ts).
  await promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'scripts/build.mjs')], { cwd: PROJECT_ROOT });
  const server = await openServer();
  log(`database server: ${server.backend.kind}: ${server.version} (${redactMongoUri(server.backend.uri)})`);
  try {
    if (SECTIONS.has('reads')) await readsSection(server);
    if (SECTIONS.has('sandboxes')) await sandboxSection(server);
    if (SECTIONS.has('events')) await eventsSection(server);
    if (SECTIONS.has('fairness')) await fairnessSection(server);
  } finally {
    await server.close();
  }
}

function machineInfo(): Results['machine'] {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

const commandLine = () => `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

/** Measurements 1-5: reads, growth, writes, memory (issue 9). */
async function readsSection(server: Server): Promise<void> {
  const deadline = Date.now() + BUDGET_S * 1000;
  const remaining = () => (deadline - Date.now()) / 1000;
  const token = await mintToken({
    secret: server.config.authSecret,
    partnerId: PARTNER_ID,
    userId: 'bench',
    roles: ['global_admin', 'admin_agent'],
    expiresIn: '2h',
  });
  const results: Results = {
    generatedAt: new Date().toISOString(),
    command: commandLine(),
    quick: QUICK,
    machine: machineInfo(),
    backend: { kind: server.backend.kind, version: server.version, ferretdb: server.ferretdb },
    pageSize: DEFAULT_PAGE_SIZE,
    dataSets: [],
    commands: [],
    explain: [],
    overhead: null,
    growth: { sizes: [], skipped: [] },
    writes: null,
    memory: { idleAfterStartMb: null, atRestMb: null, heapUsedAtRestMb: null, loaderBaselineMb: null, underLoad: [] },
    targets: [],
    elapsedSeconds: 0,
  };
  const children: Child[] = [];
  try {
    // ---- base data set: measurements 1, 2 and the first point of 3 -------------------------
    const baseSize = SIZES[0]!;
    const base = await ensureDataSet(server, baseSize, SEED);
    results.dataSets.push(dataSetInfo(base));
    const targets = await pickTargets(base.collections);
    log(`starting the gateway and the floor on ${base.dbName}`);
    const gwStarted = Date.now();
    const [gatewayChild, floorChild] = await Promise.all([
      startChild('bench/gateway-child.ts', gatewayEnv(server, base.dbName, { readsOnly: true })),
      startChild('bench/floor.ts', { MONGODB_URI: server.backend.uri, MONGODB_DB: base.dbName }),
    ]);
    children.push(gatewayChild, floorChild);
    // The peers of the trivial-query comparison (bench/lib/peers.ts), on the same data set; the jose
    // peer verifies with the secret the gateway resolves (AUTH_SECRET, or the development secret).
    const peerChildren = await Promise.all(
      PEERS.map((p) =>
        startChild('bench/peer.ts', {
          PEER: p.name,
          MONGODB_URI: server.backend.uri,
          MONGODB_DB: base.dbName,
          AUTH_SECRET: server.config.authSecret,
        }),
      ),
    );
    children.push(...peerChildren);
    const gatewayStartS = (Date.now() - gwStarted) / 1000;
    await gatewayChild.gc();
    results.memory.idleAfterStartMb = (await gatewayChild.stats()).rssBytes / MB;
    const gateway = new Endpoint('gateway', gatewayChild, token, targets);
    const floor = new Endpoint('floor', floorChild, token, targets);
    const peers = PEERS.map((peer, i) => ({ peer, ep: new Endpoint('peer', peerChildren[i]!, token, targets) }));

    // 1. Commands per shape and page size; explain of each read (at the default page size).
    log('1/5 commands per query shape (every command the driver sends, getMore and killCursors included)');
    for (const shape of SHAPE_NAMES) {
      for (const first of SHAPES[shape].paged ? PAGE_SIZES : [null]) {
        // Steady state: one request first warms the process's caches (partners, catalog) and JIT.
        await gateway.recordOne(shape, first ?? DEFAULT_PAGE_SIZE);
        await floor.recordOne(shape, first ?? DEFAULT_PAGE_SIZE);
        const g = await gateway.recordOne(shape, first ?? DEFAULT_PAGE_SIZE);
        const f = await floor.recordOne(shape, first ?? DEFAULT_PAGE_SIZE);
        const gs = signature(g.commands);
        const fs = signature(f.commands);
        results.commands.push({
          customers: baseSize,
          shape,
          pageSize: first,
          gateway: gs,
          batches: batchesOf(g.commands),
          floor: fs,
          sameAsFloor: sameMultiset(gs, fs),
        });
        log(`  ${shape.padEnd(7)} first=${String(first ?? '-').padEnd(3)} gateway ${gs.length} [${gs.join(', ')}]; floor ${fs.length}`);
      }
    }
    await gatewayChild.gc();
    const rest = await gatewayChild.stats();
    results.memory.atRestMb = rest.rssBytes / MB;
    results.memory.heapUsedAtRestMb = rest.heapUsedBytes / MB;
    results.memory.loaderBaselineMb = await loaderBaselineMb();

    // 2. Gateway vs floor, alternating runs.
    log(`2/5 gateway vs floor at ${fmt(baseSize)} customers, page size ${DEFAULT_PAGE_SIZE}, concurrency 1`);
    const overhead: NonNullable<Results['overhead']> = { customers: baseSize, shapes: [], trivialThroughput: null };
    for (const shape of SHAPE_NAMES) {
      const g: Measured[] = [];
      const f: Measured[] = [];
      for (let i = 0; i < P.alternations; i++) {
        const o = { durationMs: P.box / P.alternations, connections: 1, min: Math.ceil(P.min / P.alternations), max: P.max };
        g.push(await gateway.run(shape, DEFAULT_PAGE_SIZE, o));
        f.push(await floor.run(shape, DEFAULT_PAGE_SIZE, o));
      }
      const gl = shapeLoad(g);
      const fl = shapeLoad(f);
      overhead.shapes.push({ shape, gateway: gl, floor: fl, p50Ratio: gl.p50Ms / fl.p50Ms });
      log(
        `  ${shape.padEnd(7)} gateway p50 ${ms(gl.p50Ms)} p99 ${ms(gl.p99Ms)} (${gl.requests} req, CPU ${ms(gl.cpuMsPerRequest)}/req, db ${ms(gl.dbMsPerRequest)}/req); ` +
          `floor p50 ${ms(fl.p50Ms)} p99 ${ms(fl.p99Ms)} (${fl.requests} req); ratio ${(gl.p50Ms / fl.p50Ms).toFixed(2)}x`,
      );
    }
    log(
      `  trivial query throughput, ${P.tputConnections} connections, ${P.alternations} x ${P.tputMs / 1000} s each, alternating gateway, floor and ${PEERS.map((p) => p.name).join(', ')}`,
    );
    {
      // Every peer answers what the gateway answers, before any of them is timed.
      const expected = await answerData(gateway, 'trivial');
      for (const { peer, ep } of peers) {
        const got = await answerData(ep, 'trivial');
        if (got !== expected) throw new Error(`peer ${peer.name} answered ${got}, the gateway ${expected}`);
        // Untimed warm-up, as the gateway and the floor had in the concurrency-1 runs above (JIT, caches).
        await ep.run('trivial', DEFAULT_PAGE_SIZE, { durationMs: P.box / P.alternations, connections: 1, min: 1, max: P.max });
      }
      const g: Measured[] = [];
      const f: Measured[] = [];
      const p = new Map<Peer['name'], Measured[]>(PEERS.map((x) => [x.name, []]));
      for (let i = 0; i < P.alternations; i++) {
        const o = { durationMs: P.tputMs, connections: P.tputConnections };
        g.push(await gateway.run('trivial', DEFAULT_PAGE_SIZE, o));
        f.push(await floor.run('trivial', DEFAULT_PAGE_SIZE, o));
        for (const { peer, ep } of peers) p.get(peer.name)!.push(await ep.run('trivial', DEFAULT_PAGE_SIZE, o));
      }
      const gl = shapeLoad(g);
      const fl = shapeLoad(f);
      const peerResults: PeerResult[] = PEERS.map((peer) => {
        const load = shapeLoad(p.get(peer.name)!);
        return {
          name: peer.name,
          label: peer.label,
          auth: peer.auth,
          load,
          ratio: load.throughputPerSec / fl.throughputPerSec,
          cpuRatio: load.cpuMsPerRequest / fl.cpuMsPerRequest,
        };
      });
      overhead.trivialThroughput = {
        connections: P.tputConnections,
        gateway: gl,
        floor: fl,
        ratio: gl.throughputPerSec / fl.throughputPerSec,
        cpuRatio: gl.cpuMsPerRequest / fl.cpuMsPerRequest,
        peers: peerResults,
      };
      for (const x of peerResults) {
        log(
          `  ${x.name.padEnd(11)} ${x.load.throughputPerSec.toFixed(0)} req/s (p50 ${ms(x.load.p50Ms)}, CPU ${ms(x.load.cpuMsPerRequest)}/req, ${x.load.errors} errors): ${x.ratio.toFixed(2)}x floor, CPU ${x.cpuRatio.toFixed(2)}x`,
        );
      }
      results.memory.underLoad.push({
        phase: `trivial query, ${P.tputConnections} connections`,
        customers: baseSize,
        rssMaxMb: gl.rssMaxMb,
      });
      log(
        `  gateway ${gl.throughputPerSec.toFixed(0)} req/s (p50 ${ms(gl.p50Ms)}), floor ${fl.throughputPerSec.toFixed(0)} req/s (p50 ${ms(fl.p50Ms)}); ratio ${(gl.throughputPerSec / fl.throughputPerSec).toFixed(2)}x; gateway RSS max ${gl.rssMaxMb.toFixed(0)} MB`,
      );
    }
    results.overhead = overhead;
    results.memory.underLoad.push({
      phase: 'query shapes, concurrency 1',
      customers: baseSize,
      rssMaxMb: Math.max(...overhead.shapes.map((s) => s.gateway.rssMaxMb)),
    });
    await floorChild.stop();
    await gatewayChild.stop();
    await Promise.all(peerChildren.map((c) => c.stop()));

    /**
     * One size of the growth table, on a gateway started for it: every size's figures come from a
     * process in the same state (the first size's phase-2 gateway had served thousands more
     * requests, so its JIT was warmer and its CPU per request lower).
     */
    const measureGrowthPoint = async (set: DataSet, size: number): Promise<void> => {
      const t = await pickTargets(set.collections);
      const child = await startChild('bench/gateway-child.ts', gatewayEnv(server, set.dbName, { readsOnly: true }));
      children.push(child);
      const ep = new Endpoint('gateway', child, token, t);
      // Steady state: the JIT warms on each shape before any figure is taken: up to 1.5 s or 300 requests, at least one.
      for (const shape of MEASURED) await ep.run(shape, DEFAULT_PAGE_SIZE, { durationMs: 1500, connections: 1, min: 1, max: 300 });
      const point: Results['growth']['sizes'][number] = { customers: size, commands: {}, shapes: {} };
      for (const shape of MEASURED) {
        const recorded = await ep.recordOne(shape, DEFAULT_PAGE_SIZE);
        point.commands[shape] = recorded.commands.length;
        results.explain.push({ customers: size, shape, reads: await explainReads(set.db, recorded.commands) });
        const m = await ep.run(shape, DEFAULT_PAGE_SIZE, { durationMs: P.box / 2, connections: 1, min: P.growthMin, max: P.max });
        point.shapes[shape] = shapeLoad([m]);
        const s = point.shapes[shape];
        log(
          `    ${shape.padEnd(7)} p50 ${ms(s.p50Ms)} p99 ${ms(s.p99Ms)} (${s.requests} req), busy ${ms(s.busyMsPerRequest ?? NaN)}/req, CPU ${ms(s.cpuMsPerRequest)}/req, db ${ms(s.dbMsPerRequest)}/req`,
        );
      }
      results.growth.sizes.push(point);
      results.memory.underLoad.push({
        phase: 'query shapes, concurrency 1',
        customers: size,
        rssMaxMb: Math.max(...Object.values(point.shapes).map((s) => s.rssMaxMb)),
      });
      await child.stop();
    };

    // 3. Growth: the first size again on a gateway of its own, then each further size if the previous one predicts it fits the budget.
    log(`3/5 growth: ${SIZES.map(fmt).join(', ')} customers`);
    log(`  ${fmt(baseSize)} customers`);
    await measureGrowthPoint(base, baseSize);
    // The write mix runs twice: with events, and without (EVENTS_ENABLED=false).
    const reserveS = (2 * P.writesMs) / 1000 + (QUICK ? 40 : 90);
    for (const size of SIZES.slice(1)) {
      const prev = results.growth.sizes.at(-1)!;
      const prevSet = results.dataSets.at(-1)!;
      const predicted = predictSeconds({ prev, prevSet, size, gatewayStartS, results });
      const left = remaining() - reserveS;
      if (predicted.total > left) {
        const reason =
          `predicted ${predicted.total.toFixed(0)} s (${predicted.detail}) from ${fmt(prev.customers)} customers, ` +
          `but ${Math.max(0, left).toFixed(0)} s of the ${BUDGET_S / 60}-minute budget are left after reserving ${reserveS} s for the writes`;
        results.growth.skipped.push({ customers: size, reason });
        log(`  ${fmt(size)} customers: skipped: ${reason}`);
        continue;
      }
      log(`  ${fmt(size)} customers: predicted ${predicted.total.toFixed(0)} s (${predicted.detail}); ${left.toFixed(0)} s left`);
      const set = await ensureDataSet(server, size, SEED);
      results.dataSets.push(dataSetInfo(set));
      await measureGrowthPoint(set, size);
    }

    // 4. Writes on a scratch data set (the measured ones stay as seeded, for reuse).
    log(`4/5 writes: ${WRITE_CLIENTS} clients, ${P.writesMs / 1000} s, on a fresh scratch data set of ${P.writesCustomers} customers`);
    const scratch = await ensureDataSet(server, P.writesCustomers, SEED, { fresh: true });
    const writer = await startChild('bench/gateway-child.ts', gatewayEnv(server, scratch.dbName));
    children.push(writer);
    const sampler = rssSampler(writer);
    const writes = await runWrites({
      url: writer.url,
      token,
      cols: scratch.collections,
      clients: WRITE_CLIENTS,
      durationMs: P.writesMs,
      progress: log,
    });
    const writesRss = (await sampler.stop()) / MB;
    await writer.stop();
    await scratch.db.dropDatabase().catch(() => {});
    results.writes = { ...writes, rssMaxMb: writesRss };
    // 4b. The same mix with events off (EVENTS_ENABLED=false), for the cost of writing them (docs/events.md).
    log(`  again without events (EVENTS_ENABLED=false), on a fresh scratch data set`);
    const scratchOff = await ensureDataSet(server, P.writesCustomers, SEED, { fresh: true });
    const writerOff = await startChild('bench/gateway-child.ts', { ...gatewayEnv(server, scratchOff.dbName), EVENTS_ENABLED: 'false' });
    children.push(writerOff);
    const off = await runWrites({
      url: writerOff.url,
      token,
      cols: scratchOff.collections,
      clients: WRITE_CLIENTS,
      durationMs: P.writesMs,
      progress: log,
    });
    await writerOff.stop();
    await scratchOff.db.dropDatabase().catch(() => {});
    results.writesWithoutEvents = {
      requests: off.requests,
      throughputPerSec: off.throughputPerSec,
      latencyMs: off.latencyMs,
      errors: off.errors,
      ratio: off.throughputPerSec > 0 ? writes.throughputPerSec / off.throughputPerSec : 0,
    };
    log(`  without events: ${off.throughputPerSec.toFixed(1)}/s; with events ${results.writesWithoutEvents.ratio.toFixed(2)}x`);
    results.memory.underLoad.push({ phase: `writes, ${WRITE_CLIENTS} clients`, customers: P.writesCustomers, rssMaxMb: writesRss });
    log(
      `  ${writes.requests} mutations, ${writes.throughputPerSec.toFixed(1)}/s, p50 ${ms(writes.latencyMs.p50)}, errors ${writes.errors}` +
        `${writes.firstError ? ` (first: ${writes.firstError})` : ''}; invariants: ${writes.invariants.problems.length === 0 ? 'hold' : writes.invariants.problems.slice(0, 3).join('; ')}`,
    );

    // 5. Memory is sampled throughout; targets and report.
    log('5/5 memory (sampled above), targets, report');
    results.targets = evaluateTargets(results);
    results.elapsedSeconds = elapsedSeconds();
    const files = await writeReport(results, OUT, { docs: docsPage(QUICK) });
    for (const t of results.targets) log(`  ${t.met === null ? 'n/a ' : t.met ? 'MET ' : 'MISS'} ${t.id}: ${t.detail}`);
    log(`wrote ${files.map((f) => path.relative(process.cwd(), f)).join(', ')} in ${elapsedSeconds().toFixed(0)} s`);
  } finally {
    for (const child of children) await child.stop().catch(() => {});
  }
}

/**
 * The sandbox section (issue 15, "How fast"; bench/lib/sandboxes.ts): a gateway of its own on a
 * database of its own holding only the demo partners, whose Contoso global admin administers the
 * sandboxes; its quota is raised to the most it may be, so that the fill uses a tenth of it.
 */
async function sandboxSection(server: Server): Promise<void> {
  const started = performance.now();
  log(`sandboxes: ${SB.runs} runs per operation, ${SB.parallel} at once, creation with up to ${fmt(SB.fill)} present`);
  const db = server.client.db(SANDBOX_DB);
  await db.dropDatabase();
  const cols = collections(db);
  await ensureIndexes(cols);
  const now = SEED_CLOCK_START.getTime();
  await cols.partners.insertMany(partnerDocs(now));
  await cols.clock.insertMany(clockDocs(now));
  const child = await startChild('bench/gateway-child.ts', {
    ...gatewayEnv(server, SANDBOX_DB),
    // The most it allows, not just the fill: an administrator near its quota finds a free place by
    // reading its places (SANDBOX-QUOTA), which is the quota's cost, not that of other sandboxes present.
    SANDBOX_MAX_PER_ADMIN: '10000',
  });
  try {
    const adminToken = await mintToken({
      secret: server.config.authSecret,
      partnerId: PARTNER_ID,
      userId: 'bench-sandbox-admin',
      roles: ['global_admin'],
      expiresIn: '4h',
    });
    const report: SandboxReport = {
      section: 'sandboxes',
      generatedAt: new Date().toISOString(),
      command: commandLine(),
      quick: QUICK,
      machine: machineInfo(),
      backend: { kind: server.backend.kind, version: server.version, ferretdb: server.ferretdb },
      bench: await runSandboxBench({
        url: child.url,
        adminToken,
        ...SB,
        progress: log,
        recorder: { start: () => child.record(), stop: () => child.recorded() },
      }),
      aims: [],
      elapsedSeconds: 0,
    };
    report.aims = evaluateSandboxAims(report.bench);
    report.elapsedSeconds = (performance.now() - started) / 1000;
    const files = await writeSandboxReport(report, OUT, { docs: docsPage(QUICK) });
    for (const t of report.aims) log(`  ${t.met === null ? 'n/a ' : t.met ? 'MET ' : 'MISS'} ${t.id}: ${t.detail}`);
    log(`wrote ${files.map((f) => path.relative(process.cwd(), f)).join(', ')} in ${report.elapsedSeconds.toFixed(0)} s`);
  } finally {
    await child.stop().catch(() => {});
    await db.dropDatabase().catch(() => {});
  }
}

/**
 * The events section (issue 16, "Tests and figures"; bench/lib/events.ts): the write mix with
 * events and a webhook on against the same with events off, alternated, each run on a fresh data
 * set and gateway child; the webhook's latency from commit during the on runs; then 100 graphql-ws
 * subscribers and sequential mutations.
 */
async function eventsSection(server: Server): Promise<void> {
  const started = performance.now();
  log(
    `events: ${EV.runs} x (events and a webhook, events only, off) write-mix runs of ${EV.writesMs / 1000} s, ${WRITE_CLIENTS} clients; fan-out to ${EV.fanOutClients}`,
  );
  const token = await mintToken({
    secret: server.config.authSecret,
    partnerId: PARTNER_ID,
    userId: 'bench-events',
    roles: ['global_admin', 'admin_agent'],
    expiresIn: '4h',
  });
  const runs: WritesRun[] = [];
  const webhook: number[] = [];
  /** One write-mix run on a fresh data set and gateway. */
  const oneRun = async (mode: WritesRun['mode'], durationMs: number) => {
    const scratch = await ensureDataSet(server, P.writesCustomers, SEED, { fresh: true });
    const child = await startChild('bench/gateway-child.ts', { ...gatewayEnv(server, scratch.dbName), ...eventsEnv(mode) });
    try {
      return await runEventsWrites({
        url: child.url,
        token,
        cols: scratch.collections,
        mode,
        clients: WRITE_CLIENTS,
        durationMs,
        eventNames: EVENT_TYPE_NAMES,
        progress: log,
      });
    } finally {
      await child.stop().catch(() => {});
      await scratch.db.dropDatabase().catch(() => {});
    }
  };
  // The first run is slower than the rest whatever its mode (the database's caches are cold): one
  // run is made first and not counted, and each alternation starts with another mode, so that no
  // mode pays for going first.
  log('  warm-up run (events off, not counted)');
  await oneRun('off', Math.min(EV.writesMs, 10_000));
  const MODES = ['on', 'events', 'off'] as const;
  for (let i = 0; i < EV.runs; i++) {
    for (let k = 0; k < MODES.length; k++) {
      const mode = MODES[(i + k) % MODES.length]!;
      const { run, webhookMs } = await oneRun(mode, EV.writesMs);
      runs.push(run);
      webhook.push(...webhookMs);
      log(
        `  run ${runs.length} (events ${mode}): ${run.mutationsPerSec.toFixed(1)} mutations/s, ${run.errors} errors` +
          (run.eventsDelivered !== null ? `, ${run.eventsDelivered}/${run.eventsWritten} events delivered` : ''),
      );
    }
  }
  let fanOut: FanOutResult | null = null;
  let fanOutSkipped: string | null = null;
  const scratch = await ensureDataSet(server, P.writesCustomers, SEED, { fresh: true });
  const child = await startChild('bench/gateway-child.ts', { ...gatewayEnv(server, scratch.dbName), ...eventsEnv('on') });
  try {
    const subscriptionId = await fanOutSubscriptionId(scratch.collections);
    if (!subscriptionId) fanOutSkipped = 'no active new-commerce subscription in the data set';
    else {
      log(`  fan-out: ${EV.fanOutClients} graphql-ws clients, ${EV.fanOutMutations} mutations`);
      fanOut = fanOutOf(
        await measureEventFanout({
          url: child.url,
          authSecret: server.config.authSecret,
          partnerId: PARTNER_ID,
          subscriptionId,
          clients: EV.fanOutClients,
          mutations: EV.fanOutMutations,
        }),
      );
    }
  } catch (error) {
    fanOutSkipped = error instanceof Error ? error.message : String(error);
  } finally {
    await child.stop().catch(() => {});
    await scratch.db.dropDatabase().catch(() => {});
  }
  const report = eventsReportOf({
    generatedAt: new Date().toISOString(),
    command: commandLine(),
    quick: QUICK,
    machine: machineInfo(),
    backend: { kind: server.backend.kind, version: server.version, ferretdb: server.ferretdb },
    writeClients: WRITE_CLIENTS,
    writesMs: EV.writesMs,
    runs,
    webhookMs: webhook,
    fanOut,
    fanOutSkipped,
    elapsedSeconds: (performance.now() - started) / 1000,
  });
  const files = await writeEventsReport(report, OUT, { docs: docsPage(QUICK) });
  for (const t of report.aims) log(`  ${t.met === null ? 'n/a ' : t.met ? 'MET ' : 'MISS'} ${t.id}: ${t.detail}`);
  log(`wrote ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
}

/**
 * The fairness section (issue 17, "Fair share"; bench/lib/fairness.ts): on a fresh data set with a
 * second, quiet partner, the quiet partner's simple query alone and under the noisy neighbour,
 * with fair share on (the defaults) and off, each mode a gateway child of its own.
 */
async function fairnessSection(server: Server): Promise<void> {
  const started = performance.now();
  log(`fairness: ${FAIR.noisyClients} noisy clients, ${FAIR.samples} quiet samples per phase, fair share on and off`);
  const scratch = await ensureDataSet(server, P.writesCustomers, SEED, { fresh: true });
  const partner = await scratch.collections.partners.findOne({ _id: PARTNER_ID });
  const customer = await scratch.collections.customers.findOne({ partnerId: PARTNER_ID });
  if (!partner || !customer) throw new Error(`the data set has no partner ${PARTNER_ID} with a customer`);
  await scratch.collections.partners.insertOne({ ...partner, _id: QUIET_PARTNER_ID, name: 'Quiet Partner', mpnId: '9999917' });
  const quietId = randomUUID();
  await scratch.collections.customers.insertOne({
    ...customer,
    _id: quietId,
    partnerId: QUIET_PARTNER_ID,
    domain: `quiet-${quietId}.example`,
    domainLower: `quiet-${quietId}.example`,
  });
  const token = (partnerId: string) =>
    mintToken({ secret: server.config.authSecret, partnerId, userId: 'bench-fairness', roles: ['admin_agent'], expiresIn: '2h' });
  const [noisyToken, quietToken] = await Promise.all([token(PARTNER_ID), token(QUIET_PARTNER_ID)]);
  const runs: FairnessRun[] = [];
  try {
    for (const mode of ['on', 'off'] as const) {
      const on = { FAIR_MAX_IN_FLIGHT: String(DEFAULT_LIMITS.maxInFlight), FAIR_MAX_DB_COMMANDS: String(DEFAULT_LIMITS.maxDbConcurrency) };
      const child = await startChild('bench/gateway-child.ts', {
        ...gatewayEnv(server, scratch.dbName),
        ...(mode === 'on' ? on : FAIR_SHARE_OFF),
      });
      try {
        const run = await measureFairness({ mode, url: child.url, quietToken, noisyToken, ...FAIR });
        runs.push(run);
        log(
          `  fair share ${mode}: idle p50 ${run.idleP50Ms.toFixed(1)} ms, busy p50 ${run.busyP50Ms.toFixed(1)} ms (${run.ratio.toFixed(2)}x); noisy ${JSON.stringify(run.noisyStatuses)}`,
        );
      } finally {
        await child.stop().catch(() => {});
      }
    }
  } finally {
    await scratch.db.dropDatabase().catch(() => {});
  }
  const report: FairnessReport = {
    section: 'fairness',
    generatedAt: new Date().toISOString(),
    command: commandLine(),
    quick: QUICK,
    machine: machineInfo(),
    backend: { kind: server.backend.kind, version: server.version, ferretdb: server.ferretdb },
    noisyClients: FAIR.noisyClients,
    busyMaxMs: FAIR.busyMaxMs,
    fairShare: { maxInFlight: DEFAULT_LIMITS.maxInFlight, maxDbCommands: DEFAULT_LIMITS.maxDbConcurrency },
    runs,
    aims: evaluateFairnessAims(runs),
    elapsedSeconds: (performance.now() - started) / 1000,
  };
  const files = await writeFairnessReport(report, OUT, { docs: docsPage(QUICK) });
  for (const t of report.aims) log(`  ${t.met === null ? 'n/a ' : t.met ? 'MET ' : 'MISS'} ${t.id}: ${t.detail}`);
  log(`wrote ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
}

/** RSS of a Node process run as the gateway is, running nothing (bench/lib/rss-baseline.ts). */
async function loaderBaselineMb(): Promise<number | null> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, compiledArgs('bench/lib/rss-baseline.ts'), { cwd: PROJECT_ROOT });
    return (JSON.parse(stdout) as { rssBytes: number }).rssBytes / MB;
  } catch {
    return null;
  }
}

function ms(v: number): string {
  return Number.isFinite(v) ? (v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(2)} ms`) : 'n/a';
}

function dataSetInfo(set: DataSet): Results['dataSets'][number] {
  return {
    customers: set.customers,
    dbName: set.dbName,
    reused: set.reused,
    seedSeconds: set.seedMs / 1000,
    documents: Object.values(set.counts).reduce((n, c) => n + c, 0),
  };
}

/**
 * How long the next size should take: seeding (unless a matching data set exists; at the documents
 * per second of the previous seeding), a gateway start, and `growthMin` requests of each shape at
 * the previous p50 scaled by the size ratio to the power `k` (1, a scan per query, until two sizes
 * were measured, then the exponent they show, at least 0.2).
 */
function predictSeconds({
  prev,
  prevSet,
  size,
  gatewayStartS,
  results,
}: {
  prev: Results['growth']['sizes'][number];
  prevSet: Results['dataSets'][number];
  size: number;
  gatewayStartS: number;
  results: Results;
}): { total: number; detail: string } {
  const ratio = size / prev.customers;
  const before = results.growth.sizes.at(-2);
  let k = 1;
  if (before) {
    const ks = MEASURED.map((s) => {
      const a = before.shapes[s]?.p50Ms;
      const b = prev.shapes[s]?.p50Ms;
      return a && b ? Math.log(b / a) / Math.log(prev.customers / before.customers) : 1;
    });
    k = Math.min(1.5, Math.max(0.2, Math.max(...ks)));
  }
  const queryS = MEASURED.reduce((s, shape) => s + ((prev.shapes[shape]?.p50Ms ?? 0) * ratio ** k * (P.growthMin + 1)) / 1000, 0);
  const reused = results.dataSets.find((d) => d.customers === size && d.reused);
  const docsPerSecond = prevSet.seedSeconds > 0 ? prevSet.documents / prevSet.seedSeconds : 3000;
  const seedS = reused ? 0 : (prevSet.documents * ratio) / docsPerSecond;
  const total = seedS + gatewayStartS + queryS + 5;
  return {
    total,
    detail: `seed ~${seedS.toFixed(0)} s, queries ~${queryS.toFixed(0)} s at latency x${(ratio ** k).toFixed(1)}, start ~${gatewayStartS.toFixed(0)} s`,
  };
}

function evaluateTargets(r: Results): Target[] {
  const targets: Target[] = [];
  // 1. One command per level of nesting, constant in page size.
  const byShape = new Map<string, { pageSize: number | null; n: number }[]>();
  // The caller's partner is read once per PARTNER_CACHE_MS (30 s) per process, whatever the query:
  // it shows in whichever request comes after the cache expired, so it is left out here.
  const data = (commands: string[]) => commands.filter((x) => x !== 'find partners');
  // Loader batches: one command each, except on FerretDB/PostgreSQL (concurrent equality reads; docs/database.md).
  const batchReads = (c: Results['commands'][number]) => data(c.batches ? c.batches.map((b) => b.read) : c.gateway);
  const shown = (c: Results['commands'][number]) =>
    (c.batches ?? c.gateway.map((read) => ({ read, commands: 1 })))
      .filter((b) => b.read !== 'find partners')
      .map((b) => (b.commands > 1 ? `${b.read} x ${b.commands}` : b.read))
      .join(', ');
  for (const c of r.commands) byShape.set(c.shape, [...(byShape.get(c.shape) ?? []), { pageSize: c.pageSize, n: batchReads(c).length }]);
  // Constant, or fewer at larger pages (the count is skipped when the first page holds every match).
  const constant = [...byShape].map(([shape, rows]) => ({
    shape,
    counts: rows.map((x) => x.n),
    ok: rows.every((x) => x.n <= rows[0]!.n),
  }));
  targets.push({
    id: 'commands (loader batches) do not grow with page size',
    met: constant.every((c) => c.ok),
    detail:
      constant.map((c) => `${c.shape} ${c.counts.join('/')}`).join(', ') +
      " (page sizes 1/10/100; without the caller's partner read, once per 30 s from the partner cache)",
  });
  const nested = r.commands.filter((c) => c.shape === 'nested');
  const levels = 4; // customers, subscriptions, addOns, offer
  targets.push({
    id: 'nested query: one command (batch) per level',
    met: nested.every((c) => batchReads(c).length <= levels),
    detail:
      nested.map((c) => `first=${c.pageSize}: ${batchReads(c).length} (${shown(c)})`).join('; ') +
      `; ${levels} levels (customers, subscriptions, add-ons, offers: the catalog is in memory)`,
  });
  // 2. Overhead over the floor.
  const o = r.overhead;
  const nestedO = o?.shapes.find((s) => s.shape === 'nested');
  targets.push({
    id: 'nested p50 <= 1.1x floor',
    met: nestedO ? nestedO.p50Ratio <= 1.1 : null,
    detail: nestedO
      ? `${nestedO.gateway.p50Ms.toFixed(1)} ms vs ${nestedO.floor.p50Ms.toFixed(1)} ms: ${nestedO.p50Ratio.toFixed(2)}x`
      : 'not measured',
  });
  // The trivial query against the floor and the peers (issue 19; bench/lib/peers.ts).
  targets.push(...trivialTargets(o?.trivialThroughput));
  // 3. Growth: CPU per request flat.
  const first = r.growth.sizes[0];
  const last = r.growth.sizes.at(-1);
  if (first && last && last !== first) {
    // The gateway's own work: its event loop's busy time per request. Process CPU less idle CPU is
    // shown too, but a request that waits seconds on the database makes that difference noise.
    // NaN (shown as n/a, and not judged) where a size left nothing measurable: a request that
    // waits 10 s on the database leaves no busy time once the idle loop's is taken off.
    const ratio = (s: ShapeName, f: (x: ShapeLoad) => number | undefined) => {
      const [a, b] = [f(last.shapes[s]!) ?? NaN, f(first.shapes[s]!) ?? NaN];
      return a > 0 && b > 0 ? a / b : NaN;
    };
    const ratios = MEASURED.filter((s) => last.shapes[s] && first.shapes[s]).map((s) => ({
      s,
      busy: ratio(s, (x) => x.busyMsPerRequest),
      cpu: ratio(s, (x) => x.cpuMsPerRequest),
    }));
    targets.push({
      id: `gateway CPU (event-loop busy)/request at ${fmt(last.customers)} <= 1.1x ${fmt(first.customers)}`,
      met: ratios.some((x) => Number.isFinite(x.busy)) && ratios.every((x) => !Number.isFinite(x.busy) || x.busy <= 1.1),
      detail:
        ratios.map((x) => `${x.s} ${Number.isFinite(x.busy) ? `${x.busy.toFixed(2)}x` : 'n/a'}`).join(', ') +
        `; process CPU less idle: ${ratios.map((x) => `${x.s} ${Number.isFinite(x.cpu) ? `${x.cpu.toFixed(2)}x` : 'n/a'}`).join(', ')}`,
    });
  } else {
    targets.push({ id: 'gateway CPU/request flat across sizes', met: null, detail: 'only one data-set size measured' });
  }
  const reads = r.explain.flatMap((e) => e.reads.map((x) => ({ ...x, shape: e.shape, customers: e.customers })));
  const scans = reads.filter((x) => x.indexUsed === false);
  const unknown = reads.filter((x) => x.indexUsed === null);
  targets.push({
    id: 'explain shows index use on every read',
    met: reads.length === 0 ? null : scans.length === 0 && unknown.length === 0,
    detail: `${reads.length - scans.length - unknown.length} of ${reads.length} reads use an index, ${scans.length} scan, ${unknown.length} unknown${
      scans.length ? ` (scans: ${[...new Set(scans.map((x) => x.read))].join(', ')})` : ''
    }`,
  });
  // 4. Writes.
  const w = r.writes;
  targets.push({
    id: 'writes: zero errors, invariants hold',
    met: w ? w.errors === 0 && w.invariants.problems.length === 0 : null,
    detail: w ? `${w.requests} mutations, ${w.errors} errors, ${w.invariants.problems.length} invariant problems` : 'not run',
  });
  const off = r.writesWithoutEvents;
  targets.push({
    id: 'writes with events >= 0.9x without (EVENTS_ENABLED)',
    met: off ? off.ratio >= 0.9 : null,
    detail:
      off && w
        ? `${w.throughputPerSec.toFixed(1)}/s with events, ${off.throughputPerSec.toFixed(1)}/s without: ${off.ratio.toFixed(2)}x`
        : 'not run',
  });
  // 5. Memory.
  const peaks = [r.memory.idleAfterStartMb ?? 0, r.memory.atRestMb ?? 0, ...r.memory.underLoad.map((m) => m.rssMaxMb)];
  const peak = Math.max(...peaks);
  const loader = r.memory.loaderBaselineMb;
  targets.push({
    id: 'gateway RSS < 200 MB',
    met: peak < 200,
    detail:
      `at rest ${r.memory.atRestMb?.toFixed(0)} MB (JS heap ${r.memory.heapUsedAtRestMb?.toFixed(0)} MB), peak ${peak.toFixed(0)} MB` +
      (loader
        ? `; Node itself (node + reflect-metadata, running nothing) is ${loader.toFixed(0)} MB, so ${(peak - loader).toFixed(0)} MB above it`
        : ''),
  });
  return targets;
}

await main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

export type { ExplainSummary };
