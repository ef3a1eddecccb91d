import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { OrderDoc, OrderLineItem as OrderLineItemDoc } from '../db/documents.js';
import { ConnectionType } from '../shared/connection.type.js';
import { BillingCycleEnum, OrderStatusEnum, TermDurationEnum, TransactionTypeEnum } from '../shared/enums.js';

@ObjectType({ description: 'One line of an order.' })
export class OrderLineItem {
  @Field(() => Int)
  lineItemNumber!: number;

  @Field(() => ID)
  offerId!: string;

  @Field(() => ID, { nullable: true, description: 'The subscription the line created, once provisioned.' })
  subscriptionId!: string | null;

  @Field(() => ID, { nullable: true })
  reservationId!: string | null;

  @Field()
  friendlyName!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => BillingCycleEnum)
  billingCycle!: OrderLineItemDoc['billingCycle'];

  @Field(() => TermDurationEnum, { nullable: true })
  termDuration!: OrderLineItemDoc['termDuration'];

  @Field(() => TransactionTypeEnum)
  transactionType!: OrderLineItemDoc['transactionType'];
}

@ObjectType({ description: 'A purchase order, as Partner Center Order.' })
export class Order {
  @Field(() => ID, { name: 'id' })
  _id!: string;

  @Field(() => BillingCycleEnum)
  billingCycle!: OrderDoc['billingCycle'];

  @Field()
  currencyCode!: string;

  @Field(() => Date)
  creationDate!: Date;

  @Field(() => OrderStatusEnum)
  status!: OrderDoc['status'];

  @Field({ description: 'Prices include tax (customers in Australia and Brazil, PRICE-TAX).' })
  pricesIncludeTax!: boolean;
}

export const OrderConnection = ConnectionType(Order, 'Order');
