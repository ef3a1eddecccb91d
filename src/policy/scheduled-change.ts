/**
 * Changes saved for renewal on new-commerce subscriptions (SCHED-*): SKU, seats, term and
 * billing frequency at the next term, shown as current vs at renewal, updated and deleted.
 */
import type { BillingCycle, OfferDoc, ScheduledNextTermInstructions, TermDuration } from '../db/documents.js';
import { allow, refuse, type Decision, type Refused } from './decision.js';
import type { Effect } from './effects.js';
import { checkQuantity, planFor } from './catalog.js';
import { auditFor, capital, CLEAR_SCHEDULED, describe, hasScheduled, isNewCommerce, kindLabel, updateSub, type Sub } from './common.js';
import { checkSubscriptionRoles } from './roles.js';
import type { Caller } from '../shared/caller.js';
import { phrased } from './mood.js';

export interface ScheduleChangeInput {
  subscription: Sub;
  offer: OfferDoc;
  /** The offer at renewal: the current one unless the change names another (SKU change). */
  targetOffer: OfferDoc;
  change: { offerId?: string | null; quantity?: number | null; billingCycle?: BillingCycle | null; termDuration?: TermDuration | null };
  actor: Caller;
  now: Date;
  /** updateScheduledChange requires an existing change; scheduleChange replaces any. */
  mustExist?: boolean;
}

export interface ScheduleOutcome {
  effects: Effect[];
  instructions: ScheduledNextTermInstructions | null;
  /** SCHED-REASSIGN: a SKU change at renewal needs the user licences reassigned by hand. */
  licenceReassignmentRequired: boolean;
  /** What the change is, by SCHED-KINDS: downgrade, upgrade, seat reduction ... */
  kinds: string[];
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/** SCHED-KINDS: scheduled changes are a new-commerce feature. */
export function checkSchedulable(s: Sub): Refused | null {
  if (!isNewCommerce(s))
    return refuse(
      'SCHED-KINDS',
      'NOT_SUPPORTED',
      `Changes at renewal are scheduled on new-commerce subscriptions; ${describe(s)} is ${kindLabel(s)}.`,
    );
  if (s.isTrial)
    return refuse(
      'SCHED-TRIAL',
      'NOT_SUPPORTED',
      `Trial ${describe(s)} converts to its paid SKU at term end (${s.commitmentEndDate.toISOString()}); change it after conversion.`,
    );
  return null;
}

/** SCHED-PREREQ: scheduling requires an active subscription with auto-renew on. */
export function checkSchedulePrereq(s: Sub): Refused | null {
  if (s.status !== 'active')
    return refuse('SCHED-PREREQ', 'INVALID_STATUS', `Changes at renewal need an active subscription; ${describe(s)} is ${s.status}.`);
  if (!s.autoRenewEnabled || s.cancelAtTermEnd)
    return refuse(
      'SCHED-PREREQ',
      'INVALID_STATUS',
      `Changes at renewal need auto-renew on; ${describe(s)} does not renew. Turn auto-renew on first.`,
      'autoRenewEnabled',
    );
  return null;
}

/** SCHED-PREREQ: the SKU at renewal is the same, an upgrade path of it, or one it upgrades to (a downgrade). */
export function skuChangeKind(offer: OfferDoc, target: OfferDoc): 'same' | 'upgrade' | 'downgrade' | null {
  if (offer._id === target._id) return 'same';
  if (offer.upgradeTargetIds.includes(target._id)) return 'upgrade';
  if (target.upgradeTargetIds.includes(offer._id)) return 'downgrade';
  return null;
}

/**
 * SCHED-KINDS, SCHED-PREREQ, SCHED-MANAGE: saves (or replaces) the changes to apply at renewal.
 * SKU downgrades, seat reductions, term and billing-frequency changes can only be scheduled;
 * upgrades and seat increases may be scheduled too.
 */
export function decideScheduleChange(input: ScheduleChangeInput): Decision<ScheduleOutcome> {
  const { subscription: s, offer, targetOffer, change, actor, now } = input;
  const refusal =
    checkSubscriptionRoles(actor, s, 'schedule a change') ??
    checkSchedulable(s) ??
    checkSchedulePrereq(s) ??
    (input.mustExist && s.scheduledNextTermInstructions === null
      ? refuse('SCHED-MANAGE', 'NO_CHANGE', `${capital(describe(s))} has no scheduled change to update; create one with scheduleChange.`)
      : null);
  if (refusal) return refusal;
  const base = s.scheduledNextTermInstructions ?? {
    offerId: s.offerId,
    quantity: s.quantity,
    billingCycle: s.billingCycle,
    termDuration: s.termDuration,
  };
  const next: ScheduledNextTermInstructions = {
    offerId: targetOffer._id,
    quantity: change.quantity ?? base.quantity,
    billingCycle: change.billingCycle ?? base.billingCycle,
    termDuration: change.termDuration ?? base.termDuration,
  };
  const sku = skuChangeKind(offer, targetOffer);
  if (sku === null) {
    return refuse(
      'SCHED-PREREQ',
      'NOT_ELIGIBLE',
      `'${targetOffer.name}' is not an upgrade or downgrade path of '${offer.name}'; it cannot be scheduled for renewal.`,
      'offerId',
    );
  }
  const bad =
    checkQuantity(targetOffer, next.quantity, 'quantity', 'SCHED-KINDS') ??
    (planFor(targetOffer, next.billingCycle, next.termDuration)
      ? null
      : refuse(
          'SCHED-KINDS',
          'NOT_ELIGIBLE',
          `'${targetOffer.name}' has no ${next.billingCycle}/${next.termDuration} billing plan.`,
          'billingCycle',
        ));
  if (bad) return bad;
  const kinds = [
    sku !== 'same' && `sku_${sku}`,
    next.quantity < s.quantity && 'seat_reduction',
    next.quantity > s.quantity && 'seat_increase',
    next.termDuration !== s.termDuration && 'term_change',
    next.billingCycle !== s.billingCycle && 'billing_frequency_change',
  ].filter((k): k is string => typeof k === 'string');
  if (kinds.length === 0) {
    return refuse(
      'SCHED-MANAGE',
      'NO_CHANGE',
      `The change equals ${describe(s)}'s current offer, quantity, term and billing; to remove a scheduled change use deleteScheduledChange.`,
    );
  }
  const effects: Effect[] = [
    updateSub(s, { scheduledNextTermInstructions: next, updatedAt: now }),
    auditFor(actor, {
      partnerId: s.partnerId,
      customerId: s.customerId,
      operationType: 'update_subscription',
      resourceId: s._id,
      at: now,
      before: { scheduledNextTermInstructions: s.scheduledNextTermInstructions },
      after: { scheduledNextTermInstructions: next },
    }),
  ];
  const reassign = sku !== 'same';
  return allow({
    effects,
    instructions: next,
    licenceReassignmentRequired: reassign,
    kinds,
    ...phrased(
      `At renewal on ${s.commitmentEndDate.toISOString()}, ${describe(s)} becomes ${targetOffer.name} x ${next.quantity}, ${next.billingCycle}/${next.termDuration}.` +
        (reassign ? ' Its user licences must then be reassigned by hand (SCHED-REASSIGN).' : ''),
      `Would schedule: at renewal on ${s.commitmentEndDate.toISOString()}, ${describe(s)} would become ${targetOffer.name} x ${next.quantity}, ${next.billingCycle}/${next.termDuration}.` +
        (reassign ? ' Its user licences would then have to be reassigned by hand (SCHED-REASSIGN).' : ''),
    ),
  });
}

/** SCHED-MANAGE: deletes the saved changes (instructions and a term-end upgrade); nothing else changes. */
export function decideDeleteScheduledChange(input: { subscription: Sub; actor: Caller; now: Date }): Decision<ScheduleOutcome> {
  const { subscription: s, actor, now } = input;
  const refusal =
    checkSubscriptionRoles(actor, s, 'delete a scheduled change') ??
    (!hasScheduled(s) ? refuse('SCHED-MANAGE', 'NO_CHANGE', `${capital(describe(s))} has no scheduled change.`) : null);
  if (refusal) return refusal;
  return allow({
    effects: [
      updateSub(s, { ...CLEAR_SCHEDULED, updatedAt: now }),
      auditFor(actor, {
        partnerId: s.partnerId,
        customerId: s.customerId,
        operationType: 'update_subscription',
        resourceId: s._id,
        at: now,
        before: { scheduledNextTermInstructions: s.scheduledNextTermInstructions, scheduledUpgrade: s.scheduledUpgrade },
        after: { scheduledNextTermInstructions: null, scheduledUpgrade: null },
      }),
    ],
    instructions: null,
    licenceReassignmentRequired: false,
    kinds: [],
    ...phrased(
      `Removed the scheduled change of ${describe(s)}; it renews as it is.`,
      `Would remove the scheduled change of ${describe(s)}; it would renew as it is.`,
    ),
  });
}
