import { Field, Int, ObjectType } from 'type-graphql';
import type { SoftwareActivityDoc, SoftwareOrderDoc, SupportRequestDoc } from '../db/documents.js';
import { MutationPayload } from '../mutation/payload.types.js';
import { Money } from '../shared/money.type.js';
import { SoftwareBitnessEnum } from './software-order.enums.js';
import { SoftwareActivity, SoftwareOrder, SupportRequest } from './software-order.type.js';

@ObjectType({ description: 'The result (or, with dryRun, the quote) of buying software (SW-PRICE).' })
export class PurchaseSoftwarePayload extends MutationPayload {
  @Field(() => SoftwareOrder, { nullable: true, description: 'The new order (with dryRun: the order it would be).' })
  softwareOrder!: SoftwareOrderDoc | null;

  @Field(() => Money, { nullable: true, description: 'Charged: the plan price times the quantity.' })
  amount!: Money | null;

  @Field(() => Boolean, { nullable: true, description: 'PRICE-TAX: prices include tax (customers billed in Australia or Brazil).' })
  pricesIncludeTax!: boolean | null;
}

@ObjectType({
  description: 'SW-KEYS: a product key shown to copy, a download link and a copyable link; the view is logged (SW-ACTIVITY-LOG).',
})
export class SoftwareKeyPayload extends MutationPayload {
  @Field(() => SoftwareOrder, { nullable: true })
  softwareOrder!: SoftwareOrderDoc | null;

  @Field(() => String, { nullable: true, description: 'The 25-character MAK (null for refusals and dryRun).' })
  productKey!: string | null;

  @Field(() => String, { nullable: true, description: 'Always MAK (SW-MAK).' })
  keyType!: string | null;

  @Field(() => String, { nullable: true })
  productVersion!: string | null;

  @Field(() => String, { nullable: true })
  language!: string | null;

  @Field(() => SoftwareBitnessEnum, { nullable: true })
  bitness!: string | null;

  @Field(() => String, { nullable: true, description: 'Download the bits.' })
  downloadLink!: string | null;

  @Field(() => String, { nullable: true, description: 'A link to the bits to send to the customer.' })
  copyLink!: string | null;

  @Field(() => SoftwareActivity, { nullable: true, description: 'The activity log record of this view or download.' })
  activity!: SoftwareActivityDoc | null;
}

@ObjectType({ description: 'The result (or, with dryRun, the quote) of cancelling a software order (SW-CANCEL-*, SW-POST-CANCEL).' })
export class CancelSoftwareOrderPayload extends MutationPayload {
  @Field(() => SoftwareOrder, {
    nullable: true,
    description:
      'The order as it shows now: without its keys at once (SW-POST-CANCEL), status still ACTIVE with cancellationPending until cancellationVisibleAt (SW-CANCEL-DELAY).',
  })
  softwareOrder!: SoftwareOrderDoc | null;

  @Field(() => String, { nullable: true, description: 'The rule that decided the credit (SW-POST-CANCEL).' })
  rule!: string | null;

  @Field(() => Money, {
    nullable: true,
    description: 'Credited to the partner: 100 % for perpetual software, prorated for software subscriptions.',
  })
  credit!: Money | null;

  @Field(() => Date, { nullable: true, description: 'When the cancellation was confirmed.' })
  cancellationDate!: Date | null;

  @Field(() => Date, { nullable: true, description: 'SW-CANCEL-DELAY: from this instant the order shows as cancelled.' })
  cancellationVisibleAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'Keys and download links revoked (SW-POST-CANCEL).' })
  keysRevoked!: number | null;
}

@ObjectType({ description: 'The result of creating a support request (SW-SUPPORT-REQUEST, RES-SUPPORT-REQUEST).' })
export class CreateSupportRequestPayload extends MutationPayload {
  @Field(() => SupportRequest, { nullable: true, description: 'The request (with dryRun: the request it would be).' })
  supportRequest!: SupportRequestDoc | null;
}
