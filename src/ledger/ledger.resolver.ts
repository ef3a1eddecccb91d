import { Arg, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { CustomerDoc, LedgerEntryDoc } from '../db/documents.js';
import { Customer } from '../customer/customer.type.js';
import { pricesIncludeTax } from '../policy/money.js';
import { PageArgs } from '../shared/connection.type.js';
import type { Context } from '../shared/context.js';
import { parseId } from '../shared/ids.js';
import { Money, money } from '../shared/money.type.js';
import type { Page } from '../shared/pagination.js';
import { LedgerFilter } from './ledger.input.js';
import { LedgerRepository, type InvoiceSummary } from './ledger.repository.js';
import { INVOICE_LINES_CAP, Invoice, LedgerEntry, LedgerEntryConnection, LedgerSourceTypeEnum } from './ledger.type.js';
import { parsePeriod } from './period.js';

/** PRICE-TAX, as the invoice states it. */
export const TAX_NOTE = {
  included: 'Prices include tax',
  excluded: 'Prices exclude tax; tax is added per jurisdiction',
} as const;

/**
 * The ledger repository over the shared collections. The ledger is not (yet) in the context's
 * Repositories, so it is built here from the collections the write path shares (stateless, cheap).
 */
function ledgerRepository(ctx: Context): LedgerRepository {
  return new LedgerRepository(ctx.collections.ledger);
}

/** The root object of `Invoice`: what is known without the ledger, plus the period's sums, read once on first use. */
export interface InvoiceSource {
  customer: CustomerDoc;
  period: string;
  periodStart: Date;
  periodEnd: Date;
  pricesIncludeTax: boolean;
  taxNote: string;
  summary(): Promise<InvoiceSummary>;
}

@Resolver(() => LedgerEntry)
export class LedgerEntryResolver {
  @FieldResolver(() => Money, { description: 'Positive: charged to the partner; negative: credited to the partner.' })
  amount(@Root() entry: LedgerEntryDoc): Money {
    return money(entry.amountCents, entry.currency);
  }

  @FieldResolver(() => LedgerSourceTypeEnum, { description: 'The kind of object that caused the entry.' })
  sourceType(@Root() entry: LedgerEntryDoc): LedgerEntryDoc['source']['type'] {
    return entry.source.type;
  }

  @FieldResolver(() => ID, { description: 'The ID of the subscription, order, software order or reservation that caused the entry.' })
  sourceId(@Root() entry: LedgerEntryDoc): string {
    return entry.source.id;
  }
}

@Resolver(() => Customer)
export class CustomerLedgerResolver {
  @FieldResolver(() => LedgerEntryConnection, {
    description: "The customer's ledger, oldest first: every charge (positive) and credit (negative) to the partner, in exact cents.",
  })
  ledger(
    @Root() c: CustomerDoc,
    @Args() page: PageArgs,
    @Arg('filter', () => LedgerFilter, { nullable: true }) filter: LedgerFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Page<LedgerEntryDoc>> {
    return ledgerRepository(ctx).page(ctx.caller.partner._id, c._id, filter, page);
  }
}

@Resolver(() => Invoice)
export class InvoiceResolver {
  @Query(() => Invoice, {
    nullable: true,
    description:
      "One customer's invoice for a calendar month (UTC), summed from the ledger; null with a NOT_FOUND error for an unknown customer or another partner's.",
  })
  async invoice(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('period', { description: "A calendar month, 'YYYY-MM' (UTC), e.g. '2026-11'." }) period: string,
    @Ctx() ctx: Context,
  ): Promise<InvoiceSource> {
    const id = parseId('customer', customerId, 'customerId');
    const month = parsePeriod(period);
    const customer = await ctx.loaders.customerById.load(id);
    const includesTax = pricesIncludeTax(customer.billingCountry);
    let summary: Promise<InvoiceSummary> | undefined;
    return {
      customer,
      period: month.period,
      periodStart: month.start,
      periodEnd: month.end,
      pricesIncludeTax: includesTax,
      taxNote: includesTax ? TAX_NOTE.included : TAX_NOTE.excluded,
      summary: () => (summary ??= ledgerRepository(ctx).summarise(ctx.caller.partner._id, customer._id, month.start, month.end)),
    };
  }

  @FieldResolver(() => Customer)
  customer(@Root() invoice: InvoiceSource): CustomerDoc {
    return invoice.customer;
  }

  @FieldResolver(() => String, { description: 'ISO 4217 currency of every amount on the invoice.' })
  async currency(@Root() invoice: InvoiceSource): Promise<string> {
    return (await invoice.summary()).currency;
  }

  @FieldResolver(() => Money, { description: 'Sum of the charges (positive entries) of the period.' })
  async charges(@Root() invoice: InvoiceSource): Promise<Money> {
    const s = await invoice.summary();
    return money(s.chargesCents, s.currency);
  }

  @FieldResolver(() => Money, { description: 'Sum of the credits (negative entries) of the period, as a negative amount (or zero).' })
  async credits(@Root() invoice: InvoiceSource): Promise<Money> {
    const s = await invoice.summary();
    return money(s.creditsCents, s.currency);
  }

  @FieldResolver(() => Money, { description: 'Sum of all entries of the period: charges + credits.' })
  async total(@Root() invoice: InvoiceSource): Promise<Money> {
    const s = await invoice.summary();
    return money(s.totalCents, s.currency);
  }

  @FieldResolver(() => Int, { description: 'How many ledger entries the period has (all of them, even when `lines` is truncated).' })
  async entryCount(@Root() invoice: InvoiceSource): Promise<number> {
    return (await invoice.summary()).entryCount;
  }

  @FieldResolver(() => [LedgerEntry], {
    description: `The entries of the period, oldest first; at most ${INVOICE_LINES_CAP} (see \`truncated\`).`,
  })
  async lines(@Root() invoice: InvoiceSource): Promise<LedgerEntryDoc[]> {
    return (await invoice.summary()).lines;
  }

  @FieldResolver(() => Boolean, {
    description: `True when the period has more than ${INVOICE_LINES_CAP} entries and \`lines\` lists only the first ones; the totals still cover every entry.`,
  })
  async truncated(@Root() invoice: InvoiceSource): Promise<boolean> {
    return (await invoice.summary()).truncated;
  }
}
