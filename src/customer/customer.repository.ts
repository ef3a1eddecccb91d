import type { Collection, Filter } from 'mongodb';
import type { CustomerDoc } from '../db/documents.js';
import { badUserInput } from '../shared/errors.js';
import type { Page } from '../shared/pagination.js';
import { pagedFind } from '../shared/paged-find.js';
import type { PageArgs } from '../shared/connection.type.js';
import { codePointPrefix, SEARCH_PREFIX_MAX } from '../policy/customer-keys.js';
import type { CustomerFilter } from './customer.input.js';

export const CUSTOMER_SORT = ['companyNameLower', '_id'] as const;

/** Case-insensitive prefix match as an index range (MongoDB serves it; FerretDB 1.24 does not push it down). */
export function prefixRange(prefix: string): { $gte: string; $lt: string } {
  return { $gte: prefix, $lt: `${prefix}\uffff` };
}

/** The longest search accepted, in characters after trimming. */
export const MAX_SEARCH_LENGTH = 200;

/**
 * The customers a search matches, as the top-level fields of a filter, or null for no search: an
 * empty or blank search (an empty search box) means no search filter, not a refusal. Longer than
 * 200 characters is BAD_USER_INPUT.
 *
 * A customer matches when its lower-cased name or domain starts with the lower-cased search. That
 * is an equality on `searchPrefixes` (CustomerDoc.searchPrefixes), which FerretDB on PostgreSQL
 * pushes down to its GIN index and MongoDB serves by its `partner_search` index; a search longer
 * than SEARCH_PREFIX_MAX code points adds the whole prefix as ranges, checked among the rows the
 * equality found (docs/database.md, "Customer reads by equality").
 */
export function customerSearchFilter(search: string | null | undefined, argument = 'search'): Filter<CustomerDoc> | null {
  const q = (search ?? '').trim().toLowerCase();
  if (q.length === 0) return null;
  if (q.length > MAX_SEARCH_LENGTH) {
    throw badUserInput(`Filter '${argument}' must be at most ${MAX_SEARCH_LENGTH} characters, but got ${q.length}`, {
      argumentName: `filter.${argument}`,
    });
  }
  const token = codePointPrefix(q, SEARCH_PREFIX_MAX);
  if (token === q) return { searchPrefixes: token };
  return { searchPrefixes: token, $and: [{ $or: [{ companyNameLower: prefixRange(q) }, { domainLower: prefixRange(q) }] }] };
}

/** Whether a search string searches at all (an empty or blank one does not). */
export function isSearch(search: string | null | undefined): search is string {
  return search != null && search.trim().length > 0;
}

/**
 * `partnerId` and the search's token stay top-level equalities, with the other conditions under
 * `$and`: FerretDB on PostgreSQL pushes down top-level equality only (docs/database.md), so the
 * GIN indexes narrow the read there; MongoDB plans both forms alike.
 */
export function customerFilter(partnerId: string, filter: CustomerFilter | null | undefined): Filter<CustomerDoc> {
  const { $and: searchAnd, ...search } = customerSearchFilter(filter?.search) ?? {};
  const and: Filter<CustomerDoc>[] = [...((searchAnd as Filter<CustomerDoc>[] | undefined) ?? [])];
  if (filter?.segment?.length) and.push({ segment: { $in: filter.segment } });
  if (filter?.billingCountry?.length) {
    const bad = filter.billingCountry.find((c) => !/^[A-Za-z]{2}$/.test(c));
    if (bad !== undefined) {
      throw badUserInput(`Filter 'billingCountry' takes ISO 3166 alpha-2 codes, but got '${bad}'`, {
        argumentName: 'filter.billingCountry',
      });
    }
    and.push({ billingCountry: { $in: filter.billingCountry.map((c) => c.toUpperCase()) } });
  }
  return and.length === 0 ? { partnerId, ...search } : { partnerId, ...search, $and: and };
}

export class CustomerRepository {
  constructor(private readonly customers: Collection<CustomerDoc>) {}

  async page(partnerId: string, filter: CustomerFilter | null | undefined, args: PageArgs): Promise<Page<CustomerDoc>> {
    // A blank search is no search: its cursors are those of no search.
    const bound = filter && !isSearch(filter.search) ? { ...filter, search: null } : filter;
    return pagedFind({
      collection: this.customers,
      connection: 'customers',
      filterArgs: bound,
      where: customerFilter(partnerId, filter),
      args,
      sort: CUSTOMER_SORT,
      partnerId,
    });
  }

  /**
   * IDs of the partner's customers matching a search, for filtering their subscriptions; null (no
   * narrowing) for an empty or blank search.
   */
  async idsMatching(partnerId: string, search: string, argument: string): Promise<string[] | null> {
    const where = customerSearchFilter(search, argument);
    if (!where) return null;
    const rows = await this.customers.find({ partnerId, ...where }, { projection: { _id: 1 } }).toArray();
    return rows.map((r) => r._id);
  }
}

declare module '../shared/context.js' {
  interface Repositories {
    customers: CustomerRepository;
  }
}
