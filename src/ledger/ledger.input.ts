import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: "Filters on a customer's ledger; all given filters must match." })
export class LedgerFilter {
  @Field(() => Date, { nullable: true, description: 'Only entries at or after this instant (inclusive).' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only entries before this instant (exclusive).' })
  to?: Date | null;

  @Field(() => ID, { nullable: true, description: 'Only entries caused by this subscription (or add-on).' })
  subscriptionId?: string | null;
}
