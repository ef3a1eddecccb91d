import { describe, expect, it } from 'vitest';
import type { OfferDoc, SubscriptionDoc } from '../../src/db/documents.js';
import {
  decideDeleteScheduledChange,
  decideScheduleChange,
  skuChangeKind,
  type ScheduleChangeInput,
} from '../../src/policy/scheduled-change.js';
import {
  adminAgent,
  allowed,
  at,
  DAY,
  downgradeOffer,
  isvSub,
  kinds,
  ledger,
  legacyOffer,
  legacySub,
  nceOffer,
  nceSub,
  noRoles,
  OFFER,
  refused,
  setOf,
  T0,
  trialOffer,
  unrelatedOffer,
  upgradeOffer,
} from './harness.js';

const NOW = at(40 * DAY);

function schedule(
  subscription: SubscriptionDoc,
  change: ScheduleChangeInput['change'],
  targetOffer: OfferDoc = nceOffer(),
  extra: Partial<ScheduleChangeInput> = {},
) {
  return decideScheduleChange({ subscription, offer: nceOffer(), targetOffer, change, actor: adminAgent, now: NOW, ...extra });
}

describe('what can be scheduled (SCHED-KINDS)', () => {
  it('SCHED-KINDS: a SKU downgrade is saved for renewal, keeping quantity, billing and term', () => {
    const s = nceSub();
    const d = allowed(schedule(s, { offerId: OFFER.C }, downgradeOffer()));
    expect(d.instructions).toEqual({ offerId: OFFER.C, quantity: 10, billingCycle: 'monthly', termDuration: 'P1Y' });
    expect(d.kinds).toEqual(['sku_downgrade']);
    expect(setOf(d.effects, s._id)).toEqual({ scheduledNextTermInstructions: d.instructions, updatedAt: NOW });
    expect(kinds(d.effects)).toEqual(['update', 'audit']);
    expect(ledger(d.effects)).toEqual([]);
    expect(d.summary).toContain('2027-11-01T09:00:00.000Z');
  });

  it('SCHED-KINDS: a seat reduction (10 -> 4) is saved for renewal', () => {
    const d = allowed(schedule(nceSub(), { quantity: 4 }));
    expect(d.instructions).toEqual({ offerId: OFFER.A, quantity: 4, billingCycle: 'monthly', termDuration: 'P1Y' });
    expect(d.kinds).toEqual(['seat_reduction']);
  });

  it('SCHED-KINDS: a term change (P1Y -> P3Y) is saved for renewal', () => {
    const d = allowed(schedule(nceSub(), { termDuration: 'P3Y' }));
    expect(d.instructions).toEqual({ offerId: OFFER.A, quantity: 10, billingCycle: 'monthly', termDuration: 'P3Y' });
    expect(d.kinds).toEqual(['term_change']);
  });

  it('SCHED-KINDS: a billing-frequency change (monthly -> annual) is saved for renewal', () => {
    const d = allowed(schedule(nceSub(), { billingCycle: 'annual' }));
    expect(d.instructions).toEqual({ offerId: OFFER.A, quantity: 10, billingCycle: 'annual', termDuration: 'P1Y' });
    expect(d.kinds).toEqual(['billing_frequency_change']);
  });

  it('SCHED-KINDS: an upgrade and a seat increase may be scheduled too, all kinds named at once', () => {
    const d = allowed(schedule(nceSub(), { offerId: OFFER.B, quantity: 12, billingCycle: 'annual' }, upgradeOffer()));
    expect(d.kinds).toEqual(['sku_upgrade', 'seat_increase', 'billing_frequency_change']);
  });

  it('SCHED-KINDS: a plan the target offer does not have is refused (NOT_ELIGIBLE)', () => {
    expect(refused(schedule(nceSub(), { offerId: OFFER.B, termDuration: 'P3Y' }, upgradeOffer()))).toMatchObject({
      rule: 'SCHED-KINDS',
      code: 'NOT_ELIGIBLE',
      field: 'billingCycle',
    });
  });

  it('SCHED-KINDS: a quantity outside the offer bounds is refused (LIMIT_EXCEEDED)', () => {
    expect(refused(schedule(nceSub(), { quantity: 0 }))).toMatchObject({ rule: 'SCHED-KINDS', code: 'LIMIT_EXCEEDED', field: 'quantity' });
  });

  it('SCHED-KINDS: a legacy subscription cannot schedule changes (NOT_SUPPORTED)', () => {
    const r = refused(
      decideScheduleChange({
        subscription: legacySub(),
        offer: legacyOffer(),
        targetOffer: legacyOffer(),
        change: { quantity: 4 },
        actor: adminAgent,
        now: NOW,
      }),
    );
    expect(r).toMatchObject({ rule: 'SCHED-KINDS', code: 'NOT_SUPPORTED' });
  });

  it('SCHED-KINDS: a marketplace subscription cannot schedule changes (NOT_SUPPORTED)', () => {
    expect(refused(schedule(isvSub(), { quantity: 4 }))).toMatchObject({ rule: 'SCHED-KINDS', code: 'NOT_SUPPORTED' });
  });

  it('ROLE-SUBSCRIPTIONS: a caller without roles cannot schedule or delete a change', () => {
    expect(refused(schedule(nceSub(), { quantity: 4 }, nceOffer(), { actor: noRoles }))).toMatchObject({ rule: 'ROLE-SUBSCRIPTIONS' });
    const s = nceSub({ scheduledNextTermInstructions: { offerId: OFFER.A, quantity: 4, billingCycle: 'monthly', termDuration: 'P1Y' } });
    expect(refused(decideDeleteScheduledChange({ subscription: s, actor: noRoles, now: NOW }))).toMatchObject({
      rule: 'ROLE-SUBSCRIPTIONS',
    });
  });
});

describe('prerequisites (SCHED-PREREQ, SCHED-TRIAL)', () => {
  it('SCHED-PREREQ: with auto-renew off, scheduling is refused (INVALID_STATUS, field autoRenewEnabled)', () => {
    const r = refused(schedule(nceSub({ autoRenewEnabled: false }), { quantity: 4 }));
    expect(r).toMatchObject({ rule: 'SCHED-PREREQ', code: 'INVALID_STATUS', field: 'autoRenewEnabled' });
    expect(r.message).toContain('Turn auto-renew on');
  });

  it('SCHED-PREREQ: a suspended (paused) subscription cannot schedule changes', () => {
    const s = nceSub({ status: 'suspended', suspendedBy: 'pause', autoRenewEnabled: false });
    expect(refused(schedule(s, { quantity: 4 }))).toMatchObject({ rule: 'SCHED-PREREQ', code: 'INVALID_STATUS' });
  });

  it('SCHED-PREREQ: an unrelated SKU is refused (NOT_ELIGIBLE, field offerId)', () => {
    const r = refused(schedule(nceSub(), { offerId: OFFER.D }, unrelatedOffer()));
    expect(r).toMatchObject({ rule: 'SCHED-PREREQ', code: 'NOT_ELIGIBLE', field: 'offerId' });
  });

  it('SCHED-PREREQ: the SKU at renewal is the same, an upgrade path, or one it upgrades from (downgrade)', () => {
    expect(skuChangeKind(nceOffer(), nceOffer())).toBe('same');
    expect(skuChangeKind(nceOffer(), upgradeOffer())).toBe('upgrade');
    expect(skuChangeKind(nceOffer(), downgradeOffer())).toBe('downgrade');
    expect(skuChangeKind(nceOffer(), unrelatedOffer())).toBeNull();
  });

  it('SCHED-TRIAL: a trial cannot schedule changes: it converts to its paid SKU at term end', () => {
    const trial = nceSub({ offerId: OFFER.TRIAL, isTrial: true, trialConvertsToOfferId: OFFER.A, commitmentEndDate: at(30 * DAY) });
    const r = refused(
      decideScheduleChange({
        subscription: trial,
        offer: trialOffer(),
        targetOffer: trialOffer(),
        change: { quantity: 4 },
        actor: adminAgent,
        now: at(DAY),
      }),
    );
    expect(r).toMatchObject({ rule: 'SCHED-TRIAL', code: 'NOT_SUPPORTED' });
    expect(r.message).toContain('2026-12-01T09:00:00.000Z');
  });
});

describe('managing the change (SCHED-MANAGE, SCHED-REASSIGN)', () => {
  const existing = { offerId: OFFER.A, quantity: 5, billingCycle: 'monthly', termDuration: 'P1Y' } as const;

  it('SCHED-MANAGE: updating merges into the saved change (quantity 5 kept, billing becomes annual)', () => {
    const s = nceSub({ scheduledNextTermInstructions: { ...existing } });
    const d = allowed(schedule(s, { billingCycle: 'annual' }, nceOffer(), { mustExist: true }));
    expect(d.instructions).toEqual({ offerId: OFFER.A, quantity: 5, billingCycle: 'annual', termDuration: 'P1Y' });
    expect(d.kinds).toEqual(['seat_reduction', 'billing_frequency_change']);
  });

  it('SCHED-MANAGE: updating when nothing is scheduled is refused (NO_CHANGE)', () => {
    expect(refused(schedule(nceSub(), { quantity: 4 }, nceOffer(), { mustExist: true }))).toMatchObject({
      rule: 'SCHED-MANAGE',
      code: 'NO_CHANGE',
    });
  });

  it('SCHED-MANAGE: a change equal to the current subscription is refused (NO_CHANGE)', () => {
    expect(refused(schedule(nceSub(), { quantity: 10, billingCycle: 'monthly' }))).toMatchObject({
      rule: 'SCHED-MANAGE',
      code: 'NO_CHANGE',
    });
  });

  it('SCHED-MANAGE: deleting clears the saved change and nothing else', () => {
    const s = nceSub({ scheduledNextTermInstructions: { ...existing } });
    const d = allowed(decideDeleteScheduledChange({ subscription: s, actor: adminAgent, now: NOW }));
    expect(setOf(d.effects, s._id)).toEqual({ scheduledNextTermInstructions: null, scheduledUpgrade: null, updatedAt: NOW });
    expect(ledger(d.effects)).toEqual([]);
    expect(d.instructions).toBeNull();
  });

  it('SCHED-MANAGE: deleting when nothing is scheduled is refused (NO_CHANGE)', () => {
    expect(refused(decideDeleteScheduledChange({ subscription: nceSub(), actor: adminAgent, now: NOW }))).toMatchObject({
      rule: 'SCHED-MANAGE',
      code: 'NO_CHANGE',
    });
  });

  it('SCHED-MANAGE: deleting removes a scheduled upgrade too (the partner can delete any scheduled change)', () => {
    const s = nceSub({ scheduledUpgrade: { targetOfferId: OFFER.B, quantity: 3, targetSubscriptionId: null } });
    const d = allowed(decideDeleteScheduledChange({ subscription: s, actor: adminAgent, now: NOW }));
    expect(setOf(d.effects, s._id)).toMatchObject({ scheduledUpgrade: null });
  });

  it('SCHED-REASSIGN: a scheduled SKU change says the user licences must be reassigned by hand', () => {
    const d = allowed(schedule(nceSub(), { offerId: OFFER.C }, downgradeOffer()));
    expect(d.licenceReassignmentRequired).toBe(true);
    expect(d.summary).toContain('reassigned by hand');
  });

  it('SCHED-REASSIGN: a change without a SKU change needs no reassignment', () => {
    expect(allowed(schedule(nceSub(), { quantity: 4 })).licenceReassignmentRequired).toBe(false);
  });

  it('SCHED-MANAGE: scheduling never touches money or the current values (T0 term unchanged)', () => {
    const s = nceSub();
    const d = allowed(schedule(s, { quantity: 4 }));
    expect(Object.keys(setOf(d.effects, s._id)).sort()).toEqual(['scheduledNextTermInstructions', 'updatedAt']);
    expect(s.effectiveStartDate).toEqual(T0);
  });
});
