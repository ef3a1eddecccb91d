import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LIMIT_VARIABLES } from '../../src/shared/config.js';
import { ConfigError, DEVELOPMENT_AUTH_SECRET, loadConfig, PROJECT_ROOT } from '../../src/shared/config.js';

/** What an environment without NODE_ENV, AUTH_SECRET and DEV_HEADER_AUTH gives. */
const DEVELOPMENT_AUTH = {
  mode: 'development',
  authSecret: DEVELOPMENT_AUTH_SECRET,
  authSecretIsDevelopmentDefault: true,
  devHeaderAuth: true,
} as const;

/** The HTTP limits an empty environment gives (docs/security.md, "Limits"). */
const DEFAULT_HTTP_LIMITS = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxConnections: 4096, maxConnectionsPerAddress: 256 };

/** Calls loadConfig, expecting a ConfigError; returns its message. */
function configError(env: Record<string, string | undefined>): string {
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  expect((caught as ConfigError).name).toBe('ConfigError');
  return (caught as ConfigError).message;
}

describe('loadConfig defaults', () => {
  it('an empty environment gives the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      host: '127.0.0.1',
      mongodbUri: null,
      dbName: 'partner_center',
      backend: 'auto',
      ferretdbBin: null,
      dataDir: path.join(PROJECT_ROOT, '.data'),
      seedDemo: true,
      exposeErrorDetails: false,
      logLevel: 'info',
      clockStart: new Date('2026-11-01T09:00:00.000Z'),
      lockLeaseMs: 5_000,
      advanceClockBudgetMs: 8_000,
      softwareCancelDelayMs: 900_000,
      dbTimeoutMs: 2000,
      dbStartRetries: 0,
      shutdownGraceMs: 15_000,
      ...DEVELOPMENT_AUTH,
      limits: DEFAULT_LIMITS,
      corsOrigins: { exact: [], loopback: true },
      partnerCacheMs: 30_000,
      offerCacheMs: 60_000,
      sandbox: { admins: null, maxPerAdmin: 50, defaultTtl: 'PT24H', maxTtl: 'P7D', purgeIntervalMs: 60_000, maxCustomers: 1000 },
      events: { enabled: true, retention: 'P30D', purgeIntervalMs: 3_600_000 },
      webhooks: DEFAULT_WEBHOOKS,
      live: { pollMs: 250, maxConnectionsPerCaller: 10, maxConnections: 1000, queueMax: 1000 },
      http: DEFAULT_HTTP_LIMITS,
    });
  });

  it('PROJECT_ROOT is the repository root, whatever the working directory', () => {
    expect(PROJECT_ROOT).toBe(path.resolve(import.meta.dirname, '../..'));
  });

  it('empty strings count as unset for PORT, HOST, MONGODB_URI, FERRETDB_BIN, DATA_DIR, SEED_DEMO, EXPOSE_ERROR_DETAILS, SIMULATION_CLOCK_START, LOCK_LEASE_MS and SOFTWARE_CANCEL_DELAY_MS', () => {
    expect(
      loadConfig({
        PORT: '',
        HOST: '',
        MONGODB_URI: '',
        FERRETDB_BIN: '',
        DATA_DIR: '',
        SEED_DEMO: '',
        EXPOSE_ERROR_DETAILS: '',
        SIMULATION_CLOCK_START: '',
        LOCK_LEASE_MS: '',
        SOFTWARE_CANCEL_DELAY_MS: '',
      }),
    ).toEqual(loadConfig({}));
  });

  it('every variable is read from the given environment', () => {
    expect(
      loadConfig({
        PORT: '8080',
        HOST: '0.0.0.0',
        MONGODB_URI: 'mongodb://db:27017',
        MONGODB_DB: 'pc-test_1',
        DB_BACKEND: 'ferretdb',
        FERRETDB_BIN: '/opt/ferretdb',
        DATA_DIR: '/var/lib/pc',
        SEED_DEMO: 'false',
        EXPOSE_ERROR_DETAILS: 'yes',
        LOG_LEVEL: 'debug',
        SIMULATION_CLOCK_START: '2027-01-15T00:00:00Z',
        LOCK_LEASE_MS: '5000',
        ADVANCE_CLOCK_BUDGET_MS: '2000',
        SOFTWARE_CANCEL_DELAY_MS: '60000',
        DB_TIMEOUT_MS: '3000',
        DB_START_RETRIES: '4',
        SHUTDOWN_GRACE_MS: '20000',
        PARTNER_CACHE_MS: '0',
        OFFER_CACHE_MS: '5000',
        EVENTS_ENABLED: 'false',
        EVENT_RETENTION: 'pt12h',
        EVENT_PURGE_INTERVAL_MS: '5000',
      }),
    ).toEqual({
      port: 8080,
      host: '0.0.0.0',
      mongodbUri: 'mongodb://db:27017',
      dbName: 'pc-test_1',
      backend: 'ferretdb',
      ferretdbBin: '/opt/ferretdb',
      dataDir: '/var/lib/pc',
      seedDemo: false,
      exposeErrorDetails: true,
      logLevel: 'debug',
      clockStart: new Date('2027-01-15T00:00:00.000Z'),
      lockLeaseMs: 5000,
      advanceClockBudgetMs: 2000,
      softwareCancelDelayMs: 60_000,
      dbTimeoutMs: 3000,
      dbStartRetries: 4,
      shutdownGraceMs: 20_000,
      ...DEVELOPMENT_AUTH,
      limits: DEFAULT_LIMITS,
      corsOrigins: { exact: [], loopback: true },
      partnerCacheMs: 0,
      offerCacheMs: 5000,
      sandbox: { admins: null, maxPerAdmin: 50, defaultTtl: 'PT24H', maxTtl: 'P7D', purgeIntervalMs: 60_000, maxCustomers: 1000 },
      events: { enabled: false, retention: 'PT12H', purgeIntervalMs: 5000 },
      webhooks: DEFAULT_WEBHOOKS,
      live: { pollMs: 250, maxConnectionsPerCaller: 10, maxConnections: 1000, queueMax: 1000 },
      http: DEFAULT_HTTP_LIMITS,
    });
  });

  it('LOG_LEVEL takes debug, info, warn, error or silent, and nothing else', () => {
    expect(loadConfig({ LOG_LEVEL: 'silent' }).logLevel).toBe('silent');
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(
      "LOG_LEVEL must be one of debug, info, warn, error, silent, but got 'verbose'",
    );
  });

  it('a relative DATA_DIR is resolved to an absolute path', () => {
    expect(loadConfig({ DATA_DIR: 'some/dir' }).dataDir).toBe(path.resolve('some/dir'));
  });

  it('is pure: the same environment gives equal configs, and the environment is not modified', () => {
    const env = { PORT: '1234', SEED_DEMO: 'off' };
    const copy = { ...env };
    expect(loadConfig(env)).toEqual(loadConfig({ ...env }));
    expect(env).toEqual(copy);
  });
});

describe('PORT', () => {
  it.each([
    ['0', 0],
    ['65535', 65535],
    ['4001', 4001],
  ])('PORT %s is accepted', (raw, port) => {
    expect(loadConfig({ PORT: raw }).port).toBe(port);
  });

  /*
   * BUG (src/shared/config.ts:43-45): parsePort treats only '' as unset, then Number('  ') is 0,
   * so a blank PORT silently binds a random free port instead of 4000 (or a ConfigError).
   */
  it('a blank PORT is read as unset (4000) or refused, never as port 0', () => {
    let port: number | undefined;
    try {
      port = loadConfig({ PORT: '  ' }).port;
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return;
    }
    expect(port).toBe(4000);
  });

  it.each(['abc', '65536', '-1', '80.5', '4000x'])('PORT %j is refused naming the range 0..65535', (raw) => {
    expect(configError({ PORT: raw })).toBe(`PORT must be an integer from 0 to 65535, but got '${raw}'`);
  });
});

describe('DB_BACKEND', () => {
  it.each(['auto', 'memory', 'ferretdb', 'ferretdb-postgresql', 'ferretdb-sqlite'] as const)('DB_BACKEND %s is accepted', (backend) => {
    expect(loadConfig({ DB_BACKEND: backend }).backend).toBe(backend);
  });

  it.each(['mongo', 'FerretDB', 'sqlite'])('DB_BACKEND %j is refused naming the choices', (raw) => {
    expect(configError({ DB_BACKEND: raw })).toBe(
      `DB_BACKEND must be one of auto, memory, ferretdb, ferretdb-postgresql, ferretdb-sqlite, but got '${raw}'`,
    );
  });
});

describe('MONGODB_DB', () => {
  it.each(['a', 'partner_center', 'pc-2026_Test', 'x'.repeat(63)])('MONGODB_DB %j is accepted', (name) => {
    expect(loadConfig({ MONGODB_DB: name }).dbName).toBe(name);
  });

  it.each(['', 'my.db', 'my db', 'db/name', '$db', 'x'.repeat(64)])('MONGODB_DB %j is refused naming the allowed form', (raw) => {
    expect(configError({ MONGODB_DB: raw })).toBe(`MONGODB_DB must be 1-63 letters, digits, '_' or '-', but got '${raw}'`);
  });

  it.each(['pgfaults', 'PG_data', 'pg-1'])('MONGODB_DB %j is refused: FerretDB on PostgreSQL would hide it after a restart', (raw) => {
    expect(configError({ MONGODB_DB: raw })).toBe(
      `MONGODB_DB must not start with 'pg' (FerretDB on PostgreSQL hides such databases after a restart), but got '${raw}'`,
    );
  });

  it('MONGODB_DB "pg" alone and names with pg later are accepted', () => {
    expect(loadConfig({ MONGODB_DB: 'pg' }).dbName).toBe('pg');
    expect(loadConfig({ MONGODB_DB: 'shop_pg_1' }).dbName).toBe('shop_pg_1');
  });
});

describe('SEED_DEMO and EXPOSE_ERROR_DETAILS', () => {
  it.each([
    ['1', true],
    ['true', true],
    ['TRUE', true],
    ['yes', true],
    ['On', true],
    ['0', false],
    ['false', false],
    ['No', false],
    ['off', false],
  ])('SEED_DEMO %s reads as %s', (raw, value) => {
    expect(loadConfig({ SEED_DEMO: raw }).seedDemo).toBe(value);
    expect(loadConfig({ EXPOSE_ERROR_DETAILS: raw }).exposeErrorDetails).toBe(value);
  });

  it.each(['maybe', '2', 'y', 'enabled'])('SEED_DEMO %j is refused naming true or false', (raw) => {
    expect(configError({ SEED_DEMO: raw })).toBe(`SEED_DEMO must be true or false, but got '${raw}'`);
  });

  it('EXPOSE_ERROR_DETAILS refuses a non-boolean in the same words', () => {
    expect(configError({ EXPOSE_ERROR_DETAILS: 'verbose' })).toBe("EXPOSE_ERROR_DETAILS must be true or false, but got 'verbose'");
  });
});

describe('SIMULATION_CLOCK_START', () => {
  it.each([
    ['2026-11-01T09:00:00Z', '2026-11-01T09:00:00.000Z'],
    ['2026-11-01T09:00:00.250Z', '2026-11-01T09:00:00.250Z'],
    ['2026-11-01T10:00:00+01:00', '2026-11-01T09:00:00.000Z'],
    ['2028-02-29T00:00Z', '2028-02-29T00:00:00.000Z'],
  ])('SIMULATION_CLOCK_START %s is the instant %s (GEN-CLOCK, GEN-UTC)', (raw, iso) => {
    expect(loadConfig({ SIMULATION_CLOCK_START: raw }).clockStart.toISOString()).toBe(iso);
  });

  it.each(['tomorrow', '2026-11-01', '2026-11-01T09:00:00', '2026-02-30T00:00:00Z', '2026-11-01T24:00:00Z', '1762000000000'])(
    'SIMULATION_CLOCK_START %j is refused naming the ISO-8601 form',
    (raw) => {
      expect(configError({ SIMULATION_CLOCK_START: raw })).toBe(
        `SIMULATION_CLOCK_START must be an ISO-8601 instant with a time zone, such as 2026-11-01T09:00:00.000Z, but got '${raw}'`,
      );
    },
  );
});

describe('LOCK_LEASE_MS', () => {
  it.each([
    ['1', 1],
    ['30000', 30_000],
    [' 120000 ', 120_000],
  ])('LOCK_LEASE_MS %j is %d milliseconds', (raw, ms) => {
    expect(loadConfig({ LOCK_LEASE_MS: raw }).lockLeaseMs).toBe(ms);
  });

  it.each(['0', '-5', '1.5', '30s', 'abc'])('LOCK_LEASE_MS %j is refused naming a positive integer', (raw) => {
    expect(configError({ LOCK_LEASE_MS: raw })).toBe(`LOCK_LEASE_MS must be a positive integer, but got '${raw}'`);
  });
});

describe('ADVANCE_CLOCK_BUDGET_MS', () => {
  it.each(['99', '600001', '1.5', '8s'])('ADVANCE_CLOCK_BUDGET_MS %j is refused', (raw) => {
    expect(configError({ ADVANCE_CLOCK_BUDGET_MS: raw })).toBe(
      `ADVANCE_CLOCK_BUDGET_MS must be an integer from 100 to 600000, but got '${raw}'`,
    );
  });
});

describe('SOFTWARE_CANCEL_DELAY_MS', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['900000', 900_000],
    [' 60000 ', 60_000],
  ])('SW-CANCEL-DELAY: SOFTWARE_CANCEL_DELAY_MS %j is %d milliseconds', (raw, ms) => {
    expect(loadConfig({ SOFTWARE_CANCEL_DELAY_MS: raw }).softwareCancelDelayMs).toBe(ms);
  });

  it.each(['900001', '-1', '1.5', '15m', 'abc'])(
    'SW-CANCEL-DELAY: SOFTWARE_CANCEL_DELAY_MS %j is refused: at most 15 minutes (900000 ms)',
    (raw) => {
      expect(configError({ SOFTWARE_CANCEL_DELAY_MS: raw })).toBe(
        `SOFTWARE_CANCEL_DELAY_MS must be an integer from 0 to 900000, but got '${raw}'`,
      );
    },
  );
});

describe('NODE_ENV, AUTH_SECRET and DEV_HEADER_AUTH', () => {
  const SECRET = 's'.repeat(32);

  it.each([
    [undefined, 'development'],
    ['', 'development'],
    ['development', 'development'],
    ['test', 'development'],
    ['production', 'production'],
  ])('NODE_ENV %j is %s mode', (nodeEnv, mode) => {
    expect(loadConfig({ NODE_ENV: nodeEnv, AUTH_SECRET: SECRET }).mode).toBe(mode);
  });

  it('production mode without AUTH_SECRET refuses to start, saying what is expected (no default secret in production)', () => {
    expect(configError({ NODE_ENV: 'production' })).toBe(
      "AUTH_SECRET must be set in production (NODE_ENV=production) to a secret of at least 32 bytes, such as the output of 'openssl rand -base64 48', but got none",
    );
    expect(configError({ NODE_ENV: 'production', AUTH_SECRET: '' })).toMatch(/^AUTH_SECRET must be set in production/);
  });

  it('production mode refuses the published development secret', () => {
    expect(configError({ NODE_ENV: 'production', AUTH_SECRET: DEVELOPMENT_AUTH_SECRET })).toBe(
      'AUTH_SECRET must be a secret of your own in production, but got the published development secret',
    );
  });

  it.each(['production', 'development'])('an AUTH_SECRET shorter than 32 bytes is refused in %s mode, without echoing it', (mode) => {
    const message = configError({ NODE_ENV: mode, AUTH_SECRET: 'short-secret' });
    expect(message).toBe('AUTH_SECRET must be at least 32 bytes, but got 12');
    expect(message).not.toContain('short-secret');
  });

  it('AUTH_SECRET is used as given; development falls back to the development secret only when it is unset', () => {
    expect(loadConfig({ NODE_ENV: 'production', AUTH_SECRET: SECRET })).toMatchObject({
      mode: 'production',
      authSecret: SECRET,
      authSecretIsDevelopmentDefault: false,
      devHeaderAuth: false,
    });
    expect(loadConfig({ AUTH_SECRET: SECRET })).toMatchObject({ authSecret: SECRET, authSecretIsDevelopmentDefault: false });
    expect(loadConfig({})).toMatchObject({ authSecret: DEVELOPMENT_AUTH_SECRET, authSecretIsDevelopmentDefault: true });
  });

  it('DEV_HEADER_AUTH is on by default in development and can be turned off', () => {
    expect(loadConfig({}).devHeaderAuth).toBe(true);
    expect(loadConfig({ DEV_HEADER_AUTH: 'false' }).devHeaderAuth).toBe(false);
    expect(loadConfig({ DEV_HEADER_AUTH: '' }).devHeaderAuth).toBe(true);
    expect(configError({ DEV_HEADER_AUTH: 'maybe' })).toBe("DEV_HEADER_AUTH must be true or false, but got 'maybe'");
  });

  it('DEV_HEADER_AUTH=true in production refuses to start; false is accepted', () => {
    expect(configError({ NODE_ENV: 'production', AUTH_SECRET: SECRET, DEV_HEADER_AUTH: 'true' })).toBe(
      "DEV_HEADER_AUTH must be false in production (NODE_ENV=production): the development header scheme trusts the caller, but got 'true'",
    );
    expect(loadConfig({ NODE_ENV: 'production', AUTH_SECRET: SECRET, DEV_HEADER_AUTH: 'false' }).devHeaderAuth).toBe(false);
  });
});

describe('HTTP limits (docs/security.md, "Limits")', () => {
  it('each is read from its own variable', () => {
    const env = {
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '3000',
      HTTP_MAX_CONNECTIONS: '50',
      HTTP_MAX_CONNECTIONS_PER_ADDRESS: '5',
    };
    expect(loadConfig(env).http).toEqual({
      headersTimeoutMs: 2000,
      requestTimeoutMs: 3000,
      maxConnections: 50,
      maxConnectionsPerAddress: 5,
    });
  });

  it('timeouts are 1000 to 600000 ms and caps at least 1, anything else refused with the range', () => {
    expect(configError({ HTTP_HEADERS_TIMEOUT_MS: '999' })).toBe(
      "HTTP_HEADERS_TIMEOUT_MS must be an integer from 1000 to 600000, but got '999'",
    );
    expect(configError({ HTTP_REQUEST_TIMEOUT_MS: 'never' })).toBe(
      "HTTP_REQUEST_TIMEOUT_MS must be an integer from 1000 to 600000, but got 'never'",
    );
    expect(configError({ HTTP_MAX_CONNECTIONS: '0' })).toBe("HTTP_MAX_CONNECTIONS must be an integer from 1 to 1000000, but got '0'");
    expect(configError({ HTTP_MAX_CONNECTIONS_PER_ADDRESS: '-1' })).toBe(
      "HTTP_MAX_CONNECTIONS_PER_ADDRESS must be an integer from 1 to 1000000, but got '-1'",
    );
  });

  it('the headers timeout is within the request timeout, and the per-address cap within the total', () => {
    expect(configError({ HTTP_HEADERS_TIMEOUT_MS: '40000' })).toBe(
      "HTTP_HEADERS_TIMEOUT_MS must not be longer than HTTP_REQUEST_TIMEOUT_MS (30000), but got '40000'",
    );
    expect(configError({ HTTP_MAX_CONNECTIONS: '10', HTTP_MAX_CONNECTIONS_PER_ADDRESS: '11' })).toBe(
      "HTTP_MAX_CONNECTIONS_PER_ADDRESS must not be more than HTTP_MAX_CONNECTIONS (10), but got '11'",
    );
    expect(loadConfig({ HTTP_MAX_CONNECTIONS: '10' }).http.maxConnectionsPerAddress).toBe(10);
  });
});

describe('limits (docs/security.md, "Limits")', () => {
  it('the defaults', () => {
    expect(loadConfig({}).limits).toEqual({
      maxDepth: 10,
      maxCost: DEFAULT_LIMITS.maxCost,
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
    });
  });

  it('every limit is read from its own variable', () => {
    const env = Object.fromEntries(Object.values(LIMIT_VARIABLES).map((name, i) => [name, String(1000 + i)]));
    const limits = loadConfig(env).limits;
    expect(Object.values(limits)).toEqual(Object.values(LIMIT_VARIABLES).map((_, i) => 1000 + i));
    expect(loadConfig({ LIMIT_MAX_DEPTH: ' 12 ', FAIR_MAX_IN_FLIGHT: '' }).limits).toMatchObject({ maxDepth: 12, maxInFlight: 4 });
  });

  it.each(Object.values(LIMIT_VARIABLES))('%s refuses 0, negatives, fractions and words, naming a positive integer', (name) => {
    for (const raw of ['0', '-1', '2.5', 'unlimited']) {
      expect(configError({ [name]: raw })).toBe(`${name} must be a positive integer, but got '${raw}'`);
    }
  });
});

const DEFAULT_WEBHOOKS = {
  allowedHosts: [],
  maxPerPartner: 10,
  retryPeriod: 'P3D',
  retryStartMs: 10_000,
  retryMaxMs: 3_600_000,
  timeoutMs: 10_000,
  maxResponseBytes: 65_536,
  concurrencyPerRegistration: 4,
  maxInFlight: 64,
  pollMs: 1000,
  leaseMs: 15_000,
  testEventsPerMinute: 2,
};

describe('webhooks (docs/webhooks.md, "Configuration")', () => {
  it('WEBHOOK_* are read into config.webhooks: hosts lower-case and deduplicated, the retry period upper-case', () => {
    expect(
      loadConfig({
        WEBHOOK_ALLOWED_HOSTS: ' Hooks.Example.com, *.example.org,hooks.example.com ',
        WEBHOOK_MAX_PER_PARTNER: '3',
        WEBHOOK_RETRY_PERIOD: 'pt1m',
        WEBHOOK_RETRY_START_MS: '50',
        WEBHOOK_RETRY_MAX_MS: '200',
        WEBHOOK_TIMEOUT_MS: '500',
        WEBHOOK_MAX_RESPONSE_BYTES: '0',
        WEBHOOK_CONCURRENCY: '2',
        WEBHOOK_MAX_IN_FLIGHT: '8',
        WEBHOOK_POLL_MS: '20',
        WEBHOOK_LEASE_MS: '2000',
        WEBHOOK_TEST_EVENTS_PER_MINUTE: '5',
      }).webhooks,
    ).toEqual({
      allowedHosts: ['hooks.example.com', '*.example.org'],
      maxPerPartner: 3,
      retryPeriod: 'PT1M',
      retryStartMs: 50,
      retryMaxMs: 200,
      timeoutMs: 500,
      maxResponseBytes: 0,
      concurrencyPerRegistration: 2,
      maxInFlight: 8,
      pollMs: 20,
      leaseMs: 2000,
      testEventsPerMinute: 5,
    });
  });

  it('bad values refuse to start, naming the variable and what it expects', () => {
    expect(configError({ WEBHOOK_ALLOWED_HOSTS: 'https://hooks.example.com' })).toContain(
      'WEBHOOK_ALLOWED_HOSTS must be a comma-separated list of host names',
    );
    expect(configError({ WEBHOOK_RETRY_PERIOD: 'P1M' })).toContain('WEBHOOK_RETRY_PERIOD must be a positive ISO-8601 duration');
    expect(configError({ WEBHOOK_TIMEOUT_MS: '99' })).toBe("WEBHOOK_TIMEOUT_MS must be an integer from 100 to 60000, but got '99'");
    expect(configError({ WEBHOOK_MAX_PER_PARTNER: '0' })).toBe("WEBHOOK_MAX_PER_PARTNER must be an integer from 1 to 100, but got '0'");
  });
});

describe('live events (docs/live-events.md, "Configuration")', () => {
  it('EVENT_POLL_MS and LIVE_* are read into config.live', () => {
    expect(
      loadConfig({ EVENT_POLL_MS: '50', LIVE_MAX_CONNECTIONS_PER_CALLER: '2', LIVE_MAX_CONNECTIONS: '20', LIVE_QUEUE_MAX: '64' }).live,
    ).toEqual({ pollMs: 50, maxConnectionsPerCaller: 2, maxConnections: 20, queueMax: 64 });
  });

  it('bad values refuse to start, naming the variable and its range', () => {
    expect(configError({ EVENT_POLL_MS: '5' })).toBe("EVENT_POLL_MS must be an integer from 10 to 60000, but got '5'");
    expect(configError({ LIVE_MAX_CONNECTIONS_PER_CALLER: '0' })).toBe(
      "LIVE_MAX_CONNECTIONS_PER_CALLER must be an integer from 1 to 10000, but got '0'",
    );
    expect(configError({ LIVE_MAX_CONNECTIONS: 'many' })).toBe("LIVE_MAX_CONNECTIONS must be an integer from 1 to 1000000, but got 'many'");
    expect(configError({ LIVE_QUEUE_MAX: '100001' })).toBe("LIVE_QUEUE_MAX must be an integer from 1 to 100000, but got '100001'");
  });
});

describe('sandboxes (docs/sandboxes.md, "Configuration")', () => {
  const ADMIN = '4A1F0C3E-0000-4000-8000-00000000C0DE';

  it('SANDBOX_* are read into config.sandbox: partner IDs lower-case and deduplicated, durations upper-case', () => {
    expect(
      loadConfig({
        SANDBOX_ADMINS: ` ${ADMIN}, ${ADMIN.toLowerCase()} `,
        SANDBOX_MAX_PER_ADMIN: '3',
        SANDBOX_TTL_DEFAULT: 'pt2h',
        SANDBOX_TTL_MAX: 'P1D',
        SANDBOX_PURGE_INTERVAL_MS: '5000',
        SANDBOX_MAX_CUSTOMERS: '250',
      }).sandbox,
    ).toEqual({
      admins: [ADMIN.toLowerCase()],
      maxPerAdmin: 3,
      defaultTtl: 'PT2H',
      maxTtl: 'P1D',
      purgeIntervalMs: 5000,
      maxCustomers: 250,
    });
  });

  it('SANDBOX-QUOTA: SANDBOX_MAX_CUSTOMERS defaults to 1000 customers per sandbox', () => {
    expect(loadConfig({}).sandbox.maxCustomers).toBe(1000);
  });

  it('bad values refuse to start, naming the variable and what it expects', () => {
    expect(configError({ SANDBOX_ADMINS: 'contoso' })).toBe(
      "SANDBOX_ADMINS must be a comma-separated list of partner IDs (GUIDs), but got 'contoso'",
    );
    expect(configError({ SANDBOX_ADMINS: ' , ' })).toContain('SANDBOX_ADMINS must be a comma-separated list');
    expect(configError({ SANDBOX_MAX_PER_ADMIN: '0' })).toBe("SANDBOX_MAX_PER_ADMIN must be an integer from 1 to 10000, but got '0'");
    expect(configError({ SANDBOX_TTL_DEFAULT: 'P1M' })).toContain(
      'SANDBOX_TTL_DEFAULT must be a positive ISO-8601 duration in weeks, days',
    );
    expect(configError({ SANDBOX_TTL_MAX: 'PT0S' })).toContain('SANDBOX_TTL_MAX must be a positive ISO-8601 duration');
    expect(configError({ SANDBOX_TTL_MAX: 'a day' })).toContain("but got 'a day'");
    expect(configError({ SANDBOX_TTL_DEFAULT: 'P8D' })).toBe(
      "SANDBOX_TTL_DEFAULT must not be longer than SANDBOX_TTL_MAX (P7D), but got 'P8D'",
    );
    expect(configError({ SANDBOX_PURGE_INTERVAL_MS: '999' })).toContain(
      'SANDBOX_PURGE_INTERVAL_MS must be an integer from 1000 to 86400000',
    );
    for (const raw of ['0', '10001', '1e3', 'many']) {
      expect(configError({ SANDBOX_MAX_CUSTOMERS: raw })).toBe(
        `SANDBOX_MAX_CUSTOMERS must be an integer from 1 to 10000, but got '${raw}'`,
      );
    }
  });
});
