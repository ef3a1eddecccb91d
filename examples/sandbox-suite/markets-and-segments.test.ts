import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from 'partner-center-gateway/testing';
import { gateway } from './gateway.js';
import { createCustomer, type UserError } from './scenario.js';

/*
 * Customers with the attributes a rule reads, made in the sandbox with createCustomer: a billing
 * country (RES-MARKETS: no Azure reservations for customers in the markets of seed 002, China
 * among them) and a segment (CAT-FILTER: the catalog shows and sells a customer only the offers
 * of its segment).
 */

const RESERVED_VM = 'DZH318Z0BQ3Q:0001';
const A3_FACULTY = 'CFQ7TTC0LH0R:0001';
const AZURE_SUBSCRIPTION = '6f1c2a53-8a4e-4c57-9b1e-3d0f2e7a9c11';

let sb: Sandbox;
beforeAll(async () => {
  sb = await createSandbox({ ...gateway, name: 'Markets and segments', clockStart: '2026-06-01T09:00:00Z', ttl: 'PT1H' });
});
afterAll(() => sb?.delete());

interface ReservationBought {
  purchaseReservation: { reservation: { id: string; status: string } | null; price: { amount: string } | null; userErrors: UserError[] };
}
const BUY_RESERVATION = `mutation BuyReservation($c: ID!, $offer: ID!, $azure: String!) {
  purchaseReservation(input: {
    customerId: $c, offerId: $offer, region: "westeurope", termDuration: P1Y, quantity: 2,
    scope: { type: SINGLE, subscriptionId: $azure }, azureSubscriptionId: $azure
  }) {
    reservation { id status }
    price { amount }
    userErrors { code rule message }
  }
}`;

interface Bought {
  purchase: { subscriptions: { id: string }[]; userErrors: UserError[] };
}
const BUY = `mutation Buy($c: ID!, $offer: ID!) {
  purchase(input: { customerId: $c, lineItems: [{ offerId: $offer, quantity: 5, billingCycle: MONTHLY, termDuration: P1Y }] }) {
    subscriptions { id }
    userErrors { code rule message }
  }
}`;

describe('a customer’s billing country decides where reservations are sold', () => {
  it('RES-MARKETS: a customer billed in China cannot buy an Azure reservation; the refusal names the market', async () => {
    const china = await createCustomer(sb, { companyName: 'Shanghai Trading', country: 'CN' });
    const { purchaseReservation } = await sb.request<ReservationBought>(BUY_RESERVATION, {
      c: china,
      offer: RESERVED_VM,
      azure: AZURE_SUBSCRIPTION,
    });
    expect(purchaseReservation.reservation).toBeNull();
    expect(purchaseReservation.userErrors).toEqual([
      { code: 'NOT_ELIGIBLE', rule: 'RES-MARKETS', message: expect.stringContaining('China (CN)') },
    ]);
  });

  it('RES-MARKETS: a customer billed in the United States buys the same reservation', async () => {
    const us = await createCustomer(sb, { companyName: 'Seattle Freight', country: 'US' });
    const { purchaseReservation } = await sb.request<ReservationBought>(BUY_RESERVATION, {
      c: us,
      offer: RESERVED_VM,
      azure: AZURE_SUBSCRIPTION,
    });
    expect(purchaseReservation.userErrors).toEqual([]);
    expect(purchaseReservation.reservation).toMatchObject({ status: 'ACTIVE' });
  });
});

describe('a customer’s segment decides which offers it may buy', () => {
  it('CAT-FILTER: the catalog filtered to the education segment lists Microsoft 365 A3 for faculty, and the government one does not', async () => {
    const ids = async (segment: string) =>
      (
        await sb.request<{ offers: { nodes: { id: string }[] } }>(
          'query Catalog($segment: CustomerSegment!) { offers(first: 100, filter: { segment: [$segment] }) { nodes { id } } }',
          { segment },
        )
      ).offers.nodes.map((o) => o.id);
    expect(await ids('EDUCATION')).toContain(A3_FACULTY);
    expect(await ids('GOVERNMENT')).not.toContain(A3_FACULTY);
  });

  it('CAT-FILTER: an education customer buys A3 for faculty; a commercial customer is refused it, naming the segments', async () => {
    const school = await createCustomer(sb, { companyName: 'Lakeside School', segment: 'EDUCATION' });
    const company = await createCustomer(sb, { companyName: 'Lakeside Bakery', segment: 'COMMERCIAL' });
    const bought = await sb.request<Bought>(BUY, { c: school, offer: A3_FACULTY });
    expect(bought.purchase.userErrors).toEqual([]);
    expect(bought.purchase.subscriptions).toHaveLength(1);
    const refused = await sb.request<Bought>(BUY, { c: company, offer: A3_FACULTY });
    expect(refused.purchase.subscriptions).toEqual([]);
    expect(refused.purchase.userErrors).toEqual([
      { code: 'NOT_ELIGIBLE', rule: 'CAT-FILTER', message: expect.stringContaining('sold to education customers') },
    ]);
  });
});
