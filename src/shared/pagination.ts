import { createHash } from 'node:crypto';
import type { Filter, Document } from 'mongodb';
import { badUserInput } from './errors.js';

/**
 * Relay cursor connections over keyset (seek) paging: no skip/offset, so a page costs the same
 * at any depth and concurrent inserts never shift or repeat rows.
 *
 * A cursor is base64url JSON `{ c: connection, f: filter fingerprint, v: sort key values }`.
 * It is opaque to clients; it is bound to its connection and filter, so a cursor from another
 * connection, or from the same connection under other filters, is refused as BAD_USER_INPUT
 * rather than silently paging something else.
 */

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export type SortValue = string | number | boolean | Date | null;

/** Ascending sort on these fields; the last must be unique (`_id`). */
export type SortSpec = readonly string[];

export interface PageRequest {
  first: number;
  after: SortValue[] | null;
}

/** Validates `first` (0..100, default 20) and decodes `after` for one connection and filter. */
export function pageRequest(
  connection: string,
  fingerprint: string,
  args: { first?: number | null; after?: string | null },
  sort: SortSpec,
): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`Argument 'first' must be an integer from 0 to ${MAX_PAGE_SIZE}, but got ${first}`, {
      argumentName: 'first',
    });
  }
  const after = args.after == null ? null : decodeCursor(args.after, connection, fingerprint, sort.length);
  return { first, after };
}

/** A short, stable hash of the filter arguments, so cursors stay bound to them. */
export function fingerprint(filter: unknown): string {
  return createHash('sha256')
    .update(stableJson(filter ?? {}))
    .digest('base64url')
    .slice(0, 10);
}

function stableJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  // A list filter matches any of its values, so its order does not change the filter.
  if (Array.isArray(value)) return `[${value.map(stableJson).sort().join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

type WireValue = string | number | boolean | null | { d: string };

export function encodeCursor(connection: string, fp: string, values: SortValue[]): string {
  const v: WireValue[] = values.map((x) => (x instanceof Date ? { d: x.toISOString() } : x));
  return Buffer.from(JSON.stringify({ c: connection, f: fp, v })).toString('base64url');
}

export function decodeCursor(cursor: string, connection: string, fp: string, arity: number): SortValue[] {
  const malformed = () =>
    badUserInput(`Argument 'after' must be a cursor returned by this connection (${connection}), but got '${cursor.slice(0, 60)}'`, {
      argumentName: 'after',
    });
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw malformed();
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  if (!parsed || typeof parsed !== 'object') throw malformed();
  const { c, f, v } = parsed as { c?: unknown; f?: unknown; v?: unknown };
  if (c !== connection) {
    throw badUserInput(`Argument 'after' is a cursor of connection '${String(c)}', but this is '${connection}'`, {
      argumentName: 'after',
    });
  }
  if (f !== fp) {
    throw badUserInput(`Argument 'after' was issued for other filter arguments; page again from the start with the new filters`, {
      argumentName: 'after',
    });
  }
  if (!Array.isArray(v) || v.length !== arity) throw malformed();
  return v.map((x: unknown) => {
    if (x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') return x;
    if (x && typeof x === 'object' && typeof (x as { d?: unknown }).d === 'string') {
      const date = new Date((x as { d: string }).d);
      if (Number.isNaN(date.getTime())) throw malformed();
      return date;
    }
    throw malformed();
  });
}

/** `{ $or: [ {a > va}, {a = va, b > vb}, ... ] }`: the rows strictly after the cursor. */
export function keysetFilter(sort: SortSpec, after: SortValue[]): Filter<Document> {
  const or: Document[] = sort.map((field, i) => {
    const clause: Document = {};
    for (let j = 0; j < i; j += 1) clause[sort[j]!] = after[j];
    clause[field] = { $gt: after[i] };
    return clause;
  });
  return { $or: or };
}

export function sortDocument(sort: SortSpec): Record<string, 1> {
  return Object.fromEntries(sort.map((f) => [f, 1 as const]));
}

export function sortKey(doc: Document, sort: SortSpec): SortValue[] {
  return sort.map((field) => (doc[field] ?? null) as SortValue);
}

function compareValue(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The in-memory twin of `sortDocument` + `keysetFilter`, for children loaded in one batch. */
export function compareKeys(a: SortValue[], b: SortValue[]): number {
  for (let i = 0; i < a.length; i += 1) {
    const c = compareValue(a[i] ?? null, b[i] ?? null);
    if (c !== 0) return c;
  }
  return 0;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Page<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** A lazy getter: the count command runs only when a client selects `totalCount`. */
  readonly totalCount: Promise<number>;
}

/** Shapes `first + 1` rows (already past the cursor, in order) into a page. */
export function toPage<T extends Document>(
  rows: T[],
  request: PageRequest,
  connection: string,
  fp: string,
  sort: SortSpec,
  totalCount: () => Promise<number>,
): Page<T> {
  const slice = rows.slice(0, request.first);
  const edges = slice.map((node) => ({ node, cursor: encodeCursor(connection, fp, sortKey(node, sort)) }));
  let counted: Promise<number> | undefined;
  return {
    edges,
    nodes: slice,
    pageInfo: {
      hasNextPage: rows.length > request.first,
      hasPreviousPage: request.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    get totalCount() {
      counted ??= totalCount();
      return counted;
    },
  };
}

/** Pages an in-memory, already sorted list (children of one parent from a batched load). */
export function pageInMemory<T extends Document>(
  sorted: T[],
  request: PageRequest,
  connection: string,
  fp: string,
  sort: SortSpec,
): Page<T> {
  const after = request.after;
  const start = after === null ? 0 : sorted.findIndex((row) => compareKeys(sortKey(row, sort), after) > 0);
  const rest = start < 0 ? [] : sorted.slice(start, start + request.first + 1);
  const total = sorted.length;
  return toPage(rest, request, connection, fp, sort, async () => total);
}
