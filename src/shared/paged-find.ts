import type { Collection, Document, Filter } from 'mongodb';
import type { PageArgs } from './connection.type.js';
import { fingerprint, keysetFilter, pageRequest, sortDocument, toPage, type Page, type SortSpec } from './pagination.js';

/**
 * One page of a top-level connection: `find(where AND after-cursor).sort(sort).limit(first + 1)`,
 * plus a `countDocuments(where)` run only if `totalCount` is selected.
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
  const request = pageRequest(connection, fp, args, sort, partnerId);
  const query = (request.after ? { $and: [where, keysetFilter(sort, request.after)] } : where) as Filter<T>;
  const rows = (await collection
    .find(query)
    .sort(sortDocument(sort))
    .limit(request.first + 1)
    .toArray()) as T[];
  return toPage(rows, request, connection, fp, sort, () => collection.countDocuments(where));
}
