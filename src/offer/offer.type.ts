import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { OfferDoc } from '../db/documents.js';
import { ConnectionType } from '../shared/connection.type.js';
import {
  BillingCycleEnum,
  BillingTypeEnum,
  CommerceTypeEnum,
  CustomerSegmentEnum,
  OfferCategoryEnum,
  PublisherEnum,
  TermDurationEnum,
} from '../shared/enums.js';
import { Money } from '../shared/money.type.js';

@ObjectType({ description: 'A way to buy an offer: billing frequency, term and price.' })
export class BillingPlan {
  @Field(() => BillingCycleEnum)
  billingCycle!: string;

  @Field(() => TermDurationEnum)
  termDuration!: string;

  @Field(() => Money, { description: 'Price of one unit for one whole term; tax-inclusive only for AU and BR customers (PRICE-TAX).' })
  unitPrice!: Money;
}

@ObjectType({ description: 'A catalog offer (product SKU) from Microsoft or an ISV.' })
export class Offer {
  @Field(() => ID, { name: 'id', description: "Catalog item ID, 'PRODUCTID:SKUID'." })
  _id!: string;

  @Field()
  productId!: string;

  @Field()
  skuId!: string;

  @Field()
  name!: string;

  @Field()
  description!: string;

  @Field(() => PublisherEnum)
  publisher!: OfferDoc['publisher'];

  @Field()
  publisherName!: string;

  @Field(() => CommerceTypeEnum)
  commerceType!: OfferDoc['commerceType'];

  @Field(() => BillingTypeEnum)
  billingType!: OfferDoc['billingType'];

  @Field(() => OfferCategoryEnum)
  category!: OfferDoc['category'];

  @Field({ description: "Partner Center productType.id, e.g. 'OnlineServicesNCE', 'Software', 'Azure'." })
  productType!: string;

  @Field(() => [CustomerSegmentEnum])
  segments!: OfferDoc['segments'];

  @Field({ description: 'ISO 4217 currency of the prices.' })
  currency!: string;

  @Field({ description: 'At most one subscription per customer (CAT-ONE-PER-CUSTOMER).' })
  onePerCustomer!: boolean;

  @Field({ description: 'Add-ons are sold only through their base subscription (ADDON-NOT-CATALOG).' })
  isAddOn!: boolean;

  @Field(() => [String], { nullable: true, description: 'Billing countries served (ISO alpha-2); null means all (CAT-UNAVAILABLE).' })
  countries!: string[] | null;

  @Field({ description: 'The ISV made it available through CSP (CAT-UNAVAILABLE).' })
  cspAvailable!: boolean;

  @Field({ description: 'Can be bought at all; containers and some usage offers cannot (CAT-UNAVAILABLE).' })
  transactable!: boolean;

  @Field(() => Int, { name: 'minimumQuantity' })
  minQuantity!: number;

  @Field(() => Int, { name: 'maximumQuantity' })
  maxQuantity!: number;
}

export const OfferConnection = ConnectionType(Offer, 'Offer');
