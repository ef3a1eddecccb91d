import { Field, ID, InputType } from 'type-graphql';
import { BillingCycleEnum, CommerceTypeEnum, SubscriptionStatusEnum } from '../shared/enums.js';

@InputType({ description: 'Filters on subscriptions; all given filters must match, a list matches any of its values.' })
export class SubscriptionFilter {
  @Field(() => [SubscriptionStatusEnum], { nullable: true })
  status?: SubscriptionStatusEnum[] | null;

  @Field(() => [ID], { nullable: true, description: 'Catalog item IDs.' })
  offerId?: string[] | null;

  @Field(() => [CommerceTypeEnum], { nullable: true })
  commerceType?: CommerceTypeEnum[] | null;

  @Field(() => [BillingCycleEnum], { nullable: true })
  billingCycle?: BillingCycleEnum[] | null;

  @Field(() => Boolean, { nullable: true })
  autoRenewEnabled?: boolean | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Only subscriptions whose term ends strictly before this instant; a bare date (2026-12-01) is its start in UTC.',
  })
  expiringBefore?: Date | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Case-insensitive prefix of the customer company name or domain (top-level subscriptions only); at most 200 characters. Empty or blank means no search (an empty search box).',
  })
  customerSearch?: string | null;
}
