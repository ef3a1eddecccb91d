/**
 * The one write path, for mutations and the lifecycle engine alike. Under the customer's lock
 * (`customer:<id>`, or `partner:<id>` for partner-wide operations) it finishes the customer's
 * pending operations, loads fresh documents, decides, journals the decision's effects, and
 * applies them one single-document write at a time (FerretDB 1.24 has no transactions).
 *
 * The lock's lease is short (LOCK_LEASE_MS) and renewed while the operation runs (a heartbeat), so
 * a crashed writer blocks its customer for about one lease. A renewal that finds the lease taken
 * over stops the operation before it journals (CONFLICT); once journaled, finishing it is safe for
 * either holder (version-conditional updates, inserts with derived IDs).
 *
 * Guarantees: a refusal or a quote (`dryRun`) writes nothing; an applied operation's effects are
 * all written, now or by a later resumePending; a decision is never applied over documents that
 * changed since it was made (version check), it is decided again instead (up to 3 times).
 * Updates are journaled before every other effect (updatesFirst), so a conflict is met before
 * anything was written and the operation is decided again; a failure after a write leaves the
 * operation pending, finished by resumePending.
 */
import type { OperationDoc } from '../db/documents.js';
import type { Allowed, Decision, Refused } from '../policy/decision.js';
import type { AnyRuleId } from '../policy/rule-ids.js';
import type { Effect, IdSource } from '../policy/effects.js';
import { asQuote } from '../policy/mood.js';
import { ClientError } from '../shared/errors.js';
import { applyEffects, WriteConflictError } from './apply-effects.js';
import { withEvents } from '../policy/events.js';
import { announceEvents, DEFAULT_LOCK_LEASE_MS, LOCK_WAIT_MS, uniqueHolder, type WriteDeps } from './deps.js';
import { idSourceFor, newOperationId } from './ids.js';
import { journal, resumePending } from './journal.js';
import { acquire, keepAlive, operationLockKey, release } from './locks.js';

export type { WriteDeps, WriteFaults } from './deps.js';

/** Attempts of load-decide-apply when the first write finds its document changed. */
export const MAX_ATTEMPTS = 3;

export interface OperationPlan<L, R extends object> {
  /** Partner Center audit `operationType` style, e.g. `cancel_subscription`. */
  kind: string;
  partnerId: string;
  /** The customer whose lock the operation takes; null: partner-wide (`partner:<partnerId>`). */
  customerId: string | null;
  /** Deterministic for lifecycle events (`renew:<subscription>:<term end>`); a random UUID otherwise. */
  operationId?: string;
  /**
   * The simulation instant the decision is made at (GEN-CLOCK), recorded on the journal entry:
   * fixed (a lifecycle event's due time), or read from what `load` read under the lock.
   */
  at: Date | ((loaded: L) => Date);
  /** Runs on every attempt and must read fresh documents from the database, never request caches. */
  load(): Promise<L>;
  /** Pure (src/policy/): the decision and, when allowed, the effects that carry it out. */
  decide(loaded: L, ids: IdSource): Decision<R & { effects: Effect[] }, AnyRuleId>;
}

export type OperationResult<R> =
  | { status: 'refused'; refusal: Refused<AnyRuleId> }
  /** `dryRun`: decided, nothing written, no lock taken. */
  | { status: 'quoted'; outcome: Allowed<R & { effects: Effect[] }> }
  | { status: 'applied'; outcome: Allowed<R & { effects: Effect[] }>; operationId: string }
  /** A deterministic operation with this ID is already journaled (another instance took the event). */
  | { status: 'duplicate'; operationId: string };

/**
 * What the request that causes an operation stamps on its journal entry, and so on the audit
 * records the operation writes (replays included): passed explicitly by the mutation, never read
 * from ambient state. Absent for work no request asked for.
 */
export interface OperationRequest {
  /** The request's X-Correlation-Id. */
  correlationId: string | null;
  /** The `_id` of the idempotency record the request claimed (MS-RequestId), so a retry after a crash can tell whether the first attempt changed anything. */
  idempotencyKey: string | null;
  /** The mutation's arguments as JSON, secrets removed. */
  input: string | null;
}

export interface RunOptions {
  dryRun?: boolean;
  request?: OperationRequest;
}

function busy(plan: { partnerId: string; customerId: string | null }): ClientError {
  const what = plan.customerId === null ? 'this partner' : 'this customer';
  return new ClientError('CONFLICT', `Another change to ${what} is in progress; try again in a few seconds.`, {
    customerId: plan.customerId,
  });
}

/**
 * Loads, decides and, unless refused or `dryRun`, journals and applies the plan. Throws
 * ClientError CONFLICT when the lock stays busy for LOCK_WAIT_MS or the documents keep changing
 * under the decision for MAX_ATTEMPTS attempts; any other error after journaling leaves the
 * operation pending (finished later by resumePending) and is rethrown.
 */
export async function runOperation<L, R extends object>(
  deps: WriteDeps,
  plan: OperationPlan<L, R>,
  options: RunOptions = {},
): Promise<OperationResult<R>> {
  const operationId = plan.operationId ?? newOperationId();
  const ids = idSourceFor(operationId);

  if (options.dryRun) {
    const decision = plan.decide(await plan.load(), ids);
    // A quote speaks in the conditional: the policy worded it both ways, the write path knows which applies.
    return decision.allowed ? { status: 'quoted', outcome: asQuote(decision) } : { status: 'refused', refusal: decision };
  }

  const cols = deps.collections;
  const key = operationLockKey(plan.partnerId, plan.customerId);
  const holder = uniqueHolder(deps);
  const leaseMs = deps.lockLeaseMs ?? DEFAULT_LOCK_LEASE_MS;
  const lease = await acquire(cols.locks, key, holder, { leaseMs, waitMs: LOCK_WAIT_MS });
  if (lease === null) throw busy(plan);
  if (lease.takenOver) deps.log.warn('write', `${plan.kind}: took over the expired lease of ${key}`);
  const heartbeat = keepAlive(cols.locks, [key], holder, leaseMs);
  try {
    await resumePending(cols, { partnerId: plan.partnerId, customerId: plan.customerId }, deps, { heldLock: key });
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const loaded = await plan.load();
      const decision = plan.decide(loaded, ids);
      if (!decision.allowed) return { status: 'refused', refusal: decision };

      const wall = new Date();
      const at = typeof plan.at === 'function' ? plan.at(loaded) : plan.at;
      const facts = { kind: plan.kind, partnerId: plan.partnerId, customerId: plan.customerId, at };
      const op: OperationDoc = {
        _id: operationId,
        partnerId: plan.partnerId,
        customerId: plan.customerId,
        kind: plan.kind,
        status: 'pending',
        // Events last (docs/events.md): written after every change they describe.
        effects: updatesFirst(
          deps.events === false ? decision.effects.filter((e) => e.kind !== 'event') : withEvents(facts, decision.effects),
        ),
        applied: 0,
        at,
        createdAt: wall,
        updatedAt: wall,
        correlationId: options.request?.correlationId ?? null,
        input: options.request?.input ?? null,
        idempotencyKey: options.request?.idempotencyKey ?? null,
      };
      // The last point where stopping leaves nothing behind: a holder that lost its lease (stalled
      // past it) must not journal beside the one that took it over.
      if (heartbeat.lost) {
        deps.log.warn('write', `${plan.kind} ${operationId}: the lease of ${key} was taken over before journaling; stopped`);
        throw busy(plan);
      }
      if ((await journal(cols, op)) === 'exists') return { status: 'duplicate', operationId };
      try {
        await applyEffects(cols, op, deps.faults);
        announceEvents(deps, op);
        return { status: 'applied', outcome: decision, operationId };
      } catch (error) {
        // Nothing written yet: the decision is stale, not half applied. Forget it and decide again.
        if (!(error instanceof WriteConflictError && error.written === 0)) throw error;
        await cols.operations.deleteOne({ _id: operationId, status: 'pending' });
        deps.log.warn('write', `${plan.kind} ${operationId}: attempt ${attempt} of ${MAX_ATTEMPTS} abandoned: ${error.message}`);
      }
    }
    throw new ClientError(
      'CONFLICT',
      `The documents this change depends on kept changing while it was being made (${MAX_ATTEMPTS} attempts); try again.`,
      { customerId: plan.customerId },
    );
  } finally {
    await heartbeat.stop();
    if (!(await release(cols.locks, key, holder))) {
      deps.log.warn('write', `${plan.kind} ${operationId}: the lease of ${key} had expired and was taken over before release`);
    }
  }
}

/**
 * Journal order: every version-conditional update before any insert, ledger entry, audit record
 * or event, so a stale decision is detected before anything is written and can be decided again.
 * Stable otherwise: updates keep their order, and so does the rest (events stay last).
 */
export function updatesFirst(effects: readonly Effect[]): Effect[] {
  return [...effects.filter((e) => e.kind === 'update'), ...effects.filter((e) => e.kind !== 'update')];
}
