/**
 * BILL-MONTHLY in the seeded world: a term billed monthly has been charged its first month at its
 * start and each later billing month whose start the world's clock passed while it was billed, as
 * the lifecycle engine would have: not after it was cancelled, upgraded or ended, nor while the
 * partner (or Microsoft) had it suspended; a pause does not stop it (PAUSE-EFFECT).
 */
import type { BillingPlan } from '../db/documents.js';
import { billingMonthLabel, billingMonths, monthCharge } from '../policy/billing.js';
import { addMonths } from '../policy/time.js';
import type { Tenant } from './tenant.js';
import type { Timeline } from './timeline.js';

type Plan = Pick<BillingPlan, 'billingCycle' | 'termDuration'>;

/** The last instant a subscription with this history was billed: its billing months starting later were never charged. */
export function billingStop(t: Timeline, now: number): number {
  const stopped = t.suspendedAt !== null && (t.suspendedBy === 'partner' || t.status === 'disabled') ? t.suspendedAt : Infinity;
  return Math.min(now, t.e, t.cancelledAt ?? Infinity, t.upgradeAt ?? Infinity, stopped);
}

/** BILL-MONTHLY: the charge of billing month `n` of a term priced `termPriceCents` (the whole price when billed at its start). */
export function monthPart(plan: Plan, termPriceCents: number, n: number): number {
  const months = billingMonths(plan);
  return months > 1 ? monthCharge(termPriceCents, months, n) : termPriceCents;
}

/** The billing months after the first of the term [s, e) that start after `after` and at or before `stop` (epoch ms). */
export function laterMonths(plan: Plan, s: number, after: number, stop: number): { n: number; at: number }[] {
  const out: { n: number; at: number }[] = [];
  for (let n = 1; n < billingMonths(plan); n++) {
    const at = addMonths(new Date(s), n).getTime();
    if (at > stop) break;
    if (at > after) out.push({ n, at });
  }
  return out;
}

/** BILL-MONTHLY: the end of the billing month of the term [s, e) that `instant` falls in; null for a term billed at its start. */
export function billedUntilAt(plan: Plan, s: number, e: number, instant: number): Date | null {
  const months = billingMonths(plan);
  if (months <= 1) return null;
  for (let n = 1; n < months; n++) {
    const at = addMonths(new Date(s), n);
    if (at.getTime() > instant) return at;
  }
  return new Date(e);
}

/** Writes one BILL-MONTHLY ledger charge per month; returns their sum. */
export function chargeMonths(
  g: Tenant,
  args: { months: { n: number; at: number }[]; plan: Plan; termPriceCents: number; name: string; quantity: number; subscriptionId: string },
): number {
  let total = 0;
  for (const m of args.months) {
    const amountCents = monthPart(args.plan, args.termPriceCents, m.n);
    total += amountCents;
    g.ledger({
      amountCents,
      kind: 'charge',
      source: { type: 'subscription', id: args.subscriptionId },
      orderId: null,
      ruleId: 'BILL-MONTHLY',
      description: `Monthly billing: ${args.name} x ${args.quantity}${billingMonthLabel(args.plan, m.n)}`,
      at: m.at,
    });
  }
  return total;
}
