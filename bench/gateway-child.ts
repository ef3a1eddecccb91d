/**
 * The gateway under measurement, in a process of its own (started by bench/run.ts): the real
 * composition (openDatabase + createGateway + listen on loopback), with the driver's command
 * monitoring on, answering the parent's questions over IPC (bench/lib/ipc.ts).
 *
 * Environment: MONGODB_URI and MONGODB_DB name the data set; the parent raises the rate limit and
 * the query deadline, which a benchmark would otherwise measure instead of the gateway.
 */
import { openDatabase } from '../src/db/database.js';
import { createGateway } from '../src/app/server.js';
import { loadConfig } from '../src/shared/config.js';
import { createLogger } from '../src/shared/logger.js';
import { sandboxWorlds } from '../src/seed/sandbox-world.js';
import { ready, serveParent } from './lib/ipc.js';

const config = loadConfig(process.env);
const log = createLogger(config.logLevel);
const database = await openDatabase(config, log, { monitorCommands: true });
serveParent(database.client);
// As main.ts: the seeder's worlds for the DEMO and GENERATED sandbox templates (the sandbox section).
const gateway = await createGateway({ config, database, log, sandboxWorlds });
const url = await gateway.listen(0, '127.0.0.1');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await gateway.stop().catch(() => {});
  await database.close().catch(() => {});
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
ready(url);
