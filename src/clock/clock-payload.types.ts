import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One lifecycle event the clock advance applied.' })
export class LifecycleEventResult {
  @Field({ description: 'monthly_charge (BILL-MONTHLY), trial_conversion, renewal, term_end, scheduled_cancellation or data_deletion.' })
  kind!: string;

  @Field(() => ID)
  subscriptionId!: string;

  @Field(() => Date)
  at!: Date;

  @Field()
  summary!: string;
}

@ObjectType()
export class EventCount {
  @Field()
  kind!: string;

  @Field(() => Int)
  count!: number;
}
