import { byIdLoader, filteredChildrenLoader, type LazyLoaders, type LoaderDeps } from '../read/loader-utils.js';

export const SOFTWARE_ORDER_SORT = ['purchasedAt', '_id'] as const;

/** SW-ACTIVITY-LOG: oldest first (index partner_at). */
export const SOFTWARE_ACTIVITY_SORT = ['at', '_id'] as const;

/** SW-SUPPORT-REQUEST: a customer's support requests, oldest first. */
export const SUPPORT_REQUEST_SORT = ['createdAt', '_id'] as const;

/** Factories over a request's deps: `createLoaders` (src/app/context.ts) calls each on first use in a request. */
export const softwareOrderLoaders = {
  softwareOrderById: (d: LoaderDeps) => byIdLoader(d.cols.softwareOrders, { partnerId: d.partnerId }, 'software order', d.planner),
  softwareOrdersByCustomerId: (d: LoaderDeps) =>
    filteredChildrenLoader({
      collection: d.cols.softwareOrders,
      scope: { partnerId: d.partnerId },
      parentField: 'customerId',
      sort: SOFTWARE_ORDER_SORT,
      planner: d.planner,
    }),
  supportRequestsByCustomerId: (d: LoaderDeps) =>
    filteredChildrenLoader({
      collection: d.cols.supportRequests,
      scope: { partnerId: d.partnerId },
      parentField: 'customerId',
      sort: SUPPORT_REQUEST_SORT,
      planner: d.planner,
    }),
};

declare module '../shared/context.js' {
  interface RequestLoaders extends LazyLoaders<typeof softwareOrderLoaders> {}
}
