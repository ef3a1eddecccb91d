import { byIdLoader, childrenLoader, filteredChildrenLoader, type LazyLoaders, type LoaderDeps } from '../read/loader-utils.js';
import { SUBSCRIPTION_SORT } from './subscription.repository.js';

/** Factories over a request's deps: `createLoaders` (src/app/context.ts) calls each on first use in a request. */
export const subscriptionLoaders = {
  /** Base subscriptions and add-ons alike. */
  subscriptionById: (d: LoaderDeps) => byIdLoader(d.cols.subscriptions, { partnerId: d.partnerId }, 'subscription', d.planner),
  addOnsByParentId: (d: LoaderDeps) =>
    childrenLoader({
      collection: d.cols.subscriptions,
      scope: { partnerId: d.partnerId },
      parentField: 'parentSubscriptionId',
      sort: SUBSCRIPTION_SORT,
      planner: d.planner,
    }),
  baseSubscriptionsByCustomerId: (d: LoaderDeps) =>
    filteredChildrenLoader({
      collection: d.cols.subscriptions,
      scope: { partnerId: d.partnerId, parentSubscriptionId: null },
      parentField: 'customerId',
      sort: SUBSCRIPTION_SORT,
      planner: d.planner,
    }),
};

declare module '../shared/context.js' {
  interface RequestLoaders extends LazyLoaders<typeof subscriptionLoaders> {}
}
