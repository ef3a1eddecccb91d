/** Add-ons of a base subscription (ADDON-*): which, bought when, charged what, suspended how. */
import type { BillingPlan, OfferDoc } from '../db/documents.js';
import { alignedAddOnCharge, checkAddOnPartnerType } from '../policy/add-on.js';
import { pricedTermStart } from '../policy/money.js';
import { billingMonthLabel } from '../policy/billing.js';
import { addOnEligible } from '../policy/catalog.js';
import { dataDeletionDate } from '../policy/suspension.js';
import { DAY, HOUR, MINUTE } from '../policy/time.js';
import { billedUntilAt, billingStop, chargeMonths, laterMonths, monthPart } from './billing.js';
import { OFFER_IDS, OFFERS_BY_ID } from './catalog.js';
import type { PlannedAddOn } from './showcase.js';
import { subscriptionDoc, type PlacedBase } from './subscription-doc.js';
import { clamp, lineFor, MAX_SUBSCRIPTIONS, type Tenant } from './tenant.js';
import { reasons, type Timeline, activeTimeline } from './timeline.js';

export interface AddOnChoice {
  offer: OfferDoc;
  plan: BillingPlan;
  planned: PlannedAddOn;
}

/** The add-ons a base gets: its planned ones, or up to two at random, each on the base's plan. */
export function addOnsFor(g: Tenant, placed: PlacedBase): AddOnChoice[] {
  const { offer, plan, doc: base, t, planned } = placed;
  if (checkAddOnPartnerType(g.partner) !== null) return [];
  // Bought while the base was active: it still is, or was suspended (or paused) since.
  if (base.status !== 'active' && !(base.status === 'suspended' && base.suspendedBy !== null)) return [];
  if (base.isTrial || offer.eligibleAddOnIds.length === 0) return [];
  const eligible = (id: string) => {
    const a = OFFERS_BY_ID.get(id);
    if (!a || !addOnEligible(offer, a, g.customer)) return null;
    const p = g.planOf(a, plan.billingCycle, plan.termDuration);
    return p ? { offer: a, plan: p } : null;
  };
  if (planned.addOns) {
    return planned.addOns.flatMap((pa) => {
      const e = eligible(pa.offerId);
      return e ? [{ ...e, planned: pa }] : [];
    });
  }
  const candidates = offer.eligibleAddOnIds.flatMap((id) => {
    const e = eligible(id);
    return e ? [e] : [];
  });
  const wanted = g.rng.weighted([
    [0, 50],
    [1, 36],
    [2, 14],
  ]);
  const room = Math.max(0, MAX_SUBSCRIPTIONS - g.subCount);
  const suspendedBase = t.status === 'suspended' && t.suspendedBy === 'partner';
  return g.rng.sample(candidates, Math.min(wanted, room)).map((e) => ({
    ...e,
    planned: { offerId: e.offer._id, sameOrder: g.rng.chance(0.5), suspendedByPartner: suspendedBase && g.rng.chance(0.15) },
  }));
}

/** ADDON-ALIGN: the add-on's term ends with its base's; bought mid-term, its first charge is prorated. */
export function addAddOn(g: Tenant, placed: PlacedBase, choice: AddOnChoice): void {
  const { doc: base, t: bt, order: baseOrder } = placed;
  const { offer, plan, planned } = choice;
  const lastMoment = (bt.suspendedAt ?? g.now) - 10 * MINUTE;
  const lo = Math.max(bt.c, bt.s) + HOUR;
  const sameOrder = planned.sameOrder === true || lo > lastMoment;
  const bought = sameOrder ? bt.c : g.between(lo, lastMoment);
  const start = sameOrder ? bt.s : bought;
  const quantity =
    offer._id === OFFER_IDS.legacyExtraFileStorage
      ? clamp(g.rng.int(10, 2000), offer)
      : clamp(Math.min(base.quantity, g.pickQuantity(offer)), offer);
  const prorated = !sameOrder;
  const termPrice = plan.unitPriceCents * quantity;
  // BILL-MONTHLY: on a base billed monthly, the first charge runs to the end of the base's billing month then.
  const baseBilledUntil = billedUntilAt(plan, bt.s, bt.e, bought);
  const first = prorated
    ? alignedAddOnCharge(plan.unitPriceCents, quantity, { ...base, billedUntil: baseBilledUntil }, new Date(bought))
    : monthPart(plan, termPrice, 0);

  const t: Timeline = activeTimeline({ c: bought, s: start, e: bt.e, autoRenew: bt.autoRenew, fulfilment: null });
  if (bt.status === 'suspended' && bt.suspendedAt !== null) {
    t.status = 'suspended';
    const partnerLo = Math.max(bought + HOUR, g.now - (g.graceDays - 1) * DAY);
    const partnerHi = bt.suspendedAt - HOUR;
    if (planned.suspendedByPartner && bt.suspendedBy === 'partner' && partnerLo <= partnerHi) {
      t.suspendedBy = 'partner';
      t.suspendedAt = g.between(partnerLo, partnerHi);
      t.dataDeletionAt = dataDeletionDate(g.customer, new Date(t.suspendedAt)).getTime();
      t.reasons = reasons(g);
    } else {
      // ADDON-CASCADE: suspended with its base, restored with it.
      t.suspendedBy = 'cascade';
      t.suspendedAt = bt.suspendedAt;
      t.dataDeletionAt = bt.dataDeletionAt;
      t.reasons = bt.reasons.slice();
    }
  }
  // Its later billing months are charged with its base's, while both were billed.
  const later = laterMonths(plan, bt.s, Math.max(bought, bt.s), Math.min(billingStop(bt, g.now), billingStop(t, g.now)));
  const charged = first + later.reduce((n, m) => n + monthPart(plan, termPrice, m.n), 0);
  const order = sameOrder ? baseOrder : g.draft(bought, plan.billingCycle);
  const doc = subscriptionDoc(g, {
    offer,
    plan,
    quantity,
    t,
    orderId: order.id,
    orderedAt: bought,
    chargedCents: charged,
    parentSubscriptionId: base._id,
  });
  doc.billedUntil = billedUntilAt(plan, bt.s, bt.e, later.at(-1)?.at ?? bought);
  const source = { type: 'subscription', id: doc._id } as const;
  g.addLine(order, lineFor(offer, doc, 'new', first), {
    amount: first,
    kind: prorated ? 'prorated_charge' : 'charge',
    ruleId: prorated ? 'ADDON-ALIGN' : null,
    source,
  });
  if (sameOrder && bt.s > bt.c) {
    g.ledger({
      amountCents: first,
      kind: 'charge',
      source,
      orderId: null,
      ruleId: 'RENEW-DEFAULT',
      description: `Renewal: ${offer.name} x ${quantity}${billingMonthLabel(plan, 0)}`,
      at: bt.s,
    });
  }
  // MONEY-PRORATE, ADDON-ALIGN: bought mid-term, it is priced over its base's term, as a live purchase.
  if (prorated) doc.pricingTermStart = pricedTermStart(base);
  chargeMonths(g, { months: later, plan, termPriceCents: termPrice, name: offer.name, quantity, subscriptionId: doc._id });
  g.out.subscriptions.push(doc);
  g.subCount++;
  if (!sameOrder) g.closeOrder(order);
}
