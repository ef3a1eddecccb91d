import { describe, expect, it } from 'vitest';
import { canViewMarketplace, checkRole, checkSubscriptionRoles, ownedByActor, ROLE_RULES } from '../../src/policy/roles.js';
import { ALL_ROLES, anActor, contoso, customer, fabrikam, isvSub, nceSub } from './harness.js';

/** The roles a rule lets through, found by asking checkRole for each single role. */
const passing = (rule: keyof typeof ROLE_RULES) => ALL_ROLES.filter((r) => checkRole(anActor([r]), rule, 'act') === null);

describe('ROLE-SUBSCRIPTIONS', () => {
  it('ROLE-SUBSCRIPTIONS: admin agent, billing admin, global admin, helpdesk agent and sales agent pass; no other role', () => {
    expect(passing('ROLE-SUBSCRIPTIONS')).toEqual(['admin_agent', 'billing_admin', 'global_admin', 'helpdesk_agent', 'sales_agent']);
  });

  it('ROLE-SUBSCRIPTIONS: an account admin is refused (ROLE_NOT_ALLOWED), and the message names the roles allowed and held', () => {
    const r = checkRole(anActor(['account_admin']), 'ROLE-SUBSCRIPTIONS', 'cancel a subscription');
    expect(r).toEqual({
      allowed: false,
      rule: 'ROLE-SUBSCRIPTIONS',
      code: 'ROLE_NOT_ALLOWED',
      message:
        'To cancel a subscription you need one of the roles admin agent, billing admin, global admin, helpdesk agent, sales agent; the caller has the roles account admin.',
    });
  });

  it('ROLE-SUBSCRIPTIONS: a caller with no role is refused whatever else is true', () => {
    expect(checkSubscriptionRoles(anActor([]), nceSub(), 'edit')).toMatchObject({ rule: 'ROLE-SUBSCRIPTIONS', code: 'ROLE_NOT_ALLOWED' });
    expect(checkSubscriptionRoles(anActor([]), nceSub(), 'edit')!.message).toContain('the caller has no role');
  });

  it('ROLE-SUBSCRIPTIONS: one allowed role among others is enough', () => {
    expect(checkRole(anActor(['account_admin', 'sales_agent']), 'ROLE-SUBSCRIPTIONS', 'act')).toBeNull();
  });
});

describe('ROLE-MARKETPLACE', () => {
  it('ROLE-MARKETPLACE: only global admin and admin agent pass', () => {
    expect(passing('ROLE-MARKETPLACE')).toEqual(['admin_agent', 'global_admin']);
    expect(ALL_ROLES.filter((r) => canViewMarketplace(anActor([r])))).toEqual(['admin_agent', 'global_admin']);
  });

  it('ROLE-MARKETPLACE: a marketplace subscription needs it in addition to ROLE-SUBSCRIPTIONS; a Microsoft one does not', () => {
    expect(checkSubscriptionRoles(anActor(['sales_agent']), isvSub(), 'edit')).toMatchObject({
      rule: 'ROLE-MARKETPLACE',
      code: 'ROLE_NOT_ALLOWED',
    });
    expect(checkSubscriptionRoles(anActor(['sales_agent']), nceSub(), 'edit')).toBeNull();
    expect(checkSubscriptionRoles(anActor(['global_admin']), isvSub(), 'edit')).toBeNull();
    expect(checkSubscriptionRoles(anActor(['sales_agent']), null, 'buy')).toBeNull();
  });
});

describe('the other role tables (ROLE-SOFTWARE, ROLE-SOFTWARE-KEYS, ROLE-SOFTWARE-CANCEL, ROLE-ACTIVITY-LOG, ROLE-RESERVATIONS)', () => {
  it('ROLE-SOFTWARE: admin agent and global admin; ROLE-SOFTWARE-KEYS and ROLE-SOFTWARE-CANCEL: admin agent only', () => {
    expect(passing('ROLE-SOFTWARE')).toEqual(['admin_agent', 'global_admin']);
    expect(passing('ROLE-SOFTWARE-KEYS')).toEqual(['admin_agent']);
    expect(passing('ROLE-SOFTWARE-CANCEL')).toEqual(['admin_agent']);
  });

  it('ROLE-ACTIVITY-LOG: global, account, referral and marketing content admins; ROLE-RESERVATIONS: five roles', () => {
    expect(passing('ROLE-ACTIVITY-LOG')).toEqual(['global_admin', 'account_admin', 'referral_admin', 'marketing_content_admin']);
    expect(passing('ROLE-RESERVATIONS')).toEqual(['admin_agent', 'global_admin', 'helpdesk_agent', 'sales_agent', 'user_management_admin']);
  });
});

describe('ROLE-TENANT', () => {
  it("ROLE-TENANT: a partner owns its own customers' documents", () => {
    expect(ownedByActor(anActor(), customer())).toBe(true);
    expect(ownedByActor(anActor(), nceSub())).toBe(true);
  });

  it("ROLE-TENANT: another partner's document is not owned by the actor (it behaves as if it did not exist)", () => {
    expect(ownedByActor(anActor(['admin_agent'], fabrikam), nceSub())).toBe(false);
    expect(ownedByActor(anActor(), nceSub({ partnerId: fabrikam._id }))).toBe(false);
    expect(ownedByActor(anActor(['admin_agent'], contoso), { partnerId: contoso._id.toUpperCase() })).toBe(false);
  });
});
