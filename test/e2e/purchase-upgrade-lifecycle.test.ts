import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerDoc, OfferDoc } from '../../src/db/documents.js';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import {
  PulAdvanceClockDocument,
  PulCancelDocument,
  PulClockDocument,
  PulConfirmFulfillmentDocument,
  PulCustomerSubscriptionRulesDocument,
  PulDeleteScheduledChangeDocument,
  PulPartialUpgradeDocument,
  PulPauseDocument,
  PulPurchaseAddOnDocument,
  PulPurchaseDocument,
  PulScheduleChangeDocument,
  PulSubscriptionDocument,
  PulSuspendDocument,
  PulUpdateScheduledChangeDocument,
  PulUpdateSubscriptionDocument,
  PulUpgradeSubscriptionDocument,
  type AdvanceClockInput,
  type CartLineInput,
  type PartialUpgradeInput,
  type PulSubFragment,
  type ScheduleChangeInput,
} from '../generated/graphql.js';
import { aCustomer, anOffer, aSubscription, guid, T0 } from '../support/fixtures.js';
import { perBatch } from '../support/db.js';
import { startTestGateway, type CallOptions, type TestGateway } from '../support/gateway.js';

/*
 * Buying, add-ons, scheduled changes, upgrades and the lifecycle the simulation clock drives, end
 * to end over HTTP against the real database. The clock is per partner and advancing it is shared
 * by everything of that partner in one database, so each describe block has a gateway (and a
 * database) of its own. Every amount is exact, computed here from the catalog prices (cents per
 * unit per whole term) and the MONEY-PRORATE formula:
 *   Business Basic 7,200 (monthly/P1Y) or 720 (monthly/P1M); Business Standard 15,000 or 1,500;
 *   Business Premium 2,640 (P1M); Audio Conferencing 4,800 or 480; legacy Office 365 E1 9,600.
 * The clock starts at T0 = 2026-11-01T09:00Z; a one-year term from T0 spans 365 days.
 */

const O = OFFER_IDS;
const ADMIN: CallOptions = { roles: 'admin_agent' };
const FABRIKAM = DEMO_PARTNERS.fabrikam.id;
const TAILSPIN = DEMO_PARTNERS.tailspin.id;
const DAY = 24 * 60 * 60 * 1000;

const T0_ISO = T0.toISOString();
const YEAR_END = '2027-11-01T09:00:00.000Z';
const MONTH_END = '2026-12-01T09:00:00.000Z';

/** MONEY-PRORATE, written out: round(n / d) half up, in integers (never a float division). */
const halfUp = (n: number, d: number) => Math.floor((2 * n + d) / (2 * d));
/** BILL-MONTHLY: the ledger of a one-year term from T0 billed monthly, up to its end: 12 equal months. */
const billedMonthly = (termPrice: number) => [
  [termPrice / 12, 'CAT-CART'],
  ...Array.from({ length: 11 }, () => [termPrice / 12, 'BILL-MONTHLY']),
];
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/** A gateway over a fresh database holding the seed catalog, `extraOffers` and `customers`. */
function gatewayWith(customers: CustomerDoc[], extraOffers: OfferDoc[] = []): Promise<TestGateway> {
  return startTestGateway(async (cols) => {
    await cols.offers.insertMany([...CATALOG.map((o) => ({ ...o })), ...extraOffers]);
    if (customers.length) await cols.customers.insertMany(customers);
  });
}

const line = (
  offerId: string,
  quantity: number,
  billingCycle: CartLineInput['billingCycle'] = 'ANNUAL',
  termDuration: CartLineInput['termDuration'] = 'P1Y',
): CartLineInput => ({
  offerId,
  quantity,
  billingCycle,
  termDuration,
});

/** Buys a cart that must succeed; returns its subscriptions in line order. */
async function buy(gw: TestGateway, customerId: string, lines: CartLineInput[], options: CallOptions = ADMIN): Promise<PulSubFragment[]> {
  const r = await gw.execute(PulPurchaseDocument, { input: { customerId, lineItems: lines } }, options);
  expect(r.errors).toBeUndefined();
  expect(r.data!.purchase.userErrors).toEqual([]);
  return r.data!.purchase.subscriptions;
}

async function subscription(gw: TestGateway, id: string, options: CallOptions = ADMIN) {
  const r = await gw.execute(PulSubscriptionDocument, { id }, options);
  expect(r.errors).toBeUndefined();
  return r.data!.subscription!;
}

async function advance(gw: TestGateway, input: AdvanceClockInput, options: CallOptions = ADMIN) {
  const r = await gw.execute(PulAdvanceClockDocument, { input }, options);
  expect(r.errors).toBeUndefined();
  return r.data!.advanceClock;
}

async function schedule(gw: TestGateway, input: ScheduleChangeInput) {
  const r = await gw.execute(PulScheduleChangeDocument, { input }, ADMIN);
  expect(r.errors).toBeUndefined();
  return r.data!.scheduleChange;
}

async function partialUpgrade(gw: TestGateway, input: PartialUpgradeInput) {
  const r = await gw.execute(PulPartialUpgradeDocument, { input }, ADMIN);
  expect(r.errors).toBeUndefined();
  return r.data!.partialUpgrade;
}

async function pause(gw: TestGateway, subscriptionId: string) {
  const r = await gw.execute(PulPauseDocument, { input: { subscriptionId } }, ADMIN);
  expect(r.errors).toBeUndefined();
  expect(r.data!.pauseSubscription.userErrors).toEqual([]);
}

async function suspend(gw: TestGateway, subscriptionId: string) {
  const r = await gw.execute(PulSuspendDocument, { input: { subscriptionId, reason: 'NON_PAYMENT' } }, ADMIN);
  expect(r.errors).toBeUndefined();
  expect(r.data!.suspendSubscription.userErrors).toEqual([]);
  return r.data!.suspendSubscription;
}

async function autoRenewOff(gw: TestGateway, subscriptionId: string) {
  const r = await gw.execute(PulUpdateSubscriptionDocument, { input: { subscriptionId, autoRenewEnabled: false } }, ADMIN);
  expect(r.errors).toBeUndefined();
  expect(r.data!.updateSubscription.userErrors).toEqual([]);
}

/** The ledger entries one subscription caused, oldest first, as [cents, rule]. */
async function ledgerOf(gw: TestGateway, subscriptionId: string): Promise<[number, string | null][]> {
  const rows = await gw.collections.ledger.find({ 'source.id': subscriptionId }).sort({ at: 1, amountCents: -1 }).toArray();
  return rows.map((e) => [e.amountCents, e.ruleId]);
}

/** Documents per collection, to prove that a refusal or a quote wrote nothing. */
async function counts(gw: TestGateway) {
  const c = gw.collections;
  const [subscriptions, orders, ledger, auditEvents] = await Promise.all([
    c.subscriptions.countDocuments(),
    c.orders.countDocuments(),
    c.ledger.countDocuments(),
    c.auditEvents.countDocuments({ outcome: { $ne: 'refused' } }), // refusals are audited too (src/audit/)
  ]);
  return { subscriptions, orders, ledger, auditEvents };
}

// ---------------------------------------------------------------------------------------------

describe('purchase: a cart bought as one order, or not at all', () => {
  const C = {
    us: guid('pul-buy-us'),
    au: guid('pul-buy-au'),
    de: guid('pul-buy-de'),
    edu: guid('pul-buy-edu'),
    azure: guid('pul-buy-azure'),
    suspended: guid('pul-buy-suspended'),
    isv: guid('pul-buy-isv'),
    fab: guid('pul-buy-fab'),
  };
  /** A legacy offer limited to one subscription per customer (the catalog has no such legacy offer). */
  const ONE_PER_CUSTOMER_LEGACY = anOffer({
    _id: 'CFQ7TTC0PUL1:0001',
    name: 'Legacy One Per Customer',
    commerceType: 'legacy',
    productType: 'OnlineServices',
    onePerCustomer: true,
  });
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await gatewayWith(
      [
        aCustomer({ _id: C.us, companyName: 'Pul Buy US' }),
        aCustomer({ _id: C.au, companyName: 'Pul Buy AU', billingCountry: 'AU' }),
        aCustomer({ _id: C.de, companyName: 'Pul Buy DE', billingCountry: 'DE' }),
        aCustomer({ _id: C.edu, companyName: 'Pul Buy School', segment: 'education' }),
        aCustomer({ _id: C.azure, companyName: 'Pul Buy Azure' }),
        aCustomer({ _id: C.suspended, companyName: 'Pul Buy Suspended' }),
        aCustomer({ _id: C.isv, companyName: 'Pul Buy ISV' }),
        aCustomer({ _id: C.fab, companyName: 'Pul Buy Fabrikam', partnerId: FABRIKAM }),
      ],
      [ONE_PER_CUSTOMER_LEGACY],
    );
  });
  afterAll(() => gw?.close());

  const purchase = (input: { customerId: string; lineItems: CartLineInput[]; dryRun?: boolean }, options: CallOptions = ADMIN) =>
    gw.execute(PulPurchaseDocument, { input }, options);

  it('CAT-CART: a 3-line cart makes one order with 3 line items and 3 subscriptions, each charged its term', async () => {
    const before = await counts(gw);
    const r = await purchase({
      customerId: C.us,
      lineItems: [line(O.m365BusinessBasic, 5), line(O.teamsEssentials, 2, 'ANNUAL'), line(O.powerBiPro, 3, 'MONTHLY', 'P1M')],
    });
    expect(r.errors).toBeUndefined();
    const p = r.data!.purchase;
    expect(p.userErrors).toEqual([]);
    // 5 x 7,200 + 2 x 4,800 + 3 x 1,680 (Power BI Pro month-to-month: 1,400 x 1.2).
    expect(p.total).toEqual({ amountInCents: 36000 + 9600 + 5040, currencyCode: 'USD' });
    expect(p.subscriptions.map((s) => [s.offerId, s.quantity, s.billingCycle, s.termDuration, s.status])).toEqual([
      [O.m365BusinessBasic, 5, 'ANNUAL', 'P1Y', 'ACTIVE'],
      [O.teamsEssentials, 2, 'ANNUAL', 'P1Y', 'ACTIVE'],
      [O.powerBiPro, 3, 'MONTHLY', 'P1M', 'ACTIVE'],
    ]);
    expect(p.subscriptions.map((s) => s.commitmentEndDate)).toEqual([YEAR_END, YEAR_END, MONTH_END]);
    expect(p.order!.totalPrice.amountInCents).toBe(50640);
    expect(
      p.order!.lineItems.map((l) => [
        l.lineItemNumber,
        l.offerId,
        l.quantity,
        l.subscriptionId,
        l.transactionType,
        l.totalPrice.amountInCents,
      ]),
    ).toEqual([
      [0, O.m365BusinessBasic, 5, p.subscriptions[0]!.id, 'NEW', 36000],
      [1, O.teamsEssentials, 2, p.subscriptions[1]!.id, 'NEW', 9600],
      [2, O.powerBiPro, 3, p.subscriptions[2]!.id, 'NEW', 5040],
    ]);
    const after = await counts(gw);
    expect(after.orders - before.orders).toBe(1);
    expect(after.subscriptions - before.subscriptions).toBe(3);
    const ledger = await gw.collections.ledger.find({ orderId: p.order!.id }).toArray();
    expect(ledger.map((e) => [e.source.id, e.amountCents, e.ruleId]).sort()).toEqual(
      [
        [p.subscriptions[0]!.id, 36000, 'CAT-CART'],
        [p.subscriptions[1]!.id, 9600, 'CAT-CART'],
        [p.subscriptions[2]!.id, 5040, 'CAT-CART'],
      ].sort(),
    );
  });

  it('CAT-CART: a cart with one bad line buys nothing at all, and names the bad line', async () => {
    const before = await counts(gw);
    const r = await purchase({
      customerId: C.us,
      lineItems: [line(O.m365BusinessBasic, 1), line(O.m365A3Faculty, 1), line(O.teamsEssentials, 1)],
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.purchase).toMatchObject({ order: null, subscriptions: [], total: null, operationId: null });
    expect(r.data!.purchase.userErrors).toEqual([
      expect.objectContaining({ rule: 'CAT-FILTER', code: 'NOT_ELIGIBLE', field: ['input', 'lineItems', '1', 'offerId'] }),
    ]);
    expect(await counts(gw)).toEqual(before);
  });

  it('CAT-CART: dryRun reviews the cart (total, subscriptions to be) without writing anything', async () => {
    const before = await counts(gw);
    const r = await purchase({ customerId: C.us, dryRun: true, lineItems: [line(O.m365BusinessBasic, 2), line(O.teamsEssentials, 1)] });
    expect(r.errors).toBeUndefined();
    const p = r.data!.purchase;
    expect(p).toMatchObject({ dryRun: true, operationId: null, order: null, userErrors: [], total: { amountInCents: 14400 + 4800 } });
    expect(p.subscriptions.map((s) => [s.offerId, s.quantity, s.status])).toEqual([
      [O.m365BusinessBasic, 2, 'ACTIVE'],
      [O.teamsEssentials, 1, 'ACTIVE'],
    ]);
    expect(await counts(gw)).toEqual(before);
    const reviewed = await gw.collections.subscriptions.countDocuments({ _id: { $in: p.subscriptions.map((s) => s.id) } });
    expect(reviewed).toBe(0);
  });

  it('CAT-FILTER: an education-only offer is refused to a commercial customer, and sold to an education one', async () => {
    const r = await purchase({ customerId: C.us, lineItems: [line(O.m365A3Faculty, 1)] });
    expect(r.data!.purchase.userErrors).toEqual([
      expect.objectContaining({ rule: 'CAT-FILTER', code: 'NOT_ELIGIBLE', field: ['input', 'lineItems', '0', 'offerId'] }),
    ]);
    expect(r.data!.purchase.userErrors[0]!.message).toContain('education');
    const [sub] = await buy(gw, C.edu, [line(O.m365A3Faculty, 1)]);
    expect(sub).toMatchObject({ offerId: O.m365A3Faculty, status: 'ACTIVE' });
  });

  it.each([
    ['the publisher does not support the billing country', O.prosewareCrm, C.de, 'does not support customers billed in DE'],
    ['the ISV did not make it available through CSP', O.northwindFieldService, C.us, 'did not make it available through CSP'],
    ['it is exclusive to other CSP partners', O.adatumESign, C.us, 'exclusive to other CSP partners'],
    ['it is not transactable', O.treyAnalyticsContainer, C.us, 'not transactable'],
  ])('CAT-UNAVAILABLE: refused because %s, and the message names the reason', async (_why, offerId, customerId, reason) => {
    const before = await counts(gw);
    const r = await purchase({ customerId, lineItems: [line(offerId, 1, 'MONTHLY', 'P1M')] });
    expect(r.errors).toBeUndefined();
    const errors = r.data!.purchase.userErrors;
    expect(errors).toEqual([expect.objectContaining({ rule: 'CAT-UNAVAILABLE', field: ['input', 'lineItems', '0', 'offerId'] })]);
    expect(errors[0]!.message).toContain(reason);
    expect(await counts(gw)).toEqual(before);
  });

  it('CAT-UNAVAILABLE: an offer exclusive to Fabrikam is sold to Fabrikam', async () => {
    const [sub] = await buy(gw, C.fab, [line(O.adatumESign, 2, 'MONTHLY', 'P1M')], { ...ADMIN, partner: FABRIKAM });
    expect(sub).toMatchObject({ offerId: O.adatumESign, status: 'PENDING' });
  });

  it('CAT-ONE-PER-CUSTOMER: a second subscription of a one-per-customer offer is refused, in a later order or the same cart', async () => {
    const [first] = await buy(gw, C.azure, [line(O.azurePlan, 1, 'MONTHLY', 'P1M')]);
    const before = await counts(gw);
    const again = await purchase({ customerId: C.azure, lineItems: [line(O.azurePlan, 1, 'MONTHLY', 'P1M')] });
    expect(again.data!.purchase.userErrors).toEqual([
      expect.objectContaining({ rule: 'CAT-ONE-PER-CUSTOMER', code: 'LIMIT_EXCEEDED', field: ['input', 'lineItems', '0', 'offerId'] }),
    ]);
    expect(again.data!.purchase.userErrors[0]!.message).toContain(first!.id);
    const twice = await purchase({
      customerId: C.us,
      lineItems: [line(O.azurePlan, 1, 'MONTHLY', 'P1M'), line(O.azurePlan, 1, 'MONTHLY', 'P1M')],
    });
    expect(twice.data!.purchase.userErrors).toEqual([expect.objectContaining({ rule: 'CAT-ONE-PER-CUSTOMER' })]);
    expect(await counts(gw)).toEqual(before);
  });

  it('CAT-ONE-PER-CUSTOMER: when the existing subscription is suspended, the refusal says to reactivate it', async () => {
    const [first] = await buy(gw, C.suspended, [line(ONE_PER_CUSTOMER_LEGACY._id, 3, 'MONTHLY')]);
    await suspend(gw, first!.id);
    const r = await purchase({ customerId: C.suspended, lineItems: [line(ONE_PER_CUSTOMER_LEGACY._id, 3, 'MONTHLY')] });
    const [error] = r.data!.purchase.userErrors;
    expect(error).toMatchObject({ rule: 'CAT-ONE-PER-CUSTOMER', code: 'LIMIT_EXCEEDED' });
    expect(error!.message).toMatch(/suspended/);
    expect(error!.message).toMatch(/reactivate/i);
    expect(error!.message).toContain(first!.id);
  });

  it('CAT-ISV-LINK: a marketplace SaaS purchase is pending, needs attention, and carries a personalised link per line', async () => {
    const before = await counts(gw);
    const r = await purchase({
      customerId: C.isv,
      lineItems: [line(O.litwareBackup, 5, 'MONTHLY', 'P1M'), line(O.litwareBackup, 2, 'ANNUAL', 'P1Y')],
    });
    expect(r.errors).toBeUndefined();
    const p = r.data!.purchase;
    expect(p.userErrors).toEqual([]);
    const link = /^https:\/\/marketplace\.example\/dzh318z0bxwc\/activate\?token=([\w-]+)$/;
    for (const s of p.subscriptions) {
      expect(s).toMatchObject({ status: 'PENDING', attentionNeeded: true, fulfilmentStatus: 'ACTION_NEEDED' });
      expect(s.activationLink).toMatch(link);
    }
    const tokens = p.subscriptions.map((s) => link.exec(s.activationLink!)![1]);
    expect(new Set(tokens).size).toBe(2);
    // Available by order line item and from the subscription, to an admin agent and a global admin.
    expect(p.order!.lineItems.map((l) => l.subscription!.activationLink)).toEqual(p.subscriptions.map((s) => s.activationLink));
    expect((await subscription(gw, p.subscriptions[0]!.id)).activationLink).toBe(p.subscriptions[0]!.activationLink);
    expect((await subscription(gw, p.subscriptions[0]!.id, { roles: 'global_admin' })).activationLink).toBe(
      p.subscriptions[0]!.activationLink,
    );
    // ROLE-MARKETPLACE: other roles cannot read the marketplace subscription at all.
    const hidden = await gw.execute(PulSubscriptionDocument, { id: p.subscriptions[0]!.id }, { roles: 'sales_agent' });
    expect(hidden.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', rule: 'ROLE-MARKETPLACE' });
    // CAT-ISV-FULFILMENT: nothing is billed before the publisher confirms set-up.
    expect(await gw.collections.ledger.countDocuments({ orderId: p.order!.id })).toBe(0);
    expect((await counts(gw)).ledger).toBe(before.ledger);
  });

  it('PRICE-TAX: an Australian customer’s order includes tax, on the payload and on the order; a US one does not', async () => {
    const au = await purchase({ customerId: C.au, lineItems: [line(O.m365BusinessBasic, 1)] });
    expect(au.data!.purchase).toMatchObject({ userErrors: [], pricesIncludeTax: true, order: { pricesIncludeTax: true } });
    const us = await purchase({ customerId: C.us, lineItems: [line(O.m365BusinessBasic, 1)] });
    expect(us.data!.purchase).toMatchObject({ userErrors: [], pricesIncludeTax: false, order: { pricesIncludeTax: false } });
    const stored = await gw.collections.orders.findOne({ _id: au.data!.purchase.order!.id });
    expect(stored!.pricesIncludeTax).toBe(true);
  });

  it('ADDON-NOT-CATALOG: buying an add-on offer through purchase is refused', async () => {
    const before = await counts(gw);
    const r = await purchase({ customerId: C.us, lineItems: [line(O.m365BusinessBasic, 1), line(O.audioConferencing, 1)] });
    expect(r.data!.purchase.userErrors).toEqual([
      expect.objectContaining({ rule: 'ADDON-NOT-CATALOG', code: 'NOT_SUPPORTED', field: ['input', 'lineItems', '1', 'offerId'] }),
    ]);
    expect(await counts(gw)).toEqual(before);
  });

  it('ROLE-SUBSCRIPTIONS: a caller with no role is FORBIDDEN, and nothing is written', async () => {
    const before = await counts(gw);
    const r = await purchase({ customerId: C.us, lineItems: [line(O.m365BusinessBasic, 1)] }, {});
    expect(r.data ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'ROLE-SUBSCRIPTIONS' });
    expect(await counts(gw)).toEqual(before);
  });

  it.each([
    ['a malformed', 'not an offer id'],
    ['an unknown', 'CFQ7TTC0ZZZZ:0001'],
  ])('CAT-CART: %s offer ID is BAD_USER_INPUT naming the line’s argument', async (_what, badId) => {
    const before = await counts(gw);
    const r = await purchase({ customerId: C.us, lineItems: [line(O.m365BusinessBasic, 1), line(badId, 1)] });
    expect(r.data ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'input',
      field: 'input.lineItems[1].offerId',
    });
    expect(await counts(gw)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------

describe('purchaseAddOn: add-ons bought through their base', () => {
  const C = { us: guid('pul-addon-us'), ch: guid('pul-addon-ch'), tail: guid('pul-addon-tail'), fab: guid('pul-addon-fab') };
  let gw: TestGateway;
  let basic: PulSubFragment;
  let standard: PulSubFragment;
  let pausedBase: PulSubFragment;
  let legacyBase: PulSubFragment;

  beforeAll(async () => {
    gw = await gatewayWith([
      aCustomer({ _id: C.us, companyName: 'Pul AddOn US' }),
      aCustomer({ _id: C.ch, companyName: 'Pul AddOn CH', billingCountry: 'CH' }),
      aCustomer({ _id: C.tail, companyName: 'Pul AddOn Tailspin', partnerId: TAILSPIN }),
      aCustomer({ _id: C.fab, companyName: 'Pul AddOn Fabrikam', partnerId: FABRIKAM }),
    ]);
    [basic, standard, pausedBase, legacyBase] = (await buy(gw, C.us, [
      line(O.m365BusinessBasic, 10),
      line(O.m365BusinessStandard, 5),
      line(O.m365BusinessBasic, 2),
      line(O.legacyO365E1, 5),
    ])) as [PulSubFragment, PulSubFragment, PulSubFragment, PulSubFragment];
    await pause(gw, pausedBase.id);
    await suspend(gw, legacyBase.id);
    // 10 days and 1 hour into the term: 11 started days used, 365 - 11 = 354 days remaining.
    await advance(gw, { by: 'P10DT1H' });
  });
  afterAll(() => gw?.close());

  const addOn = (subscriptionId: string, offerId: string, quantity: number, options: CallOptions = ADMIN) =>
    gw.execute(PulPurchaseAddOnDocument, { input: { subscriptionId, offerId, quantity } }, options);

  it('ADDON-ALIGN: the add-on ends with its base, and its first charge is prorated exactly to the base’s term end', async () => {
    const r = await addOn(basic.id, O.audioConferencing, 3);
    expect(r.errors).toBeUndefined();
    const p = r.data!.purchaseAddOn;
    expect(p.userErrors).toEqual([]);
    // 4,800 per licence per term x 3 licences x 354 days remaining / 365 days in the term.
    const expected = halfUp(4800 * 3 * 354, 365);
    expect(expected).toBe(13966);
    expect(p.charge!.amountInCents).toBe(expected);
    expect(p.addOn).toMatchObject({
      offerId: O.audioConferencing,
      quantity: 3,
      status: 'ACTIVE',
      parentSubscriptionId: basic.id,
      effectiveStartDate: '2026-11-11T10:00:00.000Z',
      commitmentEndDate: basic.commitmentEndDate,
    });
    expect(await ledgerOf(gw, p.addOn!.id)).toEqual([[expected, 'ADDON-ALIGN']]);
    const base = await subscription(gw, basic.id);
    expect(base.addOns.map((a) => [a.id, a.commitmentEndDate])).toEqual([[p.addOn!.id, base.commitmentEndDate]]);
  });

  it.each([
    ['paused (new commerce)', () => pausedBase, O.audioConferencing],
    ['suspended (legacy)', () => legacyBase, O.legacyExtraFileStorage],
  ])('ADDON-BASE-ACTIVE: an add-on for a %s base is refused', async (_state, base, offerId) => {
    const before = await counts(gw);
    const r = await addOn(base().id, offerId, 1);
    expect(r.errors).toBeUndefined();
    expect(r.data!.purchaseAddOn).toMatchObject({ addOn: null, charge: null });
    expect(r.data!.purchaseAddOn.userErrors).toEqual([
      expect.objectContaining({ rule: 'ADDON-BASE-ACTIVE', code: 'INVALID_STATUS', field: ['input', 'subscriptionId'] }),
    ]);
    expect(await counts(gw)).toEqual(before);
  });

  it('ADDON-PARTNER-TYPE: Tailspin, an indirect reseller, cannot buy an add-on; Fabrikam, an indirect provider, can', async () => {
    const asTailspin = { ...ADMIN, partner: TAILSPIN };
    const [base] = await buy(gw, C.tail, [line(O.m365BusinessBasic, 4)], asTailspin);
    const before = await counts(gw);
    const r = await addOn(base!.id, O.audioConferencing, 1, asTailspin);
    expect(r.errors).toBeUndefined();
    expect(r.data!.purchaseAddOn.userErrors).toEqual([expect.objectContaining({ rule: 'ADDON-PARTNER-TYPE', code: 'NOT_SUPPORTED' })]);
    expect(await counts(gw)).toEqual(before);

    const asFabrikam = { ...ADMIN, partner: FABRIKAM };
    const [fabBase] = await buy(gw, C.fab, [line(O.m365BusinessBasic, 4)], asFabrikam);
    const ok = await addOn(fabBase!.id, O.audioConferencing, 1, asFabrikam);
    expect(ok.data!.purchaseAddOn.userErrors).toEqual([]);
    expect(ok.data!.purchaseAddOn.addOn).toMatchObject({ parentSubscriptionId: fabBase!.id, status: 'ACTIVE' });
  });

  it('ADDON-ELIGIBLE: an add-on that is not eligible for the base offer is refused', async () => {
    const before = await counts(gw);
    // Copilot is not among Business Basic's add-ons.
    const r = await addOn(basic.id, O.m365Copilot, 1);
    expect(r.data!.purchaseAddOn.userErrors).toEqual([
      expect.objectContaining({ rule: 'ADDON-ELIGIBLE', code: 'NOT_ELIGIBLE', field: ['input', 'offerId'] }),
    ]);
    expect(await counts(gw)).toEqual(before);
  });

  it('ADDON-ELIGIBLE: an add-on of the base but not sold in the customer’s region is refused; in the US it is accepted', async () => {
    const [chBase] = await buy(gw, C.ch, [line(O.m365BusinessStandard, 2)]);
    const refused = await addOn(chBase!.id, O.m365Copilot, 1);
    expect(refused.data!.purchaseAddOn.userErrors).toEqual([expect.objectContaining({ rule: 'ADDON-ELIGIBLE', code: 'NOT_ELIGIBLE' })]);
    expect(refused.data!.purchaseAddOn.userErrors[0]!.message).toContain('CH');
    const ok = await addOn(standard.id, O.m365Copilot, 1);
    expect(ok.data!.purchaseAddOn.userErrors).toEqual([]);
    expect(ok.data!.purchaseAddOn.addOn!.commitmentEndDate).toBe(standard.commitmentEndDate);
  });
});

// ---------------------------------------------------------------------------------------------

describe('scheduleChange, updateScheduledChange, deleteScheduledChange: changes at renewal', () => {
  const CUSTOMER = guid('pul-sched-customer');
  let gw: TestGateway;
  const KEYS = [
    'seats',
    'downgrade',
    'term',
    'billing',
    'autoOff',
    'paused',
    'manage',
    'skuKept',
    'applySku',
    'applyTerm',
    'addOnTerm',
    'plain',
  ] as const;
  /** Business Standard x10, monthly billing (BILL-MONTHLY: 12,500 a month), one-year term, bought at T0 (15,000 per licence per term). */
  const S = {} as Record<(typeof KEYS)[number], PulSubFragment>;
  let legacy: PulSubFragment;

  beforeAll(async () => {
    gw = await gatewayWith([aCustomer({ _id: CUSTOMER, companyName: 'Pul Scheduled' })]);
    const subs = await buy(gw, CUSTOMER, [...KEYS.map(() => line(O.m365BusinessStandard, 10, 'MONTHLY')), line(O.legacyO365E1, 5)]);
    KEYS.forEach((k, i) => (S[k] = subs[i]!));
    legacy = subs[KEYS.length]!;
    await autoRenewOff(gw, S.autoOff.id);
    await pause(gw, S.paused.id);
    // A base with an add-on (bought at the start of the term: 2 x 4,800, 365 of 365 days) whose
    // term changes to month-to-month at renewal.
    const a = await gw.execute(
      PulPurchaseAddOnDocument,
      { input: { subscriptionId: S.addOnTerm.id, offerId: O.audioConferencing, quantity: 2 } },
      ADMIN,
    );
    expect(a.data!.purchaseAddOn.userErrors).toEqual([]);
    expect((await schedule(gw, { subscriptionId: S.addOnTerm.id, termDuration: 'P1M' })).userErrors).toEqual([]);
  });
  afterAll(() => gw?.close());

  it.each([
    [
      'a seat reduction',
      'seats',
      { quantity: 6 },
      { offerId: O.m365BusinessStandard, quantity: 6, billingCycle: 'MONTHLY', termDuration: 'P1Y' },
    ],
    [
      'a downgrade to a cheaper SKU that upgrades to the current one',
      'downgrade',
      { offerId: O.m365BusinessBasic },
      { offerId: O.m365BusinessBasic, quantity: 10, billingCycle: 'MONTHLY', termDuration: 'P1Y' },
    ],
    [
      'a term change',
      'term',
      { termDuration: 'P1M' },
      { offerId: O.m365BusinessStandard, quantity: 10, billingCycle: 'MONTHLY', termDuration: 'P1M' },
    ],
    [
      'a billing-frequency change',
      'billing',
      { billingCycle: 'ANNUAL' },
      { offerId: O.m365BusinessStandard, quantity: 10, billingCycle: 'ANNUAL', termDuration: 'P1Y' },
    ],
  ] as const)('SCHED-KINDS: %s is saved for renewal and changes nothing now', async (_kind, key, change, expected) => {
    const before = await counts(gw);
    const p = await schedule(gw, { subscriptionId: S[key].id, ...change });
    expect(p.userErrors).toEqual([]);
    expect(p.subscription).toMatchObject({
      offerId: O.m365BusinessStandard,
      quantity: 10,
      billingCycle: 'MONTHLY',
      termDuration: 'P1Y',
      scheduledNextTermInstructions: expected,
    });
    const after = await counts(gw);
    expect([after.subscriptions, after.orders, after.ledger]).toEqual([before.subscriptions, before.orders, before.ledger]);
  });

  it('SCHED-KINDS: a legacy subscription cannot schedule changes', async () => {
    const p = await schedule(gw, { subscriptionId: legacy.id, quantity: 2 });
    expect(p.userErrors).toEqual([expect.objectContaining({ rule: 'SCHED-KINDS', code: 'NOT_SUPPORTED' })]);
    expect(p.subscription!.scheduledNextTermInstructions).toBeNull();
  });

  it('SCHED-PREREQ: scheduling is refused while auto-renew is off', async () => {
    const p = await schedule(gw, { subscriptionId: S.autoOff.id, quantity: 5 });
    expect(p.userErrors).toEqual([expect.objectContaining({ rule: 'SCHED-PREREQ', code: 'INVALID_STATUS' })]);
    expect(p.subscription!.scheduledNextTermInstructions).toBeNull();
  });

  it('SCHED-PREREQ: scheduling is refused on a paused subscription', async () => {
    const p = await schedule(gw, { subscriptionId: S.paused.id, quantity: 5 });
    expect(p.userErrors).toEqual([expect.objectContaining({ rule: 'SCHED-PREREQ', code: 'INVALID_STATUS' })]);
  });

  it('SCHED-PREREQ: a SKU that is neither an upgrade nor a downgrade path is refused', async () => {
    const p = await schedule(gw, { subscriptionId: S.manage.id, offerId: O.m365E5 });
    expect(p.userErrors).toEqual([expect.objectContaining({ rule: 'SCHED-PREREQ', code: 'NOT_ELIGIBLE', field: ['input', 'offerId'] })]);
  });

  it('SCHED-REASSIGN: a SKU change at renewal says user licences must be reassigned; a seat change does not', async () => {
    const sku = await schedule(gw, { subscriptionId: S.applySku.id, offerId: O.m365BusinessBasic, quantity: 8 });
    expect(sku).toMatchObject({ userErrors: [], licenceReassignmentRequired: true });
    expect(sku.summary).toContain('SCHED-REASSIGN');
    const seats = await schedule(gw, { subscriptionId: S.manage.id, quantity: 8 });
    expect(seats).toMatchObject({ userErrors: [], licenceReassignmentRequired: false });
  });

  it('SCHED-MANAGE: the subscription shows its current values next to the values at renewal', async () => {
    const s = await subscription(gw, S.manage.id);
    expect(s).toMatchObject({
      offerId: O.m365BusinessStandard,
      quantity: 10,
      billingCycle: 'MONTHLY',
      termDuration: 'P1Y',
      scheduledNextTermInstructions: { offerId: O.m365BusinessStandard, quantity: 8, billingCycle: 'MONTHLY', termDuration: 'P1Y' },
    });
  });

  it('SCHED-MANAGE: updateScheduledChange merges the update into the saved change', async () => {
    const r = await gw.execute(PulUpdateScheduledChangeDocument, { input: { subscriptionId: S.manage.id, billingCycle: 'ANNUAL' } }, ADMIN);
    expect(r.data!.updateScheduledChange.userErrors).toEqual([]);
    expect(r.data!.updateScheduledChange.subscription!.scheduledNextTermInstructions).toEqual({
      offerId: O.m365BusinessStandard,
      quantity: 8,
      billingCycle: 'ANNUAL',
      termDuration: 'P1Y',
    });
  });

  it('SCHED-MANAGE: updating a saved SKU change without naming the SKU keeps the scheduled SKU', async () => {
    await schedule(gw, { subscriptionId: S.skuKept.id, offerId: O.m365BusinessBasic, quantity: 8 });
    const r = await gw.execute(PulUpdateScheduledChangeDocument, { input: { subscriptionId: S.skuKept.id, quantity: 7 } }, ADMIN);
    expect(r.data!.updateScheduledChange.userErrors).toEqual([]);
    expect(r.data!.updateScheduledChange.subscription!.scheduledNextTermInstructions).toEqual({
      offerId: O.m365BusinessBasic,
      quantity: 7,
      billingCycle: 'MONTHLY',
      termDuration: 'P1Y',
    });
  });

  it('SCHED-MANAGE: deleteScheduledChange removes the saved change; with none saved, delete and update are refused', async () => {
    const del = () => gw.execute(PulDeleteScheduledChangeDocument, { input: { subscriptionId: S.manage.id } }, ADMIN);
    const removed = await del();
    expect(removed.data!.deleteScheduledChange.userErrors).toEqual([]);
    expect(removed.data!.deleteScheduledChange.subscription!.scheduledNextTermInstructions).toBeNull();
    expect((await subscription(gw, S.manage.id)).scheduledNextTermInstructions).toBeNull();
    const again = await del();
    expect(again.data!.deleteScheduledChange.userErrors).toEqual([expect.objectContaining({ rule: 'SCHED-MANAGE', code: 'NO_CHANGE' })]);
    const update = await gw.execute(PulUpdateScheduledChangeDocument, { input: { subscriptionId: S.manage.id, quantity: 3 } }, ADMIN);
    expect(update.data!.updateScheduledChange.userErrors).toEqual([expect.objectContaining({ rule: 'SCHED-MANAGE', code: 'NO_CHANGE' })]);
  });

  it('SCHED-APPLY: past the term end, the renewal applies the saved change: offer, quantity, term and price, charged under SCHED-APPLY', async () => {
    const term = await schedule(gw, { subscriptionId: S.applyTerm.id, termDuration: 'P1M' });
    expect(term.userErrors).toEqual([]);
    const a = await advance(gw, { to: plus(YEAR_END, 1) });
    expect(a.userErrors).toEqual([]);
    const renewed = a.events.filter((e) => e.kind === 'renewal').map((e) => e.subscriptionId);
    expect(renewed).toEqual(expect.arrayContaining([S.applySku.id, S.applyTerm.id, S.seats.id, S.plain.id]));

    const sku = await subscription(gw, S.applySku.id);
    expect(sku).toMatchObject({
      status: 'ACTIVE',
      offerId: O.m365BusinessBasic,
      quantity: 8,
      unitPrice: { amountInCents: 7200 },
      effectiveStartDate: YEAR_END,
      commitmentEndDate: '2028-11-01T09:00:00.000Z',
      scheduledNextTermInstructions: null,
    });
    expect(await ledgerOf(gw, S.applySku.id)).toEqual([...billedMonthly(150000), [(8 * 7200) / 12, 'SCHED-APPLY']]);

    const monthly = await subscription(gw, S.applyTerm.id);
    expect(monthly).toMatchObject({
      offerId: O.m365BusinessStandard,
      quantity: 10,
      termDuration: 'P1M',
      unitPrice: { amountInCents: 1500 },
      commitmentEndDate: '2027-12-01T09:00:00.000Z',
    });
    expect(await ledgerOf(gw, S.applyTerm.id)).toEqual([...billedMonthly(150000), [10 * 1500, 'SCHED-APPLY']]);

    expect(await subscription(gw, S.seats.id)).toMatchObject({ quantity: 6, scheduledNextTermInstructions: null });
    expect(await ledgerOf(gw, S.seats.id)).toEqual([...billedMonthly(150000), [(6 * 15000) / 12, 'SCHED-APPLY']]);
    // Without a saved change the renewal is the default one.
    expect(await ledgerOf(gw, S.plain.id)).toEqual([...billedMonthly(150000), [150000 / 12, 'RENEW-DEFAULT']]);
  }, 120_000);

  it('ADDON-ALIGN: when the base renews onto a monthly term, its add-on renews onto the same term, charged that term’s price', async () => {
    const base = await subscription(gw, S.addOnTerm.id);
    expect(base).toMatchObject({ termDuration: 'P1M', commitmentEndDate: '2027-12-01T09:00:00.000Z' });
    const [addOn] = base.addOns;
    expect(addOn).toMatchObject({
      status: 'ACTIVE',
      commitmentEndDate: base.commitmentEndDate,
      billingCycle: 'MONTHLY',
      termDuration: 'P1M',
      unitPrice: { amountInCents: 480 },
    });
    // Bought at T0 on a base billed monthly: prorated to the base's first month end (9,600 x 30 / 365),
    // then 800 a month with the base (BILL-MONTHLY); month-to-month after: 480 per licence (400 x 1.2), 2 licences.
    expect(await ledgerOf(gw, addOn!.id)).toEqual([
      [halfUp(9600 * 30, 365), 'ADDON-ALIGN'],
      ...Array.from({ length: 11 }, () => [800, 'BILL-MONTHLY']),
      [2 * 480, 'ADDON-ALIGN'],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('trials: free for 30 days, then converted to the paid offer', () => {
  const CUSTOMER = guid('pul-trial-customer');
  let gw: TestGateway;
  let trial: PulSubFragment;

  beforeAll(async () => {
    gw = await gatewayWith([aCustomer({ _id: CUSTOMER, companyName: 'Pul Trial' })]);
  });
  afterAll(() => gw?.close());

  it('CAT-TRIAL: a trial offer starts in trial for 30 days, free', async () => {
    [trial] = (await buy(gw, CUSTOMER, [line(O.m365BusinessPremiumTrial, 5, 'NONE', 'P1M')])) as [PulSubFragment];
    expect(trial).toMatchObject({
      offerId: O.m365BusinessPremiumTrial,
      isTrial: true,
      status: 'ACTIVE',
      effectiveStartDate: T0_ISO,
      commitmentEndDate: plus(T0_ISO, 30 * DAY),
    });
    expect(await ledgerOf(gw, trial.id)).toEqual([]);
  });

  it('SCHED-TRIAL: a trial cannot schedule a change; it converts to its paid SKU', async () => {
    const p = await schedule(gw, { subscriptionId: trial.id, quantity: 3 });
    expect(p.userErrors).toEqual([expect.objectContaining({ rule: 'SCHED-TRIAL', code: 'NOT_SUPPORTED' })]);
  });

  it('CAT-TRIAL, SCHED-TRIAL: one millisecond before day 30 it is still a trial; at day 30 it converts to the paid offer and is charged', async () => {
    const early = await advance(gw, { by: 'P29DT23H59M59.999S' });
    expect(early.events).toEqual([]);
    expect(await subscription(gw, trial.id)).toMatchObject({ isTrial: true, offerId: O.m365BusinessPremiumTrial });

    const a = await advance(gw, { by: 'PT0.001S' });
    expect(a.to).toBe(MONTH_END);
    expect(a.events).toEqual([{ kind: 'trial_conversion', subscriptionId: trial.id, at: MONTH_END }]);
    expect(a.eventCounts).toEqual([{ kind: 'trial_conversion', count: 1 }]);
    expect(await subscription(gw, trial.id)).toMatchObject({
      status: 'ACTIVE',
      isTrial: false,
      offerId: O.m365BusinessPremium,
      quantity: 5,
      termDuration: 'P1M',
      unitPrice: { amountInCents: 2640 },
      effectiveStartDate: MONTH_END,
      commitmentEndDate: '2027-01-01T09:00:00.000Z',
    });
    expect(await ledgerOf(gw, trial.id)).toEqual([[5 * 2640, 'CAT-TRIAL']]);
  });

  it('CAT-TRIAL: the converted subscription then renews on the paid schedule', async () => {
    const a = await advance(gw, { to: '2027-01-01T09:00:00.000Z' });
    expect(a.events).toEqual([{ kind: 'renewal', subscriptionId: trial.id, at: '2027-01-01T09:00:00.000Z' }]);
    expect(await ledgerOf(gw, trial.id)).toEqual([
      [13200, 'CAT-TRIAL'],
      [13200, 'RENEW-DEFAULT'],
    ]);
  });

  it('GEN-CLOCK: the lifecycle events an advance applies, then its own audit record, are journaled with its correlation ID and arguments', async () => {
    const to = '2027-02-01T09:00:00.000Z';
    const a = await advance(gw, { to }, { ...ADMIN, headers: { 'x-correlation-id': 'pul-advance-renewal' } });
    expect(a.events).toEqual([{ kind: 'renewal', subscriptionId: trial.id, at: to }]);
    const operations = await gw.collections.operations.find({ correlationId: 'pul-advance-renewal' }).toArray();
    // The advance_clock operation is journaled after the clock moved (its audit record); the move
    // crosses a month start, whose invoice-ready event is an operation of its own (docs/events.md).
    expect(operations.map((o) => o.kind).sort()).toEqual(['advance_clock', 'invoice_ready', 'renewal']);
    for (const o of operations) expect(JSON.parse(o.input!)).toMatchObject({ input: { to } });
  });
});

// ---------------------------------------------------------------------------------------------

describe('partialUpgrade and upgradeSubscription: licences move to another SKU', () => {
  const CUSTOMER = guid('pul-upg-customer');
  const NOW = '2026-11-11T10:00:00.000Z';
  let gw: TestGateway;
  let src: PulSubFragment;
  let existingStandard: PulSubFragment;
  let full: PulSubFragment;
  let withAddOn: PulSubFragment;
  let paused: PulSubFragment;
  let clears: PulSubFragment;
  let timed: PulSubFragment;
  let newTargetId: string;

  beforeAll(async () => {
    gw = await gatewayWith([aCustomer({ _id: CUSTOMER, companyName: 'Pul Upgrades' })]);
    [src, existingStandard, full, withAddOn, paused, clears, timed] = (await buy(gw, CUSTOMER, [
      line(O.m365BusinessBasic, 10),
      line(O.m365BusinessStandard, 4),
      line(O.m365BusinessBasic, 4),
      line(O.m365BusinessBasic, 2),
      line(O.m365BusinessBasic, 3),
      line(O.m365BusinessBasic, 6),
      line(O.m365BusinessBasic, 10),
    ])) as PulSubFragment[] as [
      PulSubFragment,
      PulSubFragment,
      PulSubFragment,
      PulSubFragment,
      PulSubFragment,
      PulSubFragment,
      PulSubFragment,
    ];
    const a = await gw.execute(
      PulPurchaseAddOnDocument,
      { input: { subscriptionId: withAddOn.id, offerId: O.audioConferencing, quantity: 1 } },
      ADMIN,
    );
    expect(a.data!.purchaseAddOn.userErrors).toEqual([]);
    await pause(gw, paused.id);
    // 10 days and 1 hour into the term: 11 started days used, 354 of 365 days remaining.
    await advance(gw, { by: 'P10DT1H' });
  });
  afterAll(() => gw?.close());

  it('UPG-PARTIAL, UPG-SAME-END: moving 3 of 10 licences now leaves 7, makes a new subscription of 3 ending with its source, credited and charged exactly', async () => {
    const p = await partialUpgrade(gw, { subscriptionId: src.id, targetOfferId: O.m365BusinessStandard, quantity: 3 });
    expect(p.userErrors).toEqual([]);
    // Credit: 7,200 x 3 x 354 / 365; charge: 15,000 x 3 x 354 / 365; each rounded once, half up.
    const credit = halfUp(7200 * 3 * 354, 365);
    const charge = halfUp(15000 * 3 * 354, 365);
    expect([credit, charge]).toEqual([20949, 43644]);
    expect(p).toMatchObject({
      upgradeType: 'PARTIAL',
      timing: 'NOW',
      licenceReassignmentRequired: true,
      credit: { amountInCents: credit },
      charge: { amountInCents: charge },
      sourceSubscription: { id: src.id, quantity: 7, status: 'ACTIVE' },
      targetSubscription: {
        offerId: O.m365BusinessStandard,
        quantity: 3,
        status: 'ACTIVE',
        upgradedFromSubscriptionId: src.id,
        effectiveStartDate: NOW,
        commitmentEndDate: src.commitmentEndDate,
      },
    });
    newTargetId = p.targetSubscription!.id;
    expect(newTargetId).not.toBe(existingStandard.id);
    // No licence lost or duplicated.
    expect(p.sourceSubscription!.quantity + p.targetSubscription!.quantity).toBe(10);
    expect(await ledgerOf(gw, src.id)).toEqual([
      [72000, 'CAT-CART'],
      [-credit, 'UPG-PARTIAL'],
    ]);
    expect(await ledgerOf(gw, newTargetId)).toEqual([[charge, 'UPG-SAME-END']]);
  });

  it('UPG-TARGET: moving licences into an existing subscription of the target SKU grows it, charged to its own term end', async () => {
    const before = await gw.collections.subscriptions.countDocuments({ customerId: CUSTOMER });
    const p = await partialUpgrade(gw, {
      subscriptionId: src.id,
      targetOfferId: O.m365BusinessStandard,
      quantity: 2,
      targetSubscriptionId: existingStandard.id,
    });
    expect(p.userErrors).toEqual([]);
    const credit = halfUp(7200 * 2 * 354, 365);
    const charge = halfUp(15000 * 2 * 354, 365);
    expect(p).toMatchObject({
      upgradeType: 'PARTIAL',
      credit: { amountInCents: credit },
      charge: { amountInCents: charge },
      sourceSubscription: { quantity: 5 },
      targetSubscription: { id: existingStandard.id, quantity: 6, commitmentEndDate: existingStandard.commitmentEndDate },
    });
    expect(await gw.collections.subscriptions.countDocuments({ customerId: CUSTOMER })).toBe(before);
    expect(await ledgerOf(gw, existingStandard.id)).toEqual([
      [60000, 'CAT-CART'],
      [charge, 'UPG-TARGET'],
    ]);
    // Licences conserved: 10 = 5 left + 3 moved before + 2 moved now.
    expect((await subscription(gw, src.id)).quantity).toBe(5);
  });

  it('UPG-FULL: upgrading all licences ends the source (deleted, upgraded) and moves every licence', async () => {
    const r = await gw.execute(
      PulUpgradeSubscriptionDocument,
      { input: { subscriptionId: full.id, targetOfferId: O.m365BusinessStandard } },
      ADMIN,
    );
    expect(r.errors).toBeUndefined();
    const p = r.data!.upgradeSubscription;
    expect(p.userErrors).toEqual([]);
    const credit = halfUp(7200 * 4 * 354, 365);
    expect(p).toMatchObject({
      upgradeType: 'FULL',
      credit: { amountInCents: credit },
      charge: { amountInCents: halfUp(15000 * 4 * 354, 365) },
      sourceSubscription: { id: full.id, status: 'DELETED', deletedReason: 'UPGRADED', deletionDate: NOW, quantity: 0 },
      targetSubscription: { offerId: O.m365BusinessStandard, quantity: 4, commitmentEndDate: full.commitmentEndDate },
    });
    expect(await ledgerOf(gw, full.id)).toEqual([
      [28800, 'CAT-CART'],
      [-credit, 'UPG-FULL'],
    ]);
  });

  it('UPG-FULL: a full upgrade of a subscription with add-ons is refused', async () => {
    const before = await counts(gw);
    const r = await gw.execute(
      PulUpgradeSubscriptionDocument,
      { input: { subscriptionId: withAddOn.id, targetOfferId: O.m365BusinessStandard } },
      ADMIN,
    );
    expect(r.data!.upgradeSubscription.userErrors).toEqual([expect.objectContaining({ rule: 'UPG-FULL', code: 'NOT_ELIGIBLE' })]);
    expect(r.data!.upgradeSubscription.sourceSubscription).toMatchObject({ status: 'ACTIVE', quantity: 2 });
    expect(await counts(gw)).toEqual(before);
  });

  it('UPG-ACTIVE: an upgrade from a suspended (paused) subscription is refused', async () => {
    const p = await partialUpgrade(gw, { subscriptionId: paused.id, targetOfferId: O.m365BusinessStandard, quantity: 1 });
    expect(p.userErrors).toEqual([expect.objectContaining({ rule: 'UPG-ACTIVE', code: 'INVALID_STATUS' })]);
    expect(p.sourceSubscription).toMatchObject({ status: 'SUSPENDED', quantity: 3 });
  });

  it('UPG-ELIGIBLE: a target SKU that is not an upgrade path of the source is refused', async () => {
    const p = await partialUpgrade(gw, { subscriptionId: src.id, targetOfferId: O.m365E5, quantity: 1 });
    expect(p.userErrors).toEqual([
      expect.objectContaining({ rule: 'UPG-ELIGIBLE', code: 'NOT_ELIGIBLE', field: ['input', 'targetOfferId'] }),
    ]);
    expect(p.sourceSubscription!.quantity).toBe(5);
  });

  it('UPG-CLEARS-SCHEDULED: a mid-term upgrade removes the saved scheduled change and scheduled upgrade', async () => {
    expect((await schedule(gw, { subscriptionId: clears.id, billingCycle: 'MONTHLY' })).userErrors).toEqual([]);
    const later = await partialUpgrade(gw, {
      subscriptionId: clears.id,
      targetOfferId: O.m365BusinessPremium,
      quantity: 2,
      timing: 'TERM_END',
    });
    expect(later.userErrors).toEqual([]);
    expect(await subscription(gw, clears.id)).toMatchObject({
      scheduledNextTermInstructions: { billingCycle: 'MONTHLY' },
      scheduledUpgrade: { targetOfferId: O.m365BusinessPremium, quantity: 2, targetSubscriptionId: null },
    });
    const now = await partialUpgrade(gw, { subscriptionId: clears.id, targetOfferId: O.m365BusinessStandard, quantity: 1 });
    expect(now.userErrors).toEqual([]);
    expect(now.sourceSubscription).toMatchObject({ quantity: 5, scheduledNextTermInstructions: null, scheduledUpgrade: null });
  });

  it('UPG-TIMING: an upgrade for term end is saved and changes no licences now; past the term end the licences have moved', async () => {
    const before = await counts(gw);
    const p = await partialUpgrade(gw, {
      subscriptionId: timed.id,
      targetOfferId: O.m365BusinessStandard,
      quantity: 4,
      timing: 'TERM_END',
    });
    expect(p).toMatchObject({
      userErrors: [],
      timing: 'TERM_END',
      targetSubscription: null,
      credit: { amountInCents: 0 },
      charge: { amountInCents: 0 },
      sourceSubscription: {
        quantity: 10,
        scheduledUpgrade: { targetOfferId: O.m365BusinessStandard, quantity: 4, targetSubscriptionId: null },
      },
    });
    const after = await counts(gw);
    expect([after.subscriptions, after.orders, after.ledger]).toEqual([before.subscriptions, before.orders, before.ledger]);

    const a = await advance(gw, { to: YEAR_END });
    expect(a.events).toContainEqual({ kind: 'renewal', subscriptionId: timed.id, at: YEAR_END });
    const source = await subscription(gw, timed.id);
    expect(source).toMatchObject({ status: 'ACTIVE', quantity: 6, scheduledUpgrade: null, commitmentEndDate: '2028-11-01T09:00:00.000Z' });
    const moved = await gw.collections.subscriptions.find({ upgradedFromSubscriptionId: timed.id }).toArray();
    expect(moved.map((s) => [s.offerId, s.quantity, s.status, s.commitmentEndDate.toISOString()])).toEqual([
      [O.m365BusinessStandard, 4, 'active', '2028-11-01T09:00:00.000Z'],
    ]);
    expect(await ledgerOf(gw, timed.id)).toEqual([
      [72000, 'CAT-CART'],
      [6 * 7200, 'RENEW-DEFAULT'],
    ]);
    expect(await ledgerOf(gw, moved[0]!._id)).toEqual([[4 * 15000, 'UPG-SAME-END']]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('advanceClock and the lifecycle it drives', () => {
  const CUSTOMER = guid('pul-life-customer');
  const FAB_CUSTOMER = guid('pul-life-fabrikam');
  const SUSPENDED_AT = '2026-11-02T10:00:00.000Z';
  // SUSP-DATA-DELETION: 90 days + the 14 days from account opening (2024-01-01) to first billing (2024-01-15).
  const DATA_DELETION = plus(SUSPENDED_AT, (90 + 14) * DAY);
  let gw: TestGateway;
  let renewing: PulSubFragment;
  let renewingAddOnId: string;
  let ending: PulSubFragment;
  let endingAddOnId: string;
  let isv: PulSubFragment;
  let legacy: PulSubFragment;
  let fabrikamSub: PulSubFragment;
  let firstAdvance: Awaited<ReturnType<typeof advance>>;

  beforeAll(async () => {
    gw = await gatewayWith([
      aCustomer({ _id: CUSTOMER, companyName: 'Pul Lifecycle' }),
      aCustomer({ _id: FAB_CUSTOMER, companyName: 'Pul Lifecycle Fabrikam', partnerId: FABRIKAM }),
    ]);
    [renewing, ending, isv, legacy] = (await buy(gw, CUSTOMER, [
      line(O.m365BusinessBasic, 2, 'MONTHLY', 'P1M'),
      line(O.m365BusinessBasic, 3, 'MONTHLY', 'P1M'),
      line(O.litwareBackup, 5, 'MONTHLY', 'P1M'),
      line(O.legacyO365E1, 5),
    ])) as [PulSubFragment, PulSubFragment, PulSubFragment, PulSubFragment];
    const addOnFor = async (subscriptionId: string) => {
      const r = await gw.execute(PulPurchaseAddOnDocument, { input: { subscriptionId, offerId: O.audioConferencing, quantity: 1 } }, ADMIN);
      expect(r.data!.purchaseAddOn.userErrors).toEqual([]);
      return r.data!.purchaseAddOn.addOn!.id;
    };
    renewingAddOnId = await addOnFor(renewing.id);
    endingAddOnId = await addOnFor(ending.id);
    await autoRenewOff(gw, ending.id);
    const confirmed = await gw.execute(PulConfirmFulfillmentDocument, { input: { subscriptionId: isv.id } }, ADMIN);
    expect(confirmed.data!.confirmFulfillment.userErrors).toEqual([]);
    [fabrikamSub] = (await buy(gw, FAB_CUSTOMER, [line(O.m365BusinessBasic, 1, 'MONTHLY', 'P1M')], { ...ADMIN, partner: FABRIKAM })) as [
      PulSubFragment,
    ];
  });
  afterAll(() => gw?.close());

  it.each([
    ['both', { by: 'P1D', to: '2026-12-01T00:00:00.000Z' }],
    ['neither', {}],
  ])('GEN-CLOCK: an advance needs exactly one of by and to; %s is BAD_USER_INPUT', async (_what, input) => {
    const r = await gw.execute(PulAdvanceClockDocument, { input }, ADMIN);
    expect(r.data ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input' });
    const clock = await gw.execute(PulClockDocument, {}, ADMIN);
    expect(clock.data!.simulationClock.now).toBe(T0_ISO);
  });

  it('GEN-CLOCK: advancing by a duration moves the clock; nothing is due yet', async () => {
    const a = await advance(gw, { by: 'PT25H' });
    expect(a).toMatchObject({ userErrors: [], from: T0_ISO, to: SUSPENDED_AT, clock: { now: SUSPENDED_AT }, events: [], eventCounts: [] });
    // Setup at the new instant: the ISV subscription is past its 24 h window, so its cancellation
    // is scheduled for term end (CANCEL-ISV-MONTHLY); the legacy one is suspended.
    const c = await gw.execute(PulCancelDocument, { input: { subscriptionId: isv.id } }, ADMIN);
    expect(c.data!.cancelSubscription).toMatchObject({
      userErrors: [],
      mode: 'AT_TERM_END',
      rule: 'CANCEL-ISV-MONTHLY',
      effectiveDate: MONTH_END,
      refund: { amountInCents: 0 },
      subscription: { status: 'ACTIVE', cancelAtTermEnd: true },
    });
    const s = await suspend(gw, legacy.id);
    expect(s.dataDeletionDate).toBe(DATA_DELETION);
  });

  it('GEN-CLOCK: the clock moves forward only: an earlier or the same instant is refused', async () => {
    for (const to of [T0_ISO, SUSPENDED_AT]) {
      const a = await advance(gw, { to });
      expect(a.userErrors).toEqual([expect.objectContaining({ rule: 'GEN-CLOCK', code: 'INVALID_VALUE' })]);
      expect(a.events).toEqual([]);
    }
    expect((await gw.execute(PulClockDocument, {}, ADMIN)).data!.simulationClock.now).toBe(SUSPENDED_AT);
  });

  it('GEN-CLOCK: advancing to an instant applies every due event, in time order, with counts by kind', async () => {
    firstAdvance = await advance(gw, { to: plus(DATA_DELETION, -1) });
    expect(firstAdvance.userErrors).toEqual([]);
    const at = firstAdvance.events.map((e) => Date.parse(e.at));
    expect(at).toEqual([...at].sort((x, y) => x - y));
    const byId = (id: string) => firstAdvance.events.filter((e) => e.subscriptionId === id).map((e) => [e.kind, e.at]);
    expect(byId(renewing.id)).toEqual([
      ['renewal', MONTH_END],
      ['renewal', '2027-01-01T09:00:00.000Z'],
      ['renewal', '2027-02-01T09:00:00.000Z'],
    ]);
    expect(byId(ending.id)).toEqual([['term_end', MONTH_END]]);
    expect(byId(isv.id)).toEqual([['scheduled_cancellation', MONTH_END]]);
    expect(byId(legacy.id)).toEqual([]);
    expect(firstAdvance.events).toHaveLength(5);
    expect([...firstAdvance.eventCounts].sort((x, y) => x.kind.localeCompare(y.kind))).toEqual([
      { kind: 'renewal', count: 3 },
      { kind: 'scheduled_cancellation', count: 1 },
      { kind: 'term_end', count: 1 },
    ]);
  });

  it('RENEW-DEFAULT: each renewal starts the next term and charges it', async () => {
    expect(await subscription(gw, renewing.id)).toMatchObject({
      status: 'ACTIVE',
      effectiveStartDate: '2027-02-01T09:00:00.000Z',
      commitmentEndDate: '2027-03-01T09:00:00.000Z',
    });
    // Business Basic month-to-month: 720 per licence per month, 2 licences.
    expect(await ledgerOf(gw, renewing.id)).toEqual([
      [1440, 'CAT-CART'],
      [1440, 'RENEW-DEFAULT'],
      [1440, 'RENEW-DEFAULT'],
      [1440, 'RENEW-DEFAULT'],
    ]);
  });

  it('ADDON-ALIGN: at renewal the add-on renews with its base, to the same new term end', async () => {
    const base = await subscription(gw, renewing.id);
    expect(base.addOns).toEqual([
      expect.objectContaining({
        id: renewingAddOnId,
        status: 'ACTIVE',
        effectiveStartDate: base.effectiveStartDate,
        commitmentEndDate: base.commitmentEndDate,
      }),
    ]);
    // Audio Conferencing month-to-month: 480 a month, bought at the start of the term (30 of 30 days).
    expect(await ledgerOf(gw, renewingAddOnId)).toEqual([
      [480, 'ADDON-ALIGN'],
      [480, 'ADDON-ALIGN'],
      [480, 'ADDON-ALIGN'],
      [480, 'ADDON-ALIGN'],
    ]);
  });

  it('RENEW-OFF-ENDS: with auto-renew off the subscription ends (term ended) at the term end instant, and its add-ons end too', async () => {
    const s = await subscription(gw, ending.id);
    expect(s).toMatchObject({ status: 'DELETED', deletedReason: 'TERM_ENDED', deletionDate: MONTH_END, commitmentEndDate: MONTH_END });
    expect(s.addOns).toEqual([
      expect.objectContaining({ id: endingAddOnId, status: 'DELETED', deletedReason: 'TERM_ENDED', deletionDate: MONTH_END }),
    ]);
    expect(await ledgerOf(gw, ending.id)).toEqual([[2160, 'CAT-CART']]);
  });

  it('CANCEL-ISV-MONTHLY: a cancellation scheduled for renewal ends the marketplace subscription at its term end (cancelled), unrefunded', async () => {
    expect(await subscription(gw, isv.id)).toMatchObject({ status: 'DELETED', deletedReason: 'CANCELLED', deletionDate: MONTH_END });
    expect(await ledgerOf(gw, isv.id)).toEqual([[5 * 350, 'CAT-ISV-FULFILMENT']]);
  });

  it('SUSP-DATA-DELETION: one millisecond before its data deletion date the suspended legacy subscription stands; at that instant it is deleted', async () => {
    expect(await subscription(gw, legacy.id)).toMatchObject({
      status: 'SUSPENDED',
      dataDeletionDate: DATA_DELETION,
      suspensionDate: SUSPENDED_AT,
    });
    const a = await advance(gw, { by: 'PT0.001S' });
    expect(a.events).toEqual([{ kind: 'data_deletion', subscriptionId: legacy.id, at: DATA_DELETION }]);
    expect(a.eventCounts).toEqual([{ kind: 'data_deletion', count: 1 }]);
    expect(await subscription(gw, legacy.id)).toMatchObject({
      status: 'DELETED',
      deletedReason: 'DATA_DELETED',
      deletionDate: DATA_DELETION,
    });
  });

  it('GEN-CLOCK: advancing again applies nothing twice: no event, no ledger entry, no change', async () => {
    const ledgerBefore = await gw.collections.ledger.countDocuments();
    const versions = async () =>
      (await gw.collections.subscriptions.find({ customerId: CUSTOMER }).sort({ _id: 1 }).toArray()).map((s) => [
        s._id,
        s.version,
        s.status,
      ]);
    const before = await versions();
    const a = await advance(gw, { by: 'PT1H' });
    expect(a).toMatchObject({ userErrors: [], events: [], eventCounts: [] });
    expect(await gw.collections.ledger.countDocuments()).toBe(ledgerBefore);
    expect(await versions()).toEqual(before);
  });

  it('GEN-CLOCK: clocks of two partners are independent: Fabrikam’s clock and subscriptions did not move with Contoso’s', async () => {
    const asFabrikam = { ...ADMIN, partner: FABRIKAM };
    expect((await gw.execute(PulClockDocument, {}, asFabrikam)).data!.simulationClock.now).toBe(T0_ISO);
    expect((await gw.execute(PulClockDocument, {}, ADMIN)).data!.simulationClock.now).toBe(plus(DATA_DELETION, 60 * 60 * 1000));
    expect(firstAdvance.events.map((e) => e.subscriptionId)).not.toContain(fabrikamSub.id);
    expect(await subscription(gw, fabrikamSub.id, asFabrikam)).toMatchObject({ status: 'ACTIVE', commitmentEndDate: MONTH_END });
    expect(await ledgerOf(gw, fabrikamSub.id)).toEqual([[720, 'CAT-CART']]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('allowedActions: what a subscription allows now, from the same policy as the mutations', () => {
  const CUSTOMER = guid('pul-actions-customer');
  let gw: TestGateway;
  let nce: PulSubFragment;
  let legacy: PulSubFragment;

  beforeAll(async () => {
    gw = await gatewayWith([aCustomer({ _id: CUSTOMER, companyName: 'Pul Actions' })]);
    [nce, legacy] = (await buy(gw, CUSTOMER, [line(O.m365BusinessBasic, 5), line(O.legacyO365E1, 5)])) as [PulSubFragment, PulSubFragment];
  });
  afterAll(() => gw?.close());

  const action = async (id: string, name: string) => (await subscription(gw, id)).allowedActions!.find((a) => a.action === name);

  it('CANCEL-WINDOW-SHOWN: on its first day a new-commerce subscription may be cancelled, until 30 days after its start', async () => {
    expect(await action(nce.id, 'CANCEL')).toEqual({ action: 'CANCEL', allowed: true, rule: null, code: null, reason: null });
    expect((await subscription(gw, nce.id)).cancellationAllowedUntilDate).toBe(MONTH_END);
  });

  it('CANCEL-NCE-AFTER: 30 days after its start CANCEL is refused with the rule, as the mutation refuses it', async () => {
    await advance(gw, { by: 'P30D' });
    expect(await action(nce.id, 'CANCEL')).toMatchObject({ allowed: false, rule: 'CANCEL-NCE-AFTER', code: 'WINDOW_CLOSED' });
    expect((await subscription(gw, nce.id)).cancellationAllowedUntilDate).toBeNull();
    const quote = await gw.execute(PulCancelDocument, { input: { subscriptionId: nce.id, dryRun: true } }, ADMIN);
    expect(quote.data!.cancelSubscription.userErrors).toEqual([
      expect.objectContaining({ rule: 'CANCEL-NCE-AFTER', code: 'WINDOW_CLOSED' }),
    ]);
  });

  it('SUSP-NCE-SUPPORT, PAUSE-EFFECT: a legacy subscription may be suspended but not paused', async () => {
    expect(await action(legacy.id, 'SUSPEND')).toMatchObject({ allowed: true, rule: null });
    expect(await action(legacy.id, 'PAUSE')).toMatchObject({ allowed: false, rule: 'PAUSE-EFFECT', code: 'NOT_SUPPORTED' });
    expect(await action(nce.id, 'SUSPEND')).toMatchObject({ allowed: false, rule: 'SUSP-NCE-SUPPORT' });
    expect(await action(nce.id, 'PAUSE')).toMatchObject({ allowed: true });
  });
});

// ---------------------------------------------------------------------------------------------

describe('allowedActions and the cancellation fields cost no database command per subscription', () => {
  const FEW = guid('pul-count-few');
  const MANY = guid('pul-count-many');
  const OFFERS = [O.m365BusinessBasic, O.m365BusinessStandard, O.teamsEssentials, O.legacyO365E1];
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway(async (cols) => {
      await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
      await cols.customers.insertMany([
        aCustomer({ _id: FEW, companyName: 'Pul Count Few' }),
        aCustomer({ _id: MANY, companyName: 'Pul Count Many' }),
      ]);
      const subs = [];
      for (const [customerId, n] of [
        [FEW, 2],
        [MANY, 20],
      ] as const) {
        for (let i = 0; i < n; i += 1) {
          const offerId = OFFERS[i % OFFERS.length]!;
          subs.push(
            aSubscription({
              _id: guid(`pul-count-${customerId}-${i}`),
              customerId,
              offerId,
              commerceType: offerId === O.legacyO365E1 ? 'legacy' : 'new_commerce',
              creationDate: new Date(T0.getTime() + i * 60_000),
            }),
          );
        }
      }
      await cols.subscriptions.insertMany(subs);
    });
  });
  afterAll(() => gw?.close());

  async function commandsFor(customerId: string, expected: number) {
    gw.commands.length = 0;
    const r = await gw.execute(PulCustomerSubscriptionRulesDocument, { id: customerId }, ADMIN);
    expect(r.errors).toBeUndefined();
    const nodes = r.data!.customer!.subscriptions.nodes;
    expect(nodes).toHaveLength(expected);
    for (const n of nodes) {
      expect(n.allowedActions!.length).toBeGreaterThan(0);
      expect(n.cancellationQuote.rule).not.toBeNull();
    }
    return perBatch(gw.commands, (e) => `${String(e.command[e.commandName])}:${e.commandName}`);
  }

  it('CANCEL-WINDOW-SHOWN: allowedActions costs no database command (no loader batch) per subscription', async () => {
    // The gateway's first request also reads the caller's partner and the catalog into memory (docs/database.md, "How reads work").
    await commandsFor(FEW, 2);
    const few = await commandsFor(FEW, 2);
    const many = await commandsFor(MANY, 20);
    expect(many.length).toBe(few.length);
    // Loaders of one level run concurrently, so their commands may start in either order.
    expect([...many].sort()).toEqual([...few].sort());
  });
});
