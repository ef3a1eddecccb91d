import { describe, expect, it } from 'vitest';
import {
  addDuration,
  addMonths,
  addTerm,
  atMost,
  daysInTerm,
  daysRemaining,
  daysUsed,
  elapsed,
  invalidInstant,
  parseDuration,
  termMonths,
  windowEnd,
  within,
} from '../../src/policy/time.js';
import { at, DAY, HOUR, MINUTE, SECOND, T0 } from './harness.js';

const d = (iso: string) => new Date(iso);

describe('addTerm: calendar terms clamped to month ends, time of day kept (MONEY-PRORATE)', () => {
  it('MONEY-PRORATE: 31 Jan 2027 + P1M is 28 Feb 2027, at the same time of day', () => {
    expect(addTerm(d('2027-01-31T13:45:06.789Z'), 'P1M')).toEqual(d('2027-02-28T13:45:06.789Z'));
  });

  it('MONEY-PRORATE: 31 Jan 2028 + P1M is 29 Feb 2028 (leap year)', () => {
    expect(addTerm(d('2028-01-31T09:00:00.000Z'), 'P1M')).toEqual(d('2028-02-29T09:00:00.000Z'));
  });

  it('MONEY-PRORATE: 29 Feb 2028 + P1Y is 28 Feb 2029', () => {
    expect(addTerm(d('2028-02-29T23:59:59.999Z'), 'P1Y')).toEqual(d('2029-02-28T23:59:59.999Z'));
  });

  it('MONEY-PRORATE: 29 Feb 2028 + P3Y is 28 Feb 2031', () => {
    expect(addTerm(d('2028-02-29T00:00:00.000Z'), 'P3Y')).toEqual(d('2031-02-28T00:00:00.000Z'));
  });

  it('MONEY-PRORATE: 31 Mar + P1M is 30 Apr; 30 Nov + P1M is 30 Dec; 31 Dec 2026 + P1M is 31 Jan 2027', () => {
    expect(addTerm(d('2027-03-31T09:00:00.000Z'), 'P1M')).toEqual(d('2027-04-30T09:00:00.000Z'));
    expect(addTerm(d('2026-11-30T09:00:00.000Z'), 'P1M')).toEqual(d('2026-12-30T09:00:00.000Z'));
    expect(addTerm(d('2026-12-31T09:00:00.000Z'), 'P1M')).toEqual(d('2027-01-31T09:00:00.000Z'));
  });

  it('MONEY-PRORATE: T0 + P1Y is 2027-11-01T09:00Z and T0 + P3Y is 2029-11-01T09:00Z', () => {
    expect(addTerm(T0, 'P1Y')).toEqual(d('2027-11-01T09:00:00.000Z'));
    expect(addTerm(T0, 'P3Y')).toEqual(d('2029-11-01T09:00:00.000Z'));
  });

  it('MONEY-PRORATE: a term is 1, 12 or 36 calendar months; addMonths crosses years both ways', () => {
    expect([termMonths('P1M'), termMonths('P1Y'), termMonths('P3Y')]).toEqual([1, 12, 36]);
    expect(addMonths(d('2026-11-15T00:00:00.000Z'), 14)).toEqual(d('2028-01-15T00:00:00.000Z'));
    expect(addMonths(d('2026-03-31T00:00:00.000Z'), -1)).toEqual(d('2026-02-28T00:00:00.000Z'));
  });
});

describe('daysInTerm / daysUsed / daysRemaining (MONEY-PRORATE)', () => {
  it('MONEY-PRORATE: days in term are the calendar days spanned: 28 for Feb 2027, 29 for Feb 2028, 31 for Jan', () => {
    expect(daysInTerm(d('2027-02-01T09:00:00Z'), addTerm(d('2027-02-01T09:00:00Z'), 'P1M'))).toBe(28);
    expect(daysInTerm(d('2028-02-01T09:00:00Z'), addTerm(d('2028-02-01T09:00:00Z'), 'P1M'))).toBe(29);
    expect(daysInTerm(d('2027-01-01T09:00:00Z'), addTerm(d('2027-01-01T09:00:00Z'), 'P1M'))).toBe(31);
    expect(daysInTerm(d('2027-01-31T09:00:00Z'), addTerm(d('2027-01-31T09:00:00Z'), 'P1M'))).toBe(28);
  });

  it('MONEY-PRORATE: a year is 365 days, or 366 when it spans 29 Feb 2028', () => {
    expect(daysInTerm(T0, addTerm(T0, 'P1Y'))).toBe(365);
    expect(daysInTerm(d('2028-01-01T00:00:00Z'), addTerm(d('2028-01-01T00:00:00Z'), 'P1Y'))).toBe(366);
    expect(daysInTerm(d('2027-03-01T00:00:00Z'), addTerm(d('2027-03-01T00:00:00Z'), 'P1Y'))).toBe(366);
    expect(daysInTerm(d('2028-03-01T00:00:00Z'), addTerm(d('2028-03-01T00:00:00Z'), 'P1Y'))).toBe(365);
  });

  it('MONEY-PRORATE: three years are 1096 days when they span one 29 February', () => {
    expect(daysInTerm(d('2027-01-01T00:00:00Z'), addTerm(d('2027-01-01T00:00:00Z'), 'P3Y'))).toBe(1096);
    expect(daysInTerm(T0, addTerm(T0, 'P3Y'))).toBe(1096);
  });

  it('MONEY-PRORATE: days used are 0 at the start instant and 1 from its first millisecond', () => {
    expect(daysUsed(T0, T0)).toBe(0);
    expect(daysUsed(T0, at(1))).toBe(1);
  });

  it('MONEY-PRORATE: days used are 1 at exactly 24 h and 2 at 24 h + 1 ms', () => {
    expect(daysUsed(T0, at(DAY - 1))).toBe(1);
    expect(daysUsed(T0, at(DAY))).toBe(1);
    expect(daysUsed(T0, at(DAY + 1))).toBe(2);
    expect(daysUsed(T0, at(30 * DAY))).toBe(30);
    expect(daysUsed(T0, at(30 * DAY + 1))).toBe(31);
  });

  it('MONEY-PRORATE: days used are never negative before the start', () => {
    expect(daysUsed(T0, at(-5 * DAY))).toBe(0);
  });

  it('MONEY-PRORATE: days remaining = days in term - days used, never negative', () => {
    const end = addTerm(T0, 'P1Y');
    expect(daysRemaining(T0, end, T0)).toBe(365);
    expect(daysRemaining(T0, end, at(DAY))).toBe(364);
    expect(daysRemaining(T0, end, at(DAY + 1))).toBe(363);
    expect(daysRemaining(T0, end, end)).toBe(0);
    expect(daysRemaining(T0, end, at(400 * DAY))).toBe(0);
  });
});

describe('windows (GEN-WINDOW)', () => {
  it('GEN-WINDOW: "within 24 h" holds at 23h59m59.999s and not at exactly 24 h (elapsed < X)', () => {
    expect(within(T0, at(DAY - 1), DAY)).toBe(true);
    expect(within(T0, at(DAY), DAY)).toBe(false);
    expect(within(T0, at(DAY + 1), DAY)).toBe(false);
  });

  it('GEN-WINDOW: the start instant, and an instant before it, count as within the window', () => {
    expect(within(T0, T0, DAY)).toBe(true);
    expect(within(T0, at(-1), DAY)).toBe(true);
  });

  it('GEN-WINDOW: "5 or fewer days" holds at exactly 5 x 24 h and not 1 ms later (elapsed <= X)', () => {
    expect(atMost(T0, at(5 * DAY - 1), 5 * DAY)).toBe(true);
    expect(atMost(T0, at(5 * DAY), 5 * DAY)).toBe(true);
    expect(atMost(T0, at(5 * DAY + 1), 5 * DAY)).toBe(false);
  });

  it('GEN-WINDOW: windowEnd is start + X, the first instant outside the window', () => {
    expect(windowEnd(T0, 30 * DAY)).toEqual(d('2026-12-01T09:00:00.000Z'));
    expect(within(T0, windowEnd(T0, 30 * DAY), 30 * DAY)).toBe(false);
    expect(elapsed(T0, at(-3))).toBe(-3);
  });
});

describe('parseDuration', () => {
  it('GEN-WINDOW: parses P30D, PT24H, P1DT2H30M, PT0.001S and PT15M to exact milliseconds', () => {
    expect(parseDuration('P30D')).toEqual({ months: 0, ms: 30 * DAY });
    expect(parseDuration('PT24H')).toEqual({ months: 0, ms: 24 * HOUR });
    expect(parseDuration('P1DT2H30M')).toEqual({ months: 0, ms: DAY + 2 * HOUR + 30 * MINUTE });
    expect(parseDuration('PT0.001S')).toEqual({ months: 0, ms: 1 });
    expect(parseDuration('PT0.5S')).toEqual({ months: 0, ms: 500 });
    expect(parseDuration('PT15M')).toEqual({ months: 0, ms: 15 * MINUTE });
    expect(parseDuration('P2W')).toEqual({ months: 0, ms: 14 * DAY });
    expect(parseDuration('PT1H1M1.25S')).toEqual({ months: 0, ms: HOUR + MINUTE + 1250 });
  });

  it('GEN-WINDOW: years and months are calendar months; lower case is accepted', () => {
    expect(parseDuration('P1Y2M')).toEqual({ months: 14, ms: 0 });
    expect(parseDuration('P1M')).toEqual({ months: 1, ms: 0 });
    expect(parseDuration('p1dt1h')).toEqual({ months: 0, ms: DAY + HOUR });
  });

  it("GEN-WINDOW: rejects 'P', 'PT', '1D', 'P-1D', 'P1.5D', 'PT0.0001S', '' and 'P1H'", () => {
    for (const bad of ['P', 'PT', '1D', 'P-1D', 'P1.5D', 'PT0.0001S', '', 'P1H', 'P1DT']) {
      expect(parseDuration(bad), bad).toBeNull();
    }
  });

  it('GEN-WINDOW: addDuration adds calendar months first (clamped), then exact milliseconds', () => {
    expect(addDuration(d('2027-01-31T09:00:00.000Z'), { months: 1, ms: DAY })).toEqual(d('2027-03-01T09:00:00.000Z'));
    expect(addDuration(T0, parseDuration('P1DT2H30M')!)).toEqual(d('2026-11-02T11:30:00.000Z'));
    expect(addDuration(T0, { months: 0, ms: SECOND })).toEqual(d('2026-11-01T09:00:01.000Z'));
  });
});

describe('invalidInstant (GEN-UTC)', () => {
  it('GEN-UTC: a real instant is valid and its ISO form is UTC with Z', () => {
    const instant = new Date('2026-12-01T10:00:00+01:00');
    expect(invalidInstant(instant)).toBeNull();
    expect(instant.toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });

  it('GEN-UTC: an invalid date is refused with a message giving an ISO-8601 example', () => {
    expect(invalidInstant(new Date('not a date'))).toBe('not a valid ISO-8601 instant such as 2026-12-01T00:00:00Z');
    expect(invalidInstant(new Date(Number.NaN))).toMatch(/ISO-8601/);
  });
});
