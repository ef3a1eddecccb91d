import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, SandboxError, type Sandbox } from 'partner-center-gateway/testing';
import { gateway } from './gateway.js';
import { createCustomer } from './scenario.js';

/*
 * Tokens for other roles of the same sandbox (mintSandboxToken, through sb.token and the `roles`
 * option of sb.request), and the typed error a refusal comes back as.
 */

let sb: Sandbox;
beforeAll(async () => {
  sb = await createSandbox({ ...gateway, name: 'Roles', roles: ['GLOBAL_ADMIN', 'ADMIN_AGENT'], ttl: 'PT1H' });
});
afterAll(() => sb?.delete());

const VIEWER = 'query Viewer { viewer { partner { id } roles } }';

describe('tokens per role', () => {
  it('the creation token carries the roles asked at creation, for the sandbox’s partner', async () => {
    expect(await sb.request(VIEWER)).toEqual({ viewer: { partner: { id: sb.partnerId }, roles: ['GLOBAL_ADMIN', 'ADMIN_AGENT'] } });
  });

  it('a token minted for other roles acts as the same partner with those roles', async () => {
    const token = await sb.token(['account_admin']);
    expect(token).not.toBe(await sb.token());
    expect(await sb.request(VIEWER, {}, { roles: ['ACCOUNT_ADMIN'] })).toEqual({
      viewer: { partner: { id: sb.partnerId }, roles: ['ACCOUNT_ADMIN'] },
    });
  });

  it('ROLE-SUBSCRIPTIONS: an account admin may not create customers: a SandboxError with code FORBIDDEN and the rule', async () => {
    const attempt = sb.request(
      'mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }',
      {
        input: {
          companyProfile: { companyName: 'Not Allowed', domain: 'not-allowed.example.com' },
          billingProfile: { defaultAddress: { country: 'US' } },
        },
      },
      { roles: ['ACCOUNT_ADMIN'] },
    );
    await expect(attempt).rejects.toBeInstanceOf(SandboxError);
    await expect(attempt).rejects.toMatchObject({ code: 'FORBIDDEN', rule: 'ROLE-SUBSCRIPTIONS' });
    // The admin agent of the creation token may.
    await createCustomer(sb, { companyName: 'Allowed' });
  });
});
