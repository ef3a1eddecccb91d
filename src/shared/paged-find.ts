import type { Collection, Document, Filter } from 'mongodb';
import type { PageArgs } from './connection.type.js';
import { fingerprint, keysetFilter, pageRequest, sortDocument, toPage, type Page, type SortSpec } from './pagination.js';

/**
 * One page of a top-level connection: `find(where AND after-cursor).sort(sort).limit(first + 1)`,
 * one command: its first batch holds the whole page (`batchSize` one more than the limit, so the
 * server closes the cursor in its first reply: no `getMore`, no `killCursors`).
 *
 * `totalCount` runs `countDocuments(where)` only if it is selected, and not even then when the
 * page read saw every match (the first page, and no next page): the count is the page's length.
 * Counting in the page read itself (`$facet`) is not possible: FerretDB 1.24 does not implement
 * `$facet`, and a `$group` that counts would have to carry every matching document.
 * `filterArgs` are the client's filter arguments, which the cursors are bound to, as to `partnerId`.
 */
export async function pagedFind<T extends Document>(
  collection: Collection<T>,
  connection: string,
  filterArgs: unknown,
  where: Filter<T>,
  args: PageArgs,
  sort: SortSpec,
  partnerId: string,
): Promise<Page<T>> {
  const fp = fingerprint(filterArgs);
  const request = pageRequest({ connection, fingerprint: fp, sort, partnerId }, args);
  // The cursor's condition joins `where`'s own `$and`, leaving its top-level equalities (partnerId)
  // at the top, where FerretDB on PostgreSQL can push them down (docs/database.md).
  const query = (
    request.after ? { ...where, $and: [...((where as { $and?: Filter<T>[] }).$and ?? []), keysetFilter(sort, request.after)] } : where
  ) as Filter<T>;
  const rows = (await collection
    .find(query)
    .sort(sortDocument(sort))
    .limit(request.first + 1)
    .batchSize(request.first + 2)
    .toArray()) as T[];
  const sawEverything = request.after === null && rows.length <= request.first;
  return toPage(rows, request, () => (sawEverything ? Promise.resolve(rows.length) : collection.countDocuments(where)));
}
