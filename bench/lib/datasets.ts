/**
 * The benchmark's database server and its data sets: one server (whatever src/db/database.ts
 * resolves: MONGODB_URI, DB_BACKEND, an embedded mongod or FerretDB), one database per data set,
 * each seeded once and reused while its marker document says it holds the same size and seed.
 */
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { collections, ensureIndexes, type Collections } from '../../src/db/collections.js';
import { resolveBackend, type Backend } from '../../src/db/database.js';
import { SEED_CLOCK_START } from '../../src/seed/demo-ids.js';
import { SEED_COLLECTIONS, seedWorld } from '../../src/seed/generate.js';
import { loadConfig, PROJECT_ROOT, type Config } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';
import { log } from './progress.js';

/** The marker collection of a data set database (not one of the gateway's collections). */
const MARKER_COLLECTION = 'bench_marker';
/** Bump when the generator changes in a way that makes old data sets unfit. */
const MARKER_FORMAT = 1;

export interface Server {
  backend: Backend;
  /** e.g. `FerretDB v1.24.2 (MongoDB 7.0.42 wire protocol)` or `MongoDB 7.0.14`. */
  version: string;
  /** True for FerretDB, whatever its storage. */
  ferretdb: boolean;
  client: MongoClient;
  config: Config;
  close(): Promise<void>;
}

/**
 * Resolves the server once, as the gateway would. A FerretDB we start keeps its files under
 * DATA_DIR, by default `.data/bench` (apart from `npm start`'s `.data`), so data sets survive runs.
 */
export async function openServer(): Promise<Server> {
  process.env.DATA_DIR ??= path.join(PROJECT_ROOT, '.data', 'bench');
  // As scripts/seed.ts: a FerretDB started here commits bulk inserts in larger transactions.
  process.env.FERRETDB_TEST_BATCH_SIZE ??= '2000';
  const config = loadConfig(process.env);
  const backend = await resolveBackend(config, createLogger('warn'));
  const client = new MongoClient(backend.uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    const info = await client.db('admin').command({ buildInfo: 1 });
    const ferretdb = typeof info.ferretdbVersion === 'string';
    const version = ferretdb ? `FerretDB ${info.ferretdbVersion} (MongoDB ${info.version} wire protocol)` : `MongoDB ${info.version}`;
    return {
      backend,
      version,
      ferretdb,
      client,
      config,
      close: async () => {
        await client.close().catch(() => {});
        await backend.stop();
      },
    };
  } catch (error) {
    await client.close().catch(() => {});
    await backend.stop();
    throw error;
  }
}

export interface DataSet {
  dbName: string;
  customers: number;
  seed: string;
  db: Db;
  collections: Collections;
  /** Documents per collection, as seeded. */
  counts: Record<string, number>;
  reused: boolean;
  seedMs: number;
}

interface Marker {
  _id: 'dataset';
  format: number;
  customers: number;
  seed: string;
  now: Date;
  counts: Record<string, number>;
  seedMs: number;
  seededAt: Date;
}

export function dataSetName(customers: number, seed: string): string {
  return `bench_${customers}_${seed.replace(/[^A-Za-z0-9]/g, '').slice(0, 20)}`;
}

/** The data set of `customers` customers and `seed`: reused when its marker matches, else (re)seeded. */
export async function ensureDataSet(server: Server, customers: number, seed: string, options: { fresh?: boolean } = {}): Promise<DataSet> {
  const dbName = options.fresh ? `bench_scratch_${customers}` : dataSetName(customers, seed);
  const db = server.client.db(dbName);
  const cols = collections(db);
  const marker = options.fresh ? null : await db.collection<Marker>(MARKER_COLLECTION).findOne({ _id: 'dataset' });
  if (marker && marker.format === MARKER_FORMAT && marker.customers === customers && marker.seed === seed) {
    log(`data set ${dbName}: reusing (${fmt(customers)} customers, seed '${seed}', seeded ${marker.seededAt.toISOString()})`);
    await ensureIndexes(cols);
    return { dbName, customers, seed, db, collections: cols, counts: marker.counts, reused: true, seedMs: marker.seedMs };
  }
  log(`data set ${dbName}: ${marker ? 'marker differs, re-seeding' : 'seeding'} ${fmt(customers)} customers (seed '${seed}')`);
  await db.dropDatabase();
  await ensureIndexes(cols);
  let lastDecile = -1;
  const started = performance.now();
  const result = await seedWorld(cols, {
    customers,
    seed,
    now: SEED_CLOCK_START,
    batchSize: 2000,
    onProgress: (p) => {
      const decile = Math.floor((p.customersDone / Math.max(1, p.customersTotal)) * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        const s = (performance.now() - started) / 1000;
        log(
          `  seeding ${dbName}: ${decile * 10}% (${fmt(p.customersDone)} customers, ${fmt(p.documentsWritten)} documents, ${s.toFixed(0)} s)`,
        );
      }
    },
  });
  const counts = Object.fromEntries(SEED_COLLECTIONS.map((n) => [n, result.counts[n]]));
  if (!options.fresh) {
    await db.collection<Marker>(MARKER_COLLECTION).insertOne({
      _id: 'dataset',
      format: MARKER_FORMAT,
      customers,
      seed,
      now: SEED_CLOCK_START,
      counts,
      seedMs: result.elapsedMs,
      seededAt: new Date(),
    });
  }
  log(`data set ${dbName}: seeded in ${(result.elapsedMs / 1000).toFixed(1)} s`);
  return { dbName, customers, seed, db, collections: cols, counts, reused: false, seedMs: result.elapsedMs };
}

export const fmt = (n: number): string => new Intl.NumberFormat('en-US').format(n);
