import { AsyncLocalStorage } from 'node:async_hooks';
import type { MiddlewareFn } from 'type-graphql';
import { withoutSecrets } from './refusal-audit.js';

/**
 * What the write path stamps on the operations a mutation journals: the call's arguments (secrets
 * removed, as JSON) for its audit records, and the request's idempotency record, so that a retry
 * after a crash can tell whether the first attempt changed anything.
 */
interface MutationCall {
  input: string;
  idempotencyKey: string | null;
}
const storage = new AsyncLocalStorage<MutationCall>();

/**
 * The arguments of the mutation whose resolver is running, or null outside one (the lifecycle
 * engine run by a clock advance sees advanceClock's). The write path stamps it on the operation
 * it journals, so the operation's audit records carry it, replays included.
 */
export function currentMutationInput(): string | null {
  return storage.getStore()?.input ?? null;
}

/** The `_id` of the idempotency record the running mutation's request claimed (MS-RequestId), if any. */
export function currentIdempotencyKey(): string | null {
  return storage.getStore()?.idempotencyKey ?? null;
}

/** Runs each root mutation resolver with its call current (type-graphql global middleware). */
export const mutationInputMiddleware: MiddlewareFn<{ idempotencyKey?: string }> = ({ info, args, context }, next) =>
  info.parentType.name === 'Mutation' && info.path.prev === undefined
    ? storage.run({ input: JSON.stringify(withoutSecrets(args)), idempotencyKey: context.idempotencyKey ?? null }, next)
    : next();
