/**
 * The sandbox section's results (bench/lib/sandboxes.ts): the aims of issue 15 judged as met or
 * missed (never asserted by a test), and the files: sandboxes.{json,md}, two SVG charts, and the
 * part of docs/performance.md between its bench-sandboxes markers. Apart from latest.* so that
 * `npm run bench -- sandboxes` leaves the read and write results of the last full run alone.
 */
import { writeReportFiles, type Results, type Target } from './report.js';
import { byCommand, type LatencyStats, type SandboxBenchResults } from './sandboxes.js';
import { barChart, lineChart } from './svg.js';

export interface SandboxReport {
  section: 'sandboxes';
  generatedAt: string;
  command: string;
  quick: boolean;
  machine: Results['machine'];
  backend: Results['backend'];
  bench: SandboxBenchResults;
  aims: Target[];
  elapsedSeconds: number;
}

export const SANDBOX_CHARTS = {
  operations: 'sandbox-operations.svg',
  growth: 'sandbox-creation-vs-present.svg',
} as const;

/** Issue 15's aims, on this machine. */
export const SANDBOX_AIMS = { createEmptyMs: 100, createDemoMs: 500, restoreMs: 500, creationRatio: 1.2 } as const;

const n0 = (v: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(v);
const msf = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v >= 100 ? n0(v) : v.toFixed(v >= 10 ? 1 : 2));
const mark = (met: boolean | null) => (met === null ? 'n/a' : met ? 'met' : '**missed**');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function evaluateSandboxAims(b: SandboxBenchResults): Target[] {
  const op = (id: string) => b.operations.find((o) => o.id === id);
  const under = (id: string, label: string, aimMs: number): Target => {
    const o = op(id);
    const s = o?.stats;
    return {
      id: `${label} p50 < ${aimMs} ms`,
      met: s && s.runs > 0 ? s.p50Ms < aimMs : null,
      detail: !s
        ? `not measured: ${o?.skipped ?? 'not run'}`
        : s.runs === 0
          ? `every call failed (${s.errors}; first: ${s.firstError})`
          : `p50 ${msf(s.p50Ms)} ms, p99 ${msf(s.p99Ms)} ms over ${s.runs} runs${s.errors ? `, ${s.errors} failed` : ''}`,
    };
  };
  const restore = op('restore');
  const p = b.parallelCreate;
  const first = b.growth[0];
  const last = b.growth.at(-1);
  const after = b.noneAfterFill;
  const errors = [...b.operations.map((o) => o.stats), ...b.growth.flatMap((g) => [g.create, g.delete]), p.stats]
    .filter((s): s is LatencyStats => s !== null)
    .reduce((n, s) => n + s.errors, 0);
  const firstError = [...b.operations.map((o) => o.stats), ...b.growth.flatMap((g) => [g.create, g.delete]), p.stats].find(
    (s) => s?.firstError,
  )?.firstError;
  return [
    under('createEmpty', 'createSandbox EMPTY', SANDBOX_AIMS.createEmptyMs),
    under(
      'createDemo',
      `createSandbox DEMO${b.demoCustomers === null ? '' : ` (${b.demoCustomers} customers)`}`,
      SANDBOX_AIMS.createDemoMs,
    ),
    restore?.stats && b.restoreWorld === 'EMPTY'
      ? {
          id: `restoreSandbox of the demo world p50 < ${SANDBOX_AIMS.restoreMs} ms`,
          met: null,
          detail: `not judged: the gateway has no DEMO template yet, so an EMPTY world was restored: p50 ${msf(restore.stats.p50Ms)} ms`,
        }
      : under('restore', 'restoreSandbox of the demo world', SANDBOX_AIMS.restoreMs),
    {
      id: `${p.sandboxes} createSandbox at once: 0 errors`,
      met: p.stats.errors === 0 && p.stats.runs === p.sandboxes,
      detail: `${p.stats.errors} errors${p.stats.firstError ? ` (first: ${p.stats.firstError})` : ''}; p50 ${msf(p.stats.p50Ms)} ms, p99 ${msf(p.stats.p99Ms)} ms, all in ${msf(p.wallMs)} ms`,
    },
    {
      id: `createSandbox EMPTY p50 with ${n0(b.fill)} sandboxes present <= ${SANDBOX_AIMS.creationRatio}x with none`,
      met: b.creationRatio === null || !Number.isFinite(b.creationRatio) ? null : b.creationRatio <= SANDBOX_AIMS.creationRatio,
      detail:
        first && last && last !== first && b.creationRatio !== null
          ? `${msf(last.create.p50Ms)} ms with ${n0(last.present)} vs ${msf(first.create.p50Ms)} ms with none before the fill` +
            (after ? ` and ${msf(after.create.p50Ms)} ms with ${n0(after.present)} after deleting it` : '') +
            `: ${b.creationRatio.toFixed(2)}x${after ? ' (over the lower)' : ''}`
          : 'no fill measured',
    },
    {
      id: 'sandbox operations: 0 errors',
      met: errors === 0,
      detail: `${errors} errors in the timed calls${firstError ? ` (first: ${firstError})` : ''}`,
    },
  ];
}

function header(r: SandboxReport): string[] {
  const m = r.machine;
  const b = r.bench;
  return [
    `- **Command:** \`${r.command}\` (${r.elapsedSeconds.toFixed(0)} s${r.quick ? ', quick smoke run: tiny sizes, not figures to quote' : ''})`,
    `- **Backend:** ${r.backend.kind}, ${r.backend.version}`,
    `- **Machine:** ${m.cpus} x ${m.cpuModel}, ${m.memoryGb} GB, ${m.os}, Node ${m.node}; load average at start ${m.loadAverageAtStart.join(' / ')} (shared with other work)`,
    `- **When:** ${r.generatedAt}`,
    `- **Runs:** ${b.runs} per operation and per growth point; ${b.parallel} at once; filled to ${n0(b.fill)} sandboxes present` +
      (b.fillRun
        ? ` (${n0(b.fillRun.sandboxes)} created in ${b.fillRun.seconds.toFixed(0)} s, ${b.fillRun.concurrency} at a time, ${b.fillRun.errors} errors)`
        : '') +
      (b.drainRun ? `, then deleted (${n0(b.drainRun.sandboxes)} in ${b.drainRun.seconds.toFixed(0)} s, ${b.drainRun.errors} errors)` : ''),
    ...(b.features.missing.length ? [`- **Not offered by this gateway yet:** ${b.features.missing.join(', ')} (skipped below)`] : []),
  ];
}

function aimsTable(r: SandboxReport): string[] {
  return [
    '| Aim | Result | Figures |',
    '| --- | --- | --- |',
    ...r.aims.map((t) => `| ${cell(t.id)} | ${mark(t.met)} | ${cell(t.detail)} |`),
  ];
}

function operationsTable(r: SandboxReport): string[] {
  const row = (label: string, s: LatencyStats | null, note: string) =>
    s
      ? `| ${cell(label)} | ${msf(s.p50Ms)} | ${msf(s.p99Ms)} | ${msf(s.meanMs)} | ${msf(s.minMs)} | ${msf(s.maxMs)} | ${s.runs} | ${s.errors} | ${cell(note)} |`
      : `| ${cell(label)} | - | - | - | - | - | - | - | ${cell(note)} |`;
  const b = r.bench;
  const notes: Record<string, string> = {
    createDemo: b.demoCustomers === null ? '' : `${b.demoCustomers} customers`,
    restore:
      (b.snapshotDocuments === null ? '' : `snapshot of ${n0(b.snapshotDocuments)} documents; the clock advanced 1 h before each`) +
      (b.restoreAdvanceErrors?.count
        ? `; ${b.restoreAdvanceErrors.count} of those advances failed (first: ${b.restoreAdvanceErrors.first})`
        : ''),
  };
  return [
    '| Operation | p50 ms | p99 ms | mean ms | min ms | max ms | Runs | Errors | Note |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...b.operations.map((o) => row(o.label, o.stats, o.skipped ? `skipped: ${o.skipped}` : (notes[o.id] ?? ''))),
    row(
      `createSandbox EMPTY, ${b.parallelCreate.sandboxes} at once`,
      b.parallelCreate.stats,
      `all done in ${msf(b.parallelCreate.wallMs)} ms`,
    ),
  ];
}

/** The growth points in the order measured: none, the fill's steps, none again after deleting the fill. */
function points(b: SandboxBenchResults): { label: string; g: SandboxBenchResults['growth'][number] }[] {
  return [
    ...b.growth.map((g) => ({ label: n0(g.present), g })),
    ...(b.noneAfterFill ? [{ label: `${n0(b.noneAfterFill.present)} (after deleting the fill)`, g: b.noneAfterFill }] : []),
  ];
}

function growthTable(r: SandboxReport): string[] {
  return [
    '| Sandboxes present | create p50 ms | create p99 ms | delete p50 ms | delete p99 ms | Runs | Errors |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...points(r.bench).map(
      ({ label, g }) =>
        `| ${label} | ${msf(g.create.p50Ms)} | ${msf(g.create.p99Ms)} | ${msf(g.delete.p50Ms)} | ${msf(g.delete.p99Ms)} | ${g.create.runs} | ${g.create.errors + g.delete.errors} |`,
    ),
  ];
}

/** Where one call's time goes: its database commands grouped, the most time first; each growth point's creation, then DEMO and restore. */
function recordedTable(r: SandboxReport): string[] {
  const rows = [
    ...points(r.bench)
      .filter(({ g }) => g.recorded)
      .map(({ label, g }) => ({ label: `createSandbox EMPTY, present: ${label}`, rec: g.recorded! })),
    ...r.bench.operations.filter((o) => o.recorded).map((o) => ({ label: o.label, rec: o.recorded! })),
  ];
  if (rows.length === 0) return [];
  return [
    '| Call | ms | Commands | Database ms (sum) | Most time (by command) |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      ({ label, rec }) =>
        `| ${cell(label)} | ${msf(rec.ms)} | ${rec.commands.length} | ${msf(rec.dbMs)} | ${cell(byCommand(rec).join(', '))} |`,
    ),
  ];
}

function charts(r: SandboxReport): Record<keyof typeof SANDBOX_CHARTS, string> {
  const b = r.bench;
  const measured = b.operations.filter((o) => o.stats && o.stats.runs > 0);
  const groups = [
    ...measured.map((o) => ({ label: o.label.replace(/^(create|delete|restore)Sandbox/, '$1').replace(/ \(.*\)$/, ''), o })),
  ].map(({ label, o }) => ({
    label: o.id === 'deleteEmpty' ? 'delete EMPTY' : o.id === 'deleteDemo' ? 'delete DEMO' : label,
    values: [o.stats!.p50Ms, o.stats!.p99Ms],
  }));
  if (b.parallelCreate.stats.runs > 0) {
    groups.push({ label: `${b.parallelCreate.sandboxes} at once`, values: [b.parallelCreate.stats.p50Ms, b.parallelCreate.stats.p99Ms] });
  }
  const all = groups.flatMap((g) => g.values).filter((v) => Number.isFinite(v) && v > 0);
  const operations = barChart({
    title: `Sandbox operations over HTTP GraphQL, ${b.runs} runs each (${r.backend.kind})`,
    xLabel: 'operation',
    yLabel: all.length && Math.max(...all) / Math.min(...all) > 30 ? 'ms (log scale)' : 'ms',
    logY: all.length > 0 && Math.max(...all) / Math.min(...all) > 30,
    seriesNames: ['p50', 'p99'],
    groups,
  });
  const growth = lineChart({
    title: 'createSandbox EMPTY vs sandboxes already present',
    xLabel: 'sandboxes present',
    yLabel: 'ms',
    series: [
      { name: 'create p50', points: b.growth.map((g) => [g.present, g.create.p50Ms] as [number, number]) },
      { name: 'create p99', points: b.growth.map((g) => [g.present, g.create.p99Ms] as [number, number]) },
      { name: 'delete p50', points: b.growth.map((g) => [g.present, g.delete.p50Ms] as [number, number]) },
      ...(b.noneAfterFill
        ? [{ name: 'create p50, fill deleted', points: [[b.noneAfterFill.present, b.noneAfterFill.create.p50Ms] as [number, number]] }]
        : []),
    ],
  });
  return { operations, growth };
}

export function sandboxMarkdown(r: SandboxReport): string {
  return [
    '# Sandbox benchmark results',
    '',
    ...header(r),
    '',
    '## Aims',
    '',
    ...aimsTable(r),
    '',
    '## Operations',
    '',
    'Each call timed in the benchmark process from request sent to answer parsed, over HTTP GraphQL to the gateway, as a sandbox administrator (a global admin of a real partner). Creation and deletion alternate, so the number of sandboxes present stays put; a restore follows an untimed `advanceClock` by one hour, so that every restore has something to undo.',
    '',
    ...operationsTable(r),
    '',
    `![Sandbox operations](${SANDBOX_CHARTS.operations})`,
    '',
    '## Creation with other sandboxes present',
    '',
    'The administrator fills up to the number present (untimed, several at a time), then creates and deletes an EMPTY sandbox, alternating, at that number; at the end it deletes the fill and measures with none present again, to show how far the machine drifted over the run. The ratio judged is over the lower of the two measurements with none. The cost of a sandbox should grow with its own world, not with the number of others.',
    '',
    ...growthTable(r),
    '',
    `![Creation vs sandboxes present](${SANDBOX_CHARTS.growth})`,
    '',
    ...(recordedTable(r).length
      ? [
          '## Where the time goes',
          '',
          "One more call of each, untimed, with the gateway's database commands recorded (command monitoring: sent to reply parsed), grouped by command and collection. The database time is their sum: commands sent together count each.",
          '',
          ...recordedTable(r),
          '',
        ]
      : []),
  ].join('\n');
}

function docsSection(r: SandboxReport): string {
  return [
    '<!-- bench-sandboxes:begin (written by `npm run bench` and `npm run bench -- sandboxes`; edit bench/lib/sandbox-report.ts, not this) -->',
    ...header(r),
    '',
    ...aimsTable(r),
    '',
    ...operationsTable(r),
    '',
    ...growthTable(r),
    '',
    ...(recordedTable(r).length ? [...recordedTable(r), ''] : []),
    `![Sandbox operations](../bench/results/${SANDBOX_CHARTS.operations})`,
    `![Creation vs sandboxes present](../bench/results/${SANDBOX_CHARTS.growth})`,
    '',
    'The same with notes: [bench/results/sandboxes.md](../bench/results/sandboxes.md).',
    '<!-- bench-sandboxes:end -->',
  ].join('\n');
}

/** Writes sandboxes.json, sandboxes.md and the charts to `dir`, and rewrites the docs page's section when given. */
export async function writeSandboxReport(r: SandboxReport, dir: string, options: { docs: string | null }): Promise<string[]> {
  const svg = charts(r);
  return writeReportFiles(
    dir,
    [
      ['sandboxes.json', `${JSON.stringify(r, null, 2)}\n`],
      ['sandboxes.md', sandboxMarkdown(r)],
      ...(Object.keys(SANDBOX_CHARTS) as (keyof typeof SANDBOX_CHARTS)[]).map((key) => [SANDBOX_CHARTS[key], svg[key]] as const),
    ],
    { page: options.docs, marker: 'bench-sandboxes', section: docsSection(r) },
  );
}
