import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collections } from '../../src/db/collections.js';
import type { OfferDoc } from '../../src/db/documents.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { AUTH_FAILURE_MESSAGE } from '../../src/shared/auth.js';
import {
  ErrorsCustomerDocument,
  ErrorsCustomersDocument,
  ErrorsCustomerSubscriptionsDocument,
  ErrorsOfferPlansDocument,
  ErrorsSubscriptionsDocument,
  ErrorsViewerDocument,
  type SubscriptionFilter,
} from '../generated/graphql.js';
import { aCustomer, anOffer, aSubscription, guid, T0 } from '../support/fixtures.js';
import { startTestGateway, type CallOptions, type GraphQLResponse, type TestGateway } from '../support/gateway.js';

/*
 * Every bad input answers with a coded error: never HTTP 500, never a stack trace, never a write.
 * One gateway for the file; `gw.commands` is cleared after seeding, so the last test can prove
 * that none of these requests wrote anything.
 */

const OFFER = 'CFQ7TTC0LH18:0001';
/** Stored without `billingPlans`: resolving them throws a plain TypeError inside a resolver. */
const CORRUPT_OFFER = 'CFQ7TTC0BAD1:0001';
const CUSTOMERS = [guid('err-c1'), guid('err-c2'), guid('err-c3')];
const SUBS = [guid('err-s1'), guid('err-s2'), guid('err-s3')];

async function seed(cols: Collections): Promise<void> {
  const { billingPlans: _dropped, ...corrupt } = anOffer({ _id: CORRUPT_OFFER });
  await cols.offers.insertMany([anOffer({ _id: OFFER }), corrupt as OfferDoc]);
  await cols.customers.insertMany(CUSTOMERS.map((_id, i) => aCustomer({ _id, companyName: `Customer ${i}` })));
  await cols.subscriptions.insertMany(
    SUBS.map((_id, i) =>
      aSubscription({ _id, customerId: CUSTOMERS[0]!, offerId: OFFER, creationDate: new Date(T0.getTime() + i * 60_000) }),
    ),
  );
}

const WRITE_COMMANDS = new Set([
  'insert',
  'update',
  'delete',
  'findAndModify',
  'create',
  'drop',
  'dropDatabase',
  'createIndexes',
  'bulkWrite',
]);

let gw: TestGateway;
let countsBefore: Record<string, number>;

async function countAll(cols: Collections): Promise<Record<string, number>> {
  const entries = await Promise.all(Object.entries(cols).map(async ([name, col]) => [name, await col.countDocuments({})] as const));
  return Object.fromEntries(entries);
}

beforeAll(async () => {
  gw = await startTestGateway(seed);
  countsBefore = await countAll(gw.collections);
  gw.commands.length = 0;
});
afterAll(() => gw?.close());

type ErrorEntry = NonNullable<GraphQLResponse<unknown>['errors']>[number];

/** Posts a raw operation and parses the JSON answer (which must be JSON, whatever went wrong). */
async function raw(query: string, variables: Record<string, unknown> = {}, options?: CallOptions): Promise<GraphQLResponse<unknown>> {
  const res = await gw.post(JSON.stringify({ query, variables }), options);
  return { status: res.status, ...(JSON.parse(res.text) as object) };
}

/**
 * The common contract: the expected HTTP status (never 500), every error coded, no stack trace;
 * returns the first error for exact assertions.
 */
function coded(res: GraphQLResponse<unknown>, code: string, status: number): ErrorEntry {
  expect(res.status).not.toBe(500);
  expect(res.status).toBe(status);
  expect(res.errors?.length).toBeGreaterThan(0);
  for (const error of res.errors!) {
    expect(typeof error.extensions?.code).toBe('string');
    expect(error.extensions).not.toHaveProperty('stacktrace');
    expect(error.extensions).not.toHaveProperty('exception');
  }
  expect(res.errors![0]!.extensions!.code).toBe(code);
  return res.errors![0]!;
}

/** A real endCursor of a connection, for the cursor tests. */
async function customersCursor(filter?: { search: string }): Promise<string> {
  const res = await gw.execute(ErrorsCustomersDocument, { first: 1, filter });
  expect(res.errors).toBeUndefined();
  return res.data!.customers.pageInfo.endCursor!;
}

async function subscriptionsCursor(): Promise<string> {
  const res = await gw.execute(ErrorsSubscriptionsDocument, { first: 1 });
  expect(res.errors).toBeUndefined();
  return res.data!.subscriptions.pageInfo.endCursor!;
}

describe('invalid IDs', () => {
  it('an ID of the wrong shape answers BAD_USER_INPUT naming what was expected and what arrived', async () => {
    const res = await gw.execute(ErrorsCustomerDocument, { id: 'nope' });
    const error = coded(res, 'BAD_USER_INPUT', 200);
    expect(res.data).toEqual({ customer: null });
    expect(error).toEqual({
      message: "Argument 'id' must be a tenant ID (GUID), but got 'nope'",
      locations: [{ line: 2, column: 3 }],
      path: ['customer'],
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'id' },
    });
  });

  it.each([
    ['subscription(id: "nope")', '{ subscription(id: "nope") { id } }', "Argument 'id' must be a subscription ID (GUID), but got 'nope'"],
    ['addOn(id: "1234")', '{ addOn(id: "1234") { id } }', "Argument 'id' must be an add-on subscription ID (GUID), but got '1234'"],
    [
      'order(id: GUID)',
      `{ order(id: "${guid('x')}") { id } }`,
      `Argument 'id' must be an order ID (12 hex digits), but got '${guid('x')}'`,
    ],
    [
      'offer(id: "office")',
      '{ offer(id: "office") { id } }',
      "Argument 'id' must be a catalog item ID such as 'CFQ7TTC0LH18:0001', but got 'office'",
    ],
    ['reservation(id: "")', '{ reservation(id: "") { id } }', "Argument 'id' must be a reservation ID (GUID), but got ''"],
  ])('%s answers BAD_USER_INPUT naming the expected shape', async (_name, query, message) => {
    const error = coded(await raw(query), 'BAD_USER_INPUT', 200);
    expect(error.message).toBe(message);
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'id' });
  });

  it('an over-long ID is quoted only up to 80 characters', async () => {
    const error = coded(await gw.execute(ErrorsCustomerDocument, { id: 'x'.repeat(500) }), 'BAD_USER_INPUT', 200);
    expect(error.message).toBe(`Argument 'id' must be a tenant ID (GUID), but got '${'x'.repeat(80)}'`);
  });
});

describe('unknown enum values', () => {
  it('an unknown enum value in a literal answers GRAPHQL_VALIDATION_FAILED with HTTP 400', async () => {
    const res = await raw('{ subscriptions(filter: { status: [NOPE] }) { nodes { id } } }');
    const error = coded(res, 'GRAPHQL_VALIDATION_FAILED', 400);
    expect(error.message).toBe('Value "NOPE" does not exist in "SubscriptionStatus" enum.');
    expect(res.data).toBeUndefined();
  });

  it('an unknown enum value in a variable answers BAD_USER_INPUT with HTTP 400', async () => {
    const res = await gw.execute(ErrorsSubscriptionsDocument, { filter: { status: ['NOPE'] } as unknown as SubscriptionFilter });
    const error = coded(res, 'BAD_USER_INPUT', 400);
    expect(error.message).toBe(
      'Variable "$filter" got invalid value "NOPE" at "filter.status[0]"; Value "NOPE" does not exist in "SubscriptionStatus" enum.',
    );
    expect(res.data).toBeUndefined();
  });

  it('a variable of the wrong scalar type answers BAD_USER_INPUT with HTTP 400', async () => {
    const notInt = coded(await gw.execute(ErrorsCustomersDocument, { first: 'ten' as unknown as number }), 'BAD_USER_INPUT', 400);
    expect(notInt.message).toBe('Variable "$first" got invalid value "ten"; Int cannot represent non-integer value: "ten"');
    const notDate = coded(await gw.execute(ErrorsSubscriptionsDocument, { filter: { expiringBefore: 'tomorrow' } }), 'BAD_USER_INPUT', 400);
    expect(notDate.message).toBe(
      'Argument \'filter.expiringBefore\' must be an ISO-8601 date-time with a time zone, such as 2026-12-01T00:00:00Z, or a date such as 2026-12-01 (its start, 00:00:00Z), but got "tomorrow" (variable $filter)',
    );
    expect(notDate.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      argumentName: 'filter',
      field: 'filter.expiringBefore',
      variableName: 'filter',
    });
  });
});

describe('cursors', () => {
  // One message whatever is wrong with a cursor (signed, encrypted, bound to partner, connection and filters).
  const MALFORMED =
    "Argument 'after' must be a cursor that this connection (customers) returned to you under the same filter arguments; page again from the start";

  it('a random string as after answers BAD_USER_INPUT', async () => {
    const error = coded(await gw.execute(ErrorsCustomersDocument, { first: 1, after: 'not a cursor!' }), 'BAD_USER_INPUT', 200);
    expect(error).toMatchObject({
      message: MALFORMED,
      path: ['customers'],
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' },
    });
  });

  it.each([
    ['base64 of garbage JSON', Buffer.from('{"c":"customers",').toString('base64url')],
    ['base64 of a JSON number', Buffer.from('42').toString('base64url')],
    ['base64 of JSON null', Buffer.from('null').toString('base64url')],
    ['standard base64 with padding', Buffer.from('{"c":"customers"}').toString('base64')],
  ])('a malformed cursor (%s) answers BAD_USER_INPUT', async (_name, after) => {
    const error = coded(await gw.execute(ErrorsCustomersDocument, { first: 1, after }), 'BAD_USER_INPUT', 200);
    expect(error.message).toBe(MALFORMED);
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'after' });
  });

  it('a tampered cursor (sort key of the wrong arity, or a date that is no date) answers BAD_USER_INPUT', async () => {
    const real = Buffer.from(await customersCursor(), 'base64url');
    for (const position of [0, 13, real.length - 1]) {
      const bytes = Buffer.from(real);
      bytes[position] = bytes[position]! ^ 1;
      const after = bytes.toString('base64url');
      const error = coded(await gw.execute(ErrorsCustomersDocument, { first: 1, after }), 'BAD_USER_INPUT', 200);
      expect(error.message).toBe(MALFORMED);
    }
  });

  it('a cursor from another connection (subscriptions) passed to customers answers BAD_USER_INPUT naming both', async () => {
    const error = coded(await gw.execute(ErrorsCustomersDocument, { first: 1, after: await subscriptionsCursor() }), 'BAD_USER_INPUT', 200);
    expect(error.message).toBe(MALFORMED);
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'after' });
  });

  it('a top-level subscriptions cursor passed to customer.subscriptions answers BAD_USER_INPUT', async () => {
    const res = await gw.execute(ErrorsCustomerSubscriptionsDocument, { id: CUSTOMERS[0]!, first: 1, after: await subscriptionsCursor() });
    const error = coded(res, 'BAD_USER_INPUT', 200);
    expect(error.message).toBe(
      "Argument 'after' must be a cursor that this connection (customer.subscriptions) returned to you under the same filter arguments; page again from the start",
    );
    expect(error.path).toEqual(['customer', 'subscriptions']);
  });

  it('a cursor reused with different filters answers BAD_USER_INPUT asking to page again from the start', async () => {
    const message = MALFORMED;
    const unfiltered = await customersCursor();
    const withFilter = coded(
      await gw.execute(ErrorsCustomersDocument, { first: 1, after: unfiltered, filter: { search: 'customer' } }),
      'BAD_USER_INPUT',
      200,
    );
    expect(withFilter.message).toBe(message);
    const filtered = await customersCursor({ search: 'customer' });
    const otherFilter = coded(
      await gw.execute(ErrorsCustomersDocument, { first: 1, after: filtered, filter: { search: 'customer 1' } }),
      'BAD_USER_INPUT',
      200,
    );
    expect(otherFilter.message).toBe(message);
    const noFilter = coded(await gw.execute(ErrorsCustomersDocument, { first: 1, after: filtered }), 'BAD_USER_INPUT', 200);
    expect(noFilter.message).toBe(message);
    // The same filter again pages on.
    const same = await gw.execute(ErrorsCustomersDocument, { first: 1, after: filtered, filter: { search: 'customer' } });
    expect(same.errors).toBeUndefined();
  });

  it('a nested cursor reused with a different filter answers BAD_USER_INPUT', async () => {
    const page = await gw.execute(ErrorsCustomerSubscriptionsDocument, { id: CUSTOMERS[0]!, first: 1 });
    const after = page.data!.customer!.subscriptions.pageInfo.endCursor;
    const res = await gw.execute(ErrorsCustomerSubscriptionsDocument, {
      id: CUSTOMERS[0]!,
      first: 1,
      after,
      filter: { status: ['ACTIVE'] },
    });
    expect(coded(res, 'BAD_USER_INPUT', 200).message).toBe(
      "Argument 'after' must be a cursor that this connection (customer.subscriptions) returned to you under the same filter arguments; page again from the start",
    );
  });
});

describe('page size', () => {
  it.each([101, -1])('first: %i answers BAD_USER_INPUT naming the range 0..100', async (first) => {
    const error = coded(await gw.execute(ErrorsCustomersDocument, { first }), 'BAD_USER_INPUT', 200);
    expect(error).toMatchObject({
      message: `Argument 'first' must be an integer from 0 to 100, but got ${first}`,
      path: ['customers'],
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'first' },
    });
  });

  it.each([101, -1])('first: %i on a nested connection answers BAD_USER_INPUT naming the range 0..100', async (first) => {
    const error = coded(await gw.execute(ErrorsCustomerSubscriptionsDocument, { id: CUSTOMERS[0]!, first }), 'BAD_USER_INPUT', 200);
    expect(error.message).toBe(`Argument 'first' must be an integer from 0 to 100, but got ${first}`);
    expect(error.path).toEqual(['customer', 'subscriptions']);
  });

  it('first: 100 and first: 0 are accepted', async () => {
    expect((await gw.execute(ErrorsCustomersDocument, { first: 100 })).data?.customers.nodes).toHaveLength(3);
    expect((await gw.execute(ErrorsCustomersDocument, { first: 0 })).data?.customers.nodes).toEqual([]);
  });
});

describe('malformed requests', () => {
  it('a body that is not JSON answers HTTP 400 with code BAD_REQUEST in a JSON body', async () => {
    const res = await gw.post('{"query": "{ viewer { userId } }"');
    expect(res.status).toBe(400);
    const body = JSON.parse(res.text) as { errors: ErrorEntry[] };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(body.errors[0]!.message).toMatch(/^Expected a JSON request body, but it does not parse: /);
  });

  it('a GraphQL syntax error answers GRAPHQL_PARSE_FAILED with HTTP 400', async () => {
    const res = await raw('{ customers(first: 1 { nodes { id } } }');
    const error = coded(res, 'GRAPHQL_PARSE_FAILED', 400);
    expect(error.message).toBe('Syntax Error: Expected Name, found "{".');
  });

  it('a text/plain body is refused with HTTP 400 and a coded JSON error, not a 500', async () => {
    const res = await gw.post(JSON.stringify({ query: '{ viewer { userId } }' }), { contentType: 'text/plain' });
    expect(res.status).toBe(400);
    const body = JSON.parse(res.text) as { errors: ErrorEntry[] };
    expect(body.errors[0]!.extensions?.code).toBe('BAD_REQUEST');
  });
});

describe('authentication', () => {
  /** The context factory's errors reach the client as they are, with no 'Context creation failed' prefix. */
  const contextMessage = (message: string) => message;

  it('a request without X-Partner-Id answers UNAUTHENTICATED with HTTP 401', async () => {
    const res = await gw.execute(ErrorsViewerDocument, {}, { partner: null });
    const error = coded(res, 'UNAUTHENTICATED', 401);
    expect(error.message).toBe(contextMessage(AUTH_FAILURE_MESSAGE));
    expect(res.data).toBeUndefined();
  });

  it('Authorization: Bearer <partner ID> stands in for X-Partner-Id', async () => {
    const res = await gw.execute(
      ErrorsViewerDocument,
      {},
      { partner: null, headers: { authorization: `Bearer ${DEMO_PARTNERS.fabrikam.id}` } },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ viewer: { partner: { id: DEMO_PARTNERS.fabrikam.id } } });
  });

  // Every authentication failure answers the same message (no enumeration): test/e2e/auth.test.ts.
  it('an unknown partner ID answers UNAUTHENTICATED with HTTP 401, like any other failure', async () => {
    const unknown = guid('err-unknown-partner');
    const error = coded(await gw.execute(ErrorsViewerDocument, {}, { partner: unknown }), 'UNAUTHENTICATED', 401);
    expect(error.message).toBe(contextMessage(AUTH_FAILURE_MESSAGE));
  });

  it('an unknown role in X-Partner-Roles answers UNAUTHENTICATED with HTTP 401, like any other failure', async () => {
    const error = coded(await gw.execute(ErrorsViewerDocument, {}, { roles: 'admin_agent,superuser' }), 'UNAUTHENTICATED', 401);
    expect(error.message).toBe(contextMessage(AUTH_FAILURE_MESSAGE));
  });
});

describe('invalid filter values', () => {
  it("billingCountry 'USA' answers BAD_USER_INPUT naming the ISO alpha-2 form", async () => {
    const error = coded(await gw.execute(ErrorsCustomersDocument, { filter: { billingCountry: ['US', 'USA'] } }), 'BAD_USER_INPUT', 200);
    expect(error.message).toBe("Filter 'billingCountry' takes ISO 3166 alpha-2 codes, but got 'USA'");
  });

  // An empty or blank search is no search filter (test/e2e/inputs.test.ts); only a too long one is refused.
  it('a 201-character search answers BAD_USER_INPUT naming the 200-character maximum', async () => {
    const error = coded(await gw.execute(ErrorsCustomersDocument, { filter: { search: 'a'.repeat(201) } }), 'BAD_USER_INPUT', 200);
    expect(error.message).toBe(`Filter 'search' must be at most 200 characters, but got 201`);
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'filter', field: 'filter.search' });
  });

  it("a 201-character customerSearch answers BAD_USER_INPUT naming 'customerSearch', the argument the client sent", async () => {
    const res = await gw.execute(ErrorsSubscriptionsDocument, { filter: { customerSearch: 'a'.repeat(201) } });
    const error = coded(res, 'BAD_USER_INPUT', 200);
    expect(error.message).toBe("Filter 'customerSearch' must be at most 200 characters, but got 201");
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'filter', field: 'filter.customerSearch' });
  });

  it('customerSearch on customer.subscriptions answers BAD_USER_INPUT: it applies to top-level subscriptions only', async () => {
    const res = await gw.execute(ErrorsCustomerSubscriptionsDocument, { id: CUSTOMERS[0]!, filter: { customerSearch: 'customer' } });
    const error = coded(res, 'BAD_USER_INPUT', 200);
    expect(error.message).toBe("Filter 'customerSearch' applies to the top-level subscriptions query, not to one customer's subscriptions");
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'filter', field: 'filter.customerSearch' });
  });

  it('a malformed offerId in a subscription filter answers BAD_USER_INPUT naming the catalog item ID shape', async () => {
    const error = coded(
      await gw.execute(ErrorsSubscriptionsDocument, { filter: { offerId: [OFFER, 'office365'] } }),
      'BAD_USER_INPUT',
      200,
    );
    expect(error.message).toBe("Argument 'filter.offerId' must be a catalog item ID such as 'CFQ7TTC0LH18:0001', but got 'office365'");
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'filter', field: 'filter.offerId' });
  });
});

describe('unexpected errors', () => {
  it('an internal error inside a resolver is masked as INTERNAL_SERVER_ERROR without detail, and logged with it', async () => {
    gw.logs.length = 0;
    const http = await gw.post(JSON.stringify({ query: `{ offer(id: "${CORRUPT_OFFER}") { id billingPlans { billingCycle } } }` }));
    expect(http.status).toBe(200);
    expect(http.text).not.toMatch(/TypeError|Cannot read|map|stack/i);

    const res = await gw.execute(ErrorsOfferPlansDocument, { id: CORRUPT_OFFER });
    expect(res.status).toBe(200);
    // billingPlans is non-null, so its error nulls the nearest nullable field: the offer lookup.
    expect(res.data).toEqual({ offer: null });
    expect(res.errors).toEqual([
      {
        message: 'Internal server error',
        locations: [{ line: 4, column: 5 }],
        path: ['offer', 'billingPlans'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId: expect.any(String) },
      },
    ]);

    const logged = gw.logs.filter((l) => l.level === 'error');
    expect(logged).toHaveLength(2);
    expect(logged[1]).toMatchObject({
      area: 'graphql',
      message: expect.stringMatching(/^unexpected error at offer\.billingPlans \(correlation [0-9a-f-]{36}\)$/),
    });
    expect(logged[1]!.detail).toBeInstanceOf(TypeError);
    expect((logged[1]!.detail as Error).message).toMatch(/reading 'map'/);
  });

  it('a sound offer next to the corrupt one still resolves', async () => {
    const res = await gw.execute(ErrorsOfferPlansDocument, { id: OFFER });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ offer: { id: OFFER, billingPlans: [{ billingCycle: 'MONTHLY', unitPrice: { amountInCents: 1200 } }] } });
  });
});

describe('no partial write', () => {
  // Runs last: everything above was a bad or read-only request.
  it('none of the requests above issued a write command, and every collection holds what was seeded', async () => {
    const writes = gw.commands
      .filter((e) => WRITE_COMMANDS.has(e.commandName))
      .map((e) => `${e.commandName}:${String(e.command[e.commandName])}`);
    expect(writes).toEqual([]);
    expect(gw.commands.length).toBeGreaterThan(0);
    expect(await countAll(gw.collections)).toEqual(countsBefore);
    expect(countsBefore).toMatchObject({ partners: 3, customers: 3, subscriptions: 3, offers: 2 });
  });
});
