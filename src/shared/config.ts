import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOG_LEVELS, type LogLevel } from './logger.js';

/** Project root, resolved from this file so that scripts work from any working directory. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type BackendChoice = 'auto' | 'memory' | 'ferretdb';

/** Everything the gateway reads from its environment, read once at start-up (`loadConfig`). */
export interface Config {
  /** @default 4000 */
  port: number;
  /** @default '127.0.0.1' */
  host: string;
  /** `MONGODB_URI`: when set, the only database the gateway uses. */
  mongodbUri: string | null;
  /** @default 'partner_center' */
  dbName: string;
  /**
   * `DB_BACKEND`: `auto` walks the resolution order (URI, embedded mongod, FerretDB);
   * `memory` or `ferretdb` skip straight to one of them (a URI still wins).
   * @default 'auto'
   */
  backend: BackendChoice;
  /** `FERRETDB_BIN`. @default '<root>/.tools/bin/ferretdb', else `ferretdb` on PATH */
  ferretdbBin: string | null;
  /** `DATA_DIR`: where FerretDB keeps its SQLite files. @default '<root>/.data' */
  dataDir: string;
  /** `SEED_DEMO`: seed a small demo world into an empty database at start. @default true */
  seedDemo: boolean;
  /** `EXPOSE_ERROR_DETAILS`: stack traces in error responses; never in production. @default false */
  exposeErrorDetails: boolean;
  /** `LOG_LEVEL`: debug, info, warn, error or silent. @default 'info' */
  logLevel: LogLevel;
  /**
   * `SIMULATION_CLOCK_START`: the instant a partner's simulation clock reads until it is first
   * advanced (GEN-CLOCK), an ISO-8601 instant with a time zone. @default 2026-11-01T09:00:00.000Z
   */
  clockStart: Date;
  /** `LOCK_LEASE_MS`: how long a writer's customer lock lasts if it dies holding it, in milliseconds. @default 30000 */
  lockLeaseMs: number;
  /**
   * `SOFTWARE_CANCEL_DELAY_MS`: how long a confirmed software cancellation takes to show on the
   * order (SW-CANCEL-DELAY: up to 15 minutes), in milliseconds of the simulation clock, 0 to 900000.
   * @default 900000
   */
  softwareCancelDelayMs: number;
}

/** SW-CANCEL-DELAY: the default and the largest delay, 15 minutes. */
export const DEFAULT_SOFTWARE_CANCEL_DELAY_MS = 900_000;

export const DEFAULT_CLOCK_START = '2026-11-01T09:00:00.000Z';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parsePort(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = /^\d{1,5}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`${name} must be an integer from 0 to 65535, but got '${raw}'`);
  }
  return n;
}

function parseBool(raw: string | undefined, fallback: boolean, name: string): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, but got '${raw}'`);
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/i;

/** An ISO-8601 instant with a zone (`Z` or an offset) whose date and time exist (no 30 February). */
function parseInstant(raw: string | undefined, fallback: string, name: string): Date {
  const text = raw === undefined || raw.trim() === '' ? fallback : raw.trim();
  const fields = ISO_INSTANT.exec(text)
    ?.slice(1)
    .map((g) => Number(g ?? 0));
  const exists = (f: number[]): boolean => {
    const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = f;
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return (
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= daysInMonth &&
      hour <= 23 &&
      minute <= 59 &&
      second <= 59 &&
      offsetHours <= 23 &&
      offsetMinutes <= 59
    );
  };
  if (!fields || !exists(fields)) {
    throw new ConfigError(`${name} must be an ISO-8601 instant with a time zone, such as ${fallback}, but got '${raw}'`);
  }
  return new Date(text);
}

function parsePositiveInt(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new ConfigError(`${name} must be a positive integer, but got '${raw}'`);
  return n;
}

function parseIntInRange(raw: string | undefined, fallback: number, min: number, max: number, name: string): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, but got '${raw}'`);
  }
  return n;
}

/** Pure: the same environment always gives the same config; rejects bad values with a message. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const backend = (env.DB_BACKEND ?? 'auto') as BackendChoice;
  if (!['auto', 'memory', 'ferretdb'].includes(backend)) {
    throw new ConfigError(`DB_BACKEND must be one of auto, memory, ferretdb, but got '${env.DB_BACKEND}'`);
  }
  const dbName = env.MONGODB_DB ?? 'partner_center';
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(dbName)) {
    throw new ConfigError(`MONGODB_DB must be 1-63 letters, digits, '_' or '-', but got '${dbName}'`);
  }
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, but got '${env.LOG_LEVEL}'`);
  }
  return {
    port: parsePort(env.PORT, 4000, 'PORT'),
    host: env.HOST || '127.0.0.1',
    mongodbUri: env.MONGODB_URI || null,
    dbName,
    backend,
    ferretdbBin: env.FERRETDB_BIN || null,
    dataDir: path.resolve(env.DATA_DIR || path.join(PROJECT_ROOT, '.data')),
    seedDemo: parseBool(env.SEED_DEMO, true, 'SEED_DEMO'),
    exposeErrorDetails: parseBool(env.EXPOSE_ERROR_DETAILS, false, 'EXPOSE_ERROR_DETAILS'),
    logLevel,
    clockStart: parseInstant(env.SIMULATION_CLOCK_START, DEFAULT_CLOCK_START, 'SIMULATION_CLOCK_START'),
    lockLeaseMs: parsePositiveInt(env.LOCK_LEASE_MS, 30_000, 'LOCK_LEASE_MS'),
    softwareCancelDelayMs: parseIntInRange(
      env.SOFTWARE_CANCEL_DELAY_MS,
      DEFAULT_SOFTWARE_CANCEL_DELAY_MS,
      0,
      DEFAULT_SOFTWARE_CANCEL_DELAY_MS,
      'SOFTWARE_CANCEL_DELAY_MS',
    ),
  };
}
