/** The benchmark's results: their shape, and the JSON, Markdown and SVG files written from them. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExplainSummary } from './explain.js';
import { AUTH_DESCRIPTION, TRIVIAL_AIMS, type PeerResult } from './peers.js';
import { SHAPES, type ShapeName } from './shapes.js';
import { barChart, lineChart } from './svg.js';
import type { WritesResult } from './writes.js';

export interface ShapeLoad {
  requests: number;
  errors: number;
  firstError: string | null;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  throughputPerSec: number;
  /** The server process's CPU time (user + system) per request, less its idle CPU over the run's wall time. */
  cpuMsPerRequest: number;
  /**
   * The server's main-thread event loop busy time per request (performance.eventLoopUtilization):
   * its own work, measured only while it runs, so a long wait on the database adds nothing.
   */
  busyMsPerRequest?: number;
  /** The time with at least one of its database commands in flight, per request. */
  dbMsPerRequest: number;
  dbCommandsPerRequest: number;
  rssMaxMb: number;
}

export interface Target {
  id: string;
  met: boolean | null;
  detail: string;
}

export interface Results {
  generatedAt: string;
  command: string;
  quick: boolean;
  machine: { cpus: number; cpuModel: string; memoryGb: number; os: string; node: string; loadAverageAtStart: number[] };
  backend: { kind: string; version: string; ferretdb: boolean };
  pageSize: number;
  dataSets: { customers: number; dbName: string; reused: boolean; seedSeconds: number; documents: number }[];
  commands: {
    customers: number;
    shape: ShapeName;
    pageSize: number | null;
    gateway: string[];
    /**
     * The gateway's reads as loader batches, in order: reads of one shape (command, collection,
     * filter fields) sent together count as one batch. On MongoDB and FerretDB/SQLite each batch is
     * one command; on FerretDB/PostgreSQL a batch is one equality read per key (docs/database.md).
     */
    batches?: { read: string; commands: number }[];
    floor: string[];
    sameAsFloor: boolean;
  }[];
  explain: { customers: number; shape: ShapeName; reads: ExplainSummary[] }[];
  overhead: {
    customers: number;
    shapes: { shape: ShapeName; gateway: ShapeLoad; floor: ShapeLoad; p50Ratio: number }[];
    trivialThroughput: {
      connections: number;
      gateway: ShapeLoad;
      floor: ShapeLoad;
      /** The gateway's requests per second over the floor's. */
      ratio: number;
      /** The gateway's CPU per request over the floor's (absent in results from before issue 19). */
      cpuRatio?: number;
      /** The peers (bench/lib/peers.ts), alternated with the gateway and the floor (absent before issue 19). */
      peers?: PeerResult[];
    } | null;
  } | null;
  growth: {
    sizes: { customers: number; commands: Record<string, number>; shapes: Record<string, ShapeLoad> }[];
    skipped: { customers: number; reason: string }[];
  };
  writes: (WritesResult & { rssMaxMb: number }) | null;
  /**
   * The same write mix with EVENTS_ENABLED=false (no event written: docs/events.md), on a fresh
   * scratch data set of its own, and the throughput with events as a ratio to it (aim: >= 0.9).
   */
  writesWithoutEvents?: {
    requests: number;
    throughputPerSec: number;
    latencyMs: { p50: number; p99: number };
    errors: number;
    ratio: number;
  } | null;
  memory: {
    idleAfterStartMb: number | null;
    atRestMb: number | null;
    heapUsedAtRestMb: number | null;
    /** RSS of node running only the TypeScript loader (swc) the gateway runs under. */
    loaderBaselineMb: number | null;
    underLoad: { phase: string; customers: number; rssMaxMb: number }[];
  };
  targets: Target[];
  elapsedSeconds: number;
}

const n0 = (v: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(v);
const msf = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v >= 100 ? n0(v) : v.toFixed(v >= 10 ? 1 : 2));
const mark = (met: boolean | null) => (met === null ? 'n/a' : met ? 'met' : '**missed**');
const cell = (s: string) => s.replace(/\|/g, '\\|');

export const CHARTS = {
  latency: 'latency-vs-size.svg',
  floor: 'gateway-vs-floor.svg',
  commands: 'commands-per-query.svg',
  peers: 'trivial-peers.svg',
} as const;

function charts(r: Results): Record<keyof typeof CHARTS, string> {
  const shapes = ['nested', 'detail', 'search', 'ledger'] as ShapeName[];
  const latency = lineChart({
    title: `p50 latency vs data-set size (first: ${r.pageSize}, ${r.backend.kind})`,
    xLabel: 'customers',
    yLabel: 'ms (log scale)',
    logX: true,
    logY: true,
    series: [
      ...shapes.map((s) => ({
        name: `${s} p50`,
        points: r.growth.sizes.filter((g) => g.shapes[s]).map((g) => [g.customers, g.shapes[s]!.p50Ms] as [number, number]),
      })),
      {
        name: 'nested db time',
        points: r.growth.sizes
          .filter((g) => g.shapes.nested)
          .map((g) => [g.customers, g.shapes.nested!.dbMsPerRequest] as [number, number]),
      },
    ],
  });
  const o = r.overhead;
  const floor = barChart({
    title: `Gateway vs floor, p50 at concurrency 1 (${o ? n0(o.customers) : '?'} customers)`,
    xLabel: 'query shape',
    yLabel: 'ms (log scale)',
    logY: true,
    seriesNames: ['gateway', 'floor'],
    groups: (o?.shapes ?? []).map((s) => ({ label: s.shape, values: [s.gateway.p50Ms, s.floor.p50Ms] })),
  });
  const sizes = [1, 10, 100];
  const commands = barChart({
    title: 'Read batches per query, by page size (first:); one command each unless equality reads',
    xLabel: 'query shape',
    yLabel: 'batches',
    seriesNames: sizes.map((n) => `first: ${n}`),
    groups: [...new Set(r.commands.map((c) => c.shape))].map((shape) => {
      const rows = r.commands.filter((c) => c.shape === shape);
      return {
        label: shape,
        values: sizes.map((n) => {
          const row = rows.find((c) => c.pageSize === n) ?? rows.find((c) => c.pageSize === null);
          return row ? (row.batches?.length ?? row.gateway.length) : null;
        }),
      };
    }),
  });
  const rows = peerRows(r);
  const peers = barChart({
    title: `Trivial query at ${o?.trivialThroughput?.connections ?? '?'} connections: each server as a ratio to the floor`,
    xLabel: 'server',
    yLabel: 'x floor',
    seriesNames: ['req/s vs floor', 'CPU/request vs floor'],
    groups: rows.map((x) => ({ label: x.short, values: [x.ratio, x.cpuRatio] })),
  });
  return { latency, floor, commands, peers };
}

interface PeerRow {
  label: string;
  /** For the chart's axis. */
  short: string;
  auth: string;
  load: ShapeLoad;
  ratio: number;
  cpuRatio: number;
}

/** The trivial query's throughput runs, every server (gateway, floor, peers) with its ratios to the floor, fastest first. */
function peerRows(r: Results): PeerRow[] {
  const t = r.overhead?.trivialThroughput;
  if (!t) return [];
  const cpu = (l: ShapeLoad) => l.cpuMsPerRequest / t.floor.cpuMsPerRequest;
  return [
    { label: 'floor (bare node:http)', short: 'floor', auth: AUTH_DESCRIPTION.floor, load: t.floor, ratio: 1, cpuRatio: 1 },
    {
      label: '**this gateway**',
      short: 'gateway',
      auth: AUTH_DESCRIPTION.gateway,
      load: t.gateway,
      ratio: t.ratio,
      cpuRatio: cpu(t.gateway),
    },
    ...(t.peers ?? []).map((p) => ({
      label: p.label,
      short: p.name,
      auth: AUTH_DESCRIPTION[p.auth],
      load: p.load,
      ratio: p.ratio,
      cpuRatio: p.cpuRatio,
    })),
  ].sort((a, b) => b.ratio - a.ratio);
}

const ratioText = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : 'n/a');

/** The peer table: the trivial query on every server of the run, as ratios to the floor, with the issue's aims under it. */
function peerTable(r: Results): string[] {
  const t = r.overhead?.trivialThroughput;
  const rows = peerRows(r);
  if (!t || rows.length === 0) return [];
  return [
    `Trivial query (\`${SHAPES.trivial.title}\`) at ${t.connections} connections on every server, runs alternated (gateway, floor, then each peer, same connections and duration); each peer (bench/peer.ts) reads the partner as the floor does, from the same database through a 30 s partner cache.${t.peers ? '' : ' No peer was measured in this run.'}`,
    '',
    '| Server | Bearer token | req/s | Ratio to floor (req/s) | CPU ms/request | CPU per request vs floor | p50 ms | p99 ms | Requests | Errors |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (x) =>
        `| ${x.label} | ${x.auth} | ${n0(x.load.throughputPerSec)} | ${ratioText(x.ratio)} | ${x.load.cpuMsPerRequest.toFixed(3)} | ${ratioText(x.cpuRatio)} | ${msf(x.load.p50Ms)} | ${msf(x.load.p99Ms)} | ${x.load.requests} | ${x.load.errors} |`,
    ),
    '',
    `Aims (issue 19): the gateway at least ${TRIVIAL_AIMS.throughput}x the floor's req/s and ahead of bare Apollo Server 5, ${TRIVIAL_AIMS.throughputAim}x as the aim; its CPU per request at most ${TRIVIAL_AIMS.cpu}x the floor's. Judged in the targets table.`,
  ];
}

function targetsTable(r: Results): string[] {
  return [
    '| Target | Result | Figures |',
    '| --- | --- | --- |',
    ...r.targets.map((t) => `| ${cell(t.id)} | ${mark(t.met)} | ${cell(t.detail)} |`),
  ];
}

function header(r: Results): string[] {
  const m = r.machine;
  return [
    `- **Command:** \`${r.command}\` (${r.elapsedSeconds.toFixed(0)} s${r.quick ? ', quick smoke run: tiny sizes and durations, not figures to quote' : ''})`,
    `- **Backend:** ${r.backend.kind}, ${r.backend.version}`,
    `- **Machine:** ${m.cpus} x ${m.cpuModel}, ${m.memoryGb} GB, ${m.os}, Node ${m.node}; load average at start ${m.loadAverageAtStart.join(' / ')} (shared with other work)`,
    `- **When:** ${r.generatedAt}`,
    `- **Data sets:** ${r.dataSets.map((d) => `${n0(d.customers)} customers (${n0(d.documents)} documents, ${d.reused ? 'reused' : `seeded in ${d.seedSeconds.toFixed(0)} s`})`).join('; ')}`,
  ];
}

export function markdown(r: Results, chartDir = '.'): string {
  const L: string[] = ['# Benchmark results', '', ...header(r), '', '## Targets', '', ...targetsTable(r), ''];
  const c = (f: string) => path.posix.join(chartDir, f);

  L.push('## 1. Database commands per query', '');
  L.push(
    `Every command the gateway's MongoClient started for one request (command monitoring, \`getMore\` and \`killCursors\` included), at ${n0(r.commands[0]?.customers ?? 0)} customers, and the same as loader batches (reads of one shape sent together; "x N": a batch of N concurrent equality reads, on FerretDB/PostgreSQL); the floor's for the same request alongside.`,
    '',
  );
  L.push('| Shape | first | Gateway commands | Batches | Reads | Floor | Same reads |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const x of r.commands) {
    const batches = x.batches ?? x.gateway.map((read) => ({ read, commands: 1 }));
    const reads = batches.map((b) => (b.commands > 1 ? `${b.read} x ${b.commands}` : b.read)).join(', ');
    L.push(
      `| ${x.shape} | ${x.pageSize ?? '-'} | ${x.gateway.length} | ${batches.length} | ${cell(reads)} | ${x.floor.length} | ${x.sameAsFloor ? 'yes' : 'no'} |`,
    );
  }
  L.push('', `![Commands per query](${c(CHARTS.commands)})`, '');

  L.push('## 2. Gateway over HTTP vs the floor', '');
  const o = r.overhead;
  if (o) {
    L.push(
      `Concurrency 1, \`first: ${r.pageSize}\`, ${n0(o.customers)} customers, runs alternating between the two servers. The floor (bench/floor.ts) sends the same reads from a bare \`node:http\` server and returns the documents as JSON.`,
      '',
    );
    L.push(
      '| Shape | Gateway p50 ms | p99 ms | Floor p50 ms | p99 ms | p50 ratio | Requests (gw / floor) |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const s of o.shapes) {
      L.push(
        `| ${s.shape} | ${msf(s.gateway.p50Ms)} | ${msf(s.gateway.p99Ms)} | ${msf(s.floor.p50Ms)} | ${msf(s.floor.p99Ms)} | ${s.p50Ratio.toFixed(2)}x | ${s.gateway.requests} / ${s.floor.requests} |`,
      );
    }
    const t = o.trivialThroughput;
    if (t) {
      L.push(
        '',
        `Trivial query (\`${SHAPES.trivial.title}\`) throughput at ${t.connections} connections: gateway **${n0(t.gateway.throughputPerSec)} req/s** (p50 ${msf(t.gateway.p50Ms)} ms, p99 ${msf(t.gateway.p99Ms)} ms, ${msf(t.gateway.cpuMsPerRequest)} ms CPU/req), floor **${n0(t.floor.throughputPerSec)} req/s** (p50 ${msf(t.floor.p50Ms)} ms, ${msf(t.floor.cpuMsPerRequest)} ms CPU/req): **${t.ratio.toFixed(2)}x**.`,
      );
    }
    L.push('', `![Gateway vs floor](${c(CHARTS.floor)})`, '');
    const peers = peerTable(r);
    if (peers.length) L.push('### Peers', '', ...peers, '', `![Trivial query: every server against the floor](${c(CHARTS.peers)})`, '');
  }

  L.push('## 3. Growth', '');
  L.push(
    `Each shape at concurrency 1, \`first: ${r.pageSize}\`. Database time: the time during which at least one of the request's commands was in flight (concurrent reads count once). Gateway event-loop busy: the time the gateway's main thread ran (performance.eventLoopUtilization), less what it runs while idle over the same wall time (answering the RSS sampler), per request: its own work, to which a long wait on the database adds nothing; the growth target is judged on it. Gateway CPU: the gateway process's user + system CPU time (process.cpuUsage deltas; the load generator runs in another process), less what the process spends idle over the same wall time, per request: it includes the driver's and GC's threads, and turns to noise when a request waits seconds. Each size, the first included, is measured on a gateway process started for it, which first runs every shape for up to 1.5 s (JIT warm-up).`,
    '',
  );
  L.push(
    '| Customers | Shape | p50 ms | p99 ms | Database ms/req | Gateway event-loop busy ms/req | Gateway CPU ms/req | Commands/req | Requests |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const g of r.growth.sizes) {
    for (const [shape, s] of Object.entries(g.shapes)) {
      L.push(
        `| ${n0(g.customers)} | ${shape} | ${msf(s.p50Ms)} | ${msf(s.p99Ms)} | ${msf(s.dbMsPerRequest)} | ${msf(s.busyMsPerRequest ?? NaN)} | ${msf(s.cpuMsPerRequest)} | ${s.dbCommandsPerRequest.toFixed(1)} | ${s.requests} |`,
      );
    }
  }
  if (r.growth.skipped.length) {
    L.push('', 'Skipped:', '', ...r.growth.skipped.map((s) => `- ${n0(s.customers)} customers: ${s.reason}.`));
  }
  L.push('', `![Latency vs data-set size](${c(CHARTS.latency)})`, '');
  L.push('### Explain', '', `\`explain\` (queryPlanner) of each read the gateway sent, as recorded.`, '');
  L.push('| Customers | Shape | Read | Index | Plan |', '| --- | --- | --- | --- | --- |');
  for (const e of r.explain) {
    for (const x of e.reads) {
      const push = x.pushdown
        ? ` (pushdown: filter ${x.pushdown.filter ? 'yes' : 'no'}, sort ${x.pushdown.sort ? 'yes' : 'no'}, limit ${x.pushdown.limit ? 'yes' : 'no'})`
        : '';
      L.push(
        `| ${n0(e.customers)} | ${e.shape} | ${x.read}${x.times ? ` (x ${x.times}, one shown)` : ''} | ${x.indexUsed === null ? '?' : x.indexUsed ? 'yes' : 'no'} | ${cell((x.error ?? x.plan).slice(0, 160))}${push} |`,
      );
    }
  }
  L.push('');

  L.push('## 4. Writes', '');
  const w = r.writes;
  if (w) {
    L.push(
      `${w.clients} concurrent clients for ${(w.durationMs / 1000).toFixed(0)} s, each on its own customer of a fresh scratch data set (set-up: ${w.setup.purchases} purchases in ${(w.setup.ms / 1000).toFixed(1)} s): **${w.requests} mutations, ${w.throughputPerSec.toFixed(1)}/s**, p50 ${msf(w.latencyMs.p50)} ms, p99 ${msf(w.latencyMs.p99)} ms, **${w.errors} errors**${w.firstError ? ` (first: ${cell(w.firstError.slice(0, 200))})` : ''}. A refusal is a rule's answer (userErrors), not an error.`,
      '',
    );
    L.push('| Mutation | Accepted | Refused | Errors | Refusals by rule |', '| --- | --- | --- | --- | --- |');
    for (const [action, a] of Object.entries(w.byAction)) {
      L.push(
        `| ${action} | ${a.accepted} | ${a.refused} | ${a.errors} | ${
          Object.entries(a.refusals)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || '-'
        } |`,
      );
    }
    L.push('', `Invariants checked afterwards: ${w.invariants.checked.join('; ')}.`, '');
    L.push(w.invariants.problems.length === 0 ? 'All hold.' : `Problems:\n\n${w.invariants.problems.map((p) => `- ${p}`).join('\n')}`, '');
    const off = r.writesWithoutEvents;
    if (off) {
      L.push(
        `The same mix without events (EVENTS_ENABLED=false, a fresh scratch data set): ${off.requests} mutations, ${off.throughputPerSec.toFixed(1)}/s, p50 ${msf(off.latencyMs.p50)} ms, p99 ${msf(off.latencyMs.p99)} ms, ${off.errors} errors. **With events: ${off.ratio.toFixed(2)}x** the throughput without.`,
        '',
      );
    }
  } else L.push('Not run.', '');

  L.push('## 5. Gateway memory (RSS)', '');
  L.push('| When | Customers | RSS MB |', '| --- | --- | --- |');
  L.push(`| idle after start (after GC) | ${n0(r.dataSets[0]?.customers ?? 0)} | ${msf(r.memory.idleAfterStartMb ?? NaN)} |`);
  L.push(`| at rest after a request of each shape (after GC) | ${n0(r.dataSets[0]?.customers ?? 0)} | ${msf(r.memory.atRestMb ?? NaN)} |`);
  for (const m of r.memory.underLoad) L.push(`| peak under load: ${m.phase} | ${n0(m.customers)} | ${msf(m.rssMaxMb)} |`);
  L.push(
    '',
    `At rest the JS heap holds ${msf(r.memory.heapUsedAtRestMb ?? NaN)} MB. The gateway runs compiled (dist/node, as \`npm start\` runs it; the TypeScript loader of \`npm run dev\` adds about 70 MB); a Node process started the same way that runs nothing is ${msf(r.memory.loaderBaselineMb ?? NaN)} MB resident by itself (bench/lib/rss-baseline.ts).`,
    '',
  );
  return L.join('\n');
}

/** docs/performance.md's part between the bench markers: header, targets, charts (paths from docs/). */
function docsSection(r: Results): string {
  return [
    '<!-- bench:begin (written by `npm run bench`; edit bench/lib/report.ts, not this) -->',
    ...header(r),
    '',
    ...targetsTable(r),
    '',
    ...(peerRows(r).length ? ['**Peers**, the trivial query on every server:', '', ...peerTable(r), ''] : []),
    `![Latency vs data-set size](../bench/results/${CHARTS.latency})`,
    `![Gateway vs floor](../bench/results/${CHARTS.floor})`,
    `![Commands per query](../bench/results/${CHARTS.commands})`,
    `![Trivial query: every server against the floor](../bench/results/${CHARTS.peers})`,
    '',
    'All tables (commands per query, gateway vs floor, growth with database time and CPU apart, explain of every read, writes, memory): [bench/results/latest.md](../bench/results/latest.md).',
    '<!-- bench:end -->',
  ].join('\n');
}

/**
 * Writes `files` (name, text) to `dir`, made if missing, in order; then, when `docs` is given,
 * replaces its marked section (see replaceDocsSection). Returns the paths written, the docs page
 * last and only when its section was found.
 */
export async function writeReportFiles(
  dir: string,
  files: readonly (readonly [name: string, text: string])[],
  docs: { page: string | null; marker: string; section: string },
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of files) {
    const file = path.join(dir, name);
    await writeFile(file, text);
    written.push(file);
  }
  if (docs.page && (await replaceDocsSection(docs.page, docs.marker, docs.section))) written.push(docs.page);
  return written;
}

/**
 * Replaces the part of the page at `page` from `<!-- ${marker}:begin ... -->` to
 * `<!-- ${marker}:end -->`, both included, with `section` (which carries its own markers). A page
 * without the markers is left alone: false. `section` is inserted as it is: a `$&` in it (an error
 * message quoted in a table) is text, not a replacement pattern.
 */
export async function replaceDocsSection(page: string, marker: string, section: string): Promise<boolean> {
  const text = await readFile(page, 'utf8');
  const re = new RegExp(`<!-- ${marker}:begin[^>]*-->[\\s\\S]*?<!-- ${marker}:end -->`);
  if (!re.test(text)) return false;
  await writeFile(
    page,
    text.replace(re, () => section),
  );
  return true;
}

export async function writeReport(r: Results, dir: string, options: { docs: string | null }): Promise<string[]> {
  const svg = charts(r);
  return writeReportFiles(
    dir,
    [
      ['latest.json', `${JSON.stringify(r, (k, v) => (k === 'samples' ? undefined : v), 2)}\n`],
      ['latest.md', markdown(r)],
      ...(Object.keys(CHARTS) as (keyof typeof CHARTS)[]).map((key) => [CHARTS[key], svg[key]] as const),
    ],
    { page: options.docs, marker: 'bench', section: docsSection(r) },
  );
}
