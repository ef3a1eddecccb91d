/**
 * Money of the rules: integer cents only (MONEY-EXACT), each amount rounded once, half up
 * (MONEY-PRORATE). Inputs are products of small integers, far below 2^53, so plain numbers are exact.
 */
import type { SeatGroup, SubscriptionDoc } from '../db/documents.js';
import { daysInTerm, daysUsed, daysRemaining, elapsed } from './time.js';

/** round(n / d), half up, for non-negative integers n and positive integer d. */
export function roundDiv(n: number, d: number): number {
  return Math.floor((2 * n + d) / (2 * d));
}

/** MONEY-PRORATE: termPrice x days / daysInTerm, rounded once to the cent, half up. */
export function prorate(termPriceCents: number, days: number, daysInTermCount: number): number {
  if (daysInTermCount <= 0) return 0;
  return roundDiv(termPriceCents * days, daysInTermCount);
}

/**
 * MONEY-PRORATE: a prorated refund = amount charged for the current term - value used, never below
 * zero and never above what was charged. The one refund formula: the charged amount is an input,
 * so what "charged for the current term" means (a whole term up front, or the months charged so
 * far, BILL-MONTHLY) is the caller's.
 */
export function refundOf(chargedCents: number, valueUsedCents: number): number {
  return Math.min(Math.max(0, chargedCents), Math.max(0, chargedCents - valueUsedCents));
}

/**
 * MONEY-PRORATE for a single group of units used from the term's start (reservations, software
 * subscriptions): charged - term price x days used / days in term.
 */
export function proratedRefund(args: { chargedCents: number; termPriceCents: number; termStart: Date; termEnd: Date; at: Date }): number {
  const used = prorate(args.termPriceCents, daysUsed(args.termStart, args.at), daysInTerm(args.termStart, args.termEnd));
  return refundOf(args.chargedCents, used);
}

/**
 * MONEY-PRORATE (SUB-QTY-INCREASE, ADDON-ALIGN, UPG-SAME-END): a prorated charge = term price per
 * unit x quantity x days remaining / days in term. BILL-MONTHLY: on a term billed monthly the days
 * remaining run to `billedUntil` (the end of the billing month charged so far), the months after
 * it being charged as the clock reaches them.
 */
export function proratedCharge(args: {
  unitPriceCents: number;
  quantity: number;
  termStart: Date;
  termEnd: Date;
  at: Date;
  billedUntil?: Date | null;
}): number {
  return prorate(
    args.unitPriceCents * args.quantity,
    daysRemaining(args.termStart, args.billedUntil ?? args.termEnd, args.at),
    daysInTerm(args.termStart, args.termEnd),
  );
}

/**
 * MONEY-PRORATE: value used = unit price x sum over seat groups of (seats x days that group was
 * used) / days in term, rounded once. A group's days used are counted from its own `since` to `at`
 * (or to `until`, when its seats left mid-term). `termStart`..`termEnd` is the term the charges
 * were prorated over (for an add-on bought mid-term, its base's: ADDON-ALIGN).
 */
export function valueUsed(args: {
  unitPriceCents: number;
  groups: readonly SeatGroup[];
  termStart: Date;
  termEnd: Date;
  at: Date;
}): number {
  let seatDays = 0;
  for (const g of args.groups) {
    const stop = g.until && elapsed(g.until, args.at) > 0 ? g.until : args.at;
    seatDays += g.quantity * daysUsed(g.since, stop);
  }
  return prorate(args.unitPriceCents * seatDays, 1, daysInTerm(args.termStart, args.termEnd));
}

type Priced = Pick<
  SubscriptionDoc,
  'quantity' | 'unitPriceCents' | 'chargedCents' | 'effectiveStartDate' | 'commitmentEndDate' | 'seatGroups' | 'pricingTermStart'
>;

/** ADDON-ALIGN, UPG-SAME-END: start of the term a subscription's charges are prorated over (MONEY-PRORATE). */
export function pricedTermStart(s: Pick<SubscriptionDoc, 'effectiveStartDate' | 'pricingTermStart'>): Date {
  return s.pricingTermStart ?? s.effectiveStartDate;
}

/** MONEY-PRORATE: the current term's seat groups; a document without them has one group from its term start. */
export function seatGroupsOf(s: Pick<SubscriptionDoc, 'quantity' | 'effectiveStartDate' | 'seatGroups'>): SeatGroup[] {
  return s.seatGroups && s.seatGroups.length > 0
    ? s.seatGroups.map((g) => ({ ...g }))
    : [{ quantity: s.quantity, since: s.effectiveStartDate }];
}

/** MONEY-PRORATE: the value of the seat days a subscription has used in its current term at `at`. */
export function subscriptionValueUsed(s: Priced, at: Date): number {
  return valueUsed({
    unitPriceCents: s.unitPriceCents,
    groups: seatGroupsOf(s),
    termStart: pricedTermStart(s),
    termEnd: s.commitmentEndDate,
    at,
  });
}

/** MONEY-PRORATE: what cancelling at `at` refunds: charged for the current term - value used. */
export function subscriptionRefund(s: Priced, at: Date): number {
  return refundOf(s.chargedCents, subscriptionValueUsed(s, at));
}

/**
 * MONEY-PRORATE (SUB-QTY-INCREASE, UPG-PARTIAL, UPG-TARGET): `quantity` seats of a subscription
 * priced for the days left at `at` of the term its charges are prorated over (on a term billed
 * monthly, of the month charged so far: BILL-MONTHLY): the charge for seats added, or the credit
 * for seats removed.
 */
export function seatsProrated(
  s: Pick<Priced, 'unitPriceCents' | 'effectiveStartDate' | 'commitmentEndDate' | 'pricingTermStart'>,
  quantity: number,
  at: Date,
  /** BILL-MONTHLY: the end of the billing month charged so far (nextBillingAt); null: the whole term is charged. */
  billedUntil: Date | null = null,
): number {
  return proratedCharge({
    unitPriceCents: s.unitPriceCents,
    quantity,
    termStart: pricedTermStart(s),
    termEnd: s.commitmentEndDate,
    at,
    billedUntil,
  });
}

/** MONEY-PRORATE: the seat groups after `quantity` seats are added at `at`, counted from then. */
export function addSeats(
  s: Pick<SubscriptionDoc, 'quantity' | 'effectiveStartDate' | 'seatGroups'>,
  quantity: number,
  at: Date,
): SeatGroup[] {
  return [...seatGroupsOf(s), { quantity, since: at }];
}

/**
 * MONEY-PRORATE: the seat groups after `quantity` seats leave at `at`, taken from the latest groups
 * first; they stay as ended groups, so the days they were used still count.
 */
export function removeSeats(
  s: Pick<SubscriptionDoc, 'quantity' | 'effectiveStartDate' | 'seatGroups'>,
  quantity: number,
  at: Date,
): SeatGroup[] {
  const groups = seatGroupsOf(s);
  const ended: SeatGroup[] = [];
  let left = quantity;
  for (let i = groups.length - 1; i >= 0 && left > 0; i--) {
    const g = groups[i];
    if (g.until) continue;
    const take = Math.min(left, g.quantity);
    left -= take;
    g.quantity -= take;
    ended.push({ quantity: take, since: g.since, until: at });
  }
  return [...groups.filter((g) => g.quantity > 0), ...ended];
}

/**
 * MONEY-PRORATE: a new term (renewal, trial conversion) starts with one seat group from its start
 * and is priced over itself: clears the current term's seat groups and pricing term where present.
 */
export function newTermPricing(
  s: Pick<SubscriptionDoc, 'seatGroups' | 'pricingTermStart'>,
): Partial<Pick<SubscriptionDoc, 'seatGroups' | 'pricingTermStart'>> {
  return { ...(s.seatGroups ? { seatGroups: null } : {}), ...(s.pricingTermStart ? { pricingTermStart: null } : {}) };
}

/** A percentage of an amount, rounded half up (RES-REFUND-TABLE's 12 % fee). */
export function percentOf(amountCents: number, percent: number): number {
  return roundDiv(amountCents * percent, 100);
}

/** PRICE-TAX: prices exclude tax, except for customers billed in Australia and Brazil. */
export const TAX_INCLUSIVE_COUNTRIES: readonly string[] = ['AU', 'BR'];

/** PRICE-TAX: whether a customer's prices include tax. */
export function pricesIncludeTax(billingCountry: string): boolean {
  return TAX_INCLUSIVE_COUNTRIES.includes(billingCountry.toUpperCase());
}

/** "12.30 USD" for messages a partner reads. */
export function formatMoney(amountCents: number, currency: string): string {
  const sign = amountCents < 0 ? '-' : '';
  const abs = Math.abs(amountCents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} ${currency}`;
}
