import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collections } from '../../src/db/collections.js';
import type { ClockDoc } from '../../src/db/documents.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import {
  ReadApiAddOnDocument,
  ReadApiClockDocument,
  ReadApiCustomerSubscriptionsDocument,
  ReadApiCustomerSubscriptionsTotalDocument,
  ReadApiCustomersDocument,
  ReadApiCustomersTotalDocument,
  ReadApiCustomerTreeDocument,
  ReadApiOffersDocument,
  ReadApiOffersTotalDocument,
  ReadApiOrderDocument,
  ReadApiSubscriptionDocument,
  ReadApiSubscriptionsDocument,
  ReadApiSubscriptionsTotalDocument,
  ViewerDocument,
  type CustomerFilter,
  type OfferFilter,
  type SubscriptionFilter,
} from '../generated/graphql.js';
import { aCustomer, anOffer, anOrder, aSubscription, guid, orderId, T0 } from '../support/fixtures.js';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../support/gateway.js';

/*
 * The read API over HTTP: one gateway and one small, hand-built world for the whole file.
 * Every expectation below is an exact value derived from this world.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const FABRIKAM = DEMO_PARTNERS.fabrikam.id;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(T0.getTime() + ms);

/** The instant the expiringBefore edge is tested at: S2's term ends exactly here. */
const EDGE = new Date('2027-03-15T12:00:00.000Z');

const OFFER = {
  base: 'CFQ7TTC0LH18:0001',
  addOn: 'CFQ7TTC0ADD1:0001',
  trial: 'CFQ7TTC0TRL1:0001',
  usage: 'DZH318Z0BQ3Q:0001',
  isv: 'ISV0SAAS0001:0001',
  legacy: 'LEGACY000001:0001',
} as const;

const C = {
  alpha: guid('ra-alpha-industries'),
  alphaLabs: guid('ra-alpha-labs'),
  bravo1: guid('ra-bravo-1'),
  bravo2: guid('ra-bravo-2'),
  charlie: guid('ra-charlie'),
  delta: guid('ra-delta'),
  echo: guid('ra-echo'),
};
/** Fabrikam's customers: the first would sort before all of Contoso's, the second matches 'alpha'. */
const F = { aardvark: guid('ra-f-aardvark'), alpha: guid('ra-f-alpha') };

const S = {
  s1: guid('ra-s1'),
  s2: guid('ra-s2'),
  s3: guid('ra-s3'),
  s4: guid('ra-s4'),
  s5: guid('ra-s5'),
  s6: guid('ra-s6'),
  a1: guid('ra-a1'),
  a2: guid('ra-a2'),
};
/** Fabrikam's: SF2 and AF2 point at Contoso's customer and subscription, to prove scope is by owner. */
const SF = { sf1: guid('ra-sf1'), sf2: guid('ra-sf2'), sf3: guid('ra-sf3'), af1: guid('ra-af1'), af2: guid('ra-af2') };
const ORD = { contoso: orderId('ra-ord-contoso'), fabrikam: orderId('ra-ord-fabrikam'), fabrikamOnAlpha: orderId('ra-ord-fab-alpha') };

const S1_END = '2027-11-01T09:00:00.000Z';

/** Contoso's base subscriptions in creation order (the connections' order). */
const ALL_BASE = [S.s1, S.s5, S.s2, S.s3, S.s4, S.s6];

async function seed(cols: Collections): Promise<void> {
  await cols.offers.insertMany([
    anOffer({ _id: OFFER.base, name: 'Microsoft 365 Business Basic', eligibleAddOnIds: [OFFER.addOn] }),
    anOffer({ _id: OFFER.addOn, name: 'Exchange Online Archiving', isAddOn: true, segments: ['commercial', 'education'] }),
    anOffer({ _id: OFFER.trial, name: 'Teams Trial', category: 'trial', segments: ['education'] }),
    anOffer({ _id: OFFER.usage, name: 'Azure plan', billingType: 'usage', segments: ['commercial', 'government'] }),
    anOffer({
      _id: OFFER.isv,
      name: 'Contoso SaaS',
      publisher: 'isv',
      publisherName: 'An ISV',
      commerceType: 'marketplace_saas',
      productType: 'SaaS',
      category: 'small_business',
      segments: ['commercial', 'education'],
    }),
    anOffer({ _id: OFFER.legacy, name: 'Legacy Office', commerceType: 'legacy', productType: 'OnlineServices', segments: ['nonprofit'] }),
  ]);

  await cols.customers.insertMany([
    aCustomer({ _id: C.alpha, companyName: 'Alpha Industries', domain: 'alphaind.onmicrosoft.com', associatedPartnerId: '1000003' }),
    aCustomer({
      _id: C.alphaLabs,
      companyName: 'alpha labs',
      domain: 'alphalabs.onmicrosoft.com',
      billingCountry: 'GB',
      segment: 'education',
    }),
    aCustomer({ _id: C.bravo1, companyName: 'Bravo Corp', domain: 'bravo1.onmicrosoft.com' }),
    aCustomer({ _id: C.bravo2, companyName: 'Bravo Corp', domain: 'bravo2.example.com' }),
    aCustomer({ _id: C.charlie, companyName: 'Charlie Ltd', domain: 'zulu.onmicrosoft.com' }),
    aCustomer({ _id: C.delta, companyName: 'Delta Dental' }),
    aCustomer({ _id: C.echo, companyName: 'Echo Echo' }),
    aCustomer({ _id: F.aardvark, companyName: 'Aardvark Fabrikam', partnerId: FABRIKAM }),
    aCustomer({ _id: F.alpha, companyName: 'Alpha Fabrikam', domain: 'alphafab.onmicrosoft.com', partnerId: FABRIKAM }),
  ]);

  const s1 = aSubscription({
    _id: S.s1,
    customerId: C.alpha,
    offerId: OFFER.base,
    offerName: 'Microsoft 365 Business Basic',
    friendlyName: 'Alpha M365',
    quantity: 25,
    unitPriceCents: 1230,
    partnerIdOnRecord: '1000003',
    orderId: ORD.contoso,
  });
  await cols.subscriptions.insertMany([
    s1,
    aSubscription({
      _id: S.a1,
      customerId: C.alpha,
      offerId: OFFER.addOn,
      parentSubscriptionId: S.s1,
      creationDate: at(MIN),
      commitmentEndDate: s1.commitmentEndDate,
    }),
    aSubscription({
      _id: S.a2,
      customerId: C.alpha,
      offerId: OFFER.addOn,
      parentSubscriptionId: S.s1,
      creationDate: at(2 * MIN),
      commitmentEndDate: s1.commitmentEndDate,
    }),
    aSubscription({ _id: S.s5, customerId: C.alphaLabs, offerId: OFFER.base, creationDate: at(30 * MIN) }),
    aSubscription({
      _id: S.s2,
      customerId: C.alpha,
      offerId: OFFER.isv,
      offerName: 'Contoso SaaS',
      creationDate: at(HOUR),
      status: 'suspended',
      suspensionReasons: ['non_payment'],
      suspendedBy: 'partner',
      suspendedAt: at(DAY),
      dataDeletionAt: at(91 * DAY),
      commerceType: 'marketplace_saas',
      publisher: 'isv',
      billingCycle: 'annual',
      autoRenewEnabled: false,
      unitPriceCents: 99999,
      currency: 'EUR',
      commitmentEndDate: EDGE,
    }),
    aSubscription({
      _id: S.s3,
      customerId: C.alpha,
      offerId: OFFER.usage,
      creationDate: at(2 * HOUR),
      billingType: 'usage',
      autoRenewEnabled: false,
      commitmentEndDate: new Date(EDGE.getTime() + 1),
    }),
    aSubscription({
      _id: S.s4,
      customerId: C.alpha,
      offerId: OFFER.legacy,
      creationDate: at(3 * HOUR),
      commerceType: 'legacy',
      billingCycle: 'annual',
      status: 'deleted',
      deletedReason: 'cancelled',
      deletedAt: at(4 * DAY),
      unitPriceCents: 5,
      commitmentEndDate: new Date(EDGE.getTime() - DAY),
    }),
    aSubscription({
      _id: S.s6,
      customerId: C.bravo1,
      offerId: OFFER.base,
      creationDate: at(4 * HOUR),
      status: 'suspended',
      billingCycle: 'triennial',
      termDuration: 'P3Y',
      commitmentEndDate: new Date('2029-11-01T09:00:00.000Z'),
    }),
    // Fabrikam's.
    aSubscription({ _id: SF.sf1, partnerId: FABRIKAM, customerId: F.aardvark, offerId: OFFER.base, creationDate: at(-HOUR) }),
    aSubscription({
      _id: SF.af1,
      partnerId: FABRIKAM,
      customerId: F.aardvark,
      offerId: OFFER.addOn,
      parentSubscriptionId: SF.sf1,
      creationDate: at(-HOUR),
    }),
    aSubscription({ _id: SF.sf2, partnerId: FABRIKAM, customerId: C.alpha, offerId: OFFER.base, creationDate: at(10 * MIN) }),
    aSubscription({ _id: SF.sf3, partnerId: FABRIKAM, customerId: F.alpha, offerId: OFFER.base, creationDate: at(20 * MIN) }),
    aSubscription({
      _id: SF.af2,
      partnerId: FABRIKAM,
      customerId: C.alpha,
      offerId: OFFER.addOn,
      parentSubscriptionId: S.s1,
      creationDate: at(3 * MIN),
    }),
  ]);

  await cols.orders.insertMany([
    anOrder({ _id: ORD.contoso, customerId: C.alpha }),
    anOrder({ _id: ORD.fabrikam, customerId: F.aardvark, partnerId: FABRIKAM }),
    anOrder({ _id: ORD.fabrikamOnAlpha, customerId: C.alpha, partnerId: FABRIKAM, creationDate: at(-DAY) }),
  ]);
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway(seed);
  // ROLE-MARKETPLACE: these reads include ISV subscriptions, which only global admins and admin agents see.
  const execute = gw.execute.bind(gw);
  gw.execute = ((document, variables, options) =>
    execute(document, variables, options ?? { roles: 'admin_agent' })) as TestGateway['execute'];
});
afterAll(() => gw?.close());

/** The response minus one ID, so that two NOT_FOUND answers can be compared whole. */
function withoutId(response: GraphQLResponse<unknown>, id: string): unknown {
  return JSON.parse(JSON.stringify({ status: response.status, data: response.data, errors: response.errors }).replaceAll(id, '<ID>'));
}

describe('viewer', () => {
  it("viewer returns the caller's partner, user ID and roles as sent", async () => {
    const res = await gw.execute(
      ViewerDocument,
      {},
      { roles: 'global_admin, Admin agent', headers: { 'x-user-id': 'alice@contoso.example' } },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      viewer: {
        userId: 'alice@contoso.example',
        roles: ['GLOBAL_ADMIN', 'ADMIN_AGENT'],
        partner: { id: CONTOSO, name: 'Contoso Cloud Services', partnerType: 'DIRECT_BILL', mpnId: '1000001' },
      },
    });
  });

  it('viewer without X-Partner-Roles or X-User-Id has no roles and a user named after the partner', async () => {
    const res = await gw.execute(ViewerDocument, {}, { partner: FABRIKAM });
    expect(res.data).toEqual({
      viewer: {
        userId: `${FABRIKAM}/user`,
        roles: [],
        partner: { id: FABRIKAM, name: 'Fabrikam Distribution', partnerType: 'INDIRECT_PROVIDER', mpnId: '1000002' },
      },
    });
  });
});

describe('customer -> subscriptions -> addOns -> offer', () => {
  it('the nested tree resolves the stored customer, its base subscriptions, their add-ons and offers', async () => {
    const res = await gw.execute(ReadApiCustomerTreeDocument, { id: C.alpha });
    expect(res.errors).toBeUndefined();
    const base = { name: 'Microsoft 365 Business Basic', isAddOn: false };
    const addOn = (id: string) => ({
      id,
      parentSubscriptionId: S.s1,
      commitmentEndDate: S1_END,
      parentSubscription: { id: S.s1 },
      offer: { id: OFFER.addOn, name: 'Exchange Online Archiving', isAddOn: true },
    });
    expect(res.data).toEqual({
      customer: {
        id: C.alpha,
        segment: 'COMMERCIAL',
        relationshipToPartner: 'RESELLER',
        associatedPartnerId: '1000003',
        accountOpenedDate: '2024-01-01T00:00:00.000Z',
        firstBillingDate: '2024-01-15T00:00:00.000Z',
        companyProfile: { tenantId: C.alpha, domain: 'alphaind.onmicrosoft.com', companyName: 'Alpha Industries' },
        billingProfile: { companyName: 'Alpha Industries', defaultAddress: { country: 'US' } },
        subscriptions: {
          nodes: [
            {
              id: S.s1,
              offerId: OFFER.base,
              customer: { id: C.alpha },
              offer: { id: OFFER.base, ...base },
              addOns: [addOn(S.a1), addOn(S.a2)],
            },
            {
              id: S.s2,
              offerId: OFFER.isv,
              customer: { id: C.alpha },
              offer: { id: OFFER.isv, name: 'Contoso SaaS', isAddOn: false },
              addOns: [],
            },
            {
              id: S.s3,
              offerId: OFFER.usage,
              customer: { id: C.alpha },
              offer: { id: OFFER.usage, name: 'Azure plan', isAddOn: false },
              addOns: [],
            },
            {
              id: S.s4,
              offerId: OFFER.legacy,
              customer: { id: C.alpha },
              offer: { id: OFFER.legacy, name: 'Legacy Office', isAddOn: false },
              addOns: [],
            },
          ],
        },
        orders: { nodes: [{ id: ORD.contoso }] },
      },
    });
  });

  it('IDs are case-insensitive: upper-case order and add-on IDs answer with the stored lower-case IDs', async () => {
    const res = await gw.execute(ReadApiOrderDocument, { id: ORD.contoso.toUpperCase() });
    expect(res.data).toEqual({ order: { id: ORD.contoso, customer: { id: C.alpha } } });
    const sub = await gw.execute(ReadApiAddOnDocument, { id: S.a1.toUpperCase() });
    expect(sub.data!.addOn!.id).toBe(S.a1);
  });

  it('add-ons are not listed among base subscriptions, top-level or per customer', async () => {
    const top = await gw.execute(ReadApiSubscriptionsDocument, { first: 100 });
    expect(top.data?.subscriptions.nodes.map((n) => n.id)).toEqual(ALL_BASE);
    const nested = await gw.execute(ReadApiCustomerSubscriptionsDocument, { id: C.alpha, first: 100 });
    expect(nested.data!.customer!.subscriptions.edges.map((e) => e.node.id)).toEqual([S.s1, S.s2, S.s3, S.s4]);
  });
});

describe('Subscription fields', () => {
  it('GEN-UTC: subscription(id) maps unitType, exact Money, isMicrosoftProduct, partnerId = reseller MPN, and ISO dates in UTC with Z', async () => {
    const res = await gw.execute(ReadApiSubscriptionDocument, { id: S.s1 });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      subscription: {
        id: S.s1,
        offerId: OFFER.base,
        offerName: 'Microsoft 365 Business Basic',
        friendlyName: 'Alpha M365',
        quantity: 25,
        unitType: 'Licenses',
        status: 'ACTIVE',
        suspensionReasons: [],
        suspendedBy: null,
        suspensionDate: null,
        dataDeletionDate: null,
        autoRenewEnabled: true,
        billingType: 'LICENSE',
        billingCycle: 'MONTHLY',
        termDuration: 'P1Y',
        commerceType: 'NEW_COMMERCE',
        isTrial: false,
        isMicrosoftProduct: true,
        creationDate: '2026-11-01T09:00:00.000Z',
        effectiveStartDate: '2026-11-01T09:00:00.000Z',
        commitmentEndDate: S1_END,
        orderId: ORD.contoso,
        partnerId: '1000003',
        deletedReason: null,
        deletionDate: null,
        unitPrice: { amountInCents: 1230, amount: '12.30', currencyCode: 'USD' },
      },
    });
  });

  it('GEN-UTC: a suspended ISV subscription maps its suspension, EUR price to the cent, and isMicrosoftProduct false', async () => {
    const res = await gw.execute(ReadApiSubscriptionDocument, { id: S.s2 });
    expect(res.data?.subscription).toMatchObject({
      status: 'SUSPENDED',
      suspensionReasons: ['NON_PAYMENT'],
      suspendedBy: 'PARTNER',
      suspensionDate: '2026-11-02T09:00:00.000Z',
      dataDeletionDate: '2027-01-31T09:00:00.000Z',
      commerceType: 'MARKETPLACE_SAAS',
      billingCycle: 'ANNUAL',
      autoRenewEnabled: false,
      isMicrosoftProduct: false,
      unitType: 'Licenses',
      partnerId: '',
      commitmentEndDate: '2027-03-15T12:00:00.000Z',
      unitPrice: { amountInCents: 99999, amount: '999.99', currencyCode: 'EUR' },
    });
  });

  it('a usage-billed subscription has unitType Usage-based; 5 cents render as 0.05; a deletion keeps its reason and date', async () => {
    const usage = await gw.execute(ReadApiSubscriptionDocument, { id: S.s3 });
    expect(usage.data?.subscription).toMatchObject({ unitType: 'Usage-based', billingType: 'USAGE' });
    const deleted = await gw.execute(ReadApiSubscriptionDocument, { id: S.s4 });
    expect(deleted.data?.subscription).toMatchObject({
      status: 'DELETED',
      deletedReason: 'CANCELLED',
      deletionDate: '2026-11-05T09:00:00.000Z',
      unitPrice: { amountInCents: 5, amount: '0.05', currencyCode: 'USD' },
    });
  });

  it('addOn(id) returns the add-on with its parentSubscription and customer', async () => {
    const res = await gw.execute(ReadApiAddOnDocument, { id: S.a1 });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      addOn: {
        id: S.a1,
        parentSubscriptionId: S.s1,
        offerId: OFFER.addOn,
        unitType: 'Licenses',
        isMicrosoftProduct: true,
        commitmentEndDate: S1_END,
        parentSubscription: { id: S.s1, offerId: OFFER.base },
        customer: { id: C.alpha },
      },
    });
  });

  it('subscription(id) on an add-on answers NOT_FOUND with the hint to use addOn(id:)', async () => {
    const res = await gw.execute(ReadApiSubscriptionDocument, { id: S.a1 });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ subscription: null });
    expect(res.errors).toEqual([
      {
        message: `Subscription '${S.a1}' is an add-on; query it with addOn(id:)`,
        locations: [{ line: 2, column: 3 }],
        path: ['subscription'],
        extensions: { code: 'NOT_FOUND', kind: 'subscription', id: S.a1 },
      },
    ]);
  });

  it('addOn(id) on a base subscription answers NOT_FOUND with the hint to use subscription(id:)', async () => {
    const res = await gw.execute(ReadApiAddOnDocument, { id: S.s1 });
    expect(res.data).toEqual({ addOn: null });
    expect(res.errors?.[0]).toMatchObject({
      message: `Subscription '${S.s1}' is a base subscription; query it with subscription(id:)`,
      extensions: { code: 'NOT_FOUND', kind: 'add-on', id: S.s1 },
    });
  });
});

describe('customers', () => {
  /** Contoso's customers by company name (case-insensitive), ties by ID. */
  const bravos = [C.bravo1, C.bravo2].sort();
  const ORDERED = [C.alpha, C.alphaLabs, ...bravos, C.charlie, C.delta, C.echo];

  const ids = (res: Awaited<ReturnType<typeof customers>>) => res.data!.customers.edges.map((e) => e.node.id);
  const customers = (first: number | null, after?: string | null, filter?: CustomerFilter) =>
    gw.execute(ReadApiCustomersDocument, { first, after, filter });

  it('customers are sorted by company name case-insensitively, then by ID, and the order is stable', async () => {
    const res = await customers(100);
    expect(res.errors).toBeUndefined();
    expect(res.data!.customers.edges.map((e) => e.node.companyProfile.companyName)).toEqual([
      'Alpha Industries',
      'alpha labs',
      'Bravo Corp',
      'Bravo Corp',
      'Charlie Ltd',
      'Delta Dental',
      'Echo Echo',
    ]);
    expect(ids(res)).toEqual(ORDERED);
    expect(ids(await customers(100))).toEqual(ORDERED);
  });

  it('walking first: 2 pages with after visits every customer exactly once, with exact pageInfo', async () => {
    const pages: { ids: string[]; hasNextPage: boolean; hasPreviousPage: boolean }[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard += 1) {
      const res = await customers(2, after);
      expect(res.errors).toBeUndefined();
      const conn = res.data!.customers;
      pages.push({ ids: ids(res), hasNextPage: conn.pageInfo.hasNextPage, hasPreviousPage: conn.pageInfo.hasPreviousPage });
      expect(conn.pageInfo.startCursor).toBe(conn.edges[0]!.cursor);
      expect(conn.pageInfo.endCursor).toBe(conn.edges.at(-1)!.cursor);
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(pages).toEqual([
      { ids: ORDERED.slice(0, 2), hasNextPage: true, hasPreviousPage: false },
      { ids: ORDERED.slice(2, 4), hasNextPage: true, hasPreviousPage: true },
      { ids: ORDERED.slice(4, 6), hasNextPage: true, hasPreviousPage: true },
      { ids: ORDERED.slice(6, 7), hasNextPage: false, hasPreviousPage: true },
    ]);
  });

  it('first: 0 returns no edges but says whether items exist', async () => {
    const some = await customers(0);
    expect(some.data!.customers).toEqual({
      pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null },
      edges: [],
    });
    const none = await customers(0, null, { search: 'nobody-by-this-name' });
    expect(none.data!.customers.pageInfo.hasNextPage).toBe(false);
    // After the second-last customer, one remains.
    const page = await customers(6);
    const last = await customers(0, page.data!.customers.pageInfo.endCursor);
    expect(last.data!.customers.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: true, startCursor: null, endCursor: null });
  });

  it.each([
    ['alpha', [C.alpha, C.alphaLabs]],
    ['ALPHA L', [C.alphaLabs]],
    ['ZULU', [C.charlie]],
    ['Bravo2.Ex', [C.bravo2]],
    ['bravo', bravos],
    ['lab', []],
    ['industries', []],
    ['onmicrosoft', []],
  ])('customer search is a case-insensitive prefix on company name or domain: %j', async (search, expected) => {
    const res = await customers(100, null, { search });
    expect(res.errors).toBeUndefined();
    expect(ids(res)).toEqual(expected);
  });

  it('customer filters by billing country (any case) and segment combine with AND', async () => {
    expect(ids(await customers(100, null, { billingCountry: ['gb'] }))).toEqual([C.alphaLabs]);
    expect(ids(await customers(100, null, { billingCountry: ['GB', 'US'], segment: ['EDUCATION'] }))).toEqual([C.alphaLabs]);
    expect(ids(await customers(100, null, { search: 'alpha', segment: ['COMMERCIAL'] }))).toEqual([C.alpha]);
  });
});

describe('subscription filters', () => {
  const subscriptions = (filter: SubscriptionFilter | null, first = 100, after: string | null = null) =>
    gw.execute(ReadApiSubscriptionsDocument, { first, after, filter });

  it.each<[string, SubscriptionFilter, string[]]>([
    ['status SUSPENDED', { status: ['SUSPENDED'] }, [S.s2, S.s6]],
    ['status ACTIVE or DELETED', { status: ['ACTIVE', 'DELETED'] }, [S.s1, S.s5, S.s3, S.s4]],
    ['offerId', { offerId: [OFFER.base] }, [S.s1, S.s5, S.s6]],
    ['offerId in lower case', { offerId: [OFFER.base.toLowerCase()] }, [S.s1, S.s5, S.s6]],
    ['offerId of two offers', { offerId: [OFFER.isv, OFFER.legacy] }, [S.s2, S.s4]],
    ['commerceType MARKETPLACE_SAAS', { commerceType: ['MARKETPLACE_SAAS'] }, [S.s2]],
    ['commerceType LEGACY or MARKETPLACE_SAAS', { commerceType: ['LEGACY', 'MARKETPLACE_SAAS'] }, [S.s2, S.s4]],
    ['billingCycle ANNUAL', { billingCycle: ['ANNUAL'] }, [S.s2, S.s4]],
    ['billingCycle TRIENNIAL or MONTHLY', { billingCycle: ['TRIENNIAL', 'MONTHLY'] }, [S.s1, S.s5, S.s3, S.s6]],
    ['autoRenewEnabled false', { autoRenewEnabled: false }, [S.s2, S.s3]],
    ['autoRenewEnabled true', { autoRenewEnabled: true }, [S.s1, S.s5, S.s4, S.s6]],
    ['status ACTIVE AND autoRenewEnabled false', { status: ['ACTIVE'], autoRenewEnabled: false }, [S.s3]],
    [
      'commerceType NEW_COMMERCE AND billingCycle MONTHLY',
      { commerceType: ['NEW_COMMERCE'], billingCycle: ['MONTHLY'] },
      [S.s1, S.s5, S.s3],
    ],
    ['status SUSPENDED AND billingCycle ANNUAL', { status: ['SUSPENDED'], billingCycle: ['ANNUAL'] }, [S.s2]],
    [
      'status SUSPENDED AND offerId of the ISV offer AND autoRenewEnabled true',
      { status: ['SUSPENDED'], offerId: [OFFER.isv], autoRenewEnabled: true },
      [],
    ],
    ['customerSearch ALPHA', { customerSearch: 'ALPHA' }, [S.s1, S.s5, S.s2, S.s3, S.s4]],
    ['customerSearch bravo AND status SUSPENDED', { customerSearch: 'bravo', status: ['SUSPENDED'] }, [S.s6]],
    ['customerSearch on a domain prefix', { customerSearch: 'alphalabs.' }, [S.s5]],
    ['customerSearch of a customer without subscriptions', { customerSearch: 'zulu' }, []],
  ])('top-level subscriptions filter: %s', async (_name, filter, expected) => {
    const res = await subscriptions(filter);
    expect(res.errors).toBeUndefined();
    expect(res.data!.subscriptions.nodes.map((n) => n.id)).toEqual(expected);
  });

  it('expiringBefore is strict (<): a term ending exactly at the instant is excluded, 1 ms later it is included', async () => {
    const atEdge = await subscriptions({ expiringBefore: EDGE.toISOString() });
    expect(atEdge.data!.subscriptions.nodes.map((n) => n.id)).toEqual([S.s4]);
    const oneMsLater = await subscriptions({ expiringBefore: new Date(EDGE.getTime() + 1).toISOString() });
    expect(oneMsLater.data!.subscriptions.nodes.map((n) => n.id)).toEqual([S.s2, S.s4]);
    const twoMsLater = await subscriptions({ expiringBefore: new Date(EDGE.getTime() + 2).toISOString() });
    expect(twoMsLater.data!.subscriptions.nodes.map((n) => n.id)).toEqual([S.s2, S.s3, S.s4]);
  });

  it('top-level subscriptions page with after: first: 4 then the rest, each once, with exact pageInfo', async () => {
    const one = await subscriptions(null, 4);
    expect(one.data!.subscriptions.nodes.map((n) => n.id)).toEqual(ALL_BASE.slice(0, 4));
    expect(one.data!.subscriptions.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const two = await subscriptions(null, 4, one.data!.subscriptions.pageInfo.endCursor);
    expect(two.data!.subscriptions.nodes.map((n) => n.id)).toEqual(ALL_BASE.slice(4));
    expect(two.data!.subscriptions.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('a filtered top-level page keeps its filter across after: status ACTIVE in pages of one', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard += 1) {
      const res = await subscriptions({ status: ['ACTIVE'] }, 1, after);
      expect(res.errors).toBeUndefined();
      seen.push(...res.data!.subscriptions.nodes.map((n) => n.id));
      if (!res.data!.subscriptions.pageInfo.hasNextPage) break;
      after = res.data!.subscriptions.pageInfo.endCursor;
    }
    expect(seen).toEqual([S.s1, S.s5, S.s3]);
  });
});

describe('customer.subscriptions', () => {
  const nested = (filter: SubscriptionFilter | null, first: number | null, after: string | null = null) =>
    gw.execute(ReadApiCustomerSubscriptionsDocument, { id: C.alpha, first, after, filter });

  it('customer.subscriptions pages in memory with after: first: 2 twice visits each base subscription once', async () => {
    const one = await nested(null, 2);
    expect(one.errors).toBeUndefined();
    const p1 = one.data!.customer!.subscriptions;
    expect(p1.edges.map((e) => e.node.id)).toEqual([S.s1, S.s2]);
    expect(p1.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: p1.edges[0]!.cursor,
      endCursor: p1.edges[1]!.cursor,
    });

    const two = await nested(null, 2, p1.pageInfo.endCursor);
    const p2 = two.data!.customer!.subscriptions;
    expect(p2.edges.map((e) => e.node.id)).toEqual([S.s3, S.s4]);
    expect(p2.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    const three = await nested(null, 2, p2.pageInfo.endCursor);
    expect(three.data!.customer!.subscriptions.edges).toEqual([]);
    expect(three.data!.customer!.subscriptions.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: null,
      endCursor: null,
    });
  });

  it('customer.subscriptions first: 0 gives no edges but hasNextPage true', async () => {
    const res = await nested(null, 0);
    expect(res.data!.customer!.subscriptions).toEqual({
      pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null },
      edges: [],
    });
  });

  it('customer.subscriptions filters page the filtered list: status ACTIVE in pages of one', async () => {
    const one = await nested({ status: ['ACTIVE'] }, 1);
    expect(one.data!.customer!.subscriptions.edges.map((e) => e.node.id)).toEqual([S.s1]);
    const two = await nested({ status: ['ACTIVE'] }, 1, one.data!.customer!.subscriptions.pageInfo.endCursor);
    expect(two.data!.customer!.subscriptions.edges.map((e) => e.node.id)).toEqual([S.s3]);
    expect(two.data!.customer!.subscriptions.pageInfo.hasNextPage).toBe(false);
  });

  it.each<[string, SubscriptionFilter, string[]]>([
    ['expiringBefore at the edge excludes the term ending there', { expiringBefore: EDGE.toISOString() }, [S.s4]],
    ['expiringBefore 1 ms after the edge includes it', { expiringBefore: new Date(EDGE.getTime() + 1).toISOString() }, [S.s2, S.s4]],
    ['commerceType and billingCycle combine with AND', { commerceType: ['NEW_COMMERCE'], billingCycle: ['MONTHLY'] }, [S.s1, S.s3]],
    ['offerId list matches any', { offerId: [OFFER.usage, OFFER.legacy, OFFER.trial] }, [S.s3, S.s4]],
    ['autoRenewEnabled false', { autoRenewEnabled: false }, [S.s2, S.s3]],
  ])('customer.subscriptions filter: %s', async (_name, filter, expected) => {
    const res = await nested(filter, 100);
    expect(res.errors).toBeUndefined();
    expect(res.data!.customer!.subscriptions.edges.map((e) => e.node.id)).toEqual(expected);
  });
});

describe('offers catalog', () => {
  const offers = (filter: OfferFilter | null) => gw.execute(ReadApiOffersDocument, { first: 100, filter });
  const CATALOG = [OFFER.base, OFFER.trial, OFFER.usage, OFFER.isv, OFFER.legacy];

  it('ADDON-NOT-CATALOG: the catalog excludes add-ons, which stay reachable as eligibleAddOns', async () => {
    const res = await offers(null);
    expect(res.errors).toBeUndefined();
    expect(res.data!.offers.nodes.map((o) => o.id)).toEqual(CATALOG);
    expect(res.data!.offers.nodes.every((o) => !o.isAddOn)).toBe(true);
    expect(res.data!.offers.nodes[0]).toEqual({
      id: OFFER.base,
      publisher: 'MICROSOFT',
      billingType: 'LICENSE',
      category: 'ENTERPRISE',
      segments: ['COMMERCIAL'],
      isAddOn: false,
      eligibleAddOns: [{ id: OFFER.addOn, isAddOn: true }],
    });
  });

  it.each<[string, OfferFilter, string[]]>([
    ['publisher ISV', { publisher: ['ISV'] }, [OFFER.isv]],
    ['publisher MICROSOFT', { publisher: ['MICROSOFT'] }, [OFFER.base, OFFER.trial, OFFER.usage, OFFER.legacy]],
    ['billingType USAGE', { billingType: ['USAGE'] }, [OFFER.usage]],
    ['billingType LICENSE', { billingType: ['LICENSE'] }, [OFFER.base, OFFER.trial, OFFER.isv, OFFER.legacy]],
    ['category TRIAL', { category: ['TRIAL'] }, [OFFER.trial]],
    ['category SMALL_BUSINESS', { category: ['SMALL_BUSINESS'] }, [OFFER.isv]],
    ['segment EDUCATION (the add-on sold to education stays out)', { segment: ['EDUCATION'] }, [OFFER.trial, OFFER.isv]],
    ['segment GOVERNMENT', { segment: ['GOVERNMENT'] }, [OFFER.usage]],
    ['segment NONPROFIT', { segment: ['NONPROFIT'] }, [OFFER.legacy]],
    ['publisher MICROSOFT AND segment COMMERCIAL', { publisher: ['MICROSOFT'], segment: ['COMMERCIAL'] }, [OFFER.base, OFFER.usage]],
    ['publisher ISV AND billingType USAGE', { publisher: ['ISV'], billingType: ['USAGE'] }, []],
  ])('CAT-FILTER: the catalog filters by %s', async (_name, filter, expected) => {
    const res = await offers(filter);
    expect(res.errors).toBeUndefined();
    expect(res.data!.offers.nodes.map((o) => o.id)).toEqual(expected);
  });
});

/*
 * BUG (src/shared/connection.type.ts:58 with src/shared/pagination.ts:152/175): `Page.totalCount` is a
 * function, but the Connection type declares `totalCount` as a plain @Field, and type-graphql's
 * basic field resolver returns `root.totalCount` without calling it. Every selected totalCount
 * therefore fails Int serialisation ("Int cannot represent non-integer value: [function]"),
 * is masked as INTERNAL_SERVER_ERROR, and, the field being non-null, nulls the whole connection.
 * These tests state the intended behaviour and are marked it.fails until that is fixed.
 */
describe('totalCount', () => {
  it('totalCount of customers is the full count of matching customers on every page', async () => {
    const first = await gw.execute(ReadApiCustomersTotalDocument, { first: 2 });
    expect(first.errors).toBeUndefined();
    expect(first.data).toEqual({ customers: { totalCount: 7 } });
    const page = await gw.execute(ReadApiCustomersDocument, { first: 2 });
    const second = await gw.execute(ReadApiCustomersTotalDocument, { first: 2, after: page.data!.customers.pageInfo.endCursor });
    expect(second.data).toEqual({ customers: { totalCount: 7 } });
    const zero = await gw.execute(ReadApiCustomersTotalDocument, { first: 0, filter: { search: 'alpha' } });
    expect(zero.data).toEqual({ customers: { totalCount: 2 } });
  });

  it('totalCount of top-level subscriptions counts the base subscriptions matching the filter', async () => {
    const all = await gw.execute(ReadApiSubscriptionsTotalDocument, { first: 1 });
    expect(all.errors).toBeUndefined();
    expect(all.data).toEqual({ subscriptions: { totalCount: 6 } });
    const active = await gw.execute(ReadApiSubscriptionsTotalDocument, { first: 1, filter: { status: ['ACTIVE'] } });
    expect(active.data).toEqual({ subscriptions: { totalCount: 3 } });
  });

  it("totalCount of customer.subscriptions and customer.orders counts the customer's items, not the page", async () => {
    const res = await gw.execute(ReadApiCustomerSubscriptionsTotalDocument, { id: C.alpha, first: 1 });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ customer: { subscriptions: { totalCount: 4 }, orders: { totalCount: 1 } } });
    const filtered = await gw.execute(ReadApiCustomerSubscriptionsTotalDocument, { id: C.alpha, first: 1, filter: { status: ['ACTIVE'] } });
    expect(filtered.data!.customer!.subscriptions.totalCount).toBe(2);
  });

  it('ADDON-NOT-CATALOG: totalCount of offers counts the catalog without add-ons', async () => {
    const res = await gw.execute(ReadApiOffersTotalDocument, {});
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ offers: { totalCount: 5 } });
    const education = await gw.execute(ReadApiOffersTotalDocument, { filter: { segment: ['EDUCATION'] } });
    expect(education.data).toEqual({ offers: { totalCount: 2 } });
  });
});

describe('simulationClock', () => {
  it('GEN-CLOCK: simulationClock returns the stored clock, and the seed start when none is stored', async () => {
    const clock = gw.collections.clock;
    const before = await gw.execute(ReadApiClockDocument);
    expect(before.data).toEqual({ simulationClock: { now: '2026-11-01T09:00:00.000Z' } });
    // GEN-CLOCK: one clock per partner tenant; the test calls as Contoso.
    await clock.insertOne({
      _id: CONTOSO,
      now: new Date('2027-02-03T04:05:06.789Z'),
      version: 1,
      updatedAt: new Date('2027-02-03T04:05:06.789Z'),
    } satisfies ClockDoc);
    try {
      const after = await gw.execute(ReadApiClockDocument);
      expect(after.errors).toBeUndefined();
      expect(after.data).toEqual({ simulationClock: { now: '2027-02-03T04:05:06.789Z' } });
    } finally {
      await clock.deleteOne({ _id: CONTOSO });
    }
  });
});

describe('ROLE-TENANT', () => {
  it("ROLE-TENANT: Contoso's customers(...) never lists Fabrikam's customers, with or without filters", async () => {
    const all = await gw.execute(ReadApiCustomersDocument, { first: 100 });
    const ids = all.data!.customers.edges.map((e) => e.node.id);
    expect(ids).toHaveLength(7);
    expect(ids).not.toContain(F.aardvark);
    expect(ids).not.toContain(F.alpha);
    const alpha = await gw.execute(ReadApiCustomersDocument, { first: 100, filter: { search: 'alpha' } });
    expect(alpha.data!.customers.edges.map((e) => e.node.id)).toEqual([C.alpha, C.alphaLabs]);
    // And Fabrikam sees only its own.
    const fab = await gw.execute(ReadApiCustomersDocument, { first: 100 }, { partner: FABRIKAM });
    expect(fab.data!.customers.edges.map((e) => e.node.id)).toEqual([F.aardvark, F.alpha]);
  });

  it("ROLE-TENANT: another partner's customer ID answers NOT_FOUND exactly like an unknown ID", async () => {
    const unknown = guid('ra-unknown-customer');
    const foreign = await gw.execute(ReadApiCustomerTreeDocument, { id: F.aardvark });
    const missing = await gw.execute(ReadApiCustomerTreeDocument, { id: unknown });
    expect(foreign.errors?.[0]).toMatchObject({
      message: `No customer with ID '${F.aardvark}' exists for this partner`,
      extensions: { code: 'NOT_FOUND', kind: 'customer', id: F.aardvark },
    });
    expect(withoutId(foreign, F.aardvark)).toEqual(withoutId(missing, unknown));
  });

  it.each([
    ['subscription', ReadApiSubscriptionDocument, SF.sf1, 'subscription'],
    ['subscription (the foreign one on a Contoso customer)', ReadApiSubscriptionDocument, SF.sf2, 'subscription'],
    ['addOn', ReadApiAddOnDocument, SF.af1, 'subscription'],
    ['order', ReadApiOrderDocument, ORD.fabrikam, 'order'],
    ['order (the foreign one on a Contoso customer)', ReadApiOrderDocument, ORD.fabrikamOnAlpha, 'order'],
  ] as const)(
    "ROLE-TENANT: another partner's %s ID answers NOT_FOUND exactly like an unknown ID",
    async (_name, document, foreignId, kind) => {
      const unknown = kind === 'order' ? orderId('ra-unknown') : guid('ra-unknown');
      const foreign = await gw.execute(document as typeof ReadApiOrderDocument, { id: foreignId });
      const missing = await gw.execute(document as typeof ReadApiOrderDocument, { id: unknown });
      expect(foreign.errors?.[0]).toMatchObject({
        message: `No ${kind} with ID '${foreignId}' exists for this partner`,
        extensions: { code: 'NOT_FOUND', kind, id: foreignId },
      });
      expect(withoutId(foreign, foreignId)).toEqual(withoutId(missing, unknown));
    },
  );

  it("ROLE-TENANT: nested lists never include another partner's records that point at the caller's customer or subscription", async () => {
    const tree = await gw.execute(ReadApiCustomerTreeDocument, { id: C.alpha });
    const subs = tree.data!.customer!.subscriptions.nodes;
    expect(subs.map((s) => s.id)).toEqual([S.s1, S.s2, S.s3, S.s4]);
    expect(subs[0]!.addOns.map((a) => a.id)).toEqual([S.a1, S.a2]);
    expect(tree.data!.customer!.orders.nodes.map((o) => o.id)).toEqual([ORD.contoso]);

    const top = await gw.execute(ReadApiSubscriptionsDocument, { first: 100, filter: { customerSearch: 'a' } });
    expect(top.data!.subscriptions.nodes.map((n) => n.id)).toEqual([S.s1, S.s5, S.s2, S.s3, S.s4]);

    // Fabrikam, for its part, sees its subscriptions only, and not Contoso's customer behind SF2:
    // that one field is null with NOT_FOUND, and the rest of the page keeps its data.
    const fab = await gw.execute(ReadApiSubscriptionsDocument, { first: 100 }, { partner: FABRIKAM });
    expect(fab.data!.subscriptions.nodes).toEqual([
      { id: SF.sf1, customer: { id: F.aardvark } },
      { id: SF.sf2, customer: null },
      { id: SF.sf3, customer: { id: F.alpha } },
    ]);
    expect(fab.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual([['NOT_FOUND', 'subscriptions.nodes.1.customer']]);
    const fabIds = await gw.execute(ReadApiCustomerSubscriptionsDocument, { id: F.aardvark, first: 100 }, { partner: FABRIKAM });
    expect(fabIds.data!.customer!.subscriptions.edges.map((e) => e.node.id)).toEqual([SF.sf1]);
  });
});
