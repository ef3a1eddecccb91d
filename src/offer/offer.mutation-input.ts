import { Field, ID, InputType, Int } from 'type-graphql';
import {
  BillingCycleEnum,
  BillingTypeEnum,
  CommerceTypeEnum,
  CustomerSegmentEnum,
  OfferCategoryEnum,
  PublisherEnum,
  ReservationTypeEnum,
  SoftwareKindEnum,
  TermDurationEnum,
} from '../shared/enums.js';
import { MoneyInput } from '../shared/money.type.js';

@InputType({ description: 'A way to buy the new offer: billing frequency, term and the price of one unit for one whole term.' })
export class OfferPlanInput {
  @Field(() => BillingCycleEnum)
  billingCycle!: BillingCycleEnum;

  @Field(() => TermDurationEnum)
  termDuration!: TermDurationEnum;

  @Field(() => MoneyInput, { description: 'Integer cents, at least 0; every plan of an offer in one currency.' })
  price!: MoneyInput;
}

@InputType({ description: 'A free trial (CAT-TRIAL): its length and the paid offer it converts to.' })
export class OfferTrialInput {
  @Field(() => Int, { description: '1 to 90 days.' })
  days!: number;

  @Field(() => ID, { description: 'A paid base offer of the same commerce type in your catalog (global or your sandbox’s).' })
  convertsToOfferId!: string;
}

@InputType({
  description:
    'A test sandbox\'s own offer (docs/sandboxes.md, "Building the scenario"), seen by that sandbox only. The same validation as the seeded catalog: the plans, product type and publisher its commerce type has there.',
})
export class CreateOfferInput {
  @Field({ description: '1 to 250 characters.' })
  name!: string;

  @Field({ defaultValue: '', description: 'At most 2000 characters.' })
  description!: string;

  @Field(() => CommerceTypeEnum)
  commerceType!: CommerceTypeEnum;

  @Field(() => String, {
    nullable: true,
    description: "Partner Center productType.id; default the commerce type's (OnlineServicesNCE, OnlineServices, SaaS, Software, Azure).",
  })
  productType?: string | null;

  @Field(() => PublisherEnum, { defaultValue: PublisherEnum.MICROSOFT, description: 'ISV for marketplace offers.' })
  publisher!: PublisherEnum;

  @Field(() => BillingTypeEnum, { defaultValue: BillingTypeEnum.LICENSE, description: 'USAGE for reservations and metered offers.' })
  billingType!: BillingTypeEnum;

  @Field(() => OfferCategoryEnum, { nullable: true, description: 'Default TRIAL for a trial, else ENTERPRISE.' })
  category?: OfferCategoryEnum | null;

  @Field(() => [CustomerSegmentEnum], {
    defaultValue: [CustomerSegmentEnum.COMMERCIAL],
    description: 'Segments it is sold to (CAT-FILTER).',
  })
  segments!: CustomerSegmentEnum[];

  @Field(() => [String], {
    nullable: true,
    description: 'Billing countries served, ISO 3166-1 alpha-2 (CAT-UNAVAILABLE, RES-MARKETS); null or absent: every country.',
  })
  markets?: string[] | null;

  @Field(() => [OfferPlanInput])
  billingPlans!: OfferPlanInput[];

  @Field(() => OfferTrialInput, { nullable: true })
  trial?: OfferTrialInput | null;

  @Field(() => [ID], {
    defaultValue: [],
    description:
      'Makes the offer an add-on (ADDON-NOT-CATALOG) of these base offers (ADDON-ELIGIBLE); it must sell every plan of each (ADDON-ALIGN).',
  })
  addOnBaseOfferIds!: string[];

  @Field(() => [ID], { defaultValue: [], description: 'Offers it may be upgraded to (UPG-ELIGIBLE), of its commerce type.' })
  upgradeTargetIds!: string[];

  @Field({ defaultValue: false, description: 'CAT-ONE-PER-CUSTOMER.' })
  onePerCustomer!: boolean;

  @Field(() => Int, { defaultValue: 1 })
  minQuantity!: number;

  @Field(() => Int, { defaultValue: 10_000, description: 'At most 100000.' })
  maxQuantity!: number;

  @Field(() => SoftwareKindEnum, { nullable: true, description: 'Software offers only, and required for them.' })
  softwareKind?: SoftwareKindEnum | null;

  @Field(() => ReservationTypeEnum, { nullable: true, description: 'Reservations only, and required for them.' })
  reservationType?: ReservationTypeEnum | null;

  @Field({ defaultValue: false, description: 'Quote only: decide and show the outcome without changing anything.' })
  dryRun!: boolean;
}
