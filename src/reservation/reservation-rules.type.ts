import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { RefusalCodeEnum } from '../mutation/user-error.type.js';
import {
  RESERVATION_ACTIONS,
  type CancelReservationOutcome,
  type ReservationAction,
  type ReservationRefundTerms,
} from '../policy/reservation.js';
import { Money, money } from '../shared/money.type.js';

export const ReservationActionEnum = Object.fromEntries(RESERVATION_ACTIONS.map((a) => [a.toUpperCase(), a])) as {
  [K in ReservationAction as Uppercase<K>]: K;
};
registerEnumType(ReservationActionEnum, {
  name: 'ReservationAction',
  description: 'Actions on an Azure reservation, as allowedActions lists them.',
});

export enum ReservationRefundBasisEnum {
  FULL = 'full',
  PRORATED = 'prorated',
  PRORATED_MINUS_FEE = 'prorated_minus_fee',
}
registerEnumType(ReservationRefundBasisEnum, {
  name: 'ReservationRefundBasis',
  description:
    'RES-REFUND-TABLE: FULL (5 days or fewer, no usage), PRORATED (5 days or fewer, with usage), PRORATED_MINUS_FEE (after 5 days, 12 % early termination fee).',
});

type Basis = ReservationRefundTerms['basis'];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const basisMatches: Same<`${ReservationRefundBasisEnum}`, Basis> = true;
void basisMatches;

export enum RefundRecipientEnum {
  PARTNER = 'partner',
}
registerEnumType(RefundRecipientEnum, {
  name: 'RefundRecipient',
  description: 'RES-PARTNER-CREDIT: who a reservation refund is credited to: always the partner, who refunds the customer.',
});

@ObjectType({ description: 'Whether an action on a reservation is allowed now, and if not, the rule and the reason.' })
export class ReservationAllowedAction {
  @Field(() => ReservationActionEnum)
  action!: ReservationAction;

  @Field()
  allowed!: boolean;

  @Field(() => String, { nullable: true })
  rule!: string | null;

  @Field(() => RefusalCodeEnum, { nullable: true })
  code!: string | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;
}

/** The money of a reservation refund, shared by cancelReservation's payload and Reservation.refundQuote. */
export interface ReservationRefundFields {
  rule: string | null;
  refundBasis: string | null;
  paid: Money | null;
  amountBeforeFee: Money | null;
  fee: Money | null;
  amountBeforeCap: Money | null;
  capApplied: boolean | null;
  capReduction: Money | null;
  refund: Money | null;
  refundCapRemaining: Money | null;
  creditedTo: string | null;
}

@ObjectType({
  description:
    'What cancelling the reservation now would refund (RES-CANCEL, RES-REFUND-TABLE, RES-REFUND-CAP), without changing anything.',
})
export class ReservationRefundQuote implements ReservationRefundFields {
  @Field()
  allowed!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'The rule that decided the amount (RES-REFUND-TABLE or RES-REFUND-CAP), or that refused.',
  })
  rule!: string | null;

  @Field(() => RefusalCodeEnum, { nullable: true })
  code!: string | null;

  @Field(() => String, { nullable: true, description: 'Why not, when not allowed.' })
  reason!: string | null;

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

  @Field(() => Money, { nullable: true, description: 'What is refunded: credited to the partner (RES-PARTNER-CREDIT).' })
  refund!: Money | null;

  @Field(() => Money, { nullable: true, description: "What the customer's USD 50,000 cap over 365 days leaves after this refund." })
  refundCapRemaining!: Money | null;

  @Field(() => RefundRecipientEnum, { nullable: true })
  creditedTo!: string | null;
}

/** The refund fields of an allowed cancellation (or its quote). */
export function refundFields(o: CancelReservationOutcome): ReservationRefundFields {
  const m = (cents: number) => money(cents, o.currency);
  return {
    rule: o.rule,
    refundBasis: o.basis,
    paid: m(o.paidCents),
    amountBeforeFee: m(o.amountBeforeFeeCents),
    fee: m(o.feeCents),
    amountBeforeCap: m(o.amountBeforeCapCents),
    capApplied: o.capApplied,
    capReduction: m(o.capReductionCents),
    refund: m(o.refundCents),
    refundCapRemaining: m(o.leftAfterCents),
    creditedTo: o.creditedTo,
  };
}

export const NO_REFUND: ReservationRefundFields = {
  rule: null,
  refundBasis: null,
  paid: null,
  amountBeforeFee: null,
  fee: null,
  amountBeforeCap: null,
  capApplied: null,
  capReduction: null,
  refund: null,
  refundCapRemaining: null,
  creditedTo: null,
};
