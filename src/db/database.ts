import { lookup } from 'node:dns/promises';
import { MongoClient, MongoParseError, type Db, type MongoClientOptions } from 'mongodb';
import { ConfigError, MONGODB_URI_FORMS, redactMongoUri, type Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { collections, ensureIndexes, type Collections } from './collections.js';
import { DataDirInUseError, startFerretDb } from './ferretdb.js';

export type BackendKind = 'mongodb-uri' | 'mongodb-memory-server' | 'ferretdb';

/** A MongoDB-speaking server the gateway can reach, and how to stop it if we started it. */
export interface Backend {
  kind: BackendKind;
  uri: string;
  /** Server version as the server reports it (FerretDB adds its own). */
  describe: string;
  stop(): Promise<void>;
  /** The supervising process's pid when this process started the server (FerretDB's watchdog); tests only. */
  processId?: () => number | undefined;
}

export interface Database {
  backend: Backend;
  client: MongoClient;
  db: Db;
  collections: Collections;
  /** Closes the client, then stops the server if this process started it. */
  close(): Promise<void>;
}

export class NoDatabaseError extends Error {
  override name = 'NoDatabaseError';
}

/**
 * The one place that decides which database the process uses. Resolution order:
 * 1. `MONGODB_URI`: connect to it (standalone, replica set or Atlas);
 * 2. an embedded mongod from mongodb-memory-server (cached, `MONGOMS_SYSTEM_BINARY`, or downloaded);
 * 3. FerretDB 1.24 with its SQLite backend, on a free loopback port, stopped with the process;
 * 4. otherwise NoDatabaseError naming the three ways.
 * `DB_BACKEND=memory|ferretdb` starts from step 2 or 3 and tries only that one.
 */
export async function resolveBackend(config: Config, log: Logger): Promise<Backend> {
  if (config.mongodbUri) {
    return { kind: 'mongodb-uri', uri: config.mongodbUri, describe: redactMongoUri(config.mongodbUri), stop: async () => {} };
  }
  const failures: string[] = [];
  if (config.backend === 'auto' || config.backend === 'memory') {
    try {
      return await startMemoryServer(config);
    } catch (error) {
      failures.push(`mongodb-memory-server: ${firstLine(error)}`);
      log.debug('database', `embedded mongod unavailable: ${firstLine(error)}`);
    }
  }
  if (config.backend === 'auto' || config.backend === 'ferretdb') {
    try {
      return await startFerretDb(config, log);
    } catch (error) {
      // Another gateway's FerretDB owns DATA_DIR: say so alone, not as one of the ways that failed.
      if (error instanceof DataDirInUseError) throw error;
      failures.push(`FerretDB: ${firstLine(error)}`);
    }
  }
  throw new NoDatabaseError(
    'No MongoDB-speaking database could be had. Give one of:\n' +
      '  1. MONGODB_URI=mongodb://host:27017 (a MongoDB standalone, replica set or Atlas cluster);\n' +
      '  2. a mongod for mongodb-memory-server: a connected machine (it downloads one), or MONGOMS_SYSTEM_BINARY=/path/to/mongod;\n' +
      '  3. FerretDB 1.24: run `npm run db:ferretdb` (needs Go), or set FERRETDB_BIN.\n' +
      `Tried: ${failures.join('; ') || 'nothing (DB_BACKEND excluded every option)'}`,
  );
}

async function startMemoryServer(config: Config): Promise<Backend> {
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  const { DryMongoBinary } = await import('mongodb-memory-server-core/lib/util/DryMongoBinary.js');
  // Without a local binary mongodb-memory-server downloads one, retrying for seconds when
  // offline; a failed name lookup of the mirror tells us the same in milliseconds.
  const local = process.env.MONGOMS_SYSTEM_BINARY ?? (await DryMongoBinary.locateBinary(await DryMongoBinary.generateOptions()));
  if (!local) {
    const mirror = new URL(process.env.MONGOMS_DOWNLOAD_MIRROR ?? 'https://fastdl.mongodb.org');
    await lookup(mirror.hostname).catch((error: unknown) => {
      throw new Error(`no local mongod and its download host ${mirror.hostname} is unreachable (${firstLine(error)})`);
    });
  }
  const server = await MongoMemoryServer.create({ instance: { dbName: config.dbName } });
  const uri = server.getUri();
  return {
    kind: 'mongodb-memory-server',
    uri,
    describe: `embedded mongod at ${uri}`,
    stop: async () => {
      await server.stop();
    },
  };
}

/** Connects to the resolved backend and ensures the indexes. Logs one line naming it. */
export async function openDatabase(config: Config, log: Logger, options: MongoClientOptions & { dbName?: string } = {}): Promise<Database> {
  const backend = await resolveBackend(config, log);
  const { dbName = config.dbName, ...clientOptions } = options;
  // Fail fast when the database is gone (README, "Operations"): DB_TIMEOUT_MS, not the driver's 30 s.
  let client: MongoClient;
  try {
    client = new MongoClient(backend.uri, {
      serverSelectionTimeoutMS: config.dbTimeoutMs,
      connectTimeoutMS: config.dbTimeoutMs,
      ...clientOptions,
    });
  } catch (error) {
    await backend.stop();
    // The form is checked at config load; the driver also refuses unknown or contradictory options.
    if (error instanceof MongoParseError && backend.kind === 'mongodb-uri') {
      throw new ConfigError(`MONGODB_URI must be ${MONGODB_URI_FORMS}, but got '${backend.describe}': ${firstLine(error)}`);
    }
    throw error;
  }
  try {
    await client.connect();
  } catch (error) {
    await backend.stop();
    throw new NoDatabaseError(`Could not connect to ${backend.describe}: ${firstLine(error)}`);
  }
  const db = client.db(dbName);
  let cols: Collections;
  try {
    const info = await db.admin().command({ buildInfo: 1 });
    const version = info.ferretdbVersion
      ? `FerretDB ${info.ferretdbVersion} (MongoDB ${info.version} wire protocol)`
      : `MongoDB ${info.version}`;
    log.info('database', `backend ${backend.kind}: ${version}, ${backend.describe}, database '${dbName}'`);
    cols = collections(db);
    await ensureIndexes(cols);
  } catch (error) {
    // Leave nothing open behind a failed start, or the process cannot exit.
    await client.close().catch(() => {});
    await backend.stop();
    throw error;
  }
  return {
    backend,
    client,
    db,
    collections: cols,
    close: async () => {
      await client.close();
      await backend.stop();
    },
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
