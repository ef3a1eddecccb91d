import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { Caller } from '../shared/caller.js';
import { isDatabaseUnavailable, serviceUnavailable } from '../shared/errors.js';
import { rateLimited, type PartnerSlots, type Release } from './fair-share.js';
import { checkOperationLimits, type OperationLimits } from './operation-plugin.js';
import type { Charge, PointBudget } from './point-budget.js';
import type { Deadline } from './timeout.js';

/**
 * Points a mutation costs per top-level field, whatever it selects: its work is the write (a lock,
 * a journalled operation, a few documents), not the size of its payload.
 */
export const MUTATION_POINTS = 10;

/** The points a request spends (docs/security.md, "Limits"): a query its cost (at least 1), a mutation MUTATION_POINTS per top-level field. */
export function operationPoints(operation: OperationDefinitionNode | null, cost: number | null): number {
  if (operation?.operation === 'mutation') {
    return MUTATION_POINTS * Math.max(1, operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD).length);
  }
  return Math.max(1, cost ?? 1);
}

/** What `extensions.rateLimit` says when a request asks for it (`"extensions": { "rateLimit": true }`). */
export interface RateLimitExtension {
  /** Points this request spent (or would have). */
  cost: number;
  /** Points per minute of the caller's partner. */
  limit: number;
  /** Points left now. */
  remaining: number;
  /** Seconds until the whole budget is back. */
  resetSeconds: number;
}

/**
 * Admission of one operation, after authentication, parsing and validation and before execution:
 * the limits that need the variables (checkOperationLimits), then the partner's points
 * (PointBudget, keyed by the verified partner), then, for a query, one of the partner's in-flight
 * slots (PartnerSlots). Every response of a charged request carries X-RateLimit-Limit, -Remaining,
 * -Reset and -Cost; the body carries `extensions.rateLimit` only when the request asks for it,
 * so that answers stay comparable (caches, clients that compare bodies) for the others.
 */
export function admissionPlugin<C extends { caller: Caller; deadline?: Deadline }>(options: {
  limits: OperationLimits;
  budget: PointBudget;
  slots: PartnerSlots;
}): ApolloServerPlugin<C> {
  const { limits, budget, slots } = options;
  return {
    async requestDidStart({ request }) {
      const details = (request.extensions as Record<string, unknown> | undefined)?.rateLimit === true;
      let charge: Charge | undefined;
      let release: Release | undefined;
      return {
        async didResolveOperation({ schema, document, operation, request: { variables }, contextValue }) {
          const resolved = operation ?? null;
          const cost = checkOperationLimits(limits, { schema, document, operation: resolved, variables });
          const partnerId = contextValue.caller.partner._id;
          try {
            // A claim of points from the database is bounded by the request's deadlines like its reads.
            const deadline = contextValue.deadline;
            charge = await budget.charge(partnerId, operationPoints(resolved, cost), {
              bound: deadline ? (claim) => deadline.bound(() => claim()) : undefined,
            });
          } catch (error) {
            throw isDatabaseUnavailable(error) ? serviceUnavailable() : error;
          }
          if (!charge.allowed) {
            throw rateLimited(
              `A partner may spend at most ${charge.limit} points per minute (a query costs its estimated cost, a mutation ${MUTATION_POINTS} per field), but this partner has spent them; this request costs ${charge.cost}; retry after ${charge.retryAfterSeconds} s`,
              { limit: 'points', cost: charge.cost, maximum: charge.limit },
              charge.retryAfterSeconds,
            );
          }
          // Mutations take no slot: each waits for its customer's lock, one at a time per customer,
          // and a slot held while waiting would queue the partner's reads behind its writes.
          if (resolved?.operation !== 'mutation') release = await slots.acquire(partnerId);
        },
        async willSendResponse({ response }) {
          release?.();
          release = undefined;
          if (!charge) return;
          const headers = response.http.headers;
          headers.set('x-ratelimit-limit', String(charge.limit));
          headers.set('x-ratelimit-remaining', String(charge.remaining));
          headers.set('x-ratelimit-reset', String(charge.resetSeconds));
          headers.set('x-ratelimit-cost', String(charge.cost));
          if (!details || response.body.kind !== 'single') return;
          const rateLimit: RateLimitExtension = {
            cost: charge.cost,
            limit: charge.limit,
            remaining: charge.remaining,
            resetSeconds: charge.resetSeconds,
          };
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, rateLimit };
        },
      };
    },
  };
}
