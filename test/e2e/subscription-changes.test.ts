import type { CommandStartedEvent, Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerDoc, SubscriptionDoc } from '../../src/db/documents.js';
import { addTerm, DAY, HOUR } from '../../src/policy/time.js';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import {
  ScAddOnDocument,
  ScAdvanceClockDocument,
  ScCancelDocument,
  ScClockDocument,
  ScConfirmFulfillmentDocument,
  ScPauseDocument,
  ScPurchaseDocument,
  ScReactivateDocument,
  ScResumeDocument,
  ScSubscriptionDocument,
  ScSuspendDocument,
  ScUpdateDocument,
} from '../generated/graphql.js';
import { aCustomer, aSubscription, guid } from '../support/fixtures.js';
import { startTestGateway, type CallOptions, type GraphQLResponse, type TestGateway } from '../support/gateway.js';

/*
 * End to end through GraphQL against the real database: the mutations that change one
 * subscription (updateSubscription, suspend/reactivate, pause/resume, cancelSubscription,
 * confirmFulfillment). One gateway for the file; every test works on customers of its own, and
 * subscriptions are inserted directly with start instants relative to the partner's clock, so
 * each window edge is exact to the millisecond. Contoso's clock is never advanced here; the one
 * test that advances a clock uses Tailspin's (GEN-CLOCK: clocks are per partner).
 *
 * Prices (src/seed/catalog.ts), per unit per term: Microsoft 365 Business Basic P1Y 7,200 cents;
 * Office 365 E1 (legacy) P1Y 9,600; Extra File Storage (legacy add-on) 240; Teams Phone Standard
 * (add-on) P1Y 9,600; Litware Secure Backup (ISV) P1Y 3,900.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const FABRIKAM = DEMO_PARTNERS.fabrikam.id;
const TAILSPIN = DEMO_PARTNERS.tailspin.id;
const ADMIN: CallOptions = { roles: 'admin_agent' };
const O = OFFER_IDS;

let gw: TestGateway;
/** Contoso's simulation clock (read once; never advanced in this file). */
let NOW: Date;

beforeAll(async () => {
  gw = await startTestGateway(async (cols) => {
    await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
  });
  const clock = await gw.execute(ScClockDocument, {}, ADMIN);
  NOW = new Date(clock.data!.simulationClock.now);
});
afterAll(() => gw?.close());

// ---------------------------------------------------------------------------------------------
// World builders

const ago = (ms: number) => new Date(NOW.getTime() - ms);
const iso = (d: Date) => d.toISOString();

async function customer(label: string, overrides: Partial<CustomerDoc> = {}): Promise<string> {
  const _id = guid(`sc-customer-${label}`);
  await gw.collections.customers.insertOne(aCustomer({ _id, companyName: `Sc ${label}`, ...overrides }));
  return _id;
}

/**
 * A subscription of a catalog offer, priced from the catalog's plan, charged for its whole term,
 * started at `effectiveStartDate` (default: now), ordered at its start unless told otherwise.
 */
async function subscription(
  label: string,
  customerId: string,
  offerId: string,
  overrides: Partial<SubscriptionDoc> = {},
): Promise<SubscriptionDoc> {
  const offer = CATALOG.find((o) => o._id === offerId)!;
  const billingCycle = overrides.billingCycle ?? 'monthly';
  const termDuration = overrides.termDuration ?? 'P1Y';
  const plan = offer.billingPlans.find((p) => p.billingCycle === billingCycle && p.termDuration === termDuration)!;
  const quantity = overrides.quantity ?? 10;
  const start = overrides.effectiveStartDate ?? NOW;
  const isv = offer.commerceType === 'marketplace_saas';
  const doc = aSubscription({
    _id: guid(`sc-sub-${label}`),
    customerId,
    offerId,
    offerName: offer.name,
    commerceType: offer.commerceType,
    billingType: offer.billingType,
    publisher: offer.publisher,
    friendlyName: label,
    quantity,
    billingCycle,
    termDuration,
    unitPriceCents: plan.unitPriceCents,
    chargedCents: plan.unitPriceCents * quantity,
    creationDate: start,
    effectiveStartDate: start,
    commitmentEndDate: addTerm(start, termDuration),
    orderedAt: start,
    updatedAt: start,
    fulfilment: isv
      ? { status: 'fulfilled', activationLink: `https://marketplace.example/${label}/activate?token=t`, authorizationCode: 't' }
      : null,
    ...overrides,
  });
  await gw.collections.subscriptions.insertOne(doc);
  return doc;
}

const read = (id: string) => gw.collections.subscriptions.findOne({ _id: id });

// ---------------------------------------------------------------------------------------------
// Calls

const update = (
  input: { subscriptionId: string; friendlyName?: string; quantity?: number; autoRenewEnabled?: boolean; partnerId?: string },
  as = ADMIN,
) => gw.execute(ScUpdateDocument, { input }, as);
const suspend = (subscriptionId: string, reason: 'CUSTOMER_REQUEST' | 'NON_PAYMENT' | 'FRAUD' = 'NON_PAYMENT', as = ADMIN) =>
  gw.execute(ScSuspendDocument, { input: { subscriptionId, reason } }, as);
const reactivate = (subscriptionId: string, as = ADMIN) => gw.execute(ScReactivateDocument, { input: { subscriptionId } }, as);
const pause = (subscriptionId: string, as = ADMIN) => gw.execute(ScPauseDocument, { input: { subscriptionId } }, as);
const resume = (subscriptionId: string, as = ADMIN) => gw.execute(ScResumeDocument, { input: { subscriptionId } }, as);
const confirm = (subscriptionId: string, as = ADMIN) => gw.execute(ScConfirmFulfillmentDocument, { input: { subscriptionId } }, as);
const cancel = (subscriptionId: string, dryRun = false, as = ADMIN) =>
  gw.execute(ScCancelDocument, { input: { subscriptionId, dryRun } }, as);
const view = (id: string, as = ADMIN) => gw.execute(ScSubscriptionDocument, { id }, as);

/** Fails with the response's errors, so an unexpected error reads plainly in the test output. */
function ok<R>(r: { status: number; data?: R | null; errors?: unknown[] }): R {
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  expect(r.status).toBe(200);
  return r.data!;
}

// ---------------------------------------------------------------------------------------------
// Database assertions

const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify']);

interface Write {
  /** `collection:command` */
  op: string;
  command: Document;
}

/** The write commands the gateway sent since `gw.commands` was last cleared. */
function writes(): Write[] {
  return gw.commands
    .filter((e: CommandStartedEvent) => WRITE_COMMANDS.has(e.commandName))
    .map((e) => ({ op: `${e.command[e.commandName]}:${e.commandName}`, command: e.command }));
}

/** Runs `call` and returns the write commands it caused. */
async function writesOf<T>(call: () => Promise<T>): Promise<{ result: T; writes: Write[] }> {
  gw.commands.length = 0;
  const result = await call();
  return { result, writes: writes() };
}

/**
 * Nothing was written but the customer's lease, which is taken and given back (a refusal is
 * decided under the lock): no journal entry, no document, ledger or audit write, no lock left.
 */
async function expectNothingWritten(w: Write[]): Promise<void> {
  // The refusal's own audit record (src/audit/refusal-audit.ts) is the one write a refusal makes.
  const refusalAudit = (x: Write) =>
    x.op === 'auditEvents:insert' && (x.command.documents as Document[]).every((d) => d.outcome === 'refused');
  expect(w.filter((x) => !x.op.startsWith('locks:') && !refusalAudit(x)).map((x) => x.op)).toEqual([]);
  expect(await gw.collections.locks.countDocuments()).toBe(0);
}

/**
 * An applied mutation: its journal entry is done, it wrote exactly one audit event, and every
 * document it changed moved on by exactly one version and names it as `lastOperationId`.
 */
async function expectApplied(operationId: string | null | undefined, changed: SubscriptionDoc[]): Promise<void> {
  expect(operationId).toMatch(/^[0-9a-f-]{36}$/);
  const op = await gw.collections.operations.findOne({ _id: operationId! });
  expect(op).toMatchObject({ status: 'done' });
  expect(op!.applied).toBe(op!.effects.length);
  const audits = await gw.collections.auditEvents.find({ _id: { $regex: `^${operationId}:` } }).toArray();
  expect(audits).toHaveLength(1);
  for (const before of changed) {
    const after = await read(before._id);
    expect(after, before._id).toMatchObject({ version: before.version + 1, lastOperationId: operationId });
  }
}

const ledgerOf = (subscriptionId: string) => gw.collections.ledger.find({ 'source.id': subscriptionId }).sort({ at: 1, _id: 1 }).toArray();

// =============================================================================================

describe('updateSubscription', () => {
  it('SUB-EDIT: the nickname can be edited (trimmed); nothing is charged and one audit event is written', async () => {
    const c = await customer('edit-nickname');
    const s = await subscription('edit-nickname', c, O.m365BusinessBasic);
    const p = ok(await update({ subscriptionId: s._id, friendlyName: '  Head office seats  ' })).updateSubscription;
    expect(p).toMatchObject({ userErrors: [], dryRun: false, charge: { amountInCents: 0, currencyCode: 'USD' } });
    expect(p.subscription).toMatchObject({ id: s._id, friendlyName: 'Head office seats', quantity: 10 });
    expect(await ledgerOf(s._id)).toEqual([]);
    await expectApplied(p.operationId, [s]);
    const audit = await gw.collections.auditEvents.findOne({ _id: { $regex: `^${p.operationId}:` } });
    expect(audit).toMatchObject({ operationType: 'update_subscription', resourceId: s._id, roles: ['admin_agent'] });
    expect(JSON.parse(audit!.resourceNewValue!)).toMatchObject({ friendlyName: 'Head office seats' });
  });

  it("SUB-EDIT: the indirect reseller's MPN ID (partnerId) can be set and cleared", async () => {
    const c = await customer('edit-mpn');
    const s = await subscription('edit-mpn', c, O.m365BusinessBasic);
    const set = ok(await update({ subscriptionId: s._id, partnerId: '1234567' })).updateSubscription;
    expect(set).toMatchObject({ userErrors: [], subscription: { partnerId: '1234567' } });
    await expectApplied(set.operationId, [s]);
    const cleared = ok(await update({ subscriptionId: s._id, partnerId: '' })).updateSubscription;
    expect(cleared).toMatchObject({ userErrors: [], subscription: { partnerId: '' } });
    expect(await read(s._id)).toMatchObject({ partnerIdOnRecord: '', version: 3 });
  });

  it('SUB-EDIT: an edit that changes nothing is refused with NO_CHANGE and writes nothing', async () => {
    const c = await customer('edit-nochange');
    const s = await subscription('edit-nochange', c, O.m365BusinessBasic, { partnerIdOnRecord: '7654321' });
    const { result, writes: w } = await writesOf(() =>
      update({ subscriptionId: s._id, friendlyName: s.friendlyName, quantity: 10, autoRenewEnabled: true, partnerId: '7654321' }),
    );
    const p = ok(result).updateSubscription;
    expect(p.userErrors).toEqual([expect.objectContaining({ code: 'NO_CHANGE', rule: 'SUB-EDIT', field: null })]);
    expect(p).toMatchObject({ operationId: null, charge: null, subscription: { id: s._id, friendlyName: s.friendlyName } });
    await expectNothingWritten(w);
    expect(await read(s._id)).toEqual(s);
  });

  it("SUB-EDIT: an MPN ID that is not 5 to 10 digits is refused on field ['input', 'partnerId']", async () => {
    const c = await customer('edit-bad-mpn');
    const s = await subscription('edit-bad-mpn', c, O.m365BusinessBasic);
    const { result, writes: w } = await writesOf(() => update({ subscriptionId: s._id, partnerId: 'MPN-12' }));
    const p = ok(result).updateSubscription;
    expect(p.userErrors).toEqual([
      { code: 'INVALID_VALUE', rule: 'SUB-EDIT', field: ['input', 'partnerId'], message: expect.stringContaining("'MPN-12'") },
    ]);
    await expectNothingWritten(w);
    expect(await read(s._id)).toEqual(s);
  });

  it('SUB-QTY-INCREASE: adding 5 seats 10 days into a 365-day term charges 5 x 7200 x 355/365 = 35014 cents, in the payload and the ledger', async () => {
    const c = await customer('qty-increase');
    const s = await subscription('qty-increase', c, O.m365BusinessBasic, { effectiveStartDate: ago(10 * DAY) });
    const p = ok(await update({ subscriptionId: s._id, quantity: 15 })).updateSubscription;
    expect(p).toMatchObject({ userErrors: [], charge: { amountInCents: 35014, currencyCode: 'USD' }, subscription: { quantity: 15 } });
    expect(await read(s._id)).toMatchObject({ quantity: 15, chargedCents: 72000 + 35014 });
    expect(await ledgerOf(s._id)).toEqual([
      expect.objectContaining({
        _id: `${p.operationId}:1`,
        amountCents: 35014,
        kind: 'prorated_charge',
        ruleId: 'SUB-QTY-INCREASE',
        at: NOW,
        operationId: p.operationId,
        customerId: c,
      }),
    ]);
    await expectApplied(p.operationId, [s]);
  });

  it('SUB-QTY-DECREASE-NCE: a new-commerce seat reduction mid-term is refused on the quantity field and nothing changes', async () => {
    const c = await customer('qty-decrease-nce');
    const s = await subscription('qty-decrease-nce', c, O.m365BusinessBasic, { effectiveStartDate: ago(10 * DAY) });
    const { result, writes: w } = await writesOf(() => update({ subscriptionId: s._id, quantity: 8 }));
    const p = ok(result).updateSubscription;
    expect(p.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_VALUE', rule: 'SUB-QTY-DECREASE-NCE', field: ['input', 'quantity'] }),
    ]);
    expect(p.userErrors[0]!.message).toContain('scheduleChange');
    expect(p.subscription).toMatchObject({ quantity: 10 });
    await expectNothingWritten(w);
    expect(await read(s._id)).toEqual(s);
  });

  it('SUB-QTY-DECREASE-NCE: a legacy subscription may reduce seats mid-term, credited 2 x 9600 x 265/365 = 13940 cents 100 days in', async () => {
    const c = await customer('qty-decrease-legacy');
    const s = await subscription('qty-decrease-legacy', c, O.legacyO365E1, { effectiveStartDate: ago(100 * DAY) });
    const p = ok(await update({ subscriptionId: s._id, quantity: 8 })).updateSubscription;
    expect(p).toMatchObject({ userErrors: [], charge: { amountInCents: -13940 }, subscription: { quantity: 8 } });
    expect(await read(s._id)).toMatchObject({ quantity: 8, chargedCents: 96000 - 13940 });
    expect((await ledgerOf(s._id)).map((e) => [e._id, e.amountCents, e.kind])).toEqual([[`${p.operationId}:1`, -13940, 'credit']]);
    await expectApplied(p.operationId, [s]);
  });

  it('SUB-ACTION-NEEDED: while an ISV subscription awaits its publisher, the nickname can be edited but the quantity is refused with ACTION_REQUIRED', async () => {
    const c = await customer('action-needed');
    const s = await subscription('action-needed', c, O.litwareBackup, {
      quantity: 5,
      status: 'pending',
      chargedCents: 0,
      fulfilment: { status: 'action_needed', activationLink: 'https://marketplace.example/x/activate?token=a', authorizationCode: 'a' },
    });
    const named = ok(await update({ subscriptionId: s._id, friendlyName: 'Backup (awaiting set-up)' })).updateSubscription;
    expect(named).toMatchObject({
      userErrors: [],
      subscription: { friendlyName: 'Backup (awaiting set-up)', status: 'PENDING', attentionNeeded: true },
    });
    await expectApplied(named.operationId, [s]);

    const renamed = (await read(s._id))!;
    const { result, writes: w } = await writesOf(() => update({ subscriptionId: s._id, quantity: 6 }));
    const p = ok(result).updateSubscription;
    expect(p.userErrors).toEqual([
      expect.objectContaining({ code: 'ACTION_REQUIRED', rule: 'SUB-ACTION-NEEDED', field: ['input', 'quantity'] }),
    ]);
    await expectNothingWritten(w);
    expect(await read(s._id)).toEqual(renamed);
  });

  it('RENEW-TOGGLE: auto-renew of a new-commerce subscription can be turned off and on again', async () => {
    const c = await customer('renew-toggle');
    const s = await subscription('renew-toggle', c, O.m365BusinessBasic);
    const off = ok(await update({ subscriptionId: s._id, autoRenewEnabled: false })).updateSubscription;
    expect(off).toMatchObject({ userErrors: [], subscription: { autoRenewEnabled: false } });
    await expectApplied(off.operationId, [s]);
    const on = ok(await update({ subscriptionId: s._id, autoRenewEnabled: true })).updateSubscription;
    expect(on).toMatchObject({ userErrors: [], subscription: { autoRenewEnabled: true } });
    expect(await read(s._id)).toMatchObject({ autoRenewEnabled: true, version: 3, lastOperationId: on.operationId });
  });

  it('RENEW-TOGGLE: auto-renew of a legacy subscription cannot be changed', async () => {
    const c = await customer('renew-legacy');
    const s = await subscription('renew-legacy', c, O.legacyO365E1);
    const { result, writes: w } = await writesOf(() => update({ subscriptionId: s._id, autoRenewEnabled: false }));
    const p = ok(result).updateSubscription;
    expect(p.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_SUPPORTED', rule: 'RENEW-TOGGLE', field: ['input', 'autoRenewEnabled'] }),
    ]);
    await expectNothingWritten(w);
    expect(await read(s._id)).toEqual(s);
  });

  it('SCHED-CLEARED: a mid-term seat increase removes the saved scheduled change', async () => {
    const c = await customer('sched-cleared');
    const s = await subscription('sched-cleared', c, O.m365BusinessBasic, {
      effectiveStartDate: ago(10 * DAY),
      scheduledNextTermInstructions: { offerId: O.m365BusinessBasic, quantity: 6, billingCycle: 'monthly', termDuration: 'P1Y' },
    });
    const before = ok(await view(s._id)).subscription!;
    expect(before.scheduledNextTermInstructions).toEqual({
      offerId: O.m365BusinessBasic,
      quantity: 6,
      billingCycle: 'MONTHLY',
      termDuration: 'P1Y',
    });
    const p = ok(await update({ subscriptionId: s._id, quantity: 11 })).updateSubscription;
    // 1 x 7200 x 355 / 365 = 7002.7 -> 7003.
    expect(p).toMatchObject({
      userErrors: [],
      charge: { amountInCents: 7003 },
      subscription: { quantity: 11, scheduledNextTermInstructions: null },
    });
    expect(p.summary).toContain('scheduled changes removed');
    expect(await read(s._id)).toMatchObject({ scheduledNextTermInstructions: null, scheduledUpgrade: null });
    await expectApplied(p.operationId, [s]);
  });
});

// =============================================================================================

describe('suspendSubscription and reactivateSubscription (legacy)', () => {
  it('GEN-REASON: a suspension records its reason, for each of customer request, non-payment and fraud', async () => {
    const c = await customer('gen-reason');
    for (const reason of ['CUSTOMER_REQUEST', 'NON_PAYMENT', 'FRAUD'] as const) {
      const s = await subscription(`gen-reason-${reason}`, c, O.legacyO365E1);
      const p = ok(await suspend(s._id, reason)).suspendSubscription;
      expect(p).toMatchObject({ userErrors: [], subscription: { status: 'SUSPENDED', suspensionReasons: [reason] } });
      expect(await read(s._id)).toMatchObject({ suspensionReasons: [reason.toLowerCase()] });
      await expectApplied(p.operationId, [s]);
    }
  });

  it("SUSP-EFFECT: after a suspension the subscription's users have no access", async () => {
    const c = await customer('susp-effect');
    const s = await subscription('susp-effect', c, O.legacyO365E1);
    expect(ok(await view(s._id)).subscription!.usersHaveAccess).toBe(true);
    const p = ok(await suspend(s._id, 'CUSTOMER_REQUEST', { roles: 'helpdesk_agent' })).suspendSubscription;
    expect(p).toMatchObject({
      userErrors: [],
      subscription: { status: 'SUSPENDED', usersHaveAccess: false, suspendedBy: 'PARTNER', suspensionDate: iso(NOW) },
    });
    expect(await ledgerOf(s._id)).toEqual([]);
    await expectApplied(p.operationId, [s]);
  });

  for (const { days, grace, opened, billed } of [
    { days: 14, grace: 104, opened: '2024-01-01T00:00:00Z', billed: '2024-01-15T00:00:00Z' },
    { days: 0, grace: 90, opened: '2024-03-01T00:00:00Z', billed: '2024-03-01T00:00:00Z' },
    { days: 45, grace: 120, opened: '2024-01-01T00:00:00Z', billed: '2024-02-15T00:00:00Z' },
  ]) {
    it(`SUSP-DATA-DELETION: ${days} days between account opening and first billing give dataDeletionDate = now + ${grace} days (90 + days, at most 120)`, async () => {
      const c = await customer(`susp-deletion-${days}`, { accountOpenedAt: new Date(opened), firstBillingAt: new Date(billed) });
      const s = await subscription(`susp-deletion-${days}`, c, O.legacyO365E1);
      const p = ok(await suspend(s._id)).suspendSubscription;
      const expected = iso(new Date(NOW.getTime() + grace * DAY));
      expect(p).toMatchObject({ userErrors: [], dataDeletionDate: expected, subscription: { dataDeletionDate: expected } });
      expect(await read(s._id)).toMatchObject({ dataDeletionAt: new Date(expected) });
    });
  }

  it('SUSP-DATA-DELETION: the suspended subscription is deleted (DATA_DELETED) when the clock reaches its deletion date, not a millisecond earlier', async () => {
    const tailspin: CallOptions = { partner: TAILSPIN, roles: 'admin_agent' };
    const tNow = new Date(ok(await gw.execute(ScClockDocument, {}, tailspin)).simulationClock.now);
    const c = await customer('susp-deletion-clock', {
      partnerId: TAILSPIN,
      accountOpenedAt: new Date('2024-05-01T00:00:00Z'),
      firstBillingAt: new Date('2024-05-01T00:00:00Z'),
    });
    const s = await subscription('susp-deletion-clock', c, O.legacyO365E1, { partnerId: TAILSPIN, effectiveStartDate: tNow });
    const p = ok(await suspend(s._id, 'NON_PAYMENT', tailspin)).suspendSubscription;
    const deletion = new Date(tNow.getTime() + 90 * DAY);
    expect(p.dataDeletionDate).toBe(iso(deletion));

    const early = ok(
      await gw.execute(ScAdvanceClockDocument, { input: { to: iso(new Date(deletion.getTime() - 1)) } }, tailspin),
    ).advanceClock;
    expect(early).toMatchObject({ userErrors: [], events: [] });
    expect(ok(await view(s._id, tailspin)).subscription).toMatchObject({ status: 'SUSPENDED' });

    const due = ok(await gw.execute(ScAdvanceClockDocument, { input: { by: 'PT0.001S' } }, tailspin)).advanceClock;
    expect(due.events).toEqual([{ kind: 'data_deletion', subscriptionId: s._id, at: iso(deletion) }]);
    expect(ok(await view(s._id, tailspin)).subscription).toMatchObject({
      status: 'DELETED',
      deletedReason: 'DATA_DELETED',
      usersHaveAccess: false,
    });
    // GEN-CLOCK: Contoso's clock did not move.
    expect(ok(await gw.execute(ScClockDocument, {}, ADMIN)).simulationClock.now).toBe(iso(NOW));
  });

  it('SUSP-REACTIVATE: reactivating a suspended subscription restores access and clears the suspension', async () => {
    const c = await customer('susp-reactivate');
    const s = await subscription('susp-reactivate', c, O.legacyO365E1);
    ok(await suspend(s._id, 'FRAUD'));
    const suspended = (await read(s._id))!;
    const p = ok(await reactivate(s._id, { roles: 'sales_agent' })).reactivateSubscription;
    expect(p).toMatchObject({
      userErrors: [],
      dataDeletionDate: null,
      subscription: {
        status: 'ACTIVE',
        usersHaveAccess: true,
        suspendedBy: null,
        suspensionReasons: [],
        suspensionDate: null,
        dataDeletionDate: null,
      },
    });
    await expectApplied(p.operationId, [suspended]);
    const again = ok(await reactivate(s._id)).reactivateSubscription;
    expect(again.userErrors).toEqual([expect.objectContaining({ code: 'NO_CHANGE', rule: 'SUSP-REACTIVATE' })]);
  });

  it('SUSP-NCE-SUPPORT: a new-commerce subscription cannot be suspended or reactivated self-serve; the refusal points to a service request', async () => {
    const c = await customer('susp-nce');
    const s = await subscription('susp-nce', c, O.m365BusinessBasic);
    const { result, writes: w } = await writesOf(() => suspend(s._id, 'NON_PAYMENT'));
    const p = ok(result).suspendSubscription;
    expect(p.userErrors).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', rule: 'SUSP-NCE-SUPPORT', field: null })]);
    expect(p.userErrors[0]!.message).toMatch(/service request/);
    expect(p.userErrors[0]!.message).toMatch(/pauseSubscription/);
    expect(p.subscription).toMatchObject({ status: 'ACTIVE', usersHaveAccess: true });
    await expectNothingWritten(w);
    expect(await read(s._id)).toEqual(s);

    ok(await pause(s._id));
    const r = ok(await reactivate(s._id)).reactivateSubscription;
    expect(r.userErrors).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', rule: 'SUSP-NCE-SUPPORT' })]);
  });

  it('ADDON-CASCADE: suspending a legacy base suspends its active add-ons (CASCADE); reactivating restores only those, not an add-on the partner suspended itself', async () => {
    const c = await customer('addon-cascade-suspend');
    const base = await subscription('cascade-base', c, O.legacyO365E1);
    const withBase = await subscription('cascade-addon-a', c, O.legacyExtraFileStorage, { parentSubscriptionId: base._id, quantity: 100 });
    const own = await subscription('cascade-addon-b', c, O.legacyExtraFileStorage, { parentSubscriptionId: base._id, quantity: 50 });

    const byPartner = ok(await suspend(own._id, 'CUSTOMER_REQUEST')).suspendSubscription;
    expect(byPartner).toMatchObject({
      userErrors: [],
      subscription: null,
      addOn: { id: own._id, status: 'SUSPENDED', suspendedBy: 'PARTNER' },
    });
    const ownSuspended = (await read(own._id))!;

    const s = ok(await suspend(base._id, 'NON_PAYMENT')).suspendSubscription;
    const deletion = iso(new Date(NOW.getTime() + 104 * DAY));
    expect(s.userErrors).toEqual([]);
    expect(s.cascadedAddOns).toEqual([
      expect.objectContaining({
        id: withBase._id,
        status: 'SUSPENDED',
        suspendedBy: 'CASCADE',
        usersHaveAccess: false,
        suspensionReasons: ['NON_PAYMENT'],
        dataDeletionDate: deletion,
      }),
    ]);
    expect(s.subscription!.addOns).toEqual([
      expect.objectContaining({ id: withBase._id, status: 'SUSPENDED', suspendedBy: 'CASCADE' }),
      expect.objectContaining({ id: own._id, status: 'SUSPENDED', suspendedBy: 'PARTNER', suspensionReasons: ['CUSTOMER_REQUEST'] }),
    ]);
    await expectApplied(s.operationId, [base, withBase]);
    // The add-on the partner suspended itself was not written by the cascade.
    expect(await read(own._id)).toEqual(ownSuspended);

    // A cascade-suspended add-on is reactivated through its base only.
    const direct = ok(await reactivate(withBase._id)).reactivateSubscription;
    expect(direct.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_STATUS', rule: 'ADDON-CASCADE' })]);

    const baseSuspended = (await read(base._id))!;
    const withBaseSuspended = (await read(withBase._id))!;
    const r = ok(await reactivate(base._id)).reactivateSubscription;
    expect(r.userErrors).toEqual([]);
    expect(r.cascadedAddOns.map((a) => [a.id, a.status, a.suspendedBy])).toEqual([[withBase._id, 'ACTIVE', null]]);
    expect(r.subscription!.addOns.map((a) => [a.id, a.status, a.suspendedBy, a.usersHaveAccess])).toEqual([
      [withBase._id, 'ACTIVE', null, true],
      [own._id, 'SUSPENDED', 'PARTNER', false],
    ]);
    await expectApplied(r.operationId, [baseSuspended, withBaseSuspended]);
    expect(await read(own._id)).toEqual(ownSuspended);
  });
});

// =============================================================================================

describe('pauseSubscription and resumeSubscription (new commerce)', () => {
  it('PAUSE-EFFECT: pausing sets the subscription suspended by PAUSE at once, users lose access, and nothing is refunded (no ledger entry)', async () => {
    const c = await customer('pause-effect');
    const s = await subscription('pause-effect', c, O.m365BusinessBasic, { effectiveStartDate: ago(3 * DAY) });
    const p = ok(await pause(s._id, { roles: 'billing_admin' })).pauseSubscription;
    expect(p).toMatchObject({
      userErrors: [],
      charge: null,
      subscription: {
        status: 'SUSPENDED',
        suspendedBy: 'PAUSE',
        usersHaveAccess: false,
        suspensionReasons: ['NON_PAYMENT'],
        suspensionDate: iso(NOW),
        dataDeletionDate: null,
      },
    });
    expect(await gw.collections.ledger.countDocuments({ customerId: c })).toBe(0);
    expect(await read(s._id)).toMatchObject({ chargedCents: 72000 });
    await expectApplied(p.operationId, [s]);
  });

  it('PAUSE-EFFECT: a legacy subscription cannot be paused (it is suspended instead)', async () => {
    const c = await customer('pause-legacy');
    const s = await subscription('pause-legacy', c, O.legacyO365E1);
    const { result, writes: w } = await writesOf(() => pause(s._id));
    expect(ok(result).pauseSubscription.userErrors).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', rule: 'PAUSE-EFFECT' })]);
    await expectNothingWritten(w);
  });

  it('PAUSE-SIDE-EFFECTS: pausing turns auto-renew off and removes the scheduled change and the scheduled upgrade; ADDON-CASCADE: its add-on is paused with it', async () => {
    const c = await customer('pause-side-effects');
    const s = await subscription('pause-side', c, O.m365BusinessBasic, {
      effectiveStartDate: ago(5 * DAY),
      scheduledNextTermInstructions: { offerId: O.m365BusinessBasic, quantity: 7, billingCycle: 'annual', termDuration: 'P1Y' },
      scheduledUpgrade: { targetOfferId: O.m365BusinessStandard, quantity: 3, targetSubscriptionId: null },
    });
    const addOn = await subscription('pause-side-addon', c, O.teamsPhoneStandard, {
      parentSubscriptionId: s._id,
      quantity: 2,
      effectiveStartDate: ago(5 * DAY),
    });
    const p = ok(await pause(s._id)).pauseSubscription;
    expect(p).toMatchObject({
      userErrors: [],
      subscription: { status: 'SUSPENDED', autoRenewEnabled: false, scheduledNextTermInstructions: null, scheduledUpgrade: null },
    });
    expect(p.summary).toContain('scheduled changes were removed');
    expect(p.cascadedAddOns).toEqual([
      expect.objectContaining({ id: addOn._id, status: 'SUSPENDED', suspendedBy: 'CASCADE', autoRenewEnabled: false }),
    ]);
    await expectApplied(p.operationId, [s, addOn]);
  });

  it('PAUSE-RESUME: resuming restores access at once (and to the add-on paused with it); auto-renew stays off', async () => {
    const c = await customer('pause-resume');
    const s = await subscription('pause-resume', c, O.m365BusinessBasic, { effectiveStartDate: ago(3 * DAY) });
    const addOn = await subscription('pause-resume-addon', c, O.teamsPhoneStandard, {
      parentSubscriptionId: s._id,
      quantity: 2,
      effectiveStartDate: ago(3 * DAY),
    });
    ok(await pause(s._id));
    const paused = (await read(s._id))!;
    const pausedAddOn = (await read(addOn._id))!;
    const r = ok(await resume(s._id, { roles: 'global_admin' })).resumeSubscription;
    expect(r).toMatchObject({
      userErrors: [],
      subscription: { status: 'ACTIVE', usersHaveAccess: true, suspendedBy: null, suspensionReasons: [], autoRenewEnabled: false },
    });
    expect(r.cascadedAddOns.map((a) => [a.id, a.status, a.usersHaveAccess])).toEqual([[addOn._id, 'ACTIVE', true]]);
    expect(await gw.collections.ledger.countDocuments({ customerId: c })).toBe(0);
    await expectApplied(r.operationId, [paused, pausedAddOn]);
    const again = ok(await resume(s._id)).resumeSubscription;
    expect(again.userErrors).toEqual([expect.objectContaining({ code: 'NO_CHANGE', rule: 'PAUSE-RESUME' })]);
  });
});

// =============================================================================================

type CancelCase = {
  name: string;
  offerId: string;
  overrides: () => Partial<SubscriptionDoc>;
  /** Expected outcome; `refund` null: refused with `refusedBy`. */
  mode: 'IMMEDIATE' | 'AT_TERM_END' | null;
  rule: string;
  refund: number | null;
  /** CANCEL-WINDOW-SHOWN: the instant the shown cancellation window closes, and the refundable seats' window. */
  allowedUntil: (s: SubscriptionDoc) => Date | null;
  refundableUntil: (s: SubscriptionDoc) => Date | null;
};

const nce = (startAgoMs: number) => () => ({ effectiveStartDate: ago(startAgoMs) });
const isvLicence = (billingCycle: 'monthly' | 'annual', orderedAgoMs: number) => () => ({
  billingCycle,
  quantity: 5,
  orderedAt: ago(orderedAgoMs),
  creationDate: ago(orderedAgoMs),
  // Set-up was confirmed an hour after the order: ISV windows run from the order, not the start.
  effectiveStartDate: ago(orderedAgoMs - HOUR),
});
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);

const CANCEL_CASES: CancelCase[] = [
  {
    name: 'CANCEL-NCE-24H: 23h59m59.999s after the start, cancelling refunds the full 72000 cents',
    offerId: O.m365BusinessBasic,
    overrides: nce(DAY - 1),
    mode: 'IMMEDIATE',
    rule: 'CANCEL-NCE-24H',
    refund: 72000,
    allowedUntil: (s) => plus(s.effectiveStartDate, 30 * DAY),
    refundableUntil: (s) => plus(s.effectiveStartDate, DAY),
  },
  {
    name: 'CANCEL-NCE-30D: exactly 24 h after the start, cancelling refunds 72000 - round(72000 x 1/365) = 71803 cents',
    offerId: O.m365BusinessBasic,
    overrides: nce(DAY),
    mode: 'IMMEDIATE',
    rule: 'CANCEL-NCE-30D',
    refund: 71803,
    allowedUntil: (s) => plus(s.effectiveStartDate, 30 * DAY),
    refundableUntil: (s) => plus(s.effectiveStartDate, 30 * DAY),
  },
  {
    name: 'CANCEL-NCE-30D: 1 ms before 30 days, cancelling refunds 72000 - round(72000 x 30/365) = 66082 cents',
    offerId: O.m365BusinessBasic,
    overrides: nce(30 * DAY - 1),
    mode: 'IMMEDIATE',
    rule: 'CANCEL-NCE-30D',
    refund: 66082,
    allowedUntil: (s) => plus(s.effectiveStartDate, 30 * DAY),
    refundableUntil: (s) => plus(s.effectiveStartDate, 30 * DAY),
  },
  {
    name: 'CANCEL-NCE-AFTER: exactly 30 days after the start, cancelling is refused (WINDOW_CLOSED)',
    offerId: O.m365BusinessBasic,
    overrides: nce(30 * DAY),
    mode: null,
    rule: 'CANCEL-NCE-AFTER',
    refund: null,
    allowedUntil: () => null,
    refundableUntil: () => null,
  },
  {
    name: 'CANCEL-ISV-MONTHLY: 1 ms less than 24 h after the order, a monthly-billed ISV subscription is credited in full (19500 cents)',
    offerId: O.litwareBackup,
    overrides: isvLicence('monthly', DAY - 1),
    mode: 'IMMEDIATE',
    rule: 'CANCEL-ISV-MONTHLY',
    refund: 19500,
    allowedUntil: (s) => s.commitmentEndDate,
    refundableUntil: (s) => plus(s.orderedAt, DAY),
  },
  {
    name: 'CANCEL-ISV-MONTHLY: exactly 24 h after the order, the cancellation is scheduled for term end with no refund',
    offerId: O.litwareBackup,
    overrides: isvLicence('monthly', DAY),
    mode: 'AT_TERM_END',
    rule: 'CANCEL-ISV-MONTHLY',
    refund: 0,
    allowedUntil: (s) => s.commitmentEndDate,
    refundableUntil: () => null,
  },
  {
    name: 'CANCEL-ISV-ANNUAL: 1 ms less than 14 days after the order, an annually-billed ISV subscription is credited in full (19500 cents)',
    offerId: O.litwareBackup,
    overrides: isvLicence('annual', 14 * DAY - 1),
    mode: 'IMMEDIATE',
    rule: 'CANCEL-ISV-ANNUAL',
    refund: 19500,
    allowedUntil: (s) => s.commitmentEndDate,
    refundableUntil: (s) => plus(s.orderedAt, 14 * DAY),
  },
  {
    name: 'CANCEL-ISV-ANNUAL: exactly 14 days after the order, the cancellation is scheduled for term end with no refund',
    offerId: O.litwareBackup,
    overrides: isvLicence('annual', 14 * DAY),
    mode: 'AT_TERM_END',
    rule: 'CANCEL-ISV-ANNUAL',
    refund: 0,
    allowedUntil: (s) => s.commitmentEndDate,
    refundableUntil: () => null,
  },
  {
    name: 'CANCEL-ISV-USAGE: a usage-based ISV service is deprovisioned at once and never refunded, even 1 hour after the order',
    offerId: O.litwareBackupMetered,
    overrides: () => ({ termDuration: 'P1M', quantity: 1, effectiveStartDate: ago(HOUR) }),
    mode: 'IMMEDIATE',
    rule: 'CANCEL-ISV-USAGE',
    refund: 0,
    allowedUntil: (s) => s.commitmentEndDate,
    refundableUntil: () => null,
  },
];

describe('cancelSubscription', () => {
  for (const [i, k] of CANCEL_CASES.entries()) {
    it(`${k.name}; CANCEL-WINDOW-SHOWN: the quote, cancellationAllowedUntilDate and refundableQuantity shown before agree`, async () => {
      const c = await customer(`cancel-edge-${i}`);
      const s = await subscription(`cancel-edge-${i}`, c, k.offerId, k.overrides());
      const shown = ok(await view(s._id)).subscription!;
      const result = ok(await cancel(s._id)).cancelSubscription;
      const refundable = k.refundableUntil(s);
      const allowedUntil = k.allowedUntil(s);

      // CANCEL-WINDOW-SHOWN
      expect(shown.cancellationAllowedUntilDate).toBe(allowedUntil && iso(allowedUntil));
      expect(shown.refundableQuantity).toEqual(
        refundable
          ? { totalQuantity: s.quantity, details: [{ quantity: s.quantity, allowedUntilDateTime: iso(refundable) }] }
          : { totalQuantity: 0, details: [] },
      );

      if (k.mode === null) {
        expect(result.userErrors).toEqual([expect.objectContaining({ code: 'WINDOW_CLOSED', rule: k.rule, field: null })]);
        expect(result).toMatchObject({ operationId: null, mode: null, refund: null, subscription: { status: 'ACTIVE' } });
        expect(shown.cancellationQuote).toMatchObject({
          allowed: false,
          rule: k.rule,
          mode: null,
          refund: null,
          reason: result.userErrors[0]!.message,
        });
        expect(await read(s._id)).toEqual(s);
        return;
      }
      const effectiveDate = k.mode === 'IMMEDIATE' ? NOW : s.commitmentEndDate;
      expect(result).toMatchObject({
        userErrors: [],
        dryRun: false,
        mode: k.mode,
        rule: k.rule,
        refund: { amountInCents: k.refund, currencyCode: 'USD' },
        totalRefund: { amountInCents: k.refund },
        effectiveDate: iso(effectiveDate),
        addOnRefunds: [],
      });
      expect(shown.cancellationQuote).toEqual({
        allowed: true,
        mode: result.mode,
        rule: result.rule,
        reason: null,
        effectiveDate: result.effectiveDate,
        refund: { amountInCents: result.totalRefund!.amountInCents },
      });
      if (k.mode === 'IMMEDIATE') {
        // CANCEL-FINAL: access ends at once.
        expect(result.subscription).toMatchObject({
          status: 'DELETED',
          deletedReason: 'CANCELLED',
          deletionDate: iso(NOW),
          usersHaveAccess: false,
          autoRenewEnabled: false,
        });
        expect(await read(s._id)).toMatchObject({ chargedCents: s.chargedCents - k.refund! });
      } else {
        expect(result.subscription).toMatchObject({
          status: 'ACTIVE',
          cancelAtTermEnd: true,
          autoRenewEnabled: false,
          usersHaveAccess: true,
          deletedReason: null,
        });
      }
      const ledger = await ledgerOf(s._id);
      expect(ledger.map((e) => [e._id, e.amountCents, e.kind, e.ruleId])).toEqual(
        k.refund! > 0 ? [[`${result.operationId}:1`, -k.refund!, 'refund', k.rule]] : [],
      );
      await expectApplied(result.operationId, [s]);
    });
  }

  it('CANCEL-FINAL: a dry run changes nothing (same document, no ledger, audit, journal or lock write); the cancellation then deletes it and cannot be repeated', async () => {
    const c = await customer('cancel-final');
    const s = await subscription('cancel-final', c, O.m365BusinessBasic, { effectiveStartDate: ago(2 * DAY) });
    const counts = async () => ({
      ledger: await gw.collections.ledger.countDocuments(),
      audit: await gw.collections.auditEvents.countDocuments({ outcome: { $ne: 'refused' } }),
      operations: await gw.collections.operations.countDocuments(),
      locks: await gw.collections.locks.countDocuments(),
    });
    const before = await counts();
    const { result, writes: w } = await writesOf(() => cancel(s._id, true));
    const quote = ok(result).cancelSubscription;
    // 2 days used: 72000 - round(72000 x 2/365) = 72000 - 395 = 71605.
    expect(quote).toMatchObject({
      userErrors: [],
      dryRun: true,
      operationId: null,
      mode: 'IMMEDIATE',
      rule: 'CANCEL-NCE-30D',
      refund: { amountInCents: 71605 },
      subscription: { status: 'ACTIVE', usersHaveAccess: true },
    });
    expect(w).toEqual([]);
    expect(await read(s._id)).toEqual(s);
    expect(await counts()).toEqual(before);

    const done = ok(await cancel(s._id)).cancelSubscription;
    expect(done).toMatchObject({
      userErrors: [],
      dryRun: false,
      refund: { amountInCents: 71605 },
      subscription: { status: 'DELETED', deletedReason: 'CANCELLED' },
    });
    await expectApplied(done.operationId, [s]);
    const deleted = (await read(s._id))!;

    const { result: again, writes: w2 } = await writesOf(() => cancel(s._id));
    expect(ok(again).cancelSubscription.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_STATUS', rule: 'CANCEL-FINAL' })]);
    await expectNothingWritten(w2);
    expect(await read(s._id)).toEqual(deleted);
    expect((await ledgerOf(s._id)).map((e) => e.amountCents)).toEqual([-71605]);
  });

  it('CANCEL-FINAL: a cancellation scheduled for term end cannot be repeated nor undone by turning auto-renew on', async () => {
    const c = await customer('cancel-final-term-end');
    const s = await subscription('cancel-final-term-end', c, O.litwareBackup, isvLicence('monthly', 2 * DAY)());
    expect(ok(await cancel(s._id)).cancelSubscription).toMatchObject({ userErrors: [], mode: 'AT_TERM_END' });
    const scheduled = (await read(s._id))!;
    expect(ok(await cancel(s._id)).cancelSubscription.userErrors).toEqual([
      expect.objectContaining({ code: 'NO_CHANGE', rule: 'CANCEL-FINAL' }),
    ]);
    expect(ok(await update({ subscriptionId: s._id, autoRenewEnabled: true })).updateSubscription.userErrors).toEqual([
      expect.objectContaining({ rule: 'CANCEL-FINAL', field: ['input', 'autoRenewEnabled'] }),
    ]);
    expect(await read(s._id)).toEqual(scheduled);
  });

  it('ADDON-CASCADE: cancelling a base 2 days in cancels its add-on too; the base refunds 71605 (CANCEL-NCE-30D), the 12-hour-old add-on its full 28642 (CANCEL-NCE-24H) in addOnRefunds', async () => {
    const c = await customer('cancel-cascade');
    const s = await subscription('cancel-cascade', c, O.m365BusinessBasic, { effectiveStartDate: ago(2 * DAY) });
    const a = await subscription('cancel-cascade-addon', c, O.teamsPhoneStandard, {
      parentSubscriptionId: s._id,
      quantity: 3,
      effectiveStartDate: ago(12 * HOUR),
      commitmentEndDate: s.commitmentEndDate,
      // ADDON-ALIGN: 3 x 9600 x 363/365 = 28642.2 -> 28642.
      chargedCents: 28642,
    });
    const shown = ok(await view(s._id)).subscription!;
    const p = ok(await cancel(s._id)).cancelSubscription;
    expect(p).toMatchObject({
      userErrors: [],
      mode: 'IMMEDIATE',
      rule: 'CANCEL-NCE-30D',
      refund: { amountInCents: 71605 },
      totalRefund: { amountInCents: 71605 + 28642 },
      addOnRefunds: [{ addOnId: a._id, rule: 'CANCEL-NCE-24H', refund: { amountInCents: 28642 } }],
      subscription: { status: 'DELETED', addOns: [{ id: a._id, status: 'DELETED', deletedReason: 'CANCELLED', usersHaveAccess: false }] },
    });
    // CANCEL-WINDOW-SHOWN: the quote covers the base and its add-ons.
    expect(shown.cancellationQuote).toMatchObject({ allowed: true, rule: 'CANCEL-NCE-30D', refund: { amountInCents: 71605 + 28642 } });
    expect((await ledgerOf(a._id)).map((e) => [e.amountCents, e.ruleId])).toEqual([[-28642, 'CANCEL-NCE-24H']]);
    await expectApplied(p.operationId, [s, a]);
  });

  it('CANCEL-NCE-24H: an add-on cancelled on its own 12 hours after its start is refunded in full (28642); its base is untouched', async () => {
    const c = await customer('cancel-addon-alone');
    const s = await subscription('cancel-addon-alone', c, O.m365BusinessBasic, { effectiveStartDate: ago(2 * DAY) });
    const a = await subscription('cancel-addon-alone-addon', c, O.teamsPhoneStandard, {
      parentSubscriptionId: s._id,
      quantity: 3,
      effectiveStartDate: ago(12 * HOUR),
      commitmentEndDate: s.commitmentEndDate,
      chargedCents: 28642,
    });
    const p = ok(await cancel(a._id)).cancelSubscription;
    expect(p).toMatchObject({
      userErrors: [],
      rule: 'CANCEL-NCE-24H',
      refund: { amountInCents: 28642 },
      totalRefund: { amountInCents: 28642 },
      addOnRefunds: [],
      subscription: null,
      addOn: { id: a._id, status: 'DELETED', deletedReason: 'CANCELLED' },
    });
    expect(await read(s._id)).toEqual(s);
    expect(await ledgerOf(s._id)).toEqual([]);
    expect(ok(await gw.execute(ScAddOnDocument, { id: a._id }, ADMIN)).addOn).toMatchObject({ status: 'DELETED', usersHaveAccess: false });
    await expectApplied(p.operationId, [a]);
  });

  it('ADDON-CASCADE: cancelling a paused base refunds the add-on paused with it under its own window (CANCEL-NCE-24H: 28642), as if it were not paused', async () => {
    const c = await customer('cancel-paused-cascade');
    const s = await subscription('cancel-paused-cascade', c, O.m365BusinessBasic, { effectiveStartDate: ago(2 * DAY) });
    const a = await subscription('cancel-paused-cascade-addon', c, O.teamsPhoneStandard, {
      parentSubscriptionId: s._id,
      quantity: 3,
      effectiveStartDate: ago(12 * HOUR),
      commitmentEndDate: s.commitmentEndDate,
      chargedCents: 28642,
    });
    const paused = ok(await pause(s._id)).pauseSubscription;
    expect(paused.cascadedAddOns).toEqual([expect.objectContaining({ id: a._id, suspendedBy: 'CASCADE' })]);
    const shown = ok(await view(s._id)).subscription!;
    const p = ok(await cancel(s._id)).cancelSubscription;
    expect(p).toMatchObject({ userErrors: [], rule: 'CANCEL-NCE-30D', refund: { amountInCents: 71605 } });
    expect(p.subscription!.addOns).toEqual([expect.objectContaining({ id: a._id, status: 'DELETED', deletedReason: 'CANCELLED' })]);
    expect(p.addOnRefunds).toEqual([{ addOnId: a._id, rule: 'CANCEL-NCE-24H', refund: { amountInCents: 28642 } }]);
    expect(p.totalRefund).toEqual({ amountInCents: 71605 + 28642 });
    expect(shown.cancellationQuote.refund).toEqual({ amountInCents: 71605 + 28642 });
  });
});

// =============================================================================================

describe('confirmFulfillment', () => {
  it('CAT-ISV-FULFILMENT: the publisher confirming set-up activates the ISV subscription, starts its term now and charges its first month (BILL-MONTHLY: 19500 / 12 = 1625, ledger); confirming twice is refused', async () => {
    const c = await customer('fulfilment');
    const bought = ok(
      await gw.execute(
        ScPurchaseDocument,
        { input: { customerId: c, lineItems: [{ offerId: O.litwareBackup, quantity: 5, billingCycle: 'MONTHLY', termDuration: 'P1Y' }] } },
        ADMIN,
      ),
    ).purchase;
    expect(bought.userErrors).toEqual([]);
    const sub = bought.subscriptions[0]!;
    expect(sub).toMatchObject({ status: 'PENDING', fulfilmentStatus: 'ACTION_NEEDED', attentionNeeded: true });
    expect(await ledgerOf(sub.id)).toEqual([]);
    const pending = (await read(sub.id))!;

    const p = ok(await confirm(sub.id)).confirmFulfillment;
    expect(p).toMatchObject({
      userErrors: [],
      charge: { amountInCents: 1625, currencyCode: 'USD' },
      subscription: {
        status: 'ACTIVE',
        fulfilmentStatus: 'FULFILLED',
        attentionNeeded: false,
        usersHaveAccess: true,
        effectiveStartDate: iso(NOW),
        commitmentEndDate: iso(addTerm(NOW, 'P1Y')),
      },
    });
    expect(await ledgerOf(sub.id)).toEqual([
      expect.objectContaining({
        _id: `${p.operationId}:1`,
        amountCents: 1625,
        kind: 'charge',
        ruleId: 'CAT-ISV-FULFILMENT',
        orderId: pending.orderId,
      }),
    ]);
    expect(await read(sub.id)).toMatchObject({ chargedCents: 1625 });
    await expectApplied(p.operationId, [pending]);

    const { result, writes: w } = await writesOf(() => confirm(sub.id));
    expect(ok(result).confirmFulfillment.userErrors).toEqual([expect.objectContaining({ code: 'NO_CHANGE', rule: 'CAT-ISV-FULFILMENT' })]);
    await expectNothingWritten(w);
  });
});

// =============================================================================================

describe('roles, tenants and input errors', () => {
  for (const role of ['admin_agent', 'billing_admin', 'global_admin', 'helpdesk_agent', 'sales_agent']) {
    it(`ROLE-SUBSCRIPTIONS: the role ${role} may edit a Microsoft subscription`, async () => {
      const c = await customer(`role-ok-${role}`);
      const s = await subscription(`role-ok-${role}`, c, O.m365BusinessBasic);
      const p = ok(await update({ subscriptionId: s._id, friendlyName: `Renamed by ${role}` }, { roles: role })).updateSubscription;
      expect(p).toMatchObject({ userErrors: [], subscription: { friendlyName: `Renamed by ${role}` } });
      await expectApplied(p.operationId, [s]);
    });
  }

  for (const { who, roles } of [
    { who: 'a caller with no role', roles: undefined },
    { who: 'an account admin', roles: 'account_admin' },
  ]) {
    it(`ROLE-SUBSCRIPTIONS: ${who} gets a top-level FORBIDDEN error from every subscription mutation, and nothing is written`, async () => {
      const c = await customer(`role-forbidden-${roles ?? 'none'}`);
      const s = await subscription(`role-forbidden-${roles ?? 'none'}`, c, O.legacyO365E1);
      const as: CallOptions = roles ? { roles } : {};
      const calls: (() => Promise<GraphQLResponse<unknown>>)[] = [
        () => update({ subscriptionId: s._id, quantity: 11 }, as),
        () => suspend(s._id, 'FRAUD', as),
        () => reactivate(s._id, as),
        () => pause(s._id, as),
        () => resume(s._id, as),
        () => cancel(s._id, false, as),
        () => cancel(s._id, true, as),
      ];
      for (const call of calls) {
        const { result, writes: w } = await writesOf(call);
        expect(result.status).toBe(200);
        expect(result.data).toBeNull();
        expect(result.errors).toHaveLength(1);
        expect(result.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'ROLE-SUBSCRIPTIONS' });
        expect(result.errors![0]!.message).toMatch(
          /you need one of the roles admin agent, billing admin, global admin, helpdesk agent, sales agent/,
        );
        await expectNothingWritten(w);
      }
      expect(await read(s._id)).toEqual(s);
      expect(await gw.collections.auditEvents.countDocuments({ customerId: c })).toBe(0);
    });
  }

  it('ROLE-MARKETPLACE: a billing admin cancelling an ISV subscription is FORBIDDEN; an admin agent may cancel it', async () => {
    const c = await customer('role-marketplace');
    const s = await subscription('role-marketplace', c, O.litwareBackup, isvLicence('monthly', HOUR)());
    const { result, writes: w } = await writesOf(() => cancel(s._id, false, { roles: 'billing_admin' }));
    expect(result.data).toBeNull();
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'ROLE-MARKETPLACE' });
    await expectNothingWritten(w);
    expect(await read(s._id)).toEqual(s);

    const p = ok(await cancel(s._id, false, { roles: 'admin_agent' })).cancelSubscription;
    expect(p).toMatchObject({
      userErrors: [],
      rule: 'CANCEL-ISV-MONTHLY',
      refund: { amountInCents: 19500 },
      subscription: { status: 'DELETED' },
    });
    await expectApplied(p.operationId, [s]);
  });

  it('ROLE-MARKETPLACE: confirming a fulfilment needs global admin or admin agent; a billing admin is FORBIDDEN', async () => {
    const c = await customer('role-marketplace-confirm');
    const s = await subscription('role-marketplace-confirm', c, O.litwareBackup, {
      status: 'pending',
      chargedCents: 0,
      fulfilment: { status: 'action_needed', activationLink: 'https://marketplace.example/y/activate?token=b', authorizationCode: 'b' },
    });
    const { result, writes: w } = await writesOf(() => confirm(s._id, { roles: 'billing_admin' }));
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'ROLE-MARKETPLACE' });
    await expectNothingWritten(w);
    expect(await read(s._id)).toEqual(s);
  });

  it('ROLE-MARKETPLACE: a billing admin cannot read the ISV subscription (FORBIDDEN); its activation link is shown to a global admin', async () => {
    const c = await customer('role-activation-link');
    const link = 'https://marketplace.example/dzh318z0bxwc/activate?token=secret';
    const s = await subscription('role-activation-link', c, O.litwareBackup, {
      status: 'pending',
      chargedCents: 0,
      fulfilment: { status: 'action_needed', activationLink: link, authorizationCode: 'secret' },
    });
    expect((await view(s._id, { roles: 'billing_admin' })).errors?.[0]?.extensions).toEqual({
      code: 'FORBIDDEN',
      rule: 'ROLE-MARKETPLACE',
    });
    expect(ok(await view(s._id, { roles: 'global_admin' })).subscription!.activationLink).toBe(link);
    expect(ok(await view(s._id, { roles: 'admin_agent' })).subscription!.activationLink).toBe(link);
  });

  it("ROLE-TENANT: another partner's subscription ID is NOT_FOUND exactly like an unknown ID, for every mutation, and the other partner's document is unchanged", async () => {
    const foreignCustomer = await customer('tenant-fabrikam', { partnerId: FABRIKAM });
    const foreign = await subscription('tenant-fabrikam', foreignCustomer, O.legacyO365E1, { partnerId: FABRIKAM });
    const unknown = guid('sc-no-such-subscription');
    const shape = (
      r: { status: number; data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] },
      id: string,
    ) => ({
      status: r.status,
      data: r.data,
      errors: r.errors?.map((e) => ({
        message: e.message.replaceAll(id, '<id>'),
        extensions: JSON.parse(JSON.stringify(e.extensions).replaceAll(id, '<id>')) as unknown,
      })),
    });
    const mutations: ((id: string) => Promise<GraphQLResponse<unknown>>)[] = [
      (id: string) => update({ subscriptionId: id, friendlyName: 'Hijacked' }),
      (id: string) => suspend(id, 'FRAUD'),
      (id: string) => reactivate(id),
      (id: string) => pause(id),
      (id: string) => resume(id),
      (id: string) => cancel(id),
      (id: string) => cancel(id, true),
      (id: string) => confirm(id),
    ];
    for (const m of mutations) {
      const { result: other, writes: w } = await writesOf(() => m(foreign._id));
      const none = await m(unknown);
      expect(shape(other, foreign._id)).toEqual(shape(none, unknown));
      expect(other.errors).toEqual([
        expect.objectContaining({
          message: `No subscription with ID '${foreign._id}' exists for this partner`,
          extensions: { code: 'NOT_FOUND', kind: 'subscription', id: foreign._id },
        }),
      ]);
      expect(w).toEqual([]);
    }
    expect(await read(foreign._id)).toEqual(foreign);
    // Fabrikam itself still sees and changes it.
    const own = ok(
      await update({ subscriptionId: foreign._id, friendlyName: 'Fabrikam rename' }, { partner: FABRIKAM, roles: 'admin_agent' }),
    );
    expect(own.updateSubscription).toMatchObject({ userErrors: [], subscription: { friendlyName: 'Fabrikam rename' } });
  });

  it("input errors: a malformed subscriptionId is BAD_USER_INPUT naming argument 'input.subscriptionId' for every mutation, never a 500", async () => {
    const bad = 'not-a-subscription-id';
    const mutations: (() => Promise<GraphQLResponse<unknown>>)[] = [
      () => update({ subscriptionId: bad, friendlyName: 'x' }),
      () => suspend(bad),
      () => reactivate(bad),
      () => pause(bad),
      () => resume(bad),
      () => cancel(bad),
      () => cancel(bad, true),
      () => confirm(bad),
    ];
    for (const m of mutations) {
      const { result: r, writes: w } = await writesOf(m);
      expect(r.status).not.toBe(500);
      expect(r.data).toBeNull();
      expect(r.errors).toEqual([
        expect.objectContaining({
          message: `Argument 'input.subscriptionId' must be a subscription ID (GUID), but got '${bad}'`,
          extensions: { code: 'BAD_USER_INPUT', argumentName: 'input', field: 'input.subscriptionId' },
        }),
      ]);
      expect(w).toEqual([]);
    }
  });

  it('input errors: an unknown suspension reason (GEN-REASON) and a quantity of 0 are client errors, never a 500', async () => {
    const c = await customer('input-errors');
    const s = await subscription('input-errors', c, O.legacyO365E1);
    const r = await gw.execute(ScSuspendDocument, { input: { subscriptionId: s._id, reason: 'BORED' as 'FRAUD' } }, ADMIN);
    expect(r.status).toBeLessThan(500);
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const q = ok(await update({ subscriptionId: s._id, quantity: 0 })).updateSubscription;
    expect(q.userErrors).toEqual([expect.objectContaining({ code: 'LIMIT_EXCEEDED', rule: 'SUB-EDIT', field: ['input', 'quantity'] })]);
    expect(await read(s._id)).toEqual(s);
  });
});

// =============================================================================================

describe('exact database writes', () => {
  /** The lock the write path takes for a customer, with the holder it used. */
  function lockOf(w: Write[]): { key: string; holder: string } {
    const doc = w[0]!.command.documents[0] as { _id: string; holder: string };
    return { key: doc._id, holder: doc.holder };
  }

  it('SUB-QTY-INCREASE: one seat increase sends exactly: lock insert, journal insert, version-conditional update, ledger and audit inserts <op>:<n>, journal done, lock delete', async () => {
    const c = await customer('writes-update');
    const s = await subscription('writes-update', c, O.m365BusinessBasic, { effectiveStartDate: ago(10 * DAY) });
    const { result, writes: w } = await writesOf(() => update({ subscriptionId: s._id, quantity: 15 }));
    const p = ok(result).updateSubscription;
    const op = p.operationId!;
    expect(p.charge).toEqual({ amountInCents: 35014, currencyCode: 'USD' });

    expect(w.map((x) => x.op)).toEqual([
      'locks:insert',
      'operations:insert',
      'subscriptions:update',
      'ledger:insert',
      'auditEvents:insert',
      // Its event (subscription-updated), then the partner's sequence hint (src/write/event-log.ts).
      'events:insert',
      'eventSequences:update',
      'operations:update',
      'locks:delete',
    ]);
    const lock = lockOf(w);
    expect(lock.key).toBe(`customer:${c}`);
    expect(w[1]!.command.documents).toEqual([
      expect.objectContaining({
        _id: op,
        partnerId: CONTOSO,
        customerId: c,
        kind: 'update_subscription',
        status: 'pending',
        applied: 0,
        at: NOW,
      }),
    ]);
    expect(w[1]!.command.documents[0].effects.map((e: { kind: string }) => e.kind)).toEqual(['update', 'ledger', 'audit', 'event']);
    expect(w[2]!.command.updates).toEqual([
      expect.objectContaining({
        q: { _id: s._id, version: 1 },
        u: {
          $set: expect.objectContaining({ quantity: 15, chargedCents: 107014, updatedAt: NOW, lastOperationId: op }),
          $inc: { version: 1 },
        },
      }),
    ]);
    expect(w[3]!.command.documents).toEqual([
      expect.objectContaining({
        _id: `${op}:1`,
        operationId: op,
        amountCents: 35014,
        kind: 'prorated_charge',
        ruleId: 'SUB-QTY-INCREASE',
        source: { type: 'subscription', id: s._id },
      }),
    ]);
    expect(w[4]!.command.documents).toEqual([
      expect.objectContaining({ _id: `${op}:2`, operationType: 'update_subscription', resourceId: s._id, customerId: c, at: NOW }),
    ]);
    expect(w[5]!.command.documents).toEqual([
      expect.objectContaining({
        _id: `${op}:3`,
        operationId: op,
        type: 'subscription-updated',
        resourceId: s._id,
        seq: expect.any(Number),
      }),
    ]);
    expect(w[6]!.command.updates).toEqual([
      expect.objectContaining({
        q: { _id: CONTOSO },
        u: { $max: { seq: w[5]!.command.documents[0].seq }, $setOnInsert: { partnerId: CONTOSO } },
        upsert: true,
      }),
    ]);
    expect(w[7]!.command.updates).toEqual([
      expect.objectContaining({ q: { _id: op }, u: { $set: expect.objectContaining({ status: 'done', applied: 4 }) } }),
    ]);
    expect(w[8]!.command.deletes).toEqual([expect.objectContaining({ q: { _id: lock.key, holder: lock.holder } })]);

    const after = (await read(s._id))!;
    expect(after.version).toBe(s.version + 1);
    expect(after.lastOperationId).toBe(op);
    await expectApplied(op, [s]);
  });

  it('ADDON-CASCADE: one cancellation of a base with an add-on sends exactly: lock, journal, two version-conditional updates, two refunds and one audit <op>:<n>, journal done, lock delete', async () => {
    const c = await customer('writes-cancel');
    const s = await subscription('writes-cancel', c, O.m365BusinessBasic, { effectiveStartDate: ago(2 * DAY) });
    const a = await subscription('writes-cancel-addon', c, O.teamsPhoneStandard, {
      parentSubscriptionId: s._id,
      quantity: 3,
      effectiveStartDate: ago(12 * HOUR),
      commitmentEndDate: s.commitmentEndDate,
      chargedCents: 28642,
    });
    const { result, writes: w } = await writesOf(() => cancel(s._id));
    const p = ok(result).cancelSubscription;
    const op = p.operationId!;
    expect(p).toMatchObject({
      totalRefund: { amountInCents: 100247 },
      addOnRefunds: [{ addOnId: a._id, refund: { amountInCents: 28642 } }],
    });

    expect(w.map((x) => x.op)).toEqual([
      'locks:insert',
      'operations:insert',
      'subscriptions:update',
      'subscriptions:update',
      'ledger:insert',
      'ledger:insert',
      'auditEvents:insert',
      // One event per subscription, then the partner's sequence hint once (src/write/event-log.ts).
      'events:insert',
      'events:insert',
      'eventSequences:update',
      'operations:update',
      'locks:delete',
    ]);
    const lock = lockOf(w);
    expect(lock.key).toBe(`customer:${c}`);
    expect(w[1]!.command.documents).toEqual([
      expect.objectContaining({ _id: op, kind: 'cancel_subscription', status: 'pending', customerId: c }),
    ]);
    const deleted = { status: 'deleted', deletedReason: 'cancelled', deletedAt: NOW, autoRenewEnabled: false, lastOperationId: op };
    expect(w[2]!.command.updates).toEqual([
      expect.objectContaining({
        q: { _id: s._id, version: 1 },
        u: { $set: expect.objectContaining({ ...deleted, chargedCents: 72000 - 71605 }), $inc: { version: 1 } },
      }),
    ]);
    expect(w[3]!.command.updates).toEqual([
      expect.objectContaining({
        q: { _id: a._id, version: 1 },
        u: { $set: expect.objectContaining({ ...deleted, chargedCents: 0 }), $inc: { version: 1 } },
      }),
    ]);
    expect(w[4]!.command.documents).toEqual([
      expect.objectContaining({
        _id: `${op}:2`,
        operationId: op,
        amountCents: -71605,
        kind: 'refund',
        ruleId: 'CANCEL-NCE-30D',
        source: { type: 'subscription', id: s._id },
      }),
    ]);
    expect(w[5]!.command.documents).toEqual([
      expect.objectContaining({
        _id: `${op}:3`,
        operationId: op,
        amountCents: -28642,
        kind: 'refund',
        ruleId: 'CANCEL-NCE-24H',
        source: { type: 'subscription', id: a._id },
      }),
    ]);
    expect(w[6]!.command.documents).toEqual([
      expect.objectContaining({ _id: `${op}:4`, operationType: 'cancel_subscription', resourceId: s._id }),
    ]);
    expect([w[7]!.command.documents, w[8]!.command.documents]).toEqual([
      [expect.objectContaining({ _id: `${op}:5`, type: 'subscription-updated', resourceId: s._id })],
      [expect.objectContaining({ _id: `${op}:6`, type: 'subscription-updated', resourceId: a._id })],
    ]);
    expect(w[10]!.command.updates).toEqual([
      expect.objectContaining({ q: { _id: op }, u: { $set: expect.objectContaining({ status: 'done', applied: 7 }) } }),
    ]);
    expect(w[11]!.command.deletes).toEqual([expect.objectContaining({ q: { _id: lock.key, holder: lock.holder } })]);

    for (const before of [s, a]) {
      const after = (await read(before._id))!;
      expect(after.version).toBe(before.version + 1);
      expect(after.lastOperationId).toBe(op);
    }
    await expectApplied(op, [s, a]);
  });
});
