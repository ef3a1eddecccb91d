import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { restartDelayMs, STABLE_MS, stopOrphanedServer } from './supervision.js';
import { EQUALITY_FIELDS } from './collections.js';

/**
 * The project's own PostgreSQL cluster, for FerretDB's `postgresql` handler (docs/database.md).
 *
 * - `initdb` once into `DATA_DIR/postgres` (UTF8, locale C, trust authentication), as the
 *   unprivileged `postgres` user (else `nobody`) when this process runs as root: PostgreSQL
 *   refuses to run as root.
 * - No TCP at all: it listens only on a Unix socket in a private folder (`DATA_DIR/postgres-socket`,
 *   mode 0700) on its own port number, so trust authentication admits only this user (and root).
 * - `postgres` runs in the foreground under scripts/ferretdb-watchdog.sh, which stops it (fast
 *   shutdown) when the gateway stops or dies: no orphan.
 * - Supervised: when the postmaster dies (or its watchdog does), it is started again on the same
 *   data and socket with `restartDelayMs` back-off (jittered), its death logged once at warn and
 *   its recovery once at info. FerretDB stays up meanwhile; its answers then are classified as the
 *   database unavailable (src/shared/errors.ts), so requests answer 503, and it reconnects by itself.
 * - Before FerretDB connects, `prepare` installs an event trigger that gives every table FerretDB
 *   creates a GIN index on `(_jsonb->'<field>')` per field of EQUALITY_FIELDS (plus `_id`), and
 *   creates any that existing tables lack. FerretDB 1.24 pushes a top-level equality down as
 *   `_jsonb->$1 @> $2`; only such an index serves it.
 * - `plan_cache_mode=force_custom_plan`: FerretDB prepares its statements (pgx's statement cache)
 *   with the field name as a parameter, so a generic plan can never match the index expression;
 *   PostgreSQL would switch a statement to its generic plan (a sequential scan) after five
 *   executions on a small table and keep it as the table grows. Custom plans cost ~0.1 ms of
 *   planning and always see the index.
 */

/** The database in the cluster that FerretDB keeps its schemas (one per MongoDB database) in. */
export const PG_DATABASE = 'ferretdb';
/** The cluster's superuser, which FerretDB connects as. */
export const PG_USER = 'ferretdb';
/** The port number: with no TCP listener it only names the socket (`.s.PGSQL.<port>`) in its private folder. */
export const PG_PORT = 5432;

const STARTUP_TIMEOUT_MS = 30_000;

/** The folder holding `initdb`, `postgres` and `pg_isready`: the newest /usr/lib/postgresql/<n>/bin, else PATH. */
export function findPostgresBinDir(): string | null {
  const has = (dir: string) => ['initdb', 'postgres', 'pg_isready'].every((b) => existsSync(path.join(dir, b)));
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (has(path.join(root, v, 'bin'))) return path.join(root, v, 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir && has(dir)) return dir;
  return null;
}

/** Whether PostgreSQL's server programs are installed (the resolution order's test for step 3). */
export function postgresAvailable(): boolean {
  return findPostgresBinDir() !== null;
}

interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

/** As root: the `postgres` user, else `nobody`. Otherwise null (this process's own user). */
function serverUser(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error('running as root, but neither a `postgres` nor a `nobody` user exists to run PostgreSQL as');
}

/** A folder of ours that `user` must own, mode 0700. */
function ownedDir(dir: string, user: RunAs | null): void {
  mkdirSync(dir, { recursive: true });
  if (user) chownSync(dir, user.uid, user.gid);
  chmodSync(dir, 0o700);
}

/** Unix socket paths are limited to 107 bytes: a deep DATA_DIR gets a socket folder under the temp folder. */
function socketDirFor(dataDir: string): { dir: string; temporary: boolean } {
  const dir = path.join(dataDir, 'postgres-socket');
  if (Buffer.byteLength(path.join(dir, `.s.PGSQL.${PG_PORT}.lock`)) < 100) return { dir, temporary: false };
  return { dir: mkdtempSync(path.join(os.tmpdir(), 'pcg-pg-')), temporary: true };
}

/** Whether `user` can pass through `dir` (and every folder above it). */
function canReach(dir: string, user: RunAs): boolean {
  return spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid }).status === 0;
}

/**
 * Where the cluster and its socket live when the server runs as another user (as root): in
 * DATA_DIR, made passable (`o+x`, not readable) for that user; or, when a folder above DATA_DIR is
 * closed to it (a checkout under /root, or in a private temporary folder), in a folder of its own
 * under /var/tmp named after DATA_DIR, so that each DATA_DIR keeps one cluster and the gateway
 * still runs on PostgreSQL rather than falling back to SQLite.
 */
function clusterHome(dataDir: string, user: RunAs, log: Logger): string {
  const mode = statSync(dataDir).mode;
  if ((mode & 0o001) === 0) chmodSync(dataDir, (mode & 0o777) | 0o001);
  if (canReach(dataDir, user)) return dataDir;
  const key = createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 16);
  const home = path.join(FALLBACK_CLUSTER_ROOT, key);
  mkdirSync(home, { recursive: true, mode: 0o711 });
  for (const dir of [FALLBACK_CLUSTER_ROOT, home]) chmodSync(dir, 0o711);
  if (!canReach(home, user)) {
    throw new Error(`PostgreSQL's user '${user.name}' can reach neither ${dataDir} nor ${home}: set DATA_DIR elsewhere`);
  }
  log.info('database', `PostgreSQL's user '${user.name}' cannot reach ${dataDir} (a folder above it is closed): its cluster is in ${home}`);
  return home;
}

/** Clusters of DATA_DIRs that PostgreSQL's user cannot reach, one folder per DATA_DIR (`clusterHome`). */
export const FALLBACK_CLUSTER_ROOT = '/var/tmp/partner-center-gateway-postgres';

export interface PostgresCluster {
  /** The URL FerretDB's `--postgresql-url` takes. */
  url: string;
  dataDir: string;
  socketDir: string;
  port: number;
  /** Whether this start ran `initdb` (a new cluster). */
  created: boolean;
  /** Runs SQL with psql in the FerretDB database; returns its unaligned output. Tests and tools. */
  psql(sql: string): string;
  /** The current watchdog's pid (its child is `postgres`); a new one after each restart. */
  processId(): number | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the project's PostgreSQL cluster in `<dataDir>/postgres` (creating it on first use),
 * prepares it for FerretDB and supervises it until `stop`. The caller holds the DATA_DIR lock.
 */
export async function startPostgres(
  dataDir: string,
  log: Logger,
  options: { restartDelayMs?: (attempt: number) => number } = {},
): Promise<PostgresCluster> {
  const bin = findPostgresBinDir();
  if (!bin) throw new Error('PostgreSQL server programs (initdb, postgres) are not installed: apt-get install postgresql-15');
  const user = serverUser();
  const home = user ? clusterHome(dataDir, user, log) : dataDir;
  const pgData = path.join(home, 'postgres');
  const started = Date.now();
  let created = false;
  if (!existsSync(path.join(pgData, 'PG_VERSION'))) {
    rmSync(pgData, { recursive: true, force: true });
    ownedDir(pgData, user);
    const init = spawnSync(
      path.join(bin, 'initdb'),
      ['-D', pgData, '-U', PG_USER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-instructions'],
      { cwd: '/', encoding: 'utf8', ...(user && { uid: user.uid, gid: user.gid }) },
    );
    if (init.status !== 0) {
      rmSync(pgData, { recursive: true, force: true });
      throw new Error(`initdb failed (exit ${init.status}): ${(init.stderr || init.stdout).trim().split('\n').pop()}`);
    }
    created = true;
    log.info('database', `created a PostgreSQL cluster in ${path.relative(process.cwd(), pgData) || pgData} (${Date.now() - started} ms)`);
  }
  const socket = socketDirFor(home);
  ownedDir(socket.dir, user);
  const args = [
    '-D',
    pgData,
    '-k',
    socket.dir,
    '-p',
    String(PG_PORT),
    '-c',
    'listen_addresses=',
    '-c',
    'unix_socket_permissions=0700',
    '-c',
    'plan_cache_mode=force_custom_plan',
    // A crash may lose the last few milliseconds of commits, never consistency: a simulator's trade.
    '-c',
    'synchronous_commit=off',
    '-c',
    'log_min_messages=warning',
    '-c',
    'logging_collector=off',
  ];
  // The watchdog's text, not its path: the server's user may not be able to read the project.
  const watchdog = readFileSync(path.join(PROJECT_ROOT, 'scripts/ferretdb-watchdog.sh'), 'utf8');
  const backoff = options.restartDelayMs ?? restartDelayMs;
  let stderr = '';
  let stopping = false;
  /** Set once the first start succeeded: from then on an exit is a death to restart from. */
  let supervised = false;
  let attempt = 0;
  let upSince = 0;
  /** When the outage began (the death first seen), or null while the server is up. */
  let downSince: number | null = null;
  let restartTimer: NodeJS.Timeout | undefined;
  let child!: ChildProcess;
  const spawnServer = () => {
    stderr = '';
    child = spawn('bash', ['-c', 'eval "$PCG_WATCHDOG"', 'postgres-watchdog', path.join(bin, 'postgres'), ...args], {
      cwd: '/',
      stdio: ['pipe', 'ignore', 'pipe'],
      env: { ...process.env, PCG_WATCHDOG: watchdog, WATCHDOG_SIGNAL: 'INT' },
      ...(user && { uid: user.uid, gid: user.gid }),
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.once('exit', (code, signal) => {
      if (stopping || !supervised) return;
      const why = `${signal ?? `code ${code}`}: ${stderr.trim().split('\n').pop() ?? ''}`;
      if (downSince === null && Date.now() - upSince > STABLE_MS) attempt = 0;
      const delay = backoff(attempt++);
      // The death once at warn; a failed restart attempt (say, the dead postmaster's backends
      // still hold its shared memory) only at debug, until one succeeds.
      if (downSince === null) {
        downSince = Date.now();
        log.warn('database', `postgres exited unexpectedly (${why}); restarting in ${delay} ms, requests answer 503 meanwhile`);
      } else log.debug('database', `postgres restart attempt ${attempt - 1} failed (${why}); again in ${delay} ms`);
      restartTimer = setTimeout(() => void restart(), delay);
      restartTimer.unref();
    });
  };
  const restart = async () => {
    restartTimer = undefined;
    if (stopping) return;
    // postmaster.pid's first line is the postmaster's pid; immediate shutdown, as after a crash.
    await stopOrphanedServer(path.join(pgData, 'postmaster.pid'), pgData, 'SIGQUIT');
    if (stopping) return;
    spawnServer();
    const current = child;
    try {
      await waitReady(current, STARTUP_TIMEOUT_MS);
    } catch (error) {
      // Still running but not answering: stop it, and its exit schedules the next attempt.
      if (current.exitCode === null && current.signalCode === null) current.kill('SIGTERM');
      log.debug('database', `postgres restart: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (stopping || current !== child) return;
    log.info(
      'database',
      `postgres restarted (watchdog pid ${current.pid}) after an outage of ${Date.now() - (downSince ?? Date.now())} ms`,
    );
    downSince = null;
    upSince = Date.now();
  };
  /** Polls pg_isready (without blocking the event loop) until `current` accepts connections. */
  const waitReady = async (current: ChildProcess, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (current.exitCode !== null || current.signalCode !== null) {
        throw new Error(`postgres exited with ${current.exitCode ?? current.signalCode}: ${stderr.trim().split('\n').pop() ?? ''}`);
      }
      if (await isReady()) return;
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const isReady = () =>
    new Promise<boolean>((resolve) => {
      execFile(path.join(bin, 'pg_isready'), ['-q', '-h', socket.dir, '-p', String(PG_PORT), '-U', PG_USER], (error) => resolve(!error));
    });
  // A postmaster left on this cluster by a watchdog and gateway both killed outright (the caller
  // holds the DATA_DIR lock, so no live gateway owns it) would refuse the start: stop it first.
  await stopOrphanedServer(path.join(pgData, 'postmaster.pid'), pgData, 'SIGQUIT');
  spawnServer();
  const kill = () => child.kill('SIGTERM');
  process.once('exit', kill);
  const stop = async () => {
    stopping = true;
    process.off('exit', kill);
    if (restartTimer) clearTimeout(restartTimer);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      kill();
      await exited;
    }
    if (socket.temporary) rmSync(socket.dir, { recursive: true, force: true });
  };
  const psql = (sql: string, database = PG_DATABASE) => {
    const run = spawnSync(
      'psql',
      ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', socket.dir, '-p', String(PG_PORT), '-U', PG_USER, '-d', database, '-f', '-'],
      { input: sql, encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`psql: ${(run.stderr || `exit ${run.status}`).trim().split('\n').pop()}`);
    return run.stdout;
  };
  try {
    await waitReady(child, STARTUP_TIMEOUT_MS);
    psql(
      `SELECT 'CREATE DATABASE ${PG_DATABASE}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${PG_DATABASE}')\n\\gexec\n`,
      'postgres',
    );
    psql(prepareSql());
  } catch (error) {
    await stop();
    throw error;
  }
  supervised = true;
  upSince = Date.now();
  log.debug('database', `postgres (watchdog pid ${child.pid}) on ${socket.dir}/.s.PGSQL.${PG_PORT}, ready in ${Date.now() - started} ms`);
  return {
    url: `postgres://${PG_USER}@/${PG_DATABASE}?host=${encodeURIComponent(socket.dir)}&port=${PG_PORT}`,
    dataDir: pgData,
    socketDir: socket.dir,
    port: PG_PORT,
    created,
    psql: (sql) => psql(sql),
    processId: () => child.pid,
    stop,
  };
}

/** The GIN index name on one field of one FerretDB table (tables are named `<collection>_<8 hex>`). */
export function ginIndexName(table: string, field: string): string {
  return `${table}_${field.toLowerCase()}_gin`.slice(0, 63);
}

/**
 * Idempotent SQL run at every start, before FerretDB connects:
 * - `pcg_gin_fields(table)`: the fields to index for a FerretDB table, from its name (FerretDB
 *   names a table after its collection, lower-cased, plus `_` and an 8-hex-digit hash);
 * - `pcg_index_table(schema, table)`: creates the missing GIN indexes on one table;
 * - an event trigger that runs it on every table created (FerretDB creates a collection's table
 *   on its first write or createIndexes), so the indexes exist before any statement is prepared;
 * - the same for the tables that already exist (every schema holding `_ferretdb_database_metadata`).
 */
export function prepareSql(): string {
  const cases = Object.entries(EQUALITY_FIELDS)
    .map(([name, fields]) => `      WHEN ${literal(name.toLowerCase())} THEN ARRAY[${['_id', ...fields].map(literal).join(', ')}]::text[]`)
    .join('\n');
  return `
CREATE OR REPLACE FUNCTION public.pcg_gin_fields(tbl text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $fn$
  SELECT CASE regexp_replace(tbl, '_[0-9a-f]{8}$', '')
${cases}
      ELSE ARRAY['_id']::text[]
  END
$fn$;

CREATE OR REPLACE FUNCTION public.pcg_index_table(sch text, tbl text) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE f text;
BEGIN
  IF tbl LIKE '\\_ferretdb\\_%' THEN RETURN; END IF;
  FOREACH f IN ARRAY public.pcg_gin_fields(tbl) LOOP
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin ((_jsonb -> %L))',
      left(tbl || '_' || lower(f) || '_gin', 63), sch, tbl, f);
  END LOOP;
END
$fn$;

CREATE OR REPLACE FUNCTION public.pcg_index_new_tables() RETURNS event_trigger LANGUAGE plpgsql AS $fn$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname, n.nspname FROM pg_event_trigger_ddl_commands() d
             JOIN pg_class c ON c.oid = d.objid JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE d.command_tag = 'CREATE TABLE' AND c.relkind = 'r' LOOP
    PERFORM public.pcg_index_table(r.nspname, r.relname);
  END LOOP;
END
$fn$;

DO $do$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_event_trigger WHERE evtname = 'pcg_index_new_tables') THEN
    CREATE EVENT TRIGGER pcg_index_new_tables ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
      EXECUTE FUNCTION public.pcg_index_new_tables();
  END IF;
END
$do$;

SELECT public.pcg_index_table(t.table_schema, t.table_name)
  FROM information_schema.tables t
 WHERE t.table_type = 'BASE TABLE'
   AND t.table_schema IN (SELECT table_schema FROM information_schema.tables WHERE table_name = '_ferretdb_database_metadata');
`;
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
