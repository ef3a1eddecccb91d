/**
 * Every lock a partner's documents are written under, held at once: its clock lock, its
 * partner-wide lock and each of its customers' locks (src/write/locks.ts). While they are held no
 * operation, clock advance or crash repair of that partner can be writing, so a whole tenant can
 * be read or replaced consistently (sandbox snapshots and restores, docs/sandboxes.md).
 *
 * Taken in the order every writer takes its own (clock before customer, as a clock advance does),
 * so that waiting for them cannot deadlock; given back in full when any one cannot be had.
 */
import type { Collections } from '../db/collections.js';
import { MongoBulkWriteError } from 'mongodb';
import { acquire, clockLockKey, customerLockKey, keepAlive, partnerLockKey, type Heartbeat, type LeaseOptions } from './locks.js';

export interface TenantLease {
  partnerId: string;
  holder: string;
  keys: string[];
  /** Renews every key's lease until releaseTenant (leases are short: src/write/locks.ts). */
  heartbeat?: Heartbeat;
}

/**
 * Takes every lock of `partnerId` for `holder`, or returns null (holding none) when a live holder
 * keeps one of them for longer than `options.waitMs`. Customers created after the customer list
 * was read are not covered: callers first stop new requests of the tenant (the sandbox gate).
 */
export async function acquireTenant(
  cols: Collections,
  partnerId: string,
  holder: string,
  options: LeaseOptions,
): Promise<TenantLease | null> {
  const held: string[] = [];
  const lease: TenantLease = { partnerId, holder, keys: held };
  const take = async (key: string) => {
    const got = await acquire(cols.locks, key, holder, options);
    if (got) held.push(key);
    return got !== null;
  };
  try {
    if (!(await take(clockLockKey(partnerId))) || !(await take(partnerLockKey(partnerId)))) {
      await releaseTenant(cols, lease);
      return null;
    }
    const customers = await cols.customers.find({ partnerId }, { projection: { _id: 1 } }).toArray();
    // One insert for every free customer lock (a demo world's 40 in one command, not 40), then
    // the usual wait and take-over for those a writer holds.
    const keys = customers.map((c) => customerLockKey(c._id));
    const expiresAt = new Date(Date.now() + options.leaseMs);
    const busy = new Set<string>();
    if (keys.length > 0) {
      try {
        await cols.locks.insertMany(
          keys.map((key) => ({ _id: key, holder, expiresAt })),
          { ordered: false },
        );
      } catch (error) {
        const failed = error instanceof MongoBulkWriteError ? [error.writeErrors].flat() : [];
        // Only a lock someone holds (E11000) is waited for. Any other failure fails the whole, and
        // every key counts as held, so that none this insert did write is left behind (giving
        // back is guarded by the holder: a key held by another is not touched).
        if (failed.length === 0 || failed.some((e) => e.code !== 11000)) {
          held.push(...keys);
          throw error;
        }
        for (const e of failed) busy.add(keys[e.index]!);
      }
    }
    held.push(...keys.filter((key) => !busy.has(key)));
    // Settled, not raced: a take still running when another failed would leave its lock behind.
    const taken = await Promise.allSettled([...busy].map((key) => take(key)));
    const broken = taken.find((t): t is PromiseRejectedResult => t.status === 'rejected');
    if (broken) throw broken.reason;
    if (taken.some((t) => t.status === 'fulfilled' && !t.value)) {
      await releaseTenant(cols, lease);
      return null;
    }
    lease.heartbeat = keepAlive(cols.locks, [...held], holder, options.leaseMs);
    return lease;
  } catch (error) {
    await releaseTenant(cols, lease).catch(() => undefined);
    throw error;
  }
}

/** Gives back every lock of `lease` its holder still has (one command: `locks` holds few documents). */
export async function releaseTenant(cols: Collections, lease: TenantLease): Promise<void> {
  await lease.heartbeat?.stop();
  if (lease.keys.length > 0) await cols.locks.deleteMany({ _id: { $in: [...lease.keys] }, holder: lease.holder });
  lease.keys.length = 0;
}
