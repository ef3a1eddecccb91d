/**
 * Authorisation at a glance: every sensitive query, field, type and mutation of the API and the
 * ROLE-* rule that guards it (the roles themselves are ROLE_RULES, src/policy/roles.ts). Reads are
 * enforced here (`assertMayRead`, `subscriptionVisibility`); mutations check their rule in their
 * resolver or policy decision, listed here so that this table is the whole picture.
 *
 * A refused direct read or mutation is FORBIDDEN with `extensions.rule`; a connection leaves out
 * what the caller may not see (in the database query, so pages and totalCount agree).
 */
import type { Filter } from 'mongodb';
import type { SubscriptionDoc } from '../db/documents.js';
import { checkRole, ROLE_RULES, type RoleRule } from '../policy/roles.js';
import type { Caller } from './caller.js';
import { forbidden } from './errors.js';

export interface Guard {
  rule: RoleRule;
  /** How the refusal message completes "To ... you need one of the roles ...". */
  what: string;
}

export const AUTHORIZATION = {
  // Reads
  'Subscription(publisher: isv)': { rule: 'ROLE-MARKETPLACE', what: 'view marketplace (ISV) subscriptions' },
  'AddOn(publisher: isv)': { rule: 'ROLE-MARKETPLACE', what: 'view marketplace (ISV) add-ons' },
  'Subscription.activationLink': { rule: 'ROLE-MARKETPLACE', what: 'view marketplace activation links' },
  'OrderLineItem.activationLink': { rule: 'ROLE-MARKETPLACE', what: 'view marketplace activation links' },
  'Query.activityLog': { rule: 'ROLE-ACTIVITY-LOG', what: 'read the activity log of software key views and downloads' },
  'Order.lineItems(publisher: isv)': { rule: 'ROLE-MARKETPLACE', what: 'view marketplace (ISV) order lines' },
  'OrderLineItem.subscription(publisher: isv)': { rule: 'ROLE-MARKETPLACE', what: 'view marketplace (ISV) subscriptions' },
  'Subscription.addOns(publisher: isv)': { rule: 'ROLE-MARKETPLACE', what: 'view marketplace (ISV) add-ons' },
  // Mutations (checked by the mutation's resolver or policy decision)
  'Mutation.purchase': { rule: 'ROLE-SUBSCRIPTIONS', what: 'buy subscriptions' },
  'Mutation.purchase(publisher: isv)': { rule: 'ROLE-MARKETPLACE', what: 'buy marketplace offers' },
  'Mutation.purchaseAddOn': { rule: 'ROLE-SUBSCRIPTIONS', what: 'buy add-ons' },
  // update/suspend/reactivate/pause/resume/cancelSubscription, scheduleChange, updateScheduledChange,
  // deleteScheduledChange, upgradeSubscription, partialUpgrade: checkSubscriptionRoles.
  'Mutation.<subscription change>': { rule: 'ROLE-SUBSCRIPTIONS', what: 'change subscriptions' },
  'Mutation.<subscription change>(publisher: isv)': { rule: 'ROLE-MARKETPLACE', what: 'change marketplace subscriptions' },
  // confirmFulfillment changes a subscription: ROLE-SUBSCRIPTIONS is checked first, then this.
  'Mutation.confirmFulfillment': { rule: 'ROLE-MARKETPLACE', what: 'confirm a marketplace fulfilment' },
  'Mutation.advanceClock': { rule: 'ROLE-SUBSCRIPTIONS', what: 'advance the simulation clock' },
  // The nearest rule: a customer is created to buy subscriptions for it (src/policy/customer.ts).
  'Mutation.createCustomer': { rule: 'ROLE-SUBSCRIPTIONS', what: 'create customers' },
  // The same: a sandbox's offer is made to be bought (src/policy/sandbox-offer.ts; SANDBOX-OFFERS first).
  'Mutation.createOffer': { rule: 'ROLE-SUBSCRIPTIONS', what: 'create offers' },
  'Mutation.purchaseSoftware': { rule: 'ROLE-SOFTWARE', what: 'buy software' },
  'Mutation.purchaseReservation': { rule: 'ROLE-SOFTWARE', what: 'buy Azure reservations' },
  'Mutation.getSoftwareKey': { rule: 'ROLE-SOFTWARE-KEYS', what: 'get software product keys and downloads' },
  'Mutation.cancelSoftwareOrder': { rule: 'ROLE-SOFTWARE-CANCEL', what: 'cancel a software purchase' },
  'Mutation.cancelReservation': { rule: 'ROLE-RESERVATIONS', what: 'cancel a reservation' },
  'Mutation.updateReservation': { rule: 'ROLE-RESERVATIONS', what: 'change a reservation' },
  'Mutation.exchangeReservation': { rule: 'ROLE-RESERVATIONS', what: 'exchange a reservation' },
  'Mutation.setReservationUtilization': { rule: 'ROLE-RESERVATIONS', what: 'report reservation utilisation' },
  'Mutation.createSupportRequest(kind: SOFTWARE_*)': { rule: 'ROLE-SOFTWARE', what: 'ask for a software refund' },
  'Mutation.createSupportRequest(kind: RESERVATION_*)': { rule: 'ROLE-RESERVATIONS', what: 'ask for a reservation refund or exchange' },
} as const satisfies Record<string, Guard>;

export type Guarded = keyof typeof AUTHORIZATION;

/** The roles a guarded query, field or mutation needs (ROLE_RULES of its rule). */
export function rolesFor(key: Guarded): readonly string[] {
  return ROLE_RULES[AUTHORIZATION[key].rule];
}

export function mayRead(actor: Pick<Caller, 'roles'>, key: Guarded): boolean {
  const guard: Guard = AUTHORIZATION[key];
  return checkRole(actor, guard.rule, guard.what) === null;
}

/** Throws FORBIDDEN (`extensions.rule`: the guard's rule) unless the actor holds one of its roles. */
export function assertMayRead(actor: Pick<Caller, 'roles'>, key: Guarded): void {
  const guard: Guard = AUTHORIZATION[key];
  const refused = checkRole(actor, guard.rule, guard.what);
  if (refused) throw forbidden(refused);
}

/** A direct lookup of one subscription: a marketplace one needs ROLE-MARKETPLACE. */
export function assertMaySeeSubscription(actor: Pick<Caller, 'roles'>, s: Pick<SubscriptionDoc, 'publisher'>): void {
  if (s.publisher === 'isv') assertMayRead(actor, 'Subscription(publisher: isv)');
}

/** A direct lookup of one add-on: one of a marketplace offer, or of a marketplace base subscription, needs ROLE-MARKETPLACE. */
export function assertMaySeeAddOn(
  actor: Pick<Caller, 'roles'>,
  addOn: Pick<SubscriptionDoc, 'publisher'>,
  base: Pick<SubscriptionDoc, 'publisher'>,
): void {
  if (addOn.publisher === 'isv' || base.publisher === 'isv') assertMayRead(actor, 'AddOn(publisher: isv)');
}

/** The condition a subscription connection adds to its query: no marketplace ones without ROLE-MARKETPLACE. */
export function subscriptionVisibility(actor: Pick<Caller, 'roles'>): Filter<SubscriptionDoc> {
  return mayRead(actor, 'Subscription(publisher: isv)') ? {} : { publisher: { $ne: 'isv' } };
}
