/**
 * Applies a journaled operation's effects (src/policy/effects.ts), in order, one single-document
 * write each. Idempotent: every write is recognisable as already done (updates by the document's
 * `lastOperationId`, inserts by their deterministic `_id`), so applying an operation again from
 * effect 0 writes only what the previous attempt did not.
 */
import type { Collection, Document } from 'mongodb';
import type { Collections } from '../db/collections.js';
import type { OperationDoc } from '../db/documents.js';
import { UnreachableCaseError, type Effect } from '../policy/effects.js';
import type { WriteFaults } from './deps.js';
import { appendEvent } from './event-log.js';
import { isDuplicateKey } from './mongo-errors.js';
import { updateIfVersion, type VersionedDoc } from './versioned.js';

/**
 * An update effect found its document changed by someone else since the decision (or gone).
 * `written` counts the effects this call wrote before it: 0 on a first apply means the operation
 * changed nothing and may be abandoned and decided again.
 */
export class WriteConflictError extends Error {
  override name = 'WriteConflictError';
  readonly operationId: string;
  readonly index: number;
  readonly collection: string;
  readonly documentId: string;
  /** `taken`: an insert met a unique index (not its own `_id`): another writer holds that value. */
  readonly reason: 'conflict' | 'missing' | 'taken';
  readonly written: number;
  constructor(args: {
    operationId: string;
    index: number;
    collection: string;
    documentId: string;
    reason: 'conflict' | 'missing' | 'taken';
    written: number;
  }) {
    const { operationId, index, collection, documentId, reason, written } = args;
    super(
      `Operation ${operationId}, effect ${index}: ${collection} ${documentId} ` +
        (reason === 'missing'
          ? 'no longer exists'
          : reason === 'taken'
            ? 'meets a unique value another writer took since the decision'
            : 'was changed by another writer since the decision'),
    );
    this.operationId = operationId;
    this.index = index;
    this.collection = collection;
    this.documentId = documentId;
    this.reason = reason;
    this.written = written;
  }
}

/** The operation's effects as the policy made them (the journal stores them as plain data). */
export function effectsOf(operation: OperationDoc): Effect[] {
  return operation.effects as Effect[];
}

/** Ledger and audit records of an operation: `<operation ID>:<effect index>`. */
export function recordId(operationId: string, index: number): string {
  return `${operationId}:${index}`;
}

/**
 * Writes effect `index`; returns false when it was already there (a replay). Throws
 * WriteConflictError when an update's document moved on.
 */
async function applyEffect(args: {
  cols: Collections;
  operation: OperationDoc;
  effect: Effect;
  index: number;
  written: number;
}): Promise<boolean> {
  const { cols, operation, effect, index, written } = args;
  const operationId = operation._id;
  switch (effect.kind) {
    case 'update': {
      // Every updatable collection holds versioned documents keyed by a string _id.
      const target = cols[effect.collection] as unknown as Collection<VersionedDoc>;
      const result = await updateIfVersion({
        collection: target,
        id: effect.id,
        expectedVersion: effect.expectedVersion,
        set: effect.set,
        operationId,
      });
      if (!result.ok) {
        throw new WriteConflictError({
          operationId,
          index,
          collection: effect.collection,
          documentId: effect.id,
          reason: result.reason,
          written,
        });
      }
      return !result.replay;
    }
    case 'insert': {
      // The document's _id comes from the operation, so a replay meets a duplicate key and writes
      // nothing. A duplicate on another unique index (a customer's domain, taken by another
      // partner's concurrent operation, which no lock of ours serialises) is no replay: the
      // decision is stale, and with nothing written yet runOperation decides it again.
      const target = cols[effect.collection] as unknown as Collection<Document & { _id: string }>;
      try {
        await target.insertOne({ ...effect.doc, lastOperationId: operationId });
        return true;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        if (await target.findOne({ _id: effect.doc._id }, { projection: { _id: 1 } })) return false;
        throw new WriteConflictError({
          operationId,
          index,
          collection: effect.collection,
          documentId: effect.doc._id,
          reason: 'taken',
          written,
        });
      }
    }
    case 'ledger':
      return ignoreDuplicate(cols.ledger.insertOne({ ...effect.entry, _id: recordId(operationId, index), operationId }));
    case 'audit':
      // Who and what come from the policy; the request's correlation ID, arguments and wall
      // time from the journal, so a replay writes the same record.
      return ignoreDuplicate(
        cols.auditEvents.insertOne({
          ...effect.event,
          _id: recordId(operationId, index),
          outcome: 'accepted',
          correlationId: operation.correlationId ?? null,
          wallAt: operation.createdAt,
          input: operation.input ?? null,
        }),
      );
    case 'event': {
      // Written last (withEvents), so an event is never seen before its change. Its wall time is
      // the moment it is written: followers and the retention purge go by it.
      const effects = effectsOf(operation);
      const audit = effects.findIndex((e) => e.kind === 'audit');
      const kinds = effects.map((e) => e.kind);
      const first = kinds.indexOf('event');
      const last = kinds.lastIndexOf('event');
      const result = await appendEvent(
        cols,
        {
          ...effect.event,
          _id: recordId(operationId, index),
          operationId,
          auditRecordId: audit < 0 ? null : recordId(operationId, audit),
          createdAt: new Date(),
        },
        { raiseHint: index === last, readHint: index === first },
      );
      return result.written;
    }
    default:
      throw new UnreachableCaseError(effect);
  }
}

async function ignoreDuplicate(insert: Promise<unknown>): Promise<boolean> {
  try {
    await insert;
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/**
 * Applies every effect of `operation` from effect 0, then marks it done. Returns the number of
 * effects this call wrote (0 for a complete replay). `faults.afterEffect` runs after each effect.
 */
export async function applyEffects(cols: Collections, operation: OperationDoc, faults?: WriteFaults): Promise<number> {
  const effects = effectsOf(operation);
  let written = 0;
  for (const [index, effect] of effects.entries()) {
    if (await applyEffect({ cols, operation, effect, index, written })) written++;
    faults?.afterEffect?.(operation._id, index);
  }
  await cols.operations.updateOne({ _id: operation._id }, { $set: { status: 'done', applied: effects.length, updatedAt: new Date() } });
  return written;
}
