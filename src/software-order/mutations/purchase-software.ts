import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { customerOfferPlan } from '../../mutation/customer-offer-plan.js';
import { mutationPayload, runMutation } from '../../mutation/run-mutation.js';
import { forbidden } from '../../shared/errors.js';
import { checkSoftwareRole, decidePurchaseSoftware } from '../../policy/software.js';
import type { Context } from '../../shared/context.js';
import { parseId } from '../../shared/ids.js';
import { money } from '../../shared/money.type.js';
import { PurchaseSoftwareInput } from '../software-order.input.js';
import { PurchaseSoftwarePayload } from '../software-order.payload.js';

@Resolver()
export class PurchaseSoftwareMutation {
  @Mutation(() => PurchaseSoftwarePayload, {
    description: 'Buy software for a customer (ROLE-SOFTWARE): one software order, charged in full (SW-PRICE), with MAK keys (SW-KEYS).',
  })
  async purchaseSoftware(
    @Arg('input', () => PurchaseSoftwareInput) input: PurchaseSoftwareInput,
    @Ctx() ctx: Context,
  ): Promise<PurchaseSoftwarePayload> {
    const role = checkSoftwareRole(ctx.caller);
    if (role) throw forbidden(role);
    const plan = customerOfferPlan(ctx, {
      kind: 'create_software_order',
      customerId: parseId('customer', input.customerId, 'input.customerId'),
      offerId: parseId('offer', input.offerId, 'input.offerId'),
      decide: (l, ids) =>
        decidePurchaseSoftware({
          customer: l.customer,
          partner: ctx.caller.partner,
          offer: l.offer,
          quantity: input.quantity,
          languages: input.languages,
          actor: ctx.caller,
          now: l.now,
          ids,
        }),
    });
    const result = await runMutation(ctx, plan, input);
    return mutationPayload(input, result, {
      refused: () => ({ softwareOrder: null, amount: null, pricesIncludeTax: null }),
      accepted: async (o, applied) => ({
        softwareOrder: applied ? await ctx.loaders.softwareOrderById.load(o.order._id) : o.order,
        amount: money(o.amountCents, o.currency),
        pricesIncludeTax: o.pricesIncludeTax,
        summary: o.summary,
      }),
    });
  }
}
