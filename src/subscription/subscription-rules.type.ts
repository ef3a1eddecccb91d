import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { SUBSCRIPTION_ACTIONS, type SubscriptionAction } from '../policy/allowed-actions.js';
import { CancellationModeEnum } from '../mutation/mutation.enums.js';
import { RefusalCodeEnum } from '../mutation/user-error.type.js';
import { Money } from '../shared/money.type.js';

export const SubscriptionActionEnum = Object.fromEntries(SUBSCRIPTION_ACTIONS.map((a) => [a.toUpperCase(), a])) as {
  [K in SubscriptionAction as Uppercase<K>]: K;
};
registerEnumType(SubscriptionActionEnum, {
  name: 'SubscriptionAction',
  description: 'Actions on a subscription, as allowedActions lists them.',
});

@ObjectType({
  description: 'Whether an action is allowed now, and if not, the rule and the reason (from the same policy the mutation runs).',
})
export class AllowedAction {
  @Field(() => SubscriptionActionEnum)
  action!: SubscriptionAction;

  @Field()
  allowed!: boolean;

  @Field(() => String, { nullable: true })
  rule!: string | null;

  @Field(() => RefusalCodeEnum, { nullable: true })
  code!: string | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;
}

@ObjectType({ description: "Partner Center's refundableQuantity detail: seats refundable until an instant." })
export class RefundableQuantityDetail {
  @Field(() => Int)
  quantity!: number;

  @Field(() => Date)
  allowedUntilDateTime!: Date;
}

@ObjectType({ description: "Partner Center's refundableQuantity: the seats a cancellation now would refund (CANCEL-WINDOW-SHOWN)." })
export class RefundableQuantity {
  @Field(() => Int)
  totalQuantity!: number;

  @Field(() => [RefundableQuantityDetail])
  details!: RefundableQuantityDetail[];
}

@ObjectType({ description: 'CANCEL-WINDOW-SHOWN: what cancelling now would do, without changing anything.' })
export class CancellationQuote {
  @Field()
  allowed!: boolean;

  @Field(() => CancellationModeEnum, { nullable: true })
  mode!: string | null;

  @Field(() => String, { nullable: true })
  rule!: string | null;

  @Field(() => Money, { nullable: true, description: 'The refund of this subscription and its add-ons.' })
  refund!: Money | null;

  @Field(() => Date, { nullable: true })
  effectiveDate!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why not, when not allowed.' })
  reason!: string | null;
}

@ObjectType({ description: 'An upgrade saved for term end (UPG-TIMING), applied at renewal.' })
export class ScheduledUpgrade {
  @Field(() => ID)
  targetOfferId!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => ID, { nullable: true })
  targetSubscriptionId!: string | null;
}
