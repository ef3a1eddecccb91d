import { describe, expect, it } from 'vitest';
import type { OfferDoc, SubscriptionDoc } from '../../src/db/documents.js';
import { decideUpdate, type SubscriptionPatch } from '../../src/policy/edit.js';
import { decidePurchase } from '../../src/policy/purchase.js';
import {
  adminAgent,
  after,
  allowed,
  anActor,
  at,
  contoso,
  customer,
  DAY,
  HOUR,
  ids,
  isvOffer,
  isvSub,
  kinds,
  ledger,
  legacyOffer,
  legacySub,
  nceOffer,
  nceSub,
  noRoles,
  OFFER,
  pendingIsvSub,
  refused,
  setOf,
  T0,
} from './harness.js';

const update = (subscription: SubscriptionDoc, patch: SubscriptionPatch, now = at(DAY + 1), offer: OfferDoc = nceOffer()) =>
  decideUpdate({ subscription, offer, patch, actor: adminAgent, now });

const scheduled = {
  scheduledNextTermInstructions: { offerId: OFFER.C, quantity: 5, billingCycle: 'monthly', termDuration: 'P1Y' },
  scheduledUpgrade: { targetOfferId: OFFER.B, quantity: 2, targetSubscriptionId: null },
} as const satisfies Partial<SubscriptionDoc>;

describe('nickname and reseller (SUB-EDIT)', () => {
  it('SUB-EDIT: the nickname is edited (trimmed); nothing is charged', () => {
    const s = nceSub();
    const now = at(HOUR);
    const d = allowed(update(s, { friendlyName: '  Sales team  ' }, now));
    expect(setOf(d.effects, s._id)).toEqual({ friendlyName: 'Sales team', updatedAt: now });
    expect(d.chargeCents).toBe(0);
    expect(d.scheduledChangesCleared).toBe(false);
    expect(kinds(d.effects)).toEqual(['update', 'audit']);
    expect(d.effects[1]).toMatchObject({
      kind: 'audit',
      event: {
        operationType: 'update_subscription',
        resourceOldValue: JSON.stringify({ friendlyName: s.friendlyName, updatedAt: s.updatedAt }),
      },
    });
  });

  it('SUB-EDIT: a nickname of only spaces or over 250 characters is refused (INVALID_VALUE, field friendlyName)', () => {
    expect(refused(update(nceSub(), { friendlyName: '   ' }))).toMatchObject({
      rule: 'SUB-EDIT',
      code: 'INVALID_VALUE',
      field: 'friendlyName',
    });
    expect(refused(update(nceSub(), { friendlyName: 'x'.repeat(251) }))).toMatchObject({ rule: 'SUB-EDIT', field: 'friendlyName' });
    expect(allowed(update(nceSub(), { friendlyName: 'x'.repeat(250) })).chargeCents).toBe(0);
  });

  it('SUB-EDIT: the indirect reseller (MPN ID, 5 to 10 digits, or "" for none) is edited', () => {
    const s = nceSub();
    expect(setOf(allowed(update(s, { partnerIdOnRecord: ' 1000003 ' })).effects, s._id)).toMatchObject({ partnerIdOnRecord: '1000003' });
    const withReseller = nceSub({ partnerIdOnRecord: '1000003' });
    expect(setOf(allowed(update(withReseller, { partnerIdOnRecord: '' })).effects, s._id)).toMatchObject({ partnerIdOnRecord: '' });
    expect(refused(update(s, { partnerIdOnRecord: 'abc' }))).toMatchObject({ rule: 'SUB-EDIT', code: 'INVALID_VALUE', field: 'partnerId' });
  });

  it('SUB-EDIT: a patch that changes nothing is refused (NO_CHANGE)', () => {
    const s = nceSub();
    expect(refused(update(s, {}))).toMatchObject({ rule: 'SUB-EDIT', code: 'NO_CHANGE' });
    expect(refused(update(s, { friendlyName: ` ${s.friendlyName} `, quantity: 10, autoRenewEnabled: true }))).toMatchObject({
      rule: 'SUB-EDIT',
      code: 'NO_CHANGE',
    });
  });

  it('SUSP-STATES: a deleted subscription can no longer be edited', () => {
    expect(refused(update(nceSub({ status: 'deleted' }), { friendlyName: 'x' }))).toMatchObject({
      rule: 'SUSP-STATES',
      code: 'INVALID_STATUS',
    });
  });

  it('SUB-EDIT: a suspended subscription can be renamed but its quantity cannot change (INVALID_STATUS)', () => {
    const s = legacySub({ status: 'suspended', suspendedBy: 'partner' });
    expect(allowed(update(s, { friendlyName: 'Renamed' }, at(HOUR), legacyOffer())).chargeCents).toBe(0);
    expect(refused(update(s, { quantity: 12 }, at(HOUR), legacyOffer()))).toMatchObject({ rule: 'SUB-EDIT', code: 'INVALID_STATUS' });
  });

  it('ROLE-SUBSCRIPTIONS: a caller without roles cannot edit a subscription', () => {
    expect(
      refused(decideUpdate({ subscription: nceSub(), offer: nceOffer(), patch: { friendlyName: 'x' }, actor: noRoles, now: T0 })),
    ).toMatchObject({ rule: 'ROLE-SUBSCRIPTIONS', code: 'ROLE_NOT_ALLOWED' });
  });
});

describe('seats (SUB-QTY-INCREASE, SUB-QTY-DECREASE-NCE)', () => {
  it('SUB-QTY-INCREASE: 10 -> 15 seats 24 h + 1 ms after start charges 5 x 1200 x 363 / 365 = 5967 cents now', () => {
    const s = nceSub();
    const now = at(DAY + 1);
    const d = allowed(update(s, { quantity: 15 }, now));
    expect(d.chargeCents).toBe(5967);
    expect(setOf(d.effects, s._id)).toEqual({
      quantity: 15,
      chargedCents: 12000 + 5967,
      // MONEY-PRORATE: the 5 added seats form their own group, counted from now.
      seatGroups: [
        { quantity: 10, since: T0 },
        { quantity: 5, since: now },
      ],
      updatedAt: now,
    });
    expect(ledger(d.effects)).toEqual([
      {
        partnerId: s.partnerId,
        customerId: s.customerId,
        amountCents: 5967,
        currency: 'USD',
        kind: 'prorated_charge',
        source: { type: 'subscription', id: s._id },
        orderId: null,
        ruleId: 'SUB-QTY-INCREASE',
        description: 'Seat increase: Microsoft 365 E3 10 -> 15',
        at: now,
      },
    ]);
  });

  it('SUB-QTY-INCREASE: 10 -> 11 seats 100 days after start charges 1200 x 265 / 365 = 871 cents; chargedCents grows to 12871', () => {
    const s = nceSub();
    const d = allowed(update(s, { quantity: 11 }, at(100 * DAY)));
    expect(d.chargeCents).toBe(871);
    expect(after(s, d.effects)).toMatchObject({ quantity: 11, chargedCents: 12871 });
  });

  it('SUB-QTY-INCREASE: a quantity above the offer maximum is refused (LIMIT_EXCEEDED)', () => {
    expect(refused(update(nceSub(), { quantity: 301 }))).toMatchObject({ rule: 'SUB-EDIT', code: 'LIMIT_EXCEEDED', field: 'quantity' });
    expect(refused(update(nceSub(), { quantity: 10.5 }))).toMatchObject({ rule: 'SUB-EDIT', code: 'LIMIT_EXCEEDED' });
  });

  it('SUB-QTY-DECREASE-NCE: a new-commerce seat reduction mid-term is refused, pointing to scheduleChange at renewal', () => {
    const r = refused(update(nceSub(), { quantity: 8 }));
    expect(r).toMatchObject({ rule: 'SUB-QTY-DECREASE-NCE', code: 'INVALID_VALUE', field: 'quantity' });
    expect(r.message).toContain('scheduleChange');
    expect(r.message).toContain('2027-11-01T09:00:00.000Z');
  });

  it('SUB-QTY-DECREASE-NCE: a legacy subscription reduces mid-term with a credit of 2 x 1200 x 265 / 365 = 1742 cents', () => {
    const s = legacySub();
    const now = at(100 * DAY);
    const d = allowed(update(s, { quantity: 8 }, now, legacyOffer()));
    expect(d.chargeCents).toBe(-1742);
    expect(setOf(d.effects, s._id)).toEqual({
      quantity: 8,
      chargedCents: 12000 - 1742,
      // MONEY-PRORATE: the 2 removed seats keep the days they were used, as an ended group.
      seatGroups: [
        { quantity: 8, since: T0 },
        { quantity: 2, since: T0, until: now },
      ],
      updatedAt: now,
    });
    expect(ledger(d.effects).map((e) => [e.amountCents, e.kind, e.ruleId])).toEqual([[-1742, 'credit', 'SUB-QTY-DECREASE-NCE']]);
  });

  it('SUB-QTY-DECREASE-NCE: a marketplace subscription may reduce mid-term', () => {
    const d = allowed(update(isvSub(), { quantity: 9 }, at(2 * DAY), isvOffer()));
    // One seat, 28 of 30 days left: 500 x 28 / 30 = 466.67.
    expect(d.chargeCents).toBe(-467);
  });

  it('SUB-EDIT: a usage-based subscription has no quantity to edit (NOT_SUPPORTED)', () => {
    const s = isvSub({ billingType: 'usage', quantity: 1 });
    expect(refused(update(s, { quantity: 2 }, at(HOUR), isvOffer({ billingType: 'usage' })))).toMatchObject({
      rule: 'SUB-EDIT',
      code: 'NOT_SUPPORTED',
    });
  });
});

describe('awaiting the publisher (SUB-ACTION-NEEDED)', () => {
  it('SUB-ACTION-NEEDED: while an ISV subscription awaits its publisher, its nickname can be edited', () => {
    const s = pendingIsvSub();
    expect(setOf(allowed(update(s, { friendlyName: 'CRM' }, at(HOUR), isvOffer())).effects, s._id)).toMatchObject({ friendlyName: 'CRM' });
  });

  it('SUB-ACTION-NEEDED: while an ISV subscription awaits its publisher, a quantity change is refused (ACTION_REQUIRED)', () => {
    const r = refused(update(pendingIsvSub(), { quantity: 12 }, at(HOUR), isvOffer()));
    expect(r).toMatchObject({ rule: 'SUB-ACTION-NEEDED', code: 'ACTION_REQUIRED', field: 'quantity' });
    expect(r.message).toContain('action needed');
  });

  it('SUB-ACTION-NEEDED: auto-renew and reseller cannot change either while it awaits its publisher', () => {
    expect(refused(update(pendingIsvSub(), { autoRenewEnabled: false }, at(HOUR), isvOffer()))).toMatchObject({
      rule: 'SUB-ACTION-NEEDED',
      field: 'autoRenewEnabled',
    });
    expect(refused(update(pendingIsvSub(), { partnerIdOnRecord: '1000003' }, at(HOUR), isvOffer()))).toMatchObject({
      rule: 'SUB-ACTION-NEEDED',
      field: 'partnerId',
    });
  });
});

describe('auto-renew (RENEW-TOGGLE, RENEW-DEFAULT, SCHED-CLEARED)', () => {
  it('RENEW-TOGGLE: a new-commerce subscription turns auto-renew off and on again', () => {
    const s = nceSub();
    const off = after(s, allowed(update(s, { autoRenewEnabled: false })).effects);
    expect(off.autoRenewEnabled).toBe(false);
    const on = allowed(update(off, { autoRenewEnabled: true }));
    expect(setOf(on.effects, s._id)).toMatchObject({ autoRenewEnabled: true });
    expect(on.scheduledChangesCleared).toBe(false);
  });

  it('RENEW-TOGGLE: a marketplace subscription turns auto-renew off', () => {
    expect(setOf(allowed(update(isvSub(), { autoRenewEnabled: false }, at(HOUR), isvOffer())).effects, isvSub()._id)).toMatchObject({
      autoRenewEnabled: false,
    });
  });

  it('RENEW-TOGGLE: a legacy subscription cannot turn auto-renew off (NOT_SUPPORTED)', () => {
    expect(refused(update(legacySub(), { autoRenewEnabled: false }, at(HOUR), legacyOffer()))).toMatchObject({
      rule: 'RENEW-TOGGLE',
      code: 'NOT_SUPPORTED',
      field: 'autoRenewEnabled',
    });
  });

  it('CANCEL-FINAL: auto-renew cannot be turned back on for a subscription cancelled at term end', () => {
    const s = isvSub({ cancelAtTermEnd: true, autoRenewEnabled: false });
    expect(refused(update(s, { autoRenewEnabled: true }, at(2 * DAY), isvOffer()))).toMatchObject({
      rule: 'CANCEL-FINAL',
      code: 'INVALID_STATUS',
    });
  });

  it('SCHED-CLEARED: turning auto-renew off removes the scheduled changes (they require it)', () => {
    const s = nceSub(scheduled);
    const now = at(3 * DAY);
    const d = allowed(update(s, { autoRenewEnabled: false }, now));
    expect(setOf(d.effects, s._id)).toEqual({
      autoRenewEnabled: false,
      scheduledNextTermInstructions: null,
      scheduledUpgrade: null,
      updatedAt: now,
    });
    expect(d.scheduledChangesCleared).toBe(true);
  });

  it('SCHED-CLEARED: a mid-term seat increase removes the saved scheduled changes', () => {
    const s = nceSub(scheduled);
    const d = allowed(update(s, { quantity: 11 }, at(100 * DAY)));
    expect(setOf(d.effects, s._id)).toMatchObject({ quantity: 11, scheduledNextTermInstructions: null, scheduledUpgrade: null });
    expect(d.scheduledChangesCleared).toBe(true);
    expect(d.summary).toContain('scheduled changes removed');
  });

  it('SCHED-CLEARED: a nickname edit keeps the scheduled changes', () => {
    const s = nceSub(scheduled);
    const d = allowed(update(s, { friendlyName: 'Renamed' }));
    expect(setOf(d.effects, s._id)).not.toHaveProperty('scheduledNextTermInstructions');
    expect(d.scheduledChangesCleared).toBe(false);
  });

  it('RENEW-DEFAULT: a purchased subscription has auto-renew on by default', () => {
    const d = allowed(
      decidePurchase({
        customer: customer(),
        partner: contoso,
        lines: [{ offer: nceOffer(), quantity: 3, billingCycle: 'monthly', termDuration: 'P1Y' }],
        existing: [],
        actor: anActor(['sales_agent']),
        now: T0,
        ids,
      }),
    );
    expect(d.subscriptions.map((s) => s.autoRenewEnabled)).toEqual([true]);
  });
});
