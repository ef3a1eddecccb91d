// What counts as "the database unavailable" (503, never 500), how an outage is logged, and the
// supervisor's back-off: fast checks of the pieces test/e2e/db-supervision.test.ts drives end to end.
import { MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { restartDelayMs } from '../../src/db/supervision.js';
import { createOutageLog, isDatabaseUnavailable } from '../../src/shared/errors.js';
import { createMemoryLogger } from '../../src/shared/logger.js';

/** A FerretDB answer as the driver raises it: an InternalError (code 1) with FerretDB's message. */
const ferretDbError = (errmsg: string) => new MongoServerError({ ok: 0, code: 1, codeName: 'InternalError', errmsg });

describe('isDatabaseUnavailable', () => {
  // Messages as FerretDB 1.24 answered them while its PostgreSQL was killed and restarting.
  it.each([
    '[msg_find.go:344 handler.handleMaxTimeMSError] [collection.go:109 postgresql.(*collection).Query] write failed: write unix @->/x/postgres-socket/.s.PGSQL.5432: write: broken pipe',
    '[msg_ping.go:55 handler.(*Handler).MsgPing] [backend.go:109 postgresql.(*backend).Status] failed to connect to `user=ferretdb database=ferretdb`: /x/.s.PGSQL.5432 (/x): dial error: dial unix /x/.s.PGSQL.5432: connect: connection refused',
    '[msg_find.go:344] failed to connect to `user=ferretdb database=ferretdb`: /x (/x): server error: FATAL: the database system is starting up (SQLSTATE 57P03)',
    '[msg_find.go:344] failed to connect to `user=ferretdb database=ferretdb`: /x (/x): server error: FATAL: the database system is not yet accepting connections (SQLSTATE 57P03)',
    'FATAL: terminating connection due to administrator command (SQLSTATE 57P01)',
  ])('FerretDB saying its PostgreSQL is gone is the database unavailable: %s', (message) => {
    expect(isDatabaseUnavailable(ferretDbError(message))).toBe(true);
  });

  it('other FerretDB and MongoDB server errors are not (a bug stays a masked, logged 500)', () => {
    expect(isDatabaseUnavailable(ferretDbError('[msg_insert.go:120] invalid document: key contains a NUL'))).toBe(false);
    expect(
      isDatabaseUnavailable(new MongoServerError({ ok: 0, code: 11000, codeName: 'DuplicateKey', errmsg: 'E11000 duplicate key' })),
    ).toBe(false);
    // The text alone, outside a server answer, is not a database error.
    expect(isDatabaseUnavailable(new Error('failed to connect to `user=ferretdb`'))).toBe(false);
  });
});

describe('createOutageLog', () => {
  it('logs the first failure of an outage at warn and the rest at debug, until a quiet spell ends the outage', () => {
    const log = createMemoryLogger();
    const outage = createOutageLog(log, 50);
    for (let i = 0; i < 100; i++) outage('graphql', `failure ${i}`);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'database unavailable, answering 503 until it is back: failure 0',
    ]);
    expect(log.lines.filter((l) => l.level === 'debug')).toHaveLength(99);
  });

  it('a failure after the quiet spell is a new outage, warned again', async () => {
    const log = createMemoryLogger();
    const outage = createOutageLog(log, 20);
    outage('graphql', 'first');
    await new Promise((r) => setTimeout(r, 40));
    outage('readyz', 'second');
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.area)).toEqual(['graphql', 'readyz']);
  });
});

describe('restartDelayMs', () => {
  it('doubles from 0.5 s to at most 10 s, jittered within 0.8x to 1.2x', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => restartDelayMs(a, () => 0.5))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(restartDelayMs(0, () => 0)).toBe(400);
    expect(restartDelayMs(10, () => 0.999999)).toBe(12_000);
    const samples = Array.from({ length: 200 }, () => restartDelayMs(2));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(1600);
    expect(Math.max(...samples)).toBeLessThanOrEqual(2400);
    expect(new Set(samples).size).toBeGreaterThan(10);
  });
});
