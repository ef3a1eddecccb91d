import { Field, ID, InputType, Int } from 'type-graphql';
import { BillingCycleEnum, TermDurationEnum } from '../shared/enums.js';

@InputType({ description: 'CAT-CART: one line of a cart.' })
export class CartLineInput {
  @Field(() => ID, { description: "Catalog item ID, e.g. 'CFQ7TTC0LH18:0001'." })
  offerId!: string;

  @Field(() => Int, { defaultValue: 1, description: 'Licences (1 for usage-based offers).' })
  quantity!: number;

  @Field(() => BillingCycleEnum, { defaultValue: BillingCycleEnum.MONTHLY })
  billingCycle!: BillingCycleEnum;

  @Field(() => TermDurationEnum, { defaultValue: TermDurationEnum.P1Y })
  termDuration!: TermDurationEnum;

  @Field(() => String, {
    nullable: true,
    description: 'Nickname of the new subscription, at most 250 characters (SUB-EDIT); none or blank: the offer name.',
  })
  friendlyName?: string | null;
}

@InputType({ description: 'CAT-CART: a cart of line items, bought as one order or not at all.' })
export class PurchaseInput {
  @Field(() => ID)
  customerId!: string;

  @Field(() => [CartLineInput])
  lineItems!: CartLineInput[];

  @Field({ defaultValue: false, description: 'Review the cart (price, refusals) without buying.' })
  dryRun!: boolean;
}
