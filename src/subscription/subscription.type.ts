import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { SubscriptionDoc } from '../db/documents.js';
import { ConnectionType } from '../shared/connection.type.js';
import {
  BillingCycleEnum,
  BillingTypeEnum,
  CommerceTypeEnum,
  DeletedReasonEnum,
  SubscriptionStatusEnum,
  SuspendedByEnum,
  SuspensionReasonEnum,
  TermDurationEnum,
} from '../shared/enums.js';
import { ScheduledUpgrade } from './subscription-rules.type.js';

@ObjectType({ description: 'A change saved to take effect at renewal (SCHED-*), as scheduledNextTermInstructions.' })
export class ScheduledNextTermInstructions {
  @Field(() => ID, { description: 'Catalog item ID at renewal.' })
  offerId!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => BillingCycleEnum)
  billingCycle!: string;

  @Field(() => TermDurationEnum)
  termDuration!: string;
}

/**
 * Fields shared by base subscriptions and add-ons (Partner Center models both as Subscription).
 * Property names are the stored document's; GraphQL names follow the Partner Center REST API.
 */
@ObjectType()
export abstract class SubscriptionFields {
  @Field(() => ID, { name: 'id' })
  _id!: string;

  @Field(() => ID, { description: 'Catalog item ID of the offer.' })
  offerId!: string;

  @Field()
  offerName!: string;

  @Field({ description: 'Partner-editable nickname.' })
  friendlyName!: string;

  @Field(() => Int, { description: 'Licence count.' })
  quantity!: number;

  @Field(() => SubscriptionStatusEnum)
  status!: SubscriptionDoc['status'];

  @Field(() => [SuspensionReasonEnum], { description: 'Why it is suspended (GEN-REASON); empty unless suspended.' })
  suspensionReasons!: SubscriptionDoc['suspensionReasons'];

  @Field(() => SuspendedByEnum, { nullable: true, description: 'What suspended it, if suspended.' })
  suspendedBy!: SubscriptionDoc['suspendedBy'];

  @Field(() => Date, { nullable: true, name: 'suspensionDate' })
  suspendedAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    name: 'dataDeletionDate',
    description: 'A suspended subscription is deleted, with its data, when the clock passes this instant (SUSP-DATA-DELETION).',
  })
  dataDeletionAt!: Date | null;

  @Field()
  autoRenewEnabled!: boolean;

  @Field(() => CommerceTypeEnum)
  commerceType!: SubscriptionDoc['commerceType'];

  @Field(() => BillingTypeEnum)
  billingType!: SubscriptionDoc['billingType'];

  @Field(() => BillingCycleEnum)
  billingCycle!: SubscriptionDoc['billingCycle'];

  @Field(() => TermDurationEnum)
  termDuration!: SubscriptionDoc['termDuration'];

  @Field()
  isTrial!: boolean;

  @Field(() => Date)
  creationDate!: Date;

  @Field(() => Date, { description: 'Start of the current term; cancellation windows run from it.' })
  effectiveStartDate!: Date;

  @Field(() => Date, { description: 'Instant the current term ends (exclusive), UTC.' })
  commitmentEndDate!: Date;

  @Field(() => ID, { description: 'The order that created it.' })
  orderId!: string;

  @Field({
    name: 'partnerId',
    description: "MPN ID of the indirect reseller of record; empty for direct sales (Partner Center's partnerId).",
  })
  partnerIdOnRecord!: string;

  @Field(() => ID, { nullable: true, description: 'The subscription whose licences were upgraded into this one (UPG-*).' })
  upgradedFromSubscriptionId!: string | null;

  @Field(() => ScheduledNextTermInstructions, { nullable: true })
  scheduledNextTermInstructions!: SubscriptionDoc['scheduledNextTermInstructions'];

  @Field(() => ScheduledUpgrade, { nullable: true, description: 'An upgrade saved for term end (UPG-TIMING).' })
  scheduledUpgrade!: SubscriptionDoc['scheduledUpgrade'];

  @Field({ description: 'Cancelled at term end instead of renewing (CANCEL-ISV-MONTHLY / CANCEL-ISV-ANNUAL after their window).' })
  cancelAtTermEnd!: boolean;

  @Field(() => DeletedReasonEnum, { nullable: true })
  deletedReason!: SubscriptionDoc['deletedReason'];

  @Field(() => Date, { nullable: true, name: 'deletionDate' })
  deletedAt!: Date | null;
}

@ObjectType({ description: 'A base subscription of a customer (Microsoft, marketplace, software or Azure).' })
export class Subscription extends SubscriptionFields {}

export const SubscriptionConnection = ConnectionType(Subscription, 'Subscription');
