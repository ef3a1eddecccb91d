/**
 * Time arithmetic of the rules. Every function takes its instants as arguments: the policy never
 * reads a clock (GEN-CLOCK). All instants are UTC (GEN-UTC); calendar arithmetic uses UTC fields.
 */
import type { TermDuration } from '../db/documents.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * GEN-UTC: an instant is valid when it is a real date; it is stored and returned as UTC. Returns
 * the reason it is not, for input validation at the edge.
 */
export function invalidInstant(value: Date): string | null {
  return Number.isNaN(value.getTime()) ? 'not a valid ISO-8601 instant such as 2026-12-01T00:00:00Z' : null;
}

/** Calendar months in a term. */
export function termMonths(term: TermDuration): number {
  return term === 'P1M' ? 1 : term === 'P1Y' ? 12 : 36;
}

/**
 * End (exclusive) of a term starting at `start`: the same UTC time of day, 1, 12 or 36 calendar
 * months later, clamped to the target month's last day (31 Jan + P1M = 28/29 Feb; 29 Feb + P1Y =
 * 28 Feb).
 */
export function addTerm(start: Date, term: TermDuration): Date {
  return addMonths(start, termMonths(term));
}

export function addMonths(start: Date, months: number): Date {
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      y,
      m,
      Math.min(start.getUTCDate(), lastDay),
      start.getUTCHours(),
      start.getUTCMinutes(),
      start.getUTCSeconds(),
      start.getUTCMilliseconds(),
    ),
  );
}

export function addMs(at: Date, ms: number): Date {
  return new Date(at.getTime() + ms);
}

/** Elapsed milliseconds from `from` to `to` (negative when `to` is earlier). */
export function elapsed(from: Date, to: Date): number {
  return to.getTime() - from.getTime();
}

/**
 * GEN-WINDOW: "within X" / "less than X": elapsed < X. A window that has not started (elapsed < 0)
 * counts as within it, since the start instant itself is inside every window.
 */
export function within(start: Date, now: Date, windowMs: number): boolean {
  return elapsed(start, now) < windowMs;
}

/** GEN-WINDOW: "X or fewer days" (reservations): elapsed <= X x 24 h. */
export function atMost(start: Date, now: Date, windowMs: number): boolean {
  return elapsed(start, now) <= windowMs;
}

/** GEN-WINDOW: the last instant still inside a "within X" window is start + X - 1 ms; this returns start + X (exclusive). */
export function windowEnd(start: Date, windowMs: number): Date {
  return addMs(start, windowMs);
}

/** MONEY-PRORATE: the calendar days a term spans (a whole number for terms built by addTerm). */
export function daysInTerm(start: Date, end: Date): number {
  return Math.round(elapsed(start, end) / DAY);
}

/**
 * MONEY-PRORATE: days used = started 24 h periods since the start: 0 at the start instant, 1 from
 * the first millisecond up to and including exactly 24 h, 2 from one millisecond after.
 */
export function daysUsed(start: Date, at: Date): number {
  return Math.max(0, Math.ceil(elapsed(start, at) / DAY));
}

/** MONEY-PRORATE: whole days left in the term at `at` (never negative). */
export function daysRemaining(start: Date, end: Date, at: Date): number {
  return Math.max(0, daysInTerm(start, end) - daysUsed(start, at));
}

/** Parses an ISO-8601 duration of days, hours, minutes and seconds (`P30D`, `PT24H`, `P1DT2H30M`, `PT0.5S`); months and years are calendar units and are added with addMonths. */
export function parseDuration(text: string): { months: number; ms: number } | null {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/.exec(
    text.trim().toUpperCase(),
  );
  if (!m || text.trim().toUpperCase() === 'P' || /T$/.test(text.trim().toUpperCase())) return null;
  const [, y, mo, w, d, h, mi, s] = m;
  const n = (v: string | undefined) => (v === undefined ? 0 : Number(v));
  return {
    months: n(y) * 12 + n(mo),
    ms: Math.round(n(w) * 7 * DAY + n(d) * DAY + n(h) * HOUR + n(mi) * MINUTE + n(s) * SECOND),
  };
}

/** Adds a parsed duration: calendar months first (clamped to month ends), then the exact milliseconds. */
export function addDuration(at: Date, duration: { months: number; ms: number }): Date {
  return addMs(duration.months === 0 ? at : addMonths(at, duration.months), duration.ms);
}
