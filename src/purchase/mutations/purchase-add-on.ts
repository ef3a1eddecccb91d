import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { loadCustomer, loadOffers, loadSubscription } from '../../mutation/load.js';
import { asQuote } from '../../mutation/quote.js';
import { mutationPayload, runMutation } from '../../mutation/run-mutation.js';
import { decidePurchaseAddOn } from '../../policy/add-on.js';
import { checkSubscriptionRoles } from '../../policy/roles.js';
import type { Context } from '../../shared/context.js';
import { notFound, forbidden } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { money } from '../../shared/money.type.js';
import { PurchaseAddOnInput } from '../../subscription/subscription.mutation-input.js';
import { PurchaseAddOnPayload } from '../purchase-payload.types.js';

@Resolver()
export class PurchaseAddOnMutation {
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
            loadOffers(cols, ctx.caller.partner, [base.offerId, addOnOfferId]),
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
    return mutationPayload(input, result, {
      refused: () => ({ addOn: null, order: null, charge: null }),
      accepted: async (o, applied) => ({
        addOn: applied ? await ctx.loaders.subscriptionById.load(o.addOn._id) : asQuote(o.addOn),
        order: applied ? await ctx.loaders.orderById.load(o.orderId) : null,
        charge: money(o.chargeCents, o.addOn.currency),
        summary: o.summary,
      }),
    });
  }
}
