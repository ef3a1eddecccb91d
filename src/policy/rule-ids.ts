/**
 * Every rule ID of the spec (docs/rules.md), by its section. `rules.ts` maps each to the
 * function that decides it; test/policy/rule-registry.test.ts checks both against the spec.
 */
export const RULE_SECTIONS = {
  General: ['GEN-UTC', 'GEN-CLOCK', 'GEN-REASON', 'GEN-WINDOW'],
  'Roles (who may do what)': [
    'ROLE-SUBSCRIPTIONS',
    'ROLE-MARKETPLACE',
    'ROLE-SOFTWARE',
    'ROLE-SOFTWARE-KEYS',
    'ROLE-SOFTWARE-CANCEL',
    'ROLE-ACTIVITY-LOG',
    'ROLE-RESERVATIONS',
    'ROLE-TENANT',
  ],
  'Catalog and purchase': [
    'CAT-FILTER',
    'CAT-ONE-PER-CUSTOMER',
    'CAT-UNAVAILABLE',
    'CAT-CART',
    'BILL-MONTHLY',
    'CAT-ISV-LINK',
    'CAT-ISV-FULFILMENT',
    'CAT-TRIAL',
    'PRICE-TAX',
  ],
  'Add-ons': ['ADDON-BASE-ACTIVE', 'ADDON-NOT-CATALOG', 'ADDON-PARTNER-TYPE', 'ADDON-ELIGIBLE', 'ADDON-CASCADE', 'ADDON-ALIGN'],
  'Editing a subscription': ['SUB-EDIT', 'SUB-ACTION-NEEDED', 'SUB-QTY-INCREASE', 'SUB-QTY-DECREASE-NCE'],
  'Suspension (legacy licence-based)': ['SUSP-EFFECT', 'SUSP-STATES', 'SUSP-DATA-DELETION', 'SUSP-REACTIVATE', 'SUSP-NCE-SUPPORT'],
  'Pause and resume (new commerce, non-payment)': ['PAUSE-EFFECT', 'PAUSE-RESUME', 'PAUSE-SIDE-EFFECTS'],
  Cancellation: [
    'CANCEL-ISV-MONTHLY',
    'CANCEL-ISV-ANNUAL',
    'CANCEL-ISV-USAGE',
    'CANCEL-NCE-24H',
    'CANCEL-NCE-30D',
    'CANCEL-NCE-AFTER',
    'CANCEL-NCE-RENEWED',
    'CANCEL-FINAL',
    'CANCEL-WINDOW-SHOWN',
  ],
  'Auto-renew': ['RENEW-DEFAULT', 'RENEW-TOGGLE', 'RENEW-OFF-ENDS'],
  'Scheduled changes at renewal (new commerce)': [
    'SCHED-KINDS',
    'SCHED-PREREQ',
    'SCHED-APPLY',
    'SCHED-MANAGE',
    'SCHED-TRIAL',
    'SCHED-REASSIGN',
    'SCHED-CLEARED',
  ],
  'Upgrades, including partial (new commerce)': [
    'UPG-PARTIAL',
    'UPG-ACTIVE',
    'UPG-ELIGIBLE',
    'UPG-TIMING',
    'UPG-CLEARS-SCHEDULED',
    'UPG-SAME-END',
    'UPG-TARGET',
    'UPG-FULL',
  ],
  'Software purchases': [
    'SW-PRICE',
    'SW-KEYS',
    'SW-MAK',
    'SW-ACTIVITY-LOG',
    'SW-CANCEL-30D',
    'SW-CANCEL-EXCLUDED',
    'SW-CANCEL-PER-ORDER',
    'SW-CANCEL-INFO',
    'SW-CANCEL-DELAY',
    'SW-POST-CANCEL',
    'SW-SUPPORT-REQUEST',
    'RES-MARKETS',
  ],
  'Azure reservations': [
    'RES-MANAGE',
    'RES-CANCEL',
    'RES-REFUND-TABLE',
    'RES-REFUND-CAP',
    'RES-EXCHANGE',
    'RES-PARTNER-CREDIT',
    'RES-SUPPORT-REQUEST',
  ],
  Money: ['MONEY-PRORATE', 'MONEY-EXACT'],
} as const;

export type RuleSection = keyof typeof RULE_SECTIONS;
export type RuleId = (typeof RULE_SECTIONS)[RuleSection][number];

export const RULE_IDS: readonly RuleId[] = Object.values(RULE_SECTIONS).flat();

/**
 * The project's own rules, beyond the team's spec (so not in docs/rules.md, its byte copy, nor in
 * RULE_IDS): test sandboxes, documented in docs/sandboxes.md, and webhooks (src/policy/webhook.ts),
 * documented in docs/webhooks.md. A refusal by a SANDBOX-* rule is a top-level FORBIDDEN naming the
 * rule, like a role refusal; a WEBHOOK-* one is FORBIDDEN (WEBHOOK-ADMIN, WEBHOOK-QUOTA),
 * BAD_USER_INPUT naming the field (WEBHOOK-URL, WEBHOOK-EVENTS) or RATE_LIMITED (WEBHOOK-TEST-RATE).
 */
export const PROJECT_RULE_IDS = [
  'SANDBOX-ADMIN',
  'SANDBOX-QUOTA',
  'SANDBOX-OFFERS',
  'WEBHOOK-ADMIN',
  'WEBHOOK-URL',
  'WEBHOOK-EVENTS',
  'WEBHOOK-QUOTA',
  'WEBHOOK-TEST-RATE',
] as const;

export type ProjectRuleId = (typeof PROJECT_RULE_IDS)[number];

/** A rule of the spec or of the project. */
export type AnyRuleId = RuleId | ProjectRuleId;

export function isProjectRule(rule: string): rule is ProjectRuleId {
  return (PROJECT_RULE_IDS as readonly string[]).includes(rule);
}
