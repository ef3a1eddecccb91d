/**
 * Upgrades, partial and full (UPG-*): licences move from a subscription to another SKU, now
 * (mid-term) or at term end; none is ever lost or duplicated.
 */
import type { CustomerDoc, OfferDoc, PartnerDoc } from '../db/documents.js';
import { nextBillingAt } from './billing.js';
import { allow, refuse, type Decision, type Refused } from './decision.js';
import type { Effect, IdSource } from './effects.js';
import { checkQuantity, planFor } from './catalog.js';
import {
  auditFor,
  capital,
  CLEAR_SCHEDULED,
  describe,
  isEnded,
  isLegacy,
  isNewCommerce,
  kindLabel,
  ledgerFor,
  updateSub,
  type Sub,
} from './common.js';
import { addSeats, pricedTermStart, proratedCharge, removeSeats, seatsProrated } from './money.js';
import { lineItem, newOrder, newSubscription } from './new-docs.js';
import { checkSubscriptionRoles } from './roles.js';
import type { Caller } from '../shared/caller.js';
import { checkSchedulePrereq } from './scheduled-change.js';
import { phrased } from './mood.js';

export interface UpgradeInput {
  source: Sub;
  sourceOffer: OfferDoc;
  targetOffer: OfferDoc;
  /** UPG-TARGET: an existing subscription of the target SKU, or null for a new one. */
  targetSubscription: Sub | null;
  /** Licences to move; all of them is a full upgrade (UPG-FULL). */
  quantity: number;
  timing: 'now' | 'term_end';
  /** Add-ons of the source that are not ended (a full upgrade needs none). */
  sourceAddOns: readonly Sub[];
  customer: CustomerDoc;
  partner: PartnerDoc;
  actor: Caller;
  now: Date;
  ids: IdSource;
}

export interface UpgradeOutcome {
  effects: Effect[];
  upgradeType: 'partial' | 'full';
  timing: 'now' | 'term_end';
  sourceSubscriptionId: string;
  /** The new or existing target; null until a scheduled upgrade is applied at renewal. */
  targetSubscriptionId: string | null;
  /** Credit for the moved licences' unused days, and the target's prorated charge (cents). */
  creditCents: number;
  chargeCents: number;
  /** SCHED-REASSIGN / UPG-PARTIAL: moved licences must be reassigned to users by hand. */
  licenceReassignmentRequired: boolean;
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/** UPG-ACTIVE: upgrades start only from active subscriptions. */
export function checkUpgradeActive(s: Sub): Refused | null {
  return s.status === 'active'
    ? null
    : refuse('UPG-ACTIVE', 'INVALID_STATUS', `Upgrades start only from active subscriptions; ${describe(s)} is ${s.status}.`);
}

/** UPG-ELIGIBLE: the target SKU must be an upgrade path of the source's. */
export function checkUpgradeEligible(sourceOffer: OfferDoc, targetOffer: OfferDoc): Refused | null {
  return sourceOffer.upgradeTargetIds.includes(targetOffer._id)
    ? null
    : refuse(
        'UPG-ELIGIBLE',
        'NOT_ELIGIBLE',
        `'${targetOffer.name}' is not an upgrade path of '${sourceOffer.name}'` +
          (sourceOffer.upgradeTargetIds.length
            ? `; its upgrade paths are ${sourceOffer.upgradeTargetIds.join(', ')}.`
            : '; it has no upgrade paths.'),
        'targetOfferId',
      );
}

/** UPG-PARTIAL: some licences (1 to all); legacy subscriptions can only upgrade all their licences. */
export function checkUpgradeQuantity(s: Sub, quantity: number): Refused | null {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > s.quantity) {
    return refuse(
      'UPG-PARTIAL',
      'INVALID_VALUE',
      `An upgrade moves 1 to ${s.quantity} licences of ${describe(s)}; got ${quantity}.`,
      'quantity',
    );
  }
  if (isLegacy(s) && quantity !== s.quantity) {
    return refuse(
      'UPG-PARTIAL',
      'NOT_SUPPORTED',
      `Legacy ${describe(s)} can only upgrade all ${s.quantity} licences, not ${quantity}.`,
      'quantity',
    );
  }
  return null;
}

/** UPG-TARGET: an existing target must be the customer's active subscription of the target SKU, on the same term. */
export function checkUpgradeTarget(source: Sub, targetOffer: OfferDoc, target: Sub | null): Refused | null {
  if (target === null) return null;
  if (
    target.customerId !== source.customerId ||
    target.offerId !== targetOffer._id ||
    target.status !== 'active' ||
    target.parentSubscriptionId !== null
  ) {
    return refuse(
      'UPG-TARGET',
      'NOT_ELIGIBLE',
      `The target must be an active subscription of '${targetOffer.name}' of the same customer; ${describe(target)} is not.`,
      'targetSubscriptionId',
    );
  }
  if (target._id === source._id)
    return refuse('UPG-TARGET', 'INVALID_VALUE', 'A subscription cannot be upgraded into itself.', 'targetSubscriptionId');
  return null;
}

/** UPG-PARTIAL, UPG-FULL: the source is credited the moved licences' unused days of its term (MONEY-PRORATE). */
export function upgradeCredit(
  source: Pick<Sub, 'unitPriceCents' | 'effectiveStartDate' | 'commitmentEndDate' | 'pricingTermStart' | 'billedUntil'>,
  quantity: number,
  at: Date,
): number {
  // BILL-MONTHLY: a source billed monthly is credited only the unused days it was charged for.
  return seatsProrated(source, quantity, at, nextBillingAt(source));
}

/** UPG-SAME-END: a new target subscription ends with its source, and is charged for the days left in the source's term. */
export function newTargetCharge(
  unitPriceCents: number,
  quantity: number,
  source: Pick<Sub, 'effectiveStartDate' | 'commitmentEndDate' | 'pricingTermStart' | 'billedUntil'>,
  at: Date,
): number {
  // BILL-MONTHLY: on a source billed monthly, to the end of its billing month; the target's later months follow the source's.
  return proratedCharge({
    unitPriceCents,
    quantity,
    termStart: pricedTermStart(source),
    termEnd: source.commitmentEndDate,
    at,
    billedUntil: nextBillingAt(source),
  });
}

/**
 * UPG-PARTIAL, UPG-FULL, UPG-TIMING, UPG-CLEARS-SCHEDULED, UPG-SAME-END, UPG-TARGET.
 * Now: the source keeps the other licences (a full upgrade ends it, reason "upgraded") and is
 * credited the moved licences' unused days; a new target starts now and ends with the source
 * (UPG-SAME-END), charged prorated; an existing target grows, charged prorated to its own term
 * end. Any scheduled changes of the source are removed (UPG-CLEARS-SCHEDULED, SCHED-CLEARED).
 * At term end: saved on the source and applied at renewal (SCHED-APPLY).
 */
export function decideUpgrade(input: UpgradeInput): Decision<UpgradeOutcome> {
  const { source: s, sourceOffer, targetOffer, targetSubscription: target, quantity, timing, actor, now, ids } = input;
  const full = quantity === s.quantity;
  const refusal =
    checkSubscriptionRoles(actor, s, 'upgrade a subscription') ??
    (isNewCommerce(s) || isLegacy(s)
      ? null
      : refuse('UPG-ELIGIBLE', 'NOT_SUPPORTED', `${capital(kindLabel(s))} subscriptions have no upgrade paths.`)) ??
    (s.isTrial
      ? refuse('SCHED-TRIAL', 'NOT_SUPPORTED', `Trial ${describe(s)} converts to its paid SKU at term end; upgrade it after conversion.`)
      : null) ??
    checkUpgradeActive(s) ??
    checkUpgradeEligible(sourceOffer, targetOffer) ??
    checkUpgradeQuantity(s, quantity) ??
    checkUpgradeTarget(s, targetOffer, target) ??
    (timing === 'term_end' ? checkSchedulePrereq(s) : null) ??
    (full && timing === 'now' && input.sourceAddOns.some((a) => !isEnded(a))
      ? refuse(
          'UPG-FULL',
          'NOT_ELIGIBLE',
          `${capital(describe(s))} has add-ons; cancel them or move fewer than all licences (a partial upgrade).`,
          'quantity',
        )
      : null);
  if (refusal) return refusal;
  const plan = planFor(targetOffer, s.billingCycle, s.termDuration);
  if (!plan) {
    return refuse(
      'UPG-ELIGIBLE',
      'NOT_ELIGIBLE',
      `'${targetOffer.name}' has no ${s.billingCycle}/${s.termDuration} plan to match ${describe(s)}.`,
      'targetOfferId',
    );
  }
  const totalAfter = (target?.quantity ?? 0) + quantity;
  const bad = checkQuantity(targetOffer, target ? totalAfter : quantity, 'quantity', 'UPG-PARTIAL');
  if (bad) return bad;
  const upgradeType = full ? 'full' : 'partial';

  if (timing === 'term_end') {
    return allow({
      effects: [
        updateSub(s, {
          scheduledUpgrade: { targetOfferId: targetOffer._id, quantity, targetSubscriptionId: target?._id ?? null },
          updatedAt: now,
        }),
        auditFor(actor, {
          partnerId: s.partnerId,
          customerId: s.customerId,
          operationType: 'upgrade_subscription',
          resourceId: s._id,
          at: now,
          after: { scheduledUpgrade: { targetOfferId: targetOffer._id, quantity } },
        }),
      ],
      upgradeType,
      timing,
      sourceSubscriptionId: s._id,
      targetSubscriptionId: target?._id ?? null,
      creditCents: 0,
      chargeCents: 0,
      licenceReassignmentRequired: true,
      ...phrased(
        `At renewal on ${s.commitmentEndDate.toISOString()}, ${quantity} licence(s) of ${describe(s)} move to ${targetOffer.name}.`,
        `Would schedule: at renewal on ${s.commitmentEndDate.toISOString()}, ${quantity} licence(s) of ${describe(s)} would move to ${targetOffer.name}.`,
      ),
    });
  }

  const credit = upgradeCredit(s, quantity, now);
  const orderId = ids.order(0);
  const effects: Effect[] = [
    updateSub(s, {
      quantity: s.quantity - quantity,
      chargedCents: Math.max(0, s.chargedCents - credit),
      ...CLEAR_SCHEDULED,
      // MONEY-PRORATE: the moved seats keep the days they were used here (an ended seat group).
      ...(full
        ? { status: 'deleted' as const, deletedReason: 'upgraded' as const, deletedAt: now, autoRenewEnabled: false }
        : { seatGroups: removeSeats(s, quantity, now) }),
      updatedAt: now,
    }),
  ];
  if (credit > 0) {
    effects.push(
      ledgerFor(s, {
        amountCents: -credit,
        kind: 'credit',
        rule: full ? 'UPG-FULL' : 'UPG-PARTIAL',
        description: `Upgrade credit: ${quantity} x ${s.offerName} to ${targetOffer.name}`,
        at: now,
        orderId,
      }),
    );
  }
  let targetId: string;
  let charge: number;
  if (target) {
    targetId = target._id;
    charge = seatsProrated(target, quantity, now, nextBillingAt(target));
    effects.push(
      updateSub(target, {
        quantity: target.quantity + quantity,
        chargedCents: target.chargedCents + charge,
        seatGroups: addSeats(target, quantity, now),
        ...CLEAR_SCHEDULED,
        updatedAt: now,
      }),
    );
    effects.push(
      ledgerFor(target, {
        amountCents: charge,
        kind: 'prorated_charge',
        rule: 'UPG-TARGET',
        description: `Upgrade: ${quantity} licence(s) from ${s.offerName}`,
        at: now,
        orderId,
      }),
    );
    effects.push({
      kind: 'insert',
      collection: 'orders',
      doc: newOrder(orderId, input.customer, now, [{ ...lineItem(0, { ...target, quantity }, 'convert', charge) }]),
    });
  } else {
    targetId = ids.subscription(0);
    charge = newTargetCharge(plan.unitPriceCents, quantity, s, now);
    const created = newSubscription({
      id: targetId,
      offer: targetOffer,
      plan,
      customer: input.customer,
      partner: input.partner,
      quantity,
      friendlyName: s.friendlyName,
      orderId,
      at: now,
      termStart: now,
      termEnd: s.commitmentEndDate,
      chargedCents: charge,
      // UPG-SAME-END: charged over the source's term, so its value used is priced over it too (MONEY-PRORATE).
      pricingTermStart: pricedTermStart(s),
      billedUntil: nextBillingAt(s),
      upgradedFromSubscriptionId: s._id,
      partnerIdOnRecord: s.partnerIdOnRecord,
      autoRenewEnabled: s.autoRenewEnabled,
    });
    effects.push({ kind: 'insert', collection: 'subscriptions', doc: created });
    effects.push({
      kind: 'insert',
      collection: 'orders',
      doc: newOrder(orderId, input.customer, now, [lineItem(0, created, 'convert', charge)]),
    });
    effects.push(
      ledgerFor(created, {
        amountCents: charge,
        kind: 'prorated_charge',
        rule: 'UPG-SAME-END',
        description: `Upgrade: ${targetOffer.name} x ${quantity}`,
        at: now,
        orderId,
      }),
    );
  }
  effects.push(
    auditFor(actor, {
      partnerId: s.partnerId,
      customerId: s.customerId,
      operationType: 'upgrade_subscription',
      resourceId: s._id,
      at: now,
      before: { quantity: s.quantity, offerId: s.offerId },
      after: { quantity: s.quantity - quantity, targetSubscriptionId: targetId, moved: quantity },
    }),
  );
  return allow({
    effects,
    upgradeType,
    timing,
    sourceSubscriptionId: s._id,
    targetSubscriptionId: targetId,
    creditCents: credit,
    chargeCents: charge,
    licenceReassignmentRequired: !full,
    ...(full
      ? phrased(
          `Upgraded all ${quantity} licence(s) of ${describe(s)} to ${targetOffer.name} (${targetId}); the source ended (upgraded).`,
          `Would upgrade all ${quantity} licence(s) of ${describe(s)} to ${targetOffer.name}; the source would end (upgraded).`,
        )
      : phrased(
          `Moved ${quantity} of ${s.quantity} licence(s) of ${describe(s)} to ${targetOffer.name} (${targetId}); reassign those users' licences by hand.`,
          `Would move ${quantity} of ${s.quantity} licence(s) of ${describe(s)} to ${targetOffer.name}; those users' licences would then be reassigned by hand.`,
        )),
  });
}
