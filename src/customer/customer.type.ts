import { Field, ID, ObjectType } from 'type-graphql';
import type { CustomerDoc } from '../db/documents.js';
import { CustomerSegmentEnum, RelationshipToPartnerEnum } from '../shared/enums.js';
import { ConnectionType } from '../shared/connection.type.js';

@ObjectType({ description: "The customer's company, as Partner Center's companyProfile." })
export class CustomerCompanyProfile {
  @Field({ description: 'Entra tenant ID; equals the customer ID.' })
  tenantId!: string;

  @Field({ description: 'Primary domain, e.g. contoso.onmicrosoft.com.' })
  domain!: string;

  @Field()
  companyName!: string;
}

@ObjectType()
export class Address {
  @Field({ description: 'ISO 3166 alpha-2 country code.' })
  country!: string;
}

@ObjectType({ description: "The customer's billing profile, as Partner Center's billingProfile." })
export class CustomerBillingProfile {
  @Field()
  companyName!: string;

  @Field(() => Address)
  defaultAddress!: Address;
}

@ObjectType({ description: 'A customer tenant of the calling partner.' })
export class Customer {
  @Field(() => ID, { name: 'id', description: "The customer's Entra tenant ID (GUID)." })
  _id!: string;

  @Field(() => CustomerSegmentEnum, { description: 'Derived in Partner Center from qualifications; stored here.' })
  segment!: CustomerDoc['segment'];

  @Field(() => RelationshipToPartnerEnum)
  relationshipToPartner!: CustomerDoc['relationshipToPartner'];

  @Field(() => String, { nullable: true, description: 'MPN ID of the indirect reseller of record, if any.' })
  associatedPartnerId!: string | null;

  @Field(() => Date, { name: 'accountOpenedDate', description: 'When the account was opened (SUSP-DATA-DELETION).' })
  accountOpenedAt!: Date;

  @Field(() => Date, { name: 'firstBillingDate', description: 'Start of the first billing period (SUSP-DATA-DELETION).' })
  firstBillingAt!: Date;
}

export const CustomerConnection = ConnectionType(Customer, 'Customer');
