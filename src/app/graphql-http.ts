import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import { timeoutBody, type Deadline } from '../limits/timeout.js';
import { RETRY_AFTER_SECONDS } from '../shared/errors.js';
import { assignCorrelationId } from '../shared/correlation.js';
import { sendJson, sendRequestError, sendText } from '../shared/http-json.js';
import type { Logger } from '../shared/logger.js';
import { remoteAddress } from '../limits/rate-limit.js';

/*
 * The GraphQL fast path: plain GraphQL POSTs served straight from node:http, without Express.
 *
 * Why: in a CPU profile of a trivial query (`{ viewer { partner { name } } }`, POST, JSON, bearer
 * token), Express's layers (router, body-parser, raw-body, type-is, negotiator and
 * @as-integrations/express5) took about 14 % of the gateway's CPU, for requests where none of
 * their choices is needed: the route, the body parser and the answer are known from the headers.
 *
 * Contract: it takes only requests that are certainly plain (isPlainGraphQLPost), and for them
 * runs the steps of the Express stack on /graphql, in its order and with the same answers:
 * correlation ID, CORS, flood guard, the body read and parsed as express.json({ limit }) would
 * (strict: an object or array; an empty body is `{}`), Apollo's executeHTTPGraphQLRequest with
 * the gateway's context function raced against the request's deadline (executeWithinDeadline,
 * as on the Express stack), and the answer written as res.send writes it. Every other request
 * (GET, OPTIONS, other paths or content types, compressed or chunked bodies, browser navigation)
 * goes to the Express stack, unchanged; so does everything outside /graphql. A declared body
 * over the limit reaches neither: refuseDeclaredTooLarge answers it first.
 */

/** The largest JSON body either stack reads (express.json's '1mb'); larger ones get 413. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/**
 * Refuses a request whose declared Content-Length exceeds MAX_JSON_BODY_BYTES: 413, coded as
 * body-parser's own refusal, written before any of the body is read, and the connection closed
 * after it (the rest of the body is never read). True when it answered.
 */
export function refuseDeclaredTooLarge(req: IncomingMessage, res: ServerResponse, log: Logger): boolean {
  const length = req.headers['content-length'];
  if (length === undefined || !/^\d+$/.test(length) || Number(length) <= MAX_JSON_BODY_BYTES) return false;
  const id = assignCorrelationId(req, res);
  res.shouldKeepAlive = false;
  res.setHeader('Connection', 'close');
  sendRequestError(log, httpError(413, 'request entity too large', 'entity.too.large'), res, id);
  return true;
}

const PLAIN_JSON = /^application\/json(?:; charset=utf-8)?$/i;

/**
 * POST to exactly `/graphql` (no query string), `Content-Type: application/json` with at most
 * `; charset=utf-8`, no content coding, no transfer coding, and a Content-Length within
 * MAX_JSON_BODY_BYTES: a request whose every step is known before its body is read.
 */
export function isPlainGraphQLPost(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || req.url !== '/graphql') return false;
  const { headers } = req;
  const type = headers['content-type'];
  if (type === undefined || !PLAIN_JSON.test(type)) return false;
  const coding = headers['content-encoding'];
  if ((coding !== undefined && coding.toLowerCase() !== 'identity') || headers['transfer-encoding'] !== undefined) return false;
  const length = headers['content-length'];
  return length !== undefined && /^\d{1,7}$/.test(length) && Number(length) <= MAX_JSON_BODY_BYTES;
}

export interface GraphQLFastPathOptions<C extends BaseContext> {
  apollo: ApolloServer<C>;
  /** The gateway's context function, the one the Express stack uses (with the client's address, for the flood guard). */
  context: (headers: IncomingHttpHeaders, correlationId: string, deadline: Deadline, address: string) => Promise<C>;
  /** A new request's deadlines (LIMIT_TIMEOUT_MS, DB_TIMEOUT_MS), counted from now. */
  deadline: () => Deadline;
  /** CORS (corsPolicy): false when it answered the request. */
  cors: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** The flood guard (RateLimit.admit) shared with the Express stack: false when it answered 429. */
  rateLimit: (req: IncomingMessage, res: ServerResponse) => boolean;
  log: Logger;
}

export interface GraphQLFastPath {
  /** Serves the request and returns true when it is plain (isPlainGraphQLPost); else returns false, having touched nothing. */
  take(req: IncomingMessage, res: ServerResponse): boolean;
  /** How many requests it has taken since the gateway started. */
  readonly requests: number;
}

export function graphqlFastPath<C extends BaseContext>(options: GraphQLFastPathOptions<C>): GraphQLFastPath {
  const { apollo, context, cors, rateLimit, log } = options;
  let requests = 0;

  const serve = async (req: IncomingMessage, res: ServerResponse, correlationId: string, deadline: Deadline): Promise<void> => {
    const body = parseJsonBody(await readBody(req, Number(req.headers['content-length'])));
    const response = await executeWithinDeadline({
      apollo,
      request: { method: 'POST', headers: headerMap(req.headers), search: '', body },
      context: () => context(req.headers, correlationId, deadline, remoteAddress(req)),
      deadline,
      res,
      log,
    });
    if (response === null) return;
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status || 200;
    if (response.body.kind === 'complete') return sendText(res, response.body.string);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  return {
    get requests() {
      return requests;
    },
    take(req, res) {
      if (!isPlainGraphQLPost(req)) return false;
      requests += 1;
      const deadline = options.deadline();
      const id = assignCorrelationId(req, res);
      if (!cors(req, res) || !rateLimit(req, res)) return true;
      serve(req, res, id, deadline).catch((error: unknown) => {
        if (!res.headersSent) return sendRequestError(log, error, res, id);
        // What Express does when an answer fails half-written: log it, drop the connection.
        log.error('http', `unexpected error outside GraphQL (correlation ${id})`, error);
        res.destroy();
      });
      return true;
    },
  };
}

/** Request headers as Apollo takes them (repeated ones joined), as the Express integration builds them. */
export function headerMap(incoming: IncomingHttpHeaders): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(incoming)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/**
 * Apollo's answer to one request, raced against its execution deadline (src/limits/timeout.ts):
 * at the deadline, unless a mutation runs (exempt: it is waited for), `res` is answered 503
 * TIMEOUT with Retry-After at once and null returned; Apollo's answer, when it comes, is dropped
 * (its failure logged, never unhandled). Either stack writes a non-null answer itself.
 */
export async function executeWithinDeadline<C extends BaseContext>(options: {
  apollo: ApolloServer<C>;
  request: HTTPGraphQLRequest;
  context: () => Promise<C>;
  deadline: Deadline;
  res: ServerResponse;
  log: Logger;
}): Promise<HTTPGraphQLResponse | null> {
  const { apollo, request, context, deadline, res, log } = options;
  const execution = apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: request, context });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), Math.max(0, deadline.remainingMs()));
  });
  try {
    const first = await Promise.race([execution, expired]);
    const answer = first !== 'expired' || !deadline.cutOff() ? await execution : null;
    // Cut off in a step Apollo answers by itself (authentication): the same one TIMEOUT answer.
    if (answer !== null && !deadline.timedOut) return answer;
  } finally {
    clearTimeout(timer);
  }
  execution.catch((error: unknown) => log.error('http', 'a request answered TIMEOUT failed after its answer', error));
  if (!res.headersSent) {
    res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    sendJson(res, 503, timeoutBody(deadline.timeoutMs));
  }
  return null;
}

/** An error as body-parser (http-errors) makes it: sendRequestError reads `status`, `type` and the message. */
function httpError(status: number, message: string, type: string): Error {
  return Object.assign(new Error(message), { status, type });
}

/** The body, exactly `declared` bytes long; raw-body's errors for an aborted or short upload. */
function readBody(req: IncomingMessage, declared: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (received !== declared) reject(httpError(400, 'request size did not match content length', 'request.size.invalid'));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    });
    req.on('aborted', () => reject(httpError(400, 'request aborted', 'request.aborted')));
    req.on('error', reject);
  });
}

const FIRST_NON_WHITESPACE = /^[ \t\n\r]*([^ \t\n\r]|$)/;

/**
 * express.json()'s parse (body-parser 2, strict): UTF-8 with a leading BOM dropped, an empty body
 * as `{}`, anything but an object or array refused with the SyntaxError body-parser makes (its
 * message is what the client reads after "Expected a JSON request body, but it does not parse").
 */
export function parseJsonBody(raw: Buffer): unknown {
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  if (text[0] !== '{' && text[0] !== '[') {
    const first = FIRST_NON_WHITESPACE.exec(text)?.[1] || undefined;
    if (first !== '{' && first !== '[') throw strictViolation(text, first);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw httpError(400, (error as Error).message, 'entity.parse.failed');
  }
}

/** body-parser's message for a top level that is no object or array: JSON.parse's own, as if that character were the error. */
function strictViolation(text: string, first: string | undefined): Error {
  const index = first === undefined ? -1 : text.indexOf(first);
  const partial = index === -1 ? '' : text.slice(0, index) + '#'.repeat(text.length - index);
  try {
    JSON.parse(partial);
  } catch (error) {
    const message = (error as Error).message.replace(/#+/g, (run) => text.substring(index, index + run.length));
    return httpError(400, message, 'entity.parse.failed');
  }
  return httpError(400, 'strict violation', 'entity.parse.failed');
}
