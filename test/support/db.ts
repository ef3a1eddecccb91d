import { randomBytes } from 'node:crypto';
import { MongoClient, type MongoClientOptions } from 'mongodb';
import { inject } from 'vitest';
import { collections, ensureIndexes, type Collections } from '../../src/db/collections.js';

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
