import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { CustomerDoc, OfferDoc, RefundCapDoc, ReservationDoc } from '../db/documents.js';
import { customerOfferPlan } from '../mutation/customer-offer-plan.js';
import { loadCustomer, loadOffer } from '../mutation/load.js';
import { forbidden, runMutation } from '../mutation/run-mutation.js';
import type { Decision } from '../policy/decision.js';
import type { Effect, IdSource } from '../policy/effects.js';
import {
  decideCancelReservation,
  decideExchangeReservation,
  decidePurchaseReservation,
  decideSetReservationUtilization,
  decideUpdateReservation,
  type ReservationChangeOutcome,
  type ReservationScopeInput as ScopeInput,
} from '../policy/reservation.js';
import { checkRole } from '../policy/roles.js';
import type { Context } from '../shared/context.js';
import { notFound } from '../shared/errors.js';
import { parseId } from '../shared/ids.js';
import { money } from '../shared/money.type.js';
import type { OperationPlan } from '../write/run-operation.js';
import {
  CancelReservationPayload,
  ExchangeReservationPayload,
  PurchaseReservationPayload,
  ReservationChangePayload,
} from './reservation-payload.types.js';
import { NO_REFUND, refundFields } from './reservation-rules.type.js';
import {
  CancelReservationInput,
  ExchangeReservationInput,
  PurchaseReservationInput,
  ReservationScopeInput,
  SetReservationUtilizationInput,
  UpdateReservationInput,
} from './reservation.input.js';

/** A reservation read afresh for the write path (never a request cache), scoped to the caller's partner (ROLE-TENANT). */
async function loadReservation(ctx: Context, id: string): Promise<ReservationDoc> {
  const doc = await ctx.write.collections.reservations.findOne({ _id: id, partnerId: ctx.caller.partner._id });
  if (!doc) throw notFound('reservation', id);
  return doc;
}

function scopeOf(scope: ReservationScopeInput): ScopeInput {
  return {
    type: scope.type as ScopeInput['type'],
    subscriptionId: scope.subscriptionId ?? null,
    resourceGroupId: scope.resourceGroupId ?? null,
    managementGroupId: scope.managementGroupId ?? null,
  };
}

interface ReservationLoaded<X> {
  /** The partner's simulation instant, read under the customer's lock (GEN-CLOCK). */
  now: Date;
  reservation: ReservationDoc;
  extra: X;
}

/**
 * The plan shared by changes to one reservation: find it (NOT_FOUND) and check ROLE-RESERVATIONS
 * before any lock (FORBIDDEN), then, under its customer's lock, load it and what else the decision
 * needs afresh on every attempt, and decide.
 */
async function reservationPlan<R extends object, X>(
  ctx: Context,
  kind: string,
  rawId: string,
  what: string,
  loadExtra: (reservation: ReservationDoc) => Promise<X>,
  decide: (loaded: ReservationLoaded<X>, ids: IdSource) => Decision<R & { effects: Effect[] }>,
): Promise<OperationPlan<ReservationLoaded<X>, R>> {
  const id = parseId('reservation', rawId, 'input.reservationId');
  const first = await loadReservation(ctx, id);
  const role = checkRole(ctx.caller, 'ROLE-RESERVATIONS', what);
  if (role) throw forbidden(role);
  return {
    kind,
    partnerId: ctx.caller.partner._id,
    customerId: first.customerId,
    at: (loaded) => loaded.now,
    load: async () => {
      const now = await ctx.readClock();
      const reservation = await loadReservation(ctx, id);
      return { now, reservation, extra: await loadExtra(reservation) };
    },
    decide,
  };
}

const none = async () => null;

/**
 * Azure reservations (RES-*): buy (ROLE-SOFTWARE), change scope or Azure subscription, cancel for a
 * refund, exchange (ROLE-RESERVATIONS), and the simulation's utilisation report. Role refusals are
 * FORBIDDEN, other refusals come back as `userErrors`; every input takes `dryRun`.
 */
@Resolver()
export class ReservationMutationResolver {
  @Mutation(() => PurchaseReservationPayload, {
    description: 'Buy an Azure reservation for a customer (RES-MARKETS, PRICE-TAX; ROLE-SOFTWARE), or with dryRun review it.',
  })
  async purchaseReservation(
    @Arg('input', () => PurchaseReservationInput) input: PurchaseReservationInput,
    @Ctx() ctx: Context,
  ): Promise<PurchaseReservationPayload> {
    const role = checkRole(ctx.caller, 'ROLE-SOFTWARE', 'buy Azure reservations');
    if (role) throw forbidden(role);
    const customerId = parseId('customer', input.customerId, 'input.customerId');
    const offerId = parseId('offer', input.offerId, 'input.offerId');
    const result = await runMutation(
      ctx,
      customerOfferPlan(ctx, 'create_order', customerId, offerId, (l, ids) =>
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
      ),
      input,
    );
    const empty = {
      reservation: null,
      order: null,
      price: null,
      chargedNow: null,
      pricesIncludeTax: null,
      operationId: null,
      summary: null,
    };
    if (!result.ok) return { ...empty, dryRun: input.dryRun, userErrors: result.userErrors };
    const o = result.outcome;
    const applied = !result.dryRun;
    return {
      reservation: applied ? await ctx.loaders.reservationById.load(o.reservation._id) : o.reservation,
      order: applied ? await ctx.loaders.orderById.load(o.orderId) : null,
      price: money(o.priceCents, o.currency),
      chargedNow: money(o.chargedNowCents, o.currency),
      pricesIncludeTax: o.pricesIncludeTax,
      summary: o.summary,
      dryRun: result.dryRun,
      operationId: result.operationId,
      userErrors: [],
    };
  }

  @Mutation(() => ReservationChangePayload, {
    description: "RES-MANAGE: change a reservation's scope and/or its associated Azure subscription (ROLE-RESERVATIONS).",
  })
  async updateReservation(
    @Arg('input', () => UpdateReservationInput) input: UpdateReservationInput,
    @Ctx() ctx: Context,
  ): Promise<ReservationChangePayload> {
    const plan = await reservationPlan(ctx, 'update_reservation', input.reservationId, 'change a reservation', none, (l) =>
      decideUpdateReservation({
        reservation: l.reservation,
        patch: { scope: input.scope ? scopeOf(input.scope) : null, azureSubscriptionId: input.azureSubscriptionId ?? null },
        actor: ctx.caller,
        now: l.now,
      }),
    );
    return this.change(ctx, input, plan);
  }

  @Mutation(() => ReservationChangePayload, {
    description:
      "Simulation: Azure's utilisation report for a reservation (0 to 100); any utilisation above 0 marks it used, which RES-REFUND-TABLE distinguishes.",
  })
  async setReservationUtilization(
    @Arg('input', () => SetReservationUtilizationInput) input: SetReservationUtilizationInput,
    @Ctx() ctx: Context,
  ): Promise<ReservationChangePayload> {
    const plan = await reservationPlan(ctx, 'update_reservation', input.reservationId, 'report reservation utilisation', none, (l) =>
      decideSetReservationUtilization({
        reservation: l.reservation,
        utilizationPercent: input.utilizationPercent,
        actor: ctx.caller,
        now: l.now,
      }),
    );
    return this.change(ctx, input, plan);
  }

  private async change(
    ctx: Context,
    input: { reservationId: string; dryRun: boolean },
    plan: OperationPlan<ReservationLoaded<null>, ReservationChangeOutcome>,
  ): Promise<ReservationChangePayload> {
    const result = await runMutation(ctx, plan, input);
    const id = parseId('reservation', input.reservationId, 'input.reservationId');
    if (!result.ok) {
      return {
        reservation: await ctx.loaders.reservationById.load(id),
        dryRun: input.dryRun,
        operationId: null,
        summary: null,
        userErrors: result.userErrors,
      };
    }
    const o = result.outcome;
    return {
      reservation: result.dryRun ? o.reservation : await ctx.loaders.reservationById.load(id),
      summary: o.summary,
      dryRun: result.dryRun,
      operationId: result.operationId,
      userErrors: [],
    };
  }

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
    const plan = await reservationPlan(
      ctx,
      'cancel_reservation',
      input.reservationId,
      'cancel a reservation',
      // RES-REFUND-CAP: the customer's cap document, read under the customer's lock and written version-conditionally.
      (r): Promise<RefundCapDoc | null> => cols.refundCaps.findOne({ _id: r.customerId, partnerId }),
      (l) => decideCancelReservation({ reservation: l.reservation, refundCap: l.extra, actor: ctx.caller, now: l.now }),
    );
    const result = await runMutation(ctx, plan, input);
    const id = parseId('reservation', input.reservationId, 'input.reservationId');
    if (!result.ok) {
      return {
        ...NO_REFUND,
        reservation: await ctx.loaders.reservationById.load(id),
        dryRun: input.dryRun,
        operationId: null,
        summary: null,
        userErrors: result.userErrors,
      };
    }
    const o = result.outcome;
    return {
      ...refundFields(o),
      reservation: await ctx.loaders.reservationById.load(id),
      summary: o.summary,
      dryRun: result.dryRun,
      operationId: result.operationId,
      userErrors: [],
    };
  }

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
    const plan = await reservationPlan(
      ctx,
      'exchange_reservation',
      input.reservationId,
      'exchange a reservation',
      async (r): Promise<{ customer: CustomerDoc; offer: OfferDoc }> => {
        const [customer, offer] = await Promise.all([loadCustomer(cols, partnerId, r.customerId), loadOffer(cols, offerId)]);
        return { customer, offer };
      },
      (l, ids) => {
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
    );
    const result = await runMutation(ctx, plan, input);
    const id = parseId('reservation', input.reservationId, 'input.reservationId');
    const empty = {
      reservation: null,
      order: null,
      credit: null,
      newPrice: null,
      difference: null,
      creditedTo: null,
      pricesIncludeTax: null,
      operationId: null,
      summary: null,
    };
    if (!result.ok) {
      return {
        ...empty,
        returnedReservation: await ctx.loaders.reservationById.load(id),
        dryRun: input.dryRun,
        userErrors: result.userErrors,
      };
    }
    const o = result.outcome;
    const applied = !result.dryRun;
    return {
      returnedReservation: await ctx.loaders.reservationById.load(id),
      reservation: applied ? await ctx.loaders.reservationById.load(o.reservation._id) : o.reservation,
      order: applied ? await ctx.loaders.orderById.load(o.orderId) : null,
      credit: money(o.creditCents, o.currency),
      newPrice: money(o.newPriceCents, o.currency),
      difference: money(o.differenceCents, o.currency),
      creditedTo: 'partner',
      pricesIncludeTax: o.pricesIncludeTax,
      summary: o.summary,
      dryRun: result.dryRun,
      operationId: result.operationId,
      userErrors: [],
    };
  }
}
