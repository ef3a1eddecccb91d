import DataLoader from 'dataloader';
import type { Collections } from '../db/collections.js';
import type { RefundCapDoc } from '../db/documents.js';
import { byIdBatchSize, byIdLoader, filteredChildrenLoader } from '../shared/loader-utils.js';

export const RESERVATION_SORT = ['purchasedAt', '_id'] as const;

/** Factories: `createLoaders` (src/shared/context.ts) calls each on first use in a request. */
export function createReservationLoaders(cols: Collections, partnerId: string) {
  return {
    reservationById: () => byIdLoader(cols.reservations, { partnerId }, 'reservation'),
    reservationsByCustomerId: () => filteredChildrenLoader(cols.reservations, { partnerId }, 'customerId', RESERVATION_SORT),
    /** RES-REFUND-CAP: each customer's cap document, null before its first refund; one `$in` read per batch. */
    refundCapByCustomerId: () =>
      new DataLoader<string, RefundCapDoc | null>(async (customerIds) => {
        const rows = await cols.refundCaps
          .find({ partnerId, _id: { $in: [...customerIds] } })
          .batchSize(byIdBatchSize(customerIds.length))
          .toArray();
        const byId = new Map(rows.map((row) => [row._id, row]));
        return customerIds.map((id) => byId.get(id) ?? null);
      }),
  };
}
