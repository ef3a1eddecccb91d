import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { PartnerRole, PartnerType, SandboxDoc, SandboxSnapshotDoc } from '../db/documents.js';
import { PartnerRoleEnum, PartnerTypeEnum } from '../shared/enums.js';

/** What a new sandbox starts with (templates.ts); the values are SandboxDoc's `template`. */
export enum SandboxTemplateEnum {
  EMPTY = 'empty',
  DEMO = 'demo',
  GENERATED = 'generated',
}
registerEnumType(SandboxTemplateEnum, {
  name: 'SandboxTemplate',
  description: 'What a new sandbox starts with (docs/sandboxes.md, "Templates").',
  valuesConfig: {
    EMPTY: { description: 'A partner with no customers.' },
    DEMO: {
      description: "The demo world's 40 customers and everything they bought, from its own seed, dated from the sandbox's clockStart.",
    },
    GENERATED: {
      description:
        "A world of `customers` customers from `seed`, dated from the sandbox's clockStart: the same seed gives the same world, with IDs of the sandbox's own.",
    },
  },
});

export enum SandboxStatusEnum {
  READY = 'ready',
  RESTORING = 'restoring',
}
registerEnumType(SandboxStatusEnum, {
  name: 'SandboxStatus',
  description: 'READY: its tokens work. RESTORING: a restore or reset is under way; its tokens get SANDBOX_BUSY until it is READY again.',
});

@ObjectType({ description: 'A sandbox\'s saved state: every document its partner owns, and its clock (docs/sandboxes.md, "Snapshots").' })
export class SandboxSnapshot {
  @Field({ description: "Its name in the sandbox; 'initial' is the state createSandbox made, which resetSandbox restores." })
  name!: string;

  @Field(() => Date, { description: 'Wall-clock instant it was taken, UTC.' })
  createdAt!: Date;

  @Field(() => Date, { description: "The sandbox's simulation clock when it was taken: a restore puts the clock back here." })
  clockNow!: Date;

  @Field(() => Int, { description: 'Documents saved: customers, subscriptions, orders, ledger entries, audit records ...' })
  documentCount!: number;
}

export function toSnapshot(doc: SandboxSnapshotDoc): SandboxSnapshot {
  return { name: doc.name, createdAt: doc.createdAt, clockNow: doc.clockNow, documentCount: doc.documentCount };
}

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

  @Field(() => Int, { description: 'Customers in the sandbox when it was created: those its template generated.' })
  customerCount!: number;

  @Field(() => SandboxStatusEnum)
  status!: SandboxStatusEnum;

  @Field(() => String, { nullable: true, description: 'The seed its DEMO or GENERATED world was generated from; null for EMPTY.' })
  seed!: string | null;
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
    template: doc.template as SandboxTemplateEnum,
    clockStart: doc.clockStart,
    createdAt: doc.createdAt,
    expiresAt: doc.expiresAt,
    status: doc.status === 'restoring' ? SandboxStatusEnum.RESTORING : SandboxStatusEnum.READY,
    customerCount: doc.customerCount ?? 0,
    seed: doc.seed ?? null,
  };
}
