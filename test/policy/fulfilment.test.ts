import { describe, expect, it } from 'vitest';
import type { SubscriptionDoc } from '../../src/db/documents.js';
import { decideConfirmFulfillment } from '../../src/policy/fulfilment.js';
import { usersHaveAccess } from '../../src/policy/states.js';
import {
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
  nceSub,
  refused,
  setOf,
  pendingIsvSub,
} from './harness.js';

const NOW = at(2 * DAY + 3 * HOUR);
const confirm = (subscription: SubscriptionDoc, actor = adminAgent, now = NOW) => decideConfirmFulfillment({ subscription, actor, now });

describe('publisher confirmation (CAT-ISV-FULFILMENT)', () => {
  it('CAT-ISV-FULFILMENT: confirming set-up activates the subscription, starts its first term now and charges 10 x 500', () => {
    const s = pendingIsvSub();
    const d = allowed(confirm(s));
    expect(d.chargeCents).toBe(5000);
    expect(kinds(d.effects)).toEqual(['update', 'ledger', 'audit']);
    expect(setOf(d.effects, s._id)).toEqual({
      status: 'active',
      fulfilment: { ...s.fulfilment!, status: 'fulfilled' },
      effectiveStartDate: NOW,
      commitmentEndDate: new Date('2026-12-03T12:00:00.000Z'),
      chargedCents: 5000,
      billedUntil: null,
      updatedAt: NOW,
    });
    expect(ledger(d.effects)).toEqual([
      {
        partnerId: s.partnerId,
        customerId: s.customerId,
        amountCents: 5000,
        currency: 'USD',
        kind: 'charge',
        source: { type: 'subscription', id: s._id },
        orderId: s.orderId,
        ruleId: 'CAT-ISV-FULFILMENT',
        description: 'Marketplace set-up confirmed: Contoso SaaS x 10',
        at: NOW,
      },
    ]);
  });

  it('CAT-ISV-FULFILMENT: an annual ISV subscription confirmed is charged its annual price and ends a year later', () => {
    const s = pendingIsvSub({ billingCycle: 'annual', termDuration: 'P1Y', unitPriceCents: 5000, quantity: 2 });
    const d = allowed(confirm(s));
    expect(d.chargeCents).toBe(10000);
    expect(setOf(d.effects, s._id)).toMatchObject({ commitmentEndDate: new Date('2027-11-03T12:00:00.000Z') });
  });

  it('CAT-ISV-FULFILMENT: the users get access only once the publisher has confirmed', () => {
    const s = pendingIsvSub();
    expect(usersHaveAccess(s)).toBe(false);
    expect(usersHaveAccess(after(s, allowed(confirm(s)).effects))).toBe(true);
  });

  it('CAT-ISV-FULFILMENT: confirming twice is refused (NO_CHANGE), so it is never charged twice', () => {
    const s = pendingIsvSub();
    const confirmed = after(s, allowed(confirm(s)).effects);
    expect(refused(confirm(confirmed, adminAgent, at(3 * DAY)))).toMatchObject({ rule: 'CAT-ISV-FULFILMENT', code: 'NO_CHANGE' });
    expect(refused(confirm(isvSub()))).toMatchObject({ rule: 'CAT-ISV-FULFILMENT', code: 'NO_CHANGE' });
  });

  it('CAT-ISV-FULFILMENT: a Microsoft subscription has no publisher confirmation (NOT_SUPPORTED)', () => {
    expect(refused(confirm(nceSub()))).toMatchObject({ rule: 'CAT-ISV-FULFILMENT', code: 'NOT_SUPPORTED' });
  });

  it('ROLE-MARKETPLACE: only a global admin or admin agent may confirm a marketplace fulfilment', () => {
    expect(refused(confirm(pendingIsvSub(), anActor(['billing_admin'])))).toMatchObject({
      rule: 'ROLE-MARKETPLACE',
      code: 'ROLE_NOT_ALLOWED',
    });
    expect(allowed(confirm(pendingIsvSub(), anActor(['global_admin']))).chargeCents).toBe(5000);
  });
});
