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
export async function pagedFind<T extends Document>(request: {
  collection: Collection<T>;
  /** The connection's name, which its cursors are bound to (e.g. `customers`). */
  connection: string;
  filterArgs: unknown;
  where: Filter<T>;
  args: PageArgs;
  sort: SortSpec;
  partnerId: string;
}): Promise<Page<T>> {
  const { collection, connection, filterArgs, where, args, sort, partnerId } = request;
  const fp = fingerprint(filterArgs);
  const page = pageRequest({ connection, fingerprint: fp, sort, partnerId }, args);
  // The cursor's condition joins `where`'s own `$and`, leaving its top-level equalities (partnerId)
  // at the top, where FerretDB on PostgreSQL can push them down (docs/database.md).
  const query = (
    page.after ? { ...where, $and: [...((where as { $and?: Filter<T>[] }).$and ?? []), keysetFilter(sort, page.after)] } : where
  ) as Filter<T>;
  const rows = (await collection
    .find(query)
    .sort(sortDocument(sort))
    .limit(page.first + 1)
    .batchSize(page.first + 2)
    .toArray()) as T[];
  const sawEverything = page.after === null && rows.length <= page.first;
  return toPage(rows, page, () => (sawEverything ? Promise.resolve(rows.length) : collection.countDocuments(where)));
}
