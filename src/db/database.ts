import { lookup } from 'node:dns/promises';
import { MongoClient, MongoParseError, type Db, type MongoClientOptions } from 'mongodb';
import { ConfigError, MONGODB_URI_FORMS, redactMongoUri, type Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { collections, ensureIndexes, EQUALITY_FIELDS, type Collections } from './collections.js';
import { DataDirInUseError, startFerretDb } from './ferretdb.js';
import type { PostgresCluster } from './postgres.js';
import { postgresAvailable } from './postgres.js';

export type BackendKind = 'mongodb-uri' | 'mongodb-memory-server' | 'ferretdb-postgresql' | 'ferretdb-sqlite';

/**
 * What a backend does with a read, so that a loader can shape its queries to it (docs/database.md, "The
 * database"). "Pushes down" means the storage engine evaluates it (with an index where one
 * serves), rather than the server decoding every document of the collection and filtering it.
 */
export interface BackendCapabilities {
  /** Top-level equality (`{ field: value }`, `$eq`) on strings, numbers, booleans, dates. */
  pushesDownEquality: boolean;
  /** `{ field: { $in: [...] } }`. */
  pushesDownIn: boolean;
  /** `$gt`, `$gte`, `$lt`, `$lte`. */
  pushesDownRange: boolean;
  /** `sort` and `limit` served by an index (keyset paging without reading the whole match). */
  pushesDownSortLimit: boolean;
  /**
   * Which indexes serve reads: `all` (MongoDB: every index in INDEXES, compound, ranges, sorts),
   * `equality` (only the fields of `equalityIndexes`, for top-level equality), `none` (every
   * read but a bare `_id` equality scans the collection).
   */
  indexes: 'all' | 'equality' | 'none';
  /** With `indexes: 'equality'`: the indexed fields per collection (EQUALITY_FIELDS plus `_id`). */
  equalityIndexes: Readonly<Record<keyof Collections, readonly string[]>> | null;
  /** Multi-document transactions (no backend is used with them; see "The database"). */
  transactions: boolean;
}

export const MONGODB_CAPABILITIES: BackendCapabilities = {
  pushesDownEquality: true,
  pushesDownIn: true,
  pushesDownRange: true,
  pushesDownSortLimit: true,
  indexes: 'all',
  equalityIndexes: null,
  transactions: true,
};

/** FerretDB 1.24 by storage, as measured (docs/database.md, "Running at scale"). */
export const FERRETDB_CAPABILITIES: Record<'postgresql' | 'sqlite', BackendCapabilities> = {
  postgresql: {
    pushesDownEquality: true,
    pushesDownIn: false,
    pushesDownRange: false,
    pushesDownSortLimit: false,
    indexes: 'equality',
    equalityIndexes: Object.fromEntries(
      Object.entries(EQUALITY_FIELDS).map(([name, fields]) => [name, ['_id', ...fields]]),
    ) as unknown as Record<keyof Collections, readonly string[]>,
    transactions: false,
  },
  sqlite: {
    pushesDownEquality: false,
    pushesDownIn: false,
    pushesDownRange: false,
    pushesDownSortLimit: false,
    indexes: 'none',
    equalityIndexes: null,
    transactions: false,
  },
};

/** A MongoDB-speaking server the gateway can reach, and how to stop it if we started it. */
export interface Backend {
  kind: BackendKind;
  uri: string;
  /** Server version as the server reports it (FerretDB adds its own). */
  describe: string;
  /**
   * What it pushes down and indexes. For `mongodb-uri` it is MongoDB's until `openDatabase` has
   * asked the server: a URI that turns out to be a FerretDB gets its storage's, as its `explain`
   * shows it (`ferretDbCapabilities`).
   */
  capabilities: BackendCapabilities;
  stop(): Promise<void>;
  /** The supervising process's pid when this process started the server (FerretDB's watchdog); tests only. */
  processId?: () => number | undefined;
  /** The PostgreSQL cluster under a `ferretdb-postgresql` backend this process started; tests and tools. */
  postgres?: PostgresCluster;
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
 * 3. FerretDB 1.24 on the project's own PostgreSQL cluster, where PostgreSQL's server programs are
 *    installed (src/db/postgres.ts);
 * 4. FerretDB 1.24 with its SQLite backend;
 * 5. otherwise NoDatabaseError naming the ways.
 * FerretDB listens on a free loopback port and is stopped with the process.
 * `DB_BACKEND=memory` tries only step 2; `ferretdb` steps 3 and 4; `ferretdb-postgresql` only
 * FerretDB on PostgreSQL (even while not preferred), `ferretdb-sqlite` only step 4.
 */
export async function resolveBackend(config: Config, log: Logger): Promise<Backend> {
  if (config.mongodbUri) {
    return {
      kind: 'mongodb-uri',
      uri: config.mongodbUri,
      describe: redactMongoUri(config.mongodbUri),
      capabilities: MONGODB_CAPABILITIES,
      stop: async () => {},
    };
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
  const anyFerret = config.backend === 'auto' || config.backend === 'ferretdb';
  const tryPostgres = config.backend === 'ferretdb-postgresql' || (anyFerret && postgresAvailable());
  const trySqlite = anyFerret || config.backend === 'ferretdb-sqlite';
  for (const engine of ['postgresql', 'sqlite'] as const) {
    if (!(engine === 'postgresql' ? tryPostgres : trySqlite)) continue;
    try {
      return await startFerretDb(config, log, { engine });
    } catch (error) {
      // Another gateway's FerretDB owns DATA_DIR: say so alone, not as one of the ways that failed.
      if (error instanceof DataDirInUseError) throw error;
      failures.push(`FerretDB on ${engine === 'postgresql' ? 'PostgreSQL' : 'SQLite'}: ${firstLine(error)}`);
      if (engine === 'postgresql' && trySqlite) log.warn('database', `FerretDB on PostgreSQL failed (${firstLine(error)}); trying SQLite`);
    }
  }
  throw new NoDatabaseError(
    'No MongoDB-speaking database could be had. Give one of:\n' +
      '  1. MONGODB_URI=mongodb://host:27017 (a MongoDB standalone, replica set or Atlas cluster);\n' +
      '  2. a mongod for mongodb-memory-server: a connected machine (it downloads one), or MONGOMS_SYSTEM_BINARY=/path/to/mongod;\n' +
      '  3. FerretDB 1.24: run `npm run db:ferretdb` (needs Go), or set FERRETDB_BIN; it runs on PostgreSQL where\n' +
      '     PostgreSQL 15 is installed (apt-get install postgresql-15), else on SQLite.\n' +
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
    capabilities: MONGODB_CAPABILITIES,
    stop: async () => {
      await server.stop();
    },
  };
}

/** Connects to the resolved backend and ensures the indexes. Logs one line naming it. */
export async function openDatabase(config: Config, log: Logger, options: MongoClientOptions & { dbName?: string } = {}): Promise<Database> {
  const backend = await resolveBackend(config, log);
  const { dbName = config.dbName, ...clientOptions } = options;
  // Fail fast when the database is gone (docs/operations.md): DB_TIMEOUT_MS, not the driver's 30 s.
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
    // After ensureIndexes: the probe reads a collection that must exist.
    if (info.ferretdbVersion && backend.kind === 'mongodb-uri') backend.capabilities = await ferretDbCapabilities(db);
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

/**
 * FerretDB's storage, seen through the wire protocol: PostgreSQL pushes a top-level equality down
 * (`explain` answers `filterPushdown: true`), SQLite only a bare `_id` equality. Its GIN indexes
 * exist only on a cluster this project set up (src/db/postgres.ts); elsewhere an equality read is
 * still a PostgreSQL scan, far cheaper than FerretDB decoding every document.
 */
export async function ferretDbCapabilities(db: Db): Promise<BackendCapabilities> {
  // `partners` exists once ensureIndexes has run; on a missing collection both storages answer `false`.
  const plan = await db
    .command({ explain: { find: 'partners', filter: { mpnId: 'storage-probe' } }, verbosity: 'queryPlanner' })
    .catch(() => null);
  return plan?.filterPushdown === true ? FERRETDB_CAPABILITIES.postgresql : FERRETDB_CAPABILITIES.sqlite;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
