/**
 * BILL-MONTHLY (decision): billing frequency is honoured. A term billed monthly is charged one
 * month at a time, at the start of each billing month of the term, as the simulation clock reaches
 * it (a lifecycle event, lifecycle.ts); a term billed annually, triennially or once is charged at
 * its start. `chargedCents` is what has been charged so far for the current term, the amount
 * MONEY-PRORATE's refunds start from; `billedUntil` is the end (exclusive) of what it pays for.
 */
import type { BillingCycle, TermDuration } from '../db/documents.js';
import type { Sub } from './common.js';
import { roundDiv } from './money.js';
import { addMonths, elapsed, termMonths } from './time.js';

/** BILL-MONTHLY: the billing months of a term: one per calendar month when billed monthly, else one (its start). */
export function billingMonths(plan: { billingCycle: BillingCycle; termDuration: TermDuration }): number {
  return plan.billingCycle === 'monthly' ? termMonths(plan.termDuration) : 1;
}

/**
 * BILL-MONTHLY: the charge of billing month `n` (0-based) of a term priced `termPriceCents`, in
 * equal parts rounded so that the parts of a whole term sum to its price exactly (cumulative
 * rounding, half up: 720.00 over 12 months is 60.00 each; 100.00 over 12 is 8.33 or 8.34).
 */
export function monthCharge(termPriceCents: number, months: number, n: number): number {
  return roundDiv(termPriceCents * (n + 1), months) - roundDiv(termPriceCents * n, months);
}

/** What a term starting at `termStart` is charged at its start, and until when that pays (null: the whole term). */
export interface TermBilling {
  chargeCents: number;
  billedUntil: Date | null;
}

/** BILL-MONTHLY: the first charge of a term: its first billing month when billed monthly, else the whole term. */
export function termStartCharge(args: {
  billingCycle: BillingCycle;
  termDuration: TermDuration;
  termPriceCents: number;
  termStart: Date;
}): TermBilling {
  const months = billingMonths(args);
  if (months <= 1) return { chargeCents: args.termPriceCents, billedUntil: null };
  return { chargeCents: monthCharge(args.termPriceCents, months, 0), billedUntil: addMonths(args.termStart, 1) };
}

/**
 * BILL-MONTHLY: the start of the next billing month still to charge, or null when the term is
 * billed to its end (or billed at its start). Documents from before monthly billing have no
 * `billedUntil`: their whole term was charged.
 */
export function nextBillingAt(s: Pick<Sub, 'billedUntil' | 'commitmentEndDate'>): Date | null {
  const until = s.billedUntil ?? null;
  return until && elapsed(until, s.commitmentEndDate) > 0 ? until : null;
}

/**
 * BILL-MONTHLY: the billing month of the term that starts at `at`: its index (0-based, -1 when
 * none starts then) and the start of the next one (or the term end). A term shortened to end
 * with another's (an upgrade's new target, UPG-SAME-END; an add-on, ADDON-ALIGN) has the other's
 * billing months: they are counted back from its end.
 */
export function billingMonthAt(
  s: Pick<Sub, 'effectiveStartDate' | 'commitmentEndDate' | 'billingCycle' | 'termDuration'>,
  at: Date,
): { n: number; next: Date } {
  const months = billingMonths(s);
  const clamp = (d: Date) => (elapsed(d, s.commitmentEndDate) > 0 ? d : s.commitmentEndDate);
  for (let n = 0; n < months; n++) {
    if (addMonths(s.effectiveStartDate, n).getTime() === at.getTime()) return { n, next: clamp(addMonths(s.effectiveStartDate, n + 1)) };
    if (addMonths(s.commitmentEndDate, n - months).getTime() === at.getTime())
      return { n, next: clamp(addMonths(s.commitmentEndDate, n + 1 - months)) };
  }
  return { n: -1, next: clamp(addMonths(at, 1)) };
}

/** BILL-MONTHLY: the charge of the billing month that starts at `at` (equal parts; see monthCharge), and the month's end. */
export function chargeOfMonthAt(
  s: Pick<Sub, 'effectiveStartDate' | 'commitmentEndDate' | 'billingCycle' | 'termDuration' | 'unitPriceCents' | 'quantity'>,
  at: Date,
): { n: number; chargeCents: number; next: Date } {
  const months = billingMonths(s);
  const termPrice = s.unitPriceCents * s.quantity;
  const { n, next } = billingMonthAt(s, at);
  return { n, next, chargeCents: n < 0 ? roundDiv(termPrice, months) : monthCharge(termPrice, months, n) };
}

/**
 * BILL-MONTHLY with SUSP-REACTIVATE: a suspension stops the charges while it lasts; the billing
 * months that started during it are not charged, and billing resumes at the first month that
 * starts at or after `now` (or never, when the term ends first).
 */
export function billedUntilOnResume(s: Pick<Sub, 'billedUntil' | 'effectiveStartDate' | 'commitmentEndDate'>, now: Date): Date | null {
  const next = nextBillingAt(s);
  if (!next || elapsed(now, next) >= 0) return s.billedUntil ?? null;
  let n = 1;
  while (elapsed(now, addMonths(s.effectiveStartDate, n)) < 0) n++;
  const resume = addMonths(s.effectiveStartDate, n);
  return elapsed(resume, s.commitmentEndDate) > 0 ? resume : s.commitmentEndDate;
}

/** ", billing month 2 of 12" for a term billed monthly (ledger descriptions); "" for one billed at its start. */
export function billingMonthLabel(plan: { billingCycle: BillingCycle; termDuration: TermDuration }, n: number): string {
  const months = billingMonths(plan);
  return months > 1 ? `, billing month ${n + 1} of ${months}` : '';
}
