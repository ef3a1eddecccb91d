import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { customerOfferPlan } from '../../mutation/customer-offer-plan.js';
import { mutationPayload, runMutation } from '../../mutation/run-mutation.js';
import { forbidden } from '../../shared/errors.js';
import { decidePurchaseReservation } from '../../policy/reservation.js';
import { checkRole } from '../../policy/roles.js';
import type { Context } from '../../shared/context.js';
import { parseId } from '../../shared/ids.js';
import { money } from '../../shared/money.type.js';
import { PurchaseReservationPayload } from '../reservation-payload.types.js';
import { PurchaseReservationInput } from '../reservation.input.js';
import { scopeOf } from './reservation-plan.js';

@Resolver()
export class PurchaseReservationMutation {
  @Mutation(() => PurchaseReservationPayload, {
    description: 'Buy an Azure reservation for a customer (RES-MARKETS, PRICE-TAX; ROLE-SOFTWARE), or with dryRun review it.',
  })
  async purchaseReservation(
    @Arg('input', () => PurchaseReservationInput) input: PurchaseReservationInput,
    @Ctx() ctx: Context,
  ): Promise<PurchaseReservationPayload> {
    const role = checkRole(ctx.caller, 'ROLE-SOFTWARE', 'buy Azure reservations');
    if (role) throw forbidden(role);
    const plan = customerOfferPlan(ctx, {
      kind: 'create_order',
      customerId: parseId('customer', input.customerId, 'input.customerId'),
      offerId: parseId('offer', input.offerId, 'input.offerId'),
      decide: (l, ids) =>
        decidePurchaseReservation({
          customer: l.customer,
          partner: ctx.caller.partner,
          offer: l.offer,
          request: {
            termDuration: input.termDuration,
            quantity: input.quantity,
            region: input.region,
            scope: scopeOf(input.scope),
            azureSubscriptionId: input.azureSubscriptionId,
            billingPlan: input.billingPlan,
            displayName: input.displayName,
          },
          actor: ctx.caller,
          now: l.now,
          ids,
        }),
    });
    const result = await runMutation(ctx, plan, input);
    return mutationPayload(input, result, {
      refused: () => ({ reservation: null, order: null, price: null, chargedNow: null, pricesIncludeTax: null }),
      accepted: async (o, applied) => ({
        reservation: applied ? await ctx.loaders.reservationById.load(o.reservation._id) : o.reservation,
        order: applied ? await ctx.loaders.orderById.load(o.orderId) : null,
        price: money(o.priceCents, o.currency),
        chargedNow: money(o.chargedNowCents, o.currency),
        pricesIncludeTax: o.pricesIncludeTax,
        summary: o.summary,
      }),
    });
  }
}
