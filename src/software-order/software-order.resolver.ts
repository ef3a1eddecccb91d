import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { CustomerDoc, OfferDoc, SoftwareOrderDoc } from '../db/documents.js';
import { Customer } from '../customer/customer.type.js';
import { Offer } from '../offer/offer.type.js';
import type { Context } from '../shared/context.js';
import { parseId } from '../shared/ids.js';
import { Money, money } from '../shared/money.type.js';
import { SoftwareOrder } from './software-order.type.js';

@Resolver(() => SoftwareOrder)
export class SoftwareOrderResolver {
  @Query(() => SoftwareOrder, { description: 'One software order of one of your customers, by order ID.' })
  softwareOrder(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<SoftwareOrderDoc> {
    return ctx.loaders.softwareOrderById.load(parseId('software order', id));
  }

  @FieldResolver(() => Customer)
  customer(@Root() order: SoftwareOrderDoc, @Ctx() ctx: Context): Promise<CustomerDoc> {
    return ctx.loaders.customerById.load(order.customerId);
  }

  @FieldResolver(() => Offer)
  offer(@Root() order: SoftwareOrderDoc, @Ctx() ctx: Context): Promise<OfferDoc> {
    return ctx.loaders.offerById.load(order.offerId);
  }

  @FieldResolver(() => Money)
  amount(@Root() order: SoftwareOrderDoc): Money {
    return money(order.amountCents, order.currency);
  }
}
