import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import {
  IaAuditRecordsDocument,
  IaCancelDocument,
  IaClockDocument,
  IaPurchaseDocument,
  IaUpdateDocument,
  type PurchaseInput,
} from '../generated/graphql.js';
import { aCustomer, guid } from '../support/fixtures.js';
import { startTestGateway, type CallOptions, type TestGateway } from '../support/gateway.js';

/*
 * End to end through GraphQL: idempotency keys (MS-RequestId) on mutations, and the audit of
 * every mutation, accepted or refused, read back with auditRecords. One gateway for the file;
 * every test buys for customers of its own. No clock is advanced.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const FABRIKAM = DEMO_PARTNERS.fabrikam.id;
const ADMIN: CallOptions = { roles: 'admin_agent' };
const DAY = 86_400_000;

let gw: TestGateway;
let NOW: Date;

beforeAll(async () => {
  gw = await startTestGateway(async (cols) => {
    await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
  });
  const clock = await gw.execute(IaClockDocument, {}, ADMIN);
  NOW = new Date(clock.data!.simulationClock.now);
});
afterAll(() => gw?.close());

async function customer(label: string, partnerId: string = CONTOSO): Promise<string> {
  const _id = guid(`ia-customer-${label}`);
  await gw.collections.customers.insertOne(aCustomer({ _id, companyName: `Ia ${label}`, partnerId }));
  return _id;
}

const basic = (customerId: string, quantity = 2): PurchaseInput => ({
  customerId,
  lineItems: [{ offerId: OFFER_IDS.m365BusinessBasic, quantity, billingCycle: 'MONTHLY', termDuration: 'P1Y' }],
});

const withKey = (key: string, as: CallOptions = ADMIN): CallOptions => ({ ...as, headers: { ...as.headers, 'MS-RequestId': key } });

const ledgerCount = (customerId: string) => gw.collections.ledger.countDocuments({ customerId });
const operationCount = (customerId: string) => gw.collections.operations.countDocuments({ customerId });

describe('idempotency keys (MS-RequestId)', () => {
  it('a retry with the same key and input answers the first result and does nothing again', async () => {
    const c = await customer('retry');
    const key = '8d7c3b52-0f3e-4a51-9b43-1c2f6a7e9d01';
    const first = await gw.execute(IaPurchaseDocument, { input: basic(c) }, withKey(key));
    expect(first.errors).toBeUndefined();
    expect(first.data!.purchase.userErrors).toEqual([]);
    const second = await gw.execute(IaPurchaseDocument, { input: basic(c) }, withKey(key));
    expect(second.status).toBe(200);
    expect(second).toEqual(first);
    expect(await ledgerCount(c)).toBe(1);
    expect(await operationCount(c)).toBe(1);
    const stored = await gw.collections.idempotency.findOne({ _id: `${CONTOSO}:${key}` });
    expect(stored).toMatchObject({ status: 'done', partnerId: CONTOSO });
    expect(JSON.parse(stored!.response!)).toEqual(first.data);
  });

  it('the same key with a different input is refused with IDEMPOTENCY_KEY_REUSED', async () => {
    const c = await customer('reused');
    const key = 'ia-reused-key-1';
    expect((await gw.execute(IaPurchaseDocument, { input: basic(c, 2) }, withKey(key))).data!.purchase.userErrors).toEqual([]);
    const other = await gw.execute(IaPurchaseDocument, { input: basic(c, 3) }, withKey(key));
    expect(other.data ?? null).toBeNull();
    expect(other.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(other.status).toBe(422);
    expect(await operationCount(c)).toBe(1);
  });

  it('without a key, two identical requests are two operations', async () => {
    const c = await customer('nokey');
    const a = await gw.execute(IaPurchaseDocument, { input: basic(c) }, ADMIN);
    const b = await gw.execute(IaPurchaseDocument, { input: basic(c) }, ADMIN);
    expect(a.data!.purchase.operationId).not.toEqual(b.data!.purchase.operationId);
    expect(await operationCount(c)).toBe(2);
    expect(await ledgerCount(c)).toBe(2);
  });

  it('two partners may use the same key independently', async () => {
    const contoso = await customer('shared-key-contoso');
    const fabrikam = await customer('shared-key-fabrikam', FABRIKAM);
    const key = 'ia-shared-key';
    const a = await gw.execute(IaPurchaseDocument, { input: basic(contoso) }, withKey(key));
    const b = await gw.execute(IaPurchaseDocument, { input: basic(fabrikam) }, withKey(key, { ...ADMIN, partner: FABRIKAM }));
    expect(a.data!.purchase.userErrors).toEqual([]);
    expect(b.data!.purchase.userErrors).toEqual([]);
    expect(await operationCount(contoso)).toBe(1);
    expect(await operationCount(fabrikam)).toBe(1);
  });

  it('a duplicate while the first is still in progress answers CONFLICT; dry runs are not stored', async () => {
    const c = await customer('in-progress');
    const key = 'ia-in-progress';
    const first = await gw.execute(IaPurchaseDocument, { input: basic(c) }, withKey(key));
    expect(first.data!.purchase.userErrors).toEqual([]);
    // As if the first were still running: its record not yet done.
    await gw.collections.idempotency.updateOne({ _id: `${CONTOSO}:${key}` }, { $set: { status: 'in_progress', response: null } });
    const busy = await gw.execute(IaPurchaseDocument, { input: basic(c) }, withKey(key));
    expect(busy.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(busy.status).toBe(409);
    expect(await operationCount(c)).toBe(1);

    const quote = await gw.execute(IaPurchaseDocument, { input: { ...basic(c), dryRun: true } }, withKey('ia-dry-run'));
    expect(quote.data!.purchase.userErrors).toEqual([]);
    expect(await gw.collections.idempotency.countDocuments({ _id: `${CONTOSO}:ia-dry-run` })).toBe(0);
  });

  it('a key is remembered for 24 hours: after that the same key, even with another input, is a new request', async () => {
    const c = await customer('expired');
    const key = '3f1c8a20-6b7d-4e59-8a21-0c9d4e6f7a12';
    const first = await gw.execute(IaPurchaseDocument, { input: basic(c) }, withKey(key));
    expect(first.data!.purchase.userErrors).toEqual([]);
    // 24 hours later on the wall clock (the record is aged instead of the clock moved).
    const _id = `${CONTOSO}:${key}`;
    await gw.collections.idempotency.updateOne({ _id }, { $set: { createdAt: new Date(Date.now() - DAY - 1000) } });
    const again = await gw.execute(IaPurchaseDocument, { input: basic(c, 3) }, withKey(key));
    expect(again.errors).toBeUndefined();
    expect(again.data!.purchase.userErrors).toEqual([]);
    expect(again.data!.purchase.subscriptions[0]!.id).not.toBe(first.data!.purchase.subscriptions[0]!.id);
    expect(await operationCount(c)).toBe(2);
    const stored = await gw.collections.idempotency.findOne({ _id });
    expect(stored!.status).toBe('done');
    expect(Date.now() - stored!.createdAt.getTime()).toBeLessThan(60_000);
  });

  it('expired keys are deleted, not kept forever (FerretDB has no TTL index; the gateway purges)', async () => {
    const old = {
      partnerId: CONTOSO,
      requestHash: 'x',
      status: 'done' as const,
      response: '{}',
      createdAt: new Date(Date.now() - 2 * DAY),
    };
    // A gateway purges at most once a minute, on a claim: a fresh gateway's first claim does.
    const fresh = await startTestGateway();
    try {
      await fresh.collections.idempotency.insertMany([
        { ...old, _id: `${CONTOSO}:purge-me-1` },
        { ...old, _id: `${CONTOSO}:purge-me-2` },
        { ...old, _id: `${CONTOSO}:recent`, createdAt: new Date(Date.now() - DAY / 2) },
      ]);
      await fresh.collections.offers.insertMany(CATALOG.map((o) => ({ ...o })));
      const c = guid('ia-customer-purge');
      await fresh.collections.customers.insertOne(aCustomer({ _id: c, companyName: 'Ia purge', partnerId: CONTOSO }));
      const bought = await fresh.execute(IaPurchaseDocument, { input: basic(c) }, withKey('7b2e9c41-5d3a-4f68-9e10-2a4b6c8d0e13'));
      expect(bought.data!.purchase.userErrors).toEqual([]);
      await expect
        .poll(() => fresh.collections.idempotency.countDocuments({ _id: { $in: [`${CONTOSO}:purge-me-1`, `${CONTOSO}:purge-me-2`] } }))
        .toBe(0);
      expect(await fresh.collections.idempotency.countDocuments({ _id: `${CONTOSO}:recent` })).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  describe('a first attempt interrupted by a crash (its record left in progress for over a minute)', () => {
    /** Buys with `key`, then makes its record look like one whose process died mid-request. */
    async function interrupted(label: string, key: string) {
      const c = await customer(label);
      const first = await gw.execute(IaPurchaseDocument, { input: basic(c) }, withKey(key));
      expect(first.data!.purchase.userErrors).toEqual([]);
      const _id = `${CONTOSO}:${key}`;
      const ops = await gw.collections.operations.find({ customerId: c }).toArray();
      expect(ops.map((o) => o.idempotencyKey)).toEqual([_id]);
      const createdAt = new Date(ops[0]!.createdAt.getTime() - 1000);
      await gw.collections.idempotency.updateOne(
        { _id },
        { $set: { status: 'in_progress', response: null, createdAt: new Date(createdAt.getTime() - 120_000) } },
      );
      await gw.collections.operations.updateMany({ customerId: c }, { $set: { createdAt: new Date(createdAt.getTime() - 119_000) } });
      return { c, _id, operationId: ops[0]!._id };
    }

    it('when it journalled nothing, a retry takes the key over and runs', async () => {
      const key = '5e0a7c93-2b4f-4d1e-8c6a-9f3b1d7e2a14';
      const { c, _id } = await interrupted('interrupted-early', key);
      // As if the process died before journalling: no operation carries the key.
      await gw.collections.operations.updateMany({ customerId: c }, { $set: { idempotencyKey: null } });
      const retry = await gw.execute(IaPurchaseDocument, { input: basic(c) }, withKey(key));
      expect(retry.errors).toBeUndefined();
      expect(retry.data!.purchase.userErrors).toEqual([]);
      expect(await operationCount(c)).toBe(2);
      expect(await gw.collections.idempotency.findOne({ _id })).toMatchObject({ status: 'done' });
    });

    it('when it had changed things, a retry is told so with the operation IDs and changes nothing', async () => {
      const key = '6f1b8da4-3c50-4e2f-9d7b-0a4c2e8f3b25';
      const { c, operationId } = await interrupted('interrupted-late', key);
      const retry = await gw.execute(IaPurchaseDocument, { input: basic(c) }, withKey(key));
      expect(retry.status).toBe(409);
      expect(retry.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', operationIds: [operationId], retryable: false });
      expect(retry.errors?.[0]?.message).toMatch(/interrupted after it had changed things/);
      expect(await operationCount(c)).toBe(1);
      expect(await ledgerCount(c)).toBe(1);
    });
  });

  it('a key that is not GUID-ish is BAD_USER_INPUT', async () => {
    const c = await customer('bad-key');
    const r = await gw.execute(IaPurchaseDocument, { input: basic(c) }, withKey('x'.repeat(101)));
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await operationCount(c)).toBe(0);
  });
});

describe('audit of every mutation', () => {
  const range = () => ({ from: new Date(NOW.getTime() - DAY).toISOString(), to: new Date(NOW.getTime() + DAY).toISOString() });

  it('a FORBIDDEN mutation is audited as refused, with who, what, the rule and the correlation ID', async () => {
    const c = await customer('forbidden');
    const bought = await gw.execute(IaPurchaseDocument, { input: basic(c) }, ADMIN);
    const subscriptionId = bought.data!.purchase.subscriptions[0]!.id;
    const refused = await gw.execute(
      IaCancelDocument,
      { input: { subscriptionId } },
      { roles: 'account_admin', headers: { 'x-correlation-id': 'ia-corr-forbidden' } },
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const records = await gw.execute(
      IaAuditRecordsDocument,
      { ...range(), filter: { resourceId: subscriptionId } },
      { roles: 'account_admin' },
    );
    expect(records.errors).toBeUndefined();
    const nodes = records.data!.auditRecords.nodes;
    const refusal = nodes.find((n) => n.outcome === 'refused')!;
    expect(refusal).toMatchObject({
      operationType: 'cancel_subscription',
      resourceType: 'subscription',
      resourceId: subscriptionId,
      roles: ['account_admin'],
      code: 'FORBIDDEN',
      correlationId: 'ia-corr-forbidden',
    });
    expect(refusal.rule).toMatch(/^ROLE-/);
    expect(new Date(refusal.at).getTime()).toBe(NOW.getTime());
    expect(refusal.wallAt).not.toBeNull();
    expect(JSON.parse(refusal.input!)).toMatchObject({ input: { subscriptionId } });
  });

  it('an accepted mutation is audited with its correlation ID, wall clock and arguments', async () => {
    const c = await customer('accepted');
    const bought = await gw.execute(IaPurchaseDocument, { input: basic(c) }, ADMIN);
    const subscriptionId = bought.data!.purchase.subscriptions[0]!.id;
    const before = Date.now();
    const ok = await gw.execute(
      IaUpdateDocument,
      { input: { subscriptionId, friendlyName: 'Ia audited' } },
      { ...ADMIN, headers: { 'x-correlation-id': 'ia-corr-accepted' } },
    );
    expect(ok.data!.updateSubscription.userErrors).toEqual([]);
    const records = await gw.execute(IaAuditRecordsDocument, { ...range(), filter: { resourceId: subscriptionId } }, ADMIN);
    const accepted = records.data!.auditRecords.nodes.filter((n) => n.correlationId === 'ia-corr-accepted');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ outcome: 'accepted', operationType: 'update_subscription', rule: null });
    expect(new Date(accepted[0]!.wallAt!).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(JSON.parse(accepted[0]!.input!)).toMatchObject({ input: { subscriptionId, friendlyName: 'Ia audited' } });
  });

  it('a business-rule refusal (userErrors) is audited with its rule and code; accepted ones keep their audit', async () => {
    const c = await customer('user-error');
    const bought = await gw.execute(IaPurchaseDocument, { input: basic(c) }, ADMIN);
    const subscriptionId = bought.data!.purchase.subscriptions[0]!.id;
    const ok = await gw.execute(IaUpdateDocument, { input: { subscriptionId, friendlyName: 'Ia renamed' } }, ADMIN);
    expect(ok.data!.updateSubscription.userErrors).toEqual([]);
    const noChange = await gw.execute(IaUpdateDocument, { input: { subscriptionId, friendlyName: 'Ia renamed' } }, ADMIN);
    const userError = noChange.data!.updateSubscription.userErrors[0]!;
    expect(userError).toBeDefined();

    const records = await gw.execute(
      IaAuditRecordsDocument,
      { ...range(), filter: { resourceId: subscriptionId } },
      { roles: 'global_admin' },
    );
    const nodes = records.data!.auditRecords.nodes;
    expect(nodes.filter((n) => n.outcome === 'accepted').length).toBeGreaterThanOrEqual(1);
    const refusal = nodes.find((n) => n.outcome === 'refused')!;
    expect(refusal).toMatchObject({ operationType: 'update_subscription', rule: userError.rule, code: userError.code, customerId: c });
    expect(refusal.correlationId).toBeTruthy();
  });

  it('auditRecords: pages, filters, at most 90 days, readers only', async () => {
    const c = await customer('pages');
    const bought = await gw.execute(IaPurchaseDocument, { input: basic(c) }, ADMIN);
    const subscriptionId = bought.data!.purchase.subscriptions[0]!.id;
    for (let i = 0; i < 3; i++) {
      const r = await gw.execute(IaCancelDocument, { input: { subscriptionId } }, { roles: 'account_admin' });
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const filter = { operationType: 'cancel_subscription' };
    const first = await gw.execute(IaAuditRecordsDocument, { ...range(), first: 2, filter }, { roles: 'admin_agent' });
    expect(first.errors).toBeUndefined();
    expect(first.data!.auditRecords.nodes).toHaveLength(2);
    expect(first.data!.auditRecords.pageInfo.hasNextPage).toBe(true);
    const rest = await gw.execute(
      IaAuditRecordsDocument,
      { ...range(), first: 100, after: first.data!.auditRecords.pageInfo.endCursor, filter },
      { roles: 'admin_agent' },
    );
    const all = [...first.data!.auditRecords.nodes, ...rest.data!.auditRecords.nodes];
    expect(new Set(all.map((n) => n.id)).size).toBe(all.length);
    expect(all.every((n) => n.operationType === 'cancel_subscription')).toBe(true);

    const tooLong = await gw.execute(
      IaAuditRecordsDocument,
      { from: NOW.toISOString(), to: new Date(NOW.getTime() + 91 * DAY).toISOString() },
      { roles: 'admin_agent' },
    );
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'to' });

    const sales = await gw.execute(IaAuditRecordsDocument, range(), { roles: 'sales_agent' });
    expect(sales.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const fabrikam = await gw.execute(IaAuditRecordsDocument, { ...range(), filter }, { roles: 'admin_agent', partner: FABRIKAM });
    expect(fabrikam.data!.auditRecords.nodes.every((n) => n.resourceType !== 'subscription' || n.customerId === null)).toBe(true);
  });
});
