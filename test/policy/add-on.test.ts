import { describe, expect, it } from 'vitest';
import type { SubscriptionDoc } from '../../src/db/documents.js';
import {
  checkAddOnEligible,
  checkAddOnPartnerType,
  checkBaseActive,
  decidePurchaseAddOn,
  type AddOnInput,
} from '../../src/policy/add-on.js';
import { addOnEligible } from '../../src/policy/catalog.js';
import {
  addOnOffer,
  addOnSub,
  adminAgent,
  allowed,
  anActor,
  at,
  contoso,
  customer,
  DAY,
  fabrikam,
  ids,
  kinds,
  ledger,
  nceOffer,
  nceSub,
  noRoles,
  OFFER,
  refused,
  tailspin,
  TERM_END,
  upgradeOffer,
} from './harness.js';

const NOW = at(100 * DAY);

function buy(base: SubscriptionDoc = nceSub(), extra: Partial<AddOnInput> = {}) {
  return decidePurchaseAddOn({
    base,
    baseOffer: nceOffer(),
    addOnOffer: addOnOffer(),
    customer: customer(),
    partner: contoso,
    quantity: 4,
    actor: adminAgent,
    now: NOW,
    ids,
    ...extra,
  });
}

describe('aligned with its base (ADDON-ALIGN)', () => {
  it('ADDON-ALIGN: an add-on bought 100 days into the base term is charged 4 x 600 x 265 / 365 = 1742 cents', () => {
    const base = nceSub();
    const d = allowed(buy(base));
    expect(d.chargeCents).toBe(1742);
    expect(ledger(d.effects)).toEqual([
      {
        partnerId: base.partnerId,
        customerId: base.customerId,
        amountCents: 1742,
        currency: 'USD',
        kind: 'prorated_charge',
        source: { type: 'subscription', id: 'sub-0' },
        orderId: 'order-0',
        ruleId: 'ADDON-ALIGN',
        description: 'Add-on: Teams Phone x 4, prorated to 2027-11-01T09:00:00.000Z',
        at: NOW,
      },
    ]);
  });

  it('ADDON-ALIGN: the add-on starts now and ends when the base term ends', () => {
    const base = nceSub();
    const d = allowed(buy(base));
    expect(d.addOn).toMatchObject({
      _id: 'sub-0',
      parentSubscriptionId: base._id,
      offerId: OFFER.X,
      quantity: 4,
      unitPriceCents: 600,
      effectiveStartDate: NOW,
      commitmentEndDate: TERM_END,
      chargedCents: 1742,
      autoRenewEnabled: true,
      status: 'active',
      orderId: 'order-0',
    });
    expect(kinds(d.effects)).toEqual(['insert', 'insert', 'ledger', 'audit']);
    expect(d.effects[1]).toMatchObject({
      kind: 'insert',
      collection: 'orders',
      doc: {
        _id: 'order-0',
        totalPriceCents: 1742,
        lineItems: [{ subscriptionId: 'sub-0', quantity: 4, transactionType: 'new', totalPriceCents: 1742 }],
      },
    });
  });

  it("ADDON-ALIGN: an add-on bought at the base's start is charged the full term (2400); bought on its last day, one day (7); at its end, nothing (0)", () => {
    expect(allowed(buy(nceSub(), { now: nceSub().effectiveStartDate })).chargeCents).toBe(2400);
    // Exactly 364 days after the start: 364 used, 1 left -> 2400 x 1 / 365 = 6.58 -> 7.
    expect(allowed(buy(nceSub(), { now: at(364 * DAY) })).chargeCents).toBe(7);
    expect(allowed(buy(nceSub(), { now: at(364 * DAY + 1) })).chargeCents).toBe(0);
  });

  it("ADDON-ALIGN: the add-on follows the base's auto-renew setting", () => {
    expect(allowed(buy(nceSub({ autoRenewEnabled: false }))).addOn.autoRenewEnabled).toBe(false);
  });

  it("ADDON-ELIGIBLE: an add-on without a plan matching the base's billing and term is refused", () => {
    const base = nceSub({ billingCycle: 'annual' });
    expect(refused(buy(base))).toMatchObject({ rule: 'ADDON-ELIGIBLE', code: 'NOT_ELIGIBLE', field: 'offerId' });
  });
});

describe('preconditions (ADDON-BASE-ACTIVE, ADDON-PARTNER-TYPE, ADDON-ELIGIBLE)', () => {
  it('ADDON-BASE-ACTIVE: an add-on cannot be bought for a suspended (paused) base (INVALID_STATUS)', () => {
    const r = refused(buy(nceSub({ status: 'suspended', suspendedBy: 'pause' })));
    expect(r).toMatchObject({ rule: 'ADDON-BASE-ACTIVE', code: 'INVALID_STATUS', field: 'subscriptionId' });
  });

  it('ADDON-BASE-ACTIVE: nor for a deleted or pending base, nor for an add-on', () => {
    expect(checkBaseActive(nceSub({ status: 'deleted' }))).toMatchObject({ rule: 'ADDON-BASE-ACTIVE', code: 'INVALID_STATUS' });
    expect(checkBaseActive(nceSub({ status: 'pending' }))).toMatchObject({ rule: 'ADDON-BASE-ACTIVE', code: 'INVALID_STATUS' });
    expect(checkBaseActive(addOnSub(nceSub()))).toMatchObject({ rule: 'ADDON-BASE-ACTIVE', code: 'INVALID_VALUE' });
    expect(checkBaseActive(nceSub())).toBeNull();
  });

  it('ADDON-PARTNER-TYPE: an indirect reseller cannot buy add-ons (NOT_SUPPORTED)', () => {
    const r = refused(buy(nceSub(), { partner: tailspin, actor: anActor(['admin_agent'], tailspin) }));
    expect(r).toMatchObject({ rule: 'ADDON-PARTNER-TYPE', code: 'NOT_SUPPORTED' });
  });

  it('ADDON-PARTNER-TYPE: direct-bill partners and indirect providers can', () => {
    expect(checkAddOnPartnerType(contoso)).toBeNull();
    expect(checkAddOnPartnerType(fabrikam)).toBeNull();
    expect(allowed(buy(nceSub(), { partner: fabrikam, actor: anActor(['admin_agent'], fabrikam) })).chargeCents).toBe(1742);
  });

  it("ADDON-ELIGIBLE: an add-on not listed for the base's offer is refused (NOT_ELIGIBLE, field offerId)", () => {
    const r = refused(buy(nceSub(), { baseOffer: nceOffer({ eligibleAddOnIds: [] }) }));
    expect(r).toMatchObject({ rule: 'ADDON-ELIGIBLE', code: 'NOT_ELIGIBLE', field: 'offerId' });
  });

  it("ADDON-ELIGIBLE: an add-on not sold in the customer's region or segment is refused", () => {
    expect(refused(buy(nceSub(), { addOnOffer: addOnOffer({ countries: ['DE'] }) }))).toMatchObject({ rule: 'ADDON-ELIGIBLE' });
    expect(refused(buy(nceSub(), { addOnOffer: addOnOffer({ segments: ['education'] }) }))).toMatchObject({ rule: 'ADDON-ELIGIBLE' });
    expect(checkAddOnEligible(nceOffer(), addOnOffer({ countries: ['US'] }), customer())).toBeNull();
  });

  it('ADDON-ELIGIBLE: an offer that is not an add-on is not accepted as one', () => {
    expect(addOnEligible(nceOffer({ eligibleAddOnIds: [OFFER.B] }), upgradeOffer(), customer())).toBe(false);
  });

  it('ADDON-ELIGIBLE: a quantity outside the add-on bounds is refused (LIMIT_EXCEEDED)', () => {
    expect(refused(buy(nceSub(), { quantity: 0 }))).toMatchObject({ rule: 'ADDON-ELIGIBLE', code: 'LIMIT_EXCEEDED', field: 'quantity' });
  });

  it('SUB-EDIT: a nickname given with the add-on is 1 to 250 characters, as a rename; none or a blank one is the offer name', () => {
    expect(refused(buy(nceSub(), { friendlyName: 'x'.repeat(251) }))).toMatchObject({
      rule: 'SUB-EDIT',
      code: 'INVALID_VALUE',
      field: 'friendlyName',
    });
    for (const friendlyName of ['x'.repeat(250), '  ', null, undefined]) expect(buy(nceSub(), { friendlyName }).allowed).toBe(true);
  });

  it('ROLE-SUBSCRIPTIONS: a caller without roles cannot buy an add-on', () => {
    expect(refused(buy(nceSub(), { actor: noRoles }))).toMatchObject({ rule: 'ROLE-SUBSCRIPTIONS', code: 'ROLE_NOT_ALLOWED' });
  });
});
