import DataLoader from 'dataloader';
import type { Collections } from '../db/collections.js';
import type { RefundCapDoc } from '../db/documents.js';
import { byIdBatchSize, byIdLoader, filteredChildrenLoader, findByKeys, IN_READS, type ReadPlanner } from '../shared/loader-utils.js';

export const RESERVATION_SORT = ['purchasedAt', '_id'] as const;

/** Factories: `createLoaders` (src/shared/context.ts) calls each on first use in a request. */
export function createReservationLoaders(cols: Collections, partnerId: string, planner: ReadPlanner = IN_READS) {
  return {
    reservationById: () => byIdLoader(cols.reservations, { partnerId }, 'reservation', planner),
    reservationsByCustomerId: () => filteredChildrenLoader(cols.reservations, { partnerId }, 'customerId', RESERVATION_SORT, planner),
    /** RES-REFUND-CAP: each customer's cap document, null before its first refund; one read per batch. */
    refundCapByCustomerId: () =>
      new DataLoader<string, RefundCapDoc | null>(async (customerIds) => {
        const rows = await findByKeys(cols.refundCaps, { partnerId }, '_id', customerIds, planner, (find, keys) =>
          find.batchSize(byIdBatchSize(keys)),
        );
        const byId = new Map(rows.map((row) => [row._id, row]));
        return customerIds.map((id) => byId.get(id) ?? null);
      }),
  };
}
