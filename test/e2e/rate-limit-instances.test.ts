import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEASES_PER_WINDOW } from '../../src/limits/point-budget.js';
import { openTestDb, type TestDb } from '../support/db.js';
import { partners } from '../support/fixtures.js';
import { postGraphQL, spawnGateway, type GatewayProcess } from '../support/gateway-process.js';

/*
 * The points budget holds for the deployment, not per instance (docs/security.md, "Rate limit"):
 * two gateway processes on one database, one partner calling both as fast as it can.
 */

/** 100 `{ viewer { userId } }` (2 points each) per minute, for the whole deployment. */
const POINTS_PER_MINUTE = 200;
const QUERY = '{ viewer { userId } }';
const QUERY_POINTS = 2;

let db: TestDb;
let gateways: GatewayProcess[] = [];
let urls: string[] = [];

beforeAll(async () => {
  db = await openTestDb('ratelimit');
  await db.collections.partners.insertMany(partners());
  gateways = [0, 1].map(() => spawnGateway(db.dbName, { RATE_LIMIT_PER_MINUTE: String(POINTS_PER_MINUTE) }));
  urls = await Promise.all(gateways.map((g) => g.ready));
}, 120_000);

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await db?.close();
});

describe('rate limit across instances', () => {
  it('one partner calling two instances on one database gets its per-minute points once, within 1.2x, not once per instance', async () => {
    const statuses: number[] = [];
    // 300 requests (3x the budget), alternating instances, 10 at a time.
    for (let round = 0; round < 30; round += 1) {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => postGraphQL(urls[i % 2]!, QUERY)));
      statuses.push(...answers.map((a) => a.status));
    }
    const accepted = statuses.filter((s) => s === 200).length;
    const budget = POINTS_PER_MINUTE / QUERY_POINTS;
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(accepted).toBeLessThanOrEqual(budget * 1.2);
    // Each instance may hold less than one lease unspent.
    const lease = POINTS_PER_MINUTE / LEASES_PER_WINDOW / QUERY_POINTS;
    expect(accepted).toBeGreaterThanOrEqual(budget - 2 * lease);
  }, 60_000);
});
