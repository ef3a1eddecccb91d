// Browser front ends in a real browser: a page served from another localhost origin than the
// gateway's (a tiny HTTP server on its own port) calls /graphql from its own script, with fetch
// and with real client libraries (urql, Apollo Client, graphql-request, bundled for the page with
// esbuild), and CORS decides what the page may read. Debian's headless chromium, as in
// graphiql.test.ts.
//
// No request routing here: when playwright intercepts requests it answers CORS preflights itself,
// allowing everything, which would hide what the gateway answers. Requests leaving localhost are
// recorded from the page's events instead, and fail the test.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { mintToken } from '../../src/shared/tokens.js';
import { launchChromium, LOCAL_HOSTS } from '../support/browser.js';
import type { FetchAnswer, Outcome, probe, WireCall } from '../support/browser-page-client.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

declare const window: { probe: typeof probe };

const VIEWER = 'query Viewer { viewer { userId partner { name } } }';
const VIEWER_DATA = { viewer: { userId: 'browser-user', partner: { name: 'Contoso Cloud Services' } } };

interface PageServer {
  origin: string;
  close(): Promise<void>;
}

/** Bundles the page's script (test/support/browser-page-client.ts) for the browser. */
async function bundlePageScript(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(import.meta.dirname, '../support/browser-page-client.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** A static front end on its own loopback port: an HTML page and its script, nothing else. */
function startPageServer(script: string): Promise<PageServer> {
  const html =
    '<!doctype html><html><head><meta charset="utf-8"><title>front end</title><script src="/client.js"></script></head><body></body></html>';
  const server = http.createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    else if (req.url === '/client.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    else res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

let browser: Browser | undefined;
let context: BrowserContext | undefined;
/** Development defaults: any loopback origin may call it. */
let open: TestGateway | undefined;
/** CORS_ORIGINS set to `allowedPage`'s origin alone. */
let listed: TestGateway | undefined;
let allowedPage: PageServer | undefined;
let otherPage: PageServer | undefined;
let token: string;
const external: string[] = [];

beforeAll(async () => {
  // Chromium is launched here, not skipped when missing: its absence fails the run with the reason.
  const [script, b] = await Promise.all([bundlePageScript(), launchChromium()]);
  browser = b;
  [allowedPage, otherPage] = await Promise.all([startPageServer(script), startPageServer(script)]);
  [open, listed] = await Promise.all([startTestGateway(), startTestGateway(undefined, { env: { CORS_ORIGINS: allowedPage.origin } })]);
  token = await mintToken({
    secret: open.authSecret,
    partnerId: DEMO_PARTNERS.contoso.id,
    userId: 'browser-user',
    roles: ['global_admin', 'admin_agent'],
  });
  context = await browser.newContext();
  context.on('request', (req) => {
    const url = new URL(req.url());
    if (!LOCAL_HOSTS.has(url.hostname) && url.protocol !== 'data:') external.push(url.href);
  });
});

afterAll(async () => {
  await context?.close().catch(() => {});
  await Promise.allSettled([browser?.close(), open?.close(), listed?.close(), allowedPage?.close(), otherPage?.close()]);
});

/** Opens the front end served by `server`; its script is loaded when this resolves. */
async function frontEnd(server: PageServer): Promise<Page> {
  const page = await context!.newPage();
  const response = await page.goto(`${server.origin}/`);
  expect(response?.status()).toBe(200);
  await page.waitForFunction(() => typeof window.probe === 'object');
  return page;
}

type ProbeName = keyof typeof probe;
function call<T>(page: Page, name: ProbeName, ...args: unknown[]): Promise<Outcome<T>> {
  return page.evaluate(([n, a]) => (window.probe[n as ProbeName] as (...x: unknown[]) => Promise<unknown>)(...(a as unknown[])), [
    name,
    args,
  ] as const) as Promise<Outcome<T>>;
}

function value<T>(result: Outcome<T>): T {
  if (!result.ok) throw new Error(`the page's call failed: ${result.name}: ${result.message}`);
  return result.value;
}

describe('a front end on another localhost origin, development defaults', () => {
  it('reads a POST query with a bearer token, and the exposed correlation ID', async () => {
    const page = await frontEnd(otherPage!);
    expect(page.url()).not.toContain(new URL(open!.url).port);
    const answer = value(await call<FetchAnswer>(page, 'post', `${open!.url}/graphql`, token, VIEWER));
    expect(answer).toMatchObject({ status: 200, body: { data: VIEWER_DATA } });
    expect(answer.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    await page.close();
  });

  it('reads a GET query that carries only the bearer token (no Apollo-Require-Preflight)', async () => {
    const page = await frontEnd(otherPage!);
    const answer = value(await call<FetchAnswer>(page, 'get', `${open!.url}/graphql`, token, VIEWER));
    expect(answer).toMatchObject({ status: 200, body: { data: VIEWER_DATA } });
    await page.close();
  });

  it('reads the coded 401 of a request without a token', async () => {
    const page = await frontEnd(otherPage!);
    const answer = value(await call<FetchAnswer>(page, 'post', `${open!.url}/graphql`, null, VIEWER));
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    await page.close();
  });

  it('urql with automatic persisted queries: hash alone, not found, registered, then hash alone over GET', async () => {
    const page = await frontEnd(otherPage!);
    const { runs, calls } = value(await call<{ runs: unknown[]; calls: WireCall[] }>(page, 'urql', `${open!.url}/graphql`, token, VIEWER));
    expect(runs).toEqual([VIEWER_DATA, VIEWER_DATA]);
    // First run: hash-only GET (PERSISTED_QUERY_NOT_FOUND, HTTP 200), then the query with its hash.
    expect(calls[0]).toEqual({ method: 'GET', hashOnly: true, status: 200 });
    expect(calls[1]).toMatchObject({ hashOnly: false, status: 200 });
    // Second run: the hash alone, over GET, is enough.
    expect(calls.slice(2)).toEqual([{ method: 'GET', hashOnly: true, status: 200 }]);
    await page.close();
  });

  it('Apollo Client with its persisted query link, hashed queries over GET', async () => {
    const page = await frontEnd(otherPage!);
    const { runs, calls } = value(
      await call<{ runs: unknown[]; calls: WireCall[] }>(
        page,
        'apollo',
        `${open!.url}/graphql`,
        token,
        'query ApolloViewer { viewer { userId } }',
      ),
    );
    const data = { viewer: { __typename: 'Viewer', userId: 'browser-user' } };
    expect(runs).toEqual([data, data]);
    expect(calls[0]).toEqual({ method: 'GET', hashOnly: true, status: 200 });
    expect(calls[1]).toMatchObject({ hashOnly: false, status: 200 });
    expect(calls.slice(2)).toEqual([{ method: 'GET', hashOnly: true, status: 200 }]);
    await page.close();
  });

  it('graphql-request', async () => {
    const page = await frontEnd(otherPage!);
    expect(value(await call(page, 'graphqlRequest', `${open!.url}/graphql`, token, VIEWER))).toEqual(VIEWER_DATA);
    await page.close();
  });
});

describe('opening /graphql in the browser', () => {
  it('leads to the IDE instead of a CSRF error', async () => {
    const page = await context!.newPage();
    const response = await page.goto(`${open!.url}/graphql`);
    expect(new URL(page.url()).pathname).toBe('/graphiql');
    expect(response?.status()).toBe(200);
    expect(await page.locator('#graphiql-config').count()).toBe(1);
    await page.close();
  });
});

describe('CORS_ORIGINS set to one origin', () => {
  it('the listed origin reads POST and GET queries', async () => {
    const page = await frontEnd(allowedPage!);
    for (const method of ['post', 'get'] as const) {
      const answer = value(await call<FetchAnswer>(page, method, `${listed!.url}/graphql`, token, VIEWER));
      expect(answer, method).toMatchObject({ status: 200, body: { data: VIEWER_DATA } });
    }
    expect(value(await call(page, 'graphqlRequest', `${listed!.url}/graphql`, token, VIEWER))).toEqual(VIEWER_DATA);
    await page.close();
  });

  it('another localhost origin is blocked by the browser: fetch rejects with a TypeError', async () => {
    const page = await frontEnd(otherPage!);
    const endpoint = `${listed!.url}/graphql`;
    for (const method of ['post', 'get'] as const) {
      const result = await call<FetchAnswer>(page, method, endpoint, token, VIEWER);
      expect(result, method).toMatchObject({ ok: false, name: 'TypeError' });
    }
    // A request with no credentials and no preflight is sent, but its answer is kept from the page.
    expect(await call<FetchAnswer>(page, 'get', endpoint, null, VIEWER)).toMatchObject({ ok: false, name: 'TypeError' });
    expect(await call(page, 'urql', endpoint, token, VIEWER)).toMatchObject({ ok: false, name: 'TypeError' });
    expect(await call(page, 'graphqlRequest', endpoint, token, VIEWER)).toMatchObject({ ok: false });
    // The same page may still call a gateway that allows it (the development defaults).
    expect(value(await call<FetchAnswer>(page, 'post', `${open!.url}/graphql`, token, VIEWER)).status).toBe(200);
    await page.close();
  });

  it('no request left localhost', () => {
    expect(external).toEqual([]);
  });
});
