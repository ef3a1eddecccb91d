import type { Collections } from '../db/collections.js';
import { byIdLoader, filteredChildrenLoader, IN_READS, type ReadPlanner } from '../shared/loader-utils.js';

export const SOFTWARE_ORDER_SORT = ['purchasedAt', '_id'] as const;

/** SW-ACTIVITY-LOG: oldest first (index partner_at). */
export const SOFTWARE_ACTIVITY_SORT = ['at', '_id'] as const;

/** SW-SUPPORT-REQUEST: a customer's support requests, oldest first. */
export const SUPPORT_REQUEST_SORT = ['createdAt', '_id'] as const;

/** Factories: `createLoaders` (src/shared/context.ts) calls each on first use in a request. */
export function createSoftwareOrderLoaders(cols: Collections, partnerId: string, planner: ReadPlanner = IN_READS) {
  return {
    softwareOrderById: () => byIdLoader(cols.softwareOrders, { partnerId }, 'software order', planner),
    softwareOrdersByCustomerId: () =>
      filteredChildrenLoader(cols.softwareOrders, { partnerId }, 'customerId', SOFTWARE_ORDER_SORT, planner),
    supportRequestsByCustomerId: () =>
      filteredChildrenLoader(cols.supportRequests, { partnerId }, 'customerId', SUPPORT_REQUEST_SORT, planner),
  };
}
