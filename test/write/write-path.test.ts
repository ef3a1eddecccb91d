import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationDoc, SubscriptionDoc } from '../../src/db/documents.js';
import { allow, refuse } from '../../src/policy/decision.js';
import type { Effect } from '../../src/policy/effects.js';
import { ClientError } from '../../src/shared/errors.js';
import { createMemoryLogger } from '../../src/shared/logger.js';
import { applyEffects } from '../../src/write/apply-effects.js';
import type { WriteDeps } from '../../src/write/deps.js';
import { idSourceFor } from '../../src/write/ids.js';
import { journal, resumePending } from '../../src/write/journal.js';
import { acquire, release } from '../../src/write/locks.js';
import { runOperation, type OperationPlan } from '../../src/write/run-operation.js';
import { updateIfVersion } from '../../src/write/versioned.js';
import { openTestDb, type TestDb } from '../support/db.js';
import { aCustomer, aSubscription, guid, insertWorld, T0 } from '../support/fixtures.js';

let db: TestDb;

beforeAll(async () => {
  db = await openTestDb('write');
});

afterAll(async () => {
  await db?.close();
});

function deps(extra: Partial<WriteDeps> = {}): WriteDeps {
  return { collections: db.collections, log: createMemoryLogger(), lockLeaseMs: 30_000, ...extra };
}

/** A customer with one active subscription (version 1), both named after `label`. */
async function world(label: string): Promise<{ customerId: string; sub: SubscriptionDoc }> {
  const customerId = guid(`customer:${label}`);
  const sub = aSubscription({ _id: guid(`sub:${label}`), customerId, offerId: 'CFQ7TTC0LH18:0001' });
  await insertWorld(db.collections, { customers: [aCustomer({ _id: customerId, companyName: `Write ${label}` })], subscriptions: [sub] });
  return { customerId, sub };
}

/** Three effects of a cancellation: the subscription update, a refund, the audit record. */
function cancelEffects(sub: SubscriptionDoc): Effect[] {
  return [
    { kind: 'update', collection: 'subscriptions', id: sub._id, expectedVersion: sub.version, set: { status: 'deleted', deletedAt: T0 } },
    {
      kind: 'ledger',
      entry: {
        partnerId: sub.partnerId,
        customerId: sub.customerId,
        amountCents: -1200,
        currency: 'USD',
        kind: 'refund',
        source: { type: 'subscription', id: sub._id },
        orderId: null,
        ruleId: 'CANCEL-NCE-24H',
        description: 'Refund',
        at: T0,
      },
    },
    {
      kind: 'audit',
      event: {
        partnerId: sub.partnerId,
        customerId: sub.customerId,
        operationType: 'cancel_subscription',
        resourceType: 'subscription',
        resourceId: sub._id,
        userId: 'test',
        roles: ['admin_agent'],
        at: T0,
        resourceOldValue: null,
        resourceNewValue: null,
      },
    },
  ];
}

function anOperation(id: string, sub: SubscriptionDoc, effects: Effect[]): OperationDoc {
  return {
    _id: id,
    partnerId: sub.partnerId,
    customerId: sub.customerId,
    kind: 'cancel_subscription',
    status: 'pending',
    effects,
    applied: 0,
    at: T0,
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}

/** A cancellation plan; `load` reads the subscription fresh and may interfere first (`beforeLoad`). */
function cancelPlan(sub: SubscriptionDoc, beforeLoad?: (attempt: number) => Promise<void>) {
  let loads = 0;
  const plan: OperationPlan<SubscriptionDoc, { cancelled: string }> = {
    kind: 'cancel_subscription',
    partnerId: sub.partnerId,
    customerId: sub.customerId,
    at: T0,
    async load() {
      loads++;
      const fresh = (await db.collections.subscriptions.findOne({ _id: sub._id }))!;
      await beforeLoad?.(loads);
      return fresh;
    },
    decide(loaded) {
      if (loaded.status !== 'active') return refuse('CANCEL-FINAL', 'INVALID_STATUS', 'Only an active subscription can be cancelled.');
      return allow({ cancelled: loaded._id, effects: cancelEffects(loaded) });
    },
  };
  return { plan, loads: () => loads };
}

const bumpVersion = (id: string) => db.collections.subscriptions.updateOne({ _id: id }, { $inc: { version: 1 } });
const ledgerCount = (subId: string) => db.collections.ledger.countDocuments({ 'source.id': subId });
const auditCount = (subId: string) => db.collections.auditEvents.countDocuments({ resourceId: subId });

describe('updateIfVersion', () => {
  it('applies an update once, recognises its replay, and reports a stale version as a conflict', async () => {
    const { sub } = await world('versioned');
    const subs = db.collections.subscriptions;

    expect(
      await updateIfVersion({ collection: subs, id: sub._id, expectedVersion: 1, set: { quantity: 12 }, operationId: 'op-a' }),
    ).toEqual({ ok: true, replay: false });
    expect(await subs.findOne({ _id: sub._id })).toMatchObject({ quantity: 12, version: 2, lastOperationId: 'op-a' });

    expect(
      await updateIfVersion({ collection: subs, id: sub._id, expectedVersion: 1, set: { quantity: 12 }, operationId: 'op-a' }),
    ).toEqual({ ok: true, replay: true });
    expect(await updateIfVersion({ collection: subs, id: sub._id, expectedVersion: 1, set: { quantity: 5 }, operationId: 'op-b' })).toEqual(
      { ok: false, reason: 'conflict' },
    );
    expect(
      await updateIfVersion({
        collection: subs,
        id: guid('no such subscription'),
        expectedVersion: 1,
        set: { quantity: 5 },
        operationId: 'op-b',
      }),
    ).toEqual({ ok: false, reason: 'missing' });
    expect(await subs.findOne({ _id: sub._id })).toMatchObject({ quantity: 12, version: 2, lastOperationId: 'op-a' });
  });
});

describe('applyEffects', () => {
  it('replaying an applied operation from effect 0 writes nothing again', async () => {
    const { sub } = await world('replay');
    const newSub = aSubscription({ _id: idSourceFor('op-replay').subscription(0), customerId: sub.customerId, offerId: sub.offerId });
    const op = anOperation('op-replay', sub, [...cancelEffects(sub), { kind: 'insert', collection: 'subscriptions', doc: newSub }]);
    expect(await journal(db.collections, op)).toBe('journaled');

    expect(await applyEffects(db.collections, op)).toBe(4);
    expect(await applyEffects(db.collections, op)).toBe(0);

    expect(await db.collections.subscriptions.findOne({ _id: sub._id })).toMatchObject({ status: 'deleted', version: 2 });
    expect(await db.collections.subscriptions.findOne({ _id: newSub._id })).toMatchObject({ lastOperationId: 'op-replay', version: 1 });
    expect(await ledgerCount(sub._id)).toBe(1);
    expect(await auditCount(sub._id)).toBe(1);
    expect(await db.collections.ledger.findOne({ 'source.id': sub._id })).toMatchObject({ _id: 'op-replay:1', operationId: 'op-replay' });
    expect(await db.collections.operations.findOne({ _id: 'op-replay' })).toMatchObject({ status: 'done', applied: 4 });
  });
});

describe('journal and resumePending', () => {
  it('journaling an operation ID twice answers exists the second time', async () => {
    const { sub } = await world('journal-twice');
    expect(await journal(db.collections, anOperation('op-twice', sub, []))).toBe('journaled');
    expect(await journal(db.collections, anOperation('op-twice', sub, []))).toBe('exists');
  });

  it('a crash after effect 1 of 3 leaves the operation pending, and resumePending finishes it exactly once', async () => {
    const { sub } = await world('crash');
    const crashOnce = { crashed: false };
    const faulty = deps({
      faults: {
        afterEffect: (_op, index) => {
          if (index === 0 && !crashOnce.crashed) {
            crashOnce.crashed = true;
            throw new Error('simulated crash');
          }
        },
      },
    });

    await expect(runOperation(faulty, cancelPlan(sub).plan)).rejects.toThrow('simulated crash');
    const [pending] = await db.collections.operations.find({ customerId: sub.customerId }).toArray();
    expect(pending).toMatchObject({ status: 'pending', applied: 0, kind: 'cancel_subscription' });
    expect(await db.collections.subscriptions.findOne({ _id: sub._id })).toMatchObject({ status: 'deleted', version: 2 });
    expect(await ledgerCount(sub._id)).toBe(0);
    expect(await db.collections.locks.countDocuments({ _id: `customer:${sub.customerId}` })).toBe(0);

    expect(await resumePending(db.collections, { customerId: sub.customerId }, deps())).toBe(1);
    expect(await resumePending(db.collections, { customerId: sub.customerId }, deps())).toBe(0);

    expect(await db.collections.operations.findOne({ _id: pending!._id })).toMatchObject({ status: 'done', applied: 4 });
    expect(await db.collections.subscriptions.findOne({ _id: sub._id })).toMatchObject({ status: 'deleted', version: 2 });
    expect(await ledgerCount(sub._id)).toBe(1);
    expect(await auditCount(sub._id)).toBe(1);
  });

  it('the next operation on a customer finishes its pending operation before deciding', async () => {
    const { sub } = await world('resume-first');
    const op = anOperation('op-resume-first', sub, cancelEffects(sub));
    await journal(db.collections, op);

    const { plan } = cancelPlan(sub);
    const result = await runOperation(deps(), plan);

    // The journaled cancellation ran first, so the new decision saw a deleted subscription.
    expect(result).toMatchObject({ status: 'refused', refusal: { rule: 'CANCEL-FINAL', code: 'INVALID_STATUS' } });
    expect(await db.collections.operations.findOne({ _id: op._id })).toMatchObject({ status: 'done' });
    expect(await ledgerCount(sub._id)).toBe(1);
  });

  it('resumePending skips an operation whose lock a live holder has', async () => {
    const { sub } = await world('resume-held');
    await journal(db.collections, anOperation('op-resume-held', sub, cancelEffects(sub)));
    const key = `customer:${sub.customerId}`;
    expect(await acquire(db.collections.locks, key, 'someone', { leaseMs: 30_000, waitMs: 0 })).not.toBeNull();

    expect(await resumePending(db.collections, { customerId: sub.customerId }, deps())).toBe(0);
    expect(await db.collections.operations.findOne({ _id: 'op-resume-held' })).toMatchObject({ status: 'pending' });

    await release(db.collections.locks, key, 'someone');
    expect(await resumePending(db.collections, { customerId: sub.customerId }, deps())).toBe(1);
  });
});

describe('locks', () => {
  it('two concurrent acquisitions of one key give it to one holder until it is released', async () => {
    const locks = db.collections.locks;
    const lease = { leaseMs: 30_000, waitMs: 0 };
    const [a, b] = await Promise.all([acquire(locks, 'customer:race', 'a', lease), acquire(locks, 'customer:race', 'b', lease)]);
    expect([a, b].filter((l) => l !== null)).toHaveLength(1);
    const winner = (a ?? b)!;
    expect(winner.takenOver).toBe(false);

    const waiting = acquire(locks, 'customer:race', 'c', { leaseMs: 30_000, waitMs: 5_000 });
    await sleep(100);
    expect(await locks.findOne({ _id: 'customer:race' })).toMatchObject({ holder: winner.holder });
    expect(await release(locks, 'customer:race', winner.holder)).toBe(true);
    expect(await waiting).toMatchObject({ holder: 'c', takenOver: false });
    expect(await release(locks, 'customer:race', 'c')).toBe(true);
  });

  it('an expired lease is taken over, and its former holder cannot release it', async () => {
    const locks = db.collections.locks;
    expect(await acquire(locks, 'customer:expired', 'dead', { leaseMs: 30_000, waitMs: 0 })).toMatchObject({ takenOver: false });
    expect(await acquire(locks, 'customer:expired', 'next', { leaseMs: 30_000, waitMs: 0 })).toBeNull();
    // The holder dies and its lease runs out (set directly: a short lease and a sleep raced a busy machine).
    await locks.updateOne({ _id: 'customer:expired' }, { $set: { expiresAt: new Date(Date.now() - 1) } });

    expect(await acquire(locks, 'customer:expired', 'next', { leaseMs: 30_000, waitMs: 0 })).toMatchObject({
      holder: 'next',
      takenOver: true,
    });
    expect(await release(locks, 'customer:expired', 'dead')).toBe(false);
    expect(await locks.findOne({ _id: 'customer:expired' })).toMatchObject({ holder: 'next' });
    await release(locks, 'customer:expired', 'next');
  });
});

describe('runOperation', () => {
  it('applies an allowed decision: all effects written, journal done, lock released', async () => {
    const { sub } = await world('apply');
    const result = await runOperation(deps(), cancelPlan(sub).plan);

    expect(result).toMatchObject({ status: 'applied', outcome: { allowed: true, cancelled: sub._id } });
    const operationId = (result as { operationId: string }).operationId;
    expect(await db.collections.operations.findOne({ _id: operationId })).toMatchObject({ status: 'done', applied: 4, at: T0 });
    expect(await db.collections.subscriptions.findOne({ _id: sub._id })).toMatchObject({
      status: 'deleted',
      version: 2,
      lastOperationId: operationId,
    });
    expect(await ledgerCount(sub._id)).toBe(1);
    expect(await db.collections.locks.countDocuments({ _id: `customer:${sub.customerId}` })).toBe(0);
  });

  it('a refusing decision writes nothing and takes no journal entry', async () => {
    const { sub } = await world('refuse');
    await db.collections.subscriptions.updateOne({ _id: sub._id }, { $set: { status: 'suspended' } });

    const result = await runOperation(deps(), cancelPlan(sub).plan);

    expect(result).toEqual({
      status: 'refused',
      refusal: { allowed: false, rule: 'CANCEL-FINAL', code: 'INVALID_STATUS', message: 'Only an active subscription can be cancelled.' },
    });
    expect(await db.collections.operations.countDocuments({ customerId: sub.customerId })).toBe(0);
    expect(await db.collections.subscriptions.findOne({ _id: sub._id })).toMatchObject({ status: 'suspended', version: 1 });
    expect(await ledgerCount(sub._id)).toBe(0);
    expect(await db.collections.locks.countDocuments({ _id: `customer:${sub.customerId}` })).toBe(0);
  });

  it('a dry run quotes the decision and writes nothing', async () => {
    const { sub } = await world('quote');
    const result = await runOperation(deps(), cancelPlan(sub).plan, { dryRun: true });

    expect(result).toMatchObject({ status: 'quoted', outcome: { allowed: true, cancelled: sub._id } });
    expect(await db.collections.operations.countDocuments({ customerId: sub.customerId })).toBe(0);
    expect(await db.collections.subscriptions.findOne({ _id: sub._id })).toMatchObject({ status: 'active', version: 1 });
  });

  it('decides again after its first effect conflicts, and applies on the second attempt', async () => {
    const { sub } = await world('retry');
    const { plan, loads } = cancelPlan(sub, async (attempt) => {
      if (attempt === 1) await bumpVersion(sub._id); // a writer that bypassed the lock
    });
    const log = createMemoryLogger();

    const result = await runOperation(deps({ log }), plan);

    expect(result).toMatchObject({ status: 'applied' });
    expect(loads()).toBe(2);
    expect(await db.collections.subscriptions.findOne({ _id: sub._id })).toMatchObject({ status: 'deleted', version: 3 });
    expect(await db.collections.operations.find({ customerId: sub.customerId }).toArray()).toMatchObject([{ status: 'done' }]);
    expect(await ledgerCount(sub._id)).toBe(1);
    expect(log.lines.filter((l) => l.level === 'warn' && /attempt 1 of 3 abandoned/.test(l.message))).toHaveLength(1);
  });

  it('answers CONFLICT after three attempts whose first effect conflicts, having written nothing', async () => {
    const { sub } = await world('conflict');
    const { plan, loads } = cancelPlan(sub, async () => {
      await bumpVersion(sub._id);
    });

    const error = await runOperation(deps(), plan).then(
      () => null,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).extensions.code).toBe('CONFLICT');
    expect(loads()).toBe(3);
    expect(await db.collections.operations.countDocuments({ customerId: sub.customerId })).toBe(0);
    expect(await db.collections.subscriptions.findOne({ _id: sub._id })).toMatchObject({ status: 'active', version: 4 });
    expect(await ledgerCount(sub._id)).toBe(0);
    expect(await db.collections.locks.countDocuments({ _id: `customer:${sub.customerId}` })).toBe(0);
  });

  it('a deterministic operation already journaled elsewhere is reported as a duplicate and not applied again', async () => {
    const { sub } = await world('duplicate');
    const { plan } = cancelPlan(sub);
    const first = await runOperation(deps(), { ...plan, operationId: `renew:${sub._id}:2027` });
    expect(first).toMatchObject({ status: 'applied', operationId: `renew:${sub._id}:2027` });

    await db.collections.subscriptions.updateOne({ _id: sub._id }, { $set: { status: 'active' } });
    const second = await runOperation(deps(), { ...plan, operationId: `renew:${sub._id}:2027` });

    expect(second).toEqual({ status: 'duplicate', operationId: `renew:${sub._id}:2027` });
    expect(await ledgerCount(sub._id)).toBe(1);
  });
});

describe('an insert that meets another writer’s unique value', () => {
  it('is no replay: nothing is applied, and the operation is decided again over what that writer wrote', async () => {
    // Another partner's customer already holds the domain (its concurrent createCustomer won the race).
    const taken = aCustomer({
      _id: guid('customer:race-winner'),
      companyName: 'Race Winner',
      partnerId: 'race-other-partner',
      domain: 'race.onmicrosoft.com',
      // Real partners' realm (CustomerDoc.domainRealm): written as null, which the unique index holds on every backend.
      domainRealm: null,
    });
    await insertWorld(db.collections, { customers: [taken] });
    const loser = aCustomer({
      _id: guid('customer:race-loser'),
      companyName: 'Race Loser',
      domain: 'race.onmicrosoft.com',
      domainRealm: null,
    });
    let decisions = 0;
    const plan: OperationPlan<null, object> = {
      kind: 'add_customer',
      partnerId: loser.partnerId,
      customerId: null,
      at: T0,
      load: async () => null,
      // The first decision was made before the winner wrote (stale); the second sees it and refuses.
      decide: () =>
        ++decisions === 1
          ? allow({ effects: [{ kind: 'insert', collection: 'customers', doc: loser }] })
          : refuse('ROLE-TENANT', 'INVALID_VALUE', 'The domain is taken by another tenant.'),
    };
    const result = await runOperation(deps(), plan);
    expect(decisions).toBe(2);
    expect(result.status).toBe('refused');
    expect(await db.collections.customers.findOne({ _id: loser._id })).toBeNull();
    expect(await db.collections.operations.countDocuments({ partnerId: loser.partnerId, kind: 'add_customer' })).toBe(0);
  });
});
