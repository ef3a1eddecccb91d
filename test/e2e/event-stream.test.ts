import { ApolloClient, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { Client as UrqlClient, subscriptionExchange } from '@urql/core';
import { print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Collections } from '../../src/db/collections.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { mintToken } from '../../src/shared/tokens.js';
import {
  EsAdvanceClockDocument,
  EsEventAddedDocument,
  EsRenameDocument,
  type EsEventAddedSubscription,
  type EsEventAddedSubscriptionVariables,
} from '../generated/graphql.js';
import { aCustomer, anOffer, aSubscription, guid, insertWorld, T0 } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { callAs } from '../support/sandbox-calls.js';
import { startSecondGateway, type SecondGateway } from '../support/second-gateway.js';

/*
 * Live events (docs/live-events.md): `eventAdded` over graphql-ws (Apollo Client's GraphQLWsLink)
 * and graphql-sse (urql's subscriptionExchange), fed by mutations another client makes over HTTP,
 * on this instance and on a second one over the same database; authentication at connect, tenant
 * isolation, filters, the connection cap and the document limits.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const FABRIKAM = DEMO_PARTNERS.fabrikam.id;
const OFFER = 'CFQ7TTC0LH18:0001';
const ISV_OFFER = 'ISVLIVE00001:0001';
const C1 = guid('es-customer-1');
const C2 = guid('es-customer-2');
const F1 = guid('es-fabrikam-customer');
const SUBS = [guid('es-sub-1'), guid('es-sub-2'), guid('es-sub-3')];
const SUB_C2 = guid('es-sub-c2');
const SUB_F = guid('es-sub-fabrikam');
const SUB_ISV = guid('es-sub-marketplace');
/** Renew 1, 2 and 3 days after T0: inside one advance of the clock. */
const RENEWING = [1, 2, 3].map((day) => ({ id: guid(`es-renewing-${day}`), day }));
const DAY = 86_400_000;

type Event = EsEventAddedSubscription['eventAdded'];

async function seed(cols: Collections): Promise<void> {
  await insertWorld(cols, {
    offers: [
      anOffer({ _id: OFFER, name: 'Microsoft 365 Business Basic' }),
      anOffer({ _id: ISV_OFFER, name: 'Contoso Marketplace App', publisher: 'isv' }),
    ],
    customers: [
      aCustomer({ _id: C1, companyName: 'Stream One Ltd' }),
      aCustomer({ _id: C2, companyName: 'Stream Two Ltd' }),
      aCustomer({ _id: F1, companyName: 'Fabrikam Stream Ltd', partnerId: FABRIKAM }),
    ],
    subscriptions: [
      ...SUBS.map((id) => aSubscription({ _id: id, customerId: C1, offerId: OFFER })),
      aSubscription({ _id: SUB_C2, customerId: C2, offerId: OFFER }),
      aSubscription({ _id: SUB_F, customerId: F1, offerId: OFFER, partnerId: FABRIKAM }),
      aSubscription({ _id: SUB_ISV, customerId: C1, offerId: ISV_OFFER, publisher: 'isv' }),
      ...RENEWING.map(({ id, day }) =>
        aSubscription({
          _id: id,
          customerId: C2,
          offerId: OFFER,
          effectiveStartDate: new Date(T0.getTime() + day * DAY - 365 * DAY),
          commitmentEndDate: new Date(T0.getTime() + day * DAY),
        }),
      ),
    ],
  });
}

let gw: TestGateway;
let contoso: string;
let writer: string;
let fabrikam: string;

beforeAll(async () => {
  gw = await startTestGateway(seed, {
    devHeaderAuth: false,
    env: { EVENT_POLL_MS: '50', LIVE_MAX_CONNECTIONS_PER_CALLER: '4', PARTNER_CACHE_MS: '0' },
  });
  contoso = await mintToken({ secret: gw.authSecret, partnerId: CONTOSO, userId: 'listener', roles: ['global_admin', 'admin_agent'] });
  writer = await mintToken({ secret: gw.authSecret, partnerId: CONTOSO, userId: 'writer', roles: ['global_admin', 'admin_agent'] });
  fabrikam = await mintToken({ secret: gw.authSecret, partnerId: FABRIKAM, userId: 'listener', roles: ['global_admin', 'admin_agent'] });
});
afterAll(() => gw?.close());

// ---------------------------------------------------------------------------------------------

const wsUrl = (httpUrl: string) => `${httpUrl.replace(/^http/, 'ws')}/graphql`;

function wsClient(httpUrl: string, token?: string): WsClient {
  return createWsClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
}

/** Polls `condition` until it holds, failing after `ms`. */
async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The subscribers of `partner` on the gateway, once they are in place (a subscribe is asynchronous). */
const subscribed = (target: Pick<TestGateway, 'services'>, partner: string, n: number) =>
  until(() => target.services.eventFeed.subscriberCount(partner) === n, `${n} subscriber(s) of ${partner}`);

/** A raw graphql-ws subscription: what it received, and its errors. */
function listen(client: WsClient, variables: EsEventAddedSubscriptionVariables = {}, query = print(EsEventAddedDocument)) {
  const events: Event[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const dispose = client.subscribe<EsEventAddedSubscription>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) events.push(result.data.eventAdded);
      },
      // graphql-ws hands a refused operation's GraphQL errors over as an array.
      error: (error) => errors.push(...(Array.isArray(error) ? (error as unknown[]) : [error])),
      complete: () => (completed = true),
    },
  );
  return { events, errors, dispose, completed: () => completed };
}

async function rename(id: string, friendlyName: string, token = writer, target: Pick<TestGateway, 'execute'> = gw) {
  const answer = await target.execute(EsRenameDocument, { id, friendlyName }, { token });
  expect(answer.errors).toBeUndefined();
  expect(answer.data?.updateSubscription.userErrors).toEqual([]);
  return answer.data!.updateSubscription.operationId!;
}

/** How a connection attempt ends: acknowledged, or closed with a code and reason. */
function connectOutcome(
  httpUrl: string,
  connectionParams: Record<string, unknown>,
): Promise<'connected' | { code: number; reason: string }> {
  return new Promise((resolve) => {
    const client = createWsClient({
      url: wsUrl(httpUrl),
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => {},
      on: {
        connected: () => resolve('connected'),
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          resolve({ code, reason: String(reason) });
        },
      },
    });
    open.push(client);
  });
}
const open: WsClient[] = [];
afterAll(async () => {
  for (const client of open) await client.dispose();
});

// ---------------------------------------------------------------------------------------------

describe('eventAdded: clients receive the events of mutations another client makes', () => {
  it('Apollo Client (GraphQLWsLink over graphql-ws) receives each event with its name and Partner Center payload, in sequence order', async () => {
    const client = wsClient(gw.url, contoso);
    open.push(client);
    const apollo = new ApolloClient({ link: new GraphQLWsLink(client), cache: new InMemoryCache() });
    const received: Event[] = [];
    const errors: unknown[] = [];
    const subscription = apollo.subscribe({ query: EsEventAddedDocument }).subscribe({
      next: (result) => (result.data ? received.push(result.data.eventAdded) : errors.push(result.error)),
      error: (error: unknown) => errors.push(error),
    });
    await subscribed(gw, CONTOSO, 1);

    const first = await rename(SUBS[0]!, 'Live one');
    const second = await rename(SUBS[1]!, 'Live two');
    await until(() => received.length >= 2, 'two events');
    subscription.unsubscribe();

    expect(errors).toEqual([]);
    expect(received.map((e) => [e.type, e.resourceName, e.resourceId, e.customerId, e.operationId])).toEqual([
      ['subscription-updated', 'subscription', SUBS[0], C1, first],
      ['subscription-updated', 'subscription', SUBS[1], C1, second],
    ]);
    expect(received[1]!.sequence).toBe(received[0]!.sequence + 1);
    const payload = JSON.parse(received[0]!.payload) as Record<string, unknown>;
    expect(payload).toMatchObject({
      EventName: 'subscription-updated',
      ResourceName: 'subscription',
      EventId: received[0]!.id,
      Sequence: received[0]!.sequence,
      PartnerId: CONTOSO,
      CustomerId: C1,
      ResourceId: SUBS[0],
      OperationId: first,
      ResourceChangeUtcDate: received[0]!.at,
    });
    expect(payload.ResourceUri).toMatch(new RegExp(`/customers/${C1}/subscriptions/${SUBS[0]}$`));
    expect(JSON.stringify(payload.Changes)).toContain('Live one');
    await until(() => gw.services.eventFeed.subscriberCount(CONTOSO) === 0, 'the subscription to end');
  });

  it('urql (subscriptionExchange over graphql-sse) receives them too', async () => {
    const sse = createSseClient({
      url: `${gw.url}/graphql/stream`,
      headers: { authorization: `Bearer ${contoso}` },
      retryAttempts: 0,
    });
    const urql = new UrqlClient({
      url: `${gw.url}/graphql`,
      exchanges: [
        subscriptionExchange({
          forwardSubscription: (request) => ({
            subscribe: (sink) => ({ unsubscribe: sse.subscribe({ ...request, query: request.query ?? '' }, sink) }),
          }),
        }),
      ],
    });
    const received: Event[] = [];
    const errors: unknown[] = [];
    const subscription = urql.subscription(EsEventAddedDocument, { customerId: C1 }).subscribe((result) => {
      if (result.error) errors.push(result.error);
      if (result.data) received.push(result.data.eventAdded);
    });
    await subscribed(gw, CONTOSO, 1);

    const operationId = await rename(SUBS[2]!, 'Streamed over SSE');
    await until(() => received.length >= 1, 'an event over SSE');
    subscription.unsubscribe();
    sse.dispose();

    expect(errors).toEqual([]);
    expect(received.map((e) => [e.type, e.resourceId, e.operationId])).toEqual([['subscription-updated', SUBS[2], operationId]]);
    expect(JSON.parse(received[0]!.payload)).toMatchObject({ EventName: 'subscription-updated', Sequence: received[0]!.sequence });
    await until(() => gw.services.eventFeed.subscriberCount(CONTOSO) === 0, 'the SSE subscription to end');
    await until(() => gw.liveConnections() === 0, 'the SSE connection to close');
  });

  it('a subscriber connected to a second instance receives the events of a mutation applied through the first', async () => {
    const second: SecondGateway = await startSecondGateway(gw);
    try {
      const client = wsClient(second.url, contoso);
      open.push(client);
      const sub = listen(client);
      await subscribed(second, CONTOSO, 1);
      // Nobody on the first instance follows Contoso: only the second's poll can find it.
      expect(gw.services.eventFeed.subscriberCount(CONTOSO)).toBe(0);
      const operationId = await rename(SUBS[0]!, 'Across instances');
      await until(() => sub.events.length >= 1, 'the event on the second instance');
      expect(sub.errors).toEqual([]);
      expect(sub.events.map((e) => [e.type, e.resourceId, e.operationId])).toEqual([['subscription-updated', SUBS[0], operationId]]);
      sub.dispose();
    } finally {
      await second.close();
    }
  });
});

describe('eventAdded: who may subscribe, and to what', () => {
  it('no token, a bad token and a deleted sandbox’s token are refused at connect: 4401 UNAUTHENTICATED', async () => {
    const created = await callAs<{ createSandbox: { sandbox: { id: string }; tokens: { token: string }[] } }>(
      gw.url,
      { token: contoso },
      `mutation ($input: CreateSandboxInput!) { createSandbox(input: $input) { sandbox { id } tokens { token } } }`,
      { input: { name: 'live events' } },
    );
    expect(created.errors).toBeUndefined();
    const sandbox = created.data!.createSandbox;
    const sandboxToken = sandbox.tokens[0]!.token;
    expect(await connectOutcome(gw.url, { authorization: `Bearer ${sandboxToken}` })).toBe('connected');
    const deleted = await callAs(
      gw.url,
      { token: contoso },
      `mutation ($id: ID!) { deleteSandbox(input: { sandboxId: $id }) { deletedSandboxId } }`,
      {
        id: sandbox.sandbox.id,
      },
    );
    expect(deleted.errors).toBeUndefined();

    for (const params of [{}, { authorization: 'Bearer not-a-token' }, { Authorization: `Bearer ${sandboxToken}` }]) {
      const outcome = await connectOutcome(gw.url, params);
      expect(outcome, JSON.stringify(params)).toMatchObject({ code: 4401, reason: expect.stringMatching(/^UNAUTHENTICATED: /) });
    }
    // The same refusal over Server-Sent Events, as HTTP answers it.
    const answer = await fetch(`${gw.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer not-a-token' },
      body: JSON.stringify({ query: print(EsEventAddedDocument) }),
    });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('a connection lasts no longer than its token: at its expiry it is closed with 4401 UNAUTHENTICATED', async () => {
    const shortLived = await mintToken({
      secret: gw.authSecret,
      partnerId: CONTOSO,
      userId: 'brief',
      roles: ['admin_agent'],
      expiresIn: 2,
    });
    const closed: { code: number; reason: string }[] = [];
    const client = createWsClient({
      url: wsUrl(gw.url),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${shortLived}` },
      retryAttempts: 0,
      on: { closed: (event) => closed.push(event as { code: number; reason: string }) },
    });
    open.push(client);
    listen(client);
    await until(() => gw.services.eventFeed.subscriberCount(CONTOSO) >= 1, 'the subscription');
    await until(() => closed.length > 0, 'the close at expiry', 5000);
    expect(closed).toEqual([expect.objectContaining({ code: 4401, reason: expect.stringMatching(/^UNAUTHENTICATED: the token expired/) })]);
  });

  it('a subscriber of one partner never sees another partner’s events (ROLE-TENANT)', async () => {
    const theirs = listen(wsClient(gw.url, fabrikam));
    const ours = listen(wsClient(gw.url, contoso));
    await subscribed(gw, FABRIKAM, 1);
    await subscribed(gw, CONTOSO, 1);
    await rename(SUBS[1]!, 'Contoso only');
    await until(() => ours.events.length >= 1, 'Contoso’s event');
    await rename(SUB_F, 'Fabrikam only', fabrikam);
    await until(() => theirs.events.length >= 1, 'Fabrikam’s event');
    // Contoso's event was written first: had Fabrikam's subscriber been given it, it would come first.
    expect(theirs.events.map((e) => e.resourceId)).toEqual([SUB_F]);
    expect(ours.events.map((e) => e.resourceId)).toEqual([SUBS[1]]);
    theirs.dispose();
    ours.dispose();
  });

  it('`types` and `customerId` let only matching events through; an unknown type is BAD_USER_INPUT naming `types`', async () => {
    const client = wsClient(gw.url, contoso);
    open.push(client);
    const ofC2 = listen(client, { customerId: C2 });
    const clock = listen(client, { types: ['clock-advanced'] });
    await subscribed(gw, CONTOSO, 2);
    await rename(SUBS[0]!, 'Filtered out');
    await rename(SUB_C2, 'Customer two');
    const advanced = await gw.execute(EsAdvanceClockDocument, { by: 'PT1H' }, { token: writer });
    expect(advanced.data?.advanceClock.userErrors).toEqual([]);
    await until(() => ofC2.events.length >= 1 && clock.events.length >= 1, 'the filtered events');
    expect(ofC2.events.map((e) => [e.type, e.resourceId])).toEqual([['subscription-updated', SUB_C2]]);
    expect(clock.events.map((e) => e.type)).toEqual(['clock-advanced']);
    ofC2.dispose();
    clock.dispose();

    const bad = listen(client, { types: ['subscription-updated', 'subscription-exploded'] });
    await until(() => bad.errors.length > 0, 'the refusal');
    expect(bad.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("'subscription-exploded'"),
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName: 'types' }),
      }),
    ]);
  });

  it('events of a marketplace subscription reach only callers with ROLE-MARKETPLACE, as `events` lists them', async () => {
    const sales = await mintToken({ secret: gw.authSecret, partnerId: CONTOSO, userId: 'sales', roles: ['sales_agent'] });
    const withoutMarketplace = listen(wsClient(gw.url, sales));
    const withMarketplace = listen(wsClient(gw.url, contoso));
    await subscribed(gw, CONTOSO, 2);
    await rename(SUB_ISV, 'Marketplace renamed');
    await rename(SUBS[2]!, 'Plain renamed');
    await until(() => withMarketplace.events.length >= 2 && withoutMarketplace.events.length >= 1, 'the events');
    expect(withMarketplace.events.map((e) => e.resourceId)).toEqual([SUB_ISV, SUBS[2]]);
    // The marketplace event came first: had it been let through, it would be here.
    expect(withoutMarketplace.events.map((e) => e.resourceId)).toEqual([SUBS[2]]);
    expect(withoutMarketplace.errors).toEqual([]);
    withoutMarketplace.dispose();
    withMarketplace.dispose();
  });
});

describe('eventAdded: limits', () => {
  it('a caller’s connection past LIVE_MAX_CONNECTIONS_PER_CALLER is refused with TOO_MANY_CONNECTIONS (4429, HTTP 429); another caller is not', async () => {
    const token = await mintToken({ secret: gw.authSecret, partnerId: CONTOSO, userId: 'greedy', roles: ['admin_agent'] });
    for (let i = 0; i < 4; i++) expect(await connectOutcome(gw.url, { authorization: `Bearer ${token}` })).toBe('connected');
    expect(await connectOutcome(gw.url, { authorization: `Bearer ${token}` })).toMatchObject({
      code: 4429,
      reason: expect.stringMatching(/^TOO_MANY_CONNECTIONS: .*at most 4 per caller/),
    });
    const answer = await fetch(`${gw.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: print(EsEventAddedDocument) }),
    });
    expect(answer.status).toBe(429);
    expect(await answer.json()).toMatchObject({
      errors: [{ extensions: { code: 'TOO_MANY_CONNECTIONS', limit: 'perCaller', maximum: 4 } }],
    });
    // The same partner's other user has slots of its own.
    expect(await connectOutcome(gw.url, { authorization: `Bearer ${writer}` })).toBe('connected');
  });

  it('a subscription past LIMIT_MAX_ALIASES is refused with QUERY_TOO_COMPLEX, as a query would be', async () => {
    const client = wsClient(gw.url, contoso);
    open.push(client);
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: id`).join(' ');
    const sub = listen(client, {}, `subscription { eventAdded { ${aliases} } }`);
    await until(() => sub.errors.length > 0, 'the refusal');
    expect(sub.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases' }) }),
    ]);
    expect(gw.services.eventFeed.subscriberCount(CONTOSO)).toBe(0);
  });

  it('over SSE, a request that is no event stream answers a coded 406, and a body over 1 MiB a coded 413, unread', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${gw.url}/graphql/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${contoso}`, ...headers },
        body,
      });
    const plain = await post({ accept: 'application/json' }, JSON.stringify({ query: print(EsEventAddedDocument) }));
    expect(plain.status).toBe(406);
    expect(await plain.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    const huge = await post(
      { accept: 'text/event-stream' },
      JSON.stringify({ query: `subscription { eventAdded { id } } #${'x'.repeat(1_100_000)}` }),
    );
    expect(huge.status).toBe(413);
    expect((await huge.json()) as unknown).toMatchObject({ errors: [{ extensions: { code: expect.any(String) } }] });
  });

  it('queries and mutations are not served over the WebSocket: BAD_REQUEST pointing to POST /graphql', async () => {
    const client = wsClient(gw.url, contoso);
    open.push(client);
    const sub = listen(client, {}, '{ viewer { partner { id } } }');
    await until(() => sub.errors.length > 0, 'the refusal');
    expect(sub.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('POST /graphql'),
        extensions: expect.objectContaining({ code: 'BAD_REQUEST' }),
      }),
    ]);
  });
});

describe('eventAdded: a clock advance', () => {
  it('delivers the advance’s events in simulation-time order (GEN-CLOCK)', async () => {
    const client = wsClient(gw.url, contoso);
    open.push(client);
    const sub = listen(client);
    await subscribed(gw, CONTOSO, 1);
    const advanced = await gw.execute(EsAdvanceClockDocument, { by: 'P5D' }, { token: writer });
    expect(advanced.data?.advanceClock.userErrors).toEqual([]);
    await until(() => sub.events.some((e) => e.type === 'clock-advanced'), 'the clock-advanced event');
    const renewed = sub.events.filter((e) => e.type === 'subscription-renewed').map((e) => e.resourceId);
    expect(renewed).toEqual(RENEWING.map((r) => r.id));
    const at = sub.events.map((e) => Date.parse(e.at));
    expect(at).toEqual([...at].sort((a, b) => a - b));
    const sequences = sub.events.map((e) => e.sequence);
    expect(sequences).toEqual(sequences.map((_, i) => sequences[0]! + i));
    sub.dispose();
  });
});

describe('eventAdded: the depth limit, and shutdown', () => {
  let small: TestGateway;
  beforeAll(async () => {
    small = await startTestGateway(undefined, { devHeaderAuth: false, env: { LIMIT_MAX_DEPTH: '1' } });
  });
  afterAll(() => small?.close());

  it('a subscription deeper than LIMIT_MAX_DEPTH is refused with QUERY_TOO_COMPLEX', async () => {
    const token = await mintToken({ secret: small.authSecret, partnerId: CONTOSO, roles: ['admin_agent'] });
    const client = wsClient(small.url, token);
    open.push(client);
    const sub = listen(client, {}, 'subscription { eventAdded { id } }');
    await until(() => sub.errors.length > 0, 'the refusal');
    expect(sub.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', maximum: 1, found: 2 }) }),
    ]);
  });

  it('stopping the gateway closes its connections with 1001 Going Away (clients reconnect elsewhere) and ends every subscription', async () => {
    const stopping = await startTestGateway(undefined, { devHeaderAuth: false });
    const token = await mintToken({ secret: stopping.authSecret, partnerId: CONTOSO, roles: ['admin_agent'] });
    const closed: number[] = [];
    const client = createWsClient({
      url: wsUrl(stopping.url),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      on: { closed: (event) => closed.push((event as { code: number }).code) },
    });
    open.push(client);
    const sub = listen(client);
    await subscribed(stopping, CONTOSO, 1);
    await stopping.close();
    await until(() => closed.length > 0 && sub.errors.length > 0, 'the close');
    expect(closed).toEqual([1001]);
    // Not `complete`, which would tell the client its stream had ended for good.
    expect(sub.completed()).toBe(false);
    expect(sub.errors).toEqual([expect.objectContaining({ code: 1001 })]);
    expect(stopping.services.eventFeed.subscriberCount()).toBe(0);
  });
});
