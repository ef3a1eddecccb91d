import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { SubscriptionDoc } from '../db/documents.js';
import { loadCustomer, loadOffers, loadSubscription } from '../mutation/load.js';
import { PurchaseAddOnPayload, PurchasePayload } from '../mutation/payload.types.js';
import { forbidden, runMutation } from '../mutation/run-mutation.js';
import { checkRole, checkSubscriptionRoles } from '../policy/roles.js';
import { decidePurchaseAddOn } from '../policy/add-on.js';
import { decidePurchase } from '../policy/purchase.js';
import type { Context } from '../shared/context.js';
import { badUserInput, notFound } from '../shared/errors.js';
import { parseId } from '../shared/ids.js';
import { money } from '../shared/money.type.js';
import { PurchaseAddOnInput } from '../subscription/subscription.mutation-input.js';
import { PurchaseInput } from './purchase.input.js';
import { asQuote } from '../mutation/quote.js';

@Resolver()
export class PurchaseMutationResolver {
  @Mutation(() => PurchasePayload, {
    description: 'CAT-CART: buy a cart of catalog offers for a customer as one order (or, with dryRun, review it).',
  })
  async purchase(@Arg('input', () => PurchaseInput) input: PurchaseInput, @Ctx() ctx: Context): Promise<PurchasePayload> {
    const cols = ctx.write.collections;
    const partnerId = ctx.caller.partner._id;
    const role = checkRole(ctx.caller, 'ROLE-SUBSCRIPTIONS', 'buy subscriptions');
    if (role) throw forbidden(role);
    const customerId = parseId('customer', input.customerId, 'input.customerId');
    const offerIds = input.lineItems.map((l, i) => parseId('offer', l.offerId, `input.lineItems.${i}.offerId`));
    const result = await runMutation(
      ctx,
      {
        kind: 'create_order',
        partnerId,
        customerId,
        at: (l) => l.now,
        load: async () => {
          const now = await ctx.readClock();
          const [customer, offers] = await Promise.all([loadCustomer(cols, partnerId, customerId), loadOffers(cols, offerIds)]);
          const missing = offerIds.findIndex((id) => !offers.has(id));
          if (missing >= 0)
            throw badUserInput(`No offer '${offerIds[missing]}' is in the catalog`, { argumentName: `input.lineItems.${missing}.offerId` });
          const existing = await cols.subscriptions.find({ partnerId, customerId, offerId: { $in: [...offers.keys()] } }).toArray();
          return { customer, offers, existing, now };
        },
        decide: (l, ids) =>
          decidePurchase({
            customer: l.customer,
            partner: ctx.caller.partner,
            lines: input.lineItems.map((line, i) => ({ ...line, offer: l.offers.get(offerIds[i]!)! })),
            existing: l.existing,
            actor: ctx.caller,
            now: l.now,
            ids,
          }),
      },
      input,
    );
    const empty = {
      order: null,
      subscriptions: [],
      total: null,
      pricesIncludeTax: null,
      dryRun: input.dryRun,
      operationId: null,
      summary: null,
    };
    if (!result.ok) return { ...empty, userErrors: result.userErrors };
    const o = result.outcome;
    const applied = !result.dryRun;
    return {
      order: applied ? await ctx.loaders.orderById.load(o.orderId) : null,
      subscriptions: applied
        ? ((await ctx.loaders.subscriptionById.loadMany(o.subscriptions.map((s) => s._id))) as SubscriptionDoc[])
        : o.subscriptions.map(asQuote),
      total: money(o.totalCents, o.currency),
      pricesIncludeTax: o.pricesIncludeTax,
      summary: o.summary,
      dryRun: result.dryRun,
      operationId: result.operationId,
      userErrors: [],
    };
  }

  @Mutation(() => PurchaseAddOnPayload, {
    description: 'ADDON-*: buy an add-on for an active base subscription; its term ends with the base (ADDON-ALIGN).',
  })
  async purchaseAddOn(
    @Arg('input', () => PurchaseAddOnInput) input: PurchaseAddOnInput,
    @Ctx() ctx: Context,
  ): Promise<PurchaseAddOnPayload> {
    const cols = ctx.write.collections;
    const partnerId = ctx.caller.partner._id;
    const baseId = parseId('subscription', input.subscriptionId, 'input.subscriptionId');
    const addOnOfferId = parseId('offer', input.offerId, 'input.offerId');
    const first = await loadSubscription(cols, partnerId, baseId);
    const role = checkSubscriptionRoles(ctx.caller, first, 'buy an add-on');
    if (role) throw forbidden(role);
    const result = await runMutation(
      ctx,
      {
        kind: 'create_order',
        partnerId,
        customerId: first.customerId,
        at: (l) => l.now,
        load: async () => {
          const now = await ctx.readClock();
          const base = await loadSubscription(cols, partnerId, baseId);
          const [customer, offers] = await Promise.all([
            loadCustomer(cols, partnerId, base.customerId),
            loadOffers(cols, [base.offerId, addOnOfferId]),
          ]);
          const addOnOffer = offers.get(addOnOfferId);
          if (!addOnOffer) throw notFound('offer', addOnOfferId);
          return { base, customer, baseOffer: offers.get(base.offerId)!, addOnOffer, now };
        },
        decide: (l, ids) =>
          decidePurchaseAddOn({
            ...l,
            partner: ctx.caller.partner,
            quantity: input.quantity,
            friendlyName: input.friendlyName,
            actor: ctx.caller,
            now: l.now,
            ids,
          }),
      },
      input,
    );
    const empty = { addOn: null, order: null, charge: null, dryRun: input.dryRun, operationId: null, summary: null };
    if (!result.ok) return { ...empty, userErrors: result.userErrors };
    const o = result.outcome;
    const applied = !result.dryRun;
    return {
      addOn: applied ? await ctx.loaders.subscriptionById.load(o.addOn._id) : asQuote(o.addOn),
      order: applied ? await ctx.loaders.orderById.load(o.orderId) : null,
      charge: money(o.chargeCents, o.addOn.currency),
      summary: o.summary,
      dryRun: result.dryRun,
      operationId: result.operationId,
      userErrors: [],
    };
  }
}
