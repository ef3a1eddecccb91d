import { randomBytes } from 'node:crypto';
import { MongoClient, type CommandStartedEvent, type MongoClientOptions } from 'mongodb';
import { inject } from 'vitest';
import { collections, ensureIndexes, type Collections } from '../../src/db/collections.js';
import { FERRETDB_CAPABILITIES, MONGODB_CAPABILITIES, type BackendCapabilities, type Database } from '../../src/db/database.js';

/**
 * What the run's database server can do (src/db/database.ts), for gateways built in process over
 * it: their loaders then batch reads as the product would on that backend.
 */
export function runCapabilities(): BackendCapabilities {
  const name = inject('backendName');
  if (name === 'ferretdb-postgresql') return FERRETDB_CAPABILITIES.postgresql;
  if (name === 'ferretdb-sqlite') return FERRETDB_CAPABILITIES.sqlite;
  return MONGODB_CAPABILITIES;
}

/**
 * `testDb` as a gateway's Database: the run's server with its real capabilities, nothing started
 * or stopped by the gateway. `close` defaults to the test database's own (which drops it).
 */
export function asDatabase(testDb: TestDb, close: () => Promise<void> = testDb.close): Database {
  return {
    backend: { kind: 'mongodb-uri', uri: 'test', describe: 'test database', capabilities: runCapabilities(), stop: async () => {} },
    client: testDb.client,
    db: testDb.client.db(testDb.dbName),
    collections: testDb.collections,
    close,
  };
}

/**
 * A request's commands, labelled by `label`, with each loader batch counted once: unchanged where
 * a batch is one `$in` (MongoDB, FerretDB on SQLite); where a batch is sent as concurrent equality
 * reads (FerretDB on PostgreSQL; docs/database.md), its reads share a collection, a command
 * and the filter's field names, and that shape is kept once, at its first read.
 * test/e2e/command-count.test.ts states the exact reads per backend.
 */
export function perBatch(commands: CommandStartedEvent[], label: (e: CommandStartedEvent) => string): string[] {
  if (!runCapabilities().pushesDownEquality || runCapabilities().pushesDownIn) return commands.map(label);
  const seen = new Set<string>();
  return commands.flatMap((e) => {
    const filter = (e.command.filter ?? {}) as Record<string, unknown>;
    const shape = `${label(e)} ${Object.keys(filter).sort().join(',')}`;
    if (seen.has(shape)) return [];
    seen.add(shape);
    return [label(e)];
  });
}

export interface TestDb {
  client: MongoClient;
  dbName: string;
  collections: Collections;
  close(): Promise<void>;
}

/** A fresh, uniquely named database on the run's shared server; dropped on close. */
export async function openTestDb(prefix = 't', options: MongoClientOptions = {}): Promise<TestDb> {
  const client = new MongoClient(inject('mongoUri'), options);
  await client.connect();
  const dbName = `${prefix}_${randomBytes(4).toString('hex')}`;
  const db = client.db(dbName);
  const cols = collections(db);
  await ensureIndexes(cols);
  return {
    client,
    dbName,
    collections: cols,
    close: async () => {
      await db.dropDatabase().catch(() => {});
      await client.close();
    },
  };
}
