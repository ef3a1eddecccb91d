import { badUserInput } from '../shared/errors.js';

/** A calendar month in UTC: `[start, end)`, `end` being the first instant of the next month. */
export interface Period {
  /** Normalised 'YYYY-MM'. */
  period: string;
  start: Date;
  end: Date;
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Parses an invoice period 'YYYY-MM' (UTC); anything else is BAD_USER_INPUT naming the expected format. */
export function parsePeriod(raw: string, argumentName = 'period'): Period {
  const match = PERIOD.exec(raw);
  const year = match ? Number(match[1]) : NaN;
  if (!match || year < 1970) {
    throw badUserInput(
      `Argument '${argumentName}' must be a calendar month 'YYYY-MM' (UTC) from 1970 on, such as '2026-11', but got '${raw.slice(0, 40)}'`,
      { argumentName },
    );
  }
  const month = Number(match[2]) - 1;
  return { period: raw, start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
}
