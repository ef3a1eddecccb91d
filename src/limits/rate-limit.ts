import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { sendJson } from '../shared/http-json.js';

/**
 * Token buckets per key, in this process's memory: the flood guard that runs before
 * authentication (RATE_LIMIT_FAILED_AUTH_PER_MINUTE). `check` does not spend; `spend` does, so a
 * bucket can be charged after the fact, once the request's outcome is known.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    perMinute: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
    /** Above this many keys, full buckets (the same as no bucket) are dropped, bounding memory. */
    private readonly maxKeys = 10_000,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Whether `key` has a token left; when not, how many seconds until it has. */
  check(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const bucket = this.refilled(key, this.now());
    if (bucket.tokens >= 1) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  /** Spends one of `key`'s tokens (down to zero, never below). */
  spend(key: string): void {
    const now = this.now();
    const bucket = this.refilled(key, now);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    if (!this.buckets.has(key)) {
      if (this.buckets.size >= this.maxKeys) this.sweep(now);
      this.buckets.set(key, bucket);
    }
  }

  private refilled(key: string, now: number): { tokens: number; at: number } {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    return bucket;
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.burst) this.buckets.delete(key);
    }
  }
}

/** The address a request came from: the flood guard's key, never a header the client writes. */
export function remoteAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * The flood guard before authentication (RATE_LIMIT_FAILED_AUTH_PER_MINUTE per client address,
 * default 600): an address whose requests failed authentication that often within a minute is
 * refused with 429 before its body is read or its credentials are checked. Authenticated
 * requests spend nothing here: their budget is their partner's points (src/limits/point-budget.ts),
 * keyed by the verified identity, so neither respelling the Authorization header nor sharing an
 * address (a NAT, a proxy) changes whose budget a request spends.
 */
export interface RateLimit {
  /** False when it answered 429 (Retry-After, coded body): the address failed authentication too often. */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  /** `admit` as Express middleware. */
  middleware: RequestHandler;
  /** Records that a request from `address` failed authentication. */
  failedAuthentication(address: string): void;
}

export function createRateLimit(options: { failedAuthPerMinute: number; now?: () => number }): RateLimit {
  const perMinute = options.failedAuthPerMinute;
  const buckets = new TokenBuckets(perMinute, perMinute, options.now);
  const admit = (req: IncomingMessage, res: ServerResponse): boolean => {
    const outcome = buckets.check(remoteAddress(req));
    if (outcome.allowed) return true;
    res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
    sendJson(res, 429, {
      errors: [
        {
          message: `Requests that fail authentication must stay within ${perMinute} per minute per client address, but this address sent more; retry after ${outcome.retryAfterSeconds} s`,
          extensions: { code: 'RATE_LIMITED', limit: 'failedAuthentication', retryAfterSeconds: outcome.retryAfterSeconds },
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
    failedAuthentication: (address) => buckets.spend(address),
  };
}
