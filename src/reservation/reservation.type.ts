import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ReservationDoc } from '../db/documents.js';
import { ConnectionType } from '../shared/connection.type.js';
import { ReservationScopeTypeEnum, ReservationTypeEnum, TermDurationEnum } from '../shared/enums.js';

/** How a reservation's commitment is paid (ReservationDoc.billingPlan). */
export enum ReservationBillingPlanEnum {
  UPFRONT = 'upfront',
  MONTHLY = 'monthly',
}
registerEnumType(ReservationBillingPlanEnum, {
  name: 'ReservationBillingPlan',
  description: 'How a reservation is paid: all at purchase, or in equal monthly instalments over its term.',
});

@ObjectType({ description: 'Where a reservation applies (RES-MANAGE).' })
export class ReservationScope {
  @Field(() => ReservationScopeTypeEnum)
  type!: ReservationDoc['scope']['type'];

  @Field(() => String, { nullable: true })
  subscriptionId!: string | null;

  @Field(() => String, { nullable: true })
  resourceGroupId!: string | null;

  @Field(() => String, { nullable: true })
  managementGroupId!: string | null;
}

@ObjectType({ description: 'An Azure reservation bought for a customer.' })
export class Reservation {
  @Field(() => ID, { name: 'id', description: 'Reservation ID.' })
  _id!: string;

  @Field(() => ID)
  reservationOrderId!: string;

  @Field(() => ID)
  offerId!: string;

  @Field()
  displayName!: string;

  @Field(() => ReservationTypeEnum)
  reservationType!: ReservationDoc['reservationType'];

  @Field({ description: 'Azure region, e.g. westeurope.' })
  region!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => TermDurationEnum)
  termDuration!: ReservationDoc['termDuration'];

  @Field(() => Date, { name: 'purchaseDate' })
  purchasedAt!: Date;

  @Field(() => Date)
  expiryDateTime!: Date;

  @Field(() => ReservationScope)
  scope!: ReservationScope;

  @Field({ description: 'Azure subscription the reservation is associated with.' })
  azureSubscriptionId!: string;

  @Field(() => Float, { description: 'Utilisation over the last 30 days, 0 to 100.' })
  utilizationPercent!: number;

  @Field({ description: 'RES-REFUND-TABLE: whether the reservation has been used at all (any utilisation above 0).' })
  hasUsage!: boolean;

  @Field(() => Date, { nullable: true, description: 'When it was cancelled or exchanged.' })
  cancelledAt!: Date | null;

  @Field(() => ID, { nullable: true, description: 'RES-EXCHANGE: the reservation this one was exchanged for.' })
  exchangedForReservationId!: string | null;

  @Field(() => ID, { nullable: true, description: 'RES-EXCHANGE: the reservation returned in exchange for this one.' })
  exchangedFromReservationId!: string | null;
}

export const ReservationConnection = ConnectionType(Reservation, 'Reservation');
