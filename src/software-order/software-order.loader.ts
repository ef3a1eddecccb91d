import type { Collections } from '../db/collections.js';
import { byIdLoader, filteredChildrenLoader } from '../shared/loader-utils.js';

export const SOFTWARE_ORDER_SORT = ['purchasedAt', '_id'] as const;

export function createSoftwareOrderLoaders(cols: Collections, partnerId: string) {
  return {
    softwareOrderById: byIdLoader(cols.softwareOrders, { partnerId }, 'software order'),
    softwareOrdersByCustomerId: filteredChildrenLoader(cols.softwareOrders, { partnerId }, 'customerId', SOFTWARE_ORDER_SORT),
  };
}
