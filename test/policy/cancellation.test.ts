import { describe, expect, it } from 'vitest';
import type { SubscriptionDoc } from '../../src/db/documents.js';
import { cancellationAllowedUntil, cancelTerms, decideCancel, refundableQuantity } from '../../src/policy/cancellation.js';
import { decidePause } from '../../src/policy/pause.js';
import { usersHaveAccess } from '../../src/policy/states.js';
import {
  addOnSub,
  adminAgent,
  after,
  allowed,
  anActor,
  at,
  DAY,
  HOUR,
  isvSub,
  kinds,
  ledger,
  legacySub,
  MINUTE,
  nceSub,
  noRoles,
  OFFER,
  pendingIsvSub,
  refused,
  SECOND,
  setOf,
  T0,
  TERM_END,
} from './harness.js';

const cancel = (subscription: SubscriptionDoc, now: Date, addOns: SubscriptionDoc[] = [], actor = adminAgent) =>
  decideCancel({ subscription, addOns, actor, now });

/** 29 days 23:59:59.999 after T0: the last instant of the 30-day window. */
const LAST_30D = 29 * DAY + 23 * HOUR + 59 * MINUTE + 59 * SECOND + 999;

describe('new commerce (CANCEL-NCE-*)', () => {
  it('CANCEL-NCE-24H: cancelling at the start instant refunds the full 12000 cents', () => {
    const d = allowed(cancel(nceSub(), T0));
    expect(d).toMatchObject({ mode: 'immediate', rule: 'CANCEL-NCE-24H', refundCents: 12000, currency: 'USD', effectiveDate: T0 });
  });

  it('CANCEL-NCE-24H: cancelling 23h59m59.999s after start refunds in full', () => {
    const d = allowed(cancel(nceSub(), at(DAY - 1)));
    expect(d.rule).toBe('CANCEL-NCE-24H');
    expect(d.refundCents).toBe(12000);
    expect(ledger(d.effects).map((e) => [e.amountCents, e.ruleId])).toEqual([[-12000, 'CANCEL-NCE-24H']]);
  });

  it('CANCEL-NCE-30D: cancelling exactly 24 h after start refunds 12000 - round(12000 x 1 / 365) = 11967 cents', () => {
    const d = allowed(cancel(nceSub(), at(DAY)));
    expect(d).toMatchObject({ rule: 'CANCEL-NCE-30D', refundCents: 11967 });
  });

  it('CANCEL-NCE-30D: cancelling 24 h + 1 ms after start counts 2 days used: 12000 - round(24000 / 365) = 11934 cents', () => {
    const d = allowed(cancel(nceSub(), at(DAY + 1)));
    expect(d).toMatchObject({ rule: 'CANCEL-NCE-30D', refundCents: 11934 });
  });

  it('CANCEL-NCE-30D: cancelling 29d23h59m59.999s after start counts 30 days: 12000 - round(360000 / 365) = 11014 cents', () => {
    const d = allowed(cancel(nceSub(), at(LAST_30D)));
    expect(d).toMatchObject({ rule: 'CANCEL-NCE-30D', refundCents: 11014 });
  });

  it('CANCEL-NCE-30D: the refund is computed from what the term charged (after a seat increase: 17967 - round(18000 x 10 / 365) = 17474)', () => {
    const d = allowed(cancel(nceSub({ quantity: 15, chargedCents: 17967 }), at(10 * DAY)));
    expect(d).toMatchObject({ rule: 'CANCEL-NCE-30D', refundCents: 17474 });
  });

  it('CANCEL-NCE-AFTER: cancelling exactly 30 days after start is refused (WINDOW_CLOSED), naming when the window closed', () => {
    const r = refused(cancel(nceSub(), at(30 * DAY)));
    expect(r).toMatchObject({ rule: 'CANCEL-NCE-AFTER', code: 'WINDOW_CLOSED' });
    expect(r.message).toContain('2026-12-01T09:00:00.000Z');
    expect(r.message).toContain('auto-renew off');
  });

  it('CANCEL-NCE-AFTER: cancelling 200 days after start is refused too', () => {
    expect(refused(cancel(nceSub(), at(200 * DAY)))).toMatchObject({ rule: 'CANCEL-NCE-AFTER', code: 'WINDOW_CLOSED' });
  });

  it('CANCEL-NCE-30D: a paused (non-payment) new-commerce subscription can still be cancelled within its window', () => {
    const paused = nceSub({ status: 'suspended', suspendedBy: 'pause', suspendedAt: at(DAY), autoRenewEnabled: false });
    expect(allowed(cancel(paused, at(2 * DAY)))).toMatchObject({ rule: 'CANCEL-NCE-30D', refundCents: 12000 - 66 });
  });
});

describe('what an immediate cancellation writes (CANCEL-FINAL, MONEY-EXACT)', () => {
  it('CANCEL-FINAL: an immediate cancel sets status deleted (reason cancelled) and writes one refund ledger entry with the rule', () => {
    const s = nceSub({ scheduledNextTermInstructions: { offerId: OFFER.C, quantity: 5, billingCycle: 'monthly', termDuration: 'P1Y' } });
    const now = at(DAY + 1);
    const d = allowed(cancel(s, now));
    expect(kinds(d.effects)).toEqual(['update', 'ledger', 'audit']);
    expect(setOf(d.effects, s._id)).toEqual({
      status: 'deleted',
      deletedReason: 'cancelled',
      deletedAt: now,
      autoRenewEnabled: false,
      scheduledNextTermInstructions: null,
      scheduledUpgrade: null,
      suspendedBy: null,
      suspendedAt: null,
      dataDeletionAt: null,
      suspensionReasons: [],
      chargedCents: 12000 - 11934,
      updatedAt: now,
    });
    expect(ledger(d.effects)).toEqual([
      {
        partnerId: s.partnerId,
        customerId: s.customerId,
        amountCents: -11934,
        currency: 'USD',
        kind: 'refund',
        source: { type: 'subscription', id: s._id },
        orderId: s.orderId,
        ruleId: 'CANCEL-NCE-30D',
        description: 'Cancellation refund: Microsoft 365 E3 x 10',
        at: now,
      },
    ]);
    expect(d.effects[0]).toMatchObject({ kind: 'update', collection: 'subscriptions', id: s._id, expectedVersion: 1 });
  });

  it('CANCEL-FINAL: cancelling ends access at once (usersHaveAccess false afterwards)', () => {
    const s = nceSub();
    const d = allowed(cancel(s, at(HOUR)));
    expect(usersHaveAccess(s)).toBe(true);
    expect(usersHaveAccess(after(s, d.effects))).toBe(false);
  });

  it('CANCEL-FINAL: cancelling a deleted subscription is refused (INVALID_STATUS): it cannot be undone or repeated', () => {
    const s = nceSub();
    const done = after(s, allowed(cancel(s, at(HOUR))).effects);
    const r = refused(cancel(done, at(2 * HOUR)));
    expect(r).toMatchObject({ rule: 'CANCEL-FINAL', code: 'INVALID_STATUS' });
    expect(r.message).toContain('deleted (cancelled)');
  });

  it('CANCEL-FINAL: cancelling a subscription already cancelled at term end is refused (NO_CHANGE)', () => {
    expect(refused(cancel(isvSub({ cancelAtTermEnd: true, autoRenewEnabled: false }), at(2 * DAY)))).toMatchObject({
      rule: 'CANCEL-FINAL',
      code: 'NO_CHANGE',
    });
  });

  it('MONEY-EXACT: a refund of 0 writes no ledger entry (usage-based marketplace)', () => {
    const d = allowed(cancel(isvSub({ billingType: 'usage', quantity: 1, chargedCents: 0 }), at(5 * DAY)));
    expect(ledger(d.effects)).toEqual([]);
  });

  it('CANCEL-FINAL: the audit record says what happened (cancel_subscription, deleted, refund and rule)', () => {
    const s = nceSub();
    const d = allowed(cancel(s, at(HOUR)));
    const audit = d.effects.find((e) => e.kind === 'audit');
    expect(audit).toMatchObject({
      event: {
        operationType: 'cancel_subscription',
        resourceId: s._id,
        userId: adminAgent.userId,
        roles: ['admin_agent'],
        at: at(HOUR),
        resourceNewValue: JSON.stringify({ status: 'deleted', refundCents: 12000, rule: 'CANCEL-NCE-24H', reason: null }),
      },
    });
  });
});

describe('add-ons go with their base (ADDON-CASCADE)', () => {
  const base = nceSub();
  // Bought 11.5 days after the base, ending with it; 12 h old at the cancellation below.
  const fresh = addOnSub(base, { _id: 'addon-fresh', effectiveStartDate: at(11 * DAY + 12 * HOUR), chargedCents: 1945 });
  const old = addOnSub(base, { _id: 'addon-old', effectiveStartDate: at(2 * DAY), chargedCents: 2374 });
  const gone = addOnSub(base, { _id: 'addon-gone', status: 'deleted', deletedReason: 'cancelled' });

  it('ADDON-CASCADE: cancelling a base deletes its live add-ons too, each refunded under its own window', () => {
    const now = at(12 * DAY);
    const d = allowed(cancel(base, now, [fresh, old, gone]));
    // Base: 12 days used of 365: 12000 - round(144000 / 365) = 12000 - 395.
    expect(d.refundCents).toBe(11605);
    // fresh: 12 h old -> CANCEL-NCE-24H, full. old: 10 days used of 363: 2374 - round(24000 / 363) = 2374 - 66.
    expect(d.addOns).toEqual([
      { id: 'addon-fresh', refundCents: 1945, rule: 'CANCEL-NCE-24H' },
      { id: 'addon-old', refundCents: 2308, rule: 'CANCEL-NCE-30D' },
    ]);
    expect(ledger(d.effects).map((e) => [e.source.id, e.amountCents, e.ruleId])).toEqual([
      [base._id, -11605, 'CANCEL-NCE-30D'],
      ['addon-fresh', -1945, 'CANCEL-NCE-24H'],
      ['addon-old', -2308, 'CANCEL-NCE-30D'],
    ]);
    for (const id of [base._id, 'addon-fresh', 'addon-old'])
      expect(setOf(d.effects, id)).toMatchObject({ status: 'deleted', deletedReason: 'cancelled' });
    expect(d.effects.some((e) => e.kind === 'update' && e.id === 'addon-gone')).toBe(false);
    expect(d.summary).toContain(`${(11605 + 1945 + 2308) / 100} USD`);
  });

  it('ADDON-CASCADE: an add-on past its own 30 days is deleted with its base without refund (rule CANCEL-FINAL)', () => {
    const lateBase = nceSub({ effectiveStartDate: at(40 * DAY), commitmentEndDate: new Date('2027-12-11T09:00:00.000Z') });
    const a = addOnSub(lateBase, { _id: 'addon-late', effectiveStartDate: T0 });
    const d = allowed(cancel(lateBase, at(41 * DAY), [a]));
    expect(d.addOns).toEqual([{ id: 'addon-late', refundCents: 0, rule: 'CANCEL-FINAL' }]);
    expect(setOf(d.effects, 'addon-late')).toMatchObject({ status: 'deleted' });
    expect(ledger(d.effects).map((e) => e.source.id)).toEqual([lateBase._id]);
  });

  it('ADDON-CASCADE: cancelling a paused base refunds its pause-cascaded add-on under its own window (CANCEL-NCE-30D)', () => {
    const now = at(5 * DAY);
    const a = addOnSub(base, { _id: 'addon-paused', effectiveStartDate: at(2 * DAY), chargedCents: 2374 });
    const pause = allowed(decidePause({ subscription: base, addOns: [a], actor: adminAgent, now: at(4 * DAY) }));
    const pausedBase = after(base, pause.effects);
    const pausedAddOn = after(a, pause.effects);
    expect(pausedAddOn).toMatchObject({ status: 'suspended', suspendedBy: 'cascade' });
    const d = allowed(cancel(pausedBase, now, [pausedAddOn]));
    expect(d.refundCents).toBe(12000 - 164); // 5 days of 365: round(60000 / 365) = 164
    // The add-on is new commerce and 3 days into its own window: 2374 - round(2400 x 3 / 363) = 2374 - 20.
    expect(d.addOns).toEqual([{ id: 'addon-paused', refundCents: 2354, rule: 'CANCEL-NCE-30D' }]);
  });

  it('ADDON-CASCADE: cancelling an add-on alone leaves its base alone', () => {
    const d = allowed(cancel(fresh, at(12 * DAY), [old]));
    expect(d.addOns).toEqual([]);
    expect(d.effects.filter((e) => e.kind === 'update').map((e) => (e.kind === 'update' ? e.id : ''))).toEqual(['addon-fresh']);
  });
});

describe('marketplace (CANCEL-ISV-*)', () => {
  it('CANCEL-ISV-MONTHLY: cancelled 23h59m59.999s after the order, the full 5000 cents are credited', () => {
    const d = allowed(cancel(isvSub(), at(DAY - 1)));
    expect(d).toMatchObject({ mode: 'immediate', rule: 'CANCEL-ISV-MONTHLY', refundCents: 5000 });
    expect(ledger(d.effects).map((e) => [e.amountCents, e.ruleId])).toEqual([[-5000, 'CANCEL-ISV-MONTHLY']]);
  });

  it('CANCEL-ISV-MONTHLY: the window runs from the order, not from the term start', () => {
    const s = isvSub({ orderedAt: T0, effectiveStartDate: at(20 * HOUR) });
    expect(allowed(cancel(s, at(DAY)))).toMatchObject({ mode: 'at_term_end', rule: 'CANCEL-ISV-MONTHLY' });
  });

  it('CANCEL-ISV-MONTHLY: cancelled exactly 24 h after the order, it is scheduled for term end: cancelAtTermEnd, auto-renew off, no ledger', () => {
    const s = isvSub({ scheduledNextTermInstructions: null });
    const now = at(DAY);
    const d = allowed(cancel(s, now));
    expect(d).toMatchObject({ mode: 'at_term_end', rule: 'CANCEL-ISV-MONTHLY', refundCents: 0, effectiveDate: s.commitmentEndDate });
    expect(kinds(d.effects)).toEqual(['update', 'audit']);
    expect(setOf(d.effects, s._id)).toEqual({
      cancelAtTermEnd: true,
      autoRenewEnabled: false,
      scheduledNextTermInstructions: null,
      scheduledUpgrade: null,
      updatedAt: now,
    });
    expect(usersHaveAccess(after(s, d.effects))).toBe(true);
  });

  it('CANCEL-ISV-ANNUAL: cancelled 13d23h59m59.999s after the order, full credit; at exactly 14 days, scheduled for renewal', () => {
    const s = isvSub({
      billingCycle: 'annual',
      termDuration: 'P1Y',
      unitPriceCents: 5000,
      chargedCents: 50000,
      commitmentEndDate: TERM_END,
    });
    expect(allowed(cancel(s, at(14 * DAY - 1)))).toMatchObject({ mode: 'immediate', rule: 'CANCEL-ISV-ANNUAL', refundCents: 50000 });
    const late = allowed(cancel(s, at(14 * DAY)));
    expect(late).toMatchObject({ mode: 'at_term_end', rule: 'CANCEL-ISV-ANNUAL', refundCents: 0, effectiveDate: TERM_END });
    expect(ledger(late.effects)).toEqual([]);
  });

  it('CANCEL-ISV-USAGE: a usage-based marketplace service is deprovisioned at once and never refunded', () => {
    const s = isvSub({ billingType: 'usage', quantity: 1, chargedCents: 0 });
    for (const now of [at(HOUR), at(60 * DAY)]) {
      const d = allowed(cancel(s, now));
      expect(d).toMatchObject({ mode: 'immediate', rule: 'CANCEL-ISV-USAGE', refundCents: 0, effectiveDate: now });
      expect(setOf(d.effects, s._id)).toMatchObject({ status: 'deleted', deletedReason: 'cancelled' });
    }
  });

  it('CANCEL-ISV-MONTHLY: a subscription still awaiting its publisher is cancelled at once with nothing to refund', () => {
    const d = allowed(cancel(pendingIsvSub(), at(3 * DAY)));
    expect(d).toMatchObject({ mode: 'immediate', rule: 'CANCEL-ISV-MONTHLY', refundCents: 0 });
    expect(ledger(d.effects)).toEqual([]);
  });
});

describe('kinds that cannot be cancelled (SUSP-STATES)', () => {
  it('SUSP-STATES: a legacy subscription cannot be cancelled: it is suspended instead (NOT_SUPPORTED)', () => {
    const r = refused(cancel(legacySub(), at(HOUR)));
    expect(r).toMatchObject({ rule: 'SUSP-STATES', code: 'NOT_SUPPORTED' });
    expect(r.message).toContain('suspend it instead');
  });

  it('SUSP-STATES: a partner-suspended subscription must be reactivated before cancelling', () => {
    const s = legacySub({ status: 'suspended', suspendedBy: 'partner' });
    expect(refused(cancel(s, at(HOUR)))).toMatchObject({ rule: 'SUSP-STATES', code: 'INVALID_STATUS' });
  });
});

describe('roles (ROLE-SUBSCRIPTIONS, ROLE-MARKETPLACE)', () => {
  it('ROLE-SUBSCRIPTIONS: a caller without roles cannot cancel (ROLE_NOT_ALLOWED), even inside the 24 h window', () => {
    const r = refused(cancel(nceSub(), at(HOUR), [], noRoles));
    expect(r).toMatchObject({ rule: 'ROLE-SUBSCRIPTIONS', code: 'ROLE_NOT_ALLOWED' });
    expect(r.message).toContain('the caller has no role');
  });

  it('ROLE-MARKETPLACE: a billing admin is refused on an ISV subscription, allowed on a new-commerce one', () => {
    const billing = anActor(['billing_admin']);
    expect(refused(cancel(isvSub(), at(HOUR), [], billing))).toMatchObject({ rule: 'ROLE-MARKETPLACE', code: 'ROLE_NOT_ALLOWED' });
    expect(allowed(cancel(nceSub(), at(HOUR), [], billing)).rule).toBe('CANCEL-NCE-24H');
    expect(allowed(cancel(isvSub(), at(HOUR), [], anActor(['global_admin']))).rule).toBe('CANCEL-ISV-MONTHLY');
  });
});

describe('what a cancellation now would do (CANCEL-WINDOW-SHOWN)', () => {
  it('CANCEL-WINDOW-SHOWN: a new-commerce subscription can be cancelled until 30 days after its start (exclusive)', () => {
    expect(cancellationAllowedUntil(nceSub(), at(HOUR))).toEqual(new Date('2026-12-01T09:00:00.000Z'));
    expect(cancellationAllowedUntil(nceSub(), at(LAST_30D))).toEqual(new Date('2026-12-01T09:00:00.000Z'));
    expect(cancellationAllowedUntil(nceSub(), at(30 * DAY))).toBeNull();
  });

  it('CANCEL-WINDOW-SHOWN: a marketplace subscription until its term end; a legacy or deleted one never', () => {
    expect(cancellationAllowedUntil(isvSub(), at(3 * DAY))).toEqual(new Date('2026-12-01T09:00:00.000Z'));
    expect(cancellationAllowedUntil(legacySub(), at(HOUR))).toBeNull();
    expect(cancellationAllowedUntil(nceSub({ status: 'deleted' }), at(HOUR))).toBeNull();
  });

  it('CANCEL-WINDOW-SHOWN: refundableQuantity is every seat, refundable in full until 24 h, then prorated until 30 days', () => {
    expect(refundableQuantity(nceSub(), at(HOUR))).toEqual({
      totalQuantity: 10,
      details: [{ quantity: 10, allowedUntilDateTime: new Date('2026-11-02T09:00:00.000Z') }],
    });
    expect(refundableQuantity(nceSub(), at(2 * DAY))).toEqual({
      totalQuantity: 10,
      details: [{ quantity: 10, allowedUntilDateTime: new Date('2026-12-01T09:00:00.000Z') }],
    });
    expect(refundableQuantity(nceSub(), at(30 * DAY))).toEqual({ totalQuantity: 0, details: [] });
  });

  it('CANCEL-WINDOW-SHOWN: nothing is refundable when the cancellation is scheduled or never refunded', () => {
    expect(refundableQuantity(isvSub(), at(2 * DAY))).toEqual({ totalQuantity: 0, details: [] });
    expect(refundableQuantity(isvSub({ billingType: 'usage', quantity: 1 }), at(HOUR))).toEqual({ totalQuantity: 0, details: [] });
    expect(refundableQuantity(isvSub(), at(HOUR))).toEqual({
      totalQuantity: 10,
      details: [{ quantity: 10, allowedUntilDateTime: new Date('2026-11-02T09:00:00.000Z') }],
    });
  });

  it('CANCEL-WINDOW-SHOWN: the quote (cancelTerms) changes nothing and agrees with decideCancel', () => {
    const s = nceSub();
    const snapshot = structuredClone(s);
    expect(cancelTerms(s, at(DAY + 1))).toEqual({
      mode: 'immediate',
      rule: 'CANCEL-NCE-30D',
      refundCents: 11934,
      refundableUntil: new Date('2026-12-01T09:00:00.000Z'),
    });
    expect(s).toEqual(snapshot);
    expect(allowed(cancel(s, at(DAY + 1))).refundCents).toBe(11934);
  });
});

describe('cancellation reason (GEN-REASON)', () => {
  it('GEN-REASON: a cancellation may give one of the three reasons, recorded in its audit event', () => {
    const d = allowed(decideCancel({ subscription: nceSub(), addOns: [], actor: adminAgent, now: T0, reason: 'fraud' }));
    const audit = d.effects.find((e) => e.kind === 'audit');
    expect(audit?.kind === 'audit' && JSON.parse(audit.event.resourceNewValue!)).toMatchObject({ status: 'deleted', reason: 'fraud' });
  });

  it('GEN-REASON: a cancellation with another reason is refused and names the three', () => {
    const r = refused(decideCancel({ subscription: nceSub(), addOns: [], actor: adminAgent, now: T0, reason: 'bored' }));
    expect(r).toMatchObject({ rule: 'GEN-REASON', code: 'INVALID_VALUE', field: 'reason' });
    expect(r.message).toContain('customer_request, non_payment, fraud');
  });
});
