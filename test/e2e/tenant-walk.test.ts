import type { GraphQLOutputType } from 'graphql';
import { BSON, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CustomerDoc, OrderDoc, SubscriptionDoc } from '../../src/db/documents.js';
import { addTerm, DAY, HOUR } from '../../src/policy/time.js';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS, SEED_CLOCK_START } from '../../src/seed/demo-ids.js';
import { aCustomer, anOrder, aSubscription, guid, orderId } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import {
  diffSnapshots,
  idLikeArguments,
  loadSchema,
  rootOperation,
  selectionOf,
  snapshotDb,
  stringsIn,
  type Change,
  type Snapshot,
  type SnapshotDb,
} from '../support/tenant-walk.js';

/*
 * ROLE-TENANT, walked over the whole schema: every Query and Mutation field (and nested field)
 * that takes an ID-like argument is called by partner A (Contoso, holding every role, so no
 * FORBIDDEN gets in the way) twice: once with the ID of a real document of partner B (Fabrikam),
 * once with a well-formed ID that exists nowhere. The two answers must be the same once the ID
 * text is replaced (HTTP status, errors and their extensions, data and its nulls, userErrors), no
 * answer may hold any of B's data, and A's refusal audit records must not differ either. Mutations
 * run with dryRun false, on B documents in a state where B itself could make the change (each
 * case's control proves it with a dry run as B), so a leak would actually write. The database is
 * snapshotted byte for byte before the walk and compared after every case: the only change allowed
 * is A's own refusal audit records (and A's idempotency records, none expected: no MS-RequestId is sent).
 *
 * The cases are checked against the schema: an ID-like argument without a case (or a reasoned
 * exemption below) fails the walk, so a new field cannot be added without joining it.
 */

const A = DEMO_PARTNERS.contoso.id;
const B = DEMO_PARTNERS.fabrikam.id;
type Who = 'A' | 'B';
const PARTNER: Record<Who, string> = { A, B };
const ALL_ROLES = [
  'admin_agent',
  'billing_admin',
  'global_admin',
  'helpdesk_agent',
  'sales_agent',
  'account_admin',
  'referral_admin',
  'marketing_content_admin',
  'user_management_admin',
].join(',');
const O = OFFER_IDS;
const T0 = SEED_CLOCK_START;
/** Both partners' clocks are never advanced here, so every window is measured from T0. */
const PERIOD = '2026-11';
const AUDIT_FROM = '2026-10-15T00:00:00.000Z';
const AUDIT_TO = '2026-12-15T00:00:00.000Z';
/** Object levels every generated selection expands below the root field. */
const LEVELS = 3;

const schema = loadSchema();

// ---------------------------------------------------------------------------------------------
// The two worlds

const A_CUSTOMER = aCustomer({ _id: guid('tw-a-customer'), companyName: 'Contoso Walk Own', partnerId: A });
const B_CUSTOMER = aCustomer({ _id: guid('tw-b-customer'), companyName: 'Fabrikam Secret Alpha', partnerId: B });
const A_AZURE = guid('tw-a-azure-subscription');
const SANDBOX_OFFER = 'S0000000WALK:0001';
const B_AZURE = guid('tw-b-azure-subscription');

function sub({
  label,
  who,
  customer,
  offerId,
  overrides = {},
}: {
  label: string;
  who: Who;
  customer: CustomerDoc;
  offerId: string;
  overrides?: Partial<SubscriptionDoc>;
}): SubscriptionDoc {
  const offer = CATALOG.find((o) => o._id === offerId)!;
  const plan = offer.billingPlans.find((p) => p.billingCycle === 'monthly' && p.termDuration === 'P1Y')!;
  const start = overrides.effectiveStartDate ?? new Date(T0.getTime() - HOUR);
  const quantity = overrides.quantity ?? 10;
  return aSubscription({
    _id: guid(`tw-sub-${label}`),
    partnerId: PARTNER[who],
    customerId: customer._id,
    offerId,
    offerName: offer.name,
    commerceType: offer.commerceType,
    billingType: offer.billingType,
    publisher: offer.publisher,
    friendlyName: who === 'B' ? `Fabrikam Secret ${label}` : `Contoso Walk ${label}`,
    quantity,
    billingCycle: 'monthly',
    termDuration: 'P1Y',
    unitPriceCents: plan.unitPriceCents,
    chargedCents: plan.unitPriceCents * quantity,
    creationDate: start,
    effectiveStartDate: start,
    commitmentEndDate: addTerm(start, 'P1Y'),
    orderId: orderId(`tw-${label}`),
    orderedAt: start,
    updatedAt: start,
    ...overrides,
  });
}

const SUBS = {
  bNce: sub({ label: 'nce', who: 'B', customer: B_CUSTOMER, offerId: O.m365BusinessBasic }),
  bSched: sub({
    label: 'sched',
    who: 'B',
    customer: B_CUSTOMER,
    offerId: O.m365BusinessBasic,
    overrides: { effectiveStartDate: new Date(T0.getTime() - 10 * DAY) },
  }),
  bPaused: sub({
    label: 'paused',
    who: 'B',
    customer: B_CUSTOMER,
    offerId: O.m365BusinessBasic,
    overrides: { effectiveStartDate: new Date(T0.getTime() - 10 * DAY) },
  }),
  bLegacy: sub({
    label: 'legacy',
    who: 'B',
    customer: B_CUSTOMER,
    offerId: O.legacyO365E1,
    overrides: { effectiveStartDate: new Date(T0.getTime() - 60 * DAY) },
  }),
  bLegacySuspended: sub({
    label: 'legacy-suspended',
    who: 'B',
    customer: B_CUSTOMER,
    offerId: O.legacyO365E1,
    overrides: { effectiveStartDate: new Date(T0.getTime() - 60 * DAY) },
  }),
  bIsv: sub({
    label: 'isv',
    who: 'B',
    customer: B_CUSTOMER,
    offerId: O.litwareBackup,
    overrides: {
      status: 'pending',
      chargedCents: 0,
      fulfilment: {
        status: 'action_needed',
        activationLink: 'https://marketplace.example/fabrikam-secret/activate?token=s',
        authorizationCode: 's',
      },
    },
  }),
  bTarget: sub({ label: 'target', who: 'B', customer: B_CUSTOMER, offerId: O.m365BusinessStandard }),
  aNce: sub({ label: 'a-nce', who: 'A', customer: A_CUSTOMER, offerId: O.m365BusinessBasic }),
  aTarget: sub({ label: 'a-target', who: 'A', customer: A_CUSTOMER, offerId: O.m365BusinessStandard }),
};

/** The order that created each fixture subscription. */
const orderOf = (s: SubscriptionDoc): OrderDoc =>
  anOrder({
    _id: s.orderId,
    partnerId: s.partnerId,
    customerId: s.customerId,
    creationDate: s.orderedAt,
    totalPriceCents: s.chargedCents,
    lineItems: [
      {
        lineItemNumber: 0,
        offerId: s.offerId,
        subscriptionId: s._id,
        reservationId: null,
        friendlyName: s.friendlyName,
        quantity: s.quantity,
        billingCycle: s.billingCycle,
        termDuration: s.termDuration,
        transactionType: 'new',
        unitPriceCents: s.unitPriceCents,
        totalPriceCents: s.chargedCents,
      },
    ],
  });

/** B's documents made through B's own API calls, and A's software order and reservation; filled in beforeAll. */
const made = {
  bOrder: '',
  bBought: '',
  bAddOn: '',
  bSoftwareOrder: '',
  bProductVersion: '',
  bReservation: '',
  bSupportRequest: '',
  /** A B subscription with ledger entries of its own (LedgerFilter.subscriptionId). */
  bLedgerSubscription: '',
  /** Resource IDs of B's audit records, by resource type. */
  bAuditResource: {} as Record<string, string>,
  aSoftwareOrder: '',
  aReservation: '',
  /** A sandbox B's global admin created (docs/sandboxes.md). */
  bSandbox: '',
  /** One of B's events (docs/events.md). */
  bEvent: '',
  /** B's webhook registration and the correlation ID of a test event it sent (docs/webhooks.md). */
  bRegistration: '',
  bTestCorrelation: '',
};

/** Values that exist nowhere, well-formed for their kind. */
const UNKNOWN = {
  guid: guid('tw-exists-nowhere'),
  order: orderId('tw-exists-nowhere'),
  domain: 'nobody-walk.onmicrosoft.com',
  companyName: 'Nobody Walk Corp',
  /** A catalog offer nobody holds a subscription of. */
  offer: O.woodgroveThreatIntel,
  mpn: '9999999',
};

// ---------------------------------------------------------------------------------------------
// Calls

let gw: TestGateway;
let dbReader: SnapshotDb;
let initial: Snapshot;
/** The database as the previous case left it, so that each case answers for its own changes. */
let current: Snapshot;
/** Every string that occurs in a document of B and in no document of anyone else. */
let bOnlyStrings: string[] = [];
const controls = new Map<string, { ok: boolean; detail: string }>();

interface Answer {
  status: number;
  text: string;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function call(who: Who, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const response = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-partner-id': PARTNER[who],
      'x-partner-roles': ALL_ROLES,
      'x-user-id': `${who}-walker`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Answer['body'] };
}

/** The payload of a mutation that must have been accepted. */
async function must(who: Who, query: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await call(who, query, { input });
  expect(r.body.errors, r.text).toBeUndefined();
  const payload = Object.values(r.body.data!)[0] as Record<string, unknown>;
  expect(payload.userErrors, r.text).toEqual([]);
  return payload;
}

const SUPPORT_CONTACT_B = { name: 'Fabrikam Secret Contact', email: 'secret@fabrikam-walk.example', phone: '+1 425 555 0199' };
const SUPPORT_CONTACT_A = { name: 'Contoso Walk Contact', email: 'walker@contoso-walk.example', phone: '+1 425 555 0100' };

const softwareRefund = (customer: string, resourceId: string, contact = SUPPORT_CONTACT_A) => ({
  kind: 'SOFTWARE_REFUND',
  customer,
  resourceId,
  impact: 'Moderate',
  title: 'Refund of a software order',
  reason: 'Bought for the wrong customer',
  amountRequestedInCents: 100_000,
  contact,
  dryRun: false,
});

const reservationRefund = (customer: string, resourceId: string) => ({
  kind: 'RESERVATION_REFUND',
  customer,
  resourceId,
  title: 'Refund of an unused reservation',
  reason: 'The workload moved to another region.',
  contact: SUPPORT_CONTACT_A,
  dryRun: false,
});

const reservationPurchase = (customerId: string, azure: string) => ({
  customerId,
  offerId: O.reservedVmD2sV5,
  region: 'westeurope',
  termDuration: 'P1Y',
  quantity: 2,
  scope: { type: 'SINGLE', subscriptionId: azure },
  azureSubscriptionId: azure,
  dryRun: false,
});

// ---------------------------------------------------------------------------------------------
// The walk's cases

type Values = Record<string, string>;
type Vars = Record<string, unknown>;

interface WalkCase {
  /** `Type.field`, as the schema names it. */
  field: string;
  /** The ID-like arguments this case walks, as idLikeArguments names them. */
  covers: string[];
  /** What is sent, for the test name: "another partner's subscription ID". */
  what: string;
  /** The operation: generated from the schema for a root field, or written out for a nested one. */
  document: () => string;
  /** The values that differ between the two calls: B's (foreign) and one that exists nowhere (unknown). */
  slots: Record<string, { foreign: () => string; unknown: string }>;
  vars: (v: Values) => Vars;
  /**
   * Proof that the foreign values are live: as `as`, with these values (dry run for mutations), the
   * call succeeds; `check` adds what success means (e.g. a list that is not empty).
   */
  control?: {
    as: Who;
    values: () => Values;
    document?: () => string;
    vars?: (v: Values) => Vars;
    check?: (data: Record<string, unknown>) => void;
  };
  /** What the unknown answer is: NOT_FOUND, a payload with userErrors, or plain data. */
  expected: 'NOT_FOUND' | 'USER_ERROR' | 'DATA';
}

const rootQuery =
  (field: string, args: string[], levels = LEVELS) =>
  () =>
    rootOperation({ schema, kind: 'query', fieldName: field, argNames: args, levels });
const rootMutation =
  (field: string, levels = LEVELS) =>
  () =>
    rootOperation({ schema, kind: 'mutation', fieldName: field, argNames: ['input'], levels });
const sel = (typeName: string, levels = LEVELS) => selectionOf(schema.getType(typeName) as GraphQLOutputType, levels);
const totalCountAtLeastOne = (path: string[]) => (data: Record<string, unknown>) => {
  const node = path.reduce<unknown>((d, k) => (d as Record<string, unknown>)[k], data) as { totalCount: number };
  expect(node.totalCount).toBeGreaterThan(0);
};

const id = (foreign: () => string, unknown = UNKNOWN.guid) => ({ id: { foreign, unknown } });

/** A query by one ID argument. */
function byId({
  field,
  what,
  foreign,
  unknown = UNKNOWN.guid,
  arg = 'id',
}: {
  field: string;
  what: string;
  foreign: () => string;
  unknown?: string;
  arg?: string;
}): WalkCase {
  return {
    field: `Query.${field}`,
    covers: [`Query.${field}(${arg})`],
    what,
    document: rootQuery(field, [arg]),
    slots: id(foreign, unknown),
    vars: (v) => ({ [arg]: v.id }),
    expected: 'NOT_FOUND',
  };
}

/** A mutation whose input names one subscription (or add-on) of B. */
function onSubscription(field: string, what: string, foreign: () => string, extra: Vars = {}): WalkCase {
  return {
    field: `Mutation.${field}`,
    covers: [`Mutation.${field}(input.subscriptionId)`],
    what,
    document: rootMutation(field),
    slots: id(foreign),
    vars: (v) => ({ input: { subscriptionId: v.id, dryRun: false, ...extra } }),
    expected: 'NOT_FOUND',
  };
}

/** A mutation whose input names B's record in `key`. */
function onInput({
  field,
  key,
  what,
  foreign,
  unknown,
  extra = {},
  dryRun = true,
}: {
  field: string;
  key: string;
  what: string;
  foreign: () => string;
  unknown: string;
  extra?: Vars;
  /** The input has a `dryRun` field (sent false: the walk proves the real call refuses). */
  dryRun?: boolean;
}): WalkCase {
  return {
    field: `Mutation.${field}`,
    covers: [`Mutation.${field}(input.${key})`],
    what,
    document: rootMutation(field),
    slots: id(foreign, unknown),
    vars: (v) => ({ input: { [key]: v.id, ...(dryRun ? { dryRun: false } : {}), ...extra } }),
    expected: 'NOT_FOUND',
  };
}

const QUERY_CASES: WalkCase[] = [
  byId({ field: 'customer', what: "another partner's customer ID (with its nested connections)", foreign: () => B_CUSTOMER._id }),
  byId({ field: 'subscription', what: "another partner's subscription ID", foreign: () => SUBS.bNce._id }),
  byId({ field: 'subscription', what: "another partner's marketplace subscription ID", foreign: () => SUBS.bIsv._id }),
  {
    // B itself is told to read an add-on with addOn(id:): the control reads it so.
    ...byId({ field: 'subscription', what: "another partner's add-on ID", foreign: () => made.bAddOn }),
    control: { as: 'B', values: () => ({ id: made.bAddOn }), document: rootQuery('addOn', ['id']) },
  },
  byId({ field: 'addOn', what: "another partner's add-on ID", foreign: () => made.bAddOn }),
  byId({ field: 'order', what: "another partner's order ID", foreign: () => made.bOrder, unknown: UNKNOWN.order }),
  byId({ field: 'softwareOrder', what: "another partner's software order ID", foreign: () => made.bSoftwareOrder, unknown: UNKNOWN.order }),
  byId({ field: 'reservation', what: "another partner's reservation ID", foreign: () => made.bReservation }),
  {
    ...byId({ field: 'event', what: "another partner's event ID", foreign: () => made.bEvent, unknown: `${UNKNOWN.guid}:0` }),
    control: { as: 'B', values: () => ({ id: made.bEvent }) },
  },
  ...(
    [
      ['customerId', "another partner's customer ID as filter.customerId", () => B_CUSTOMER._id],
      ['resourceId', "another partner's order ID as filter.resourceId", () => made.bOrder],
    ] as const
  ).map(([key, what, foreign]): WalkCase => ({
    field: 'Query.events',
    covers: [`Query.events(filter.${key})`],
    what,
    document: rootQuery('events', ['filter', 'first']),
    slots: id(foreign, key === 'resourceId' ? UNKNOWN.order : UNKNOWN.guid),
    vars: (v) => ({ filter: { [key]: v.id }, first: 100 }),
    control: { as: 'B', values: () => ({ id: foreign() }), check: totalCountAtLeastOne(['events']) },
    expected: 'DATA',
  })),
  {
    ...byId({ field: 'webhookRegistration', what: "another partner's webhook registration ID", foreign: () => made.bRegistration }),
    control: { as: 'B', values: () => ({ id: made.bRegistration }) },
  },
  {
    ...byId({
      field: 'webhookTestEvent',
      arg: 'correlationId',
      what: "another partner's test event correlation ID",
      foreign: () => made.bTestCorrelation,
    }),
    control: { as: 'B', values: () => ({ id: made.bTestCorrelation }) },
  },
  {
    field: 'Query.webhookDeliveries',
    covers: ['Query.webhookDeliveries(registrationId)'],
    what: "another partner's webhook registration ID",
    document: rootQuery('webhookDeliveries', ['registrationId', 'first']),
    slots: id(() => made.bRegistration),
    vars: (v) => ({ registrationId: v.id, first: 10 }),
    control: { as: 'B', values: () => ({ id: made.bRegistration }) },
    expected: 'NOT_FOUND',
  },
  {
    field: 'Query.invoice',
    covers: ['Query.invoice(customerId)'],
    what: "another partner's customer ID",
    document: rootQuery('invoice', ['customerId', 'period']),
    slots: id(() => B_CUSTOMER._id),
    vars: (v) => ({ customerId: v.id, period: PERIOD }),
    expected: 'NOT_FOUND',
  },
  ...['subscription', 'order', 'software_order', 'support_request'].map((type): WalkCase => ({
    field: 'Query.auditRecords',
    covers: ['Query.auditRecords(filter.resourceId)'],
    what: `another partner's ${type.replace('_', ' ')} ID as filter.resourceId`,
    document: rootQuery('auditRecords', ['from', 'to', 'filter', 'first']),
    slots: id(() => made.bAuditResource[type]!),
    vars: (v) => ({ from: AUDIT_FROM, to: AUDIT_TO, filter: { resourceId: v.id }, first: 100 }),
    control: { as: 'B', values: () => ({ id: made.bAuditResource[type]! }), check: totalCountAtLeastOne(['auditRecords']) },
    expected: 'DATA',
  })),
  {
    field: 'Customer.ledger',
    covers: ['Customer.ledger(filter.subscriptionId)'],
    what: "another partner's subscription ID as filter.subscriptionId, on the caller's own customer",
    document: () =>
      `query Walk($customer: ID!, $filter: LedgerFilter) { customer(id: $customer) { id ledger(filter: $filter, first: 100) ${sel('LedgerEntryConnection')} } }`,
    slots: id(() => made.bLedgerSubscription),
    vars: (v) => ({ customer: A_CUSTOMER._id, filter: { subscriptionId: v.id } }),
    control: {
      as: 'B',
      values: () => ({ id: made.bLedgerSubscription }),
      vars: (v) => ({ customer: B_CUSTOMER._id, filter: { subscriptionId: v.id } }),
      check: totalCountAtLeastOne(['customer', 'ledger']),
    },
    expected: 'DATA',
  },
  {
    field: 'Customer.subscriptions',
    covers: ['Customer.subscriptions(filter.offerId)'],
    what: "an offer only another partner's customers hold, as filter.offerId, on the caller's own customer",
    document: () =>
      `query Walk($customer: ID!, $filter: SubscriptionFilter) { customer(id: $customer) { id subscriptions(filter: $filter, first: 10) ${sel('SubscriptionConnection')} } }`,
    slots: id(() => O.litwareBackup, UNKNOWN.offer),
    vars: (v) => ({ customer: A_CUSTOMER._id, filter: { offerId: [v.id] } }),
    control: {
      as: 'B',
      values: () => ({ id: O.litwareBackup }),
      vars: (v) => ({ customer: B_CUSTOMER._id, filter: { offerId: [v.id] } }),
      check: totalCountAtLeastOne(['customer', 'subscriptions']),
    },
    expected: 'DATA',
  },
  {
    field: 'Query.subscriptions',
    covers: ['Query.subscriptions(filter.offerId)'],
    what: "an offer only another partner's customers hold, as filter.offerId",
    document: rootQuery('subscriptions', ['filter', 'first']),
    slots: id(() => O.litwareBackup, UNKNOWN.offer),
    vars: (v) => ({ filter: { offerId: [v.id] }, first: 10 }),
    control: { as: 'B', values: () => ({ id: O.litwareBackup }), check: totalCountAtLeastOne(['subscriptions']) },
    expected: 'DATA',
  },
  // Connection lists filtered by what names another partner's customer (not an ID argument, same rule).
  {
    field: 'Query.subscriptions',
    covers: [],
    what: "another partner's customer company name as filter.customerSearch",
    document: rootQuery('subscriptions', ['filter', 'first']),
    slots: id(() => B_CUSTOMER.companyName, UNKNOWN.companyName),
    vars: (v) => ({ filter: { customerSearch: v.id }, first: 10 }),
    control: { as: 'B', values: () => ({ id: B_CUSTOMER.companyName }), check: totalCountAtLeastOne(['subscriptions']) },
    expected: 'DATA',
  },
  {
    field: 'Query.customers',
    covers: [],
    what: "another partner's customer company name as filter.search",
    document: rootQuery('customers', ['filter', 'first']),
    slots: id(() => B_CUSTOMER.companyName, UNKNOWN.companyName),
    vars: (v) => ({ filter: { search: v.id }, first: 10 }),
    control: { as: 'B', values: () => ({ id: B_CUSTOMER.companyName }), check: totalCountAtLeastOne(['customers']) },
    expected: 'DATA',
  },
  {
    field: 'Query.customers',
    covers: [],
    what: "another partner's customer domain as filter.search",
    document: rootQuery('customers', ['filter', 'first']),
    slots: id(() => B_CUSTOMER.domain, UNKNOWN.domain),
    vars: (v) => ({ filter: { search: v.id }, first: 10 }),
    control: { as: 'B', values: () => ({ id: B_CUSTOMER.domain }), check: totalCountAtLeastOne(['customers']) },
    expected: 'DATA',
  },
];

/** A mixed case: the caller's own subscription, upgraded into B's existing subscription of the target SKU. */
function upgradeInto(field: 'upgradeSubscription' | 'partialUpgrade'): WalkCase {
  const quantity = field === 'partialUpgrade' ? { quantity: 5 } : {};
  return {
    field: `Mutation.${field}`,
    covers: [`Mutation.${field}(input.targetSubscriptionId)`],
    what: "another partner's subscription ID as the upgrade target of the caller's own subscription",
    document: rootMutation(field),
    slots: id(() => SUBS.bTarget._id),
    vars: (v) => ({
      input: {
        subscriptionId: SUBS.aNce._id,
        targetOfferId: O.m365BusinessStandard,
        targetSubscriptionId: v.id,
        dryRun: false,
        ...quantity,
      },
    }),
    control: { as: 'A', values: () => ({ id: SUBS.aTarget._id }) },
    expected: 'NOT_FOUND',
  };
}

/** A mixed case: the caller's own software order, cancelled naming another partner's customer. */
function cancelNaming(what: string, foreign: () => string, unknown: string): WalkCase {
  return {
    field: 'Mutation.cancelSoftwareOrder',
    covers: ['Mutation.cancelSoftwareOrder(input.customer)'],
    what: `another partner's customer ${what} as input.customer, on the caller's own order`,
    document: rootMutation('cancelSoftwareOrder'),
    slots: id(foreign, unknown),
    vars: (v) => ({ input: { softwareOrderId: made.aSoftwareOrder, customer: v.id, dryRun: false } }),
    control: { as: 'A', values: () => ({ id: A_CUSTOMER.companyName }) },
    expected: 'USER_ERROR',
  };
}

const MUTATION_CASES: WalkCase[] = [
  onSubscription('updateSubscription', "another partner's subscription ID", () => SUBS.bNce._id, { friendlyName: 'Renamed by Contoso' }),
  onSubscription('updateSubscription', "another partner's add-on ID", () => made.bAddOn, { quantity: 3 }),
  onSubscription('suspendSubscription', "another partner's subscription ID", () => SUBS.bLegacy._id, { reason: 'FRAUD' }),
  onSubscription('reactivateSubscription', "another partner's subscription ID", () => SUBS.bLegacySuspended._id),
  onSubscription('pauseSubscription', "another partner's subscription ID", () => SUBS.bNce._id),
  onSubscription('resumeSubscription', "another partner's subscription ID", () => SUBS.bPaused._id),
  onSubscription('cancelSubscription', "another partner's subscription ID", () => SUBS.bNce._id, { reason: 'CUSTOMER_REQUEST' }),
  onSubscription('cancelSubscription', "another partner's add-on ID", () => made.bAddOn),
  onSubscription('confirmFulfillment', "another partner's marketplace subscription ID", () => SUBS.bIsv._id),
  onSubscription('scheduleChange', "another partner's subscription ID", () => SUBS.bNce._id, { quantity: 5 }),
  onSubscription('updateScheduledChange', "another partner's subscription ID", () => SUBS.bSched._id, { quantity: 4 }),
  onSubscription('deleteScheduledChange', "another partner's subscription ID", () => SUBS.bSched._id),
  // A full upgrade of a subscription without add-ons (UPG-FULL).
  onSubscription('upgradeSubscription', "another partner's subscription ID", () => SUBS.bTarget._id, {
    targetOfferId: O.m365BusinessPremium,
  }),
  upgradeInto('upgradeSubscription'),
  onSubscription('partialUpgrade', "another partner's subscription ID", () => SUBS.bNce._id, {
    targetOfferId: O.m365BusinessStandard,
    quantity: 5,
  }),
  upgradeInto('partialUpgrade'),
  onSubscription('purchaseAddOn', "another partner's subscription ID", () => SUBS.bNce._id, {
    offerId: O.audioConferencing,
    quantity: 1,
    friendlyName: 'Bought by Contoso',
  }),
  // The sandbox belongs to B as its administrator; A is a sandbox administrator too (global_admin, development).
  onInput({
    field: 'deleteSandbox',
    key: 'sandboxId',
    what: "another partner's sandbox ID",
    foreign: () => made.bSandbox,
    unknown: UNKNOWN.guid,
  }),
  ...(
    [
      ['snapshotSandbox', { name: 'walk' }],
      ['restoreSandbox', { snapshot: 'initial' }],
      ['resetSandbox', {}],
      ['mintSandboxToken', { roles: ['GLOBAL_ADMIN'] }],
    ] as const
  ).map(([field, extra]) =>
    onInput({
      field,
      key: 'sandboxId',
      what: "another partner's sandbox ID",
      foreign: () => made.bSandbox,
      unknown: UNKNOWN.guid,
      extra,
      dryRun: false,
    }),
  ),
  onInput({
    field: 'updateWebhookRegistration',
    key: 'registrationId',
    what: "another partner's webhook registration ID",
    foreign: () => made.bRegistration,
    unknown: UNKNOWN.guid,
    extra: { webhookEvents: ['subscription-renewed'] },
  }),
  onInput({
    field: 'deleteWebhookRegistration',
    key: 'registrationId',
    what: "another partner's webhook registration ID",
    foreign: () => made.bRegistration,
    unknown: UNKNOWN.guid,
  }),
  onInput({
    field: 'sendWebhookTestEvent',
    key: 'registrationId',
    what: "another partner's webhook registration ID",
    foreign: () => made.bRegistration,
    unknown: UNKNOWN.guid,
  }),
  onInput({
    field: 'purchase',
    key: 'customerId',
    what: "another partner's customer ID",
    foreign: () => B_CUSTOMER._id,
    unknown: UNKNOWN.guid,
    extra: {
      lineItems: [
        { offerId: O.m365BusinessBasic, quantity: 1, billingCycle: 'MONTHLY', termDuration: 'P1Y', friendlyName: 'Bought by Contoso' },
      ],
    },
  }),
  onInput({
    field: 'purchaseSoftware',
    key: 'customerId',
    what: "another partner's customer ID",
    foreign: () => B_CUSTOMER._id,
    unknown: UNKNOWN.guid,
    extra: {
      offerId: O.windowsServer2022Datacenter,
      quantity: 1,
    },
  }),
  {
    ...onInput({
      field: 'purchaseReservation',
      key: 'customerId',
      what: "another partner's customer ID",
      foreign: () => B_CUSTOMER._id,
      unknown: UNKNOWN.guid,
    }),
    vars: (v) => ({ input: reservationPurchase(v.id!, A_AZURE) }),
  },
  onInput({
    field: 'cancelReservation',
    key: 'reservationId',
    what: "another partner's reservation ID",
    foreign: () => made.bReservation,
    unknown: UNKNOWN.guid,
  }),
  onInput({
    field: 'exchangeReservation',
    key: 'reservationId',
    what: "another partner's reservation ID",
    foreign: () => made.bReservation,
    unknown: UNKNOWN.guid,
    extra: {
      offerId: O.reservedVmE4sV5,
      quantity: 1,
    },
  }),
  onInput({
    field: 'updateReservation',
    key: 'reservationId',
    what: "another partner's reservation ID",
    foreign: () => made.bReservation,
    unknown: UNKNOWN.guid,
    extra: {
      scope: { type: 'SHARED' },
    },
  }),
  onInput({
    field: 'setReservationUtilization',
    key: 'reservationId',
    what: "another partner's reservation ID",
    foreign: () => made.bReservation,
    unknown: UNKNOWN.guid,
    extra: {
      utilizationPercent: 50,
    },
  }),
  {
    ...onInput({
      field: 'getSoftwareKey',
      key: 'softwareOrderId',
      what: "another partner's software order ID",
      foreign: () => made.bSoftwareOrder,
      unknown: UNKNOWN.order,
    }),
    vars: (v) => ({ input: { softwareOrderId: v.id, productVersion: made.bProductVersion, activity: 'DOWNLOAD', dryRun: false } }),
  },
  onInput({
    field: 'cancelSoftwareOrder',
    key: 'softwareOrderId',
    what: "another partner's software order ID",
    foreign: () => made.bSoftwareOrder,
    unknown: UNKNOWN.order,
  }),
  cancelNaming('tenant ID', () => B_CUSTOMER._id, UNKNOWN.guid),
  cancelNaming('domain', () => B_CUSTOMER.domain, UNKNOWN.domain),
  cancelNaming('company name', () => B_CUSTOMER.companyName, UNKNOWN.companyName),
  {
    field: 'Mutation.createSupportRequest',
    covers: ['Mutation.createSupportRequest(input.customer)'],
    what: "another partner's customer tenant ID and its software order",
    document: rootMutation('createSupportRequest'),
    slots: {
      customer: { foreign: () => B_CUSTOMER._id, unknown: UNKNOWN.guid },
      resource: { foreign: () => made.bSoftwareOrder, unknown: UNKNOWN.order },
    },
    vars: (v) => ({ input: softwareRefund(v.customer!, v.resource!) }),
    expected: 'NOT_FOUND',
  },
  {
    field: 'Mutation.createSupportRequest',
    covers: ['Mutation.createSupportRequest(input.customer)'],
    what: "another partner's customer domain and its software order",
    document: rootMutation('createSupportRequest'),
    slots: {
      customer: { foreign: () => B_CUSTOMER.domain, unknown: UNKNOWN.domain },
      resource: { foreign: () => made.bSoftwareOrder, unknown: UNKNOWN.order },
    },
    vars: (v) => ({ input: softwareRefund(v.customer!, v.resource!) }),
    expected: 'NOT_FOUND',
  },
  ...(
    [
      ['software order', () => made.bSoftwareOrder, UNKNOWN.order, () => made.aSoftwareOrder],
      ['subscription', () => made.bBought, UNKNOWN.guid, () => made.aSoftwareOrder],
    ] as const
  ).map(([what, foreign, unknown, own]): WalkCase => ({
    field: 'Mutation.createSupportRequest',
    covers: ['Mutation.createSupportRequest(input.resourceId)'],
    what: `another partner's ${what} ID as input.resourceId, for the caller's own customer`,
    document: rootMutation('createSupportRequest'),
    slots: id(foreign, unknown),
    vars: (v) => ({ input: softwareRefund(A_CUSTOMER._id, v.id!) }),
    control: { as: 'A', values: () => ({ id: own() }) },
    expected: 'USER_ERROR',
  })),
  {
    field: 'Mutation.createSupportRequest',
    covers: ['Mutation.createSupportRequest(input.resourceId)'],
    what: "another partner's reservation ID as input.resourceId, for the caller's own customer",
    document: rootMutation('createSupportRequest'),
    slots: id(() => made.bReservation),
    vars: (v) => ({ input: reservationRefund(A_CUSTOMER._id, v.id!) }),
    control: { as: 'A', values: () => ({ id: made.aReservation }) },
    expected: 'USER_ERROR',
  },
  {
    // The reseller of record is a public MPN ID, checked for its form only: it must not tell
    // whether a partner with that MPN exists. A quote, so that the caller's own document stays as it is.
    field: 'Mutation.updateSubscription',
    covers: ['Mutation.updateSubscription(input.partnerId)'],
    what: "another partner's MPN ID as the reseller of record of the caller's own subscription (quoted)",
    document: rootMutation('updateSubscription'),
    slots: id(() => DEMO_PARTNERS.fabrikam.mpnId, UNKNOWN.mpn),
    vars: (v) => ({ input: { subscriptionId: SUBS.aNce._id, partnerId: v.id, dryRun: true } }),
    control: { as: 'A', values: () => ({ id: DEMO_PARTNERS.fabrikam.mpnId }) },
    expected: 'DATA',
  },
];

/**
 * ID-like arguments deliberately outside the walk, with the reason. Anything not here and not
 * covered by a case fails the coverage test.
 */
const GLOBAL_CATALOG =
  "a catalog item ID: the catalog is global, not tenant-owned (the same for every partner, see the test below); a sandbox's own offers are its alone (see the test after it)";
const SANDBOX_OFFER_REFERENCE =
  'an offer a new sandbox offer names: partner A, a real partner, is refused (SANDBOX-OFFERS) before anything is read; between sandboxes, test/e2e/sandbox-scenario.test.ts';
const AZURE_RESOURCE =
  "an Azure resource ID in the customer's Azure tenant: checked for its form, never looked up among the gateway's documents";
const EXEMPT: Record<string, string> = {
  'Query.webhookDeliveries(filter.eventId)':
    "narrows the log of a registration `registrationId` names, which is checked first (its own case): another partner's event ID matches none of the caller's deliveries",
  'SubscriptionRoot.eventAdded(customerId)':
    "narrows the caller's own partner's feed, never a lookup: another partner's customer ID matches none of its events (test/e2e/event-stream.test.ts: partners never see each other's events)",
  'Mutation.createCustomer(input.associatedPartnerId)':
    "a reseller's public MPN ID, never a document of another partner: partner A (direct bill) naming any is BAD_USER_INPUT before anything is read, and an indirect provider's is looked up among its own resellers only (test/e2e/create-customer.test.ts)",
  'Query.offer(id)': GLOBAL_CATALOG,
  'Mutation.createOffer(input.trial.convertsToOfferId)': SANDBOX_OFFER_REFERENCE,
  'Mutation.createOffer(input.addOnBaseOfferIds)': SANDBOX_OFFER_REFERENCE,
  'Mutation.createOffer(input.upgradeTargetIds)': SANDBOX_OFFER_REFERENCE,
  'Mutation.exchangeReservation(input.offerId)': GLOBAL_CATALOG,
  'Mutation.partialUpgrade(input.targetOfferId)': GLOBAL_CATALOG,
  'Mutation.purchase(input.lineItems.offerId)': GLOBAL_CATALOG,
  'Mutation.purchaseAddOn(input.offerId)': GLOBAL_CATALOG,
  'Mutation.purchaseReservation(input.offerId)': GLOBAL_CATALOG,
  'Mutation.purchaseSoftware(input.offerId)': GLOBAL_CATALOG,
  'Mutation.scheduleChange(input.offerId)': GLOBAL_CATALOG,
  'Mutation.updateScheduledChange(input.offerId)': GLOBAL_CATALOG,
  'Mutation.upgradeSubscription(input.targetOfferId)': GLOBAL_CATALOG,
  'Mutation.exchangeReservation(input.azureSubscriptionId)': AZURE_RESOURCE,
  'Mutation.exchangeReservation(input.scope.managementGroupId)': AZURE_RESOURCE,
  'Mutation.exchangeReservation(input.scope.resourceGroupId)': AZURE_RESOURCE,
  'Mutation.exchangeReservation(input.scope.subscriptionId)': AZURE_RESOURCE,
  'Mutation.purchaseReservation(input.azureSubscriptionId)': AZURE_RESOURCE,
  'Mutation.purchaseReservation(input.scope.managementGroupId)': AZURE_RESOURCE,
  'Mutation.purchaseReservation(input.scope.resourceGroupId)': AZURE_RESOURCE,
  'Mutation.purchaseReservation(input.scope.subscriptionId)': AZURE_RESOURCE,
  'Mutation.updateReservation(input.azureSubscriptionId)': AZURE_RESOURCE,
  'Mutation.updateReservation(input.scope.managementGroupId)': AZURE_RESOURCE,
  'Mutation.updateReservation(input.scope.resourceGroupId)': AZURE_RESOURCE,
  'Mutation.updateReservation(input.scope.subscriptionId)': AZURE_RESOURCE,
};

const ALL_CASES = [...QUERY_CASES, ...MUTATION_CASES];
const titleOf = (c: WalkCase) => `${c.field.replace(/^(Query|Mutation)\./, '')} with ${c.what}`;

// ---------------------------------------------------------------------------------------------
// Setup: both worlds, B's records made by B through the API, the controls, the snapshot

const Q = {
  purchase: `mutation ($input: PurchaseInput!) { purchase(input: $input) { userErrors { code message } order { id } subscriptions { id } } }`,
  purchaseAddOn: `mutation ($input: PurchaseAddOnInput!) { purchaseAddOn(input: $input) { userErrors { code message } addOn { id } } }`,
  scheduleChange: `mutation ($input: ScheduleChangeInput!) { scheduleChange(input: $input) { userErrors { code message } } }`,
  pause: `mutation ($input: SubscriptionTargetInput!) { pauseSubscription(input: $input) { userErrors { code message } } }`,
  suspend: `mutation ($input: SuspendSubscriptionInput!) { suspendSubscription(input: $input) { userErrors { code message } } }`,
  purchaseSoftware: `mutation ($input: PurchaseSoftwareInput!) { purchaseSoftware(input: $input) { userErrors { code message } softwareOrder { id keys { productVersion } } } }`,
  getSoftwareKey: `mutation ($input: GetSoftwareKeyInput!) { getSoftwareKey(input: $input) { userErrors { code message } productKey } }`,
  purchaseReservation: `mutation ($input: PurchaseReservationInput!) { purchaseReservation(input: $input) { userErrors { code message } reservation { id } } }`,
  createSandbox: `mutation ($input: CreateSandboxInput!) { createSandbox(input: $input) { userErrors { code message } sandbox { id } } }`,
  createWebhook: `mutation ($input: CreateWebhookRegistrationInput!) { createWebhookRegistration(input: $input) { userErrors { code message } registration { id } } }`,
  sendTestEvent: `mutation ($input: SendWebhookTestEventInput!) { sendWebhookTestEvent(input: $input) { userErrors { code message } testEvent { correlationId } } }`,
  supportRequest: `mutation ($input: CreateSupportRequestInput!) { createSupportRequest(input: $input) { userErrors { code message } supportRequest { id } } }`,
};

async function buildWorlds(): Promise<void> {
  // B, through its own API: an order, an add-on, a scheduled change, a pause, a suspension,
  // software with a key view logged, a reservation and a support request.
  const bought = await must('B', Q.purchase, {
    customerId: B_CUSTOMER._id,
    lineItems: [
      { offerId: O.m365BusinessBasic, quantity: 3, billingCycle: 'MONTHLY', termDuration: 'P1Y', friendlyName: 'Fabrikam Secret Bought' },
    ],
    dryRun: false,
  });
  made.bOrder = (bought.order as { id: string }).id;
  made.bBought = (bought.subscriptions as { id: string }[])[0]!.id;
  const addOn = await must('B', Q.purchaseAddOn, {
    subscriptionId: SUBS.bNce._id,
    offerId: O.teamsPhoneStandard,
    quantity: 2,
    friendlyName: 'Fabrikam Secret Add-on',
    dryRun: false,
  });
  made.bAddOn = (addOn.addOn as { id: string }).id;
  await must('B', Q.scheduleChange, { subscriptionId: SUBS.bSched._id, quantity: 5, dryRun: false });
  await must('B', Q.pause, { subscriptionId: SUBS.bPaused._id, dryRun: false });
  await must('B', Q.suspend, { subscriptionId: SUBS.bLegacySuspended._id, reason: 'NON_PAYMENT', dryRun: false });
  const software = await must('B', Q.purchaseSoftware, {
    customerId: B_CUSTOMER._id,
    offerId: O.windowsServer2022Datacenter,
    quantity: 1,
    dryRun: false,
  });
  const swOrder = software.softwareOrder as { id: string; keys: { productVersion: string }[] };
  made.bSoftwareOrder = swOrder.id;
  made.bProductVersion = swOrder.keys[0]!.productVersion;
  await must('B', Q.getSoftwareKey, { softwareOrderId: made.bSoftwareOrder, productVersion: made.bProductVersion, dryRun: false });
  const reservation = await must('B', Q.purchaseReservation, reservationPurchase(B_CUSTOMER._id, B_AZURE));
  made.bReservation = (reservation.reservation as { id: string }).id;
  const request = await must('B', Q.supportRequest, softwareRefund(B_CUSTOMER.domain, made.bSoftwareOrder, SUPPORT_CONTACT_B));
  made.bSupportRequest = (request.supportRequest as { id: string }).id;
  const sandbox = await must('B', Q.createSandbox, { name: 'Fabrikam Walk Sandbox' });
  made.bSandbox = (sandbox.sandbox as { id: string }).id;
  // Nothing listens there: the walk's gateway polls for deliveries once an hour, so none is tried.
  const webhook = await must('B', Q.createWebhook, { webhookUrl: 'http://127.0.0.1:9/walk', webhookEvents: ['subscription-updated'] });
  made.bRegistration = (webhook.registration as { id: string }).id;
  made.bTestCorrelation = (
    (await must('B', Q.sendTestEvent, { registrationId: made.bRegistration })).testEvent as { correlationId: string }
  ).correlationId;

  // A's own software order and reservation, for the mixed cases.
  const aSoftware = await must('A', Q.purchaseSoftware, {
    customerId: A_CUSTOMER._id,
    offerId: O.windowsServer2022Datacenter,
    quantity: 1,
    dryRun: false,
  });
  made.aSoftwareOrder = (aSoftware.softwareOrder as { id: string }).id;
  const aReservation = await must('A', Q.purchaseReservation, reservationPurchase(A_CUSTOMER._id, A_AZURE));
  made.aReservation = (aReservation.reservation as { id: string }).id;

  // What B's records look like in the database, for the cases that need one of a kind.
  const ledger = await gw.collections.ledger.findOne({ partnerId: B, 'source.type': 'subscription' });
  made.bLedgerSubscription = ledger?.source.id ?? '';
  for (const e of await gw.collections.auditEvents.find({ partnerId: B }).toArray()) {
    if (e.resourceType && e.resourceId) made.bAuditResource[e.resourceType] ??= e.resourceId;
  }
  made.bEvent = (await gw.collections.events.findOne({ partnerId: B }))?._id ?? '';
}

function withDryRun(vars: Vars): Vars {
  return vars.input ? { ...vars, input: { ...(vars.input as Vars), dryRun: true } } : vars;
}

/** Each case's control, run before the snapshot: the foreign values are live, so a leak would act on them. */
async function runControls(): Promise<void> {
  for (const c of ALL_CASES) {
    const control = c.control ?? {
      as: 'B' as const,
      values: () => Object.fromEntries(Object.entries(c.slots).map(([k, s]) => [k, s.foreign()])),
    };
    const values = control.values();
    const vars = withDryRun((control.vars ?? c.vars)(values));
    const r = await call(control.as, (control.document ?? c.document)(), vars);
    // The decision is what counts: no error at the root field and no userErrors. (A quoted new
    // subscription's `order` does not exist yet, so a dry run may show NOT_FOUND there.)
    const payload = (r.body.data ? Object.values(r.body.data)[0] : null) as Record<string, unknown> | null;
    const rootErrors = (r.body.errors ?? []).filter((e) => ((e as { path?: unknown[] }).path?.length ?? 1) <= 1);
    let ok = r.status === 200 && payload !== null && rootErrors.length === 0;
    let detail = JSON.stringify({ errors: r.body.errors, userErrors: payload?.userErrors });
    if (ok && c.field.startsWith('Mutation.')) ok = Array.isArray(payload!.userErrors) && payload!.userErrors.length === 0;
    if (ok) {
      try {
        control.check?.(r.body.data!);
      } catch (error) {
        ok = false;
        detail = `${String(error)}: ${detail}`;
      }
    }
    controls.set(titleOf(c), { ok, detail });
  }
}

beforeAll(async () => {
  gw = await startTestGateway(
    async (cols) => {
      await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
      await cols.customers.insertMany([A_CUSTOMER, B_CUSTOMER]);
      await cols.subscriptions.insertMany(Object.values(SUBS));
      await cols.orders.insertMany(Object.values(SUBS).map(orderOf));
      // A test sandbox's own offer: no other partner may see it (src/policy/sandbox-offer.ts).
      const { _id, ...model } = CATALOG.find((o) => o._id === O.m365BusinessBasic)!;
      await cols.sandboxOffers.insertOne({
        ...model,
        _id: SANDBOX_OFFER,
        partnerId: guid('tw-sandbox-partner'),
        addOnBaseOfferIds: [],
        createdAt: T0,
      });
      expect(_id).toBe(O.m365BusinessBasic);
    },
    { env: { RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_BURST: '1000000' } },
  );
  await buildWorlds();
  await runControls();
  dbReader = await snapshotDb(inject('mongoUri'), gw.collections.customers.dbName);
  initial = await dbReader.snapshot();
  current = initial;

  // B's strings: in a B document, in nobody else's (offer names and the like are shared, not B's).
  const bStrings = new Set<string>();
  const others = new Set<string>();
  for (const docs of initial.values()) {
    for (const bytes of docs.values()) {
      const doc = BSON.deserialize(bytes);
      stringsIn(doc, ownedByB(doc) ? bStrings : others);
    }
  }
  // Single words (enum values, kinds, field names) name no one; IDs, names, domains, keys and texts do.
  bOnlyStrings = [...bStrings].filter((s) => s.length >= 6 && !/^[A-Za-z_]+$/.test(s) && !others.has(s));
}, 120_000);

afterAll(async () => {
  await dbReader?.close();
  await gw?.close();
});

/** A document of partner B: tenant-owned by it, or keyed by its tenant ID (partner, clock, idempotency). */
function ownedByB(doc: Document): boolean {
  return doc.partnerId === B || doc._id === B || (typeof doc._id === 'string' && doc._id.startsWith(`${B}:`));
}

// ---------------------------------------------------------------------------------------------
// Comparing two answers

/** The answer with each sent value replaced by its slot's name, longest first. */
function normalised(text: string, values: Values): unknown {
  let out = text;
  for (const [slot, value] of Object.entries(values).sort((x, y) => y[1].length - x[1].length)) out = out.split(value).join(`<${slot}>`);
  return JSON.parse(out);
}

/** B's strings the text holds, other than the values the caller sent itself. */
function leaksIn(text: string, sent: string): string[] {
  return bOnlyStrings.filter((s) => !sent.includes(s) && text.includes(s));
}

/**
 * A partner's rate-limit lease (src/limits/point-budget.ts): the gateway's count of the points a
 * partner's own calls spent, holding none of its data. Each side's calls (B's own in the offer
 * test below) claim them.
 */
const isPointLease = (c: Change) => c.kind === 'added' && c.collection === 'pointLeases';

/** What may change during the walk: A's refusal audit records and A's idempotency records, added, and point leases. Nothing else. */
function disallowed(changes: Change[]): Change[] {
  return changes.filter(
    (c) =>
      !(
        isPointLease(c) ||
        (c.kind === 'added' &&
          ((c.collection === 'auditEvents' && c.doc.partnerId === A && c.doc.outcome === 'refused') ||
            (c.collection === 'idempotency' && c.doc.partnerId === A)))
      ),
  );
}

const describeChange = (c: Change) =>
  `${c.kind} ${c.collection} ${c.id}${ownedByB(c.doc) ? " (partner B's)" : ''}: ${JSON.stringify(c.doc).slice(0, 300)}`;

async function auditOfA(seen: Set<string>): Promise<Document[]> {
  const docs = await gw.collections.auditEvents.find({ partnerId: A }).toArray();
  const fresh = docs.filter((d) => !seen.has(d._id));
  for (const d of fresh) seen.add(d._id);
  // Without what differs between any two records: their IDs, correlation IDs and wall-clock instants.
  return fresh.map((d) => {
    const rest: Document = { ...d };
    for (const key of ['_id', 'correlationId', 'wallAt']) delete rest[key];
    return rest;
  });
}

async function walk(c: WalkCase): Promise<void> {
  const control = controls.get(titleOf(c));
  expect(control?.ok, `the control of '${titleOf(c)}' did not succeed, so the walk would prove nothing: ${control?.detail}`).toBe(true);
  const foreignValues = Object.fromEntries(Object.entries(c.slots).map(([k, s]) => [k, s.foreign()]));
  const unknownValues = Object.fromEntries(Object.entries(c.slots).map(([k, s]) => [k, s.unknown]));
  for (const v of Object.values(foreignValues)) expect(typeof v === 'string' && v !== '', 'a foreign value was not set up').toBe(true);

  const seen = new Set((await gw.collections.auditEvents.find({ partnerId: A }, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
  const foreignVars = c.vars(foreignValues);
  const foreign = await call('A', c.document(), foreignVars);
  const foreignAudit = await auditOfA(seen);
  const unknown = await call('A', c.document(), c.vars(unknownValues));
  const unknownAudit = await auditOfA(seen);
  // What the two calls changed, taken before any assertion so that the next case starts from here.
  const before = current;
  current = await dbReader.snapshot();
  const changes = disallowed(diffSnapshots(before, current));

  // The unknown answer is what the case says it is (so the comparison is not between two validation errors).
  if (c.expected === 'NOT_FOUND') {
    // A lookup (nullable) answers { field: null }; a mutation's payload is non-null, so data is null.
    const [type, root] = c.field.split('.') as [string, string];
    expect(unknown.body.data ?? null, unknown.text).toEqual(type === 'Query' ? { [root]: null } : null);
    expect(
      unknown.body.errors?.map((e) => e.extensions?.code),
      unknown.text,
    ).toEqual(['NOT_FOUND']);
  } else {
    expect(unknown.body.errors, unknown.text).toBeUndefined();
    expect(unknown.status).toBe(200);
    const payload = Object.values(unknown.body.data!)[0] as Record<string, unknown>;
    if (c.expected === 'USER_ERROR') expect((payload.userErrors as unknown[]).length, unknown.text).toBeGreaterThan(0);
  }

  // Exactly the same answer, once the IDs are replaced: status, errors and extensions, data, userErrors.
  expect({ status: foreign.status, body: normalised(foreign.text, foreignValues) }).toEqual({
    status: unknown.status,
    body: normalised(unknown.text, unknownValues),
  });
  // The same refusal audit records of A (which A can read), and none for one than for the other.
  expect(normalised(JSON.stringify(foreignAudit), foreignValues)).toEqual(normalised(JSON.stringify(unknownAudit), unknownValues));

  // Nothing of B's, in the answer or in A's audit records.
  const sent = JSON.stringify(foreignVars);
  expect(leaksIn(foreign.text, sent), foreign.text).toEqual([]);
  expect(leaksIn(JSON.stringify(foreignAudit), sent)).toEqual([]);

  // And the database holds what it held, but for A's refusal audit records.
  expect(changes.map(describeChange)).toEqual([]);
}

// =============================================================================================

describe('ROLE-TENANT: the walk covers every ID-like argument of the schema', () => {
  const idArgs = idLikeArguments(schema);

  it('ROLE-TENANT: every Query, Mutation and nested field argument that takes an ID has a case in the walk, or a reasoned exemption', () => {
    const covered = new Set(ALL_CASES.flatMap((c) => c.covers));
    const missing = idArgs.filter((a) => !covered.has(a) && !(a in EXEMPT));
    expect(missing, 'ID-like arguments with no case in test/e2e/tenant-walk.test.ts: add one').toEqual([]);
    // And nothing stale: every case and exemption names an argument the schema has, once.
    expect([...covered].filter((a) => !idArgs.includes(a))).toEqual([]);
    expect(Object.keys(EXEMPT).filter((a) => !idArgs.includes(a))).toEqual([]);
    expect(Object.keys(EXEMPT).filter((a) => covered.has(a))).toEqual([]);
    // Every Query and Mutation field with an ID-like argument is among the walked fields.
    const walkedFields = new Set(ALL_CASES.map((c) => c.field));
    const fieldsWithTenantIds = new Set(idArgs.filter((a) => !(a in EXEMPT)).map((a) => a.slice(0, a.indexOf('('))));
    expect([...fieldsWithTenantIds].filter((f) => !walkedFields.has(f))).toEqual([]);
  });

  it('ROLE-TENANT: the catalog IDs exempted from the walk are global: offer(id) answers partner A exactly as partner B', async () => {
    const query = rootOperation({ schema, kind: 'query', fieldName: 'offer', argNames: ['id'], levels: 2 });
    for (const offerId of [O.litwareBackup, O.m365BusinessBasic, O.reservedVmD2sV5]) {
      const [a, b] = await Promise.all([call('A', query, { id: offerId }), call('B', query, { id: offerId })]);
      expect(a.body.errors).toBeUndefined();
      expect(a.text).toBe(b.text);
    }
  });

  it("ROLE-TENANT: a test sandbox's own offer is no offer for partner A: offer(id) and a purchase answer as for an ID that exists nowhere, and the catalog leaves it out", async () => {
    const unknown = 'S00000NOWHERE:0001';
    const read = rootOperation({ schema, kind: 'query', fieldName: 'offer', argNames: ['id'], levels: 2 });
    const [own, none] = await Promise.all([call('A', read, { id: SANDBOX_OFFER }), call('A', read, { id: unknown })]);
    expect(own.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(own.text.replaceAll(SANDBOX_OFFER, unknown)).toBe(none.text);
    const buy = 'mutation ($input: PurchaseInput!) { purchase(input: $input) { userErrors { rule } } }';
    const line = (offerId: string) => ({ input: { customerId: A_CUSTOMER._id, dryRun: true, lineItems: [{ offerId, quantity: 1 }] } });
    const [bought, boughtNone] = await Promise.all([call('A', buy, line(SANDBOX_OFFER)), call('A', buy, line(unknown))]);
    expect(bought.text.replaceAll(SANDBOX_OFFER, unknown)).toBe(boughtNone.text);
    const catalog = await call('A', '{ offers(first: 100) { nodes { id } } }');
    expect(catalog.text).not.toContain(SANDBOX_OFFER);
  });

  it('ROLE-TENANT: the worlds are set up: partner B has live records of every kind the walk names', () => {
    for (const [key, value] of Object.entries(made)) expect({ key, value }).not.toEqual({ key, value: '' });
    expect(Object.keys(made.bAuditResource).sort()).toEqual(
      expect.arrayContaining(['order', 'software_order', 'subscription', 'support_request']),
    );
    expect(bOnlyStrings).toEqual(expect.arrayContaining([B_CUSTOMER._id, B_CUSTOMER.companyName, SUBS.bNce._id, SUBS.bNce.friendlyName]));
  });
});

describe('ROLE-TENANT: queries', () => {
  it.each(QUERY_CASES.map((c) => [titleOf(c), c] as const))(
    "ROLE-TENANT: %s answers exactly as for an unknown one and shows nothing of the other partner's",
    async (_title, c) => {
      await walk(c);
    },
  );

  it("ROLE-TENANT: partner A's unfiltered lists (customers, subscriptions, activity log, audit records) hold nothing of partner B's", async () => {
    const lists: [string, string[], Vars][] = [
      ['customers', ['first'], { first: 100 }],
      ['subscriptions', ['first'], { first: 100 }],
      ['activityLog', ['from', 'to', 'first'], { from: AUDIT_FROM, to: AUDIT_TO, first: 100 }],
      ['auditRecords', ['from', 'to', 'first'], { from: AUDIT_FROM, to: AUDIT_TO, first: 100 }],
    ];
    for (const [field, args, vars] of lists) {
      const r = await call('A', rootOperation({ schema, kind: 'query', fieldName: field, argNames: args, levels: 2 }), vars);
      expect(r.body.errors, r.text).toBeUndefined();
      expect(leaksIn(r.text, ''), `${field}: ${r.text.slice(0, 500)}`).toEqual([]);
    }
  });
});

describe('ROLE-TENANT: mutations (dryRun false)', () => {
  it.each(MUTATION_CASES.map((c) => [titleOf(c), c] as const))(
    "ROLE-TENANT: %s answers exactly as for an unknown one and changes nothing of the other partner's",
    async (_title, c) => {
      await walk(c);
    },
  );
});

describe('ROLE-TENANT: after the whole walk', () => {
  it("ROLE-TENANT: partner B's documents are byte for byte what they were; the only additions are partner A's refusal audit records", async () => {
    const changes = diffSnapshots(initial, await dbReader.snapshot());
    expect(changes.filter((c) => ownedByB(c.doc) && !isPointLease(c)).map(describeChange)).toEqual([]);
    expect(disallowed(changes).map(describeChange)).toEqual([]);
    // The refusals were recorded for A, naming what A sent, and nothing else of B's.
    const added = changes.filter((c) => c.collection === 'auditEvents');
    expect(added.length).toBeGreaterThan(0);
    for (const c of added) expect(c.doc).toMatchObject({ partnerId: A, outcome: 'refused' });
    // Some of B's documents of every kind were there to be changed.
    for (const name of [
      'customers',
      'subscriptions',
      'orders',
      'softwareOrders',
      'reservations',
      'supportRequests',
      'ledger',
      'auditEvents',
      'softwareActivity',
    ]) {
      const count = [...(initial.get(name)?.values() ?? [])].filter((bytes) => ownedByB(BSON.deserialize(bytes))).length;
      expect({ name, count }).not.toEqual({ name, count: 0 });
    }
  });
});
