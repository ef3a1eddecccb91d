/**
 * Events (docs/events.md): which events an applied operation produces, decided from its effects,
 * so every change the write path applies has its events and nothing else does. Pure: the write
 * path (src/write/run-operation.ts) journals them with the operation's other effects, and a
 * refused or quoted operation, which writes no effect, has none.
 *
 * Names are Partner Center's webhook event names where it has one (`subscription-updated`,
 * `subscription-renewed`, `subscription-active`, `subscription-pending`, `customer-created`,
 * `invoice-ready`, `test-created`), and ours in the same `{resource}-{action}` form where it has
 * none (orders, reservations, software orders, scheduled changes, the clock).
 */
import type { EventDoc } from '../db/documents.js';
import type { AuditEffect, Effect, EventEffect, UpdatableCollection } from './effects.js';

/** Every event name, with what it means: the registration API accepts these and no others. */
export const EVENT_TYPES = {
  'test-created': 'A test event a webhook registration asked for (sendWebhookTestEvent).',
  'customer-created': 'A customer was created.',
  'customer-updated': 'A customer’s details changed.',
  'subscription-active': 'A subscription became active: bought, or activated by its publisher.',
  'subscription-pending': 'A subscription was bought and awaits its publisher’s activation.',
  'subscription-updated': 'A subscription changed: quantity, status, renewal settings, cancellation, suspension, billing.',
  'subscription-renewed': 'A subscription renewed at the end of its term.',
  'scheduledchange-updated': 'A change scheduled for a subscription’s renewal was set or changed.',
  'scheduledchange-deleted': 'A change scheduled for a subscription’s renewal was removed.',
  'scheduledchange-applied': 'A change scheduled for a subscription’s renewal was applied at the renewal.',
  'order-created': 'An order was placed.',
  'order-updated': 'An order changed (its status or line items).',
  'reservation-created': 'An Azure reservation was bought.',
  'reservation-updated': 'An Azure reservation changed: cancelled, exchanged, renamed, its scope or utilisation.',
  'softwareorder-created': 'A software order was placed.',
  'softwareorder-updated': 'A software order changed (cancelled, keys).',
  'supportrequest-created': 'A support request was filed for a software order.',
  'offer-created': 'A test sandbox’s own offer was created (createOffer).',
  'clock-advanced': 'The partner’s simulation clock moved forward (advanceClock).',
  'invoice-ready': 'A billing month ended on the simulation clock: its invoices are ready.',
} as const;

export type EventType = keyof typeof EVENT_TYPES;
export const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES) as EventType[];

export function isEventType(name: string): name is EventType {
  return Object.hasOwn(EVENT_TYPES, name);
}

/** An event as the policy decides it; the write path adds `_id`, the sequence, the operation and the wall time. */
export type EventDraft = Omit<EventDoc, '_id' | 'seq' | 'bucket' | 'operationId' | 'createdAt' | 'auditRecordId'>;

/** `ResourceName` and the event prefix of each collection whose documents events describe. */
const RESOURCES: Partial<Record<UpdatableCollection | 'supportRequests' | 'sandboxOffers', string>> = {
  customers: 'customer',
  subscriptions: 'subscription',
  orders: 'order',
  reservations: 'reservation',
  softwareOrders: 'softwareorder',
  supportRequests: 'supportrequest',
  sandboxOffers: 'offer',
};

/** Bookkeeping the write path keeps on every document: not a change anyone reacts to. */
const INTERNAL_FIELDS = new Set(['version', 'lastOperationId', 'updatedAt']);

/**
 * ROLE-SOFTWARE-KEYS, SW-ACTIVITY-LOG: a software key and its download link are handed out by
 * getSoftwareKey only (admin agents, every view logged), so an event (listed to every role,
 * delivered to webhooks) carries a key's description without them.
 */
function withoutSecrets(key: string, value: unknown): unknown {
  if (key !== 'keys' || !Array.isArray(value)) return value;
  return value.map((k: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(k).filter(([f]) => f !== 'productKey' && f !== 'downloadUrl')),
  );
}

function visible(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([k]) => !INTERNAL_FIELDS.has(k))
      .map(([k, v]) => [k, withoutSecrets(k, v)]),
  );
}

export interface OperationFacts {
  /** The operation's kind: a mutation's (`cancel_subscription` ...) or a lifecycle event's (`renewal` ...). */
  kind: string;
  partnerId: string;
  customerId: string | null;
  /** The simulation instant the operation was decided at. */
  at: Date;
}

function parsed(json: string | null): Record<string, unknown> {
  return json === null ? {} : (JSON.parse(json) as Record<string, unknown>);
}

/**
 * A subscription's scheduled change, as its operation's audit record tells it (an update's `set`
 * cannot: many operations clear a schedule that was never there): set, changed or removed by
 * scheduleChange, updateScheduledChange or deleteScheduledChange (the record's before names the
 * schedule), or applied by a renewal (`scheduledChangeApplied`).
 */
function scheduledChangeEvent(audits: readonly AuditEffect[], subscriptionId: string): { type: EventType; changes: unknown } | null {
  for (const { event } of audits) {
    if (event.resourceId !== subscriptionId) continue;
    const before = parsed(event.resourceOldValue);
    const after = parsed(event.resourceNewValue);
    if (after.scheduledChangeApplied === true) return { type: 'scheduledchange-applied', changes: after };
    if (!('scheduledNextTermInstructions' in before)) continue;
    const next = after.scheduledNextTermInstructions ?? null;
    return {
      type: next === null ? 'scheduledchange-deleted' : 'scheduledchange-updated',
      changes: { scheduledNextTermInstructions: next },
    };
  }
  return null;
}

/**
 * The events of an operation whose effects are `effects`: one per document it creates or changes
 * (one more for a subscription's scheduled change), in effect order, then the events the policy
 * decided itself (`event` effects: the clock's, invoices'). Ledger entries and audit records are
 * not resources of their own: an event names its operation's first rule and audit record instead.
 */
export function eventsFor(op: OperationFacts, effects: readonly Effect[]): EventDraft[] {
  const rule = effects.find((e) => e.kind === 'ledger')?.entry.ruleId ?? null;
  const audits = effects.filter((e): e is AuditEffect => e.kind === 'audit');
  const activates = audits.some((a) => a.event.operationType === 'activate_subscription');
  const drafts: EventDraft[] = [];
  const draft = (type: EventType, resourceName: string, resourceId: string, customerId: string | null, changes: unknown): EventDraft => ({
    partnerId: op.partnerId,
    type,
    resourceName,
    resourceId,
    customerId,
    operationKind: op.kind,
    ruleId: rule,
    changes: changes === null ? null : JSON.stringify(changes),
    at: op.at,
    registrationId: null,
  });
  for (const effect of effects) {
    if (effect.kind === 'insert') {
      const resource = RESOURCES[effect.collection as keyof typeof RESOURCES];
      if (!resource) continue;
      const doc = effect.doc as { _id: string; customerId?: string | null; status?: string };
      const customerId = effect.collection === 'customers' ? doc._id : (doc.customerId ?? op.customerId);
      const type: EventType =
        effect.collection === 'subscriptions'
          ? doc.status === 'pending'
            ? 'subscription-pending'
            : doc.status === 'active'
              ? 'subscription-active'
              : 'subscription-updated'
          : (`${resource}-created` as EventType);
      drafts.push(draft(type, resource, doc._id, customerId, visible(doc)));
    } else if (effect.kind === 'update') {
      const resource = RESOURCES[effect.collection];
      if (!resource) continue;
      const changes = visible(effect.set);
      if (Object.keys(changes).length === 0) continue;
      const customerId = effect.collection === 'customers' ? effect.id : op.customerId;
      if (effect.collection !== 'subscriptions') {
        drafts.push(draft(`${resource}-updated` as EventType, resource, effect.id, customerId, changes));
        continue;
      }
      const type: EventType =
        op.kind === 'renewal'
          ? 'subscription-renewed'
          : activates && changes.status === 'active'
            ? 'subscription-active'
            : 'subscription-updated';
      drafts.push(draft(type, resource, effect.id, customerId, changes));
      const scheduled = scheduledChangeEvent(audits, effect.id);
      if (scheduled) drafts.push(draft(scheduled.type, 'scheduledchange', effect.id, customerId, scheduled.changes));
    } else if (effect.kind === 'event') {
      drafts.push({ ...effect.event, operationKind: op.kind, ruleId: effect.event.ruleId ?? rule });
    }
  }
  return drafts;
}

/** The `event` effects of `drafts`, for the journal. */
export function eventEffects(drafts: readonly EventDraft[]): EventEffect[] {
  return drafts.map((event) => ({ kind: 'event', event }));
}

/**
 * The operation's effects followed by its events' (the write path journals this list). Effects the
 * policy made as `event` already are replaced by their place in the list, so each is written once.
 */
export function withEvents(op: OperationFacts, effects: readonly Effect[]): Effect[] {
  return [...effects.filter((e) => e.kind !== 'event'), ...eventEffects(eventsFor(op, effects))];
}

/** The start of every calendar month (UTC) in (from, to]: the billing months the move closes (invoice-ready). */
export function monthStartsCrossed(from: Date, to: Date): Date[] {
  const starts: Date[] = [];
  let m = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
  while (m.getTime() <= to.getTime()) {
    starts.push(m);
    m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1));
  }
  return starts;
}

/** The invoice period ('YYYY-MM') a month start closes: the month before it. */
export function periodEndingAt(monthStart: Date): string {
  const d = new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** `invoice-ready`: the partner's invoices of the month before `monthStart` are ready. */
export function invoiceReadyEvent(partnerId: string, monthStart: Date): EventEffect {
  const period = periodEndingAt(monthStart);
  return {
    kind: 'event',
    event: {
      partnerId,
      type: 'invoice-ready',
      resourceName: 'invoice',
      resourceId: period,
      customerId: null,
      operationKind: 'invoice_ready',
      ruleId: 'BILL-MONTHLY',
      changes: JSON.stringify({ period }),
      at: monthStart,
      registrationId: null,
    },
  };
}

/** `clock-advanced`: the partner's clock moved from `from` to `to`, applying `events` lifecycle events. */
export function clockAdvancedEvent(partnerId: string, move: { from: Date; to: Date; events: number }): EventEffect {
  return {
    kind: 'event',
    event: {
      partnerId,
      type: 'clock-advanced',
      resourceName: 'clock',
      resourceId: partnerId,
      customerId: null,
      operationKind: 'advance_clock',
      ruleId: 'GEN-CLOCK',
      changes: JSON.stringify({ from: move.from, to: move.to, events: move.events }),
      at: move.to,
      registrationId: null,
    },
  };
}
