import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RefundCapDoc } from '../../db/documents.js';
import { mutationPayload, runMutation } from '../../mutation/run-mutation.js';
import { decideCancelReservation } from '../../policy/reservation.js';
import type { Context } from '../../shared/context.js';
import { parseId } from '../../shared/ids.js';
import { CancelReservationPayload } from '../reservation-payload.types.js';
import { NO_REFUND, refundFields } from '../reservation-rules.type.js';
import { CancelReservationInput } from '../reservation.input.js';
import { reservationPlan } from './reservation-plan.js';

@Resolver()
export class CancelReservationMutation {
  @Mutation(() => CancelReservationPayload, {
    description:
      'RES-CANCEL: cancel a reservation; the prorated balance minus any fee (RES-REFUND-TABLE), capped (RES-REFUND-CAP), is credited to the partner (RES-PARTNER-CREDIT). With dryRun, only quote it.',
  })
  async cancelReservation(
    @Arg('input', () => CancelReservationInput) input: CancelReservationInput,
    @Ctx() ctx: Context,
  ): Promise<CancelReservationPayload> {
    const cols = ctx.write.collections;
    const partnerId = ctx.caller.partner._id;
    const plan = await reservationPlan(ctx, {
      kind: 'cancel_reservation',
      reservationId: input.reservationId,
      what: 'cancel a reservation',
      // RES-REFUND-CAP: the customer's cap document, read under the customer's lock and written version-conditionally.
      loadExtra: (r): Promise<RefundCapDoc | null> => cols.refundCaps.findOne({ _id: r.customerId, partnerId }),
      decide: (l) => decideCancelReservation({ reservation: l.reservation, refundCap: l.extra, actor: ctx.caller, now: l.now }),
    });
    const result = await runMutation(ctx, plan, input);
    const id = parseId('reservation', input.reservationId, 'input.reservationId');
    return mutationPayload(input, result, {
      refused: async () => ({ ...NO_REFUND, reservation: await ctx.loaders.reservationById.load(id) }),
      accepted: async (o) => ({ ...refundFields(o), reservation: await ctx.loaders.reservationById.load(id), summary: o.summary }),
    });
  }
}
