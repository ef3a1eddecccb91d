import { Field, ID, InputType, Int } from 'type-graphql';
import { UpgradeTimingEnum } from '../mutation/mutation.enums.js';
import { BillingCycleEnum, SuspensionReasonEnum, TermDurationEnum } from '../shared/enums.js';

@InputType()
abstract class TargetInput {
  @Field(() => ID, { description: 'The subscription or add-on.' })
  subscriptionId!: string;

  @Field({ defaultValue: false, description: 'Quote only: decide and show the outcome without changing anything.' })
  dryRun!: boolean;
}

@InputType({ description: 'SUB-EDIT: the fields to change; omitted fields stay as they are.' })
export class UpdateSubscriptionInput extends TargetInput {
  @Field(() => String, { nullable: true, description: 'New nickname, 1 to 250 characters, not only spaces (SUB-EDIT).' })
  friendlyName?: string | null;

  @Field(() => Int, { nullable: true, description: 'New licence count (SUB-QTY-INCREASE, SUB-QTY-DECREASE-NCE).' })
  quantity?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'RENEW-TOGGLE.' })
  autoRenewEnabled?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description: 'MPN ID of the indirect reseller of record ("" for none), Partner Center `partnerId`.',
  })
  partnerId?: string | null;
}

@InputType({ description: 'Suspend a legacy subscription (SUSP-*) for a reason (GEN-REASON).' })
export class SuspendSubscriptionInput extends TargetInput {
  @Field(() => SuspensionReasonEnum)
  reason!: string;
}

@InputType({ description: 'Reactivate, pause, resume, confirm fulfilment, or delete a scheduled change.' })
export class SubscriptionTargetInput extends TargetInput {}

@InputType({
  description: 'SCHED-KINDS: what the subscription becomes at renewal; omitted fields keep their current (or already scheduled) value.',
})
export class ScheduleChangeInput extends TargetInput {
  @Field(() => ID, { nullable: true, description: 'Catalog item ID at renewal (a SKU upgrade or downgrade).' })
  offerId?: string | null;

  @Field(() => Int, { nullable: true })
  quantity?: number | null;

  @Field(() => BillingCycleEnum, { nullable: true })
  billingCycle?: string | null;

  @Field(() => TermDurationEnum, { nullable: true })
  termDuration?: string | null;
}

@InputType({ description: 'CANCEL-*: cancel a subscription (and its add-ons), or with dryRun quote it.' })
export class CancelSubscriptionInput extends TargetInput {
  @Field(() => SuspensionReasonEnum, {
    nullable: true,
    description: 'GEN-REASON: why (the customer asked, non-payment, fraud); recorded in the audit event.',
  })
  reason?: string | null;
}

@InputType({ description: 'UPG-*: move licences to another SKU.' })
export class PartialUpgradeInput extends TargetInput {
  @Field(() => ID, { description: 'Catalog item ID of the target SKU (UPG-ELIGIBLE).' })
  targetOfferId!: string;

  @Field(() => Int, { description: 'Licences to move; all of them is a full upgrade (UPG-FULL).' })
  quantity!: number;

  @Field(() => ID, { nullable: true, description: 'An existing subscription of the target SKU; omitted: a new one (UPG-TARGET).' })
  targetSubscriptionId?: string | null;

  @Field(() => UpgradeTimingEnum, { defaultValue: UpgradeTimingEnum.NOW, description: 'UPG-TIMING.' })
  timing!: UpgradeTimingEnum;
}

@InputType({ description: 'UPG-FULL: move all licences to another SKU.' })
export class UpgradeSubscriptionInput extends TargetInput {
  @Field(() => ID)
  targetOfferId!: string;

  @Field(() => ID, { nullable: true })
  targetSubscriptionId?: string | null;

  @Field(() => UpgradeTimingEnum, { defaultValue: UpgradeTimingEnum.NOW })
  timing!: UpgradeTimingEnum;
}

@InputType({ description: 'ADDON-*: buy an add-on for a base subscription.' })
export class PurchaseAddOnInput extends TargetInput {
  @Field(() => ID, { description: 'Catalog item ID of the add-on (ADDON-ELIGIBLE).' })
  offerId!: string;

  @Field(() => Int, { defaultValue: 1 })
  quantity!: number;

  @Field(() => String, {
    nullable: true,
    description: 'Nickname of the add-on, at most 250 characters (SUB-EDIT); none or blank: the offer name.',
  })
  friendlyName?: string | null;
}
