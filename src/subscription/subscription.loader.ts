import { byIdLoader, childrenLoader, filteredChildrenLoader, type LazyLoaders, type LoaderDeps } from '../read/loader-utils.js';
import { SUBSCRIPTION_SORT } from './subscription.repository.js';

/** Factories over a request's deps: `createLoaders` (src/app/context.ts) calls each on first use in a request. */
export const subscriptionLoaders = {
  /** Base subscriptions and add-ons alike. */
  subscriptionById: (d: LoaderDeps) => byIdLoader(d.cols.subscriptions, { partnerId: d.partnerId }, 'subscription', d.planner),
  addOnsByParentId: (d: LoaderDeps) =>
    childrenLoader(d.cols.subscriptions, { partnerId: d.partnerId }, 'parentSubscriptionId', SUBSCRIPTION_SORT, d.planner),
  baseSubscriptionsByCustomerId: (d: LoaderDeps) =>
    filteredChildrenLoader(
      d.cols.subscriptions,
      { partnerId: d.partnerId, parentSubscriptionId: null },
      'customerId',
      SUBSCRIPTION_SORT,
      d.planner,
    ),
};

declare module '../shared/context.js' {
  interface RequestLoaders extends LazyLoaders<typeof subscriptionLoaders> {}
}
