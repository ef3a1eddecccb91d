import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import {
  BmAdvanceDocument,
  BmCancelDocument,
  BmInvoiceDocument,
  BmLedgerDocument,
  BmPurchaseDocument,
  BmQuoteDocument,
  type AdvanceClockInput,
} from '../generated/graphql.js';
import { aCustomer, guid, T0 } from '../support/fixtures.js';
import { startTestGateway, type CallOptions, type TestGateway } from '../support/gateway.js';

/*
 * BILL-MONTHLY end to end: a 1-year term billed monthly is charged one month at a time, the first
 * at purchase and each later one when the partner's clock reaches its start (advanceClock lists
 * it); each is a ledger entry dated then, and each month's invoice sums it. A cancellation refunds
 * from what was charged so far (MONEY-PRORATE), and cancellationQuote says the same.
 * Business Basic is 72.00 a seat a year (7,200 cents) on monthly/P1Y: 10 seats are 720.00 a year,
 * 60.00 a month. The clock starts at T0 = 2026-11-01T09:00Z; the first term spans 365 days.
 */

const ADMIN: CallOptions = { roles: 'admin_agent' };
const DAY = 86_400_000;
const C = { cancelled: guid('bm-cancelled'), billed: guid('bm-billed') };
const DEC_1 = '2026-12-01T09:00:00.000Z';
const JAN_1 = '2027-01-01T09:00:00.000Z';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway(async (cols) => {
    await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
    await cols.customers.insertMany([
      aCustomer({ _id: C.cancelled, companyName: 'Bm Cancelled' }),
      aCustomer({ _id: C.billed, companyName: 'Bm Billed' }),
    ]);
  });
});
afterAll(() => gw?.close());

async function buyMonthly(customerId: string): Promise<{ id: string; orderTotal: number }> {
  const r = await gw.execute(
    BmPurchaseDocument,
    {
      input: {
        customerId,
        lineItems: [{ offerId: OFFER_IDS.m365BusinessBasic, quantity: 10, billingCycle: 'MONTHLY', termDuration: 'P1Y' }],
      },
    },
    ADMIN,
  );
  expect(r.errors).toBeUndefined();
  expect(r.data!.purchase.userErrors).toEqual([]);
  return { id: r.data!.purchase.subscriptions[0]!.id, orderTotal: r.data!.purchase.order!.totalPrice.amountInCents };
}

async function advance(input: AdvanceClockInput) {
  const r = await gw.execute(BmAdvanceDocument, { input }, ADMIN);
  expect(r.errors).toBeUndefined();
  expect(r.data!.advanceClock.userErrors).toEqual([]);
  return r.data!.advanceClock;
}

async function ledgerOf(customerId: string, subscriptionId: string) {
  const r = await gw.execute(BmLedgerDocument, { customerId, subscriptionId }, ADMIN);
  expect(r.errors).toBeUndefined();
  return r.data!.customer!.ledger.nodes.map((e) => [e.amount.amountInCents, e.kind, e.ruleId, e.at]);
}

async function invoice(customerId: string, period: string) {
  const r = await gw.execute(BmInvoiceDocument, { customerId, period }, ADMIN);
  expect(r.errors).toBeUndefined();
  const i = r.data!.invoice!;
  return { charges: i.charges.amountInCents, credits: i.credits.amountInCents, total: i.total.amountInCents, entries: i.entryCount };
}

describe('a 1-year term billed monthly (BILL-MONTHLY)', () => {
  let cancelled: string;
  let billed: string;

  it('BILL-MONTHLY: buying 10 seats at 720.00 a year billed monthly charges 60.00 now, one CAT-CART ledger charge', async () => {
    const a = await buyMonthly(C.cancelled);
    const b = await buyMonthly(C.billed);
    cancelled = a.id;
    billed = b.id;
    expect([a.orderTotal, b.orderTotal]).toEqual([6_000, 6_000]);
    expect(await ledgerOf(C.billed, billed)).toEqual([[6_000, 'CHARGE', 'CAT-CART', T0.toISOString()]]);
  });

  it('BILL-MONTHLY: on day 7 cancellationQuote and the cancellation both refund 60.00 - 720.00 x 7 / 365 = 46.19 (CANCEL-NCE-30D)', async () => {
    const a = await advance({ by: 'P7D' });
    expect(a.events).toEqual([]);
    const quote = await gw.execute(BmQuoteDocument, { id: cancelled }, ADMIN);
    expect(quote.data!.subscription!.cancellationQuote).toEqual({
      allowed: true,
      rule: 'CANCEL-NCE-30D',
      refund: { amountInCents: 4_619 },
    });
    const r = await gw.execute(BmCancelDocument, { input: { subscriptionId: cancelled } }, ADMIN);
    expect(r.errors).toBeUndefined();
    expect(r.data!.cancelSubscription).toMatchObject({ rule: 'CANCEL-NCE-30D', refund: { amountInCents: 4_619 }, userErrors: [] });
    expect(await ledgerOf(C.cancelled, cancelled)).toEqual([
      [6_000, 'CHARGE', 'CAT-CART', T0.toISOString()],
      [-4_619, 'REFUND', 'CANCEL-NCE-30D', new Date(T0.getTime() + 7 * DAY).toISOString()],
    ]);
  });

  it('BILL-MONTHLY: the second month is not charged 1 ms before it starts, and is charged exactly at its start (advanceClock lists it)', async () => {
    expect((await advance({ to: '2026-12-01T08:59:59.999Z' })).events).toEqual([]);
    const a = await advance({ to: DEC_1 });
    expect(a.events).toEqual([
      {
        kind: 'monthly_charge',
        subscriptionId: billed,
        at: DEC_1,
        summary: expect.stringContaining('60.00 USD for billing month 2 of 12'),
      },
    ]);
  });

  it('BILL-MONTHLY: a cancelled subscription is charged no more; the billed one is charged each month start it passes', async () => {
    const a = await advance({ to: '2027-01-15T00:00:00.000Z' });
    expect(a.events.map((e) => [e.kind, e.subscriptionId, e.at])).toEqual([['monthly_charge', billed, JAN_1]]);
    expect(await ledgerOf(C.billed, billed)).toEqual([
      [6_000, 'CHARGE', 'CAT-CART', T0.toISOString()],
      [6_000, 'CHARGE', 'BILL-MONTHLY', DEC_1],
      [6_000, 'CHARGE', 'BILL-MONTHLY', JAN_1],
    ]);
    expect((await ledgerOf(C.cancelled, cancelled)).length).toBe(2);
  });

  it('BILL-MONTHLY: each month’s invoice sums that month’s charges from the ledger', async () => {
    expect(await invoice(C.billed, '2026-11')).toEqual({ charges: 6_000, credits: 0, total: 6_000, entries: 1 });
    expect(await invoice(C.billed, '2026-12')).toEqual({ charges: 6_000, credits: 0, total: 6_000, entries: 1 });
    expect(await invoice(C.billed, '2027-01')).toEqual({ charges: 6_000, credits: 0, total: 6_000, entries: 1 });
    expect(await invoice(C.cancelled, '2026-11')).toEqual({ charges: 6_000, credits: -4_619, total: 1_381, entries: 2 });
    expect(await invoice(C.cancelled, '2026-12')).toEqual({ charges: 0, credits: 0, total: 0, entries: 0 });
  });

  it('CANCEL-NCE-AFTER: past its first 30 days a term billed monthly cannot be cancelled; the quote says so', async () => {
    const quote = await gw.execute(BmQuoteDocument, { id: billed }, ADMIN);
    expect(quote.data!.subscription!.cancellationQuote).toMatchObject({ allowed: false, rule: 'CANCEL-NCE-AFTER' });
  });
});
