import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collections } from '../../src/db/collections.js';
import { addDuration, parseDuration } from '../../src/policy/time.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { seedWorld } from '../../src/seed/write.js';
import { clockLockKey, customerLockKey } from '../../src/write/locks.js';
import { openTestDb, type TestDb } from '../support/db.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { postGraphQL, spawnGateway, type GatewayProcess, type PostResult } from '../support/gateway-process.js';

/*
 * Long operations are crash-safe (issue 17): advanceClock moves the clock in steps, each before
 * what falls due at it is applied, so the clock never reads earlier than the latest applied
 * lifecycle event; a call answers `completed: false` when its time budget is spent, and the same
 * `by` (or `to: continueTo`) continues to the same target, also after the gateway was killed in
 * the middle; locks are short leases renewed while their holder works, so a dead holder blocks
 * its partner's clock or its customer's writes for seconds.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const PROCESS_TIMEOUT_MS = 240_000;

const ADVANCE = `mutation Advance($by: String, $to: DateTimeISO, $dryRun: Boolean! = false) {
  advanceClock(input: { by: $by, to: $to, dryRun: $dryRun }) {
    from to completed continueTo clock { now } operationId summary
    events { kind subscriptionId at }
    userErrors { code rule }
  }
}`;

interface AdvancePayload {
  from: string;
  to: string;
  completed: boolean;
  continueTo: string | null;
  clock: { now: string };
  operationId: string | null;
  summary: string;
  events: { kind: string; subscriptionId: string; at: string }[];
  userErrors: unknown[];
}

function advanceOf(result: PostResult): AdvancePayload {
  expect(result.body.errors, JSON.stringify(result.body.errors)).toBeUndefined();
  const payload = result.body.data!.advanceClock as AdvancePayload;
  expect(payload.userErrors).toEqual([]);
  return payload;
}

/** The latest instant of anything the partner's writes recorded: journaled operations and ledger entries. */
async function latestWritten(cols: Collections): Promise<number> {
  const [op] = await cols.operations.find({ partnerId: CONTOSO }).sort({ at: -1 }).limit(1).toArray();
  const [entry] = await cols.ledger.find({ partnerId: CONTOSO }).sort({ at: -1 }).limit(1).toArray();
  return Math.max(op?.at.getTime() ?? 0, entry?.at.getTime() ?? 0);
}

async function clockDoc(cols: Collections) {
  return (await cols.clock.findOne({ _id: CONTOSO }))!;
}

/** GEN-CLOCK: the clock never reads earlier than what the ledger and the journal already hold. */
async function expectClockNotBehind(cols: Collections): Promise<void> {
  const clock = await clockDoc(cols);
  expect(await latestWritten(cols)).toBeLessThanOrEqual(clock.now.getTime());
}

describe('advanceClock within a time budget (ADVANCE_CLOCK_BUDGET_MS)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway((cols) => seedWorld(cols, { customers: 4, seed: 'clock-budget' }).then(() => undefined), {
      env: { ADVANCE_CLOCK_BUDGET_MS: '300' },
    });
  });
  afterAll(() => gw?.close());

  it(
    'GEN-CLOCK: a call past its budget answers completed: false where it got to; the same by, or to: continueTo, continues to the same target and applies exactly the events a dry run listed',
    async () => {
      const post = (variables: Record<string, unknown>) => postGraphQL(gw.url, ADVANCE, variables);
      const predicted = advanceOf(await post({ by: 'P2Y', dryRun: true }));
      const target = predicted.to;
      const applied: AdvancePayload['events'] = [];
      let calls = 0;
      for (let last: AdvancePayload | null = null; !last?.completed; calls++) {
        expect(calls).toBeLessThan(300);
        // Alternately as the payload says: the same `by` again, or `to` the advance's target.
        last = advanceOf(await post(last && calls % 2 === 0 ? { to: last.continueTo } : { by: 'P2Y' }));
        applied.push(...last.events);
        expect(last.to).toBe(target);
        expect(last.continueTo).toBe(last.completed ? null : target);
        const clock = await clockDoc(gw.collections);
        expect(clock.now.toISOString()).toBe(last.clock.now);
        if (!last.completed) expect(clock.now.getTime()).toBeLessThan(Date.parse(target));
        await expectClockNotBehind(gw.collections);
      }
      expect(calls).toBeGreaterThan(1);
      expect((await clockDoc(gw.collections)).now.toISOString()).toBe(target);
      const key = (e: { kind: string; subscriptionId: string; at: string }) => `${e.at} ${e.kind} ${e.subscriptionId}`;
      expect(applied.map(key)).toEqual(predicted.events.map(key));
      expect(await gw.collections.operations.countDocuments({ partnerId: CONTOSO, status: 'pending' })).toBe(0);
    },
    PROCESS_TIMEOUT_MS,
  );
});

describe('advanceClock across a crash and a SIGTERM (real gateway processes)', () => {
  const dbs: TestDb[] = [];
  const processes: GatewayProcess[] = [];
  const spawn = (db: TestDb, env: Record<string, string>) => {
    const gateway = spawnGateway(db.dbName, { LOCK_LEASE_MS: '1500', ...env });
    processes.push(gateway);
    return gateway;
  };
  const world = async (name: string) => {
    const db = await openTestDb(name);
    dbs.push(db);
    await seedWorld(db.collections, { customers: 3, seed: name });
    return db;
  };
  /** Resolves once the running advance has moved the clock `steps` times. */
  const afterSteps = async (cols: Collections, version: number, steps: number) => {
    const deadline = Date.now() + 60_000;
    while (((await cols.clock.findOne({ _id: CONTOSO }))?.version ?? 0) < version + steps) {
      expect(Date.now()).toBeLessThan(deadline);
      await sleep(50);
    }
  };
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await Promise.all(dbs.map((db) => db.close()));
  });

  it(
    'GEN-CLOCK: SIGKILL in the middle of a P3Y advance leaves the clock not behind the ledger; the next call takes the lock within seconds and the same by finishes at the first call’s target',
    async () => {
      const db = await world('clock_kill');
      const cols = db.collections;
      const before = await clockDoc(cols);
      const target = addDuration(before.now, parseDuration('P3Y')!);
      const doomed = spawn(db, { ADVANCE_CLOCK_BUDGET_MS: '600000' });
      const answer = postGraphQL(await doomed.ready, ADVANCE, { by: 'P3Y' }).catch((error: unknown) => error);
      await afterSteps(cols, before.version, 5);
      doomed.child.kill('SIGKILL');
      expect(await doomed.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(await answer).toBeInstanceOf(Error);

      const cut = await clockDoc(cols);
      expect(cut.now.getTime()).toBeLessThan(target.getTime());
      expect(cut.advancing).toEqual({ to: target, by: 'P3Y' });
      await expectClockNotBehind(cols);
      // The dead holder's clock lease ends within one lease (1.5 s), not the ten minutes it was.
      expect((await cols.locks.findOne({ _id: clockLockKey(CONTOSO) }))!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 1500);

      const next = spawn(db, { ADVANCE_CLOCK_BUDGET_MS: '3000' });
      const url = await next.ready;
      const started = Date.now();
      let last = advanceOf(await postGraphQL(url, ADVANCE, { by: 'P3Y' }));
      // One lease for the dead holder's lock, one budget, and a slow shared machine's slack.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(last.to).toBe(target.toISOString());
      for (let calls = 1; !last.completed; calls++) {
        expect(calls).toBeLessThan(200);
        await expectClockNotBehind(cols);
        last = advanceOf(await postGraphQL(url, ADVANCE, { by: 'P3Y' }));
        expect(last.to).toBe(target.toISOString());
      }
      const done = await clockDoc(cols);
      expect(done.now).toEqual(target);
      expect(done.advancing).toBeUndefined();
      await expectClockNotBehind(cols);
      expect(await cols.operations.countDocuments({ status: 'pending' })).toBe(0);
    },
    PROCESS_TIMEOUT_MS,
  );

  it(
    'GEN-CLOCK: SIGTERM in the middle of an advance lets the call answer completed: false within its budget, the clock where it got to',
    async () => {
      const db = await world('clock_term');
      const cols = db.collections;
      const before = await clockDoc(cols);
      const gateway = spawn(db, { ADVANCE_CLOCK_BUDGET_MS: '2500' });
      const answer = postGraphQL(await gateway.ready, ADVANCE, { by: 'P10Y' });
      await afterSteps(cols, before.version, 2);
      gateway.child.kill('SIGTERM');
      const last = advanceOf(await answer);
      expect(await gateway.exited).toEqual({ code: 0, signal: null });
      expect(last.completed).toBe(false);
      expect(last.continueTo).toBe(last.to);
      const clock = await clockDoc(cols);
      expect(clock.now.toISOString()).toBe(last.clock.now);
      expect(clock.advancing).toEqual({ to: new Date(last.to), by: 'P10Y' });
      await expectClockNotBehind(cols);
      expect(await cols.locks.countDocuments({})).toBe(0);
    },
    PROCESS_TIMEOUT_MS,
  );

  it(
    'a writer killed holding its customer’s lock blocks that customer’s writes for about one lease (LOCK_LEASE_MS 5 s by default), not 30 s',
    async () => {
      const db = await world('clock_lock');
      const cols = db.collections;
      const sub = (await cols.subscriptions.findOne({ partnerId: CONTOSO, status: 'active', parentSubscriptionId: null }))!;
      const rename = (name: string) =>
        `mutation { updateSubscription(input: { subscriptionId: "${sub._id}", friendlyName: "${name}" }) { operationId userErrors { code } } }`;
      const lease = { LOCK_LEASE_MS: '' };
      const survivor = spawn(db, lease);
      const doomed = spawn(db, { ...lease, ENABLE_FAULT_INJECTION: '1', FAULT_KILL_AFTER_EFFECT: '1' });
      const [url] = await Promise.all([survivor.ready, doomed.ready]);
      await postGraphQL(await doomed.ready, rename('doomed')).catch(() => undefined);
      expect((await doomed.exited).signal).toBe('SIGKILL');
      const killedAt = Date.now();
      const held = (await cols.locks.findOne({ _id: customerLockKey(sub.customerId) }))!;
      expect(held.expiresAt.getTime() - killedAt).toBeLessThanOrEqual(5_000);
      // A client retries CONFLICT as its message says; the first write that passes ends the block.
      for (;;) {
        const result = await postGraphQL(url, rename('after the crash'));
        if (result.body.errors?.[0]?.extensions?.code === 'CONFLICT') continue;
        expect(result.body.errors).toBeUndefined();
        break;
      }
      expect(Date.now() - killedAt).toBeLessThan(8_000);
      expect((await cols.subscriptions.findOne({ _id: sub._id }))!.friendlyName).toBe('after the crash');
      expect(await cols.operations.countDocuments({ status: 'pending' })).toBe(0);
    },
    PROCESS_TIMEOUT_MS,
  );
});
