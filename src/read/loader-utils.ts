import DataLoader from 'dataloader';
import type { Collection, Document, Filter, FindCursor } from 'mongodb';
import type { Collections } from '../db/collections.js';
import type { BackendCapabilities } from '../db/database.js';
import type { OfferDoc } from '../db/documents.js';
import { oneBudgetedBatch } from '../limits/command-budget.js';
import { notFound } from '../shared/errors.js';
import {
  compareKeys,
  fingerprint,
  pageInMemory,
  pageRequest,
  sortDocument,
  sortKey,
  type Page,
  type SortSpec,
} from '../shared/pagination.js';

/*
 * DataLoader factories over MongoDB. Contract (dataloader README): one read per batch, results
 * in key order, and a missing key yields an Error for that key only. A failed command rejects the
 * whole batch (dataloader then evicts those keys), so an outage is never "not found".
 *
 * One read is one `$in` command where the backend serves `$in` from an index (MongoDB) or serves
 * no filter at all (FerretDB on SQLite: one scan beats one per key). Where the backend serves
 * top-level equality from an index but evaluates `$in` by decoding the whole collection (FerretDB
 * on PostgreSQL), the batch is sent as concurrent equality reads instead, one per key: see
 * `batchShape` and docs/database.md.
 *
 * One command means one: every find sets its cursor's first batch large enough for the whole
 * result, so no `getMore` follows and no `killCursors` closes a cursor left open (docs/database.md, "How
 * reads work"; test/e2e/command-count.test.ts counts both).
 */

type WithId = Document & { _id: string };

/**
 * First batch of a find whose result size is not known in advance (children of a batch of
 * parents): large enough for any result up to the server's 16 MiB reply, which caps a batch
 * anyway. MongoDB and FerretDB 1.24 both honour it and close the cursor in the first reply.
 */
export const UNBOUNDED_BATCH_SIZE = 100_000;

/**
 * First batch of a find by `_id` among `keys` IDs: at most one document per key, plus one so that
 * the server sees the end of the result within the batch and closes the cursor.
 */
export function byIdBatchSize(keys: number): number {
  return keys + 1;
}

/**
 * How a batch of keys on `field` is read: `in`, one `{ field: { $in: keys } }` command; or
 * `equality`, one `{ field: key }` command per key, at most EQUALITY_READ_CONCURRENCY in flight.
 */
export type BatchShape = 'in' | 'equality';

/** What the loaders know of the backend: the shape of a batched read per collection and field. */
export interface ReadPlanner {
  shape(collection: string, field: string): BatchShape;
}

/**
 * Equality reads in flight per batch on FerretDB on PostgreSQL. Measured on 10,000 customers
 * (bench): 16 in flight reads a page of 50 customers' subscriptions in about the time of the
 * slowest read; more adds only queueing in FerretDB's own pool.
 */
export const EQUALITY_READ_CONCURRENCY = 16;

/** The planner for a backend: `equality` only where `$in` scans but equality on `field` reaches an index. */
export function readPlanner(capabilities: BackendCapabilities): ReadPlanner {
  return {
    shape(collection, field) {
      if (capabilities.pushesDownIn || !capabilities.pushesDownEquality) return 'in';
      const indexed = capabilities.equalityIndexes?.[collection as keyof typeof capabilities.equalityIndexes];
      return indexed?.includes(field) ? 'equality' : 'in';
    },
  };
}

/** MongoDB's planner: every batch one `$in`. */
export const IN_READS: ReadPlanner = { shape: () => 'in' };

/** A read of the documents whose `field` is among `keys` (`findByKeys`). */
export interface KeyedFind<T extends WithId> {
  collection: Collection<T>;
  /** The condition every document must meet besides its key (the partner scope, a filter). */
  filter: Filter<T>;
  field: string;
  keys: readonly string[];
  planner: ReadPlanner;
  /** Sizes (and sorts) each find; `keys` is how many keys that find covers. */
  cursor: (find: FindCursor<Document>, keys: number) => FindCursor<Document>;
}

/**
 * The documents matching `filter` with `field` among `keys`, in the batch shape the planner picks
 * for this backend. A single key is always an equality read. `cursor` sizes (and sorts) each find;
 * its batch size covers the whole result of one find, so no getMore follows.
 */
export async function findByKeys<T extends WithId>(query: KeyedFind<T>): Promise<T[]> {
  const { collection, filter, field, keys, planner, cursor } = query;
  const find = (from: Collection<T>, where: Filter<T>, size: number) =>
    cursor(from.find(where) as unknown as FindCursor<Document>, size).toArray() as Promise<T[]>;
  if (keys.length === 1) return find(collection, { ...filter, [field]: keys[0] } as Filter<T>, 1);
  if (planner.shape(collection.collectionName, field) === 'in') {
    return find(collection, { ...filter, [field]: { $in: [...keys] } } as Filter<T>, keys.length);
  }
  // One batch for the command budget (it replaces one `$in`), however many keys it has.
  return oneBudgetedBatch(collection, async (raw) => {
    const results: T[][] = new Array<T[]>(keys.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < keys.length; i = next++) {
        results[i] = await find(raw, { ...filter, [field]: keys[i] } as Filter<T>, 1);
      }
    };
    await Promise.all(Array.from({ length: Math.min(EQUALITY_READ_CONCURRENCY, keys.length) }, worker));
    return results.flat();
  });
}

/** What a request's loaders are made from. */
export interface LoaderDeps {
  /** The request's (budgeted) collections. */
  cols: Collections;
  /** The caller's partner: every loader is scoped to it (ROLE-TENANT). */
  partnerId: string;
  planner: ReadPlanner;
  /** The catalog's offers by ID (OfferRepository.byIds), `undefined` for an unknown one. */
  offers: { byIds(ids: readonly string[]): Promise<(OfferDoc | undefined)[]> };
}

/** Loader factories over a request's deps, e.g. `{ customerById: (d) => byIdLoader(...) }`. */
export type LoaderFactories = Record<string, (deps: LoaderDeps) => unknown>;
export type LazyLoaders<F extends LoaderFactories> = { readonly [K in keyof F]: ReturnType<F[K]> };

/**
 * A class whose instances hold one request's deps and make each loader on first use: a trivial
 * query creates none. The getters live on the prototype, built once per process, so a request
 * pays for one small object, not a property definition per loader (measured: building the
 * per-request getters was 3.6 % of a trivial query's CPU). The first read of a loader replaces
 * its getter on the instance with the value, so every later read is a plain property read.
 */
export function lazyLoaderClass<F extends LoaderFactories>(factories: F): new (deps: LoaderDeps) => LazyLoaders<F> {
  class RequestLoaders {
    constructor(readonly deps: LoaderDeps) {}
  }
  for (const [name, create] of Object.entries(factories)) {
    Object.defineProperty(RequestLoaders.prototype, name, {
      configurable: true,
      get(this: RequestLoaders) {
        const value = create(this.deps);
        Object.defineProperty(this, name, { value, enumerable: true });
        return value;
      },
    });
  }
  return RequestLoaders as unknown as new (deps: LoaderDeps) => LazyLoaders<F>;
}

/** `find({ ...scope, _id: { $in: keys } })`; a key outside the scope is NOT_FOUND, like an unknown one. */
export function byIdLoader<T extends WithId>(
  collection: Collection<T>,
  scope: Filter<T>,
  kind: string,
  planner: ReadPlanner = IN_READS,
): DataLoader<string, T> {
  return new DataLoader<string, T>(async (ids) => {
    const rows = await findByKeys({
      collection,
      filter: scope,
      field: '_id',
      keys: ids,
      planner,
      cursor: (find, keys) => find.batchSize(byIdBatchSize(keys)),
    });
    const byId = new Map(rows.map((row) => [row._id, row]));
    return ids.map((id) => byId.get(id) ?? notFound(kind, id));
  });
}

/** The children of a batch of parents: the documents of `collection` in `scope` whose `parentField` is a parent's ID. */
export interface ChildrenQuery<T extends WithId> {
  collection: Collection<T>;
  /** The partner scope (ROLE-TENANT) and any fixed condition. */
  scope: Filter<T>;
  parentField: string;
  /** Each parent's children come in this order. */
  sort: SortSpec;
  /** @default IN_READS */
  planner?: ReadPlanner;
}

/** All children of each parent, `find({ ...scope, [parentField]: { $in: parents } })`, sorted. */
export function childrenLoader<T extends WithId>(query: ChildrenQuery<T>): DataLoader<string, T[]> {
  const { collection, scope, parentField, sort, planner = IN_READS } = query;
  return new DataLoader<string, T[]>(async (parentIds) => {
    const rows = await findByKeys({
      collection,
      filter: scope,
      field: parentField,
      keys: parentIds,
      planner,
      cursor: (find) => find.sort(sortDocument(sort)).batchSize(UNBOUNDED_BATCH_SIZE),
    });
    return groupInKeyOrder(rows, parentIds, parentField, sort);
  });
}

/**
 * Children of many parents under one filter, for nested connections: keys are `(filter, parent)`;
 * keys with the same filter fingerprint share one `$in` command, so a page of 100 customers
 * costs one command for all their subscriptions. Paging then happens in memory per parent.
 */
export function filteredChildrenLoader<T extends WithId>(query: ChildrenQuery<T>) {
  const { collection, scope, parentField, sort, planner = IN_READS } = query;
  const filters = new Map<string, Filter<T>>();
  const loader = new DataLoader<string, T[]>(async (keys) => {
    const groups = new Map<string, string[]>();
    for (const key of keys) {
      const [fp, parentId] = splitKey(key);
      groups.set(fp, [...(groups.get(fp) ?? []), parentId]);
    }
    const results = new Map<string, T[]>();
    await Promise.all(
      [...groups].map(async ([fp, parentIds]) => {
        const rows = await findByKeys({
          collection,
          filter: { ...filters.get(fp), ...scope } as Filter<T>,
          field: parentField,
          keys: parentIds,
          planner,
          cursor: (find) => find.sort(sortDocument(sort)).batchSize(UNBOUNDED_BATCH_SIZE),
        });
        groupInKeyOrder(rows, parentIds, parentField, sort).forEach((children, i) => results.set(`${fp}|${parentIds[i]}`, children));
      }),
    );
    return keys.map((key) => results.get(key) ?? []);
  });
  return {
    load(parentId: string, filter: Filter<T>, fp: string): Promise<T[]> {
      filters.set(fp, filter);
      return loader.load(`${fp}|${parentId}`);
    },
  };
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('|');
  return [key.slice(0, i), key.slice(i + 1)];
}

function groupInKeyOrder<T extends WithId>(rows: T[], parentIds: readonly string[], parentField: string, sort: SortSpec): T[][] {
  const groups = new Map<string, T[]>(parentIds.map((id) => [id, []]));
  for (const row of rows) groups.get(row[parentField] as string)?.push(row);
  // The server sorted already; sorting again guards against backends that ignore a sort they cannot push down.
  return parentIds.map((id) => (groups.get(id) ?? []).sort((a, b) => compareKeys(sortKey(a, sort), sortKey(b, sort))));
}

/** One parent's page of a nested connection (`pageChildren`). */
export interface ChildPageQuery<T extends WithId> {
  /** A filteredChildrenLoader: one command for every parent on the page. */
  loader: ReturnType<typeof filteredChildrenLoader<T>>;
  parentId: string;
  /** The connection's name (`customer.subscriptions`): its cursors are valid for it alone. */
  connection: string;
  /** The client's filter arguments, which the cursors are bound to. @default null */
  filterArgs?: unknown;
  /** The database condition those arguments make. @default {} */
  where?: Filter<T>;
  args: { first?: number | null; after?: string | null };
  sort: SortSpec;
  /** The caller's partner: the cursors are valid for this partner only. */
  partnerId: string;
}

/**
 * One parent's page of a nested connection: the children come from a batched loader (one
 * command for every parent on the page), and paging happens in memory with the same cursors
 * as the top-level connections.
 */
export async function pageChildren<T extends WithId>(query: ChildPageQuery<T>): Promise<Page<T>> {
  const { loader, parentId, connection, filterArgs = null, where = {}, args, sort, partnerId } = query;
  const fp = fingerprint(filterArgs);
  const request = pageRequest({ connection, fingerprint: fp, sort, partnerId }, args);
  const rows = await loader.load(parentId, where, fp);
  return pageInMemory(rows, request);
}
