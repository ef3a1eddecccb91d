import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquire, keepAlive, LeaseLostError, release } from '../../src/write/locks.js';
import { openTestDb, type TestDb } from '../support/db.js';

/*
 * Lease heartbeats (src/write/locks.ts): a holder that renews its short lease keeps its lock for
 * as long as it works; one that stops renewing (a dead holder) loses it after one lease; a holder
 * whose lease was taken over learns it at its next renewal and stops.
 */

const LEASE_MS = 600;
let db: TestDb;

beforeAll(async () => {
  db = await openTestDb('heartbeat');
});

afterAll(async () => {
  await db?.close();
});

describe('keepAlive', () => {
  it('a renewed lease outlives many leases: no other holder can take the key while its holder works', async () => {
    const locks = db.collections.locks;
    expect(await acquire(locks, 'hb:long', 'worker', { leaseMs: LEASE_MS, waitMs: 0 })).not.toBeNull();
    const heartbeat = keepAlive(locks, ['hb:long'], 'worker', LEASE_MS);
    await sleep(LEASE_MS * 5);
    expect(await acquire(locks, 'hb:long', 'intruder', { leaseMs: LEASE_MS, waitMs: 0 })).toBeNull();
    expect(heartbeat.lost).toBe(false);
    expect(() => heartbeat.assertHeld()).not.toThrow();
    await heartbeat.stop();
    expect(await release(locks, 'hb:long', 'worker')).toBe(true);
  });

  it('a holder that stopped renewing (died) loses its key after one lease', async () => {
    const locks = db.collections.locks;
    expect(await acquire(locks, 'hb:dead', 'dead', { leaseMs: LEASE_MS, waitMs: 0 })).not.toBeNull();
    await keepAlive(locks, ['hb:dead'], 'dead', LEASE_MS).stop();
    const started = Date.now();
    const lease = await acquire(locks, 'hb:dead', 'next', { leaseMs: LEASE_MS, waitMs: 5_000 });
    expect(lease?.takenOver).toBe(true);
    expect(Date.now() - started).toBeLessThan(LEASE_MS + 1_000);
    await release(locks, 'hb:dead', 'next');
  });

  it('a holder whose lease was taken over is told at its next renewal and never extends the new holder’s lease', async () => {
    const locks = db.collections.locks;
    expect(await acquire(locks, 'hb:stolen', 'stalled', { leaseMs: LEASE_MS, waitMs: 0 })).not.toBeNull();
    const heartbeat = keepAlive(locks, ['hb:stolen'], 'stalled', LEASE_MS);
    const taken = new Date(Date.now() + 60_000);
    await locks.updateOne({ _id: 'hb:stolen' }, { $set: { holder: 'other', expiresAt: taken } });
    await expect.poll(() => heartbeat.lost, { timeout: LEASE_MS * 5 }).toBe(true);
    expect(() => heartbeat.assertHeld()).toThrow(LeaseLostError);
    await heartbeat.stop();
    expect(await locks.findOne({ _id: 'hb:stolen' })).toEqual({ _id: 'hb:stolen', holder: 'other', expiresAt: taken });
    expect(await release(locks, 'hb:stolen', 'stalled')).toBe(false);
  });
});
