import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsEnv, fanOutOf, fanOutSubscriptionId, runEventsWrites } from '../../bench/lib/events.js';
import { measureEventFanout, type FanoutResult } from '../../bench/lib/events-fanout.js';
import { EVENTS_CHART, eventsReportOf, writeEventsReport, type WritesRun } from '../../bench/lib/events-report.js';
import { webhookLatency, type WebhookLatencyResult } from '../../bench/lib/webhook-latency.js';
import { EVENT_TYPE_NAMES } from '../../src/policy/events.js';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { PROJECT_ROOT } from '../../src/shared/config.js';
import { mintToken } from '../../src/shared/tokens.js';
import { aCustomer, aSubscription, guid } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * The events section of `npm run bench` (bench/lib/events.ts and the pieces it names) in small,
 * against test gateways, one per mode of the write mix, each started with the benchmark's own
 * environment for it (eventsEnv): the on run's receiver gets every event written, the events-only
 * run writes events and the off run none; every fan-out delivery arrives; the webhook latency
 * piece gets every delivery; and the report, chart and docs section are written. No figure is
 * asserted: timings belong to the benchmark, never to a test.
 */
describe('npm run bench -- events, with tiny sizes', () => {
  const MODES = ['on', 'events', 'off'] as const;
  const CLIENTS = 2;
  const FAN_OUT = { clients: 3, mutations: 3 };
  const LATENCY_MUTATIONS = 3;
  const CONTOSO = DEMO_PARTNERS.contoso.id;
  const FAN_OUT_SUBSCRIPTION = guid('bench-events-fanout');
  const out = mkdtempSync(path.join(os.tmpdir(), 'pcg-bench-events-'));
  const gateways = new Map<WritesRun['mode'], TestGateway>();
  const runs: WritesRun[] = [];
  const webhookMs: number[] = [];
  const eventsAfterRun = new Map<WritesRun['mode'], number>();
  let fanOutSubscription: string | null = null;
  let fanOut: FanoutResult;
  let latency: WebhookLatencyResult;

  beforeAll(async () => {
    const started = await Promise.all(
      MODES.map((mode) =>
        startTestGateway(
          async (cols) => {
            await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
            const customers = Array.from({ length: CLIENTS + 1 }, (_, i) =>
              aCustomer({ _id: guid(`bench-events-customer-${i}`), companyName: `Bench Events ${i}` }),
            );
            await cols.customers.insertMany(customers);
            await cols.subscriptions.insertOne(
              aSubscription({ _id: FAN_OUT_SUBSCRIPTION, customerId: customers.at(-1)!._id, offerId: OFFER_IDS.m365BusinessBasic }),
            );
          },
          // The benchmark's gateways run with the abuse limits out of the way (bench/run.ts gatewayEnv).
          { env: { ...eventsEnv(mode), WEBHOOK_POLL_MS: '50', RATE_LIMIT_PER_MINUTE: '100000000', RATE_LIMIT_BURST: '1000000' } },
        ),
      ),
    );
    MODES.forEach((mode, i) => gateways.set(mode, started[i]!));
    // Picked on the fresh data set, as the benchmark does: the mix's own purchases are candidates too.
    fanOutSubscription = await fanOutSubscriptionId(gateways.get('events')!.collections);
    for (const mode of MODES) {
      const gw = gateways.get(mode)!;
      const token = await mintToken({
        secret: gw.authSecret,
        partnerId: CONTOSO,
        userId: 'bench-events',
        roles: ['global_admin', 'admin_agent'],
      });
      const result = await runEventsWrites({
        url: gw.url,
        token,
        cols: gw.collections,
        mode,
        clients: CLIENTS,
        durationMs: 1000,
        eventNames: EVENT_TYPE_NAMES,
        deliveryWaitMs: 20_000,
        progress: () => {},
      });
      runs.push(result.run);
      webhookMs.push(...result.webhookMs);
      eventsAfterRun.set(mode, await gw.collections.events.countDocuments({ partnerId: CONTOSO }));
    }
    // Fan-out and webhook latency on the events-only gateway: events written, no registration of the mix's.
    const gw = gateways.get('events')!;
    fanOut = await measureEventFanout({
      url: gw.url,
      authSecret: gw.authSecret,
      partnerId: CONTOSO,
      subscriptionId: fanOutSubscription!,
      ...FAN_OUT,
    });
    const token = await mintToken({
      secret: gw.authSecret,
      partnerId: CONTOSO,
      userId: 'bench-events',
      roles: ['global_admin', 'admin_agent'],
    });
    latency = await webhookLatency({ url: gw.url, token, mutations: LATENCY_MUTATIONS });
  }, 180_000);
  afterAll(async () => {
    await Promise.all([...gateways.values()].map((gw) => gw.close()));
    rmSync(out, { recursive: true, force: true });
  });

  it('runs the write mix in each mode without an error; the on run delivers every event it wrote, the events-only run writes events, the off run none', () => {
    expect(runs.map((r) => r.mode)).toEqual(MODES);
    for (const run of runs) {
      expect(run, run.mode).toMatchObject({ errors: 0, firstError: null });
      expect(run.requests, run.mode).toBeGreaterThan(0);
    }
    const on = runs.find((r) => r.mode === 'on')!;
    expect(on.eventsWritten).toBe(eventsAfterRun.get('on'));
    expect(on.eventsWritten).toBeGreaterThan(0);
    expect(on.eventsDelivered).toBe(on.eventsWritten);
    expect(webhookMs).toHaveLength(on.eventsWritten!);
    expect(eventsAfterRun.get('events')).toBeGreaterThan(0);
    expect(eventsAfterRun.get('off')).toBe(0);
    for (const run of runs.filter((r) => r.mode !== 'on')) expect(run).toMatchObject({ eventsWritten: null, eventsDelivered: null });
  });

  it('delivers every fan-out event to every subscribed client, and every webhook latency delivery', () => {
    expect(fanOutSubscription).toBe(FAN_OUT_SUBSCRIPTION);
    expect(fanOut).toMatchObject({
      ...FAN_OUT,
      expected: FAN_OUT.clients * FAN_OUT.mutations,
      delivered: FAN_OUT.clients * FAN_OUT.mutations,
    });
    expect(latency).toMatchObject({ delivered: LATENCY_MUTATIONS, missing: 0 });
  });

  it('writes events.json and .md, the chart, and rewrites the bench-events part of docs/performance.md', async () => {
    const docs = path.join(out, 'performance.md');
    copyFileSync(path.join(PROJECT_ROOT, 'docs', 'performance.md'), docs);
    const before = readFileSync(docs, 'utf8');
    const report = eventsReportOf({
      generatedAt: new Date().toISOString(),
      command: 'npm run bench -- events (test)',
      quick: true,
      machine: { cpus: 2, cpuModel: 'test', memoryGb: 1, os: 'test', node: process.version, loadAverageAtStart: [0, 0, 0] },
      backend: { kind: 'test', version: 'test', ferretdb: false },
      writeClients: CLIENTS,
      writesMs: 1000,
      runs,
      webhookMs,
      fanOut: fanOutOf(fanOut),
      fanOutSkipped: null,
      elapsedSeconds: 1,
    });
    expect(report.webhookLatency.samples).toBe(webhookMs.length);
    // Judged, not asserted: each aim is met, missed or not measured; only deliveries and errors are not timings.
    expect(report.aims).toHaveLength(5);
    const aim = (start: string) => report.aims.find((a) => a.id.startsWith(start))?.met;
    expect(aim('every event written in the on runs reaches the webhook receiver')).toBe(true);
    expect(aim('every subscribed client receives every event')).toBe(true);
    expect(aim('no write fails in any run')).toBe(true);

    const files = await writeEventsReport(report, out, { docs });
    expect(files.map((f) => path.basename(f)).sort()).toEqual(['events.json', 'events.md', EVENTS_CHART, 'performance.md'].sort());
    const json = JSON.parse(readFileSync(path.join(out, 'events.json'), 'utf8')) as { section: string; runs: unknown[] };
    expect(json.section).toBe('events');
    expect(json.runs).toHaveLength(runs.length);
    const md = readFileSync(path.join(out, 'events.md'), 'utf8');
    for (const text of ['| Aim | Result | Figures |', '| 1 | on |', '| 2 | events |', '| 3 | off |', `](${EVENTS_CHART})`]) {
      expect(md).toContain(text);
    }
    expect(readFileSync(path.join(out, EVENTS_CHART), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\n$/);
    const after = readFileSync(docs, 'utf8');
    expect(after).not.toBe(before);
    expect(after).toContain('npm run bench -- events (test)');
    // Only the marked part changed.
    const outside = (text: string) => text.replace(/<!-- bench-events:begin[\s\S]*<!-- bench-events:end -->/, '');
    expect(outside(after)).toBe(outside(before));
  });
});
