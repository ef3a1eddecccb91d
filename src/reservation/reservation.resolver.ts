import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { CustomerDoc, OfferDoc, ReservationDoc } from '../db/documents.js';
import { Customer } from '../customer/customer.type.js';
import { Offer } from '../offer/offer.type.js';
import type { Context } from '../shared/context.js';
import { parseId } from '../shared/ids.js';
import { Money, money } from '../shared/money.type.js';
import { Reservation } from './reservation.type.js';

@Resolver(() => Reservation)
export class ReservationResolver {
  @Query(() => Reservation, { description: 'One Azure reservation of one of your customers.' })
  reservation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ReservationDoc> {
    return ctx.loaders.reservationById.load(parseId('reservation', id));
  }

  @FieldResolver(() => Customer)
  customer(@Root() reservation: ReservationDoc, @Ctx() ctx: Context): Promise<CustomerDoc> {
    return ctx.loaders.customerById.load(reservation.customerId);
  }

  @FieldResolver(() => Offer)
  offer(@Root() reservation: ReservationDoc, @Ctx() ctx: Context): Promise<OfferDoc> {
    return ctx.loaders.offerById.load(reservation.offerId);
  }

  @FieldResolver(() => Money, { description: 'Total commitment for the whole term.' })
  price(@Root() reservation: ReservationDoc): Money {
    return money(reservation.priceCents, reservation.currency);
  }
}
