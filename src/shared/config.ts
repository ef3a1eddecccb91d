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
}

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
  };
}
