import http from 'node:http';
import net from 'node:net';
import { MongoNetworkError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { createAuthenticator, type Authenticator } from '../../src/shared/auth.js';
import { loadConfig } from '../../src/shared/config.js';
import { createMemoryLogger } from '../../src/shared/logger.js';
import { mintToken } from '../../src/shared/tokens.js';
import { createGateway, type Gateway } from '../../src/app/server.js';
import { asDatabase, openTestDb, type TestDb } from '../support/db.js';
import { partners } from '../support/fixtures.js';

/*
 * The GraphQL fast path (src/app/graphql-http.ts) serves plain POSTs without Express. Each
 * case sends the same operation twice: once plainly (the fast path must take it) and once to
 * `/graphql?`, which only the Express stack takes, and the two answers must be the same.
 */

const MiB = 1024 * 1024;
/** Headers both stacks must send alike (Date and a generated correlation ID differ by nature). */
const COMPARED = [
  'content-type',
  'content-length',
  'cache-control',
  'retry-after',
  'vary',
  'etag',
  'access-control-allow-origin',
  'access-control-expose-headers',
];

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Whether the fast path took the request (its counter moved). */
  fast: boolean;
}

interface Running {
  gateway: Gateway;
  url: URL;
  log: ReturnType<typeof createMemoryLogger>;
  /** While set, authentication fails as the driver does when the database is unreachable. */
  outage: { down: boolean; bug: boolean };
}

let testDb: TestDb;
const running: Running[] = [];

async function start(env: Record<string, string> = {}): Promise<Running> {
  const log = createMemoryLogger();
  // The file's one database outlives each gateway.
  const database = asDatabase(testDb, async () => {});
  const config = { ...loadConfig(env), dbName: testDb.dbName };
  const real = createAuthenticator(config, testDb.collections.partners, log);
  const outage = { down: false, bug: false };
  // The database going away is simulated where the context function first needs it.
  const authenticator: Authenticator = {
    authenticate: (headers) => {
      if (outage.down) return Promise.reject(new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017'));
      if (outage.bug) return Promise.reject(new TypeError("Cannot read properties of undefined (reading 'roles')"));
      return real.authenticate(headers);
    },
  };
  const gateway = await createGateway({ config, database, log, authenticator });
  const url = new URL(await gateway.listen(0, '127.0.0.1'));
  const r = { gateway, url, log, outage };
  running.push(r);
  return r;
}

function request({
  gw,
  path,
  body,
  headers,
  method = 'POST',
}: {
  gw: Running;
  path: string;
  body: string | Buffer;
  headers: Record<string, string>;
  method?: string;
}): Promise<Answer> {
  const before = gw.gateway.fastPathRequests();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: gw.url.hostname,
        port: gw.url.port,
        path,
        method,
        agent: false,
        headers: { 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            fast: gw.gateway.fastPathRequests() > before,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The same request on both stacks: plainly (fast path) and to `/graphql?` (Express only). */
async function both(gw: Running, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ fast: Answer; express: Answer }> {
  const all = { 'content-type': 'application/json; charset=utf-8', ...headers };
  const fast = await request({ gw, path: '/graphql', body, headers: all });
  const express = await request({ gw, path: '/graphql?', body, headers: all });
  expect(fast.fast, 'the fast path took the plain request').toBe(true);
  expect(express.fast, 'the fast path left /graphql? to Express').toBe(false);
  return { fast, express };
}

function expectSameAnswer(a: Answer, b: Answer, extraHeaders: string[] = []): void {
  expect(a.status).toBe(b.status);
  expect(a.text).toBe(b.text);
  for (const name of [...COMPARED, ...extraHeaders]) expect(a.headers[name], name).toEqual(b.headers[name]);
}

let gw: Running;
let token: string;
const QUERY = JSON.stringify({ query: '{ viewer { partner { name } } }' });

beforeAll(async () => {
  testDb = await openTestDb('fast');
  await testDb.collections.partners.insertMany(partners());
  gw = await start({ RATE_LIMIT_PER_MINUTE: '100000000' });
  token = await mintToken({
    secret: loadConfig({}).authSecret,
    partnerId: DEMO_PARTNERS.contoso.id,
    userId: 'fast-path-user',
    roles: ['global_admin', 'admin_agent'],
  });
});
afterAll(async () => {
  for (const r of running) await r.gateway.stop();
  await testDb?.close();
});

const errorsOf = (a: Answer) => (JSON.parse(a.text) as { errors: { message: string; extensions: Record<string, unknown> }[] }).errors;

describe('the fast path answers as the Express stack does', () => {
  it('a good query: 200, the data, the same headers', async () => {
    const { fast, express } = await both(gw, QUERY, { authorization: `Bearer ${token}` });
    expect(fast.status).toBe(200);
    expect(JSON.parse(fast.text)).toEqual({ data: { viewer: { partner: { name: DEMO_PARTNERS.contoso.name } } } });
    expect(fast.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(fast.headers['cache-control']).toBe('no-store');
    expect(fast.headers.vary).toBe('Origin');
    expectSameAnswer(fast, express);
  });

  it('Content-Type without charset and with Accept application/graphql-response+json is fast too, and answers alike', async () => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/graphql-response+json' };
    const { fast, express } = await both(gw, JSON.stringify({ query: '{ nope }' }), headers);
    expect(fast.status).toBe(400);
    expect(fast.headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
    expectSameAnswer(fast, express);
  });

  it('a validation error: 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const { fast, express } = await both(gw, JSON.stringify({ query: '{ viewer { nope } }' }), { authorization: `Bearer ${token}` });
    expect(fast.status).toBe(400);
    expect(errorsOf(fast)[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expectSameAnswer(fast, express);
  });

  it.each([
    ['broken JSON', '{"query": "{ viewer { userId } }"'],
    ['a top-level string', '"hello"'],
    ['a top-level number after whitespace', ' \n 42'],
    ['whitespace only', '   '],
    ['a top-level null', 'null'],
    ['a trailing comma', '{"query": "{ viewer { userId } }",}'],
  ])('a body that is not a JSON object or array (%s): 400 BAD_REQUEST with body-parser’s message', async (_name, body) => {
    const { fast, express } = await both(gw, body, { authorization: `Bearer ${token}` });
    expect(fast.status).toBe(400);
    const [error] = errorsOf(fast);
    expect(error!.extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(error!.message).toMatch(/^Expected a JSON request body, but it does not parse: /);
    expectSameAnswer(fast, express);
    expect(gw.log.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('an empty body is `{}` to both (Apollo’s BAD_REQUEST), and a leading BOM is dropped', async () => {
    const empty = await both(gw, '', { authorization: `Bearer ${token}` });
    expect(empty.fast.status).toBe(400);
    expect(errorsOf(empty.fast)[0]!.message).toBe('POST body missing, invalid Content-Type, or JSON object has no keys.');
    expectSameAnswer(empty.fast, empty.express);
    const bom = await both(gw, `\uFEFF${QUERY}`, { authorization: `Bearer ${token}` });
    expect(bom.fast.status).toBe(200);
    expectSameAnswer(bom.fast, bom.express);
  });

  it('a body of exactly 1 MiB is fast; one byte more goes to Express, which answers 413', async () => {
    const pad = (size: number) => {
      const base = JSON.stringify({ query: '{ viewer { userId } }', extensions: { pad: '' } });
      return JSON.stringify({ query: '{ viewer { userId } }', extensions: { pad: 'x'.repeat(size - base.length) } });
    };
    const atLimit = await both(gw, pad(MiB), { authorization: `Bearer ${token}` });
    expect(atLimit.fast.status).toBe(200);
    expectSameAnswer(atLimit.fast, atLimit.express);

    const over = await request({
      gw,
      path: '/graphql',
      body: pad(MiB + 1),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    expect(over.fast).toBe(false);
    expect(over.status).toBe(413);
    expect(errorsOf(over)[0]!.extensions).toEqual({ code: 'BAD_REQUEST' });
  });

  it('an unauthenticated call: 401 UNAUTHENTICATED', async () => {
    const { fast, express } = await both(gw, QUERY, {});
    expect(fast.status).toBe(401);
    expect(errorsOf(fast)[0]!.extensions.code).toBe('UNAUTHENTICATED');
    expectSameAnswer(fast, express);
  });

  it('the database unreachable while the context is built: 503 SERVICE_UNAVAILABLE with Retry-After', async () => {
    gw.outage.down = true;
    try {
      const { fast, express } = await both(gw, QUERY, { authorization: `Bearer ${token}` });
      expect(fast.status).toBe(503);
      expect(fast.headers['retry-after']).toBe('2');
      expect(errorsOf(fast)[0]!.extensions.code).toBe('SERVICE_UNAVAILABLE');
      expectSameAnswer(fast, express);
    } finally {
      gw.outage.down = false;
    }
  });

  it('an unexpected failure: 500, masked, no stack trace, the correlation ID in the body and the log', async () => {
    gw.outage.bug = true;
    try {
      const headers = { authorization: `Bearer ${token}`, 'x-correlation-id': 'fast-path-bug-1' };
      const { fast, express } = await both(gw, QUERY, headers);
      expect(fast.status).toBe(500);
      expect(errorsOf(fast)).toEqual([
        { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId: 'fast-path-bug-1' } },
      ]);
      expect(fast.text).not.toMatch(/TypeError|\bat /);
      expectSameAnswer(fast, express, ['x-correlation-id']);
      expect(gw.log.lines.filter((l) => l.level === 'error' && l.message.includes('fast-path-bug-1'))).toHaveLength(2);
    } finally {
      gw.outage.bug = false;
    }
  });

  it('the correlation ID: an incoming valid one is echoed, else a UUID is made', async () => {
    const echoed = await both(gw, QUERY, { authorization: `Bearer ${token}`, 'x-correlation-id': 'fast-path-42' });
    expect(echoed.fast.headers['x-correlation-id']).toBe('fast-path-42');
    expectSameAnswer(echoed.fast, echoed.express, ['x-correlation-id']);
    const ms = await both(gw, QUERY, { authorization: `Bearer ${token}`, 'ms-correlationid': 'ms-43' });
    expect(ms.fast.headers['x-correlation-id']).toBe('ms-43');
    expect(ms.express.headers['x-correlation-id']).toBe('ms-43');
    const made = await both(gw, QUERY, { authorization: `Bearer ${token}`, 'x-correlation-id': 'not valid!' });
    expect(made.fast.headers['x-correlation-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('CORS: an allowed origin gets its headers, another origin none, both varying by Origin', async () => {
    const allowed = await both(gw, QUERY, { authorization: `Bearer ${token}`, origin: 'http://localhost:5173' });
    expect(allowed.fast.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(allowed.fast.headers['access-control-expose-headers']).toBe('X-Correlation-Id, Retry-After, X-Idempotent-Replay');
    expectSameAnswer(allowed.fast, allowed.express);
    const other = await both(gw, QUERY, { authorization: `Bearer ${token}`, origin: 'https://evil.example' });
    expect(other.fast.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.fast.headers.vary).toBe('Origin');
    expectSameAnswer(other.fast, other.express);
  });

  it('the points budget: one for both stacks, and both answer 429 RATE_LIMITED with Retry-After once it is spent', async () => {
    const limited = await start({ RATE_LIMIT_PER_MINUTE: '6' }); // QUERY costs 3 points
    // A partner no other test here calls: budgets live in the file's one database, across its gateways.
    const tailspin = await mintToken({ secret: loadConfig({}).authSecret, partnerId: DEMO_PARTNERS.tailspin.id, userId: 'u', roles: [] });
    const headers = { authorization: `Bearer ${tailspin}` };
    const spent = await both(limited, QUERY, headers);
    expect([spent.fast.status, spent.express.status]).toEqual([200, 200]);
    expect([spent.fast.headers['x-ratelimit-remaining'], spent.express.headers['x-ratelimit-remaining']]).toEqual(['3', '0']);
    const { fast, express } = await both(limited, QUERY, headers);
    // Retry-After counts down to the same instant for both, so it may differ by the second they straddle.
    for (const answer of [fast, express]) {
      expect(answer.status).toBe(429);
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(55);
      expect(errorsOf(answer)[0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'points', cost: 3, maximum: 6 });
    }
  });
});

describe('what the fast path leaves to Express', () => {
  it.each<[string, string, string, Record<string, string>]>([
    ['a GET', 'GET', '/graphql?query=%7B__typename%7D', {}],
    ['a preflight', 'OPTIONS', '/graphql', { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' }],
    ['a path other than /graphql', 'POST', '/graphql/', { 'content-type': 'application/json' }],
    ['another case of the path', 'POST', '/GraphQL', { 'content-type': 'application/json' }],
    ['a query string', 'POST', '/graphql?x=1', { 'content-type': 'application/json' }],
    ['text/plain', 'POST', '/graphql', { 'content-type': 'text/plain' }],
    ['application/graphql-response+json', 'POST', '/graphql', { 'content-type': 'application/graphql-response+json' }],
    ['a charset written without a space', 'POST', '/graphql', { 'content-type': 'application/json;charset=utf-8' }],
    ['another charset', 'POST', '/graphql', { 'content-type': 'application/json; charset=utf-16' }],
    ['gzip', 'POST', '/graphql', { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
  ])('%s', async (_name, method, path, headers) => {
    const answer = await request({ gw, path, body: method === 'GET' || method === 'OPTIONS' ? '' : QUERY, headers, method });
    expect(answer.fast).toBe(false);
    expect(answer.headers['x-correlation-id']).toBeTypeOf('string');
  });

  it('a chunked body without Content-Length', async () => {
    const before = gw.gateway.fastPathRequests();
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: gw.url.hostname,
          port: gw.url.port,
          path: '/graphql',
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.write(QUERY.slice(0, 10));
      req.end(QUERY.slice(10));
    });
    expect(status).toBe(200);
    expect(gw.gateway.fastPathRequests()).toBe(before);
  });
});

describe('an upload that stops short', () => {
  it('costs the gateway nothing: no error logged, the next request served', async () => {
    const errorsBefore = gw.log.lines.filter((l) => l.level === 'error').length;
    const before = gw.gateway.fastPathRequests();
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(gw.url.port), gw.url.hostname, () => {
        socket.write(
          `POST /graphql HTTP/1.1\r\nHost: gateway.test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n` +
            `Authorization: Bearer ${token}\r\n\r\n{"query":`,
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 100);
      });
      socket.on('error', reject);
    });
    expect(gw.gateway.fastPathRequests()).toBe(before + 1);
    const next = await both(gw, QUERY, { authorization: `Bearer ${token}` });
    expect(next.fast.status).toBe(200);
    expect(gw.log.lines.filter((l) => l.level === 'error')).toHaveLength(errorsBefore);
  });
});
