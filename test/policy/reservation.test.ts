import { describe, expect, it } from 'vitest';
import type { ReservationDoc } from '../../src/db/documents.js';
import type { Effect } from '../../src/policy/effects.js';
import {
  applyRefundCap,
  decideCancelReservation,
  decideExchangeReservation,
  decidePurchaseReservation,
  decideSetReservationUtilization,
  decideUpdateReservation,
  instalments,
  partnerCredit,
  paidBy,
  RES_REFUND_CAP_CENTS,
  reservationAllowedActions,
  reservationRefundTerms,
  validateScope,
  type ReservationRequest,
} from '../../src/policy/reservation.js';
import { catalogOffer, OFFER_IDS } from '../../src/seed/catalog.js';
import { aRefundCap, aReservation, AZURE_SUB } from '../support/reservations.js';
import { guid } from '../support/fixtures.js';
import {
  adminAgent,
  allowed,
  anActor,
  at,
  contoso,
  customer,
  CUSTOMER_ID,
  DAY,
  ids,
  kinds,
  ledger,
  noRoles,
  refused,
  T0,
} from './harness.js';

/*
 * Azure reservations, pure. The reference reservation costs 12,000.00 USD (1,200,000 cents) for
 * one year from T0 = 2026-11-01T09:00Z to 2027-11-01T09:00Z: 365 days. MONEY-PRORATE: days used
 * = started 24 h periods, each amount rounded once, half up.
 */

const RES_ID = guid('reservation-policy');
const res = (overrides: Partial<ReservationDoc> = {}) => aReservation({ _id: RES_ID, customerId: CUSTOMER_ID, ...overrides });
const used = (overrides: Partial<ReservationDoc> = {}) => res({ hasUsage: true, utilizationPercent: 40, ...overrides });

const cancel = (reservation: ReservationDoc, now: Date, refundCap = null as Parameters<typeof decideCancelReservation>[0]['refundCap']) =>
  decideCancelReservation({ reservation, refundCap, actor: adminAgent, now });

const D2S = catalogOffer(OFFER_IDS.reservedVmD2sV5); // 495.00 a year, 954.00 for three
const E4S = catalogOffer(OFFER_IDS.reservedVmE4sV5); // 1,160.00 a year
const SQL = catalogOffer(OFFER_IDS.reservedSqlDbGp);
const M365 = catalogOffer(OFFER_IDS.m365BusinessBasic);

const request = (overrides: Partial<ReservationRequest> = {}): ReservationRequest => ({
  termDuration: 'P1Y',
  quantity: 2,
  region: 'westeurope',
  scope: { type: 'single', subscriptionId: AZURE_SUB },
  azureSubscriptionId: AZURE_SUB,
  billingPlan: 'upfront',
  ...overrides,
});

const buy = (overrides: Partial<ReservationRequest> = {}, more: Partial<Parameters<typeof decidePurchaseReservation>[0]> = {}) =>
  decidePurchaseReservation({
    customer: customer(),
    partner: contoso,
    offer: D2S,
    request: request(overrides),
    actor: adminAgent,
    now: T0,
    ids,
    ...more,
  });

const insertedOrders = (effects: readonly Effect[]) =>
  effects.flatMap((e) => (e.kind === 'insert' && e.collection === 'orders' ? [e.doc] : []));
const insertedCaps = (effects: readonly Effect[]) =>
  effects.flatMap((e) => (e.kind === 'insert' && e.collection === 'refundCaps' ? [e.doc] : []));

describe('refunds (RES-REFUND-TABLE, GEN-WINDOW)', () => {
  it('RES-REFUND-TABLE: day 3 without usage refunds 100 % (1,200,000 cents), no fee', () => {
    expect(reservationRefundTerms(res(), at(3 * DAY))).toEqual({
      basis: 'full',
      paidCents: 1_200_000,
      proratedCents: 1_200_000 - 9863,
      amountBeforeFeeCents: 1_200_000,
      feeCents: 0,
      amountCents: 1_200_000,
    });
  });

  it('RES-REFUND-TABLE: day 3 with usage refunds the prorated balance, 1,200,000 - round(1,200,000 x 3 / 365) = 1,190,137 cents, no fee', () => {
    expect(reservationRefundTerms(used(), at(3 * DAY))).toMatchObject({ basis: 'prorated', amountCents: 1_190_137, feeCents: 0 });
  });

  it('RES-REFUND-TABLE, GEN-WINDOW: exactly 5 days after purchase is still "5 days or fewer" (elapsed <= 5 x 24 h)', () => {
    expect(reservationRefundTerms(res(), at(5 * DAY))).toMatchObject({ basis: 'full', amountCents: 1_200_000, feeCents: 0 });
    // 5 started days: 1,200,000 x 5 / 365 = 16,438.36 -> 16,438.
    expect(reservationRefundTerms(used(), at(5 * DAY))).toMatchObject({ basis: 'prorated', amountCents: 1_183_562, feeCents: 0 });
  });

  it('RES-REFUND-TABLE, GEN-WINDOW: 5 days + 1 ms is "more than 5 days": 6 days used, minus the 12 % fee, with or without usage', () => {
    // 1,200,000 x 6 / 365 = 19,726.03 -> 19,726; balance 1,180,274; fee 12 % = 141,632.88 -> 141,633.
    const expected = {
      basis: 'prorated_minus_fee',
      proratedCents: 1_180_274,
      amountBeforeFeeCents: 1_180_274,
      feeCents: 141_633,
      amountCents: 1_038_641,
    };
    expect(reservationRefundTerms(res(), at(5 * DAY + 1))).toMatchObject(expected);
    expect(reservationRefundTerms(used(), at(5 * DAY + 1))).toMatchObject(expected);
  });

  it('RES-REFUND-TABLE: day 20 refunds the balance minus 12 % of it, exact to the cent: 1,134,247 - 136,110 = 998,137', () => {
    // 1,200,000 x 20 / 365 = 65,753.42 -> 65,753; 12 % of 1,134,247 = 136,109.64 -> 136,110 (half up).
    expect(reservationRefundTerms(used(), at(20 * DAY))).toEqual({
      basis: 'prorated_minus_fee',
      paidCents: 1_200_000,
      proratedCents: 1_134_247,
      amountBeforeFeeCents: 1_134_247,
      feeCents: 136_110,
      amountCents: 998_137,
    });
  });

  it('RES-REFUND-TABLE: on a 3-year term (1096 days) the balance and the 12 % fee are each rounded once, half up', () => {
    // 1,000,000 x 100 / 1096 = 91,240.88 -> 91,241; balance 908,759; 12 % = 109,051.08 -> 109,051.
    const r = res({ termDuration: 'P3Y', priceCents: 1_000_000, expiryDateTime: new Date('2029-11-01T09:00:00.000Z') });
    expect(reservationRefundTerms(r, at(100 * DAY))).toMatchObject({ proratedCents: 908_759, feeCents: 109_051, amountCents: 799_708 });
  });

  it('RES-REFUND-TABLE: a monthly reservation refunds what was paid so far, prorated; instalments not yet due are credited back', () => {
    const r = used({ billingPlan: 'monthly' });
    // 12 instalments of 100,000 cents, on the 1st of each month at 09:00Z.
    expect(instalments(r).map((i) => i.amountCents)).toEqual(Array(12).fill(100_000));
    expect(instalments(r)[1]!.at).toEqual(new Date('2026-12-01T09:00:00.000Z'));
    expect(paidBy(r, at(20 * DAY))).toBe(100_000);
    // Day 20: paid 100,000 - used 65,753 = 34,247; fee 12 % = 4,109.64 -> 4,110; refund 30,137.
    const d = allowed(cancel(r, at(20 * DAY)));
    expect(d).toMatchObject({ paidCents: 100_000, proratedCents: 34_247, feeCents: 4_110, refundCents: 30_137 });
    const credits = ledger(d.effects);
    expect(credits[0]).toMatchObject({ amountCents: -30_137, kind: 'refund', ruleId: 'RES-REFUND-TABLE' });
    expect(credits.slice(1).map((e) => [e.amountCents, e.ruleId])).toEqual(Array(11).fill([-100_000, 'RES-CANCEL']));
    expect(credits[1]!.at).toEqual(new Date('2026-12-01T09:00:00.000Z'));
  });

  it('RES-REFUND-TABLE: odd cents of a monthly plan go to the first instalments, and they sum to the price', () => {
    const parts = instalments(res({ billingPlan: 'monthly', priceCents: 1_000_007 }));
    // 1,000,007 = 12 x 83,333 + 11: the first 11 instalments carry one cent more.
    expect(parts.map((p) => p.amountCents)).toEqual([...Array(11).fill(83_334), 83_333]);
    expect(parts.reduce((n, p) => n + p.amountCents, 0)).toBe(1_000_007);
  });
});

describe('cancelling (RES-CANCEL, RES-PARTNER-CREDIT)', () => {
  it('RES-CANCEL: an active reservation can be cancelled at any time, even on its last day; the reservation becomes cancelled', () => {
    const lastMs = new Date('2027-11-01T08:59:59.999Z');
    const d = allowed(cancel(used(), lastMs));
    // 365 started days: nothing left to refund.
    expect(d).toMatchObject({ refundCents: 0, reservation: { status: 'cancelled', cancelledAt: lastMs } });
    expect(kinds(d.effects)).toEqual(['update', 'audit']);
    expect(d.effects[0]).toMatchObject({ kind: 'update', collection: 'reservations', id: RES_ID, expectedVersion: 1 });
  });

  it('RES-CANCEL: a cancelled, exchanged or expired reservation cannot be cancelled (INVALID_STATUS)', () => {
    for (const r of [
      res({ status: 'cancelled', cancelledAt: at(DAY) }),
      res({ status: 'exchanged', exchangedForReservationId: guid('other') }),
      res({ status: 'expired' }),
    ]) {
      expect(refused(cancel(r, at(2 * DAY)))).toMatchObject({ rule: 'RES-CANCEL', code: 'INVALID_STATUS' });
    }
    // Still 'active' in the database, but the clock passed its expiry.
    expect(refused(cancel(res(), new Date('2027-11-01T09:00:00.000Z')))).toMatchObject({ rule: 'RES-CANCEL', code: 'INVALID_STATUS' });
  });

  it('RES-PARTNER-CREDIT: the refund is a credit to the partner (negative, source reservation), never an entry for the customer; the outcome says so', () => {
    const d = allowed(cancel(used(), at(20 * DAY)));
    expect(d.creditedTo).toBe('partner');
    expect(ledger(d.effects)).toEqual([
      expect.objectContaining({
        partnerId: contoso._id,
        amountCents: -998_137,
        kind: 'refund',
        source: { type: 'reservation', id: RES_ID },
        ruleId: 'RES-REFUND-TABLE',
      }),
    ]);
    expect(d.summary).toMatch(/refunded to the partner/);
    // The builder never writes a positive refund.
    expect(partnerCredit(res(), { amountCents: 500, kind: 'refund', rule: 'RES-CANCEL', description: 'x', at: T0 }).entry.amountCents).toBe(
      -500,
    );
  });

  it('ROLE-RESERVATIONS: admin agent, global admin, helpdesk agent, sales agent and user management admin may cancel; a billing admin may not', () => {
    for (const role of ['admin_agent', 'global_admin', 'helpdesk_agent', 'sales_agent', 'user_management_admin'] as const) {
      expect(decideCancelReservation({ reservation: res(), refundCap: null, actor: anActor([role]), now: at(DAY) }).allowed).toBe(true);
    }
    expect(
      refused(decideCancelReservation({ reservation: res(), refundCap: null, actor: anActor(['billing_admin']), now: at(DAY) })),
    ).toMatchObject({ rule: 'ROLE-RESERVATIONS', code: 'ROLE_NOT_ALLOWED' });
  });
});

describe('the refund cap (RES-REFUND-CAP)', () => {
  const E = at(-10 * DAY);

  it("RES-REFUND-CAP: the first refund inserts the customer's cap document", () => {
    const d = allowed(cancel(res(), at(DAY)));
    expect(insertedCaps(d.effects)).toEqual([
      { _id: CUSTOMER_ID, partnerId: contoso._id, refunds: [{ reservationId: RES_ID, amountCents: 1_200_000, at: at(DAY) }], version: 0 },
    ]);
    expect(d).toMatchObject({ capApplied: false, capReductionCents: 0, leftAfterCents: RES_REFUND_CAP_CENTS - 1_200_000 });
  });

  it('RES-REFUND-CAP: a refund that exactly reaches USD 50,000 is paid in full; the cap did not apply', () => {
    const cap = aRefundCap(CUSTOMER_ID, [{ amountCents: 3_800_000, at: E }]);
    const d = allowed(cancel(res(), at(DAY), cap));
    expect(d).toMatchObject({
      refundCents: 1_200_000,
      amountBeforeCapCents: 1_200_000,
      capApplied: false,
      capReductionCents: 0,
      leftAfterCents: 0,
    });
    // A version-conditional update appends the refund.
    expect(d.effects).toContainEqual({
      kind: 'update',
      collection: 'refundCaps',
      id: CUSTOMER_ID,
      expectedVersion: 1,
      set: { refunds: [...cap.refunds, { reservationId: RES_ID, amountCents: 1_200_000, at: at(DAY) }] },
    });
  });

  it('RES-REFUND-CAP: a refund that crosses the cap is reduced to what is left, and the outcome says by how much', () => {
    const cap = aRefundCap(CUSTOMER_ID, [{ amountCents: 4_500_000, at: E }]);
    const d = allowed(cancel(res(), at(DAY), cap));
    expect(d).toMatchObject({
      rule: 'RES-REFUND-CAP',
      amountBeforeCapCents: 1_200_000,
      refundCents: 500_000,
      capApplied: true,
      capReductionCents: 700_000,
      leftBeforeCents: 500_000,
      leftAfterCents: 0,
    });
    expect(ledger(d.effects)).toEqual([expect.objectContaining({ amountCents: -500_000, ruleId: 'RES-REFUND-CAP' })]);
    expect(d.summary).toMatch(/reduced by 7000\.00 USD/);
  });

  it('RES-REFUND-CAP: with the cap spent the reservation is still cancelled (RES-CANCEL), for nothing, and nothing is appended', () => {
    const cap = aRefundCap(CUSTOMER_ID, [{ amountCents: RES_REFUND_CAP_CENTS, at: E }]);
    const d = allowed(cancel(res(), at(DAY), cap));
    expect(d).toMatchObject({ refundCents: 0, capApplied: true, capReductionCents: 1_200_000, reservation: { status: 'cancelled' } });
    expect(kinds(d.effects)).toEqual(['update', 'audit']);
  });

  it('RES-REFUND-CAP, GEN-WINDOW: a refund counts while less than 365 days old; at exactly 365 days it no longer does, and is dropped', () => {
    const earlier = at(DAY);
    const cap = aRefundCap(CUSTOMER_ID, [{ amountCents: RES_REFUND_CAP_CENTS, at: earlier }]);
    // Bought 2 days before, unused: a full refund of 1,200,000 unless the cap says otherwise.
    const r = res({ purchasedAt: at(364 * DAY) });
    // 365 days - 1 ms after the earlier refund: it still counts, nothing is left.
    expect(applyRefundCap(cap, 1_200_000, at(366 * DAY - 1))).toMatchObject({
      countedCents: RES_REFUND_CAP_CENTS,
      refundCents: 0,
      capApplied: true,
    });
    // Exactly 365 days after: it no longer counts.
    const d = allowed(cancel(r, at(366 * DAY), cap));
    expect(d).toMatchObject({ countedCents: 0, refundCents: 1_200_000, capApplied: false });
    expect(d.effects).toContainEqual(
      expect.objectContaining({
        collection: 'refundCaps',
        set: { refunds: [{ reservationId: RES_ID, amountCents: 1_200_000, at: at(366 * DAY) }] },
      }),
    );
  });

  it('RES-REFUND-CAP: the cap counts what was refunded (after the fee), not the amount before the fee', () => {
    const cap = aRefundCap(CUSTOMER_ID, [{ amountCents: 4_000_000, at: E }]);
    const d = allowed(cancel(used(), at(20 * DAY), cap));
    expect(d).toMatchObject({ amountBeforeCapCents: 998_137, refundCents: 998_137, capApplied: false, leftAfterCents: 1_863 });
  });
});

describe('buying (RES-MARKETS, PRICE-TAX, ROLE-SOFTWARE)', () => {
  it('PRICE-TAX, ROLE-SOFTWARE: an admin agent buys 2 x D2s_v5 for a year: 990.00 USD upfront, one order, one charge, IDs from the operation', () => {
    const d = allowed(buy());
    expect(d).toMatchObject({ priceCents: 99_000, chargedNowCents: 99_000, pricesIncludeTax: false, orderId: 'order-0' });
    expect(d.reservation).toMatchObject({
      _id: 'sub-0',
      reservationOrderId: 'sub-1',
      status: 'active',
      expiryDateTime: new Date('2027-11-01T09:00:00.000Z'),
      scope: { type: 'single', subscriptionId: AZURE_SUB, resourceGroupId: null, managementGroupId: null },
      billingPlan: 'upfront',
      hasUsage: false,
    });
    expect(kinds(d.effects)).toEqual(['insert', 'insert', 'ledger', 'audit']);
    expect(insertedOrders(d.effects)[0]).toMatchObject({
      billingCycle: 'one_time',
      totalPriceCents: 99_000,
      lineItems: [expect.objectContaining({ reservationId: 'sub-0', subscriptionId: null, unitPriceCents: 49_500 })],
    });
    expect(ledger(d.effects)).toEqual([
      expect.objectContaining({ amountCents: 99_000, kind: 'charge', source: { type: 'reservation', id: 'sub-0' } }),
    ]);
  });

  it('PRICE-TAX: for a customer billed in Australia or Brazil the price includes tax, and the order says so', () => {
    const d = allowed(buy({}, { customer: customer({ billingCountry: 'AU' }) }));
    expect(d).toMatchObject({ priceCents: 99_000, pricesIncludeTax: true });
    expect(insertedOrders(d.effects)[0]!.pricesIncludeTax).toBe(true);
  });

  it('RES-MARKETS: a customer billed in an unavailable market (China, Yemen, Kosovo) cannot buy a reservation', () => {
    for (const country of ['CN', 'YE', 'XK', 'ax']) {
      const r = refused(buy({}, { customer: customer({ billingCountry: country }) }));
      expect(r).toMatchObject({ rule: 'RES-MARKETS', code: 'NOT_ELIGIBLE', field: 'customerId' });
    }
  });

  it('ROLE-SOFTWARE: only admin agents and global admins buy reservations; a helpdesk agent is refused', () => {
    expect(allowed(buy({}, { actor: anActor(['global_admin']) }))).toBeTruthy();
    expect(refused(buy({}, { actor: anActor(['helpdesk_agent']) }))).toMatchObject({ rule: 'ROLE-SOFTWARE', code: 'ROLE_NOT_ALLOWED' });
    expect(refused(buy({}, { actor: noRoles }))).toMatchObject({ rule: 'ROLE-SOFTWARE' });
  });

  it('RES-MANAGE: a monthly billing plan charges 12 instalments, each dated on its monthly anniversary', () => {
    const d = allowed(buy({ billingPlan: 'monthly', quantity: 3 }));
    // 3 x 495.00 = 1,485.00 = 148,500 cents: 12 x 12,375.
    expect(d).toMatchObject({ priceCents: 148_500, chargedNowCents: 12_375 });
    const charges = ledger(d.effects);
    expect(charges).toHaveLength(12);
    expect(charges.every((c) => c.amountCents === 12_375)).toBe(true);
    expect(charges[11]!.at).toEqual(new Date('2027-10-01T09:00:00.000Z'));
    expect(insertedOrders(d.effects)[0]!.billingCycle).toBe('monthly');
  });

  it('CAT-CART: not a reservation offer, no such term, quantity or region out of bounds are refused with their field', () => {
    expect(refused(buy({}, { offer: M365 }))).toMatchObject({ rule: 'CAT-CART', code: 'NOT_SUPPORTED', field: 'offerId' });
    expect(refused(buy({ termDuration: 'P1M' }))).toMatchObject({ rule: 'CAT-CART', field: 'termDuration' });
    expect(refused(buy({ quantity: 0 }))).toMatchObject({ rule: 'CAT-CART', code: 'LIMIT_EXCEEDED', field: 'quantity' });
    expect(refused(buy({ quantity: 101 }))).toMatchObject({ field: 'quantity' });
    expect(refused(buy({ region: 'West Europe!' }))).toMatchObject({ code: 'INVALID_VALUE', field: 'region' });
    expect(allowed(buy({ termDuration: 'P3Y' }))).toMatchObject({
      priceCents: 190_800,
      reservation: { expiryDateTime: new Date('2029-11-01T09:00:00.000Z') },
    });
  });

  it('RES-MANAGE: each scope type needs its fields and nothing else', () => {
    expect(validateScope({ type: 'shared' })).toEqual({
      type: 'shared',
      subscriptionId: null,
      resourceGroupId: null,
      managementGroupId: null,
    });
    expect(validateScope({ type: 'resource_group', subscriptionId: AZURE_SUB.toUpperCase(), resourceGroupId: 'rg-app' })).toEqual({
      type: 'resource_group',
      subscriptionId: AZURE_SUB,
      resourceGroupId: 'rg-app',
      managementGroupId: null,
    });
    expect(validateScope({ type: 'management_group', managementGroupId: 'mg-contoso' })).toMatchObject({ managementGroupId: 'mg-contoso' });
    expect(refused(validateScope({ type: 'single' }) as never)).toMatchObject({ rule: 'RES-MANAGE', field: 'scope.subscriptionId' });
    expect(refused(validateScope({ type: 'single', subscriptionId: 'not-a-guid' }) as never)).toMatchObject({
      field: 'scope.subscriptionId',
    });
    expect(refused(validateScope({ type: 'shared', managementGroupId: 'mg' }) as never)).toMatchObject({
      field: 'scope.managementGroupId',
    });
    expect(refused(validateScope({ type: 'resource_group', subscriptionId: AZURE_SUB }) as never)).toMatchObject({
      field: 'scope.resourceGroupId',
    });
    expect(refused(validateScope({ type: 'resource_group', subscriptionId: AZURE_SUB, resourceGroupId: 'rg.' }) as never)).toMatchObject({
      field: 'scope.resourceGroupId',
    });
    expect(refused(buy({ azureSubscriptionId: 'nope' }))).toMatchObject({ rule: 'RES-MANAGE', field: 'azureSubscriptionId' });
  });
});

describe('managing (RES-MANAGE)', () => {
  const update = (patch: Parameters<typeof decideUpdateReservation>[0]['patch'], r = res(), actor = adminAgent) =>
    decideUpdateReservation({ reservation: r, patch, actor, now: at(DAY) });

  it('RES-MANAGE: the scope and the associated Azure subscription can be changed, version-conditionally, with an audit record', () => {
    const other = guid('azure-other');
    const d = allowed(update({ scope: { type: 'shared' }, azureSubscriptionId: other }));
    expect(d.reservation).toMatchObject({ scope: { type: 'shared', subscriptionId: null }, azureSubscriptionId: other });
    expect(d.effects[0]).toMatchObject({ kind: 'update', collection: 'reservations', expectedVersion: 1 });
    expect(d.effects[1]).toMatchObject({ kind: 'audit', event: { operationType: 'update_reservation', resourceType: 'reservation' } });
  });

  it('RES-MANAGE: nothing given, nothing different, an invalid scope, or an inactive reservation is refused', () => {
    expect(refused(update({}))).toMatchObject({ rule: 'RES-MANAGE', code: 'INVALID_VALUE' });
    expect(refused(update({ azureSubscriptionId: AZURE_SUB }))).toMatchObject({ rule: 'RES-MANAGE', code: 'NO_CHANGE' });
    expect(refused(update({ scope: { type: 'management_group' } }))).toMatchObject({ field: 'scope.managementGroupId' });
    expect(refused(update({ scope: { type: 'shared' } }, res({ status: 'cancelled' })))).toMatchObject({
      rule: 'RES-MANAGE',
      code: 'INVALID_STATUS',
    });
    expect(refused(update({ scope: { type: 'shared' } }, res(), anActor(['billing_admin'])))).toMatchObject({ rule: 'ROLE-RESERVATIONS' });
  });

  it('RES-MANAGE, RES-REFUND-TABLE: reported utilisation above 0 marks the reservation used, for good', () => {
    const set = (r: ReservationDoc, pct: number) =>
      allowed(decideSetReservationUtilization({ reservation: r, utilizationPercent: pct, actor: adminAgent, now: at(DAY) })).reservation;
    expect(set(res(), 0)).toMatchObject({ utilizationPercent: 0, hasUsage: false });
    const r = set(res(), 0.5);
    expect(r).toMatchObject({ utilizationPercent: 0.5, hasUsage: true });
    expect(set(r, 0)).toMatchObject({ utilizationPercent: 0, hasUsage: true });
    const bad = decideSetReservationUtilization({ reservation: res(), utilizationPercent: 101, actor: adminAgent, now: at(DAY) });
    expect(refused(bad)).toMatchObject({ field: 'utilizationPercent' });
  });
});

describe('exchanging (RES-EXCHANGE)', () => {
  const exchange = (r: ReservationDoc, now: Date, overrides: Partial<ReservationRequest> = {}, offer = D2S) =>
    decideExchangeReservation({
      reservation: r,
      customer: customer(),
      partner: contoso,
      offer,
      request: request({ quantity: 30, ...overrides }),
      actor: adminAgent,
      now,
      ids,
    });

  it('RES-EXCHANGE: day 20: the prorated balance (1,134,247) is credited to the partner toward the new one, no fee, no cap', () => {
    const d = allowed(exchange(used(), at(20 * DAY)));
    // 30 x 495.00 = 14,850.00 >= 11,342.47.
    expect(d).toMatchObject({ creditCents: 1_134_247, newPriceCents: 1_485_000, differenceCents: 1_485_000 - 1_134_247 });
    expect(d.returned).toMatchObject({ status: 'exchanged', exchangedForReservationId: 'sub-0', cancelledAt: at(20 * DAY) });
    expect(d.reservation).toMatchObject({ _id: 'sub-0', exchangedFromReservationId: RES_ID, status: 'active', purchasedAt: at(20 * DAY) });
    expect(ledger(d.effects).map((e) => [e.amountCents, e.kind, e.ruleId, e.source.id])).toEqual([
      [-1_134_247, 'credit', 'RES-EXCHANGE', RES_ID],
      [1_485_000, 'charge', 'RES-EXCHANGE', 'sub-0'],
    ]);
    // Not counted toward the cap: the cap document is neither read nor written.
    expect(d.effects.some((e) => (e.kind === 'insert' || e.kind === 'update') && e.collection === 'refundCaps')).toBe(false);
    expect(kinds(d.effects)).toEqual(['update', 'insert', 'insert', 'ledger', 'ledger', 'audit']);
  });

  it('RES-EXCHANGE: the new reservation must cost at least the credit', () => {
    expect(refused(exchange(used(), at(20 * DAY), { quantity: 22 }))).toMatchObject({
      rule: 'RES-EXCHANGE',
      code: 'LIMIT_EXCEEDED',
      field: 'quantity',
    });
    // 23 x 495.00 = 11,385.00 >= 11,342.47.
    expect(allowed(exchange(used(), at(20 * DAY), { quantity: 23 })).newPriceCents).toBe(1_138_500);
  });

  it('RES-EXCHANGE: only for the same reservation type, and only while active', () => {
    expect(refused(exchange(used(), at(20 * DAY), {}, SQL))).toMatchObject({
      rule: 'RES-EXCHANGE',
      code: 'NOT_ELIGIBLE',
      field: 'offerId',
    });
    expect(allowed(exchange(used(), at(20 * DAY), { quantity: 10 }, E4S)).newPriceCents).toBe(1_160_000);
    expect(refused(exchange(res({ status: 'exchanged' }), at(20 * DAY)))).toMatchObject({ rule: 'RES-EXCHANGE', code: 'INVALID_STATUS' });
    expect(refused(exchange(res(), at(DAY), {}, M365))).toMatchObject({ rule: 'CAT-CART', field: 'offerId' });
  });
});

describe('allowed actions', () => {
  it('RES-CANCEL, RES-EXCHANGE, RES-MANAGE: an active reservation allows every action; a cancelled one none, each with its rule', () => {
    const actions = (r: ReservationDoc, actor = adminAgent) =>
      reservationAllowedActions({ reservation: r, refundCap: null, actor, now: at(DAY) });
    expect(actions(res()).map((a) => [a.action, a.allowed])).toEqual([
      ['cancel', true],
      ['exchange', true],
      ['update_scope', true],
    ]);
    expect(actions(res({ status: 'cancelled' })).map((a) => [a.action, a.rule])).toEqual([
      ['cancel', 'RES-CANCEL'],
      ['exchange', 'RES-EXCHANGE'],
      ['update_scope', 'RES-MANAGE'],
    ]);
    expect(actions(res(), anActor(['billing_admin'])).every((a) => a.rule === 'ROLE-RESERVATIONS' && a.code === 'ROLE_NOT_ALLOWED')).toBe(
      true,
    );
  });
});
