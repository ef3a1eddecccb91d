import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartnerDoc } from '../../src/db/documents.js';
import { exampleOperations } from '../../src/graphiql/examples.js';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { seedWorld } from '../../src/seed/generate.js';
import { demoExampleIds } from '../../src/app/server.js';
import type { WriteFaults } from '../../src/write/deps.js';
import { resumePending } from '../../src/write/journal.js';
import {
  RvAdvanceClockDocument,
  RvCancelDocument,
  RvCustomerReservationsDocument,
  RvExchangeDocument,
  RvLedgerDocument,
  RvPurchaseDocument,
  RvReservationDocument,
  RvSetUtilizationDocument,
  RvSupportRequestDocument,
  RvUpdateDocument,
  type PurchaseReservationInput,
} from '../generated/graphql.js';
import { aCustomer, guid, T0 } from '../support/fixtures.js';
import { startTestGateway, type CallOptions, type GraphQLResponse, type TestGateway } from '../support/gateway.js';
import { aReservation, AZURE_SUB } from '../support/reservations.js';

/*
 * Azure reservations end to end, over HTTP: buying (ROLE-SOFTWARE, RES-MARKETS, PRICE-TAX),
 * managing (RES-MANAGE), cancelling for a refund to the partner (RES-CANCEL, RES-REFUND-TABLE,
 * RES-PARTNER-CREDIT) under the cap (RES-REFUND-CAP), also with 20 cancellations at once,
 * exchanging (RES-EXCHANGE) including a crash between its writes, support requests
 * (RES-SUPPORT-REQUEST), and the worked example of docs/decisions.md ("Azure reservations"),
 * amount for amount.
 */

const ADMIN: CallOptions = { roles: 'admin_agent' };

const partner = (label: string, mpnId: string): PartnerDoc => ({
  _id: guid(`rv-partner-${label}`),
  name: `Reservations ${label}`,
  partnerType: 'direct_bill',
  mpnId,
  indirectProviderId: null,
  createdAt: new Date('2020-01-01T00:00:00Z'),
});

/** Partners with clocks of their own: the worked example moves its clock; the cap race must not see it move. */
const EXAMPLE_PARTNER = partner('example', '1000095');
const CAP_PARTNER = partner('cap', '1000096');
const EXAMPLE: CallOptions = { partner: EXAMPLE_PARTNER._id, roles: 'admin_agent' };
const CAP: CallOptions = { partner: CAP_PARTNER._id, roles: 'admin_agent' };

const C = {
  us: guid('rv-us'),
  cn: guid('rv-cn'),
  au: guid('rv-au'),
  exchange: guid('rv-exchange'),
  crash: guid('rv-crash'),
  example: guid('rv-example'),
  race: guid('rv-race'),
};

/* The fault hook: armed by a test, it throws once right after the next operation writes effect `afterIndex`. */
let armed: { afterIndex: number } | null = null;
const crashed: string[] = [];
const faults: WriteFaults = {
  afterEffect(operationId, index) {
    if (armed === null || index !== armed.afterIndex) return;
    armed = null;
    crashed.push(operationId);
    throw new Error(`simulated crash after effect ${index} of ${operationId}`);
  },
};

/** 20 reservations of 12,000.00 USD, bought at the cap partner's clock start: each would refund in full. */
const RACE_RESERVATIONS = Array.from({ length: 20 }, (_, i) =>
  aReservation({ _id: guid(`rv-race-${i}`), customerId: C.race, partnerId: CAP_PARTNER._id, purchasedAt: T0 }),
);

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway(
    async (cols) => {
      await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
      await cols.partners.insertMany([EXAMPLE_PARTNER, CAP_PARTNER]);
      await cols.customers.insertMany([
        aCustomer({ _id: C.us, companyName: 'Reservations US' }),
        aCustomer({ _id: C.cn, companyName: 'Reservations China', billingCountry: 'CN' }),
        aCustomer({ _id: C.au, companyName: 'Reservations Australia', billingCountry: 'AU' }),
        aCustomer({ _id: C.exchange, companyName: 'Reservations Exchange' }),
        aCustomer({ _id: C.crash, companyName: 'Reservations Crash' }),
        aCustomer({ _id: C.example, companyName: 'Northwind Example', partnerId: EXAMPLE_PARTNER._id }),
        aCustomer({ _id: C.race, companyName: 'Reservations Race', partnerId: CAP_PARTNER._id }),
      ]);
      await cols.reservations.insertMany(RACE_RESERVATIONS);
    },
    { faults },
  );
});

afterAll(async () => {
  await gw?.close();
});

function ok<R>(r: GraphQLResponse<R>): R {
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}

function errorOf(r: GraphQLResponse<unknown>) {
  expect(r.errors).toHaveLength(1);
  return r.errors![0]!;
}

const purchaseInput = (customerId: string, overrides: Partial<PurchaseReservationInput> = {}): PurchaseReservationInput => ({
  customerId,
  offerId: OFFER_IDS.reservedVmD2sV5,
  region: 'westeurope',
  termDuration: 'P1Y',
  quantity: 2,
  scope: { type: 'SINGLE', subscriptionId: AZURE_SUB },
  azureSubscriptionId: AZURE_SUB,
  ...overrides,
});

const purchase = (input: PurchaseReservationInput, options: CallOptions = ADMIN) => gw.execute(RvPurchaseDocument, { input }, options);

async function buy(customerId: string, overrides: Partial<PurchaseReservationInput> = {}, options: CallOptions = ADMIN) {
  const r = ok(await purchase(purchaseInput(customerId, overrides), options)).purchaseReservation;
  expect(r.userErrors).toEqual([]);
  return r.reservation!;
}

const cancel = (reservationId: string, options: CallOptions = ADMIN, dryRun = false) =>
  gw.execute(RvCancelDocument, { input: { reservationId, dryRun } }, options);
const read = async (id: string, options: CallOptions = ADMIN) => ok(await gw.execute(RvReservationDocument, { id }, options)).reservation!;
const advance = async (by: string, options: CallOptions) => {
  const r = ok(await gw.execute(RvAdvanceClockDocument, { input: { by } }, options)).advanceClock;
  expect(r.userErrors).toEqual([]);
  return r.to;
};
const useIt = async (reservationId: string, utilizationPercent: number, options: CallOptions = ADMIN) => {
  const r = ok(await gw.execute(RvSetUtilizationDocument, { input: { reservationId, utilizationPercent } }, options));
  expect(r.setReservationUtilization.userErrors).toEqual([]);
  return r.setReservationUtilization.reservation!;
};
const ledgerOf = async (customerId: string, options: CallOptions = ADMIN) =>
  ok(await gw.execute(RvLedgerDocument, { customerId }, options)).customer!.ledger.nodes;

describe('buying a reservation', () => {
  it('ROLE-SOFTWARE, PRICE-TAX: an admin agent buys 2 x D2s_v5 for a year: 990.00 USD charged to the partner, one order, readable at once', async () => {
    const r = ok(await purchase(purchaseInput(C.us))).purchaseReservation;
    expect(r).toMatchObject({
      dryRun: false,
      userErrors: [],
      price: { amountInCents: 99_000, amount: '990.00', currencyCode: 'USD' },
      chargedNow: { amountInCents: 99_000 },
      pricesIncludeTax: false,
      order: {
        billingCycle: 'ONE_TIME',
        totalPrice: { amountInCents: 99_000 },
        lineItems: [{ billingCycle: 'ONE_TIME', termDuration: 'P1Y' }],
      },
    });
    const res = r.reservation!;
    expect(res).toMatchObject({
      status: 'ACTIVE',
      billingPlan: 'UPFRONT',
      reservationType: 'VIRTUAL_MACHINES',
      quantity: 2,
      scope: { type: 'SINGLE', subscriptionId: AZURE_SUB, resourceGroupId: null, managementGroupId: null },
      azureSubscriptionId: AZURE_SUB,
      hasUsage: false,
    });
    expect(r.order!.lineItems[0]!.reservationId).toBe(res.id);
    expect(res.reservationOrderId).toMatch(/^[0-9a-f-]{36}$/);
    const purchased = new Date(res.purchaseDate);
    expect(new Date(res.expiryDateTime).getUTCFullYear()).toBe(purchased.getUTCFullYear() + 1);
    expect(await read(res.id)).toMatchObject({ id: res.id, customer: { id: C.us } });
    const charges = (await ledgerOf(C.us)).filter((e) => e.sourceId === res.id);
    expect(charges).toEqual([expect.objectContaining({ amount: { amountInCents: 99_000 }, kind: 'CHARGE', sourceType: 'RESERVATION' })]);
  });

  it('ROLE-SOFTWARE: a helpdesk agent may manage reservations but not buy one: FORBIDDEN, nothing written', async () => {
    const before = await gw.collections.reservations.countDocuments({ customerId: C.us });
    const e = errorOf(await purchase(purchaseInput(C.us), { roles: 'helpdesk_agent' }));
    expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'ROLE-SOFTWARE' });
    expect(await gw.collections.reservations.countDocuments({ customerId: C.us })).toBe(before);
  });

  it('RES-MARKETS: a customer billed in China cannot buy a reservation (userErrors), and nothing is written', async () => {
    const r = ok(await purchase(purchaseInput(C.cn))).purchaseReservation;
    expect(r).toMatchObject({ reservation: null, order: null, operationId: null });
    expect(r.userErrors).toEqual([
      { code: 'NOT_ELIGIBLE', rule: 'RES-MARKETS', message: expect.stringContaining('China (CN)'), field: ['input', 'customerId'] },
    ]);
    expect(await gw.collections.reservations.countDocuments({ customerId: C.cn })).toBe(0);
    expect(await gw.collections.ledger.countDocuments({ customerId: C.cn })).toBe(0);
  });

  it('PRICE-TAX: for a customer billed in Australia the price includes tax, and the order says so; dryRun writes nothing', async () => {
    const quote = ok(await purchase(purchaseInput(C.au, { dryRun: true }))).purchaseReservation;
    expect(quote).toMatchObject({ dryRun: true, operationId: null, order: null, pricesIncludeTax: true, price: { amountInCents: 99_000 } });
    expect(quote.reservation).toMatchObject({ status: 'ACTIVE' });
    expect(await gw.collections.reservations.countDocuments({ customerId: C.au })).toBe(0);
    const r = ok(await purchase(purchaseInput(C.au))).purchaseReservation;
    expect(r).toMatchObject({ pricesIncludeTax: true, order: { pricesIncludeTax: true } });
  });

  it('RES-MANAGE, CAT-CART: an invalid scope, Azure subscription or term comes back as userErrors naming the input field', async () => {
    const errors = async (overrides: Partial<PurchaseReservationInput>) =>
      ok(await purchase(purchaseInput(C.us, overrides))).purchaseReservation.userErrors;
    expect(await errors({ scope: { type: 'SINGLE' } })).toEqual([
      expect.objectContaining({ rule: 'RES-MANAGE', code: 'INVALID_VALUE', field: ['input', 'scope', 'subscriptionId'] }),
    ]);
    expect(await errors({ scope: { type: 'RESOURCE_GROUP', subscriptionId: AZURE_SUB } })).toEqual([
      expect.objectContaining({ field: ['input', 'scope', 'resourceGroupId'] }),
    ]);
    expect(await errors({ azureSubscriptionId: 'not-a-guid' })).toEqual([
      expect.objectContaining({ field: ['input', 'azureSubscriptionId'] }),
    ]);
    expect(await errors({ termDuration: 'P1M' })).toEqual([
      expect.objectContaining({ rule: 'CAT-CART', field: ['input', 'termDuration'] }),
    ]);
    expect(await errors({ offerId: OFFER_IDS.m365BusinessBasic })).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED' })]);
  });

  it('RES-MANAGE: a monthly billing plan charges 12 instalments, each on the invoice of its month', async () => {
    const r = ok(await purchase(purchaseInput(C.us, { billingPlan: 'MONTHLY', quantity: 4 }))).purchaseReservation;
    // 4 x 495.00 = 1,980.00 = 12 x 165.00.
    expect(r).toMatchObject({
      price: { amountInCents: 198_000 },
      chargedNow: { amountInCents: 16_500 },
      order: { billingCycle: 'MONTHLY' },
    });
    const charges = (await ledgerOf(C.us)).filter((e) => e.sourceId === r.reservation!.id);
    expect(charges.map((c) => c.amount.amountInCents)).toEqual(Array(12).fill(16_500));
    expect(new Set(charges.map((c) => c.at.slice(0, 7))).size).toBe(12);
  });

  it('ROLE-TENANT: another partner cannot read, cancel or change the reservation: NOT_FOUND, as for an unknown ID', async () => {
    const res = await buy(C.us);
    const fabrikam = { partner: DEMO_PARTNERS.fabrikam.id, roles: 'admin_agent' };
    expect(errorOf(await gw.execute(RvReservationDocument, { id: res.id }, fabrikam)).extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(errorOf(await cancel(res.id, fabrikam)).extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(errorOf(await cancel('not-a-guid')).extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect((await read(res.id)).status).toBe('ACTIVE');
  });
});

describe('managing a reservation (RES-MANAGE)', () => {
  it('RES-MANAGE: the scope and the associated Azure subscription change; the reservation shows expiry, scope, utilisation and both IDs', async () => {
    const res = await buy(C.us);
    const other = guid('rv-azure-other');
    const quote = ok(
      await gw.execute(
        RvUpdateDocument,
        {
          input: {
            reservationId: res.id,
            scope: { type: 'RESOURCE_GROUP', subscriptionId: other, resourceGroupId: 'rg-app' },
            dryRun: true,
          },
        },
        ADMIN,
      ),
    ).updateReservation;
    expect(quote).toMatchObject({ dryRun: true, operationId: null, userErrors: [], reservation: { scope: { type: 'RESOURCE_GROUP' } } });
    expect((await read(res.id)).scope.type).toBe('SINGLE');

    const r = ok(
      await gw.execute(
        RvUpdateDocument,
        {
          input: {
            reservationId: res.id,
            scope: { type: 'MANAGEMENT_GROUP', managementGroupId: 'mg-contoso' },
            azureSubscriptionId: other,
          },
        },
        { roles: 'user_management_admin' },
      ),
    ).updateReservation;
    expect(r.userErrors).toEqual([]);
    expect(r.reservation).toMatchObject({
      scope: { type: 'MANAGEMENT_GROUP', subscriptionId: null, resourceGroupId: null, managementGroupId: 'mg-contoso' },
      azureSubscriptionId: other,
    });
    const shown = await read(res.id);
    expect(shown).toMatchObject({
      id: res.id,
      reservationOrderId: res.reservationOrderId,
      expiryDateTime: res.expiryDateTime,
      utilizationPercent: 0,
    });

    const same = ok(
      await gw.execute(RvUpdateDocument, { input: { reservationId: res.id, azureSubscriptionId: other } }, ADMIN),
    ).updateReservation;
    expect(same.userErrors).toEqual([expect.objectContaining({ rule: 'RES-MANAGE', code: 'NO_CHANGE' })]);
  });

  it('ROLE-RESERVATIONS: a billing admin cannot change, cancel or exchange a reservation (FORBIDDEN), and allowedActions says why', async () => {
    const res = await buy(C.us);
    const billing = { roles: 'billing_admin' };
    const update = await gw.execute(RvUpdateDocument, { input: { reservationId: res.id, azureSubscriptionId: guid('x') } }, billing);
    expect(errorOf(update).extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'ROLE-RESERVATIONS' });
    expect(errorOf(await cancel(res.id, billing)).extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'ROLE-RESERVATIONS' });
    const exchange = await gw.execute(
      RvExchangeDocument,
      { input: { reservationId: res.id, offerId: OFFER_IDS.reservedVmD2sV5, quantity: 2 } },
      billing,
    );
    expect(errorOf(exchange).extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'ROLE-RESERVATIONS' });
    const shown = await read(res.id, billing);
    expect(shown.allowedActions.map((a) => [a.action, a.allowed, a.rule])).toEqual([
      ['CANCEL', false, 'ROLE-RESERVATIONS'],
      ['EXCHANGE', false, 'ROLE-RESERVATIONS'],
      ['UPDATE_SCOPE', false, 'ROLE-RESERVATIONS'],
    ]);
    expect(shown.refundQuote).toMatchObject({ allowed: false, rule: 'ROLE-RESERVATIONS', code: 'ROLE_NOT_ALLOWED', refund: null });
    expect((await read(res.id)).allowedActions.every((a) => a.allowed)).toBe(true);
  });

  it('RES-REFUND-TABLE: the simulated utilisation report marks the reservation used, and the quote turns prorated', async () => {
    const res = await buy(C.us);
    expect((await read(res.id)).refundQuote).toMatchObject({
      allowed: true,
      refundBasis: 'FULL',
      rule: 'RES-REFUND-TABLE',
      creditedTo: 'PARTNER',
    });
    expect(await useIt(res.id, 12.5)).toMatchObject({ utilizationPercent: 12.5, hasUsage: true });
    expect(await useIt(res.id, 0)).toMatchObject({ utilizationPercent: 0, hasUsage: true });
    expect((await read(res.id)).refundQuote).toMatchObject({ refundBasis: 'PRORATED' });
    const bad = ok(await gw.execute(RvSetUtilizationDocument, { input: { reservationId: res.id, utilizationPercent: 120 } }, ADMIN));
    expect(bad.setReservationUtilization.userErrors).toEqual([expect.objectContaining({ field: ['input', 'utilizationPercent'] })]);
  });
});

describe('the worked example of docs/decisions.md (RES-CANCEL, RES-REFUND-TABLE, RES-REFUND-CAP, RES-PARTNER-CREDIT)', () => {
  const E4S = OFFER_IDS.reservedVmE4sV5;
  const buyE4s = (overrides: Partial<PurchaseReservationInput> = {}) =>
    buy(C.example, { offerId: E4S, quantity: 10, ...overrides }, EXAMPLE);
  const quote = async (id: string) => ok(await cancel(id, EXAMPLE, true)).cancelReservation;
  const cancelNow = async (id: string) => {
    const r = ok(await cancel(id, EXAMPLE)).cancelReservation;
    expect(r.userErrors).toEqual([]);
    return r;
  };
  const cents = (r: { refund?: { amountInCents: number } | null }) => r.refund!.amountInCents;

  it('RES-REFUND-TABLE, RES-REFUND-CAP, RES-PARTNER-CREDIT: 10 x E4s_v5 for a year (11,600.00 USD): day 3 without and with usage, day 20, then the cap', async () => {
    // 2026-11-01T09:00Z: three reservations of 11,600.00 each.
    const [r1, r2, r3] = [await buyE4s(), await buyE4s(), await buyE4s()];
    expect(r1.price).toMatchObject({ amount: '11600.00' });
    expect(r1.purchaseDate).toBe('2026-11-01T09:00:00.000Z');
    expect(r1.expiryDateTime).toBe('2027-11-01T09:00:00.000Z');

    expect(await advance('P3D', EXAMPLE)).toBe('2026-11-04T09:00:00.000Z');
    // Day 3, no usage: 100 %, no fee.
    expect(await quote(r1.id)).toMatchObject({
      dryRun: true,
      rule: 'RES-REFUND-TABLE',
      refundBasis: 'FULL',
      fee: { amountInCents: 0 },
      refund: { amount: '11600.00' },
    });
    // Day 3 with usage: 11,600.00 - round(11,600.00 x 3 / 365) = 11,600.00 - 95.34 = 11,504.66, no fee.
    await useIt(r2.id, 35, EXAMPLE);
    expect(await quote(r2.id)).toMatchObject({ refundBasis: 'PRORATED', fee: { amountInCents: 0 }, refund: { amount: '11504.66' } });
    expect(cents(await cancelNow(r1.id))).toBe(1_160_000);
    expect(cents(await cancelNow(r2.id))).toBe(1_150_466);

    // Day 20: 11,600.00 - round(11,600.00 x 20 / 365) = 10,964.38; fee 12 % = 1,315.73; refund 9,648.65.
    expect(await advance('P17D', EXAMPLE)).toBe('2026-11-21T09:00:00.000Z');
    await useIt(r3.id, 80, EXAMPLE);
    const day20 = await cancelNow(r3.id);
    expect(day20).toMatchObject({
      rule: 'RES-REFUND-TABLE',
      refundBasis: 'PRORATED_MINUS_FEE',
      amountBeforeFee: { amountInCents: 1_096_438 },
      fee: { amount: '1315.73' },
      amountBeforeCap: { amount: '9648.65' },
      capApplied: false,
      refund: { amount: '9648.65' },
      // 50,000.00 - 11,600.00 - 11,504.66 - 9,648.65 = 17,246.69.
      refundCapRemaining: { amountInCents: 1_724_669 },
      creditedTo: 'PARTNER',
      reservation: { id: r3.id, status: 'CANCELLED', cancelledAt: '2026-11-21T09:00:00.000Z' },
    });

    // The cap: two more, cancelled at once (no usage: 100 %): 11,600.00 paid, leaving 5,646.69; the next is reduced to that.
    const [r4, r5] = [await buyE4s(), await buyE4s()];
    expect(await cancelNow(r4.id)).toMatchObject({
      capApplied: false,
      refund: { amount: '11600.00' },
      refundCapRemaining: { amount: '5646.69' },
    });
    const capped = await cancelNow(r5.id);
    expect(capped).toMatchObject({
      rule: 'RES-REFUND-CAP',
      amountBeforeCap: { amount: '11600.00' },
      capApplied: true,
      capReduction: { amount: '5953.31' },
      refund: { amount: '5646.69' },
      refundCapRemaining: { amountInCents: 0 },
    });

    // RES-PARTNER-CREDIT: every refund is a credit to the partner on its ledger, tied to its reservation; together exactly the cap.
    const refunds = (await ledgerOf(C.example, EXAMPLE)).filter((e) => e.kind === 'REFUND');
    // r1 and r2 were refunded at the same instant: compared in any order.
    expect(refunds.map((e) => [e.sourceType, e.sourceId, e.amount.amountInCents, e.ruleId])).toHaveLength(5);
    expect(refunds.map((e) => [e.sourceType, e.sourceId, e.amount.amountInCents, e.ruleId])).toEqual(
      expect.arrayContaining([
        ['RESERVATION', r1.id, -1_160_000, 'RES-REFUND-TABLE'],
        ['RESERVATION', r2.id, -1_150_466, 'RES-REFUND-TABLE'],
        ['RESERVATION', r3.id, -964_865, 'RES-REFUND-TABLE'],
        ['RESERVATION', r4.id, -1_160_000, 'RES-REFUND-TABLE'],
        ['RESERVATION', r5.id, -564_669, 'RES-REFUND-CAP'],
      ]),
    );
    expect(refunds.reduce((n, e) => n + e.amount.amountInCents, 0)).toBe(-5_000_000);

    // The window: a 3-year E4s_v5 (2,250.00), bought at day 20. The day-3 refunds count until exactly 365 days later.
    const r6 = await buyE4s({ termDuration: 'P3Y', quantity: 1 });
    expect(await advance('P347DT23H59M59.999S', EXAMPLE)).toBe('2027-11-04T08:59:59.999Z');
    // 348 started days of 1,096: 2,250.00 - 714.42 = 1,535.58, minus 184.27 = 1,351.31, all of it over the cap.
    expect(await quote(r6.id)).toMatchObject({ amountBeforeCap: { amount: '1351.31' }, capApplied: true, refund: { amountInCents: 0 } });
    expect(await advance('PT0.001S', EXAMPLE)).toBe('2027-11-04T09:00:00.000Z');
    // 11,600.00 + 11,504.66 no longer count: 23,104.66 left.
    expect(await cancelNow(r6.id)).toMatchObject({
      capApplied: false,
      refund: { amount: '1351.31' },
      refundCapRemaining: { amountInCents: 2_310_466 - 135_131 },
    });
    // The cap document dropped the two refunds that no longer count.
    const cap = await gw.collections.refundCaps.findOne({ _id: C.example });
    expect(cap!.refunds.map((e) => e.amountCents)).toEqual([964_865, 1_160_000, 564_669, 135_131]);
  });

  it('RES-CANCEL: a cancelled reservation cannot be cancelled again; nothing is refunded twice', async () => {
    const res = await buyE4s({ quantity: 1 });
    await cancelNow(res.id);
    const again = ok(await cancel(res.id, EXAMPLE)).cancelReservation;
    expect(again.userErrors).toEqual([expect.objectContaining({ rule: 'RES-CANCEL', code: 'INVALID_STATUS' })]);
    expect(again).toMatchObject({ refund: null, reservation: { status: 'CANCELLED' } });
    expect(await gw.collections.ledger.countDocuments({ 'source.id': res.id, kind: 'refund' })).toBeLessThanOrEqual(1);
    expect((await read(res.id, EXAMPLE)).allowedActions.find((a) => a.action === 'CANCEL')).toMatchObject({
      allowed: false,
      rule: 'RES-CANCEL',
    });
  });
});

describe('20 cancellations at once (RES-REFUND-CAP)', () => {
  it('RES-REFUND-CAP: 20 parallel cancelReservation requests for one customer never refund more than USD 50,000 in total; each answers a payload or CONFLICT', async () => {
    const started = Date.now();
    const results = await Promise.all(RACE_RESERVATIONS.map((r) => cancel(r._id, CAP)));
    const elapsed = Date.now() - started;

    let applied = 0;
    let conflicts = 0;
    for (const r of results) {
      expect(r.status).toBe(200);
      if (r.errors) {
        expect(r.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'CONFLICT' }) })]);
        conflicts++;
      } else {
        expect(r.data!.cancelReservation.userErrors).toEqual([]);
        applied++;
      }
    }
    // Ledger: the sum of the customer's reservation refunds.
    const refunds = await gw.collections.ledger.find({ customerId: C.race, kind: 'refund', 'source.type': 'reservation' }).toArray();
    const total = -refunds.reduce((n, e) => n + e.amountCents, 0);
    expect(total).toBeLessThanOrEqual(5_000_000);
    // Four refunds of 12,000.00 and 2,000.00 of a fifth reach the cap; everything after is reduced to 0.
    expect(applied).toBeGreaterThanOrEqual(5);
    expect(total).toBe(5_000_000);
    expect(refunds.map((e) => e.amountCents).sort((a, b) => a - b)).toEqual([-1_200_000, -1_200_000, -1_200_000, -1_200_000, -200_000]);
    const capped = results.filter((r) => r.data?.cancelReservation.capApplied).length;
    expect(capped).toBe(applied - 4);
    // The cap document agrees with the ledger, and every applied request cancelled its reservation once.
    const cap = await gw.collections.refundCaps.findOne({ _id: C.race });
    expect(cap!.refunds.reduce((n, e) => n + e.amountCents, 0)).toBe(5_000_000);
    expect(await gw.collections.reservations.countDocuments({ customerId: C.race, status: 'cancelled' })).toBe(applied);
    expect(await gw.collections.operations.countDocuments({ customerId: C.race, status: 'pending' })).toBe(0);
    // Read back: the cancelled ones quote nothing more; one command per level for all 20 (loaders).
    const list = ok(await gw.execute(RvCustomerReservationsDocument, { customerId: C.race }, CAP)).customer!.reservations;
    expect(list.totalCount).toBe(20);
    expect(list.nodes.filter((n) => n.status === 'CANCELLED').every((n) => !n.refundQuote.allowed && !n.allowedActions[0]!.allowed)).toBe(
      true,
    );
    expect(
      list.nodes.filter((n) => n.status === 'ACTIVE').every((n) => n.refundQuote.allowed && n.refundQuote.refund!.amountInCents === 0),
    ).toBe(true);
    // For the report: how long 20 serialised cancellations took, and how many waited out the lock.
    console.info(`RES-REFUND-CAP race: ${applied} applied, ${conflicts} CONFLICT, ${elapsed} ms`);
  });
});

describe('exchanging a reservation (RES-EXCHANGE)', () => {
  it('RES-EXCHANGE: day 20: the prorated refund is credited toward a new D2s_v5 reservation; no fee, not counted toward the cap', async () => {
    const old = await buy(C.exchange, { quantity: 10 });
    await useIt(old.id, 60);
    await advance('P20D', ADMIN);
    // 10 x 495.00 = 4,950.00 - round(4,950.00 x 20 / 365) = 4,950.00 - 271.23 = 4,678.77.
    const input = { reservationId: old.id, offerId: OFFER_IDS.reservedVmD2sV5, quantity: 10, termDuration: 'P3Y' as const };
    const quote = ok(await gw.execute(RvExchangeDocument, { input: { ...input, dryRun: true } }, ADMIN)).exchangeReservation;
    expect(quote).toMatchObject({
      dryRun: true,
      operationId: null,
      credit: { amount: '4678.77' },
      newPrice: { amount: '9540.00' },
      difference: { amountInCents: 954_000 - 467_877 },
      creditedTo: 'PARTNER',
      returnedReservation: { status: 'ACTIVE' },
      reservation: { termDuration: 'P3Y', exchangedFromReservationId: old.id },
    });
    const tooCheap = ok(
      await gw.execute(RvExchangeDocument, { input: { ...input, termDuration: 'P1Y', quantity: 9 } }, ADMIN),
    ).exchangeReservation;
    expect(tooCheap.userErrors).toEqual([
      expect.objectContaining({ rule: 'RES-EXCHANGE', code: 'LIMIT_EXCEEDED', field: ['input', 'quantity'] }),
    ]);
    const otherType = ok(
      await gw.execute(RvExchangeDocument, { input: { ...input, offerId: OFFER_IDS.reservedSqlDbGp } }, ADMIN),
    ).exchangeReservation;
    expect(otherType.userErrors).toEqual([expect.objectContaining({ rule: 'RES-EXCHANGE', code: 'NOT_ELIGIBLE' })]);

    const r = ok(await gw.execute(RvExchangeDocument, { input }, { roles: 'sales_agent' })).exchangeReservation;
    expect(r.userErrors).toEqual([]);
    const fresh = r.reservation!;
    expect(r.returnedReservation).toMatchObject({ id: old.id, status: 'EXCHANGED', exchangedForReservationId: fresh.id });
    expect(fresh).toMatchObject({ status: 'ACTIVE', exchangedFromReservationId: old.id, region: 'westeurope', scope: old.scope });
    const ledger = (await ledgerOf(C.exchange)).filter((e) => e.ruleId === 'RES-EXCHANGE');
    expect(ledger.map((e) => [e.kind, e.sourceId, e.amount.amountInCents])).toEqual([
      ['CREDIT', old.id, -467_877],
      ['CHARGE', fresh.id, 954_000],
    ]);
    // Not counted toward the cap: no cap document for the customer.
    expect(await gw.collections.refundCaps.countDocuments({ _id: C.exchange })).toBe(0);
    const again = ok(await gw.execute(RvExchangeDocument, { input }, ADMIN)).exchangeReservation;
    expect(again.userErrors).toEqual([expect.objectContaining({ rule: 'RES-EXCHANGE', code: 'INVALID_STATUS' })]);
  });

  it('RES-EXCHANGE, MONEY-EXACT: an exchange killed between its writes is finished once (resumePending or the next change): no reservation or credit twice', async () => {
    for (const [afterIndex, repairBy] of [
      [0, 'startup'],
      [2, 'next change'],
      [3, 'startup'],
    ] as const) {
      const old = await buy(C.crash, { quantity: 4 });
      armed = { afterIndex };
      const r = await gw.execute(
        RvExchangeDocument,
        { input: { reservationId: old.id, offerId: OFFER_IDS.reservedVmD2sV5, quantity: 4 } },
        ADMIN,
      );
      expect(errorOf(r)).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      const operationId = crashed.at(-1)!;
      const op = await gw.collections.operations.findOne({ _id: operationId });
      expect(op).toMatchObject({ status: 'pending', kind: 'exchange_reservation' });
      // Half applied: the old one is already exchanged.
      expect(await gw.collections.reservations.findOne({ _id: old.id })).toMatchObject({ status: 'exchanged' });
      if (afterIndex === 0) expect(await gw.collections.reservations.countDocuments({ exchangedFromReservationId: old.id })).toBe(0);

      if (repairBy === 'startup') expect(await resumePending(gw.collections, {}, gw.services.write)).toBe(1);
      else await buy(C.crash, { quantity: 1 });

      expect(await gw.collections.operations.findOne({ _id: operationId })).toMatchObject({ status: 'done' });
      const fresh = await gw.collections.reservations.find({ exchangedFromReservationId: old.id }).toArray();
      expect(fresh).toHaveLength(1);
      expect(await gw.collections.reservations.findOne({ _id: old.id })).toMatchObject({
        status: 'exchanged',
        exchangedForReservationId: fresh[0]!._id,
      });
      // In any order: a find without a sort has none (FerretDB on PostgreSQL returns heap order).
      const entries = await gw.collections.ledger.find({ operationId }).toArray();
      expect(entries.map((e) => [e.kind, e.source.id]).sort()).toEqual(
        [
          ['credit', old.id],
          ['charge', fresh[0]!._id],
        ].sort(),
      );
      expect(await resumePending(gw.collections, {}, gw.services.write)).toBe(0);
    }
  });
});

describe('support requests (RES-SUPPORT-REQUEST)', () => {
  it('RES-SUPPORT-REQUEST: a reservation refund can be asked through a support request: issue type billing, problem type reservation management, category exchanges and refunds', async () => {
    const res = await buy(C.us);
    const r = ok(
      await gw.execute(
        RvSupportRequestDocument,
        {
          input: {
            kind: 'RESERVATION_REFUND',
            customer: C.us,
            resourceId: res.id,
            title: 'Refund of an unused reservation',
            reason: 'The workload moved to another region.',
            contact: { name: 'Avery Howard', email: 'avery@contoso.com', phone: '+1 425 555 0100' },
          },
        },
        { roles: 'helpdesk_agent' },
      ),
    ).createSupportRequest;
    expect(r.userErrors).toEqual([]);
    expect(r.supportRequest).toMatchObject({
      kind: 'RESERVATION_REFUND',
      issueType: 'billing',
      problemType: 'Reservation management',
      category: 'Exchanges and refunds',
      resourceId: res.id,
      contact: { name: 'Avery Howard', email: 'avery@contoso.com', phone: '+1 425 555 0100' },
    });
  });
});

describe('IDE examples', () => {
  it('RES-MANAGE, RES-CANCEL, RES-EXCHANGE: the reservation examples run on the demo world without a top-level error', async () => {
    const demo = await startTestGateway(async (cols) => {
      await seedWorld(cols, { customers: 40, seed: 'demo' });
    });
    try {
      const ids = await demoExampleIds(demo.collections, DEMO_PARTNERS.contoso.id);
      expect(ids.reservation).toBeTruthy();
      const ops = exampleOperations(ids).filter((o) => /reservation/i.test(o.title));
      expect(ops.map((o) => o.title)).toEqual([
        'Azure reservation: what can I do?',
        'Quote a reservation cancellation',
        'Quote a reservation exchange',
        'Buy an Azure reservation',
      ]);
      for (const op of ops) {
        const res = await fetch(`${demo.url}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-partner-id': DEMO_PARTNERS.contoso.id,
            'x-partner-roles': 'global_admin,admin_agent',
          },
          body: JSON.stringify({ query: op.query, variables: op.variables ? JSON.parse(op.variables) : {} }),
        });
        const body = (await res.json()) as { data?: Record<string, { userErrors?: unknown[] }>; errors?: unknown[] };
        expect({ title: op.title, errors: body.errors }).toEqual({ title: op.title, errors: undefined });
        const payload = Object.values(body.data ?? {})[0];
        if (op.title !== 'Azure reservation: what can I do?')
          expect({ title: op.title, userErrors: payload?.userErrors }).toEqual({ title: op.title, userErrors: [] });
      }
      // Without a demo reservation the examples are left out.
      expect(exampleOperations({ ...ids, reservation: null }).some((o) => /reservation/i.test(o.title))).toBe(false);
    } finally {
      await demo.close();
    }
  }, 60_000);
});
