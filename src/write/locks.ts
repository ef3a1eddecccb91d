/**
 * Lease locks, one document per key in `locks`: `customer:<id>` serialises the writers of one
 * customer, `partner:<id>` the partner-wide operations, `clock:<partnerId>` a clock advance, across
 * every gateway instance. A lease expires by wall time (infrastructure, not simulation time), so
 * a holder that died releases its lock by itself. A live holder keeps its lock past its lease by
 * renewing it while it works (`keepAlive`, a heartbeat every leaseMs/3), so leases are short (a dead
 * holder is replaced within seconds) and work is not bounded by them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Collection } from 'mongodb';
import type { LockDoc } from '../db/documents.js';
import { isDuplicateKey } from './mongo-errors.js';

export interface LeaseOptions {
  /** How long the lease lasts from now, in milliseconds. */
  leaseMs: number;
  /** How long to keep trying while a live holder has the key; 0 tries once. */
  waitMs: number;
}

export interface Lease {
  key: string;
  holder: string;
  expiresAt: Date;
  /** The key was held by a holder whose lease had expired (it died or overran), now replaced. */
  takenOver: boolean;
}

export function customerLockKey(customerId: string): string {
  return `customer:${customerId}`;
}

export function partnerLockKey(partnerId: string): string {
  return `partner:${partnerId}`;
}

export function clockLockKey(partnerId: string): string {
  return `clock:${partnerId}`;
}

/** The lock an operation of this partner and customer (null: partner-wide) runs under. */
export function operationLockKey(partnerId: string, customerId: string | null): string {
  return customerId === null ? partnerLockKey(partnerId) : customerLockKey(customerId);
}

/**
 * Takes `key` for `holder`, or returns null when a live holder keeps it for longer than `waitMs`.
 * Holders must be unique per acquisition: the lock is not re-entrant.
 */
export async function acquire(locks: Collection<LockDoc>, key: string, holder: string, options: LeaseOptions): Promise<Lease | null> {
  const deadline = Date.now() + options.waitMs;
  for (let attempt = 0; ; attempt++) {
    const now = Date.now();
    const expiresAt = new Date(now + options.leaseMs);
    try {
      await locks.insertOne({ _id: key, holder, expiresAt });
      return { key, holder, expiresAt, takenOver: false };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const expired = await locks.findOneAndUpdate({ _id: key, expiresAt: { $lt: new Date(now) } }, { $set: { holder, expiresAt } });
    if (expired) return { key, holder, expiresAt, takenOver: true };
    const left = deadline - Date.now();
    if (left <= 0) return null;
    // Jittered, growing from ~10 ms to ~100 ms, so waiting writers do not retry in lock step.
    const backoff = Math.min(100, 10 * 2 ** Math.min(attempt, 4));
    await sleep(Math.min(left, backoff / 2 + Math.random() * backoff));
  }
}

/** Gives `key` up if `holder` still has it; returns whether it did (false: the lease was taken over). */
export async function release(locks: Collection<LockDoc>, key: string, holder: string): Promise<boolean> {
  const result = await locks.deleteOne({ _id: key, holder });
  return result.deletedCount === 1;
}

/** Thrown by `Heartbeat.assertHeld` when the lease expired and another holder took the key over. */
export class LeaseLostError extends Error {
  constructor(readonly key: string) {
    super(`the lease of ${key} expired and was taken over`);
    this.name = 'LeaseLostError';
  }
}

/** A holder's renewal of its leases while it works (`keepAlive`). */
export interface Heartbeat {
  /** True once a renewal found a key no longer held by this holder: the work must stop. */
  readonly lost: boolean;
  /** Throws LeaseLostError when a renewal found the lease taken over; called before each step of the work. */
  assertHeld(): void;
  /** Stops renewing (before release); waits for a renewal in flight, so none lands after it. */
  stop(): Promise<void>;
}

/**
 * Renews `holder`'s leases on `keys` every leaseMs/3 until stopped: each renewal sets
 * `expiresAt` to now + leaseMs with one update filtered by `{ _id, holder }` (FerretDB has no
 * transactions; the filter is the condition), so a lease already taken over is never extended.
 * A renewal that matches fewer keys marks the heartbeat lost; one that fails (database away) is
 * retried at the next beat, and the lease may expire meanwhile, as it would for a dead holder.
 */
export function keepAlive(locks: Collection<LockDoc>, keys: readonly string[], holder: string, leaseMs: number): Heartbeat {
  let lost: string | null = null;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const beat = async () => {
    const expiresAt = new Date(Date.now() + leaseMs);
    try {
      const filter = keys.length === 1 ? { _id: keys[0]!, holder } : { _id: { $in: [...keys] }, holder };
      const result = await locks.updateMany(filter, { $set: { expiresAt } });
      if (result.matchedCount < keys.length && !stopped) lost ??= keys.join(', ');
    } catch {
      // The next beat tries again; until then the lease runs on its last renewal.
    }
  };
  const schedule = () => {
    timer = setTimeout(
      () => {
        inFlight = beat().then(() => {
          if (!stopped && lost === null) schedule();
        });
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    timer.unref();
  };
  if (keys.length > 0) schedule();
  return {
    get lost() {
      return lost !== null;
    },
    assertHeld() {
      if (lost !== null) throw new LeaseLostError(lost);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
