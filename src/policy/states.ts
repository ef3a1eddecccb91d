/**
 * Subscription statuses and the moves between them (SUSP-STATES), and what a status means for
 * the customer's users (SUSP-EFFECT).
 */
import type { SubscriptionStatus } from '../db/documents.js';
import type { Sub } from './common.js';

/**
 * SUSP-STATES: a CSP subscription is active or suspended, or deleted; there is no
 * expired-but-working state. `pending` is a marketplace subscription awaiting its publisher
 * (CAT-ISV-FULFILMENT). `expired` and `disabled` are Partner Center statuses kept for reading;
 * nothing moves into them. Deleted is final (CANCEL-FINAL).
 */
export const STATUS_TRANSITIONS: Readonly<Record<SubscriptionStatus, readonly SubscriptionStatus[]>> = {
  pending: ['active', 'deleted'],
  active: ['suspended', 'deleted'],
  suspended: ['active', 'deleted'],
  deleted: [],
  expired: [],
  disabled: [],
};

/** SUSP-STATES: whether a status may move to another. */
export function canTransition(from: SubscriptionStatus, to: SubscriptionStatus): boolean {
  return from === to || STATUS_TRANSITIONS[from].includes(to);
}

/** SUSP-EFFECT: the customer's users can sign in and use the service only while it is active. */
export function usersHaveAccess(s: Pick<Sub, 'status'>): boolean {
  return s.status === 'active';
}
