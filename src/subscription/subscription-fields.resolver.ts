import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { CustomerDoc, OfferDoc, OrderDoc, SubscriptionDoc } from '../db/documents.js';
import { Customer } from '../customer/customer.type.js';
import { Offer } from '../offer/offer.type.js';
import { Order } from '../order/order.type.js';
import type { Context } from '../shared/context.js';
import { FulfilmentStatusEnum } from '../shared/enums.js';
import { Money, money } from '../shared/money.type.js';
import { SubscriptionFields } from './subscription.type.js';

/**
 * Field resolvers common to Subscription and AddOn, declared once on their shared base type;
 * both object types inherit them.
 */
@Resolver(() => SubscriptionFields)
export class SubscriptionFieldsResolver {
  @FieldResolver(() => Customer)
  customer(@Root() s: SubscriptionDoc, @Ctx() ctx: Context): Promise<CustomerDoc> {
    return ctx.loaders.customerById.load(s.customerId);
  }

  @FieldResolver(() => Offer)
  offer(@Root() s: SubscriptionDoc, @Ctx() ctx: Context): Promise<OfferDoc> {
    return ctx.loaders.offerById.load(s.offerId);
  }

  @FieldResolver(() => Order, { nullable: true, description: 'The order that created it.' })
  order(@Root() s: SubscriptionDoc, @Ctx() ctx: Context): Promise<OrderDoc> {
    return ctx.loaders.orderById.load(s.orderId);
  }

  @FieldResolver(() => Money, { description: 'Price of one unit for one term.' })
  unitPrice(@Root() s: SubscriptionDoc): Money {
    return money(s.unitPriceCents, s.currency);
  }

  @FieldResolver(() => String, { description: "Partner Center unitType: 'Licenses' or 'Usage-based'." })
  unitType(@Root() s: SubscriptionDoc): string {
    return s.billingType === 'usage' ? 'Usage-based' : 'Licenses';
  }

  @FieldResolver(() => Boolean)
  isMicrosoftProduct(@Root() s: SubscriptionDoc): boolean {
    return s.publisher === 'microsoft';
  }

  @FieldResolver(() => FulfilmentStatusEnum, {
    nullable: true,
    description: 'Marketplace SaaS only: whether the publisher has confirmed set-up (CAT-ISV-FULFILMENT).',
  })
  fulfilmentStatus(@Root() s: SubscriptionDoc): string | null {
    return s.fulfilment?.status ?? null;
  }

  @FieldResolver(() => Boolean, { description: 'True while a marketplace subscription awaits the publisher ("action needed").' })
  attentionNeeded(@Root() s: SubscriptionDoc): boolean {
    return s.fulfilment?.status === 'action_needed';
  }
}
