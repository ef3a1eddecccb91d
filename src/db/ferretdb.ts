import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PROJECT_ROOT, type Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { restartDelayMs, STABLE_MS, stopOrphanedServer } from './supervision.js';
import { FERRETDB_CAPABILITIES, type Backend } from './database.js';
import { postgresAvailable, startPostgres, type PostgresCluster } from './postgres.js';

const STARTUP_TIMEOUT_MS = 15_000;

/** DATA_DIR is held by another live process that runs FerretDB on it (see `lockDataDir`). */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

interface LockOwner {
  pid: number;
  /** The owner's start time (Linux: clock ticks since boot), so that a reused PID is not taken for it. */
  started: string | null;
}

/** Linux: when the process started, from /proc/<pid>/stat (field 22); null elsewhere or when it is gone. */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.started === null) return true;
  const started = processStartTime(owner.pid);
  return started === null || started === owner.started;
}

function readLock(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function parseLock(text: string): LockOwner | null {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (!Number.isSafeInteger(value.pid) || (value.pid ?? 0) <= 0) return null;
    return { pid: value.pid!, started: typeof value.started === 'string' ? value.started : null };
  } catch {
    return null;
  }
}

/**
 * Takes `<dataDir>/ferretdb.lock` for this process, so that a second gateway on the same folder
 * is refused instead of starting a second FerretDB on the live SQLite files. The lock file holds
 * the owner's PID and start time; one whose process is gone (killed, crashed) is stale and taken
 * over. Released by the returned function, and when this process exits.
 */
export async function lockDataDir(dataDir: string): Promise<() => void> {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'ferretdb.lock');
  const mine = JSON.stringify({ pid: process.pid, started: processStartTime(process.pid) } satisfies LockOwner);
  const deadline = Date.now() + 2000;
  for (;;) {
    try {
      writeFileSync(file, `${mine}\n`, { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        if (readLock(file)?.trim() === mine) rmSync(file, { force: true });
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = readLock(file);
    if (text === null) continue; // released in the meantime
    const owner = parseLock(text);
    if (owner && isAlive(owner)) {
      const who = owner.pid === process.pid ? 'this process' : `another gateway (pid ${owner.pid})`;
      throw new DataDirInUseError(
        `DATA_DIR ${dataDir} is in use by ${who}, whose FerretDB keeps its data there: stop that gateway first, or set DATA_DIR to another folder such as ${siblingDataDir(dataDir)} (or MONGODB_URI to a database)`,
      );
    }
    // An unreadable lock may be one being written right now: give its writer a moment.
    if (!owner && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    // Stale: its process is gone. Take it over, unless it changed in the meantime.
    if (readLock(file) === text) rmSync(file, { force: true });
  }
}

/** FERRETDB_BIN, else the project's own build (`npm run db:ferretdb`), else `ferretdb` on PATH. */
function findBinary(config: Config): string {
  if (config.ferretdbBin) {
    if (!existsSync(config.ferretdbBin)) throw new Error(`FERRETDB_BIN=${config.ferretdbBin} does not exist`);
    return config.ferretdbBin;
  }
  const local = path.join(PROJECT_ROOT, '.tools/bin/ferretdb');
  if (existsSync(local)) return local;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'ferretdb');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error('no ferretdb binary: run `npm run db:ferretdb` or set FERRETDB_BIN');
}

/**
 * The binary, built on first need: with no FERRETDB_BIN and no binary yet, but Go on the
 * machine, runs scripts/install-ferretdb.sh once (about two minutes), so that a fresh clone's
 * `npm install && npm start` works with nothing else installed.
 */
function ensureBinary(config: Config, log: Logger): string {
  try {
    return findBinary(config);
  } catch (error) {
    if (config.ferretdbBin) throw error;
    if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
      throw new Error('no ferretdb binary, and no Go to build one: install Go, or set FERRETDB_BIN', { cause: error });
    }
    log.info('database', 'no FerretDB binary yet: building FerretDB v1.24.2 with Go, once (about two minutes)');
    const build = spawnSync('bash', [path.join(PROJECT_ROOT, 'scripts/install-ferretdb.sh')], { stdio: ['ignore', 2, 2] });
    if (build.status !== 0)
      throw new Error(`building FerretDB failed (scripts/install-ferretdb.sh exited ${build.status})`, { cause: error });
    return findBinary(config);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether this process can listen on 127.0.0.1:port right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The file in FerretDB's state folder that records its port. */
export const PORT_FILE = 'port';

/**
 * FerretDB's port for a data folder: the one recorded in `<stateDir>/port` when it is free, else a
 * new free one, recorded. So a FerretDB keeps its address across restarts of its supervisor and
 * of the gateway that owns the folder, and another instance pointed at it (MONGODB_URI) finds it
 * again. Only a port taken by something else in the meantime moves it (logged).
 */
export async function stablePort(stateDir: string, log: Logger): Promise<number> {
  const file = path.join(stateDir, PORT_FILE);
  const recorded = Number(readLock(file)?.trim());
  const valid = Number.isSafeInteger(recorded) && recorded >= 1024 && recorded <= 65535;
  if (valid && (await portFree(recorded))) return recorded;
  const port = await freePort();
  if (valid) log.warn('database', `FerretDB's recorded port ${recorded} is taken by another program; it moves to ${port}`);
  writeFileSync(file, `${port}\n`);
  return port;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export { restartDelayMs } from './supervision.js';

/** FerretDB's storage: its embedded SQLite, or the project's own PostgreSQL cluster (src/db/postgres.ts). */
export type FerretDbEngine = 'postgresql' | 'sqlite';

/**
 * The engine a FerretDB start uses for this config: forced by DB_BACKEND (`ferretdb-postgresql`,
 * `ferretdb-sqlite`), else PostgreSQL where its server programs are installed (docs/database.md, "The
 * database": it serves equality reads from indexes, SQLite serves none).
 */
export function ferretDbEngine(config: Config): FerretDbEngine {
  if (config.backend === 'ferretdb-postgresql') return 'postgresql';
  if (config.backend === 'ferretdb-sqlite') return 'sqlite';
  return postgresAvailable() ? 'postgresql' : 'sqlite';
}

/**
 * Starts FerretDB on its data folder's loopback port (`stablePort`), on SQLite with its data
 * under `config.dataDir/ferretdb`, or on PostgreSQL with the project's cluster in `config.dataDir/postgres` (started first, stopped
 * last). The children are killed when this process exits, however it exits. If FerretDB exits on
 * its own while the gateway runs, a supervisor starts it again on the same port and data
 * directory, with back-off, and the MongoClient reconnects by itself.
 */
export async function startFerretDb(
  config: Config,
  log: Logger,
  options: {
    restartDelayMs?: (attempt: number) => number;
    postgresRestartDelayMs?: (attempt: number) => number;
    engine?: FerretDbEngine;
  } = {},
): Promise<Backend> {
  const backoff = options.restartDelayMs ?? restartDelayMs;
  const engine = options.engine ?? ferretDbEngine(config);
  // Before anything else: a second gateway on the same DATA_DIR stops here, with one line.
  const unlock = await lockDataDir(config.dataDir);
  let cluster: PostgresCluster | undefined;
  try {
    const binary = ensureBinary(config, log);
    if (engine === 'postgresql') cluster = await startPostgres(config.dataDir, log, { restartDelayMs: options.postgresRestartDelayMs });
    return await launch({ config, log, backoff, binary, cluster, unlock });
  } catch (error) {
    await cluster?.stop();
    unlock();
    throw error;
  }
}

async function launch({
  config,
  log,
  backoff,
  binary,
  cluster,
  unlock,
}: {
  config: Config;
  log: Logger;
  backoff: (attempt: number) => number;
  binary: string;
  cluster: PostgresCluster | undefined;
  unlock: () => void;
}): Promise<Backend> {
  const dataDir = path.join(config.dataDir, 'ferretdb');
  mkdirSync(dataDir, { recursive: true });
  const pidFile = path.join(dataDir, 'ferretdb.pid');
  // A FerretDB left on this folder by a watchdog and gateway both killed outright (this process
  // holds the folder's lock, so no live gateway owns it) holds the recorded port: stop it first.
  await stopOrphanedServer(pidFile, `--state-dir=${dataDir}`, 'SIGTERM');
  const port = await stablePort(dataDir, log);
  const args = [
    ...(cluster ? ['--handler=postgresql', `--postgresql-url=${cluster.url}`] : ['--handler=sqlite', `--sqlite-url=file:${dataDir}/`]),
    `--state-dir=${dataDir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=error',
  ];
  // scripts/ferretdb-watchdog.sh owns FerretDB and stops it when our stdin pipe closes, so no
  // orphan survives this process, however it ends.
  const watchdog = path.join(PROJECT_ROOT, 'scripts/ferretdb-watchdog.sh');
  let child!: ChildProcess;
  let stderr = '';
  let stopping = false;
  let attempt = 0;
  let startedAt = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  const kill = () => child.kill('SIGTERM');
  const spawnOnce = () => {
    stderr = '';
    startedAt = Date.now();
    child = spawn('bash', [watchdog, binary, ...args], {
      stdio: ['pipe', 'ignore', 'pipe'],
      env: { ...process.env, WATCHDOG_PIDFILE: pidFile },
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.once('exit', (code, signal) => {
      if (stopping || !ready) return;
      if (!down && Date.now() - startedAt > STABLE_MS) attempt = 0;
      const delay = backoff(attempt++);
      const why = `${signal ?? `code ${code}`}${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`;
      // The death once at warn; a restart attempt that fails too only at debug, until one succeeds.
      if (down) log.debug('database', `ferretdb restart attempt failed (${why}); again in ${delay} ms`);
      else log.warn('database', `ferretdb exited unexpectedly (${why}); restarting in ${delay} ms`);
      down = true;
      restartTimer = setTimeout(async () => {
        restartTimer = undefined;
        if (stopping) return;
        await stopOrphanedServer(pidFile, `--state-dir=${dataDir}`, 'SIGTERM');
        if (stopping) return;
        spawnOnce();
        void waitListening(STARTUP_TIMEOUT_MS).then(
          () => {
            down = false;
            log.info('database', `ferretdb restarted (pid ${child.pid}) on 127.0.0.1:${port}`);
          },
          (error: unknown) => log.warn('database', `ferretdb restart: ${error instanceof Error ? error.message : String(error)}`),
        );
      }, delay);
      restartTimer.unref();
    });
  };
  const waitListening = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    const current = child;
    while (!(await canConnect(port))) {
      if (current.exitCode !== null || current.signalCode !== null) {
        throw new Error(`ferretdb exited with code ${current.exitCode ?? current.signalCode}: ${stderr.trim()}`);
      }
      if (Date.now() > deadline) {
        if (current === child && !ready) kill();
        throw new Error(`ferretdb did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  let ready = false;
  /** Between a death and the restart that serves again: failed attempts meanwhile log at debug. */
  let down = false;
  spawnOnce();
  process.once('exit', () => kill());
  await waitListening(STARTUP_TIMEOUT_MS);
  ready = true;
  const storage = cluster?.dataDir ?? dataDir;
  log.debug('database', `ferretdb pid ${child.pid} on 127.0.0.1:${port}, data in ${storage}`);
  const engine = cluster ? 'postgresql' : 'sqlite';
  return {
    kind: `ferretdb-${engine}`,
    uri: `mongodb://127.0.0.1:${port}/`,
    describe: `FerretDB (${cluster ? 'PostgreSQL' : 'SQLite'}) at 127.0.0.1:${port}, data in ${path.relative(process.cwd(), storage) || storage}`,
    capabilities: FERRETDB_CAPABILITIES[engine],
    processId: () => child.pid,
    ...(cluster && { postgres: cluster }),
    stop: async () => {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        kill();
        await exited;
      }
      await cluster?.stop();
      unlock();
    },
  };
}

/**
 * The folder to suggest when DATA_DIR is taken: a numbered sibling, so the default
 * `<checkout>/.data` suggests `<checkout>/.data-2`, which git, Prettier and ESLint ignore (`.data*`).
 */
export function siblingDataDir(dataDir: string): string {
  const m = /^(.*?)-(\d+)$/.exec(path.basename(dataDir));
  const next = m ? `${m[1]}-${Number(m[2]) + 1}` : `${path.basename(dataDir)}-2`;
  return path.join(path.dirname(dataDir), next);
}
