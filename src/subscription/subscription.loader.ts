import type { Collections } from '../db/collections.js';
import { byIdLoader, childrenLoader, filteredChildrenLoader, IN_READS, type ReadPlanner } from '../shared/loader-utils.js';
import { SUBSCRIPTION_SORT } from './subscription.repository.js';

/** Factories: `createLoaders` (src/shared/context.ts) calls each on first use in a request. */
export function createSubscriptionLoaders(cols: Collections, partnerId: string, planner: ReadPlanner = IN_READS) {
  return {
    /** Base subscriptions and add-ons alike. */
    subscriptionById: () => byIdLoader(cols.subscriptions, { partnerId }, 'subscription', planner),
    addOnsByParentId: () => childrenLoader(cols.subscriptions, { partnerId }, 'parentSubscriptionId', SUBSCRIPTION_SORT, planner),
    baseSubscriptionsByCustomerId: () =>
      filteredChildrenLoader(cols.subscriptions, { partnerId, parentSubscriptionId: null }, 'customerId', SUBSCRIPTION_SORT, planner),
  };
}
