import { describe, expect, it } from 'vitest';
import type { OfferDoc, SubscriptionDoc } from '../../src/db/documents.js';
import { cancelWindowStart, decideCancel } from '../../src/policy/cancellation.js';
import { insertedSubscriptions } from '../../src/policy/effects.js';
import { decideSuspend } from '../../src/policy/suspension.js';
import { decideLifecycleEvent, eventOperationId, nextEvent, type LifecycleEvent, type LifecycleInput } from '../../src/policy/lifecycle.js';
import {
  addOnSub,
  adminAgent,
  after,
  allowed,
  at,
  contoso,
  customer,
  DAY,
  downgradeOffer,
  ids,
  isvSub,
  kinds,
  ledger,
  legacySub,
  nceOffer,
  nceSub,
  OFFER,
  pendingIsvSub,
  refused,
  setOf,
  T0,
  TERM_END,
  trialOffer,
  upgradeOffer,
} from './harness.js';

const NEXT_END = new Date('2028-11-01T09:00:00.000Z');
/** BILL-MONTHLY: the start of the second billing month of the term renewed at TERM_END. */
const SECOND_MONTH = new Date('2027-12-01T09:00:00.000Z');

const catalog = (...offers: OfferDoc[]): ReadonlyMap<string, OfferDoc> =>
  new Map((offers.length ? offers : [nceOffer(), upgradeOffer(), downgradeOffer(), trialOffer()]).map((o) => [o._id, o]));

/** The event due for `s` by `upTo` (failing when there is none), decided with the given context. */
function run(s: SubscriptionDoc, upTo: Date, extra: Partial<LifecycleInput> = {}) {
  const event = nextEvent(s, upTo);
  if (!event) throw new Error(`no event due for ${s._id} by ${upTo.toISOString()}`);
  return {
    event,
    decision: decideLifecycleEvent({
      event,
      subscription: s,
      addOns: [],
      customer: customer(),
      partner: contoso,
      offers: catalog(),
      upgradeTarget: null,
      ids,
      ...extra,
    }),
  };
}

describe('which event is due (nextEvent)', () => {
  it('RENEW-DEFAULT: an active subscription with auto-renew on renews at its term end', () => {
    const s = nceSub();
    expect(nextEvent(s, TERM_END)).toEqual({ kind: 'renewal', subscriptionId: s._id, due: TERM_END });
    expect(nextEvent(s, at(500 * DAY))).toEqual({ kind: 'renewal', subscriptionId: s._id, due: TERM_END });
  });

  it('RENEW-DEFAULT: nothing is due 1 ms before the term end', () => {
    expect(nextEvent(nceSub(), new Date(TERM_END.getTime() - 1))).toBeNull();
  });

  it('RENEW-OFF-ENDS: with auto-renew off, the term end is a term_end event', () => {
    expect(nextEvent(nceSub({ autoRenewEnabled: false }), TERM_END)?.kind).toBe('term_end');
  });

  it('RENEW-OFF-ENDS: a paused subscription (auto-renew off) ends at its term end', () => {
    expect(nextEvent(nceSub({ status: 'suspended', suspendedBy: 'pause', autoRenewEnabled: false }), TERM_END)?.kind).toBe('term_end');
  });

  it('CANCEL-ISV-MONTHLY: a cancellation scheduled for renewal is a scheduled_cancellation at term end', () => {
    const s = isvSub({ cancelAtTermEnd: true, autoRenewEnabled: false });
    expect(nextEvent(s, s.commitmentEndDate)).toEqual({ kind: 'scheduled_cancellation', subscriptionId: s._id, due: s.commitmentEndDate });
  });

  it('CAT-TRIAL: a trial reaches its end as a trial_conversion', () => {
    const s = trialSub();
    expect(nextEvent(s, at(30 * DAY))).toEqual({ kind: 'trial_conversion', subscriptionId: s._id, due: at(30 * DAY) });
  });

  it('SUSP-DATA-DELETION: a partner-suspended legacy subscription is deleted when the clock reaches its deadline, not before', () => {
    const s = legacySub({ status: 'suspended', suspendedBy: 'partner', suspendedAt: T0, dataDeletionAt: at(104 * DAY) });
    expect(nextEvent(s, at(104 * DAY - 1))).toBeNull();
    expect(nextEvent(s, at(104 * DAY))).toEqual({ kind: 'data_deletion', subscriptionId: s._id, due: at(104 * DAY) });
    // A suspension past its term end still waits for reactivation or deletion; it does not renew.
    expect(nextEvent({ ...s, dataDeletionAt: at(400 * DAY) }, at(380 * DAY))).toBeNull();
  });

  it('ADDON-ALIGN: add-ons have no events of their own; nor have pending or deleted subscriptions', () => {
    const base = nceSub();
    expect(nextEvent(addOnSub(base), at(500 * DAY))).toBeNull();
    expect(nextEvent(pendingIsvSub(), at(500 * DAY))).toBeNull();
    expect(nextEvent(nceSub({ status: 'deleted' }), at(500 * DAY))).toBeNull();
  });

  it('GEN-CLOCK: eventOperationId is deterministic: kind, subscription and due instant', () => {
    const e: LifecycleEvent = { kind: 'renewal', subscriptionId: 'abc', due: TERM_END };
    expect(eventOperationId(e)).toBe('renewal:abc:2027-11-01T09:00:00.000Z');
    expect(eventOperationId({ ...e })).toBe(eventOperationId(e));
  });
});

describe('renewal (RENEW-DEFAULT, SCHED-APPLY)', () => {
  it('RENEW-DEFAULT, BILL-MONTHLY: renewal starts the next term at the old term end and charges its first billing month (12000 / 12 = 1000)', () => {
    const s = nceSub();
    const d = allowed(run(s, TERM_END).decision);
    expect(d.kind).toBe('renewal');
    expect(kinds(d.effects)).toEqual(['update', 'ledger', 'insert', 'audit']);
    expect(setOf(d.effects, s._id)).toEqual({
      offerId: OFFER.A,
      offerName: 'Microsoft 365 E3',
      quantity: 10,
      billingCycle: 'monthly',
      termDuration: 'P1Y',
      unitPriceCents: 1200,
      effectiveStartDate: TERM_END,
      commitmentEndDate: NEXT_END,
      chargedCents: 1000,
      billedUntil: SECOND_MONTH,
      scheduledNextTermInstructions: null,
      scheduledUpgrade: null,
      updatedAt: TERM_END,
    });
    expect(ledger(d.effects).map((e) => [e.source.id, e.amountCents, e.kind, e.ruleId, e.orderId, e.at])).toEqual([
      [s._id, 1000, 'charge', 'RENEW-DEFAULT', 'order-0', TERM_END],
    ]);
    expect(d.effects[2]).toMatchObject({
      kind: 'insert',
      collection: 'orders',
      doc: { _id: 'order-0', creationDate: TERM_END, totalPriceCents: 1000, lineItems: [{ transactionType: 'renew', quantity: 10 }] },
    });
  });

  it('SCHED-APPLY: a scheduled downgrade to C x 5, annual, takes effect at renewal, priced from the target plan (5 x 700)', () => {
    const s = nceSub({ scheduledNextTermInstructions: { offerId: OFFER.C, quantity: 5, billingCycle: 'annual', termDuration: 'P1Y' } });
    const d = allowed(run(s, TERM_END).decision);
    expect(setOf(d.effects, s._id)).toMatchObject({
      offerId: OFFER.C,
      offerName: 'Microsoft 365 Business Standard',
      quantity: 5,
      billingCycle: 'annual',
      termDuration: 'P1Y',
      unitPriceCents: 700,
      chargedCents: 3500,
      commitmentEndDate: NEXT_END,
      scheduledNextTermInstructions: null,
    });
    expect(ledger(d.effects).map((e) => [e.amountCents, e.ruleId])).toEqual([[3500, 'SCHED-APPLY']]);
    expect(d.summary).toContain('scheduled change applied');
  });

  it('SCHED-APPLY: a scheduled term change to P3Y renews for three years at the P3Y price, billed monthly (10 x 3300 / 36 = 916.67 -> 917)', () => {
    const s = nceSub({ scheduledNextTermInstructions: { offerId: OFFER.A, quantity: 10, billingCycle: 'monthly', termDuration: 'P3Y' } });
    const d = allowed(run(s, TERM_END).decision);
    expect(setOf(d.effects, s._id)).toMatchObject({
      termDuration: 'P3Y',
      commitmentEndDate: new Date('2030-11-01T09:00:00.000Z'),
      chargedCents: 917,
    });
  });

  it('SCHED-APPLY: the renewed subscription has no scheduled change left; its next renewal is a year later, after its billing months', () => {
    const s = nceSub({ scheduledNextTermInstructions: { offerId: OFFER.A, quantity: 4, billingCycle: 'monthly', termDuration: 'P1Y' } });
    const renewed = after(s, allowed(run(s, TERM_END).decision).effects);
    expect(renewed).toMatchObject({ quantity: 4, scheduledNextTermInstructions: null });
    expect(nextEvent(renewed, NEXT_END)).toEqual({ kind: 'monthly_charge', subscriptionId: s._id, due: SECOND_MONTH });
    expect(nextEvent({ ...renewed, billedUntil: NEXT_END }, NEXT_END)).toEqual({ kind: 'renewal', subscriptionId: s._id, due: NEXT_END });
  });

  it('UPG-TIMING: a scheduled upgrade moves its licences at renewal into a new subscription of the same new term (7 + 3 = 10)', () => {
    const s = nceSub({ scheduledUpgrade: { targetOfferId: OFFER.B, quantity: 3, targetSubscriptionId: null } });
    const d = allowed(run(s, TERM_END).decision);
    expect(kinds(d.effects)).toEqual(['update', 'insert', 'ledger', 'ledger', 'insert', 'audit']);
    expect(setOf(d.effects, s._id)).toMatchObject({ quantity: 7, chargedCents: 700, scheduledUpgrade: null, commitmentEndDate: NEXT_END });
    const [created] = insertedSubscriptions(d.effects);
    expect(created).toMatchObject({
      _id: 'sub-0',
      offerId: OFFER.B,
      quantity: 3,
      unitPriceCents: 2000,
      chargedCents: 500,
      billedUntil: SECOND_MONTH,
      effectiveStartDate: TERM_END,
      commitmentEndDate: NEXT_END,
      upgradedFromSubscriptionId: s._id,
    });
    expect(ledger(d.effects).map((e) => [e.source.id, e.amountCents, e.ruleId])).toEqual([
      ['sub-0', 500, 'UPG-SAME-END'],
      [s._id, 700, 'RENEW-DEFAULT'],
    ]);
    expect(after(s, d.effects).quantity + created!.quantity).toBe(s.quantity);
  });

  it('UPG-TARGET: a scheduled upgrade into an existing target grows it, charged prorated to its own end (3 x 2000 x 100 / 365 = 1644)', () => {
    const target = nceSub({
      _id: 'target-b',
      offerId: OFFER.B,
      quantity: 5,
      unitPriceCents: 2000,
      chargedCents: 10000,
      effectiveStartDate: at(100 * DAY),
      commitmentEndDate: new Date('2028-02-09T09:00:00.000Z'),
    });
    const s = nceSub({ scheduledUpgrade: { targetOfferId: OFFER.B, quantity: 3, targetSubscriptionId: 'target-b' } });
    const d = allowed(run(s, TERM_END, { upgradeTarget: target }).decision);
    expect(setOf(d.effects, 'target-b')).toEqual({
      quantity: 8,
      chargedCents: 11644,
      seatGroups: [
        { quantity: 5, since: at(100 * DAY) },
        { quantity: 3, since: TERM_END },
      ],
      updatedAt: TERM_END,
    });
    expect(insertedSubscriptions(d.effects)).toEqual([]);
    expect(after(s, d.effects).quantity + after(target, d.effects).quantity).toBe(15);
  });

  it("UPG-FULL: a scheduled upgrade of all licences ends the source at renewal (deleted, 'upgraded'), with its add-ons", () => {
    const s = nceSub({ scheduledUpgrade: { targetOfferId: OFFER.B, quantity: 10, targetSubscriptionId: null } });
    const a = addOnSub(s, { _id: 'addon-1' });
    const d = allowed(run(s, TERM_END, { addOns: [a] }).decision);
    expect(setOf(d.effects, s._id)).toMatchObject({
      quantity: 0,
      status: 'deleted',
      deletedReason: 'upgraded',
      deletedAt: TERM_END,
      autoRenewEnabled: false,
    });
    expect(setOf(d.effects, 'addon-1')).toMatchObject({ status: 'deleted', deletedReason: 'upgraded' });
    expect(insertedSubscriptions(d.effects)[0]).toMatchObject({ quantity: 10, offerId: OFFER.B });
    expect(ledger(d.effects).map((e) => [e.source.id, e.amountCents])).toEqual([['sub-0', 1667]]);
  });
});

describe('add-ons at renewal (ADDON-ALIGN)', () => {
  it('ADDON-ALIGN, BILL-MONTHLY: an add-on renews with its base, aligned to the new term, charged its first billing month (4 x 600 / 12)', () => {
    const s = nceSub();
    const a = addOnSub(s, { _id: 'addon-1' });
    const d = allowed(run(s, TERM_END, { addOns: [a] }).decision);
    expect(setOf(d.effects, 'addon-1')).toEqual({
      effectiveStartDate: TERM_END,
      commitmentEndDate: NEXT_END,
      chargedCents: 200,
      billedUntil: SECOND_MONTH,
      updatedAt: TERM_END,
    });
    expect(ledger(d.effects).map((e) => [e.source.id, e.amountCents, e.ruleId])).toEqual([
      [s._id, 1000, 'RENEW-DEFAULT'],
      ['addon-1', 200, 'ADDON-ALIGN'],
    ]);
    const order = d.effects.find((e) => e.kind === 'insert' && e.collection === 'orders');
    expect(order).toMatchObject({
      doc: { totalPriceCents: 1200, lineItems: [{ lineItemNumber: 0 }, { lineItemNumber: 1, subscriptionId: 'addon-1' }] },
    });
  });

  it('SCHED-APPLY, ADDON-ALIGN: an add-on’s own scheduled seat reduction takes effect when it renews with its base (4 -> 1 seats, charged for 1)', () => {
    const s = nceSub();
    const a = addOnSub(s, {
      _id: 'addon-1',
      scheduledNextTermInstructions: { offerId: s.offerId, quantity: 1, billingCycle: s.billingCycle, termDuration: s.termDuration },
    });
    const d = allowed(run(s, TERM_END, { addOns: [a] }).decision);
    expect(setOf(d.effects, 'addon-1')).toMatchObject({ quantity: 1, chargedCents: 50, scheduledNextTermInstructions: null });
    expect(ledger(d.effects).map((e) => [e.source.id, e.amountCents, e.ruleId])).toEqual([
      [s._id, 1000, 'RENEW-DEFAULT'],
      ['addon-1', 50, 'SCHED-APPLY'],
    ]);
  });

  it('ADDON-ALIGN: an add-on with auto-renew off ends at the base renewal (term_ended); one cancelled at term end (cancelled)', () => {
    const s = nceSub();
    const off = addOnSub(s, { _id: 'addon-off', autoRenewEnabled: false });
    const cancelled = addOnSub(s, { _id: 'addon-cancelled', cancelAtTermEnd: true, autoRenewEnabled: false });
    const gone = addOnSub(s, { _id: 'addon-gone', status: 'deleted' });
    const d = allowed(run(s, TERM_END, { addOns: [off, cancelled, gone] }).decision);
    expect(setOf(d.effects, 'addon-off')).toEqual({
      status: 'deleted',
      deletedReason: 'term_ended',
      deletedAt: TERM_END,
      autoRenewEnabled: false,
      updatedAt: TERM_END,
    });
    expect(setOf(d.effects, 'addon-cancelled')).toMatchObject({ status: 'deleted', deletedReason: 'cancelled' });
    expect(d.effects.some((e) => e.kind === 'update' && e.id === 'addon-gone')).toBe(false);
    expect(ledger(d.effects).map((e) => e.source.id)).toEqual([s._id]);
  });
});

describe('endings (RENEW-OFF-ENDS, SUSP-DATA-DELETION, CANCEL-ISV-*)', () => {
  it("RENEW-OFF-ENDS: with auto-renew off, the subscription and its add-ons end at term end (deleted, 'term_ended'), no charge", () => {
    const s = nceSub({ autoRenewEnabled: false });
    const a = addOnSub(s, { _id: 'addon-1' });
    const d = allowed(run(s, TERM_END, { addOns: [a] }).decision);
    expect(d.kind).toBe('term_end');
    expect(kinds(d.effects)).toEqual(['update', 'update', 'audit']);
    const ended = {
      status: 'deleted',
      deletedReason: 'term_ended',
      deletedAt: TERM_END,
      autoRenewEnabled: false,
      scheduledNextTermInstructions: null,
      scheduledUpgrade: null,
      updatedAt: TERM_END,
    };
    expect(setOf(d.effects, s._id)).toEqual(ended);
    expect(setOf(d.effects, 'addon-1')).toEqual(ended);
    expect(d.effects[2]).toMatchObject({ event: { userId: 'system/lifecycle', operationType: 'delete_subscription' } });
    expect(d.summary).toContain('RENEW-OFF-ENDS');
  });

  it("SUSP-DATA-DELETION: when the clock reaches the deadline, the suspended subscription is deleted ('data_deleted')", () => {
    const s = legacySub({ status: 'suspended', suspendedBy: 'partner', suspendedAt: T0, dataDeletionAt: at(104 * DAY) });
    const cascaded = addOnSub(s, { _id: 'addon-1', status: 'suspended', suspendedBy: 'cascade', dataDeletionAt: at(104 * DAY) });
    const d = allowed(run(s, at(200 * DAY), { addOns: [cascaded] }).decision);
    expect(setOf(d.effects, s._id)).toMatchObject({ status: 'deleted', deletedReason: 'data_deleted', deletedAt: at(104 * DAY) });
    expect(setOf(d.effects, 'addon-1')).toMatchObject({ status: 'deleted', deletedReason: 'data_deleted' });
    expect(ledger(d.effects)).toEqual([]);
  });

  it('SUSP-DATA-DELETION: an add-on suspended by the partner on its own is deleted when the clock passes its deadline', () => {
    const base = legacySub();
    const s = decideSuspend({
      subscription: addOnSub(base),
      addOns: [],
      customer: customer(),
      reason: 'fraud',
      actor: adminAgent,
      now: T0,
    });
    const suspended = after(addOnSub(base), allowed(s).effects);
    expect(suspended).toMatchObject({ status: 'suspended', suspendedBy: 'partner', dataDeletionAt: at(104 * DAY) });
    expect(nextEvent(suspended, at(200 * DAY))).toEqual({ kind: 'data_deletion', subscriptionId: suspended._id, due: at(104 * DAY) });
  });

  it("CANCEL-ISV-MONTHLY: a cancellation scheduled for renewal ends the subscription at term end ('cancelled'), no refund", () => {
    const s = isvSub({ cancelAtTermEnd: true, autoRenewEnabled: false });
    const d = allowed(run(s, s.commitmentEndDate).decision);
    expect(setOf(d.effects, s._id)).toMatchObject({ status: 'deleted', deletedReason: 'cancelled', deletedAt: s.commitmentEndDate });
    expect(ledger(d.effects)).toEqual([]);
    expect(d.summary).toContain('CANCEL-ISV-MONTHLY');
  });

  it('CANCEL-ISV-ANNUAL: an annual one names its own rule', () => {
    const s = isvSub({
      cancelAtTermEnd: true,
      autoRenewEnabled: false,
      billingCycle: 'annual',
      termDuration: 'P1Y',
      commitmentEndDate: TERM_END,
    });
    expect(allowed(run(s, TERM_END).decision).summary).toContain('CANCEL-ISV-ANNUAL');
  });
});

function trialSub(overrides: Partial<SubscriptionDoc> = {}): SubscriptionDoc {
  return nceSub({
    offerId: OFFER.TRIAL,
    offerName: 'Microsoft 365 E3 Trial',
    isTrial: true,
    trialConvertsToOfferId: OFFER.A,
    quantity: 25,
    billingCycle: 'monthly',
    termDuration: 'P1M',
    unitPriceCents: 0,
    chargedCents: 0,
    commitmentEndDate: at(30 * DAY),
    ...overrides,
  });
}

describe('trial conversion (CAT-TRIAL, SCHED-TRIAL)', () => {
  it('SCHED-TRIAL: at its end a trial converts to its paid SKU by default, starts a paid term and is charged (25 x 130, P1M)', () => {
    const s = trialSub();
    const due = at(30 * DAY);
    const d = allowed(run(s, due).decision);
    expect(d.kind).toBe('trial_conversion');
    expect(setOf(d.effects, s._id)).toEqual({
      offerId: OFFER.A,
      offerName: 'Microsoft 365 E3',
      isTrial: false,
      trialConvertsToOfferId: null,
      billingCycle: 'monthly',
      termDuration: 'P1M',
      unitPriceCents: 130,
      effectiveStartDate: due,
      commitmentEndDate: new Date('2027-01-01T09:00:00.000Z'),
      chargedCents: 3250,
      billedUntil: null,
      scheduledNextTermInstructions: null,
      scheduledUpgrade: null,
      updatedAt: due,
    });
    expect(ledger(d.effects).map((e) => [e.amountCents, e.kind, e.ruleId, e.orderId])).toEqual([[3250, 'charge', 'CAT-TRIAL', 'order-0']]);
    expect(d.effects.find((e) => e.kind === 'insert')).toMatchObject({
      doc: { lineItems: [{ transactionType: 'convert', offerId: OFFER.A, quantity: 25 }] },
    });
  });

  it('CAT-TRIAL: converted, it then renews on the paid schedule', () => {
    const s = trialSub();
    const converted = after(s, allowed(run(s, at(30 * DAY)).decision).effects);
    const due = new Date('2027-01-01T09:00:00.000Z');
    expect(nextEvent(converted, due)).toEqual({ kind: 'renewal', subscriptionId: s._id, due });
    expect(setOf(allowed(run(converted, due).decision).effects, s._id)).toMatchObject({
      chargedCents: 3250,
      commitmentEndDate: new Date('2027-02-01T09:00:00.000Z'),
    });
  });

  it("CAT-TRIAL: when the paid offer has no plan of the trial's billing and term, its first plan is used (25 x 1200, P1Y, billed monthly: 2500)", () => {
    const s = trialSub();
    const paid = nceOffer({ billingPlans: [{ billingCycle: 'monthly', termDuration: 'P1Y', unitPriceCents: 1200 }] });
    const d = allowed(run(s, at(30 * DAY), { offers: catalog(paid) }).decision);
    expect(setOf(d.effects, s._id)).toMatchObject({
      termDuration: 'P1Y',
      chargedCents: 2500,
      commitmentEndDate: new Date('2027-12-01T09:00:00.000Z'),
    });
  });

  it("CAT-TRIAL: a trial whose paid offer is unknown ends at its end ('term_ended')", () => {
    const d = allowed(run(trialSub(), at(30 * DAY), { offers: catalog(upgradeOffer()) }).decision);
    expect(setOf(d.effects, trialSub()._id)).toMatchObject({ status: 'deleted', deletedReason: 'term_ended' });
  });
});

describe('idempotency (GEN-CLOCK)', () => {
  it('GEN-CLOCK: an event that is no longer due is refused (NO_CHANGE): applying a renewal twice charges once', () => {
    const s = nceSub();
    const { event, decision } = run(s, TERM_END);
    const renewed = after(s, allowed(decision).effects);
    const again = decideLifecycleEvent({
      event,
      subscription: renewed,
      addOns: [],
      customer: customer(),
      partner: contoso,
      offers: catalog(),
      upgradeTarget: null,
      ids,
    });
    expect(refused(again)).toMatchObject({ rule: 'GEN-CLOCK', code: 'NO_CHANGE' });
  });

  it('GEN-CLOCK: an event whose kind changed since it was computed (auto-renew turned off) is refused', () => {
    const s = nceSub();
    const { event } = run(s, TERM_END);
    const changed = { ...s, autoRenewEnabled: false };
    const d = decideLifecycleEvent({
      event,
      subscription: changed,
      addOns: [],
      customer: customer(),
      partner: contoso,
      offers: catalog(),
      upgradeTarget: null,
      ids,
    });
    expect(refused(d)).toMatchObject({ rule: 'GEN-CLOCK', code: 'NO_CHANGE' });
  });

  it('GEN-CLOCK: an event asked for before it is due is refused', () => {
    const s = nceSub();
    const early: LifecycleEvent = { kind: 'renewal', subscriptionId: s._id, due: at(DAY) };
    const d = decideLifecycleEvent({
      event: early,
      subscription: s,
      addOns: [],
      customer: customer(),
      partner: contoso,
      offers: catalog(),
      upgradeTarget: null,
      ids,
    });
    expect(refused(d).code).toBe('NO_CHANGE');
  });
});

describe('a renewed term opens its cancellation windows again (CANCEL-NCE-RENEWED)', () => {
  /** The subscription as the renewal at TERM_END leaves it: a new term of 366 days to NEXT_END, its first billing month charged (1000). */
  const renewed = () => {
    const s = nceSub();
    return after(s, allowed(run(s, TERM_END).decision).effects);
  };
  const cancelAt = (ms: number) =>
    decideCancel({ subscription: renewed(), addOns: [], actor: adminAgent, now: new Date(TERM_END.getTime() + ms) });

  it('CANCEL-NCE-RENEWED: cancelling 23h59m59.999s after the renewal refunds what the renewed term charged in full (CANCEL-NCE-24H)', () => {
    expect(allowed(cancelAt(DAY - 1))).toMatchObject({ rule: 'CANCEL-NCE-24H', refundCents: 1000 });
  });

  it('CANCEL-NCE-RENEWED: cancelling exactly 24 h after the renewal refunds 1000 - round(12000 x 1 / 366) = 967 (CANCEL-NCE-30D)', () => {
    expect(allowed(cancelAt(DAY))).toMatchObject({ rule: 'CANCEL-NCE-30D', refundCents: 967 });
  });

  it('CANCEL-NCE-RENEWED: the 30-day window runs from the renewal: open at its last millisecond, closed at exactly 30 days', () => {
    expect(allowed(cancelAt(30 * DAY - 1)).rule).toBe('CANCEL-NCE-30D');
    expect(refused(cancelAt(30 * DAY)).rule).toBe('CANCEL-NCE-AFTER');
  });

  it('CANCEL-NCE-RENEWED: the windows of the first term do not carry over: a year after purchase, the renewal is what counts', () => {
    expect(cancelWindowStart(renewed())).toEqual(TERM_END);
  });
});
