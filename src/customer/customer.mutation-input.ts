import { Field, InputType } from 'type-graphql';
import { CustomerSegmentEnum, RelationshipToPartnerEnum } from '../shared/enums.js';

@InputType({ description: "The new customer's company, as Partner Center's companyProfile." })
export class CompanyProfileInput {
  @Field({ description: 'Non-empty, at most 250 characters (surrounding spaces are dropped).' })
  companyName!: string;

  @Field({
    description:
      'Primary domain, e.g. contoso.onmicrosoft.com: a DNS name of at least two labels, not in use by another customer (Entra domains are global).',
  })
  domain!: string;
}

@InputType({ description: 'The billing address; the gateway keeps the country, which pricing and markets read (PRICE-TAX, RES-MARKETS).' })
export class AddressInput {
  @Field({ description: 'ISO 3166-1 alpha-2 country code, e.g. US; stored upper-cased.' })
  country!: string;
}

@InputType({ description: "The new customer's billing profile, as Partner Center's billingProfile." })
export class BillingProfileInput {
  @Field(() => AddressInput)
  defaultAddress!: AddressInput;
}

@InputType({ description: 'A new customer tenant of the calling partner (Partner Center POST /v1/customers).' })
export class CreateCustomerInput {
  @Field(() => CompanyProfileInput)
  companyProfile!: CompanyProfileInput;

  @Field(() => BillingProfileInput)
  billingProfile!: BillingProfileInput;

  @Field(() => CustomerSegmentEnum, {
    defaultValue: CustomerSegmentEnum.COMMERCIAL,
    description: 'The segment whose offers the catalog shows the customer (CAT-FILTER).',
  })
  segment!: CustomerSegmentEnum;

  @Field(() => RelationshipToPartnerEnum, { defaultValue: RelationshipToPartnerEnum.RESELLER })
  relationshipToPartner!: RelationshipToPartnerEnum;

  @Field(() => String, {
    nullable: true,
    description:
      'MPN ID of the indirect reseller of record (one that buys through you); only an indirect provider names one. Subscriptions record it as their partnerId.',
  })
  associatedPartnerId?: string | null;

  @Field(() => Date, {
    nullable: true,
    description:
      "In a test sandbox only (docs/sandboxes.md): when the account was opened, an instant in the sandbox's past; default now. SUSP-DATA-DELETION grants 90 days plus those from opening to first billing, at most 120. Outside a sandbox: BAD_USER_INPUT.",
  })
  accountOpenedAt?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description:
      "In a test sandbox only: when the account was first billed, in the sandbox's past and not before accountOpenedAt; default now. Outside a sandbox: BAD_USER_INPUT.",
  })
  firstBillingAt?: Date | null;

  @Field({ defaultValue: false, description: 'Quote only: decide and show the outcome without changing anything.' })
  dryRun!: boolean;
}
