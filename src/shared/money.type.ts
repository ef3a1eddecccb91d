import { Field, InputType, Int, ObjectType } from 'type-graphql';

/** An exact amount (MONEY-EXACT): integer minor units plus a decimal string for display. */
@ObjectType({ description: 'An exact amount of money: integer minor units (cents) and an ISO 4217 currency.' })
export class Money {
  @Field(() => Int, { description: 'Amount in minor units (cents); exact, never a float.' })
  amountInCents!: number;

  @Field({ description: 'ISO 4217 currency code, e.g. USD.' })
  currencyCode!: string;

  @Field({ description: "Decimal rendering of the amount, e.g. '12.30'." })
  amount!: string;
}

export function money(amountInCents: number, currencyCode: string): Money {
  const sign = amountInCents < 0 ? '-' : '';
  const abs = Math.abs(amountInCents);
  return { amountInCents, currencyCode, amount: `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}` };
}

/** An exact amount given by a client (MONEY-EXACT): integer minor units, never a float. */
@InputType('MoneyInput', { description: 'An exact amount of money: integer minor units (cents) and an ISO 4217 currency.' })
export class MoneyInput {
  @Field(() => Int, { description: 'Amount in minor units (cents), e.g. 1200000 for 12,000.00.' })
  amountInCents!: number;

  @Field({ description: 'ISO 4217 currency code, e.g. USD.' })
  currencyCode!: string;
}
