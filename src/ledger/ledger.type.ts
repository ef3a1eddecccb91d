import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { LedgerEntryDoc } from '../db/documents.js';
import { ConnectionType } from '../shared/connection.type.js';

/*
 * The ledger (MONEY-EXACT): every charge and credit to the partner, in integer cents, tied to the
 * subscription, order, software order or reservation that caused it and the rule that produced it.
 * Positive = the partner is charged; negative = the partner is credited (RES-PARTNER-CREDIT).
 */

export enum LedgerEntryKindEnum {
  CHARGE = 'charge',
  PRORATED_CHARGE = 'prorated_charge',
  REFUND = 'refund',
  CREDIT = 'credit',
  FEE = 'fee',
}

export enum LedgerSourceTypeEnum {
  SUBSCRIPTION = 'subscription',
  ORDER = 'order',
  SOFTWARE_ORDER = 'software_order',
  RESERVATION = 'reservation',
}

/** `true` when two sets of string literals are equal, else what each side has that the other lacks (as src/shared/enums.ts). */
type Same<GraphQL extends string, Stored extends string> = [Exclude<GraphQL, Stored>, Exclude<Stored, GraphQL>] extends [never, never]
  ? true
  : { onlyInGraphQLEnum: Exclude<GraphQL, Stored>; onlyInDocuments: Exclude<Stored, GraphQL> };
type Assert<T extends true> = T;

/** Compile-time only: the GraphQL enums have exactly the values of LedgerEntryDoc's unions. */
export type LedgerVocabularyInSync = [
  Assert<Same<`${LedgerEntryKindEnum}`, LedgerEntryDoc['kind']>>,
  Assert<Same<`${LedgerSourceTypeEnum}`, LedgerEntryDoc['source']['type']>>,
];

registerEnumType(LedgerEntryKindEnum, {
  name: 'LedgerEntryKind',
  description: 'What a ledger entry is: a charge, a prorated charge, a refund or credit to the partner, or a fee.',
});
registerEnumType(LedgerSourceTypeEnum, {
  name: 'LedgerSourceType',
  description: 'The kind of object that caused a ledger entry.',
});

@ObjectType({
  description:
    'One charge (positive amount) or credit to the partner (negative amount, RES-PARTNER-CREDIT), in exact integer cents (MONEY-EXACT).',
})
export class LedgerEntry {
  @Field(() => ID, { name: 'id' })
  _id!: string;

  @Field(() => LedgerEntryKindEnum)
  kind!: LedgerEntryDoc['kind'];

  @Field(() => ID, { nullable: true, description: 'The order the entry belongs to, if any.' })
  orderId!: string | null;

  @Field(() => String, { nullable: true, description: 'The rule that produced the amount, e.g. CANCEL-NCE-30D.' })
  ruleId!: string | null;

  @Field()
  description!: string;

  @Field(() => Date, { description: 'When the amount was charged or credited.' })
  at!: Date;

  @Field(() => ID, { nullable: true, description: 'The write-path operation that produced it; null for seeded entries.' })
  operationId?: string | null;
}

export const LedgerEntryConnection = ConnectionType(LedgerEntry, 'LedgerEntry');

@ObjectType({
  description:
    "A customer's invoice for one calendar month (UTC), summed from the ledger (MONEY-EXACT): charges, credits and their total in exact cents.",
})
export class Invoice {
  @Field({ description: "The calendar month, 'YYYY-MM' (UTC)." })
  period!: string;

  @Field(() => Date, { description: 'First instant of the period (inclusive).' })
  periodStart!: Date;

  @Field(() => Date, {
    description: 'First instant of the next period (exclusive): an entry at exactly this instant belongs to the next month.',
  })
  periodEnd!: Date;

  @Field({ description: 'PRICE-TAX: true for customers billed in Australia or Brazil, whose prices include tax.' })
  pricesIncludeTax!: boolean;

  @Field({ description: 'PRICE-TAX, as a sentence for display.' })
  taxNote!: string;
}

/** Most lines an invoice lists; the totals always cover every entry of the period. */
export const INVOICE_LINES_CAP = 1000;
