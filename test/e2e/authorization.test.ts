import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AzActivityLogDocument,
  AzCustomerSubscriptionsDocument,
  AzSubscriptionDocument,
  AzSubscriptionsDocument,
} from '../generated/graphql.js';
import { aCustomer, anOffer, aSubscription, guid, insertWorld } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const CUSTOMER = guid('az-customer');
const MS_SUB = guid('az-microsoft-sub');
const ISV_SUB = guid('az-isv-sub');

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway((cols) =>
    insertWorld(cols, {
      offers: [anOffer({ _id: 'AZISV0000001:0001', publisher: 'isv', commerceType: 'marketplace_saas' })],
      customers: [aCustomer({ _id: CUSTOMER, companyName: 'Az Customer' })],
      subscriptions: [
        aSubscription({ _id: MS_SUB, customerId: CUSTOMER, offerId: 'AZMS00000001:0001' }),
        aSubscription({
          _id: ISV_SUB,
          customerId: CUSTOMER,
          offerId: 'AZISV0000001:0001',
          publisher: 'isv',
          commerceType: 'marketplace_saas',
        }),
      ],
    }),
  );
});

afterAll(async () => {
  await gw?.close();
});

const forbiddenBy = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions;

describe('ROLE-MARKETPLACE on reads', () => {
  it('ROLE-MARKETPLACE: a global admin and an admin agent read an ISV subscription; a billing admin gets FORBIDDEN', async () => {
    for (const roles of ['global_admin', 'admin_agent']) {
      const r = await gw.execute(AzSubscriptionDocument, { id: ISV_SUB }, { roles });
      expect(r.errors).toBeUndefined();
      expect(r.data!.subscription!.id).toBe(ISV_SUB);
    }
    const refused = await gw.execute(AzSubscriptionDocument, { id: ISV_SUB }, { roles: 'billing_admin' });
    expect(forbiddenBy(refused)).toEqual({ code: 'FORBIDDEN', rule: 'ROLE-MARKETPLACE' });
    // Partial results: FORBIDDEN nulls the field it refuses, not the whole answer.
    expect(refused.data).toEqual({ subscription: null });
    expect(refused.errors?.[0]?.path).toEqual(['subscription']);
    const microsoft = await gw.execute(AzSubscriptionDocument, { id: MS_SUB }, { roles: 'billing_admin' });
    expect(microsoft.data!.subscription!.id).toBe(MS_SUB);
  });

  it('ROLE-MARKETPLACE: connections leave ISV subscriptions out for other roles, with counts to match', async () => {
    const top = async (roles: string) => (await gw.execute(AzSubscriptionsDocument, {}, { roles })).data?.subscriptions;
    const nested = async (roles: string) =>
      (await gw.execute(AzCustomerSubscriptionsDocument, { id: CUSTOMER }, { roles })).data!.customer!.subscriptions;
    expect(await top('admin_agent')).toEqual({
      totalCount: 2,
      nodes: [{ id: MS_SUB }, { id: ISV_SUB }].sort((a, b) => (a.id < b.id ? -1 : 1)),
    });
    expect(await top('billing_admin')).toEqual({ totalCount: 1, nodes: [{ id: MS_SUB }] });
    expect((await nested('global_admin'))?.totalCount).toBe(2);
    expect(await nested('sales_agent')).toEqual({ totalCount: 1, nodes: [{ id: MS_SUB }] });
  });
});

describe('ROLE-ACTIVITY-LOG', () => {
  const range = { from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' };
  it('ROLE-ACTIVITY-LOG: an account admin reads the activity log; an admin agent gets FORBIDDEN', async () => {
    const allowed = await gw.execute(AzActivityLogDocument, range, { roles: 'account_admin' });
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data?.activityLog.totalCount).toBe(0);
    const refused = await gw.execute(AzActivityLogDocument, range, { roles: 'admin_agent' });
    expect(forbiddenBy(refused)).toEqual({ code: 'FORBIDDEN', rule: 'ROLE-ACTIVITY-LOG' });
  });
});
