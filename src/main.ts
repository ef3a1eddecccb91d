import { openDatabase, NoDatabaseError } from './db/database.js';
import { seedDemoIfEmpty } from './seed/generate.js';
import { ConfigError, loadConfig } from './shared/config.js';
import { createLogger } from './shared/logger.js';
import { createGateway } from './server.js';
import { resumePending } from './write/journal.js';

/**
 * Composition root: read config once, open the database, seed the demo world, finish the write
 * operations a previous run left pending, listen.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel);
  const database = await openDatabase(config, log);
  if (config.seedDemo) await seedDemoIfEmpty(database.collections, log);
  const gateway = await createGateway({ config, database, log });
  const resumed = await resumePending(database.collections, {}, gateway.services.write);
  log.info('write', `start-up: resumed ${resumed} pending operation${resumed === 1 ? '' : 's'}`);
  const url = await gateway.listen(config.port, config.host);
  log.info('http', `GraphQL at ${url}/graphql, IDE at ${url}/graphiql`);

  const shutdown = async (signal: string) => {
    log.info('http', `${signal}: shutting down`);
    await gateway.stop();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof NoDatabaseError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
