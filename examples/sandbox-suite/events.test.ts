import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from 'partner-center-gateway/testing';
import { gateway } from './gateway.js';
import { buySeats, createCustomer } from './scenario.js';

/*
 * An integration reacts to events, not to polling: this file asserts on the sandbox's own event
 * log (docs/events.md) as the integration would see it in its webhook, in Partner Center's names.
 * A month-to-month subscription bought at 2026-03-01T00:00Z, then a seat increase, then the clock
 * moved past the end of March.
 */

const START = '2026-03-01T00:00:00.000Z';
let sb: Sandbox;
let customerId: string;
let subscriptionId: string;
/** Where the log stood after set-up: each test reads only what happened after it. */
let afterSetUp: string | null = null;

beforeAll(async () => {
  sb = await createSandbox({ ...gateway, name: 'Events', clockStart: START, ttl: 'PT1H' });
  customerId = await createCustomer(sb, { companyName: 'Evented Ltd' });
  subscriptionId = (await buySeats(sb, customerId, 'CFQ7TTC0LH18:0001', 3)).subscriptionId;
  afterSetUp = (await sb.events()).cursor;
});
afterAll(() => sb?.delete());

describe('events of a sandbox', () => {
  it('the set-up wrote customer-created, then order-created and subscription-active for the purchase, numbered 1, 2, 3 ...', async () => {
    const { events } = await sb.events();
    expect(events.map((e) => e.type)).toEqual(['customer-created', 'order-created', 'subscription-active']);
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(events[2]).toMatchObject({ resourceName: 'subscription', resourceId: subscriptionId, customerId });
    // The webhook body: Partner Center's fields first.
    expect(events[2]!.payload).toMatchObject({
      EventName: 'subscription-active',
      ResourceName: 'subscription',
      ResourceChangeUtcDate: START,
    });
  });

  it('SUB-QTY-INCREASE: a seat increase is one subscription-updated event naming what changed', async () => {
    await sb.request('mutation ($id: ID!) { updateSubscription(input: { subscriptionId: $id, quantity: 5 }) { userErrors { code } } }', {
      id: subscriptionId,
    });
    const [event] = await sb.waitForEvents({ after: afterSetUp, types: ['subscription-updated'] });
    expect(event).toMatchObject({ resourceId: subscriptionId, changes: expect.objectContaining({ quantity: 5 }) });
  });

  it('GEN-CLOCK, BILL-MONTHLY: an advance past the month writes its events in simulation-time order, invoice-ready first, clock-advanced last', async () => {
    const before = (await sb.events()).cursor;
    await sb.advance('P32D');
    const { events } = await sb.events({ after: before });
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('invoice-ready');
    expect(types.at(-1)).toBe('clock-advanced');
    expect(events[0]).toMatchObject({ resourceName: 'invoice', resourceId: '2026-03' });
    const times = events.map((e) => e.at);
    expect([...times].sort()).toEqual(times);
  });
});
