import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/** The header every response carries; the incoming `X-Correlation-Id` or `MS-CorrelationId` is reused when valid. */
export const CORRELATION_HEADER = 'X-Correlation-Id';
const VALID = /^[A-Za-z0-9._:-]{1,128}$/;

const storage = new AsyncLocalStorage<string>();

/**
 * The current request's correlation ID, or undefined outside a request. Only for the error
 * formatter's log line and masked error (Apollo's formatError gets no context); everything else
 * reads it from the request context or is handed it.
 */
export function currentCorrelationId(): string | undefined {
  return storage.getStore();
}

/** A valid incoming `X-Correlation-Id` or `MS-CorrelationId`, read with `header`. */
export function incomingCorrelationId(header: (name: string) => string | string[] | null | undefined): string | undefined {
  return [header('x-correlation-id'), header('ms-correlationid')].find((v): v is string => typeof v === 'string' && VALID.test(v));
}

/**
 * Picks the request's correlation ID, sets the response header, and runs `rest` (the rest of the
 * request) with it current. On plain node:http, for the Express stack and the GraphQL fast path alike.
 */
export function runWithCorrelationId<T>(req: IncomingMessage, res: ServerResponse, rest: (id: string) => T): T {
  const id = incomingCorrelationId((name) => req.headers[name]) ?? randomUUID();
  res.setHeader(CORRELATION_HEADER, id);
  return storage.run(id, rest, id);
}

/** Express middleware: runWithCorrelationId, with the ID also in `res.locals.correlationId`. */
export function correlationIds(): RequestHandler {
  return (req, res, next) =>
    runWithCorrelationId(req, res, (id) => {
      res.locals.correlationId = id;
      next();
    });
}
