import type { Collection, Filter } from 'mongodb';
import type { LedgerEntryDoc } from '../db/documents.js';
import type { PageArgs } from '../shared/connection.type.js';
import { badUserInput } from '../shared/errors.js';
import { parseId } from '../shared/ids.js';
import { pagedFind } from '../shared/paged-find.js';
import { sortDocument, type Page } from '../shared/pagination.js';
import type { LedgerFilter } from './ledger.input.js';
import { INVOICE_LINES_CAP } from './ledger.type.js';

/** Oldest first, like the other connections; `_id` breaks ties so keyset paging is stable. */
export const LEDGER_SORT = ['at', '_id'] as const;

/**
 * The currency of an invoice with no entries: every offer of the simulated catalog is sold in USD.
 * An invoice with entries takes their currency.
 */
export const DEFAULT_INVOICE_CURRENCY = 'USD';

/** The filter's conditions, without tenant or customer scope (the caller adds those). */
export function ledgerConditions(filter: LedgerFilter | null | undefined): Filter<LedgerEntryDoc> {
  const where: Filter<LedgerEntryDoc> = {};
  if (!filter) return where;
  if (filter.from != null && filter.to != null && filter.from.getTime() > filter.to.getTime()) {
    throw badUserInput(
      `Filter 'to' must not be before 'from', but got from ${filter.from.toISOString()} and to ${filter.to.toISOString()}`,
      { argumentName: 'filter.to' },
    );
  }
  if (filter.from != null || filter.to != null) {
    where.at = { ...(filter.from != null ? { $gte: filter.from } : {}), ...(filter.to != null ? { $lt: filter.to } : {}) };
  }
  if (filter.subscriptionId != null) {
    where['source.type'] = 'subscription';
    where['source.id'] = parseId('subscription', filter.subscriptionId, 'filter.subscriptionId');
  }
  return where;
}

/** The sums of one invoice period (MONEY-EXACT: integer cents throughout, never floats). */
export interface InvoiceSummary {
  currency: string;
  /** Sum of the positive entries. */
  chargesCents: number;
  /** Sum of the negative entries (zero or negative). */
  creditsCents: number;
  /** Sum of all entries: charges + credits. */
  totalCents: number;
  entryCount: number;
  /** The period's first entries, oldest first, at most `INVOICE_LINES_CAP`. */
  lines: LedgerEntryDoc[];
  /** True when the period has more entries than `lines` holds. */
  truncated: boolean;
}

/** Accumulates entries one at a time, so a period's entries are summed while streaming from one find. */
export class InvoiceAccumulator {
  private readonly currencies = new Set<string>();
  private charges = 0;
  private credits = 0;
  private count = 0;
  private readonly lines: LedgerEntryDoc[] = [];

  constructor(
    private readonly describe: string,
    private readonly linesCap = INVOICE_LINES_CAP,
  ) {}

  add(entry: LedgerEntryDoc): void {
    const cents = entry.amountCents;
    // MONEY-EXACT: a stored amount that is not a whole number of cents is corrupt data, not something to round.
    if (!Number.isSafeInteger(cents)) throw new Error(`Ledger entry ${entry._id} of ${this.describe} has a non-integer amount: ${cents}`);
    this.currencies.add(entry.currency);
    if (cents > 0) this.charges += cents;
    else this.credits += cents;
    this.count += 1;
    if (this.lines.length < this.linesCap) this.lines.push(entry);
  }

  result(): InvoiceSummary {
    if (this.currencies.size > 1) {
      // An invoice sums one currency; adding amounts of two currencies would be wrong, not approximate.
      throw new Error(`The ledger of ${this.describe} mixes currencies (${[...this.currencies].sort().join(', ')})`);
    }
    const total = this.charges + this.credits;
    // Integers stay exact up to 2^53 cents; beyond that a sum would silently lose cents.
    for (const sum of [this.charges, this.credits, total]) {
      if (!Number.isSafeInteger(sum)) throw new Error(`The ledger sums of ${this.describe} exceed exact integer range`);
    }
    return {
      currency: [...this.currencies][0] ?? DEFAULT_INVOICE_CURRENCY,
      chargesCents: this.charges,
      creditsCents: this.credits,
      totalCents: total,
      entryCount: this.count,
      lines: this.lines,
      truncated: this.count > this.lines.length,
    };
  }
}

export class LedgerRepository {
  constructor(private readonly ledger: Collection<LedgerEntryDoc>) {}

  /** One customer's ledger, oldest first: a keyset page (one find, plus a count if `totalCount` is selected). */
  page(partnerId: string, customerId: string, filter: LedgerFilter | null | undefined, args: PageArgs): Promise<Page<LedgerEntryDoc>> {
    const where: Filter<LedgerEntryDoc> = { ...ledgerConditions(filter), partnerId, customerId };
    return pagedFind({
      collection: this.ledger,
      connection: 'customer.ledger',
      filterArgs: filter,
      where,
      args,
      sort: LEDGER_SORT,
      partnerId,
    });
  }

  /**
   * The entries of `[start, end)`, summed in memory from ONE find (sorted oldest first and streamed,
   * so memory holds only the listed lines): totals and lines come from the same read, so when the
   * lines are not truncated they always add up to the total.
   */
  async summarise(partnerId: string, customerId: string, start: Date, end: Date): Promise<InvoiceSummary> {
    const sums = new InvoiceAccumulator(`customer ${customerId} from ${start.toISOString()} to ${end.toISOString()}`);
    const cursor = this.ledger
      .find({ partnerId, customerId, at: { $gte: start, $lt: end } })
      .sort(sortDocument(LEDGER_SORT))
      // A period of up to the lines cap arrives in the find's first batch: no getMore.
      .batchSize(INVOICE_LINES_CAP + 1);
    for await (const entry of cursor) sums.add(entry as LedgerEntryDoc);
    return sums.result();
  }
}
