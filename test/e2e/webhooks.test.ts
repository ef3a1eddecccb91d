import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { webhookLatency } from '../../bench/lib/webhook-latency.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { mintToken } from '../../src/shared/tokens.js';
import { aCustomer, anOffer, aSubscription, guid, insertWorld } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { callAs } from '../support/sandbox-calls.js';
import { startSecondGateway } from '../support/second-gateway.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';

/*
 * Webhooks end to end (docs/webhooks.md): registration and its bad input over GraphQL, then real
 * deliveries to receivers on 127.0.0.1 (loopback is allowed in development mode): signed with the
 * docs' own verification code, retried, in order per resource, test events, no redirects followed,
 * hanging receivers delaying no request, and two gateway instances delivering each event once.
 */

/** Short schedules so retries happen within a test. */
const ENV = {
  WEBHOOK_POLL_MS: '50',
  WEBHOOK_RETRY_START_MS: '600',
  WEBHOOK_RETRY_MAX_MS: '1200',
  WEBHOOK_TIMEOUT_MS: '5000',
  WEBHOOK_LEASE_MS: '2000',
  WEBHOOK_CONCURRENCY: '20',
  WEBHOOK_MAX_PER_PARTNER: '4',
};

const CONTOSO = DEMO_PARTNERS.contoso.id;
const FABRIKAM = DEMO_PARTNERS.fabrikam.id;
const CUSTOMER = guid('wh-customer');
const SUB_A = guid('wh-sub-a');
const SUB_B = guid('wh-sub-b');
const OFFER = 'WH-OFFER-BASIC';

let gw: TestGateway;
const receivers: Receiver[] = [];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped GraphQL answers (raw documents): the tests assert their shape
type Loose = any;

interface Answer {
  status: number;
  data?: Record<string, Loose> | null;
  errors?: { message: string; extensions?: Record<string, Loose> }[];
}

async function call(
  query: string,
  variables: Record<string, unknown> = {},
  who: { partner?: string; roles?: string; url?: string } = {},
): Promise<Answer> {
  const response = await fetch(`${who.url ?? gw.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-partner-id': who.partner ?? CONTOSO,
      'x-partner-roles': who.roles ?? 'admin_agent',
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as Omit<Answer, 'status'>) };
}

function ok(answer: Answer): Record<string, Loose> {
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  return answer.data!;
}

const CREATE = `mutation($input: CreateWebhookRegistrationInput!) {
  createWebhookRegistration(input: $input) { registration { id webhookUrl webhookEvents } signingSecret dryRun }
}`;
const UPDATE = `mutation($input: UpdateWebhookRegistrationInput!) {
  updateWebhookRegistration(input: $input) { registration { id webhookUrl webhookEvents } signingSecret }
}`;
const DELETE = `mutation($input: DeleteWebhookRegistrationInput!) { deleteWebhookRegistration(input: $input) { deletedRegistrationId } }`;
const GET = `query($id: ID!) { webhookRegistration(id: $id) { id webhookUrl webhookEvents } }`;
const LIST = `{ webhookRegistrations { id webhookUrl webhookEvents } }`;
const DELIVERIES = `query($id: ID!, $filter: WebhookDeliveryFilter) {
  webhookDeliveries(registrationId: $id, first: 100, filter: $filter) {
    totalCount
    nodes { id eventId eventName eventSequence status nextAttemptAt attempts { attempt at durationMs responseStatus error } }
  }
}`;
const SEND_TEST = `mutation($id: ID!) {
  sendWebhookTestEvent(input: { registrationId: $id }) { testEvent { correlationId eventId registrationId status } }
}`;
const TEST_EVENT = `query($c: ID!) { webhookTestEvent(correlationId: $c) { correlationId eventId status delivery { status attempts { responseStatus } } } }`;
const RENAME = `mutation($id: ID!, $name: String!) {
  updateSubscription(input: { subscriptionId: $id, friendlyName: $name }) { operationId userErrors { code message } }
}`;
let customerCount = 0;
async function createCustomer(url?: string): Promise<string> {
  const n = ++customerCount;
  const query = `mutation($name: String!, $domain: String!) {
    createCustomer(input: { companyProfile: { companyName: $name, domain: $domain }, billingProfile: { defaultAddress: { country: "US" } } }) {
      customer { id }
    }
  }`;
  const data = ok(await call(query, { name: `Webhook Customer ${n}`, domain: `wh-${n}-${process.pid}.onmicrosoft.com` }, { url }));
  return data.createCustomer.customer.id as string;
}

async function rename(subscriptionId: string, name: string): Promise<string> {
  const data = ok(await call(RENAME, { id: subscriptionId, name }));
  expect(data.updateSubscription.userErrors).toEqual([]);
  return data.updateSubscription.operationId as string;
}

async function register(receiver: Receiver, events: string[], who: { partner?: string } = {}): Promise<{ id: string; secret: string }> {
  const data = ok(await call(CREATE, { input: { webhookUrl: receiver.url, webhookEvents: events } }, who));
  return { id: data.createWebhookRegistration.registration.id, secret: data.createWebhookRegistration.signingSecret };
}

async function unregister(id: string, who: { partner?: string } = {}): Promise<void> {
  ok(await call(DELETE, { input: { registrationId: id } }, who));
}

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

async function deliveries(id: string, filter?: Record<string, unknown>): Promise<Loose[]> {
  return ok(await call(DELIVERIES, { id, filter })).webhookDeliveries.nodes as Loose[];
}

/**
 * The delivery log once its `n` deliveries have all succeeded: the receiver has its answer a moment
 * before the worker records it.
 */
async function settled(id: string, n: number): Promise<Loose[]> {
  let log: Loose[] = [];
  for (let i = 0; i < 250; i++) {
    log = await deliveries(id);
    if (log.length === n && log.every((d) => d.status === 'SUCCEEDED')) return log;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return log;
}

/** The docs' ten lines (docs/webhooks.md, "Verifying a delivery"), loaded as written. */
async function docsVerify(): Promise<(secret: string, header: string, body: string) => boolean> {
  const docs = readFileSync(path.resolve(import.meta.dirname, '../../docs/webhooks.md'), 'utf8');
  const block = /<!-- verify:start -->\n```js\n([\s\S]*?)```\n<!-- verify:end -->/.exec(docs);
  expect(block, 'docs/webhooks.md has the verification block').not.toBeNull();
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'webhook-verify-')), 'verify.mjs');
  writeFileSync(file, block![1]!);
  return ((await import(pathToFileURL(file).href)) as { verify: (s: string, h: string, b: string) => boolean }).verify;
}

beforeAll(async () => {
  gw = await startTestGateway(
    (cols) =>
      insertWorld(cols, {
        offers: [anOffer({ _id: OFFER, name: 'Microsoft 365 Business Basic' })],
        customers: [aCustomer({ _id: CUSTOMER, companyName: 'Webhook Customer' })],
        subscriptions: [SUB_A, SUB_B].map((id) => aSubscription({ _id: id, customerId: CUSTOMER, offerId: OFFER, friendlyName: 'start' })),
      }),
    { env: ENV },
  );
}, 120_000);

// Each test registers its own receivers: none outlives its test, even a failed one.
afterEach(async () => {
  await gw.collections.webhookRegistrations.deleteMany({});
});

afterAll(async () => {
  for (const r of receivers) await r.close();
  await gw?.close();
});

describe('registration', () => {
  it('WEBHOOK-ADMIN: a registration is created, read, updated (events, URL, a rotated secret) and deleted; its secret is shown only when made', async () => {
    const r = await receiver();
    const dry = ok(await call(CREATE, { input: { webhookUrl: r.url, webhookEvents: ['customer-created'], dryRun: true } }));
    expect(dry.createWebhookRegistration).toMatchObject({ dryRun: true, signingSecret: null });
    expect(ok(await call(LIST)).webhookRegistrations).toEqual([]);

    const { id, secret } = await register(r, ['customer-created', 'subscription-updated', 'customer-created']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const expected = { id, webhookUrl: r.url, webhookEvents: ['customer-created', 'subscription-updated'] };
    expect(ok(await call(GET, { id })).webhookRegistration).toEqual(expected);
    expect(ok(await call(LIST)).webhookRegistrations).toEqual([expected]);

    const moved = ok(await call(UPDATE, { input: { registrationId: id, webhookEvents: ['invoice-ready'], webhookUrl: `${r.url}/v2` } }));
    expect(moved.updateWebhookRegistration).toEqual({
      registration: { ...expected, webhookUrl: `${r.url}/v2`, webhookEvents: ['invoice-ready'] },
      signingSecret: null,
    });
    const rotated = ok(await call(UPDATE, { input: { registrationId: id, rotateSecret: true } }));
    expect(rotated.updateWebhookRegistration.signingSecret).toMatch(/^whsec_/);
    expect(rotated.updateWebhookRegistration.signingSecret).not.toBe(secret);
    expect((await gw.collections.webhookRegistrations.findOne({ _id: id }))!.secret).toBe(rotated.updateWebhookRegistration.signingSecret);

    expect(ok(await call(DELETE, { input: { registrationId: id } })).deleteWebhookRegistration.deletedRegistrationId).toBe(id);
    expect((await call(GET, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(ok(await call(LIST)).webhookRegistrations).toEqual([]);
  });

  it('WEBHOOK-ADMIN: callers without global_admin or admin_agent are FORBIDDEN for every webhook field, and nothing is stored', async () => {
    const r = await receiver();
    for (const roles of ['billing_admin', 'helpdesk_agent', 'sales_agent']) {
      const created = await call(CREATE, { input: { webhookUrl: r.url, webhookEvents: ['customer-created'] } }, { roles });
      expect(created.errors?.[0]?.extensions, roles).toMatchObject({ code: 'FORBIDDEN', rule: 'WEBHOOK-ADMIN' });
      expect((await call(LIST, {}, { roles })).errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'WEBHOOK-ADMIN' });
    }
    const admin = ok(await call(CREATE, { input: { webhookUrl: r.url, webhookEvents: ['customer-created'] } }, { roles: 'global_admin' }));
    await unregister(admin.createWebhookRegistration.registration.id);
    expect(await gw.collections.webhookRegistrations.countDocuments({})).toBe(0);
  });

  it('WEBHOOK-URL: a host not allowed, another scheme, credentials or no URL at all is BAD_USER_INPUT naming input.webhookUrl; nothing stored', async () => {
    for (const webhookUrl of ['https://hooks.example.com/pc', 'ftp://127.0.0.1/hook', 'http://user:pw@127.0.0.1/hook', 'not a url']) {
      const answer = await call(CREATE, { input: { webhookUrl, webhookEvents: ['customer-created'] } });
      expect(answer.errors?.[0]?.extensions, webhookUrl).toMatchObject({
        code: 'BAD_USER_INPUT',
        rule: 'WEBHOOK-URL',
        field: 'input.webhookUrl',
      });
    }
    expect(await gw.collections.webhookRegistrations.countDocuments({})).toBe(0);
  });

  it('WEBHOOK-EVENTS: an unknown event name, or none, is BAD_USER_INPUT naming the field; an update with one changes nothing', async () => {
    const r = await receiver();
    const bad = await call(CREATE, { input: { webhookUrl: r.url, webhookEvents: ['customer-created', 'customer-exploded'] } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'WEBHOOK-EVENTS', field: 'input.webhookEvents[1]' });
    const none = await call(CREATE, { input: { webhookUrl: r.url, webhookEvents: [] } });
    expect(none.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'WEBHOOK-EVENTS' });
    expect(await gw.collections.webhookRegistrations.countDocuments({})).toBe(0);

    const { id } = await register(r, ['customer-created']);
    const update = await call(UPDATE, {
      input: { registrationId: id, webhookEvents: ['nope'], webhookUrl: 'https://elsewhere.example.com/' },
    });
    expect(update.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(ok(await call(GET, { id })).webhookRegistration).toMatchObject({ webhookUrl: r.url, webhookEvents: ['customer-created'] });
    await unregister(id);
  });

  it("WEBHOOK-QUOTA: a partner holds at most WEBHOOK_MAX_PER_PARTNER registrations; ROLE-TENANT: another partner's registration is NOT_FOUND everywhere", async () => {
    const r = await receiver();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await register(r, ['customer-created'], { partner: FABRIKAM })).id);
    const fifth = await call(CREATE, { input: { webhookUrl: r.url, webhookEvents: ['customer-created'] } }, { partner: FABRIKAM });
    expect(fifth.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'WEBHOOK-QUOTA' });
    expect(await gw.collections.webhookRegistrations.countDocuments({ partnerId: FABRIKAM })).toBe(4);

    const theirs = ids[0]!;
    for (const [query, variables] of [
      [GET, { id: theirs }],
      [UPDATE, { input: { registrationId: theirs, webhookEvents: ['invoice-ready'] } }],
      [DELETE, { input: { registrationId: theirs } }],
      [DELIVERIES, { id: theirs }],
      [SEND_TEST, { id: theirs }],
    ] as const) {
      expect((await call(query, variables)).errors?.[0]?.extensions?.code, query).toBe('NOT_FOUND');
    }
    expect(ok(await call(LIST)).webhookRegistrations).toEqual([]);
    for (const id of ids) await unregister(id, { partner: FABRIKAM });
  });
});

describe('deliveries', () => {
  it("a mutation's events arrive signed, named and shaped as Partner Center's; the docs' verification code accepts them and refuses a tampered body or a wrong secret", async () => {
    const verify = await docsVerify();
    const r = await receiver();
    const { id, secret } = await register(r, ['customer-created', 'subscription-updated']);
    const operationId = await rename(SUB_A, 'signed');
    const customerId = await createCustomer();
    await r.waitFor(() => r.delivered().length >= 2);

    const renamed = r.received.find((x) => JSON.parse(x.body).EventName === 'subscription-updated')!;
    const payload = JSON.parse(renamed.body);
    expect(payload).toMatchObject({
      EventName: 'subscription-updated',
      ResourceName: 'subscription',
      ResourceId: SUB_A,
      ResourceUri: `https://api.partnercenter.microsoft.com/webhooks/v1/customers/${CUSTOMER}/subscriptions/${SUB_A}`,
      PartnerId: CONTOSO,
      CustomerId: CUSTOMER,
      OperationId: operationId,
      OperationType: 'update_subscription',
      Changes: { friendlyName: 'signed' },
    });
    expect(renamed.headers['x-pcg-event-id']).toBe(payload.EventId);
    expect(renamed.headers['x-pcg-event-name']).toBe('subscription-updated');
    expect(renamed.headers['x-pcg-delivery-attempt']).toBe('1');
    expect(renamed.headers['content-type']).toBe('application/json');
    const created = r.delivered().find((p) => p.EventName === 'customer-created')!;
    expect(created).toMatchObject({ ResourceName: 'customer', ResourceId: customerId, CustomerId: customerId });

    for (const request of r.received) {
      const header = request.headers['x-pcg-signature'] as string;
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verify(secret, header, request.body)).toBe(true);
      expect(verify(secret, header, request.body.replace('"Sequence":', '"Sequence":1'))).toBe(false);
      expect(verify(`${secret}x`, header, request.body)).toBe(false);
    }
    const log = await settled(id, 2);
    expect(log.map((d) => [d.eventName, d.status, d.attempts.length])).toEqual([
      ['subscription-updated', 'SUCCEEDED', 1],
      ['customer-created', 'SUCCEEDED', 1],
    ]);
    expect(log[0].attempts[0]).toMatchObject({ attempt: 1, responseStatus: 200, error: null });
    await unregister(id);
  });

  it('a receiver answering 500 and then 200 gets the retry, with the same event ID; the log shows both attempts', async () => {
    const r = await receiver((_, i) => ({ status: i === 0 ? 500 : 200 }));
    const { id } = await register(r, ['subscription-updated']);
    await rename(SUB_A, 'retried');
    await r.waitFor(() => r.delivered().length >= 1);
    const [delivery] = await settled(id, 1);
    expect(r.received.map((x) => x.answered)).toEqual([500, 200]);
    expect(r.received[0]!.headers['x-pcg-event-id']).toBe(r.received[1]!.headers['x-pcg-event-id']);
    expect(r.received.map((x) => x.headers['x-pcg-delivery-attempt'])).toEqual(['1', '2']);
    expect(delivery).toMatchObject({ status: 'SUCCEEDED', nextAttemptAt: null });
    expect(delivery.attempts.map((a: Loose) => [a.attempt, a.responseStatus, a.error])).toEqual([
      [1, 500, 'the receiver answered HTTP 500'],
      [2, 200, null],
    ]);
    // The retry waited at least half of WEBHOOK_RETRY_START_MS.
    expect(Date.parse(delivery.attempts[1].at) - Date.parse(delivery.attempts[0].at)).toBeGreaterThanOrEqual(300);
    await unregister(id);
  });

  it("in order per resource: a subscription's later events wait while its first is retried; another resource's go on", async () => {
    let failures = 0;
    const r = await receiver((request) => {
      if (JSON.parse(request.body).ResourceId === SUB_B && failures < 2) {
        failures++;
        return { status: 503 };
      }
      return { status: 200 };
    });
    const { id } = await register(r, ['subscription-updated']);
    await rename(SUB_B, 'order 1');
    await r.waitFor(() => failures === 1);
    await rename(SUB_B, 'order 2');
    await rename(SUB_B, 'order 3');
    await rename(SUB_A, 'other resource');
    await r.waitFor(() => r.delivered().length >= 4);
    const name = (body: string) => (JSON.parse(body).Changes as { friendlyName: string }).friendlyName;
    const subB = r.delivered().filter((p) => p.ResourceId === SUB_B);
    expect(subB.map((p) => (p.Changes as { friendlyName: string }).friendlyName)).toEqual(['order 1', 'order 2', 'order 3']);
    const sequences = subB.map((p) => p.Sequence as number);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    // SUB_B's first event was tried three times before anything later of SUB_B was sent; SUB_A's went meanwhile.
    const attempts = r.received.map((x) => [name(x.body), x.answered]);
    const firstDone = attempts.findIndex(([n, status]) => n === 'order 1' && status === 200);
    expect(attempts.slice(0, firstDone + 1).filter(([n]) => n === 'order 1')).toEqual([
      ['order 1', 503],
      ['order 1', 503],
      ['order 1', 200],
    ]);
    expect(attempts.findIndex(([n]) => n === 'order 2')).toBeGreaterThan(firstDone);
    expect(attempts.findIndex(([n]) => n === 'other resource')).toBeLessThan(firstDone);
    await unregister(id);
  });

  it('WEBHOOK-TEST-RATE: sendWebhookTestEvent delivers test-created to that registration only, its status is readable; a third in a minute is RATE_LIMITED', async () => {
    const mine = await receiver();
    const other = await receiver();
    const { id } = await register(mine, ['invoice-ready']);
    const { id: otherId } = await register(other, ['test-created']);
    const sent = ok(await call(SEND_TEST, { id })).sendWebhookTestEvent.testEvent;
    expect(sent).toMatchObject({ registrationId: id, status: 'PENDING' });
    await mine.waitFor(() => mine.delivered().length >= 1);
    expect(mine.delivered()[0]).toMatchObject({
      EventName: 'test-created',
      ResourceName: 'test',
      ResourceId: sent.correlationId,
      EventId: sent.eventId,
    });

    let status = '';
    for (let i = 0; i < 100 && status !== 'SUCCEEDED'; i++) {
      status = ok(await call(TEST_EVENT, { c: sent.correlationId })).webhookTestEvent.status;
      if (status !== 'SUCCEEDED') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(ok(await call(TEST_EVENT, { c: sent.correlationId })).webhookTestEvent).toMatchObject({
      status: 'SUCCEEDED',
      delivery: { status: 'SUCCEEDED', attempts: [{ responseStatus: 200 }] },
    });
    expect((await deliveries(id, { eventId: sent.eventId })).map((d) => d.status)).toEqual(['SUCCEEDED']);

    ok(await call(SEND_TEST, { id }));
    const third = await call(SEND_TEST, { id });
    expect(third.status).toBe(429);
    expect(third.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', rule: 'WEBHOOK-TEST-RATE' });
    await mine.waitFor(() => mine.delivered().length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(other.received).toEqual([]);
    expect(await deliveries(otherId)).toEqual([]);
    await unregister(id);
    await unregister(otherId);
  });

  it('a redirect is not followed: the 3xx is a failed attempt, logged, and the target gets nothing', async () => {
    const target = await receiver();
    const r = await receiver(() => ({ status: 307, location: target.url }));
    const { id } = await register(r, ['subscription-updated']);
    await rename(SUB_A, 'redirected');
    await r.waitFor(() => r.received.length >= 1);
    let log: Loose[] = [];
    for (let i = 0; i < 100 && (log[0]?.attempts.length ?? 0) === 0; i++) {
      log = await deliveries(id);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(log[0]).toMatchObject({ status: 'PENDING' });
    expect(log[0].attempts[0]).toMatchObject({ responseStatus: 307, error: expect.stringContaining('redirects are not followed') });
    expect(log[0].nextAttemptAt).not.toBeNull();
    expect(target.received).toEqual([]);
    await unregister(id);
  });

  it('an attempt with no answer within WEBHOOK_TIMEOUT_MS is cut off and logged as failed, and retried', { timeout: 30_000 }, async () => {
    const r = await receiver((_, i) => (i === 0 ? 'hang' : { status: 200 }));
    const { id } = await register(r, ['subscription-updated']);
    await rename(SUB_A, 'timed out');
    await r.waitFor(() => r.delivered().length >= 1, 20_000, 'the retry after the timeout');
    const [delivery] = await settled(id, 1);
    expect(delivery.status).toBe('SUCCEEDED');
    expect(delivery.attempts[0]).toMatchObject({ attempt: 1, responseStatus: null, error: 'no answer within 5000 ms' });
    expect(delivery.attempts[0].durationMs).toBeGreaterThanOrEqual(4900);
    expect(delivery.attempts[1]).toMatchObject({ attempt: 2, responseStatus: 200, error: null });
    r.releaseHanging();
    await unregister(id);
  });

  it('a receiver that hangs delays no GraphQL request: queries stay fast while 20 deliveries hang', async () => {
    const r = await receiver(() => 'hang');
    const { id } = await register(r, ['customer-created']);
    for (let i = 0; i < 20; i++) await createCustomer();
    await r.waitFor(() => r.hanging() >= 20, 10_000, '20 hanging deliveries');
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      ok(await call(`{ customers(first: 5) { nodes { id } } webhookRegistrations { id } }`));
      latencies.push(performance.now() - started);
    }
    expect(r.hanging()).toBeGreaterThanOrEqual(20);
    expect(Math.max(...latencies), `latencies ${latencies.map((l) => l.toFixed(0)).join(', ')} ms`).toBeLessThan(1000);
    r.releaseHanging(200);
    await unregister(id);
  });
});

describe('several gateway instances', () => {
  it('a second instance delivers events applied through the first; with both delivering, each event reaches the receiver once', async () => {
    // A writer instance that never looks for registrations itself (hourly poll, started before
    // this one existed): every delivery of the events written through it is the other's.
    const writer = await startSecondGateway(gw, { env: { ...ENV, WEBHOOK_POLL_MS: '3600000' } });
    const r = await receiver();
    const { id } = await register(r, ['customer-created']);
    const written: string[] = [];
    for (let i = 0; i < 3; i++) written.push(await createCustomer(writer.url));
    await r.waitFor(() => r.delivered().length >= 3);
    // Different resources: delivered concurrently, in any order.
    expect(new Set(r.delivered().map((p) => p.ResourceId))).toEqual(new Set(written));
    await writer.close();

    // Now two instances polling every 50 ms, and events written through both.
    const second = await startSecondGateway(gw, { env: ENV });
    try {
      const more: string[] = [];
      for (let i = 0; i < 10; i++) more.push(await createCustomer(i % 2 === 0 ? gw.url : second.url));
      await r.waitFor(() => r.delivered().length >= 13);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const ids = r.received.map((x) => x.headers['x-pcg-event-id']);
      expect(ids).toHaveLength(13);
      expect(new Set(ids).size).toBe(13);
      expect(new Set(r.delivered().map((p) => p.ResourceId))).toEqual(new Set([...written, ...more]));
    } finally {
      await second.close();
    }
    await unregister(id);
  });
});

describe('webhooks of a test sandbox', () => {
  it("a sandbox's registrations get its events, stay through a reset (not snapshotted) and are deleted with the sandbox, delivery log included", async () => {
    const created = await callAs<Loose>(
      gw.url,
      { partner: CONTOSO },
      `mutation ($input: CreateSandboxInput!) { createSandbox(input: $input) { sandbox { id partnerId } tokens { token } } }`,
      {
        input: { name: 'Webhook sandbox', roles: ['GLOBAL_ADMIN', 'ADMIN_AGENT'], ttl: 'PT1H' },
      },
    );
    expect(created.errors).toBeUndefined();
    const { sandbox, tokens } = created.data!.createSandbox;
    const sb = { token: tokens[0].token as string };
    const r = await receiver();
    const registered = await callAs<Loose>(gw.url, sb, CREATE, { input: { webhookUrl: r.url, webhookEvents: ['customer-created'] } });
    expect(registered.errors).toBeUndefined();
    const id = registered.data!.createWebhookRegistration.registration.id as string;
    const customer = await callAs<Loose>(
      gw.url,
      sb,
      `mutation { createCustomer(input: { companyProfile: { companyName: "Sandboxed", domain: "sandboxed-webhook.onmicrosoft.com" }, billingProfile: { defaultAddress: { country: "US" } } }) { customer { id } } }`,
    );
    expect(customer.errors).toBeUndefined();
    await r.waitFor(() => r.delivered().length >= 1);
    expect(r.delivered()[0]).toMatchObject({ PartnerId: sandbox.partnerId, EventName: 'customer-created' });

    const reset = await callAs<Loose>(
      gw.url,
      { partner: CONTOSO },
      `mutation ($id: ID!) { resetSandbox(input: { sandboxId: $id }) { dryRun } }`,
      { id: sandbox.id },
    );
    expect(reset.errors).toBeUndefined();
    expect((await callAs<Loose>(gw.url, sb, GET, { id })).data?.webhookRegistration?.id).toBe(id);

    const deleted = await callAs<Loose>(
      gw.url,
      { partner: CONTOSO },
      `mutation ($id: ID!) { deleteSandbox(input: { sandboxId: $id }) { deletedSandboxId } }`,
      { id: sandbox.id },
    );
    expect(deleted.errors).toBeUndefined();
    for (const name of ['webhookRegistrations', 'webhookCursors', 'webhookDeliveries'] as const) {
      expect(await gw.collections[name].countDocuments({ partnerId: sandbox.partnerId }), name).toBe(0);
    }
  });
});

describe('the benchmark piece (bench/lib/webhook-latency.ts)', () => {
  it('registers a local receiver, measures delivery latency from each mutation to its receipt, and deletes its registration', async () => {
    const token = await mintToken({ secret: gw.authSecret, partnerId: CONTOSO, roles: ['global_admin', 'admin_agent'] });
    const result = await webhookLatency({ url: gw.url, token, mutations: 5 });
    expect(result).toMatchObject({ delivered: 5, missing: 0 });
    expect(result.p50Ms).toBeLessThanOrEqual(result.p99Ms);
    expect(result.p99Ms).toBeLessThan(5000);
    expect(await gw.collections.webhookRegistrations.countDocuments({ partnerId: CONTOSO })).toBe(0);
  });
});
