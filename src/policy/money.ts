/**
 * Money of the rules: integer cents only (MONEY-EXACT), each amount rounded once, half up
 * (MONEY-PRORATE). Inputs are products of small integers, far below 2^53, so plain numbers are exact.
 */
import { daysInTerm, daysUsed, daysRemaining } from './time.js';

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
 * MONEY-PRORATE: a prorated refund = amount charged for the current term - (term price x days
 * used / days in term), never below zero.
 */
export function proratedRefund(args: { chargedCents: number; termPriceCents: number; termStart: Date; termEnd: Date; at: Date }): number {
  const used = prorate(args.termPriceCents, daysUsed(args.termStart, args.at), daysInTerm(args.termStart, args.termEnd));
  return Math.max(0, args.chargedCents - used);
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
