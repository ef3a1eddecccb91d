/**
 * Base subscriptions: a planned or random subscription with its history (timeline.ts), its order
 * and ledger, its add-ons (add-ons.ts), its upgrade (upgrades.ts) and a change saved for renewal.
 */
import type { BillingPlan, OfferDoc, SubscriptionDoc } from '../db/documents.js';
import { cancelTerms, type CancelTerms } from '../policy/cancellation.js';
import { checkSchedulable, checkSchedulePrereq, skuChangeKind } from '../policy/scheduled-change.js';
import { billingMonthLabel } from '../policy/billing.js';
import { addAddOn, addOnsFor } from './add-ons.js';
import { billedUntilAt, billingStop, chargeMonths, laterMonths, monthPart } from './billing.js';
import { CATALOG, OFFERS_BY_ID } from './catalog.js';
import type { PlannedSub } from './showcase.js';
import { subscriptionDoc, type PlacedBase } from './subscription-doc.js';
import { clamp, lineFor, MAX_SUBSCRIPTIONS, type Tenant } from './tenant.js';
import { timeline } from './timeline.js';
import { addUpgradeTarget, upgradeTarget } from './upgrades.js';

/**
 * CANCEL-*: what cancelling the subscription at `at` refunded, as the policy decides it for the
 * subscription as it was just before (live, not yet deleted).
 */
function cancellation(doc: SubscriptionDoc, at: number): CancelTerms {
  const before: SubscriptionDoc = { ...doc, status: 'active', deletedReason: null, deletedAt: null };
  const terms = cancelTerms(before, new Date(at));
  if ('allowed' in terms || terms.mode !== 'immediate') {
    throw new Error(
      `seed: subscription ${doc._id} is seeded as cancelled at ${new Date(at).toISOString()}, which the policy would not do at once`,
    );
  }
  return terms;
}

/** Adds a base subscription, its add-ons and follow-ups; false when the customer cannot have it. */
export function addSubscription(g: Tenant, planned: PlannedSub): boolean {
  const offer = OFFERS_BY_ID.get(planned.offerId);
  if (!offer || !g.available(offer)) return false;
  const plan = (planned.plan && g.planOf(offer, ...planned.plan)) || g.pickPlan(offer);
  let scenario = planned.scenario;
  let upgradeTo: OfferDoc | undefined;
  if (scenario === 'upgraded') {
    // The upgrade adds a subscription: only when the customer stays within six.
    upgradeTo = g.subCount < MAX_SUBSCRIPTIONS - 1 ? upgradeTarget(g, offer, plan) : undefined;
    if (!upgradeTo) scenario = 'active';
  }
  // A scenario the customer's age does not allow falls back to a plain active one (never for a
  // trial, whose 30 days do not follow the renewal schedule).
  const t = timeline(g, offer, plan, scenario) ?? (scenario === 'active' || offer.trial ? null : timeline(g, offer, plan, 'active'));
  if (!t) return false;
  const quantity = clamp(planned.quantity ?? g.pickQuantity(offer), offer);

  const termPrice = plan.unitPriceCents * quantity;
  // BILL-MONTHLY: the first month at the term's start, each later one as the clock passed it.
  const first = monthPart(plan, termPrice, 0);
  const later = t.fulfilment === 'action_needed' ? [] : laterMonths(plan, t.s, t.s, billingStop(t, g.now));
  const charged = t.fulfilment === 'action_needed' ? 0 : first + later.reduce((n, m) => n + monthPart(plan, termPrice, m.n), 0);
  const order = g.draft(t.c, plan.billingCycle);
  const doc = subscriptionDoc(g, {
    offer,
    plan,
    quantity,
    t,
    orderId: order.id,
    orderedAt: t.c,
    chargedCents: charged,
    parentSubscriptionId: null,
  });
  if (charged > 0) doc.billedUntil = billedUntilAt(plan, t.s, t.e, later.at(-1)?.at ?? t.s);
  const source = { type: 'subscription', id: doc._id } as const;
  const cancel = t.cancelledAt === null ? null : cancellation(doc, t.cancelledAt);
  g.addLine(
    order,
    lineFor(offer, doc, 'new', first),
    t.fulfilment === 'action_needed' ? null : { amount: first, kind: 'charge', ruleId: null, source },
    // The order shows cancelled when the cancellation gave back everything it charged.
    cancel !== null && cancel.refundCents > 0 && cancel.refundCents === charged,
  );
  g.subCount++;
  if (t.s > t.c && charged > 0) {
    g.ledger({
      amountCents: first,
      kind: 'charge',
      source,
      orderId: null,
      ruleId: 'RENEW-DEFAULT',
      description: `Renewal: ${offer.name} x ${quantity}${billingMonthLabel(plan, 0)}`,
      at: t.s,
    });
  }
  chargeMonths(g, { months: later, plan, termPriceCents: termPrice, name: offer.name, quantity, subscriptionId: doc._id });
  if (cancel) {
    g.ledger({
      amountCents: -cancel.refundCents,
      kind: 'refund',
      source,
      orderId: order.id,
      ruleId: cancel.rule,
      description: `Cancellation refund: ${offer.name}`,
      at: t.cancelledAt!,
    });
  }

  const placed: PlacedBase = { offer, plan, doc, t, order, planned };
  for (const a of addOnsFor(g, placed)) addAddOn(g, placed, a);

  if (upgradeTo && t.upgradeAt !== null) addUpgradeTarget(g, placed, upgradeTo);
  // SCHED-KINDS, SCHED-TRIAL, SCHED-PREREQ: only where the policy would let the partner schedule; seats only for licences.
  if (
    checkSchedulable(doc) === null &&
    checkSchedulePrereq(doc) === null &&
    doc.billingType === 'license' &&
    (planned.schedule || g.rng.chance(0.1))
  ) {
    doc.scheduledNextTermInstructions = scheduledChange(g, offer, plan, quantity);
  }
  g.out.subscriptions.push(doc);
  g.closeOrder(order);
  return true;
}

/** SCHED-KINDS: a change saved for the next term: fewer seats, another billing plan, or a downgrade. */
function scheduledChange(
  g: Tenant,
  offer: OfferDoc,
  plan: BillingPlan,
  quantity: number,
): SubscriptionDoc['scheduledNextTermInstructions'] {
  const options: NonNullable<SubscriptionDoc['scheduledNextTermInstructions']>[] = [];
  const same = { billingCycle: plan.billingCycle, termDuration: plan.termDuration };
  if (quantity > offer.minQuantity) {
    options.push({ offerId: offer._id, quantity: g.rng.int(offer.minQuantity, quantity - 1), ...same });
  }
  for (const p of offer.billingPlans) {
    if (p !== plan && (p.termDuration === plan.termDuration || (plan.termDuration === 'P1M' && p.termDuration === 'P1Y'))) {
      options.push({ offerId: offer._id, quantity, billingCycle: p.billingCycle, termDuration: p.termDuration });
    }
  }
  for (const lower of CATALOG) {
    if (skuChangeKind(offer, lower) === 'downgrade' && g.available(lower) && g.planOf(lower, plan.billingCycle, plan.termDuration)) {
      options.push({ offerId: lower._id, quantity: clamp(quantity, lower), ...same });
    }
  }
  return options.length > 0 ? g.rng.pick(options) : null;
}
