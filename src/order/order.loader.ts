import { byIdLoader, filteredChildrenLoader, type LazyLoaders, type LoaderDeps } from '../read/loader-utils.js';

export const ORDER_SORT = ['creationDate', '_id'] as const;

/** Factories over a request's deps: `createLoaders` (src/app/context.ts) calls each on first use in a request. */
export const orderLoaders = {
  orderById: (d: LoaderDeps) => byIdLoader(d.cols.orders, { partnerId: d.partnerId }, 'order', d.planner),
  ordersByCustomerId: (d: LoaderDeps) =>
    filteredChildrenLoader({
      collection: d.cols.orders,
      scope: { partnerId: d.partnerId },
      parentField: 'customerId',
      sort: ORDER_SORT,
      planner: d.planner,
    }),
};

declare module '../shared/context.js' {
  interface RequestLoaders extends LazyLoaders<typeof orderLoaders> {}
}
