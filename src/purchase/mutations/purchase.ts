import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { SubscriptionDoc } from '../../db/documents.js';
import { loadCustomer, loadOffers } from '../../mutation/load.js';
import { asQuote } from '../../mutation/quote.js';
import { mutationPayload, runMutation } from '../../mutation/run-mutation.js';
import { decidePurchase } from '../../policy/purchase.js';
import { checkRole } from '../../policy/roles.js';
import type { Context } from '../../shared/context.js';
import { badUserInput, forbidden } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { money } from '../../shared/money.type.js';
import { PurchasePayload } from '../purchase-payload.types.js';
import { PurchaseInput } from '../purchase.input.js';

@Resolver()
export class PurchaseMutation {
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
          const [customer, offers] = await Promise.all([
            loadCustomer(cols, partnerId, customerId),
            loadOffers(cols, ctx.caller.partner, offerIds),
          ]);
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
    return mutationPayload(input, result, {
      refused: () => ({ order: null, subscriptions: [], total: null, pricesIncludeTax: null }),
      accepted: async (o, applied) => ({
        order: applied ? await ctx.loaders.orderById.load(o.orderId) : null,
        subscriptions: applied
          ? ((await ctx.loaders.subscriptionById.loadMany(o.subscriptions.map((s) => s._id))) as SubscriptionDoc[])
          : o.subscriptions.map(asQuote),
        total: money(o.totalCents, o.currency),
        pricesIncludeTax: o.pricesIncludeTax,
        summary: o.summary,
      }),
    });
  }
}
