/**
 * Who may read which events (docs/events.md, "Who sees which events"). An event reveals the
 * resource it names and what changed in it, so a caller sees an event exactly when it could read
 * that resource directly (src/shared/authorization.ts):
 * - ROLE-TENANT: only the caller's own partner's events; another partner's do not exist for it.
 * - ROLE-MARKETPLACE: events of a marketplace (ISV) subscription, or of an add-on of one (its
 *   `subscription-*` and `scheduledchange-*` events, which carry its activation link when it is
 *   created), only for the roles that may view marketplace subscriptions; for anyone else they are
 *   left out of `events` as `subscriptions` leaves the subscriptions out, and `event(id)` refuses
 *   them as `subscription(id)` does.
 * - Every other resource an event names (customers, orders, software orders, support requests,
 *   reservations, offers, invoices, the clock) is readable by every partner role in this API, so
 *   its events are too. Software keys never travel in an event (ROLE-SOFTWARE-KEYS, stripped by
 *   src/policy/events.ts), and no ROLE-* rule restricts reading invoices, so `invoice-ready` is
 *   readable as `invoice` is.
 * Pure: which resources are marketplace ones is read by the caller of these functions.
 */
import type { Caller } from '../shared/caller.js';
import { allow, type Decision } from './decision.js';
import { canViewMarketplace, checkRole } from './roles.js';

/** The resource names whose events describe a subscription (ROLE-MARKETPLACE applies to ISV ones). */
export const SUBSCRIPTION_RESOURCES: readonly string[] = ['subscription', 'scheduledchange'];

export interface EventReadScope {
  /** ROLE-TENANT: the only partner whose events the caller reads. */
  partnerId: string;
  /** ROLE-MARKETPLACE: false when the caller must not see marketplace subscriptions' events. */
  marketplace: boolean;
}

/** ROLE-TENANT, ROLE-MARKETPLACE: what an `events` list shows the caller. Never refused: every partner role reads some events. */
export function eventReadScope(actor: Pick<Caller, 'roles' | 'partner'>): EventReadScope {
  return { partnerId: actor.partner._id, marketplace: canViewMarketplace(actor) };
}

/** The event facts a read decision needs: its partner, its resource, and whether that resource is a marketplace subscription. */
export interface EventFacts {
  partnerId: string;
  resourceName: string;
  /** True when the event's resource is a marketplace (ISV) subscription or an add-on of one. */
  marketplaceResource: boolean;
}

/**
 * One event read by ID. `visible: false` is ROLE-TENANT: the event does not exist for the caller
 * (NOT_FOUND); a refusal is ROLE-MARKETPLACE (FORBIDDEN, as reading the subscription directly).
 */
export function decideEventRead(actor: Pick<Caller, 'roles' | 'partner'>, event: EventFacts): Decision<{ visible: boolean }> {
  if (event.partnerId !== actor.partner._id) return allow({ visible: false });
  if (event.marketplaceResource && SUBSCRIPTION_RESOURCES.includes(event.resourceName)) {
    const refused = checkRole(actor, 'ROLE-MARKETPLACE', 'read events of marketplace (ISV) subscriptions');
    if (refused) return refused;
  }
  return allow({ visible: true });
}

/** Whether an event of the list is shown to a caller of `scope` (the list's twin of decideEventRead). */
export function listsEvent(scope: EventReadScope, event: EventFacts): boolean {
  if (event.partnerId !== scope.partnerId) return false;
  return scope.marketplace || !event.marketplaceResource || !SUBSCRIPTION_RESOURCES.includes(event.resourceName);
}
