import type { Collections } from '../db/collections.js';
import { byIdLoader, filteredChildrenLoader } from '../shared/loader-utils.js';

export const RESERVATION_SORT = ['purchasedAt', '_id'] as const;

export function createReservationLoaders(cols: Collections, partnerId: string) {
  return {
    reservationById: byIdLoader(cols.reservations, { partnerId }, 'reservation'),
    reservationsByCustomerId: filteredChildrenLoader(cols.reservations, { partnerId }, 'customerId', RESERVATION_SORT),
  };
}
