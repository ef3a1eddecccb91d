import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/** The header every response carries; the incoming `X-Correlation-Id` or `MS-CorrelationId` is reused when valid. */
export const CORRELATION_HEADER = 'X-Correlation-Id';
const VALID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A valid incoming `X-Correlation-Id` or `MS-CorrelationId`, read with `header`. */
export function incomingCorrelationId(header: (name: string) => string | string[] | null | undefined): string | undefined {
  return [header('x-correlation-id'), header('ms-correlationid')].find((v): v is string => typeof v === 'string' && VALID.test(v));
}

/**
 * Picks the request's correlation ID and sets the response header; the caller hands the ID on
 * explicitly (to the request context, the error answers). On plain node:http, for the Express
 * stack and the GraphQL fast path alike.
 */
export function assignCorrelationId(req: IncomingMessage, res: ServerResponse): string {
  const id = incomingCorrelationId((name) => req.headers[name]) ?? randomUUID();
  res.setHeader(CORRELATION_HEADER, id);
  return id;
}

/** Express middleware: assignCorrelationId, the ID kept in `res.locals.correlationId`. */
export function correlationIds(): RequestHandler {
  return (req, res, next) => {
    res.locals.correlationId = assignCorrelationId(req, res);
    next();
  };
}
