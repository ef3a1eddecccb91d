/**
 * Who may do what: the ROLE-* table of the spec as data, and the check every mutation runs
 * first. A refusal here is surfaced as a top-level FORBIDDEN error, not as a payload userError.
 */
import type { PartnerRole, SubscriptionDoc } from '../db/documents.js';
import type { Caller } from '../shared/caller.js';
import { refuse, type Refused } from './decision.js';
import type { RuleId } from './rule-ids.js';

export const ROLE_RULES = {
  'ROLE-SUBSCRIPTIONS': ['admin_agent', 'billing_admin', 'global_admin', 'helpdesk_agent', 'sales_agent'],
  'ROLE-MARKETPLACE': ['global_admin', 'admin_agent'],
  'ROLE-SOFTWARE': ['admin_agent', 'global_admin'],
  'ROLE-SOFTWARE-KEYS': ['admin_agent'],
  'ROLE-SOFTWARE-CANCEL': ['admin_agent'],
  'ROLE-ACTIVITY-LOG': ['global_admin', 'account_admin', 'referral_admin', 'marketing_content_admin'],
  'ROLE-RESERVATIONS': ['admin_agent', 'global_admin', 'helpdesk_agent', 'sales_agent', 'user_management_admin'],
} as const satisfies Partial<Record<RuleId, readonly PartnerRole[]>>;

export type RoleRule = keyof typeof ROLE_RULES;

const ROLE_LABEL: Record<PartnerRole, string> = {
  admin_agent: 'admin agent',
  billing_admin: 'billing admin',
  global_admin: 'global admin',
  helpdesk_agent: 'helpdesk agent',
  sales_agent: 'sales agent',
  account_admin: 'account admin',
  referral_admin: 'referral admin',
  marketing_content_admin: 'marketing content admin',
  user_management_admin: 'user management admin',
};

/** ROLE-*: refused unless the actor holds one of the roles the rule lists. */
export function checkRole(actor: Pick<Caller, 'roles'>, rule: RoleRule, what: string): Refused | null {
  const allowed: readonly PartnerRole[] = ROLE_RULES[rule];
  if (actor.roles.some((r) => allowed.includes(r))) return null;
  const held = actor.roles.length === 0 ? 'no role' : `the roles ${actor.roles.map((r) => ROLE_LABEL[r]).join(', ')}`;
  return refuse(
    rule,
    'ROLE_NOT_ALLOWED',
    `To ${what} you need one of the roles ${allowed.map((r) => ROLE_LABEL[r]).join(', ')}; the caller has ${held}.`,
  );
}

/**
 * ROLE-SUBSCRIPTIONS for every subscription change, and ROLE-MARKETPLACE in addition for
 * marketplace (ISV) subscriptions.
 */
export function checkSubscriptionRoles(
  actor: Pick<Caller, 'roles'>,
  subscription: Pick<SubscriptionDoc, 'publisher'> | null,
  what: string,
): Refused | null {
  return (
    checkRole(actor, 'ROLE-SUBSCRIPTIONS', what) ??
    (subscription?.publisher === 'isv' ? checkRole(actor, 'ROLE-MARKETPLACE', `${what} (a marketplace subscription)`) : null)
  );
}

/** ROLE-MARKETPLACE: whether the caller may see marketplace subscriptions' activation links. */
export function canViewMarketplace(actor: Pick<Caller, 'roles'>): boolean {
  return checkRole(actor, 'ROLE-MARKETPLACE', 'view') === null;
}

/**
 * ROLE-TENANT: a document belongs to the actor's partner, or it does not exist for them. The data
 * layer enforces this by scoping every read to `partnerId`; this is the same check for documents
 * handed to the policy, so a decision can never act on another partner's record.
 */
export function ownedByActor(actor: Pick<Caller, 'partner'>, doc: { partnerId: string }): boolean {
  return doc.partnerId === actor.partner._id;
}
