/**
 * A subscription's history for a scenario: when it was bought, its current term, and whether it
 * is suspended, paused, cancelled, upgraded or ended, all relative to the world's `now`.
 *
 * A subscription's current term is [effectiveStartDate, commitmentEndDate), its end is
 * `addTerm(effectiveStartDate, termDuration)` (30 days for trials), and every live term contains
 * `now`: anything older has renewed (RENEW-DEFAULT) or ended (RENEW-OFF-ENDS).
 */
import type { BillingPlan, OfferDoc, SubscriptionDoc, SubscriptionStatus, SuspensionReason, TermDuration } from '../db/documents.js';
import { ISV_ANNUAL_WINDOW, isvRefundWindow, NCE_CANCEL_WINDOW, NCE_FULL_REFUND_WINDOW } from '../policy/cancellation.js';
import { trialTerm } from '../policy/purchase.js';
import { dataDeletionDate } from '../policy/suspension.js';
import { addTerm, DAY, HOUR, MINUTE, SECOND } from '../policy/time.js';
import type { Scenario } from './showcase.js';
import type { Tenant } from './tenant.js';

/** Creation dates spread over this much history before `now`. */
export const HISTORY = 3 * 365 * DAY;
/** The longest each term can be, for choosing starts whose first term is already over. */
const TERM_MAX: Record<TermDuration, number> = { P1M: 31 * DAY, P1Y: 366 * DAY, P3Y: 1097 * DAY };

export interface Timeline {
  c: number;
  s: number;
  e: number;
  status: SubscriptionStatus;
  autoRenew: boolean;
  suspendedBy: SubscriptionDoc['suspendedBy'];
  suspendedAt: number | null;
  dataDeletionAt: number | null;
  reasons: SuspensionReason[];
  deletedReason: SubscriptionDoc['deletedReason'];
  deletedAt: number | null;
  fulfilment: 'action_needed' | 'fulfilled' | null;
  /** When it was cancelled (deletedReason 'cancelled'); what that refunded is the policy's (cancelTerms). */
  cancelledAt: number | null;
  upgradeAt: number | null;
}

/** A history that starts active at `s` and, so far, has nothing else in it (no suspension, deletion or upgrade). */
export function activeTimeline(start: Pick<Timeline, 'c' | 's' | 'e' | 'autoRenew'> & Partial<Pick<Timeline, 'fulfilment'>>): Timeline {
  return {
    status: 'active',
    suspendedBy: null,
    suspendedAt: null,
    dataDeletionAt: null,
    reasons: [],
    deletedReason: null,
    deletedAt: null,
    fulfilment: null,
    cancelledAt: null,
    upgradeAt: null,
    ...start,
  };
}

export function currentTerm(c: number, term: TermDuration, until: number): { s: number; e: number } {
  let s = c;
  let e = addTerm(new Date(s), term).getTime();
  while (e <= until) {
    s = e;
    e = addTerm(new Date(s), term).getTime();
  }
  return { s, e };
}

export function reasons(g: Tenant): SuspensionReason[] {
  const first = g.rng.weighted<SuspensionReason>([
    ['customer_request', 40],
    ['non_payment', 45],
    ['fraud', 15],
  ]);
  if (!g.rng.chance(0.1)) return [first];
  const second = g.rng.pick((['customer_request', 'non_payment', 'fraud'] as const).filter((r) => r !== first));
  return [first, second];
}

/** The subscription's history for a scenario, or null when the customer's age does not allow it. */
export function timeline(g: Tenant, offer: OfferDoc, plan: BillingPlan, scenario: Scenario): Timeline | null {
  const term = plan.termDuration;
  const legacy = offer.commerceType === 'legacy';
  const marketplace = offer.commerceType === 'marketplace_saas';
  const base = (c: number, s: number, e: number): Timeline =>
    activeTimeline({
      c,
      s,
      e,
      autoRenew: legacy || offer.billingType === 'usage' ? true : g.rng.chance(marketplace ? 0.8 : 0.85),
      fulfilment: marketplace ? 'fulfilled' : null,
    });
  const live = (c: number | null): Timeline | null => {
    if (c === null) return null;
    const { s, e } = currentTerm(c, term, g.now);
    return base(c, s, e);
  };
  switch (scenario) {
    case 'active':
      return live(g.past(legacy ? 180 * DAY : HOUR, HISTORY));
    case 'recent_24h':
      // Recent ones sit inside the cancellation windows: CANCEL-NCE-24H, CANCEL-ISV-ANNUAL, CANCEL-NCE-30D.
      return live(g.past(5 * MINUTE, NCE_FULL_REFUND_WINDOW - HOUR));
    case 'recent_14d':
      return live(g.past(DAY, ISV_ANNUAL_WINDOW));
    case 'recent_30d':
      return live(g.past(ISV_ANNUAL_WINDOW, NCE_CANCEL_WINDOW));
    case 'paused':
    case 'disabled': {
      const t = live(g.past(2 * DAY, HISTORY));
      if (!t) return null;
      const lo = Math.max(t.s, g.now - 60 * DAY);
      if (lo > g.now - HOUR) return null;
      t.suspendedAt = g.between(lo, g.now - HOUR);
      t.autoRenew = false;
      if (scenario === 'paused') {
        t.status = 'suspended';
        t.suspendedBy = 'pause';
        t.reasons = ['non_payment'];
      } else {
        // Disabled by Microsoft, not by the partner: no self-serve way back.
        t.status = 'disabled';
        t.reasons = ['fraud'];
      }
      return t;
    }
    case 'suspended': {
      const t = live(g.past(legacy ? 180 * DAY : 2 * DAY, HISTORY));
      if (!t) return null;
      const lo = Math.max(t.s, g.now - (g.graceDays - 1) * DAY);
      if (lo > g.now - HOUR) return null;
      t.status = 'suspended';
      t.suspendedBy = 'partner';
      t.suspendedAt = g.between(lo, g.now - HOUR);
      t.dataDeletionAt = dataDeletionDate(g.customer, new Date(t.suspendedAt)).getTime();
      t.reasons = reasons(g);
      return t;
    }
    case 'data_deleted': {
      const c = g.past(g.graceDays * DAY + 2 * DAY, HISTORY);
      if (c === null) return null;
      const suspendedAt = g.between(c + DAY, g.now - g.graceDays * DAY - HOUR);
      const { s, e } = currentTerm(c, term, suspendedAt);
      const t = base(c, s, e);
      t.status = 'deleted';
      t.suspendedBy = 'partner';
      t.suspendedAt = suspendedAt;
      t.dataDeletionAt = dataDeletionDate(g.customer, new Date(suspendedAt)).getTime();
      t.reasons = reasons(g);
      t.deletedReason = 'data_deleted';
      t.deletedAt = t.dataDeletionAt;
      return t;
    }
    case 'cancelled': {
      const c = g.past(HOUR, HISTORY);
      if (c === null) return null;
      const e = addTerm(new Date(c), term).getTime();
      // Inside CANCEL-NCE-30D's window, and in 40 % of cases inside CANCEL-NCE-24H's.
      const windowEnd = Math.min(c + NCE_CANCEL_WINDOW - SECOND, g.now - MINUTE, e - MINUTE);
      const within24h = g.rng.chance(0.4);
      const at = g.between(c + MINUTE, within24h ? Math.min(c + NCE_FULL_REFUND_WINDOW - SECOND, windowEnd) : windowEnd);
      const t = base(c, c, e);
      t.status = 'deleted';
      t.autoRenew = false;
      t.deletedReason = 'cancelled';
      t.deletedAt = at;
      t.cancelledAt = at;
      return t;
    }
    case 'isv_cancelled': {
      const c = g.past(HOUR, HISTORY);
      if (c === null) return null;
      const e = addTerm(new Date(c), term).getTime();
      const t = base(c, c, e);
      t.status = 'deleted';
      t.autoRenew = false;
      t.deletedReason = 'cancelled';
      if (offer.billingType === 'usage') {
        // CANCEL-ISV-USAGE: deprovisioned at once, any time in its term.
        t.deletedAt = g.between(c + MINUTE, Math.min(e, g.now) - MINUTE);
      } else {
        // Inside the full-refund window of its billing cycle, so the cancellation is immediate.
        const { windowMs } = isvRefundWindow(plan);
        t.deletedAt = g.between(c + MINUTE, Math.min(c + windowMs - SECOND, g.now - MINUTE, e - MINUTE));
      }
      t.cancelledAt = t.deletedAt;
      return t;
    }
    case 'term_ended': {
      const c = g.past(TERM_MAX[term] + HOUR, HISTORY);
      if (c === null) return null;
      const e = addTerm(new Date(c), term).getTime();
      const t = base(c, c, e);
      t.status = 'deleted';
      t.autoRenew = false;
      t.deletedReason = 'term_ended';
      t.deletedAt = e;
      return t;
    }
    case 'upgraded': {
      const t = live(g.past(2 * DAY, HISTORY));
      if (!t) return null;
      const lo = Math.max(t.s + HOUR, g.now - 90 * DAY);
      if (lo > g.now - HOUR) return null;
      t.upgradeAt = g.between(lo, g.now - HOUR);
      t.status = 'deleted';
      t.autoRenew = false;
      t.deletedReason = 'upgraded';
      t.deletedAt = t.upgradeAt;
      return t;
    }
    case 'trial_active': {
      const c = g.past(HOUR, trialEnd(offer, 0) - DAY);
      if (c === null) return null;
      return base(c, c, trialEnd(offer, c));
    }
    case 'trial_expired': {
      const c = g.past(trialEnd(offer, 0) + HOUR, 2 * 365 * DAY);
      if (c === null) return null;
      const t = base(c, c, trialEnd(offer, c));
      // SCHED-TRIAL: conversion was turned off, so the trial ran out.
      t.status = 'expired';
      t.autoRenew = false;
      return t;
    }
    case 'action_needed': {
      const t = live(g.past(10 * MINUTE, 10 * DAY));
      if (!t) return null;
      t.status = 'pending';
      t.fulfilment = 'action_needed';
      return t;
    }
  }
}

/** CAT-TRIAL: the end of a trial started at `start` (epoch milliseconds). */
function trialEnd(offer: OfferDoc, start: number): number {
  const trial = trialTerm(offer, new Date(start));
  if (!trial) throw new Error(`seed: offer ${offer._id} has no trial`);
  return trial.end.getTime();
}

export function randomScenario(g: Tenant, offer: OfferDoc): Scenario {
  const w = <T>(entries: readonly (readonly [T, number])[]): T => g.rng.weighted(entries);
  if (offer.trial)
    return w<Scenario>([
      ['trial_active', 55],
      ['trial_expired', 45],
    ]);
  switch (offer.commerceType) {
    case 'legacy':
      return w<Scenario>([
        ['active', 66],
        ['suspended', 22],
        ['data_deleted', 12],
      ]);
    case 'marketplace_saas':
      return offer.billingType === 'usage'
        ? w<Scenario>([
            ['active', 75],
            ['action_needed', 10],
            ['isv_cancelled', 15],
          ])
        : w<Scenario>([
            ['active', 58],
            ['recent_24h', 6],
            ['recent_14d', 6],
            ['action_needed', 15],
            ['isv_cancelled', 9],
            ['term_ended', 6],
          ]);
    default:
      if (offer.billingType === 'usage')
        return w<Scenario>([
          ['active', 95],
          ['paused', 5],
        ]);
      return w<Scenario>([
        ['active', 58],
        ['recent_24h', 5],
        ['recent_14d', 5],
        ['recent_30d', 6],
        ['paused', 4],
        ['cancelled', 7],
        ['term_ended', 6],
        ['upgraded', 4],
        ['disabled', 1.5],
      ]);
  }
}
