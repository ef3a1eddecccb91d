import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { OrderDoc, SubscriptionDoc } from '../db/documents.js';
import { AddOn } from '../addon/addon.type.js';
import { Order } from '../order/order.type.js';
import { Money } from '../shared/money.type.js';
import { Subscription } from '../subscription/subscription.type.js';
import { CancellationModeEnum, UpgradeTimingEnum, UpgradeTypeEnum } from './mutation.enums.js';
import { UserError } from './user-error.type.js';

export { CancellationModeEnum, UpgradeTimingEnum, UpgradeTypeEnum };

/** Fields every mutation payload has. */
@ObjectType()
export abstract class MutationPayload {
  @Field(() => [UserError], { description: 'Policy refusals; empty when the action was allowed.' })
  userErrors!: UserError[];

  @Field({ description: 'True when the input asked for a quote (dryRun): nothing was changed.' })
  dryRun!: boolean;

  @Field(() => ID, { nullable: true, description: 'The write-path operation that applied the change (null for quotes and refusals).' })
  operationId!: string | null;

  @Field(() => String, { nullable: true, description: 'What happened (or would happen), in a sentence.' })
  summary!: string | null;
}

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

@ObjectType({ description: 'The result of buying a cart (CAT-CART).' })
export class PurchasePayload extends MutationPayload {
  @Field(() => Order, { nullable: true })
  order!: OrderDoc | null;

  @Field(() => [Subscription])
  subscriptions!: SubscriptionDoc[];

  @Field(() => Money, { nullable: true })
  total!: Money | null;

  @Field(() => Boolean, { nullable: true, description: 'PRICE-TAX: prices include tax (customers billed in Australia or Brazil).' })
  pricesIncludeTax!: boolean | null;
}

@ObjectType({ description: 'The result of buying an add-on (ADDON-*).' })
export class PurchaseAddOnPayload extends MutationPayload {
  @Field(() => AddOn, { nullable: true })
  addOn!: SubscriptionDoc | null;

  @Field(() => Order, { nullable: true })
  order!: OrderDoc | null;

  @Field(() => Money, { nullable: true, description: 'The prorated first charge (ADDON-ALIGN).' })
  charge!: Money | null;
}

@ObjectType({ description: 'One lifecycle event the clock advance applied.' })
export class LifecycleEventResult {
  @Field({ description: 'trial_conversion, renewal, term_end, scheduled_cancellation or data_deletion.' })
  kind!: string;

  @Field(() => ID)
  subscriptionId!: string;

  @Field(() => Date)
  at!: Date;

  @Field()
  summary!: string;
}

@ObjectType()
export class EventCount {
  @Field()
  kind!: string;

  @Field(() => Int)
  count!: number;
}
