import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { sendJson } from '../shared/http-json.js';

/**
 * Per-partner rate limit (RATE_LIMIT_PER_MINUTE, default 600, RATE_LIMIT_BURST, default 100):
 * a token bucket per caller, in this process's memory, so N gateway instances allow N times
 * the rate. Why: 8,299 requests in 10 s from one caller once slowed every other partner; the
 * real Partner Center allows on the order of 500 requests per minute per tenant.
 *
 * It runs before the body is parsed and before authentication, so a refused request costs a
 * hash and a map lookup. The caller is keyed, without verification (which is safe: a key only
 * decides whose budget a request spends), by a hash of the Authorization header when present,
 * else by X-Partner-Id, else by the remote address. A client that invents new credentials gets
 * a new bucket, but such requests are refused by authentication.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    perMinute: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
    /** Above this many callers, full buckets (the same as no bucket) are dropped, bounding memory. */
    private readonly maxKeys = 10_000,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Spends one token; when there is none, how many seconds until there is. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    if (!this.buckets.has(key)) {
      if (this.buckets.size >= this.maxKeys) this.sweep(now);
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.burst) this.buckets.delete(key);
    }
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

export function rateLimitKey(req: IncomingMessage): string {
  const authorization = header(req.headers.authorization);
  if (authorization) return `auth:${createHash('sha256').update(authorization).digest('base64url')}`;
  const partner = header(req.headers['x-partner-id']);
  if (partner) return `partner:${partner.toLowerCase().slice(0, 100)}`;
  return `ip:${req.socket.remoteAddress ?? 'unknown'}`;
}

/** One rate limit (one set of buckets), for both stacks: the GraphQL fast path and Express. */
export interface RateLimit {
  /** Spends the caller's token; when there is none, answers 429 with Retry-After and a coded body, and returns false. */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  /** `admit` as Express middleware. */
  middleware: RequestHandler;
}

/** Answers 429 with Retry-After and a coded GraphQL-shaped body, before Apollo runs. */
export function createRateLimit(options: { perMinute: number; burst: number; now?: () => number }): RateLimit {
  const buckets = new TokenBuckets(options.perMinute, options.burst, options.now);
  const admit = (req: IncomingMessage, res: ServerResponse): boolean => {
    const outcome = buckets.take(rateLimitKey(req));
    if (outcome.allowed) return true;
    res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
    sendJson(res, 429, {
      errors: [
        {
          message: `Requests must stay within ${options.perMinute} per minute (bursts of ${options.burst}) per partner, but this partner sent more; retry after ${outcome.retryAfterSeconds} s`,
          extensions: { code: 'RATE_LIMITED', retryAfterSeconds: outcome.retryAfterSeconds },
        },
      ],
    });
    return false;
  };
  return {
    admit,
    middleware: (req, res, next) => {
      if (admit(req, res)) next();
    },
  };
}
