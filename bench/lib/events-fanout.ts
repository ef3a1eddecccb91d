/**
 * Subscription fan-out (docs/live-events.md): `clients` graphql-ws clients of one partner, each its
 * own user (the per-caller connection cap counts users), subscribe to `eventAdded` on a running
 * gateway; then one more client renames a subscription `mutations` times over HTTP, one rename at
 * a time. For each rename, the latency is measured from the mutation's answer to its event's
 * receipt: at each client (per delivery) and at the last of them (the whole fan-out).
 *
 * An event usually arrives before the mutation's answer (the feed is told as soon as the write is
 * applied, before the answer is sent): such a delivery counts 0 ms from the answer. So the same
 * figures are given from the request too (sent to received), which includes the mutation's time.
 */
import { performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { mintToken } from '../../src/shared/tokens.js';
import { percentile } from './load.js';

export interface FanoutOptions {
  /** The gateway's base URL, e.g. http://127.0.0.1:4000. */
  url: string;
  /** The gateway's AUTH_SECRET, to mint one token per client. */
  authSecret: string;
  partnerId: string;
  /** A subscription of the partner whose friendly name the benchmark changes. */
  subscriptionId: string;
  /** @default 100 */
  clients?: number;
  /** @default 50 */
  mutations?: number;
  /** How long one rename's event may take to reach every client. @default 10000 */
  timeoutMs?: number;
}

export interface FanoutResult {
  clients: number;
  mutations: number;
  /** Deliveries received over deliveries expected (clients x mutations). */
  delivered: number;
  expected: number;
  /** Time for every client to connect and subscribe (until a warm-up event reached all). */
  connectMs: number;
  /** From a mutation's answer to its event at one client. */
  perDeliveryMs: Latency;
  /** From a mutation's answer to its event at the last client. */
  allClientsMs: Latency;
  /** From sending a mutation to its event at the last client. */
  allClientsSinceRequestMs: Latency;
}

export interface Latency {
  p50: number;
  p99: number;
  max: number;
}

const SUBSCRIPTION = 'subscription BenchFanout { eventAdded(types: ["subscription-updated"]) { operationId sequence } }';
const RENAME = `mutation BenchFanoutRename($id: ID!, $name: String!) {
  updateSubscription(input: { subscriptionId: $id, friendlyName: $name }) { operationId userErrors { code message } }
}`;

export async function measureEventFanout(options: FanoutOptions): Promise<FanoutResult> {
  const clients = options.clients ?? 100;
  const mutations = options.mutations ?? 50;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const wsUrl = `${options.url.replace(/^http/, 'ws')}/graphql`;
  const token = (userId: string) =>
    mintToken({ secret: options.authSecret, partnerId: options.partnerId, userId, roles: ['admin_agent'], expiresIn: '1h' });
  const writer = await token('bench-fanout-writer');

  /** Receipt time of each operation's event, per client. */
  const receipts = Array.from({ length: clients }, () => new Map<string, number>());
  const waiters = new Set<() => void>();
  let failure: string | null = null;
  const opened: Client[] = [];
  const disposers: (() => void)[] = [];
  const started = performance.now();
  try {
    for (let i = 0; i < clients; i++) {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${await token(`bench-fanout-${i}`)}` },
        retryAttempts: 0,
      });
      opened.push(client);
      disposers.push(
        client.subscribe<{ eventAdded: { operationId: string | null } }>(
          { query: SUBSCRIPTION },
          {
            next: ({ data }) => {
              if (data?.eventAdded.operationId) receipts[i]!.set(data.eventAdded.operationId, performance.now());
              for (const wake of waiters) wake();
            },
            error: (error) => {
              failure ??= `fan-out client ${i} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`;
            },
            complete: () => {},
          },
        ),
      );
    }
    const rename = async (name: string): Promise<{ operationId: string; sentAt: number; answeredAt: number }> => {
      const sentAt = performance.now();
      const response = await fetch(`${options.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${writer}` },
        body: JSON.stringify({ query: RENAME, variables: { id: options.subscriptionId, name } }),
      });
      const answeredAt = performance.now();
      const body = (await response.json()) as { data?: { updateSubscription: { operationId: string | null; userErrors: unknown[] } } };
      const operationId = body.data?.updateSubscription.operationId;
      if (!operationId) throw new Error(`the fan-out rename was not applied: ${JSON.stringify(body)}`);
      return { operationId, sentAt, answeredAt };
    };
    /** Until every client has the operation's event, or `ms` passed; how many have it. */
    const reached = async (operationId: string, ms: number): Promise<number> => {
      const deadline = performance.now() + ms;
      const count = () => receipts.filter((r) => r.has(operationId)).length;
      while (count() < clients && performance.now() < deadline) {
        if (failure) throw new Error(failure);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 50);
        });
      }
      return count();
    };

    // Warm-up: subscriptions are in place once a rename reaches every client (renamed until one does).
    for (let attempt = 0; ; attempt++) {
      const { operationId } = await rename(`Fan-out warm-up ${attempt}`);
      if ((await reached(operationId, 1000)) === clients) break;
      if (performance.now() - started > 60_000) throw new Error('fan-out clients did not all subscribe within 60 s');
    }
    const connectMs = performance.now() - started;

    const perDelivery: number[] = [];
    const allClients: number[] = [];
    const allSinceRequest: number[] = [];
    let delivered = 0;
    for (let m = 0; m < mutations; m++) {
      const { operationId, sentAt, answeredAt } = await rename(`Fan-out ${m}`);
      const got = await reached(operationId, timeoutMs);
      delivered += got;
      const times = receipts.flatMap((r) => (r.has(operationId) ? [Math.max(0, r.get(operationId)! - answeredAt)] : []));
      perDelivery.push(...times);
      if (got === clients) {
        allClients.push(Math.max(...times));
        allSinceRequest.push(Math.max(...receipts.map((r) => r.get(operationId)!)) - sentAt);
      }
    }
    const summary = (values: number[]): Latency => {
      const sorted = [...values].sort((a, b) => a - b);
      const round = (n: number) => Math.round(n * 10) / 10;
      return { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? 0) };
    };
    return {
      clients,
      mutations,
      delivered,
      expected: clients * mutations,
      connectMs: Math.round(connectMs),
      perDeliveryMs: summary(perDelivery),
      allClientsMs: summary(allClients),
      allClientsSinceRequestMs: summary(allSinceRequest),
    };
  } finally {
    for (const dispose of disposers) dispose();
    await Promise.all(opened.map((client) => client.dispose()));
  }
}
