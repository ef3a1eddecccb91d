/**
 * Suspension of legacy licence-based subscriptions (SUSP-*) and its cascade to add-ons
 * (ADDON-CASCADE). New commerce is paused instead (pause.ts).
 */
import type { CustomerDoc, SuspensionReason } from '../db/documents.js';
import { billedUntilOnResume } from './billing.js';
import { allow, refuse, type Decision, type Refused } from './decision.js';
import type { Effect } from './effects.js';
import { auditFor, capital, describe, isAddOn, isLegacy, iso, isEnded, kindLabel, updateSub, type Sub } from './common.js';
import { checkSubscriptionRoles } from './roles.js';
import type { Caller } from '../shared/caller.js';
import { addMs, DAY, daysInTerm } from './time.js';
import { phrased, type Phrased } from './mood.js';

export const SUSPENSION_REASONS: readonly SuspensionReason[] = ['customer_request', 'non_payment', 'fraud'];

/** GEN-REASON: partners suspend or cancel for one of: the customer asked, non-payment, fraud. */
export function checkReason(reason: string): Refused | null {
  return SUSPENSION_REASONS.includes(reason as SuspensionReason)
    ? null
    : refuse(
        'GEN-REASON',
        'INVALID_VALUE',
        `A suspension needs a reason: one of ${SUSPENSION_REASONS.join(', ')}; got '${reason}'.`,
        'reason',
      );
}

/** SUSP-NCE-SUPPORT: only legacy subscriptions are suspended and reactivated self-serve. */
export function checkSelfServeSuspension(s: Sub, verb: 'suspend' | 'reactivate'): Refused | null {
  if (isLegacy(s)) return null;
  const alternative =
    s.commerceType === 'new_commerce'
      ? verb === 'suspend'
        ? ' To stop access for non-payment, pause it (pauseSubscription).'
        : ' A paused subscription is resumed with resumeSubscription.'
      : '';
  return refuse(
    'SUSP-NCE-SUPPORT',
    'NOT_SUPPORTED',
    `${capital(kindLabel(s))} ${describe(s)} cannot be ${verb === 'suspend' ? 'suspended' : 'reactivated'} self-serve: open a service request with Microsoft support.${alternative}`,
  );
}

/**
 * SUSP-DATA-DELETION: the data of a suspended subscription is deleted unless it is reactivated
 * within 90 days, or 90 days plus the days between the account's opening and its first billing
 * period, at most 120 days. Returns the grace in days.
 */
export function dataDeletionGraceDays(customer: Pick<CustomerDoc, 'accountOpenedAt' | 'firstBillingAt'>): number {
  return Math.min(120, 90 + Math.max(0, daysInTerm(customer.accountOpenedAt, customer.firstBillingAt)));
}

/** SUSP-DATA-DELETION: the instant a subscription suspended at `at` is deleted with its data. */
export function dataDeletionDate(customer: Pick<CustomerDoc, 'accountOpenedAt' | 'firstBillingAt'>, at: Date): Date {
  return addMs(at, dataDeletionGraceDays(customer) * DAY);
}

/**
 * ADDON-CASCADE: suspending (or pausing) a base suspends its active add-ons; (decision)
 * reactivating (or resuming) it restores the add-ons that the cascade suspended, and no others.
 */
export function cascadeTargets(s: Sub, addOns: readonly Sub[], direction: 'suspend' | 'restore'): Sub[] {
  if (isAddOn(s)) return [];
  return addOns.filter((a) => (direction === 'suspend' ? a.status === 'active' : a.status === 'suspended' && a.suspendedBy === 'cascade'));
}

export interface SuspendInput {
  subscription: Sub;
  addOns: readonly Sub[];
  customer: CustomerDoc;
  reason: string;
  actor: Caller;
  now: Date;
}

export interface SuspensionOutcome {
  effects: Effect[];
  /** SUSP-DATA-DELETION: when the data is deleted unless reactivated (suspend only). */
  dataDeletionDate: Date | null;
  /** Add-ons suspended or reactivated with it (ADDON-CASCADE). */
  cascadedAddOnIds: string[];
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/**
 * SUSP-EFFECT: a suspended subscription's users cannot sign in. Suspends an active legacy
 * subscription for a reason (GEN-REASON), sets its deletion deadline (SUSP-DATA-DELETION) and
 * suspends its active add-ons with it (ADDON-CASCADE).
 */
export function decideSuspend(input: SuspendInput): Decision<SuspensionOutcome> {
  const { subscription: s, actor, now } = input;
  const refusal =
    checkSubscriptionRoles(actor, s, 'suspend a subscription') ??
    checkReason(input.reason) ??
    checkSelfServeSuspension(s, 'suspend') ??
    (s.status !== 'active'
      ? refuse('SUSP-STATES', 'INVALID_STATUS', `Only an active subscription can be suspended; ${describe(s)} is ${s.status}.`)
      : null);
  if (refusal) return refusal;
  const deletion = dataDeletionDate(input.customer, now);
  const reasons = [input.reason as SuspensionReason];
  const suspended = {
    status: 'suspended' as const,
    suspendedAt: now,
    dataDeletionAt: deletion,
    suspensionReasons: reasons,
    updatedAt: now,
  };
  const effects: Effect[] = [updateSub(s, { ...suspended, suspendedBy: 'partner' })];
  const cascaded = cascadeTargets(s, input.addOns, 'suspend');
  for (const a of cascaded) effects.push(updateSub(a, { ...suspended, suspendedBy: 'cascade' }));
  effects.push(
    auditFor(actor, {
      partnerId: s.partnerId,
      customerId: s.customerId,
      operationType: 'suspend_subscription',
      resourceId: s._id,
      at: now,
      before: { status: s.status },
      after: { status: 'suspended', suspensionReasons: reasons, dataDeletionDate: deletion },
    }),
  );
  return allow({
    effects,
    dataDeletionDate: deletion,
    cascadedAddOnIds: cascaded.map((a) => a._id),
    ...phrased(
      `Suspended ${describe(s)} (${input.reason}); its users lose access now and its data is deleted at ${iso(deletion)} unless it is reactivated.`,
      `Would suspend ${describe(s)} (${input.reason}); its users would lose access now and its data would be deleted at ${iso(deletion)} unless it is reactivated.`,
    ),
  });
}

export interface ReactivateInput {
  subscription: Sub;
  addOns: readonly Sub[];
  actor: Caller;
  now: Date;
}

/**
 * SUSP-REACTIVATE: a suspended legacy subscription is reactivated, restoring access;
 * ADDON-CASCADE (decision): the add-ons its suspension cascaded to come back, and no others.
 */
export function decideReactivate(input: ReactivateInput): Decision<SuspensionOutcome> {
  const { subscription: s, actor, now } = input;
  const refusal =
    checkSubscriptionRoles(actor, s, 'reactivate a subscription') ?? checkSelfServeSuspension(s, 'reactivate') ?? reactivationState(s);
  if (refusal) return refusal;
  return allow(
    restoreAccess({
      s,
      addOns: input.addOns,
      actor,
      now,
      operationType: 'reactivate_subscription',
      summary: phrased(
        `Reactivated ${describe(s)}; its users have access again.`,
        `Would reactivate ${describe(s)}; its users would have access again.`,
      ),
    }),
  );
}

function reactivationState(s: Sub): Refused | null {
  if (isEnded(s))
    return refuse(
      'SUSP-STATES',
      'INVALID_STATUS',
      `${capital(describe(s))} is ${s.status}${s.deletedReason ? ` (${s.deletedReason})` : ''} and cannot be reactivated.`,
    );
  if (s.status !== 'suspended') return refuse('SUSP-REACTIVATE', 'NO_CHANGE', `${capital(describe(s))} is ${s.status}, not suspended.`);
  if (s.suspendedBy === 'cascade') {
    return refuse(
      'ADDON-CASCADE',
      'INVALID_STATUS',
      `Add-on ${describe(s)} was suspended with its base subscription; reactivate the base subscription (${s.parentSubscriptionId}).`,
    );
  }
  return null;
}

/**
 * SUSP-REACTIVATE / PAUSE-RESUME: back to active, access restored at once, and the add-ons the
 * suspension or pause cascaded to come back with it (ADDON-CASCADE).
 */
export function restoreAccess(args: {
  s: Sub;
  addOns: readonly Sub[];
  actor: Caller;
  now: Date;
  operationType: string;
  summary: Phrased;
}): SuspensionOutcome {
  const { s, addOns, actor, now, operationType, summary } = args;
  const restored = {
    status: 'active' as const,
    suspendedBy: null,
    suspendedAt: null,
    dataDeletionAt: null,
    suspensionReasons: [],
    updatedAt: now,
  };
  const cascaded = cascadeTargets(s, addOns, 'restore');
  // BILL-MONTHLY: the billing months that started while it was suspended are not charged.
  const resumed = (x: Sub) => {
    const billedUntil = billedUntilOnResume(x, now);
    return billedUntil === (x.billedUntil ?? null) ? restored : { ...restored, billedUntil };
  };
  const effects: Effect[] = [
    updateSub(s, resumed(s)),
    ...cascaded.map((a) => updateSub(a, resumed(a))),
    auditFor(actor, {
      partnerId: s.partnerId,
      customerId: s.customerId,
      operationType,
      resourceId: s._id,
      at: now,
      before: { status: s.status },
      after: { status: 'active' },
    }),
  ];
  return { effects, dataDeletionDate: null, cascadedAddOnIds: cascaded.map((a) => a._id), ...summary };
}
