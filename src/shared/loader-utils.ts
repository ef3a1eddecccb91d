import DataLoader from 'dataloader';
import type { Collection, Document, Filter } from 'mongodb';
import { notFound } from './errors.js';
import { compareKeys, fingerprint, pageInMemory, pageRequest, sortDocument, sortKey, type Page, type SortSpec } from './pagination.js';

/*
 * DataLoader factories over MongoDB. Contract (dataloader README): one command per batch,
 * results in key order, and a missing key yields an Error for that key only. A failed command
 * rejects the whole batch (dataloader then evicts those keys), so an outage is never "not found".
 *
 * One command means one: every find sets its cursor's first batch large enough for the whole
 * result, so no `getMore` follows and no `killCursors` closes a cursor left open (README, "How
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

/** A per-request set of loaders, each created on first use (a trivial query creates none). */
export type LoaderFactories = Record<string, () => unknown>;
export type LazyLoaders<F extends LoaderFactories> = { readonly [K in keyof F]: ReturnType<F[K]> };

/**
 * An object with one getter per factory: the first read of a property calls its factory and
 * replaces the getter with the value, so every later read is a plain property read.
 */
export function lazyLoaders<F extends LoaderFactories>(factories: F): LazyLoaders<F> {
  const loaders = {} as Record<string, unknown>;
  for (const [name, create] of Object.entries(factories)) {
    Object.defineProperty(loaders, name, {
      configurable: true,
      enumerable: true,
      get() {
        const value = create();
        Object.defineProperty(loaders, name, { value, enumerable: true, configurable: false, writable: false });
        return value;
      },
    });
  }
  return loaders as LazyLoaders<F>;
}

/** `find({ ...scope, _id: { $in: keys } })`; a key outside the scope is NOT_FOUND, like an unknown one. */
export function byIdLoader<T extends WithId>(collection: Collection<T>, scope: Filter<T>, kind: string): DataLoader<string, T> {
  return new DataLoader<string, T>(async (ids) => {
    const rows = (await collection
      .find({ ...scope, _id: { $in: [...ids] } } as Filter<T>)
      .batchSize(byIdBatchSize(ids.length))
      .toArray()) as T[];
    const byId = new Map(rows.map((row) => [row._id, row]));
    return ids.map((id) => byId.get(id) ?? notFound(kind, id));
  });
}

/** All children of each parent, `find({ ...scope, [parentField]: { $in: parents } })`, sorted. */
export function childrenLoader<T extends WithId>(
  collection: Collection<T>,
  scope: Filter<T>,
  parentField: string,
  sort: SortSpec,
): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (parentIds) => {
    const rows = (await collection
      .find({ ...scope, [parentField]: { $in: [...parentIds] } } as Filter<T>)
      .sort(sortDocument(sort))
      .batchSize(UNBOUNDED_BATCH_SIZE)
      .toArray()) as T[];
    return groupInKeyOrder(rows, parentIds, parentField, sort);
  });
}

/**
 * Children of many parents under one filter, for nested connections: keys are `(filter, parent)`;
 * keys with the same filter fingerprint share one `$in` command, so a page of 100 customers
 * costs one command for all their subscriptions. Paging then happens in memory per parent.
 */
export function filteredChildrenLoader<T extends WithId>(collection: Collection<T>, scope: Filter<T>, parentField: string, sort: SortSpec) {
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
        const rows = (await collection
          .find({ ...filters.get(fp), ...scope, [parentField]: { $in: parentIds } } as Filter<T>)
          .sort(sortDocument(sort))
          .batchSize(UNBOUNDED_BATCH_SIZE)
          .toArray()) as T[];
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

/**
 * One parent's page of a nested connection: the children come from a batched loader (one
 * command for every parent on the page), and paging happens in memory with the same cursors
 * as the top-level connections.
 */
export async function pageChildren<T extends WithId>(
  loader: ReturnType<typeof filteredChildrenLoader<T>>,
  parentId: string,
  connection: string,
  filterArgs: unknown,
  where: Filter<T>,
  args: { first?: number | null; after?: string | null },
  sort: SortSpec,
  partnerId: string,
): Promise<Page<T>> {
  const fp = fingerprint(filterArgs);
  const request = pageRequest(connection, fp, args, sort, partnerId);
  const rows = await loader.load(parentId, where, fp);
  return pageInMemory(rows, request, connection, fp, sort);
}
