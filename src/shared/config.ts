import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDuration } from '../policy/time.js';
import { LOG_LEVELS, type LogLevel } from './logger.js';

/**
 * Project root, resolved from this file so that scripts work from any working directory: the folder holding package.json: from src/shared when run from source (`npm run dev`, tests),
 * from dist/node/src/shared when compiled (`npm start`, scripts/build.mjs).
 */
export const PROJECT_ROOT = projectRoot(path.dirname(fileURLToPath(import.meta.url)));

function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '../..');
  }
}

export type BackendChoice = 'auto' | 'memory' | 'ferretdb' | 'ferretdb-postgresql' | 'ferretdb-sqlite';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'memory', 'ferretdb', 'ferretdb-postgresql', 'ferretdb-sqlite'];

/** `NODE_ENV=production` is production; anything else (unset, development, test) is development. */
export type Mode = 'development' | 'production';

/**
 * The fixed, public development signing secret (docs/operations.md, "Configuration"): used only when
 * AUTH_SECRET is unset in development mode. Production refuses to start without AUTH_SECRET.
 */
export const DEVELOPMENT_AUTH_SECRET = 'partner-center-gateway-development-secret-not-for-production';
/** HS256 keys shorter than this are refused (RFC 7518 §3.2: at least the hash size, 256 bits). */
export const MIN_AUTH_SECRET_BYTES = 32;
/** `iss` and `aud` of the gateway's bearer tokens; tokens naming anything else are refused. */
export const AUTH_ISSUER = 'partner-center-gateway';
export const AUTH_AUDIENCE = 'partner-center-gateway/graphql';

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
   * `DB_BACKEND`: `auto` walks the resolution order (URI, embedded mongod, FerretDB on
   * PostgreSQL or SQLite); `memory`, `ferretdb` (FerretDB, on PostgreSQL where auto would use it),
   * `ferretdb-postgresql` or `ferretdb-sqlite` skip straight to one of them (a URI still wins).
   * @default 'auto'
   */
  backend: BackendChoice;
  /** `FERRETDB_BIN`. @default '<root>/.tools/bin/ferretdb', else `ferretdb` on PATH */
  ferretdbBin: string | null;
  /** `DATA_DIR`: where FerretDB keeps its SQLite files, or its PostgreSQL cluster. @default '<root>/.data' */
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
  /**
   * `LOCK_LEASE_MS`: how long a writer's customer lock lasts if it dies holding it, in milliseconds;
   * a live writer renews it every third of it. @default 5000
   */
  lockLeaseMs: number;
  /**
   * `ADVANCE_CLOCK_BUDGET_MS`: how long one advanceClock call works before it answers with what
   * it did and how to continue (`completed: false`), in milliseconds, 100 to 600000. @default 8000
   */
  advanceClockBudgetMs: number;
  /**
   * `SOFTWARE_CANCEL_DELAY_MS`: how long a confirmed software cancellation takes to show on the
   * order (SW-CANCEL-DELAY: up to 15 minutes), in milliseconds of the simulation clock, 0 to 900000.
   * @default 900000
   */
  softwareCancelDelayMs: number;
  /** `NODE_ENV`: `production` when NODE_ENV=production, else `development`. */
  mode: Mode;
  /**
   * `AUTH_SECRET`: the HS256 secret that signs and verifies bearer tokens, at least 32 bytes.
   * Required in production; in development DEVELOPMENT_AUTH_SECRET when unset.
   */
  authSecret: string;
  /** True when authSecret is DEVELOPMENT_AUTH_SECRET because AUTH_SECRET was unset (logged at start). */
  authSecretIsDevelopmentDefault: boolean;
  /**
   * `DEV_HEADER_AUTH`: also accept the development header scheme (X-Partner-Id, ...), which trusts
   * the caller. @default true in development, false in production (where true is refused)
   */
  devHeaderAuth: boolean;
  /** Abuse limits (docs/security.md, "Limits"); each from its own variable, see `LIMIT_VARIABLES`. */
  limits: Limits;
  /** `DB_TIMEOUT_MS`: how long a database call waits for a reachable server (and a connection) before failing. @default 2000 */
  dbTimeoutMs: number;
  /** `DB_START_RETRIES`: further attempts to reach the database at start, with back-off; 0 exits at the first failure. @default 0 */
  dbStartRetries: number;
  /** `SHUTDOWN_GRACE_MS`: on SIGTERM/SIGINT, how long in-flight requests may take to finish. @default 15000 */
  shutdownGraceMs: number;
  /**
   * `CORS_ORIGINS`: comma-separated exact origins (`https://app.example.com,http://localhost:5173`)
   * whose pages may call /graphql from a browser (src/app/cors.ts). When set, only those.
   * @default any http://localhost, 127.0.0.1 or [::1] origin in development; none in production
   */
  corsOrigins: CorsOrigins;
  /**
   * `PARTNER_CACHE_MS`: how long a partner that authentication found is kept in memory before it is
   * read again (src/shared/auth.ts, PartnerCache), 0 to 3600000; 0 reads it on every request. @default 30000
   */
  partnerCacheMs: number;
  /**
   * `OFFER_CACHE_MS`: how old the in-memory catalog may get before its next use reads it again
   * (src/offer/offer.repository.ts, OfferCatalog), 0 to 3600000; 0 reads it once per request that
   * uses offers. @default 60000
   */
  offerCacheMs: number;
  /** Test sandboxes (docs/sandboxes.md): who may create them, how many, and how long they live. */
  sandbox: SandboxConfig;
  /** The event log (docs/events.md): whether operations write events, and how long they are kept. */
  events: EventsConfig;
  /** Webhooks (docs/webhooks.md): where they may go, how many, and how they are delivered and retried. */
  webhooks: WebhookConfig;
  /** Live events over GraphQL subscriptions (docs/live-events.md): how they are followed and how many may listen. */
  live: LiveConfig;
  /** HTTP limits against slow and greedy clients (docs/security.md, "Limits"). */
  http: HttpLimits;
}

/**
 * HTTP limits (docs/security.md, "Limits"): how long a client may take to send a request, and how
 * many connections it may hold open, so that slow or idle sockets cannot pile up without bound.
 */
export interface HttpLimits {
  /** `HTTP_HEADERS_TIMEOUT_MS`: time to receive a request's headers, 1000 to 600000; at most HTTP_REQUEST_TIMEOUT_MS. @default 10000 */
  headersTimeoutMs: number;
  /** `HTTP_REQUEST_TIMEOUT_MS`: time to receive a whole request, headers and body, 1000 to 600000. @default 30000 */
  requestTimeoutMs: number;
  /** `HTTP_MAX_CONNECTIONS`: open connections one instance accepts in all, 1 to 1000000. @default 4096 */
  maxConnections: number;
  /** `HTTP_MAX_CONNECTIONS_PER_ADDRESS`: open connections from one client address, 1 to HTTP_MAX_CONNECTIONS. @default 256 (or HTTP_MAX_CONNECTIONS if lower) */
  maxConnectionsPerAddress: number;
}

/** The event log's configuration (docs/events.md, "Retention"). */
export interface EventsConfig {
  /**
   * `EVENTS_ENABLED`: whether applied operations journal their events (runOperation); false writes
   * none, for comparison runs (`npm run bench`). @default true
   */
  enabled: boolean;
  /**
   * `EVENT_RETENTION`: an ISO-8601 duration in weeks, days, hours, minutes or seconds: the gateway
   * deletes events written (wall clock) longer ago than this. @default P30D
   */
  retention: string;
  /** `EVENT_PURGE_INTERVAL_MS`: how often the gateway deletes events past their retention, 1000 to 86400000. @default 3600000 */
  purgeIntervalMs: number;
}

/** Webhooks' configuration (docs/webhooks.md, "Configuration"). */
export interface WebhookConfig {
  /**
   * `WEBHOOK_ALLOWED_HOSTS`: comma-separated host names a registration's URL may name, each exact
   * (`hooks.example.com`) or a subdomain wildcard (`*.example.com`), lower-case. Loopback hosts
   * (localhost, 127.0.0.0/8, [::1]) are allowed in development mode only. @default none
   */
  allowedHosts: readonly string[];
  /** `WEBHOOK_MAX_PER_PARTNER`: registrations one partner may hold (WEBHOOK-QUOTA), 1 to 100. @default 10 */
  maxPerPartner: number;
  /** `WEBHOOK_RETRY_PERIOD`: an ISO-8601 duration; a delivery failing for longer than this from its first attempt is given up. @default P3D */
  retryPeriod: string;
  /** `WEBHOOK_RETRY_START_MS`: the wait after a first failed attempt, doubling after each further one. @default 10000 */
  retryStartMs: number;
  /** `WEBHOOK_RETRY_MAX_MS`: the longest wait between two attempts. @default 3600000 */
  retryMaxMs: number;
  /** `WEBHOOK_TIMEOUT_MS`: how long one attempt may take, response included, 100 to 60000. @default 10000 */
  timeoutMs: number;
  /** `WEBHOOK_MAX_RESPONSE_BYTES`: how much of a receiver's answer is read; more is cut off, 0 to 1048576. @default 65536 */
  maxResponseBytes: number;
  /** `WEBHOOK_CONCURRENCY`: attempts in flight at once per registration, 1 to 64. @default 4 */
  concurrencyPerRegistration: number;
  /** `WEBHOOK_MAX_IN_FLIGHT`: attempts in flight at once per gateway instance, 1 to 10000. @default 64 */
  maxInFlight: number;
  /** `WEBHOOK_POLL_MS`: how often an instance looks for new events and due retries, 10 to 3600000. @default 1000 */
  pollMs: number;
  /** `WEBHOOK_LEASE_MS`: a registration's delivery lease, renewed while its holder works; a dead holder's work is taken over after it, 1000 to 600000. @default 15000 */
  leaseMs: number;
  /** `WEBHOOK_TEST_EVENTS_PER_MINUTE`: sendWebhookTestEvent calls per registration per minute (WEBHOOK-TEST-RATE), 1 to 1000. @default 2 */
  testEventsPerMinute: number;
}

/** Live events' configuration (docs/live-events.md, "Limits"). */
export interface LiveConfig {
  /**
   * `EVENT_POLL_MS`: how often an instance reads the events of the partners it has live
   * subscribers for, 10 to 60000: the latency of an event applied through another instance.
   * @default 250
   */
  pollMs: number;
  /** `LIVE_MAX_CONNECTIONS_PER_CALLER`: open subscription connections one caller (partner and user) may hold on one instance, 1 to 10000. @default 10 */
  maxConnectionsPerCaller: number;
  /** `LIVE_MAX_CONNECTIONS`: open subscription connections one instance serves in all, 1 to 1000000. @default 1000 */
  maxConnections: number;
  /**
   * `LIVE_QUEUE_MAX`: events one subscription may have waiting to be sent, 1 to 100000; a
   * subscriber that falls further behind is ended with SUBSCRIBER_TOO_SLOW. @default 1000
   */
  queueMax: number;
}

/** Test sandboxes' configuration (docs/sandboxes.md, "Configuration"). */
export interface SandboxConfig {
  /**
   * `SANDBOX_ADMINS`: comma-separated partner IDs whose global admins may create sandboxes. `null`
   * when unset: then any non-sandbox partner's global admin in development, nobody in production.
   */
  admins: readonly string[] | null;
  /** `SANDBOX_MAX_PER_ADMIN`: live sandboxes one administrator partner may hold, 1 to 10000. @default 50 */
  maxPerAdmin: number;
  /** `SANDBOX_TTL_DEFAULT`: an ISO-8601 duration, a sandbox's time to live when createSandbox names none. @default PT24H */
  defaultTtl: string;
  /** `SANDBOX_TTL_MAX`: an ISO-8601 duration, the longest time to live a sandbox may ask for. @default P7D */
  maxTtl: string;
  /** `SANDBOX_PURGE_INTERVAL_MS`: how often the gateway deletes expired sandboxes, 1000 to 86400000. @default 60000 */
  purgeIntervalMs: number;
  /**
   * `SANDBOX_MAX_CUSTOMERS`: the most customers one sandbox may hold: a GENERATED world's
   * `customers`, and createCustomer's SANDBOX-QUOTA, 1 to 10000: a world of 10000 takes tens of seconds, well within
   * CREATING_GRACE_MS (src/sandbox/sandbox.repository.ts), after which the purge takes it for a crash. @default 1000
   */
  maxCustomers: number;
}

/** SW-CANCEL-DELAY: the default and the largest delay, 15 minutes. */
export const DEFAULT_SOFTWARE_CANCEL_DELAY_MS = 900_000;

/** GEN-CLOCK: where every partner's simulation clock starts by default; the seeder builds its worlds at it. */
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

/** `name`'s value: an integer from `min` to `max`, `fallback` when unset or blank. */
function parseIntInRange(raw: string | undefined, range: { name: string; fallback: number; min: number; max: number }): number {
  const { name, fallback, min, max } = range;
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, but got '${raw}'`);
  }
  return n;
}

/** AUTH_SECRET, NODE_ENV and DEV_HEADER_AUTH: no default secret and no header scheme in production. */
function parseAuth(
  env: Record<string, string | undefined>,
): Pick<Config, 'mode' | 'authSecret' | 'authSecretIsDevelopmentDefault' | 'devHeaderAuth'> {
  const mode: Mode = env.NODE_ENV?.trim() === 'production' ? 'production' : 'development';
  const raw = env.AUTH_SECRET ?? '';
  if (raw === '' && mode === 'production') {
    throw new ConfigError(
      `AUTH_SECRET must be set in production (NODE_ENV=production) to a secret of at least ${MIN_AUTH_SECRET_BYTES} bytes, such as the output of 'openssl rand -base64 48', but got none`,
    );
  }
  if (raw === DEVELOPMENT_AUTH_SECRET && mode === 'production') {
    throw new ConfigError('AUTH_SECRET must be a secret of your own in production, but got the published development secret');
  }
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (raw !== '' && bytes < MIN_AUTH_SECRET_BYTES) {
    throw new ConfigError(`AUTH_SECRET must be at least ${MIN_AUTH_SECRET_BYTES} bytes, but got ${bytes}`);
  }
  const devHeaderAuth = parseBool(env.DEV_HEADER_AUTH, mode === 'development', 'DEV_HEADER_AUTH');
  if (devHeaderAuth && mode === 'production') {
    throw new ConfigError(
      `DEV_HEADER_AUTH must be false in production (NODE_ENV=production): the development header scheme trusts the caller, but got '${env.DEV_HEADER_AUTH}'`,
    );
  }
  return { mode, authSecret: raw || DEVELOPMENT_AUTH_SECRET, authSecretIsDevelopmentDefault: raw === '', devHeaderAuth };
}

/**
 * Which browser origins may call the gateway (`CORS_ORIGINS`, read by loadConfig): the exact
 * origins listed, and in development, when CORS_ORIGINS is unset, any loopback origin
 * (`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`).
 */
export interface CorsOrigins {
  /** Exact origins in their canonical form (`https://app.example.com`, lower-case, no default port). */
  exact: readonly string[];
  /** Any `http://localhost`, `http://127.0.0.1` or `http://[::1]` origin, whatever its port. */
  loopback: boolean;
}

/**
 * One `CORS_ORIGINS` entry: `scheme://host[:port]`, http or https, nothing after the authority.
 * Returns the canonical origin (lower-case host, no default port), or null when it is not one.
 */
export function parseOrigin(raw: string): string | null {
  // A DNS name (ASCII; an internationalised one in its xn-- form), an IPv4 or a bracketed IPv6 address.
  if (!/^https?:\/\/(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i.test(raw)) return null;
  try {
    const url = new URL(raw);
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** CORS_ORIGINS: exact origins only (no wildcard, path or `null`); unset means loopback in development, none in production. */
function parseCorsOrigins(raw: string | undefined, mode: Mode): CorsOrigins {
  if (raw === undefined || raw.trim() === '') return { exact: [], loopback: mode === 'development' };
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const exact = entries.map((entry) => {
    const origin = parseOrigin(entry);
    if (origin === null) {
      throw new ConfigError(
        `CORS_ORIGINS must be a comma-separated list of exact origins, each a scheme (http or https), a host and an optional port such as https://app.example.com or http://localhost:5173 (no path, no trailing slash, no wildcard), but got '${entry}'`,
      );
    }
    return origin;
  });
  if (exact.length === 0) throw new ConfigError(`CORS_ORIGINS must list at least one origin when set, but got '${raw}'`);
  return { exact: [...new Set(exact)], loopback: false };
}

/** The forms MONGODB_URI may take, as its error message names them. */
export const MONGODB_URI_FORMS =
  'mongodb://host:port/db (or mongodb://user:password@host1:port,host2:port/db?replicaSet=rs) or mongodb+srv://user:password@cluster.example.net/db';

/**
 * Hides credentials in a connection string (or in what was meant as one), for messages and logs:
 * everything between the scheme and the last '@' becomes `***`, even where a malformed password
 * holds a '/' or '@'.
 */
export function redactMongoUri(uri: string): string {
  return uri.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)?.*@/, (_, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

/**
 * MONGODB_URI: a `mongodb://` URI with one or more hosts (each with an optional port), or a
 * `mongodb+srv://` URI with one host name and no port; then an optional `/db` and `?options`.
 * The driver checks the options when it connects; this catches what is not a URI at all.
 */
function parseMongoUri(raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  const uri = raw.trim();
  const match = /^(mongodb|mongodb\+srv):\/\/(?:[^@/?#]+@)?([^@/?#]+)(?:\/[^?#]*)?(?:\?[^#]*)?$/.exec(uri);
  const hosts = match?.[2]?.split(',') ?? [];
  const host = /^(?:[A-Za-z0-9._~%-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;
  const valid =
    match !== null &&
    hosts.every((h) => {
      const m = host.exec(h);
      return m !== null && (m[1] === undefined || Number(m[1]) <= 65535);
    }) &&
    (match[1] === 'mongodb' || (hosts.length === 1 && !hosts[0]!.includes(':')));
  if (!valid) throw new ConfigError(`MONGODB_URI must be ${MONGODB_URI_FORMS}, but got '${redactMongoUri(uri)}'`);
  return uri;
}

/** Abuse limits, so one caller cannot hurt another (src/limits/, docs/security.md, "Limits"). */
export interface Limits {
  /** `LIMIT_MAX_DEPTH`: nesting of fields. @default 10 */
  maxDepth: number;
  /** `LIMIT_MAX_COST`: estimated fields resolved, list sizes multiplied through the depth. @default 60000 */
  maxCost: number;
  /** `LIMIT_MAX_ALIASES`: aliases in one document. @default 30 */
  maxAliases: number;
  /** `LIMIT_MAX_TOKENS`: lexical tokens the parser reads before giving up. @default 5000 */
  maxTokens: number;
  /** `LIMIT_MAX_DIRECTIVES`: directives in one document. @default 20 */
  maxDirectives: number;
  /** `LIMIT_MAX_ROOT_FIELDS`: top-level fields in one operation. @default 30 */
  maxRootFields: number;
  /** `LIMIT_MAX_LIST`: items in any list argument or list inside variables. @default 100 */
  maxListLength: number;
  /** `LIMIT_MAX_DB_COMMANDS`: database commands one request may send (its reads). @default 500 */
  maxDbCommands: number;
  /** `LIMIT_TIMEOUT_MS`: a query's execution deadline, in milliseconds. @default 10000 */
  timeoutMs: number;
  /**
   * `RATE_LIMIT_PER_MINUTE`: points a partner may spend in any minute, across every instance on the
   * database (a query costs its estimated cost, a mutation 10 per top-level field). @default 600000
   */
  ratePerMinute: number;
  /** `RATE_LIMIT_FAILED_AUTH_PER_MINUTE`: requests failing authentication per client address per minute, per instance. @default 600 */
  failedAuthPerMinute: number;
  /** `FAIR_MAX_IN_FLIGHT`: queries of one partner that execute at once, per instance (mutations wait for their customer lock instead). @default 4 */
  maxInFlight: number;
  /** `FAIR_MAX_DB_COMMANDS`: database commands one partner's reads have in flight at once, per instance. @default 2 */
  maxDbConcurrency: number;
  /** `FAIR_MAX_QUEUED`: queries of one partner that wait for a slot; more are refused at once. @default 200 */
  maxQueued: number;
  /** `FAIR_QUEUE_MS`: how long a query waits for its partner's slot before it is refused. @default 5000 */
  queueMs: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxDepth: 10,
  maxCost: 60_000,
  maxAliases: 30,
  maxTokens: 5000,
  maxDirectives: 20,
  maxRootFields: 30,
  maxListLength: 100,
  maxDbCommands: 500,
  timeoutMs: 10_000,
  ratePerMinute: 600_000,
  failedAuthPerMinute: 600,
  maxInFlight: 4,
  maxDbConcurrency: 2,
  maxQueued: 200,
  queueMs: 5000,
};

export const LIMIT_VARIABLES: Readonly<Record<keyof Limits, string>> = {
  maxDepth: 'LIMIT_MAX_DEPTH',
  maxCost: 'LIMIT_MAX_COST',
  maxAliases: 'LIMIT_MAX_ALIASES',
  maxTokens: 'LIMIT_MAX_TOKENS',
  maxDirectives: 'LIMIT_MAX_DIRECTIVES',
  maxRootFields: 'LIMIT_MAX_ROOT_FIELDS',
  maxListLength: 'LIMIT_MAX_LIST',
  maxDbCommands: 'LIMIT_MAX_DB_COMMANDS',
  timeoutMs: 'LIMIT_TIMEOUT_MS',
  ratePerMinute: 'RATE_LIMIT_PER_MINUTE',
  failedAuthPerMinute: 'RATE_LIMIT_FAILED_AUTH_PER_MINUTE',
  maxInFlight: 'FAIR_MAX_IN_FLIGHT',
  maxDbConcurrency: 'FAIR_MAX_DB_COMMANDS',
  maxQueued: 'FAIR_MAX_QUEUED',
  queueMs: 'FAIR_QUEUE_MS',
};

/** Every limit is a positive integer; 0 or a word is refused rather than read as "no limit". */
function parseLimits(env: Record<string, string | undefined>): Limits {
  const entries = (Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]).map((key) => {
    const name = LIMIT_VARIABLES[key];
    return [key, parsePositiveInt(env[name], DEFAULT_LIMITS[key], name)] as const;
  });
  return Object.fromEntries(entries) as unknown as Limits;
}

/** A sandbox TTL: an ISO-8601 duration of days, hours, minutes or seconds (no months or years: their length varies). */
function parseTtl(raw: string | undefined, fallback: string, name: string): string {
  const text = raw === undefined || raw.trim() === '' ? fallback : raw.trim().toUpperCase();
  const duration = parseDuration(text);
  if (duration === null || duration.months !== 0 || duration.ms <= 0) {
    throw new ConfigError(
      `${name} must be a positive ISO-8601 duration in weeks, days, hours, minutes or seconds, such as ${fallback}, but got '${raw}'`,
    );
  }
  return text;
}

/** How long a sandbox TTL lasts, in milliseconds; null for what parseTtl refuses. */
export function ttlMs(text: string): number | null {
  const duration = parseDuration(text);
  return duration === null || duration.months !== 0 || duration.ms <= 0 ? null : duration.ms;
}

/** SANDBOX_*: each partner ID lower-case, like the ones authentication reads; the default TTL within the maximum. */
function parseSandbox(env: Record<string, string | undefined>): SandboxConfig {
  const rawAdmins = env.SANDBOX_ADMINS;
  let admins: string[] | null = null;
  if (rawAdmins !== undefined && rawAdmins.trim() !== '') {
    admins = rawAdmins
      .split(',')
      .map((id) => id.trim().toLowerCase())
      .filter((id) => id !== '');
    const bad = admins.find((id) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id));
    if (bad !== undefined || admins.length === 0) {
      throw new ConfigError(`SANDBOX_ADMINS must be a comma-separated list of partner IDs (GUIDs), but got '${rawAdmins}'`);
    }
  }
  const defaultTtl = parseTtl(env.SANDBOX_TTL_DEFAULT, 'PT24H', 'SANDBOX_TTL_DEFAULT');
  const maxTtl = parseTtl(env.SANDBOX_TTL_MAX, 'P7D', 'SANDBOX_TTL_MAX');
  if (ttlMs(defaultTtl)! > ttlMs(maxTtl)!) {
    throw new ConfigError(`SANDBOX_TTL_DEFAULT must not be longer than SANDBOX_TTL_MAX (${maxTtl}), but got '${defaultTtl}'`);
  }
  return {
    admins: admins && [...new Set(admins)],
    maxPerAdmin: parseIntInRange(env.SANDBOX_MAX_PER_ADMIN, { name: 'SANDBOX_MAX_PER_ADMIN', fallback: 50, min: 1, max: 10_000 }),
    defaultTtl,
    maxTtl,
    purgeIntervalMs: parseIntInRange(env.SANDBOX_PURGE_INTERVAL_MS, {
      name: 'SANDBOX_PURGE_INTERVAL_MS',
      fallback: 60_000,
      min: 1000,
      max: 86_400_000,
    }),
    maxCustomers: parseIntInRange(env.SANDBOX_MAX_CUSTOMERS, { name: 'SANDBOX_MAX_CUSTOMERS', fallback: 1000, min: 1, max: 10_000 }),
  };
}

/** EVENTS_ENABLED, EVENT_RETENTION, EVENT_PURGE_INTERVAL_MS. */
function parseEvents(env: Record<string, string | undefined>): EventsConfig {
  return {
    enabled: parseBool(env.EVENTS_ENABLED, true, 'EVENTS_ENABLED'),
    retention: parseTtl(env.EVENT_RETENTION, 'P30D', 'EVENT_RETENTION'),
    purgeIntervalMs: parseIntInRange(env.EVENT_PURGE_INTERVAL_MS, {
      name: 'EVENT_PURGE_INTERVAL_MS',
      fallback: 3_600_000,
      min: 1000,
      max: 86_400_000,
    }),
  };
}

/** WEBHOOK_*: hosts lower-case and deduplicated, each a DNS name or a `*.` wildcard of one. */
function parseWebhooks(env: Record<string, string | undefined>): WebhookConfig {
  const raw = env.WEBHOOK_ALLOWED_HOSTS;
  let allowedHosts: string[] = [];
  if (raw !== undefined && raw.trim() !== '') {
    allowedHosts = raw
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== '');
    const bad = allowedHosts.find((h) => !/^(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*$/.test(h));
    if (bad !== undefined || allowedHosts.length === 0) {
      throw new ConfigError(
        `WEBHOOK_ALLOWED_HOSTS must be a comma-separated list of host names such as hooks.example.com or *.example.com, but got '${raw}'`,
      );
    }
  }
  const retryPeriod = parseTtl(env.WEBHOOK_RETRY_PERIOD, 'P3D', 'WEBHOOK_RETRY_PERIOD');
  const ms = (name: string, fallback: number, min: number, max: number) => parseIntInRange(env[name], { name, fallback, min, max });
  return {
    allowedHosts: [...new Set(allowedHosts)],
    maxPerPartner: ms('WEBHOOK_MAX_PER_PARTNER', 10, 1, 100),
    retryPeriod,
    retryStartMs: ms('WEBHOOK_RETRY_START_MS', 10_000, 1, 86_400_000),
    retryMaxMs: ms('WEBHOOK_RETRY_MAX_MS', 3_600_000, 1, 86_400_000),
    timeoutMs: ms('WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
    maxResponseBytes: ms('WEBHOOK_MAX_RESPONSE_BYTES', 65_536, 0, 1_048_576),
    concurrencyPerRegistration: ms('WEBHOOK_CONCURRENCY', 4, 1, 64),
    maxInFlight: ms('WEBHOOK_MAX_IN_FLIGHT', 64, 1, 10_000),
    pollMs: ms('WEBHOOK_POLL_MS', 1000, 10, 3_600_000),
    leaseMs: ms('WEBHOOK_LEASE_MS', 15_000, 1000, 600_000),
    testEventsPerMinute: ms('WEBHOOK_TEST_EVENTS_PER_MINUTE', 2, 1, 1000),
  };
}

/** Pure: the same environment always gives the same config; rejects bad values with a message. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const backend = (env.DB_BACKEND ?? 'auto') as BackendChoice;
  if (!BACKEND_CHOICES.includes(backend)) {
    throw new ConfigError(`DB_BACKEND must be one of ${BACKEND_CHOICES.join(', ')}, but got '${env.DB_BACKEND}'`);
  }
  const dbName = env.MONGODB_DB ?? 'partner_center';
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(dbName)) {
    throw new ConfigError(`MONGODB_DB must be 1-63 letters, digits, '_' or '-', but got '${dbName}'`);
  }
  // FerretDB 1.24 on PostgreSQL lists databases with `NOT LIKE 'pg_%'` ('_' matches any character):
  // it writes such a database, and after a restart no longer sees it. Refused on every backend, so
  // that a configuration does not lose its data when it moves to the offline one.
  if (/^pg./i.test(dbName)) {
    throw new ConfigError(
      `MONGODB_DB must not start with 'pg' (FerretDB on PostgreSQL hides such databases after a restart), but got '${dbName}'`,
    );
  }
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, but got '${env.LOG_LEVEL}'`);
  }
  const auth = parseAuth(env);
  return {
    port: parsePort(env.PORT, 4000, 'PORT'),
    host: env.HOST || '127.0.0.1',
    mongodbUri: parseMongoUri(env.MONGODB_URI),
    dbName,
    backend,
    ferretdbBin: env.FERRETDB_BIN || null,
    dataDir: path.resolve(env.DATA_DIR || path.join(PROJECT_ROOT, '.data')),
    seedDemo: parseBool(env.SEED_DEMO, true, 'SEED_DEMO'),
    exposeErrorDetails: parseBool(env.EXPOSE_ERROR_DETAILS, false, 'EXPOSE_ERROR_DETAILS'),
    logLevel,
    clockStart: parseInstant(env.SIMULATION_CLOCK_START, DEFAULT_CLOCK_START, 'SIMULATION_CLOCK_START'),
    lockLeaseMs: parsePositiveInt(env.LOCK_LEASE_MS, 5_000, 'LOCK_LEASE_MS'),
    advanceClockBudgetMs: parseIntInRange(env.ADVANCE_CLOCK_BUDGET_MS, {
      name: 'ADVANCE_CLOCK_BUDGET_MS',
      fallback: 8_000,
      min: 100,
      max: 600_000,
    }),
    softwareCancelDelayMs: parseIntInRange(env.SOFTWARE_CANCEL_DELAY_MS, {
      name: 'SOFTWARE_CANCEL_DELAY_MS',
      fallback: DEFAULT_SOFTWARE_CANCEL_DELAY_MS,
      min: 0,
      max: DEFAULT_SOFTWARE_CANCEL_DELAY_MS,
    }),
    ...auth,
    limits: parseLimits(env),
    dbTimeoutMs: parsePositiveInt(env.DB_TIMEOUT_MS, 2000, 'DB_TIMEOUT_MS'),
    dbStartRetries: parseIntInRange(env.DB_START_RETRIES, { name: 'DB_START_RETRIES', fallback: 0, min: 0, max: 100 }),
    shutdownGraceMs: parsePositiveInt(env.SHUTDOWN_GRACE_MS, 15_000, 'SHUTDOWN_GRACE_MS'),
    corsOrigins: parseCorsOrigins(env.CORS_ORIGINS, auth.mode),
    partnerCacheMs: parseIntInRange(env.PARTNER_CACHE_MS, { name: 'PARTNER_CACHE_MS', fallback: 30_000, min: 0, max: 3_600_000 }),
    offerCacheMs: parseIntInRange(env.OFFER_CACHE_MS, { name: 'OFFER_CACHE_MS', fallback: 60_000, min: 0, max: 3_600_000 }),
    sandbox: parseSandbox(env),
    events: parseEvents(env),
    webhooks: parseWebhooks(env),
    live: parseLive(env),
    http: parseHttpLimits(env),
  };
}

/** HTTP_*: the headers timeout within the request timeout (Node refuses it otherwise), the per-address cap within the total (256 by default, or the total if lower). */
function parseHttpLimits(env: Record<string, string | undefined>): HttpLimits {
  const int = (name: string, fallback: number, min: number, max: number) => parseIntInRange(env[name], { name, fallback, min, max });
  const maxConnections = int('HTTP_MAX_CONNECTIONS', 4096, 1, 1_000_000);
  const limits: HttpLimits = {
    headersTimeoutMs: int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 1000, 600_000),
    requestTimeoutMs: int('HTTP_REQUEST_TIMEOUT_MS', 30_000, 1000, 600_000),
    maxConnections,
    maxConnectionsPerAddress: int('HTTP_MAX_CONNECTIONS_PER_ADDRESS', Math.min(256, maxConnections), 1, 1_000_000),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError(
      `HTTP_HEADERS_TIMEOUT_MS must not be longer than HTTP_REQUEST_TIMEOUT_MS (${limits.requestTimeoutMs}), but got '${limits.headersTimeoutMs}'`,
    );
  }
  if (limits.maxConnectionsPerAddress > limits.maxConnections) {
    throw new ConfigError(
      `HTTP_MAX_CONNECTIONS_PER_ADDRESS must not be more than HTTP_MAX_CONNECTIONS (${limits.maxConnections}), but got '${limits.maxConnectionsPerAddress}'`,
    );
  }
  return limits;
}

/** EVENT_POLL_MS and LIVE_*. */
function parseLive(env: Record<string, string | undefined>): LiveConfig {
  return {
    pollMs: parseIntInRange(env.EVENT_POLL_MS, { name: 'EVENT_POLL_MS', fallback: 250, min: 10, max: 60_000 }),
    maxConnectionsPerCaller: parseIntInRange(env.LIVE_MAX_CONNECTIONS_PER_CALLER, {
      name: 'LIVE_MAX_CONNECTIONS_PER_CALLER',
      fallback: 10,
      min: 1,
      max: 10_000,
    }),
    maxConnections: parseIntInRange(env.LIVE_MAX_CONNECTIONS, { name: 'LIVE_MAX_CONNECTIONS', fallback: 1000, min: 1, max: 1_000_000 }),
    queueMax: parseIntInRange(env.LIVE_QUEUE_MAX, { name: 'LIVE_QUEUE_MAX', fallback: 1000, min: 1, max: 100_000 }),
  };
}
