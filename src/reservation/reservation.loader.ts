import DataLoader from 'dataloader';
import type { RefundCapDoc } from '../db/documents.js';
import { byIdBatchSize, byIdLoader, filteredChildrenLoader, findByKeys, type LazyLoaders, type LoaderDeps } from '../read/loader-utils.js';

export const RESERVATION_SORT = ['purchasedAt', '_id'] as const;

/** Factories over a request's deps: `createLoaders` (src/app/context.ts) calls each on first use in a request. */
export const reservationLoaders = {
  reservationById: (d: LoaderDeps) => byIdLoader(d.cols.reservations, { partnerId: d.partnerId }, 'reservation', d.planner),
  reservationsByCustomerId: (d: LoaderDeps) =>
    filteredChildrenLoader({
      collection: d.cols.reservations,
      scope: { partnerId: d.partnerId },
      parentField: 'customerId',
      sort: RESERVATION_SORT,
      planner: d.planner,
    }),
  /** RES-REFUND-CAP: each customer's cap document, null before its first refund; one read per batch. */
  refundCapByCustomerId: (d: LoaderDeps) =>
    new DataLoader<string, RefundCapDoc | null>(async (customerIds) => {
      const rows = await findByKeys({
        collection: d.cols.refundCaps,
        filter: { partnerId: d.partnerId },
        field: '_id',
        keys: customerIds,
        planner: d.planner,
        cursor: (find, keys) => find.batchSize(byIdBatchSize(keys)),
      });
      const byId = new Map(rows.map((row) => [row._id, row]));
      return customerIds.map((id) => byId.get(id) ?? null);
    }),
};

declare module '../shared/context.js' {
  interface RequestLoaders extends LazyLoaders<typeof reservationLoaders> {}
}
