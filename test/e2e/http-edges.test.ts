import { createHash } from 'node:crypto';
import net from 'node:net';
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collections } from '../../src/db/collections.js';
import type { AuditEventDoc } from '../../src/db/documents.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { mintToken } from '../../src/shared/tokens.js';
import { aCustomer, anOffer, aSubscription, guid, T0 } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * The edges of the HTTP surface: sockets that half-close, client mistakes that must stay coded
 * client errors (never INTERNAL_SERVER_ERROR, never an ERROR log line, never HTML), and
 * `$`-operators smuggled in strings, which must stay strings on their way to the database.
 */

const OFFER = 'CFQ7TTC0LH18:0001';
/** Seeded customers; two have names that literally start with `$`-operator text. */
const CUSTOMERS = [
  { _id: guid('edge-c1'), companyName: 'Adatum Corporation' },
  { _id: guid('edge-c2'), companyName: 'Blue Yonder Airlines' },
  { _id: guid('edge-c3'), companyName: '$ne Holdings' },
  { _id: guid('edge-c4'), companyName: '{"$gt": ""} Trading' },
];
const SUBS = CUSTOMERS.map((c, i) => ({ _id: guid(`edge-s${i}`), customerId: c._id }));
const AUDIT_FROM = new Date('2026-10-01T00:00:00Z');
const AUDIT_TO = new Date('2026-12-01T00:00:00Z');
const AUDIT_EVENTS = [
  { _id: 'edge-a1', operationType: 'update_subscription', resourceId: SUBS[0]!._id },
  { _id: 'edge-a2', operationType: '$ne', resourceId: '{"$gt": ""}' },
];

async function seed(cols: Collections): Promise<void> {
  await cols.offers.insertOne(anOffer({ _id: OFFER }));
  await cols.customers.insertMany(CUSTOMERS.map((c) => aCustomer(c)));
  await cols.subscriptions.insertMany(
    SUBS.map((s, i) => aSubscription({ ...s, offerId: OFFER, creationDate: new Date(T0.getTime() + i * 60_000) })),
  );
  await cols.auditEvents.insertMany(
    AUDIT_EVENTS.map((e, i): AuditEventDoc => ({
      ...e,
      partnerId: DEMO_PARTNERS.contoso.id,
      customerId: CUSTOMERS[0]!._id,
      resourceType: 'subscription',
      userId: 'someone',
      roles: ['admin_agent'],
      at: new Date(Date.UTC(2026, 10, 1, 9, i)),
      resourceOldValue: null,
      resourceNewValue: null,
      outcome: 'accepted',
    })),
  );
}

let gw: TestGateway;
let token: string;
beforeAll(async () => {
  // Hundreds of requests from one caller: well past the default burst of the rate limit.
  gw = await startTestGateway(seed, { env: { RATE_LIMIT_BURST: '100000', RATE_LIMIT_PER_MINUTE: '100000' } });
  token = await mintToken({
    secret: gw.authSecret,
    partnerId: DEMO_PARTNERS.contoso.id,
    userId: 'edge-user',
    roles: ['global_admin', 'admin_agent'],
  });
});
afterAll(() => gw?.close());

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } | null;
}

/** Sends a request as a client with a bearer token would, and reads the answer whatever it is. */
async function send(path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${gw.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
  });
  const text = await res.text();
  let body: Answer['body'];
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = null;
  }
  return { status: res.status, headers: res.headers, text, body };
}

const postJson = (payload: unknown) =>
  send('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });

const graphql = (query: string, variables: Record<string, unknown> = {}) => postJson({ query, variables });

const errorLines = () => gw.logs.filter((l) => l.level === 'error');

/** The answer is a coded JSON error with a 4xx status; never HTML, never 500, never INTERNAL_SERVER_ERROR. */
function expectCodedClientError(answer: Answer, codes: string[], statuses: number[]): void {
  expect(answer.text).not.toMatch(/<html|<!DOCTYPE/i);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(statuses).toContain(answer.status);
  expect(answer.body?.errors?.length).toBeGreaterThan(0);
  for (const error of answer.body!.errors!) {
    expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(error.extensions).not.toHaveProperty('stacktrace');
  }
  expect(codes).toContain(answer.body!.errors![0]!.extensions!.code);
}

describe('half-closed sockets', () => {
  /**
   * Opens a TCP connection, writes `request` whole, half-closes (FIN: the client will send no more
   * but still reads) and collects everything the server sends until it closes the connection.
   */
  function halfClosedExchange(request: string): Promise<{ raw: string; closedByServer: boolean }> {
    const { hostname, port } = new URL(gw.url);
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let closedByServer = false;
      const socket = net.connect({ host: hostname, port: Number(port), allowHalfOpen: true }, () => {
        socket.end(request);
      });
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => {
        closedByServer = true;
        socket.destroy();
      });
      socket.on('error', reject);
      socket.on('close', () => resolve({ raw: Buffer.concat(chunks).toString('utf8'), closedByServer }));
      socket.setTimeout(5_000, () => socket.destroy());
    });
  }

  /** Splits a raw HTTP/1.1 exchange into its responses (Content-Length framed, as the gateway sends). */
  function parseResponses(raw: string): { status: number; headers: Record<string, string>; body: string }[] {
    const responses = [];
    let rest = Buffer.from(raw, 'utf8');
    while (rest.length > 0) {
      const headEnd = rest.indexOf('\r\n\r\n');
      if (headEnd < 0) throw new Error(`incomplete response head: ${JSON.stringify(rest.toString('utf8'))}`);
      const [statusLine, ...headerLines] = rest.subarray(0, headEnd).toString('utf8').split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      const length = Number(headers['content-length']);
      expect(Number.isInteger(length)).toBe(true);
      const body = rest.subarray(headEnd + 4, headEnd + 4 + length);
      expect(body.length).toBe(length);
      responses.push({ status: Number(statusLine!.split(' ')[1]), headers, body: body.toString('utf8') });
      rest = rest.subarray(headEnd + 4 + length);
    }
    return responses;
  }

  const post = (body: string, headers: string[] = []) =>
    [
      'POST /graphql HTTP/1.1',
      'Host: gateway.test',
      'Content-Type: application/json',
      'Accept: application/json',
      `Authorization: Bearer ${token}`,
      ...headers,
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');

  it('a client that half-closes after a GraphQL POST still gets the whole response', async () => {
    const { raw, closedByServer } = await halfClosedExchange(post(JSON.stringify({ query: '{ viewer { userId roles } }' })));
    const [response, ...more] = parseResponses(raw);
    expect(more).toEqual([]);
    expect(response!.status).toBe(200);
    expect(response!.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response!.body)).toEqual({ data: { viewer: { userId: 'edge-user', roles: ['GLOBAL_ADMIN', 'ADMIN_AGENT'] } } });
    // Then the server closes its side too: the client is not left waiting on a keep-alive socket.
    expect(closedByServer).toBe(true);
  });

  it('a client that half-closes after a query reading the database gets the whole response', async () => {
    const { raw } = await halfClosedExchange(post(JSON.stringify({ query: '{ customers(first: 100) { totalCount } }' })));
    const [response] = parseResponses(raw);
    expect(response!.status).toBe(200);
    expect(JSON.parse(response!.body)).toEqual({ data: { customers: { totalCount: CUSTOMERS.length } } });
  });

  it('a client that half-closes after GET /healthz still gets the response', async () => {
    const { raw, closedByServer } = await halfClosedExchange('GET /healthz HTTP/1.1\r\nHost: gateway.test\r\n\r\n');
    const [response] = parseResponses(raw);
    expect(response!.status).toBe(200);
    expect(JSON.parse(response!.body)).toMatchObject({ status: 'ok' });
    expect(closedByServer).toBe(true);
  });

  it('a client that half-closes after a body that is not JSON still gets the coded 400', async () => {
    const { raw } = await halfClosedExchange(post('{"query": "{ viewer { userId } }"'));
    const [response] = parseResponses(raw);
    expect(response!.status).toBe(400);
    const body = JSON.parse(response!.body) as { errors: { message: string; extensions: unknown }[] };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(body.errors[0]!.message).toMatch(/^Expected a JSON request body, but it does not parse: /);
  });

  it('a client that pipelines two requests and then half-closes gets both responses, in order', async () => {
    const first = post(JSON.stringify({ query: '{ viewer { userId } }' }));
    const second = post(JSON.stringify({ query: '{ customers(first: 1) { nodes { companyProfile { companyName } } } }' }));
    const { raw, closedByServer } = await halfClosedExchange(first + second);
    const responses = parseResponses(raw);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(JSON.parse(responses[0]!.body)).toEqual({ data: { viewer: { userId: 'edge-user' } } });
    expect(JSON.parse(responses[1]!.body)).toEqual({
      data: { customers: { nodes: [{ companyProfile: { companyName: '$ne Holdings' } }] } },
    });
    expect(closedByServer).toBe(true);
  });
});

describe('client mistakes are coded client errors, never internal ones', () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const UNKNOWN_HASH = sha256('a query this gateway has never seen');

  it('an automatic persisted query registers with its hash and then runs by hash alone', async () => {
    const query = '{ viewer { userId } }';
    const persistedQuery = { version: 1, sha256Hash: sha256(query) };
    expect((await postJson({ query, extensions: { persistedQuery } })).body).toEqual({ data: { viewer: { userId: 'edge-user' } } });
    expect((await postJson({ extensions: { persistedQuery } })).body).toEqual({ data: { viewer: { userId: 'edge-user' } } });
  });

  /*
   * Apollo answers PERSISTED_QUERY_NOT_FOUND with HTTP 200 (and no caching) by design: it is the
   * first step of the automatic persisted query protocol, not a failure, and Apollo Client's
   * persisted query link turns APQ off for good when it gets a 400 or 500 there.
   */
  it('a persisted query with an unknown sha256Hash and no query answers PERSISTED_QUERY_NOT_FOUND, not logged as an error', async () => {
    gw.logs.length = 0;
    const answer = await postJson({ extensions: { persistedQuery: { version: 1, sha256Hash: UNKNOWN_HASH } } });
    expectCodedClientError(answer, ['PERSISTED_QUERY_NOT_FOUND'], [200]);
    expect(answer.body).toEqual({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
    expect(answer.headers.get('cache-control')).toMatch(/no-cache/);
    expect(errorLines()).toEqual([]);
  });

  it.each([
    ['a sha256Hash that is a number', { version: 1, sha256Hash: 42 }],
    ['a sha256Hash that is an object', { version: 1, sha256Hash: { $ne: null } }],
    ['no sha256Hash', { version: 1 }],
  ])('a persisted query with %s and no query answers a coded client error, not logged as an error', async (_name, persistedQuery) => {
    gw.logs.length = 0;
    const answer = await postJson({ extensions: { persistedQuery } });
    expectCodedClientError(answer, ['PERSISTED_QUERY_NOT_FOUND', 'BAD_REQUEST'], [200, 400]);
    expect(errorLines()).toEqual([]);
  });

  /*
   * BUG (src/shared/errors.ts, createFormatError): Apollo refuses these with a plain GraphQLError
   * that has `extensions.http.status` 400 but no code ("Unsupported persisted query version",
   * "provided sha does not match query"); formatError sees no client code, masks it as
   * INTERNAL_SERVER_ERROR and logs it at ERROR with its stack. A fix: in createFormatError, treat
   * an uncoded GraphQLError (`original === error`) whose `extensions.http.status` is 4xx as
   * BAD_REQUEST, keeping its message.
   */
  it.each([
    ['version 2', { extensions: { persistedQuery: { version: 2, sha256Hash: UNKNOWN_HASH } } }],
    [
      'version 2 with a query',
      { query: '{ viewer { userId } }', extensions: { persistedQuery: { version: 2, sha256Hash: UNKNOWN_HASH } } },
    ],
    ['no version', { extensions: { persistedQuery: { sha256Hash: UNKNOWN_HASH } } }],
    ['a persistedQuery that is a string', { extensions: { persistedQuery: UNKNOWN_HASH } }],
    ['a persistedQuery that is an array', { extensions: { persistedQuery: [1, UNKNOWN_HASH] } }],
    [
      'a sha256Hash that does not match the query',
      { query: '{ viewer { userId } }', extensions: { persistedQuery: { version: 1, sha256Hash: UNKNOWN_HASH } } },
    ],
  ])(
    'a persisted query request with %s answers a coded 400, not INTERNAL_SERVER_ERROR, and is not logged as an error',
    async (_name, payload) => {
      gw.logs.length = 0;
      const answer = await postJson(payload);
      expectCodedClientError(answer, ['BAD_REQUEST', 'PERSISTED_QUERY_NOT_SUPPORTED'], [400]);
      expect(errorLines()).toEqual([]);
    },
  );

  it('a subscription operation over HTTP answers a coded 400, not INTERNAL_SERVER_ERROR, and is not logged as an error', async () => {
    gw.logs.length = 0;
    // Subscriptions are served over graphql-ws and graphql-sse only (docs/live-events.md).
    expectCodedClientError(await graphql('subscription { eventAdded { id } }'), ['BAD_REQUEST'], [400]);
    expect(errorLines()).toEqual([]);
  });

  it.each(['PUT', 'DELETE', 'PATCH', 'PROPFIND', 'PURGE', 'SEARCH', 'OPTIONS'])(
    '%s /graphql answers a coded JSON 405, not HTML or 500',
    async (method) => {
      gw.logs.length = 0;
      const answer = await send('/graphql', {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ viewer { userId } }' }),
      });
      expectCodedClientError(answer, ['BAD_REQUEST'], [405]);
      expect(errorLines()).toEqual([]);
    },
  );

  it.each(['PUT', 'DELETE', 'PATCH', 'PROPFIND'])(
    '%s /graphql without a content type answers a coded JSON 4xx, not HTML or 500',
    async (method) => {
      const answer = await send('/graphql', { method });
      // Apollo's CSRF prevention (400) or its method check (405), both BAD_REQUEST.
      expectCodedClientError(answer, ['BAD_REQUEST'], [400, 405]);
    },
  );

  it('HEAD /graphql answers a 4xx with no body, not 500', async () => {
    const answer = await send('/graphql', { method: 'HEAD' });
    expect([400, 405]).toContain(answer.status);
    expect(answer.text).toBe('');
  });

  /** Sends `request` as raw bytes and resolves to everything the server answered before closing. */
  async function raw(request: string): Promise<string> {
    const { hostname, port } = new URL(gw.url);
    return new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = net.connect({ host: hostname, port: Number(port) }, () => socket.write(request));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.setTimeout(5_000, () => socket.destroy());
    });
  }
  const jsonBody = (answer: string) =>
    JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { errors: { extensions: { code: string } }[] };

  it.each([
    ['an unknown method', 'BREW /graphql HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 0\r\n\r\n'],
    ['a malformed request line', 'GET /graphql HTTP/9 nonsense\r\n\r\n'],
    ['a header without a colon', 'GET /healthz HTTP/1.1\r\nHost gateway.test\r\n\r\n'],
  ])('%s the HTTP parser refuses answers a coded JSON 400 and closes, never HTML or 500', async (_what, request) => {
    const answer = await raw(request);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/content-type: application\/json/i);
    expect(jsonBody(answer).errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('CONNECT answers a coded JSON 405 instead of a dropped connection', async () => {
    const answer = await raw('CONNECT gateway.test:443 HTTP/1.1\r\nHost: gateway.test:443\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 405 /);
    expect(jsonBody(answer).errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('headers over the size limit answer a coded 431', async () => {
    const answer = await raw(`GET /healthz HTTP/1.1\r\nHost: gateway.test\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(jsonBody(answer).errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('POST /graphql/anything is no endpoint: a JSON 404, not a GraphQL answer', async () => {
    const answer = await send('/graphql/anything', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { userId } }' }),
    });
    expectCodedClientError(answer, ['NOT_FOUND'], [404]);
  });

  it.each([
    ['GET', '/nope'],
    ['POST', '/nope'],
    ['DELETE', '/nope'],
    ['PUT', '/healthz'],
    ['POST', '/graphiql'],
    ['GET', '/graphql.php'],
    ['GET', '/%E0%A4%A'],
  ])('%s %s answers a JSON 404 with NOT_FOUND, not HTML', async (method, path) => {
    gw.logs.length = 0;
    const answer = await send(path, {
      method,
      ...(method === 'GET' ? {} : { headers: { 'content-type': 'application/json' }, body: '{}' }),
    });
    expectCodedClientError(answer, ['NOT_FOUND'], [404]);
    expect(errorLines()).toEqual([]);
  });
});

describe('$-operators in strings stay strings', () => {
  const OPERATOR_TEXT = [
    '{"$gt": ""}',
    '{"$ne": null}',
    '{"$regex": ".*"}',
    '{"$where": "true"}',
    '$ne',
    '$gt',
    '$where',
    '$expr',
    '.*',
    '^',
    '[a-z]',
    '\\',
  ];

  /** Every command the gateway sends while `run` runs. */
  async function commandsDuring<T>(run: () => Promise<T>): Promise<{ result: T; commands: CommandStartedEvent[] }> {
    const start = gw.commands.length;
    const result = await run();
    return { result, commands: gw.commands.slice(start) };
  }

  /** The command with every string replaced by a placeholder: its structure, operators included. */
  function shape(value: unknown): unknown {
    if (typeof value === 'string') return '<string>';
    if (Array.isArray(value)) return value.map(shape);
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
    }
    return value;
  }

  function strings(value: unknown): string[] {
    if (typeof value === 'string') return [value];
    if (Array.isArray(value)) return value.flatMap(strings);
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) return Object.values(value).flatMap(strings);
    return [];
  }

  function keys(value: unknown): string[] {
    if (Array.isArray(value)) return value.flatMap(keys);
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      return Object.entries(value).flatMap(([k, v]) => [k, ...keys(v)]);
    }
    return [];
  }

  const findFilters = (commands: CommandStartedEvent[], collection: string) =>
    commands.filter((c) => c.commandName === 'find' && c.command.find === collection).map((c) => c.command.filter as unknown);

  /** What a literal, case-insensitive prefix search over company name and domain finds. */
  const literalPrefixMatches = (search: string) => {
    const q = search.trim().toLowerCase();
    return CUSTOMERS.filter((c) => aCustomer(c).companyNameLower.startsWith(q) || aCustomer(c).domainLower.startsWith(q))
      .map((c) => c.companyName)
      .sort();
  };

  const CUSTOMERS_QUERY =
    'query ($search: String!) { customers(first: 100, filter: { search: $search }) { totalCount nodes { companyProfile { companyName } } } }';

  it('the control: a search that matches nothing reads customers with the same filter shape as any other search', async () => {
    const { result, commands } = await commandsDuring(() => graphql(CUSTOMERS_QUERY, { search: 'zzz' }));
    expect(result.body).toEqual({ data: { customers: { totalCount: 0, nodes: [] } } });
    expect(findFilters(commands, 'customers')).toHaveLength(1);
  });

  it.each(OPERATOR_TEXT)('customers(filter: { search: %j }) matches the text literally, never everything', async (search) => {
    const benign = findFilters((await commandsDuring(() => graphql(CUSTOMERS_QUERY, { search: 'zzz' }))).commands, 'customers');
    const { result, commands } = await commandsDuring(() => graphql(CUSTOMERS_QUERY, { search }));
    expect(result.body?.errors).toBeUndefined();
    const { customers } = result.body!.data as { customers: { totalCount: number; nodes: { companyProfile: { companyName: string } }[] } };
    const names = customers.nodes.map((n) => n.companyProfile.companyName).sort();
    expect(names).toEqual(literalPrefixMatches(search));
    expect(names.length).toBeLessThan(CUSTOMERS.length);
    expect(customers.totalCount).toBe(names.length);
    // The database got the text as a string value, in a filter shaped like any other search's.
    const [filter] = findFilters(commands, 'customers');
    expect(shape(filter)).toEqual(shape(benign[0]));
    expect(strings(filter)).toContain(search.toLowerCase());
  });

  it('a search that literally starts like a $-operator finds the customer whose name starts with that text', async () => {
    const res = await graphql(CUSTOMERS_QUERY, { search: '{"$gt": ""}' });
    expect(res.body).toEqual({
      data: { customers: { totalCount: 1, nodes: [{ companyProfile: { companyName: '{"$gt": ""} Trading' } }] } },
    });
  });

  it.each(OPERATOR_TEXT)('subscriptions(filter: { customerSearch: %j }) matches the text literally, never everything', async (search) => {
    const query = 'query ($search: String!) { subscriptions(first: 100, filter: { customerSearch: $search }) { nodes { id } } }';
    const benign = findFilters((await commandsDuring(() => graphql(query, { search: 'zzz' }))).commands, 'customers');
    const { result, commands } = await commandsDuring(() => graphql(query, { search }));
    expect(result.body?.errors).toBeUndefined();
    const ids = (result.body!.data as { subscriptions: { nodes: { id: string }[] } }).subscriptions.nodes.map((n) => n.id).sort();
    const expected = SUBS.filter((s) => literalPrefixMatches(search).includes(CUSTOMERS.find((c) => c._id === s.customerId)!.companyName))
      .map((s) => s._id)
      .sort();
    expect(ids).toEqual(expected);
    expect(ids.length).toBeLessThan(SUBS.length);
    const [filter] = findFilters(commands, 'customers');
    expect(shape(filter)).toEqual(shape(benign[0]));
    expect(strings(filter)).toContain(search.toLowerCase());
  });

  it.each(OPERATOR_TEXT)('auditRecords(filter: { operationType: %j }) compares the text for equality', async (text) => {
    const query = `query ($filter: AuditRecordFilter) {
      auditRecords(from: "${AUDIT_FROM.toISOString()}", to: "${AUDIT_TO.toISOString()}", first: 100, filter: $filter) { nodes { id } }
    }`;
    for (const field of ['operationType', 'resourceId'] as const) {
      const { result, commands } = await commandsDuring(() => graphql(query, { filter: { [field]: text } }));
      expect(result.body?.errors).toBeUndefined();
      const ids = (result.body!.data as { auditRecords: { nodes: { id: string }[] } }).auditRecords.nodes.map((n) => n.id);
      expect(ids).toEqual(AUDIT_EVENTS.filter((e) => e[field] === text).map((e) => e._id));
      const [filter] = findFilters(commands, 'auditEvents') as Record<string, unknown>[];
      expect(filter![field]).toBe(text);
    }
  });

  it('auditRecords(filter: { operationType: "$ne" }) finds only the record whose operation type is literally "$ne"', async () => {
    const query = `{ auditRecords(from: "${AUDIT_FROM.toISOString()}", to: "${AUDIT_TO.toISOString()}", filter: { operationType: "$ne" }) { nodes { id operationType } } }`;
    expect((await graphql(query)).body).toEqual({ data: { auditRecords: { nodes: [{ id: 'edge-a2', operationType: '$ne' }] } } });
  });

  const anyCustomer = CUSTOMERS[0]!._id;
  const idArguments: [string, (v: string) => string][] = [
    ['customer(id)', (v) => `{ customer(id: ${JSON.stringify(v)}) { id } }`],
    ['subscription(id)', (v) => `{ subscription(id: ${JSON.stringify(v)}) { id } }`],
    ['addOn(id)', (v) => `{ addOn(id: ${JSON.stringify(v)}) { id } }`],
    ['order(id)', (v) => `{ order(id: ${JSON.stringify(v)}) { id } }`],
    ['softwareOrder(id)', (v) => `{ softwareOrder(id: ${JSON.stringify(v)}) { id } }`],
    ['reservation(id)', (v) => `{ reservation(id: ${JSON.stringify(v)}) { id } }`],
    ['offer(id)', (v) => `{ offer(id: ${JSON.stringify(v)}) { id } }`],
    ['invoice(customerId)', (v) => `{ invoice(customerId: ${JSON.stringify(v)}, period: "2026-11") { period } }`],
    ['invoice(period)', (v) => `{ invoice(customerId: "${anyCustomer}", period: ${JSON.stringify(v)}) { period } }`],
    ['subscriptions(filter: { offerId })', (v) => `{ subscriptions(filter: { offerId: [${JSON.stringify(v)}] }) { nodes { id } } }`],
    ['customers(filter: { billingCountry })', (v) => `{ customers(filter: { billingCountry: [${JSON.stringify(v)}] }) { nodes { id } } }`],
    [
      'customer.ledger(filter: { subscriptionId })',
      (v) => `{ customer(id: "${anyCustomer}") { ledger(filter: { subscriptionId: ${JSON.stringify(v)} }) { nodes { id } } } }`,
    ],
    ['customers(after)', (v) => `{ customers(after: ${JSON.stringify(v)}) { nodes { id } } }`],
    ['subscriptions(after)', (v) => `{ subscriptions(after: ${JSON.stringify(v)}) { nodes { id } } }`],
  ];
  const idCases = idArguments.flatMap(([name, build]) => ['$ne', '{"$gt": ""}', '{"$ne": null}'].map((v) => [name, v, build(v)] as const));

  it.each(idCases)('%s given %j answers BAD_USER_INPUT and never reaches the database', async (_name, value, query) => {
    const { result, commands } = await commandsDuring(() => graphql(query));
    expect(result.status).toBe(200);
    expect(result.body?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(commands.filter((c) => strings(c.command).includes(value) || strings(c.command).includes(value.toLowerCase()))).toEqual([]);
  });

  const OPERATOR_OBJECTS = [{ $gt: '' }, { $ne: null }, { $regex: '.*' }, { $where: 'true' }];
  const variableCases: [string, string, (v: unknown) => Record<string, unknown>][] = [
    ['a String search', 'query ($s: String) { customers(filter: { search: $s }) { nodes { id } } }', (v) => ({ s: v })],
    ['a CustomerFilter search', 'query ($f: CustomerFilter) { customers(filter: $f) { nodes { id } } }', (v) => ({ f: { search: v } })],
    [
      'a billingCountry item',
      'query ($f: CustomerFilter) { customers(filter: $f) { nodes { id } } }',
      (v) => ({ f: { billingCountry: [v] } }),
    ],
    ['an ID', 'query ($id: ID!) { customer(id: $id) { id } }', (v) => ({ id: v })],
    ['an offerId item', 'query ($f: SubscriptionFilter) { subscriptions(filter: $f) { nodes { id } } }', (v) => ({ f: { offerId: [v] } })],
    [
      'a customerSearch',
      'query ($f: SubscriptionFilter) { subscriptions(filter: $f) { nodes { id } } }',
      (v) => ({ f: { customerSearch: v } }),
    ],
    [
      'an audit operationType',
      `query ($f: AuditRecordFilter) { auditRecords(from: "${AUDIT_FROM.toISOString()}", to: "${AUDIT_TO.toISOString()}", filter: $f) { nodes { id } } }`,
      (v) => ({ f: { operationType: v } }),
    ],
    ['a cursor', 'query ($after: String) { customers(after: $after) { nodes { id } } }', (v) => ({ after: v })],
  ];
  const objectCases = variableCases.flatMap(([name, query, vars]) =>
    OPERATOR_OBJECTS.map((operator) => [name, Object.keys(operator)[0]!, query, vars(operator)] as const),
  );

  it.each(objectCases)(
    'a JSON object with %s where %s is expected answers BAD_USER_INPUT with HTTP 400, before any resolver',
    async (_name, operator, query, variables) => {
      const { result, commands } = await commandsDuring(() => graphql(query, variables));
      expect(result.status).toBe(400);
      expect(result.body?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.body?.errors?.[0]?.message).toMatch(/cannot represent a non string value|cannot represent value/);
      // Only authentication's partner lookup ran; no command carries the operator.
      expect(commands.filter((c) => c.command[c.commandName] !== 'partners').map((c) => c.commandName)).toEqual([]);
      expect(commands.flatMap((c) => keys(c.command)).filter((k) => k === operator)).toEqual([]);
    },
  );

  it('a support request naming its customer by $-operator text finds no customer, whatever the text', async () => {
    const mutation = `mutation ($customer: String!) {
      createSupportRequest(input: {
        dryRun: true, kind: SOFTWARE_REFUND, customer: $customer, resourceId: "123456789abc", title: "Refund",
        reason: "Bought twice", contact: { name: "A", email: "a@example.com", phone: "+1 555 0100" }
      }) { supportRequest { id } userErrors { code field } }
    }`;
    for (const customer of ['{"$gt": ""}', '$ne', '{"$ne": null}']) {
      const { result, commands } = await commandsDuring(() => graphql(mutation, { customer }));
      expect(result.body?.errors?.[0]?.extensions?.code ?? 'userErrors').not.toBe('INTERNAL_SERVER_ERROR');
      const payload = (result.body?.data as { createSupportRequest?: { supportRequest: unknown; userErrors: unknown[] } } | null)
        ?.createSupportRequest;
      expect(payload?.supportRequest ?? null).toBeNull();
      expect(payload?.userErrors.length ?? result.body?.errors?.length).toBeGreaterThan(0);
      for (const filter of findFilters(commands, 'customers') as Record<string, unknown>[]) {
        expect(keys(filter).filter((k) => k.startsWith('$'))).toEqual([]);
      }
    }
  });
});
