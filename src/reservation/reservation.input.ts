import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { ReservationScopeTypeEnum, TermDurationEnum } from '../shared/enums.js';
import { ReservationBillingPlanEnum } from './reservation.type.js';

@InputType({
  description:
    'RES-MANAGE: where a reservation applies. SINGLE needs subscriptionId; RESOURCE_GROUP needs subscriptionId and resourceGroupId; MANAGEMENT_GROUP needs managementGroupId; SHARED needs nothing.',
})
export class ReservationScopeInput {
  @Field(() => ReservationScopeTypeEnum)
  type!: ReservationScopeTypeEnum;

  @Field(() => String, { nullable: true, description: 'An Azure subscription ID (GUID).' })
  subscriptionId?: string | null;

  @Field(() => String, { nullable: true, description: 'A resource group name.' })
  resourceGroupId?: string | null;

  @Field(() => String, { nullable: true, description: 'A management group ID.' })
  managementGroupId?: string | null;
}

@InputType()
abstract class ReservationTargetInput {
  @Field(() => ID, { description: 'The reservation ID.' })
  reservationId!: string;

  @Field({ defaultValue: false, description: 'Quote only: decide and show the outcome without changing anything.' })
  dryRun!: boolean;
}

@InputType({ description: 'Buy an Azure reservation for a customer (RES-MARKETS, PRICE-TAX); needs ROLE-SOFTWARE.' })
export class PurchaseReservationInput {
  @Field(() => ID)
  customerId!: string;

  @Field(() => ID, { description: "A reservation offer (SKU) of the catalog, e.g. 'DZH318Z0BQ3Q:0001'." })
  offerId!: string;

  @Field({ description: 'Azure region, e.g. westeurope.' })
  region!: string;

  @Field(() => TermDurationEnum, { defaultValue: TermDurationEnum.P1Y, description: 'P1Y or P3Y.' })
  termDuration!: TermDurationEnum;

  @Field(() => Int, { defaultValue: 1 })
  quantity!: number;

  @Field(() => ReservationScopeInput)
  scope!: ReservationScopeInput;

  @Field({ description: 'The Azure subscription (GUID) the reservation is associated with and billed to.' })
  azureSubscriptionId!: string;

  @Field(() => ReservationBillingPlanEnum, { defaultValue: ReservationBillingPlanEnum.UPFRONT })
  billingPlan!: ReservationBillingPlanEnum;

  @Field(() => String, { nullable: true, description: "Defaults to e.g. 'VM_RI_11-01-2026_09-00'." })
  displayName?: string | null;

  @Field({ defaultValue: false, description: 'Review the purchase (price, refusals) without buying.' })
  dryRun!: boolean;
}

@InputType({ description: 'RES-MANAGE: change the scope and/or the associated Azure subscription; omitted fields stay.' })
export class UpdateReservationInput extends ReservationTargetInput {
  @Field(() => ReservationScopeInput, { nullable: true })
  scope?: ReservationScopeInput | null;

  @Field(() => String, { nullable: true })
  azureSubscriptionId?: string | null;
}

@InputType({ description: 'RES-CANCEL: cancel a reservation for a refund to the partner, or with dryRun quote it.' })
export class CancelReservationInput extends ReservationTargetInput {}

@InputType({
  description:
    "RES-EXCHANGE: return a reservation for a new one of the same type costing at least its prorated refund. Omitted fields take the returned reservation's (term, region, scope, Azure subscription); billingPlan defaults to UPFRONT.",
})
export class ExchangeReservationInput extends ReservationTargetInput {
  @Field(() => ID, { description: 'The reservation offer (SKU) of the new reservation.' })
  offerId!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => TermDurationEnum, { nullable: true })
  termDuration?: TermDurationEnum | null;

  @Field(() => String, { nullable: true })
  region?: string | null;

  @Field(() => ReservationScopeInput, { nullable: true })
  scope?: ReservationScopeInput | null;

  @Field(() => String, { nullable: true })
  azureSubscriptionId?: string | null;

  @Field(() => ReservationBillingPlanEnum, { nullable: true })
  billingPlan?: ReservationBillingPlanEnum | null;

  @Field(() => String, { nullable: true })
  displayName?: string | null;
}

@InputType({ description: "Simulation: Azure's utilisation report for a reservation; above 0 marks it used (RES-REFUND-TABLE)." })
export class SetReservationUtilizationInput extends ReservationTargetInput {
  @Field(() => Float, { description: '0 to 100.' })
  utilizationPercent!: number;
}
