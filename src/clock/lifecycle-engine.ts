/**
 * The lifecycle engine (GEN-CLOCK): advancing a partner's clock applies every lifecycle event of
 * that partner that fell due, in time order, each through the one write path with an operation ID
 * derived from the event, so an event is applied exactly once even when two gateway instances
 * advance the same clock at once. One advance per partner runs at a time (a clock lease). An
 * accepted advance is audited through the journal like every mutation (an `advance_clock` record).
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
import { uniqueHolder, type WriteDeps } from '../write/deps.js';
import { resumePending } from '../write/journal.js';
import { acquire, clockLockKey, release } from '../write/locks.js';
import { runOperation, type OperationRequest } from '../write/run-operation.js';
import type { ClockRepository } from './clock.repository.js';

/** A clock advance may apply many events: its lease is long, and a second advance waits for it. */
const CLOCK_LEASE_MS = 10 * 60_000;
const CLOCK_WAIT_MS = 60_000;

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
      to: Date;
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
  /** Only list the events the advance would apply; change nothing. */
  dryRun: boolean;
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
    return { reading, decision: decideAdvanceClock({ current: reading.now, target: request.target(reading.now) }) };
  };
  if (request.dryRun) {
    const { decision } = await decideNow();
    if (!decision.allowed) return { ok: false, refusal: decision };
    const events = await applyDueEvents(deps.write, partner, decision.to, { dryRun: true });
    return { ok: true, from: decision.from, to: decision.to, events, resumed: 0, dryRun: true, operationId: null };
  }
  const cols = deps.write.collections;
  const holder = uniqueHolder(deps.write);
  const key = clockLockKey(partner._id);
  const lease = await acquire(cols.locks, key, holder, { leaseMs: CLOCK_LEASE_MS, waitMs: CLOCK_WAIT_MS });
  if (!lease)
    throw new ClientError('CONFLICT', 'Another advance of this partner’s clock is still running; try again when it has finished.');
  try {
    const { reading, decision } = await decideNow();
    if (!decision.allowed) return { ok: false, refusal: decision };
    const resumed = await resumePending(cols, { partnerId: partner._id }, deps.write);
    const events = await applyDueEvents(deps.write, partner, decision.to, {
      dryRun: false,
      request: deps.request,
      monthStarts: monthStartsCrossed(decision.from, decision.to),
    });
    if (!(await deps.clock.compareAndSet(partner._id, reading.version, decision.to))) {
      throw new ClientError('CONFLICT', 'The simulation clock changed during the advance; read it and try again.');
    }
    // Journaled after the clock moved, so the record never claims an advance that did not happen.
    const audit = await runOperation(
      deps.write,
      {
        kind: 'advance_clock',
        partnerId: partner._id,
        customerId: null,
        at: decision.from,
        load: async () => null,
        decide: () => {
          const move = { ...decision, events: events.length };
          return allow({ effects: [advanceClockAudit(request.actor, move), clockAdvancedEvent(partner._id, move)] });
        },
      },
      { request: deps.request },
    );
    const operationId = audit.status === 'applied' ? audit.operationId : null;
    return { ok: true, from: decision.from, to: decision.to, events, resumed, dryRun: false, operationId };
  } finally {
    await release(cols.locks, key, holder);
  }
}

/**
 * Applies every event due up to `to`, earliest first; a subscription's next event is queued after
 * each. With `dryRun` each event is only decided, and what it would change is kept in `pending`
 * so the events after it are decided over it, as they would be after the real writes.
 */
async function applyDueEvents(
  write: WriteDeps,
  partner: PartnerDoc,
  to: Date,
  options: { dryRun: boolean; request?: OperationRequest; monthStarts?: Date[] },
): Promise<AppliedEvent[]> {
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
      await invoiceReady(write, partnerId, monthStarts.shift()!, options.request);
    }
  };
  for (let event = queue.shift(); event; event = queue.shift()) {
    const e = event;
    await closeMonthsUpTo(e.due);
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
  await closeMonthsUpTo(to);
  return applied;
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
