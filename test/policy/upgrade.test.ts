import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OfferDoc, SubscriptionDoc } from '../../src/db/documents.js';
import { insertedSubscriptions } from '../../src/policy/effects.js';
import { decideUpgrade, type UpgradeInput } from '../../src/policy/upgrade.js';
import { anOffer } from '../support/fixtures.js';
import {
  addOnSub,
  adminAgent,
  after,
  allowed,
  at,
  contoso,
  customer,
  DAY,
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
  refused,
  setOf,
  TERM_END,
  unrelatedOffer,
  upgradeOffer,
} from './harness.js';

/** 24 h + 1 ms after T0: 2 days used, 363 of 365 left. */
const NOW = at(DAY + 1);

function upgrade(source: SubscriptionDoc, quantity: number, extra: Partial<UpgradeInput> = {}) {
  return decideUpgrade({
    source,
    sourceOffer: nceOffer(),
    targetOffer: upgradeOffer(),
    targetSubscription: null,
    quantity,
    timing: 'now',
    sourceAddOns: [],
    customer: customer(),
    partner: contoso,
    actor: adminAgent,
    now: NOW,
    ids,
    ...extra,
  });
}

/** An existing subscription of the target offer B: 5 seats at 2000, same term as the source. */
const existingTarget = (overrides: Partial<SubscriptionDoc> = {}) =>
  nceSub({
    _id: 'target-b',
    offerId: OFFER.B,
    offerName: 'Microsoft 365 E5',
    quantity: 5,
    unitPriceCents: 2000,
    chargedCents: 10000,
    ...overrides,
  });

describe('partial upgrade into a new subscription (UPG-PARTIAL, UPG-SAME-END)', () => {
  it('UPG-PARTIAL: moving 3 of 10 licences leaves the source with 7, credited 3 x 1200 x 363 / 365 = 3580 cents', () => {
    const s = nceSub();
    const d = allowed(upgrade(s, 3));
    expect(d).toMatchObject({
      upgradeType: 'partial',
      timing: 'now',
      sourceSubscriptionId: s._id,
      targetSubscriptionId: 'sub-0',
      creditCents: 3580,
    });
    expect(setOf(d.effects, s._id)).toEqual({
      quantity: 7,
      chargedCents: 12000 - 3580,
      scheduledNextTermInstructions: null,
      scheduledUpgrade: null,
      // MONEY-PRORATE: the 3 moved seats keep the days they were used here, as an ended group.
      seatGroups: [
        { quantity: 7, since: s.effectiveStartDate },
        { quantity: 3, since: s.effectiveStartDate, until: NOW },
      ],
      updatedAt: NOW,
    });
    expect(kinds(d.effects)).toEqual(['update', 'ledger', 'insert', 'insert', 'ledger', 'audit']);
    expect(d.licenceReassignmentRequired).toBe(true);
  });

  it('UPG-PARTIAL: the new target holds 3 licences of B, charged 3 x 2000 x 363 / 365 = 5967 cents', () => {
    const s = nceSub();
    const d = allowed(upgrade(s, 3));
    expect(d.chargeCents).toBe(5967);
    expect(ledger(d.effects).map((e) => [e.source.id, e.amountCents, e.kind, e.ruleId, e.orderId])).toEqual([
      [s._id, -3580, 'credit', 'UPG-PARTIAL', 'order-0'],
      ['sub-0', 5967, 'prorated_charge', 'UPG-SAME-END', 'order-0'],
    ]);
    const [created] = insertedSubscriptions(d.effects);
    expect(created).toEqual({
      _id: 'sub-0',
      partnerId: contoso._id,
      customerId: s.customerId,
      offerId: OFFER.B,
      offerName: 'Microsoft 365 E5',
      commerceType: 'new_commerce',
      billingType: 'license',
      publisher: 'microsoft',
      friendlyName: s.friendlyName,
      quantity: 3,
      status: 'active',
      suspensionReasons: [],
      suspendedBy: null,
      suspendedAt: null,
      dataDeletionAt: null,
      autoRenewEnabled: true,
      billingCycle: 'monthly',
      termDuration: 'P1Y',
      unitPriceCents: 2000,
      currency: 'USD',
      chargedCents: 5967,
      isTrial: false,
      trialConvertsToOfferId: null,
      creationDate: NOW,
      effectiveStartDate: NOW,
      commitmentEndDate: TERM_END,
      orderId: 'order-0',
      orderedAt: NOW,
      parentSubscriptionId: null,
      upgradedFromSubscriptionId: s._id,
      partnerIdOnRecord: '',
      fulfilment: null,
      scheduledNextTermInstructions: null,
      scheduledUpgrade: null,
      cancelAtTermEnd: false,
      deletedReason: null,
      deletedAt: null,
      updatedAt: NOW,
      version: 0,
      // UPG-SAME-END, MONEY-PRORATE: charged over the source's term, and priced over it.
      pricingTermStart: s.effectiveStartDate,
    });
  });

  it('UPG-SAME-END: the new target ends when its source ends (2027-11-01T09:00Z), not a year after the upgrade', () => {
    const [created] = insertedSubscriptions(allowed(upgrade(nceSub(), 3)).effects);
    expect(created!.commitmentEndDate).toEqual(nceSub().commitmentEndDate);
    expect(created!.commitmentEndDate).toEqual(TERM_END);
  });

  it('UPG-PARTIAL: the upgrade writes one order (order-0) with one convert line for the moved licences', () => {
    const d = allowed(upgrade(nceSub(), 3));
    const order = d.effects.find((e) => e.kind === 'insert' && e.collection === 'orders');
    expect(order).toMatchObject({
      doc: {
        _id: 'order-0',
        totalPriceCents: 5967,
        pricesIncludeTax: false,
        lineItems: [
          { lineItemNumber: 0, offerId: OFFER.B, subscriptionId: 'sub-0', quantity: 3, transactionType: 'convert', totalPriceCents: 5967 },
        ],
      },
    });
  });

  it('UPG-PARTIAL: a legacy subscription cannot upgrade some of its licences (NOT_SUPPORTED), only all', () => {
    const upOffer = anOffer({ _id: OFFER.LEGACY_UP, commerceType: 'legacy', productType: 'OnlineServices' });
    const s = legacySub();
    const legacy = { sourceOffer: legacyOffer(), targetOffer: upOffer };
    expect(refused(upgrade(s, 3, legacy))).toMatchObject({ rule: 'UPG-PARTIAL', code: 'NOT_SUPPORTED', field: 'quantity' });
    const full = allowed(upgrade(s, 10, legacy));
    expect(full.upgradeType).toBe('full');
    expect(setOf(full.effects, s._id)).toMatchObject({ quantity: 0, status: 'deleted', deletedReason: 'upgraded' });
  });

  it('UPG-PARTIAL: moving 0 or more licences than the source has is refused (INVALID_VALUE)', () => {
    for (const q of [0, 11, 2.5])
      expect(refused(upgrade(nceSub(), q)), String(q)).toMatchObject({ rule: 'UPG-PARTIAL', code: 'INVALID_VALUE' });
  });
});

describe('full upgrade (UPG-FULL)', () => {
  it("UPG-FULL: moving all 10 licences ends the source: quantity 0, deleted, reason 'upgraded', credited 11934 cents", () => {
    const s = nceSub();
    const d = allowed(upgrade(s, 10));
    expect(d).toMatchObject({ upgradeType: 'full', creditCents: 11934, chargeCents: 19890, licenceReassignmentRequired: false });
    expect(setOf(d.effects, s._id)).toEqual({
      quantity: 0,
      chargedCents: 12000 - 11934,
      scheduledNextTermInstructions: null,
      scheduledUpgrade: null,
      status: 'deleted',
      deletedReason: 'upgraded',
      deletedAt: NOW,
      autoRenewEnabled: false,
      updatedAt: NOW,
    });
    expect(ledger(d.effects).map((e) => [e.amountCents, e.ruleId])).toEqual([
      [-11934, 'UPG-FULL'],
      [19890, 'UPG-SAME-END'],
    ]);
  });

  it('UPG-FULL: a full upgrade is refused while the source has live add-ons (NOT_ELIGIBLE); ended add-ons do not count', () => {
    const s = nceSub();
    const r = refused(upgrade(s, 10, { sourceAddOns: [addOnSub(s)] }));
    expect(r).toMatchObject({ rule: 'UPG-FULL', code: 'NOT_ELIGIBLE', field: 'quantity' });
    expect(allowed(upgrade(s, 10, { sourceAddOns: [addOnSub(s, { status: 'deleted' })] })).upgradeType).toBe('full');
    expect(allowed(upgrade(s, 9, { sourceAddOns: [addOnSub(s)] })).upgradeType).toBe('partial');
  });
});

describe('preconditions (UPG-ACTIVE, UPG-ELIGIBLE)', () => {
  it('UPG-ACTIVE: upgrades start only from active subscriptions (paused or deleted: INVALID_STATUS)', () => {
    for (const status of ['suspended', 'deleted'] as const) {
      expect(refused(upgrade(nceSub({ status, suspendedBy: status === 'suspended' ? 'pause' : null }), 3))).toMatchObject({
        rule: 'UPG-ACTIVE',
        code: 'INVALID_STATUS',
      });
    }
  });

  it('UPG-ELIGIBLE: a target that is not an upgrade path of the source is refused, naming the paths', () => {
    const r = refused(upgrade(nceSub(), 3, { targetOffer: unrelatedOffer() }));
    expect(r).toMatchObject({ rule: 'UPG-ELIGIBLE', code: 'NOT_ELIGIBLE', field: 'targetOfferId' });
    expect(r.message).toContain(OFFER.B);
  });

  it('UPG-ELIGIBLE: a target without a plan matching the source billing and term is refused', () => {
    const s = nceSub({ termDuration: 'P3Y', commitmentEndDate: new Date('2029-11-01T09:00:00.000Z') });
    expect(refused(upgrade(s, 3))).toMatchObject({ rule: 'UPG-ELIGIBLE', code: 'NOT_ELIGIBLE', field: 'targetOfferId' });
  });

  it('UPG-ELIGIBLE: a marketplace subscription has no upgrade paths (NOT_SUPPORTED)', () => {
    expect(refused(upgrade(isvSub(), 3, { sourceOffer: isvOffer() }))).toMatchObject({ rule: 'UPG-ELIGIBLE', code: 'NOT_SUPPORTED' });
  });

  it('SCHED-TRIAL: a trial is not upgraded: it converts to its paid SKU at term end', () => {
    expect(refused(upgrade(nceSub({ isTrial: true }), 3))).toMatchObject({ rule: 'SCHED-TRIAL', code: 'NOT_SUPPORTED' });
  });

  it('ROLE-SUBSCRIPTIONS: a caller without roles cannot upgrade', () => {
    expect(refused(upgrade(nceSub(), 3, { actor: noRoles }))).toMatchObject({ rule: 'ROLE-SUBSCRIPTIONS', code: 'ROLE_NOT_ALLOWED' });
  });
});

describe('timing (UPG-TIMING, UPG-CLEARS-SCHEDULED)', () => {
  it('UPG-TIMING: an upgrade for term end saves scheduledUpgrade on the source and moves no licence and no money', () => {
    const s = nceSub();
    const d = allowed(upgrade(s, 3, { timing: 'term_end' }));
    expect(d).toMatchObject({ timing: 'term_end', creditCents: 0, chargeCents: 0, targetSubscriptionId: null, upgradeType: 'partial' });
    expect(kinds(d.effects)).toEqual(['update', 'audit']);
    expect(setOf(d.effects, s._id)).toEqual({
      scheduledUpgrade: { targetOfferId: OFFER.B, quantity: 3, targetSubscriptionId: null },
      updatedAt: NOW,
    });
    expect(d.summary).toContain('2027-11-01T09:00:00.000Z');
  });

  it('UPG-TIMING: an upgrade for term end into an existing target names it', () => {
    const s = nceSub();
    const d = allowed(upgrade(s, 3, { timing: 'term_end', targetSubscription: existingTarget() }));
    expect(setOf(d.effects, s._id)).toMatchObject({
      scheduledUpgrade: { targetOfferId: OFFER.B, quantity: 3, targetSubscriptionId: 'target-b' },
    });
  });

  it('UPG-TIMING: an upgrade for term end needs auto-renew on (SCHED-PREREQ)', () => {
    expect(refused(upgrade(nceSub({ autoRenewEnabled: false }), 3, { timing: 'term_end' }))).toMatchObject({ rule: 'SCHED-PREREQ' });
  });

  it('UPG-CLEARS-SCHEDULED: a mid-term upgrade removes the scheduled upgrade and scheduled changes of the source (SCHED-CLEARED)', () => {
    const s = nceSub({
      scheduledNextTermInstructions: { offerId: OFFER.A, quantity: 4, billingCycle: 'monthly', termDuration: 'P1Y' },
      scheduledUpgrade: { targetOfferId: OFFER.B, quantity: 2, targetSubscriptionId: null },
    });
    const set = setOf(allowed(upgrade(s, 3)).effects, s._id);
    expect(set).toMatchObject({ scheduledNextTermInstructions: null, scheduledUpgrade: null });
  });
});

describe('target (UPG-TARGET) and licence conservation (UPG-FULL)', () => {
  it('UPG-TARGET: an existing target of the target SKU grows by the moved licences, charged prorated to its own term end', () => {
    const s = nceSub();
    const t = existingTarget();
    const d = allowed(upgrade(s, 3, { targetSubscription: t }));
    expect(d).toMatchObject({ targetSubscriptionId: 'target-b', creditCents: 3580, chargeCents: 5967 });
    expect(setOf(d.effects, 'target-b')).toEqual({
      quantity: 8,
      chargedCents: 10000 + 5967,
      seatGroups: [
        { quantity: 5, since: t.effectiveStartDate },
        { quantity: 3, since: NOW },
      ],
      scheduledNextTermInstructions: null,
      scheduledUpgrade: null,
      updatedAt: NOW,
    });
    expect(insertedSubscriptions(d.effects)).toEqual([]);
    expect(ledger(d.effects).map((e) => [e.source.id, e.amountCents, e.ruleId])).toEqual([
      [s._id, -3580, 'UPG-PARTIAL'],
      ['target-b', 5967, 'UPG-TARGET'],
    ]);
  });

  it('UPG-TARGET: an existing target ending later is charged to its own end (3 x 2000 x 400 / 400 days left = 6000)', () => {
    const t = existingTarget({ effectiveStartDate: NOW, commitmentEndDate: at(DAY + 1 + 400 * DAY) });
    expect(allowed(upgrade(nceSub(), 3, { targetSubscription: t })).chargeCents).toBe(6000);
  });

  it('UPG-TARGET: a target of another offer, another customer, not active, an add-on, or the source itself is refused', () => {
    const bad: [string, SubscriptionDoc][] = [
      ['wrong offer', existingTarget({ offerId: OFFER.C })],
      ['other customer', existingTarget({ customerId: 'someone-else' })],
      ['suspended', existingTarget({ status: 'suspended', suspendedBy: 'pause' })],
      ['add-on', existingTarget({ parentSubscriptionId: 'base' })],
    ];
    for (const [what, t] of bad) {
      expect(refused(upgrade(nceSub(), 3, { targetSubscription: t })), what).toMatchObject({
        rule: 'UPG-TARGET',
        code: 'NOT_ELIGIBLE',
        field: 'targetSubscriptionId',
      });
    }
    const selfTarget: OfferDoc = nceOffer({ upgradeTargetIds: [OFFER.A] });
    expect(refused(upgrade(nceSub(), 3, { sourceOffer: selfTarget, targetOffer: nceOffer(), targetSubscription: nceSub() }))).toMatchObject(
      {
        rule: 'UPG-TARGET',
        code: 'INVALID_VALUE',
      },
    );
  });

  it('UPG-TARGET: the target may not grow past the offer maximum (LIMIT_EXCEEDED)', () => {
    expect(refused(upgrade(nceSub(), 3, { targetSubscription: existingTarget({ quantity: 298 }) }))).toMatchObject({
      rule: 'UPG-PARTIAL',
      code: 'LIMIT_EXCEEDED',
    });
  });

  it('UPG-FULL: no licence is lost or duplicated: source + target quantities before and after are equal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.boolean(), fc.integer({ min: 0, max: 300 }), (quantity, intoExisting, day) => {
        const s = nceSub();
        const t = intoExisting ? existingTarget() : null;
        const d = allowed(upgrade(s, quantity, { targetSubscription: t, now: at(day * DAY) }));
        const before = s.quantity + (t?.quantity ?? 0);
        const source = after(s, d.effects);
        const target = t ? after(t, d.effects) : insertedSubscriptions(d.effects)[0]!;
        expect(source.quantity + target.quantity).toBe(before);
        expect(source.quantity).toBe(10 - quantity);
        expect(source.status).toBe(quantity === 10 ? 'deleted' : 'active');
      }),
      { numRuns: 100 },
    );
  });
});
