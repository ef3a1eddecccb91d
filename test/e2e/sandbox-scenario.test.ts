import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerDoc } from '../../src/db/documents.js';
import { CATALOG, OFFER_IDS as O } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { ensureIndexes } from '../../src/db/collections.js';
import { customerNameFields } from '../../src/policy/customer-keys.js';
import { openTestDb } from '../support/db.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { callAs, type SandboxCaller } from '../support/sandbox-calls.js';

/*
 * Building a sandbox's scenario (docs/sandboxes.md, "Building the scenario") through GraphQL
 * against a real gateway and database: customers whose domains are unique per realm (each sandbox
 * is one, the real partners share one), dated in the sandbox's past (SUSP-DATA-DELETION), up to
 * SANDBOX_MAX_CUSTOMERS (SANDBOX-QUOTA, set to 3 here).
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const FABRIKAM = DEMO_PARTNERS.fabrikam.id;
const DAY = 86_400_000;
const MAX_CUSTOMERS = 3;

type Caller = SandboxCaller;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway(
    async (cols) => {
      await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
    },
    { env: { SANDBOX_MAX_CUSTOMERS: String(MAX_CUSTOMERS), PARTNER_CACHE_MS: '0' } },
  );
});
afterAll(() => gw?.close());

const gql = <T>(caller: Caller, query: string, variables: Record<string, unknown> = {}) => callAs<T>(gw.url, caller, query, variables);

/** A fresh sandbox of Contoso's administrator, with an admin agent's token; deleted by the test. */
async function sandbox(name: string, clockStart = '2026-03-01T00:00:00Z'): Promise<{ id: string; partnerId: string; as: Caller }> {
  const answer = await gql<{ createSandbox: { sandbox: { id: string; partnerId: string }; tokens: { token: string }[] } }>(
    { partner: CONTOSO },
    `mutation ($input: CreateSandboxInput!) { createSandbox(input: $input) { sandbox { id partnerId } tokens { token } } }`,
    { input: { name, clockStart, roles: ['ADMIN_AGENT'] } },
  );
  expect(answer.errors).toBeUndefined();
  const { sandbox: s, tokens } = answer.data!.createSandbox;
  return { id: s.id, partnerId: s.partnerId, as: { token: tokens[0]!.token } };
}

const deleteSandbox = (id: string) =>
  gql({ partner: CONTOSO }, 'mutation ($id: ID!) { deleteSandbox(input: { sandboxId: $id }) { deletedSandboxId } }', { id });

interface Created {
  createCustomer: {
    customer: { id: string; accountOpenedDate: string; firstBillingDate: string } | null;
    userErrors: { code: string; rule: string; message: string; field: string[] | null }[];
  };
}

const CREATE_CUSTOMER = `mutation ($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    customer { id accountOpenedDate firstBillingDate }
    userErrors { code rule message field }
  }
}`;

function createCustomer(as: Caller, domain: string, extra: Record<string, unknown> = {}) {
  return gql<Created>(as, CREATE_CUSTOMER, {
    input: {
      companyProfile: { companyName: `Company of ${domain}`, domain },
      billingProfile: { defaultAddress: { country: 'US' } },
      ...extra,
    },
  });
}

/** The new customer's ID; fails on any error. */
async function customerId(as: Caller, domain: string, extra: Record<string, unknown> = {}): Promise<string> {
  const answer = await createCustomer(as, domain, extra);
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  expect(answer.data!.createCustomer.userErrors).toEqual([]);
  return answer.data!.createCustomer.customer!.id;
}

/** A customer document with the domain unique-index.example.com, written directly. */
function realmDoc(id: string, partnerId: string): CustomerDoc {
  return {
    _id: id,
    partnerId,
    companyName: 'X',
    domain: 'unique-index.example.com',
    ...customerNameFields('X', 'unique-index.example.com'),
    billingCountry: 'US',
    segment: 'commercial',
    relationshipToPartner: 'reseller',
    associatedPartnerId: null,
    accountOpenedAt: new Date(),
    firstBillingAt: new Date(),
    createdAt: new Date(),
    version: 0,
  };
}

describe('createCustomer in a sandbox: domains unique per realm', () => {
  it('ROLE-TENANT: two sandboxes may each create contoso.onmicrosoft.com; within one sandbox, and among real partners, a domain is taken once', async () => {
    const a = await sandbox('Realm A');
    const b = await sandbox('Realm B');
    const inA = await customerId(a.as, 'contoso.onmicrosoft.com');
    const inB = await customerId(b.as, 'Contoso.onmicrosoft.com');
    expect(inA).not.toBe(inB);
    expect(await gw.collections.customers.findOne({ _id: inA })).toMatchObject({ partnerId: a.partnerId, domainRealm: a.partnerId });

    // The same sandbox again: taken, by its own customer.
    const again = await createCustomer(a.as, 'CONTOSO.onmicrosoft.com');
    expect(again.data!.createCustomer.userErrors).toEqual([
      expect.objectContaining({ rule: 'ROLE-TENANT', code: 'INVALID_VALUE', field: ['input', 'companyProfile', 'domain'] }),
    ]);
    expect(again.data!.createCustomer.userErrors[0]!.message).toContain(inA);

    // The real partners' realm is neither sandbox's: Contoso takes the domain, then Fabrikam cannot.
    const real = await customerId({ partner: CONTOSO, roles: 'admin_agent' }, 'contoso.onmicrosoft.com');
    expect(await gw.collections.customers.findOne({ _id: real })).toMatchObject({ domainRealm: null });
    const fabrikam = await createCustomer({ partner: FABRIKAM, roles: 'admin_agent' }, 'contoso.onmicrosoft.com');
    expect(fabrikam.data!.createCustomer.userErrors).toEqual([
      expect.objectContaining({
        rule: 'ROLE-TENANT',
        message: "The domain 'contoso.onmicrosoft.com' is already in use by another tenant; choose another domain.",
      }),
    ]);
    expect(await gw.collections.customers.countDocuments({ domainLower: 'contoso.onmicrosoft.com' })).toBe(3);
    for (const s of [a, b]) await deleteSandbox(s.id);
  });

  it('the database holds domains unique per realm (domain_unique): a second real customer with a taken domain is refused, another sandbox’s is not', async () => {
    const doc = (id: string, partnerId: string, domainRealm: string | null) => ({ ...realmDoc(id, partnerId), domainRealm });
    await gw.collections.customers.insertOne(doc('ui-1', CONTOSO, null));
    await expect(gw.collections.customers.insertOne(doc('ui-2', FABRIKAM, null))).rejects.toMatchObject({ code: 11000 });
    await gw.collections.customers.insertOne(doc('ui-3', 'sandbox-x', 'sandbox-x'));
    await gw.collections.customers.insertOne(doc('ui-4', 'sandbox-y', 'sandbox-y'));
    await expect(gw.collections.customers.insertOne(doc('ui-5', 'sandbox-x', 'sandbox-x'))).rejects.toMatchObject({ code: 11000 });
    await gw.collections.customers.deleteMany({ _id: { $in: ['ui-1', 'ui-3', 'ui-4'] } });
  });
});

describe('an existing database', () => {
  it('ensureIndexes replaces the old domain_unique on { domainLower } by { domainLower, domainRealm }, and a rerun changes nothing', async () => {
    const db = await openTestDb('realm');
    try {
      const customers = db.collections.customers;
      await customers.dropIndex('domain_unique');
      await customers.createIndex({ domainLower: 1 }, { name: 'domain_unique', unique: true });
      await ensureIndexes(db.collections);
      await ensureIndexes(db.collections);
      const held = (await customers.listIndexes().toArray()).find((i) => i.name === 'domain_unique');
      expect(held).toMatchObject({ key: { domainLower: 1, domainRealm: 1 }, unique: true });
      await customers.insertMany([
        { ...realmDoc('old-1', 'sandbox-a'), domainRealm: 'sandbox-a' },
        { ...realmDoc('old-2', 'sandbox-b'), domainRealm: 'sandbox-b' },
      ]);
      expect(await customers.countDocuments()).toBe(2);
    } finally {
      await db.close();
    }
  });
});

describe('createCustomer in a sandbox: account dates in its past', () => {
  it('accountOpenedAt and firstBillingAt outside a sandbox are BAD_USER_INPUT naming the field, and create nothing', async () => {
    const before = await gw.collections.customers.countDocuments();
    for (const field of ['accountOpenedAt', 'firstBillingAt']) {
      const answer = await createCustomer({ partner: CONTOSO, roles: 'admin_agent' }, `real-${field}.example.com`, {
        [field]: '2026-01-01T00:00:00Z',
      });
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: `input.${field}` });
      expect(answer.errors?.[0]?.message).toContain('test sandbox only');
    }
    expect(await gw.collections.customers.countDocuments()).toBe(before);
  });

  it('GEN-CLOCK: in a sandbox, a date after its clock, or first billing before opening, is BAD_USER_INPUT naming the field', async () => {
    const s = await sandbox('Dates', '2026-03-01T00:00:00Z');
    const cases: [Record<string, string>, string, string][] = [
      [
        { accountOpenedAt: '2026-03-01T00:00:00.001Z' },
        'input.accountOpenedAt',
        "in the sandbox's past, at or before its clock's 2026-03-01T00:00:00.000Z",
      ],
      [{ firstBillingAt: '2026-04-01T00:00:00Z' }, 'input.firstBillingAt', "in the sandbox's past"],
      [
        { accountOpenedAt: '2026-02-01T00:00:00Z', firstBillingAt: '2026-01-01T00:00:00Z' },
        'input.firstBillingAt',
        'not be before the account was opened (2026-02-01T00:00:00.000Z)',
      ],
    ];
    for (const [dates, field, expected] of cases) {
      const answer = await createCustomer(s.as, 'dates.example.com', dates);
      expect(answer.errors?.[0]?.extensions, JSON.stringify(dates)).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(answer.errors?.[0]?.message).toContain(expected);
    }
    expect(await gw.collections.customers.countDocuments({ partnerId: s.partnerId })).toBe(0);
    await deleteSandbox(s.id);
  });

  it('SUSP-DATA-DELETION: a customer opened 100 days back keeps a suspended subscription’s data 120 days (90 + 100, at most 120), one opened 10 days back 100 days', async () => {
    const s = await sandbox('Data deletion', '2026-03-01T00:00:00Z');
    const now = Date.parse('2026-03-01T00:00:00Z');
    const longAgo = await customerId(s.as, 'opened-100.example.com', { accountOpenedAt: new Date(now - 100 * DAY).toISOString() });
    const recent = await customerId(s.as, 'opened-10.example.com', {
      accountOpenedAt: new Date(now - 10 * DAY).toISOString(),
      firstBillingAt: new Date(now).toISOString(),
    });
    const customer = await gql<{ customer: { accountOpenedDate: string; firstBillingDate: string } }>(
      s.as,
      'query ($id: ID!) { customer(id: $id) { accountOpenedDate firstBillingDate } }',
      { id: longAgo },
    );
    expect(customer.data?.customer).toEqual({
      accountOpenedDate: '2025-11-21T00:00:00.000Z',
      firstBillingDate: '2026-03-01T00:00:00.000Z',
    });

    const suspended: Record<string, { id: string; dataDeletionDate: string }> = {};
    for (const [label, id] of [
      ['longAgo', longAgo],
      ['recent', recent],
    ] as const) {
      const bought = await gql<{ purchase: { subscriptions: { id: string }[]; userErrors: unknown[] } }>(
        s.as,
        'mutation ($input: PurchaseInput!) { purchase(input: $input) { subscriptions { id } userErrors { rule message } } }',
        { input: { customerId: id, lineItems: [{ offerId: O.legacyO365E1, quantity: 5, termDuration: 'P1Y', billingCycle: 'MONTHLY' }] } },
      );
      expect(bought.data?.purchase.userErrors).toEqual([]);
      const subscriptionId = bought.data!.purchase.subscriptions[0]!.id;
      const suspend = await gql<{ suspendSubscription: { dataDeletionDate: string; userErrors: unknown[] } }>(
        s.as,
        'mutation ($id: ID!) { suspendSubscription(input: { subscriptionId: $id, reason: CUSTOMER_REQUEST }) { dataDeletionDate userErrors { rule message } } }',
        { id: subscriptionId },
      );
      expect(suspend.data?.suspendSubscription.userErrors).toEqual([]);
      suspended[label] = { id: subscriptionId, dataDeletionDate: suspend.data!.suspendSubscription.dataDeletionDate };
    }
    expect(suspended.longAgo!.dataDeletionDate).toBe(new Date(now + 120 * DAY).toISOString());
    expect(suspended.recent!.dataDeletionDate).toBe(new Date(now + 100 * DAY).toISOString());

    // When the clock passes the recent customer's date, its subscription is deleted; the other's is kept.
    await gql(s.as, 'mutation { advanceClock(input: { by: "P101D" }) { to } }');
    const status = async (id: string) =>
      (await gql<{ subscription: { status: string } }>(s.as, 'query ($id: ID!) { subscription(id: $id) { status } }', { id })).data
        ?.subscription.status;
    expect(await status(suspended.recent!.id)).toBe('DELETED');
    expect(await status(suspended.longAgo!.id)).toBe('SUSPENDED');
    await deleteSandbox(s.id);
  });
});

describe('createCustomer in a sandbox: SANDBOX-QUOTA', () => {
  it('SANDBOX-QUOTA: a sandbox holding SANDBOX_MAX_CUSTOMERS customers gets FORBIDDEN for the next, which creates nothing; a real partner has no such quota', async () => {
    const s = await sandbox('Quota');
    for (let i = 0; i < MAX_CUSTOMERS; i++) await customerId(s.as, `quota-${i}.example.com`);
    const over = await createCustomer(s.as, 'quota-over.example.com');
    expect(over.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'SANDBOX-QUOTA' });
    expect(over.errors?.[0]?.message).toContain(`SANDBOX_MAX_CUSTOMERS (${MAX_CUSTOMERS})`);
    expect(await gw.collections.customers.countDocuments({ partnerId: s.partnerId })).toBe(MAX_CUSTOMERS);

    // Another sandbox's quota is its own.
    const other = await sandbox('Quota other');
    await customerId(other.as, 'quota-0.example.com');

    const real = { partner: FABRIKAM, roles: 'admin_agent' };
    for (let i = 0; i <= MAX_CUSTOMERS; i++) await customerId(real, `fabrikam-quota-${i}.example.com`);
    expect(await gw.collections.customers.countDocuments({ partnerId: FABRIKAM })).toBeGreaterThan(MAX_CUSTOMERS);
    for (const x of [s, other]) await deleteSandbox(x.id);
  });
});

describe('createOffer: a sandbox’s own offers (SANDBOX-OFFERS)', () => {
  const CREATE_OFFER = `mutation ($input: CreateOfferInput!) {
    createOffer(input: $input) {
      dryRun operationId summary
      offer { id name commerceType productType segments billingPlans { billingCycle termDuration unitPrice { amountInCents currencyCode amount } } }
      userErrors { code rule message field }
    }
  }`;
  const AZURE_SUB = '5a1b2c3d-0000-4000-8000-00000000a2e5';
  const reservationOffer = {
    name: 'Reserved VM Instance, test size',
    commerceType: 'RESERVATION',
    billingType: 'USAGE',
    reservationType: 'VIRTUAL_MACHINES',
    billingPlans: [
      { billingCycle: 'ONE_TIME', termDuration: 'P1Y', price: { amountInCents: 1_200_000, currencyCode: 'USD' } },
      { billingCycle: 'ONE_TIME', termDuration: 'P3Y', price: { amountInCents: 3_000_000, currencyCode: 'USD' } },
    ],
  };

  interface OfferAnswer {
    createOffer: {
      dryRun: boolean;
      operationId: string | null;
      summary: string | null;
      offer: { id: string; name: string; billingPlans: { unitPrice: { amountInCents: number; amount: string } }[] } | null;
      userErrors: { code: string; rule: string; message: string; field: string[] | null }[];
    };
  }
  const createOffer = (as: Caller, input: Record<string, unknown>) => gql<OfferAnswer>(as, CREATE_OFFER, { input });

  async function offerId(as: Caller, input: Record<string, unknown>): Promise<string> {
    const answer = await createOffer(as, input);
    expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
    expect(answer.data!.createOffer.userErrors).toEqual([]);
    return answer.data!.createOffer.offer!.id;
  }

  const OFFER = 'query ($id: ID!) { offer(id: $id) { id name eligibleAddOns { id } } }';
  const RESERVATION_OFFERS = '{ offers(first: 100, filter: { commerceType: [RESERVATION] }) { nodes { id } } }';

  it('SANDBOX-OFFERS, RES-REFUND-TABLE: a sandbox’s 12,000.00 reservation offer is bought for exactly 12,000.00 and cancelled after 73 days for 8,448.00; only that sandbox sees it (ROLE-TENANT)', async () => {
    const s = await sandbox('Reservation offer', '2026-03-01T00:00:00Z');
    const answer = await createOffer(s.as, reservationOffer);
    expect(answer.errors).toBeUndefined();
    const created = answer.data!.createOffer;
    expect(created.userErrors).toEqual([]);
    expect(created.operationId).toMatch(/^[0-9a-f-]{36}$/);
    const id = created.offer!.id;
    expect(id).toMatch(/^S[0-9A-F]{11}:0001$/);
    expect(created.offer).toMatchObject({ name: 'Reserved VM Instance, test size', commerceType: 'RESERVATION', productType: 'Azure' });
    expect(created.offer!.billingPlans.map((p) => p.unitPrice.amount)).toEqual(['12000.00', '30000.00']);
    expect(created.summary).toBe(`Created offer 'Reserved VM Instance, test size' (${id}).`);
    // Stored beside the global catalog, never in it; audited as create_offer.
    expect(await gw.collections.offers.countDocuments({ _id: id })).toBe(0);
    expect(await gw.collections.sandboxOffers.findOne({ _id: id })).toMatchObject({ partnerId: s.partnerId });
    expect(await gw.collections.auditEvents.countDocuments({ partnerId: s.partnerId, operationType: 'create_offer', resourceId: id })).toBe(
      1,
    );

    // The sandbox sees it by ID and in the catalog.
    expect((await gql<{ offer: { id: string } }>(s.as, OFFER, { id })).data?.offer.id).toBe(id);
    const own = await gql<{ offers: { nodes: { id: string }[] } }>(s.as, RESERVATION_OFFERS);
    expect(own.data?.offers.nodes.map((n) => n.id)).toContain(id);

    // Bought: 12,000.00 upfront.
    const customer = await customerId(s.as, 'reservation-buyer.example.com');
    const buy = async () => {
      const bought = await gql<{
        purchaseReservation: { reservation: { id: string } | null; chargedNow: { amountInCents: number } | null; userErrors: unknown[] };
      }>(
        s.as,
        `mutation ($input: PurchaseReservationInput!) { purchaseReservation(input: $input) {
          reservation { id } chargedNow { amountInCents } userErrors { rule message } } }`,
        {
          input: {
            customerId: customer,
            offerId: id,
            termDuration: 'P1Y',
            quantity: 1,
            region: 'westeurope',
            azureSubscriptionId: AZURE_SUB,
            scope: { type: 'SINGLE', subscriptionId: AZURE_SUB },
          },
        },
      );
      expect(bought.errors, JSON.stringify(bought.errors)).toBeUndefined();
      expect(bought.data!.purchaseReservation.userErrors).toEqual([]);
      expect(bought.data!.purchaseReservation.chargedNow?.amountInCents).toBe(1_200_000);
      return bought.data!.purchaseReservation.reservation!.id;
    };
    const reservation = await buy();

    // Cancelled 73 days on (of 365): prorated 12,000.00 x 292/365 = 9,600.00, less the 12 % fee of 1,152.00.
    await gql(s.as, 'mutation { advanceClock(input: { by: "P73D" }) { to } }');
    const cancelled = await gql<{
      cancelReservation: { refund: { amountInCents: number }; fee: { amountInCents: number }; userErrors: unknown[] };
    }>(
      s.as,
      'mutation ($id: ID!) { cancelReservation(input: { reservationId: $id }) { refund { amountInCents } fee { amountInCents } userErrors { rule message } } }',
      { id: reservation },
    );
    expect(cancelled.errors, JSON.stringify(cancelled.errors)).toBeUndefined();
    expect(cancelled.data!.cancelReservation.userErrors).toEqual([]);
    expect(cancelled.data!.cancelReservation.fee.amountInCents).toBe(115_200);
    expect(cancelled.data!.cancelReservation.refund.amountInCents).toBe(844_800);

    // Another sandbox and a real partner: no such offer, to read or to buy.
    const other = await sandbox('Reservation offer, other');
    for (const as of [other.as, { partner: CONTOSO, roles: 'admin_agent' }]) {
      const read = await gql(as, OFFER, { id });
      expect(read.errors?.[0]?.extensions, JSON.stringify(as)).toMatchObject({ code: 'NOT_FOUND' });
      const list = await gql<{ offers: { nodes: { id: string }[] } }>(as, RESERVATION_OFFERS);
      expect(list.data?.offers.nodes.map((n) => n.id)).not.toContain(id);
    }
    const theirs = await customerId(other.as, 'reservation-thief.example.com');
    const stolen = await gql(
      other.as,
      `mutation ($input: PurchaseReservationInput!) { purchaseReservation(input: $input) { reservation { id } userErrors { rule } } }`,
      {
        input: {
          customerId: theirs,
          offerId: id,
          region: 'westeurope',
          azureSubscriptionId: AZURE_SUB,
          scope: { type: 'SINGLE', subscriptionId: AZURE_SUB },
        },
      },
    );
    expect(stolen.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    for (const x of [s, other]) await deleteSandbox(x.id);
    expect(await gw.collections.sandboxOffers.countDocuments({ partnerId: s.partnerId })).toBe(0);
  });

  it('SANDBOX-OFFERS: a real partner’s createOffer is FORBIDDEN naming the rule and writes nothing; ROLE-SUBSCRIPTIONS: a caller without its roles is FORBIDDEN too', async () => {
    const answer = await createOffer({ partner: CONTOSO, roles: 'admin_agent' }, reservationOffer);
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'SANDBOX-OFFERS' });
    expect(answer.errors?.[0]?.message).toContain('test sandbox only');
    const readerOnly = await createOffer({ partner: CONTOSO, roles: 'referral_admin' }, reservationOffer);
    expect(readerOnly.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'ROLE-SUBSCRIPTIONS' });
    expect(await gw.collections.sandboxOffers.countDocuments()).toBe(0);
  });

  it('ADDON-ELIGIBLE, ADDON-ALIGN, UPG-ELIGIBLE, CAT-TRIAL: the offers a sandbox offer names must be in its catalog and fit; an add-on for a global base shows among that base’s add-ons in the sandbox only', async () => {
    const s = await sandbox('Add-ons and upgrades');
    const base = O.m365BusinessBasic;
    const nce = (price: number, extra: Record<string, unknown> = {}) => ({
      name: 'Sandbox NCE offer',
      commerceType: 'NEW_COMMERCE',
      billingPlans: [
        { billingCycle: 'MONTHLY', termDuration: 'P1M', price: { amountInCents: Math.round(price * 1.2), currencyCode: 'USD' } },
        { billingCycle: 'MONTHLY', termDuration: 'P1Y', price: { amountInCents: price * 12, currencyCode: 'USD' } },
        { billingCycle: 'ANNUAL', termDuration: 'P1Y', price: { amountInCents: price * 12, currencyCode: 'USD' } },
      ],
      ...extra,
    });
    const addOn = await offerId(s.as, nce(300, { name: 'Sandbox add-on', addOnBaseOfferIds: [base] }));
    const seen = async (as: Caller) =>
      (await gql<{ offer: { eligibleAddOns: { id: string }[] } }>(as, OFFER, { id: base })).data?.offer.eligibleAddOns.map((a) => a.id);
    expect(await seen(s.as)).toContain(addOn);
    expect(await seen({ partner: CONTOSO, roles: 'admin_agent' })).not.toContain(addOn);
    // An add-on is not sold from the catalog (ADDON-NOT-CATALOG).
    const catalog = await gql<{ offers: { nodes: { id: string }[] } }>(s.as, '{ offers(first: 100) { nodes { id } } }');
    expect(catalog.data?.offers.nodes.map((n) => n.id)).not.toContain(addOn);

    const premium = await offerId(s.as, nce(2500, { name: 'Sandbox premium' }));
    await offerId(s.as, nce(1000, { name: 'Sandbox standard', upgradeTargetIds: [premium, O.m365BusinessPremium] }));

    const refusals: [Record<string, unknown>, string, string[]][] = [
      [nce(300, { addOnBaseOfferIds: ['NOSUCHOFFER:0001'] }), 'ADDON-ELIGIBLE', ['input', 'addOnBaseOfferIds', '0']],
      [
        nce(300, {
          addOnBaseOfferIds: [base],
          billingPlans: [{ billingCycle: 'MONTHLY', termDuration: 'P1M', price: { amountInCents: 360, currencyCode: 'USD' } }],
        }),
        'ADDON-ALIGN',
        ['input', 'billingPlans'],
      ],
      [nce(1000, { upgradeTargetIds: [O.reservedVmD2sV5] }), 'UPG-ELIGIBLE', ['input', 'upgradeTargetIds', '0']],
      [nce(1000, { upgradeTargetIds: [addOn] }), 'UPG-ELIGIBLE', ['input', 'upgradeTargetIds', '0']],
      [
        {
          name: 'Sandbox trial',
          commerceType: 'NEW_COMMERCE',
          trial: { days: 30, convertsToOfferId: O.litwareBackup },
          billingPlans: [{ billingCycle: 'NONE', termDuration: 'P1M', price: { amountInCents: 0, currencyCode: 'USD' } }],
        },
        'CAT-TRIAL',
        ['input', 'trial', 'convertsToOfferId'],
      ],
    ];
    const before = await gw.collections.sandboxOffers.countDocuments({ partnerId: s.partnerId });
    for (const [input, rule, field] of refusals) {
      const refused = await createOffer(s.as, input);
      expect(refused.errors, JSON.stringify(refused.errors)).toBeUndefined();
      expect(refused.data!.createOffer.userErrors, rule).toEqual([expect.objectContaining({ rule, code: 'NOT_ELIGIBLE', field })]);
    }
    expect(await gw.collections.sandboxOffers.countDocuments({ partnerId: s.partnerId })).toBe(before);
    await deleteSandbox(s.id);
  });

  it('an offer the seeded catalog could not hold is BAD_USER_INPUT naming the field and what was expected, and nothing is created', async () => {
    const s = await sandbox('Bad offers');
    const plan = (billingCycle: string, termDuration: string, amountInCents: number, currencyCode = 'USD') => ({
      billingCycle,
      termDuration,
      price: { amountInCents, currencyCode },
    });
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...reservationOffer, name: ' ' }, 'input.name', '1 to 250 characters'],
      [
        { ...reservationOffer, billingPlans: [plan('MONTHLY', 'P1Y', 100)] },
        'input.billingPlans[0].billingCycle',
        'one_time/P1Y, one_time/P3Y',
      ],
      [{ ...reservationOffer, billingPlans: [plan('ONE_TIME', 'P1Y', -1)] }, 'input.billingPlans[0].price.amountInCents', 'from 0'],
      [
        { ...reservationOffer, billingPlans: [plan('ONE_TIME', 'P1Y', 100), plan('ONE_TIME', 'P3Y', 100, 'EUR')] },
        'input.billingPlans[1].price.currencyCode',
        'the same currency',
      ],
      [{ ...reservationOffer, reservationType: null }, 'input.reservationType', 'set reservationType'],
      [{ ...reservationOffer, billingType: 'LICENSE' }, 'input.billingType', 'usage-billed'],
      [{ ...reservationOffer, markets: ['XX'] }, 'input.markets', 'ISO 3166-1 alpha-2'],
      [{ ...reservationOffer, segments: [] }, 'input.segments', 'at least one segment'],
      [{ ...reservationOffer, commerceType: 'SOFTWARE', reservationType: null, billingType: 'LICENSE' }, 'input.softwareKind', 'PERPETUAL'],
      [{ ...reservationOffer, commerceType: 'MARKETPLACE_SAAS' }, 'input.publisher', 'published by isv'],
      [{ ...reservationOffer, upgradeTargetIds: ['not an id'] }, 'input.upgradeTargetIds[0]', 'catalog item ID'],
    ];
    for (const [input, field, expected] of cases) {
      const answer = await createOffer(s.as, input);
      expect(answer.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(answer.errors?.[0]?.message).toContain(expected);
    }
    expect(await gw.collections.sandboxOffers.countDocuments({ partnerId: s.partnerId })).toBe(0);
    await deleteSandbox(s.id);
  });

  it('UPG-ELIGIBLE, ADDON-ELIGIBLE: a sandbox buys its own NCE offer, an add-on of its own for it, and upgrades it to another of its offers, at its own prices', async () => {
    const s = await sandbox('NCE offers', '2026-03-01T00:00:00Z');
    const plans = (monthly: number) => [
      { billingCycle: 'MONTHLY', termDuration: 'P1M', price: { amountInCents: monthly * 12, currencyCode: 'USD' } },
      { billingCycle: 'MONTHLY', termDuration: 'P1Y', price: { amountInCents: monthly * 120, currencyCode: 'USD' } },
      { billingCycle: 'ANNUAL', termDuration: 'P1Y', price: { amountInCents: monthly * 120, currencyCode: 'USD' } },
    ];
    const premium = await offerId(s.as, { name: 'Sandbox Premium', commerceType: 'NEW_COMMERCE', billingPlans: plans(250) });
    const standard = await offerId(s.as, {
      name: 'Sandbox Standard',
      commerceType: 'NEW_COMMERCE',
      billingPlans: plans(100),
      upgradeTargetIds: [premium],
    });
    const addOn = await offerId(s.as, {
      name: 'Sandbox Add-on',
      commerceType: 'NEW_COMMERCE',
      billingPlans: plans(30),
      addOnBaseOfferIds: [standard],
    });
    const customer = await customerId(s.as, 'nce-buyer.example.com');
    const bought = await gql<{
      purchase: { subscriptions: { id: string; offerName: string }[]; total: { amountInCents: number }; userErrors: unknown[] };
    }>(
      s.as,
      'mutation ($input: PurchaseInput!) { purchase(input: $input) { subscriptions { id offerName } total { amountInCents } userErrors { rule message } } }',
      { input: { customerId: customer, lineItems: [{ offerId: standard, quantity: 3, billingCycle: 'ANNUAL', termDuration: 'P1Y' }] } },
    );
    expect(bought.errors, JSON.stringify(bought.errors)).toBeUndefined();
    expect(bought.data!.purchase.userErrors).toEqual([]);
    expect(bought.data!.purchase.total.amountInCents).toBe(3 * 12_000);
    const subscription = bought.data!.purchase.subscriptions[0]!;
    expect(subscription.offerName).toBe('Sandbox Standard');

    const withAddOn = await gql<{ purchaseAddOn: { charge: { amountInCents: number } | null; userErrors: unknown[] } }>(
      s.as,
      'mutation ($input: PurchaseAddOnInput!) { purchaseAddOn(input: $input) { charge { amountInCents } userErrors { rule message } } }',
      { input: { subscriptionId: subscription.id, offerId: addOn, quantity: 2 } },
    );
    expect(withAddOn.errors, JSON.stringify(withAddOn.errors)).toBeUndefined();
    expect(withAddOn.data!.purchaseAddOn.userErrors).toEqual([]);
    // Bought the instant its base was: the whole aligned year (ADDON-ALIGN).
    expect(withAddOn.data!.purchaseAddOn.charge?.amountInCents).toBe(2 * 3_600);

    // With an add-on, one licence of three moves (a full upgrade would leave the add-on behind: UPG-FULL).
    const upgraded = await gql<{
      partialUpgrade: { targetSubscription: { offerId: string; quantity: number } | null; userErrors: unknown[] };
    }>(
      s.as,
      'mutation ($input: PartialUpgradeInput!) { partialUpgrade(input: $input) { targetSubscription { offerId quantity } userErrors { rule message } } }',
      { input: { subscriptionId: subscription.id, targetOfferId: premium, quantity: 1 } },
    );
    expect(upgraded.errors, JSON.stringify(upgraded.errors)).toBeUndefined();
    expect(upgraded.data!.partialUpgrade.userErrors).toEqual([]);
    expect(upgraded.data!.partialUpgrade.targetSubscription).toEqual({ offerId: premium, quantity: 1 });
    await deleteSandbox(s.id);
  });

  it('a 3-year software subscription offer at 1,234.56 is bought for exactly that amount in the sandbox', async () => {
    const s = await sandbox('Software offer');
    const id = await offerId(s.as, {
      name: 'Sandbox Server Subscription 3 years',
      commerceType: 'SOFTWARE',
      softwareKind: 'SUBSCRIPTION',
      billingPlans: [{ billingCycle: 'ONE_TIME', termDuration: 'P3Y', price: { amountInCents: 123_456, currencyCode: 'USD' } }],
    });
    const customer = await customerId(s.as, 'software-buyer.example.com');
    const bought = await gql<{ purchaseSoftware: { softwareOrder: { id: string } | null; userErrors: unknown[] } }>(
      s.as,
      'mutation ($input: PurchaseSoftwareInput!) { purchaseSoftware(input: $input) { softwareOrder { id } userErrors { rule message } } }',
      { input: { customerId: customer, offerId: id, quantity: 2 } },
    );
    expect(bought.errors, JSON.stringify(bought.errors)).toBeUndefined();
    expect(bought.data!.purchaseSoftware.userErrors).toEqual([]);
    const charged = await gw.collections.ledger.find({ partnerId: s.partnerId, customerId: customer }).toArray();
    expect(charged.reduce((sum, e) => sum + e.amountCents, 0)).toBe(2 * 123_456);
    await deleteSandbox(s.id);
  });
});
