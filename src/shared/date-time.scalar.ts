import { GraphQLError, GraphQLScalarType, Kind, print, type ValueNode } from 'graphql';
import { GraphQLDateTimeISO } from 'graphql-scalars';

/** The instant every date-time message shows as the expected format. */
export const DATE_TIME_EXAMPLE = '2026-12-01T00:00:00Z';

/** What a date-time argument takes, as the messages say it (completed with the argument's name by the error formatter). */
export const DATE_TIME_EXPECTED = `an ISO-8601 date-time with a time zone, such as ${DATE_TIME_EXAMPLE}, or a date such as 2026-12-01 (its start, 00:00:00Z)`;

const BARE_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A date-time input that is not one. The error formatter (src/shared/errors.ts) recognises it,
 * finds the argument it was given for and rewrites the message to name it.
 */
export class DateTimeInputError extends GraphQLError {
  constructor(
    /** The value as received, printed (JSON for a variable, GraphQL for a literal) and cut to 80 characters. */
    readonly received: string,
    node?: ValueNode,
  ) {
    super(`Expected ${DATE_TIME_EXPECTED}, but got ${received}`, node ? { nodes: node } : {});
    this.name = 'DateTimeInputError';
  }
}

function shown(printed: string): string {
  return printed.length > 80 ? `${printed.slice(0, 80)}...` : printed;
}

/**
 * A bare calendar date (`2026-12-01`) is its start in UTC (decision: a front end's date picker
 * sends bare dates); null when the string is not one, or is no calendar date (`2026-02-30`).
 */
function bareDate(value: string): Date | null {
  const match = BARE_DATE.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : null;
}

/** A full RFC 3339 date-time (graphql-scalars' check: a time zone is required), else null. */
function fullDateTime(value: string): Date | null {
  try {
    return GraphQLDateTimeISO.parseValue(value) as Date;
  } catch {
    return null;
  }
}

function parse(value: string): Date | null {
  return bareDate(value) ?? fullDateTime(value);
}

/**
 * `DateTimeISO`, the scalar of every date-time field and argument (mapped to `Date` in
 * src/app/schema.ts). Output as graphql-scalars' DateTimeISO: UTC ISO-8601 with milliseconds and `Z`.
 * Input: a full ISO-8601 date-time with `Z` or an offset, or a bare date meaning its start in UTC;
 * anything else is refused with the expected format (BAD_USER_INPUT for a variable,
 * GRAPHQL_VALIDATION_FAILED for a literal, naming the argument: see the error formatter).
 */
export const DateTimeISOScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTimeISO',
  description: `A UTC instant, ISO-8601, answered as e.g. 2026-12-01T09:30:00.000Z. As input: a date-time with \`Z\` or an offset (${DATE_TIME_EXAMPLE}, 2026-12-01T10:00:00+01:00), or a bare date (2026-12-01), which means its start in UTC (00:00:00Z).`,
  serialize: (value) => GraphQLDateTimeISO.serialize(value) as string,
  parseValue(value) {
    const date = typeof value === 'string' ? parse(value) : null;
    if (date === null) throw new DateTimeInputError(shown(JSON.stringify(value) ?? String(value)));
    return date;
  },
  parseLiteral(node) {
    const date = node.kind === Kind.STRING ? parse(node.value) : null;
    if (date === null) throw new DateTimeInputError(shown(print(node)), node);
    return date;
  },
  extensions: { jsonSchema: { type: 'string', format: 'date-time' } },
});
