/**
 * Optimistic concurrency on one document: the update applies only while the document still has
 * the version the decision read. The document records the operation that wrote it
 * (`lastOperationId`), so applying the same operation's update again is recognised as done.
 */
import type { Collection, Filter, UpdateFilter } from 'mongodb';

export interface VersionedDoc {
  _id: string;
  version: number;
}

/** `replay`: the update was already there (this operation wrote it before); nothing was written now. */
export type VersionedUpdateResult = { ok: true; replay: boolean } | { ok: false; reason: 'conflict' | 'missing' };

const RESERVED = ['_id', 'version', 'lastOperationId'];

/**
 * `$set` + `version + 1` when `version === expectedVersion`. Without a match: `ok` when the
 * document's `lastOperationId` is `operationId` (already applied: an idempotent replay), else
 * `conflict` (someone else changed it) or `missing`. `set` may not name `_id`, `version` or
 * `lastOperationId`.
 */
export async function updateIfVersion<T extends VersionedDoc>(args: {
  collection: Collection<T>;
  id: string;
  expectedVersion: number;
  set: Record<string, unknown>;
  operationId: string;
}): Promise<VersionedUpdateResult> {
  const { collection, id, expectedVersion, set, operationId } = args;
  const reserved = RESERVED.find((field) => field in set);
  if (reserved) throw new Error(`updateIfVersion: the update of ${collection.collectionName} ${id} may not set '${reserved}'`);
  const result = await collection.updateOne(
    { _id: id, version: expectedVersion } as Filter<T>,
    {
      $set: { ...set, lastOperationId: operationId },
      $inc: { version: 1 },
    } as unknown as UpdateFilter<T>,
  );
  if (result.matchedCount === 1) return { ok: true, replay: false };
  const current = (await collection.findOne({ _id: id } as Filter<T>, { projection: { lastOperationId: 1 } })) as {
    lastOperationId?: string | null;
  } | null;
  if (current === null) return { ok: false, reason: 'missing' };
  return current.lastOperationId === operationId ? { ok: true, replay: true } : { ok: false, reason: 'conflict' };
}
