/**
 * Idempotency keys, as Partner Center's `MS-RequestId`: a mutation sent again with the same key
 * and the same input (mutation names and canonical JSON of their arguments, hashed) by the same
 * partner answers the first result's `data` without running again. The same key with another
 * input is refused (IDEMPOTENCY_KEY_REUSED); a duplicate while the first is still running answers
 * CONFLICT (retry). Dry runs, and requests without the header, are not stored. A first attempt
 * that ended in an error (CONFLICT, FORBIDDEN, an outage) is forgotten, so it can be retried.
 *
 * Keys are kept for `retentionMs` (24 hours by default, wall clock): after that the same key is a
 * new request. FerretDB 1.24 has no TTL indexes, so expiry is the gateway's own: an expired record
 * is taken over by the next request with its key (compare-and-swap on its `createdAt`), and at
 * most once a minute a claim also deletes every expired record.
 *
 * A first attempt whose process died mid-request leaves its record `in_progress`. Once that is
 * older than STALE_IN_PROGRESS_MS (no request runs that long), a retry looks for the operations
 * the first attempt journalled (each carries the record's `_id`): none means it changed nothing,
 * and the retry takes the key over and runs; some means it did change things (the journal repairs
 * them), but its answer is lost, so the retry is told so (CONFLICT with the operation IDs, not
 * retryable) rather than applying the change twice.
 */
import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { canonicalJson, isDryRun, mutationCalls } from '../audit/mutation-calls.js';
import type { Collections } from '../db/collections.js';
import type { Context } from '../shared/context.js';
import { badUserInput, ClientError } from '../shared/errors.js';
import { isDuplicateKey } from '../write/mongo-errors.js';

export const IDEMPOTENCY_HEADER = 'ms-requestid';
/** The response header set on a replayed answer. */
export const REPLAY_HEADER = 'x-idempotent-replay';
const VALID_KEY = /^[A-Za-z0-9._:{}-]{1,100}$/;

export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Longer than any request may run (execution timeout, lock wait, shutdown grace). */
export const STALE_IN_PROGRESS_MS = 60_000;
const PURGE_EVERY_MS = 60_000;

export interface IdempotencyOptions {
  /** How long a key is remembered. @default IDEMPOTENCY_RETENTION_MS */
  retentionMs?: number;
  /** When an unfinished first attempt counts as interrupted. @default STALE_IN_PROGRESS_MS */
  staleInProgressMs?: number;
}

export function idempotencyPlugin(
  cols: Pick<Collections, 'idempotency' | 'operations'>,
  options: IdempotencyOptions = {},
): ApolloServerPlugin<Context> {
  const retentionMs = options.retentionMs ?? IDEMPOTENCY_RETENTION_MS;
  const staleMs = options.staleInProgressMs ?? STALE_IN_PROGRESS_MS;
  let lastPurge = 0;
  /** Deletes expired keys, at most once per PURGE_EVERY_MS; a failure only delays it. */
  const purge = (now: Date) => {
    if (now.getTime() - lastPurge < PURGE_EVERY_MS) return;
    lastPurge = now.getTime();
    cols.idempotency.deleteMany({ createdAt: { $lt: new Date(now.getTime() - retentionMs) } }).catch(() => undefined);
  };
  return {
    async requestDidStart({ request, contextValue }) {
      const key = request.http?.headers.get(IDEMPOTENCY_HEADER);
      if (key === undefined || !contextValue?.caller) return;
      let claimed: string | undefined;
      let replay: string | undefined;
      return {
        async didResolveOperation({ schema, operation }) {
          if (operation?.operation !== 'mutation') return;
          if (!VALID_KEY.test(key)) {
            throw badUserInput(
              `Header MS-RequestId must be 1 to 100 characters (letters, digits, '-', '.', '_', ':', braces), such as a GUID, but got ${JSON.stringify(key.slice(0, 120))}`,
              // A bad header is the client's: 400 (an error thrown here is a 500 unless it names its status).
              { header: 'MS-RequestId', http: { status: 400, headers: new HeaderMap() } },
            );
          }
          const calls = mutationCalls(schema, operation, request.variables);
          if (calls === null || isDryRun(calls)) return;
          const requestHash = createHash('sha256')
            .update(canonicalJson(calls.map((c) => ({ name: c.name, args: c.args }))))
            .digest('hex');
          const partnerId = contextValue.caller.partner._id;
          const _id = `${partnerId}:${key}`;
          const now = new Date();
          const fresh = { _id, partnerId, requestHash, status: 'in_progress' as const, response: null, createdAt: now };
          const claim = () => {
            claimed = _id;
            contextValue.idempotencyKey = _id;
          };
          try {
            await cols.idempotency.insertOne(fresh);
            claim();
            purge(now);
            return;
          } catch (error) {
            if (!isDuplicateKey(error)) throw error;
          }
          let first = await cols.idempotency.findOne({ _id });
          const age = first ? now.getTime() - first.createdAt.getTime() : 0;
          const interrupted = first?.status === 'in_progress' && age >= staleMs && first.requestHash === requestHash;
          if (first && interrupted) {
            const journalled = await cols.operations
              .find({ idempotencyKey: _id, createdAt: { $gte: first.createdAt } }, { projection: { _id: 1 } })
              .toArray();
            if (journalled.length > 0) {
              throw new ClientError(
                'CONFLICT',
                `The first request with MS-RequestId '${key}' was interrupted after it had changed things (operation ${journalled.map((o) => o._id).join(', ')}, completed by the gateway); its answer is lost. Read the resources to see the outcome; a new request needs a new key.`,
                {
                  header: 'MS-RequestId',
                  operationIds: journalled.map((o) => o._id),
                  retryable: false,
                  http: { status: 409, headers: new HeaderMap() },
                },
              );
            }
          }
          if (first && (age >= retentionMs || interrupted)) {
            // Expired, or interrupted before it changed anything: a new request. Whoever swaps it
            // first runs; a concurrent one sees CONFLICT.
            const taken = await cols.idempotency.replaceOne({ _id, createdAt: first.createdAt }, fresh);
            if (taken.modifiedCount === 1) return claim();
            first = null;
          }
          if (first && first.requestHash !== requestHash) {
            throw new ClientError(
              'IDEMPOTENCY_KEY_REUSED',
              `MS-RequestId '${key}' was already used for a different mutation or input; use a new key for a new request.`,
              { header: 'MS-RequestId', http: { status: 422, headers: new HeaderMap() } },
            );
          }
          if (!first || first.status !== 'done' || first.response === null) {
            throw new ClientError('CONFLICT', `A request with MS-RequestId '${key}' is still in progress; try again in a few seconds.`, {
              header: 'MS-RequestId',
              http: { status: 409, headers: new HeaderMap() },
            });
          }
          replay = first.response;
        },
        async responseForOperation() {
          if (replay === undefined) return null;
          return {
            http: { status: undefined, headers: new HeaderMap([[REPLAY_HEADER, 'true']]) },
            body: { kind: 'single', singleResult: { data: JSON.parse(replay) as Record<string, unknown> } },
          };
        },
        async willSendResponse({ response }) {
          if (claimed === undefined) return;
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          if (result?.data && !result.errors?.length) {
            await cols.idempotency.updateOne({ _id: claimed }, { $set: { status: 'done', response: JSON.stringify(result.data) } });
          } else {
            await cols.idempotency.deleteOne({ _id: claimed, status: 'in_progress' });
          }
        },
      };
    },
  };
}
