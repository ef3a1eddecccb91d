/**
 * Webhook delivery latency (issue 16, "Tests and figures"): registers a receiver on 127.0.0.1 on a
 * running gateway (loopback URLs are allowed in development mode only), makes `mutations`
 * mutations one after another, each producing one event, and measures from the mutation's answer
 * to the receipt of its delivery. A delivery that arrives before the answer (the instance that
 * wrote the event delivers it at once) counts 0 ms. Nothing here asserts a figure.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { percentile } from './load.js';

export interface WebhookLatencyOptions {
  /** The gateway's base URL; requests go to `${url}/graphql`. */
  url: string;
  /** A bearer token of a global admin or admin agent (WEBHOOK-ADMIN; createCustomer needs ROLE-SUBSCRIPTIONS too). */
  token: string;
  /** Mutations made, one at a time. */
  mutations: number;
  /** How long to wait for one delivery before counting it missing. @default 10000 */
  timeoutMs?: number;
  progress?: (line: string) => void;
}

export interface WebhookLatencyResult {
  delivered: number;
  missing: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

async function graphql(
  options: WebhookLatencyOptions,
  query: string,
  variables: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${options.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`webhook latency: ${body.errors[0]!.message}`);
  return body.data!;
}

export async function webhookLatency(options: WebhookLatencyOptions): Promise<WebhookLatencyResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  /** Receipt time per customer ID (the event's ResourceId), and who waits for it. */
  const received = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      res.writeHead(200).end();
      const resourceId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { ResourceId: string }).ResourceId;
      if (!received.has(resourceId)) received.set(resourceId, at);
      waiting.get(resourceId)?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook-latency`;
  const created = await graphql(
    options,
    `
      mutation ($input: CreateWebhookRegistrationInput!) {
        createWebhookRegistration(input: $input) {
          registration {
            id
          }
        }
      }
    `,
    { input: { webhookUrl: receiverUrl, webhookEvents: ['customer-created'] } },
  );
  const registrationId = (created.createWebhookRegistration as { registration: { id: string } }).registration.id;
  const latencies: number[] = [];
  let missing = 0;
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  try {
    for (let i = 0; i < options.mutations; i++) {
      const data = await graphql(
        options,
        `
          mutation ($name: String!, $domain: String!) {
            createCustomer(
              input: { companyProfile: { companyName: $name, domain: $domain }, billingProfile: { defaultAddress: { country: "US" } } }
            ) {
              customer {
                id
              }
            }
          }
        `,
        { name: `Webhook latency ${run} ${i}`, domain: `whl-${run}-${i}.onmicrosoft.com` },
      );
      const answeredAt = performance.now();
      const id = (data.createCustomer as { customer: { id: string } }).customer.id;
      if (!received.has(id)) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          waiting.set(id, () => {
            clearTimeout(timer);
            resolve();
          });
        });
        waiting.delete(id);
      }
      const at = received.get(id);
      if (at === undefined) missing++;
      else latencies.push(Math.max(0, at - answeredAt));
      if ((i + 1) % 10 === 0) options.progress?.(`webhook latency: ${i + 1}/${options.mutations} delivered`);
    }
  } finally {
    await graphql(
      options,
      `
        mutation ($id: ID!) {
          deleteWebhookRegistration(input: { registrationId: $id }) {
            deletedRegistrationId
          }
        }
      `,
      {
        id: registrationId,
      },
    ).catch(() => {});
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    delivered: latencies.length,
    missing,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? 0,
  };
}
