import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';

/** Gives back a slot taken by PartnerSlots.acquire; calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
  timer: NodeJS.Timeout;
}

interface Slots {
  running: number;
  queue: Waiter[];
}

export interface PartnerSlotsOptions {
  /** FAIR_MAX_IN_FLIGHT: requests of one partner that run at once. */
  maxInFlight: number;
  /** FAIR_MAX_QUEUED: requests of one partner that wait for a slot; more are refused at once. */
  maxQueued: number;
  /** FAIR_QUEUE_MS: how long a request waits for a slot before it is refused. */
  queueMs: number;
}

/**
 * In-flight requests per partner (docs/security.md, "Fair share"): at most `maxInFlight` of one
 * partner's queries execute at once in this instance; the next `maxQueued` wait, first come
 * first served, up to `queueMs`; any more, or one that waited too long, is refused with 429
 * RATE_LIMITED and Retry-After. Why: the limits on one document bound one request, not how much
 * one partner runs at once; ten threads of a partner's heaviest accepted query once took another
 * partner's simple query from 10 ms to 18.6 s. Bounding each partner's share of the event loop
 * and of the database connection pool keeps room for the others.
 */
export class PartnerSlots {
  private readonly partners = new Map<string, Slots>();

  constructor(private readonly options: PartnerSlotsOptions) {}

  /** Resolves with a release once a slot is the partner's; rejects with RATE_LIMITED when none comes in time. */
  acquire(partnerId: string): Promise<Release> {
    let slots = this.partners.get(partnerId);
    if (!slots) this.partners.set(partnerId, (slots = { running: 0, queue: [] }));
    if (slots.running < this.options.maxInFlight) {
      slots.running += 1;
      return Promise.resolve(this.release(partnerId, slots));
    }
    if (slots.queue.length >= this.options.maxQueued) return Promise.reject(this.refusal());
    const queue = slots.queue;
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(waiter), 1);
          reject(this.refusal());
        }, this.options.queueMs),
      };
      queue.push(waiter);
    });
  }

  /** How many of `partnerId`'s requests run now (tests and the benchmark). */
  running(partnerId: string): number {
    return this.partners.get(partnerId)?.running ?? 0;
  }

  private release(partnerId: string, slots: Slots): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = slots.queue.shift();
      if (next) {
        clearTimeout(next.timer);
        next.grant(this.release(partnerId, slots));
        return;
      }
      slots.running -= 1;
      if (slots.running === 0) this.partners.delete(partnerId);
    };
  }

  private refusal(): GraphQLError {
    const { maxInFlight, maxQueued, queueMs } = this.options;
    return rateLimited(
      `A partner may run at most ${maxInFlight} requests at once (and queue ${maxQueued} for up to ${queueMs} ms), but this partner sent more; retry after 1 s`,
      { limit: 'inFlight', maximum: maxInFlight },
      1,
    );
  }
}

/** RATE_LIMITED, HTTP 429 with Retry-After, `retryAfterSeconds` and what else `extensions` says. */
export function rateLimited(message: string, extensions: Record<string, unknown>, retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: 'RATE_LIMITED',
      ...extensions,
      retryAfterSeconds,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
    },
  });
}

/**
 * At most `size` tasks at once, the rest in arrival order. No timeout: what it gates (database
 * commands) is bounded by the driver's own timeouts and by the request's deadline.
 */
export class Semaphore {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.size) this.running += 1;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }
}

/**
 * Concurrent database commands per partner (FAIR_MAX_DB_COMMANDS), across its requests in this
 * instance: each request's budgeted collections (src/limits/command-budget.ts) send through the
 * partner's semaphore, carried in the request context. Why: the read path sends a loader batch as
 * up to 16 concurrent reads on FerretDB on PostgreSQL, so a few heavy requests of one partner
 * filled the driver's pool and FerretDB's, and another partner's one read queued behind hundreds.
 * One semaphore per partner seen, kept for the life of the process (partners are few and known).
 */
export class PartnerGates {
  private readonly gates = new Map<string, Semaphore>();

  constructor(readonly size: number) {}

  for(partnerId: string): Semaphore {
    let gate = this.gates.get(partnerId);
    if (!gate) this.gates.set(partnerId, (gate = new Semaphore(this.size)));
    return gate;
  }
}
