import { openDatabase, NoDatabaseError, type Database } from './db/database.js';
import { seedDemoIfEmpty } from './seed/generate.js';
import { ConfigError, loadConfig, type Config } from './shared/config.js';
import { createLogger, type Logger } from './shared/logger.js';
import { createGateway, type Gateway } from './server.js';
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
  const database = await openWithRetries(config, log);
  if (config.seedDemo) await seedDemoIfEmpty(database.collections, log);
  const gateway = await createGateway({ config, database, log, faults: faultInjection?.faults });
  const resumed = await resumePending(database.collections, {}, gateway.services.write);
  log.info('write', `start-up: resumed ${resumed} pending operation${resumed === 1 ? '' : 's'}`);
  void resumeWhenLeasesExpire(database, gateway, log);
  const url = await gateway.listen(config.port, config.host);
  log.info('http', `GraphQL at ${url}/graphql, IDE at ${url}/graphiql`);

  // Stop accepting connections, let in-flight requests finish within SHUTDOWN_GRACE_MS (the drain
  // plugin then cuts what is left), close the database, exit 0.
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
}

/**
 * A writer that crashed holding a customer's lock keeps it until its lease expires (LOCK_LEASE_MS,
 * 30 s), so a process restarted sooner skips that customer's pending operation at start-up. Wait
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

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof NoDatabaseError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
