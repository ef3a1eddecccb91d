import { describe, expect, it } from 'vitest';
import { ClientError } from '../../src/shared/errors.js';
import { DEVELOPMENT_AUTH_SECRET } from '../../src/shared/config.js';
import {
  compareKeys,
  configureCursorSecret,
  decodeCursor,
  encodeCursor,
  fingerprint,
  keysetFilter,
  pageInMemory,
  pageRequest,
  sortDocument,
  sortKey,
  toPage,
  type SortValue,
} from '../../src/shared/pagination.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const wire = (value: unknown) => b64(JSON.stringify(value));

/** Calls `fn`, expecting a BAD_USER_INPUT ClientError on argument `after`; returns its message. */
function rejection(fn: () => unknown, argumentName = 'after'): string {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ClientError);
  expect((caught as ClientError).extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName });
  return (caught as ClientError).message;
}

const CONTOSO = 'contoso-partner';
const FABRIKAM = 'fabrikam-partner';

describe('encodeCursor / decodeCursor', () => {
  const refusal =
    "Argument 'after' must be a cursor that this connection (customers) returned to you under the same filter arguments; page again from the start";
  const decode = ({
    cursor,
    partner = CONTOSO,
    connection = 'customers',
    fp = 'fp',
    arity = 2,
  }: {
    cursor: string;
    partner?: string;
    connection?: string;
    fp?: string;
    arity?: number;
  }) => decodeCursor(cursor, { connection, fingerprint: fp, partnerId: partner }, arity);
  const real = () => encodeCursor('customers', 'fp', ['Contoso Widgets Ltd', 'id-1'], CONTOSO);

  it('a cursor is base64url, and the same position gives the same cursor', () => {
    const cursor = encodeCursor('subscriptions', 'fp12345678', [new Date('2026-11-01T09:00:00.000Z'), 'abc'], CONTOSO);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(encodeCursor('subscriptions', 'fp12345678', [new Date('2026-11-01T09:00:00.000Z'), 'abc'], CONTOSO)).toBe(cursor);
    expect(encodeCursor('subscriptions', 'fp12345678', [new Date('2026-11-01T09:00:00.000Z'), 'abd'], CONTOSO)).not.toBe(cursor);
  });

  it('a cursor carries nothing readable: no sort value, connection or partner in its decoded bytes', () => {
    const cursor = real();
    const bytes = Buffer.from(cursor, 'base64url').toString('latin1');
    for (const text of ['Contoso', 'Widgets', 'contoso', 'customers', 'id-1']) {
      expect(bytes).not.toContain(text);
    }
    expect(cursor.toLowerCase()).not.toContain('contoso');
  });

  it('decodeCursor returns the encoded values, Dates as Date instances at the same millisecond', () => {
    const values: SortValue[] = [new Date('2027-03-15T12:00:00.001Z'), 'Ünïcode ✓', 42, -0.5, true, false, null];
    const decoded = decode({
      cursor: encodeCursor('customers', 'fp', values, CONTOSO),
      partner: CONTOSO,
      connection: 'customers',
      fp: 'fp',
      arity: values.length,
    });
    expect(decoded).toEqual(values);
    expect(decoded[0]).toBeInstanceOf(Date);
    expect((decoded[0] as Date).toISOString()).toBe('2027-03-15T12:00:00.001Z');
  });

  it.each([
    ['characters outside base64url', 'abc+/def=='],
    ['spaces', 'not a cursor'],
    ['an empty string', ''],
    ['the readable cursors of before', wire({ c: 'customers', f: 'fp', v: ['acme', 'id-1'] })],
    ['base64 of non-JSON bytes', b64('\u0000\u0001garbage')],
    ['a truncated real cursor', real().slice(0, -6)],
    ['a real cursor with one character more', `${real()}A`],
    ['a real cursor without its nonce', real().slice(16)],
    ['two real cursors joined', real() + real()],
  ])('a malformed cursor (%s) is refused as BAD_USER_INPUT with the one message', (_name, cursor) => {
    expect(rejection(() => decode({ cursor }))).toBe(refusal);
  });

  it('30 tampered variants of a real cursor (a bit flipped in nonce, ciphertext and tag) are all refused', () => {
    const bytes = Buffer.from(real(), 'base64url');
    const n = bytes.length;
    // 10 positions in each class: nonce (0..11), ciphertext (12..n-17), tag (n-16..n-1).
    const positions = [
      ...Array.from({ length: 10 }, (_, i) => i),
      ...Array.from({ length: 10 }, (_, i) => 12 + Math.floor((i * (n - 28)) / 10)),
      ...Array.from({ length: 10 }, (_, i) => n - 16 + i),
    ];
    expect(new Set(positions).size).toBe(30);
    positions.forEach((position, i) => {
      const tampered = Buffer.from(bytes);
      tampered[position] = tampered[position]! ^ (1 << (i % 8));
      const cursor = tampered.toString('base64url');
      expect(rejection(() => decode({ cursor }))).toBe(refusal);
    });
  });

  it('a character changed in the base64url text (padding bits included) is refused', () => {
    const cursor = real();
    const last = cursor.at(-1)!;
    const variant = cursor.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    expect(rejection(() => decode({ cursor: variant }))).toBe(refusal);
  });

  it('a cursor issued to Contoso is refused for Fabrikam, with the same message', () => {
    const cursor = real();
    expect(decode({ cursor, partner: CONTOSO })).toEqual(['Contoso Widgets Ltd', 'id-1']);
    expect(rejection(() => decode({ cursor, partner: FABRIKAM }))).toBe(refusal);
  });

  it('a cursor of another connection is refused as BAD_USER_INPUT, with the same message', () => {
    const foreign = encodeCursor('subscriptions', 'fp', ['acme', 'id-1'], CONTOSO);
    expect(rejection(() => decode({ cursor: foreign }))).toBe(refusal);
  });

  it('a cursor issued under other filter arguments is refused as BAD_USER_INPUT, with the same message', () => {
    const cursor = encodeCursor('customers', fingerprint({ search: 'a' }), ['acme', 'id-1'], CONTOSO);
    expect(rejection(() => decode({ cursor, partner: CONTOSO, connection: 'customers', fp: fingerprint({ search: 'b' }) }))).toBe(refusal);
    expect(rejection(() => decode({ cursor, partner: CONTOSO, connection: 'customers', fp: fingerprint(null) }))).toBe(refusal);
  });

  it('a cursor of another sort arity is refused', () => {
    expect(rejection(() => decode({ cursor: encodeCursor('customers', 'fp', ['acme'], CONTOSO) }))).toBe(refusal);
  });

  it('a cursor signed with another secret is refused; the configured secret is used for both ways', () => {
    const cursor = real();
    try {
      configureCursorSecret('another-secret-of-at-least-thirty-two-bytes!');
      expect(rejection(() => decode({ cursor }))).toBe(refusal);
      const mine = real();
      expect(decode({ cursor: mine })).toEqual(['Contoso Widgets Ltd', 'id-1']);
    } finally {
      configureCursorSecret(DEVELOPMENT_AUTH_SECRET);
    }
    expect(decode({ cursor })).toEqual(['Contoso Widgets Ltd', 'id-1']);
  });
});

describe('pageRequest', () => {
  const SORT = ['companyNameLower', '_id'] as const;
  const customersScope = (partnerId: string) => ({ connection: 'customers', fingerprint: 'fp', partnerId, sort: SORT });

  it('first defaults to 20 and after to null', () => {
    expect(pageRequest(customersScope(CONTOSO), {})).toEqual({ ...customersScope(CONTOSO), first: 20, after: null });
    expect(pageRequest(customersScope(CONTOSO), { first: null, after: null })).toEqual({
      ...customersScope(CONTOSO),
      first: 20,
      after: null,
    });
  });

  it('first accepts 0 and 100, the ends of its range', () => {
    expect(pageRequest(customersScope(CONTOSO), { first: 0 }).first).toBe(0);
    expect(pageRequest(customersScope(CONTOSO), { first: 100 }).first).toBe(100);
  });

  it.each([101, -1, 2.5, Number.NaN])('first: %s is refused as BAD_USER_INPUT naming the range 0..100', (first) => {
    expect(rejection(() => pageRequest(customersScope(CONTOSO), { first }), 'first')).toBe(
      `Argument 'first' must be an integer from 0 to 100, but got ${first}`,
    );
  });

  it('after is decoded against the partner, the connection, the fingerprint and the sort arity', () => {
    const after = encodeCursor('customers', 'fp', ['acme', 'id-1'], CONTOSO);
    expect(pageRequest(customersScope(CONTOSO), { first: 5, after })).toEqual({
      ...customersScope(CONTOSO),
      first: 5,
      after: ['acme', 'id-1'],
    });
    expect(rejection(() => pageRequest(customersScope(FABRIKAM), { after }))).toMatch(/^Argument 'after' must be a cursor/);
    const oneKey = encodeCursor('customers', 'fp', ['acme'], CONTOSO);
    expect(rejection(() => pageRequest(customersScope(CONTOSO), { after: oneKey }))).toMatch(/^Argument 'after' must be a cursor/);
  });
});

describe('keysetFilter and sortDocument', () => {
  it('keysetFilter selects the rows strictly after the key: a > va, or a = va and b > vb', () => {
    expect(keysetFilter(['companyNameLower', '_id'], ['acme', 'id-1'])).toEqual({
      $or: [{ companyNameLower: { $gt: 'acme' } }, { companyNameLower: 'acme', _id: { $gt: 'id-1' } }],
    });
  });

  it('keysetFilter over three fields adds one clause per field, keeping Dates as Dates', () => {
    const d = new Date('2026-11-01T09:00:00.000Z');
    const filter = keysetFilter(['creationDate', 'quantity', '_id'], [d, 3, 'x']);
    expect(filter).toEqual({
      $or: [{ creationDate: { $gt: d } }, { creationDate: d, quantity: { $gt: 3 } }, { creationDate: d, quantity: 3, _id: { $gt: 'x' } }],
    });
    expect((filter.$or as { creationDate: unknown }[])[1]!.creationDate).toBeInstanceOf(Date);
  });

  it('keysetFilter over the ID alone is one clause', () => {
    expect(keysetFilter(['_id'], ['CFQ7TTC0LH18:0001'])).toEqual({ $or: [{ _id: { $gt: 'CFQ7TTC0LH18:0001' } }] });
  });

  it('sortDocument sorts ascending on each field in order; sortKey reads them, a missing one as null', () => {
    expect(sortDocument(['creationDate', '_id'])).toEqual({ creationDate: 1, _id: 1 });
    expect(Object.keys(sortDocument(['b', 'a', '_id']))).toEqual(['b', 'a', '_id']);
    expect(sortKey({ _id: 'x', creationDate: 5, other: 1 }, ['creationDate', '_id'])).toEqual([5, 'x']);
    expect(sortKey({ _id: 'x' }, ['creationDate', '_id'])).toEqual([null, 'x']);
  });
});

describe('compareKeys', () => {
  const d = (iso: string) => new Date(iso);

  it.each<[string, SortValue[], SortValue[], number]>([
    ['equal keys', ['a', 'x'], ['a', 'x'], 0],
    ['the first field decides', ['a', 'z'], ['b', 'a'], -1],
    ['the first field decides (greater)', ['b', 'a'], ['a', 'z'], 1],
    ['the second field breaks a tie', ['a', 'x'], ['a', 'y'], -1],
    ['numbers compare numerically, not as text', [2], [10], -1],
    ['strings compare by code unit, upper case first', ['B'], ['a'], -1],
    ['false before true', [false], [true], -1],
    ['null before any value', [null, 'x'], ['', 'a'], -1],
    ['any value after null', [0], [null], 1],
    ['null equals null', [null, 'x'], [null, 'x'], 0],
    ['two Date objects of one instant are equal', [d('2026-11-01T09:00:00.000Z'), 'x'], [d('2026-11-01T09:00:00.000Z'), 'x'], 0],
    ['an earlier date first, by the millisecond', [d('2026-11-01T09:00:00.000Z')], [d('2026-11-01T09:00:00.001Z')], -1],
    ['a later date after', [d('2027-01-01T00:00:00.000Z'), 'a'], [d('2026-12-31T23:59:59.999Z'), 'z'], 1],
  ])('compareKeys: %s', (_name, a, b, expected) => {
    expect(Math.sign(compareKeys(a, b))).toBe(expected);
    expect(Math.sign(compareKeys(b, a))).toBe(-expected || 0);
  });
});

describe('pageInMemory and toPage', () => {
  const SORT = ['creationDate', '_id'] as const;
  const t = (minute: number) => new Date(Date.UTC(2026, 10, 1, 9, minute));
  /** Already sorted: two rows share a creation date and are ordered by _id. */
  const ROWS = [
    { _id: 'a', creationDate: t(0) },
    { _id: 'b', creationDate: t(1) },
    { _id: 'c', creationDate: t(1) },
    { _id: 'd', creationDate: t(2) },
    { _id: 'e', creationDate: t(3) },
  ];
  const SCOPE = { connection: 'things', fingerprint: 'fp', partnerId: 'p', sort: SORT };
  const cursorOf = (row: { _id: string; creationDate: Date }) => encodeCursor('things', 'fp', [row.creationDate, row._id], 'p');
  const page = (first: number, after: SortValue[] | null, rows = ROWS) => pageInMemory(rows, { ...SCOPE, first, after });
  const ids = (p: { nodes: { _id: string }[] }) => p.nodes.map((n) => n._id);

  it('the first page has the first rows, cursors of their keys, hasNextPage and no previous page', async () => {
    const p = page(2, null);
    expect(ids(p)).toEqual(['a', 'b']);
    expect(p.edges).toEqual([
      { node: ROWS[0], cursor: cursorOf(ROWS[0]!) },
      { node: ROWS[1], cursor: cursorOf(ROWS[1]!) },
    ]);
    expect(p.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: cursorOf(ROWS[0]!),
      endCursor: cursorOf(ROWS[1]!),
    });
    expect(await p.totalCount).toBe(5);
  });

  it('walking pages with the decoded endCursor visits every row once, breaking creation-date ties by _id', async () => {
    const seen: string[] = [];
    const infos: boolean[][] = [];
    let after: SortValue[] | null = null;
    for (let guard = 0; guard < 10; guard += 1) {
      const p = page(2, after);
      seen.push(...ids(p));
      infos.push([p.pageInfo.hasNextPage, p.pageInfo.hasPreviousPage]);
      expect(await p.totalCount).toBe(5);
      if (!p.pageInfo.hasNextPage) break;
      after = decodeCursor(p.pageInfo.endCursor!, SCOPE, 2);
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(infos).toEqual([
      [true, false],
      [true, true],
      [false, true],
    ]);
  });

  it('a page exactly as long as the rest has no next page', () => {
    const p = page(2, [t(1), 'c']);
    expect(ids(p)).toEqual(['d', 'e']);
    expect(p.pageInfo.hasNextPage).toBe(false);
  });

  it('after the last row the page is empty, with null cursors and a previous page', () => {
    const p = page(2, [t(3), 'e']);
    expect(p.edges).toEqual([]);
    expect(p.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
  });

  it('after the key of a row that is gone, paging continues at the next greater key', () => {
    expect(ids(page(2, [t(1), 'bb']))).toEqual(['c', 'd']);
    expect(ids(page(2, [t(0), 'zzz']))).toEqual(['b', 'c']);
  });

  it('after a key before every row, the page starts at the first row', () => {
    const p = page(2, [t(-10), 'a']);
    expect(ids(p)).toEqual(['a', 'b']);
    expect(p.pageInfo.hasPreviousPage).toBe(true);
  });

  it('first: 0 returns no edges; hasNextPage says whether rows remain', async () => {
    expect(page(0, null).pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null });
    expect(page(0, [t(2), 'd']).pageInfo.hasNextPage).toBe(true);
    expect(page(0, [t(3), 'e']).pageInfo.hasNextPage).toBe(false);
    const empty = page(0, null, []);
    expect(empty.pageInfo.hasNextPage).toBe(false);
    expect(await empty.totalCount).toBe(0);
  });

  it('toPage trims the probe row: first + 1 rows mean a next page, first rows mean none', async () => {
    const count = async () => 99;
    const more = toPage(ROWS.slice(0, 3), { ...SCOPE, first: 2, after: null }, count);
    expect(ids(more)).toEqual(['a', 'b']);
    expect(more.pageInfo.hasNextPage).toBe(true);
    const last = toPage(ROWS.slice(0, 2), { ...SCOPE, first: 2, after: ['x', 'y'] }, count);
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(await last.totalCount).toBe(99);
  });
});

describe('fingerprint', () => {
  it('is a 10-character base64url string, the same for the same filter', () => {
    expect(fingerprint({ status: ['active'] })).toMatch(/^[A-Za-z0-9_-]{10}$/);
    expect(fingerprint({ status: ['active'] })).toBe(fingerprint({ status: ['active'] }));
  });

  it('does not depend on key order, at any depth', () => {
    expect(fingerprint({ a: 1, b: 'x', c: true })).toBe(fingerprint({ c: true, b: 'x', a: 1 }));
    expect(fingerprint({ outer: { p: 1, q: [{ y: 2, x: 1 }] } })).toBe(fingerprint({ outer: { q: [{ x: 1, y: 2 }], p: 1 } }));
  });

  it('ignores null and undefined values: no filter, an empty filter and unset fields are alike', () => {
    const none = fingerprint({});
    expect(fingerprint(null)).toBe(none);
    expect(fingerprint(undefined)).toBe(none);
    expect(fingerprint({ search: null, segment: undefined })).toBe(none);
    expect(fingerprint({ a: 1, b: null, c: undefined })).toBe(fingerprint({ a: 1 }));
  });

  it('ignores unset fields of an input-class instance, as type-graphql builds them', () => {
    class Filter {
      status?: string[] | null = undefined;
      search?: string | null = null;
    }
    const filter = Object.assign(new Filter(), { status: ['active'] });
    expect(fingerprint(filter)).toBe(fingerprint({ status: ['active'] }));
  });

  it('does not depend on the order of a list filter, which matches any of its values', () => {
    expect(fingerprint({ status: ['active', 'suspended'] })).toBe(fingerprint({ status: ['suspended', 'active'] }));
  });

  it('differs when a value differs', () => {
    const fps = [
      fingerprint({}),
      fingerprint({ search: 'a' }),
      fingerprint({ search: 'b' }),
      fingerprint({ status: ['active'] }),
      fingerprint({ status: ['active', 'suspended'] }),
      fingerprint({ autoRenewEnabled: false }),
      fingerprint({ autoRenewEnabled: true }),
      fingerprint({ expiringBefore: new Date('2027-03-15T12:00:00.000Z') }),
      fingerprint({ expiringBefore: new Date('2027-03-15T12:00:00.001Z') }),
    ];
    expect(new Set(fps).size).toBe(fps.length);
  });

  it('treats Date values by their instant', () => {
    expect(fingerprint({ at: new Date('2027-03-15T12:00:00.000Z') })).toBe(fingerprint({ at: new Date(Date.UTC(2027, 2, 15, 12)) }));
  });
});
