/**
 * The events section's results (bench/lib/events.ts): issue 16's aims judged as met or missed
 * (never asserted by a test), and the files: events.{json,md}, one SVG chart, and the part of
 * docs/performance.md between its bench-events markers.
 */
import { latencyOf, type FanOutResult, type LatencyStats } from './events.js';
import { writeReportFiles, type Results, type Target } from './report.js';
import { barChart } from './svg.js';

export interface WritesRun {
  /** `on`: events and a webhook registered for all of them; `events`: events, no webhook; `off`: EVENTS_ENABLED=false. */
  mode: 'on' | 'events' | 'off';
  mutationsPerSec: number;
  requests: number;
  errors: number;
  firstError: string | null;
  /** On runs: events written during the run, and how many reached the receiver (by EventId). */
  eventsWritten: number | null;
  eventsDelivered: number | null;
}

export interface EventsReport {
  section: 'events';
  generatedAt: string;
  command: string;
  quick: boolean;
  machine: Results['machine'];
  backend: Results['backend'];
  writeClients: number;
  writesMs: number;
  runs: WritesRun[];
  /** Mean of the on runs over the mean of the off runs. */
  ratio: number;
  /** Mean of the events-only runs over the mean of the off runs: what writing the events costs, without delivering them. */
  eventsOnlyRatio: number;
  webhookLatency: LatencyStats;
  fanOut: FanOutResult | null;
  fanOutSkipped: string | null;
  aims: Target[];
  elapsedSeconds: number;
}

export const EVENTS_CHART = 'events-latency.svg';
export const EVENTS_AIMS = { ratio: 0.9 } as const;

const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
const msf = (v: number) => (!Number.isFinite(v) ? 'n/a' : v >= 100 ? v.toFixed(0) : v.toFixed(1));

export function meanRate(runs: readonly WritesRun[], mode: WritesRun['mode']): number {
  const r = runs.filter((x) => x.mode === mode);
  return r.length ? r.reduce((n, x) => n + x.mutationsPerSec, 0) / r.length : Number.NaN;
}

export function evaluateEventsAims(r: Omit<EventsReport, 'aims'>): Target[] {
  const written = r.runs.reduce((n, x) => n + (x.eventsWritten ?? 0), 0);
  const delivered = r.runs.reduce((n, x) => n + (x.eventsDelivered ?? 0), 0);
  const errors = r.runs.reduce((n, x) => n + x.errors, 0);
  return [
    {
      id: `write mix with events and a webhook on, at least ${EVENTS_AIMS.ratio}x the same with events off`,
      met: Number.isFinite(r.ratio) ? r.ratio >= EVENTS_AIMS.ratio : null,
      detail: `${f2(meanRate(r.runs, 'on'))} vs ${f2(meanRate(r.runs, 'off'))} mutations/s: ${f2(r.ratio)}x`,
    },
    {
      id: `write mix with events only (no webhook), at least ${EVENTS_AIMS.ratio}x the same with events off`,
      met: Number.isFinite(r.eventsOnlyRatio) ? r.eventsOnlyRatio >= EVENTS_AIMS.ratio : null,
      detail: `${f2(meanRate(r.runs, 'events'))} vs ${f2(meanRate(r.runs, 'off'))} mutations/s: ${f2(r.eventsOnlyRatio)}x`,
    },
    {
      id: 'every event written in the on runs reaches the webhook receiver',
      met: written > 0 ? delivered === written : null,
      detail: `${delivered} of ${written} events delivered; webhook latency from commit p50 ${msf(r.webhookLatency.p50Ms)} ms, p99 ${msf(r.webhookLatency.p99Ms)} ms`,
    },
    {
      id: 'every subscribed client receives every event (fan-out)',
      met: r.fanOut ? r.fanOut.delivered === r.fanOut.expected && r.fanOut.expected > 0 : null,
      detail: r.fanOut
        ? `${r.fanOut.delivered} of ${r.fanOut.expected} deliveries (${r.fanOut.clients} clients x ${r.fanOut.mutations} events); from the mutation's answer p50 ${msf(r.fanOut.latency.p50Ms)} ms, p99 ${msf(r.fanOut.latency.p99Ms)} ms at one client, p99 ${msf(r.fanOut.allClientsMs.p99Ms)} ms at the last`
        : `not measured: ${r.fanOutSkipped ?? 'not run'}`,
    },
    { id: 'no write fails in any run', met: errors === 0, detail: `${errors} errors` },
  ];
}

/** What a run of the section gives; eventsReportOf adds the figures drawn from it. */
export type EventsReportInput = Omit<EventsReport, 'section' | 'ratio' | 'eventsOnlyRatio' | 'webhookLatency' | 'aims'> & {
  /** The on runs' deliveries, each from its event's commit to its receipt. */
  webhookMs: readonly number[];
};

/** The report: the runs' mean rates as ratios to the off runs', the webhook latency, and the aims judged. */
export function eventsReportOf(input: EventsReportInput): EventsReport {
  const base = {
    section: 'events' as const,
    generatedAt: input.generatedAt,
    command: input.command,
    quick: input.quick,
    machine: input.machine,
    backend: input.backend,
    writeClients: input.writeClients,
    writesMs: input.writesMs,
    runs: input.runs,
    ratio: meanRate(input.runs, 'on') / meanRate(input.runs, 'off'),
    eventsOnlyRatio: meanRate(input.runs, 'events') / meanRate(input.runs, 'off'),
    webhookLatency: latencyOf(input.webhookMs),
    fanOut: input.fanOut,
    fanOutSkipped: input.fanOutSkipped,
    elapsedSeconds: input.elapsedSeconds,
  };
  return { ...base, aims: evaluateEventsAims(base) };
}

function header(r: EventsReport): string[] {
  const m = r.machine;
  return [
    `- **Command:** \`${r.command}\` (${r.elapsedSeconds.toFixed(0)} s${r.quick ? ', quick smoke run: tiny sizes, not figures to quote' : ''})`,
    `- **Backend:** ${r.backend.kind}, ${r.backend.version}`,
    `- **Machine:** ${m.cpus} x ${m.cpuModel}, ${m.memoryGb} GB, ${m.os}, Node ${m.node}; load average at start ${m.loadAverageAtStart.join(' / ')}`,
    `- **When:** ${r.generatedAt}`,
    `- **Write mix:** ${r.writeClients} clients, ${(r.writesMs / 1000).toFixed(0)} s per run, runs alternated: events and a webhook on, events only, events off, and again; each on a fresh data set and gateway`,
  ];
}

function tables(r: EventsReport): string[] {
  return [
    '| Aim | Result | Figures |',
    '| --- | --- | --- |',
    ...r.aims.map((t) => `| ${t.id} | ${t.met === null ? 'n/a' : t.met ? 'met' : '**missed**'} | ${t.detail} |`),
    '',
    '| Run | Events | Mutations/s | Requests | Errors | Events written | Delivered |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...r.runs.map(
      (x, i) =>
        `| ${i + 1} | ${x.mode} | ${f2(x.mutationsPerSec)} | ${x.requests} | ${x.errors} | ${x.eventsWritten ?? '-'} | ${x.eventsDelivered ?? '-'} |`,
    ),
    '',
    '| Latency from commit | Samples | p50 ms | p99 ms | max ms |',
    '| --- | --- | --- | --- | --- |',
    `| webhook delivery, under the write mix | ${r.webhookLatency.samples} | ${msf(r.webhookLatency.p50Ms)} | ${msf(r.webhookLatency.p99Ms)} | ${msf(r.webhookLatency.maxMs)} |`,
    ...(r.fanOut
      ? [
          `| eventAdded at ${r.fanOut.clients} graphql-ws clients (from the mutation's answer) | ${r.fanOut.latency.samples} | ${msf(r.fanOut.latency.p50Ms)} | ${msf(r.fanOut.latency.p99Ms)} | ${msf(r.fanOut.latency.maxMs)} |`,
        ]
      : []),
  ];
}

function chart(r: EventsReport): string {
  const groups = [
    { label: 'webhook', values: [r.webhookLatency.p50Ms, r.webhookLatency.p99Ms] },
    ...(r.fanOut ? [{ label: `${r.fanOut.clients} subscribers`, values: [r.fanOut.latency.p50Ms, r.fanOut.latency.p99Ms] }] : []),
  ];
  return barChart({
    title: `Event latency from commit to receiver (${r.backend.kind})`,
    xLabel: 'path',
    yLabel: 'ms',
    seriesNames: ['p50', 'p99'],
    groups,
  });
}

function docsSection(r: EventsReport): string {
  return [
    '<!-- bench-events:begin (written by `npm run bench` and `npm run bench -- events`; edit bench/lib/events-report.ts, not this) -->',
    ...header(r),
    '',
    ...tables(r),
    '',
    `![Event latency](../bench/results/${EVENTS_CHART})`,
    '<!-- bench-events:end -->',
  ].join('\n');
}

/** Writes events.json, events.md and the chart to `dir`, and rewrites the docs page's section when given. */
export async function writeEventsReport(r: EventsReport, dir: string, options: { docs: string | null }): Promise<string[]> {
  return writeReportFiles(
    dir,
    [
      ['events.json', `${JSON.stringify(r, null, 2)}\n`],
      [
        'events.md',
        ['# Events benchmark results', '', ...header(r), '', ...tables(r), '', `![Event latency](${EVENTS_CHART})`, ''].join('\n'),
      ],
      [EVENTS_CHART, chart(r)],
    ],
    { page: options.docs, marker: 'bench-events', section: docsSection(r) },
  );
}
