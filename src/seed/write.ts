/** Writing a generated world into the database, and seeding the demo world into an empty one. */
import type { Collection, Document } from 'mongodb';
import type { Collections } from '../db/collections.js';
import type { Logger } from '../shared/logger.js';
import { DEMO_PARTNERS, SEED_CLOCK_START } from './demo-ids.js';
import { SEED_COLLECTIONS, type SeedCollection } from './docs.js';
import { demoWorldSeed, demoWorldSize, generateWorld, type WorldBatch } from './world.js';

export interface SeedProgress {
  customersDone: number;
  customersTotal: number;
  documentsWritten: number;
}

export interface SeedWorldOptions {
  customers: number;
  seed: string | number;
  /** @default SEED_CLOCK_START */
  now?: Date;
  onProgress?: (progress: SeedProgress) => void;
  /** @default 2000 */
  batchSize?: number;
  /** insertMany calls in flight at once, so generation overlaps the database's work. @default 2 */
  concurrency?: number;
}

export interface SeedResult {
  counts: Record<SeedCollection, number>;
  elapsedMs: number;
}

/**
 * Writes a generated world. The fixed documents (partners, offers) are upserted, and each partner's
 * clock is only created when missing, so seeding next to them is safe; everything else is inserted with
 * unordered insertMany. Meant for collections without customers: rerunning the same seed into the
 * same database fails on duplicate keys.
 */
export async function seedWorld(cols: Collections, options: SeedWorldOptions): Promise<SeedResult> {
  const started = performance.now();
  const concurrency = options.concurrency ?? 2;
  const counts = Object.fromEntries(SEED_COLLECTIONS.map((n) => [n, 0])) as Record<SeedCollection, number>;
  let written = 0;
  let customersDone = 0;
  let failure: unknown = null;
  const inFlight: Promise<void>[] = [];

  const write = async (batch: WorldBatch): Promise<void> => {
    switch (batch.collection) {
      case 'partners':
        await cols.partners.bulkWrite(
          batch.docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })),
          { ordered: false },
        );
        break;
      case 'offers':
        await cols.offers.bulkWrite(
          batch.docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })),
          { ordered: false },
        );
        break;
      case 'clock':
        for (const doc of batch.docs) {
          await cols.clock.updateOne(
            { _id: doc._id },
            { $setOnInsert: { now: doc.now, version: doc.version, updatedAt: doc.updatedAt } },
            { upsert: true },
          );
        }
        break;
      default: {
        const col = cols[batch.collection] as unknown as Collection<Document>;
        await col.insertMany(batch.docs as Document[], { ordered: false });
      }
    }
    counts[batch.collection] += batch.docs.length;
    written += batch.docs.length;
    customersDone = Math.max(customersDone, batch.customersDone);
    options.onProgress?.({
      customersDone: Math.min(customersDone, batch.customersTotal),
      customersTotal: batch.customersTotal,
      documentsWritten: written,
    });
  };

  const batches = generateWorld({
    customers: options.customers,
    seed: options.seed,
    now: options.now ?? SEED_CLOCK_START,
    batchSize: options.batchSize ?? 2000,
  });
  for (const batch of batches) {
    const p = write(batch).catch((error: unknown) => {
      failure ??= error;
    });
    inFlight.push(p);
    if (inFlight.length >= concurrency) await inFlight.shift();
    if (failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  options.onProgress?.({ customersDone: options.customers, customersTotal: options.customers, documentsWritten: written });
  return { counts, elapsedMs: Math.round(performance.now() - started) };
}

/**
 * Seeds the demo world (seed 'demo', `demoWorldSize` customers) when the customers collection is
 * empty. Dates are derived from the Contoso demo partner's clock (GEN-CLOCK: one clock per partner)
 * when the database has one, else SEED_CLOCK_START, so the demo's windows (24 h, 14 d, 30 d) are
 * open relative to the simulation clock. Returns whether it seeded.
 */
export async function seedDemoIfEmpty(cols: Collections, log: Logger): Promise<boolean> {
  const existing = await cols.customers.findOne({}, { projection: { _id: 1 } });
  if (existing) return false;
  const clock = await cols.clock.findOne({ _id: DEMO_PARTNERS.contoso.id });
  const now = clock?.now ?? SEED_CLOCK_START;
  const result = await seedWorld(cols, { customers: demoWorldSize, seed: demoWorldSeed, now });
  const summary = SEED_COLLECTIONS.map((n) => `${n} ${result.counts[n]}`).join(', ');
  log.info('seed', `seeded the demo world (seed '${demoWorldSeed}', clock ${now.toISOString()}) in ${result.elapsedMs} ms: ${summary}`);
  return true;
}
