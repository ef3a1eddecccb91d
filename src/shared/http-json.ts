import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from './errors.js';
import type { Logger } from './logger.js';

/*
 * Answers written on plain node:http exactly as Express 5 writes them (res.send, res.json,
 * res.vary), so that the GraphQL fast path (src/app/graphql-http.ts) and the Express stack, which share
 * the CORS, rate-limit and error answers, send the same bytes: status, Content-Type with its
 * charset, Content-Length, Express's default weak ETag (which has no effect on the POST answers
 * and error statuses it is written for, but was always there), and no body for HEAD.
 */

/** Express's default `etag` setting ('weak'): W/"<length in hex>-<base64 SHA-1, 27 characters>". */
function weakEtag(body: Buffer): string {
  if (body.length === 0) return 'W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"';
  return `W/"${body.length.toString(16)}-${createHash('sha1').update(body).digest('base64').slice(0, 27)}"`;
}

/** Express's res.send(string): the Content-Type already set (with charset=utf-8 added), else HTML. */
export function sendText(res: ServerResponse, text: string): void {
  const type = res.getHeader('content-type');
  res.setHeader(
    'Content-Type',
    typeof type !== 'string' ? 'text/html; charset=utf-8' : /;\s*charset=/i.test(type) ? type : `${type}; charset=utf-8`,
  );
  const body = Buffer.from(text, 'utf8');
  if (res.getHeader('transfer-encoding') === undefined) res.setHeader('Content-Length', body.length);
  res.setHeader('ETag', weakEtag(body));
  if (res.req.method === 'HEAD') res.end();
  else res.end(body);
}

/** Express's res.status(status).json(value). */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.statusCode = status;
  if (res.getHeader('content-type') === undefined) res.setHeader('Content-Type', 'application/json');
  sendText(res, JSON.stringify(value));
}

/** Express's res.vary(field): adds `field` to Vary unless it (or `*`) is there already. */
export function appendVary(res: ServerResponse, field: string): void {
  const current = res.getHeader('vary');
  const header = Array.isArray(current) ? current.join(', ') : current === undefined ? '' : String(current);
  const fields = header
    .split(',')
    .map((f) => f.trim().toLowerCase())
    .filter(Boolean);
  if (fields.includes('*') || fields.includes(field.toLowerCase())) return;
  res.setHeader('Vary', header ? `${header}, ${field}` : field);
}

/**
 * The coded JSON answer for an error raised outside GraphQL (a body that is not JSON, too large,
 * an aborted upload, a failure of the gateway's own HTTP code), on either stack:
 * - the database unreachable: 503, Retry-After, SERVICE_UNAVAILABLE;
 * - an HTTP 4xx error (body-parser's, with `status`): that status, BAD_REQUEST, its message
 *   (a JSON syntax error prefixed so the client knows what was expected);
 * - anything else: 500, INTERNAL_SERVER_ERROR with the correlation ID, logged; never a stack trace.
 */
export function sendRequestError(log: Logger, error: unknown, res: ServerResponse, correlationId: string | undefined): void {
  if (isDatabaseUnavailable(error)) {
    log.warn('http', `database unavailable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    sendJson(res, 503, {
      errors: [{ message: 'The database is unreachable; retry shortly', extensions: { code: 'SERVICE_UNAVAILABLE' } }],
    });
    return;
  }
  const e = error as { status?: unknown; type?: unknown; message?: unknown } | null | undefined;
  const status = typeof e?.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : 500;
  if (status === 500) log.error('http', `unexpected error outside GraphQL${correlationId ? ` (correlation ${correlationId})` : ''}`, error);
  const message =
    e?.type === 'entity.parse.failed'
      ? `Expected a JSON request body, but it does not parse: ${String(e.message).slice(0, 200)}`
      : status === 500
        ? 'Internal server error'
        : String(e?.message ?? 'Bad request');
  const extensions =
    status === 500 ? { code: 'INTERNAL_SERVER_ERROR', ...(correlationId ? { correlationId } : {}) } : { code: 'BAD_REQUEST' };
  sendJson(res, status, { errors: [{ message, extensions }] });
}
