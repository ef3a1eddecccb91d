import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { ConfigError, loadConfig } from '../../src/shared/config.js';
import { CORS_ALLOWED_HEADERS, CORS_MAX_AGE_SECONDS } from '../../src/app/cors.js';
import { mintToken } from '../../src/shared/tokens.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * Browser front ends, from the server's side (issue 8): CORS_ORIGINS and its defaults, preflights,
 * the CORS headers of every kind of answer, GET queries, automatic persisted queries, and a browser
 * opening /graphql. test/e2e/browser-cors.test.ts does the same from a real browser.
 */

const SECRET = 'a-production-secret-of-at-least-thirty-two-bytes-0123456789';
const LISTED = ['https://app.example.com', 'http://localhost:5173'];
/** What a browser sends as Accept when the address bar opens a page. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

/** Development defaults. */
let dev: TestGateway;
/** CORS_ORIGINS=LISTED, and a flood guard of 3 failed authentications per minute per address. */
let listed: TestGateway;
/** NODE_ENV=production, CORS_ORIGINS unset. */
let production: TestGateway;
let token: string;

beforeAll(async () => {
  [dev, listed, production] = await Promise.all([
    startTestGateway(),
    startTestGateway(undefined, { env: { CORS_ORIGINS: LISTED.join(','), RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '3' } }),
    startTestGateway(undefined, { env: { NODE_ENV: 'production', AUTH_SECRET: SECRET } }),
  ]);
  token = await mintToken({ secret: dev.authSecret, partnerId: DEMO_PARTNERS.contoso.id, userId: 'cors-user', roles: ['global_admin'] });
});
afterAll(() => Promise.all([dev?.close(), listed?.close(), production?.close()]));

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } | null;
}

async function send(gateway: TestGateway, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${gateway.url}${path}`, { redirect: 'manual', ...init });
  const text = await res.text();
  let body: Answer['body'] = null;
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body };
}

const preflight = (gateway: TestGateway, origin: string, path = '/graphql') =>
  send(gateway, path, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,ms-requestid',
    },
  });

const post = (gateway: TestGateway, body: unknown, headers: Record<string, string> = {}) =>
  send(gateway, '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });

/** A GET with the operation's parts as query parameters (objects as JSON), and only the given headers. */
function get(
  gateway: TestGateway,
  params: Record<string, unknown>,
  headers: Record<string, string> = { authorization: `Bearer ${token}` },
) {
  const search = new URLSearchParams(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string]),
  );
  return send(gateway, `/graphql?${search}`, { headers });
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const vary = (answer: Answer) => (answer.headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase());
const code = (answer: Answer) => answer.body?.errors?.[0]?.extensions?.code;

describe('CORS_ORIGINS in loadConfig', () => {
  it('unset: any loopback origin in development, none in production', () => {
    expect(loadConfig({}).corsOrigins).toEqual({ exact: [], loopback: true });
    expect(loadConfig({ CORS_ORIGINS: '  ' }).corsOrigins).toEqual({ exact: [], loopback: true });
    expect(loadConfig({ NODE_ENV: 'production', AUTH_SECRET: SECRET }).corsOrigins).toEqual({ exact: [], loopback: false });
  });

  it('set: exactly the listed origins, canonical and without duplicates, loopback no longer implied', () => {
    expect(
      loadConfig({ CORS_ORIGINS: ' https://App.Example.com , http://localhost:5173,,https://app.example.com:443' }).corsOrigins,
    ).toEqual({
      exact: ['https://app.example.com', 'http://localhost:5173'],
      loopback: false,
    });
    expect(loadConfig({ NODE_ENV: 'production', AUTH_SECRET: SECRET, CORS_ORIGINS: 'https://app.example.com' }).corsOrigins).toEqual({
      exact: ['https://app.example.com'],
      loopback: false,
    });
    expect(loadConfig({ CORS_ORIGINS: 'http://[::1]:8080,http://127.0.0.1' }).corsOrigins.exact).toEqual([
      'http://[::1]:8080',
      'http://127.0.0.1',
    ]);
  });

  it.each([
    '*',
    'null',
    'app.example.com',
    'https://app.example.com/',
    'https://app.example.com/app',
    'https://app.example.com?x=1',
    'https://app.example.com#top',
    'ftp://files.example.com',
    'https://user:pw@app.example.com',
    'http://localhost:*',
    'http://localhost:99999',
    'https://*.example.com',
    'https://app example.com',
  ])('a malformed origin (%s) stops the start with a message naming it', (entry) => {
    let caught: unknown;
    try {
      loadConfig({ CORS_ORIGINS: `https://ok.example.com,${entry}` });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toBe(
      `CORS_ORIGINS must be a comma-separated list of exact origins, each a scheme (http or https), a host and an optional port such as https://app.example.com or http://localhost:5173 (no path, no trailing slash, no wildcard), but got '${entry}'`,
    );
  });

  it('a list of nothing but commas stops the start', () => {
    expect(() => loadConfig({ CORS_ORIGINS: ' , ,' })).toThrow(
      new ConfigError(`CORS_ORIGINS must list at least one origin when set, but got ' , ,'`),
    );
  });
});

describe('preflight', () => {
  it.each(['http://localhost:5173', 'http://127.0.0.1:3000', 'http://[::1]:8080', 'http://localhost'])(
    'development allows the loopback origin %s: 204 with methods, headers and max-age',
    async (origin) => {
      const answer = await preflight(dev, origin);
      expect(answer.status).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
      expect(answer.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
      const allowed = answer.headers.get('access-control-allow-headers')!.split(', ');
      for (const name of [
        'Authorization',
        'Content-Type',
        'X-Partner-Id',
        'X-Partner-Roles',
        'X-User-Id',
        'MS-RequestId',
        'MS-CorrelationId',
        'X-Correlation-Id',
        'Apollo-Require-Preflight',
        'X-Apollo-Operation-Name',
      ]) {
        expect(allowed).toContain(name);
      }
      expect(allowed).toEqual([...CORS_ALLOWED_HEADERS]);
      expect(answer.headers.get('access-control-max-age')).toBe(String(CORS_MAX_AGE_SECONDS));
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
      expect(vary(answer)).toContain('origin');
    },
  );

  it.each(['https://evil.example', 'http://localhost.evil.example', 'https://localhost:5173', 'http://192.168.1.10:3000', 'null'])(
    'development refuses %s: 403, coded, no CORS headers',
    async (origin) => {
      const answer = await preflight(dev, origin);
      expect(answer.status).toBe(403);
      expect(code(answer)).toBe('FORBIDDEN');
      expect(answer.body?.errors?.[0]?.message).toContain('CORS_ORIGINS');
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(answer.headers.get('access-control-allow-methods')).toBeNull();
      expect(vary(answer)).toContain('origin');
    },
  );

  it('CORS_ORIGINS allows exactly its origins, and no longer any loopback one', async () => {
    for (const origin of LISTED) expect((await preflight(listed, origin)).status, origin).toBe(204);
    expect((await preflight(listed, 'http://localhost:3000')).status).toBe(403);
    expect((await preflight(listed, 'https://app.example.com:8443')).status).toBe(403);
  });

  it('production allows no origin unless configured', async () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:4000', 'https://app.example.com']) {
      const answer = await preflight(production, origin);
      expect(answer.status, origin).toBe(403);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('a preflight spends none of the rate budget', async () => {
    for (let i = 0; i < 10; i += 1) expect((await preflight(listed, LISTED[0]!)).status).toBe(204);
    const answer = await post(listed, { query: '{ viewer { userId } }' }, { authorization: 'Bearer preflight-budget' });
    expect(answer.status).toBe(401); // not 429: authentication answered, the limiter let it through
  });

  it('an OPTIONS that is no preflight still meets the coded 405', async () => {
    const answer = await send(dev, '/graphql', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(405);
    expect(code(answer)).toBe('BAD_REQUEST');
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });
});

describe('actual requests', () => {
  const origin = 'http://localhost:5173';

  it('an allowed origin gets Allow-Origin, the exposed headers and Vary: Origin', async () => {
    const answer = await post(dev, { query: '{ viewer { userId } }' }, { origin });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { viewer: { userId: 'cors-user' } } });
    expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
    expect(answer.headers.get('access-control-expose-headers')).toBe('X-Correlation-Id, Retry-After, X-Idempotent-Replay');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    expect(vary(answer)).toContain('origin');
  });

  it('another origin is served without CORS headers (the browser keeps the answer from the page)', async () => {
    const answer = await post(dev, { query: '{ viewer { userId } }' }, { origin: 'https://evil.example' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    expect(answer.headers.get('access-control-expose-headers')).toBeNull();
    expect(vary(answer)).toContain('origin');
  });

  it('a request without Origin (a server, curl) gets no CORS headers, but Vary: Origin', async () => {
    const answer = await post(dev, { query: '{ viewer { userId } }' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    expect(vary(answer)).toContain('origin');
  });

  it('the 401, 404, 400 and 429 answers carry the CORS headers, so a browser client can read their codes', async () => {
    const unauthenticated = await post(dev, { query: '{ viewer { userId } }' }, { origin, authorization: 'Bearer nobody' });
    expect([unauthenticated.status, code(unauthenticated)]).toEqual([401, 'UNAUTHENTICATED']);
    const notFound = await send(dev, '/graphql/nothing', { headers: { origin } });
    expect([notFound.status, code(notFound)]).toEqual([404, 'NOT_FOUND']);
    const notJson = await send(dev, '/graphql', { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{' });
    expect([notJson.status, code(notJson)]).toEqual([400, 'BAD_REQUEST']);
    for (const answer of [unauthenticated, notFound, notJson]) expect(answer.headers.get('access-control-allow-origin')).toBe(origin);

    const listedOrigin = LISTED[0]!;
    const headers = { origin: listedOrigin, authorization: 'Bearer rate-limited-caller' };
    let limited: Answer | undefined;
    for (let i = 0; i < 5 && limited === undefined; i += 1) {
      const answer = await post(listed, { query: '{ viewer { userId } }' }, headers);
      if (answer.status === 429) limited = answer;
    }
    expect(code(limited!)).toBe('RATE_LIMITED');
    expect(limited!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited!.headers.get('access-control-allow-origin')).toBe(listedOrigin);
    expect(limited!.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });
});

describe('GET', () => {
  const query = 'query Customers($first: Int) { customers(first: $first) { totalCount } viewer { userId } }';

  it('a query runs with only the bearer token as header: no Apollo-Require-Preflight, no content type', async () => {
    const answer = await get(dev, { query, variables: { first: 1 }, operationName: 'Customers' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { customers: { totalCount: 0 }, viewer: { userId: 'cors-user' } } });
  });

  it('a query runs with the development header X-Partner-Id alone', async () => {
    const answer = await get(dev, { query: '{ viewer { partner { name } } }' }, { 'x-partner-id': DEMO_PARTNERS.contoso.id });
    expect(answer.body).toEqual({ data: { viewer: { partner: { name: 'Contoso Cloud Services' } } } });
  });

  it('a GET with neither credentials nor a preflight header is still refused by CSRF prevention', async () => {
    const answer = await get(dev, { query: '{ viewer { userId } }' }, {});
    expect(answer.status).toBe(400);
    expect(code(answer)).toBe('BAD_REQUEST');
    expect(answer.body?.errors?.[0]?.message).toMatch(/Cross-Site Request Forgery/);
  });

  it('a mutation over GET is refused with a coded 405 and changes nothing', async () => {
    const before = await post(dev, { query: '{ simulationClock { now } }' });
    const answer = await get(dev, { query: 'mutation { advanceClock(input: { by: "P1D" }) { clock { now } } }' });
    expect(answer.status).toBe(405);
    expect(code(answer)).toBe('BAD_REQUEST');
    expect(answer.headers.get('allow')).toBe('POST');
    expect(answer.body?.errors?.[0]?.message).toMatch(/only support query operations, not mutation/);
    expect((await post(dev, { query: '{ simulationClock { now } }' })).body).toEqual(before.body);
  });
});

describe('automatic persisted queries', () => {
  it('a query: hash alone is PERSISTED_QUERY_NOT_FOUND with HTTP 200, hash and query registers, then the hash alone runs, over POST and GET', async () => {
    const query = 'query Apq($first: Int) { customers(first: $first) { totalCount } }';
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(query) } };
    const expected = { data: { customers: { totalCount: 0 } } };

    const miss = await post(dev, { extensions, variables: { first: 2 } });
    expect(miss.status).toBe(200);
    expect(miss.body).toEqual({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
    const missOverGet = await get(dev, { extensions, variables: { first: 2 } });
    expect([missOverGet.status, code(missOverGet)]).toEqual([200, 'PERSISTED_QUERY_NOT_FOUND']);

    expect((await post(dev, { query, extensions, variables: { first: 2 } })).body).toEqual(expected);
    expect((await post(dev, { extensions, variables: { first: 3 } })).body).toEqual(expected);
    const hit = await get(dev, { extensions, variables: { first: 3 }, operationName: 'Apq' });
    expect([hit.status, hit.body]).toEqual([200, expected]);
  });

  it('a query registers over GET too', async () => {
    const query = '{ viewer { userId roles } }';
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(query) } };
    expect(code(await get(dev, { extensions }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await get(dev, { query, extensions })).body).toEqual({ data: { viewer: { userId: 'cors-user', roles: ['GLOBAL_ADMIN'] } } });
    expect((await get(dev, { extensions })).body).toEqual({ data: { viewer: { userId: 'cors-user', roles: ['GLOBAL_ADMIN'] } } });
  });

  it('a mutation: the same round trip over POST; its hash alone over GET is a coded 405', async () => {
    const mutation = 'mutation Advance($by: String) { advanceClock(input: { by: $by }) { clock { now } } }';
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(mutation) } };
    const clock = async () =>
      ((await post(dev, { query: '{ simulationClock { now } }' })).body!.data as { simulationClock: { now: string } }).simulationClock.now;

    expect(code(await post(dev, { extensions, variables: { by: 'PT1H' } }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    const start = Date.parse(await clock());
    const registered = await post(dev, { query: mutation, extensions, variables: { by: 'PT1H' } });
    expect(registered.body?.errors).toBeUndefined();
    expect(Date.parse(await clock())).toBe(start + 3_600_000);
    const byHash = await post(dev, { extensions, variables: { by: 'PT2H' } });
    expect(byHash.body?.errors).toBeUndefined();
    expect(Date.parse(await clock())).toBe(start + 3 * 3_600_000);

    const overGet = await get(dev, { extensions, variables: { by: 'PT5H' } });
    expect([overGet.status, code(overGet)]).toEqual([405, 'BAD_REQUEST']);
    expect(Date.parse(await clock())).toBe(start + 3 * 3_600_000);
  });
});

describe('a browser opening /graphql', () => {
  it('is sent to the IDE', async () => {
    const answer = await send(dev, '/graphql', { headers: { accept: BROWSER_ACCEPT } });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('/graphiql');
  });

  it('but a client asking for JSON, or a browser GET that carries an operation, reaches GraphQL', async () => {
    const json = await send(dev, '/graphql', { headers: { accept: 'application/json', authorization: `Bearer ${token}` } });
    expect(json.status).toBe(400);
    expect(code(json)).toBe('BAD_REQUEST');
    const withQuery = await get(dev, { query: '{ viewer { userId } }' }, { accept: BROWSER_ACCEPT, authorization: `Bearer ${token}` });
    expect([withQuery.status, withQuery.body]).toEqual([200, { data: { viewer: { userId: 'cors-user' } } }]);
  });
});
