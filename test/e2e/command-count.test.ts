import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collections } from '../../src/db/collections.js';
import { NestedCustomersDocument } from '../generated/graphql.js';
import { aCustomer, anOffer, aSubscription, guid, T0 } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

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

describe('DataLoader batching: one database command per level', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(seedWide);
  });
  afterAll(() => gw?.close());

  /** The data commands of one operation, as `collection:command`, without the caller lookup. */
  async function commandsFor(first: number) {
    gw.commands.length = 0;
    const result = await gw.execute(NestedCustomersDocument, { first });
    expect(result.errors).toBeUndefined();
    const data = gw.commands
      .filter((e) => e.commandName === 'find' || e.commandName === 'aggregate' || e.commandName === 'count')
      .map((e) => `${e.command[e.commandName]}:${e.commandName}`);
    return { result, data };
  }

  it.each([1, 100])('customers(first: %i) -> subscriptions -> addOns -> offer issues 1 + 4 commands', async (first) => {
    const { result, data } = await commandsFor(first);
    const customers = result.data!.customers.nodes;
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
    // The caller's partner (authentication), then exactly one command per level.
    expect(data).toEqual(['partners:find', 'customers:find', 'subscriptions:find', 'subscriptions:find', 'offers:find']);
  });

  it('the command count is the same for page sizes 1 and 100', async () => {
    const one = await commandsFor(1);
    const hundred = await commandsFor(100);
    expect(hundred.data.length).toBe(one.data.length);
  });
});
