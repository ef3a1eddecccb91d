import type { Collection, Db, IndexDescription } from 'mongodb';
import { customerNameFields } from '../policy/customer-keys.js';
import type {
  AuditEventDoc,
  CartDoc,
  ClockDoc,
  CustomerDoc,
  EventDoc,
  EventSequenceDoc,
  IdempotencyDoc,
  LedgerEntryDoc,
  LockDoc,
  OfferDoc,
  OperationDoc,
  RefundCapDoc,
  SandboxDoc,
  SandboxOfferDoc,
  SandboxPlaceDoc,
  SandboxSnapshotChunkDoc,
  SandboxSnapshotDoc,
  SoftwareActivityDoc,
  OrderDoc,
  PartnerDoc,
  ReservationDoc,
  SoftwareOrderDoc,
  SubscriptionDoc,
  SupportRequestDoc,
  WebhookCursorDoc,
  WebhookDeliveryDoc,
  WebhookRegistrationDoc,
} from './documents.js';

/** Typed handles on every collection; built once per database and shared by all requests. */
export interface Collections {
  partners: Collection<PartnerDoc>;
  customers: Collection<CustomerDoc>;
  offers: Collection<OfferDoc>;
  subscriptions: Collection<SubscriptionDoc>;
  orders: Collection<OrderDoc>;
  softwareOrders: Collection<SoftwareOrderDoc>;
  reservations: Collection<ReservationDoc>;
  carts: Collection<CartDoc>;
  supportRequests: Collection<SupportRequestDoc>;
  ledger: Collection<LedgerEntryDoc>;
  auditEvents: Collection<AuditEventDoc>;
  clock: Collection<ClockDoc>;
  softwareActivity: Collection<SoftwareActivityDoc>;
  refundCaps: Collection<RefundCapDoc>;
  operations: Collection<OperationDoc>;
  locks: Collection<LockDoc>;
  idempotency: Collection<IdempotencyDoc>;
  sandboxes: Collection<SandboxDoc>;
  sandboxSnapshots: Collection<SandboxSnapshotDoc>;
  sandboxSnapshotChunks: Collection<SandboxSnapshotChunkDoc>;
  sandboxPlaces: Collection<SandboxPlaceDoc>;
  sandboxOffers: Collection<SandboxOfferDoc>;
  events: Collection<EventDoc>;
  eventSequences: Collection<EventSequenceDoc>;
  webhookRegistrations: Collection<WebhookRegistrationDoc>;
  webhookCursors: Collection<WebhookCursorDoc>;
  webhookDeliveries: Collection<WebhookDeliveryDoc>;
}

export function collections(db: Db): Collections {
  return {
    partners: db.collection<PartnerDoc>('partners'),
    customers: db.collection<CustomerDoc>('customers'),
    offers: db.collection<OfferDoc>('offers'),
    subscriptions: db.collection<SubscriptionDoc>('subscriptions'),
    orders: db.collection<OrderDoc>('orders'),
    softwareOrders: db.collection<SoftwareOrderDoc>('softwareOrders'),
    reservations: db.collection<ReservationDoc>('reservations'),
    carts: db.collection<CartDoc>('carts'),
    supportRequests: db.collection<SupportRequestDoc>('supportRequests'),
    ledger: db.collection<LedgerEntryDoc>('ledger'),
    auditEvents: db.collection<AuditEventDoc>('auditEvents'),
    clock: db.collection<ClockDoc>('clock'),
    softwareActivity: db.collection<SoftwareActivityDoc>('softwareActivity'),
    refundCaps: db.collection<RefundCapDoc>('refundCaps'),
    operations: db.collection<OperationDoc>('operations'),
    locks: db.collection<LockDoc>('locks'),
    idempotency: db.collection<IdempotencyDoc>('idempotency'),
    sandboxes: db.collection<SandboxDoc>('sandboxes'),
    sandboxSnapshots: db.collection<SandboxSnapshotDoc>('sandboxSnapshots'),
    sandboxSnapshotChunks: db.collection<SandboxSnapshotChunkDoc>('sandboxSnapshotChunks'),
    sandboxPlaces: db.collection<SandboxPlaceDoc>('sandboxPlaces'),
    sandboxOffers: db.collection<SandboxOfferDoc>('sandboxOffers'),
    events: db.collection<EventDoc>('events'),
    eventSequences: db.collection<EventSequenceDoc>('eventSequences'),
    webhookRegistrations: db.collection<WebhookRegistrationDoc>('webhookRegistrations'),
    webhookCursors: db.collection<WebhookCursorDoc>('webhookCursors'),
    webhookDeliveries: db.collection<WebhookDeliveryDoc>('webhookDeliveries'),
  };
}

/** The customers' search index, whose presence marks a database whose customers have their keys. */
const SEARCH_INDEX = 'partner_search';

/**
 * Indexes, each serving a read path. Every tenant-owned collection leads with `partnerId`: it is
 * in every query (ROLE-TENANT) and is the shard key's prefix at scale (docs/database.md, "Running at scale").
 * Connection orders end with `_id` so that keyset paging is stable.
 */
export const INDEXES: Record<keyof Collections, IndexDescription[]> = {
  partners: [{ key: { mpnId: 1 }, name: 'mpnId_unique', unique: true }],
  customers: [
    { key: { partnerId: 1, companyNameLower: 1, _id: 1 }, name: 'partner_name' },
    { key: { partnerId: 1, domainLower: 1 }, name: 'partner_domain' },
    // A search by prefix: equality on one token (CustomerDoc.searchPrefixes), then the name order.
    // Its presence also marks a database whose customers carry the token (backfillCustomerKeys).
    { key: { partnerId: 1, searchPrefixes: 1, companyNameLower: 1, _id: 1 }, name: SEARCH_INDEX },
    // Unique per realm (CustomerDoc.domainRealm): a real customer's realm is missing, which a
    // unique index treats as one value, so real partners still share one realm.
    { key: { domainLower: 1, domainRealm: 1 }, name: 'domain_unique', unique: true },
  ],
  offers: [{ key: { commerceType: 1, _id: 1 }, name: 'commerceType' }],
  subscriptions: [
    { key: { partnerId: 1, customerId: 1, creationDate: 1, _id: 1 }, name: 'partner_customer_created' },
    { key: { partnerId: 1, creationDate: 1, _id: 1 }, name: 'partner_created' },
    { key: { partnerId: 1, parentSubscriptionId: 1 }, name: 'partner_parent' },
    { key: { partnerId: 1, commitmentEndDate: 1 }, name: 'partner_term_end' },
    { key: { status: 1, commitmentEndDate: 1 }, name: 'lifecycle_term_end' },
    // The lifecycle engine's due dates, per partner clock: terms ending, suspended data to delete.
    { key: { partnerId: 1, status: 1, commitmentEndDate: 1 }, name: 'partner_status_term_end' },
    { key: { partnerId: 1, dataDeletionAt: 1 }, name: 'partner_data_deletion' },
  ],
  orders: [{ key: { partnerId: 1, customerId: 1, creationDate: 1, _id: 1 }, name: 'partner_customer_created' }],
  softwareOrders: [{ key: { partnerId: 1, customerId: 1, purchasedAt: 1, _id: 1 }, name: 'partner_customer_purchased' }],
  reservations: [
    { key: { partnerId: 1, customerId: 1, purchasedAt: 1, _id: 1 }, name: 'partner_customer_purchased' },
    { key: { reservationOrderId: 1 }, name: 'reservationOrderId' },
  ],
  carts: [{ key: { partnerId: 1, customerId: 1, creationTimestamp: 1 }, name: 'partner_customer_created' }],
  supportRequests: [{ key: { partnerId: 1, customerId: 1, createdAt: 1 }, name: 'partner_customer_created' }],
  ledger: [
    { key: { partnerId: 1, customerId: 1, at: 1, _id: 1 }, name: 'partner_customer_at_id' },
    // RES-REFUND-CAP sums a customer's reservation refunds over a rolling 365 days.
    { key: { customerId: 1, ruleId: 1, at: 1 }, name: 'customer_rule_at' },
  ],
  auditEvents: [
    { key: { partnerId: 1, at: 1 }, name: 'partner_at' },
    // auditRecords(from, to): keyset pages of one partner's records by time.
    { key: { partnerId: 1, at: 1, _id: 1 }, name: 'partner_at_id' },
  ],
  clock: [],
  // SW-ACTIVITY-LOG: activityLog(from, to) reads one partner's records by time.
  softwareActivity: [{ key: { partnerId: 1, at: 1, _id: 1 }, name: 'partner_at' }],
  refundCaps: [],
  // resumePending: a partner's (clock advance) or a customer's (before a change) pending operations.
  operations: [
    { key: { partnerId: 1, status: 1 }, name: 'partner_status' },
    { key: { customerId: 1, status: 1 }, name: 'customer_status' },
    // A retry of an interrupted request: did its first attempt journal anything?
    { key: { idempotencyKey: 1 }, name: 'idempotencyKey' },
  ],
  locks: [],
  idempotency: [{ key: { createdAt: 1 }, name: 'createdAt' }],
  // sandboxes(): an administrator's sandboxes; the purge: expired ones and those left mid-way.
  sandboxes: [
    { key: { adminPartnerId: 1, createdAt: 1 }, name: 'admin_created' },
    { key: { expiresAt: 1 }, name: 'expiresAt' },
    // The gate: every request of a sandbox's partner reads its sandbox by partner.
    { key: { partnerId: 1 }, name: 'partnerId_unique', unique: true },
  ],
  sandboxSnapshots: [{ key: { sandboxId: 1, createdAt: 1 }, name: 'sandbox_created' }],
  sandboxSnapshotChunks: [{ key: { snapshotId: 1 }, name: 'snapshotId' }],
  // takePlace, when every random place it tried was taken: an administrator's places.
  sandboxPlaces: [{ key: { adminPartnerId: 1 }, name: 'adminPartnerId' }],
  // A sandbox's own offers, read whole per request by its partner (catalogView).
  sandboxOffers: [{ key: { partnerId: 1, _id: 1 }, name: 'partner_id' }],
  events: [
    // The partner's sequence: unique, so two writers never take one number (src/write/event-log.ts).
    { key: { partnerId: 1, seq: 1 }, name: 'partner_seq', unique: true },
    // Followers and pages read a run of events by equality on its bucket.
    { key: { partnerId: 1, bucket: 1 }, name: 'partner_bucket' },
    { key: { partnerId: 1, customerId: 1, seq: 1 }, name: 'partner_customer_seq' },
    { key: { partnerId: 1, resourceId: 1, seq: 1 }, name: 'partner_resource_seq' },
    // The retention purge.
    { key: { createdAt: 1 }, name: 'createdAt' },
  ],
  eventSequences: [],
  // webhookRegistrations: a partner's registrations, oldest first.
  webhookRegistrations: [{ key: { partnerId: 1, createdAt: 1, _id: 1 }, name: 'partner_created' }],
  webhookCursors: [],
  webhookDeliveries: [
    // The delivery worker: a registration's pending deliveries.
    { key: { registrationId: 1, status: 1 }, name: 'registration_status' },
    // webhookDeliveries(registrationId): the log in event order.
    { key: { partnerId: 1, registrationId: 1, eventSeq: 1, _id: 1 }, name: 'partner_registration_seq' },
  ],
};

/**
 * Idempotent. One index per `createIndexes` command: FerretDB 1.24 drops the connection when one
 * command names several indexes that already exist, which every restart would do. An index whose
 * definition changed keeps its name (e.g. domain_unique, from `{ domainLower }` to
 * `{ domainLower, domainRealm }`): a database made before the change holds the old one under that
 * name, which both MongoDB and FerretDB refuse to redefine in place, so it is dropped by name first.
 */
export async function ensureIndexes(c: Collections): Promise<void> {
  for (const name of Object.keys(INDEXES) as (keyof Collections)[]) {
    const existing = await existingIndexes(c[name] as unknown as Collection);
    if (name === 'customers' && !existing.has(SEARCH_INDEX)) await backfillCustomerKeys(c.customers);
    for (const spec of INDEXES[name]) {
      const held = existing.get(spec.name!);
      if (held && !sameIndex(held, spec)) await c[name].dropIndex(spec.name!);
      await c[name].createIndexes([spec]);
    }
  }
}

/**
 * Gives every customer its derived fields (customerNameFields: searchPrefixes) from its name and
 * domain, for a database written before they existed. Runs before the search index is created,
 * which marks it done: a database made since (every writer builds the fields) never runs it, and
 * one interrupted midway runs it again whole, which rewrites the same values (idempotent).
 * Reads the names and domains in one pass first (a range or sort by `_id` per batch would make
 * FerretDB on PostgreSQL decode the whole collection per batch), then writes in small unordered
 * bulks, a few in flight: FerretDB 1.24 stalls on one `update` command of a few hundred updates.
 */
export async function backfillCustomerKeys(customers: Collection<CustomerDoc>): Promise<number> {
  const rows = await customers.find({}, { projection: { _id: 1, companyName: 1, domain: 1 } }).toArray();
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const batch = rows.slice(next, next + BACKFILL_BATCH);
      next += BACKFILL_BATCH;
      await customers.bulkWrite(
        batch.map((r) => {
          const { searchPrefixes } = customerNameFields(r.companyName, r.domain);
          return { updateOne: { filter: { _id: r._id }, update: { $set: { searchPrefixes } } } };
        }),
        { ordered: false },
      );
    }
  };
  await Promise.all(Array.from({ length: BACKFILL_IN_FLIGHT }, worker));
  return rows.length;
}

const BACKFILL_BATCH = 25;
const BACKFILL_IN_FLIGHT = 1;

interface HeldIndex {
  key: Record<string, unknown>;
  unique?: boolean;
}

/** The collection's indexes by name; none for a collection not created yet (NamespaceNotFound). */
async function existingIndexes(collection: Collection): Promise<Map<string, HeldIndex>> {
  try {
    const list = (await collection.listIndexes().toArray()) as (HeldIndex & { name: string })[];
    return new Map(list.map((i) => [i.name, i]));
  } catch (error) {
    if ((error as { code?: unknown }).code === 26) return new Map();
    throw error;
  }
}

/** The same keys in the same order with the same directions, and the same uniqueness. */
function sameIndex(held: HeldIndex, spec: IndexDescription): boolean {
  const want = Object.entries(spec.key as Record<string, unknown>).map(([k, v]) => [k, Number(v)]);
  const have = Object.entries(held.key).map(([k, v]) => [k, Number(v)]);
  return JSON.stringify(want) === JSON.stringify(have) && Boolean(held.unique) === Boolean(spec.unique);
}

/**
 * Top-level fields our reads and writes filter by equality (`{ field: value }` or `$eq`), per
 * collection: the loaders' and repositories' filters, and the equality prefixes of INDEXES.
 * FerretDB on PostgreSQL pushes such a filter down as `_jsonb->'field' @> value`, which only a
 * GIN index on the expression `(_jsonb->'field')` serves (FerretDB's own btree indexes cannot):
 * src/db/postgres.ts creates one per field listed here, plus `_id`, on every collection's table.
 */
export const EQUALITY_FIELDS: Record<keyof Collections, readonly string[]> = {
  partners: ['mpnId'],
  customers: ['partnerId', 'domainLower', 'searchPrefixes'],
  offers: ['commerceType'],
  subscriptions: ['partnerId', 'customerId', 'parentSubscriptionId', 'status'],
  orders: ['partnerId', 'customerId'],
  softwareOrders: ['partnerId', 'customerId'],
  reservations: ['partnerId', 'customerId', 'reservationOrderId'],
  carts: ['partnerId', 'customerId'],
  supportRequests: ['partnerId', 'customerId'],
  ledger: ['partnerId', 'customerId', 'ruleId'],
  auditEvents: ['partnerId'],
  clock: [],
  softwareActivity: ['partnerId'],
  refundCaps: ['partnerId'],
  operations: ['partnerId', 'customerId', 'status', 'idempotencyKey'],
  locks: [],
  idempotency: ['partnerId'],
  sandboxes: ['adminPartnerId', 'status', 'partnerId'],
  sandboxSnapshots: ['sandboxId', 'status'],
  sandboxSnapshotChunks: ['snapshotId'],
  sandboxPlaces: ['adminPartnerId'],
  sandboxOffers: ['partnerId'],
  events: ['partnerId', 'bucket', 'seq', 'customerId', 'resourceId'],
  eventSequences: ['partnerId'],
  webhookRegistrations: ['partnerId'],
  webhookCursors: ['partnerId'],
  webhookDeliveries: ['partnerId', 'registrationId', 'status', 'eventId'],
};

/**
 * The same collections, each replaced by `wrap(collection)` on first use (a request that touches
 * none wraps none), the same wrapper for every later use: how the request's limits (budget, gate,
 * deadline) put themselves between a request and the database.
 */
export function wrapCollections(cols: Collections, wrap: (collection: Collection) => Collection): Collections {
  const wrapped = new Map<PropertyKey, Collection>();
  return new Proxy(cols, {
    get(target, name) {
      const collection = Reflect.get(target, name) as Collection | undefined;
      if (collection === undefined) return undefined;
      let handle = wrapped.get(name);
      if (!handle) wrapped.set(name, (handle = wrap(collection)));
      return handle;
    },
  });
}
