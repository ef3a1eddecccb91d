import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartnerDoc } from '../../src/db/documents.js';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import { LOCK_WAIT_MS, type WriteFaults } from '../../src/write/deps.js';
import { resumePending } from '../../src/write/journal.js';
import { customerLockKey } from '../../src/write/locks.js';
import {
  WsAdvanceClockDocument,
  WsCancelDocument,
  WsPartialUpgradeDocument,
  WsPurchaseAddOnDocument,
  WsPurchaseDocument,
  WsSubscriptionDocument,
  WsUpdateSubscriptionDocument,
  WsUpgradeDocument,
} from '../generated/graphql.js';
import { aCustomer, guid, T0 } from '../support/fixtures.js';
import { startTestGateway, type CallOptions, type GraphQLResponse, type TestGateway } from '../support/gateway.js';
import { startSecondGateway, type SecondGateway } from '../support/second-gateway.js';

/*
 * Write safety end to end, over HTTP: a process killed between two writes of one operation is
 * repaired exactly once (at start-up, or by the next change to the customer); parallel requests
 * on one subscription never lose an update or pay a refund twice; two gateway instances advancing
 * one partner's clock apply each lifecycle event once; customer leases of dead holders expire,
 * live ones are respected.
 */

const ADMIN: CallOptions = { roles: 'admin_agent' };

/** The partner whose clock two instances race on; its own clock, so the rest of the file is undisturbed. */
const CLOCK_PARTNER: PartnerDoc = {
  _id: guid('ws-clock-partner'),
  name: 'Write Safety Clock Partner',
  partnerType: 'direct_bill',
  mpnId: '1000090',
  indirectProviderId: null,
  createdAt: new Date('2020-01-01T00:00:00Z'),
};

/** The partner whose clock moves while one of its customers' mutations waits for the customer's lock. */
const STALE_PARTNER: PartnerDoc = {
  ...CLOCK_PARTNER,
  _id: guid('ws-stale-clock-partner'),
  name: 'Write Safety Stale Clock Partner',
  mpnId: '1000091',
};

const CUSTOMERS = {
  crashStartup: guid('ws-crash-startup'),
  crashNextMutation: guid('ws-crash-next-mutation'),
  upgradePartial: guid('ws-upgrade-partial'),
  upgradeFull: guid('ws-upgrade-full'),
  parallelCancel: guid('ws-parallel-cancel'),
  parallelSeats: guid('ws-parallel-seats'),
  deadLease: guid('ws-dead-lease'),
  liveLease: guid('ws-live-lease'),
  clockA: guid('ws-clock-a'),
  clockB: guid('ws-clock-b'),
  staleClock: guid('ws-stale-clock'),
};

/*
 * The fault hook: armed by a test, it throws once, right after the next operation writes effect
 * `afterIndex`, as if the process died there. The gateway keeps a reference to this object, so
 * arming it reaches the running write path.
 */
let armed: { afterIndex: number; prefix: string } | null = null;
const crashedOperations: string[] = [];
const faults: WriteFaults = {
  afterEffect(operationId, index) {
    if (armed === null || index !== armed.afterIndex || !operationId.startsWith(armed.prefix)) return;
    armed = null;
    crashedOperations.push(operationId);
    throw new Error(`simulated crash: the process died after effect ${index} of operation ${operationId}`);
  },
};
/** `prefix`: only an operation whose ID starts so (`renewal:`), e.g. past the invoice-ready operation an advance writes first. */
const crashNextOperationAfterEffect = (index: number, prefix = '') => {
  armed = { afterIndex: index, prefix };
};

let gw: TestGateway;
let gw2: SecondGateway;

beforeAll(async () => {
  gw = await startTestGateway(
    async (cols) => {
      await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
      await cols.partners.insertMany([CLOCK_PARTNER, STALE_PARTNER]);
      await cols.customers.insertMany([
        ...Object.entries(CUSTOMERS)
          .filter(([label]) => !label.startsWith('clock') && label !== 'staleClock')
          .map(([label, id]) => aCustomer({ _id: id, companyName: `Write Safety ${label}` })),
        aCustomer({ _id: CUSTOMERS.clockA, companyName: 'Write Safety Clock A', partnerId: CLOCK_PARTNER._id }),
        aCustomer({ _id: CUSTOMERS.clockB, companyName: 'Write Safety Clock B', partnerId: CLOCK_PARTNER._id }),
        aCustomer({ _id: CUSTOMERS.staleClock, companyName: 'Write Safety Stale Clock', partnerId: STALE_PARTNER._id }),
      ]);
    },
    { faults },
  );
  gw2 = await startSecondGateway(gw);
});

afterAll(async () => {
  await gw2?.close();
  await gw?.close();
});

function ok<R>(r: GraphQLResponse<R>): R {
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}

async function buy({
  customerId,
  offerId,
  quantity,
  options = ADMIN,
  termDuration = 'P1Y',
}: {
  customerId: string;
  offerId: string;
  quantity: number;
  options?: CallOptions;
  termDuration?: 'P1M' | 'P1Y';
}) {
  const r = ok(
    await gw.execute(
      WsPurchaseDocument,
      // A one-year term billed annually is charged whole at its start (BILL-MONTHLY would charge a month).
      {
        input: {
          customerId,
          lineItems: [{ offerId, quantity, billingCycle: termDuration === 'P1M' ? 'MONTHLY' : 'ANNUAL', termDuration }],
        },
      },
      options,
    ),
  );
  expect(r.purchase.userErrors).toEqual([]);
  return r.purchase.subscriptions[0]!;
}

async function buyAddOn(baseId: string, offerId: string, quantity: number) {
  const r = ok(await gw.execute(WsPurchaseAddOnDocument, { input: { subscriptionId: baseId, offerId, quantity } }, ADMIN));
  expect(r.purchaseAddOn.userErrors).toEqual([]);
  return r.purchaseAddOn.addOn!;
}

/** A customer of Contoso made for one test (the fixed ones are seeded in beforeAll). */
async function aNewCustomer(label: string): Promise<string> {
  const id = guid(`ws-${label}`);
  await gw.collections.customers.insertOne(aCustomer({ _id: id, companyName: `Write Safety ${label}` }));
  return id;
}

const cancel = (id: string, dryRun = false, on: Pick<TestGateway, 'execute'> = gw) =>
  on.execute(WsCancelDocument, { input: { subscriptionId: id, dryRun } }, ADMIN);

const advance = (by: string) => gw.execute(WsAdvanceClockDocument, { input: { by } }, ADMIN);

const sub = (id: string) => gw.collections.subscriptions.findOne({ _id: id });
const pending = () => gw.collections.operations.find({ status: 'pending' }).toArray();
const refunds = (id: string) => gw.collections.ledger.find({ 'source.id': id, kind: 'refund' }).toArray();
const auditsOf = (operationId: string) =>
  gw.collections.auditEvents.find({ _id: { $regex: `^${operationId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:` } }).toArray();

/** The masked answer of an internal error: code, generic message, no stack trace or detail. */
function expectMaskedInternalError(r: GraphQLResponse<unknown>) {
  expect(r.errors).toHaveLength(1);
  const [error] = r.errors!;
  expect(error).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  expect(error!.extensions).not.toHaveProperty('stacktrace');
  expect(error!.extensions).not.toHaveProperty('detail');
  expect(JSON.stringify(r)).not.toContain('simulated crash');
}

describe('a crash between two writes of a cancellation', () => {
  /**
   * A base with an add-on, cancelled 2 days in (CANCEL-NCE-30D); the process dies after write
   * `afterIndex` (0: the base's update; then the add-on's, the two refunds, the audit event).
   * Returns what the quote said and the crashed operation.
   */
  async function halfCancelled(customerId: string, afterIndex = 0) {
    const base = await buy({ customerId, offerId: OFFER_IDS.m365BusinessBasic, quantity: 10 });
    const addOn = await buyAddOn(base.id, OFFER_IDS.teamsPhoneStandard, 4);
    expect(ok(await advance('P2D')).advanceClock.userErrors).toEqual([]);
    const quote = ok(await cancel(base.id, true)).cancelSubscription;
    expect(quote).toMatchObject({ dryRun: true, rule: 'CANCEL-NCE-30D', userErrors: [] });
    const addOnQuote = quote.addOnRefunds.find((a) => a.addOnId === addOn.id)!;
    expect(quote.refund!.amountInCents).toBeGreaterThan(0);
    expect(addOnQuote.refund.amountInCents).toBeGreaterThan(0);

    crashNextOperationAfterEffect(afterIndex);
    const crashed = await cancel(base.id);
    expectMaskedInternalError(crashed);
    expect(armed).toBeNull();
    const operationId = crashedOperations.at(-1)!;

    // The journal holds the operation, pending, with the writes before the crash done.
    expect(await pending()).toEqual([
      expect.objectContaining({ _id: operationId, kind: 'cancel_subscription', customerId, status: 'pending' }),
    ]);
    expect(await sub(base.id)).toMatchObject({ status: 'deleted', lastOperationId: operationId });
    if (afterIndex === 0) {
      // Half cancelled: the base is cancelled, its add-on is not, nobody is refunded yet.
      expect(await sub(addOn.id)).toMatchObject({ status: 'active' });
      expect(await refunds(base.id)).toEqual([]);
      expect(await refunds(addOn.id)).toEqual([]);
      expect(await auditsOf(operationId)).toEqual([]);
    }
    // The lease was given back although the request failed.
    expect(await gw.collections.locks.countDocuments({ _id: customerLockKey(customerId) })).toBe(0);
    return { base, addOn, operationId, baseRefund: quote.refund!.amountInCents, addOnRefund: addOnQuote.refund.amountInCents };
  }

  /** After repair: both deleted, each refunded once as quoted, one audit event, the operation done. */
  async function expectFinishedOnce(c: Awaited<ReturnType<typeof halfCancelled>>) {
    expect(await pending()).toEqual([]);
    expect(await gw.collections.operations.findOne({ _id: c.operationId })).toMatchObject({ status: 'done' });
    const read = ok(await gw.execute(WsSubscriptionDocument, { id: c.base.id }, ADMIN)).subscription!;
    expect(read.status).toBe('DELETED');
    expect(read.addOns).toEqual([expect.objectContaining({ id: c.addOn.id, status: 'DELETED' })]);
    expect((await refunds(c.base.id)).map((e) => [e.amountCents, e.operationId])).toEqual([[-c.baseRefund, c.operationId]]);
    expect((await refunds(c.addOn.id)).map((e) => [e.amountCents, e.operationId])).toEqual([[-c.addOnRefund, c.operationId]]);
    expect(await auditsOf(c.operationId)).toEqual([
      expect.objectContaining({ operationType: 'cancel_subscription', resourceId: c.base.id }),
    ]);

    // A client retrying the failed request is refused (CANCEL-FINAL), and nothing is paid again.
    const retry = ok(await cancel(c.base.id)).cancelSubscription;
    expect(retry.userErrors).toEqual([expect.objectContaining({ rule: 'CANCEL-FINAL' })]);
    expect(await refunds(c.base.id)).toHaveLength(1);
    expect(await refunds(c.addOn.id)).toHaveLength(1);
    // Resuming again finds nothing to do.
    expect(await resumePending(gw.collections, {}, gw.services.write)).toBe(0);
  }

  it('MONEY-EXACT, CANCEL-FINAL, ADDON-CASCADE: a cancellation killed between two writes is finished once at start-up (resumePending): no refund paid twice', async () => {
    const c = await halfCancelled(CUSTOMERS.crashStartup);
    // What main.ts does when the gateway starts again.
    expect(await resumePending(gw.collections, {}, gw.services.write)).toBe(1);
    await expectFinishedOnce(c);
  });

  it('MONEY-EXACT, CANCEL-FINAL, ADDON-CASCADE: a cancellation killed between two writes is finished once by the next mutation for the customer: no refund paid twice', async () => {
    const c = await halfCancelled(CUSTOMERS.crashNextMutation);
    // Any next change to the same customer finishes the pending operation under the customer's lock first.
    const other = await buy({ customerId: CUSTOMERS.crashNextMutation, offerId: OFFER_IDS.teamsEssentials, quantity: 1 });
    expect(other.status).toBe('ACTIVE');
    await expectFinishedOnce(c);
  });

  it('MONEY-EXACT, CANCEL-FINAL, ADDON-CASCADE: a cancellation killed after any of its five writes is finished exactly once', async () => {
    for (const afterIndex of [1, 2, 3, 4]) {
      const customerId = await aNewCustomer(`crash-after-${afterIndex}`);
      const c = await halfCancelled(customerId, afterIndex);
      // Five writes, then the two subscriptions' subscription-updated events.
      expect(await gw.collections.operations.findOne({ _id: c.operationId })).toMatchObject({ effects: { length: 7 } });
      // Alternately repaired at start-up and by the next mutation.
      if (afterIndex % 2 === 0) expect(await resumePending(gw.collections, {}, gw.services.write)).toBe(1);
      else expect((await buy({ customerId, offerId: OFFER_IDS.teamsEssentials, quantity: 1 })).status).toBe('ACTIVE');
      await expectFinishedOnce(c);
    }
  });

  it('MONEY-EXACT: a repair killed in its turn is finished by the next one, still exactly once', async () => {
    const customerId = await aNewCustomer('crash-during-repair');
    const c = await halfCancelled(customerId, 0);
    // The start-up repair dies too, after the refund of the base (the third write).
    crashNextOperationAfterEffect(2);
    await expect(resumePending(gw.collections, {}, gw.services.write)).rejects.toThrow(/simulated crash/);
    expect(await pending()).toHaveLength(1);
    expect(await refunds(c.base.id)).toHaveLength(1);
    expect(await gw.collections.locks.countDocuments({ _id: customerLockKey(customerId) })).toBe(0);
    // The next mutation for the customer finishes it.
    expect((await buy({ customerId, offerId: OFFER_IDS.teamsEssentials, quantity: 1 })).status).toBe('ACTIVE');
    await expectFinishedOnce(c);
  });

  it('MONEY-EXACT: two instances repairing the same operation at once finish it exactly once', async () => {
    const customerId = await aNewCustomer('concurrent-repair');
    const c = await halfCancelled(customerId, 1);
    const resumed = await Promise.all([
      resumePending(gw.collections, {}, gw.services.write),
      resumePending(gw2.collections, {}, gw2.services.write),
    ]);
    // One finished it; the other found its lock held (skipped) or found it done.
    expect(resumed[0] + resumed[1]).toBe(1);
    await expectFinishedOnce(c);
  });
});

describe('a crash between the two sides of an upgrade', () => {
  it('UPG-PARTIAL: an upgrade killed between the source update and the target insert is finished once: no licence lost or duplicated', async () => {
    const customerId = CUSTOMERS.upgradePartial;
    const source = await buy({ customerId, offerId: OFFER_IDS.m365BusinessBasic, quantity: 10 });

    crashNextOperationAfterEffect(0);
    const crashed = await gw.execute(
      WsPartialUpgradeDocument,
      { input: { subscriptionId: source.id, targetOfferId: OFFER_IDS.m365BusinessStandard, quantity: 4 } },
      ADMIN,
    );
    expectMaskedInternalError(crashed);
    const operationId = crashedOperations.at(-1)!;
    // Half applied: the source gave up 4 licences, no subscription received them yet.
    expect(await sub(source.id)).toMatchObject({ quantity: 6 });
    expect(await gw.collections.subscriptions.countDocuments({ upgradedFromSubscriptionId: source.id })).toBe(0);
    expect(await pending()).toEqual([expect.objectContaining({ _id: operationId, kind: 'upgrade_subscription' })]);

    expect(await resumePending(gw.collections, {}, gw.services.write)).toBe(1);
    expect(await resumePending(gw.collections, {}, gw.services.write)).toBe(0);

    const targets = await gw.collections.subscriptions.find({ upgradedFromSubscriptionId: source.id }).toArray();
    expect(targets.map((t) => [t.offerId, t.quantity, t.status])).toEqual([[OFFER_IDS.m365BusinessStandard, 4, 'active']]);
    const after = (await sub(source.id))!;
    expect(after).toMatchObject({ quantity: 6, status: 'active' });
    expect(after.quantity + targets[0]!.quantity).toBe(10);
    // One credit for the source, one charge for the target, one audit event.
    const ledger = await gw.collections.ledger.find({ operationId }).toArray();
    expect(ledger.map((e) => [e.source.id, e.kind]).sort()).toEqual(
      [
        [source.id, 'credit'],
        [targets[0]!._id, 'prorated_charge'],
      ].sort(),
    );
    expect(await auditsOf(operationId)).toHaveLength(1);
  });

  it('UPG-FULL: a full upgrade into an existing subscription killed after the source update is finished once by the next mutation: no licence lost or duplicated', async () => {
    const customerId = CUSTOMERS.upgradeFull;
    const source = await buy({ customerId, offerId: OFFER_IDS.m365BusinessBasic, quantity: 10 });
    const target = await buy({ customerId, offerId: OFFER_IDS.m365BusinessStandard, quantity: 3 });

    crashNextOperationAfterEffect(0);
    const crashed = await gw.execute(
      WsUpgradeDocument,
      { input: { subscriptionId: source.id, targetOfferId: OFFER_IDS.m365BusinessStandard, targetSubscriptionId: target.id } },
      ADMIN,
    );
    expectMaskedInternalError(crashed);
    const operationId = crashedOperations.at(-1)!;
    // Half applied: the source has ended with its 10 licences gone, the target has not received them.
    expect(await sub(source.id)).toMatchObject({ quantity: 0, status: 'deleted', deletedReason: 'upgraded' });
    expect(await sub(target.id)).toMatchObject({ quantity: 3 });

    // The next mutation for the customer (here: a nickname) finishes the upgrade first.
    const renamed = ok(
      await gw.execute(WsUpdateSubscriptionDocument, { input: { subscriptionId: target.id, friendlyName: 'After the crash' } }, ADMIN),
    );
    expect(renamed.updateSubscription.userErrors).toEqual([]);
    expect(renamed.updateSubscription.subscription).toMatchObject({ quantity: 13 });

    expect(await pending()).toEqual([]);
    expect(await gw.collections.operations.findOne({ _id: operationId })).toMatchObject({ status: 'done' });
    const [s, t] = [(await sub(source.id))!, (await sub(target.id))!];
    expect([s.quantity, s.status, t.quantity, t.status]).toEqual([0, 'deleted', 13, 'active']);
    expect(s.quantity + t.quantity).toBe(10 + 3);
    const ledger = await gw.collections.ledger.find({ operationId }).toArray();
    expect(ledger.map((e) => [e.source.id, e.kind]).sort()).toEqual(
      [
        [source.id, 'credit'],
        [target.id, 'prorated_charge'],
      ].sort(),
    );
    expect(await auditsOf(operationId)).toHaveLength(1);
  });
});

describe('optimistic concurrency: parallel requests on one subscription', () => {
  it('CANCEL-FINAL, MONEY-EXACT: 10 parallel cancellations over two instances: exactly one refunds, the others are refused or CONFLICT, never a 500', async () => {
    const s = await buy({ customerId: CUSTOMERS.parallelCancel, offerId: OFFER_IDS.m365BusinessBasic, quantity: 5 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => cancel(s.id, false, i % 2 === 0 ? gw : gw2)));

    const succeeded = results.filter((r) => r.data?.cancelSubscription.userErrors.length === 0);
    const refused = results.filter((r) => (r.data?.cancelSubscription.userErrors.length ?? 0) > 0);
    const conflicts = results.filter((r) => r.errors?.[0]?.extensions?.code === 'CONFLICT');
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0]!.data!.cancelSubscription).toMatchObject({ subscription: { status: 'DELETED' }, refund: { amountInCents: 36000 } });
    for (const r of refused) expect(r.data!.cancelSubscription.userErrors).toEqual([expect.objectContaining({ rule: 'CANCEL-FINAL' })]);
    for (const r of results) expect(r.errors?.[0]?.extensions?.code ?? 'none', JSON.stringify(r.errors)).not.toBe('INTERNAL_SERVER_ERROR');
    expect(succeeded.length + refused.length + conflicts.length).toBe(10);

    expect((await refunds(s.id)).map((e) => e.amountCents)).toEqual([-36000]);
    expect(await gw.collections.operations.countDocuments({ customerId: CUSTOMERS.parallelCancel, kind: 'cancel_subscription' })).toBe(1);
    expect(await pending()).toEqual([]);
  });

  it('SUB-QTY-INCREASE, MONEY-EXACT: 10 parallel read-then-increase requests never lose an update: the final quantity is 1 + the successes, each charged once', async () => {
    const s = await buy({ customerId: CUSTOMERS.parallelSeats, offerId: OFFER_IDS.m365BusinessBasic, quantity: 1 });
    // Staggered, so the requests read different quantities and race each other's writes.
    const increase = async (i: number) => {
      const on = i % 2 === 0 ? gw : gw2;
      await sleep(i * 40);
      const current = ok(await on.execute(WsSubscriptionDocument, { id: s.id }, ADMIN)).subscription!.quantity;
      return on.execute(WsUpdateSubscriptionDocument, { input: { subscriptionId: s.id, quantity: current + 1 } }, ADMIN);
    };
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => increase(i)));

    for (const r of results) {
      const code = r.errors?.[0]?.extensions?.code;
      expect(code === undefined || code === 'CONFLICT', JSON.stringify(r.errors)).toBe(true);
      // A request that read a stale quantity asks for no change or, on new commerce, a mid-term reduction: refused.
      for (const e of r.data?.updateSubscription.userErrors ?? []) expect(['SUB-EDIT', 'SUB-QTY-DECREASE-NCE']).toContain(e.rule);
    }
    const successes = results.filter((r) => r.data?.updateSubscription.userErrors.length === 0);
    if (process.env.WS_TRACE) process.stdout.write(`seat increases applied: ${successes.length} of 10\n`);
    expect(successes.length).toBeGreaterThanOrEqual(1);
    const after = (await sub(s.id))!;
    expect(after.quantity).toBe(1 + successes.length);
    const charges = await gw.collections.ledger.find({ 'source.id': s.id, ruleId: 'SUB-QTY-INCREASE' }).toArray();
    expect(charges).toHaveLength(successes.length);
    expect(charges.map((e) => e.amountCents).sort()).toEqual(successes.map((r) => r.data!.updateSubscription.charge!.amountInCents).sort());
    expect(after.chargedCents).toBe(7200 + charges.reduce((n, e) => n + e.amountCents, 0));
  });
});

describe('two gateway instances, one clock', () => {
  const opts = { partner: CLOCK_PARTNER._id, roles: 'admin_agent' };
  let subs: { id: string; commitmentEndDate: string }[] = [];
  const renewalsOf = (id: string) => gw.collections.ledger.find({ 'source.id': id, ruleId: 'RENEW-DEFAULT' }).toArray();

  it('GEN-CLOCK: two gateway instances advancing one clock at once apply each event exactly once', async () => {
    // Month-long terms ending 2026-12-01T09:00Z; the advance to 2026-12-11 renews each once.
    subs = [
      await buy({ customerId: CUSTOMERS.clockA, offerId: OFFER_IDS.m365BusinessBasic, quantity: 3, options: opts, termDuration: 'P1M' }),
      await buy({ customerId: CUSTOMERS.clockA, offerId: OFFER_IDS.teamsEssentials, quantity: 2, options: opts, termDuration: 'P1M' }),
      await buy({ customerId: CUSTOMERS.clockB, offerId: OFFER_IDS.m365BusinessStandard, quantity: 4, options: opts, termDuration: 'P1M' }),
      await buy({ customerId: CUSTOMERS.clockB, offerId: OFFER_IDS.powerBiPro, quantity: 1, options: opts, termDuration: 'P1M' }),
    ];
    for (const s of subs) expect(s.commitmentEndDate).toBe('2026-12-01T09:00:00.000Z');
    const to = new Date(T0.getTime() + 40 * 86_400_000).toISOString();

    const [a, b] = await Promise.all([
      gw.execute(WsAdvanceClockDocument, { input: { to } }, opts),
      gw2.execute(WsAdvanceClockDocument, { input: { to } }, opts),
    ]);
    const outcomes = [a, b].map((r) =>
      r.errors
        ? `error:${String(r.errors[0]!.extensions?.code)}`
        : r.data!.advanceClock.userErrors.length
          ? `refused:${r.data!.advanceClock.userErrors[0]!.rule}`
          : 'applied',
    );
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'applied')[0]).toMatch(/^(refused:GEN-CLOCK|error:CONFLICT)$/);
    const applied = [a, b].find((r) => r.data?.advanceClock.userErrors.length === 0)!.data!.advanceClock;
    expect(applied.events.map((e) => [e.kind, e.subscriptionId]).sort()).toEqual(subs.map((s) => ['renewal', s.id]).sort());

    for (const s of subs) {
      expect(await renewalsOf(s.id), s.id).toHaveLength(1);
      expect(await sub(s.id)).toMatchObject({
        effectiveStartDate: new Date('2026-12-01T09:00:00.000Z'),
        commitmentEndDate: new Date('2027-01-01T09:00:00.000Z'),
      });
    }
    const ops = await gw.collections.operations.find({ partnerId: CLOCK_PARTNER._id, kind: 'renewal' }).toArray();
    expect(ops.map((o) => [o.status, o.effects.length > 0]).sort()).toEqual(subs.map(() => ['done', true]));
    expect(ops.map((o) => o._id).sort()).toEqual(subs.map((s) => `renewal:${s.id}:2026-12-01T09:00:00.000Z`).sort());
    // One advance's steps (the month start, the renewals' instant, the target); the other moved nothing.
    expect(await gw.collections.clock.findOne({ _id: CLOCK_PARTNER._id })).toMatchObject({ now: new Date(to), version: 3 });
    expect(await gw.collections.locks.countDocuments({ _id: { $regex: CLOCK_PARTNER._id } })).toBe(0);
  });

  it('GEN-CLOCK: an advance killed in the middle of an event is finished by the other instance: each event applied exactly once', async () => {
    // The terms now end 2027-01-01T09:00Z. This instance dies after the first write of the first renewal.
    const to = '2027-01-11T09:00:00.000Z';
    crashNextOperationAfterEffect(0, 'renewal:');
    const crashed = await gw.execute(WsAdvanceClockDocument, { input: { to } }, opts);
    expectMaskedInternalError(crashed);
    const operationId = crashedOperations.at(-1)!;
    expect(operationId).toMatch(/^renewal:/);
    expect(await pending()).toEqual([expect.objectContaining({ _id: operationId, partnerId: CLOCK_PARTNER._id })]);
    // The advance did not finish: the clock stands at the crashed renewal's instant (never behind
    // it), its target recorded.
    expect(await gw.collections.clock.findOne({ _id: CLOCK_PARTNER._id })).toMatchObject({
      now: new Date('2027-01-01T09:00:00.000Z'),
      advancing: { to: new Date(to), by: null },
    });

    const r = ok(await gw2.execute(WsAdvanceClockDocument, { input: { to } }, opts)).advanceClock;
    expect(r.userErrors).toEqual([]);
    const crashedSub = operationId.split(':')[1]!;
    expect([...r.events.map((e) => e.subscriptionId), crashedSub].sort()).toEqual(subs.map((s) => s.id).sort());

    expect(await pending()).toEqual([]);
    for (const s of subs) {
      expect(await renewalsOf(s.id), s.id).toHaveLength(2);
      expect(await sub(s.id)).toMatchObject({ commitmentEndDate: new Date('2027-02-01T09:00:00.000Z') });
    }
    const ops = await gw.collections.operations.find({ partnerId: CLOCK_PARTNER._id, kind: 'renewal' }).toArray();
    expect(ops).toHaveLength(2 * subs.length);
    expect(ops.every((o) => o.status === 'done')).toBe(true);
    const clock = (await gw.collections.clock.findOne({ _id: CLOCK_PARTNER._id }))!;
    // Two steps of the crashed advance (the month start, the renewals' instant), one of the other.
    expect(clock).toMatchObject({ now: new Date(to), version: 6 });
    expect(clock.advancing).toBeUndefined();
  });

  it('GEN-CLOCK: a mutation that waited for its customer lock while the clock moved decides at the clock as it is once it holds the lock', async () => {
    const stale = { partner: STALE_PARTNER._id, roles: 'admin_agent' };
    const s = await buy({ customerId: CUSTOMERS.staleClock, offerId: OFFER_IDS.m365BusinessBasic, quantity: 10, options: stale });
    const key = customerLockKey(CUSTOMERS.staleClock);
    await gw.collections.locks.insertOne({ _id: key, holder: 'other-host:78/busy', expiresAt: new Date(Date.now() + 60_000) });

    // The cancellation starts at 2026-11-01T09:00Z, inside the 24-hour window, and waits for the lock ...
    const mark = gw.commands.length;
    const cancelling = gw.execute(WsCancelDocument, { input: { subscriptionId: s.id } }, stale);
    const waiting = () => gw.commands.slice(mark).some((c) => c.commandName === 'insert' && c.command.insert === 'locks');
    for (const deadline = Date.now() + LOCK_WAIT_MS; !waiting() && Date.now() < deadline;) await sleep(10);
    expect(waiting()).toBe(true);
    // ... while the partner's clock moves 31 days on (no event of this customer falls due) ...
    const moved = ok(await gw2.execute(WsAdvanceClockDocument, { input: { by: 'P31D' } }, stale)).advanceClock;
    expect(moved).toMatchObject({ to: '2026-12-02T09:00:00.000Z', userErrors: [] });
    // ... and then gets the lock.
    await gw.collections.locks.deleteOne({ _id: key });
    const r = ok(await cancelling).cancelSubscription;

    // At 2026-12-02 the 30-day window has closed: CANCEL-NCE-AFTER, nothing refunded.
    expect(r.userErrors).toEqual([expect.objectContaining({ rule: 'CANCEL-NCE-AFTER' })]);
    expect(await refunds(s.id)).toEqual([]);
    expect(await sub(s.id)).toMatchObject({ status: 'active' });
  });
});

describe('customer leases', () => {
  const rename = (subscriptionId: string, friendlyName: string) =>
    gw.execute(WsUpdateSubscriptionDocument, { input: { subscriptionId, friendlyName } }, ADMIN);

  it('a lease left by a dead holder (expired) does not block the next mutation: it is taken over at once', async () => {
    const s = await buy({ customerId: CUSTOMERS.deadLease, offerId: OFFER_IDS.m365BusinessBasic, quantity: 1 });
    const key = customerLockKey(CUSTOMERS.deadLease);
    await gw.collections.locks.insertOne({ _id: key, holder: 'crashed-host:4242/dead', expiresAt: new Date(Date.now() - 1_000) });

    const started = Date.now();
    const r = ok(await rename(s.id, 'After a dead holder'));
    expect(Date.now() - started).toBeLessThan(LOCK_WAIT_MS);
    expect(r.updateSubscription).toMatchObject({ userErrors: [], subscription: { id: s.id } });
    expect(await sub(s.id)).toMatchObject({ friendlyName: 'After a dead holder' });
    expect(await gw.collections.locks.countDocuments({ _id: key })).toBe(0);
    expect(gw.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining(`took over the expired lease of ${key}`) }),
    );
  });

  it('CONFLICT: a live lease held by another instance makes the mutation wait, then answer CONFLICT having written nothing', async () => {
    const s = await buy({ customerId: CUSTOMERS.liveLease, offerId: OFFER_IDS.m365BusinessBasic, quantity: 1 });
    const key = customerLockKey(CUSTOMERS.liveLease);
    const foreign = { _id: key, holder: 'other-host:77/alive', expiresAt: new Date(Date.now() + 60_000) };
    await gw.collections.locks.insertOne(foreign);
    const operationsBefore = await gw.collections.operations.countDocuments({ customerId: CUSTOMERS.liveLease });

    const started = Date.now();
    const r = await rename(s.id, 'Never written');
    const waited = Date.now() - started;
    expect(r.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'CONFLICT' }) })]);
    expect(r.errors![0]!.message).toMatch(/in progress/);
    expect(waited).toBeGreaterThanOrEqual(LOCK_WAIT_MS - 100);
    expect(waited).toBeLessThan(LOCK_WAIT_MS + 3_000);

    expect((await sub(s.id))!.friendlyName).not.toBe('Never written');
    expect(await gw.collections.operations.countDocuments({ customerId: CUSTOMERS.liveLease })).toBe(operationsBefore);
    // The live holder keeps its lease.
    expect(await gw.collections.locks.findOne({ _id: key })).toEqual(foreign);

    await gw.collections.locks.deleteOne({ _id: key, holder: foreign.holder });
    expect(ok(await rename(s.id, 'After the release')).updateSubscription.userErrors).toEqual([]);
  }, 15_000);
});
