import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from 'partner-center-gateway/testing';
import { gateway } from './gateway.js';
import { buySeats, createCustomer, ledger } from './scenario.js';

/*
 * A year on the clock in one call: two 1-year subscriptions bought at the sandbox's start,
 * 2026-03-01T00:00Z, one left to renew and one with auto-renew turned off. Business Basic at
 * 72.00 per seat and year: 5 seats are 360.00 a term, 2 seats 144.00.
 */

const START = '2026-03-01T00:00:00.000Z';
const TERM_END = '2027-03-01T00:00:00.000Z';
let sb: Sandbox;
let customerId: string;
let renewing: string;
let ending: string;

beforeAll(async () => {
  sb = await createSandbox({ ...gateway, name: 'Renewal', clockStart: START, ttl: 'PT1H' });
  customerId = await createCustomer(sb, { companyName: 'Year Later Inc' });
  renewing = (await buySeats(sb, customerId, 'CFQ7TTC0LH18:0001', 5)).subscriptionId;
  ending = (await buySeats(sb, customerId, 'CFQ7TTC0LH18:0001', 2)).subscriptionId;
});
afterAll(() => sb?.delete());

const SUBSCRIPTION = `query ($id: ID!) { subscription(id: $id) { status autoRenewEnabled commitmentEndDate deletedReason } }`;

describe('a year on the sandbox clock', () => {
  it('RENEW-TOGGLE: auto-renew can be turned off for a new-commerce subscription', async () => {
    const { updateSubscription } = await sb.request<{ updateSubscription: { userErrors: unknown[] } }>(
      'mutation ($id: ID!) { updateSubscription(input: { subscriptionId: $id, autoRenewEnabled: false }) { userErrors { code rule message } } }',
      { id: ending },
    );
    expect(updateSubscription.userErrors).toEqual([]);
  });

  it('RENEW-DEFAULT, RENEW-OFF-ENDS: a year later one subscription renewed for another term, the other ended with its term', async () => {
    await sb.advance('P366D');
    expect(await sb.request(SUBSCRIPTION, { id: renewing })).toEqual({
      subscription: { status: 'ACTIVE', autoRenewEnabled: true, commitmentEndDate: '2028-03-01T00:00:00.000Z', deletedReason: null },
    });
    expect(await sb.request(SUBSCRIPTION, { id: ending })).toMatchObject({
      subscription: { status: 'DELETED', commitmentEndDate: TERM_END },
    });
  });

  it('MONEY-EXACT: the ledger holds both first terms and the renewed term only: 360.00 + 144.00 + 360.00', async () => {
    // Entries of one instant come in no promised order: compared sorted.
    const charges = (await ledger(sb, customerId))
      .filter((e) => e.kind === 'CHARGE')
      .map((e) => `${e.at} ${e.amount.amount}`)
      .sort();
    expect(charges).toEqual([`${START} 144.00`, `${START} 360.00`, `${TERM_END} 360.00`]);
  });
});
