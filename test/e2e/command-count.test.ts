import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collections } from '../../src/db/collections.js';
import { NestedCustomersDocument } from '../generated/graphql.js';
import { aCustomer, anOffer, aSubscription, guid, T0 } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { runCapabilities } from '../support/db.js';
import { readPlanner } from '../../src/read/loader-utils.js';

/**
 * The commands of customers(first: n) -> subscriptions -> addOns -> offer, per backend
 * (docs/database.md, "Batch reads per backend"): where `$in` reaches an index or nothing does
 * (MongoDB, FerretDB on SQLite), one find per level; where only equality does (FerretDB on
 * PostgreSQL), one find per key at the subscription levels, sent concurrently as one batch per
 * level (n customers, 2n base subscriptions).
 */
function nestedCommands(first: number): string[] {
  const planner = readPlanner(runCapabilities());
  const level = (field: string, keys: number) =>
    planner.shape('subscriptions', field) === 'in' || keys === 1 ? ['subscriptions:find'] : Array<string>(keys).fill('subscriptions:find');
  return ['customers:find', ...level('customerId', first), ...level('parentSubscriptionId', 2 * first)];
}

/** 120 customers, each with 2 base subscriptions, each base with 2 add-ons: 720 subscription documents. */
async function seedWide(cols: Collections): Promise<void> {
  const base = anOffer({
    _id: 'CFQ7TTC0LH18:0001',
    name: 'Microsoft 365 Business Basic',
    eligibleAddOnIds: ['CFQ7TTC0ADD1:0001', 'CFQ7TTC0ADD2:0001'],
  });
  const addOnOffers = ['CFQ7TTC0ADD1:0001', 'CFQ7TTC0ADD2:0001'].map((_id) => anOffer({ _id, isAddOn: true }));
  await cols.offers.insertMany([base, ...addOnOffers]);
  const customers = [];
  const subscriptions = [];
  for (let c = 0; c < 120; c += 1) {
    const customerId = guid(`wide-customer-${c}`);
    customers.push(aCustomer({ _id: customerId, companyName: `Wide ${String(c).padStart(3, '0')}` }));
    for (let s = 0; s < 2; s += 1) {
      const subId = guid(`wide-sub-${c}-${s}`);
      const created = new Date(T0.getTime() + s * 60_000);
      subscriptions.push(aSubscription({ _id: subId, customerId, offerId: base._id, creationDate: created }));
      addOnOffers.forEach((offer, a) =>
        subscriptions.push(
          aSubscription({
            _id: guid(`wide-addon-${c}-${s}-${a}`),
            customerId,
            offerId: offer._id,
            parentSubscriptionId: subId,
            creationDate: created,
          }),
        ),
      );
    }
  }
  await cols.customers.insertMany(customers);
  await cols.subscriptions.insertMany(subscriptions);
}

/** Every command the gateway sent, as `collection:command`: getMore and killCursors included. */
function label(e: CommandStartedEvent): string {
  const target: unknown = e.commandName === 'getMore' ? e.command.collection : e.command[e.commandName];
  return `${String(target)}:${e.commandName}`;
}

describe('DataLoader batching: one database command per level, and nothing else', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // Caches that outlive the file, so that only the first request reads the partner and the catalog.
    gw = await startTestGateway(seedWide, { env: { PARTNER_CACHE_MS: '3600000', OFFER_CACHE_MS: '3600000' } });
  });
  afterAll(() => gw?.close());

  /** Every command of one operation, in order. */
  async function commandsFor(first: number) {
    gw.commands.length = 0;
    const result = await gw.execute(NestedCustomersDocument, { first });
    expect(result.errors).toBeUndefined();
    return { result, all: gw.commands.map(label) };
  }

  async function rawCommandsFor(query: string) {
    gw.commands.length = 0;
    const response = await gw.post(JSON.stringify({ query }));
    expect(response.status).toBe(200);
    const body = JSON.parse(response.text) as { data: { customers: { totalCount: number; nodes: unknown[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return { data: body.data, all: gw.commands.map(label) };
  }

  function expectEveryLevelResolved(
    customers: NonNullable<Awaited<ReturnType<typeof commandsFor>>['result']['data']>['customers']['nodes'],
    first: number,
  ) {
    expect(customers).toHaveLength(first);
    // Every level really resolved: each customer has 2 subscriptions, each with 2 add-ons and their offers.
    for (const customer of customers) {
      expect(customer.subscriptions.nodes).toHaveLength(2);
      for (const sub of customer.subscriptions.nodes) {
        expect(sub.addOns).toHaveLength(2);
        expect(sub.addOns.map((a) => a.offer!.id).sort()).toEqual(['CFQ7TTC0ADD1:0001', 'CFQ7TTC0ADD2:0001']);
        expect(sub.addOns.every((a) => a.parentSubscriptionId === sub.id)).toBe(true);
      }
    }
  }

  // First in this file on purpose: the gateway has read neither the partner nor the catalog yet.
  it("a fresh gateway's first request also reads the caller's partner and the catalog, once each", async () => {
    const { result, all } = await commandsFor(1);
    expectEveryLevelResolved(result.data!.customers.nodes, 1);
    expect(all).toEqual(['partners:find', ...nestedCommands(1), 'offers:find']);
  });

  it.each([1, 10, 100])(
    'customers(first: %i) -> subscriptions -> addOns -> offer (base and add-on offers) sends one batch per level: no getMore, no killCursors',
    async (first) => {
      const { result, all } = await commandsFor(first);
      expectEveryLevelResolved(result.data!.customers.nodes, first);
      // The partner and the offers come from memory (PARTNER_CACHE_MS, OFFER_CACHE_MS); each find's
      // first batch holds its whole result (100 customers: 200 subscriptions, 400 add-ons).
      expect(all).toEqual(nestedCommands(first));
    },
  );

  it('where $in reaches an index, or nothing does, the command count is the same for page sizes 1 and 100', async () => {
    const one = await commandsFor(1);
    const hundred = await commandsFor(100);
    if (readPlanner(runCapabilities()).shape('subscriptions', 'customerId') === 'in') expect(hundred.all).toEqual(one.all);
    else expect(hundred.all).toHaveLength(1 + 100 + 200);
  });

  it('LIMIT_MAX_DB_COMMANDS counts batches: customers(first: 100) with every level fits in a budget of 3 on every backend', async () => {
    const tight = await startTestGateway(seedWide, { env: { LIMIT_MAX_DB_COMMANDS: '3' } });
    try {
      // The caller's partner and the catalog come from process-wide caches, whose reads no request is charged.
      const result = await tight.execute(NestedCustomersDocument, { first: 100 });
      expect(result.errors).toBeUndefined();
      expectEveryLevelResolved(result.data!.customers.nodes, 100);
    } finally {
      await tight.close();
    }
  });

  it('totalCount costs no command when the page holds every match, and one count when there is a next page', async () => {
    const complete = await rawCommandsFor('{ customers(first: 100, filter: { search: "Wide 00" }) { totalCount nodes { id } } }');
    expect(complete.data.customers.nodes).toHaveLength(10);
    expect(complete.data.customers.totalCount).toBe(10);
    expect(complete.all).toEqual(['customers:find']);

    const partial = await rawCommandsFor('{ customers(first: 100) { totalCount nodes { id } } }');
    expect(partial.data.customers.nodes).toHaveLength(100);
    expect(partial.data.customers.totalCount).toBe(120);
    expect(partial.all).toEqual(['customers:find', 'customers:aggregate']);
  });
});
