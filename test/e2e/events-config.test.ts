import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { aCustomer, guid } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * The event log's configuration (docs/events.md, "Retention"; docs/operations.md): the gateway's
 * own timer purges events past EVENT_RETENTION (by wall-clock age) every EVENT_PURGE_INTERVAL_MS,
 * and EVENTS_ENABLED=false writes no events at all, the changes themselves unaffected.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const CUSTOMER = guid('events-config-customer');

const BUY = `mutation ($customerId: ID!) {
  purchase(input: { customerId: $customerId, lineItems: [{ offerId: "${OFFER_IDS.m365BusinessBasic}", quantity: 2, billingCycle: MONTHLY, termDuration: P1Y }] }) {
    operationId subscriptions { id } userErrors { rule message }
  }
}`;

async function post(gw: TestGateway, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-partner-id': CONTOSO, 'x-partner-roles': 'global_admin,admin_agent' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, { operationId: string | null; userErrors: unknown[] }>; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  const payload = Object.values(body.data!)[0]!;
  expect(payload.userErrors).toEqual([]);
  return payload;
}

const seed = async (cols: TestGateway['collections']) => {
  await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
  await cols.customers.insertOne(aCustomer({ _id: CUSTOMER, companyName: 'Events Config Customer' }));
};

describe('EVENT_RETENTION, EVENT_PURGE_INTERVAL_MS: the gateway purges old events on its timer', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(seed, { env: { EVENT_RETENTION: 'PT1H', EVENT_PURGE_INTERVAL_MS: '1000' } });
  });
  afterAll(() => gw?.close());

  it('events written longer ago than the retention period are deleted within an interval; newer ones are kept', async () => {
    const old = await post(gw, BUY, { customerId: CUSTOMER });
    await gw.collections.events.updateMany({ operationId: old.operationId }, { $set: { createdAt: new Date(Date.now() - 2 * 3_600_000) } });
    const recent = await post(gw, BUY, { customerId: CUSTOMER });
    for (let i = 0; i < 40 && (await gw.collections.events.countDocuments({ operationId: old.operationId })) > 0; i++) await sleep(100);
    expect(await gw.collections.events.countDocuments({ operationId: old.operationId })).toBe(0);
    expect(await gw.collections.events.countDocuments({ operationId: recent.operationId })).toBe(2);
  });
});

describe('EVENTS_ENABLED=false: no events are written', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(seed, { env: { EVENTS_ENABLED: 'false' } });
  });
  afterAll(() => gw?.close());

  it('a purchase and a clock advance apply their changes and journal no event', async () => {
    const bought = await post(gw, BUY, { customerId: CUSTOMER });
    await post(gw, 'mutation { advanceClock(input: { by: "P40D" }) { operationId userErrors { rule message } } }');
    const operation = await gw.collections.operations.findOne({ _id: bought.operationId! });
    expect(operation!.status).toBe('done');
    expect((operation!.effects as { kind: string }[]).map((e) => e.kind)).not.toContain('event');
    expect(await gw.collections.subscriptions.countDocuments({ customerId: CUSTOMER })).toBe(1);
    expect(await gw.collections.events.countDocuments({})).toBe(0);
  });
});
