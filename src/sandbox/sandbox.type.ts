import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { PartnerRole, PartnerType, SandboxDoc } from '../db/documents.js';
import { PartnerRoleEnum, PartnerTypeEnum } from '../shared/enums.js';

/**
 * What a new sandbox starts with. Only EMPTY for now: the seeder (src/seed/) generates worlds for
 * the three demo partners only, so a generated or demo world cannot yet target a sandbox's partner.
 */
export enum SandboxTemplateEnum {
  EMPTY = 'empty',
}
registerEnumType(SandboxTemplateEnum, { name: 'SandboxTemplate', description: 'EMPTY: a partner with no customers.' });

@ObjectType({ description: 'A test sandbox: an isolated partner tenant with a clock of its own (docs/sandboxes.md).' })
export class Sandbox {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => ID, { description: "The sandbox's own partner tenant ID: its tokens act as this partner." })
  partnerId!: string;

  @Field(() => PartnerTypeEnum)
  partnerType!: PartnerType;

  @Field(() => SandboxTemplateEnum)
  template!: SandboxTemplateEnum;

  @Field(() => Date, { description: "Where the sandbox's simulation clock started (GEN-CLOCK)." })
  clockStart!: Date;

  @Field(() => Date, { description: 'Wall-clock instant, UTC.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'Wall-clock instant, UTC, at which the gateway deletes the sandbox and everything in it.' })
  expiresAt!: Date;

  @Field(() => Int, { description: 'Customers in the sandbox when it was created.' })
  customerCount!: number;
}

@ObjectType({ description: "A bearer token for a sandbox's partner, valid until the sandbox expires." })
export class SandboxToken {
  @Field(() => [PartnerRoleEnum])
  roles!: PartnerRole[];

  @Field({ description: 'Send as Authorization: Bearer <token>.' })
  token!: string;

  @Field(() => Date)
  expiresAt!: Date;
}

export function toSandbox(doc: SandboxDoc): Sandbox {
  return {
    id: doc._id,
    name: doc.name,
    partnerId: doc.partnerId,
    partnerType: doc.partnerType,
    template: SandboxTemplateEnum.EMPTY,
    clockStart: doc.clockStart,
    createdAt: doc.createdAt,
    expiresAt: doc.expiresAt,
    customerCount: 0,
  };
}
