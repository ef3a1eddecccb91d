/**
 * The events section (issue 16, "Tests and figures"): what events, webhooks and live subscriptions
 * cost and how fast they arrive.
 *  1. Write mix with events and a webhook on, against the same mix with events off
 *     (EVENTS_ENABLED=false, no registration): mutations per second, runs alternated, as a ratio
 *     (aim: at least 0.9x). The on runs' deliveries give the webhook latency from commit (the
 *     event's wall-clock time) to the receiver, p50 and p99.
 *  2. Fan-out (bench/lib/events-fanout.ts): 100 graphql-ws clients subscribed to `eventAdded`;
 *     sequential mutations; the latency from each mutation's answer to receipt at every client.
 * The runs themselves (gateway children, data sets) are bench/run.ts's; this module drives a
 * running gateway over HTTP and WebSocket, so a test can drive the same code against a test gateway.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { percentile } from './load.js';

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
