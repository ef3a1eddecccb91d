import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, SandboxError, type Sandbox } from 'partner-center-gateway/testing';
import { gateway } from './gateway.js';
import { createCustomer } from './scenario.js';

/*
 * What a sandbox shares with the rest of the gateway: nothing a test can see. Two sandboxes made
 * by the same administrator, at the same clock start, in one file.
 */

let a: Sandbox;
let b: Sandbox;
beforeAll(async () => {
  // One after the other: with Promise.all, a failed second creation would leave the first undeleted.
  a = await createSandbox({ ...gateway, name: 'Isolation A', clockStart: '2026-01-01T00:00:00Z', ttl: 'PT1H' });
  b = await createSandbox({ ...gateway, name: 'Isolation B', clockStart: '2026-01-01T00:00:00Z', ttl: 'PT1H' });
});
afterAll(() => Promise.all([a?.delete(), b?.delete()]));

const CUSTOMERS = '{ customers(first: 5) { totalCount } }';
const CUSTOMER = 'query ($id: ID!) { customer(id: $id) { id } }';

describe('sandboxes are partner tenants of their own', () => {
  it('ROLE-TENANT: an EMPTY sandbox sees no customer, none of the demo partners’ either', async () => {
    expect(await a.request(CUSTOMERS)).toEqual({ customers: { totalCount: 0 } });
  });

  it('ROLE-TENANT: a customer created in one sandbox is NOT_FOUND from the other', async () => {
    const id = await createCustomer(a, { companyName: 'Only In A' });
    expect(await a.request(CUSTOMER, { id })).toEqual({ customer: { id } });
    const elsewhere = b.request(CUSTOMER, { id });
    await expect(elsewhere).rejects.toBeInstanceOf(SandboxError);
    await expect(elsewhere).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await b.request(CUSTOMERS)).toEqual({ customers: { totalCount: 0 } });
  });

  it('GEN-CLOCK: advancing one sandbox’s clock leaves the other’s where it was', async () => {
    await a.advance('P10D');
    expect(await a.now()).toBe('2026-01-11T00:00:00.000Z');
    expect(await b.now()).toBe('2026-01-01T00:00:00.000Z');
  });
});
