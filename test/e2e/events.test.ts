import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoExampleIds } from '../../src/app/server.js';
import type { ExampleIds } from '../../src/graphiql/examples.js';
import { EVENT_TYPE_NAMES, EVENT_TYPES } from '../../src/policy/events.js';
import { PROJECT_ROOT } from '../../src/shared/config.js';
import { OFFER_IDS } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { seedWorld } from '../../src/seed/generate.js';
import { purgeEvents } from '../../src/event/event.repository.js';
import { callAs, type SandboxCaller } from '../support/sandbox-calls.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { WriteFaults } from '../../src/write/deps.js';
import { resumePending } from '../../src/write/journal.js';

/*
 * Events end to end (docs/events.md), over HTTP against the demo world: every mutation that
 * changes something yields its events, with Partner Center's names and payload; a refusal or a
 * quote yields none; a partner's events are numbered 1..n without gaps, also under concurrent
 * mutations; another partner's events do not exist for a caller (ROLE-TENANT), marketplace
 * subscriptions' events need ROLE-MARKETPLACE; the retention purge deletes old events only.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const FABRIKAM = DEMO_PARTNERS.fabrikam.id;
const ADMIN: SandboxCaller = { partner: CONTOSO, roles: 'global_admin,admin_agent' };

interface EventNode {
  id: string;
  sequence: number;
  type: string;
  resourceName: string;
  resourceId: string;
  resourceUri: string;
  auditUri: string | null;
  customerId: string | null;
  operationId: string | null;
  operationType: string;
  ruleId: string | null;
  changes: string | null;
  at: string;
  resourceChangeUtcDate: string;
  createdAt: string;
  payload: string;
}

const EVENT_FIELDS =
  'id sequence type resourceName resourceId resourceUri auditUri customerId operationId operationType ruleId changes at resourceChangeUtcDate createdAt payload';
const EVENTS = `query ($first: Int, $after: String, $filter: EventFilter) {
  events(first: $first, after: $after, filter: $filter) { nodes { ${EVENT_FIELDS} } pageInfo { hasNextPage endCursor } totalCount }
}`;

interface EventsAnswer {
  events: { nodes: EventNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount: number };
}

/*
 * The fault hook (as in write-safety.test.ts): armed by a test, it throws once, right after the
 * next operation writes effect `armed`, as if the process died there.
 */
let armed: number | null = null;
const faults: WriteFaults = {
  afterEffect(operationId, index) {
    if (armed === null || index !== armed) return;
    armed = null;
    throw new Error(`simulated crash: the process died after effect ${index} of operation ${operationId}`);
  },
};

let gw: TestGateway;
let ids: ExampleIds;
beforeAll(async () => {
  gw = await startTestGateway(
    async (cols) => {
      await seedWorld(cols, { customers: 12, seed: 'demo' });
    },
    { faults },
  );
  ids = await demoExampleIds(gw.collections, CONTOSO);
});
afterAll(() => gw?.close());

const gql = <T>(as: SandboxCaller, query: string, variables: Record<string, unknown> = {}) => callAs<T>(gw.url, as, query, variables);

type Payload = { userErrors: { rule: string; message: string }[] } & Record<string, unknown>;

/** Runs one mutation; returns its payload, failing on any error or userError. */
async function mutate(query: string, variables: Record<string, unknown> = {}, as: SandboxCaller = ADMIN): Promise<Payload> {
  const answer = await gql<Record<string, Payload>>(as, query, variables);
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  const payload = Object.values(answer.data!)[0]!;
  expect(payload.userErrors, JSON.stringify(payload.userErrors)).toEqual([]);
  return payload;
}

/** Every event of the caller's partner after `after`, page by page. */
async function eventsAfter(
  after: string | null,
  as: SandboxCaller = ADMIN,
  filter: Record<string, unknown> = {},
): Promise<{ events: EventNode[]; cursor: string | null }> {
  const events: EventNode[] = [];
  let cursor = after;
  for (;;) {
    const answer = await gql<EventsAnswer>(as, EVENTS, { first: 100, after: cursor, filter });
    expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
    const page = answer.data!.events;
    events.push(...page.nodes);
    cursor = page.pageInfo.endCursor ?? cursor;
    if (!page.pageInfo.hasNextPage) return { events, cursor };
  }
}

/** Contoso's log as read so far: `fresh()` returns the events written since its last call. */
let followed: string | null = null;
async function fresh(): Promise<EventNode[]> {
  const { events, cursor } = await eventsAfter(followed);
  followed = cursor;
  return events;
}

/** What every event says in its payload: Partner Center's fields and ours, the same as its GraphQL fields. */
function expectPayloadOf(e: EventNode): void {
  const p = JSON.parse(e.payload) as Record<string, unknown>;
  expect(p).toEqual({
    EventName: e.type,
    ResourceUri: e.resourceUri,
    ResourceName: e.resourceName,
    AuditUri: e.auditUri,
    ResourceChangeUtcDate: e.at,
    EventId: e.id,
    Sequence: e.sequence,
    PartnerId: CONTOSO,
    CustomerId: e.customerId,
    ResourceId: e.resourceId,
    OperationId: e.operationId,
    OperationType: e.operationType,
    RuleId: e.ruleId,
    Changes: e.changes === null ? null : JSON.parse(e.changes),
    WallClockUtcDate: e.createdAt,
  });
  expect(e.resourceChangeUtcDate).toBe(e.at);
  expect(e.resourceUri).toMatch(/^https:\/\/api\.partnercenter\.microsoft\.com\//);
  expect(e.resourceUri).toContain(e.resourceName === 'clock' ? 'simulation/clock' : e.resourceId);
  expect(EVENT_TYPE_NAMES).toContain(e.type);
}

/** The events of one applied mutation: each with its payload, all of one operation, as [type, resourceId]. */
async function eventsOf(payload: Payload): Promise<[string, string][]> {
  const events = await fresh();
  for (const e of events) expectPayloadOf(e);
  if (typeof payload.operationId === 'string' && events.length > 0)
    expect(new Set(events.map((e) => e.operationId))).toEqual(new Set([payload.operationId]));
  return events.map((e) => [e.type, e.resourceId]);
}

const BUY = `mutation Buy($customerId: ID!, $offerId: ID!, $quantity: Int!, $billingCycle: BillingCycle!, $termDuration: TermDuration!, $dryRun: Boolean! = false) {
  purchase(input: { customerId: $customerId, dryRun: $dryRun, lineItems: [{ offerId: $offerId, quantity: $quantity, billingCycle: $billingCycle, termDuration: $termDuration }] }) {
    operationId order { id } subscriptions { id } userErrors { rule message }
  }
}`;

async function buy(offerId: string, opts: { quantity?: number; billingCycle?: string; termDuration?: string; customerId?: string } = {}) {
  const p = await mutate(BUY, {
    customerId: opts.customerId ?? ids.customerId,
    offerId,
    quantity: opts.quantity ?? 5,
    billingCycle: opts.billingCycle ?? 'MONTHLY',
    termDuration: opts.termDuration ?? 'P1Y',
  });
  return p as Payload & { operationId: string; order: { id: string }; subscriptions: { id: string }[] };
}

/** The customer createCustomer made: the trial below is one per customer (CAT-ONE-PER-CUSTOMER). */
let newCustomer = '';

const SUBSCRIPTION_CHANGE = (field: string, extra = '') =>
  `mutation ($id: ID!) { ${field}(input: { subscriptionId: $id ${extra} }) { operationId userErrors { rule message } } }`;

describe('every applied mutation yields its events (docs/events.md, "The catalogue")', () => {
  beforeAll(async () => {
    // The seeded world wrote no events (it is not applied through the write path): the log starts empty.
    expect((await fresh()).length).toBe(0);
  });

  it('createCustomer yields customer-created with the new customer', async () => {
    const p = await mutate(
      `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { operationId customer { id } userErrors { rule message } } }`,
      {
        input: {
          companyProfile: { companyName: 'Events Test Co', domain: 'eventstestco.onmicrosoft.com' },
          billingProfile: { defaultAddress: { country: 'US' } },
        },
      },
    );
    const id = (p.customer as { id: string }).id;
    expect(await eventsOf(p)).toEqual([['customer-created', id]]);
    newCustomer = id;
  });

  it('purchase yields order-created and subscription-active; updateSubscription, pauseSubscription, resumeSubscription, cancelSubscription each subscription-updated', async () => {
    const bought = await buy(OFFER_IDS.m365BusinessBasic);
    const sub = bought.subscriptions[0]!.id;
    expect(await eventsOf(bought)).toEqual([
      ['order-created', bought.order.id],
      ['subscription-active', sub],
    ]);
    const seats = await mutate(SUBSCRIPTION_CHANGE('updateSubscription', 'quantity: 7'), { id: sub });
    expect(await eventsOf(seats)).toEqual([['subscription-updated', sub]]);
    const pause = await mutate(SUBSCRIPTION_CHANGE('pauseSubscription'), { id: sub });
    expect(await eventsOf(pause)).toEqual([['subscription-updated', sub]]);
    const resume = await mutate(SUBSCRIPTION_CHANGE('resumeSubscription'), { id: sub });
    expect(await eventsOf(resume)).toEqual([['subscription-updated', sub]]);
    const cancel = await mutate(SUBSCRIPTION_CHANGE('cancelSubscription'), { id: sub });
    expect(await eventsOf(cancel)).toEqual([['subscription-updated', sub]]);
  });

  it('suspendSubscription and reactivateSubscription (legacy) each yield subscription-updated with the status in its changes', async () => {
    const bought = await buy(OFFER_IDS.legacyO365E1);
    const sub = bought.subscriptions[0]!.id;
    await eventsOf(bought);
    const suspend = await mutate(SUBSCRIPTION_CHANGE('suspendSubscription', 'reason: CUSTOMER_REQUEST'), { id: sub });
    const suspended = await fresh();
    expect(suspended.map((e) => [e.type, e.resourceId, JSON.parse(e.changes!).status, e.operationId])).toEqual([
      ['subscription-updated', sub, 'suspended', suspend.operationId],
    ]);
    const reactivate = await mutate(SUBSCRIPTION_CHANGE('reactivateSubscription'), { id: sub });
    expect(await eventsOf(reactivate)).toEqual([['subscription-updated', sub]]);
  });

  it('scheduleChange, updateScheduledChange, deleteScheduledChange yield scheduledchange-updated, -updated, -deleted beside subscription-updated', async () => {
    const bought = await buy(OFFER_IDS.m365BusinessStandard);
    const sub = bought.subscriptions[0]!.id;
    await eventsOf(bought);
    const schedule = await mutate(SUBSCRIPTION_CHANGE('scheduleChange', 'quantity: 9'), { id: sub });
    expect(await eventsOf(schedule)).toEqual([
      ['subscription-updated', sub],
      ['scheduledchange-updated', sub],
    ]);
    const update = await mutate(SUBSCRIPTION_CHANGE('updateScheduledChange', 'quantity: 11'), { id: sub });
    expect(await eventsOf(update)).toEqual([
      ['subscription-updated', sub],
      ['scheduledchange-updated', sub],
    ]);
    const remove = await mutate(SUBSCRIPTION_CHANGE('deleteScheduledChange'), { id: sub });
    expect(await eventsOf(remove)).toEqual([
      ['subscription-updated', sub],
      ['scheduledchange-deleted', sub],
    ]);
  });

  it('purchaseAddOn yields order-created and subscription-active for the add-on', async () => {
    const bought = await buy(OFFER_IDS.m365BusinessStandard);
    const sub = bought.subscriptions[0]!.id;
    await eventsOf(bought);
    const addOn = await mutate(
      `mutation ($id: ID!, $offerId: ID!) { purchaseAddOn(input: { subscriptionId: $id, offerId: $offerId, quantity: 2 }) { operationId addOn { id } order { id } userErrors { rule message } } }`,
      { id: sub, offerId: OFFER_IDS.teamsPhoneStandard },
    );
    expect(await eventsOf(addOn)).toEqual([
      ['subscription-active', (addOn.addOn as { id: string }).id],
      ['order-created', (addOn.order as { id: string }).id],
    ]);
  });

  it('upgradeSubscription and partialUpgrade yield the source subscription updated and the target created', async () => {
    const full = await buy(OFFER_IDS.m365BusinessBasic);
    await eventsOf(full);
    const upgrade = await mutate(
      `mutation ($id: ID!, $target: ID!) { upgradeSubscription(input: { subscriptionId: $id, targetOfferId: $target }) { operationId targetSubscription { id } userErrors { rule message } } }`,
      { id: full.subscriptions[0]!.id, target: OFFER_IDS.m365BusinessPremium },
    );
    const upgraded = await eventsOf(upgrade);
    const target = (upgrade.targetSubscription as { id: string }).id;
    expect(upgraded).toContainEqual(['subscription-updated', full.subscriptions[0]!.id]);
    expect(upgraded.filter(([, id]) => id === target).length).toBeGreaterThan(0);

    const partial = await buy(OFFER_IDS.m365BusinessBasic, { quantity: 6 });
    await eventsOf(partial);
    const split = await mutate(
      `mutation ($id: ID!, $target: ID!) { partialUpgrade(input: { subscriptionId: $id, targetOfferId: $target, quantity: 2 }) { operationId targetSubscription { id } userErrors { rule message } } }`,
      { id: partial.subscriptions[0]!.id, target: OFFER_IDS.m365BusinessStandard },
    );
    const splitEvents = await eventsOf(split);
    expect(splitEvents).toContainEqual(['subscription-updated', partial.subscriptions[0]!.id]);
    expect(splitEvents.filter(([, id]) => id === (split.targetSubscription as { id: string }).id).length).toBeGreaterThan(0);
  });

  it('purchaseSoftware yields softwareorder-created without its keys (ROLE-SOFTWARE-KEYS); getSoftwareKey none; cancelSoftwareOrder softwareorder-updated; createSupportRequest supportrequest-created', async () => {
    const buySoftware = await mutate(
      `mutation ($customerId: ID!) { purchaseSoftware(input: { customerId: $customerId, offerId: "${OFFER_IDS.windowsServer2022Datacenter}", quantity: 1 }) { operationId softwareOrder { id } userErrors { rule message } } }`,
      { customerId: ids.customerId },
    );
    const orderId = (buySoftware.softwareOrder as { id: string }).id;
    const created = await fresh();
    for (const e of created) expectPayloadOf(e);
    expect(created.map((e) => [e.type, e.resourceId])).toContainEqual(['softwareorder-created', orderId]);
    const order = created.find((e) => e.type === 'softwareorder-created')!;
    const keys = (JSON.parse(order.changes!) as { keys: Record<string, unknown>[] }).keys;
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).not.toHaveProperty('productKey');
      expect(key).not.toHaveProperty('downloadUrl');
    }
    expect(order.payload).not.toMatch(/productKey|downloadUrl/);

    // Reading a key (SW-ACTIVITY-LOG) changes no resource: its activity record is no event.
    const key = await mutate(
      `mutation ($id: ID!, $version: String!) { getSoftwareKey(input: { softwareOrderId: $id, productVersion: $version }) { operationId productKey userErrors { rule message } } }`,
      { id: orderId, version: keys[0]!.productVersion },
    );
    expect(key.productKey).toBeTruthy();
    expect(await eventsOf(key)).toEqual([]);
    const cancel = await mutate(
      `mutation ($id: ID!) { cancelSoftwareOrder(input: { softwareOrderId: $id }) { operationId userErrors { rule message } } }`,
      { id: orderId },
    );
    expect(await eventsOf(cancel)).toContainEqual(['softwareorder-updated', orderId]);

    const request = await mutate(
      `mutation ($customer: String!, $orderId: String!) {
        createSupportRequest(input: {
          customer: $customer, resourceId: $orderId, impact: "Moderate", title: "Refund after the window", reason: "Bought for the wrong customer",
          amountRequestedInCents: 10000, contact: { name: "Megan Bowen", email: "megan@contoso.com", phone: "+1 425 555 0100" }
        }) { operationId supportRequest { id } userErrors { rule message } }
      }`,
      { customer: ids.softwareOrder!.customerId, orderId: ids.softwareOrder!.id },
    );
    expect(await eventsOf(request)).toEqual([['supportrequest-created', (request.supportRequest as { id: string }).id]]);
  });

  it('purchaseReservation, updateReservation, setReservationUtilization, exchangeReservation, cancelReservation yield reservation-created and reservation-updated', async () => {
    const r = ids.reservation!;
    const bought = await mutate(
      `mutation ($customerId: ID!, $azure: String!) {
        purchaseReservation(input: {
          customerId: $customerId, offerId: "${OFFER_IDS.reservedVmD2sV5}", region: "westeurope", termDuration: P1Y, quantity: 2
          scope: { type: SINGLE, subscriptionId: $azure }, azureSubscriptionId: $azure, billingPlan: UPFRONT
        }) { operationId reservation { id } userErrors { rule message } }
      }`,
      { customerId: r.customerId, azure: r.azureSubscriptionId },
    );
    const id = (bought.reservation as { id: string }).id;
    expect(await eventsOf(bought)).toContainEqual(['reservation-created', id]);
    const update = await mutate(
      `mutation ($id: ID!) { updateReservation(input: { reservationId: $id, scope: { type: SHARED } }) { operationId userErrors { rule message } } }`,
      { id },
    );
    expect(await eventsOf(update)).toEqual([['reservation-updated', id]]);
    const used = await mutate(
      `mutation ($id: ID!) { setReservationUtilization(input: { reservationId: $id, utilizationPercent: 40 }) { operationId userErrors { rule message } } }`,
      { id },
    );
    expect(await eventsOf(used)).toEqual([['reservation-updated', id]]);
    const exchange = await mutate(
      `mutation ($id: ID!) { exchangeReservation(input: { reservationId: $id, offerId: "${OFFER_IDS.reservedVmD2sV5}", quantity: 2, termDuration: P3Y }) { operationId reservation { id } userErrors { rule message } } }`,
      { id },
    );
    const exchanged = await eventsOf(exchange);
    const fresher = (exchange.reservation as { id: string }).id;
    expect(exchanged).toContainEqual(['reservation-updated', id]);
    expect(exchanged).toContainEqual(['reservation-created', fresher]);
    const cancel = await mutate(
      `mutation ($id: ID!) { cancelReservation(input: { reservationId: $id }) { operationId userErrors { rule message } } }`,
      { id: fresher },
    );
    expect(await eventsOf(cancel)).toEqual([['reservation-updated', fresher]]);
  });
});

describe('lifecycle steps of a clock advance yield their events, in simulation-time order (GEN-CLOCK)', () => {
  it('advanceClock yields a renewal, a trial conversion, an expiry, invoice-ready and clock-advanced, ordered by simulation time', async () => {
    const monthly = await buy(OFFER_IDS.m365BusinessStandard, { termDuration: 'P1M', customerId: newCustomer });
    const expiring = await buy(OFFER_IDS.m365BusinessBasic, { termDuration: 'P1M', customerId: newCustomer });
    const trial = await buy(OFFER_IDS.m365BusinessPremiumTrial, {
      termDuration: 'P1M',
      billingCycle: 'NONE',
      quantity: 5,
      customerId: newCustomer,
    });
    await mutate(SUBSCRIPTION_CHANGE('updateSubscription', 'autoRenewEnabled: false'), { id: expiring.subscriptions[0]!.id });
    await fresh();

    const advance = await mutate(`mutation { advanceClock(input: { by: "P40D" }) { operationId from to userErrors { rule message } } }`);
    const events = await fresh();
    for (const e of events) expectPayloadOf(e);
    const times = events.map((e) => Date.parse(e.at));
    expect(times, 'simulation-time order').toEqual([...times].sort((a, b) => a - b));
    const sequences = events.map((e) => e.sequence);
    expect(sequences).toEqual(sequences.map((_, i) => sequences[0]! + i));

    const of = (id: string) => events.filter((e) => e.resourceId === id).map((e) => [e.type, e.operationType]);
    expect(of(monthly.subscriptions[0]!.id)).toContainEqual(['subscription-renewed', 'renewal']);
    expect(of(trial.subscriptions[0]!.id)).toContainEqual(['subscription-updated', 'trial_conversion']);
    const expired = events.find((e) => e.resourceId === expiring.subscriptions[0]!.id && e.operationType === 'term_end')!;
    expect(expired.type).toBe('subscription-updated');
    expect(JSON.parse(expired.changes!)).toMatchObject({ status: 'deleted' });
    const invoice = events.find((e) => e.type === 'invoice-ready')!;
    expect(invoice).toMatchObject({
      resourceName: 'invoice',
      resourceId: '2026-11',
      ruleId: 'BILL-MONTHLY',
      customerId: null,
      at: '2026-12-01T00:00:00.000Z',
    });
    const clock = events.at(-1)!;
    expect(clock).toMatchObject({ type: 'clock-advanced', ruleId: 'GEN-CLOCK', operationId: advance.operationId, at: advance.to });
  });
});

describe('no change, no event', () => {
  it('a quote (dryRun) yields no event', async () => {
    await fresh();
    const quote = await gql<Record<string, Payload>>(ADMIN, BUY, {
      customerId: ids.customerId,
      offerId: OFFER_IDS.m365BusinessBasic,
      quantity: 3,
      billingCycle: 'MONTHLY',
      termDuration: 'P1Y',
      dryRun: true,
    });
    expect(quote.data!.purchase).toMatchObject({ operationId: null, userErrors: [] });
    expect(await fresh()).toEqual([]);
  });

  it('a refused mutation (a userError, or FORBIDDEN by ROLE-SUBSCRIPTIONS) yields no event', async () => {
    const bought = await buy(OFFER_IDS.m365BusinessBasic);
    await fresh();
    const tooMany = await gql<Record<string, Payload>>(ADMIN, SUBSCRIPTION_CHANGE('updateSubscription', 'quantity: 100000'), {
      id: bought.subscriptions[0]!.id,
    });
    expect(tooMany.data!.updateSubscription!.userErrors.length).toBeGreaterThan(0);
    const forbidden = await gql(
      { partner: CONTOSO, roles: 'marketing_content_admin' },
      SUBSCRIPTION_CHANGE('updateSubscription', 'quantity: 6'),
      { id: bought.subscriptions[0]!.id },
    );
    expect(forbidden.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'ROLE-SUBSCRIPTIONS' });
    expect(await fresh()).toEqual([]);
  });
});

describe('who sees which events', () => {
  it('ROLE-MARKETPLACE: a marketplace subscription’s events are listed only to the roles that may view it; event(id) refuses them to others', async () => {
    const bought = await buy(OFFER_IDS.litwareBackup, { termDuration: 'P1M' });
    const sub = bought.subscriptions[0]!.id;
    const events = await fresh();
    const pending = events.find((e) => e.resourceId === sub)!;
    expect(pending.type).toBe('subscription-pending');
    const confirm = await mutate(SUBSCRIPTION_CHANGE('confirmFulfillment'), { id: sub });
    expect(await eventsOf(confirm)).toEqual([['subscription-active', sub]]);

    const sales: SandboxCaller = { partner: CONTOSO, roles: 'sales_agent' };
    const seen = (await eventsAfter(null, sales)).events;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((e) => e.resourceId === sub)).toEqual([]);
    // Filtered by customer or resource (the equality reads), the same.
    const ofCustomer = await gql<EventsAnswer>(sales, EVENTS, { first: 100, filter: { customerId: ids.customerId } });
    expect(ofCustomer.errors).toBeUndefined();
    expect(ofCustomer.data!.events.nodes.length).toBeGreaterThan(0);
    expect(ofCustomer.data!.events.nodes.filter((e) => e.resourceId === sub)).toEqual([]);
    expect(ofCustomer.data!.events.totalCount).toBe(ofCustomer.data!.events.nodes.length);
    // totalCount, counted in the database when the page did not see every event, leaves them out too.
    const counted = await gql<EventsAnswer>(sales, EVENTS, { first: 1 });
    expect(counted.data!.events.totalCount).toBe(seen.length);
    const ofResource = await gql<EventsAnswer>(sales, EVENTS, { filter: { resourceId: sub } });
    expect(ofResource.data!.events).toMatchObject({ nodes: [], totalCount: 0 });
    expect((await eventsAfter(null, ADMIN)).events.filter((e) => e.resourceId === sub)).toHaveLength(2);
    const one = await gql(sales, `query ($id: ID!) { event(id: $id) { id } }`, { id: pending.id });
    expect(one.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'ROLE-MARKETPLACE' });
    const mine = await gql<{ event: EventNode }>(ADMIN, `query ($id: ID!) { event(id: $id) { ${EVENT_FIELDS} } }`, { id: pending.id });
    expect(mine.data!.event).toEqual(pending);
  });

  it('ROLE-TENANT: another partner’s events are not listed and are NOT_FOUND by ID; its cursors are refused', async () => {
    const fabrikam: SandboxCaller = { partner: FABRIKAM, roles: 'global_admin,admin_agent' };
    await mutate(
      `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { operationId customer { id } userErrors { rule message } } }`,
      {
        input: {
          companyProfile: { companyName: 'Fabrikam Events Co', domain: 'fabrikameventsco.onmicrosoft.com' },
          billingProfile: { defaultAddress: { country: 'US' } },
        },
      },
      fabrikam,
    );
    const theirs = (await eventsAfter(null, fabrikam)).events;
    expect(theirs.map((e) => [e.type, e.sequence])).toEqual([['customer-created', 1]]);
    const contoso = (await eventsAfter(null)).events;
    expect(contoso.map((e) => e.id)).not.toContain(theirs[0]!.id);
    const foreign = await gql(fabrikam, `query ($id: ID!) { event(id: $id) { id } }`, { id: contoso[0]!.id });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    const page = await gql<EventsAnswer>(ADMIN, EVENTS, { first: 1 });
    const borrowed = await gql(fabrikam, EVENTS, { first: 1, after: page.data!.events.pageInfo.endCursor });
    expect(borrowed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
  });
});

describe('events(filter)', () => {
  it('an unknown event name is BAD_USER_INPUT naming filter.types and listing the valid names', async () => {
    const answer = await gql(ADMIN, EVENTS, { filter: { types: ['subscription-updated', 'subscription-exploded'] } });
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors![0]!.message).toContain("'subscription-exploded'");
    expect(answer.errors![0]!.message).toContain('subscription-renewed');
    expect(answer.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'filter',
      field: 'filter.types',
      validValues: EVENT_TYPE_NAMES,
    });
  });

  it('types, customerId, resourceId and from/to (simulation time) select events, pages follow one another without repeats', async () => {
    const all = (await eventsAfter(null)).events;
    const byType = (await eventsAfter(null, ADMIN, { types: ['customer-created', 'invoice-ready'] })).events;
    expect(byType).toEqual(all.filter((e) => e.type === 'customer-created' || e.type === 'invoice-ready'));
    const byCustomer = (await eventsAfter(null, ADMIN, { customerId: newCustomer })).events;
    expect(byCustomer).toEqual(all.filter((e) => e.customerId === newCustomer));
    const resource = all.find((e) => e.type === 'subscription-renewed')!.resourceId;
    expect((await eventsAfter(null, ADMIN, { resourceId: resource })).events).toEqual(all.filter((e) => e.resourceId === resource));
    const from = '2026-12-01T00:00:00.000Z';
    expect((await eventsAfter(null, ADMIN, { from })).events).toEqual(all.filter((e) => Date.parse(e.at) >= Date.parse(from)));
    expect((await eventsAfter(null, ADMIN, { to: from })).events).toEqual(all.filter((e) => Date.parse(e.at) < Date.parse(from)));
    // Pages of 3 in a row give the whole log once, in order.
    const paged: EventNode[] = [];
    let after: string | null = null;
    for (;;) {
      const answer: Awaited<ReturnType<typeof gql<EventsAnswer>>> = await gql<EventsAnswer>(ADMIN, EVENTS, { first: 3, after });
      paged.push(...answer.data!.events.nodes);
      expect(answer.data!.events.totalCount).toBe(all.length);
      if (!answer.data!.events.pageInfo.hasNextPage) break;
      after = answer.data!.events.pageInfo.endCursor;
    }
    expect(paged).toEqual(all);
  });

  it('eventTypes lists the catalogue, and docs/events.md’s table is that catalogue', async () => {
    const answer = await gql<{ eventTypes: { name: string; description: string }[] }>(ADMIN, '{ eventTypes { name description } }');
    expect(answer.data!.eventTypes).toEqual(EVENT_TYPE_NAMES.map((name) => ({ name, description: EVENT_TYPES[name] })));
    const page = readFileSync(path.join(PROJECT_ROOT, 'docs/events.md'), 'utf8');
    const section = page.slice(page.indexOf('## The catalogue'), page.indexOf('Which mutation yields'));
    const rows = [...section.matchAll(/^\| `([a-z]+-[a-z]+)` \| (.*) \|$/gm)].map((m) => ({ name: m[1], description: m[2] }));
    expect(rows).toEqual(answer.data!.eventTypes);
  });
});

describe('ordering: one partner’s events are numbered 1..n without gaps', () => {
  it('concurrent mutations for several customers of one partner leave sequence numbers 1..n, each operation’s events in effect order', async () => {
    const customers = [newCustomer, ids.customerId, ids.reservation!.customerId];
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => buy(OFFER_IDS.m365BusinessBasic, { customerId: customers[i % 3]!, quantity: 1 + i })),
    );
    const all = (await eventsAfter(null)).events;
    expect(all.map((e) => e.sequence)).toEqual(all.map((_, i) => i + 1));
    // Operations of different customers run at once, so their events interleave; each keeps its own in effect order.
    for (const r of results) {
      const mine = all.filter((e) => e.operationId === r.operationId);
      expect(mine.map((e) => e.type)).toEqual(['order-created', 'subscription-active']);
      const effectIndexes = mine.map((e) => Number(e.id.split(':').at(-1)));
      expect(effectIndexes).toEqual([...effectIndexes].sort((a, b) => a - b));
    }
  });
});

describe('crash repair never doubles an event', () => {
  it('a purchase killed after any of its writes, events included, is finished with exactly its events, numbered without gaps; a second replay writes none', async () => {
    const probe = await buy(OFFER_IDS.teamsEssentials, { quantity: 1, customerId: newCustomer });
    const kinds = ((await gw.collections.operations.findOne({ _id: probe.operationId }))!.effects as { kind: string }[]).map((e) => e.kind);
    const eventIndexes = kinds.flatMap((k, i) => (k === 'event' ? [i] : []));
    expect(eventIndexes).toHaveLength(2);
    // Before the events, after the first of them, after the last (before the operation is marked done).
    for (const crashAfter of [0, eventIndexes[0]!, eventIndexes[1]!]) {
      await fresh();
      armed = crashAfter;
      const crashed = await gql<Record<string, Payload>>(ADMIN, BUY, {
        customerId: newCustomer,
        offerId: OFFER_IDS.teamsEssentials,
        quantity: 1,
        billingCycle: 'MONTHLY',
        termDuration: 'P1Y',
      });
      expect(crashed.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const [operation] = await gw.collections.operations.find({ status: 'pending', customerId: newCustomer }).toArray();
      expect(operation).toBeDefined();
      expect(await gw.collections.events.countDocuments({ operationId: operation!._id })).toBe(
        eventIndexes.filter((i) => i <= crashAfter).length,
      );
      // What main.ts does when the gateway starts again.
      expect(await resumePending(gw.collections, {}, gw.services.write)).toBe(1);
      await fresh();
      const mine = (await eventsAfter(null, ADMIN, { customerId: newCustomer })).events.filter((e) => e.operationId === operation!._id);
      expect(mine.map((e) => e.type)).toEqual(['order-created', 'subscription-active']);
      // Replayed from its first effect once more (a crash after the last write, before `done`): nothing new.
      await gw.collections.operations.updateOne({ _id: operation!._id }, { $set: { status: 'pending', applied: 0 } });
      expect(await resumePending(gw.collections, {}, gw.services.write)).toBe(1);
      expect(await fresh()).toEqual([]);
    }
    const all = (await eventsAfter(null)).events;
    expect(all.map((e) => e.sequence)).toEqual(all.map((_, i) => i + 1));
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  });
});

describe('createOffer in a test sandbox (SANDBOX-OFFERS)', () => {
  let sandbox: { id: string; as: SandboxCaller };

  it('yields offer-created in the sandbox partner’s own log, numbered from 1', async () => {
    const created = await gql<{ createSandbox: { sandbox: { id: string; partnerId: string }; tokens: { token: string }[] } }>(
      { partner: CONTOSO },
      `mutation ($input: CreateSandboxInput!) { createSandbox(input: $input) { sandbox { id partnerId } tokens { token } } }`,
      { input: { name: 'Events sandbox', clockStart: '2026-03-01T00:00:00Z', roles: ['ADMIN_AGENT'] } },
    );
    expect(created.errors).toBeUndefined();
    const as: SandboxCaller = { token: created.data!.createSandbox.tokens[0]!.token };
    const offer = await mutate(
      `mutation ($input: CreateOfferInput!) { createOffer(input: $input) { operationId offer { id } userErrors { rule message } } }`,
      {
        input: {
          name: 'Reserved VM Instance, events',
          commerceType: 'RESERVATION',
          billingType: 'USAGE',
          reservationType: 'VIRTUAL_MACHINES',
          billingPlans: [{ billingCycle: 'ONE_TIME', termDuration: 'P1Y', price: { amountInCents: 1_200_000, currencyCode: 'USD' } }],
        },
      },
      as,
    );
    const events = (await eventsAfter(null, as)).events;
    expect(events.map((e) => [e.type, e.resourceId, e.sequence, e.operationId])).toEqual([
      ['offer-created', (offer.offer as { id: string }).id, 1, offer.operationId],
    ]);
    sandbox = { id: created.data!.createSandbox.sandbox.id, as };
  });

  it('a restore takes the log back with the world, and numbering goes on after the highest number used (docs/sandboxes.md)', async () => {
    const admin: SandboxCaller = { partner: CONTOSO };
    const offerInput = (name: string) => ({
      input: {
        name,
        commerceType: 'RESERVATION',
        billingType: 'USAGE',
        reservationType: 'VIRTUAL_MACHINES',
        billingPlans: [{ billingCycle: 'ONE_TIME', termDuration: 'P1Y', price: { amountInCents: 1_200_000, currencyCode: 'USD' } }],
      },
    });
    const CREATE_OFFER = `mutation ($input: CreateOfferInput!) { createOffer(input: $input) { operationId offer { id } userErrors { rule message } } }`;
    await mutate(
      `mutation ($id: ID!) { snapshotSandbox(input: { sandboxId: $id, name: "one offer" }) { operationId userErrors { rule message } } }`,
      { id: sandbox.id },
      admin,
    );
    await mutate(CREATE_OFFER, offerInput('Second offer'), sandbox.as);
    expect((await eventsAfter(null, sandbox.as)).events.map((e) => e.sequence)).toEqual([1, 2]);
    await mutate(
      `mutation ($id: ID!) { restoreSandbox(input: { sandboxId: $id, snapshot: "one offer" }) { operationId userErrors { rule message } } }`,
      { id: sandbox.id },
      admin,
    );
    expect((await eventsAfter(null, sandbox.as)).events.map((e) => e.sequence)).toEqual([1]);
    const third = await mutate(CREATE_OFFER, offerInput('Third offer'), sandbox.as);
    const log = (await eventsAfter(null, sandbox.as)).events;
    expect(log.map((e) => [e.sequence, e.operationId])).toEqual([
      [1, log[0]!.operationId],
      [3, third.operationId],
    ]);
  });
});

describe('retention (EVENT_RETENTION, docs/events.md)', () => {
  it('the purge deletes events written before the retention period and keeps the rest', async () => {
    const before = (await eventsAfter(null)).events;
    const old = before.slice(0, 10).map((e) => e.id);
    await gw.collections.events.updateMany({ _id: { $in: old } }, { $set: { createdAt: new Date(Date.now() - 31 * 86_400_000) } });
    const deleted = await purgeEvents(gw.collections, new Date(Date.now() - 30 * 86_400_000));
    expect(deleted).toBe(10);
    const after = (await eventsAfter(null)).events;
    expect(after).toEqual(before.slice(10));
  });
});
