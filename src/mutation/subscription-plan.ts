/**
 * The plan shared by mutations on one subscription: find its customer (for the lock), then on
 * every attempt load fresh the subscription, its add-ons, customer and offer, and decide.
 */
import type { CustomerDoc, OfferDoc, SubscriptionDoc } from '../db/documents.js';
import type { Decision } from '../policy/decision.js';
import type { Effect, IdSource } from '../policy/effects.js';
import type { Context } from '../shared/context.js';
import { parseId } from '../shared/ids.js';
import { money } from '../shared/money.type.js';
import type { OperationPlan } from '../write/run-operation.js';
import { loadAddOns, loadCustomer, loadOffer, loadSubscription } from './load.js';
import type { SubscriptionChangePayload } from '../subscription/subscription-payload.types.js';
import { mutationPayload, runMutation, type MutationInput, type MutationResult } from './run-mutation.js';
import { forbidden } from '../shared/errors.js';
import { checkSubscriptionRoles } from '../policy/roles.js';

export interface SubscriptionLoaded {
  /** The partner's simulation instant, read under the lock. */
  now: Date;
  subscription: SubscriptionDoc;
  addOns: SubscriptionDoc[];
  customer: CustomerDoc;
  offer: OfferDoc;
}

export async function subscriptionPlan<R extends object, X = null>(
  ctx: Context,
  step: {
    kind: string;
    subscriptionId: string;
    decide: (loaded: SubscriptionLoaded & { extra: X }, now: Date, ids: IdSource) => Decision<R & { effects: Effect[] }>;
    /** More fresh documents the decision needs (e.g. an upgrade's target subscription). */
    loadExtra?: (subscription: SubscriptionDoc) => Promise<X>;
  },
): Promise<OperationPlan<SubscriptionLoaded & { extra: X }, R>> {
  const { kind, decide, loadExtra } = step;
  const id = parseId('subscription', step.subscriptionId, 'input.subscriptionId');
  const cols = ctx.write.collections;
  const partnerId = ctx.caller.partner._id;
  const first = await loadSubscription(cols, partnerId, id);
  // Role first (ROLE-SUBSCRIPTIONS, ROLE-MARKETPLACE), before any lock: a caller without a role
  // never touches the customer's lease. The decision checks again (a quote needs it too).
  const role = checkSubscriptionRoles(ctx.caller, first, kind.replace(/_/g, ' '));
  if (role) throw forbidden(role);
  return {
    kind,
    partnerId,
    customerId: first.customerId,
    at: (loaded) => loaded.now,
    load: async () => {
      // Under the customer's lock: the clock as it is now, not as it was before waiting (GEN-CLOCK).
      const now = await ctx.readClock();
      const subscription = await loadSubscription(cols, partnerId, id);
      const [addOns, customer, offer] = await Promise.all([
        subscription.parentSubscriptionId === null ? loadAddOns(cols, partnerId, id) : Promise.resolve([]),
        loadCustomer(cols, partnerId, subscription.customerId),
        loadOffer(cols, ctx.caller.partner, subscription.offerId),
      ]);
      const extra = loadExtra ? await loadExtra(subscription) : (null as X);
      return { subscription, addOns, customer, offer, extra, now };
    },
    decide: (loaded, ids) => decide(loaded, loaded.now, ids),
  };
}

/** Splits a subscription into the payload's `subscription` or `addOn` field. */
export function placed(doc: SubscriptionDoc | null): { subscription: SubscriptionDoc | null; addOn: SubscriptionDoc | null } {
  if (!doc) return { subscription: null, addOn: null };
  return doc.parentSubscriptionId === null ? { subscription: doc, addOn: null } : { subscription: null, addOn: doc };
}

export interface ChangeExtras {
  chargeCents?: number;
  currency?: string;
  dataDeletionDate?: Date | null;
  cascadedAddOnIds?: string[];
  licenceReassignmentRequired?: boolean;
  summary?: string;
}

/** The input of a mutation on one subscription. */
export interface SubscriptionInput extends MutationInput {
  subscriptionId: string;
}

/** Runs a single-subscription change and shapes SubscriptionChangePayload. */
export async function changeSubscription<R extends ChangeExtras>(
  ctx: Context,
  kind: string,
  input: SubscriptionInput,
  decide: (loaded: SubscriptionLoaded, now: Date, ids: IdSource) => Decision<R & { effects: Effect[] }>,
): Promise<SubscriptionChangePayload> {
  const plan = await subscriptionPlan(ctx, { kind, subscriptionId: input.subscriptionId, decide });
  return changePayload(ctx, input, await runMutation(ctx, plan, input));
}

/** Shapes SubscriptionChangePayload from a mutation's result, with the documents as written. */
export async function changePayload<R extends ChangeExtras>(
  ctx: Context,
  input: SubscriptionInput,
  result: MutationResult<R>,
): Promise<SubscriptionChangePayload> {
  const current = await ctx.loaders.subscriptionById.load(parseId('subscription', input.subscriptionId, 'input.subscriptionId'));
  return mutationPayload(input, result, {
    refused: () => ({
      ...placed(current),
      cascadedAddOns: [],
      charge: null,
      dataDeletionDate: null,
      licenceReassignmentRequired: null,
    }),
    accepted: async (o) => {
      const cascaded = o.cascadedAddOnIds?.length ? await ctx.loaders.subscriptionById.loadMany(o.cascadedAddOnIds) : [];
      return {
        ...placed(current),
        cascadedAddOns: cascaded.filter((d): d is SubscriptionDoc => !(d instanceof Error)),
        charge: o.chargeCents === undefined ? null : money(o.chargeCents, o.currency ?? current.currency),
        dataDeletionDate: o.dataDeletionDate ?? null,
        licenceReassignmentRequired: o.licenceReassignmentRequired ?? null,
        summary: o.summary ?? null,
      };
    },
  });
}
