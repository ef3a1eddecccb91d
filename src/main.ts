import net from 'node:net';
import { openDatabase, NoDatabaseError, type Database } from './db/database.js';
import { DataDirInUseError } from './db/ferretdb.js';
import { DEMO_PARTNERS } from './seed/demo-ids.js';
import { sandboxWorlds, seedDemoIfEmpty } from './seed/generate.js';
import { ConfigError, loadConfig, type Config } from './shared/config.js';
import { createLogger, type Logger } from './shared/logger.js';
import { createGateway, type Gateway } from './app/server.js';
import { faultInjectionFromEnv } from './write/fault-injection.js';
import { resumePending } from './write/journal.js';
import { operationLockKey } from './write/locks.js';

/**
 * Composition root: read config once, open the database, seed the demo world, finish the write
 * operations a previous run left pending, listen.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  // Tests only (src/write/fault-injection.ts): off unless ENABLE_FAULT_INJECTION, refused in production.
  const faultInjection = faultInjectionFromEnv(process.env, config.mode);
  const log = createLogger(config.logLevel);
  if (faultInjection) log.warn('write', faultInjection.description);
  // A busy port is found before a database is started or seeded (a second `npm start` stops here).
  await checkPortFree(config);
  const database = await openWithRetries(config, log);
  if (config.seedDemo) await seedDemoIfEmpty(database.collections, log);
  // The one runtime file that knows the demo world: the IDE calls as its direct-bill partner, and
  // sandbox templates generate its worlds.
  const gateway = await createGateway({
    config,
    database,
    log,
    faults: faultInjection?.faults,
    idePartnerId: DEMO_PARTNERS.contoso.id,
    sandboxWorlds,
  });
  const resumed = await resumePending(database.collections, {}, gateway.services.write);
  log.info('write', `start-up: resumed ${resumed} pending operation${resumed === 1 ? '' : 's'}`);
  void resumeWhenLeasesExpire(database, gateway, log);
  // Stop accepting connections, let in-flight requests finish within SHUTDOWN_GRACE_MS (the drain
  // plugin then cuts what is left), close the database, exit 0. Installed before listening, so that
  // a signal sent as soon as the gateway says it listens is never met by Node's default (death).
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('http', `${signal}: shutting down, in-flight requests have ${config.shutdownGraceMs} ms to finish`);
    try {
      await gateway.stop();
      await database.close();
      log.info('http', 'stopped');
      process.exit(0);
    } catch (error) {
      log.error('http', 'shutdown failed', error);
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  const url = await gateway.listen(config.port, config.host).catch((error: unknown) => {
    throw listenError(error, config);
  });
  log.info('http', `GraphQL at ${url}/graphql, IDE at ${url}/graphiql`);
}

/** A start-up failure whose message says it all: printed as one line, without a stack. */
class StartupError extends Error {
  override name = 'StartupError';
}

/** What a failed listen means for the one who set PORT and HOST. */
function listenError(error: unknown, config: Config): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return new StartupError(
      `PORT ${config.port} is already in use on ${config.host} (perhaps by another gateway): stop what listens there, or set PORT to a free port (PORT=0 picks one)`,
    );
  }
  if (code === 'EACCES') {
    return new StartupError(`PORT ${config.port} on ${config.host} needs privileges this process does not have: set PORT to 1024 or above`);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new StartupError(
      `HOST ${config.host} is not an address of this machine (${code}): set HOST to one, such as 127.0.0.1 or 0.0.0.0`,
    );
  }
  return error;
}

/** Binds PORT on HOST and lets go at once; fails as `listenError` when it cannot. PORT=0 always can. */
async function checkPortFree(config: Config): Promise<void> {
  if (config.port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error) => reject(listenError(error, config)));
    probe.listen({ port: config.port, host: config.host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/**
 * A writer that crashed holding a customer's lock keeps it until its lease expires (LOCK_LEASE_MS,
 * 5 s: live holders renew theirs), so a process restarted sooner skips that customer's pending operation at start-up. Wait
 * for those leases to expire, then resume again (a few rounds at most; never throws).
 */
async function resumeWhenLeasesExpire(database: Database, gateway: Gateway, log: Logger): Promise<void> {
  const cols = database.collections;
  try {
    for (let round = 1; round <= 3; round++) {
      const pending = await cols.operations.find({ status: 'pending' }, { projection: { partnerId: 1, customerId: 1 } }).toArray();
      const keys = [...new Set(pending.map((op) => operationLockKey(op.partnerId, op.customerId)))];
      if (keys.length === 0) return;
      const held = await cols.locks.find({ _id: { $in: keys } }).toArray();
      if (held.length === 0) return;
      const until = Math.max(...held.map((lock) => lock.expiresAt.getTime()));
      const waitMs = Math.max(0, until - Date.now()) + 100;
      log.info(
        'write',
        `start-up: ${pending.length} pending operation(s) wait for the lease of an earlier writer; resuming in ${waitMs} ms`,
      );
      await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
      const resumed = await resumePending(cols, {}, gateway.services.write);
      log.info('write', `start-up: resumed ${resumed} pending operation${resumed === 1 ? '' : 's'} after the leases expired`);
    }
  } catch (error) {
    log.warn(
      'write',
      'start-up: resuming pending operations after the leases expired failed; the next write to each customer finishes them',
      error,
    );
  }
}

/**
 * Opens the database, retrying DB_START_RETRIES times with back-off (1 s, 2 s ... 10 s); by
 * default not at all, so a gateway whose database is unreachable exits at once with one line.
 */
async function openWithRetries(config: Config, log: Logger): Promise<Database> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await openDatabase(config, log);
    } catch (error) {
      if (attempt >= config.dbStartRetries || !(error instanceof NoDatabaseError)) throw error;
      const delay = Math.min(1000 * 2 ** attempt, 10_000);
      log.warn('database', `${error.message.split('\n')[0]}; retry ${attempt + 1} of ${config.dbStartRetries} in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

// A failed start is one line on stderr and exit code 1, never a stack trace: the known failures
// say what to change; anything else names itself, with the stack only at LOG_LEVEL=debug.
main().catch((error: unknown) => {
  const known = [ConfigError, NoDatabaseError, DataDirInUseError, StartupError].some((kind) => error instanceof kind);
  if (known) {
    process.stderr.write(`${(error as Error).message}\n`);
  } else if (process.env.LOG_LEVEL === 'debug' && error instanceof Error && error.stack) {
    process.stderr.write(`start-up failed: ${error.stack}\n`);
  } else {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`start-up failed: ${message.split('\n')[0]} (LOG_LEVEL=debug shows the stack)\n`);
  }
  process.exit(1);
});
