import { Field, InputType } from 'type-graphql';
import { BillingTypeEnum, CommerceTypeEnum, CustomerSegmentEnum, OfferCategoryEnum, PublisherEnum } from '../shared/enums.js';

@InputType({ description: 'Catalog filters (CAT-FILTER); all given filters must match, a list matches any of its values.' })
export class OfferFilter {
  @Field(() => [PublisherEnum], { nullable: true })
  publisher?: PublisherEnum[] | null;

  @Field(() => [BillingTypeEnum], { nullable: true })
  billingType?: BillingTypeEnum[] | null;

  @Field(() => [OfferCategoryEnum], { nullable: true })
  category?: OfferCategoryEnum[] | null;

  @Field(() => [CommerceTypeEnum], { nullable: true })
  commerceType?: CommerceTypeEnum[] | null;

  @Field(() => [CustomerSegmentEnum], { nullable: true, description: 'Only offers sold to one of these segments.' })
  segment?: CustomerSegmentEnum[] | null;
}
