/**
 * Seeds a generated world into the configured database (see src/db/database.ts).
 *
 *   npm run seed -- --customers 100000 --seed bench [--drop] [--now 2026-11-01T09:00:00Z]
 *
 * Refuses to write into a database that holds documents unless --drop is given, which drops every
 * collection and re-creates the indexes first. Progress goes to stderr, the summary to stdout.
 * Exit codes: 0 seeded, 1 failed or refused, 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import { ensureIndexes, type Collections } from '../src/db/collections.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { SEED_CLOCK_START } from '../src/seed/demo-ids.js';
import { SEED_COLLECTIONS, seedWorld, type SeedProgress } from '../src/seed/generate.js';
import { loadConfig } from '../src/shared/config.js';
import { createLogger } from '../src/shared/logger.js';

const USAGE = `Usage: npm run seed -- --customers N [--seed S] [--drop] [--now ISO-8601]

  --customers N   customers to generate, an integer >= 1 (default 1000)
  --seed S        any string; the same seed gives the same world (default 'demo')
  --drop          drop every collection first; without it a non-empty database is refused
  --now T         the simulation clock of the new world, UTC (default ${SEED_CLOCK_START.toISOString()})`;

/** Documents per insertMany. */
const SEED_BATCH_SIZE = 2000;

class UsageError extends Error {}

interface Args {
  customers: number;
  seed: string;
  drop: boolean;
  now: Date;
}

function parseCommandLine(argv: string[]): Args | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        customers: { type: 'string' },
        seed: { type: 'string' },
        drop: { type: 'boolean', default: false },
        now: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  const rawCustomers = values.customers ?? '1000';
  const customers = /^\d+$/.test(rawCustomers) ? Number(rawCustomers) : Number.NaN;
  if (!Number.isSafeInteger(customers) || customers < 1) {
    throw new UsageError(`--customers must be an integer of at least 1, but got '${rawCustomers}'`);
  }
  const seed = values.seed ?? 'demo';
  if (seed.length === 0) throw new UsageError(`--seed must not be empty`);
  let now = SEED_CLOCK_START;
  if (values.now !== undefined) {
    now = new Date(values.now);
    if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(values.now) || Number.isNaN(now.getTime())) {
      throw new UsageError(`--now must be a UTC ISO-8601 instant such as 2026-11-01T09:00:00Z, but got '${values.now}'`);
    }
  }
  return { customers, seed, drop: values.drop ?? false, now };
}

// ---- progress ---------------------------------------------------------------------------------

function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

const fmt = new Intl.NumberFormat('en-US');

/** A progress bar on stderr: redrawn in place on a terminal, one line per 10 % otherwise. */
function createProgress(total: number): { update(p: SeedProgress): void; done(p: SeedProgress): void } {
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  let lastDraw = 0;
  let lastDecile = 0;
  const render = (p: SeedProgress): string => {
    const fraction = total === 0 ? 1 : p.customersDone / total;
    const elapsed = performance.now() - started;
    const rate = elapsed > 0 ? (p.customersDone / elapsed) * 1000 : 0;
    const eta = rate > 0 ? ((total - p.customersDone) / rate) * 1000 : Number.NaN;
    const width = 28;
    const filled = Math.round(fraction * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    return (
      `[${bar}] ${(fraction * 100).toFixed(1).padStart(5)}%  ${fmt.format(p.customersDone)}/${fmt.format(total)} customers` +
      `  ${fmt.format(Math.round(rate))}/s  ${fmt.format(p.documentsWritten)} docs  ETA ${Number.isNaN(eta) ? '?' : formatDuration(eta)}`
    );
  };
  return {
    update(p) {
      if (tty) {
        const now = performance.now();
        if (now - lastDraw < 100) return;
        lastDraw = now;
        process.stderr.write(`\r${render(p)}\x1b[K`);
      } else {
        // 10 % steps; 100 % is printed by done(), once every document is written.
        const decile = Math.floor((p.customersDone / Math.max(1, total)) * 10);
        if (decile > lastDecile && decile < 10) {
          lastDecile = decile;
          process.stderr.write(`${render(p)}\n`);
        }
      }
    },
    done(p) {
      process.stderr.write(tty ? `\r${render(p)}\x1b[K\n` : `${render(p)}\n`);
    },
  };
}

// ---- database ---------------------------------------------------------------------------------

async function nonEmptyCollections(cols: Collections): Promise<string[]> {
  const found: string[] = [];
  for (const [name, col] of Object.entries(cols) as [string, Collections[keyof Collections]][]) {
    if (await col.findOne({}, { projection: { _id: 1 } })) found.push(name);
  }
  return found;
}

async function dropAll(cols: Collections): Promise<void> {
  for (const col of Object.values(cols) as Collections[keyof Collections][]) {
    await col.drop().catch((error: unknown) => {
      // A collection that does not exist yet is already dropped.
      if (!(error instanceof Error && /ns not found|NamespaceNotFound|does not exist/i.test(error.message))) throw error;
    });
  }
  await ensureIndexes(cols);
}

async function main(): Promise<number> {
  let args: Args | 'help';
  try {
    args = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`seed: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  // A FerretDB started by this process (not one reached through MONGODB_URI) commits inserts in
  // transactions of FERRETDB_TEST_BATCH_SIZE documents, 100 by default; one transaction per
  // insertMany batch makes the bulk load about a third faster. The child inherits our environment.
  process.env.FERRETDB_TEST_BATCH_SIZE ??= String(SEED_BATCH_SIZE);
  let database: Database | undefined;
  try {
    const config = loadConfig();
    const log = createLogger(config.logLevel);
    database = await openDatabase(config, log);
    const cols = database.collections;
    const occupied = await nonEmptyCollections(cols);
    if (occupied.length > 0) {
      if (!args.drop) {
        process.stderr.write(
          `seed: database '${database.db.databaseName}' already holds documents (in ${occupied.join(', ')}); ` +
            `pass --drop to replace them\n`,
        );
        return 1;
      }
      process.stderr.write(`seed: dropping ${occupied.join(', ')} of database '${database.db.databaseName}'\n`);
    }
    if (args.drop) await dropAll(cols);

    process.stderr.write(`seed: ${fmt.format(args.customers)} customers, seed '${args.seed}', clock ${args.now.toISOString()}\n`);
    const progress = createProgress(args.customers);
    let last: SeedProgress = { customersDone: 0, customersTotal: args.customers, documentsWritten: 0 };
    const result = await seedWorld(cols, {
      customers: args.customers,
      seed: args.seed,
      now: args.now,
      batchSize: SEED_BATCH_SIZE,
      onProgress: (p) => {
        last = p;
        progress.update(p);
      },
    });
    progress.done(last);

    const total = SEED_COLLECTIONS.reduce((sum, n) => sum + result.counts[n], 0);
    const seconds = result.elapsedMs / 1000;
    const lines = [
      `Seeded ${fmt.format(args.customers)} customers (seed '${args.seed}', clock ${args.now.toISOString()}) ` +
        `into '${database.db.databaseName}' in ${formatDuration(result.elapsedMs)} (${seconds.toFixed(1)} s)`,
      ...SEED_COLLECTIONS.map((n) => `  ${n.padEnd(15)}${fmt.format(result.counts[n]).padStart(12)}`),
      `  ${'total'.padEnd(15)}${fmt.format(total).padStart(12)} documents, ${fmt.format(Math.round(total / Math.max(seconds, 0.001)))} docs/s`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } catch (error) {
    const stage = database ? 'failed' : 'could not open the database';
    process.stderr.write(`\nseed: ${stage}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await database?.close();
  }
}

// Exit explicitly: a client left open by a failed openDatabase would keep the process alive.
process.exit(await main());
