import { createHash } from 'node:crypto';
import { ApolloClient, CombinedGraphQLErrors, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { cacheExchange, Client, fetchExchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { ClientError, GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collections } from '../../src/db/collections.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { mintToken } from '../../src/shared/tokens.js';
import {
  ClientsCustomersDocument,
  ClientsCustomerTreeDocument,
  ClientsRenameSubscriptionDocument,
  ClientsSubscriptionDocument,
  type ClientsCustomerTreeQuery,
} from '../generated/graphql.js';
import { aCustomer, anOffer, aSubscription, guid, insertWorld, T0 } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * The clients front-end developers use, each with its default settings, against a real gateway
 * with a real bearer token (the development headers are off): Apollo Client (core), urql
 * (@urql/core) and graphql-request, with the typed documents of test/operations/clients.graphql.
 * Each runs a nested query with variables, a Relay walk to the last page, a mutation read back,
 * and an error; Apollo Client and urql also send automatic persisted queries. The snippets of the
 * set-ups of docs/front-end.md are these.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const FABRIKAM = DEMO_PARTNERS.fabrikam.id;
const MIN = 60_000;
const PAGE = 5;

const OFFER = { base: 'CFQ7TTC0LH18:0001', addOn: 'CFQ7TTC0ADD1:0001' } as const;
const two = (n: number) => String(n).padStart(2, '0');

/** Contoso's 23 customers, in the connection's order (company name). */
const CUSTOMERS = Array.from({ length: 23 }, (_, i) => ({ id: guid(`cl-customer-${i + 1}`), companyName: `Client ${two(i + 1)} Ltd` }));
/** The first customer's 12 base subscriptions, oldest first (the connection's order). */
const SUBS = Array.from({ length: 12 }, (_, i) => guid(`cl-sub-${i + 1}`));
const ADD_ONS = [guid('cl-addon-1'), guid('cl-addon-2')];
const FIRST = CUSTOMERS[0]!;
const UNKNOWN_CUSTOMER = guid('cl-no-such-customer');

async function seed(cols: Collections): Promise<void> {
  await insertWorld(cols, {
    offers: [
      anOffer({ _id: OFFER.base, name: 'Microsoft 365 Business Basic', eligibleAddOnIds: [OFFER.addOn] }),
      anOffer({ _id: OFFER.addOn, name: 'Exchange Online Archiving', isAddOn: true }),
    ],
    customers: [
      ...CUSTOMERS.map((c) => aCustomer({ _id: c.id, companyName: c.companyName })),
      // Another partner's customer that would sort first: never seen by Contoso's token.
      aCustomer({ _id: guid('cl-fabrikam'), companyName: 'Client 00 Fabrikam', partnerId: FABRIKAM }),
    ],
    subscriptions: [
      ...SUBS.map((id, i) =>
        aSubscription({
          _id: id,
          customerId: FIRST.id,
          offerId: OFFER.base,
          offerName: 'Microsoft 365 Business Basic',
          friendlyName: `Seat pool ${two(i + 1)}`,
          quantity: 11 + i,
          creationDate: new Date(T0.getTime() + i * MIN),
        }),
      ),
      ...ADD_ONS.map((id, i) =>
        aSubscription({
          _id: id,
          customerId: FIRST.id,
          offerId: OFFER.addOn,
          offerName: 'Exchange Online Archiving',
          parentSubscriptionId: SUBS[0]!,
          quantity: 3 + i,
          creationDate: new Date(T0.getTime() + (30 + i) * MIN),
        }),
      ),
    ],
  });
}

let gw: TestGateway;
let endpoint: string;
let token: string;

beforeAll(async () => {
  gw = await startTestGateway(seed, { devHeaderAuth: false });
  endpoint = `${gw.url}/graphql`;
  token = await mintToken({ secret: gw.authSecret, partnerId: CONTOSO, roles: ['global_admin', 'admin_agent'] });
});
afterAll(() => gw?.close());

// ---------------------------------------------------------------------------------------------
// Shared helpers: the wire recorder, the Relay walk, the expected values.

interface WireRequest {
  method: string;
  /** The GraphQL-over-HTTP parameters: the POST body, or a GET's query string with JSON decoded. */
  params: { query?: string; operationName?: string; variables?: Record<string, unknown>; extensions?: Record<string, unknown> };
  authorization: string | null;
  status: number;
  /** The response body, as text. */
  answer: string;
}

/** A fetch that passes everything to the real one and records what went over the wire. */
function wireRecorder(): { fetch: typeof fetch; requests: WireRequest[] } {
  const requests: WireRequest[] = [];
  const recording: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const params: WireRequest['params'] = {};
    if (method === 'GET') {
      for (const [key, value] of url.searchParams) {
        (params as Record<string, unknown>)[key] = key === 'variables' || key === 'extensions' ? JSON.parse(value) : value;
      }
    } else if (typeof init?.body === 'string') {
      Object.assign(params, JSON.parse(init.body));
    }
    const response = await fetch(input, init);
    requests.push({
      method,
      params,
      authorization: new Headers(init?.headers).get('authorization'),
      status: response.status,
      answer: await response.clone().text(),
    });
    return response;
  };
  return { fetch: recording, requests };
}

interface Connection<N> {
  edges: readonly { cursor: string; node: N }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * Walks a Relay connection to its end: asks for the first page, then for the page `after` each
 * page's endCursor while hasNextPage. Checks that each endCursor is its page's last cursor.
 */
async function walk<N>(page: (after: string | null) => Promise<Connection<N>>, maxPages = 20): Promise<{ nodes: N[]; pages: number }> {
  const nodes: N[] = [];
  let after: string | null = null;
  for (let pages = 1; pages <= maxPages; pages += 1) {
    const connection: Connection<N> = await page(after);
    nodes.push(...connection.edges.map((e) => e.node));
    expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)?.cursor ?? null);
    if (!connection.pageInfo.hasNextPage) return { nodes, pages };
    after = connection.pageInfo.endCursor;
  }
  throw new Error(`walk: still hasNextPage after ${maxPages} pages`);
}

/** The value without the `__typename` fields Apollo Client and urql add to every selection. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === '__typename' ? undefined : v))) as T;
}

/** What an Error thrown or returned by a client is. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The first customer with the first page of its subscriptions, as every client must read it. */
const FIRST_TREE_PAGE = {
  id: FIRST.id,
  companyProfile: { companyName: 'Client 01 Ltd', domain: 'client01ltd.onmicrosoft.com' },
  subscriptions: {
    totalCount: 12,
    pageInfo: { hasNextPage: true },
    nodes: SUBS.slice(0, PAGE),
    first: {
      id: SUBS[0],
      friendlyName: 'Seat pool 01',
      quantity: 11,
      status: 'ACTIVE',
      offer: { id: OFFER.base, name: 'Microsoft 365 Business Basic' },
      addOns: [
        { id: ADD_ONS[0], offerName: 'Exchange Online Archiving', quantity: 3, offer: { id: OFFER.addOn, isAddOn: true } },
        { id: ADD_ONS[1], offerName: 'Exchange Online Archiving', quantity: 4, offer: { id: OFFER.addOn, isAddOn: true } },
      ],
    },
  },
};

/** A single object the test expects: fails on null or undefined whether or not the schema makes it nullable. */
function present<T>(value: T | null | undefined): T {
  expect(value).toBeDefined();
  expect(value).not.toBeNull();
  return value!;
}

function expectFirstTreePage(customer: NonNullable<ClientsCustomerTreeQuery['customer']>): void {
  const c = plain(customer);
  expect(c.id).toBe(FIRST_TREE_PAGE.id);
  expect(c.companyProfile).toEqual(FIRST_TREE_PAGE.companyProfile);
  expect(c.subscriptions.totalCount).toBe(12);
  expect(c.subscriptions.pageInfo.hasNextPage).toBe(true);
  expect(c.subscriptions.edges.map((e) => e.node.id)).toEqual(FIRST_TREE_PAGE.subscriptions.nodes);
  expect(c.subscriptions.edges[0]!.node).toEqual(FIRST_TREE_PAGE.subscriptions.first);
}

/** Reads a subscription's nickname from the gateway itself (not through a client's cache). */
async function nicknameOnServer(id: string): Promise<string | undefined> {
  const res = await gw.execute(ClientsSubscriptionDocument, { id }, { token });
  expect(res.errors).toBeUndefined();
  return res.data?.subscription?.friendlyName;
}

// ---------------------------------------------------------------------------------------------

describe('Apollo Client (@apollo/client core, InMemoryCache, HttpLink)', () => {
  const apollo = (fetchImpl?: typeof fetch) =>
    new ApolloClient({
      link: new HttpLink({ uri: endpoint, headers: { authorization: `Bearer ${token}` }, ...(fetchImpl ? { fetch: fetchImpl } : {}) }),
      cache: new InMemoryCache(),
    });

  it('Apollo Client reads a customer with its subscriptions, their offer and add-ons, by variables', async () => {
    const wire = wireRecorder();
    const client = apollo(wire.fetch);
    const { data } = await client.query({ query: ClientsCustomerTreeDocument, variables: { id: FIRST.id, first: PAGE } });
    expectFirstTreePage(present(data?.customer));
    expect(wire.requests).toMatchObject([
      { method: 'POST', authorization: `Bearer ${token}`, status: 200, params: { variables: { id: FIRST.id, first: PAGE } } },
    ]);
  });

  it('Apollo Client walks customers(first: 5, after) to the end: every customer once, in order, 23 in total', async () => {
    const client = apollo();
    const totals = new Set<number>();
    const { nodes, pages } = await walk(async (after) => {
      const { data } = await client.query({ query: ClientsCustomersDocument, variables: { first: PAGE, after } });
      totals.add(data!.customers.totalCount);
      return data!.customers;
    });
    expect(pages).toBe(5);
    expect(nodes.map((n) => [n.id, n.companyProfile.companyName])).toEqual(CUSTOMERS.map((c) => [c.id, c.companyName]));
    expect([...totals]).toEqual([23]);
  });

  it('Apollo Client renames a subscription with updateSubscription, and reads the new name back', async () => {
    const client = apollo();
    const id = SUBS[9]!;
    const before = await client.query({ query: ClientsSubscriptionDocument, variables: { id } });
    expect(before.data?.subscription?.friendlyName).toBe('Seat pool 10');

    const { data } = await client.mutate({
      mutation: ClientsRenameSubscriptionDocument,
      variables: { id, friendlyName: 'Renamed by Apollo Client' },
    });
    expect(plain(data?.updateSubscription)).toEqual({ subscription: { id, friendlyName: 'Renamed by Apollo Client' }, userErrors: [] });

    // The normalised cache took the mutation's answer; the network agrees.
    const cached = await client.query({ query: ClientsSubscriptionDocument, variables: { id } });
    expect(cached.data?.subscription?.friendlyName).toBe('Renamed by Apollo Client');
    const fresh = await client.query({ query: ClientsSubscriptionDocument, variables: { id }, fetchPolicy: 'network-only' });
    expect(fresh.data?.subscription?.friendlyName).toBe('Renamed by Apollo Client');
    expect(await nicknameOnServer(id)).toBe('Renamed by Apollo Client');
  });

  it('Apollo Client rejects with CombinedGraphQLErrors carrying extensions.code: NOT_FOUND and BAD_USER_INPUT', async () => {
    const client = apollo();
    const missing = await rejection(client.query({ query: ClientsCustomerTreeDocument, variables: { id: UNKNOWN_CUSTOMER, first: 1 } }));
    expect(CombinedGraphQLErrors.is(missing)).toBe(true);
    expect((missing as CombinedGraphQLErrors).errors[0]).toMatchObject({
      message: `No customer with ID '${UNKNOWN_CUSTOMER}' exists for this partner`,
      extensions: { code: 'NOT_FOUND' },
    });

    const badCursor = await rejection(client.query({ query: ClientsCustomersDocument, variables: { first: PAGE, after: 'not-a-cursor' } }));
    expect(CombinedGraphQLErrors.is(badCursor)).toBe(true);
    expect((badCursor as CombinedGraphQLErrors).errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('Apollo Client with PersistedQueryLink sends only the hash once the gateway knows the query', async () => {
    const wire = wireRecorder();
    const client = new ApolloClient({
      link: new PersistedQueryLink({ sha256 }).concat(
        new HttpLink({ uri: endpoint, headers: { authorization: `Bearer ${token}` }, fetch: wire.fetch }),
      ),
      cache: new InMemoryCache(),
    });

    const firstCall = await client.query({ query: ClientsCustomersDocument, variables: { first: 2 } });
    expect(firstCall.data?.customers.edges.map((e) => e.node.id)).toEqual(CUSTOMERS.slice(0, 2).map((c) => c.id));
    // First: the hash alone, which the gateway does not know yet; then the hash with the query.
    expect(wire.requests.map((r) => [r.method, r.params.query === undefined ? 'hash only' : 'hash and query'])).toEqual([
      ['POST', 'hash only'],
      ['POST', 'hash and query'],
    ]);
    const [miss, full] = wire.requests;
    expect(JSON.parse(miss!.answer).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const hash = (miss!.params.extensions as { persistedQuery: { sha256Hash: string } }).persistedQuery.sha256Hash;
    expect(hash).toBe(sha256(full!.params.query!));

    // Other variables (so not from the cache): the hash alone is enough now.
    const secondCall = await client.query({ query: ClientsCustomersDocument, variables: { first: 3 } });
    expect(secondCall.data?.customers.edges.map((e) => e.node.id)).toEqual(CUSTOMERS.slice(0, 3).map((c) => c.id));
    expect(wire.requests).toHaveLength(3);
    expect(wire.requests[2]).toMatchObject({
      method: 'POST',
      status: 200,
      params: { variables: { first: 3 }, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } },
    });
    expect(wire.requests[2]!.params.query).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------

describe('urql (@urql/core, cacheExchange + fetchExchange)', () => {
  const urql = (fetchImpl?: typeof fetch) =>
    new Client({
      url: endpoint,
      exchanges: [cacheExchange, fetchExchange],
      fetchOptions: { headers: { authorization: `Bearer ${token}` } },
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    });

  it('urql reads a customer with its subscriptions, their offer and add-ons, by variables, as a GET', async () => {
    const wire = wireRecorder();
    const client = urql(wire.fetch);
    const result = await client.query(ClientsCustomerTreeDocument, { id: FIRST.id, first: PAGE }).toPromise();
    expect(result.error, wire.requests[0]?.answer).toBeUndefined();
    expectFirstTreePage(present(result.data?.customer));
    // urql sends queries as GET while the URL stays under 2,048 characters (preferGetMethod: 'within-url-limit').
    expect(wire.requests).toMatchObject([
      { method: 'GET', authorization: `Bearer ${token}`, status: 200, params: { variables: { id: FIRST.id, first: PAGE } } },
    ]);
  });

  it('urql walks customers(first: 5, after) to the end: every customer once, in order, 23 in total', async () => {
    const client = urql();
    const totals = new Set<number>();
    const { nodes, pages } = await walk(async (after) => {
      const result = await client.query(ClientsCustomersDocument, { first: PAGE, after }).toPromise();
      expect(result.error).toBeUndefined();
      totals.add(result.data!.customers.totalCount);
      return result.data!.customers;
    });
    expect(pages).toBe(5);
    expect(nodes.map((n) => [n.id, n.companyProfile.companyName])).toEqual(CUSTOMERS.map((c) => [c.id, c.companyName]));
    expect([...totals]).toEqual([23]);
  });

  it('urql renames a subscription with updateSubscription, and its document cache refetches the new name', async () => {
    const wire = wireRecorder();
    const client = urql(wire.fetch);
    const id = SUBS[10]!;
    const before = await client.query(ClientsSubscriptionDocument, { id }).toPromise();
    expect(before.data?.subscription?.friendlyName).toBe('Seat pool 11');

    const result = await client.mutation(ClientsRenameSubscriptionDocument, { id, friendlyName: 'Renamed by urql' }).toPromise();
    expect(result.error).toBeUndefined();
    expect(plain(result.data?.updateSubscription)).toEqual({ subscription: { id, friendlyName: 'Renamed by urql' }, userErrors: [] });
    expect(wire.requests.map((r) => r.method)).toEqual(['GET', 'POST']);

    // The mutation returned a Subscription, so the document cache drops the cached query and fetches it again.
    const after = await client.query(ClientsSubscriptionDocument, { id }).toPromise();
    expect(after.data?.subscription?.friendlyName).toBe('Renamed by urql');
    expect(wire.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET']);
    expect(await nicknameOnServer(id)).toBe('Renamed by urql');
  });

  it('urql returns a CombinedError whose graphQLErrors carry extensions.code: NOT_FOUND and BAD_USER_INPUT', async () => {
    const client = urql();
    const missing = await client.query(ClientsCustomerTreeDocument, { id: UNKNOWN_CUSTOMER, first: 1 }).toPromise();
    expect(missing.data?.customer ?? null).toBeNull();
    expect(missing.error?.graphQLErrors[0]).toMatchObject({
      message: `No customer with ID '${UNKNOWN_CUSTOMER}' exists for this partner`,
      extensions: { code: 'NOT_FOUND' },
    });
    expect(missing.error?.networkError).toBeUndefined();

    const badCursor = await client.query(ClientsCustomersDocument, { first: PAGE, after: 'not-a-cursor' }).toPromise();
    expect(badCursor.error?.graphQLErrors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('urql with persistedExchange sends only the hash once the gateway knows the query', async () => {
    const wire = wireRecorder();
    const client = new Client({
      url: endpoint,
      exchanges: [cacheExchange, persistedExchange(), fetchExchange],
      fetchOptions: { headers: { authorization: `Bearer ${token}` } },
      fetch: wire.fetch,
    });

    const firstCall = await client.query(ClientsCustomerTreeDocument, { id: CUSTOMERS[1]!.id, first: 1 }).toPromise();
    expect(firstCall.error, wire.requests.at(-1)?.answer).toBeUndefined();
    expect(firstCall.data?.customer?.companyProfile.companyName).toBe('Client 02 Ltd');
    // First: the hash alone, which the gateway does not know yet; then the hash with the query.
    expect(wire.requests.map((r) => [r.method, r.params.query === undefined ? 'hash only' : 'hash and query'])).toEqual([
      ['GET', 'hash only'],
      ['GET', 'hash and query'],
    ]);
    const [miss, full] = wire.requests;
    expect(JSON.parse(miss!.answer).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const hash = (miss!.params.extensions as { persistedQuery: { sha256Hash: string } }).persistedQuery.sha256Hash;
    expect(hash).toBe(sha256(full!.params.query!));

    // Other variables (so not from the cache): the hash alone is enough now.
    const secondCall = await client.query(ClientsCustomerTreeDocument, { id: CUSTOMERS[2]!.id, first: 1 }).toPromise();
    expect(secondCall.error).toBeUndefined();
    expect(secondCall.data?.customer?.companyProfile.companyName).toBe('Client 03 Ltd');
    expect(wire.requests).toHaveLength(3);
    expect(wire.requests[2]).toMatchObject({
      method: 'GET',
      status: 200,
      params: { variables: { id: CUSTOMERS[2]!.id, first: 1 }, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } },
    });
    expect(wire.requests[2]!.params.query).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------

describe('graphql-request (GraphQLClient)', () => {
  const graphqlRequest = (fetchImpl?: typeof fetch) =>
    new GraphQLClient(endpoint, { headers: { authorization: `Bearer ${token}` }, ...(fetchImpl ? { fetch: fetchImpl } : {}) });

  it('graphql-request reads a customer with its subscriptions, their offer and add-ons, by variables', async () => {
    const wire = wireRecorder();
    const client = graphqlRequest(wire.fetch);
    const data = await client.request(ClientsCustomerTreeDocument, { id: FIRST.id, first: PAGE });
    expectFirstTreePage(present(data?.customer));
    expect(wire.requests).toMatchObject([
      { method: 'POST', authorization: `Bearer ${token}`, status: 200, params: { variables: { id: FIRST.id, first: PAGE } } },
    ]);
  });

  it('graphql-request walks customers(first: 5, after) to the end: every customer once, in order, 23 in total', async () => {
    const client = graphqlRequest();
    const totals = new Set<number>();
    const { nodes, pages } = await walk(async (after) => {
      const data = await client.request(ClientsCustomersDocument, { first: PAGE, after });
      totals.add(data.customers.totalCount);
      return data.customers;
    });
    expect(pages).toBe(5);
    expect(nodes.map((n) => [n.id, n.companyProfile.companyName])).toEqual(CUSTOMERS.map((c) => [c.id, c.companyName]));
    expect([...totals]).toEqual([23]);
  });

  it('graphql-request renames a subscription with updateSubscription, and reads the new name back', async () => {
    const client = graphqlRequest();
    const id = SUBS[11]!;
    expect((await client.request(ClientsSubscriptionDocument, { id })).subscription?.friendlyName).toBe('Seat pool 12');
    const data = await client.request(ClientsRenameSubscriptionDocument, { id, friendlyName: 'Renamed by graphql-request' });
    expect(data.updateSubscription).toEqual({ subscription: { id, friendlyName: 'Renamed by graphql-request' }, userErrors: [] });
    expect((await client.request(ClientsSubscriptionDocument, { id })).subscription?.friendlyName).toBe('Renamed by graphql-request');
    expect(await nicknameOnServer(id)).toBe('Renamed by graphql-request');
  });

  it('graphql-request throws a ClientError whose response.errors carry extensions.code: NOT_FOUND and BAD_USER_INPUT', async () => {
    const client = graphqlRequest();
    const missing = await rejection(client.request(ClientsCustomerTreeDocument, { id: UNKNOWN_CUSTOMER, first: 1 }));
    expect(missing).toBeInstanceOf(ClientError);
    expect((missing as ClientError).response.errors?.[0]).toMatchObject({
      message: `No customer with ID '${UNKNOWN_CUSTOMER}' exists for this partner`,
      extensions: { code: 'NOT_FOUND' },
    });

    const badCursor = await rejection(client.request(ClientsCustomersDocument, { first: PAGE, after: 'not-a-cursor' }));
    expect(badCursor).toBeInstanceOf(ClientError);
    expect((badCursor as ClientError).response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect((badCursor as ClientError).response.status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------

describe('Relay-style paging with cursors', () => {
  /** One page of the first customer's subscriptions, read by each client. */
  const nestedPage: Record<string, (after: string | null) => Promise<Connection<{ id: string; friendlyName: string }>>> = {
    'Apollo Client': (() => {
      const client = () =>
        new ApolloClient({
          link: new HttpLink({ uri: endpoint, headers: { authorization: `Bearer ${token}` } }),
          cache: new InMemoryCache(),
        });
      let apollo: ReturnType<typeof client> | undefined;
      return async (after) => {
        apollo ??= client();
        const { data } = await apollo.query({ query: ClientsCustomerTreeDocument, variables: { id: FIRST.id, first: PAGE, after } });
        return present(data?.customer).subscriptions;
      };
    })(),
    urql: (() => {
      let client: Client | undefined;
      return async (after) => {
        client ??= new Client({
          url: endpoint,
          exchanges: [cacheExchange, fetchExchange],
          fetchOptions: { headers: { authorization: `Bearer ${token}` } },
        });
        const result = await client.query(ClientsCustomerTreeDocument, { id: FIRST.id, first: PAGE, after }).toPromise();
        expect(result.error).toBeUndefined();
        return present(result.data?.customer).subscriptions;
      };
    })(),
    'graphql-request': (() => {
      let client: GraphQLClient | undefined;
      return async (after) => {
        client ??= new GraphQLClient(endpoint, { headers: { authorization: `Bearer ${token}` } });
        return present((await client.request(ClientsCustomerTreeDocument, { id: FIRST.id, first: PAGE, after })).customer).subscriptions;
      };
    })(),
  };

  it.each(Object.keys(nestedPage))(
    '%s walks the nested customer.subscriptions(first: 5, after) to the end: 12 subscriptions, oldest first, in 3 pages',
    async (name) => {
      const { nodes, pages } = await walk(nestedPage[name]!);
      expect(pages).toBe(3);
      expect(nodes.map((n) => n.id)).toEqual(SUBS);
    },
  );
});
