import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OfferDoc, SubscriptionDoc } from '../../src/db/documents.js';
import { addTerm, DAY, daysInTerm } from '../../src/policy/time.js';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import {
  MpAddOnDocument,
  MpAdvanceDocument,
  MpCancelDocument,
  MpClockDocument,
  MpQuoteDocument,
  MpUpdateDocument,
} from '../generated/graphql.js';
import { aCustomer, aSubscription, guid } from '../support/fixtures.js';
import { startTestGateway, type CallOptions, type TestGateway } from '../support/gateway.js';

/*
 * Issue 18's amounts through GraphQL against the real database (MONEY-PRORATE, ADDON-ALIGN): an
 * add-on bought mid-term is priced over its base's term, and seats added mid-term count from when
 * they were added. Two offers of the file's own, billed annually so a whole term is charged at its
 * start: a base at 264.00 a seat a year with an add-on at 240.00 a seat a year. Base
 * subscriptions are inserted with their start relative to Contoso's clock, which the tests
 * advance (each reads it afresh), so each day count is exact.
 */

const ADMIN: CallOptions = { roles: 'admin_agent' };
const BASE_OFFER = 'CFQ7TTC0MPB1:0001';
const ADDON_OFFER = 'CFQ7TTC0MPA1:0001';

let gw: TestGateway;

beforeAll(async () => {
  const basic = CATALOG.find((o) => o._id === OFFER_IDS.m365BusinessBasic)!;
  const teams = CATALOG.find((o) => o._id === OFFER_IDS.teamsPhoneStandard)!;
  const base: OfferDoc = {
    ...basic,
    _id: BASE_OFFER,
    name: 'Prorate Base',
    eligibleAddOnIds: [ADDON_OFFER],
    billingPlans: [{ billingCycle: 'annual', termDuration: 'P1Y', unitPriceCents: 26400 }],
  };
  const addOn: OfferDoc = {
    ...teams,
    _id: ADDON_OFFER,
    name: 'Prorate Add-on',
    billingPlans: [{ billingCycle: 'annual', termDuration: 'P1Y', unitPriceCents: 24000 }],
  };
  gw = await startTestGateway(async (cols) => {
    await cols.offers.insertMany([...CATALOG.map((o) => ({ ...o })), base, addOn]);
  });
});
afterAll(() => gw?.close());

function ok<R>(r: { status: number; data?: R | null; errors?: unknown[] }): R {
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  expect(r.status).toBe(200);
  return r.data!;
}

async function now(): Promise<Date> {
  return new Date(ok(await gw.execute(MpClockDocument, {}, ADMIN)).simulationClock.now);
}

async function advanceDays(days: number): Promise<void> {
  expect(ok(await gw.execute(MpAdvanceDocument, { input: { by: `P${days}D` } }, ADMIN)).advanceClock.userErrors).toEqual([]);
}

/** A base subscription of `quantity` seats at 264.00 started `daysAgo` whole days before the clock, charged its whole term. */
async function base(label: string, daysAgo: number, quantity: number): Promise<SubscriptionDoc> {
  const customerId = guid(`mp-customer-${label}`);
  await gw.collections.customers.insertOne(aCustomer({ _id: customerId, companyName: `Mp ${label}` }));
  const start = new Date((await now()).getTime() - daysAgo * DAY);
  const end = addTerm(start, 'P1Y');
  // The amounts are for a 365-day term.
  expect(daysInTerm(start, end)).toBe(365);
  const doc = aSubscription({
    _id: guid(`mp-sub-${label}`),
    customerId,
    offerId: BASE_OFFER,
    offerName: 'Prorate Base',
    friendlyName: label,
    quantity,
    billingCycle: 'annual',
    termDuration: 'P1Y',
    unitPriceCents: 26400,
    chargedCents: 26400 * quantity,
    creationDate: start,
    effectiveStartDate: start,
    commitmentEndDate: end,
    orderedAt: start,
    updatedAt: start,
  });
  await gw.collections.subscriptions.insertOne(doc);
  return doc;
}

async function buyAddOn(baseId: string): Promise<{ id: string; chargeCents: number }> {
  const p = ok(
    await gw.execute(MpAddOnDocument, { input: { subscriptionId: baseId, offerId: ADDON_OFFER, quantity: 1 } }, ADMIN),
  ).purchaseAddOn;
  expect(p.userErrors).toEqual([]);
  return { id: p.addOn!.id, chargeCents: p.charge!.amountInCents };
}

async function cancel(subscriptionId: string) {
  const p = ok(await gw.execute(MpCancelDocument, { input: { subscriptionId } }, ADMIN)).cancelSubscription;
  expect(p.userErrors).toEqual([]);
  return p;
}

/** What a subscription's ledger nets to (charges less refunds and credits). */
async function ledgerNet(subscriptionId: string): Promise<number> {
  const entries = await gw.collections.ledger.find({ 'source.id': subscriptionId }).toArray();
  return entries.reduce((n, e) => n + e.amountCents, 0);
}

describe('an add-on bought mid-term is priced over its base term (ADDON-ALIGN, MONEY-PRORATE)', () => {
  it('ADDON-ALIGN, MONEY-PRORATE: 240.00 bought 20 days into the base term is charged 226.85; cancelled 11 days later it refunds 219.62', async () => {
    const b = await base('addon-20-11', 20, 1);
    const a = await buyAddOn(b._id);
    expect(a.chargeCents).toBe(22685);
    await advanceDays(11);
    const c = await cancel(a.id);
    expect(c).toMatchObject({ rule: 'CANCEL-NCE-30D', refund: { amountInCents: 21962 } });
    // The ledger keeps the value of 11 days of 240.00 over the base's 365: 7.23.
    expect(await ledgerNet(a.id)).toBe(723);
  });

  it('MONEY-PRORATE: an add-on charged 19.73 for the base term’s last 30 days, cancelled after 20 days, refunds 6.58', async () => {
    const b = await base('addon-335-20', 335, 1);
    const a = await buyAddOn(b._id);
    expect(a.chargeCents).toBe(1973);
    await advanceDays(20);
    expect(await cancel(a.id)).toMatchObject({ rule: 'CANCEL-NCE-30D', refund: { amountInCents: 658 } });
    expect(await ledgerNet(a.id)).toBe(1973 - 658);
  });

  it('ADDON-CASCADE, MONEY-PRORATE: bought on day 5, cancelled with its base on day 10, the add-on refunds 233.42', async () => {
    const b = await base('addon-cascade', 5, 1);
    const a = await buyAddOn(b._id);
    expect(a.chargeCents).toBe(23671);
    await advanceDays(5);
    const c = await cancel(b._id);
    // The base: 264.00 - 264.00 x 10/365 (7.23) = 256.77.
    expect(c).toMatchObject({
      rule: 'CANCEL-NCE-30D',
      refund: { amountInCents: 25677 },
      addOnRefunds: [{ addOnId: a.id, rule: 'CANCEL-NCE-30D', refund: { amountInCents: 23342 } }],
      totalRefund: { amountInCents: 25677 + 23342 },
    });
  });
});

describe('seats are counted from when they were added (MONEY-PRORATE, SUB-QTY-INCREASE)', () => {
  it('MONEY-PRORATE: 10 seats at 264.00, 3 more on day 5, cancelled on day 10 refunds 3337.97; the quote says the same', async () => {
    const b = await base('seats-10-3', 5, 10);
    const u = ok(await gw.execute(MpUpdateDocument, { input: { subscriptionId: b._id, quantity: 13 } }, ADMIN)).updateSubscription;
    expect(u.userErrors).toEqual([]);
    // 3 x 264.00 x 360/365.
    expect(u.charge).toEqual({ amountInCents: 78115 });
    await advanceDays(5);
    const q = ok(await gw.execute(MpQuoteDocument, { id: b._id }, ADMIN)).subscription!.cancellationQuote;
    expect(q).toMatchObject({ allowed: true, rule: 'CANCEL-NCE-30D', refund: { amountInCents: 333797 } });
    expect(await cancel(b._id)).toMatchObject({ rule: 'CANCEL-NCE-30D', refund: { amountInCents: 333797 } });
    // With the 264.00 charged at its start (inserted, not in the ledger), the subscription nets to
    // the value of the seat days used: (10 x 10 + 3 x 5) x 264.00 / 365 = 83.18.
    expect(264000 + (await ledgerNet(b._id))).toBe(8318);
  });
});
