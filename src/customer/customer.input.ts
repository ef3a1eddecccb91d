import { Field, InputType } from 'type-graphql';
import { CustomerSegmentEnum } from '../shared/enums.js';

@InputType({ description: 'Filters on customers; all given filters must match, a list matches any of its values.' })
export class CustomerFilter {
  @Field(() => String, {
    nullable: true,
    description:
      "Case-insensitive prefix of the company name or the domain, as Partner Center's starts_with filter; at most 200 characters. Empty or blank means no search (an empty search box).",
  })
  search?: string | null;

  @Field(() => [CustomerSegmentEnum], { nullable: true })
  segment?: CustomerSegmentEnum[] | null;

  @Field(() => [String], { nullable: true, description: 'ISO 3166 alpha-2 billing countries.' })
  billingCountry?: string[] | null;
}
