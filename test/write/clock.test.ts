import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClockRepository } from '../../src/clock/clock.repository.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { openTestDb, type TestDb } from '../support/db.js';
import { T0 } from '../support/fixtures.js';

let db: TestDb;
let clock: ClockRepository;

const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);

beforeAll(async () => {
  db = await openTestDb('clock');
  clock = new ClockRepository(db.collections.clock, T0);
});

afterAll(async () => {
  await db?.close();
});

describe('ClockRepository', () => {
  it('GEN-CLOCK: a partner without a clock reads the configured start at version 0', async () => {
    const configured = new ClockRepository(db.collections.clock, new Date('2030-01-01T00:00:00Z'));
    expect(await configured.read('partner-without-clock')).toEqual({ now: new Date('2030-01-01T00:00:00Z'), version: 0 });
    expect(await db.collections.clock.countDocuments({ _id: 'partner-without-clock' })).toBe(0);
  });

  it("GEN-CLOCK: each partner's clock advances independently", async () => {
    const contoso = DEMO_PARTNERS.contoso.id;
    const fabrikam = DEMO_PARTNERS.fabrikam.id;

    expect(await clock.compareAndSet(contoso, 0, at(24))).toBe(true);
    expect(await clock.read(contoso)).toEqual({ now: at(24), version: 1 });
    expect(await clock.read(fabrikam)).toEqual({ now: T0, version: 0 });

    expect(await clock.compareAndSet(fabrikam, 0, at(2))).toBe(true);
    expect(await clock.compareAndSet(contoso, 1, at(48))).toBe(true);
    expect(await clock.read(contoso)).toEqual({ now: at(48), version: 2 });
    expect(await clock.read(fabrikam)).toEqual({ now: at(2), version: 1 });
  });

  it('GEN-CLOCK: compareAndSet with a stale version fails and leaves the clock as it was', async () => {
    const partner = 'partner-stale';
    expect(await clock.compareAndSet(partner, 0, at(1))).toBe(true);
    expect(await clock.compareAndSet(partner, 1, at(2))).toBe(true);

    // Two instances read version 2; the first to write wins, the other must read again.
    const [first, second] = [await clock.compareAndSet(partner, 2, at(3)), await clock.compareAndSet(partner, 2, at(5))];
    expect([first, second]).toEqual([true, false]);
    expect(await clock.compareAndSet(partner, 0, at(9))).toBe(false);
    expect(await clock.read(partner)).toEqual({ now: at(3), version: 3 });
  });

  it('GEN-CLOCK: two first advances of a missing clock race and exactly one wins', async () => {
    const results = await Promise.all([clock.compareAndSet('partner-race', 0, at(1)), clock.compareAndSet('partner-race', 0, at(2))]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await clock.read('partner-race')).version).toBe(1);
  });

  it('GEN-CLOCK: a clock document stored at version 0 (as the seed writes it) is read and advanced like a missing one', async () => {
    await db.collections.clock.insertOne({ _id: 'partner-seeded', now: at(5), version: 0, updatedAt: at(5) });
    expect(await clock.read('partner-seeded')).toEqual({ now: at(5), version: 0 });
    expect(await clock.compareAndSet('partner-seeded', 0, at(4))).toBe(false);
    expect(await clock.compareAndSet('partner-seeded', 0, at(6))).toBe(true);
    expect(await clock.read('partner-seeded')).toEqual({ now: at(6), version: 1 });
  });

  it('GEN-CLOCK: the clock moves forward only: an instant before the current one is refused', async () => {
    const partner = 'partner-backwards';
    expect(await clock.compareAndSet(partner, 0, at(-1))).toBe(false);
    expect(await clock.compareAndSet(partner, 0, at(10))).toBe(true);
    expect(await clock.compareAndSet(partner, 1, at(9))).toBe(false);
    expect(await clock.compareAndSet(partner, 1, at(10))).toBe(true);
    expect(await clock.read(partner)).toEqual({ now: at(10), version: 2 });
  });
});
