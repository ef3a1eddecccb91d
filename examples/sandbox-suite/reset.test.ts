import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from 'partner-center-gateway/testing';
import { gateway } from './gateway.js';
import { buySeats, createCustomer } from './scenario.js';

/*
 * resetSandbox between scenarios: whatever a scenario did (customers, purchases, a clock moved on
 * by weeks), a reset brings the sandbox back to where it was created, and its tokens keep working.
 */

const START = '2026-09-15T12:00:00.000Z';
let sb: Sandbox;
beforeAll(async () => {
  sb = await createSandbox({ ...gateway, name: 'Reset between scenarios', clockStart: START, ttl: 'PT1H' });
});
afterAll(() => sb?.delete());

const CUSTOMERS = 'query Customers { customers(first: 10) { totalCount nodes { companyProfile { companyName } } } }';

describe('resetSandbox', () => {
  it('GEN-CLOCK: after customers, a purchase and 40 days on the clock, a reset leaves no customer and the clock at its start', async () => {
    const customerId = await createCustomer(sb, { companyName: 'Scenario One' });
    await buySeats(sb, customerId, 'CFQ7TTC0LH18:0001', 3);
    await createCustomer(sb, { companyName: 'Scenario One Bis', country: 'DE' });
    await sb.advance('P40D');
    expect((await sb.request<{ customers: { totalCount: number } }>(CUSTOMERS)).customers.totalCount).toBe(2);

    await sb.reset();
    expect(await sb.now()).toBe(START);
    expect((await sb.request<{ customers: { totalCount: number } }>(CUSTOMERS)).customers).toEqual({ totalCount: 0, nodes: [] });
  });

  it('the next scenario starts clean with the same token: the same customer can be created again', async () => {
    await createCustomer(sb, { companyName: 'Scenario One' });
    const { customers } = await sb.request<{ customers: { nodes: { companyProfile: { companyName: string } }[] } }>(CUSTOMERS);
    expect(customers.nodes).toEqual([{ companyProfile: { companyName: 'Scenario One' } }]);
  });
});
