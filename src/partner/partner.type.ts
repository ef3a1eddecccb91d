import { Field, ID, ObjectType } from 'type-graphql';
import type { PartnerDoc } from '../db/documents.js';
import { PartnerRoleEnum, PartnerTypeEnum } from '../shared/enums.js';

@ObjectType({ description: 'A CSP partner organisation.' })
export class Partner {
  @Field(() => ID, { name: 'id', description: 'Partner tenant ID.' })
  _id!: string;

  @Field()
  name!: string;

  @Field(() => PartnerTypeEnum)
  partnerType!: PartnerDoc['partnerType'];

  @Field({ description: 'MPN / Partner ID.' })
  mpnId!: string;
}

@ObjectType({ description: 'The caller: a user of a partner, with their roles.' })
export class Viewer {
  @Field(() => Partner)
  partner!: PartnerDoc;

  @Field()
  userId!: string;

  @Field(() => [PartnerRoleEnum])
  roles!: string[];
}
