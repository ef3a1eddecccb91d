/**
 * Cancellation (CANCEL-*): which window applies, what it refunds, and what else changes.
 * `decideCancel` is both the mutation's decision and its quote (dryRun, allowedActions,
 * cancellationAllowedUntilDate, refundableQuantity), so they can never disagree.
 */
import { allow, refuse, type Decision, type Refused } from './decision.js';
import type { Effect } from './effects.js';
import {
  auditFor,
  awaitsFulfilment,
  CLEAR_SCHEDULED,
  describe,
  isAddOn,
  isEnded,
  iso,
  isPaused,
  capital,
  kindLabel,
  ledgerFor,
  updateSub,
  type Sub,
} from './common.js';
import { formatMoney, subscriptionRefund } from './money.js';
import { checkSubscriptionRoles } from './roles.js';
import type { Caller } from '../shared/caller.js';
import type { RuleId } from './rule-ids.js';
import { checkReason } from './suspension.js';
import { DAY, elapsed, HOUR, within, windowEnd } from './time.js';
import { phrased } from './mood.js';

/** What cancelling now would do, by the rule that applies. */
export type CancelTerms =
  | { mode: 'immediate'; rule: RuleId; refundCents: number; refundableUntil: Date | null }
  | { mode: 'at_term_end'; rule: RuleId; refundCents: 0; refundableUntil: null };

export const NCE_FULL_REFUND_WINDOW = 24 * HOUR;
export const NCE_CANCEL_WINDOW = 30 * DAY;
export const ISV_MONTHLY_WINDOW = 24 * HOUR;
export const ISV_ANNUAL_WINDOW = 14 * DAY;

/**
 * CANCEL-NCE-RENEWED: a renewed term opens its windows again. The 24 h and 30 day windows of
 * CANCEL-NCE-24H/30D run from the start of the current term: `effectiveStartDate`, which a purchase
 * sets to the purchase and a renewal or trial conversion (lifecycle.ts) to the new term's start.
 */
export function cancelWindowStart(s: Sub): Date {
  return s.effectiveStartDate;
}

/** CANCEL-NCE-24H: within 24 h of the subscription's start, a full refund of what the term charged. */
export function cancelNce24h(s: Sub, now: Date): CancelTerms | null {
  if (!within(cancelWindowStart(s), now, NCE_FULL_REFUND_WINDOW)) return null;
  return {
    mode: 'immediate',
    rule: 'CANCEL-NCE-24H',
    refundCents: s.chargedCents,
    refundableUntil: windowEnd(cancelWindowStart(s), NCE_FULL_REFUND_WINDOW),
  };
}

/**
 * CANCEL-NCE-30D: within 30 days of its start, the amount charged minus the value of the seat days
 * used (MONEY-PRORATE: each seat group from when it was added, over the term the charges were
 * prorated over, the base's for an add-on bought mid-term, ADDON-ALIGN).
 */
export function cancelNce30d(s: Sub, now: Date): CancelTerms | null {
  if (!within(cancelWindowStart(s), now, NCE_CANCEL_WINDOW)) return null;
  const refundCents = subscriptionRefund(s, now);
  return { mode: 'immediate', rule: 'CANCEL-NCE-30D', refundCents, refundableUntil: windowEnd(cancelWindowStart(s), NCE_CANCEL_WINDOW) };
}

/** CANCEL-NCE-AFTER: after 30 days a new-commerce subscription cannot be cancelled. */
export function cancelNceAfter(s: Sub): Refused {
  const closed = windowEnd(cancelWindowStart(s), NCE_CANCEL_WINDOW);
  return refuse(
    'CANCEL-NCE-AFTER',
    'WINDOW_CLOSED',
    `New-commerce ${describe(s)} started ${iso(s.effectiveStartDate)}; its cancellation window closed 30 days later, at ${iso(closed)}. ` +
      `Turn auto-renew off so it ends at term end (${iso(s.commitmentEndDate)}).`,
  );
}

/**
 * CANCEL-ISV-MONTHLY / CANCEL-ISV-ANNUAL: licence-based marketplace SaaS is credited in full
 * inside its window (24 h for monthly billing, 14 days for annual), counted from the order;
 * later the cancellation is scheduled for renewal, with no refund.
 */
export function cancelIsvLicence(s: Sub, now: Date): CancelTerms {
  const { rule, windowMs } = isvRefundWindow(s);
  if (within(s.orderedAt, now, windowMs) || awaitsFulfilment(s)) {
    return { mode: 'immediate', rule, refundCents: s.chargedCents, refundableUntil: windowEnd(s.orderedAt, windowMs) };
  }
  return { mode: 'at_term_end', rule, refundCents: 0, refundableUntil: null };
}

/** CANCEL-ISV-MONTHLY / CANCEL-ISV-ANNUAL: the full-refund window of licence-based marketplace SaaS, by its billing cycle. */
export function isvRefundWindow(s: Pick<Sub, 'billingCycle'>): { rule: RuleId; windowMs: number } {
  return s.billingCycle === 'monthly'
    ? { rule: 'CANCEL-ISV-MONTHLY', windowMs: ISV_MONTHLY_WINDOW }
    : { rule: 'CANCEL-ISV-ANNUAL', windowMs: ISV_ANNUAL_WINDOW };
}

/** CANCEL-ISV-USAGE: usage-based marketplace services are never refunded; cancelling deprovisions at once. */
export function cancelIsvUsage(): CancelTerms {
  return { mode: 'immediate', rule: 'CANCEL-ISV-USAGE', refundCents: 0, refundableUntil: null };
}

/**
 * The cancellation terms of a subscription at `now`, or why it cannot be cancelled.
 * Legacy subscriptions are not cancelled but suspended (SUSP-STATES): their data is deleted after
 * the suspension's deadline (SUSP-DATA-DELETION). (decision)
 */
export function cancelTerms(s: Sub, now: Date): CancelTerms | Refused {
  if (isEnded(s)) {
    return refuse(
      'CANCEL-FINAL',
      'INVALID_STATUS',
      `${capital(describe(s))} is ${s.status}${s.deletedReason ? ` (${s.deletedReason})` : ''}; a cancellation cannot be undone or repeated.`,
    );
  }
  if (s.cancelAtTermEnd) {
    return refuse(
      'CANCEL-FINAL',
      'NO_CHANGE',
      `${capital(describe(s))} is already cancelled at term end (${iso(s.commitmentEndDate)}); a cancellation cannot be undone.`,
    );
  }
  if (s.status === 'suspended' && !isPaused(s)) {
    return refuse(
      'SUSP-STATES',
      'INVALID_STATUS',
      `${capital(describe(s))} is suspended${s.suspendedBy === 'cascade' ? ' with its base subscription' : ''}; reactivate it before cancelling, or leave it suspended until its data is deleted.`,
    );
  }
  switch (s.commerceType) {
    case 'new_commerce':
      if (elapsed(s.effectiveStartDate, now) < 0) return cancelNce24h(s, s.effectiveStartDate)!;
      return cancelNce24h(s, now) ?? cancelNce30d(s, now) ?? cancelNceAfter(s);
    case 'marketplace_saas':
      return s.billingType === 'usage' ? cancelIsvUsage() : cancelIsvLicence(s, now);
    case 'legacy':
      return refuse(
        'SUSP-STATES',
        'NOT_SUPPORTED',
        `Legacy ${describe(s)} cannot be cancelled: suspend it instead; its data is deleted if it is not reactivated by the suspension's deadline (SUSP-DATA-DELETION).`,
      );
    case 'software':
    case 'reservation':
      return refuse(
        'CANCEL-FINAL',
        'NOT_SUPPORTED',
        `${capital(kindLabel(s))} purchases are cancelled through their order, not as a subscription.`,
      );
  }
}

export interface CancelInput {
  subscription: Sub;
  /** GEN-REASON: why the partner cancels, when given; recorded in the audit event. */
  reason?: string | null;
  /** Its add-ons (for a base subscription); ended ones are ignored. */
  addOns: readonly Sub[];
  actor: Caller;
  now: Date;
}

export interface CancelOutcome {
  effects: Effect[];
  mode: CancelTerms['mode'];
  rule: RuleId;
  /** Credited to the partner now (0 when scheduled for renewal or never refunded). */
  refundCents: number;
  currency: string;
  /** When access ends: now, or the term end for a cancellation scheduled at renewal. */
  effectiveDate: Date;
  /** Add-ons cancelled with it, and what each refunds. */
  addOns: { id: string; refundCents: number; rule: RuleId }[];
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/**
 * CANCEL-*: cancel a subscription and its add-ons. CANCEL-FINAL: an immediate cancellation ends
 * access at once (status deleted) and cannot be undone; refunds are ledger credits.
 */
export function decideCancel(input: CancelInput): Decision<CancelOutcome> {
  const { subscription: s, actor, now } = input;
  const role = checkSubscriptionRoles(actor, s, 'cancel a subscription') ?? (input.reason != null ? checkReason(input.reason) : null);
  if (role) return role;
  const terms = cancelTerms(s, now);
  if ('allowed' in terms) return terms;

  const effects: Effect[] = [];
  const addOnResults: CancelOutcome['addOns'] = [];
  const live = isAddOn(s) ? [] : input.addOns.filter((a) => !isEnded(a));
  if (terms.mode === 'immediate') {
    effects.push(...endNow(s, terms, now));
    for (const a of live) {
      // ADDON-CASCADE: add-ons go with their base; each is refunded under its own window.
      // An add-on suspended only by its base's pause is refunded as if active: the base's refund rule applies to it too.
      const t = cancelTerms(a.suspendedBy === 'cascade' ? { ...a, status: 'active', suspendedBy: null } : a, now);
      const own =
        'allowed' in t || t.mode !== 'immediate'
          ? { mode: 'immediate' as const, rule: 'CANCEL-FINAL' as RuleId, refundCents: 0, refundableUntil: null }
          : t;
      effects.push(...endNow(a, own, now));
      addOnResults.push({ id: a._id, refundCents: own.refundCents, rule: own.rule });
    }
  } else {
    for (const x of [s, ...live])
      effects.push(updateSub(x, { cancelAtTermEnd: true, autoRenewEnabled: false, ...CLEAR_SCHEDULED, updatedAt: now }));
    live.forEach((a) => addOnResults.push({ id: a._id, refundCents: 0, rule: terms.rule }));
  }
  const total = terms.refundCents + addOnResults.reduce((n, a) => n + a.refundCents, 0);
  effects.push(
    auditFor(actor, {
      partnerId: s.partnerId,
      customerId: s.customerId,
      operationType: 'cancel_subscription',
      resourceId: s._id,
      at: now,
      before: { status: s.status, autoRenewEnabled: s.autoRenewEnabled },
      after:
        terms.mode === 'immediate'
          ? { status: 'deleted', refundCents: total, rule: terms.rule, reason: input.reason ?? null }
          : { cancelAtTermEnd: true, rule: terms.rule, reason: input.reason ?? null },
    }),
  );
  const effectiveDate = terms.mode === 'immediate' ? now : s.commitmentEndDate;
  const credit = formatMoney(total, s.currency);
  const summary =
    terms.mode === 'immediate'
      ? phrased(
          `Cancelled ${describe(s)} under ${terms.rule}: access ends now; ${credit} is credited to the partner.`,
          `Would cancel ${describe(s)} under ${terms.rule}: access would end now; ${credit} would be credited to the partner.`,
        )
      : phrased(
          `Cancellation of ${describe(s)} is scheduled for renewal under ${terms.rule}: it runs until ${iso(s.commitmentEndDate)} and is not refunded.`,
          `Would schedule the cancellation of ${describe(s)} for renewal under ${terms.rule}: it would run until ${iso(s.commitmentEndDate)} and would not be refunded.`,
        );
  return allow({
    effects,
    mode: terms.mode,
    rule: terms.rule,
    refundCents: terms.refundCents,
    currency: s.currency,
    effectiveDate,
    addOns: addOnResults,
    ...summary,
  });
}

function endNow(s: Sub, terms: CancelTerms, now: Date): Effect[] {
  const effects: Effect[] = [
    updateSub(s, {
      status: 'deleted',
      deletedReason: 'cancelled',
      deletedAt: now,
      autoRenewEnabled: false,
      ...CLEAR_SCHEDULED,
      suspendedBy: null,
      suspendedAt: null,
      dataDeletionAt: null,
      suspensionReasons: [],
      chargedCents: s.chargedCents - terms.refundCents,
      updatedAt: now,
    }),
  ];
  if (terms.refundCents > 0) {
    effects.push(
      ledgerFor(s, {
        amountCents: -terms.refundCents,
        kind: 'refund',
        rule: terms.rule,
        description: `Cancellation refund: ${s.offerName} x ${s.quantity}`,
        at: now,
        orderId: s.orderId,
      }),
    );
  }
  return effects;
}

/**
 * CANCEL-WINDOW-SHOWN: until when cancelSubscription is allowed at all (exclusive instant), as
 * Partner Center's cancellationAllowedUntilDate: the end of the 30-day window for new commerce,
 * the term end for marketplace subscriptions (cancellable any time, refunded or scheduled);
 * null when it cannot be cancelled.
 */
export function cancellationAllowedUntil(s: Sub, now: Date): Date | null {
  const terms = cancelTerms(s, now);
  if ('allowed' in terms) return null;
  if (s.commerceType === 'new_commerce') return windowEnd(s.effectiveStartDate, NCE_CANCEL_WINDOW);
  return s.commitmentEndDate;
}

/**
 * CANCEL-WINDOW-SHOWN: Partner Center's refundableQuantity: the seats that a cancellation now
 * would refund, bucketed by when their refund window closes.
 */
export function refundableQuantity(
  s: Sub,
  now: Date,
): { totalQuantity: number; details: { quantity: number; allowedUntilDateTime: Date }[] } {
  const terms = cancelTerms(s, now);
  if (
    'allowed' in terms ||
    terms.mode !== 'immediate' ||
    terms.refundCents <= 0 ||
    terms.refundableUntil === null ||
    s.billingType !== 'license'
  ) {
    return { totalQuantity: 0, details: [] };
  }
  return { totalQuantity: s.quantity, details: [{ quantity: s.quantity, allowedUntilDateTime: terms.refundableUntil }] };
}
