import { Field, ID, ObjectType } from 'type-graphql';
import { SubscriptionFields } from '../subscription/subscription.type.js';

@ObjectType({ description: 'An add-on subscription, bought for a base subscription and ending with its term (ADDON-ALIGN).' })
export class AddOn extends SubscriptionFields {
  @Field(() => ID)
  parentSubscriptionId!: string;
}
