/**
 * The lifecycle engine (GEN-CLOCK): advancing a partner's clock applies every lifecycle event of
 * that partner that fell due, in time order, each through the one write path with an operation ID
 * derived from the event, so an event is applied exactly once even when two gateway instances
 * advance the same clock at once. One advance per partner runs at a time (a clock lease).
 */
import type { OfferDoc, PartnerDoc, SubscriptionDoc } from '../db/documents.js';
import { decideAdvanceClock } from '../policy/clock.js';
import type { Refused } from '../policy/decision.js';
import { insertedSubscriptions } from '../policy/effects.js';
import { decideLifecycleEvent, eventOperationId, nextEvent, type LifecycleEvent, type LifecycleKind } from '../policy/lifecycle.js';
import { ClientError } from '../shared/errors.js';
import { loadAddOns, loadCustomer, loadOffers } from '../mutation/load.js';
import { uniqueHolder, type WriteDeps } from '../write/deps.js';
import { resumePending } from '../write/journal.js';
import { acquire, clockLockKey, release } from '../write/locks.js';
import { runOperation, type OperationPlan, type OperationRequest } from '../write/run-operation.js';
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

export type AdvanceResult = { ok: true; from: Date; to: Date; events: AppliedEvent[]; resumed: number } | { ok: false; refusal: Refused };

/** `deps.request`: the advanceClock request, stamped on every event's operation (absent: none). */
export async function advanceClock(
  deps: { write: WriteDeps; clock: ClockRepository; request?: OperationRequest },
  partner: PartnerDoc,
  target: (current: Date) => Date,
): Promise<AdvanceResult> {
  const cols = deps.write.collections;
  const holder = uniqueHolder(deps.write);
  const key = clockLockKey(partner._id);
  const lease = await acquire(cols.locks, key, holder, { leaseMs: CLOCK_LEASE_MS, waitMs: CLOCK_WAIT_MS });
  if (!lease)
    throw new ClientError('CONFLICT', 'Another advance of this partner’s clock is still running; try again when it has finished.');
  try {
    const reading = await deps.clock.read(partner._id);
    const decision = decideAdvanceClock({ current: reading.now, target: target(reading.now) });
    if (!decision.allowed) return { ok: false, refusal: decision };
    const resumed = await resumePending(cols, { partnerId: partner._id }, deps.write);
    const events = await applyDueEvents(deps.write, partner, decision.to, deps.request);
    if (!(await deps.clock.compareAndSet(partner._id, reading.version, decision.to))) {
      throw new ClientError('CONFLICT', 'The simulation clock changed during the advance; read it and try again.');
    }
    return { ok: true, from: decision.from, to: decision.to, events, resumed };
  } finally {
    await release(cols.locks, key, holder);
  }
}

/** Applies every event due up to `to`, earliest first; a subscription's next event is queued after each. */
async function applyDueEvents(write: WriteDeps, partner: PartnerDoc, to: Date, request?: OperationRequest): Promise<AppliedEvent[]> {
  const cols = write.collections;
  const run = <L, R extends object>(plan: OperationPlan<L, R>) => runOperation(write, plan, { request });
  const candidates = await cols.subscriptions
    .find({
      partnerId: partner._id,
      status: { $in: ['active', 'suspended'] },
      // Base subscriptions whose term ends, and any subscription (add-ons too) whose data-deletion deadline passes.
      $or: [{ parentSubscriptionId: null, commitmentEndDate: { $lte: to } }, { dataDeletionAt: { $lte: to } }],
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
  for (let event = queue.shift(); event; event = queue.shift()) {
    const e = event;
    const first = await cols.subscriptions.findOne({ _id: e.subscriptionId, partnerId: partner._id });
    if (!first) continue;
    const result = await run({
      kind: `${e.kind}`,
      partnerId: partner._id,
      customerId: first.customerId,
      operationId: eventOperationId(e),
      at: e.due,
      load: async () => {
        const subscription = (await cols.subscriptions.findOne({ _id: e.subscriptionId, partnerId: partner._id }))!;
        const up = subscription.scheduledUpgrade ?? null;
        const offerIds = [
          subscription.offerId,
          subscription.trialConvertsToOfferId,
          subscription.scheduledNextTermInstructions?.offerId,
          up?.targetOfferId,
        ].filter((x): x is string => typeof x === 'string');
        const addOns = await loadAddOns(cols, partner._id, subscription._id);
        const [customer, offers, upgradeTarget] = await Promise.all([
          loadCustomer(cols, partner._id, subscription.customerId),
          loadOffers(cols, [...offerIds, ...addOns.map((a) => a.offerId)]),
          up?.targetSubscriptionId
            ? cols.subscriptions.findOne({ _id: up.targetSubscriptionId, partnerId: partner._id })
            : Promise.resolve(null),
        ]);
        return { subscription, addOns, customer, offers: offers as ReadonlyMap<string, OfferDoc>, upgradeTarget };
      },
      decide: (l, ids) => decideLifecycleEvent({ event: e, ...l, partner, ids }),
    });
    if (result.status === 'applied') {
      applied.push({ kind: e.kind, subscriptionId: e.subscriptionId, at: e.due, summary: result.outcome.summary });
      insertedSubscriptions(result.outcome.effects).forEach(enqueue);
    }
    const after = await cols.subscriptions.findOne({ _id: e.subscriptionId, partnerId: partner._id });
    if (after && result.status !== 'refused') enqueue(after);
  }
  return applied;
}
