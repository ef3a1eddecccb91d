import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import { AdvanceClockDocument, CancelSubscriptionDocument, PurchaseDocument, SubscriptionRulesDocument } from '../generated/graphql.js';
import { aCustomer, guid, T0 } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * The worked example of docs/decisions.md ("A worked example"), end to end over HTTP: buy a
 * new-commerce subscription, move the clock, and quote and cancel at the edges of the 24-hour and
 * 30-day windows. Every amount is
 * exact: Microsoft 365 Business Basic, annual billing on a one-year term (charged whole at its
 * start; billed monthly it is charged a month at a time, test/e2e/bill-monthly.test.ts), 7,200 cents
 * per licence per term, 10 licences = 72,000 cents for a 365-day term (2026-11-01 to 2027-11-01).
 */

const ADMIN = { roles: 'admin_agent' };
const CUSTOMER = guid('worked-example-customer');

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway(async (cols) => {
    await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
    await cols.customers.insertOne(aCustomer({ _id: CUSTOMER, companyName: 'Worked Example Ltd' }));
  });
});
afterAll(() => gw?.close());

async function buy(quantity = 10) {
  const r = await gw.execute(
    PurchaseDocument,
    {
      input: {
        customerId: CUSTOMER,
        lineItems: [{ offerId: OFFER_IDS.m365BusinessBasic, quantity, billingCycle: 'ANNUAL', termDuration: 'P1Y' }],
      },
    },
    ADMIN,
  );
  expect(r.errors).toBeUndefined();
  expect(r.data!.purchase.userErrors).toEqual([]);
  return r.data!.purchase.subscriptions[0]!;
}

const cancel = (id: string, dryRun: boolean) => gw.execute(CancelSubscriptionDocument, { input: { subscriptionId: id, dryRun } }, ADMIN);
const advance = (by: string) => gw.execute(AdvanceClockDocument, { input: { by } }, ADMIN);

describe('worked example: buy, advance the clock, quote and cancel', () => {
  let subId: string;

  it('CAT-CART: buying one line creates an order and an active subscription charged for its term', async () => {
    const sub = await buy();
    subId = sub.id;
    expect(sub).toMatchObject({
      status: 'ACTIVE',
      quantity: 10,
      autoRenewEnabled: true,
      effectiveStartDate: T0.toISOString(),
      commitmentEndDate: '2027-11-01T09:00:00.000Z',
    });
    const ledger = await gw.collections.ledger.find({ 'source.id': subId }).toArray();
    expect(ledger.map((e) => [e.amountCents, e.ruleId])).toEqual([[72000, 'CAT-CART']]);
  });

  it('CANCEL-NCE-24H: at purchase the quote is a full refund and changes nothing', async () => {
    const r = await cancel(subId, true);
    expect(r.data!.cancelSubscription).toMatchObject({
      dryRun: true,
      mode: 'IMMEDIATE',
      rule: 'CANCEL-NCE-24H',
      refund: { amountInCents: 72000 },
      subscription: { status: 'ACTIVE' },
    });
    expect(await gw.collections.operations.countDocuments()).toBe(1);
  });

  it('CANCEL-NCE-24H: 23h59m59.999s after the start the quote is still a full refund', async () => {
    const a = await advance('PT23H59M59.999S');
    expect(a.data!.advanceClock).toMatchObject({ to: '2026-11-02T08:59:59.999Z', userErrors: [] });
    const r = await cancel(subId, true);
    expect(r.data!.cancelSubscription).toMatchObject({ rule: 'CANCEL-NCE-24H', refund: { amountInCents: 72000 } });
  });

  it('CANCEL-NCE-30D: exactly 24 h after the start the refund is prorated: 72000 - round(72000 x 1 / 365) = 71803 cents', async () => {
    await advance('PT0.001S');
    const r = await cancel(subId, true);
    expect(r.data!.cancelSubscription).toMatchObject({ rule: 'CANCEL-NCE-30D', refund: { amountInCents: 71803 } });
    const rules = await gw.execute(SubscriptionRulesDocument, { id: subId }, ADMIN);
    expect(rules.data!.subscription).toMatchObject({
      cancellationAllowedUntilDate: '2026-12-01T09:00:00.000Z',
      refundableQuantity: { totalQuantity: 10, details: [{ quantity: 10, allowedUntilDateTime: '2026-12-01T09:00:00.000Z' }] },
      cancellationQuote: { allowed: true, rule: 'CANCEL-NCE-30D', refund: { amountInCents: 71803 } },
    });
  });

  it('CANCEL-NCE-AFTER: exactly 30 days after the start, cancelling is refused with the rule, and nothing changes', async () => {
    await advance('P28DT23H59M59.999S');
    const inside = await cancel(subId, true);
    // 29d23h59m59.999s: 30 started days used: 72000 - round(72000 x 30 / 365) = 72000 - 5918 = 66082.
    expect(inside.data!.cancelSubscription).toMatchObject({ rule: 'CANCEL-NCE-30D', refund: { amountInCents: 66082 } });
    await advance('PT0.001S');
    const r = await cancel(subId, false);
    expect(r.data!.cancelSubscription.userErrors).toEqual([
      expect.objectContaining({ code: 'WINDOW_CLOSED', rule: 'CANCEL-NCE-AFTER', field: null }),
    ]);
    expect(r.data!.cancelSubscription.subscription).toMatchObject({ status: 'ACTIVE' });
    const rules = await gw.execute(SubscriptionRulesDocument, { id: subId }, ADMIN);
    const cancelAction = rules.data!.subscription!.allowedActions!.find((a) => a.action === 'CANCEL');
    expect(cancelAction).toMatchObject({ allowed: false, rule: 'CANCEL-NCE-AFTER', code: 'WINDOW_CLOSED' });
    expect(rules.data!.subscription!.cancellationAllowedUntilDate).toBeNull();
  });

  it('CANCEL-FINAL: cancelling a second subscription inside the 30 days ends it now, credits the ledger once, and cannot be repeated', async () => {
    const sub = await buy(2);
    await advance('P2D');
    // 2 days used: 14400 - round(14400 x 2 / 365) = 14400 - 79 = 14321.
    const r = await cancel(sub.id, false);
    expect(r.data!.cancelSubscription).toMatchObject({
      dryRun: false,
      rule: 'CANCEL-NCE-30D',
      refund: { amountInCents: 14321 },
      subscription: { status: 'DELETED', deletedReason: 'CANCELLED' },
    });
    const again = await cancel(sub.id, false);
    expect(again.data!.cancelSubscription.userErrors[0]).toMatchObject({ rule: 'CANCEL-FINAL' });
    const ledger = await gw.collections.ledger.find({ 'source.id': sub.id }).sort({ at: 1 }).toArray();
    expect(ledger.map((e) => [e.amountCents, e.ruleId])).toEqual([
      [14400, 'CAT-CART'],
      [-14321, 'CANCEL-NCE-30D'],
    ]);
  });

  it('GEN-CLOCK: the clock moves forward only; an earlier instant is refused', async () => {
    const r = await gw.execute(AdvanceClockDocument, { input: { to: '2026-11-01T00:00:00.000Z' } }, ADMIN);
    expect(r.data!.advanceClock.userErrors[0]).toMatchObject({ rule: 'GEN-CLOCK', code: 'INVALID_VALUE' });
  });

  it('RENEW-DEFAULT: advancing past the term end renews the subscription and charges the next term', async () => {
    const r = await gw.execute(AdvanceClockDocument, { input: { to: '2027-11-01T09:00:00.000Z' } }, ADMIN);
    expect(r.data!.advanceClock.userErrors).toEqual([]);
    expect(r.data!.advanceClock.events).toContainEqual(
      expect.objectContaining({ kind: 'renewal', subscriptionId: subId, at: '2027-11-01T09:00:00.000Z' }),
    );
    const doc = await gw.collections.subscriptions.findOne({ _id: subId });
    expect(doc).toMatchObject({
      status: 'active',
      effectiveStartDate: new Date('2027-11-01T09:00:00.000Z'),
      commitmentEndDate: new Date('2028-11-01T09:00:00.000Z'),
      chargedCents: 72000,
    });
    const renewals = await gw.collections.ledger.find({ 'source.id': subId, ruleId: 'RENEW-DEFAULT' }).toArray();
    expect(renewals.map((e) => e.amountCents)).toEqual([72000]);
  });
});
