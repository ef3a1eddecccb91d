/** What updateReservation and setReservationUtilization share: running the change and its payload. */
import { mutationPayload, runMutation } from '../../mutation/run-mutation.js';
import type { ReservationChangeOutcome } from '../../policy/reservation.js';
import type { Context } from '../../shared/context.js';
import { parseId } from '../../shared/ids.js';
import type { OperationPlan } from '../../write/run-operation.js';
import type { ReservationChangePayload } from '../reservation-payload.types.js';
import type { ReservationLoaded } from './reservation-plan.js';

export async function changeReservation(
  ctx: Context,
  input: { reservationId: string; dryRun: boolean },
  plan: OperationPlan<ReservationLoaded<null>, ReservationChangeOutcome>,
): Promise<ReservationChangePayload> {
  const result = await runMutation(ctx, plan, input);
  const id = parseId('reservation', input.reservationId, 'input.reservationId');
  return mutationPayload(input, result, {
    refused: async () => ({ reservation: await ctx.loaders.reservationById.load(id) }),
    accepted: async (o, applied) => ({
      reservation: applied ? await ctx.loaders.reservationById.load(id) : o.reservation,
      summary: o.summary,
    }),
  });
}
