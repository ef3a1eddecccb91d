import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collections } from '../../src/db/collections.js';
import { exampleOperations } from '../../src/graphiql/examples.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { seedWorld } from '../../src/seed/generate.js';
import { demoExampleIds } from '../../src/app/server.js';
import { aCustomer, anOffer, aSubscription, guid } from '../support/fixtures.js';
import { startTestGateway, type CallOptions, type GraphQLResponse, type TestGateway } from '../support/gateway.js';

/*
 * Issue 8, consistent inputs and messages: enum filters take lists, date-times say what they
 * expect (and a bare date is its start in UTC), an empty search is no filter, every
 * BAD_USER_INPUT names its argument (and field), every BAD_REQUEST docs/api.md lists is one, and
 * the IDE's examples find data on the demo world.
 */

const OFFER = {
  base: 'CFQ7TTC0INP1:0001',
  usage: 'CFQ7TTC0INP2:0001',
  isv: 'CFQ7TTC0INP3:0001',
  trial: 'CFQ7TTC0INP4:0001',
};
const CUSTOMER = { alpha: guid('inp-alpha'), beta: guid('inp-beta'), gamma: guid('inp-gamma') };
const SUB = { endsDec1: guid('inp-s-dec1'), endsNov30: guid('inp-s-nov30'), endsNextYear: guid('inp-s-2027') };
const ADMIN: CallOptions = { roles: 'global_admin,admin_agent' };
const DATE_TIME_EXPECTED =
  'an ISO-8601 date-time with a time zone, such as 2026-12-01T00:00:00Z, or a date such as 2026-12-01 (its start, 00:00:00Z)';

async function seed(cols: Collections): Promise<void> {
  await cols.offers.insertMany([
    anOffer({ _id: OFFER.base }),
    anOffer({ _id: OFFER.usage, billingType: 'usage', segments: ['government'] }),
    anOffer({ _id: OFFER.isv, publisher: 'isv', commerceType: 'marketplace_saas', category: 'small_business', segments: ['education'] }),
    anOffer({ _id: OFFER.trial, category: 'trial', segments: ['education'] }),
  ]);
  await cols.customers.insertMany([
    aCustomer({ _id: CUSTOMER.alpha, companyName: 'Alpha Traders' }),
    aCustomer({ _id: CUSTOMER.beta, companyName: 'Beta Schools', segment: 'education', billingCountry: 'GB' }),
    aCustomer({ _id: CUSTOMER.gamma, companyName: 'Gamma Works' }),
  ]);
  // Terms of one year: ending at 2026-12-01T00:00Z exactly, half a day before it, and in 2027.
  await cols.subscriptions.insertMany([
    aSubscription({
      _id: SUB.endsDec1,
      customerId: CUSTOMER.alpha,
      offerId: OFFER.base,
      effectiveStartDate: new Date('2025-12-01T00:00:00Z'),
    }),
    aSubscription({
      _id: SUB.endsNov30,
      customerId: CUSTOMER.beta,
      offerId: OFFER.base,
      effectiveStartDate: new Date('2025-11-30T12:00:00Z'),
    }),
    aSubscription({
      _id: SUB.endsNextYear,
      customerId: CUSTOMER.gamma,
      offerId: OFFER.base,
      effectiveStartDate: new Date('2026-11-01T09:00:00Z'),
    }),
  ]);
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway(seed);
});
afterAll(() => gw?.close());

type ErrorEntry = NonNullable<GraphQLResponse<unknown>['errors']>[number];
type Data = Record<string, unknown>;

async function raw(query: string, variables: Record<string, unknown> = {}, options: CallOptions = ADMIN): Promise<GraphQLResponse<Data>> {
  const res = await gw.post(JSON.stringify({ query, variables }), options);
  return { status: res.status, ...(JSON.parse(res.text) as object) };
}

/** The data of an answer that must have no error. */
async function ok(query: string, variables: Record<string, unknown> = {}, options?: CallOptions): Promise<Data> {
  const res = await raw(query, variables, options);
  expect(res.errors).toBeUndefined();
  return res.data!;
}

/** The only error of an answer, with its HTTP status and code checked. */
async function refused({
  query,
  variables,
  code,
  status,
  options,
}: {
  query: string;
  variables: Record<string, unknown>;
  code: string;
  status: number;
  options?: CallOptions;
}): Promise<ErrorEntry> {
  const res = await raw(query, variables, options);
  expect(res.status).toBe(status);
  expect(res.errors).toHaveLength(1);
  expect(res.errors![0]!.extensions?.code).toBe(code);
  return res.errors![0]!;
}

const ids = (nodes: unknown) => (nodes as { id: string }[]).map((n) => n.id);
const offerIds = async (filter: string, variables: Record<string, unknown> = {}, declared = '') =>
  ids(((await ok(`query${declared} { offers(first: 100, filter: ${filter}) { nodes { id } } }`, variables)).offers as Data).nodes);

describe('enum filters take lists', () => {
  it('every field of every filter input that names an enum is a list', async () => {
    const data = await ok(
      `{ __schema { types { name kind inputFields { name type { kind name ofType { kind name ofType { kind name } } } } } } }`,
    );
    type TypeRef = { kind: string; name: string | null; ofType?: TypeRef | null };
    const types = (data.__schema as { types: { name: string; kind: string; inputFields: { name: string; type: TypeRef }[] | null }[] })
      .types;
    const filters = types.filter((t) => t.kind === 'INPUT_OBJECT' && t.name.endsWith('Filter'));
    expect(filters.map((t) => t.name)).toEqual(expect.arrayContaining(['CustomerFilter', 'OfferFilter', 'SubscriptionFilter']));
    const single: string[] = [];
    for (const type of filters) {
      for (const field of type.inputFields ?? []) {
        const t = field.type.kind === 'NON_NULL' ? field.type.ofType! : field.type;
        if (t.kind === 'ENUM') single.push(`${type.name}.${field.name}`);
      }
    }
    expect(single).toEqual([]);
  });

  it('CAT-FILTER: the offers filter matches any value of each list, and all the filters together', async () => {
    expect(await offerIds('{ publisher: [MICROSOFT, ISV] }')).toEqual([OFFER.base, OFFER.usage, OFFER.isv, OFFER.trial]);
    expect(await offerIds('{ billingType: [USAGE] }')).toEqual([OFFER.usage]);
    expect(await offerIds('{ category: [TRIAL, SMALL_BUSINESS] }')).toEqual([OFFER.isv, OFFER.trial]);
    expect(await offerIds('{ segment: [GOVERNMENT, EDUCATION] }')).toEqual([OFFER.usage, OFFER.isv, OFFER.trial]);
    expect(await offerIds('{ segment: [EDUCATION], publisher: [MICROSOFT] }')).toEqual([OFFER.trial]);
    expect(await offerIds('{ publisher: [] }')).toEqual([OFFER.base, OFFER.usage, OFFER.isv, OFFER.trial]);
  });

  it('a single enum value still works, written in the document or sent as a variable', async () => {
    expect(await offerIds('{ publisher: ISV }')).toEqual([OFFER.isv]);
    expect(await offerIds('$filter', { filter: { segment: 'GOVERNMENT', category: 'ENTERPRISE' } }, '($filter: OfferFilter)')).toEqual([
      OFFER.usage,
    ]);
    const subs = await ok('{ subscriptions(filter: { status: ACTIVE, billingCycle: MONTHLY }) { totalCount } }');
    expect(subs).toEqual({ subscriptions: { totalCount: 3 } });
  });

  it('a filter list longer than LIMIT_MAX_LIST (100) is QUERY_TOO_COMPLEX, in the document or in a variable', async () => {
    const literal = await refused({
      query: `{ offers(filter: { category: [${Array(101).fill('TRIAL').join(', ')}] }) { totalCount } }`,
      variables: {},
      code: 'QUERY_TOO_COMPLEX',
      status: 400,
    });
    expect(literal.extensions).toMatchObject({ limit: 'listLength', maximum: 100, found: 101 });
    const variable = await refused({
      query: 'query($filter: OfferFilter) { offers(filter: $filter) { totalCount } }',
      variables: { filter: { publisher: Array(101).fill('ISV') } },
      code: 'QUERY_TOO_COMPLEX',
      status: 400,
    });
    expect(variable.extensions).toMatchObject({ limit: 'listLength', maximum: 100, found: 101 });
  });
});

describe('date-time arguments', () => {
  const expiring = (before: string) =>
    ok('query($before: DateTimeISO) { subscriptions(filter: { expiringBefore: $before }) { nodes { id } } }', { before }).then((d) =>
      ids((d.subscriptions as Data).nodes),
    );

  it('a bare date is the start of that day in UTC: expiringBefore 2026-12-01 excludes a term ending at 2026-12-01T00:00:00Z', async () => {
    expect(await expiring('2026-12-01')).toEqual([SUB.endsNov30]);
    expect(await expiring('2026-12-01T00:00:00Z')).toEqual([SUB.endsNov30]);
    expect(await expiring('2026-12-01T00:00:00.001Z')).toEqual([SUB.endsDec1, SUB.endsNov30].sort(bySubscriptionOrder));
    expect(await expiring('2026-12-02')).toEqual([SUB.endsDec1, SUB.endsNov30].sort(bySubscriptionOrder));
  });

  it('a date-time with an offset is the same instant in UTC', async () => {
    expect(await expiring('2026-12-01T01:00:00.001+01:00')).toEqual(await expiring('2026-12-01T00:00:00.001Z'));
  });

  it('a bare date written in the document is accepted too (advanceClock to 2026-12-01 moves the clock to 2026-12-01T00:00:00Z)', async () => {
    const data = await ok('mutation { advanceClock(input: { to: "2026-12-01" }) { clock { now } userErrors { code } } }');
    expect(data).toEqual({ advanceClock: { clock: { now: '2026-12-01T00:00:00.000Z' }, userErrors: [] } });
    const audit = await ok('{ auditRecords(from: "2026-11-01", to: "2026-12-02") { totalCount } }');
    expect(audit).toEqual({ auditRecords: { totalCount: expect.any(Number) } });
  });

  it.each([
    ['a word', 'tomorrow', '"tomorrow"'],
    ['a date-time without a time zone', '2026-12-01T00:00:00', '"2026-12-01T00:00:00"'],
    ['a date that is no calendar date', '2026-02-30', '"2026-02-30"'],
    ['a number', 1764547200000, '1764547200000'],
  ])('a variable holding %s is BAD_USER_INPUT (HTTP 400) naming the argument and the expected format', async (_name, value, shown) => {
    const error = await refused({
      query: 'query($from: DateTimeISO!, $to: DateTimeISO!) { auditRecords(from: $from, to: $to) { totalCount } }',
      variables: { from: value, to: '2026-12-01T00:00:00Z' },
      code: 'BAD_USER_INPUT',
      status: 400,
    });
    expect(error.message).toBe(`Argument 'from' must be ${DATE_TIME_EXPECTED}, but got ${shown} (variable $from)`);
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'from', variableName: 'from' });
  });

  it('a variable feeding a date-time field of a filter names the argument, the field and the variable', async () => {
    const error = await refused({
      query: 'query($before: DateTimeISO) { subscriptions(filter: { expiringBefore: $before }) { totalCount } }',
      variables: { before: '01/12/2026' },
      code: 'BAD_USER_INPUT',
      status: 400,
    });
    expect(error.message).toBe(`Argument 'filter.expiringBefore' must be ${DATE_TIME_EXPECTED}, but got "01/12/2026" (variable $before)`);
    expect(error.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      argumentName: 'filter',
      field: 'filter.expiringBefore',
      variableName: 'before',
    });
  });

  it('a literal that is no date-time is GRAPHQL_VALIDATION_FAILED (HTTP 400) naming the argument and the expected format', async () => {
    const top = await refused({
      query: '{ activityLog(from: "2026-13-01", to: "2026-12-01") { totalCount } }',
      variables: {},
      code: 'GRAPHQL_VALIDATION_FAILED',
      status: 400,
    });
    expect(top.message).toBe(`Argument 'from' must be ${DATE_TIME_EXPECTED}, but got "2026-13-01"`);
    expect(top.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', argumentName: 'from' });
    const nested = await refused({
      query: '{ subscriptions(filter: { expiringBefore: 20261201 }) { totalCount } }',
      variables: {},
      code: 'GRAPHQL_VALIDATION_FAILED',
      status: 400,
    });
    expect(nested.message).toBe(`Argument 'filter.expiringBefore' must be ${DATE_TIME_EXPECTED}, but got 20261201`);
    expect(nested.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', argumentName: 'filter', field: 'filter.expiringBefore' });
  });

  it('date-times are answered in UTC with milliseconds and Z', async () => {
    const data = await ok(`{ subscription(id: "${SUB.endsNextYear}") { commitmentEndDate } }`);
    expect(data).toEqual({ subscription: { commitmentEndDate: '2027-11-01T09:00:00.000Z' } });
  });
});

/** Subscriptions come oldest first (creationDate, then ID). */
function bySubscriptionOrder(a: string, b: string): number {
  const order = [SUB.endsNov30, SUB.endsDec1, SUB.endsNextYear];
  return order.indexOf(a) - order.indexOf(b);
}

describe('an empty search is no search filter', () => {
  const customers = (filter: Data | null, after?: string) =>
    ok(
      'query($filter: CustomerFilter, $after: String) { customers(first: 2, filter: $filter, after: $after) { nodes { id } pageInfo { endCursor } totalCount } }',
      {
        filter,
        after,
      },
    ).then((d) => d.customers as { nodes: { id: string }[]; pageInfo: { endCursor: string }; totalCount: number });

  it('an empty or blank customers search answers every customer, as no search does', async () => {
    const all = await customers(null);
    expect(all.totalCount).toBe(3);
    for (const search of ['', '   ', '\t']) expect(await customers({ search })).toEqual(all);
  });

  it('a cursor of a page with an empty search pages on without the search, and the other way round', async () => {
    const empty = await customers({ search: '' });
    const next = await customers(null, empty.pageInfo.endCursor);
    expect(next.nodes.map((n) => n.id)).toEqual([CUSTOMER.gamma]);
    const none = await customers(null);
    expect((await customers({ search: ' ' }, none.pageInfo.endCursor)).nodes.map((n) => n.id)).toEqual([CUSTOMER.gamma]);
  });

  it('an empty or blank customerSearch answers every subscription, at the top level and (no search) under a customer', async () => {
    for (const customerSearch of ['', '  ']) {
      expect(await ok('query($f: SubscriptionFilter) { subscriptions(filter: $f) { totalCount } }', { f: { customerSearch } })).toEqual({
        subscriptions: { totalCount: 3 },
      });
      const nested = await ok(
        'query($id: ID!, $f: SubscriptionFilter) { customer(id: $id) { subscriptions(filter: $f) { totalCount } } }',
        {
          id: CUSTOMER.alpha,
          f: { customerSearch },
        },
      );
      expect(nested).toEqual({ customer: { subscriptions: { totalCount: 1 } } });
    }
  });

  it('a search still filters, and a search over 200 characters is refused with the reason', async () => {
    expect((await customers({ search: ' be ' })).nodes.map((n) => n.id)).toEqual([CUSTOMER.beta]);
    const error = await refused({
      query: '{ customers(filter: { search: "' + 'x'.repeat(201) + '" }) { totalCount } }',
      variables: {},
      code: 'BAD_USER_INPUT',
      status: 200,
    });
    expect(error.message).toBe("Filter 'search' must be at most 200 characters, but got 201");
  });
});

describe('every BAD_USER_INPUT names its argument', () => {
  const cases: [string, string, Record<string, unknown>, Record<string, unknown>][] = [
    ['a malformed ID', '{ customer(id: "nope") { id } }', {}, { argumentName: 'id' }],
    ['first out of range', '{ customers(first: 101) { totalCount } }', {}, { argumentName: 'first' }],
    ['a malformed cursor', '{ customers(after: "nope") { totalCount } }', {}, { argumentName: 'after' }],
    [
      'a malformed offer ID in a filter list',
      '{ subscriptions(filter: { offerId: ["office"] }) { totalCount } }',
      {},
      { argumentName: 'filter', field: 'filter.offerId' },
    ],
    [
      'a billing country that is no ISO alpha-2 code',
      '{ customers(filter: { billingCountry: ["USA"] }) { totalCount } }',
      {},
      { argumentName: 'filter', field: 'filter.billingCountry' },
    ],
    [
      'a reversed ledger range',
      `{ customer(id: "${CUSTOMER.alpha}") { ledger(filter: { from: "2026-12-01", to: "2026-11-01" }) { totalCount } } }`,
      {},
      { argumentName: 'filter', field: 'filter.to' },
    ],
    [
      'an invoice period that is no month',
      `{ invoice(customerId: "${CUSTOMER.alpha}", period: "2026-13") { total { amount } } }`,
      {},
      { argumentName: 'period' },
    ],
    [
      'an audit range ending before it starts',
      '{ auditRecords(from: "2026-12-01", to: "2026-11-01") { totalCount } }',
      {},
      { argumentName: 'to' },
    ],
    [
      'an activity log range of over 90 days',
      '{ activityLog(from: "2026-01-01", to: "2026-12-01") { totalCount } }',
      {},
      { argumentName: 'to' },
    ],
    [
      'an advance with both by and to',
      'mutation { advanceClock(input: { by: "P1D", to: "2027-01-01" }) { dryRun } }',
      {},
      { argumentName: 'input' },
    ],
    [
      'an advance by no duration',
      'mutation { advanceClock(input: { by: "a day" }) { dryRun } }',
      {},
      { argumentName: 'input', field: 'input.by' },
    ],
    [
      'a malformed subscription ID in a mutation input',
      'mutation { cancelSubscription(input: { subscriptionId: "nope", dryRun: true }) { dryRun } }',
      {},
      { argumentName: 'input', field: 'input.subscriptionId' },
    ],
    [
      'a malformed offer ID on the second line of a cart',
      `mutation { purchase(input: { customerId: "${CUSTOMER.alpha}", lineItems: [{ offerId: "${OFFER.base}" }, { offerId: "nope" }], dryRun: true }) { dryRun } }`,
      {},
      { argumentName: 'input', field: 'input.lineItems[1].offerId' },
    ],
    [
      'a variable of the wrong scalar type',
      'query($first: Int) { customers(first: $first) { totalCount } }',
      { first: 'ten' },
      { argumentName: 'first', variableName: 'first' },
    ],
    [
      'an unknown enum value in a list variable',
      'query($filter: SubscriptionFilter) { subscriptions(filter: $filter) { totalCount } }',
      { filter: { status: ['ACTIVE', 'NOPE'] } },
      { argumentName: 'filter', field: 'filter.status[1]', variableName: 'filter' },
    ],
    [
      'a required variable not given',
      'query($customerId: ID!) { customer(id: $customerId) { id } }',
      {},
      { argumentName: 'id', variableName: 'customerId' },
    ],
    [
      'a required variable given null',
      'query($customerId: ID!) { customer(id: $customerId) { id } }',
      { customerId: null },
      { argumentName: 'id', variableName: 'customerId' },
    ],
    [
      'a quantity that is no integer deep in a mutation input variable',
      'mutation($cart: PurchaseInput!) { purchase(input: $cart) { dryRun } }',
      { cart: { customerId: CUSTOMER.alpha, lineItems: [{ offerId: OFFER.base, quantity: 'ten' }], dryRun: true } },
      { argumentName: 'input', field: 'input.lineItems[0].quantity', variableName: 'cart' },
    ],
    [
      'a variable used in a fragment',
      'query($f: Int) { ...F } fragment F on Query { offers(first: $f) { totalCount } }',
      { f: 1.5 },
      { argumentName: 'first', variableName: 'f' },
    ],
  ];

  it.each(cases)(
    '%s answers BAD_USER_INPUT with argumentName (and field where it is inside an input)',
    async (_name, query, variables, where) => {
      const res = await raw(query, variables);
      expect(res.errors?.length).toBeGreaterThan(0);
      const error = res.errors![0]!;
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      const { code: _code, rule: _rule, ...located } = error.extensions!;
      expect(located).toEqual(where);
    },
  );

  it("a variable's coercion error keeps graphql-js's message, which names the variable and the path", async () => {
    const error = await refused({
      query: 'query($f: SubscriptionFilter) { subscriptions(filter: $f) { totalCount } }',
      variables: { f: { status: ['NOPE'] } },
      code: 'BAD_USER_INPUT',
      status: 400,
    });
    expect(error.message).toBe(
      'Variable "$f" got invalid value "NOPE" at "f.status[0]"; Value "NOPE" does not exist in "SubscriptionStatus" enum.',
    );
  });

  it('an invalid literal answers GRAPHQL_VALIDATION_FAILED with the argumentName and field of the value', async () => {
    const error = await refused({
      query: '{ subscriptions(filter: { status: [ACTIVE, NOPE] }) { totalCount } }',
      variables: {},
      code: 'GRAPHQL_VALIDATION_FAILED',
      status: 400,
    });
    expect(error.message).toBe('Value "NOPE" does not exist in "SubscriptionStatus" enum.');
    expect(error.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', argumentName: 'filter', field: 'filter.status[1]' });
  });
});

/** Sends raw bytes over TCP and returns the status line and body. */
function rawHttp(text: string): Promise<{ status: number; body: string }> {
  const url = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(text));
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1]), body: out.split('\r\n\r\n')[1] ?? '' }));
    socket.on('error', reject);
  });
}

describe('control characters in string inputs (src/limits/text-inputs.ts)', () => {
  const NUL = '\u0000';
  const cases: [string, string, Record<string, unknown>, Record<string, unknown>][] = [
    [
      'a NUL in the friendlyName of a mutation, written in the document',
      `mutation { updateSubscription(input: { subscriptionId: "${SUB.endsDec1}", friendlyName: "a\\u0000b" }) { dryRun } }`,
      {},
      { argumentName: 'input', field: 'input.friendlyName' },
    ],
    [
      'a NUL in a query filter string',
      '{ customers(filter: { search: "al\\u0000" }) { totalCount } }',
      {},
      { argumentName: 'filter', field: 'filter.search' },
    ],
    ['a NUL in a variable', 'query($id: ID!) { customer(id: $id) { id } }', { id: `${CUSTOMER.alpha}${NUL}` }, { argumentName: 'id' }],
    [
      'a NUL nested in an input object of a list, in a variable',
      'mutation($cart: PurchaseInput!) { purchase(input: $cart) { dryRun } }',
      {
        cart: {
          customerId: CUSTOMER.alpha,
          lineItems: [
            { offerId: OFFER.base, quantity: 1, billingCycle: 'MONTHLY', termDuration: 'P1M' },
            { offerId: OFFER.base, quantity: 1, billingCycle: 'MONTHLY', termDuration: 'P1M', friendlyName: `x${NUL}` },
          ],
          dryRun: true,
        },
      },
      { argumentName: 'input', field: 'input.lineItems[1].friendlyName' },
    ],
  ];

  it.each(cases)(
    '%s answers BAD_USER_INPUT (HTTP 400) naming the field, never INTERNAL_SERVER_ERROR, and logs no error',
    async (_name, query, variables, where) => {
      const logged = gw.logs.length;
      const error = await refused({ query, variables, code: 'BAD_USER_INPUT', status: 400 });
      const { code: _code, ...located } = error.extensions!;
      expect(located).toEqual(where);
      expect(error.message).toMatch(/^Argument '.+' must not contain control characters other than tab, but has U\+0000 at position \d+$/);
      expect(gw.logs.slice(logged).filter((l) => l.level === 'error')).toEqual([]);
    },
  );

  it('the same mutation without the NUL is accepted, so the refusal is about the character', async () => {
    const data = await ok(
      `mutation { updateSubscription(input: { subscriptionId: "${SUB.endsDec1}", friendlyName: "a b", dryRun: true }) { dryRun userErrors { code } } }`,
    );
    expect(data.updateSubscription).toEqual({ dryRun: true, userErrors: [] });
  });
});

describe('every BAD_REQUEST docs/api.md ("Errors") lists', () => {
  const json = { 'content-type': 'application/json', 'x-partner-id': DEMO_PARTNERS.contoso.id };
  const q = '{ viewer { userId } }';
  const cases: [string, string, RequestInit & { path?: string }, number][] = [
    ['a body that is not JSON', 'POST', { headers: json, body: '{"query": ' }, 400],
    ['a JSON body that is no object (null)', 'POST', { headers: json, body: 'null' }, 400],
    ['a batched array of operations', 'POST', { headers: json, body: JSON.stringify([{ query: q }, { query: q }]) }, 400],
    ['a body over 1 MB', 'POST', { headers: json, body: JSON.stringify({ query: q, variables: { x: 'a'.repeat(1_100_000) } }) }, 413],
    ['a text/plain body', 'POST', { headers: { ...json, 'content-type': 'text/plain' }, body: JSON.stringify({ query: q }) }, 400],
    ['a form body', 'POST', { headers: { ...json, 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=x' }, 400],
    ['a JSON object without query', 'POST', { headers: json, body: '{}' }, 400],
    ['a query that is not a string', 'POST', { headers: json, body: JSON.stringify({ query: 1 }) }, 400],
    ['variables that are not an object', 'POST', { headers: json, body: JSON.stringify({ query: q, variables: '{}' }) }, 400],
    ['an operationName that is not a string', 'POST', { headers: json, body: JSON.stringify({ query: q, operationName: 1 }) }, 400],
    ['extensions that are not an object', 'POST', { headers: json, body: JSON.stringify({ query: q, extensions: '{}' }) }, 400],
    ['PUT', 'PUT', { headers: json, body: JSON.stringify({ query: q }) }, 405],
    ['DELETE', 'DELETE', { headers: json }, 405],
    [
      'a mutation sent as GET',
      'GET',
      { headers: json, path: `?query=${encodeURIComponent('mutation { advanceClock(input: { by: "P1D" }) { dryRun } }')}` },
      405,
    ],
    ['GET variables that are not JSON', 'GET', { headers: json, path: `?query=${encodeURIComponent(q)}&variables=%7B` }, 400],
    ['a GET without query', 'GET', { headers: { ...json, accept: 'application/json' }, path: '?variables=%7B%7D' }, 400],
    [
      'a GET without Authorization, X-Partner-Id or another preflight header (CSRF prevention)',
      'GET',
      { headers: { accept: 'application/json' }, path: `?query=${encodeURIComponent(q)}` },
      400,
    ],
    [
      'a persisted query of an unsupported version',
      'POST',
      { headers: json, body: JSON.stringify({ query: q, extensions: { persistedQuery: { version: 2, sha256Hash: 'x' } } }) },
      400,
    ],
    [
      "a persisted query whose hash is not the query's",
      'POST',
      { headers: json, body: JSON.stringify({ query: q, extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }) },
      400,
    ],
    ['a subscription operation', 'POST', { headers: json, body: JSON.stringify({ query: 'subscription { eventAdded { id } }' }) }, 400],
  ];

  it.each(cases)('%s answers BAD_REQUEST in a JSON body', async (_name, method, init, status) => {
    const { path = '', ...rest } = init;
    const res = await fetch(`${gw.url}/graphql${path}`, { method, ...rest });
    expect(res.status).toBe(status);
    const body = (await res.json()) as { errors: ErrorEntry[] };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(body.errors[0]!.message.length).toBeGreaterThan(0);
  });

  it.each([
    ['an unknown method (BREW)', 'BREW /graphql HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['a request line that does not parse', 'hello\r\n\r\n', 400],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n', 405],
    ['headers over the size limit', `GET /graphql HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  ])('%s (unparsable HTTP) answers BAD_REQUEST in a JSON body', async (_name, request, status) => {
    const res = await rawHttp(request);
    expect(res.status).toBe(status);
    expect(JSON.parse(res.body)).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'BAD_REQUEST' } }] });
  });
});

describe('IDE examples on the demo world', () => {
  let demo: TestGateway;
  beforeAll(async () => {
    demo = await startTestGateway(async (cols) => {
      await seedWorld(cols, { customers: 40, seed: 'demo' });
    });
  });
  afterAll(() => demo?.close());

  it('the Search, Catalog and Expiring examples find data on the demo world', async () => {
    const ops = exampleOperations(await demoExampleIds(demo.collections, DEMO_PARTNERS.contoso.id));
    const found: Record<string, boolean> = {};
    for (const title of ['Search customers', 'Catalog', 'Expiring subscriptions']) {
      const op = ops.find((o) => o.title === title)!;
      const res = await fetch(`${demo.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-partner-id': DEMO_PARTNERS.contoso.id, 'x-partner-roles': 'global_admin' },
        body: JSON.stringify({ query: op.query, variables: op.variables ? JSON.parse(op.variables) : {} }),
      });
      const body = (await res.json()) as { data: Record<string, { nodes: unknown[] }>; errors?: unknown };
      expect(body.errors).toBeUndefined();
      found[title] = Object.values(body.data)[0]!.nodes.length > 0;
    }
    expect(found).toEqual({ 'Search customers': true, Catalog: true, 'Expiring subscriptions': true });
  });
});
