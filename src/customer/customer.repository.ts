import type { Collection, Filter } from 'mongodb';
import type { CustomerDoc } from '../db/documents.js';
import { badUserInput } from '../shared/errors.js';
import type { Page } from '../shared/pagination.js';
import { pagedFind } from '../shared/paged-find.js';
import type { PageArgs } from '../shared/connection.type.js';
import type { CustomerFilter } from './customer.input.js';

export const CUSTOMER_SORT = ['companyNameLower', '_id'] as const;

/** Case-insensitive prefix match as an index range, which MongoDB and FerretDB both serve. */
export function prefixRange(prefix: string): { $gte: string; $lt: string } {
  return { $gte: prefix, $lt: `${prefix}\uffff` };
}

export function customerSearchFilter(search: string, argument = 'search'): Filter<CustomerDoc> {
  const q = search.trim().toLowerCase();
  if (q.length === 0 || q.length > 200) {
    throw badUserInput(`Filter '${argument}' must be 1 to 200 characters, but got ${q.length}`, {
      argumentName: `filter.${argument}`,
    });
  }
  return { $or: [{ companyNameLower: prefixRange(q) }, { domainLower: prefixRange(q) }] };
}

export function customerFilter(partnerId: string, filter: CustomerFilter | null | undefined): Filter<CustomerDoc> {
  const and: Filter<CustomerDoc>[] = [{ partnerId }];
  if (filter?.search != null) and.push(customerSearchFilter(filter.search));
  if (filter?.segment?.length) and.push({ segment: { $in: filter.segment } });
  if (filter?.billingCountry?.length) {
    const bad = filter.billingCountry.find((c) => !/^[A-Za-z]{2}$/.test(c));
    if (bad !== undefined) throw badUserInput(`Filter 'billingCountry' takes ISO 3166 alpha-2 codes, but got '${bad}'`);
    and.push({ billingCountry: { $in: filter.billingCountry.map((c) => c.toUpperCase()) } });
  }
  return and.length === 1 ? and[0]! : { $and: and };
}

export class CustomerRepository {
  constructor(private readonly customers: Collection<CustomerDoc>) {}

  async page(partnerId: string, filter: CustomerFilter | null | undefined, args: PageArgs): Promise<Page<CustomerDoc>> {
    return pagedFind(this.customers, 'customers', filter, customerFilter(partnerId, filter), args, CUSTOMER_SORT, partnerId);
  }

  /** IDs of the partner's customers matching a search, for filtering their subscriptions. */
  async idsMatching(partnerId: string, search: string, argument: string): Promise<string[]> {
    const rows = await this.customers
      .find({ $and: [{ partnerId }, customerSearchFilter(search, argument)] }, { projection: { _id: 1 } })
      .toArray();
    return rows.map((r) => r._id);
  }
}
