import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { CorsOrigins } from '../shared/config.js';
import { appendVary, sendJson } from '../shared/http-json.js';

export const CORS_ALLOWED_METHODS = ['GET', 'POST', 'OPTIONS'] as const;

/**
 * Request headers a browser client may send: the gateway's own (authentication, idempotency,
 * correlation), Apollo's CSRF-prevention headers, and what Apollo Client, urql and graphql-request
 * send by default or when configured (Content-Type for JSON, Accept, Apollo's client awareness).
 */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'X-Partner-Id',
  'X-Partner-Roles',
  'X-User-Id',
  'MS-RequestId',
  'MS-CorrelationId',
  'X-Correlation-Id',
  'Apollo-Require-Preflight',
  'X-Apollo-Operation-Name',
  'ApolloGraphQL-Client-Name',
  'ApolloGraphQL-Client-Version',
] as const;

/** Response headers a browser client may read besides the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = ['X-Correlation-Id', 'Retry-After', 'X-Idempotent-Replay'] as const;

/** How long a browser may cache a preflight answer (Chromium caps it at 7200). */
export const CORS_MAX_AGE_SECONDS = 600;

const LOOPBACK_ORIGIN = /^http:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/;

export function isAllowedOrigin(origins: CorsOrigins, origin: string): boolean {
  // `null` (sandboxed frames, file: pages, some redirects) is never allowed, nor is anything odd.
  if (origin === 'null' || origin.length > 300) return false;
  return origins.exact.includes(origin.toLowerCase()) || (origins.loopback && LOOPBACK_ORIGIN.test(origin));
}

/**
 * CORS for the GraphQL endpoint, ahead of everything else on it (rate limit, body parsing,
 * authentication, Apollo), so that its 401, 404 and 429 answers are readable by a browser client.
 *
 * - Every response varies by `Origin`.
 * - An allowed origin gets `Access-Control-Allow-Origin: <origin>` and the exposed headers; a
 *   preflight (`OPTIONS` with `Access-Control-Request-Method`) from it is answered here, 204, with
 *   the methods, headers and max-age, before the rate limit (a preflight spends no budget).
 * - A preflight from another origin is refused here: 403, coded JSON, no CORS headers (the browser
 *   never sends the request it asked about). An actual request from another origin is served, but
 *   without CORS headers, so the browser keeps the answer from the page. Refusing it server-side
 *   too would protect nothing: credentials are headers, never cookies (no
 *   `Access-Control-Allow-Credentials`), so such a request carries no ambient authority, and the
 *   simple requests a page can send without a preflight are refused by Apollo's CSRF prevention.
 *   It would also break same-origin callers whose origin is not listed (the IDE behind a proxy).
 * - Requests without `Origin` (servers, curl) pass untouched, and so does an `OPTIONS` that is no
 *   preflight (it meets Apollo's coded 405).
 *
 * On plain node:http (the Express stack and the GraphQL fast path share it): true when the
 * request goes on, false when it has been answered here (a preflight).
 */
export function corsPolicy(origins: CorsOrigins): (req: IncomingMessage, res: ServerResponse) => boolean {
  const methods = CORS_ALLOWED_METHODS.join(', ');
  const headers = CORS_ALLOWED_HEADERS.join(', ');
  const exposed = CORS_EXPOSED_HEADERS.join(', ');
  return (req, res) => {
    appendVary(res, 'Origin');
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    const allowed = isAllowedOrigin(origins, origin);
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!preflight) {
      if (allowed) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Access-Control-Expose-Headers', exposed);
      }
      return true;
    }
    if (!allowed) {
      sendJson(res, 403, {
        errors: [
          {
            message: `Origin ${JSON.stringify(origin.slice(0, 200))} may not call this gateway from a browser: CORS_ORIGINS lists the origins that may (docs/operations.md, "Configuration")`,
            extensions: { code: 'FORBIDDEN' },
          },
        ],
      });
      return false;
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Methods', methods);
    res.setHeader('Access-Control-Allow-Headers', headers);
    res.setHeader('Access-Control-Max-Age', String(CORS_MAX_AGE_SECONDS));
    res.statusCode = 204;
    res.end();
    return false;
  };
}

/** corsPolicy as Express middleware. */
export function cors(origins: CorsOrigins): RequestHandler {
  const policy = corsPolicy(origins);
  return (req, res, next) => {
    if (policy(req, res)) next();
  };
}
