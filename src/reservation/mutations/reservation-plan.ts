/** What the reservation mutations share: the fresh read, the scope input, and the plan of a change to one reservation. */
import type { ReservationDoc } from '../../db/documents.js';
import type { Decision } from '../../policy/decision.js';
import type { Effect, IdSource } from '../../policy/effects.js';
import type { ReservationScopeInput as ScopeInput } from '../../policy/reservation.js';
import { checkRole } from '../../policy/roles.js';
import type { Context } from '../../shared/context.js';
import { notFound, forbidden } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import type { OperationPlan } from '../../write/run-operation.js';
import type { ReservationScopeInput } from '../reservation.input.js';

/** A reservation read afresh for the write path (never a request cache), scoped to the caller's partner (ROLE-TENANT). */
export async function loadReservation(ctx: Context, id: string): Promise<ReservationDoc> {
  const doc = await ctx.write.collections.reservations.findOne({ _id: id, partnerId: ctx.caller.partner._id });
  if (!doc) throw notFound('reservation', id);
  return doc;
}

export function scopeOf(scope: ReservationScopeInput): ScopeInput {
  return {
    type: scope.type as ScopeInput['type'],
    subscriptionId: scope.subscriptionId ?? null,
    resourceGroupId: scope.resourceGroupId ?? null,
    managementGroupId: scope.managementGroupId ?? null,
  };
}

export interface ReservationLoaded<X> {
  /** The partner's simulation instant, read under the customer's lock (GEN-CLOCK). */
  now: Date;
  reservation: ReservationDoc;
  extra: X;
}

export const none = async () => null;

/**
 * The plan shared by changes to one reservation: find it (NOT_FOUND) and check ROLE-RESERVATIONS
 * before any lock (FORBIDDEN), then, under its customer's lock, load it and what else the decision
 * needs afresh on every attempt, and decide.
 */
export async function reservationPlan<R extends object, X>(
  ctx: Context,
  step: {
    kind: string;
    reservationId: string;
    /** What the caller asked to do, for a ROLE-RESERVATIONS refusal. */
    what: string;
    loadExtra: (reservation: ReservationDoc) => Promise<X>;
    decide: (loaded: ReservationLoaded<X>, ids: IdSource) => Decision<R & { effects: Effect[] }>;
  },
): Promise<OperationPlan<ReservationLoaded<X>, R>> {
  const id = parseId('reservation', step.reservationId, 'input.reservationId');
  const first = await loadReservation(ctx, id);
  const role = checkRole(ctx.caller, 'ROLE-RESERVATIONS', step.what);
  if (role) throw forbidden(role);
  return {
    kind: step.kind,
    partnerId: ctx.caller.partner._id,
    customerId: first.customerId,
    at: (loaded) => loaded.now,
    load: async () => {
      const now = await ctx.readClock();
      const reservation = await loadReservation(ctx, id);
      return { now, reservation, extra: await step.loadExtra(reservation) };
    },
    decide: step.decide,
  };
}
