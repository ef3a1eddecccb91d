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
import { acquire, clockLockKey, customerLockKey, partnerLockKey, release, type LeaseOptions } from './locks.js';

export interface TenantLease {
  partnerId: string;
  holder: string;
  keys: string[];
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
    const taken = await Promise.all(customers.map((c) => take(customerLockKey(c._id))));
    if (taken.includes(false)) {
      await releaseTenant(cols, lease);
      return null;
    }
    return lease;
  } catch (error) {
    await releaseTenant(cols, lease).catch(() => undefined);
    throw error;
  }
}

/** Gives back every lock of `lease` its holder still has. */
export async function releaseTenant(cols: Collections, lease: TenantLease): Promise<void> {
  await Promise.all(lease.keys.map((key) => release(cols.locks, key, lease.holder)));
  lease.keys.length = 0;
}
