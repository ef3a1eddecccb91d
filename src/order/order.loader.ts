import type { Collections } from '../db/collections.js';
import { byIdLoader, filteredChildrenLoader, IN_READS, type ReadPlanner } from '../shared/loader-utils.js';

export const ORDER_SORT = ['creationDate', '_id'] as const;

/** Factories: `createLoaders` (src/shared/context.ts) calls each on first use in a request. */
export function createOrderLoaders(cols: Collections, partnerId: string, planner: ReadPlanner = IN_READS) {
  return {
    orderById: () => byIdLoader(cols.orders, { partnerId }, 'order', planner),
    ordersByCustomerId: () => filteredChildrenLoader(cols.orders, { partnerId }, 'customerId', ORDER_SORT, planner),
  };
}
