import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { SoftwareOrderDoc } from '../db/documents.js';
import { ConnectionType } from '../shared/connection.type.js';
import { SoftwareKindEnum, SoftwareOrderStatusEnum } from '../shared/enums.js';

@ObjectType({ description: 'A software purchase (perpetual software or a software subscription), cancelled per order.' })
export class SoftwareOrder {
  @Field(() => ID, { name: 'id', description: 'The order ID (SW-CANCEL-PER-ORDER).' })
  _id!: string;

  @Field(() => ID)
  offerId!: string;

  @Field()
  productName!: string;

  @Field(() => SoftwareKindEnum)
  softwareKind!: SoftwareOrderDoc['softwareKind'];

  @Field(() => Int)
  quantity!: number;

  @Field(() => SoftwareOrderStatusEnum)
  status!: SoftwareOrderDoc['status'];

  @Field(() => Date, { name: 'purchaseDate' })
  purchasedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Software subscriptions: end of the current term; null for perpetual software.' })
  termEndDate!: Date | null;

  @Field(() => Date, { nullable: true, name: 'cancellationDate' })
  cancelledAt!: Date | null;

  @Field({ description: 'Prices include tax (SW-PRICE, PRICE-TAX).' })
  pricesIncludeTax!: boolean;
}

export const SoftwareOrderConnection = ConnectionType(SoftwareOrder, 'SoftwareOrder');
