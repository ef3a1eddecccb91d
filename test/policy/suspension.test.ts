import { describe, expect, it } from 'vitest';
import type { CustomerDoc, SubscriptionDoc, SubscriptionStatus } from '../../src/db/documents.js';
import { canTransition, STATUS_TRANSITIONS, usersHaveAccess } from '../../src/policy/states.js';
import {
  cascadeTargets,
  checkReason,
  dataDeletionDate,
  dataDeletionGraceDays,
  decideReactivate,
  decideSuspend,
  SUSPENSION_REASONS,
} from '../../src/policy/suspension.js';
import {
  addOnSub,
  adminAgent,
  after,
  allowed,
  at,
  customer,
  DAY,
  HOUR,
  isvSub,
  kinds,
  ledger,
  legacySub,
  nceSub,
  noRoles,
  refused,
  setOf,
  T0,
} from './harness.js';

const suspend = ({
  subscription,
  reason = 'non_payment',
  addOns = [],
  now = at(HOUR),
  cust = customer(),
}: {
  subscription: SubscriptionDoc;
  reason?: string;
  addOns?: SubscriptionDoc[];
  now?: Date;
  cust?: CustomerDoc;
}) => decideSuspend({ subscription, addOns, customer: cust, reason, actor: adminAgent, now });
const reactivate = (subscription: SubscriptionDoc, addOns: SubscriptionDoc[] = [], now = at(10 * DAY)) =>
  decideReactivate({ subscription, addOns, actor: adminAgent, now });

/** A customer whose first billing came `days` days after the account opened. */
const openedThenBilled = (days: number) =>
  customer({ accountOpenedAt: new Date('2024-01-01T00:00:00Z'), firstBillingAt: new Date(Date.UTC(2024, 0, 1) + days * DAY) });

describe('reasons (GEN-REASON)', () => {
  it('GEN-REASON: a partner suspends for the customer asked, non-payment or fraud', () => {
    expect(SUSPENSION_REASONS).toEqual(['customer_request', 'non_payment', 'fraud']);
    for (const reason of SUSPENSION_REASONS) expect(checkReason(reason)).toBeNull();
  });

  it("GEN-REASON: any other reason is refused (INVALID_VALUE on field 'reason') and names the three", () => {
    const r = refused(suspend({ subscription: legacySub(), reason: 'because' }));
    expect(r).toMatchObject({ rule: 'GEN-REASON', code: 'INVALID_VALUE', field: 'reason' });
    expect(r.message).toContain('customer_request, non_payment, fraud');
    expect(r.message).toContain("'because'");
  });

  it('GEN-REASON: the suspension records its reason', () => {
    const s = legacySub();
    const d = allowed(suspend({ subscription: s, reason: 'fraud' }));
    expect(setOf(d.effects, s._id).suspensionReasons).toEqual(['fraud']);
  });
});

describe('what may be suspended (SUSP-NCE-SUPPORT, SUSP-STATES)', () => {
  it('SUSP-NCE-SUPPORT: a new-commerce subscription cannot be suspended self-serve: the refusal says to open a service request', () => {
    const r = refused(suspend({ subscription: nceSub() }));
    expect(r).toMatchObject({ rule: 'SUSP-NCE-SUPPORT', code: 'NOT_SUPPORTED' });
    expect(r.message).toContain('open a service request with Microsoft support');
    expect(r.message).toContain('pauseSubscription');
  });

  it('SUSP-NCE-SUPPORT: a new-commerce subscription cannot be reactivated self-serve either', () => {
    const r = refused(reactivate(nceSub({ status: 'suspended', suspendedBy: 'pause' })));
    expect(r).toMatchObject({ rule: 'SUSP-NCE-SUPPORT', code: 'NOT_SUPPORTED' });
    expect(r.message).toContain('resumeSubscription');
  });

  it('SUSP-NCE-SUPPORT: a marketplace subscription cannot be suspended self-serve', () => {
    expect(refused(suspend({ subscription: isvSub() }))).toMatchObject({ rule: 'SUSP-NCE-SUPPORT', code: 'NOT_SUPPORTED' });
  });

  it('SUSP-STATES: only an active subscription is suspended (suspended or deleted refused, INVALID_STATUS)', () => {
    expect(refused(suspend({ subscription: legacySub({ status: 'suspended', suspendedBy: 'partner' }) }))).toMatchObject({
      rule: 'SUSP-STATES',
      code: 'INVALID_STATUS',
    });
    expect(refused(suspend({ subscription: legacySub({ status: 'deleted' }) }))).toMatchObject({
      rule: 'SUSP-STATES',
      code: 'INVALID_STATUS',
    });
  });

  it('ROLE-SUBSCRIPTIONS: a caller without roles cannot suspend or reactivate', () => {
    expect(
      refused(decideSuspend({ subscription: legacySub(), addOns: [], customer: customer(), reason: 'fraud', actor: noRoles, now: T0 })),
    ).toMatchObject({ rule: 'ROLE-SUBSCRIPTIONS', code: 'ROLE_NOT_ALLOWED' });
    expect(
      refused(
        decideReactivate({ subscription: legacySub({ status: 'suspended', suspendedBy: 'partner' }), addOns: [], actor: noRoles, now: T0 }),
      ),
    ).toMatchObject({ rule: 'ROLE-SUBSCRIPTIONS', code: 'ROLE_NOT_ALLOWED' });
  });
});

describe('the status table (SUSP-STATES, SUSP-EFFECT)', () => {
  const all: SubscriptionStatus[] = ['pending', 'active', 'suspended', 'deleted', 'expired', 'disabled'];

  it('SUSP-STATES: active <-> suspended, pending -> active, and any live status -> deleted', () => {
    expect(canTransition('active', 'suspended')).toBe(true);
    expect(canTransition('suspended', 'active')).toBe(true);
    expect(canTransition('pending', 'active')).toBe(true);
    for (const from of ['pending', 'active', 'suspended'] as const) expect(canTransition(from, 'deleted'), from).toBe(true);
  });

  it('SUSP-STATES: deleted is final: it moves to no other status', () => {
    expect(STATUS_TRANSITIONS.deleted).toEqual([]);
    for (const to of all) expect(canTransition('deleted', to), to).toBe(to === 'deleted');
  });

  it('SUSP-STATES: nothing moves into expired, disabled or pending (no expired-but-working state)', () => {
    for (const from of all) {
      for (const to of ['expired', 'disabled', 'pending'] as const) expect(canTransition(from, to), `${from}->${to}`).toBe(from === to);
    }
    expect(canTransition('suspended', 'pending')).toBe(false);
    expect(canTransition('expired', 'active')).toBe(false);
  });

  it('SUSP-EFFECT: users have access only while the subscription is active', () => {
    expect(all.filter((status) => usersHaveAccess({ status }))).toEqual(['active']);
  });

  it('SUSP-EFFECT: a suspended subscription loses access the moment it is suspended', () => {
    const s = legacySub();
    expect(usersHaveAccess(after(s, allowed(suspend({ subscription: s })).effects))).toBe(false);
  });
});

describe('data deletion deadline (SUSP-DATA-DELETION)', () => {
  it('SUSP-DATA-DELETION: the grace is 90 days when the first billing came at opening', () => {
    expect(dataDeletionGraceDays(openedThenBilled(0))).toBe(90);
  });

  it('SUSP-DATA-DELETION: the grace is 90 days plus the days between opening and first billing (10 days -> 100)', () => {
    expect(dataDeletionGraceDays(openedThenBilled(10))).toBe(100);
    expect(dataDeletionGraceDays(openedThenBilled(30))).toBe(120);
  });

  it('SUSP-DATA-DELETION: the grace is capped at 120 days (first billing 45 days after opening -> 120)', () => {
    expect(dataDeletionGraceDays(openedThenBilled(31))).toBe(120);
    expect(dataDeletionGraceDays(openedThenBilled(45))).toBe(120);
  });

  it('SUSP-DATA-DELETION: a first billing before the opening does not shorten the grace below 90 days', () => {
    expect(
      dataDeletionGraceDays(
        customer({ accountOpenedAt: new Date('2024-02-01T00:00:00Z'), firstBillingAt: new Date('2024-01-01T00:00:00Z') }),
      ),
    ).toBe(90);
  });

  it('SUSP-DATA-DELETION: the deletion instant is the suspension instant + grace x 24 h (14 days -> 104 days)', () => {
    expect(dataDeletionDate(customer(), T0)).toEqual(new Date('2027-02-13T09:00:00.000Z'));
    expect(dataDeletionDate(openedThenBilled(45), at(HOUR))).toEqual(new Date('2027-03-01T10:00:00.000Z'));
  });

  it('SUSP-DATA-DELETION: suspending sets dataDeletionAt and reports the date it will expire', () => {
    const s = legacySub();
    const now = at(HOUR);
    const d = allowed(suspend({ subscription: s, reason: 'non_payment', addOns: [], now, cust: openedThenBilled(10) }));
    expect(d.dataDeletionDate).toEqual(new Date('2027-02-09T10:00:00.000Z'));
    expect(setOf(d.effects, s._id)).toEqual({
      status: 'suspended',
      suspendedBy: 'partner',
      suspendedAt: now,
      dataDeletionAt: new Date('2027-02-09T10:00:00.000Z'),
      suspensionReasons: ['non_payment'],
      updatedAt: now,
    });
    expect(d.summary).toContain('2027-02-09T10:00:00.000Z');
  });
});

describe('suspend and reactivate with add-ons (SUSP-REACTIVATE, ADDON-CASCADE)', () => {
  const base = legacySub();
  const activeAddOn = addOnSub(base, { _id: 'addon-active' });
  const ownSuspended = addOnSub(base, {
    _id: 'addon-own',
    status: 'suspended',
    suspendedBy: 'partner',
    suspendedAt: T0,
    suspensionReasons: ['fraud'],
    dataDeletionAt: at(90 * DAY),
  });

  it('ADDON-CASCADE: suspending a base suspends its active add-ons (suspendedBy cascade), with the same deadline and reason', () => {
    const now = at(HOUR);
    const d = allowed(suspend({ subscription: base, reason: 'customer_request', addOns: [activeAddOn, ownSuspended], now }));
    expect(d.cascadedAddOnIds).toEqual(['addon-active']);
    expect(kinds(d.effects)).toEqual(['update', 'update', 'audit']);
    expect(setOf(d.effects, 'addon-active')).toEqual({
      status: 'suspended',
      suspendedBy: 'cascade',
      suspendedAt: now,
      dataDeletionAt: d.dataDeletionDate,
      suspensionReasons: ['customer_request'],
      updatedAt: now,
    });
    expect(ledger(d.effects)).toEqual([]);
  });

  it('SUSP-REACTIVATE: reactivating restores access and clears the suspension fields', () => {
    const now = at(10 * DAY);
    const suspended = after(base, allowed(suspend({ subscription: base })).effects);
    const d = allowed(reactivate(suspended, [], now));
    expect(setOf(d.effects, base._id)).toEqual({
      status: 'active',
      suspendedBy: null,
      suspendedAt: null,
      dataDeletionAt: null,
      suspensionReasons: [],
      updatedAt: now,
    });
    expect(usersHaveAccess(after(suspended, d.effects))).toBe(true);
    expect(d.dataDeletionDate).toBeNull();
  });

  it('ADDON-CASCADE: reactivating a base brings back the add-ons its suspension cascaded to, and an add-on suspended by the partner itself stays suspended', () => {
    const s1 = allowed(suspend({ subscription: base, reason: 'non_payment', addOns: [activeAddOn, ownSuspended] }));
    const suspendedBase = after(base, s1.effects);
    const cascaded = after(activeAddOn, s1.effects);
    const d = allowed(reactivate(suspendedBase, [cascaded, ownSuspended]));
    expect(d.cascadedAddOnIds).toEqual(['addon-active']);
    expect(setOf(d.effects, 'addon-active')).toMatchObject({ status: 'active', suspendedBy: null });
    expect(d.effects.some((e) => e.kind === 'update' && e.id === 'addon-own')).toBe(false);
  });

  it('ADDON-CASCADE: an add-on suspended with its base cannot be reactivated on its own', () => {
    const cascaded = addOnSub(base, { status: 'suspended', suspendedBy: 'cascade' });
    const r = refused(reactivate(cascaded));
    expect(r).toMatchObject({ rule: 'ADDON-CASCADE', code: 'INVALID_STATUS' });
    expect(r.message).toContain(base._id);
  });

  it('ADDON-CASCADE: cascadeTargets of an add-on is empty (add-ons have no add-ons)', () => {
    expect(cascadeTargets(activeAddOn, [activeAddOn], 'suspend')).toEqual([]);
    expect(cascadeTargets(base, [activeAddOn, ownSuspended], 'restore')).toEqual([]);
  });

  it('SUSP-REACTIVATE: reactivating an active subscription is refused (NO_CHANGE); a deleted one (SUSP-STATES, INVALID_STATUS)', () => {
    expect(refused(reactivate(legacySub()))).toMatchObject({ rule: 'SUSP-REACTIVATE', code: 'NO_CHANGE' });
    expect(refused(reactivate(legacySub({ status: 'deleted', deletedReason: 'data_deleted' })))).toMatchObject({
      rule: 'SUSP-STATES',
      code: 'INVALID_STATUS',
    });
  });
});
