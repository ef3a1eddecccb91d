import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { CustomerDoc, OfferDoc, OrderDoc, OrderLineItem as OrderLineItemDoc, SubscriptionDoc } from '../db/documents.js';
import { Customer } from '../customer/customer.type.js';
import { Offer } from '../offer/offer.type.js';
import { Subscription } from '../subscription/subscription.type.js';
import { canViewMarketplace } from '../policy/roles.js';
import type { Context } from '../shared/context.js';
import { parseId } from '../shared/ids.js';
import { Money, money } from '../shared/money.type.js';
import { Order, OrderLineItem } from './order.type.js';
import { assertMayRead, mayRead } from '../shared/authorization.js';

@Resolver(() => Order)
export class OrderResolver {
  @Query(() => Order, { nullable: true, description: 'One order of one of your customers; null with a NOT_FOUND error for an unknown ID.' })
  order(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<OrderDoc> {
    return ctx.loaders.orderById.load(parseId('order', id));
  }

  @FieldResolver(() => Customer, {
    nullable: true,
    description: 'The customer it was placed for; null with an error if it cannot be read.',
  })
  customer(@Root() order: OrderDoc, @Ctx() ctx: Context): Promise<CustomerDoc> {
    return ctx.loaders.customerById.load(order.customerId);
  }

  @FieldResolver(() => [OrderLineItem], {
    description:
      'The lines of the order; marketplace (ISV) lines only for global admins and admin agents (ROLE-MARKETPLACE), as the subscriptions they created.',
  })
  async lineItems(@Root() order: OrderDoc, @Ctx() ctx: Context): Promise<(OrderLineItemDoc & { currency: string })[]> {
    const lines = order.lineItems.map((line) => ({ ...line, currency: order.currencyCode }));
    if (mayRead(ctx.caller, 'Order.lineItems(publisher: isv)')) return lines;
    // ROLE-MARKETPLACE: a marketplace line is left out, as connections leave out the marketplace
    // subscription it created (its offer, product type and subscription ID would tell it); the
    // order's own fields stay. A line whose offer cannot be read stays: nothing shows it is a
    // marketplace one, and its `offer` field answers the error (partial results).
    const offers = await ctx.loaders.offerById.loadMany(lines.map((line) => line.offerId));
    return lines.filter((_, i) => (offers[i] as Partial<OfferDoc>).publisher !== 'isv');
  }

  @FieldResolver(() => Money)
  totalPrice(@Root() order: OrderDoc): Money {
    return money(order.totalPriceCents, order.currencyCode);
  }
}

@Resolver(() => OrderLineItem)
export class OrderLineItemResolver {
  @FieldResolver(() => Offer, { nullable: true, description: 'The catalog offer bought; null with an error if it cannot be read.' })
  offer(@Root() line: OrderLineItemDoc, @Ctx() ctx: Context): Promise<OfferDoc> {
    return ctx.loaders.offerById.load(line.offerId);
  }

  @FieldResolver(() => Subscription, {
    nullable: true,
    description: 'The subscription the line created, if any. A marketplace one needs ROLE-MARKETPLACE (else FORBIDDEN at this field).',
  })
  async subscription(@Root() line: OrderLineItemDoc, @Ctx() ctx: Context): Promise<SubscriptionDoc | null> {
    if (!line.subscriptionId) return null;
    const sub = await ctx.loaders.subscriptionById.load(line.subscriptionId);
    if (sub.publisher === 'isv') assertMayRead(ctx.caller, 'OrderLineItem.subscription(publisher: isv)');
    return sub;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "CAT-ISV-LINK: for a marketplace SaaS line, the publisher's personalised activation link; global admins and admin agents only (ROLE-MARKETPLACE).",
  })
  async activationLink(@Root() line: OrderLineItemDoc, @Ctx() ctx: Context): Promise<string | null> {
    if (!line.subscriptionId || !canViewMarketplace(ctx.caller)) return null;
    const sub = await ctx.loaders.subscriptionById.load(line.subscriptionId);
    return sub.fulfilment?.activationLink ?? null;
  }

  @FieldResolver(() => Money)
  unitPrice(@Root() line: OrderLineItemDoc & { currency: string }): Money {
    return money(line.unitPriceCents, line.currency);
  }

  @FieldResolver(() => Money)
  totalPrice(@Root() line: OrderLineItemDoc & { currency: string }): Money {
    return money(line.totalPriceCents, line.currency);
  }
}
