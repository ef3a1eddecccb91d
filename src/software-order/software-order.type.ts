import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { SoftwareActivityDoc, SoftwareOrderDoc, SupportRequestDoc } from '../db/documents.js';
import type { SoftwareCancelState, SoftwareOrderAction } from '../policy/software.js';
import { RefusalCodeEnum } from '../mutation/user-error.type.js';
import { ConnectionType } from '../shared/connection.type.js';
import { SoftwareKindEnum } from '../shared/enums.js';
import {
  SoftwareActivityKindEnum,
  SoftwareBitnessEnum,
  SoftwareCancelStateEnum,
  SoftwareOrderActionEnum,
  SupportRequestKindEnum,
  SupportRequestStatusEnum,
} from './software-order.enums.js';

/**
 * A software order as stored. `status`, `cancellationPending`, `cancellationInfo` and
 * `allowedActions` are resolved against the simulation clock (software-order.resolver.ts): a
 * confirmed cancellation reaches `status` only once its delay has passed (SW-CANCEL-DELAY), while
 * `keys` are gone and `cancellationDate` is set at once (SW-POST-CANCEL).
 */
@ObjectType({ description: 'A software purchase (perpetual software or a software subscription), cancelled per order.' })
export class SoftwareOrder {
  @Field(() => ID, { name: 'id', description: 'The order ID (SW-CANCEL-PER-ORDER).' })
  _id!: string;

  @Field(() => ID)
  offerId!: string;

  @Field()
  productName!: string;

  @Field(() => SoftwareKindEnum)
  softwareKind!: SoftwareOrderDoc['softwareKind'];

  @Field(() => String, {
    nullable: true,
    description: "'suse' or 'redhat' for SUSE Linux and Red Hat plans, which cannot be cancelled or exchanged (SW-CANCEL-EXCLUDED).",
  })
  softwareVendorPlan!: SoftwareOrderDoc['softwareVendorPlan'];

  @Field(() => Int)
  quantity!: number;

  @Field(() => Date, { name: 'purchaseDate' })
  purchasedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Software subscriptions: end of the current term; null for perpetual software.' })
  termEndDate!: Date | null;

  @Field({ description: 'Prices include tax (SW-PRICE, PRICE-TAX).' })
  pricesIncludeTax!: boolean;
}

export const SoftwareOrderConnection = ConnectionType(SoftwareOrder, 'SoftwareOrder');

@ObjectType({
  description:
    'SW-KEYS: a product version, language and bitness the order has a key and download for. The key itself is shown by getSoftwareKey, which logs the view (SW-ACTIVITY-LOG).',
})
export class SoftwareKeyInfo {
  @Field()
  productVersion!: string;

  @Field({ description: 'Language tag, e.g. en-us.' })
  language!: string;

  @Field(() => SoftwareBitnessEnum)
  bitness!: string;

  @Field({ description: 'Always MAK (SW-MAK).' })
  keyType!: string;
}

@ObjectType({ description: 'SW-CANCEL-INFO: what cancelling the order would meet now: days left, window passed, excluded, or cancelled.' })
export class SoftwareCancellationInfo {
  @Field(() => SoftwareCancelStateEnum)
  state!: SoftwareCancelState;

  @Field({ description: 'The rule that decides the state (SW-CANCEL-30D, SW-CANCEL-EXCLUDED, SW-POST-CANCEL).' })
  rule!: string;

  @Field(() => Int, { description: 'Whole days left to cancel (a started day counts); 0 when it cannot be cancelled.' })
  daysLeft!: number;

  @Field(() => Date, { nullable: true, description: 'Cancellation is possible before this instant (30 days after the purchase).' })
  cancellableUntil!: Date | null;

  @Field({ description: 'A refund can only be asked through a support request (createSupportRequest).' })
  supportRequestNeeded!: boolean;

  @Field()
  message!: string;
}

@ObjectType({ description: 'Whether an action on a software order is allowed now, and if not, the rule and the reason.' })
export class SoftwareOrderAllowedAction {
  @Field(() => SoftwareOrderActionEnum)
  action!: SoftwareOrderAction;

  @Field()
  allowed!: boolean;

  @Field(() => String, { nullable: true })
  rule!: string | null;

  @Field(() => RefusalCodeEnum, { nullable: true })
  code!: string | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;
}

@ObjectType({ description: 'SW-ACTIVITY-LOG: one product-key view or download: who, what, when.' })
export class SoftwareActivity {
  @Field(() => ID, { name: 'id' })
  _id!: string;

  @Field(() => ID)
  customerId!: string;

  @Field(() => ID)
  softwareOrderId!: string;

  @Field(() => SoftwareActivityKindEnum)
  activity!: SoftwareActivityDoc['activity'];

  @Field()
  productVersion!: string;

  @Field()
  language!: string;

  @Field(() => SoftwareBitnessEnum)
  bitness!: SoftwareActivityDoc['bitness'];

  @Field({ description: 'The partner user who viewed the key or downloaded the software.' })
  userId!: string;

  @Field(() => Date, { description: 'When, on the simulation clock.' })
  at!: Date;
}

export const SoftwareActivityConnection = ConnectionType(SoftwareActivity, 'SoftwareActivity');

@ObjectType({ description: 'Who Microsoft support contacts about a request.' })
export class SupportContact {
  @Field()
  name!: string;

  @Field()
  email!: string;

  @Field()
  phone!: string;
}

@ObjectType({
  description: 'A refund or exchange asked of Microsoft support on behalf of a customer (SW-SUPPORT-REQUEST, RES-SUPPORT-REQUEST).',
})
export class SupportRequest {
  @Field(() => ID, { name: 'id' })
  _id!: string;

  @Field(() => SupportRequestKindEnum)
  kind!: SupportRequestDoc['kind'];

  @Field({ description: 'e.g. "CSP purchase/refund on behalf of customers", "Reservation management".' })
  problemType!: string;

  @Field(() => String, { nullable: true, description: 'e.g. "Exchanges and refunds" (reservations).' })
  category!: string | null;

  @Field(() => String, { nullable: true })
  impact!: string | null;

  @Field()
  title!: string;

  @Field(() => ID)
  customerId!: string;

  @Field({ description: 'The order, subscription or reservation the request is about.' })
  resourceId!: string;

  @Field()
  reason!: string;

  @Field(() => SupportContact)
  contact!: SupportContact;

  @Field(() => [String])
  attachmentNames!: string[];

  @Field(() => SupportRequestStatusEnum)
  status!: SupportRequestDoc['status'];

  @Field(() => Date)
  createdAt!: Date;
}

export const SupportRequestConnection = ConnectionType(SupportRequest, 'SupportRequest');
