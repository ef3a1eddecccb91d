import { Field, ID, InputType, Int } from 'type-graphql';
import { SUPPORT_REQUEST_KINDS } from '../policy/support-request.js';
import { SoftwareActivityKindEnum, SoftwareBitnessEnum, SoftwareKeyTypeEnum, SupportRequestKindEnum } from './software-order.enums.js';

@InputType({ description: 'Buy software for a customer: one software order (SW-PRICE, SW-KEYS).' })
export class PurchaseSoftwareInput {
  @Field(() => ID)
  customerId!: string;

  @Field(() => ID, {
    description: "A software offer's catalog item ID (commerceType SOFTWARE), e.g. 'DG7GMGF0DVSV:0001' (Windows Server 2022 Datacenter).",
  })
  offerId!: string;

  @Field(() => Int, { defaultValue: 1 })
  quantity!: number;

  @Field(() => [String], { defaultValue: ['en-us'], description: 'Languages of the keys and downloads (1 to 10 tags such as en-us).' })
  languages!: string[];

  @Field({ defaultValue: false, description: 'Quote the order (price, refusals) without buying.' })
  dryRun!: boolean;
}

@InputType({ description: 'SW-KEYS: the key and downloads of one product version, language and bitness of a software order.' })
export class GetSoftwareKeyInput {
  @Field(() => ID)
  softwareOrderId!: string;

  @Field()
  productVersion!: string;

  @Field({ defaultValue: 'en-us' })
  language!: string;

  @Field(() => SoftwareBitnessEnum, { defaultValue: SoftwareBitnessEnum.X64 })
  bitness!: SoftwareBitnessEnum;

  @Field(() => SoftwareKeyTypeEnum, { defaultValue: SoftwareKeyTypeEnum.MAK, description: 'Only MAK is issued (SW-MAK).' })
  keyType!: SoftwareKeyTypeEnum;

  @Field(() => SoftwareActivityKindEnum, {
    defaultValue: SoftwareActivityKindEnum.VIEW_KEY,
    description: 'What is logged: the key shown (VIEW_KEY) or the software downloaded (DOWNLOAD) (SW-ACTIVITY-LOG).',
  })
  activity!: SoftwareActivityKindEnum;

  @Field({ defaultValue: false, description: 'Check whether the key can be got, without showing it or logging anything.' })
  dryRun!: boolean;
}

@InputType({ description: 'Cancel one software order (SW-CANCEL-PER-ORDER); with dryRun, quote the credit.' })
export class CancelSoftwareOrderInput {
  @Field(() => ID, { description: 'The order ID: one order per call.' })
  softwareOrderId!: string;

  @Field(() => String, {
    nullable: true,
    description: "Optional check: the order's customer by company name, tenant ID or domain (SW-CANCEL-PER-ORDER).",
  })
  customer?: string | null;

  @Field({ defaultValue: false })
  dryRun!: boolean;
}

@InputType({ description: 'Who Microsoft support contacts.' })
export class SupportContactInput {
  @Field()
  name!: string;

  @Field()
  email!: string;

  @Field()
  phone!: string;
}

@InputType({
  description:
    'A support request for a refund (SW-SUPPORT-REQUEST) or a reservation refund or exchange (RES-SUPPORT-REQUEST). The kind fixes the problem type, category and issue type.',
})
export class CreateSupportRequestInput {
  @Field(() => SupportRequestKindEnum, { defaultValue: SupportRequestKindEnum.SOFTWARE_REFUND })
  kind!: SupportRequestKindEnum;

  @Field(() => String, {
    nullable: true,
    description: `Optional; fixed by the kind: "${SUPPORT_REQUEST_KINDS.software_refund.problemType}" for a software refund, "${SUPPORT_REQUEST_KINDS.reservation_refund.problemType}" for reservations.`,
  })
  problemType?: string | null;

  @Field(() => String, { nullable: true, description: 'Reservations only, optional: "billing".' })
  issueType?: string | null;

  @Field(() => String, { nullable: true, description: 'Reservations only, optional: "Exchanges and refunds".' })
  category?: string | null;

  @Field(() => String, { nullable: true, description: 'Required for a software refund.' })
  impact?: string | null;

  @Field()
  title!: string;

  @Field({ description: "The customer's tenant ID or domain." })
  customer!: string;

  @Field({ description: 'The order or subscription ID (software refund), or the reservation ID.' })
  resourceId!: string;

  @Field()
  reason!: string;

  @Field(() => Int, { nullable: true, description: 'The amount asked, in cents (positive); required for a software refund.' })
  amountRequestedInCents?: number | null;

  @Field(() => SupportContactInput)
  contact!: SupportContactInput;

  @Field(() => [String], { defaultValue: [], description: 'Names of attached files (optional, at most 10).' })
  attachmentNames!: string[];

  @Field({ defaultValue: false })
  dryRun!: boolean;
}
