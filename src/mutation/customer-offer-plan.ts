/**
 * The plan shared by purchases of one catalog offer for one customer (software orders,
 * reservations): under the customer's lock, read the clock, the customer and the offer fresh,
 * then decide.
 */
import type { CustomerDoc, OfferDoc } from '../db/documents.js';
import type { Decision } from '../policy/decision.js';
import type { Effect, IdSource } from '../policy/effects.js';
import type { Context } from '../shared/context.js';
import type { OperationPlan } from '../write/run-operation.js';
import { loadCustomer, loadOffer } from './load.js';

export interface CustomerOfferLoaded {
  /** The partner's simulation instant, read under the lock. */
  now: Date;
  customer: CustomerDoc;
  offer: OfferDoc;
}

export function customerOfferPlan<R extends object>(
  ctx: Context,
  step: {
    kind: string;
    customerId: string;
    offerId: string;
    decide: (loaded: CustomerOfferLoaded, ids: IdSource) => Decision<R & { effects: Effect[] }>;
  },
): OperationPlan<CustomerOfferLoaded, R> {
  const cols = ctx.write.collections;
  const partnerId = ctx.caller.partner._id;
  const { customerId, offerId } = step;
  return {
    kind: step.kind,
    partnerId,
    customerId,
    at: (l) => l.now,
    load: async () => {
      const now = await ctx.readClock();
      const [customer, offer] = await Promise.all([
        loadCustomer(cols, partnerId, customerId),
        loadOffer(cols, ctx.caller.partner, offerId),
      ]);
      return { now, customer, offer };
    },
    decide: step.decide,
  };
}
