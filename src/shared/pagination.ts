import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';
import type { Filter, Document } from 'mongodb';
import { DEVELOPMENT_AUTH_SECRET } from './config.js';
import { badUserInput } from './errors.js';

/**
 * Relay cursor connections over keyset (seek) paging: no skip/offset, so a page costs the same
 * at any depth and concurrent inserts never shift or repeat rows.
 *
 * A cursor is base64url of `nonce(12) | AES-256-GCM(JSON sort key values) | tag(16)`, with the
 * partner tenant ID, the connection and the filter fingerprint as associated data. So a cursor
 * carries nothing readable (not even a company name), any change to it fails authentication,
 * and it is valid only for the partner, connection and filters it was issued for; anything else
 * is refused as BAD_USER_INPUT on argument `after`, with one message whatever the reason.
 * The key is derived from the server secret (AUTH_SECRET, `configureCursorSecret`), so every
 * gateway instance sharing the secret accepts the others' cursors.
 */

let cursorKey = deriveCursorKey(DEVELOPMENT_AUTH_SECRET);

function deriveCursorKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('partner-center-gateway/cursor-key/v1').digest();
}

/** Sets the secret cursors are encrypted and authenticated with (the config's authSecret). */
export function configureCursorSecret(secret: string): void {
  cursorKey = deriveCursorKey(secret);
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export type SortValue = string | number | boolean | Date | null;

/** Ascending sort on these fields; the last must be unique (`_id`). */
export type SortSpec = readonly string[];

/** What a connection's cursors are bound to: a cursor issued under one scope is refused under any other. */
export interface CursorScope {
  /** The connection's name (`customers`, `customer.subscriptions`). */
  connection: string;
  /** `fingerprint(filterArgs)`: the client's filter arguments. */
  fingerprint: string;
  /** The partner tenant the page is for: its cursors are valid only for this partner. */
  partnerId: string;
}

/** One page asked of one connection: its scope and order, `first` validated and `after` decoded. */
export interface PageRequest extends CursorScope {
  sort: SortSpec;
  first: number;
  after: SortValue[] | null;
}

/** Validates `first` (0..100, default 20) and decodes `after` for one connection and filter. */
export function pageRequest(scope: CursorScope & { sort: SortSpec }, args: { first?: number | null; after?: string | null }): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`Argument 'first' must be an integer from 0 to ${MAX_PAGE_SIZE}, but got ${first}`, {
      argumentName: 'first',
    });
  }
  const after = args.after == null ? null : decodeCursor(args.after, scope, scope.sort.length);
  return { connection: scope.connection, fingerprint: scope.fingerprint, partnerId: scope.partnerId, sort: scope.sort, first, after };
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

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function associatedData(partnerId: string, connection: string, fp: string): Buffer {
  return Buffer.from(JSON.stringify([partnerId, connection, fp]), 'utf8');
}

export function encodeCursor(connection: string, fp: string, values: SortValue[], partnerId: string): string {
  const v: WireValue[] = values.map((x) => (x instanceof Date ? { d: x.toISOString() } : x));
  const plain = Buffer.from(JSON.stringify(v), 'utf8');
  const aad = associatedData(partnerId, connection, fp);
  // A synthetic nonce (SIV-style): the same position gives the same cursor, and a nonce repeats
  // only for an identical plaintext under identical associated data.
  const nonce = createHmac('sha256', cursorKey).update(aad).update('\u0000').update(plain).digest().subarray(0, NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', cursorKey, nonce);
  cipher.setAAD(aad);
  const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([nonce, sealed, cipher.getAuthTag()]).toString('base64url');
}

/** The `arity` sort key values `cursor` holds, if it was issued under `scope`; else BAD_USER_INPUT on `after`. */
export function decodeCursor(cursor: string, scope: CursorScope, arity: number): SortValue[] {
  const { connection, fingerprint: fp, partnerId } = scope;
  const refused = () =>
    badUserInput(
      `Argument 'after' must be a cursor that this connection (${connection}) returned to you under the same filter arguments; page again from the start`,
      { argumentName: 'after' },
    );
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw refused();
  const bytes = Buffer.from(cursor, 'base64url');
  // Re-encoding must give the cursor back, so no variant of a cursor (padding bits) is accepted.
  if (bytes.length < NONCE_BYTES + TAG_BYTES + 2 || bytes.toString('base64url') !== cursor) throw refused();
  let v: unknown;
  try {
    const decipher = createDecipheriv('aes-256-gcm', cursorKey, bytes.subarray(0, NONCE_BYTES));
    decipher.setAAD(associatedData(partnerId, connection, fp));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    v = JSON.parse(plain.toString('utf8'));
  } catch {
    throw refused();
  }
  if (!Array.isArray(v) || v.length !== arity) throw refused();
  return v.map((x: unknown) => {
    if (x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') return x;
    if (x && typeof x === 'object' && typeof (x as { d?: unknown }).d === 'string') {
      const date = new Date((x as { d: string }).d);
      if (Number.isNaN(date.getTime())) throw refused();
      return date;
    }
    throw refused();
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
export function toPage<T extends Document>(rows: T[], request: PageRequest, totalCount: () => Promise<number>): Page<T> {
  const { connection, fingerprint: fp, sort, partnerId } = request;
  const slice = rows.slice(0, request.first);
  const edges = slice.map((node) => ({ node, cursor: encodeCursor(connection, fp, sortKey(node, sort), partnerId) }));
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
export function pageInMemory<T extends Document>(sorted: T[], request: PageRequest): Page<T> {
  const { after, sort } = request;
  const start = after === null ? 0 : sorted.findIndex((row) => compareKeys(sortKey(row, sort), after) > 0);
  const rest = start < 0 ? [] : sorted.slice(start, start + request.first + 1);
  const total = sorted.length;
  return toPage(rest, request, async () => total);
}
