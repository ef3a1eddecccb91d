/**
 * The operations journal: an operation is written here, with all its effects, before any of them
 * is applied, so a crash between two effects leaves a `pending` operation that resumePending
 * finishes later (at start-up, before the next change to the same customer, on a clock advance).
 */
import type { Filter } from 'mongodb';
import type { Collections } from '../db/collections.js';
import type { OperationDoc } from '../db/documents.js';
import { applyEffects, WriteConflictError } from './apply-effects.js';
import { announceEvents, DEFAULT_LOCK_LEASE_MS, uniqueHolder, type WriteDeps } from './deps.js';
import { acquire, keepAlive, operationLockKey, release, type Heartbeat } from './locks.js';
import { isDuplicateKey } from './mongo-errors.js';

/**
 * Inserts `op` (status `pending`). `exists`: an operation with this ID is already journaled, i.e.
 * another worker took the same deterministic event (lifecycle), and this one must not apply it.
 */
export async function journal(cols: Collections, op: OperationDoc): Promise<'journaled' | 'exists'> {
  try {
    await cols.operations.insertOne({ ...op, status: 'pending', applied: 0 });
    return 'journaled';
  } catch (error) {
    if (isDuplicateKey(error)) return 'exists';
    throw error;
  }
}

/** Which pending operations to resume; `customerId: null` means the partner-wide ones. */
export interface ResumeFilter {
  partnerId?: string;
  customerId?: string | null;
}

export interface ResumeOptions {
  /** A lock key the caller holds already: operations under it are resumed without taking it again. */
  heldLock?: string;
}

/**
 * Finishes pending operations matching `filter`, oldest first, each under its lock
 * (`customer:<id>`, or `partner:<id>` when it has no customer). An operation whose lock a live
 * holder has is skipped (that holder resumes it). An operation whose very first effect conflicts
 * changed nothing and is abandoned (its journal entry deleted); one that conflicts after writing
 * part of its effects cannot be finished and is logged as an error and left pending. Other errors
 * are rethrown (the lock is released). Returns how many operations it finished.
 */
export async function resumePending(
  cols: Collections,
  filter: ResumeFilter,
  deps: WriteDeps,
  options: ResumeOptions = {},
): Promise<number> {
  const query: Filter<OperationDoc> = { status: 'pending' };
  if (filter.partnerId !== undefined) query.partnerId = filter.partnerId;
  if (filter.customerId !== undefined) query.customerId = filter.customerId;
  const pending = await cols.operations.find(query).sort({ createdAt: 1, _id: 1 }).toArray();
  let resumed = 0;
  for (const candidate of pending) {
    const key = operationLockKey(candidate.partnerId, candidate.customerId);
    const holder = key === options.heldLock ? null : uniqueHolder(deps);
    let heartbeat: Heartbeat | null = null;
    if (holder !== null) {
      const leaseMs = deps.lockLeaseMs ?? DEFAULT_LOCK_LEASE_MS;
      const lease = await acquire(cols.locks, key, holder, { leaseMs, waitMs: 0 });
      if (lease === null) {
        deps.log.debug('write', `resume: ${candidate.kind} ${candidate._id} skipped, ${key} is held`);
        continue;
      }
      if (lease.takenOver) deps.log.warn('write', `resume: took over the expired lease of ${key}`);
      // Renewed while the operation's effects are written (a long one outlasts a short lease).
      heartbeat = keepAlive(cols.locks, [key], holder, leaseMs);
    }
    try {
      // Re-read under the lock: another worker may have finished it since the query.
      const op = await cols.operations.findOne({ _id: candidate._id, status: 'pending' });
      if (op === null) continue;
      try {
        await applyEffects(cols, op, deps.faults);
        announceEvents(deps, op);
        resumed++;
        deps.log.info('write', `resumed ${op.kind} ${op._id} (${op.effects.length} effects)`);
      } catch (error) {
        if (!(error instanceof WriteConflictError)) throw error;
        if (error.index === 0) {
          await cols.operations.deleteOne({ _id: op._id, status: 'pending' });
          deps.log.warn('write', `resume: abandoned ${op.kind} ${op._id}, nothing applied: ${error.message}`);
        } else {
          deps.log.error('write', `resume: ${op.kind} ${op._id} cannot be finished and stays pending: ${error.message}`);
        }
      }
    } finally {
      await heartbeat?.stop();
      if (holder !== null) await release(cols.locks, key, holder);
    }
  }
  return resumed;
}
