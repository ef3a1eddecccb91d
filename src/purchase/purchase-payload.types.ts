import { Field, ObjectType } from 'type-graphql';
import type { OrderDoc, SubscriptionDoc } from '../db/documents.js';
import { AddOn } from '../addon/addon.type.js';
import { MutationPayload } from '../mutation/payload.types.js';
import { Order } from '../order/order.type.js';
import { Money } from '../shared/money.type.js';
import { Subscription } from '../subscription/subscription.type.js';

@ObjectType({ description: 'The result of buying a cart (CAT-CART).' })
export class PurchasePayload extends MutationPayload {
  @Field(() => Order, { nullable: true })
  order!: OrderDoc | null;

  @Field(() => [Subscription])
  subscriptions!: SubscriptionDoc[];

  @Field(() => Money, { nullable: true })
  total!: Money | null;

  @Field(() => Boolean, { nullable: true, description: 'PRICE-TAX: prices include tax (customers billed in Australia or Brazil).' })
  pricesIncludeTax!: boolean | null;
}

@ObjectType({ description: 'The result of buying an add-on (ADDON-*).' })
export class PurchaseAddOnPayload extends MutationPayload {
  @Field(() => AddOn, { nullable: true })
  addOn!: SubscriptionDoc | null;

  @Field(() => Order, { nullable: true })
  order!: OrderDoc | null;

  @Field(() => Money, { nullable: true, description: 'The prorated first charge (ADDON-ALIGN).' })
  charge!: Money | null;
}
