import { describe, expect, it } from 'vitest';
import type { SubscriptionDoc } from '../../src/db/documents.js';
import { decidePause, decideResume } from '../../src/policy/pause.js';
import { usersHaveAccess } from '../../src/policy/states.js';
import {
  addOnSub,
  adminAgent,
  after,
  allowed,
  at,
  DAY,
  HOUR,
  isvSub,
  kinds,
  ledger,
  legacySub,
  nceSub,
  noRoles,
  OFFER,
  refused,
  setOf,
} from './harness.js';

const pause = (subscription: SubscriptionDoc, addOns: SubscriptionDoc[] = [], now = at(40 * DAY), actor = adminAgent) =>
  decidePause({ subscription, addOns, actor, now });
const resume = (subscription: SubscriptionDoc, addOns: SubscriptionDoc[] = [], now = at(50 * DAY), actor = adminAgent) =>
  decideResume({ subscription, addOns, actor, now });

const withScheduled = () =>
  nceSub({
    scheduledNextTermInstructions: { offerId: OFFER.C, quantity: 5, billingCycle: 'annual', termDuration: 'P1Y' },
    scheduledUpgrade: { targetOfferId: OFFER.B, quantity: 2, targetSubscriptionId: null },
  });

describe('pause (PAUSE-EFFECT, PAUSE-SIDE-EFFECTS)', () => {
  it('PAUSE-EFFECT: pausing sets the subscription suspended at once, suspendedBy pause, reason non-payment recorded (GEN-REASON)', () => {
    const s = nceSub();
    const now = at(40 * DAY);
    const d = allowed(pause(s, [], now));
    expect(setOf(d.effects, s._id)).toMatchObject({
      status: 'suspended',
      suspendedBy: 'pause',
      suspendedAt: now,
      suspensionReasons: ['non_payment'],
      dataDeletionAt: null,
      updatedAt: now,
    });
    expect(d.dataDeletionDate).toBeNull();
  });

  it('PAUSE-EFFECT: the customer loses access; the partner is still billed (no ledger effect, chargedCents untouched)', () => {
    const s = nceSub();
    const d = allowed(pause(s));
    expect(usersHaveAccess(after(s, d.effects))).toBe(false);
    expect(ledger(d.effects)).toEqual([]);
    expect(setOf(d.effects, s._id)).not.toHaveProperty('chargedCents');
    expect(kinds(d.effects)).toEqual(['update', 'audit']);
  });

  it('PAUSE-SIDE-EFFECTS: pausing turns auto-renew off and clears scheduledNextTermInstructions and scheduledUpgrade (SCHED-CLEARED)', () => {
    const s = withScheduled();
    const d = allowed(pause(s));
    expect(setOf(d.effects, s._id)).toMatchObject({ autoRenewEnabled: false, scheduledNextTermInstructions: null, scheduledUpgrade: null });
    expect(d.summary).toContain('scheduled changes were removed');
  });

  it('ADDON-CASCADE: pausing a base suspends its active add-ons with it (suspendedBy cascade, auto-renew off)', () => {
    const base = nceSub();
    const a = addOnSub(base, { _id: 'addon-1' });
    const d = allowed(pause(base, [a]));
    expect(d.cascadedAddOnIds).toEqual(['addon-1']);
    expect(setOf(d.effects, 'addon-1')).toMatchObject({ status: 'suspended', suspendedBy: 'cascade', autoRenewEnabled: false });
  });

  it('PAUSE-EFFECT: a legacy subscription cannot be paused: it is suspended instead (NOT_SUPPORTED)', () => {
    const r = refused(pause(legacySub()));
    expect(r).toMatchObject({ rule: 'PAUSE-EFFECT', code: 'NOT_SUPPORTED' });
    expect(r.message).toContain('suspendSubscription');
  });

  it('PAUSE-EFFECT: a marketplace subscription cannot be paused', () => {
    expect(refused(pause(isvSub()))).toMatchObject({ rule: 'PAUSE-EFFECT', code: 'NOT_SUPPORTED' });
  });

  it('PAUSE-EFFECT: only an active subscription can be paused (paused again: INVALID_STATUS)', () => {
    const s = nceSub();
    const paused = after(s, allowed(pause(s)).effects);
    expect(refused(pause(paused))).toMatchObject({ rule: 'PAUSE-EFFECT', code: 'INVALID_STATUS' });
  });

  it('ROLE-SUBSCRIPTIONS: a caller without roles cannot pause or resume', () => {
    expect(refused(pause(nceSub(), [], at(HOUR), noRoles))).toMatchObject({ rule: 'ROLE-SUBSCRIPTIONS', code: 'ROLE_NOT_ALLOWED' });
    expect(refused(resume(nceSub({ status: 'suspended', suspendedBy: 'pause' }), [], at(HOUR), noRoles))).toMatchObject({
      rule: 'ROLE-SUBSCRIPTIONS',
    });
  });
});

describe('resume (PAUSE-RESUME)', () => {
  it('PAUSE-RESUME: resuming restores access at once and clears the suspension; auto-renew stays off', () => {
    const s = withScheduled();
    const paused = after(s, allowed(pause(s)).effects);
    const now = at(50 * DAY);
    const d = allowed(resume(paused, [], now));
    expect(setOf(d.effects, s._id)).toEqual({
      status: 'active',
      suspendedBy: null,
      suspendedAt: null,
      suspensionReasons: [],
      dataDeletionAt: null,
      updatedAt: now,
    });
    const resumed = after(paused, d.effects);
    expect(usersHaveAccess(resumed)).toBe(true);
    expect(resumed).toMatchObject({ autoRenewEnabled: false, scheduledNextTermInstructions: null, scheduledUpgrade: null });
  });

  it('PAUSE-RESUME: resuming a base brings back its cascade-paused add-ons, and no others (ADDON-CASCADE)', () => {
    const base = nceSub();
    const a = addOnSub(base, { _id: 'addon-1' });
    const b = addOnSub(base, { _id: 'addon-deleted', status: 'deleted' });
    const p = allowed(pause(base, [a, b]));
    expect(p.cascadedAddOnIds).toEqual(['addon-1']);
    const d = allowed(resume(after(base, p.effects), [after(a, p.effects), b]));
    expect(d.cascadedAddOnIds).toEqual(['addon-1']);
    expect(setOf(d.effects, 'addon-1')).toMatchObject({ status: 'active', suspendedBy: null });
  });

  it('PAUSE-RESUME: resuming an active subscription is refused (NO_CHANGE)', () => {
    expect(refused(resume(nceSub()))).toMatchObject({ rule: 'PAUSE-RESUME', code: 'NO_CHANGE' });
  });

  it('PAUSE-RESUME: a deleted subscription cannot be resumed (INVALID_STATUS)', () => {
    expect(refused(resume(nceSub({ status: 'deleted' })))).toMatchObject({ rule: 'PAUSE-RESUME', code: 'INVALID_STATUS' });
  });

  it('ADDON-CASCADE: an add-on paused with its base is resumed only through its base', () => {
    const base = nceSub();
    const r = refused(resume(addOnSub(base, { status: 'suspended', suspendedBy: 'cascade' })));
    expect(r).toMatchObject({ rule: 'ADDON-CASCADE', code: 'INVALID_STATUS' });
    expect(r.message).toContain(base._id);
  });

  it('PAUSE-RESUME: a legacy subscription is reactivated, not resumed (NOT_SUPPORTED)', () => {
    const r = refused(resume(legacySub({ status: 'suspended', suspendedBy: 'partner' })));
    expect(r).toMatchObject({ rule: 'PAUSE-EFFECT', code: 'NOT_SUPPORTED' });
    expect(r.message).toContain('reactivateSubscription');
  });
});
