import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collections } from '../../src/db/collections.js';
import type { LedgerEntryDoc } from '../../src/db/documents.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import {
  LedgerInvoiceDocument,
  LedgerInvoiceTaxDocument,
  LedgerPageDocument,
  type LedgerFilter,
  type LedgerPageQuery,
} from '../generated/graphql.js';
import { aCustomer, guid, orderId } from '../support/fixtures.js';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../support/gateway.js';

/*
 * The ledger and invoices over HTTP (MONEY-EXACT, PRICE-TAX): one gateway and one hand-built
 * ledger for the file. Every expected amount below is summed by hand from the entries seeded here.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const FABRIKAM = DEMO_PARTNERS.fabrikam.id;

const C = {
  us: guid('lg-us'),
  au: guid('lg-au'),
  br: guid('lg-br'),
  other: guid('lg-other'),
  exact: guid('lg-exact'),
  many: guid('lg-many'),
};
/** Fabrikam's own customer. */
const F = { fab: guid('lg-fab') };

const SUB = { a: guid('lg-sub-a'), b: guid('lg-sub-b') };
const RES = guid('lg-res');
const ORD = orderId('lg-ord');

/** November 2026 (UTC), the period most tests invoice. */
const NOV_START = new Date('2026-11-01T00:00:00.000Z');
const DEC_START = new Date('2026-12-01T00:00:00.000Z');
const ms = (d: Date, delta: number) => new Date(d.getTime() + delta);

function entry({
  _id,
  customerId,
  amountCents,
  at,
  overrides = {},
}: {
  _id: string;
  customerId: string;
  amountCents: number;
  at: Date;
  overrides?: Partial<LedgerEntryDoc>;
}): LedgerEntryDoc {
  return {
    _id,
    partnerId: CONTOSO,
    customerId,
    amountCents,
    currency: 'USD',
    kind: amountCents < 0 ? 'refund' : 'charge',
    source: { type: 'subscription', id: SUB.a },
    orderId: null,
    ruleId: null,
    description: `Entry ${_id}`,
    at,
    ...overrides,
  };
}

/**
 * The US customer's ledger, in (at, _id) order: the connection's order. Two entries share an
 * instant (us-03a, us-03b) so the `_id` tie-break is exercised. us-00 is in October and us-07 at
 * exactly December's first instant: neither is on November's invoice.
 */
const US_LEDGER: LedgerEntryDoc[] = [
  entry({
    _id: 'lg-us-00',
    customerId: C.us,
    amountCents: 500,
    at: ms(NOV_START, -1),
    overrides: { description: 'October, last millisecond' },
  }),
  entry({
    _id: 'lg-us-01',
    customerId: C.us,
    amountCents: 12000,
    at: NOV_START,
    overrides: { orderId: ORD, description: 'November, first instant' },
  }),
  entry({
    _id: 'lg-us-03a',
    customerId: C.us,
    amountCents: 3333,
    at: new Date('2026-11-10T12:00:00.000Z'),
    overrides: {
      kind: 'prorated_charge',
      ruleId: 'SUB-QTY-INCREASE',
      source: { type: 'subscription', id: SUB.b },
      operationId: 'op-1',
    },
  }),
  entry({
    _id: 'lg-us-03b',
    customerId: C.us,
    amountCents: 1,
    at: new Date('2026-11-10T12:00:00.000Z'),
    overrides: { kind: 'prorated_charge', ruleId: 'ADDON-ALIGN' },
  }),
  entry({
    _id: 'lg-us-04',
    customerId: C.us,
    amountCents: -4500,
    at: new Date('2026-11-15T08:30:00.000Z'),
    overrides: { kind: 'refund', ruleId: 'CANCEL-NCE-30D', orderId: ORD },
  }),
  entry({
    _id: 'lg-us-05',
    customerId: C.us,
    amountCents: 150,
    at: new Date('2026-11-20T00:00:00.000Z'),
    overrides: {
      kind: 'fee',
      ruleId: 'RES-REFUND-TABLE',
      source: { type: 'reservation', id: RES },
    },
  }),
  entry({
    _id: 'lg-us-06',
    customerId: C.us,
    amountCents: -25,
    at: ms(DEC_START, -1),
    overrides: { kind: 'credit', source: { type: 'subscription', id: SUB.b } },
  }),
  entry({ _id: 'lg-us-07', customerId: C.us, amountCents: 7000, at: DEC_START, overrides: { description: 'December, first instant' } }),
];
/** November's entries of the US customer: us-01 .. us-06. */
const US_NOV = US_LEDGER.slice(1, 7);
const US_NOV_CHARGES = 12000 + 3333 + 1 + 150;
const US_NOV_CREDITS = -4500 - 25;

/** MONEY-EXACT: 1 cent beside 999999999 cents, and 10 + 20 cents (0.1 + 0.2 is not 0.3 in binary floating point). */
const EXACT_AMOUNTS = [999_999_999, 1, 10, 20, 999_999_999, -1, -999_999_999];

/** More entries than an invoice lists. */
const MANY = 1001;

async function seed(cols: Collections): Promise<void> {
  await cols.customers.insertMany([
    aCustomer({ _id: C.us, companyName: 'Ledger US', billingCountry: 'US' }),
    aCustomer({ _id: C.au, companyName: 'Ledger AU', billingCountry: 'AU' }),
    aCustomer({ _id: C.br, companyName: 'Ledger BR', billingCountry: 'BR' }),
    aCustomer({ _id: C.other, companyName: 'Ledger Other' }),
    aCustomer({ _id: C.exact, companyName: 'Ledger Exact' }),
    aCustomer({ _id: C.many, companyName: 'Ledger Many' }),
    aCustomer({ _id: F.fab, companyName: 'Ledger Fabrikam', partnerId: FABRIKAM }),
  ]);
  await cols.ledger.insertMany([
    ...US_LEDGER,
    // Another customer's November: not on the US invoice.
    entry({ _id: 'lg-other-01', customerId: C.other, amountCents: 80000, at: new Date('2026-11-05T00:00:00.000Z') }),
    // Fabrikam's entry naming Contoso's customer: scope is by owner (ROLE-TENANT), so never counted for Contoso.
    entry({
      _id: 'lg-fab-on-us',
      customerId: C.us,
      amountCents: 99999,
      at: new Date('2026-11-12T00:00:00.000Z'),
      overrides: { partnerId: FABRIKAM },
    }),
    entry({
      _id: 'lg-fab-01',
      customerId: F.fab,
      amountCents: 4200,
      at: new Date('2026-11-12T00:00:00.000Z'),
      overrides: { partnerId: FABRIKAM },
    }),
    ...EXACT_AMOUNTS.map((amount, i) =>
      entry({ _id: `lg-exact-${i}`, customerId: C.exact, amountCents: amount, at: ms(NOV_START, (i + 1) * 60_000) }),
    ),
    ...Array.from({ length: MANY }, (_, i) =>
      entry({
        _id: `lg-many-${String(i).padStart(4, '0')}`,
        customerId: C.many,
        amountCents: i % 2 === 0 ? 7 : -3,
        at: ms(NOV_START, i * 1000),
      }),
    ),
  ]);
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway(seed);
});
afterAll(() => gw?.close());

type ErrorEntry = NonNullable<GraphQLResponse<unknown>['errors']>[number];

function firstError(res: GraphQLResponse<unknown>, code: string): ErrorEntry {
  expect(res.status).toBe(200);
  expect(res.errors?.length).toBeGreaterThan(0);
  const error = res.errors![0]!;
  expect(error.extensions?.code).toBe(code);
  expect(error.extensions).not.toHaveProperty('stacktrace');
  return error;
}

const usd = (cents: number, amount: string) => ({ amountInCents: cents, amount, currencyCode: 'USD' });

/** The ledger of one customer, page by page to the end, with the pages' shapes. */
async function pageToEnd(customerId: string, first: number, filter?: LedgerFilter) {
  const ids: string[] = [];
  const pages: { size: number; hasNextPage: boolean; hasPreviousPage: boolean; totalCount: number }[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 50; guard += 1) {
    const res: GraphQLResponse<LedgerPageQuery> = await gw.execute(LedgerPageDocument, { customerId, first, after, filter });
    expect(res.errors).toBeUndefined();
    const ledger = res.data!.customer!.ledger;
    ids.push(...ledger.edges.map((e) => e.node.id));
    pages.push({
      size: ledger.edges.length,
      hasNextPage: ledger.pageInfo.hasNextPage,
      hasPreviousPage: ledger.pageInfo.hasPreviousPage,
      totalCount: ledger.totalCount,
    });
    expect(ledger.pageInfo.endCursor).toBe(ledger.edges.at(-1)?.cursor ?? null);
    if (!ledger.pageInfo.hasNextPage) return { ids, pages };
    after = ledger.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

describe('Customer.ledger', () => {
  it('pages to the end with cursors, oldest first by (at, id), each entry once', async () => {
    const { ids, pages } = await pageToEnd(C.us, 3);
    expect(ids).toEqual(US_LEDGER.map((e) => e._id));
    expect(pages).toEqual([
      { size: 3, hasNextPage: true, hasPreviousPage: false, totalCount: 8 },
      { size: 3, hasNextPage: true, hasPreviousPage: true, totalCount: 8 },
      { size: 2, hasNextPage: false, hasPreviousPage: true, totalCount: 8 },
    ]);
  });

  it('shows every field of an entry, amounts in exact cents, credits negative', async () => {
    const res = await gw.execute(LedgerPageDocument, { customerId: C.us, first: 5 });
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.customer!.ledger.edges.map((e) => e.node);
    expect(nodes[2]).toEqual({
      id: 'lg-us-03a',
      amount: usd(3333, '33.33'),
      kind: 'PRORATED_CHARGE',
      sourceType: 'SUBSCRIPTION',
      sourceId: SUB.b,
      orderId: null,
      ruleId: 'SUB-QTY-INCREASE',
      description: 'Entry lg-us-03a',
      at: '2026-11-10T12:00:00.000Z',
      operationId: 'op-1',
    });
    expect(nodes[4]).toMatchObject({ id: 'lg-us-04', amount: usd(-4500, '-45.00'), kind: 'REFUND', orderId: ORD, operationId: null });
  });

  it('filters by from (inclusive), to (exclusive) and subscription; cursors stay bound to their filter', async () => {
    const november = await pageToEnd(C.us, 2, { from: NOV_START.toISOString(), to: DEC_START.toISOString() });
    expect(november.ids).toEqual(US_NOV.map((e) => e._id));
    expect(november.pages[0]!.totalCount).toBe(6);

    const subB = await pageToEnd(C.us, 10, { subscriptionId: SUB.b });
    expect(subB.ids).toEqual(['lg-us-03a', 'lg-us-06']);

    const first = await gw.execute(LedgerPageDocument, { customerId: C.us, first: 1 });
    const cursor = first.data!.customer!.ledger.pageInfo.endCursor!;
    const reused = await gw.execute(LedgerPageDocument, { customerId: C.us, first: 1, after: cursor, filter: { subscriptionId: SUB.b } });
    expect(firstError(reused, 'BAD_USER_INPUT').extensions?.argumentName).toBe('after');
  });

  it('refuses a reversed range and a malformed subscription ID as BAD_USER_INPUT', async () => {
    const reversed = await gw.execute(LedgerPageDocument, {
      customerId: C.us,
      filter: { from: DEC_START.toISOString(), to: NOV_START.toISOString() },
    });
    expect(firstError(reversed, 'BAD_USER_INPUT').extensions).toMatchObject({ argumentName: 'filter', field: 'filter.to' });
    const badSub = await gw.execute(LedgerPageDocument, { customerId: C.us, filter: { subscriptionId: 'nope' } });
    expect(firstError(badSub, 'BAD_USER_INPUT').extensions).toMatchObject({ argumentName: 'filter', field: 'filter.subscriptionId' });
  });
});

describe('invoice', () => {
  it("sums a month exactly from the customer's own entries: period start inclusive, period end exclusive", async () => {
    gw.commands.length = 0;
    const res = await gw.execute(LedgerInvoiceDocument, { customerId: C.us, period: '2026-11' });
    expect(res.errors).toBeUndefined();
    const invoice = res.data!.invoice!;
    expect({ ...invoice, lines: invoice.lines.map((l) => l.id) }).toEqual({
      customer: { id: C.us },
      period: '2026-11',
      periodStart: '2026-11-01T00:00:00.000Z',
      periodEnd: '2026-12-01T00:00:00.000Z',
      currency: 'USD',
      pricesIncludeTax: false,
      taxNote: 'Prices exclude tax; tax is added per jurisdiction',
      charges: usd(US_NOV_CHARGES, '154.84'),
      credits: usd(US_NOV_CREDITS, '-45.25'),
      total: usd(US_NOV_CHARGES + US_NOV_CREDITS, '109.59'),
      entryCount: 6,
      truncated: false,
      lines: US_NOV.map((e) => e._id),
    });
    // Untruncated lines add up to the total (they come from the same read).
    expect(invoice.lines.reduce((sum, l) => sum + l.amount.amountInCents, 0)).toBe(invoice.total.amountInCents);

    // One read of the ledger for the whole invoice: no aggregation, no second find.
    const ledgerCommands = gw.commands.filter((e) => e.command[e.commandName] === 'ledger' || e.commandName === 'getMore');
    expect(ledgerCommands.map((e) => e.commandName)).toEqual(['find']);
  });

  it('the next month gets the entry at exactly the period end; a month with no entries is zero', async () => {
    const dec = await gw.execute(LedgerInvoiceDocument, { customerId: C.us, period: '2026-12' });
    expect(dec.errors).toBeUndefined();
    expect(dec.data!.invoice!.lines.map((l) => l.id)).toEqual(['lg-us-07']);
    expect(dec.data!.invoice!.total).toEqual(usd(7000, '70.00'));

    const empty = await gw.execute(LedgerInvoiceDocument, { customerId: C.us, period: '2027-01' });
    expect(empty.errors).toBeUndefined();
    expect(empty.data!.invoice).toMatchObject({
      periodStart: '2027-01-01T00:00:00.000Z',
      periodEnd: '2027-02-01T00:00:00.000Z',
      currency: 'USD',
      charges: usd(0, '0.00'),
      credits: usd(0, '0.00'),
      total: usd(0, '0.00'),
      entryCount: 0,
      truncated: false,
      lines: [],
    });
  });

  it('MONEY-EXACT: 1 cent beside 999999999 cents, and 10 + 20 cents, sum exactly in integer cents', async () => {
    const res = await gw.execute(LedgerInvoiceDocument, { customerId: C.exact, period: '2026-11' });
    expect(res.errors).toBeUndefined();
    const invoice = res.data!.invoice!;
    expect(invoice.charges).toEqual(usd(2_000_000_029, '20000000.29'));
    expect(invoice.credits).toEqual(usd(-1_000_000_000, '-10000000.00'));
    expect(invoice.total).toEqual(usd(1_000_000_029, '10000000.29'));
    expect(invoice.entryCount).toBe(EXACT_AMOUNTS.length);
    expect(invoice.lines.map((l) => l.amount.amountInCents)).toEqual(EXACT_AMOUNTS);
  });

  it(`caps the lines at 1000 oldest entries and says so; the totals still cover every entry`, async () => {
    const res = await gw.execute(LedgerInvoiceDocument, { customerId: C.many, period: '2026-11' });
    expect(res.errors).toBeUndefined();
    const invoice = res.data!.invoice!;
    const evens = Math.ceil(MANY / 2);
    const odds = Math.floor(MANY / 2);
    expect(invoice.entryCount).toBe(MANY);
    expect(invoice.truncated).toBe(true);
    expect(invoice.lines).toHaveLength(1000);
    expect(invoice.lines[0]!.id).toBe('lg-many-0000');
    expect(invoice.lines.at(-1)!.id).toBe('lg-many-0999');
    expect(invoice.charges.amountInCents).toBe(7 * evens);
    expect(invoice.credits.amountInCents).toBe(-3 * odds);
    expect(invoice.total.amountInCents).toBe(7 * evens - 3 * odds);
  });

  it("PRICE-TAX: an AU or BR customer's invoice says prices include tax, a US one says they exclude it", async () => {
    const answers = await Promise.all(
      [C.au, C.br, C.us].map((customerId) => gw.execute(LedgerInvoiceTaxDocument, { customerId, period: '2026-11' })),
    );
    for (const res of answers) expect(res.errors).toBeUndefined();
    expect(answers.map((res) => res.data!.invoice)).toEqual([
      { pricesIncludeTax: true, taxNote: 'Prices include tax' },
      { pricesIncludeTax: true, taxNote: 'Prices include tax' },
      { pricesIncludeTax: false, taxNote: 'Prices exclude tax; tax is added per jurisdiction' },
    ]);
  });

  it.each(['2026-13', '2026-00', '2026-1', '26-11', '2026-11-01', 'November 2026', '', '1969-12'])(
    "a malformed period '%s' is BAD_USER_INPUT naming the argument and the expected format",
    async (period) => {
      const res = await gw.execute(LedgerInvoiceDocument, { customerId: C.us, period });
      const error = firstError(res, 'BAD_USER_INPUT');
      expect(res.data).toEqual({ invoice: null });
      expect(error.extensions?.argumentName).toBe('period');
      expect(error.message).toContain("'YYYY-MM'");
      expect(error.message).toContain("'2026-11'");
      expect(error.message).toContain(`but got '${period}'`);
    },
  );

  it('a malformed customer ID is BAD_USER_INPUT naming customerId', async () => {
    const res = await gw.execute(LedgerInvoiceDocument, { customerId: 'nope', period: '2026-11' });
    expect(firstError(res, 'BAD_USER_INPUT').extensions?.argumentName).toBe('customerId');
  });

  it("another partner's customer, or an unknown one, is NOT_FOUND; each partner sees only its own entries", async () => {
    const foreign = await gw.execute(LedgerInvoiceDocument, { customerId: F.fab, period: '2026-11' });
    expect(firstError(foreign, 'NOT_FOUND').message).toBe(`No customer with ID '${F.fab}' exists for this partner`);
    expect(foreign.data).toEqual({ invoice: null });

    const unknown = await gw.execute(LedgerInvoiceDocument, { customerId: guid('lg-nobody'), period: '2026-11' });
    firstError(unknown, 'NOT_FOUND');

    const reverse = await gw.execute(LedgerInvoiceDocument, { customerId: C.us, period: '2026-11' }, { partner: FABRIKAM });
    firstError(reverse, 'NOT_FOUND');

    const own = await gw.execute(LedgerInvoiceDocument, { customerId: F.fab, period: '2026-11' }, { partner: FABRIKAM });
    expect(own.errors).toBeUndefined();
    expect(own.data!.invoice!.lines.map((l) => l.id)).toEqual(['lg-fab-01']);
    expect(own.data!.invoice!.total).toEqual(usd(4200, '42.00'));
  });
});
