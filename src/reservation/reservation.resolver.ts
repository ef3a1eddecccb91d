import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { CustomerDoc, OfferDoc, ReservationDoc } from '../db/documents.js';
import { Customer } from '../customer/customer.type.js';
import { Offer } from '../offer/offer.type.js';
import { decideCancelReservation, reservationAllowedActions, type ReservationActionAvailability } from '../policy/reservation.js';
import type { Context } from '../shared/context.js';
import { ReservationStatusEnum } from '../shared/enums.js';
import { parseId } from '../shared/ids.js';
import { Money, money } from '../shared/money.type.js';
import { NO_REFUND, refundFields, ReservationAllowedAction, ReservationRefundQuote } from './reservation-rules.type.js';
import { Reservation, ReservationBillingPlanEnum } from './reservation.type.js';

@Resolver(() => Reservation)
export class ReservationResolver {
  @Query(() => Reservation, {
    nullable: true,
    description: 'One Azure reservation of one of your customers; null with a NOT_FOUND error for an unknown ID.',
  })
  reservation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ReservationDoc> {
    return ctx.loaders.reservationById.load(parseId('reservation', id));
  }

  @FieldResolver(() => Customer, {
    nullable: true,
    description: 'The customer it was bought for; null with an error if it cannot be read.',
  })
  customer(@Root() reservation: ReservationDoc, @Ctx() ctx: Context): Promise<CustomerDoc> {
    return ctx.loaders.customerById.load(reservation.customerId);
  }

  @FieldResolver(() => Offer, { nullable: true, description: 'The catalog offer bought; null with an error if it cannot be read.' })
  offer(@Root() reservation: ReservationDoc, @Ctx() ctx: Context): Promise<OfferDoc> {
    return ctx.loaders.offerById.load(reservation.offerId);
  }

  @FieldResolver(() => Money, { description: 'Total commitment for the whole term.' })
  price(@Root() reservation: ReservationDoc): Money {
    return money(reservation.priceCents, reservation.currency);
  }

  @FieldResolver(() => ReservationStatusEnum, {
    description: 'ACTIVE, CANCELLED, EXCHANGED, or EXPIRED (also once the simulation clock has passed its expiry).',
  })
  async status(@Root() reservation: ReservationDoc, @Ctx() ctx: Context): Promise<ReservationDoc['status']> {
    if (reservation.status !== 'active') return reservation.status;
    return (await ctx.now()).getTime() >= reservation.expiryDateTime.getTime() ? 'expired' : 'active';
  }

  @FieldResolver(() => ReservationBillingPlanEnum, { description: 'How the commitment is paid: upfront, or in monthly instalments.' })
  billingPlan(@Root() reservation: ReservationDoc): string {
    return reservation.billingPlan ?? 'upfront';
  }

  @FieldResolver(() => [ReservationAllowedAction], {
    description:
      'Every action on it (cancel, exchange, update scope), allowed or not, with the rule and reason when not; the same decisions the mutations make, at the simulation clock.',
  })
  async allowedActions(@Root() reservation: ReservationDoc, @Ctx() ctx: Context): Promise<ReservationActionAvailability[]> {
    const [refundCap, now] = await Promise.all([ctx.loaders.refundCapByCustomerId.load(reservation.customerId), ctx.now()]);
    return reservationAllowedActions({ reservation, refundCap, actor: ctx.caller, now });
  }

  @FieldResolver(() => ReservationRefundQuote, {
    description: 'What cancelling it now would refund to the partner (RES-REFUND-TABLE, RES-REFUND-CAP), without changing anything.',
  })
  async refundQuote(@Root() reservation: ReservationDoc, @Ctx() ctx: Context): Promise<ReservationRefundQuote> {
    const [refundCap, now] = await Promise.all([ctx.loaders.refundCapByCustomerId.load(reservation.customerId), ctx.now()]);
    const d = decideCancelReservation({ reservation, refundCap, actor: ctx.caller, now });
    if (!d.allowed) return { ...NO_REFUND, allowed: false, rule: d.rule, code: d.code, reason: d.message };
    return { ...refundFields(d), allowed: true, code: null, reason: null };
  }
}
