import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { seedWorld } from '../../src/seed/generate.js';
import { demoExampleIds } from '../../src/app/server.js';
import type { ExampleIds } from '../../src/graphiql/examples.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * A quote (dryRun: true) speaks in the conditional and an applied operation does not, for every
 * mutation family whose message names money (src/policy/mood.ts): the same call, once quoted and
 * once applied, on the demo world.
 */

let gw: TestGateway;
let ids: ExampleIds;
beforeAll(async () => {
  gw = await startTestGateway(async (cols) => {
    await seedWorld(cols, { customers: 40, seed: 'demo' });
  });
  ids = await demoExampleIds(gw.collections, DEMO_PARTNERS.contoso.id);
});
afterAll(() => gw?.close());

type Payload = { summary: string | null; userErrors: { rule: string; message: string }[] } & Record<string, unknown>;

/** Runs one mutation as a global admin and admin agent of Contoso; returns its payload, failing on any error or userError. */
async function mutate(query: string, variables: Record<string, unknown>): Promise<Payload> {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-partner-id': DEMO_PARTNERS.contoso.id,
      'x-partner-roles': 'global_admin,admin_agent',
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, Payload>; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  const payload = Object.values(body.data!)[0]!;
  expect(payload.userErrors).toEqual([]);
  return payload;
}

/** Quotes, then applies, the same mutation; returns both summaries. */
async function quoteThenApply(query: string, variables: Record<string, unknown>): Promise<{ quote: string; applied: Payload }> {
  const quote = await mutate(query, { ...variables, dryRun: true });
  const applied = await mutate(query, { ...variables, dryRun: false });
  return { quote: quote.summary!, applied };
}

const MONEY = /\d+\.\d\d [A-Z]{3}/;

describe('quotes speak in the conditional', () => {
  it('CANCEL-NCE-24H, CANCEL-WINDOW-SHOWN: a cancellation quote says the credit would be made; the cancellation says it is', async () => {
    const bought = await mutate(
      `mutation Buy($customerId: ID!) {
        purchase(input: { customerId: $customerId, lineItems: [{ offerId: "CFQ7TTC0LH18:0001", quantity: 10, billingCycle: MONTHLY, termDuration: P1Y }] }) {
          summary subscriptions { id } userErrors { rule message }
        }
      }`,
      { customerId: ids.customerId },
    );
    const id = (bought.subscriptions as { id: string }[])[0]!.id;
    const { quote, applied } = await quoteThenApply(
      `mutation Cancel($id: ID!, $dryRun: Boolean!) { cancelSubscription(input: { subscriptionId: $id, dryRun: $dryRun }) { summary userErrors { rule message } } }`,
      { id },
    );
    expect(quote).toMatch(/^Would cancel .*: access would end now; \d+\.\d\d USD would be credited to the partner\.$/);
    expect(applied.summary).toMatch(/^Cancelled .*: access ends now; \d+\.\d\d USD is credited to the partner\.$/);
  });

  it('SW-PRICE, SW-POST-CANCEL: a software purchase and its cancellation are quoted as would be charged and would be credited', async () => {
    const buy = await quoteThenApply(
      `mutation BuySoftware($customerId: ID!, $dryRun: Boolean!) {
        purchaseSoftware(input: { customerId: $customerId, offerId: "DG7GMGF0DVSV:0001", quantity: 1, languages: ["en-us"], dryRun: $dryRun }) {
          summary softwareOrder { id } userErrors { rule message }
        }
      }`,
      { customerId: ids.customerId },
    );
    expect(buy.quote).toMatch(/^Would order .* would be charged; prices (include|exclude) tax/);
    expect(buy.quote).toMatch(MONEY);
    expect(buy.applied.summary).toMatch(/^Software order \w+: /);
    expect(buy.applied.summary).not.toMatch(/would/i);
    const orderId = (buy.applied.softwareOrder as { id: string }).id;
    const cancel = await quoteThenApply(
      `mutation CancelSoftware($id: ID!, $dryRun: Boolean!) { cancelSoftwareOrder(input: { softwareOrderId: $id, dryRun: $dryRun }) { summary userErrors { rule message } } }`,
      { id: orderId },
    );
    expect(cancel.quote).toMatch(/^Would cancel software order .* would be revoked, \d+\.\d\d [A-Z]{3} would be credited /);
    expect(cancel.applied.summary).toMatch(/^Software order .* cancelled: .* revoked, \d+\.\d\d [A-Z]{3} credited /);
    expect(cancel.applied.summary).not.toMatch(/would/i);
  });

  it('RES-CANCEL, RES-EXCHANGE: a reservation purchase, cancellation and exchange are quoted in the conditional, applied as done', async () => {
    const r = ids.reservation!;
    expect(r).toBeTruthy();
    const buy = await quoteThenApply(
      `mutation BuyReservation($customerId: ID!, $azureSubscriptionId: String!, $dryRun: Boolean!) {
        purchaseReservation(input: {
          customerId: $customerId, offerId: "DZH318Z0BQ3Q:0001", region: "westeurope", termDuration: P1Y, quantity: 2, dryRun: $dryRun
          scope: { type: SINGLE, subscriptionId: $azureSubscriptionId }, azureSubscriptionId: $azureSubscriptionId, billingPlan: UPFRONT
        }) { summary reservation { id } userErrors { rule message } }
      }`,
      { customerId: r.customerId, azureSubscriptionId: r.azureSubscriptionId },
    );
    expect(buy.quote).toMatch(/^Would order /);
    expect(buy.quote).toMatch(MONEY);
    expect(buy.applied.summary).toMatch(/^Order \w+: /);
    const cancel = await quoteThenApply(
      `mutation CancelReservation($id: ID!, $dryRun: Boolean!) { cancelReservation(input: { reservationId: $id, dryRun: $dryRun }) { summary userErrors { rule message } } }`,
      { id: (buy.applied.reservation as { id: string }).id },
    );
    expect(cancel.quote).toMatch(
      /^Would cancel .*: \d+\.\d\d [A-Z]{3} would be refunded to the partner, .* The partner would refund the customer\.$/,
    );
    expect(cancel.applied.summary).toMatch(
      / cancelled: \d+\.\d\d [A-Z]{3} refunded to the partner, .* The partner refunds the customer\.$/,
    );
    const exchange = await quoteThenApply(
      `mutation Exchange($id: ID!, $offerId: ID!, $quantity: Int!, $dryRun: Boolean!) {
        exchangeReservation(input: { reservationId: $id, offerId: $offerId, quantity: $quantity, termDuration: P3Y, dryRun: $dryRun }) { summary userErrors { rule message } }
      }`,
      { id: r.id, offerId: r.offerId, quantity: r.quantity },
    );
    expect(exchange.quote).toMatch(/^Would exchange .*: \d+\.\d\d [A-Z]{3} would be credited to the partner, /);
    expect(exchange.applied.summary).toMatch(/ exchanged for .*: \d+\.\d\d [A-Z]{3} credited to the partner, /);
    expect(exchange.applied.summary).not.toMatch(/would/i);
  });

  it('SW-SUPPORT-REQUEST: a support request asking for an amount is quoted as one that would be opened', async () => {
    const order = ids.softwareOrder!;
    const { quote, applied } = await quoteThenApply(
      `mutation RefundRequest($customer: String!, $orderId: String!, $dryRun: Boolean!) {
        createSupportRequest(input: {
          dryRun: $dryRun, customer: $customer, resourceId: $orderId, impact: "Moderate"
          title: "Refund of a software order after the 30-day window", reason: "Bought for the wrong customer", amountRequestedInCents: 10000
          contact: { name: "Megan Bowen", email: "megan@contoso.com", phone: "+1 425 555 0100" }
        }) { summary userErrors { rule message } }
      }`,
      { customer: order.customerId, orderId: order.id },
    );
    expect(quote).toMatch(/^Would open a support request .* for 100\.00 [A-Z]{3}\.$/);
    expect(applied.summary).toMatch(/^Support request \S+ .* opened for .* for 100\.00 [A-Z]{3}\.$/);
  });
});
