import { openDatabase, NoDatabaseError, type Database } from './db/database.js';
import { seedDemoIfEmpty } from './seed/generate.js';
import { ConfigError, loadConfig, type Config } from './shared/config.js';
import { createLogger, type Logger } from './shared/logger.js';
import { createGateway } from './server.js';
import { resumePending } from './write/journal.js';

/**
 * Composition root: read config once, open the database, seed the demo world, finish the write
 * operations a previous run left pending, listen.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel);
  const database = await openWithRetries(config, log);
  if (config.seedDemo) await seedDemoIfEmpty(database.collections, log);
  const gateway = await createGateway({ config, database, log });
  const resumed = await resumePending(database.collections, {}, gateway.services.write);
  log.info('write', `start-up: resumed ${resumed} pending operation${resumed === 1 ? '' : 's'}`);
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
