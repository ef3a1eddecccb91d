/**
 * The lifecycle of subscriptions as the simulation clock moves (GEN-CLOCK): which event falls due
 * next, and what each does. The engine (src/clock/) asks `nextEvent` for every candidate, applies
 * the earliest event through the write path, and asks again, so events apply in time order.
 */
import type { CustomerDoc, OfferDoc, PartnerDoc } from '../db/documents.js';
import { allow, refuse, type Decision } from './decision.js';
import type { Effect, IdSource } from './effects.js';
import { planFor } from './catalog.js';
import { billingMonthLabel, billingMonths, chargeOfMonthAt, nextBillingAt, termStartCharge, type TermBilling } from './billing.js';
import { auditFor, CLEAR_SCHEDULED, isAddOn, isEnded, isPaused, ledgerFor, updateSub, type Sub } from './common.js';
import { addSeats, formatMoney, newTermPricing, seatsProrated } from './money.js';
import { lineItem, newOrder, newSubscription } from './new-docs.js';
import { addTerm, elapsed } from './time.js';
import { phrased } from './mood.js';

export type LifecycleKind = 'monthly_charge' | 'trial_conversion' | 'renewal' | 'term_end' | 'scheduled_cancellation' | 'data_deletion';

export interface LifecycleEvent {
  kind: LifecycleKind;
  subscriptionId: string;
  due: Date;
}

/**
 * The next event of a subscription due at or before `upTo`, or null. Add-ons have no term events
 * of their own: they follow their base (ADDON-ALIGN); an add-on the partner suspended itself is
 * deleted at its own deadline (SUSP-DATA-DELETION). A subscription suspended by the partner
 * waits for reactivation or its data deletion; one awaiting its publisher has no term yet
 * (CAT-ISV-FULFILMENT).
 */
export function nextEvent(s: Sub, upTo: Date): LifecycleEvent | null {
  if (isEnded(s) || s.status === 'pending') return null;
  if (s.status === 'suspended' && s.suspendedBy === 'partner') {
    return s.dataDeletionAt && elapsed(s.dataDeletionAt, upTo) >= 0
      ? { kind: 'data_deletion', subscriptionId: s._id, due: s.dataDeletionAt }
      : null;
  }
  if (isAddOn(s)) return null;
  // BILL-MONTHLY: the next billing month of a term billed monthly comes before its end; a pause
  // does not stop it (PAUSE-EFFECT: the partner is still billed); a suspension does (above).
  const billing = nextBillingAt(s);
  if (billing && (s.status === 'active' || isPaused(s))) {
    return elapsed(billing, upTo) >= 0 ? { kind: 'monthly_charge', subscriptionId: s._id, due: billing } : null;
  }
  if (elapsed(s.commitmentEndDate, upTo) < 0) return null;
  const kind: LifecycleKind = s.cancelAtTermEnd
    ? 'scheduled_cancellation'
    : !s.autoRenewEnabled || s.status !== 'active'
      ? 'term_end'
      : s.isTrial
        ? 'trial_conversion'
        : 'renewal';
  return { kind, subscriptionId: s._id, due: s.commitmentEndDate };
}

/** A term's start charge as the fields of a new subscription (BILL-MONTHLY). */
function billed(b: TermBilling): { chargedCents: number; billedUntil: Date | null } {
  return { chargedCents: b.chargeCents, billedUntil: b.billedUntil };
}

/** A deterministic operation ID per event, so two gateway instances apply it once. */
export function eventOperationId(e: LifecycleEvent): string {
  return `${e.kind}:${e.subscriptionId}:${e.due.toISOString()}`;
}

export interface LifecycleInput {
  event: LifecycleEvent;
  subscription: Sub;
  addOns: readonly Sub[];
  customer: CustomerDoc;
  partner: PartnerDoc;
  /** Offers by ID: the subscription's, its add-ons', its scheduled or trial target, and upgrade targets. */
  offers: ReadonlyMap<string, OfferDoc>;
  /** An existing target of a scheduled upgrade (UPG-TARGET), if it names one. */
  upgradeTarget: Sub | null;
  ids: IdSource;
}

export interface LifecycleOutcome {
  effects: Effect[];
  kind: LifecycleKind;
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/** Applies one due event; refused (and skipped) when the subscription no longer has it, e.g. another instance applied it. */
export function decideLifecycleEvent(input: LifecycleInput): Decision<LifecycleOutcome> {
  const { event, subscription: s } = input;
  const current = nextEvent(s, event.due);
  if (!current || current.kind !== event.kind || current.due.getTime() !== event.due.getTime()) {
    return refuse('GEN-CLOCK', 'NO_CHANGE', `Subscription ${s._id} has no ${event.kind} due at ${event.due.toISOString()} any more.`);
  }
  switch (event.kind) {
    case 'monthly_charge':
      return allow(chargeMonth(input));
    case 'data_deletion':
      return allow(end(input, 'data_deleted', 'SUSP-DATA-DELETION'));
    case 'term_end':
      return allow(end(input, 'term_ended', 'RENEW-OFF-ENDS'));
    case 'scheduled_cancellation':
      return allow(end(input, 'cancelled', s.billingCycle === 'monthly' ? 'CANCEL-ISV-MONTHLY' : 'CANCEL-ISV-ANNUAL'));
    case 'trial_conversion':
      return convertTrial(input);
    case 'renewal':
      return renew(input);
  }
}

/**
 * BILL-MONTHLY: at the start of each billing month of a term billed monthly, the clock charges
 * that month: the subscription and each of its add-ons billed to the same instant (ADDON-ALIGN),
 * paused ones too (PAUSE-EFFECT), one ledger entry each, dated the month's start, so the month's
 * invoice sums it from the ledger. What has been charged so far grows by it (MONEY-PRORATE).
 */
function chargeMonth(input: LifecycleInput): LifecycleOutcome {
  const { subscription: s, event } = input;
  const at = event.due;
  const months = billingMonths(s);
  const effects: Effect[] = [];
  let total = 0;
  let month = 0;
  for (const x of [s, ...input.addOns]) {
    // A suspension stops the charges while it lasts (an add-on the partner suspended itself).
    const suspended = x.status === 'suspended' && x.suspendedBy === 'partner';
    const billed = x === s || (!isEnded(x) && !suspended && x.status !== 'pending' && x.billedUntil?.getTime() === at.getTime());
    if (!billed) continue;
    const { n, chargeCents, next } = chargeOfMonthAt(x, at);
    if (x === s) month = n;
    total += chargeCents;
    effects.push(updateSub(x, { chargedCents: x.chargedCents + chargeCents, billedUntil: next, updatedAt: at }));
    if (chargeCents > 0) {
      effects.push(
        ledgerFor(x, {
          amountCents: chargeCents,
          kind: 'charge',
          rule: 'BILL-MONTHLY',
          description: `Monthly billing: ${x.offerName} x ${x.quantity}${n >= 0 ? billingMonthLabel(x, n) : ''}`,
          at,
        }),
      );
    }
  }
  const label = `billing month ${month + 1} of ${months}`;
  const amount = formatMoney(total, s.currency);
  effects.push(
    auditFor(null, {
      partnerId: s.partnerId,
      customerId: s.customerId,
      operationType: 'bill_subscription',
      resourceId: s._id,
      at,
      after: { billingMonth: month + 1, billingMonths: months, chargedCents: total, rule: 'BILL-MONTHLY' },
    }),
  );
  return {
    effects,
    kind: event.kind,
    ...phrased(
      `${s._id} charged ${amount} for ${label} (BILL-MONTHLY).`,
      `${s._id} would be charged ${amount} for ${label} (BILL-MONTHLY).`,
    ),
  };
}

/**
 * RENEW-OFF-ENDS (decision): a subscription with auto-renew off ends (deleted, "term ended") when
 * its term ends; SUSP-DATA-DELETION: a suspension past its deadline deletes it with its data;
 * a cancellation scheduled for renewal ends it then. Its add-ons end with it (ADDON-ALIGN).
 */
function end(
  input: LifecycleInput,
  reason: 'data_deleted' | 'term_ended' | 'cancelled',
  rule: 'SUSP-DATA-DELETION' | 'RENEW-OFF-ENDS' | 'CANCEL-ISV-MONTHLY' | 'CANCEL-ISV-ANNUAL',
): LifecycleOutcome {
  const { subscription: s, event } = input;
  const ended = {
    status: 'deleted' as const,
    deletedReason: reason,
    deletedAt: event.due,
    autoRenewEnabled: false,
    ...CLEAR_SCHEDULED,
    updatedAt: event.due,
  };
  const effects: Effect[] = [updateSub(s, ended)];
  for (const a of input.addOns.filter((x) => !isEnded(x))) effects.push(updateSub(a, ended));
  effects.push(
    auditFor(null, {
      partnerId: s.partnerId,
      customerId: s.customerId,
      operationType: 'delete_subscription',
      resourceId: s._id,
      at: event.due,
      after: { status: 'deleted', deletedReason: reason, rule },
    }),
  );
  return {
    effects,
    kind: event.kind,
    ...phrased(`${s._id} ended (${reason}) under ${rule}.`, `${s._id} would end (${reason}) under ${rule}.`),
  };
}

/**
 * CAT-TRIAL, SCHED-TRIAL: at the end of its free trial the subscription converts to its paid SKU
 * by default, starts a paid term and is charged for it; then it renews on that schedule.
 */
function convertTrial(input: LifecycleInput): Decision<LifecycleOutcome> {
  const { subscription: s, event, ids } = input;
  const paid = s.trialConvertsToOfferId ? input.offers.get(s.trialConvertsToOfferId) : undefined;
  const plan = paid && (planFor(paid, s.billingCycle, s.termDuration) ?? paid.billingPlans[0]);
  if (!paid || !plan) return allow(end(input, 'term_ended', 'RENEW-OFF-ENDS'));
  const termEnd = addTerm(event.due, plan.termDuration);
  // BILL-MONTHLY: the paid term billed monthly is charged its first month now.
  const billing = termStartCharge({ ...plan, termPriceCents: plan.unitPriceCents * s.quantity, termStart: event.due });
  const charge = billing.chargeCents;
  const orderId = ids.order(0);
  const converted = {
    ...s,
    offerId: paid._id,
    offerName: paid.name,
    billingCycle: plan.billingCycle,
    termDuration: plan.termDuration,
    unitPriceCents: plan.unitPriceCents,
  };
  const effects: Effect[] = [
    updateSub(s, {
      offerId: paid._id,
      offerName: paid.name,
      isTrial: false,
      trialConvertsToOfferId: null,
      billingCycle: plan.billingCycle,
      termDuration: plan.termDuration,
      unitPriceCents: plan.unitPriceCents,
      effectiveStartDate: event.due,
      commitmentEndDate: termEnd,
      chargedCents: charge,
      ...newTermPricing(s),
      billedUntil: billing.billedUntil,
      ...CLEAR_SCHEDULED,
      updatedAt: event.due,
    }),
    {
      kind: 'insert',
      collection: 'orders',
      doc: newOrder(orderId, input.customer, event.due, [lineItem(0, converted, 'convert', charge)]),
    },
    ledgerFor(s, {
      amountCents: charge,
      kind: 'charge',
      rule: 'CAT-TRIAL',
      description: `Trial converted: ${paid.name} x ${s.quantity}${billingMonthLabel(plan, 0)}`,
      at: event.due,
      orderId,
    }),
    auditFor(null, {
      partnerId: s.partnerId,
      customerId: s.customerId,
      operationType: 'convert_trial_subscription',
      resourceId: s._id,
      at: event.due,
      after: { offerId: paid._id },
    }),
  ];
  return allow({
    effects,
    kind: event.kind,
    ...phrased(
      `${s._id} converted from trial to ${paid.name} until ${termEnd.toISOString()}.`,
      `${s._id} would convert from trial to ${paid.name} until ${termEnd.toISOString()}.`,
    ),
  });
}

/**
 * RENEW-DEFAULT: an active subscription with auto-renew on renews at term end for a new term and
 * is charged for it. SCHED-APPLY: scheduled changes (SKU, seats, term, billing) take effect now,
 * and a scheduled upgrade moves its licences (UPG-TIMING). Add-ons renew with their base, aligned
 * to its new term (ADDON-ALIGN), unless their own auto-renew is off.
 */
function renew(input: LifecycleInput): Decision<LifecycleOutcome> {
  const { subscription: s, event, ids, offers } = input;
  const at = event.due;
  const effects: Effect[] = [];
  const next = s.scheduledNextTermInstructions;
  const nextOffer = next ? offers.get(next.offerId) : undefined;
  const nextPlan = next && nextOffer ? planFor(nextOffer, next.billingCycle, next.termDuration) : undefined;
  const applied = next !== null && nextOffer !== undefined && nextPlan !== undefined;
  let quantity = applied ? next!.quantity : s.quantity;
  const offerId = applied ? nextOffer!._id : s.offerId;
  const offerName = applied ? nextOffer!.name : s.offerName;
  const billingCycle = applied ? nextPlan!.billingCycle : s.billingCycle;
  const termDuration = applied ? nextPlan!.termDuration : s.termDuration;
  const unitPriceCents = applied ? nextPlan!.unitPriceCents : s.unitPriceCents;
  const termEnd = addTerm(at, termDuration);
  const orderId = ids.order(0);
  const lines = [];

  // SCHED-APPLY of a scheduled upgrade (UPG-TIMING): licences move at the renewal instant.
  const up = s.scheduledUpgrade ?? null;
  const upOffer = up ? offers.get(up.targetOfferId) : undefined;
  const upPlan = upOffer ? planFor(upOffer, billingCycle, termDuration) : undefined;
  let moved = 0;
  if (up && upOffer && upPlan && quantity > 0) {
    // A scheduled seat reduction may leave fewer licences than the upgrade named: it moves what is left.
    moved = Math.min(up.quantity, quantity);
    quantity -= moved;
    const target =
      input.upgradeTarget && !isEnded(input.upgradeTarget) && input.upgradeTarget.offerId === upOffer._id ? input.upgradeTarget : null;
    if (target) {
      const charge = seatsProrated(target, moved, at, nextBillingAt(target));
      effects.push(
        updateSub(target, {
          quantity: target.quantity + moved,
          chargedCents: target.chargedCents + charge,
          seatGroups: addSeats(target, moved, at),
          updatedAt: at,
        }),
      );
      effects.push(
        ledgerFor(target, {
          amountCents: charge,
          kind: 'prorated_charge',
          rule: 'UPG-TARGET',
          description: `Scheduled upgrade: ${moved} licence(s) from ${s.offerName}`,
          at,
          orderId,
        }),
      );
      lines.push(lineItem(lines.length, { ...target, quantity: moved }, 'convert', charge));
    } else {
      const created = newSubscription({
        id: ids.subscription(0),
        offer: upOffer,
        plan: upPlan,
        customer: input.customer,
        partner: input.partner,
        quantity: moved,
        friendlyName: s.friendlyName,
        orderId,
        at,
        termStart: at,
        termEnd,
        ...billed(termStartCharge({ ...upPlan, termPriceCents: upPlan.unitPriceCents * moved, termStart: at })),
        upgradedFromSubscriptionId: s._id,
        partnerIdOnRecord: s.partnerIdOnRecord,
      });
      effects.push({ kind: 'insert', collection: 'subscriptions', doc: created });
      effects.push(
        ledgerFor(created, {
          amountCents: created.chargedCents,
          kind: 'charge',
          rule: 'UPG-SAME-END',
          description: `Scheduled upgrade: ${upOffer.name} x ${moved}`,
          at,
          orderId,
        }),
      );
      lines.push(lineItem(lines.length, created, 'convert', created.chargedCents));
    }
  }

  if (quantity === 0) {
    // UPG-FULL: all licences moved; the source ends.
    effects.unshift(
      updateSub(s, {
        quantity: 0,
        status: 'deleted',
        deletedReason: 'upgraded',
        deletedAt: at,
        autoRenewEnabled: false,
        ...CLEAR_SCHEDULED,
        updatedAt: at,
      }),
    );
  } else {
    const billing = termStartCharge({ billingCycle, termDuration, termPriceCents: unitPriceCents * quantity, termStart: at });
    const charge = billing.chargeCents;
    effects.unshift(
      updateSub(s, {
        offerId,
        offerName,
        quantity,
        billingCycle,
        termDuration,
        unitPriceCents,
        effectiveStartDate: at,
        commitmentEndDate: termEnd,
        chargedCents: charge,
        ...newTermPricing(s),
        billedUntil: billing.billedUntil,
        ...CLEAR_SCHEDULED,
        updatedAt: at,
      }),
    );
    effects.push(
      ledgerFor(s, {
        amountCents: charge,
        kind: 'charge',
        rule: applied ? 'SCHED-APPLY' : 'RENEW-DEFAULT',
        description: `Renewal: ${offerName} x ${quantity}${billingMonthLabel({ billingCycle, termDuration }, 0)}`,
        at,
        orderId,
      }),
    );
    lines.push(lineItem(lines.length, { ...s, offerId, quantity, billingCycle, termDuration, unitPriceCents }, 'renew', charge));
  }
  for (const a of input.addOns.filter((x) => !isEnded(x))) {
    // ADDON-ALIGN: the add-on follows its base's new term; on a changed term or billing it takes
    // its offer's plan for them, and ends when its offer has none.
    const samePlan = a.billingCycle === billingCycle && a.termDuration === termDuration;
    const addOnOffer = offers.get(a.offerId);
    const plan = samePlan
      ? { billingCycle, termDuration, unitPriceCents: a.unitPriceCents }
      : addOnOffer && planFor(addOnOffer, billingCycle, termDuration);
    if (quantity === 0 || !a.autoRenewEnabled || a.cancelAtTermEnd || a.status !== 'active' || !plan) {
      effects.push(
        updateSub(a, {
          status: 'deleted',
          deletedReason: a.cancelAtTermEnd ? 'cancelled' : quantity === 0 ? 'upgraded' : 'term_ended',
          deletedAt: at,
          autoRenewEnabled: false,
          updatedAt: at,
        }),
      );
      continue;
    }
    // SCHED-APPLY: the add-on's own scheduled seat change takes effect with the new term (its term
    // and billing follow its base's, ADDON-ALIGN).
    const addOnQuantity = a.scheduledNextTermInstructions?.quantity ?? a.quantity;
    const addOnApplied = addOnQuantity !== a.quantity;
    const addOnBilling = termStartCharge({
      billingCycle,
      termDuration,
      termPriceCents: plan.unitPriceCents * addOnQuantity,
      termStart: at,
    });
    const charge = addOnBilling.chargeCents;
    effects.push(
      updateSub(a, {
        ...(samePlan ? {} : { billingCycle, termDuration, unitPriceCents: plan.unitPriceCents }),
        ...(addOnApplied ? { quantity: addOnQuantity } : {}),
        effectiveStartDate: at,
        commitmentEndDate: termEnd,
        chargedCents: charge,
        ...newTermPricing(a),
        billedUntil: addOnBilling.billedUntil,
        ...(a.scheduledNextTermInstructions ? { scheduledNextTermInstructions: null } : {}),
        updatedAt: at,
      }),
    );
    effects.push(
      ledgerFor(a, {
        amountCents: charge,
        kind: 'charge',
        rule: addOnApplied ? 'SCHED-APPLY' : 'ADDON-ALIGN',
        description: `Renewal: ${a.offerName} x ${addOnQuantity}${billingMonthLabel({ billingCycle, termDuration }, 0)}`,
        at,
        orderId,
      }),
    );
    lines.push(
      lineItem(
        lines.length,
        { ...a, quantity: addOnQuantity, billingCycle, termDuration, unitPriceCents: plan.unitPriceCents },
        'renew',
        charge,
      ),
    );
  }
  if (lines.length > 0) effects.push({ kind: 'insert', collection: 'orders', doc: newOrder(orderId, input.customer, at, lines) });
  effects.push(
    auditFor(null, {
      partnerId: s.partnerId,
      customerId: s.customerId,
      operationType: 'renew_subscription',
      resourceId: s._id,
      at,
      before: { offerId: s.offerId, quantity: s.quantity, commitmentEndDate: s.commitmentEndDate },
      after: { offerId, quantity, commitmentEndDate: termEnd, scheduledChangeApplied: applied, upgradedLicences: moved },
    }),
  );
  return allow({
    effects,
    kind: 'renewal',
    ...phrased(
      `${s._id} renewed until ${termEnd.toISOString()}${applied ? ' with its scheduled change applied' : ''}${moved ? `; ${moved} licence(s) upgraded` : ''}.`,
      `${s._id} would renew until ${termEnd.toISOString()}${applied ? ' with its scheduled change applied' : ''}${moved ? `; ${moved} licence(s) would be upgraded` : ''}.`,
    ),
  });
}
