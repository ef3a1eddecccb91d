import { Field, ID, ObjectType } from 'type-graphql';
import type { SubscriptionDoc } from '../db/documents.js';
import { AddOn } from '../addon/addon.type.js';
import { CancellationModeEnum, UpgradeTimingEnum, UpgradeTypeEnum } from '../mutation/mutation.enums.js';
import { MutationPayload } from '../mutation/payload.types.js';
import { Money } from '../shared/money.type.js';
import { Subscription } from './subscription.type.js';

@ObjectType({ description: 'The result of a change to one subscription or add-on.' })
export class SubscriptionChangePayload extends MutationPayload {
  @Field(() => Subscription, { nullable: true, description: 'The subscription, when the target is a base subscription.' })
  subscription!: SubscriptionDoc | null;

  @Field(() => AddOn, { nullable: true, description: 'The add-on, when the target is an add-on.' })
  addOn!: SubscriptionDoc | null;

  @Field(() => [AddOn], { description: 'Add-ons suspended or restored with their base (ADDON-CASCADE).' })
  cascadedAddOns!: SubscriptionDoc[];

  @Field(() => Money, {
    nullable: true,
    description: 'Charged (positive) or credited (negative) by this change, e.g. a prorated seat increase (SUB-QTY-INCREASE).',
  })
  charge!: Money | null;

  @Field(() => Date, { nullable: true, description: 'When a suspended subscription is deleted unless reactivated (SUSP-DATA-DELETION).' })
  dataDeletionDate!: Date | null;

  @Field(() => Boolean, { nullable: true, description: 'A SKU change at renewal needs user licences reassigned by hand (SCHED-REASSIGN).' })
  licenceReassignmentRequired!: boolean | null;
}

@ObjectType({ description: 'What a cancellation refunded to an add-on cancelled with its base.' })
export class AddOnRefund {
  @Field(() => ID)
  addOnId!: string;

  @Field(() => Money)
  refund!: Money;

  @Field()
  rule!: string;
}

@ObjectType({ description: 'The result (or, with dryRun, the quote) of a cancellation (CANCEL-*).' })
export class CancelSubscriptionPayload extends MutationPayload {
  @Field(() => Subscription, { nullable: true })
  subscription!: SubscriptionDoc | null;

  @Field(() => AddOn, { nullable: true })
  addOn!: SubscriptionDoc | null;

  @Field(() => CancellationModeEnum, { nullable: true })
  mode!: string | null;

  @Field(() => String, { nullable: true, description: 'The rule that decided the refund, e.g. CANCEL-NCE-24H.' })
  rule!: string | null;

  @Field(() => Money, { nullable: true, description: 'Credited to the partner for this subscription (add-ons: addOnRefunds).' })
  refund!: Money | null;

  @Field(() => Money, { nullable: true, description: 'The subscription and its add-ons together.' })
  totalRefund!: Money | null;

  @Field(() => Date, { nullable: true, description: 'When access ends: now, or the term end for a cancellation scheduled at renewal.' })
  effectiveDate!: Date | null;

  @Field(() => [AddOnRefund])
  addOnRefunds!: AddOnRefund[];
}

@ObjectType({ description: 'The result of an upgrade (UPG-*).' })
export class UpgradePayload extends MutationPayload {
  @Field(() => Subscription, { nullable: true })
  sourceSubscription!: SubscriptionDoc | null;

  @Field(() => Subscription, { nullable: true, description: 'The new or existing target (null until a term-end upgrade is applied).' })
  targetSubscription!: SubscriptionDoc | null;

  @Field(() => UpgradeTypeEnum, { nullable: true })
  upgradeType!: string | null;

  @Field(() => UpgradeTimingEnum, { nullable: true })
  timing!: string | null;

  @Field(() => Money, { nullable: true, description: "Credit for the moved licences' unused days." })
  credit!: Money | null;

  @Field(() => Money, { nullable: true, description: "The target's prorated charge." })
  charge!: Money | null;

  @Field(() => Boolean, { nullable: true, description: 'Moved licences must be reassigned to users by hand.' })
  licenceReassignmentRequired!: boolean | null;
}
