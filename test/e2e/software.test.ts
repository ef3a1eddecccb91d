import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerDoc } from '../../src/db/documents.js';
import { exampleOperations, runWithSetup, type GraphQLAnswer, type GraphQLRequest } from '../../src/graphiql/examples.js';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { seedWorld } from '../../src/seed/generate.js';
import { demoExampleIds } from '../../src/app/server.js';
import {
  SwActivityLogDocument,
  SwAdvanceClockDocument,
  SwCancelDocument,
  SwClockDocument,
  SwCustomerOrdersDocument,
  SwGetKeyDocument,
  SwOrderDocument,
  SwPurchaseDocument,
  SwSupportRequestDocument,
  type CancelSoftwareOrderInput,
  type CreateSupportRequestInput,
  type GetSoftwareKeyInput,
  type PurchaseSoftwareInput,
} from '../generated/graphql.js';
import { aCustomer, guid } from '../support/fixtures.js';
import { startTestGateway, type CallOptions, type GraphQLResponse, type TestGateway } from '../support/gateway.js';

/*
 * Software purchases end to end through GraphQL against the real database: buy, get keys (logged),
 * read the activity log, cancel (with its delay on the simulation clock) and ask for a refund.
 * One gateway for the file; Contoso's clock is advanced here (GEN-CLOCK: clocks are per partner
 * and this file has a database of its own), so every test buys its own order at the clock as it is
 * and measures from there. Prices (src/seed/catalog.ts): Windows Server 2022 Datacenter 6155.00 a
 * pack; SQL Server 2022 Standard 1-year subscription 1870.00; SUSE Linux Enterprise Server 799.00.
 */

const ADMIN: CallOptions = { roles: 'admin_agent' };
const GLOBAL: CallOptions = { roles: 'global_admin' };
const O = OFFER_IDS;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway(async (cols) => {
    await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
  });
});
afterAll(() => gw?.close());

// ---------------------------------------------------------------------------------------------
// World and calls

async function customer(label: string, overrides: Partial<CustomerDoc> = {}): Promise<CustomerDoc> {
  const doc = aCustomer({ _id: guid(`sw-customer-${label}`), companyName: `Sw ${label}`, ...overrides });
  await gw.collections.customers.insertOne(doc);
  return doc;
}

/** Fails with the response's errors, so an unexpected error reads plainly in the test output. */
function ok<R>(r: GraphQLResponse<R>): R {
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  expect(r.status).toBe(200);
  return r.data!;
}

/** The single top-level error of a response. */
function error(r: GraphQLResponse<unknown>) {
  expect(r.data ?? null).toBeNull();
  expect(r.errors).toHaveLength(1);
  return r.errors![0]!;
}

const now = async () => new Date(ok(await gw.execute(SwClockDocument, {}, ADMIN)).simulationClock.now);
const advance = async (by: string) =>
  expect(ok(await gw.execute(SwAdvanceClockDocument, { by }, ADMIN)).advanceClock.userErrors).toEqual([]);
const purchase = (input: PurchaseSoftwareInput, as = ADMIN) => gw.execute(SwPurchaseDocument, { input }, as);
const getKey = (input: GetSoftwareKeyInput, as = ADMIN) => gw.execute(SwGetKeyDocument, { input }, as);
const cancel = (input: CancelSoftwareOrderInput, as = ADMIN) => gw.execute(SwCancelDocument, { input }, as);
const view = async (id: string, as = ADMIN) => ok(await gw.execute(SwOrderDocument, { id }, as)).softwareOrder!;
const customerView = async (id: string) => ok(await gw.execute(SwCustomerOrdersDocument, { id }, ADMIN)).customer!;
const supportRequest = (input: CreateSupportRequestInput, as = ADMIN) => gw.execute(SwSupportRequestDocument, { input }, as);
const activityLog = (from: Date, to: Date, as: CallOptions = GLOBAL, page: { first?: number; after?: string } = {}) =>
  gw.execute(SwActivityLogDocument, { from: from.toISOString(), to: to.toISOString(), ...page }, as);

/** Buys software as an admin agent and returns the order. */
async function bought(customerId: string, offerId: string, quantity = 1, languages?: string[]) {
  const p = ok(await purchase({ customerId, offerId, quantity, ...(languages ? { languages } : {}) })).purchaseSoftware;
  expect(p.userErrors).toEqual([]);
  return p.softwareOrder!;
}

const WINDOWS_VERSION = 'Windows Server 2022 Datacenter';

// =============================================================================================

describe('purchaseSoftware (SW-PRICE, PRICE-TAX, ROLE-SOFTWARE)', () => {
  it('SW-PRICE: an order costs the price times the quantity, charged to the ledger against the software order; prices exclude tax in the US', async () => {
    const c = await customer('price-us');
    const p = ok(await purchase({ customerId: c._id, offerId: O.windowsServer2022Datacenter, quantity: 2 })).purchaseSoftware;
    expect(p).toMatchObject({
      userErrors: [],
      dryRun: false,
      amount: { amountInCents: 1_231_000, currencyCode: 'USD' },
      pricesIncludeTax: false,
    });
    expect(p.operationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.softwareOrder).toMatchObject({
      offerId: O.windowsServer2022Datacenter,
      softwareKind: 'PERPETUAL',
      quantity: 2,
      status: 'ACTIVE',
      termEndDate: null,
      cancellationDate: null,
      cancellationVisibleAt: null,
      cancellationPending: false,
      amount: { amountInCents: 1_231_000 },
      keys: [{ productVersion: WINDOWS_VERSION, language: 'en-us', bitness: 'X64', keyType: 'MAK' }],
    });
    expect(p.softwareOrder!.id).toMatch(/^[0-9a-f]{12}$/);
    const view = await customerView(c._id);
    expect(view.softwareOrders.nodes.map((n) => n.id)).toEqual([p.softwareOrder!.id]);
    expect(view.ledger.nodes).toEqual([
      {
        kind: 'CHARGE',
        ruleId: 'SW-PRICE',
        sourceType: 'SOFTWARE_ORDER',
        sourceId: p.softwareOrder!.id,
        amount: { amountInCents: 1_231_000 },
      },
    ]);
  });

  it('SW-PRICE, PRICE-TAX: for a customer billed in Australia the order says its prices include tax', async () => {
    const c = await customer('price-au', { billingCountry: 'AU' });
    const p = ok(await purchase({ customerId: c._id, offerId: O.windowsServer2022Datacenter })).purchaseSoftware;
    expect(p).toMatchObject({ pricesIncludeTax: true, softwareOrder: { pricesIncludeTax: true }, amount: { amountInCents: 615_500 } });
  });

  it('SW-KEYS: a software subscription ends one year after purchase; keys come per language and bitness (Office: x64 and x86)', async () => {
    const c = await customer('keys-office');
    const sql = await bought(c._id, O.sqlServer2022StandardSub1Y);
    const start = new Date(sql.purchaseDate);
    expect(sql.softwareKind).toBe('SUBSCRIPTION');
    expect(new Date(sql.termEndDate!).getUTCFullYear()).toBe(start.getUTCFullYear() + 1);
    const office = await bought(c._id, O.officeLtscProPlus2021, 1, ['en-us', 'nl-nl']);
    expect(office.keys.map((k) => `${k.language} ${k.bitness}`)).toEqual(['en-us X64', 'en-us X86', 'nl-nl X64', 'nl-nl X86']);
  });

  it('SW-PRICE: dryRun quotes the order and writes nothing', async () => {
    const c = await customer('dry-run');
    const p = ok(await purchase({ customerId: c._id, offerId: O.windowsServer2022Datacenter, dryRun: true })).purchaseSoftware;
    expect(p).toMatchObject({ dryRun: true, operationId: null, userErrors: [], amount: { amountInCents: 615_500 } });
    expect(await gw.collections.softwareOrders.countDocuments({ customerId: c._id })).toBe(0);
    expect(await gw.collections.ledger.countDocuments({ customerId: c._id })).toBe(0);
  });

  it('ROLE-SOFTWARE: a billing admin buying software gets a top-level FORBIDDEN error naming the rule; a global admin may buy', async () => {
    const c = await customer('role-software');
    const e = error(await purchase({ customerId: c._id, offerId: O.windowsServer2022Datacenter }, { roles: 'billing_admin' }));
    expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'ROLE-SOFTWARE' });
    expect(await gw.collections.softwareOrders.countDocuments({ customerId: c._id })).toBe(0);
    expect(ok(await purchase({ customerId: c._id, offerId: O.windowsServer2022Datacenter }, GLOBAL)).purchaseSoftware.userErrors).toEqual(
      [],
    );
  });

  it('CAT-FILTER, CAT-CART: an offer outside the segment, a quantity out of bounds and a subscription offer come back as userErrors', async () => {
    const c = await customer('refusals', { segment: 'government' });
    const segment = ok(await purchase({ customerId: c._id, offerId: O.sqlServer2022Standard })).purchaseSoftware;
    expect(segment.userErrors).toEqual([
      expect.objectContaining({ rule: 'CAT-FILTER', code: 'NOT_ELIGIBLE', field: ['input', 'offerId'] }),
    ]);
    const quantity = ok(await purchase({ customerId: c._id, offerId: O.windowsServer2022Datacenter, quantity: 501 })).purchaseSoftware;
    expect(quantity.userErrors).toEqual([
      expect.objectContaining({ rule: 'CAT-CART', code: 'LIMIT_EXCEEDED', field: ['input', 'quantity'] }),
    ]);
    const nce = ok(await purchase({ customerId: c._id, offerId: O.m365E3 })).purchaseSoftware;
    expect(nce.userErrors).toEqual([expect.objectContaining({ rule: 'CAT-CART', code: 'NOT_SUPPORTED' })]);
  });
});

describe('getSoftwareKey and the activity log (SW-KEYS, SW-MAK, SW-ACTIVITY-LOG)', () => {
  it('SW-KEYS, SW-ACTIVITY-LOG: an admin agent gets the MAK, a download link and a copyable link; the view and a download are logged', async () => {
    const c = await customer('keys');
    const order = await bought(c._id, O.windowsServer2022Datacenter);
    const from = await now();
    const p = ok(
      await getKey({ softwareOrderId: order.id, productVersion: WINDOWS_VERSION, language: 'en-us', bitness: 'X64' }),
    ).getSoftwareKey;
    expect(p).toMatchObject({ userErrors: [], keyType: 'MAK', productVersion: WINDOWS_VERSION, language: 'en-us', bitness: 'X64' });
    expect(p.productKey).toMatch(/^[BCDFGHJKMPQRTVWXY2346789]{5}(-[BCDFGHJKMPQRTVWXY2346789]{5}){4}$/);
    expect(p.downloadLink).toBe(
      `https://download.partner-center.example/software/${order.id}/windows_server_2022_datacenter_en-us_x64.iso`,
    );
    expect(p.copyLink).toMatch(new RegExp(`^${p.downloadLink!.replace(/[.?]/g, '\\$&')}\\?share=`));
    expect(p.activity).toMatchObject({ activity: 'VIEW_KEY', softwareOrderId: order.id, at: from.toISOString() });
    const d = ok(await getKey({ softwareOrderId: order.id, productVersion: WINDOWS_VERSION, activity: 'DOWNLOAD' })).getSoftwareKey;
    expect(d.productKey).toBe(p.productKey);

    const log = ok(await activityLog(from, new Date(from.getTime() + DAY))).activityLog;
    // Both at the same simulation instant: the log orders them by ID after time.
    const mine = log.nodes.filter((n) => n.softwareOrderId === order.id);
    expect(mine.map((n) => [n.activity, n.customerId, n.productVersion, n.language, n.bitness, n.at]).sort()).toEqual([
      ['DOWNLOAD', c._id, WINDOWS_VERSION, 'en-us', 'X64', from.toISOString()],
      ['VIEW_KEY', c._id, WINDOWS_VERSION, 'en-us', 'X64', from.toISOString()],
    ]);
    expect(mine.map((n) => n.userId)).toEqual([p.activity!.userId, p.activity!.userId]);
    expect(mine.map((n) => n.softwareOrder!.id)).toEqual([order.id, order.id]);
    // And the same is in the audit trail.
    expect(await gw.collections.auditEvents.countDocuments({ resourceId: order.id, operationType: 'get_software_key' })).toBe(1);
  });

  it('SW-KEYS: dryRun says whether the key can be got but shows and logs nothing', async () => {
    const c = await customer('keys-dry');
    const order = await bought(c._id, O.windowsServer2022Datacenter);
    const p = ok(await getKey({ softwareOrderId: order.id, productVersion: WINDOWS_VERSION, dryRun: true })).getSoftwareKey;
    expect(p).toMatchObject({ dryRun: true, userErrors: [], productKey: null, downloadLink: null, copyLink: null, activity: null });
    expect(await gw.collections.softwareActivity.countDocuments({ softwareOrderId: order.id })).toBe(0);
  });

  it('SW-MAK: asking for a KMS key is refused (NOT_SUPPORTED on keyType) and logs nothing', async () => {
    const c = await customer('kms');
    const order = await bought(c._id, O.windowsServer2022Datacenter);
    const p = ok(await getKey({ softwareOrderId: order.id, productVersion: WINDOWS_VERSION, keyType: 'KMS' })).getSoftwareKey;
    expect(p.userErrors).toEqual([expect.objectContaining({ rule: 'SW-MAK', code: 'NOT_SUPPORTED', field: ['input', 'keyType'] })]);
    expect(p.productKey).toBeNull();
    expect(await gw.collections.softwareActivity.countDocuments({ softwareOrderId: order.id })).toBe(0);
  });

  it('SW-KEYS: a language or bitness the order has no key for is refused, naming the field', async () => {
    const c = await customer('keys-missing');
    const order = await bought(c._id, O.windowsServer2022Datacenter);
    const p = ok(await getKey({ softwareOrderId: order.id, productVersion: WINDOWS_VERSION, bitness: 'X86' })).getSoftwareKey;
    expect(p.userErrors).toEqual([expect.objectContaining({ rule: 'SW-KEYS', code: 'NOT_ELIGIBLE', field: ['input', 'bitness'] })]);
  });

  it('ROLE-SOFTWARE-KEYS: a global admin getting a key is FORBIDDEN (admin agents only), and nothing is logged', async () => {
    const c = await customer('keys-role');
    const order = await bought(c._id, O.windowsServer2022Datacenter);
    const e = error(await getKey({ softwareOrderId: order.id, productVersion: WINDOWS_VERSION }, GLOBAL));
    expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'ROLE-SOFTWARE-KEYS' });
    expect(e.message).toContain('admin agent');
    expect(await gw.collections.softwareActivity.countDocuments({ softwareOrderId: order.id })).toBe(0);
    const g = await view(order.id, GLOBAL);
    expect(g.allowedActions!.find((a) => a.action === 'GET_KEY')).toMatchObject({ allowed: false, rule: 'ROLE-SOFTWARE-KEYS' });
  });

  it("ROLE-TENANT: another partner's software order is NOT_FOUND, like an unknown one", async () => {
    const c = await customer('tenant');
    const order = await bought(c._id, O.windowsServer2022Datacenter);
    const e = error(
      await getKey({ softwareOrderId: order.id, productVersion: WINDOWS_VERSION }, { ...ADMIN, partner: DEMO_PARTNERS.fabrikam.id }),
    );
    expect(e.extensions).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('ROLE-ACTIVITY-LOG: an account admin may read the activity log; an admin agent gets FORBIDDEN', async () => {
    const from = await now();
    const to = new Date(from.getTime() + DAY);
    expect(ok(await activityLog(from, to, { roles: 'account_admin' })).activityLog.totalCount).toBeGreaterThanOrEqual(0);
    expect(error(await activityLog(from, to, ADMIN)).extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'ROLE-ACTIVITY-LOG' });
  });

  it("SW-ACTIVITY-LOG: a range of more than 90 days is BAD_USER_INPUT naming 'to'; exactly 90 days is read", async () => {
    const from = await now();
    const e = error(await activityLog(from, new Date(from.getTime() + 90 * DAY + 1)));
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'to' });
    expect(e.message).toContain('at most 90 days');
    expect(ok(await activityLog(from, new Date(from.getTime() + 90 * DAY))).activityLog.pageInfo).toBeDefined();
    expect(error(await activityLog(from, from)).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'to' });
  });

  it('SW-ACTIVITY-LOG: the log is paged oldest first with cursors, and only [from, to) is read', async () => {
    const c = await customer('log-paging');
    const order = await bought(c._id, O.windowsServer2022Datacenter);
    const from = await now();
    for (let i = 0; i < 3; i++) ok(await getKey({ softwareOrderId: order.id, productVersion: WINDOWS_VERSION }));
    const to = new Date(from.getTime() + 1);
    const first = ok(await activityLog(from, to, GLOBAL, { first: 2 })).activityLog;
    const all = ok(await activityLog(from, to, GLOBAL, { first: 100 })).activityLog;
    expect(first.nodes).toEqual(all.nodes.slice(0, 2));
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = ok(await activityLog(from, to, GLOBAL, { first: 100, after: first.pageInfo.endCursor! })).activityLog;
    expect(next.nodes).toEqual(all.nodes.slice(2));
    expect(all.nodes.filter((n) => n.softwareOrderId === order.id)).toHaveLength(3);
    // An empty range just before `from` holds none of them.
    const before = ok(await activityLog(new Date(from.getTime() - DAY), from)).activityLog;
    expect(before.nodes.filter((n) => n.softwareOrderId === order.id)).toEqual([]);
  });
});

describe('cancelSoftwareOrder (SW-CANCEL-*, SW-POST-CANCEL)', () => {
  it('SW-CANCEL-INFO: a new order shows 30 days left to cancel and who may do what', async () => {
    const c = await customer('info');
    const order = await bought(c._id, O.windowsServer2022Datacenter);
    const cancellableUntil = new Date(new Date(order.purchaseDate).getTime() + 30 * DAY).toISOString();
    expect(order.cancellationInfo).toMatchObject({
      state: 'CANCELLABLE',
      rule: 'SW-CANCEL-30D',
      daysLeft: 30,
      cancellableUntil,
      supportRequestNeeded: false,
    });
    expect(order.allowedActions!.map((a) => [a.action, a.allowed])).toEqual([
      ['GET_KEY', true],
      ['CANCEL', true],
      ['REQUEST_REFUND', true],
    ]);
  });

  it('SW-CANCEL-EXCLUDED: a SUSE plan cannot be cancelled (userError NOT_SUPPORTED); its info says excluded, and it has no Microsoft key', async () => {
    const c = await customer('suse');
    const order = await bought(c._id, O.suseSles1Y);
    expect(order.keys).toEqual([]);
    expect(order.cancellationInfo).toMatchObject({ state: 'EXCLUDED', rule: 'SW-CANCEL-EXCLUDED', supportRequestNeeded: false });
    const p = ok(await cancel({ softwareOrderId: order.id })).cancelSoftwareOrder;
    expect(p.userErrors).toEqual([expect.objectContaining({ rule: 'SW-CANCEL-EXCLUDED', code: 'NOT_SUPPORTED' })]);
    expect(p.softwareOrder).toMatchObject({ status: 'ACTIVE' });
  });

  it('ROLE-SOFTWARE-CANCEL: a global admin cancelling is FORBIDDEN (admin agents only), and nothing changes', async () => {
    const c = await customer('cancel-role');
    const order = await bought(c._id, O.windowsServer2022Datacenter);
    expect(error(await cancel({ softwareOrderId: order.id }, GLOBAL)).extensions).toMatchObject({
      code: 'FORBIDDEN',
      rule: 'ROLE-SOFTWARE-CANCEL',
    });
    expect(await gw.collections.softwareOrders.findOne({ _id: order.id })).toMatchObject({ status: 'active', version: 0 });
  });

  it("SW-CANCEL-PER-ORDER: one order per call; a customer named that is not the order's is refused on input.customer; its domain is accepted", async () => {
    const c = await customer('per-order');
    const a = await bought(c._id, O.windowsServer2022Datacenter);
    const b = await bought(c._id, O.windowsServer2022Datacenter);
    const wrong = ok(await cancel({ softwareOrderId: a.id, customer: 'Someone Else Ltd' })).cancelSoftwareOrder;
    expect(wrong.userErrors).toEqual([
      expect.objectContaining({ rule: 'SW-CANCEL-PER-ORDER', code: 'INVALID_VALUE', field: ['input', 'customer'] }),
    ]);
    const p = ok(await cancel({ softwareOrderId: a.id, customer: c.domain.toUpperCase() })).cancelSoftwareOrder;
    expect(p.userErrors).toEqual([]);
    expect(await gw.collections.softwareOrders.findOne({ _id: a.id })).toMatchObject({ status: 'cancelled' });
    expect(await gw.collections.softwareOrders.findOne({ _id: b.id })).toMatchObject({ status: 'active', version: 0 });
  });

  it('SW-POST-CANCEL, SW-CANCEL-DELAY: confirmed at once, the order lists no keys at once (as getSoftwareKey refuses them); only its status waits exactly 15 minutes, cancellationPending until then', async () => {
    const c = await customer('delay');
    const order = await bought(c._id, O.officeLtscProPlus2021, 2, ['en-us', 'nl-nl']);
    expect(order.keys).toHaveLength(4);
    const at = await now();
    const visibleAt = new Date(at.getTime() + 15 * MINUTE).toISOString();

    const quote = ok(await cancel({ softwareOrderId: order.id, dryRun: true })).cancelSoftwareOrder;
    expect(quote).toMatchObject({ dryRun: true, operationId: null, rule: 'SW-POST-CANCEL', credit: { amountInCents: 87_800 } });
    // A quote changes nothing the order shows.
    expect(quote.softwareOrder).toMatchObject({ status: 'ACTIVE', cancellationPending: false, cancellationDate: null });
    expect(quote.softwareOrder!.keys).toHaveLength(4);
    expect(await gw.collections.softwareOrders.findOne({ _id: order.id })).toMatchObject({ status: 'active', version: 0 });

    const p = ok(await cancel({ softwareOrderId: order.id })).cancelSoftwareOrder;
    expect(p).toMatchObject({
      userErrors: [],
      dryRun: false,
      rule: 'SW-POST-CANCEL',
      credit: { amountInCents: 87_800, currencyCode: 'USD' },
      cancellationDate: at.toISOString(),
      cancellationVisibleAt: visibleAt,
      keysRevoked: 4,
    });
    // Confirmed: every key and download link is gone from the order at once, the item stays
    // listed; only the status still shows ACTIVE, and the order says the cancellation is pending
    // and from when its status shows it.
    const pending = {
      status: 'ACTIVE',
      cancellationPending: true,
      cancellationDate: at.toISOString(),
      cancellationVisibleAt: visibleAt,
      keys: [],
      cancellationInfo: { state: 'CANCELLED', rule: 'SW-POST-CANCEL', daysLeft: 0 },
    };
    expect(p.softwareOrder).toMatchObject(pending);
    expect(p.softwareOrder!.cancellationInfo.message).toContain(`Its status shows it from ${visibleAt} (SW-CANCEL-DELAY)`);
    expect(await view(order.id)).toMatchObject(pending);
    expect((await customerView(c._id)).softwareOrders.nodes).toEqual([
      { id: order.id, status: 'ACTIVE', cancellationPending: true, keys: [] },
    ]);
    // What the order no longer lists, getSoftwareKey refuses, and allowedActions says so.
    for (const language of ['en-us', 'nl-nl']) {
      const refusedKey = ok(
        await getKey({ softwareOrderId: order.id, productVersion: order.keys[0]!.productVersion, language }),
      ).getSoftwareKey;
      expect(refusedKey.userErrors).toEqual([expect.objectContaining({ rule: 'SW-POST-CANCEL', code: 'INVALID_STATUS' })]);
      expect(refusedKey.productKey).toBeNull();
      expect(refusedKey.downloadLink).toBeNull();
    }
    expect((await view(order.id)).allowedActions!.map((a) => [a.action, a.allowed, a.rule])).toEqual([
      ['GET_KEY', false, 'SW-POST-CANCEL'],
      ['CANCEL', false, 'SW-POST-CANCEL'],
      ['REQUEST_REFUND', true, null],
    ]);
    const again = ok(await cancel({ softwareOrderId: order.id })).cancelSoftwareOrder;
    expect(again.userErrors).toEqual([expect.objectContaining({ rule: 'SW-POST-CANCEL', code: 'NO_CHANGE' })]);

    await advance('PT14M59.999S');
    expect(await view(order.id)).toMatchObject(pending);

    await advance('PT0.001S');
    const shown = await view(order.id);
    expect(shown).toMatchObject({
      status: 'CANCELLED',
      cancellationPending: false,
      cancellationDate: at.toISOString(),
      cancellationVisibleAt: visibleAt,
      keys: [],
    });
    expect(shown.cancellationInfo.message).not.toContain('SW-CANCEL-DELAY');
    // The item stays listed, without its keys; the credit is on the ledger for the invoice.
    const list = await customerView(c._id);
    expect(list.softwareOrders.nodes).toEqual([{ id: order.id, status: 'CANCELLED', cancellationPending: false, keys: [] }]);
    // Bought and cancelled at the same simulation instant: compare without their order.
    expect(list.ledger.nodes.map((n) => [n.kind, n.ruleId, n.amount.amountInCents]).sort()).toEqual([
      ['CHARGE', 'SW-PRICE', 87_800],
      ['CREDIT', 'SW-POST-CANCEL', -87_800],
    ]);
    const keyAfter = ok(await getKey({ softwareOrderId: order.id, productVersion: order.keys[0]!.productVersion })).getSoftwareKey;
    expect(keyAfter.userErrors).toEqual([expect.objectContaining({ rule: 'SW-POST-CANCEL' })]);
  });

  it('SW-POST-CANCEL: a software subscription cancelled exactly 10 days after purchase is credited 374000 - round(374000 x 10 / 365) = 363753 cents', async () => {
    const c = await customer('prorated');
    const order = await bought(c._id, O.sqlServer2022StandardSub1Y, 2);
    const start = new Date(order.purchaseDate);
    // Its term spans 365 days (no 29 February in it).
    expect((new Date(order.termEndDate!).getTime() - start.getTime()) / DAY).toBe(365);
    await advance('P10D');
    const p = ok(await cancel({ softwareOrderId: order.id })).cancelSoftwareOrder;
    expect(p).toMatchObject({ userErrors: [], credit: { amountInCents: 363_753 } });
    const credit = await gw.collections.ledger.findOne({ 'source.id': order.id, kind: 'credit' });
    expect(credit).toMatchObject({ amountCents: -363_753, ruleId: 'SW-POST-CANCEL', source: { type: 'software_order', id: order.id } });
  });

  it('SW-CANCEL-30D, SW-CANCEL-INFO: cancellable 29d23h59m59.999s after purchase (1 day left); at exactly 30 days the window has passed (WINDOW_CLOSED)', async () => {
    const c = await customer('window');
    const order = await bought(c._id, O.windowsServer2022Datacenter);
    await advance('P29DT23H59M59.999S');
    const last = await view(order.id);
    expect(last.cancellationInfo).toMatchObject({ state: 'CANCELLABLE', daysLeft: 1 });
    expect(ok(await cancel({ softwareOrderId: order.id, dryRun: true })).cancelSoftwareOrder).toMatchObject({
      userErrors: [],
      credit: { amountInCents: 615_500 },
    });

    await advance('PT0.001S');
    const closed = await view(order.id);
    expect(closed.cancellationInfo).toMatchObject({
      state: 'WINDOW_PASSED',
      daysLeft: 0,
      cancellableUntil: null,
      supportRequestNeeded: true,
    });
    expect(closed.allowedActions!.find((a) => a.action === 'CANCEL')).toMatchObject({
      allowed: false,
      rule: 'SW-CANCEL-30D',
      code: 'WINDOW_CLOSED',
    });
    const p = ok(await cancel({ softwareOrderId: order.id })).cancelSoftwareOrder;
    expect(p.userErrors).toEqual([expect.objectContaining({ rule: 'SW-CANCEL-30D', code: 'WINDOW_CLOSED' })]);
    expect(p.userErrors[0]!.message).toContain('support request');
    expect(await gw.collections.softwareOrders.findOne({ _id: order.id })).toMatchObject({ status: 'active', version: 0 });
  });
});

describe('createSupportRequest (SW-SUPPORT-REQUEST)', () => {
  const contact = { name: 'Megan Bowen', email: 'megan@contoso.com', phone: '+1 425 555 0100' };
  const request = (
    customer: string,
    resourceId: string,
    overrides: Partial<CreateSupportRequestInput> = {},
  ): CreateSupportRequestInput => ({
    customer,
    resourceId,
    impact: 'Moderate',
    title: 'Refund of a software order',
    reason: 'Bought for the wrong customer',
    amountRequestedInCents: 615_500,
    contact,
    attachmentNames: ['invoice.pdf'],
    ...overrides,
  });

  it('SW-SUPPORT-REQUEST: a refund request for an order, naming the customer by domain, is recorded and listed on the customer', async () => {
    const c = await customer('support');
    const order = await bought(c._id, O.windowsServer2022Datacenter);
    const p = ok(await supportRequest(request(c.domain, order.id))).createSupportRequest;
    expect(p).toMatchObject({
      userErrors: [],
      dryRun: false,
      supportRequest: {
        kind: 'SOFTWARE_REFUND',
        problemType: 'CSP purchase/refund on behalf of customers',
        resourceId: order.id,
        amountRequested: { amountInCents: 615_500 },
        status: 'OPEN',
      },
    });
    const listed = (await customerView(c._id)).supportRequests;
    expect(listed.totalCount).toBe(1);
    expect(listed.nodes[0]).toMatchObject({
      id: p.supportRequest!.id,
      kind: 'SOFTWARE_REFUND',
      issueType: null,
      category: null,
      impact: 'Moderate',
      title: 'Refund of a software order',
      customerId: c._id,
      resourceId: order.id,
      reason: 'Bought for the wrong customer',
      amountRequested: { amountInCents: 615_500, currencyCode: 'USD' },
      contact,
      attachmentNames: ['invoice.pdf'],
      status: 'OPEN',
    });
  });

  it.each([
    ['a contact e-mail without a domain', { contact: { ...contact, email: 'megan@' } }, ['input', 'contact', 'email']],
    ['a phone with letters', { contact: { ...contact, phone: 'call me' } }, ['input', 'contact', 'phone']],
    ['an amount of 0 cents', { amountRequestedInCents: 0 }, ['input', 'amountRequestedInCents']],
    ['another problem type', { problemType: 'Billing' }, ['input', 'problemType']],
    ['a blank title', { title: '  ' }, ['input', 'title']],
    ['no impact', { impact: null }, ['input', 'impact']],
    ['a customer that is neither a tenant ID nor a domain', { customer: 'Sw support errors' }, ['input', 'customer']],
    ['an attachment with a path', { attachmentNames: ['a.pdf', 'c:\\x.pdf'] }, ['input', 'attachmentNames', '1']],
  ] as [string, Partial<CreateSupportRequestInput>, string[]][])(
    'SW-SUPPORT-REQUEST: %s is a userError naming the field, and nothing is written',
    async (_what, overrides, field) => {
      const c = await customer(`support-errors-${field.join('-')}`);
      const p = ok(await supportRequest(request(c._id, '0123456789ab', overrides))).createSupportRequest;
      expect(p.userErrors).toEqual([expect.objectContaining({ rule: 'SW-SUPPORT-REQUEST', field })]);
      expect(p.supportRequest).toBeNull();
      expect(await gw.collections.supportRequests.countDocuments({ customerId: c._id })).toBe(0);
    },
  );

  it('SW-SUPPORT-REQUEST: an order the customer does not have is refused on input.resourceId', async () => {
    const c = await customer('support-foreign-order');
    const other = await customer('support-other');
    const order = await bought(other._id, O.windowsServer2022Datacenter);
    const p = ok(await supportRequest(request(c._id, order.id))).createSupportRequest;
    expect(p.userErrors).toEqual([
      expect.objectContaining({ rule: 'SW-SUPPORT-REQUEST', code: 'NOT_ELIGIBLE', field: ['input', 'resourceId'] }),
    ]);
  });

  it('ROLE-SOFTWARE: a helpdesk agent asking for a software refund is FORBIDDEN', async () => {
    const c = await customer('support-role');
    const order = await bought(c._id, O.windowsServer2022Datacenter);
    expect(error(await supportRequest(request(c._id, order.id), { roles: 'helpdesk_agent' })).extensions).toMatchObject({
      code: 'FORBIDDEN',
      rule: 'ROLE-SOFTWARE',
    });
  });
});

describe('IDE examples for software, on the demo world', () => {
  let demo: TestGateway;
  beforeAll(async () => {
    demo = await startTestGateway(async (cols) => {
      await seedWorld(cols, { customers: 12, seed: 'demo' });
    });
  });
  afterAll(() => demo?.close());

  it('SW-KEYS, SW-CANCEL-INFO, SW-SUPPORT-REQUEST: every software example runs without a top-level error or userError', async () => {
    const ids = await demoExampleIds(demo.collections, DEMO_PARTNERS.contoso.id);
    expect(ids.softwareOrder).toBeTruthy();
    const ops = exampleOperations(ids);
    const titles = [
      'Buy software',
      'Software order: keys and cancellation',
      'Get a product key',
      'Software activity log',
      'Quote a software cancellation',
      'Software refund support request',
    ];
    for (const title of titles) {
      const op = ops.find((o) => o.title === title);
      expect(op, title).toBeDefined();
      // As the IDE runs it: its setup first, when it has one (Quote a software cancellation buys the order it quotes).
      const execute = async (request: GraphQLRequest): Promise<GraphQLAnswer> => {
        const res = await fetch(`${demo.url}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-partner-id': DEMO_PARTNERS.contoso.id,
            'x-partner-roles': 'global_admin,admin_agent',
          },
          body: JSON.stringify(request),
        });
        return (await res.json()) as GraphQLAnswer;
      };
      const variables = op!.variables ? (JSON.parse(op!.variables) as Record<string, unknown>) : {};
      const body = (await runWithSetup({ query: op!.query, variables }, op!.setup, execute)) as {
        data?: Record<string, { userErrors?: unknown[] }>;
        errors?: unknown[];
      };
      expect({ title, errors: body.errors }).toEqual({ title, errors: undefined });
      const payload = Object.values(body.data ?? {})[0];
      if (payload && 'userErrors' in payload) expect({ title, userErrors: payload.userErrors }).toEqual({ title, userErrors: [] });
    }
  });
});
