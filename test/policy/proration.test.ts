/**
 * One proration model (MONEY-PRORATE) across the operations that charge and refund: a seat
 * increase forms its own seat group, an add-on bought mid-term (ADDON-ALIGN) and a new upgrade
 * target (UPG-SAME-END) are priced over the term their charge was prorated over, and a renewal
 * starts again with one group. The amounts are the issue's, checked by hand.
 */
import { describe, expect, it } from 'vitest';
import type { SubscriptionDoc } from '../../src/db/documents.js';
import { decidePurchaseAddOn } from '../../src/policy/add-on.js';
import { cancelTerms, decideCancel } from '../../src/policy/cancellation.js';
import { decideUpdate } from '../../src/policy/edit.js';
import { insertedSubscriptions } from '../../src/policy/effects.js';
import { decideLifecycleEvent } from '../../src/policy/lifecycle.js';
import { subscriptionRefund } from '../../src/policy/money.js';
import { decideUpgrade } from '../../src/policy/upgrade.js';
import {
  addOnOffer,
  adminAgent,
  after,
  allowed,
  at,
  contoso,
  customer,
  DAY,
  ids,
  ledger,
  nceOffer,
  nceSub,
  T0,
  TERM_END,
  upgradeOffer,
} from './harness.js';

/** The add-on: 240.00 a seat a year. */
const ADDON_PRICE = 24000;

function buyAddOn(base: SubscriptionDoc, now: Date): SubscriptionDoc {
  const d = allowed(
    decidePurchaseAddOn({
      base,
      baseOffer: nceOffer(),
      addOnOffer: addOnOffer({ billingPlans: [{ billingCycle: 'monthly', termDuration: 'P1Y', unitPriceCents: ADDON_PRICE }] }),
      customer: customer(),
      partner: contoso,
      quantity: 1,
      actor: adminAgent,
      now,
      ids,
    }),
  );
  return d.addOn;
}

function refundAt(s: SubscriptionDoc, now: Date): number {
  const t = cancelTerms(s, now);
  if ('allowed' in t) throw new Error(t.message);
  return t.refundCents;
}

describe('aligned add-ons are priced over their base term (MONEY-PRORATE, ADDON-ALIGN)', () => {
  it('ADDON-ALIGN: 240.00 bought 20 days into a 365-day base term is charged 226.85 (240.00 x 345/365)', () => {
    const addOn = buyAddOn(nceSub(), at(20 * DAY));
    expect(addOn.chargedCents).toBe(22685);
    expect(addOn.pricingTermStart).toEqual(T0);
  });

  it('MONEY-PRORATE: that add-on cancelled 11 days later refunds 219.62 (226.85 - 240.00 x 11/365), not 219.20', () => {
    const addOn = buyAddOn(nceSub(), at(20 * DAY));
    expect(refundAt(addOn, at(31 * DAY))).toBe(21962);
  });

  it('MONEY-PRORATE: an add-on charged 19.73 for its base term’s last 30 days refunds 6.58 after 20 days (19.73 - 240.00 x 20/365), not 0.00', () => {
    const addOn = buyAddOn(nceSub(), at(335 * DAY));
    expect(addOn.chargedCents).toBe(1973);
    expect(refundAt(addOn, at(355 * DAY))).toBe(658);
  });

  it('ADDON-CASCADE, MONEY-PRORATE: bought on day 5 and cancelled with its base on day 10, the add-on refunds 233.42 (236.71 - 3.29), not 233.38', () => {
    const base = nceSub();
    const addOn = buyAddOn(base, at(5 * DAY));
    expect(addOn.chargedCents).toBe(23671);
    const d = allowed(decideCancel({ subscription: base, addOns: [addOn], actor: adminAgent, now: at(10 * DAY) }));
    expect(d.addOns).toEqual([{ id: addOn._id, refundCents: 23342, rule: 'CANCEL-NCE-30D' }]);
  });

  it('MONEY-PRORATE: an aligned add-on cancelled on its first day nets to zero: charge - value used - refund = 0 (no day used)', () => {
    const addOn = buyAddOn(nceSub(), at(20 * DAY));
    expect(addOn.chargedCents - refundAt(addOn, at(20 * DAY))).toBe(0);
  });

  it('SUB-QTY-INCREASE, MONEY-PRORATE: seats added to an aligned add-on are charged over the base term too (240.00 x 335/365 = 220.27 on day 30)', () => {
    const addOn = buyAddOn(nceSub(), at(20 * DAY));
    const d = allowed(
      decideUpdate({ subscription: addOn, offer: addOnOffer(), patch: { quantity: 2 }, actor: adminAgent, now: at(30 * DAY) }),
    );
    expect(d.chargeCents).toBe(22027);
  });
});

describe('seat groups counted from when they were added (MONEY-PRORATE, SUB-QTY-INCREASE)', () => {
  const base = () => nceSub({ unitPriceCents: 26400, chargedCents: 264000 });

  it('MONEY-PRORATE: 10 seats at 264.00, 3 more on day 5, cancelled on day 10 refunds 3337.97 (10 x 10 days + 3 x 5 days used), not 3327.12', () => {
    const s = base();
    const d = allowed(decideUpdate({ subscription: s, offer: nceOffer(), patch: { quantity: 13 }, actor: adminAgent, now: at(5 * DAY) }));
    expect(d.chargeCents).toBe(78115);
    const grown = after(s, d.effects);
    expect(grown.chargedCents).toBe(342115);
    expect(refundAt(grown, at(10 * DAY))).toBe(333797);
  });

  it('MONEY-PRORATE: added seats count 0 days at the instant they are added, 1 up to exactly 24 h later, 2 from 24 h + 1 ms', () => {
    const s = base();
    const plus = at(5 * DAY);
    const grown = after(
      s,
      allowed(decideUpdate({ subscription: s, offer: nceOffer(), patch: { quantity: 13 }, actor: adminAgent, now: plus })).effects,
    );
    // The 10 original seats have used 5 days at `plus`, 6 at every later instant below (ceil).
    const ten = (days: number) => 10 * 26400 * days;
    const used = (seatDays: number) => Math.round(seatDays / 365);
    expect(grown.chargedCents - subscriptionRefund(grown, plus)).toBe(used(ten(5)));
    expect(grown.chargedCents - subscriptionRefund(grown, new Date(plus.getTime() + 1))).toBe(used(ten(6) + 3 * 26400 * 1));
    expect(grown.chargedCents - subscriptionRefund(grown, new Date(plus.getTime() + DAY))).toBe(used(ten(6) + 3 * 26400 * 1));
    expect(grown.chargedCents - subscriptionRefund(grown, new Date(plus.getTime() + DAY + 1))).toBe(used(ten(7) + 3 * 26400 * 2));
  });

  it('MONEY-PRORATE: a refund is never above what was charged nor below zero', () => {
    const s = base();
    expect(subscriptionRefund(s, T0)).toBe(264000);
    expect(subscriptionRefund({ ...s, chargedCents: 100 }, at(29 * DAY))).toBe(0);
  });

  it('UPG-PARTIAL, MONEY-PRORATE: seats moved out keep the days they were used; a later refund counts only the seats left', () => {
    const s = nceSub();
    const d = allowed(
      decideUpgrade({
        source: s,
        sourceOffer: nceOffer(),
        targetOffer: upgradeOffer(),
        targetSubscription: null,
        quantity: 3,
        timing: 'now',
        sourceAddOns: [],
        customer: customer(),
        partner: contoso,
        actor: adminAgent,
        now: at(10 * DAY),
        ids,
      }),
    );
    const left = after(s, d.effects);
    // 12000 - credit 3 x 1200 x 355/365 (3501) = 8499; on day 20: used (7 x 20 + 3 x 10) x 1200 / 365 = 559.
    expect(left.chargedCents).toBe(8499);
    expect(refundAt(left, at(20 * DAY))).toBe(8499 - 559);
    // The ledger nets to the value of the seat days used: 10 seats for 10 days, 7 for 10 more.
    expect(12000 - 3501 - (8499 - 559)).toBe(559);
    const [target] = insertedSubscriptions(d.effects);
    expect(target!.pricingTermStart).toEqual(T0);
  });

  it('MONEY-PRORATE: a renewal starts its term with one seat group and its own term (seat groups and pricing term cleared)', () => {
    const s = nceSub({
      seatGroups: [
        { quantity: 10, since: T0 },
        { quantity: 3, since: at(5 * DAY) },
      ],
      quantity: 13,
    });
    const d = allowed(
      decideLifecycleEvent({
        event: { kind: 'renewal', subscriptionId: s._id, due: TERM_END },
        subscription: s,
        addOns: [],
        customer: customer(),
        partner: contoso,
        offers: new Map([[nceOffer()._id, nceOffer()]]),
        upgradeTarget: null,
        ids,
      }),
    );
    const renewed = after(s, d.effects);
    expect(renewed.seatGroups).toBeNull();
    // BILL-MONTHLY: the term is billed monthly, so the renewal charges its first month (1/12 of 13 x 12.00).
    expect(ledger(d.effects).map((e) => e.amountCents)).toEqual([(13 * 1200) / 12]);
    // The renewed term (2027-11-01 to 2028-11-01) spans 366 days; all 13 seats count from its start.
    expect(refundAt(renewed, new Date(TERM_END.getTime() + 2 * DAY))).toBe((13 * 1200) / 12 - Math.round((13 * 1200 * 2) / 366));
  });
});
