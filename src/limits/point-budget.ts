import type { Collection } from 'mongodb';

/** The window a budget is counted over: a sliding minute. */
export const BUDGET_WINDOW_MS = 60_000;

/** Leases a partner's budget is cut into per window (fewer when the budget has fewer points). */
export const LEASES_PER_WINDOW = 20;

/**
 * One lease of a partner's points, claimed by one gateway instance: the `n`th since the partner's
 * first, at `at` (wall clock). `_id` is `${partnerId}:${n}`, so two instances cannot claim the
 * same `n` (a unique insert: FerretDB's conditional updates lose races, its inserts do not).
 */
export interface PointLeaseDoc {
  _id: string;
  partnerId: string;
  n: number;
  at: Date;
}

/** The collection the leases live in, shared by every instance on the database. */
export const POINT_LEASES_COLLECTION = 'pointLeases';

export type Charge =
  | { allowed: true; cost: number; limit: number; remaining: number; resetSeconds: number }
  | { allowed: false; cost: number; limit: number; remaining: number; resetSeconds: number; retryAfterSeconds: number };

interface PartnerState {
  /** Points leased by this instance and not yet spent. */
  balance: number;
  /** Wall-clock times of the partner's leases in the current window, as last seen (newest first). */
  recent: number[];
  /** No lease can be claimed before this instant (the window is full); 0 when unknown. */
  blockedUntil: number;
  /** The claim in progress, shared by this instance's concurrent requests of the partner. */
  claiming?: Promise<void>;
}

/**
 * Per-partner points per minute (RATE_LIMIT_PER_MINUTE), for the whole deployment: a request
 * spends points equal to its cost (src/limits/admission.ts), and the budget is cut into
 * LEASES_PER_WINDOW leases. An instance claims a lease from the database when its balance runs
 * short, then spends it from memory; so the hot path is a subtraction, and the database sees one
 * insert per lease, not one per request.
 *
 * The bound: lease `n` may be claimed only once lease `n - LEASES_PER_WINDOW` is a window old,
 * and each `n` is claimed once (unique `_id`); so in any sliding minute at most
 * LEASES_PER_WINDOW leases are claimed, whatever the number of instances. What an instance holds
 * unspent when the window moves on is less than one lease, so in any minute a partner spends at
 * most `limit * (1 + instances / LEASES_PER_WINDOW)` points: 1.1x with two instances.
 *
 * `remaining` and `resetSeconds` are this instance's view: exact with one instance, an upper
 * bound with several (it learns of other instances' leases when it claims its next).
 */
export class PointBudget {
  readonly leasePoints: number;
  private readonly leasesPerWindow: number;
  private readonly partners = new Map<string, PartnerState>();
  private indexed: Promise<unknown> | undefined;

  constructor(
    private readonly leases: Collection<PointLeaseDoc>,
    readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {
    this.leasesPerWindow = Math.min(LEASES_PER_WINDOW, limit);
    this.leasePoints = Math.floor(limit / this.leasesPerWindow);
  }

  /**
   * Spends `points` (at least 1; at most the whole budget, so that no request is refused for ever)
   * of `partnerId`'s budget, or refuses with how long until there are enough.
   */
  async charge(partnerId: string, points: number, options: { bound?: <T>(claim: () => Promise<T>) => Promise<T> } = {}): Promise<Charge> {
    const bound = options.bound ?? ((claim) => claim());
    // What a window's leases hold (the limit, rounded down to whole leases) is the most one request can be charged.
    const cost = Math.min(Math.max(1, Math.ceil(points)), this.leasePoints * this.leasesPerWindow);
    const state = this.state(partnerId);
    while (state.balance < cost) {
      const now = this.now();
      if (state.blockedUntil > now) {
        const retryAfterSeconds = Math.max(1, Math.ceil((state.blockedUntil - now) / 1000));
        return { allowed: false, cost, ...this.view(state, now), retryAfterSeconds };
      }
      await (state.claiming ??= bound(() => this.claim(partnerId, state)).finally(() => (state.claiming = undefined)));
    }
    state.balance -= cost;
    return { allowed: true, cost, ...this.view(state, this.now()) };
  }

  /** Forgets what this instance holds (tests: a fresh budget without a fresh process). */
  reset(): void {
    this.partners.clear();
  }

  private state(partnerId: string): PartnerState {
    let state = this.partners.get(partnerId);
    if (!state) this.partners.set(partnerId, (state = { balance: 0, recent: [], blockedUntil: 0 }));
    return state;
  }

  private view(state: PartnerState, now: number): { limit: number; remaining: number; resetSeconds: number } {
    const open = state.recent.filter((at) => at > now - BUDGET_WINDOW_MS);
    const remaining = state.balance + (this.leasesPerWindow - open.length) * this.leasePoints;
    const resetSeconds = open.length === 0 ? 0 : Math.max(0, Math.ceil((open[0]! + BUDGET_WINDOW_MS - now) / 1000));
    return { limit: this.limit, remaining: Math.max(0, remaining), resetSeconds };
  }

  /**
   * One attempt at the partner's next lease: read the newest LEASES_PER_WINDOW, then insert the
   * next `n` if the one a window's worth back is old enough. Losing the insert to another
   * instance claims nothing; the caller's loop reads again.
   */
  private async claim(partnerId: string, state: PartnerState): Promise<void> {
    // Not awaited: the index speeds the read below up, the unique `_id` alone makes a claim safe;
    // a request never waits on it (with the database gone it would wait the driver's timeout once more).
    this.indexed ??= this.leases.createIndex({ partnerId: 1, n: -1 }).catch(() => undefined);
    const newest = await this.leases.find({ partnerId }).sort({ n: -1 }).limit(this.leasesPerWindow).toArray();
    const now = this.now();
    state.recent = newest.map((lease) => lease.at.getTime()).filter((at) => at > now - BUDGET_WINDOW_MS);
    const windowBack = newest.length === this.leasesPerWindow ? newest[newest.length - 1]! : null;
    if (windowBack && windowBack.at.getTime() > now - BUDGET_WINDOW_MS) {
      state.blockedUntil = windowBack.at.getTime() + BUDGET_WINDOW_MS;
      return;
    }
    const n = (newest[0]?.n ?? 0) + 1;
    try {
      await this.leases.insertOne({ _id: `${partnerId}:${n}`, partnerId, n, at: new Date(now) });
    } catch (error) {
      if ((error as { code?: unknown }).code === 11000) return;
      throw error;
    }
    state.balance += this.leasePoints;
    state.recent.unshift(now);
    // Leases two windows back can no longer decide a claim; dropped now and then, by whoever claims.
    if (n % this.leasesPerWindow === 0) {
      void this.leases.deleteMany({ partnerId, n: { $lte: n - 2 * this.leasesPerWindow } }).catch(() => undefined);
    }
  }
}
