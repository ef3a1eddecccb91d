import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatMoney,
  percentOf,
  prorate,
  proratedCharge,
  proratedRefund,
  pricesIncludeTax,
  refundOf,
  removeSeats,
  roundDiv,
  valueUsed,
  TAX_INCLUSIVE_COUNTRIES,
} from '../../src/policy/money.js';
import { addTerm } from '../../src/policy/time.js';
import { at, DAY, T0, TERM_END } from './harness.js';

describe('rounding (MONEY-PRORATE: rounded once, to the cent, half up)', () => {
  it('MONEY-PRORATE: roundDiv rounds half up: 5/2 = 3, 4/3 = 1, 5/3 = 2, 7/2 = 4, 1/2 = 1, 1/3 = 0, 0/7 = 0', () => {
    expect([roundDiv(5, 2), roundDiv(4, 3), roundDiv(5, 3), roundDiv(7, 2), roundDiv(1, 2), roundDiv(1, 3), roundDiv(0, 7)]).toEqual([
      3, 1, 2, 4, 1, 0, 0,
    ]);
  });

  it('MONEY-PRORATE: roundDiv of exact quotients is the quotient (12000/4 = 3000)', () => {
    expect(roundDiv(12000, 4)).toBe(3000);
    expect(roundDiv(365 * 1200, 365)).toBe(1200);
  });

  it('MONEY-PRORATE: roundDiv equals Math.round(n/d) for non-negative integers (half up)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 5000 }), (n, d) => {
        expect(roundDiv(n, d)).toBe(Math.round(n / d));
        expect(Math.abs(roundDiv(n, d) * d - n) * 2).toBeLessThanOrEqual(d);
      }),
      { numRuns: 300 },
    );
  });
});

describe('prorate / proratedRefund / proratedCharge (MONEY-PRORATE)', () => {
  it('MONEY-PRORATE: prorate(12000, 1 day, 365) = 33 cents (32.88 rounded half up); 2 days = 66; 30 days = 986', () => {
    expect(prorate(12000, 1, 365)).toBe(33);
    expect(prorate(12000, 2, 365)).toBe(66);
    expect(prorate(12000, 30, 365)).toBe(986);
  });

  it('MONEY-PRORATE: prorate over a term of 0 days is 0 (no division by zero)', () => {
    expect(prorate(12000, 3, 0)).toBe(0);
  });

  it('MONEY-PRORATE: a prorated refund = charged - term price x days used / days in term (1 day used: 12000 - 33)', () => {
    expect(proratedRefund({ chargedCents: 12000, termPriceCents: 12000, termStart: T0, termEnd: TERM_END, at: at(DAY) })).toBe(11967);
    expect(proratedRefund({ chargedCents: 12000, termPriceCents: 12000, termStart: T0, termEnd: TERM_END, at: at(DAY + 1) })).toBe(11934);
    expect(proratedRefund({ chargedCents: 12000, termPriceCents: 12000, termStart: T0, termEnd: TERM_END, at: T0 })).toBe(12000);
  });

  it('MONEY-PRORATE: a prorated refund is never below zero', () => {
    expect(proratedRefund({ chargedCents: 0, termPriceCents: 12000, termStart: T0, termEnd: TERM_END, at: at(10 * DAY) })).toBe(0);
    expect(proratedRefund({ chargedCents: 100, termPriceCents: 12000, termStart: T0, termEnd: TERM_END, at: at(300 * DAY) })).toBe(0);
  });

  it('MONEY-PRORATE: a prorated charge = unit price x quantity x days remaining / days in term (5 x 1200, 363 of 365 days = 5967)', () => {
    expect(proratedCharge({ unitPriceCents: 1200, quantity: 5, termStart: T0, termEnd: TERM_END, at: at(DAY + 1) })).toBe(5967);
    expect(proratedCharge({ unitPriceCents: 1200, quantity: 5, termStart: T0, termEnd: TERM_END, at: T0 })).toBe(6000);
    expect(proratedCharge({ unitPriceCents: 1200, quantity: 5, termStart: T0, termEnd: TERM_END, at: TERM_END })).toBe(0);
  });

  it('MONEY-PRORATE: a prorated charge in a 29-day leap February: 3 x 2900 with 1 day used of 29 = 8400', () => {
    const start = new Date('2028-02-01T00:00:00Z');
    expect(
      proratedCharge({
        unitPriceCents: 2900,
        quantity: 3,
        termStart: start,
        termEnd: addTerm(start, 'P1M'),
        at: new Date('2028-02-01T12:00:00Z'),
      }),
    ).toBe(8400);
  });

  it('MONEY-PRORATE: percentOf rounds half up (12 % of 1234 = 148, 10 % of 125 = 13, 12 % of 1250 = 150)', () => {
    expect(percentOf(1234, 12)).toBe(148);
    expect(percentOf(125, 10)).toBe(13);
    expect(percentOf(1250, 12)).toBe(150);
    expect(percentOf(0, 12)).toBe(0);
  });
});

describe('MONEY-EXACT', () => {
  it('MONEY-EXACT: every prorated refund and charge is an integer number of cents within [0, term price]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 400 * DAY }),
        fc.constantFrom<'P1M' | 'P1Y' | 'P3Y'>('P1M', 'P1Y', 'P3Y'),
        (unit, quantity, offset, term) => {
          const termEnd = addTerm(T0, term);
          const now = at(offset);
          const charge = proratedCharge({ unitPriceCents: unit, quantity, termStart: T0, termEnd, at: now });
          const refund = proratedRefund({
            chargedCents: unit * quantity,
            termPriceCents: unit * quantity,
            termStart: T0,
            termEnd,
            at: now,
          });
          for (const amount of [charge, refund, percentOf(charge, 12)]) {
            expect(Number.isInteger(amount)).toBe(true);
            expect(amount).toBeGreaterThanOrEqual(0);
            expect(amount).toBeLessThanOrEqual(unit * quantity);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('MONEY-EXACT: formatMoney prints cents exactly (1234 -> 12.34 USD, -5 -> -0.05 USD, 0 -> 0.00 EUR)', () => {
    expect(formatMoney(1234, 'USD')).toBe('12.34 USD');
    expect(formatMoney(-5, 'USD')).toBe('-0.05 USD');
    expect(formatMoney(0, 'EUR')).toBe('0.00 EUR');
  });
});

describe('PRICE-TAX', () => {
  it('PRICE-TAX: prices include tax for customers billed in Australia and Brazil, also written in lower case', () => {
    expect(TAX_INCLUSIVE_COUNTRIES).toEqual(['AU', 'BR']);
    expect([pricesIncludeTax('AU'), pricesIncludeTax('BR'), pricesIncludeTax('au'), pricesIncludeTax('br')]).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it('PRICE-TAX: prices exclude tax for customers billed in the US, Germany, Austria and New Zealand', () => {
    expect([pricesIncludeTax('US'), pricesIncludeTax('DE'), pricesIncludeTax('AT'), pricesIncludeTax('NZ')]).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('value used and refunds over seat groups (MONEY-PRORATE)', () => {
  // 36500 a seat a year over a 365-day term: 100 cents a seat day.
  const one = (at_: Date, groups = [{ quantity: 1, since: T0 }]) =>
    valueUsed({ unitPriceCents: 36500, groups, termStart: T0, termEnd: TERM_END, at: at_ });

  it('MONEY-PRORATE: days used are 0 at the start instant, 1 from the first millisecond up to exactly 24 h, 2 from 24 h + 1 ms', () => {
    expect([one(T0), one(at(1)), one(at(DAY)), one(at(DAY + 1))]).toEqual([0, 100, 100, 200]);
  });

  it('MONEY-PRORATE: each group counts from its own start; an ended group stops at its end', () => {
    const groups = [
      { quantity: 2, since: T0 },
      { quantity: 3, since: at(5 * DAY) },
      { quantity: 1, since: T0, until: at(2 * DAY) },
    ];
    // 2 x 10 + 3 x 5 + 1 x 2 seat days.
    expect(one(at(10 * DAY), groups)).toBe(3700);
  });

  it('MONEY-PRORATE: value used is rounded once over all groups, half up (two groups of 1 seat day at 12.00/365: 6.58 -> 7, not 3 + 3)', () => {
    const groups = [
      { quantity: 1, since: T0 },
      { quantity: 1, since: T0 },
    ];
    expect(valueUsed({ unitPriceCents: 1200, groups, termStart: T0, termEnd: TERM_END, at: at(DAY) })).toBe(7);
  });

  it('MONEY-PRORATE: refund = charged - value used, never below zero, never above what was charged', () => {
    expect(refundOf(12000, 33)).toBe(11967);
    expect(refundOf(100, 150)).toBe(0);
    expect(refundOf(100, -5)).toBe(100);
    expect(refundOf(0, 0)).toBe(0);
  });

  it('MONEY-PRORATE: removed seats leave the latest groups first and stay as ended groups', () => {
    const s = {
      quantity: 13,
      effectiveStartDate: T0,
      seatGroups: [
        { quantity: 10, since: T0 },
        { quantity: 3, since: at(5 * DAY) },
      ],
    };
    expect(removeSeats(s, 5, at(9 * DAY))).toEqual([
      { quantity: 8, since: T0 },
      { quantity: 3, since: at(5 * DAY), until: at(9 * DAY) },
      { quantity: 2, since: T0, until: at(9 * DAY) },
    ]);
  });
});
