import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderLineItem, SoftwareOrderDoc } from '../../src/db/documents.js';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import {
  PrAddOnDocument,
  PrAddOnPairDocument,
  PrAddOnRefsDocument,
  PrCustomerDocument,
  PrCustomerPairDocument,
  PrInvoiceDocument,
  PrInvoicePairDocument,
  PrOfferDocument,
  PrOfferPairDocument,
  PrOfferRefsDocument,
  PrOrderDocument,
  PrOrderPairDocument,
  PrOrderRefsDocument,
  PrReservationDocument,
  PrReservationPairDocument,
  PrReservationRefsDocument,
  PrSoftwareOrderDocument,
  PrSoftwareOrderPairDocument,
  PrSoftwareOrderRefsDocument,
  PrSubscriptionDocument,
  PrSubscriptionPairDocument,
  PrSubscriptionRefsDocument,
  PrSubscriptionsRefsDocument,
} from '../generated/graphql.js';
import { aCustomer, anOffer, anOrder, aSubscription, guid, insertWorld, orderId, T0 } from '../support/fixtures.js';
import { startTestGateway, type CallOptions, type GraphQLResponse, type TestGateway } from '../support/gateway.js';
import { aReservation } from '../support/reservations.js';

/*
 * Partial results, as GraphQL intends (issue 8): a single-object lookup that misses is null at
 * its own field with an error carrying that field's path, and every sibling keeps its data. The
 * same holds for a reference from one object to another that cannot be read: it is null, and
 * its parent keeps everything else.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const FABRIKAM = DEMO_PARTNERS.fabrikam.id;
const AS_FABRIKAM: CallOptions = { partner: FABRIKAM };
const MINUTE = 60_000;
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE);

const OFFER = 'CFQ7TTC0PR01:0001';
const TARGET = 'CFQ7TTC0PR02:0001';
const WITH_GONE_TARGET = 'CFQ7TTC0PR03:0001';
const ISV_OFFER = 'CFQ7TTC0PRIS:0001';
/** Referenced, never inserted: a catalog item that is not (or no longer) in the catalog. */
const GONE_OFFER = 'CFQ7TTC0GONE:0001';

const C = { contoso: guid('pr-c-contoso'), fabrikam: guid('pr-c-fabrikam'), gone: guid('pr-c-gone') };
const S = {
  ok: guid('pr-s-ok'),
  noOffer: guid('pr-s-no-offer'),
  noOrder: guid('pr-s-no-order'),
  noCustomer: guid('pr-s-no-customer'),
  isv: guid('pr-s-isv'),
  gone: guid('pr-s-gone'),
  fabrikam: guid('pr-s-fabrikam'),
};
const A = { ok: guid('pr-a-ok'), noParent: guid('pr-a-no-parent'), fabrikam: guid('pr-a-fabrikam') };
const ORD = { ok: orderId('pr-o-ok'), noOffer: orderId('pr-o-no-offer'), fabrikam: orderId('pr-o-fabrikam') };
const SW = { ok: orderId('pr-sw-ok'), noOffer: orderId('pr-sw-no-offer'), fabrikam: orderId('pr-sw-fabrikam') };
const RES = { ok: guid('pr-r-ok'), noOffer: guid('pr-r-no-offer'), fabrikam: guid('pr-r-fabrikam') };
const UNKNOWN = { guid: guid('pr-unknown'), order: orderId('pr-unknown'), offer: 'CFQ7TTC0NONE:0001' };

function line(lineItemNumber: number, offerId: string): OrderLineItem {
  return {
    lineItemNumber,
    offerId,
    subscriptionId: null,
    reservationId: null,
    friendlyName: `Line ${lineItemNumber}`,
    quantity: 1,
    billingCycle: 'monthly',
    termDuration: 'P1Y',
    transactionType: 'new',
    unitPriceCents: 1200,
    totalPriceCents: 1200,
  };
}

function aSoftwareOrder(overrides: Partial<SoftwareOrderDoc> & { _id: string; customerId: string; offerId: string }): SoftwareOrderDoc {
  return {
    partnerId: CONTOSO,
    productName: 'Windows Server 2022 Standard',
    softwareKind: 'perpetual',
    softwareVendorPlan: null,
    quantity: 1,
    purchasedAt: T0,
    termEndDate: null,
    status: 'active',
    cancelledAt: null,
    cancellationVisibleAt: null,
    amountCents: 100_000,
    currency: 'USD',
    pricesIncludeTax: false,
    keys: [],
    version: 1,
    ...overrides,
  };
}

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway(async (cols) => {
    const base = { customerId: C.contoso, offerId: OFFER, orderId: ORD.ok };
    const fabrikam = { partnerId: FABRIKAM, customerId: C.fabrikam };
    await insertWorld(cols, {
      offers: [
        anOffer({ _id: OFFER }),
        anOffer({ _id: TARGET }),
        anOffer({ _id: WITH_GONE_TARGET, upgradeTargetIds: [TARGET, GONE_OFFER] }),
        anOffer({ _id: ISV_OFFER, publisher: 'isv', commerceType: 'marketplace_saas' }),
      ],
      customers: [
        aCustomer({ _id: C.contoso, companyName: 'Partial Contoso Customer' }),
        aCustomer({ _id: C.fabrikam, companyName: 'Partial Fabrikam Customer', partnerId: FABRIKAM }),
      ],
      subscriptions: [
        aSubscription({ ...base, _id: S.ok, friendlyName: 'ok', creationDate: at(0) }),
        aSubscription({ ...base, _id: S.noOffer, friendlyName: 'no offer', offerId: GONE_OFFER, creationDate: at(1) }),
        aSubscription({ ...base, _id: S.noOrder, friendlyName: 'no order', orderId: orderId('pr-never-placed'), creationDate: at(2) }),
        aSubscription({ ...base, _id: S.noCustomer, friendlyName: 'no customer', customerId: C.gone, creationDate: at(3) }),
        aSubscription({
          ...base,
          _id: S.isv,
          offerId: ISV_OFFER,
          publisher: 'isv',
          commerceType: 'marketplace_saas',
          creationDate: at(4),
        }),
        aSubscription({ ...base, _id: A.ok, parentSubscriptionId: S.ok, creationDate: at(5) }),
        aSubscription({ ...base, _id: A.noParent, friendlyName: 'no parent', parentSubscriptionId: S.gone, creationDate: at(6) }),
        aSubscription({ ...fabrikam, _id: S.fabrikam, offerId: OFFER, orderId: ORD.fabrikam }),
        aSubscription({ ...fabrikam, _id: A.fabrikam, offerId: OFFER, orderId: ORD.fabrikam, parentSubscriptionId: S.fabrikam }),
      ],
      orders: [
        anOrder({ _id: ORD.ok, customerId: C.contoso, lineItems: [line(1, OFFER)] }),
        anOrder({ _id: ORD.noOffer, customerId: C.contoso, lineItems: [line(1, OFFER), line(2, GONE_OFFER)] }),
        anOrder({ ...fabrikam, _id: ORD.fabrikam, lineItems: [line(1, OFFER)] }),
      ],
    });
    await cols.softwareOrders.insertMany([
      aSoftwareOrder({ _id: SW.ok, customerId: C.contoso, offerId: OFFER }),
      aSoftwareOrder({ _id: SW.noOffer, customerId: C.contoso, offerId: GONE_OFFER, productName: 'no offer' }),
      aSoftwareOrder({ ...fabrikam, _id: SW.fabrikam, offerId: OFFER }),
    ]);
    await cols.reservations.insertMany([
      aReservation({ _id: RES.ok, customerId: C.contoso, offerId: OFFER }),
      aReservation({ _id: RES.noOffer, customerId: C.contoso, offerId: GONE_OFFER, displayName: 'no offer' }),
      aReservation({ ...fabrikam, _id: RES.fabrikam, offerId: OFFER }),
    ]);
  });
});
afterAll(() => gw?.close());

type Answer = GraphQLResponse<Record<string, unknown>>;
type ErrorEntry = NonNullable<Answer['errors']>[number];

/** The answer with an ID's text replaced, to compare a foreign ID's answer with an unknown one's. */
const withoutId = (answer: Answer, id: string) => JSON.parse(JSON.stringify(answer).replaceAll(id, '<ID>')) as unknown;

/** Errors in path order: sibling fields resolve concurrently, so their errors may arrive in any order. */
const byPath = (errors: ErrorEntry[] = []) => [...errors].sort((a, b) => (a.path?.join('.') ?? '').localeCompare(b.path?.join('.') ?? ''));

/** The NOT_FOUND error of the loaders (src/shared/errors.ts), at a path. */
function notFound(kind: string, id: string, path: (string | number)[]) {
  return {
    message: `No ${kind} with ID '${id}' exists for this partner`,
    locations: expect.any(Array),
    path,
    extensions: { code: 'NOT_FOUND', kind, id },
  };
}

interface Lookup {
  field: string;
  /** `{ viewer { userId } <field>(id: $id) { ... } }` */
  one: TypedDocumentNode<Record<string, unknown>, { id: string }>;
  /** `{ known: <field>(id: $known) { ... } other: <field>(id: $other) { ... } }` */
  pair: TypedDocumentNode<Record<string, unknown>, { known: string; other: string }>;
  /** The kind the NOT_FOUND error names. */
  kind: string;
  known: string;
  knownData: Record<string, unknown>;
  unknown: string;
  /** Another partner's real ID, and what that partner itself reads under it; null for the catalog, which is global. */
  foreign: { id: string; data: Record<string, unknown> } | null;
}

const LOOKUPS: Lookup[] = [
  {
    field: 'customer',
    one: PrCustomerDocument,
    pair: PrCustomerPairDocument,
    kind: 'customer',
    known: C.contoso,
    knownData: { id: C.contoso },
    unknown: UNKNOWN.guid,
    foreign: { id: C.fabrikam, data: { id: C.fabrikam } },
  },
  {
    field: 'subscription',
    one: PrSubscriptionDocument,
    pair: PrSubscriptionPairDocument,
    kind: 'subscription',
    known: S.ok,
    knownData: { id: S.ok },
    unknown: UNKNOWN.guid,
    foreign: { id: S.fabrikam, data: { id: S.fabrikam } },
  },
  {
    field: 'addOn',
    one: PrAddOnDocument,
    pair: PrAddOnPairDocument,
    kind: 'subscription',
    known: A.ok,
    knownData: { id: A.ok },
    unknown: UNKNOWN.guid,
    foreign: { id: A.fabrikam, data: { id: A.fabrikam } },
  },
  {
    field: 'offer',
    one: PrOfferDocument,
    pair: PrOfferPairDocument,
    kind: 'offer',
    known: OFFER,
    knownData: { id: OFFER },
    unknown: UNKNOWN.offer,
    foreign: null,
  },
  {
    field: 'order',
    one: PrOrderDocument,
    pair: PrOrderPairDocument,
    kind: 'order',
    known: ORD.ok,
    knownData: { id: ORD.ok },
    unknown: UNKNOWN.order,
    foreign: { id: ORD.fabrikam, data: { id: ORD.fabrikam } },
  },
  {
    field: 'softwareOrder',
    one: PrSoftwareOrderDocument,
    pair: PrSoftwareOrderPairDocument,
    kind: 'software order',
    known: SW.ok,
    knownData: { id: SW.ok },
    unknown: UNKNOWN.order,
    foreign: { id: SW.fabrikam, data: { id: SW.fabrikam } },
  },
  {
    field: 'reservation',
    one: PrReservationDocument,
    pair: PrReservationPairDocument,
    kind: 'reservation',
    known: RES.ok,
    knownData: { id: RES.ok },
    unknown: UNKNOWN.guid,
    foreign: { id: RES.fabrikam, data: { id: RES.fabrikam } },
  },
  {
    field: 'invoice',
    one: PrInvoiceDocument,
    pair: PrInvoicePairDocument,
    kind: 'customer',
    known: C.contoso,
    knownData: { period: '2026-11' },
    unknown: UNKNOWN.guid,
    foreign: { id: C.fabrikam, data: { period: '2026-11' } },
  },
];

/** What a lookup that misses answers: HTTP 200, the viewer, null at the field, one NOT_FOUND at its path. */
function missed(lookup: Lookup, id: string, viewer = CONTOSO) {
  return {
    status: 200,
    data: { viewer: { userId: `${viewer}/user` }, [lookup.field]: null },
    errors: [
      {
        message: `No ${lookup.kind} with ID '${id}' exists for this partner`,
        locations: [{ line: 5, column: 3 }],
        path: [lookup.field],
        extensions: { code: 'NOT_FOUND', kind: lookup.kind, id },
      },
    ],
  };
}

describe('a lookup that misses is null at its own field; its siblings keep their data', () => {
  it.each(LOOKUPS.map((l) => [l.field, l] as const))(
    '%s(id) of an unknown ID is null with one NOT_FOUND at its path, beside the viewer, with HTTP 200',
    async (_field, lookup) => {
      const res = await gw.execute(lookup.one, { id: lookup.unknown });
      expect(res).toEqual(missed(lookup, lookup.unknown));
    },
  );

  it.each(LOOKUPS.filter((l) => l.foreign).map((l) => [l.field, l] as const))(
    "ROLE-TENANT: %s(id) of another partner's real ID answers exactly as an unknown ID, apart from the ID's text",
    async (_field, lookup) => {
      const foreign = lookup.foreign!;
      // The ID is real: its own partner reads it.
      const own = await gw.execute(lookup.one, { id: foreign.id }, AS_FABRIKAM);
      expect(own).toEqual({ status: 200, data: { viewer: { userId: `${FABRIKAM}/user` }, [lookup.field]: foreign.data } });

      const res = await gw.execute(lookup.one, { id: foreign.id });
      expect(res).toEqual(missed(lookup, foreign.id));
      const unknown = await gw.execute(lookup.one, { id: lookup.unknown });
      expect(withoutId(res, foreign.id)).toEqual(withoutId(unknown, lookup.unknown));
    },
  );

  it.each(LOOKUPS.map((l) => [l.field, l] as const))(
    '%s(id) twice under aliases, a known ID and an unknown one, gives the known one its data and the other null',
    async (_field, lookup) => {
      const res = await gw.execute(lookup.pair, { known: lookup.known, other: lookup.unknown });
      expect(res).toEqual({
        status: 200,
        data: { known: lookup.knownData, other: null },
        errors: [
          {
            message: `No ${lookup.kind} with ID '${lookup.unknown}' exists for this partner`,
            locations: [{ line: 5, column: 3 }],
            path: ['other'],
            extensions: { code: 'NOT_FOUND', kind: lookup.kind, id: lookup.unknown },
          },
        ],
      });
    },
  );

  it('ROLE-MARKETPLACE: subscription(id) of a marketplace subscription, for a billing admin, is null with FORBIDDEN beside the viewer', async () => {
    const res = await gw.execute(PrSubscriptionDocument, { id: S.isv }, { roles: 'billing_admin' });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ viewer: { userId: `${CONTOSO}/user` }, subscription: null });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ['subscription'], extensions: { code: 'FORBIDDEN', rule: 'ROLE-MARKETPLACE' } });

    const allowed = await gw.execute(PrSubscriptionDocument, { id: S.isv }, { roles: 'admin_agent' });
    expect(allowed).toEqual({ status: 200, data: { viewer: { userId: `${CONTOSO}/user` }, subscription: { id: S.isv } } });
  });

  it('a malformed ID is null with BAD_USER_INPUT at its own field, beside the viewer', async () => {
    const res = await gw.execute(PrCustomerDocument, { id: 'nope' });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ viewer: { userId: `${CONTOSO}/user` }, customer: null });
    expect(res.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([['BAD_USER_INPUT', ['customer']]]);
  });
});

describe('a reference that cannot be read is null at its own field; its parent keeps its data', () => {
  it('a subscription with every reference present answers them all, without errors', async () => {
    const res = await gw.execute(PrSubscriptionRefsDocument, { id: S.ok });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      subscription: {
        id: S.ok,
        friendlyName: 'ok',
        customer: { id: C.contoso },
        offer: { id: OFFER },
        order: { id: ORD.ok },
        allowedActions: expect.arrayContaining([{ action: 'CANCEL' }]),
      },
    });
  });

  it('a subscription whose offer is missing has offer and allowedActions null, each with NOT_FOUND; the rest is there', async () => {
    const ok = await gw.execute(PrSubscriptionRefsDocument, { id: S.ok });
    const res = await gw.execute(PrSubscriptionRefsDocument, { id: S.noOffer });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({
      subscription: { ...ok.data!.subscription!, id: S.noOffer, friendlyName: 'no offer', offer: null, allowedActions: null },
    });
    expect(byPath(res.errors)).toEqual([
      notFound('offer', GONE_OFFER, ['subscription', 'allowedActions']),
      notFound('offer', GONE_OFFER, ['subscription', 'offer']),
    ]);
  });

  it('a subscription whose order is missing has order null with NOT_FOUND; the rest is there', async () => {
    const ok = await gw.execute(PrSubscriptionRefsDocument, { id: S.ok });
    const res = await gw.execute(PrSubscriptionRefsDocument, { id: S.noOrder });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ subscription: { ...ok.data!.subscription!, id: S.noOrder, friendlyName: 'no order', order: null } });
    expect(res.errors).toEqual([notFound('order', orderId('pr-never-placed'), ['subscription', 'order'])]);
  });

  it('a subscription whose customer is missing is listed with customer null; the rest of the page keeps its data', async () => {
    const res = await gw.execute(PrSubscriptionsRefsDocument, {});
    expect(res.status).toBe(200);
    expect(res.data).toEqual({
      subscriptions: {
        nodes: [
          { id: S.ok, customer: { id: C.contoso } },
          { id: S.noOffer, customer: { id: C.contoso } },
          { id: S.noOrder, customer: { id: C.contoso } },
          { id: S.noCustomer, customer: null },
        ],
      },
    });
    expect(res.errors).toEqual([notFound('customer', C.gone, ['subscriptions', 'nodes', 3, 'customer'])]);
  });

  it('an add-on whose base subscription is missing has parentSubscription null with NOT_FOUND; the rest is there', async () => {
    const ok = await gw.execute(PrAddOnRefsDocument, { id: A.ok });
    expect(ok).toEqual({
      status: 200,
      data: { addOn: { id: A.ok, friendlyName: expect.any(String), parentSubscription: { id: S.ok }, offer: { id: OFFER } } },
    });
    const res = await gw.execute(PrAddOnRefsDocument, { id: A.noParent });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ addOn: { id: A.noParent, friendlyName: 'no parent', parentSubscription: null, offer: { id: OFFER } } });
    expect(res.errors).toEqual([notFound('subscription', S.gone, ['addOn', 'parentSubscription'])]);
  });

  it('an order line whose offer is missing has offer null with NOT_FOUND; the order and its other line keep theirs', async () => {
    const res = await gw.execute(PrOrderRefsDocument, { id: ORD.noOffer });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({
      order: {
        id: ORD.noOffer,
        customer: { id: C.contoso },
        lineItems: [
          { lineItemNumber: 1, offer: { id: OFFER } },
          { lineItemNumber: 2, offer: null },
        ],
      },
    });
    expect(res.errors).toEqual([notFound('offer', GONE_OFFER, ['order', 'lineItems', 1, 'offer'])]);
  });

  it('a software order whose offer is missing has offer null with NOT_FOUND; the rest is there', async () => {
    const ok = await gw.execute(PrSoftwareOrderRefsDocument, { id: SW.ok });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.softwareOrder!.offer).toEqual({ id: OFFER });
    const res = await gw.execute(PrSoftwareOrderRefsDocument, { id: SW.noOffer });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ softwareOrder: { id: SW.noOffer, productName: 'no offer', customer: { id: C.contoso }, offer: null } });
    expect(res.errors).toEqual([notFound('offer', GONE_OFFER, ['softwareOrder', 'offer'])]);
  });

  it('a reservation whose offer is missing has offer null with NOT_FOUND; the rest is there', async () => {
    const ok = await gw.execute(PrReservationRefsDocument, { id: RES.ok });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.reservation!.offer).toEqual({ id: OFFER });
    const res = await gw.execute(PrReservationRefsDocument, { id: RES.noOffer });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ reservation: { id: RES.noOffer, displayName: 'no offer', customer: { id: C.contoso }, offer: null } });
    expect(res.errors).toEqual([notFound('offer', GONE_OFFER, ['reservation', 'offer'])]);
  });

  it('an upgrade target missing from the catalog is a null item with NOT_FOUND; the other target and the offer keep theirs', async () => {
    const res = await gw.execute(PrOfferRefsDocument, { id: WITH_GONE_TARGET });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({
      offer: { id: WITH_GONE_TARGET, name: `Offer ${WITH_GONE_TARGET}`, upgradeTargets: [{ id: TARGET }, null] },
    });
    expect(res.errors).toEqual([notFound('offer', GONE_OFFER, ['offer', 'upgradeTargets', 1])]);
  });
});

describe("a dry run's quote", () => {
  let quoting: TestGateway;
  const customerId = guid('pr-quote-customer');
  beforeAll(async () => {
    quoting = await startTestGateway(async (cols) => {
      await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
      await cols.customers.insertOne(aCustomer({ _id: customerId, companyName: 'Pr Quote' }));
    });
  });
  afterAll(() => quoting?.close());

  it("a dry-run purchase's quoted subscription answers order: null without an error (its order is never written)", async () => {
    const query = `mutation Q($input: PurchaseInput!) { purchase(input: $input) { dryRun order { id } subscriptions { offerId order { id } } userErrors { code } } }`;
    const input = {
      customerId,
      dryRun: true,
      lineItems: [{ offerId: OFFER_IDS.m365BusinessBasic, quantity: 1, billingCycle: 'MONTHLY', termDuration: 'P1Y' }],
    };
    const answer = await quoting.post(JSON.stringify({ query, variables: { input } }), { roles: 'admin_agent' });
    const body = JSON.parse(answer.text) as GraphQLResponse<unknown>;
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      purchase: { dryRun: true, order: null, subscriptions: [{ offerId: OFFER_IDS.m365BusinessBasic, order: null }], userErrors: [] },
    });
  });
});
