/** Upgrades: a subscription upgraded mid-term to another SKU (UPG-*). */
import type { BillingPlan, OfferDoc } from '../db/documents.js';
import { pricedTermStart } from '../policy/money.js';
import { newTargetCharge, upgradeCredit } from '../policy/upgrade.js';
import { billedUntilAt, chargeMonths, laterMonths, monthPart } from './billing.js';
import { OFFERS_BY_ID } from './catalog.js';
import { subscriptionDoc, type PlacedBase } from './subscription-doc.js';
import { clamp, lineFor, type Tenant } from './tenant.js';
import { activeTimeline, type Timeline } from './timeline.js';

export function upgradeTarget(g: Tenant, offer: OfferDoc, plan: BillingPlan): OfferDoc | undefined {
  const targets = offer.upgradeTargetIds
    .map((id) => OFFERS_BY_ID.get(id))
    .filter((o): o is OfferDoc => !!o && g.available(o) && !!g.planOf(o, plan.billingCycle, plan.termDuration));
  return targets.length > 0 ? g.rng.pick(targets) : undefined;
}

/** UPG-SAME-END, UPG-FULL: the new subscription ends with its source, and takes all its licences. */
export function addUpgradeTarget(g: Tenant, placed: PlacedBase, target: OfferDoc): void {
  const { offer: source, plan, doc: from, t } = placed;
  const at = t.upgradeAt!;
  const targetPlan = g.planOf(target, plan.billingCycle, plan.termDuration)!;
  const quantity = clamp(from.quantity, target);
  // BILL-MONTHLY: the source's billing month is charged now (from.billedUntil is where its billing stopped:
  // at the upgrade), the later ones with the source's months, as the clock passed them.
  const first = newTargetCharge(targetPlan.unitPriceCents, quantity, from, new Date(at));
  const later = laterMonths(plan, t.s, at, g.now);
  const termPrice = targetPlan.unitPriceCents * quantity;
  const charged = first + later.reduce((n, m) => n + monthPart(targetPlan, termPrice, m.n), 0);
  const tt: Timeline = activeTimeline({ c: at, s: at, e: t.e, autoRenew: g.rng.chance(0.85), fulfilment: null });
  const order = g.draft(at, plan.billingCycle);
  const doc = {
    ...subscriptionDoc(g, {
      offer: target,
      plan: targetPlan,
      quantity,
      t: tt,
      orderId: order.id,
      orderedAt: at,
      chargedCents: charged,
      parentSubscriptionId: null,
    }),
    upgradedFromSubscriptionId: from._id,
    // UPG-SAME-END: charged over its source's term, so priced over it too (MONEY-PRORATE).
    ...(at !== pricedTermStart(from).getTime() ? { pricingTermStart: pricedTermStart(from) } : {}),
    billedUntil: billedUntilAt(plan, t.s, t.e, later.at(-1)?.at ?? at),
  };
  g.addLine(order, lineFor(target, doc, 'convert', first), {
    amount: first,
    kind: 'prorated_charge',
    ruleId: 'UPG-SAME-END',
    source: { type: 'subscription', id: doc._id },
  });
  // The source's unused days come back as a credit.
  const credit = upgradeCredit(from, from.quantity, new Date(at));
  g.ledger({
    amountCents: -credit,
    kind: 'credit',
    source: { type: 'subscription', id: from._id },
    orderId: order.id,
    ruleId: 'UPG-FULL',
    description: `Upgrade credit: ${source.name} to ${target.name}`,
    at,
  });
  chargeMonths(g, { months: later, plan: targetPlan, termPriceCents: termPrice, name: target.name, quantity, subscriptionId: doc._id });
  g.out.subscriptions.push(doc);
  g.subCount++;
  g.closeOrder(order);
}
