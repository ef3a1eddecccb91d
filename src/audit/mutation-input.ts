import { AsyncLocalStorage } from 'node:async_hooks';
import type { MiddlewareFn } from 'type-graphql';
import { withoutSecrets } from './refusal-audit.js';

/** What an accepted mutation's audit record keeps of its call: the arguments, secrets removed, as JSON. */
const storage = new AsyncLocalStorage<string>();

/**
 * The arguments of the mutation whose resolver is running, or null outside one (the lifecycle
 * engine run by a clock advance sees advanceClock's). The write path stamps it on the operation
 * it journals, so the operation's audit records carry it, replays included.
 */
export function currentMutationInput(): string | null {
  return storage.getStore() ?? null;
}

/** Runs each root mutation resolver with its arguments current (type-graphql global middleware). */
export const mutationInputMiddleware: MiddlewareFn = ({ info, args }, next) =>
  info.parentType.name === 'Mutation' && info.path.prev === undefined ? storage.run(JSON.stringify(withoutSecrets(args)), next) : next();
