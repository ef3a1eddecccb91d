import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { CustomerDoc, OfferDoc } from '../../db/documents.js';
import { loadCustomer, loadOffer } from '../../mutation/load.js';
import { mutationPayload, runMutation } from '../../mutation/run-mutation.js';
import { decideExchangeReservation } from '../../policy/reservation.js';
import type { Context } from '../../shared/context.js';
import { parseId } from '../../shared/ids.js';
import { money } from '../../shared/money.type.js';
import { ExchangeReservationPayload } from '../reservation-payload.types.js';
import { ExchangeReservationInput } from '../reservation.input.js';
import { reservationPlan, scopeOf } from './reservation-plan.js';

@Resolver()
export class ExchangeReservationMutation {
  @Mutation(() => ExchangeReservationPayload, {
    description:
      'RES-EXCHANGE: return a reservation for a new one of the same type costing at least its prorated refund; no fee, not counted toward the refund cap. With dryRun, only quote it.',
  })
  async exchangeReservation(
    @Arg('input', () => ExchangeReservationInput) input: ExchangeReservationInput,
    @Ctx() ctx: Context,
  ): Promise<ExchangeReservationPayload> {
    const cols = ctx.write.collections;
    const partnerId = ctx.caller.partner._id;
    const offerId = parseId('offer', input.offerId, 'input.offerId');
    const plan = await reservationPlan(ctx, {
      kind: 'exchange_reservation',
      reservationId: input.reservationId,
      what: 'exchange a reservation',
      loadExtra: async (r): Promise<{ customer: CustomerDoc; offer: OfferDoc }> => {
        const [customer, offer] = await Promise.all([
          loadCustomer(cols, partnerId, r.customerId),
          loadOffer(cols, ctx.caller.partner, offerId),
        ]);
        return { customer, offer };
      },
      decide: (l, ids) => {
        const old = l.reservation;
        return decideExchangeReservation({
          reservation: old,
          customer: l.extra.customer,
          partner: ctx.caller.partner,
          offer: l.extra.offer,
          request: {
            termDuration: input.termDuration ?? old.termDuration,
            quantity: input.quantity,
            region: input.region ?? old.region,
            scope: input.scope ? scopeOf(input.scope) : old.scope,
            azureSubscriptionId: input.azureSubscriptionId ?? old.azureSubscriptionId,
            billingPlan: input.billingPlan ?? 'upfront',
            displayName: input.displayName,
          },
          actor: ctx.caller,
          now: l.now,
          ids,
        });
      },
    });
    const result = await runMutation(ctx, plan, input);
    const id = parseId('reservation', input.reservationId, 'input.reservationId');
    return mutationPayload(input, result, {
      refused: async () => ({
        returnedReservation: await ctx.loaders.reservationById.load(id),
        reservation: null,
        order: null,
        credit: null,
        newPrice: null,
        difference: null,
        creditedTo: null,
        pricesIncludeTax: null,
      }),
      accepted: async (o, applied) => ({
        returnedReservation: await ctx.loaders.reservationById.load(id),
        reservation: applied ? await ctx.loaders.reservationById.load(o.reservation._id) : o.reservation,
        order: applied ? await ctx.loaders.orderById.load(o.orderId) : null,
        credit: money(o.creditCents, o.currency),
        newPrice: money(o.newPriceCents, o.currency),
        difference: money(o.differenceCents, o.currency),
        creditedTo: 'partner',
        pricesIncludeTax: o.pricesIncludeTax,
        summary: o.summary,
      }),
    });
  }
}
