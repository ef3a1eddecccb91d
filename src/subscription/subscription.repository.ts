import type { Collection, Filter } from 'mongodb';
import type { SubscriptionDoc } from '../db/documents.js';
import type { PageArgs } from '../shared/connection.type.js';
import { isSearch } from '../customer/customer.repository.js';
import { badUserInput } from '../shared/errors.js';
import { parseId } from '../shared/ids.js';
import type { Page } from '../shared/pagination.js';
import { pagedFind } from '../shared/paged-find.js';
import type { SubscriptionFilter } from './subscription.input.js';

export const SUBSCRIPTION_SORT = ['creationDate', '_id'] as const;

/** The filter's conditions, without tenant scope or customer search (callers add those). */
export function subscriptionConditions(filter: SubscriptionFilter | null | undefined): Filter<SubscriptionDoc> {
  const where: Filter<SubscriptionDoc> = {};
  if (!filter) return where;
  if (filter.status?.length) where.status = { $in: filter.status };
  if (filter.offerId?.length) where.offerId = { $in: filter.offerId.map((id) => parseId('offer', id, 'filter.offerId')) };
  if (filter.commerceType?.length) where.commerceType = { $in: filter.commerceType };
  if (filter.billingCycle?.length) where.billingCycle = { $in: filter.billingCycle };
  if (filter.autoRenewEnabled != null) where.autoRenewEnabled = filter.autoRenewEnabled;
  if (filter.expiringBefore != null) where.commitmentEndDate = { $lt: filter.expiringBefore };
  return where;
}

export class SubscriptionRepository {
  constructor(private readonly subscriptions: Collection<SubscriptionDoc>) {}

  /** Base subscriptions of the partner, across customers; `customerIds` narrows to those customers. */
  async page({
    partnerId,
    filter,
    args,
    customerIds,
    visibility = {},
  }: {
    partnerId: string;
    filter: SubscriptionFilter | null | undefined;
    args: PageArgs;
    customerIds: string[] | null;
    /** What the caller may see (src/shared/authorization.ts): `{}` for everything. */
    visibility?: Filter<SubscriptionDoc>;
  }): Promise<Page<SubscriptionDoc>> {
    const where: Filter<SubscriptionDoc> = {
      ...visibility,
      ...subscriptionConditions(filter),
      partnerId,
      parentSubscriptionId: null,
      ...(customerIds ? { customerId: { $in: customerIds } } : {}),
    };
    // A blank customerSearch is no search: its cursors are those of no search.
    const bound = filter && !isSearch(filter.customerSearch) ? { ...filter, customerSearch: null } : filter;
    return pagedFind({
      collection: this.subscriptions,
      connection: 'subscriptions',
      filterArgs: bound,
      where,
      args,
      sort: SUBSCRIPTION_SORT,
      partnerId,
    });
  }
}

/** customerSearch applies to the top-level subscriptions only; an empty or blank one is no search, and passes. */
export function rejectCustomerSearchInNested(filter: SubscriptionFilter | null | undefined): void {
  if (isSearch(filter?.customerSearch)) {
    throw badUserInput("Filter 'customerSearch' applies to the top-level subscriptions query, not to one customer's subscriptions", {
      argumentName: 'filter.customerSearch',
    });
  }
}

declare module '../shared/context.js' {
  interface Repositories {
    subscriptions: SubscriptionRepository;
  }
}
