/**
 * The events section (issue 16, "Tests and figures"): what events, webhooks and live subscriptions
 * cost and how fast they arrive.
 *  1. Write mix with events and a webhook on, against the same mix with events off
 *     (EVENTS_ENABLED=false, no registration): mutations per second, runs alternated, as a ratio
 *     (aim: at least 0.9x). The on runs' deliveries give the webhook latency from commit (the
 *     event's wall-clock time) to the receiver, p50 and p99.
 *  2. Fan-out (bench/lib/events-fanout.ts): 100 graphql-ws clients subscribed to `eventAdded`;
 *     sequential mutations; the latency from each mutation's answer to receipt at every client.
 * The gateway children and data sets are bench/run.ts's; this module drives a running gateway over
 * HTTP and WebSocket, so a test drives the same code against a test gateway
 * (test/e2e/bench-events.test.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Collections } from '../../src/db/collections.js';
import type { WritesRun } from './events-report.js';
import type { FanoutResult } from './events-fanout.js';
import { percentile } from './load.js';
import { PARTNER_ID } from './shapes.js';
import { runWrites } from './writes.js';

export interface LatencyStats {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function latencyOf(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50Ms: sorted.length ? percentile(sorted, 50) : Number.NaN,
    p99Ms: sorted.length ? percentile(sorted, 99) : Number.NaN,
    maxMs: sorted.length ? sorted.at(-1)! : Number.NaN,
  };
}

async function post<T>(url: string, token: string, query: string, variables: unknown): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) throw new Error(`${query.slice(0, 60)}...: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

/** A local webhook receiver: answers 200 at once and notes when each event (by its ID) first arrived. */
export interface Receiver {
  url: string;
  /** EventId -> [received at (epoch ms), the event's wall-clock time (epoch ms)]. */
  received: Map<string, [number, number]>;
  deliveries: number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received = new Map<string, [number, number]>();
  const state = { deliveries: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      state.deliveries++;
      try {
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { EventId: string; WallClockUtcDate: string };
        if (!received.has(event.EventId)) received.set(event.EventId, [at, Date.parse(event.WallClockUtcDate)]);
      } catch {
        // Not an event: counted as a delivery, nothing else.
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    get deliveries() {
      return state.deliveries;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const REGISTER = `mutation BenchRegister($input: CreateWebhookRegistrationInput!) {
  createWebhookRegistration(input: $input) { registration { id } userErrors { code rule message field } }
}`;

/** Registers `receiver` for every event but test-created; returns the registration's ID. */
export async function registerReceiver(url: string, token: string, receiver: Receiver, eventNames: readonly string[]): Promise<string> {
  const data = await post<{ createWebhookRegistration: { registration: { id: string } | null; userErrors: unknown[] } }>(
    url,
    token,
    REGISTER,
    { input: { webhookUrl: receiver.url, webhookEvents: eventNames.filter((n) => n !== 'test-created') } },
  );
  const p = data.createWebhookRegistration;
  if (!p.registration) throw new Error(`createWebhookRegistration refused: ${JSON.stringify(p.userErrors)}`);
  return p.registration.id;
}

/** Waits until `done()` or `ms` passed; returns whether it was done. */
export async function waitFor(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

export interface FanOutResult {
  clients: number;
  mutations: number;
  /** Events each client should have received (one per mutation). */
  expectedPerClient: number;
  /** Deliveries received over deliveries expected (clients x mutations). */
  delivered: number;
  expected: number;
  /** From a mutation's answer to its event at one client. */
  latency: LatencyStats;
  /** From a mutation's answer to its event at the last client. */
  allClientsMs: LatencyStats;
  connectMs: number;
}

/** The gateway's environment for a run of `mode`: events are written in on and events-only runs, not in off runs (docs/events.md). */
export function eventsEnv(mode: WritesRun['mode']): { EVENTS_ENABLED: string } {
  return { EVENTS_ENABLED: String(mode !== 'off') };
}

export interface EventsWritesOptions {
  /** A gateway started with eventsEnv(mode), on a data set of its own: every event of the partner in it is the run's. */
  url: string;
  token: string;
  cols: Collections;
  mode: WritesRun['mode'];
  clients: number;
  durationMs: number;
  /** The event types an on run's receiver is registered for (EVENT_TYPE_NAMES). */
  eventNames: readonly string[];
  /** How long an on run waits after the mix for the events not yet delivered. @default 60000 */
  deliveryWaitMs?: number;
  progress: (line: string) => void;
}

/**
 * One write-mix run (bench/lib/writes.ts). An on run registers a receiver for every event first
 * and, after the mix, waits until every event written has reached it: the run's deliveries, from
 * each event's commit (its wall-clock time) to its receipt, are `webhookMs`.
 */
export async function runEventsWrites(options: EventsWritesOptions): Promise<{ run: WritesRun; webhookMs: number[] }> {
  const { url, token, cols } = options;
  const receiver = options.mode === 'on' ? await startReceiver() : null;
  try {
    if (receiver) await registerReceiver(url, token, receiver, options.eventNames);
    const w = await runWrites({ url, token, cols, clients: options.clients, durationMs: options.durationMs, progress: options.progress });
    let written: number | null = null;
    const webhookMs: number[] = [];
    if (receiver) {
      const all = await cols.events.countDocuments({ partnerId: PARTNER_ID });
      written = all;
      const waitMs = options.deliveryWaitMs ?? 60_000;
      if (!(await waitFor(() => receiver.received.size >= all, waitMs)))
        options.progress(`  webhook: ${receiver.received.size} of ${all} delivered after ${Math.round(waitMs / 1000)} s`);
      for (const [at, committed] of receiver.received.values()) webhookMs.push(at - committed);
    }
    return {
      run: {
        mode: options.mode,
        mutationsPerSec: w.throughputPerSec,
        requests: w.requests,
        errors: w.errors,
        firstError: w.firstError,
        eventsWritten: written,
        eventsDelivered: receiver ? receiver.received.size : null,
      },
      webhookMs,
    };
  } finally {
    await receiver?.close();
  }
}

/** The fan-out's subscription: an active, paid new-commerce subscription of the partner that is no add-on; null when the data set has none. */
export async function fanOutSubscriptionId(cols: Collections): Promise<string | null> {
  const sub = await cols.subscriptions.findOne(
    { partnerId: PARTNER_ID, status: 'active', parentSubscriptionId: null, commerceType: 'new_commerce', isTrial: false },
    { projection: { _id: 1 } },
  );
  return sub?._id ?? null;
}

/** The fan-out's figures (bench/lib/events-fanout.ts) as the report holds them. */
export function fanOutOf(f: FanoutResult): FanOutResult {
  const stats = (l: { p50: number; p99: number; max: number }, samples: number): LatencyStats => ({
    samples,
    p50Ms: l.p50,
    p99Ms: l.p99,
    maxMs: l.max,
  });
  return {
    clients: f.clients,
    mutations: f.mutations,
    expectedPerClient: f.mutations,
    delivered: f.delivered,
    expected: f.expected,
    latency: stats(f.perDeliveryMs, f.delivered),
    allClientsMs: stats(f.allClientsMs, f.mutations),
    connectMs: f.connectMs,
  };
}
