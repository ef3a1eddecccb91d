/**
 * The lifecycle engine (GEN-CLOCK): advancing a partner's clock applies every lifecycle event of
 * that partner that fell due, in time order, each through the one write path with an operation ID
 * derived from the event, so an event is applied exactly once even when two gateway instances
 * advance the same clock at once. One advance per partner runs at a time (a clock lease, renewed
 * while it works). An advance that moved the clock is audited through the journal like every
 * mutation (an `advance_clock` record, and a `clock-advanced` event, per call).
 *
 * Steps: the clock moves to each instant where something falls due (an event, a month start)
 * before what is due there is applied, each move a compare-and-set, so the clock shown is never
 * earlier than a lifecycle event already applied, whenever the advance stops. A call works for
 * its budget (ADVANCE_CLOCK_BUDGET_MS) and then answers `completed: false` with the clock where
 * it got to; the target stays recorded on the clock document, and calling again with the same
 * `by` (or `to` the target) continues it. A call cut short by a crash is continued the same way;
 * its steps' events are in the ledger and the log, its own audit record and `clock-advanced` are
 * not (the continuing call's cover its own moves).
 *
 * A dry run decides the same events in the same order over an in-memory view of what the earlier
 * ones would change, and changes nothing: no lease, no resumed operation, no journal entry, the
 * clock where it was.
 */
import type { OfferDoc, PartnerDoc, SubscriptionDoc } from '../db/documents.js';
import { advanceClockAudit, decideAdvanceClock } from '../policy/clock.js';
import { clockAdvancedEvent, invoiceReadyEvent, monthStartsCrossed, periodEndingAt } from '../policy/events.js';
import { allow, type Refused } from '../policy/decision.js';
import { applySet, insertedSubscriptions, type Effect } from '../policy/effects.js';
import { decideLifecycleEvent, eventOperationId, nextEvent, type LifecycleEvent, type LifecycleKind } from '../policy/lifecycle.js';
import type { Caller } from '../shared/caller.js';
import { ClientError } from '../shared/errors.js';
import { loadAddOns, loadCustomer, loadOffers } from '../mutation/load.js';
import { DEFAULT_ADVANCE_BUDGET_MS, DEFAULT_LOCK_LEASE_MS, uniqueHolder, type WriteDeps } from '../write/deps.js';
import { resumePending } from '../write/journal.js';
import { acquire, clockLockKey, keepAlive, LeaseLostError, release } from '../write/locks.js';
import { runOperation, type OperationRequest } from '../write/run-operation.js';
import { ClockRepository, type ClockReading, type UnfinishedAdvance } from './clock.repository.js';

export interface AppliedEvent {
  kind: LifecycleKind;
  subscriptionId: string;
  at: Date;
  summary: string;
}

export type AdvanceResult =
  | {
      ok: true;
      from: Date;
      /** The target: where the clock is going. */
      to: Date;
      /** Where the clock is now: `to` when completed, `from` for a dry run. */
      reached: Date;
      /** False: the time budget ran out first; calling again with the same `by`, or `to`, continues. */
      completed: boolean;
      events: AppliedEvent[];
      resumed: number;
      dryRun: boolean;
      /** The journaled `advance_clock` operation (its audit record); null for a dry run. */
      operationId: string | null;
    }
  | { ok: false; refusal: Refused };

export interface AdvanceRequest {
  /** The caller, audited on the advance. */
  actor: Caller;
  /** The instant to move to, from the clock's current one. */
  target: (current: Date) => Date;
  /** The duration asked for, as given (null: an instant was): recorded, so that the same `by` continues an unfinished advance. */
  by: string | null;
  /** Only list the events the advance would apply; change nothing. */
  dryRun: boolean;
}

/**
 * Where a call goes: an unfinished advance asked by the same duration is continued to its
 * target (a retry, or the call again after `completed: false`); otherwise the call's own target.
 */
function targetOf(reading: ClockReading, request: AdvanceRequest): Date {
  const unfinished = reading.unfinished;
  if (unfinished && request.by !== null && unfinished.by === request.by) return unfinished.to;
  return request.target(reading.now);
}

/** `deps.request`: the advanceClock request, stamped on every operation it journals (absent: none). */
export async function advanceClock(
  deps: { write: WriteDeps; clock: ClockRepository; request?: OperationRequest },
  request: AdvanceRequest,
): Promise<AdvanceResult> {
  const partner = request.actor.partner;
  /** The clock as it reads now, and the decision to move it (GEN-CLOCK). */
  const decideNow = async () => {
    const reading = await deps.clock.read(partner._id);
    return { reading, decision: decideAdvanceClock({ current: reading.now, target: targetOf(reading, request) }) };
  };
  if (request.dryRun) {
    const { decision } = await decideNow();
    if (!decision.allowed) return { ok: false, refusal: decision };
    const { events } = await applyDueEvents(deps.write, partner, decision.to, { dryRun: true });
    const { from, to } = decision;
    return { ok: true, from, to, reached: from, completed: true, events, resumed: 0, dryRun: true, operationId: null };
  }
  const cols = deps.write.collections;
  const holder = uniqueHolder(deps.write);
  const key = clockLockKey(partner._id);
  const leaseMs = deps.write.lockLeaseMs ?? DEFAULT_LOCK_LEASE_MS;
  const budgetMs = deps.write.advanceBudgetMs ?? DEFAULT_ADVANCE_BUDGET_MS;
  const started = Date.now();
  // Long enough to outlast a live advance's budget (up to a minute), or a dead holder's lease.
  const lease = await acquire(cols.locks, key, holder, { leaseMs, waitMs: Math.min(budgetMs, 60_000) + 2 * leaseMs });
  if (!lease)
    throw new ClientError('CONFLICT', 'Another advance of this partner’s clock is still running; try again when it has finished.');
  const heartbeat = keepAlive(cols.locks, [key], holder, leaseMs);
  try {
    const { reading, decision } = await decideNow();
    if (!decision.allowed) return { ok: false, refusal: decision };
    const resumed = await resumePending(cols, { partnerId: partner._id }, deps.write);
    const target = decision.to;
    // Continued to the same target (by `to`, say), the record keeps the `by` it was first asked by.
    const same = reading.unfinished?.to.getTime() === target.getTime() ? reading.unfinished : undefined;
    const advancing: UnfinishedAdvance = same ?? { to: target, by: request.by };
    const clock = { now: reading.now, version: reading.version };
    // The steps are the write path's, outside the request's command budget like its operations.
    const steps = new ClockRepository(cols.clock, deps.clock.defaultStart);
    /** Moves the clock to `at` (a step, or the target), clearing the record at the target; nothing when it is there already. */
    const moveTo = async (at: Date) => {
      if (at.getTime() <= clock.now.getTime()) return;
      heartbeat.assertHeld();
      const last = at.getTime() >= target.getTime();
      if (!(await steps.compareAndSet(partner._id, clock.version, at, last ? null : advancing))) {
        throw new ClientError('CONFLICT', 'The simulation clock changed during the advance; read it and try again.');
      }
      clock.now = at;
      clock.version += 1;
    };
    /** A step to `at`: false when the budget is spent (after at least one step, so every call makes progress). */
    const step = async (at: Date) => {
      if (at.getTime() > clock.now.getTime() && clock.now.getTime() > reading.now.getTime() && Date.now() - started >= budgetMs)
        return false;
      await moveTo(at);
      return true;
    };
    const { events, completed } = await applyDueEvents(deps.write, partner, target, {
      dryRun: false,
      request: deps.request,
      monthStarts: monthStartsCrossed(decision.from, target),
      step,
    });
    if (completed) await moveTo(target);
    // Journaled after the clock moved, so the record never claims an advance that did not happen.
    const move = { from: decision.from, to: clock.now, events: events.length };
    const audit = await runOperation(
      deps.write,
      {
        kind: 'advance_clock',
        partnerId: partner._id,
        customerId: null,
        at: decision.from,
        load: async () => null,
        decide: () => allow({ effects: [advanceClockAudit(request.actor, move), clockAdvancedEvent(partner._id, move)] }),
      },
      { request: deps.request },
    );
    const operationId = audit.status === 'applied' ? audit.operationId : null;
    return { ok: true, from: decision.from, to: target, reached: clock.now, completed, events, resumed, dryRun: false, operationId };
  } catch (error) {
    if (error instanceof LeaseLostError) {
      deps.write.log.warn('clock', `advance of ${partner._id} stopped: ${error.message}`);
      throw new ClientError('CONFLICT', 'The advance stalled and another took it over; read the clock and try again.');
    }
    throw error;
  } finally {
    await heartbeat.stop();
    await release(cols.locks, key, holder);
  }
}

/**
 * Applies every event due up to `to`, earliest first; a subscription's next event is queued after
 * each. With `dryRun` each event is only decided, and what it would change is kept in `pending`
 * so the events after it are decided over it, as they would be after the real writes.
 * `step(at)` runs before what falls due at `at` (the clock moves there); when it answers false
 * the run stops there, `completed: false`, everything due before `at` applied.
 */
async function applyDueEvents(
  write: WriteDeps,
  partner: PartnerDoc,
  to: Date,
  options: { dryRun: boolean; request?: OperationRequest; monthStarts?: Date[]; step?: (at: Date) => Promise<boolean> },
): Promise<{ events: AppliedEvent[]; completed: boolean }> {
  const step = options.step ?? (async () => true);
  const cols = write.collections;
  const partnerId = partner._id;
  const pending = new Map<string, SubscriptionDoc>();
  const readSub = async (id: string) => pending.get(id) ?? (await cols.subscriptions.findOne({ _id: id, partnerId }));
  const candidates = await cols.subscriptions
    .find({
      partnerId,
      status: { $in: ['active', 'suspended'] },
      // Base subscriptions whose term ends or whose next billing month starts (BILL-MONTHLY), and any
      // subscription (add-ons too) whose data-deletion deadline passes.
      $or: [
        { parentSubscriptionId: null, commitmentEndDate: { $lte: to } },
        { parentSubscriptionId: null, billedUntil: { $lte: to } },
        { dataDeletionAt: { $lte: to } },
      ],
    })
    .toArray();
  const queue: LifecycleEvent[] = [];
  const enqueue = (s: SubscriptionDoc) => {
    const e = nextEvent(s, to);
    if (!e) return;
    const i = queue.findIndex((q) => q.due > e.due || (q.due.getTime() === e.due.getTime() && q.subscriptionId > e.subscriptionId));
    queue.splice(i < 0 ? queue.length : i, 0, e);
  };
  candidates.forEach(enqueue);
  const applied: AppliedEvent[] = [];
  // invoice-ready at each month start the advance crosses, before the events due at or after it,
  // so a clock advance's events come in simulation-time order (docs/events.md).
  const monthStarts = [...(options.monthStarts ?? [])];
  const closeMonthsUpTo = async (at: Date) => {
    while (monthStarts.length > 0 && monthStarts[0]!.getTime() <= at.getTime()) {
      if (!(await step(monthStarts[0]!))) return false;
      await invoiceReady(write, partnerId, monthStarts.shift()!, options.request);
    }
    return true;
  };
  for (let event = queue.shift(); event; event = queue.shift()) {
    const e = event;
    if (!(await closeMonthsUpTo(e.due)) || !(await step(e.due))) return { events: applied, completed: false };
    const first = await readSub(e.subscriptionId);
    if (!first) continue;
    const result = await runOperation(
      write,
      {
        kind: `${e.kind}`,
        partnerId,
        customerId: first.customerId,
        operationId: eventOperationId(e),
        at: e.due,
        load: async () => {
          const subscription = (await readSub(e.subscriptionId))!;
          const up = subscription.scheduledUpgrade ?? null;
          const offerIds = [
            subscription.offerId,
            subscription.trialConvertsToOfferId,
            subscription.scheduledNextTermInstructions?.offerId,
            up?.targetOfferId,
          ].filter((x): x is string => typeof x === 'string');
          const addOns = withPending(await loadAddOns(cols, partnerId, subscription._id), pending, subscription._id);
          const [customer, offers, upgradeTarget] = await Promise.all([
            loadCustomer(cols, partnerId, subscription.customerId),
            loadOffers(cols, partner, [...offerIds, ...addOns.map((a) => a.offerId)]),
            up?.targetSubscriptionId ? readSub(up.targetSubscriptionId) : Promise.resolve(null),
          ]);
          return { subscription, addOns, customer, offers: offers as ReadonlyMap<string, OfferDoc>, upgradeTarget };
        },
        decide: (l, ids) => decideLifecycleEvent({ event: e, ...l, partner, ids }),
      },
      { dryRun: options.dryRun, request: options.request },
    );
    if (result.status === 'applied' || result.status === 'quoted') {
      applied.push({ kind: e.kind, subscriptionId: e.subscriptionId, at: e.due, summary: result.outcome.summary });
      if (result.status === 'quoted') await keepPending(pending, result.outcome.effects, readSub);
      insertedSubscriptions(result.outcome.effects).forEach(enqueue);
    }
    const after = await readSub(e.subscriptionId);
    if (after && result.status !== 'refused') enqueue(after);
  }
  return { events: applied, completed: await closeMonthsUpTo(to) };
}

/**
 * `invoice-ready` for the month before `monthStart` (BILL-MONTHLY): a partner-wide operation with
 * an ID derived from the partner and the period, so two instances advancing at once write it once.
 */
async function invoiceReady(write: WriteDeps, partnerId: string, monthStart: Date, request?: OperationRequest): Promise<void> {
  await runOperation(
    write,
    {
      kind: 'invoice_ready',
      partnerId,
      customerId: null,
      operationId: `invoice-ready:${partnerId}:${periodEndingAt(monthStart)}`,
      at: monthStart,
      load: async () => null,
      decide: () => allow({ effects: [invoiceReadyEvent(partnerId, monthStart)] }),
    },
    { request },
  );
}

/** The subscriptions a quoted event would update or insert, as they would be after it (versions included). */
async function keepPending(
  pending: Map<string, SubscriptionDoc>,
  effects: readonly Effect[],
  readSub: (id: string) => Promise<SubscriptionDoc | null>,
): Promise<void> {
  for (const effect of effects) {
    if (effect.kind === 'insert' && effect.collection === 'subscriptions') pending.set(effect.doc._id, effect.doc);
    if (effect.kind !== 'update' || effect.collection !== 'subscriptions') continue;
    const current = await readSub(effect.id);
    if (current) pending.set(effect.id, { ...applySet(current, effect.set), version: current.version + 1 });
  }
}

/** A base's add-ons as a dry run sees them: stored ones replaced by their pending state, plus pending new ones. */
function withPending(stored: SubscriptionDoc[], pending: ReadonlyMap<string, SubscriptionDoc>, baseId: string): SubscriptionDoc[] {
  const seen = new Set(stored.map((a) => a._id));
  const added = [...pending.values()].filter((a) => a.parentSubscriptionId === baseId && !seen.has(a._id));
  return [...stored.map((a) => pending.get(a._id) ?? a), ...added];
}
