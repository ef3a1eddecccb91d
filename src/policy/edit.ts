/**
 * Editing a subscription (SUB-*): nickname, licence quantity, auto-renew (RENEW-TOGGLE) and the
 * indirect reseller of record.
 */
import type { OfferDoc } from '../db/documents.js';
import { nextBillingAt } from './billing.js';
import { allow, refuse, type Decision, type Refused } from './decision.js';
import type { Effect } from './effects.js';
import { checkQuantity } from './catalog.js';
import {
  auditFor,
  awaitsFulfilment,
  capital,
  changedFields,
  CLEAR_SCHEDULED,
  describe,
  hasScheduled,
  isNewCommerce,
  kindLabel,
  ledgerFor,
  updateSub,
  type Sub,
} from './common.js';
import { addSeats, formatMoney, removeSeats, seatsProrated } from './money.js';
import { checkSubscriptionRoles } from './roles.js';
import type { Caller } from '../shared/caller.js';
import { phrased } from './mood.js';

/** SUB-EDIT: the fields a partner can edit. */
export interface SubscriptionPatch {
  friendlyName?: string | null;
  quantity?: number | null;
  autoRenewEnabled?: boolean | null;
  /** The indirect reseller's MPN ID, "" for none. */
  partnerIdOnRecord?: string | null;
}

export interface UpdateInput {
  subscription: Sub;
  offer: OfferDoc;
  patch: SubscriptionPatch;
  actor: Caller;
  now: Date;
}

export interface UpdateOutcome {
  effects: Effect[];
  /** SUB-QTY-INCREASE: the prorated charge for added seats (negative: credit for removed legacy seats). */
  chargeCents: number;
  currency: string;
  /** SCHED-CLEARED: whether saved changes for renewal were removed. */
  scheduledChangesCleared: boolean;
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

export const MAX_FRIENDLY_NAME = 250;
const MPN_ID = /^\d{5,10}$/;

/** SUB-EDIT: a nickname is 1 to 250 characters, not only spaces. */
export function checkFriendlyName(name: string, field = 'friendlyName'): Refused | null {
  const trimmed = name.trim();
  return trimmed.length === 0 || trimmed.length > MAX_FRIENDLY_NAME
    ? refuse(
        'SUB-EDIT',
        'INVALID_VALUE',
        `A nickname must be 1 to ${MAX_FRIENDLY_NAME} characters (not only spaces); got ${trimmed.length}.`,
        field,
      )
    : null;
}

/**
 * SUB-EDIT: a nickname given when buying is bounded as a later rename is, so no subscription has
 * one that could not be set again; none, or a blank one, means the offer's name.
 */
export function checkGivenFriendlyName(name: string | null | undefined, field: string): Refused | null {
  return name?.trim() ? checkFriendlyName(name, field) : null;
}

/** SUB-ACTION-NEEDED (decision): while an ISV subscription awaits its publisher, only cancel and nickname edits are allowed. */
export function checkActionNeeded(s: Sub, what: string, field?: string): Refused | null {
  return awaitsFulfilment(s)
    ? refuse(
        'SUB-ACTION-NEEDED',
        'ACTION_REQUIRED',
        `${capital(describe(s))} awaits set-up by its publisher ("action needed"); until then only its nickname can be edited or it can be cancelled, not ${what}.`,
        field,
      )
    : null;
}

/** SUB-QTY-DECREASE-NCE: a new-commerce seat reduction cannot happen mid-term; it is scheduled for renewal. */
export function checkQuantityDecrease(s: Sub, quantity: number): Refused | null {
  return isNewCommerce(s) && quantity < s.quantity
    ? refuse(
        'SUB-QTY-DECREASE-NCE',
        'INVALID_VALUE',
        `New-commerce ${describe(s)} cannot reduce seats mid-term (from ${s.quantity} to ${quantity}); schedule the reduction for renewal on ${s.commitmentEndDate.toISOString()} with scheduleChange.`,
        'quantity',
      )
    : null;
}

/** RENEW-TOGGLE: the partner can turn auto-renew off and on for marketplace and new-commerce subscriptions. */
export function checkRenewToggle(s: Sub): Refused | null {
  if (s.commerceType !== 'new_commerce' && s.commerceType !== 'marketplace_saas') {
    return refuse(
      'RENEW-TOGGLE',
      'NOT_SUPPORTED',
      `Auto-renew can be changed for new-commerce and marketplace subscriptions; ${describe(s)} is ${kindLabel(s)}.`,
      'autoRenewEnabled',
    );
  }
  if (s.cancelAtTermEnd)
    return refuse(
      'CANCEL-FINAL',
      'INVALID_STATUS',
      `${capital(describe(s))} is cancelled at term end; a cancellation cannot be undone.`,
      'autoRenewEnabled',
    );
  return null;
}

/**
 * SUB-EDIT, SUB-QTY-INCREASE, SUB-QTY-DECREASE-NCE, RENEW-TOGGLE, SUB-ACTION-NEEDED, SCHED-CLEARED.
 * Seat increases apply now and are charged prorated to the term end; a legacy or marketplace
 * seat reduction applies now and credits the removed seats' unused days (decision: MONEY-PRORATE
 * applied to the seats removed). Turning auto-renew off removes scheduled changes, which require
 * it (SCHED-PREREQ).
 */
export function decideUpdate(input: UpdateInput): Decision<UpdateOutcome> {
  const { subscription: s, offer, patch, actor, now } = input;
  const role = checkSubscriptionRoles(actor, s, 'edit a subscription');
  if (role) return role;
  const set: Partial<Sub> = {};
  const effects: Effect[] = [];
  let chargeCents = 0;
  let cleared = false;
  const wants = {
    name: patch.friendlyName != null && patch.friendlyName.trim() !== s.friendlyName,
    quantity: patch.quantity != null && patch.quantity !== s.quantity,
    renew: patch.autoRenewEnabled != null && patch.autoRenewEnabled !== s.autoRenewEnabled,
    mpn: patch.partnerIdOnRecord != null && patch.partnerIdOnRecord.trim() !== s.partnerIdOnRecord,
  };
  if (!wants.name && !wants.quantity && !wants.renew && !wants.mpn) {
    return refuse(
      'SUB-EDIT',
      'NO_CHANGE',
      `Nothing to change: give a nickname, quantity, autoRenewEnabled or partnerId that differs from ${describe(s)}'s current value.`,
    );
  }
  if (s.status === 'deleted' || s.status === 'expired' || s.status === 'disabled') {
    return refuse('SUSP-STATES', 'INVALID_STATUS', `${capital(describe(s))} is ${s.status} and can no longer be edited.`);
  }
  if (wants.name) {
    const bad = checkFriendlyName(patch.friendlyName!);
    if (bad) return bad;
    set.friendlyName = patch.friendlyName!.trim();
  }
  const others = wants.quantity || wants.renew || wants.mpn;
  if (others) {
    const bad =
      checkActionNeeded(
        s,
        'its quantity, auto-renew or reseller',
        wants.quantity ? 'quantity' : wants.renew ? 'autoRenewEnabled' : 'partnerId',
      ) ??
      (s.status !== 'active'
        ? refuse(
            'SUB-EDIT',
            'INVALID_STATUS',
            `${capital(describe(s))} is ${s.status}; only an active subscription's quantity, auto-renew or reseller can be edited.`,
          )
        : null);
    if (bad) return bad;
  }
  if (wants.mpn) {
    const mpn = patch.partnerIdOnRecord!.trim();
    if (mpn !== '' && !MPN_ID.test(mpn))
      return refuse(
        'SUB-EDIT',
        'INVALID_VALUE',
        `An indirect reseller is named by its MPN ID, 5 to 10 digits (or "" for none); got '${mpn}'.`,
        'partnerId',
      );
    set.partnerIdOnRecord = mpn;
  }
  if (wants.renew) {
    const bad = checkRenewToggle(s);
    if (bad) return bad;
    set.autoRenewEnabled = patch.autoRenewEnabled!;
    if (!patch.autoRenewEnabled && hasScheduled(s)) {
      Object.assign(set, CLEAR_SCHEDULED);
      cleared = true;
    }
  }
  if (wants.quantity) {
    const q = patch.quantity!;
    const bad =
      (s.billingType === 'usage'
        ? refuse('SUB-EDIT', 'NOT_SUPPORTED', `${capital(describe(s))} is usage-based and has no licence quantity.`, 'quantity')
        : null) ??
      checkQuantity(offer, q, 'quantity', 'SUB-EDIT') ??
      checkQuantityDecrease(s, q) ??
      (s.isTrial
        ? refuse('SUB-EDIT', 'NOT_SUPPORTED', `Trial ${describe(s)} keeps its trial quantity until it converts.`, 'quantity')
        : null);
    if (bad) return bad;
    const delta = q - s.quantity;
    // MONEY-PRORATE: the seats are priced over the term the subscription's charges are prorated
    // over, and form their own seat group from now, so a refund counts them only from now; on a term billed monthly, to the end of the
    // month charged so far (BILL-MONTHLY).
    const prorated = seatsProrated(s, Math.abs(delta), now, nextBillingAt(s));
    chargeCents = delta > 0 ? prorated : -prorated;
    set.quantity = q;
    set.chargedCents = s.chargedCents + chargeCents;
    set.seatGroups = delta > 0 ? addSeats(s, delta, now) : removeSeats(s, -delta, now);
    if (delta > 0 && hasScheduled(s)) {
      // SCHED-CLEARED: a mid-term seat increase removes the saved scheduled changes.
      Object.assign(set, CLEAR_SCHEDULED);
      cleared = true;
    }
    if (chargeCents !== 0) {
      effects.push(
        ledgerFor(s, {
          amountCents: chargeCents,
          kind: delta > 0 ? 'prorated_charge' : 'credit',
          rule: delta > 0 ? 'SUB-QTY-INCREASE' : 'SUB-QTY-DECREASE-NCE',
          description: `${delta > 0 ? 'Seat increase' : 'Seat reduction'}: ${s.offerName} ${s.quantity} -> ${q}`,
          at: now,
        }),
      );
    }
  }
  set.updatedAt = now;
  const { before, after } = changedFields(s, set);
  effects.unshift(updateSub(s, set));
  effects.push(
    auditFor(actor, {
      partnerId: s.partnerId,
      customerId: s.customerId,
      operationType: 'update_subscription',
      resourceId: s._id,
      at: now,
      before,
      after,
    }),
  );
  const parts = [
    wants.name && `nickname '${set.friendlyName}'`,
    wants.quantity && `quantity ${s.quantity} -> ${set.quantity} (${formatMoney(chargeCents, s.currency)})`,
    wants.renew && `auto-renew ${set.autoRenewEnabled ? 'on' : 'off'}`,
    wants.mpn && `reseller '${set.partnerIdOnRecord}'`,
    cleared && 'scheduled changes removed',
  ].filter(Boolean);
  return allow({
    effects,
    chargeCents,
    currency: s.currency,
    scheduledChangesCleared: cleared,
    ...phrased(`Updated ${describe(s)}: ${parts.join('; ')}.`, `Would update ${describe(s)}: ${parts.join('; ')}.`),
  });
}
