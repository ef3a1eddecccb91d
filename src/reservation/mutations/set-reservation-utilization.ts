import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { decideSetReservationUtilization } from '../../policy/reservation.js';
import type { Context } from '../../shared/context.js';
import { ReservationChangePayload } from '../reservation-payload.types.js';
import { SetReservationUtilizationInput } from '../reservation.input.js';
import { changeReservation } from './change.js';
import { none, reservationPlan } from './reservation-plan.js';

@Resolver()
export class SetReservationUtilizationMutation {
  @Mutation(() => ReservationChangePayload, {
    description:
      "Simulation: Azure's utilisation report for a reservation (0 to 100); any utilisation above 0 marks it used, which RES-REFUND-TABLE distinguishes.",
  })
  async setReservationUtilization(
    @Arg('input', () => SetReservationUtilizationInput) input: SetReservationUtilizationInput,
    @Ctx() ctx: Context,
  ): Promise<ReservationChangePayload> {
    const plan = await reservationPlan(ctx, {
      kind: 'update_reservation',
      reservationId: input.reservationId,
      what: 'report reservation utilisation',
      loadExtra: none,
      decide: (l) =>
        decideSetReservationUtilization({
          reservation: l.reservation,
          utilizationPercent: input.utilizationPercent,
          actor: ctx.caller,
          now: l.now,
        }),
    });
    return changeReservation(ctx, input, plan);
  }
}
