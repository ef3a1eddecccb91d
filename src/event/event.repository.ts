/**
 * Reading a partner's events (docs/events.md, "Reading and following"): pages in sequence order.
 *
 * FerretDB 1.24 pushes down only top-level equality (docs/database.md), so no read here asks it
 * to range over or sort a partner's whole log:
 * - a page filtered by customer or resource reads by equality on `partnerId` and that field
 *   (index partner_customer_seq / partner_resource_seq on MongoDB), a small set;
 * - any other page walks the log bucket by bucket from its cursor (equality on `partnerId` and
 *   `bucket`, index partner_bucket), filtering each bucket in memory, until the page is full.
 * An empty bucket before the end (purged by retention, or skipped by a sandbox restore) costs one
 * seek to the next event that exists.
 */
import type { Collection, Filter } from 'mongodb';
import type { Collections } from '../db/collections.js';
import type { EventDoc, SubscriptionDoc } from '../db/documents.js';
import { listsEvent, type EventReadScope } from '../policy/event-access.js';
import type { PageArgs } from '../shared/connection.type.js';
import { pagedFind } from '../shared/paged-find.js';
import { encodeCursor, fingerprint, pageRequest, toPage, type Page } from '../shared/pagination.js';
import { bucketOf } from '../write/event-log.js';

/**
 * Buckets one page reads at most (4096 events), so a sparse filter over a long log stays within the
 * request's command budget (LIMIT_MAX_DB_COMMANDS): the page then holds what matched so far, with
 * `hasNextPage` and an `endCursor` where the walk stopped.
 */
export const MAX_BUCKETS_PER_PAGE = 64;

/** Events page in the partner's sequence order, oldest first; `seq` is unique per partner, and cursors are bound to the partner. */
export const EVENT_SORT = ['seq'] as const;

export interface EventQuery {
  scope: EventReadScope;
  /** Event names (already checked against EVENT_TYPES); null or empty: every name. */
  types: readonly string[] | null;
  customerId: string | null;
  resourceId: string | null;
  /** Simulation time (GEN-CLOCK): `at` in [from, to). */
  from: Date | null;
  to: Date | null;
}

/** ROLE-MARKETPLACE: the partner's marketplace (ISV) subscriptions and the add-ons of them, whose events some callers may not see. */
export async function marketplaceSubscriptionIds(subscriptions: Collection<SubscriptionDoc>, partnerId: string): Promise<Set<string>> {
  const isv = await subscriptions.find({ partnerId, publisher: 'isv' }, { projection: { _id: 1 } }).toArray();
  const ids = new Set(isv.map((s) => s._id));
  if (ids.size > 0) {
    const addOns = await subscriptions.find({ partnerId, parentSubscriptionId: { $in: [...ids] } }, { projection: { _id: 1 } }).toArray();
    for (const a of addOns) ids.add(a._id);
  }
  return ids;
}

/** Whether `subscriptionId` is a marketplace subscription or an add-on of one (ROLE-MARKETPLACE). */
export async function isMarketplaceSubscription(
  subscriptions: Collection<SubscriptionDoc>,
  partnerId: string,
  subscriptionId: string,
): Promise<boolean> {
  const sub = await subscriptions.findOne({ _id: subscriptionId, partnerId }, { projection: { publisher: 1, parentSubscriptionId: 1 } });
  if (!sub) return false;
  if (sub.publisher === 'isv') return true;
  if (!sub.parentSubscriptionId) return false;
  const base = await subscriptions.findOne({ _id: sub.parentSubscriptionId, partnerId }, { projection: { publisher: 1 } });
  return base?.publisher === 'isv';
}

function where(q: EventQuery, hidden: ReadonlySet<string>): Filter<EventDoc> {
  const at = { ...(q.from ? { $gte: q.from } : {}), ...(q.to ? { $lt: q.to } : {}) };
  const filter: Filter<EventDoc> = { partnerId: q.scope.partnerId };
  if (q.customerId) filter.customerId = q.customerId;
  if (q.resourceId) filter.resourceId = q.resourceId;
  if (q.types?.length) filter.type = q.types.length === 1 ? q.types[0]! : { $in: [...q.types] };
  if (q.from || q.to) filter.at = at;
  if (hidden.size > 0) {
    filter.$nor = [{ resourceName: { $in: ['subscription', 'scheduledchange'] }, resourceId: { $in: [...hidden] } }];
  }
  return filter;
}

/** The in-memory twin of `where`, for events read bucket by bucket. */
function matches(e: EventDoc, q: EventQuery, hidden: ReadonlySet<string>): boolean {
  return (
    listsEvent(q.scope, { partnerId: e.partnerId, resourceName: e.resourceName, marketplaceResource: hidden.has(e.resourceId) }) &&
    (!q.customerId || e.customerId === q.customerId) &&
    (!q.resourceId || e.resourceId === q.resourceId) &&
    (!q.types?.length || q.types.includes(e.type)) &&
    (!q.from || e.at.getTime() >= q.from.getTime()) &&
    (!q.to || e.at.getTime() < q.to.getTime())
  );
}

/** The partner's highest sequence number as its hint records it (src/write/event-log.ts): where the walk may stop. */
async function highWater(cols: Collections, partnerId: string): Promise<number> {
  const doc = await cols.eventSequences.findOne({ _id: partnerId }, { projection: { seq: 1 } });
  return doc?.seq ?? 0;
}

/** One page of the caller's events (ROLE-TENANT, ROLE-MARKETPLACE through `q.scope` and `hidden`). */
export async function findEvents(cols: Collections, q: EventQuery, args: PageArgs): Promise<Page<EventDoc>> {
  const partnerId = q.scope.partnerId;
  const hidden = q.scope.marketplace ? new Set<string>() : await marketplaceSubscriptionIds(cols.subscriptions, partnerId);
  const filterArgs = { types: q.types ?? null, customerId: q.customerId, resourceId: q.resourceId, from: q.from, to: q.to };
  const filter = where(q, hidden);
  if (q.customerId || q.resourceId) {
    return pagedFind({ collection: cols.events, connection: 'events', filterArgs, where: filter, args, sort: EVENT_SORT, partnerId });
  }
  const fp = fingerprint(filterArgs);
  const request = pageRequest({ connection: 'events', fingerprint: fp, sort: EVENT_SORT, partnerId }, args);
  const after = request.after === null ? 0 : Number(request.after[0]);
  const rows: EventDoc[] = [];
  // The highest sequence number examined: every number below it that exists was examined too.
  let examined = after;
  let end: number | null = null;
  let buckets = 0;
  let capped = false;
  while (rows.length <= request.first) {
    if (buckets++ >= MAX_BUCKETS_PER_PAGE) {
      capped = true;
      break;
    }
    const bucket = bucketOf(examined + 1);
    const docs = (await cols.events.find({ partnerId, bucket }).toArray()).filter((d) => d.seq > examined).sort((a, b) => a.seq - b.seq);
    if (docs.length === 0) {
      // examined + 1 does not exist: the end of the log, or a hole (purged, or skipped by a restore).
      end ??= await highWater(cols, partnerId);
      if (examined >= end) break;
      const next = await cols.events
        .find({ partnerId, seq: { $gt: examined } }, { projection: { seq: 1 } })
        .sort({ seq: 1 })
        .limit(1)
        .toArray();
      if (next.length === 0) break;
      examined = next[0]!.seq - 1;
      continue;
    }
    for (const d of docs) {
      if (rows.length > request.first) break;
      examined = d.seq;
      if (matches(d, q, hidden)) rows.push(d);
    }
  }
  const sawEverything = request.after === null && rows.length <= request.first && !capped;
  const page = toPage(rows, request, () => (sawEverything ? Promise.resolve(rows.length) : cols.events.countDocuments(filter)));
  if (rows.length <= request.first && examined > (rows.at(-1)?.seq ?? after)) {
    // Events examined past the last one listed did not match: the next page (or a follower's next
    // poll) starts after them, so a sparse filter never reads them twice.
    page.pageInfo.endCursor = encodeCursor('events', fp, [examined], partnerId);
    page.pageInfo.hasNextPage = capped;
  }
  return page;
}

/** One event of the partner by ID; null when none (another partner's event is none: ROLE-TENANT). */
export function findEvent(cols: Collections, partnerId: string, id: string): Promise<EventDoc | null> {
  return cols.events.findOne({ _id: id, partnerId });
}

/**
 * Retention (EVENT_RETENTION, docs/events.md): deletes every partner's events written (wall
 * clock) before `before`. Run on a timer by the gateway; any instance may run it, a repeat deletes
 * nothing more. Returns how many it deleted.
 */
export async function purgeEvents(cols: Pick<Collections, 'events'>, before: Date): Promise<number> {
  const { deletedCount } = await cols.events.deleteMany({ createdAt: { $lt: before } });
  return deletedCount;
}
