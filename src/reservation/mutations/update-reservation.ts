import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { decideUpdateReservation } from '../../policy/reservation.js';
import type { Context } from '../../shared/context.js';
import { ReservationChangePayload } from '../reservation-payload.types.js';
import { UpdateReservationInput } from '../reservation.input.js';
import { changeReservation } from './change.js';
import { none, reservationPlan, scopeOf } from './reservation-plan.js';

@Resolver()
export class UpdateReservationMutation {
  @Mutation(() => ReservationChangePayload, {
    description: "RES-MANAGE: change a reservation's scope and/or its associated Azure subscription (ROLE-RESERVATIONS).",
  })
  async updateReservation(
    @Arg('input', () => UpdateReservationInput) input: UpdateReservationInput,
    @Ctx() ctx: Context,
  ): Promise<ReservationChangePayload> {
    const plan = await reservationPlan(ctx, {
      kind: 'update_reservation',
      reservationId: input.reservationId,
      what: 'change a reservation',
      loadExtra: none,
      decide: (l) =>
        decideUpdateReservation({
          reservation: l.reservation,
          patch: { scope: input.scope ? scopeOf(input.scope) : null, azureSubscriptionId: input.azureSubscriptionId ?? null },
          actor: ctx.caller,
          now: l.now,
        }),
    });
    return changeReservation(ctx, input, plan);
  }
}
