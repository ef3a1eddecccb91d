import type { Collections } from '../db/collections.js';
import { byIdLoader, filteredChildrenLoader } from '../shared/loader-utils.js';

export const ORDER_SORT = ['creationDate', '_id'] as const;

/** Factories: `createLoaders` (src/shared/context.ts) calls each on first use in a request. */
export function createOrderLoaders(cols: Collections, partnerId: string) {
  return {
    orderById: () => byIdLoader(cols.orders, { partnerId }, 'order'),
    ordersByCustomerId: () => filteredChildrenLoader(cols.orders, { partnerId }, 'customerId', ORDER_SORT),
  };
}
