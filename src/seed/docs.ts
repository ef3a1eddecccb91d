/** The collections the seeder writes, and the document type of each. */
import type {
  ClockDoc,
  CustomerDoc,
  LedgerEntryDoc,
  OfferDoc,
  OrderDoc,
  PartnerDoc,
  RefundCapDoc,
  ReservationDoc,
  SoftwareActivityDoc,
  SoftwareOrderDoc,
  SubscriptionDoc,
} from '../db/documents.js';

/** The document type of each collection the seeder writes. */
export interface SeedDocs {
  partners: PartnerDoc;
  offers: OfferDoc;
  clock: ClockDoc;
  customers: CustomerDoc;
  subscriptions: SubscriptionDoc;
  orders: OrderDoc;
  softwareOrders: SoftwareOrderDoc;
  softwareActivity: SoftwareActivityDoc;
  reservations: ReservationDoc;
  ledger: LedgerEntryDoc;
  refundCaps: RefundCapDoc;
}

export type SeedCollection = keyof SeedDocs;

export const SEED_COLLECTIONS: readonly SeedCollection[] = [
  'partners',
  'offers',
  'clock',
  'customers',
  'subscriptions',
  'orders',
  'softwareOrders',
  'softwareActivity',
  'reservations',
  'ledger',
  'refundCaps',
];

/** Documents generated and not yet emitted, per collection. */
export type Buffers = { [K in SeedCollection]: SeedDocs[K][] };

export function emptyBuffers(): Buffers {
  return {
    partners: [],
    offers: [],
    clock: [],
    customers: [],
    subscriptions: [],
    orders: [],
    softwareOrders: [],
    softwareActivity: [],
    reservations: [],
    ledger: [],
    refundCaps: [],
  };
}
