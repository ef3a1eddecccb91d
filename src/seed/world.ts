/**
 * Deterministic world generator: partners, catalog, customers and everything they bought, as
 * streamed batches per collection. The files beside it build each part: partners.ts, catalog.ts,
 * customers.ts (a customer, from showcase.ts or at random), subscriptions.ts with timeline.ts,
 * add-ons.ts and upgrades.ts, software-orders.ts, reservations.ts; write.ts puts a world into the
 * database, and index.ts is the seeder's public surface.
 *
 * Determinism: every value comes from the seed, the number of customers and `now` (never the
 * wall clock); each customer draws from its own PRNG stream (`seed#ordinal`). Order IDs are unique
 * by construction, not by luck (ids.ts).
 *
 * A sandbox's world (`partner`, docs/sandboxes.md): only tenant documents, every customer the
 * sandbox partner's, each with `domainRealm` = its partner ID. Its IDs come from a stream of their
 * own keyed by (partner ID, seed, ordinal), so two sandboxes built from one seed get the same
 * names, offers, quantities, dates and amounts but never the same `_id`; without `partner` the IDs
 * stay drawn from the customer's stream, so the demo world is what it always was.
 *
 * Consistency kept for the gateway's rules: every window, price, proration and refund comes from
 * src/policy/, the same functions the gateway decides with, so seeded and live amounts cannot
 * drift apart; money is integer cents (MONEY-EXACT).
 */
import type { PartnerDoc } from '../db/documents.js';
import { CATALOG } from './catalog.js';
import { generateCustomer } from './customers.js';
import { emptyBuffers, SEED_COLLECTIONS, type Buffers, type SeedCollection, type SeedDocs } from './docs.js';
import { MAX_WORLD_CUSTOMERS } from './ids.js';
import { clockDocs, partnerDocs, partnersByKey } from './partners.js';
import { Rng } from './random.js';

/** One batch of documents for one collection; `customersDone` customers are fully generated. */
export type WorldBatch = {
  [K in SeedCollection]: { collection: K; docs: SeedDocs[K][]; customersDone: number; customersTotal: number };
}[SeedCollection];

export interface GenerateOptions {
  customers: number;
  seed: string | number;
  /** The simulation clock of the new world: every date is derived from it. */
  now: Date;
  /** A collection's buffer is emitted when it holds this many documents. @default 2000 */
  batchSize?: number;
  /**
   * A sandbox's partner: the world is this partner's alone, without partners, catalog or clocks
   * (the sandbox has its own), and its IDs are keyed by this partner's ID as well as the seed.
   */
  partner?: PartnerDoc;
}

/** Customers in the world `npm start` seeds into an empty database. */
export const demoWorldSize = 40;
/** The seed of the world `npm start` seeds into an empty database. */
export const demoWorldSeed = 'demo';

/**
 * Generates a world as batches, one collection per batch: first the partners, the catalog and the
 * clock, then customers with everything they bought. A collection's batch is emitted once it holds
 * `batchSize` documents, so memory stays bounded whatever the number of customers.
 */
export function* generateWorld(options: GenerateOptions): Generator<WorldBatch> {
  const { customers, now: nowDate } = options;
  const batchSize = options.batchSize ?? 2000;
  if (!Number.isInteger(customers) || customers < 0 || customers > MAX_WORLD_CUSTOMERS) {
    throw new RangeError(`generateWorld: customers must be an integer from 0 to ${MAX_WORLD_CUSTOMERS}, but got ${customers}`);
  }
  if (!(nowDate instanceof Date) || Number.isNaN(nowDate.getTime())) {
    throw new RangeError(`generateWorld: now must be a valid Date, but got ${String(nowDate)}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`generateWorld: batchSize must be a positive integer, but got ${batchSize}`);
  }
  const seed = String(options.seed);
  const now = nowDate.getTime();
  const { partner } = options;
  const keyRng = new Rng(partner ? `${partner._id}/${seed}/order-ids` : `${seed}/order-ids`);
  const orderKeys = [keyRng.nextUint32(), keyRng.nextUint32(), keyRng.nextUint32(), keyRng.nextUint32()];
  const total = customers;

  if (!partner) {
    yield { collection: 'partners', docs: partnerDocs(now), customersDone: 0, customersTotal: total };
    yield { collection: 'offers', docs: CATALOG.map((o) => structuredClone(o)), customersDone: 0, customersTotal: total };
    yield { collection: 'clock', docs: clockDocs(now), customersDone: 0, customersTotal: total };
  }

  const partners = partnersByKey(now);
  const out = emptyBuffers();
  const tenantCollections = SEED_COLLECTIONS.slice(3);
  for (let i = 0; i < customers; i++) {
    generateCustomer({ seed, ordinal: i, total, now, orderKeys, partners, sandboxPartner: partner, out });
    for (const name of tenantCollections) {
      while (out[name].length >= batchSize) yield take(out, name, batchSize, { customersDone: i + 1, customersTotal: total });
    }
  }
  for (const name of tenantCollections) {
    while (out[name].length > 0) yield take(out, name, batchSize, { customersDone: customers, customersTotal: total });
  }
}

/** Removes up to `count` documents from the front of a buffer, as a batch. */
function take(out: Buffers, name: SeedCollection, count: number, progress: { customersDone: number; customersTotal: number }): WorldBatch {
  const docs = (out[name] as unknown[]).splice(0, count);
  return { collection: name, docs, ...progress } as WorldBatch;
}
