import { Field, ObjectType } from 'type-graphql';
import type { OrderDoc, ReservationDoc } from '../db/documents.js';
import { MutationPayload } from '../mutation/payload.types.js';
import { Order } from '../order/order.type.js';
import { Money } from '../shared/money.type.js';
import { RefundRecipientEnum, ReservationRefundBasisEnum, type ReservationRefundFields } from './reservation-rules.type.js';
import { Reservation } from './reservation.type.js';

@ObjectType({ description: 'The result of buying an Azure reservation (or, with dryRun, its review).' })
export class PurchaseReservationPayload extends MutationPayload {
  @Field(() => Reservation, { nullable: true, description: 'The reservation (with dryRun: as it would be).' })
  reservation!: ReservationDoc | null;

  @Field(() => Order, { nullable: true })
  order!: OrderDoc | null;

  @Field(() => Money, { nullable: true, description: 'The commitment for the whole term.' })
  price!: Money | null;

  @Field(() => Money, { nullable: true, description: 'Charged now: the whole price upfront, or the first monthly instalment.' })
  chargedNow!: Money | null;

  @Field(() => Boolean, { nullable: true, description: 'PRICE-TAX: prices include tax (customers billed in Australia or Brazil).' })
  pricesIncludeTax!: boolean | null;
}

@ObjectType({ description: "The result of a change to a reservation's scope, Azure subscription or utilisation." })
export class ReservationChangePayload extends MutationPayload {
  @Field(() => Reservation, { nullable: true })
  reservation!: ReservationDoc | null;
}

@ObjectType({ description: 'The result (or, with dryRun, the quote) of cancelling a reservation (RES-CANCEL).' })
export class CancelReservationPayload extends MutationPayload implements ReservationRefundFields {
  @Field(() => Reservation, { nullable: true })
  reservation!: ReservationDoc | null;

  @Field(() => String, {
    nullable: true,
    description: 'The rule that decided the amount: RES-REFUND-TABLE, or RES-REFUND-CAP when the cap reduced it.',
  })
  rule!: string | null;

  @Field(() => ReservationRefundBasisEnum, { nullable: true })
  refundBasis!: string | null;

  @Field(() => Money, { nullable: true, description: 'Charged for the reservation so far.' })
  paid!: Money | null;

  @Field(() => Money, { nullable: true, description: 'The refund before the early termination fee.' })
  amountBeforeFee!: Money | null;

  @Field(() => Money, { nullable: true, description: 'RES-REFUND-TABLE: 12 % of the prorated balance after 5 days, else 0.' })
  fee!: Money | null;

  @Field(() => Money, { nullable: true, description: 'The refund after the fee, before RES-REFUND-CAP.' })
  amountBeforeCap!: Money | null;

  @Field(() => Boolean, { nullable: true, description: 'RES-REFUND-CAP reduced the refund.' })
  capApplied!: boolean | null;

  @Field(() => Money, { nullable: true, description: 'By how much RES-REFUND-CAP reduced the refund.' })
  capReduction!: Money | null;

  @Field(() => Money, { nullable: true, description: 'Refunded: credited to the partner (RES-PARTNER-CREDIT), who refunds the customer.' })
  refund!: Money | null;

  @Field(() => Money, { nullable: true, description: "What the customer's USD 50,000 cap over 365 days leaves after this refund." })
  refundCapRemaining!: Money | null;

  @Field(() => RefundRecipientEnum, { nullable: true })
  creditedTo!: string | null;
}

@ObjectType({ description: 'The result (or, with dryRun, the quote) of exchanging a reservation (RES-EXCHANGE).' })
export class ExchangeReservationPayload extends MutationPayload {
  @Field(() => Reservation, { nullable: true, description: 'The reservation given back (status EXCHANGED once applied).' })
  returnedReservation!: ReservationDoc | null;

  @Field(() => Reservation, { nullable: true, description: 'The new reservation (with dryRun: as it would be).' })
  reservation!: ReservationDoc | null;

  @Field(() => Order, { nullable: true })
  order!: OrderDoc | null;

  @Field(() => Money, {
    nullable: true,
    description: "The returned reservation's prorated refund, credited to the partner; no fee, not counted toward the cap.",
  })
  credit!: Money | null;

  @Field(() => Money, { nullable: true, description: "The new reservation's price (at least the credit)." })
  newPrice!: Money | null;

  @Field(() => Money, { nullable: true, description: 'New price minus the credit.' })
  difference!: Money | null;

  @Field(() => RefundRecipientEnum, { nullable: true })
  creditedTo!: string | null;

  @Field(() => Boolean, { nullable: true, description: 'PRICE-TAX.' })
  pricesIncludeTax!: boolean | null;
}
